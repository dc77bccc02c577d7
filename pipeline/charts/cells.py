"""What the charts of several families share: finding rows in a measure table, writing a
table cell for the CSV behind a chart, and wording a per-LSOA rate.

A chart's CSV holds plain numbers (no thousands separators; ``[c]`` when suppressed, empty
when not available), unlike the report's formatted tables (:mod:`pipeline.render.model`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.disclosure import MARKER
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings

#: Columns of a per-LSOA rate table (see :class:`RateLabels`).
RATE_COLUMN = "Rate per 1,000"
LIMIT_COLUMNS: tuple[str, str] = ("Lower 95% limit", "Upper 95% limit")

#: The note under a chart or table whose counts include a suppressed one.
HIDDEN_NOTE = f"{MARKER}: a number from 1 to the disclosure threshold, hidden to protect privacy."


def is_na(value: Any) -> bool:
    """True for None, NaN and pandas NA (not for an empty string)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def count_text(value: Any, hidden: bool = False, decimals: int = 0) -> str:
    """A count for the CSV: '[c]' when hidden, '' when not available, else a plain number."""
    if hidden:
        return MARKER
    if is_na(value):
        return ""
    return f"{float(value):.{decimals}f}"


def number_text(value: Any, decimals: int = 1, hidden: bool = False, scale: float = 1.0) -> str:
    """A rate, share (``scale=100`` for per cent) or ratio for the CSV, like
    :func:`count_text`; 'inf' for an unbounded limit."""
    if hidden:
        return MARKER
    if is_na(value):
        return ""
    number = float(value) * scale
    if number == float("inf"):
        return "inf"
    return f"{number:.{decimals}f}"


def interval_text(lower: Any, upper: Any, decimals: int = 1, hidden: bool = False) -> str:
    """'12.3 to 45.6' for the CSV; '[c]' when hidden."""
    if hidden:
        return MARKER
    return f"{number_text(lower, decimals)} to {number_text(upper, decimals)}"


def window_labels(settings: Settings) -> list[str]:
    """Labels of every financial year in the configured window, oldest first."""
    return [financial_year_label(year) for year in settings.years]


def measure_rows(table: pd.DataFrame, name: str, definition_id: str | None = None) -> pd.DataFrame:
    """Rows of measure ``<definition id>_<name>`` (or any definition's ``name``)."""
    ids = table["measure_id"].astype(str)
    if definition_id is not None:
        return table.loc[ids == f"{definition_id}_{name}"]
    return table.loc[(ids == name) | ids.str.endswith("_" + name)]


def first_row(table: pd.DataFrame, **where: Any) -> pd.Series | None:
    """The first row whose columns equal ``where`` (compared as text), or None."""
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column].astype(str) == str(value)
    rows = table.loc[mask]
    return rows.iloc[0] if len(rows) else None


def not_available(table: pd.DataFrame | None) -> bool:
    """True for a family's "not available" table (``<family>_not_available`` rows only: an
    SNA without a victim extract), which has nothing to draw."""
    if table is None or table.empty:
        return False
    return bool(table["measure_id"].astype(str).str.endswith("_not_available").all())


@dataclass(frozen=True)
class RateLabels:
    """How a per-LSOA rate table words its counts: what is counted ('incidents', or
    'offences' for a public proxy), who the residents are ('residents aged 0-24',
    'residents of all ages') and the period the rows cover."""

    counted: str
    residents: str
    period: str

    @property
    def count_column(self) -> str:
        return self.counted[:1].upper() + self.counted[1:]

    @property
    def residents_column(self) -> str:
        return self.residents[:1].upper() + self.residents[1:]

    @property
    def kinds(self) -> dict[str, str]:
        """The kind of each column :meth:`cells` writes."""
        return {
            self.count_column: "count",
            self.residents_column: "population",
            RATE_COLUMN: "rate",
            **dict.fromkeys(LIMIT_COLUMNS, "rate"),
        }

    def cells(self, row: Mapping[str, Any], limits: bool = False) -> dict[str, str]:
        """One rate row's count, residents and rate for the CSV (with ``limits``, its 95%
        confidence limits too); a suppressed count hides the rate and limits with it."""
        hidden = bool(row["numerator_suppressed"])
        cells = {
            self.count_column: count_text(row["numerator"], hidden),
            self.residents_column: count_text(row["denominator"]),
            RATE_COLUMN: number_text(row["value"], 1, hidden),
        }
        if limits:
            lower, upper = LIMIT_COLUMNS
            cells[lower] = number_text(row["lower"], 1, hidden)
            cells[upper] = number_text(row["upper"], 1, hidden)
        return cells


