"""The table of source rows the build could not use (``adapter-exclusions.csv``): each
adapter's ``excluded`` rows under the step they belong to."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.adapters import AdapterResult

#: Columns of ``adapter-exclusions.csv``: what was being built, the source file (or step),
#: the reason, a narrower detail, the source rows and (where meaningful) what they held.
EXCLUSION_COLUMNS: list[str] = ["step", "source", "reason", "detail", "rows", "value"]


def exclusions(step: str, result: AdapterResult | pd.DataFrame) -> pd.DataFrame:
    """An adapter's ``excluded`` table under the step it belongs to."""
    excluded = result.excluded if isinstance(result, AdapterResult) else result
    frame = excluded.assign(step=step)
    for column in EXCLUSION_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    return frame[EXCLUSION_COLUMNS]


def exclusion_table(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All exclusions, one table, in a stable order."""
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    table = table.astype({"rows": "int64", "value": "Int64"})
    table["detail"] = table["detail"].fillna("").astype(str)
    return table.sort_values(["step", "source", "reason", "detail"], kind="stable").reset_index(
        drop=True
    )
