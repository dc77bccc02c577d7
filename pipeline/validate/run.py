"""Validate one input file: the entry point the workflow calls.

``validate_input`` reads a raw extract, checks it against its contract and returns the rows to
use, the rows excluded (with reasons) and the reconciliation table. On any Stop problem it writes
the failures CSV and raises :class:`ValidationStop`, whose text names file, column, rule and
source lines. ``python -m pipeline.validate.run`` does the same from the command line and exits
with status 1 on a Stop problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.settings import Settings
from pipeline.validate import rules as r
from pipeline.validate.checking import Checked, check_rows, column_meta, contract_columns
from pipeline.validate.errors import (
    DEFAULT_FAILURES_DIR,
    ProblemsFound,
    ValidationStop,
    write_failures,
)
from pipeline.validate.readers import display_name, read_table
from pipeline.validate.result import ValidationResult
from pipeline.validate.schemas import MODELS

#: Every input kind validate_input accepts.
INPUT_KINDS: tuple[str, ...] = tuple(MODELS)


def default_failures_path(kind: str) -> Path:
    """Where the failures CSV of an input goes unless the caller names a path."""
    return DEFAULT_FAILURES_DIR / f"{kind}.failures.csv"


def validate_input(
    kind: str,
    path: Path,
    *,
    settings: dict,
    area_lsoas: set[str] | None = None,
    failures_path: Path | None = None,
) -> ValidationResult:
    """Validate one raw input against its contract.

    ``area_lsoas`` (the codes of lsoas.csv) decides which located rows are inside the area; it
    is required for victims. On a Stop problem the failures CSV is written (to
    ``failures_path``, or ``data/processed/validation/<kind>.failures.csv``) and
    :class:`ValidationStop` is raised. When ``failures_path`` is given and the input passes,
    a header-only failures CSV is written there so a stale list never survives a fixed input.
    """
    if kind not in MODELS:
        raise ValueError(f"unknown input kind {kind!r}; expected one of {', '.join(MODELS)}")
    if kind == "victims" and area_lsoas is None:
        raise ValueError("validating victims needs area_lsoas (the LSOA codes of lsoas.csv)")
    target = Path(failures_path) if failures_path is not None else default_failures_path(kind)
    try:
        if kind == "boundaries":
            # Imported here: only the boundaries need geopandas, so a job validating tables
            # alone never loads it.
            from pipeline.validate.boundaries import validate_boundaries

            result = validate_boundaries(Path(path), settings=settings, area_lsoas=area_lsoas)
        else:
            result = _validate_table(kind, Path(path), settings=settings, area_lsoas=area_lsoas)
    except ProblemsFound as found:
        write_failures(found.problems, target)
        raise ValidationStop(found.problems, target) from None
    if failures_path is not None:
        write_failures([], target)
    return result


def _validate_table(
    kind: str, path: Path, *, settings: Settings, area_lsoas: set[str] | None
) -> ValidationResult:
    """Validate a CSV or xlsx input."""
    file = display_name(path)
    # The raw text is passed on, not kept here, so that check_rows can release it once parsed.
    checked = check_rows(
        kind, read_table(path, input_name=kind), file, settings=settings, area_lsoas=area_lsoas
    )
    frame = finish_frame(kind, checked, checked.lines, settings=settings)
    return ValidationResult(
        frame=frame, reconciliation=checked.reconciliation, excluded=checked.excluded
    )


def finish_frame(
    kind: str, checked: Checked, lines: np.ndarray, *, settings: Settings
) -> pd.DataFrame:
    """The used rows with natural dtypes, their source line first, derived columns last."""
    frame = checked.used.copy(deep=False)  # copy-on-write: checked.used is never changed
    for column in contract_columns(kind):
        required = not MODELS[kind].to_schema().columns[column].nullable
        fmt = column_meta(kind, column)["format"]
        if required and fmt == "whole number":
            frame[column] = frame[column].astype("int64")
        elif fmt == "Y/N":
            frame[column] = frame[column].astype("bool")
    frame.insert(0, "source_line", lines[checked.used.index.to_numpy()])
    if kind == "victims":
        frame = add_victim_columns(frame, ethnicity_scheme=settings.ethnicity_scheme)
    return frame.reset_index(drop=True)


#: The location status of a victim row, by whether its LSOA is known (0) or not (1).
_LOCATION_STATUS = np.array(["in area", "location unknown"], dtype=object)


def add_victim_columns(frame: pd.DataFrame, *, ethnicity_scheme: str) -> pd.DataFrame:
    """Derived victim columns: financial year, ethnic group, location status, start time.

    Built from numbers and two shared labels rather than one Python string per row: a
    national extract has millions of rows.
    """
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    out["financial_year"] = r.financial_year(out["offence_start_date"])
    out["ethnicity_group"] = r.ethnicity_group(out["victim_ethnicity"], ethnicity_scheme)
    unknown = out["lsoa_code"].isna().to_numpy()
    out["location_status"] = pd.Series(
        _LOCATION_STATUS[unknown.astype("int64")], index=out.index, dtype="str"
    )
    out["time_known"] = out["offence_start_time"].notna().astype("bool")
    # Start times are 'HH:MM' (parse_values writes them so); a missing time counts as 00:00.
    time = out["offence_start_time"]
    minutes = time.str.slice(0, 2).astype("Int64") * 60 + time.str.slice(3, 5).astype("Int64")
    clock = pd.to_timedelta(minutes.fillna(0).to_numpy(dtype="int64"), unit="m")
    out["offence_start"] = (out["offence_start_date"] + pd.Series(clock, index=out.index)).astype(
        "datetime64[ns]"
    )
    return out


# --- Command line -------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.validate.run",
        description="Validate one raw input against its data contract.",
    )
    parser.add_argument("kind", choices=INPUT_KINDS, help="which input the file is")
    parser.add_argument("path", type=Path, help="the raw file")
    parser.add_argument("--config", type=Path, default=Path("config/config.yaml"))
    parser.add_argument("--lsoas", type=Path, help="the area's lsoas.csv (needed for victims)")
    parser.add_argument("--failures", type=Path, help="failures CSV to write")
    parser.add_argument("--output", type=Path, help="validated rows (.parquet)")
    parser.add_argument("--reconciliation", type=Path, help="reconciliation table (.csv)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Validate from the command line: exit 0 when the input passes, 1 on a Stop problem."""
    args = _parser().parse_args(argv)
    settings = Settings.of(yaml.safe_load(args.config.read_text(encoding="utf-8")))
    try:
        area_lsoas = None
        if args.lsoas is not None:
            lsoas = validate_input("lsoas", args.lsoas, settings=settings)
            area_lsoas = set(lsoas.frame["lsoa_code"])
        result = validate_input(
            args.kind,
            args.path,
            settings=settings,
            area_lsoas=area_lsoas,
            failures_path=args.failures,
        )
    except ValidationStop as stop:
        print(f"Validation stopped the run.\n\n{stop}", file=sys.stderr)
        return 1
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        result.frame.to_parquet(args.output, index=False)
    if args.reconciliation is not None:
        args.reconciliation.parent.mkdir(parents=True, exist_ok=True)
        result.reconciliation.to_csv(args.reconciliation, index=False, lineterminator="\n")
    counts = result.reconciliation.set_index("reason")["rows"]
    print(
        f"{display_name(args.path)}: {counts['rows read']} rows read, "
        f"{counts['rows used']} used, {counts['rows read'] - counts['rows used']} excluded",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
