"""MPS ward-level recorded crime (wide monthly CSV) -> long counts by 2022 ward and category.

Where to get it: London Datastore, dataset "MPS Recorded Crime: Geographic Breakdown"
(Metropolitan Police Service; data.london.gov.uk/dataset/recorded_crime_summary), files "MPS
Ward Level Crime (Historical).csv" and "MPS Ward Level Crime (most recent 24 months).csv".
Columns, read by name (the two files order them differently): ``WardName, WardCode, MajorText,
MinorText, LookUp_BoroughName``, then one column per month ``YYYYMM``; the Historical file ends
with ``Refreshed Date`` (the publisher's refresh date, not a count), which is ignored. Wards are
the 2022 electoral wards (``E05`` codes, e.g. Waltham Forest's 22 wards E05013882..E05013903).

What it produces: :func:`read_mps_ward_crime` -> ``area_code, area_name, ward_code, ward_name,
month (YYYY-MM), major_category, minor_category, count``, one row per ward, category and month.
``LookUp_BoroughName`` becomes the borough's ONS code (:func:`~pipeline.adapters.mps_borough.
borough_code`). Left out, and counted in ``excluded`` with their crimes: rows whose
``LookUp_BoroughName`` is not a London borough (the published "Aviation Security (SO18)" rows of
the Heathrow ward), rows without a well-formed ward code, and, with ``area_code``, the rows of
other boroughs. When files share months they must agree cell by cell, the rule of the borough
adapter (:mod:`pipeline.adapters._mps_wide`). A ward code must have one name and one borough in
a file; across files the name in the file with the latest months is used.

As in the borough files, a ward x category row whose months are all zero is left out by the
publisher, so such a category counts 0 in that ward. Ward counts need not add up to the borough
file's (see :mod:`pipeline.adapters.mps_ward_tables`, which builds the financial-year tables
and the reconciliation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    AdapterError,
    AdapterResult,
    as_paths,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
)
from pipeline.adapters._formats import wrong_file_hint
from pipeline.adapters._mps_wide import (
    SOURCE,
    check_distinct_names,
    combine_files,
    melt_months,
    month_columns,
    month_counts,
)
from pipeline.adapters.mps_borough import LONDON_BOROUGHS, borough_code

_FORMAT = "MPS ward-level crime"
_TEXT_COLUMNS = {
    "WardName": "ward_name",
    "WardCode": "ward_code",
    "MajorText": "major_category",
    "MinorText": "minor_category",
    "LookUp_BoroughName": "borough",
}
#: Columns of the published files that are not counts.
IGNORED_COLUMNS = ("Refreshed Date",)
WARD_CODE = re.compile(r"^E05\d{6}$")
COLUMNS = [
    "area_code", "area_name", "ward_code", "ward_name", "month", "major_category",
    "minor_category", "count",
]  # fmt: skip
_KEY = ["ward_code", "major_category", "minor_category"]

REASON_NOT_BOROUGH = "not a London borough (e.g. Aviation Security (SO18), the Heathrow ward)"
REASON_NO_WARD = "no ward code (E05 + 6 digits)"
REASON_OTHER_BOROUGH = "ward of another borough (not asked for)"


def read_mps_ward_crime(
    paths: Path | str | Iterable[Path | str], area_code: str | None = None
) -> AdapterResult:
    """Read one or more MPS ward files (Historical, most recent 24 months) into long monthly
    counts by ward and category; ``area_code`` keeps one borough's wards."""
    files = as_paths(paths)
    check_distinct_names(files, "MPS ward")
    parts, names, excluded = [], [], []
    for path in files:
        frame, dropped = _read_one(path, area_code)
        parts.append(frame.assign(**{SOURCE: path.name}))
        names.append(_names_in(frame, path))
        excluded.extend(dropped)
    combined = combine_files([p.drop(columns="ward_name") for p in parts], [*_KEY, "area_code"])
    if combined.empty:
        where = f" of {area_code}" if area_code is not None else ""
        raise AdapterError(f"{_FORMAT}: no ward{where} in {[p.name for p in files]}")
    combined = combined.merge(_latest_names(names), on="ward_code", how="left")
    combined["area_name"] = combined["area_code"].map(LONDON_BOROUGHS)
    combined["count"] = combined["count"].astype("int64")
    combined = combined[COLUMNS].sort_values(["ward_code", "month", *_KEY[1:]])
    return AdapterResult(frame=combined.reset_index(drop=True), excluded=excluded_frame(excluded))


