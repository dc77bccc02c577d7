"""One function per workflow rule: read the rule's declared inputs, call the tested stage
functions, write the declared outputs. The scripts in ``scripts/`` only unpack Snakemake's
``input``/``output``/``params`` and call these, so the glue is testable without Snakemake."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.runtime import LOGGER, read_parquet, write_csv, write_json, write_parquet

#: Measure family name -> module in ``pipeline.measures``.
FAMILY_MODULES = {
    "key_metric": "pipeline.measures.key_metric",
    "trend": "pipeline.measures.trend",
    "disproportionality": "pipeline.measures.disproportionality",
    "hotspots": "pipeline.measures.hotspots",
    "timing": "pipeline.measures.timing",
    "deprivation": "pipeline.measures.deprivation",
    "monitoring": "pipeline.measures.monitoring",
}


def check_raw_inputs_step(files: list[str], checked: str) -> None:
    """Stop if any raw input differs from its checksum manifest; record what was checked."""
    from pipeline.audit.raw_manifest import check_files

    record = check_files(files)
    LOGGER.info("checked %d raw files", len(record["files"]))
    write_json(record, checked)


def validate_step(
    kind: str,
    raw: str,
    *,
    validated: str,
    reconciliation: str,
    failures: str,
    settings: Mapping[str, Any],
    lsoas: str | None = None,
) -> None:
    """Validate one raw input against its contract and write the rows used and the
    reconciliation (rows read = used + excluded, by reason)."""
    from pipeline.validate import validate_input

    area_lsoas = set(read_parquet(lsoas)["lsoa_code"]) if lsoas else None
    Path(failures).parent.mkdir(parents=True, exist_ok=True)
    result = validate_input(
        kind, Path(raw), config=dict(settings), area_lsoas=area_lsoas, failures_path=Path(failures)
    )
    write_parquet(result.frame, validated)
    write_csv(result.reconciliation, reconciliation)
    LOGGER.info("%s: %s", kind, result.reconciliation.to_dict("records"))


def check_area_step(
    inputs: Mapping[str, str],
    checked: str,
    settings: Mapping[str, Any],
    area_code: str,
    failures: str,
) -> None:
    """Cross-input checks for one area (populations and deprivation for every LSOA, …)."""
    from pipeline.validate import check_cross_inputs

    frames = {kind: read_parquet(path) for kind, path in inputs.items()}
    check_cross_inputs(
        frames, config=dict(settings), area_code=area_code, failures_path=Path(failures)
    )
    Path(checked).write_text("cross-input checks passed\n", encoding="utf-8")


def measure_step(
    family: str,
    inputs: Mapping[str, str],
    *,
    table: str,
    findings: str,
    settings: Mapping[str, Any],
    area_code: str,
) -> None:
    """Compute one measure family from validated inputs; write its table and findings."""
    module = importlib.import_module(FAMILY_MODULES[family])
    frames: dict[str, Any] = {
        kind: _read_any(path) for kind, path in inputs.items() if kind != "checked"
    }
    arguments = _arguments_for(module.compute, frames, settings, area_code)
    result = module.compute(**arguments)
    write_csv(result, table)
    write_json([asdict(item) for item in module.findings(result, dict(settings))], findings)


def _read_any(path: str) -> pd.DataFrame:
    return read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def _arguments_for(
    function: Any, frames: Mapping[str, Any], settings: Mapping[str, Any], area_code: str
) -> dict[str, Any]:
    """Match a compute function's keyword parameters to inputs by name."""
    available = {**frames, "config": dict(settings), "area_code": area_code, "tables": frames}
    parameters = inspect.signature(function).parameters
    missing = [name for name, p in parameters.items() if name not in available and p.default is p.empty]
    if missing:
        raise TypeError(f"{function.__module__}.compute needs inputs the rule does not give: {missing}")
    return {name: available[name] for name in parameters if name in available}