def rate_labels(rows: pd.DataFrame, settings: Settings) -> RateLabels:
    """Labels from the rows' ``unit`` ('offences per 1,000 residents of all ages') and
    ``period``; without a unit, the serious-violence definition's ages and the edition."""
    units = sorted({str(u) for u in rows.get("unit", pd.Series(dtype=str)).dropna() if str(u)})
    periods = sorted({str(p) for p in rows.get("period", pd.Series(dtype=str)).dropna()})
    period = periods[-1] if len(periods) == 1 else settings.edition
    match = re.fullmatch(r"(\w+) per [\d,]+ (residents.*)", units[0]) if len(units) == 1 else None
    if match:
        return RateLabels(match.group(1), match.group(2), period)
    sv = settings.definitions.serious_violence_u25
    return RateLabels("incidents", f"residents aged {sv.age_from}-{sv.age_to}", period)


@dataclass(frozen=True)
class WardLevel:
    """What the charts call the level above the LSOA: electoral wards, or MSOAs where the LSOA
    list has no real wards (a public build without an LSOA-to-ward lookup gives each LSOA its
    MSOA, code E02, as its "ward")."""

    singular: str  # "ward", "MSOA"
    plural: str  # "wards", "MSOAs"
    #: How a caption names the level, once, in full.
    described: str

    @property
    def column(self) -> str:
        """A table column heading: 'Ward', 'MSOA'."""
        return self.singular[:1].upper() + self.singular[1:]

    def named(self, table: pd.DataFrame, kinds: Mapping[str, str]) -> tuple[pd.DataFrame, dict]:
        """A table built with a "Ward" column, and its column kinds, with the column named
        for this level."""
        names = {"Ward": self.column}
        return table.rename(columns=names), {names.get(c, c): k for c, k in kinds.items()}


WARDS = WardLevel("ward", "wards", "ward")
MSOAS = WardLevel(
    "MSOA",
    "MSOAs",
    "MSOA (middle-layer super output area, a group of about five LSOAs; public data have no "
    "LSOA-to-ward lookup)",
)


def ward_level(ward_codes: Any) -> WardLevel:
    """MSOAs when every ward code given is an MSOA code (E02), otherwise wards."""
    codes = [str(c) for c in ward_codes if not is_na(c)]
    return MSOAS if codes and all(c.startswith("E02") for c in codes) else WARDS


#: The pooled neighbours' count in a measure row's note: the key metric's 'pooled over 8 of
#: 10 neighbours: ...' and the trend's '8 of 10 neighbours with complete series'.
_POOLED_COUNT = re.compile(r"(?:^|; )(?:pooled over )?(\d+) of (\d+) neighbours\b")


def neighbours_pooled(note: Any) -> tuple[int, int] | None:
    """(neighbours with data, neighbours listed) from a pooled row's note, or None."""
    match = None if is_na(note) else _POOLED_COUNT.search(str(note))
    return (int(match.group(1)), int(match.group(2))) if match else None


def pooled_label(label: str, counts: Any) -> str:
    """'Similar boroughs (pooled)' -> 'Similar boroughs (pooled, 8 of 10 with data)' from the
    (with data, listed) pairs of its rows; a range when the years differ; unchanged without."""
    found = sorted({c for c in counts if c is not None})
    if not found:
        return label
    listed = max(total for _, total in found)
    low, high = found[0][0], found[-1][0]
    if low == high == listed:
        count = f"all {listed} with data"
    else:
        count = f"{low if low == high else f'{low} to {high}'} of {listed} with data"
    return label.replace("(pooled)", f"(pooled, {count})")