def _read_one(path: Path, area_code: str | None) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """One wide file -> long rows of the wards kept, plus the rows it left out, by reason."""
    raw = read_csv_text(path, _FORMAT)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in _TEXT_COLUMNS if c not in raw.columns]
    if missing:
        hint = wrong_file_hint(raw.columns, "mps_ward")
        raise fail(
            path, f"not an {_FORMAT} file: missing column(s) {missing}{hint}", column=missing[0]
        )
    months = month_columns(path, list(raw.columns), list(_TEXT_COLUMNS), IGNORED_COLUMNS)
    counts = month_counts(raw, path, months)
    text = raw[list(_TEXT_COLUMNS)].rename(columns=_TEXT_COLUMNS)
    for column in text.columns:
        text[column] = text[column].str.strip()
    text["area_code"] = text["borough"].map(borough_code)
    text["line"] = csv_line_numbers(range(len(raw)))
    reason = pd.Series("", index=text.index)
    reason[text["area_code"].isna()] = REASON_NOT_BOROUGH
    reason[(reason == "") & ~text["ward_code"].str.match(WARD_CODE.pattern)] = REASON_NO_WARD
    if area_code is not None:
        reason[(reason == "") & (text["area_code"] != area_code)] = REASON_OTHER_BOROUGH
    kept = reason == ""
    _check_consistent(path, text.loc[kept])
    dropped = [
        {
            "source": path.name,
            "reason": why,
            "detail": borough,
            "rows": int(len(group)),
            "value": int(counts.loc[group.index].to_numpy().sum()),
        }
        for (why, borough), group in text.loc[~kept].groupby([reason[~kept], "borough"])
    ]
    wide = pd.concat([text.loc[kept, [*_KEY, "area_code", "ward_name"]], counts.loc[kept]], axis=1)
    return melt_months(wide, [*_KEY, "area_code", "ward_name"]), dropped


def _check_consistent(path: Path, text: pd.DataFrame) -> None:
    """A ward x category appears once; a ward code has one name and one borough."""
    duplicated = text.duplicated(_KEY, keep=False)
    if duplicated.any():
        raise fail(
            path,
            "the same ward and category appear more than once",
            column="WardCode",
            rows=text.loc[duplicated, "line"].tolist(),
        )
    for column, source in (("ward_name", "WardName"), ("area_code", "LookUp_BoroughName")):
        per_code = text.groupby("ward_code")[column].transform("nunique")
        if (per_code > 1).any():
            raise fail(
                path,
                f"a ward code must have one {source} in a file",
                column=source,
                rows=text.loc[per_code > 1, "line"].tolist(),
            )


def _names_in(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Ward code -> name in one file, with the file's last month (for the latest name)."""
    last = frame["month"].max() if len(frame) else ""
    names = frame.drop_duplicates("ward_code")[["ward_code", "ward_name"]]
    return names.assign(_last=last, _file=path.name)


def _latest_names(names: list[pd.DataFrame]) -> pd.DataFrame:
    """Each ward's name from the file with the latest months (then the last file by name)."""
    stacked = pd.concat(names, ignore_index=True).sort_values(["ward_code", "_last", "_file"])
    return stacked.drop_duplicates("ward_code", keep="last")[["ward_code", "ward_name"]]
