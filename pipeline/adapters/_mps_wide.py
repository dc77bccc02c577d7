"""What the MPS "Recorded Crime: Geographic Breakdown" files share, whatever their geography
(borough, ward): text columns, then one column per month ``YYYYMM``; and, when a Historical
file and a most-recent-24-months file are read together, one rule for the months they share.

The rule (the borough adapter's, now shared): every cell of a shared month must agree between
the files, a row a file leaves out counting 0 (the publisher omits a row whose months are all
zero); the month is then kept once. Otherwise :class:`AdapterError` names the cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import AdapterError, csv_line_numbers, fail, whole_numbers

MONTH_COLUMN = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
#: Column that tags each file's rows while files are combined.
SOURCE = "_source"


def month_columns(
    path: Path, columns: Sequence[str], text_columns: Sequence[str], ignored: Sequence[str] = ()
) -> list[str]:
    """The month columns (every column that is neither text nor ``ignored``); raise if any of
    them is not ``YYYYMM`` or there is none."""
    months = [c for c in columns if c not in text_columns and c not in ignored]
    odd = [c for c in months if not MONTH_COLUMN.match(c)]
    if odd or not months:
        raise fail(
            path,
            f"columns after {', '.join(text_columns)} must be months YYYYMM, found {odd[:3]}",
        )
    return months


def month_counts(raw: pd.DataFrame, path: Path, months: Sequence[str]) -> pd.DataFrame:
    """The month cells as whole numbers >= 0 (raise naming file rows and month otherwise)."""
    lines = csv_line_numbers(range(len(raw)))
    return pd.DataFrame({m: whole_numbers(raw[m], path, m, lines) for m in months}, index=raw.index)


def melt_months(wide: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """Wide key + month columns -> long rows with ``month`` as ``YYYY-MM`` and ``count``."""
    long = wide.melt(id_vars=list(key), var_name="month", value_name="count")
    long["month"] = long["month"].str.slice(0, 4) + "-" + long["month"].str.slice(4, 6)
    return long


def check_distinct_names(paths: Sequence[Path], what: str) -> None:
    """Files are told apart by name while combined, so names must differ."""
    if len({path.name for path in paths}) != len(paths):
        raise AdapterError(f"{what} files must have different names: {[p.name for p in paths]}")


def combine_files(parts: list[pd.DataFrame], key: Sequence[str]) -> pd.DataFrame:
    """Stack files (each tagged with :data:`SOURCE`); months present in more than one file must
    agree cell by cell (see the module), then are kept once, from the first file by name."""
    stacked = pd.concat(parts, ignore_index=True)
    months_by_file = stacked.groupby(SOURCE)["month"].unique()
    sources = list(months_by_file.index)
    for i, first in enumerate(sources):
        for second in sources[i + 1 :]:
            shared = sorted(set(months_by_file[first]) & set(months_by_file[second]))
            if shared:
                check_overlap(stacked, key, first, second, shared)
    first_source = stacked.groupby("month")[SOURCE].transform("min")
    return stacked.loc[stacked[SOURCE] == first_source].drop(columns=SOURCE)


def check_overlap(
    stacked: pd.DataFrame, key: Sequence[str], first: str, second: str, months: list[str]
) -> None:
    """Raise when two files give different counts for a shared month (absent row = 0)."""
    rows = stacked.loc[stacked["month"].isin(months) & stacked[SOURCE].isin([first, second])]
    both = rows.pivot_table(
        index=[*key, "month"], columns=SOURCE, values="count", aggfunc="sum", fill_value=0
    ).reindex(columns=[first, second], fill_value=0)
    differ = both.loc[both[first] != both[second]]
    if len(differ):
        minor_at = list(key).index("minor_category")
        examples = [
            f"{cells[0]} {cells[minor_at]} {cells[-1]}: {a} vs {b}"
            for cells, (a, b) in differ.head(3).iterrows()
        ]
        raise AdapterError(
            f"{first} and {second} disagree in {len(differ)} cell(s) of their shared months "
            f"{months[0]}..{months[-1]}, e.g. {'; '.join(examples)}"
        )
