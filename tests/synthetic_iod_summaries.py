"""Synthetic English Indices of Deprivation File 10 workbooks (local authority district
summaries), in the published layout, for the adapter tests. No real values: every number is
drawn from a seeded generator.

The layout is MHCLG's, as read by public code that loads the real files:

* IoD2019 ``File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx`` and IoD2025
  ``File_10_IoD2025_Local_Authority_District_Summaries.xlsx``: a "Notes" sheet first, then one
  sheet per index ("IMD", then the domains: "Income", "Employment", ...), each with its header
  in row 1 and one row per local authority district;
* on the "IMD" sheet: ``Local Authority District code (2019)`` and ``... name (2019)`` (``(2024)``
  in IoD2025), then ``IMD - Average rank``, ``IMD - Rank of average rank``, ``IMD - Average
  score``, ``IMD - Rank of average score``, ``IMD - Proportion of LSOAs in most deprived 10%
  nationally``, ``IMD - Rank of proportion of LSOAs in most deprived 10% nationally``,
  ``IMD 2019 - Extent``, ``IMD 2019 - Rank of extent``, ``IMD 2019 - Local concentration``,
  ``IMD 2019 - Rank of local concentration`` (``IMD 2025 - ...`` in IoD2025); the published
  measure headers end in a space, which is kept here.

For every measure a larger value is more deprived and rank 1 is the most deprived district (the
average rank is of LSOA ranks counted so that the most deprived LSOA has the highest number).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl

#: LSOAs in England per vintage (the range of an LSOA rank) and its LAD code year.
LSOAS = {"IoD2019": 32_844, "IoD2025": 33_755}
LAD_YEAR = {"IoD2019": "2019", "IoD2025": "2024"}
YEAR_OF = {"IoD2019": "2019", "IoD2025": "2025"}
#: Measure -> (value header, rank header) without the vintage-specific year.
MEASURES: dict[str, tuple[str, str]] = {
    "average_rank": ("IMD - Average rank", "IMD - Rank of average rank"),
    "average_score": ("IMD - Average score", "IMD - Rank of average score"),
    "proportion_most_deprived_10pct": (
        "IMD - Proportion of LSOAs in most deprived 10% nationally",
        "IMD - Rank of proportion of LSOAs in most deprived 10% nationally",
    ),
    "extent": ("IMD {year} - Extent", "IMD {year} - Rank of extent"),
    "local_concentration": (
        "IMD {year} - Local concentration",
        "IMD {year} - Rank of local concentration",
    ),
}
DOMAIN_SHEETS = ("Income", "Employment")


@dataclass(frozen=True)
class Summaries:
    """What was written: per district code, its name and, per measure, (value, rank)."""

    vintage: str
    names: dict[str, str]
    values: dict[str, dict[str, tuple[float, int]]]


def headers(vintage: str, trailing_space: bool = True) -> list[str]:
    """The IMD sheet's header row for ``vintage``."""
    year, lad = YEAR_OF[vintage], LAD_YEAR[vintage]
    tail = " " if trailing_space else ""
    row = [f"Local Authority District code ({lad})", f"Local Authority District name ({lad})"]
    for value, rank in MEASURES.values():
        row += [value.format(year=year) + tail, rank.format(year=year) + tail]
    return row


def synthetic_districts(count: int) -> dict[str, str]:
    """Made-up district codes (E07 + 900001...) and names, never real ones."""
    return {f"E07{900_001 + i:06d}": f"Synthetic District {i + 1}" for i in range(count)}


def _ranks_of(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest value; ties share the lowest rank (as 'min' ranking does)."""
    order = (-values).argsort(kind="stable")
    ranks = np.empty(len(values), dtype="int64")
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].min()
    return ranks


def summaries(vintage: str, districts: dict[str, str], seed: int = 2019) -> Summaries:
    """Seeded values in each measure's published range, with ranks that follow them."""
    rng = np.random.default_rng(seed)
    n = len(districts)
    drawn = {
        "average_rank": rng.uniform(5_000, LSOAS[vintage] - 5_000, n).round(3),
        "average_score": rng.uniform(5, 45, n).round(3),
        # many districts have no LSOA in the most deprived 10%: ties at zero
        "proportion_most_deprived_10pct": np.where(
            rng.random(n) < 0.4, 0.0, rng.uniform(0.01, 0.5, n)
        ).round(4),
        "extent": rng.uniform(0, 0.6, n).round(4),
        "local_concentration": rng.uniform(15_000, LSOAS[vintage], n).round(3),
    }
    codes = list(districts)
    values = {code: {} for code in codes}
    for measure, column in drawn.items():
        for code, value, rank in zip(codes, column, _ranks_of(column), strict=True):
            values[code][measure] = (float(value), int(rank))
    return Summaries(vintage=vintage, names=dict(districts), values=values)


def write_file10(
    path: Path,
    data: Summaries,
    *,
    trailing_space: bool = True,
    blank_rows: int = 0,
    sheet: str = "IMD",
) -> Path:
    """Write ``data`` as a File 10 workbook: Notes, the IMD sheet, two domain sheets."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append([f"English Indices of Deprivation {YEAR_OF[data.vintage]}"])
    notes.append(["Local Authority District Summaries (synthetic test file)"])
    notes.append(["For every measure, rank 1 is the most deprived local authority district."])
    imd = book.create_sheet(sheet)
    imd.append(headers(data.vintage, trailing_space))
    for code, name in data.names.items():
        row: list[object] = [code, name]
        for measure in MEASURES:
            row += list(data.values[code][measure])
        imd.append(row)
    for _ in range(blank_rows):
        imd.append([None] * len(headers(data.vintage)))
    for domain in DOMAIN_SHEETS:
        other = book.create_sheet(domain)
        lad = LAD_YEAR[data.vintage]
        other.append([f"Local Authority District code ({lad})", f"{domain} - Average rank "])
        for code in data.names:
            other.append([code, 1.0])
    book.save(path)
    return path


def write_file1_like(path: Path, vintage: str = "IoD2019") -> Path:
    """A File 1 shaped workbook (LSOA code, IMD rank and decile), for the wrong-file tests."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "IMD2019" if vintage == "IoD2019" else "IMD2025"
    year = "2011" if vintage == "IoD2019" else "2021"
    sheet.append([
        f"LSOA code ({year})", f"LSOA name ({year})", "Local Authority District code (2019)",
        "Local Authority District name (2019)", "Index of Multiple Deprivation (IMD) Rank",
        "Index of Multiple Deprivation (IMD) Decile",
    ])  # fmt: skip
    sheet.append(["E01900001", "Synthetic 001A", "E07900001", "Synthetic District 1", 1, 1])
    book.save(path)
    return path
