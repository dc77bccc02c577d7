"""Small-area (LSOA) counts and populations shared by the place-based families (hot spots,
deprivation): counts per LSOA of the area, residents per LSOA, and public LSOA counts in their
latest calendar year with every count accounted for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.families.common import population_totals, reconciliation_rows
from pipeline.settings import Definition

#: Small-area rates are per this many residents (an LSOA has about 1,500 residents, so a rate
#: per 100,000 would read as an implausibly large number of people).
SMALL_AREA_RATE_PER = 1000


def population_year_at_or_before(population: pd.DataFrame, year: int, what: str) -> int:
    """The latest mid-year in ``population`` not after ``year`` (estimates are published
    late); raise naming the input when there is none."""
    years = sorted({int(y) for y in population["year"] if int(y) <= year})
    if not years:
        raise ValueError(
            f"{what}: no mid-year estimate at or before {year} (column year; years supplied: "
            f"{sorted({int(y) for y in population['year']})})"
        )
    return years[-1]


def population_note(used: int, wanted: int) -> str:
    """Note for a rate whose population is from an earlier mid-year than its period."""
    if used == wanted:
        return ""
    return f"mid-{wanted} LSOA population not supplied; mid-{used} used"


@dataclass(frozen=True)
class LocatedCounts:
    """Public LSOA counts of one measure in its latest year, with what was not used."""

    counts: pd.Series  # by LSOA code, every LSOA of the area
    year: int
    total: int  # every count in lsoa_counts.csv (all measures and years)
    steps: list[tuple[str, int]]  # reconciliation of ``total``


def located_counts(
    lsoa_counts: pd.DataFrame, definition: Definition, lsoas: pd.DataFrame
) -> LocatedCounts:
    """Counts of ``definition`` per LSOA in the latest calendar year of the public LSOA counts.

    Every count in the file is accounted for: other measures and earlier years are counted as
    not used.
    """
    measure = str(definition.id)
    codes = sorted(lsoas["lsoa_code"].astype(str))
    rows = lsoa_counts.loc[lsoa_counts["measure"] == measure]
    if rows.empty:
        raise ValueError(
            f"lsoa_counts: no rows for measure {measure!r} (column measure; measures present: "
            f"{sorted(set(lsoa_counts['measure']))}); rule: the serious_violence_u25 "
            "definition's id names the LSOA counts to use"
        )
    check_lsoas_known(rows, codes, what="lsoa_counts")
    year = int(rows["year"].max())
    latest = rows.loc[rows["year"] == year]
    counts = latest.groupby(latest["lsoa_code"].astype(str))["count"].sum()
    counts = counts.reindex(codes, fill_value=0).astype("int64").rename("count")
    other_measures = lsoa_counts.loc[lsoa_counts["measure"] != measure, "count"]
    earlier_years = rows.loc[rows["year"] < year, "count"]
    steps = [
        ("not used: other measures", int(other_measures.sum())),
        (f"not used: years before {year} (the latest year is analysed)", int(earlier_years.sum())),
        (f"used: offences located in an LSOA of the area in {year}", int(counts.sum())),
    ]
    total = int(lsoa_counts["count"].sum())
    return LocatedCounts(counts=counts, year=year, total=total, steps=steps)


def located_reconciliation(base: Mapping[str, Any], located: LocatedCounts) -> list[dict[str, Any]]:
    """The row reconciliation of the public LSOA counts: every count in the file, used or not."""
    return reconciliation_rows(
        {**base, "measure_id": "row_reconciliation"},
        located.total,
        located.steps,
        unit="offences in lsoa_counts.csv",
    )


def lsoa_population(
    population_lsoa: pd.DataFrame,
    lsoa_codes: Sequence[str],
    *,
    year: int,
    age_from: int,
    age_to: int,
) -> pd.Series:
    """Residents of each LSOA in an inclusive age range at mid-``year``, indexed by LSOA code.

    Raises ValueError naming the LSOAs with no population (a rate would divide by zero).
    """
    series = population_totals(
        population_lsoa, area_codes=lsoa_codes, year=year, age_from=age_from, age_to=age_to
    ).rename("population")
    empty = series.index[series <= 0].tolist()
    if empty:
        raise ValueError(
            f"population_lsoa: no residents aged {age_from}-{age_to} in mid-{year} for "
            f"{len(empty)} LSOA(s) of the area, e.g. {empty[:5]} (column population, rule: every "
            "LSOA of the area has a population for every year)"
        )
    return series


def check_lsoas_known(
    frame: pd.DataFrame, lsoa_codes: Sequence[str], what: str = "victims"
) -> None:
    """Raise if rows located 'in area' carry an LSOA outside the area's LSOA list."""
    located = frame["lsoa_code"].notna()
    unknown = located & ~frame["lsoa_code"].isin(set(lsoa_codes))
    if unknown.any():
        codes = sorted(frame.loc[unknown, "lsoa_code"].astype(str).unique())[:5]
        raise ValueError(
            f"{what}: {int(unknown.sum())} row(s) (index {frame.index[unknown].tolist()[:5]}) have "
            f"an lsoa_code outside the area's LSOA list (e.g. {codes}); rule: rows outside the "
            "area are excluded by validation before measures run"
        )


def count_by_lsoa(located: pd.DataFrame, lsoas: pd.DataFrame) -> pd.Series:
    """Rows per LSOA for every LSOA of the area (zeros included), indexed by LSOA code."""
    codes = sorted(lsoas["lsoa_code"].astype(str))
    counts = located["lsoa_code"].astype(str).value_counts()
    return counts.reindex(codes, fill_value=0).astype("int64").rename("count")
