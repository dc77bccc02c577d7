"""Synthetic MPS ward-level crime files in the two published layouts, and the counts they hold,
for the ward adapter tests. No real counts: every number comes from a seeded generator; ward
codes are made up (E05 + 9xxxxx) and never real.

The layouts are the Metropolitan Police's on the London Datastore ("MPS Recorded Crime:
Geographic Breakdown"):

* Historical (``MPS Ward Level Crime (Historical).csv``): ``WardName, WardCode, MajorText,
  MinorText, LookUp_BoroughName``, the months ``YYYYMM``, then ``Refreshed Date``; CRLF line
  endings;
* most recent 24 months (``MPS Ward Level Crime (most recent 24 months).csv``): ``MajorText,
  MinorText, WardName, WardCode, LookUp_BoroughName``, then 24 months; no refresh date.

In both, categories are upper case and a ward x category row whose months are all zero is left
out (the publisher's practice), so the adapter must count those as 0.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Major and minor categories written (upper case, as published).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY"),
    ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITHOUT INJURY"),
    ("VIOLENCE AGAINST THE PERSON", "HOMICIDE"),
    ("POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS"),
    ("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"),
    ("THEFT", "BICYCLE THEFT"),
)
#: Synthetic wards: code -> (name, the borough name the MPS file gives).
WARDS: dict[str, tuple[str, str]] = {
    "E05900001": ("Synthetic Ward A", "Waltham Forest"),
    "E05900002": ("Synthetic Ward B & Lea", "Waltham Forest"),
    "E05900003": ("Synthetic Ward C", "Waltham Forest"),
    "E05900004": ("Synthetic Ward D", "Hackney"),
}
#: A ward the MPS files attribute to its aviation unit rather than a borough.
AVIATION = ("E05900099", "Synthetic Airport Ward", "Aviation Security (SO18)")
HISTORICAL_TEXT = ["WardName", "WardCode", "MajorText", "MinorText", "LookUp_BoroughName"]
RECENT_TEXT = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
REFRESHED = "Refreshed Date"


def month_range(first: str, last: str) -> list[str]:
    """'2021-01'..'2021-03' -> ['2021-01', '2021-02', '2021-03']."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class WardCrime:
    """The counts planted: (ward code, major, minor, month YYYY-MM) -> count (0 when absent)."""

    months: list[str]
    wards: dict[str, tuple[str, str]]
    counts: dict[tuple[str, str, str, str], int] = field(default_factory=dict)

    def count(self, ward: str, minor: str, months: list[str]) -> int:
        """Planted total of one ward and minor category over ``months``."""
        return sum(
            n for (w, _major, m, month), n in self.counts.items()
            if w == ward and m == minor and month in months
        )  # fmt: skip

    def total(self, minor: str, months: list[str], wards: list[str] | None = None) -> int:
        """Planted total of one minor category over ``months`` and ``wards`` (default all)."""
        chosen = wards if wards is not None else list(self.wards)
        return sum(self.count(w, minor, months) for w in chosen)


def synthetic_ward_crime(
    months: list[str], wards: dict[str, tuple[str, str]] | None = None, seed: int = 2022
) -> WardCrime:
    """Seeded Poisson counts per ward, category and month; one category of one ward is all
    zero (its row is left out of the files) and homicide is mostly zero."""
    rng = np.random.default_rng(seed)
    wards = dict(WARDS if wards is None else wards)
    truth = WardCrime(months=list(months), wards=wards)
    zero = (next(iter(wards)), "BICYCLE THEFT")
    for ward in wards:
        for major, minor in CATEGORIES:
            mean = 0.05 if minor == "HOMICIDE" else rng.uniform(1, 12)
            for month in months:
                n = 0 if (ward, minor) == zero else int(rng.poisson(mean))
                truth.counts[(ward, major, minor, month)] = n
    return truth


def _rows(truth: WardCrime, months: list[str]) -> list[tuple[str, str, str, str, str, list[int]]]:
    """(ward name, code, major, minor, borough, counts) per row with a non-zero month."""
    rows = []
    for code, (name, borough) in truth.wards.items():
        for major, minor in CATEGORIES:
            counts = [truth.counts[(code, major, minor, m)] for m in months]
            if any(counts):
                rows.append((name, code, major, minor, borough, counts))
    return rows


def write_historical(
    path: Path, truth: WardCrime, months: list[str] | None = None, *, aviation: int = 0
) -> Path:
    """The Historical layout (CRLF, trailing Refreshed Date); ``aviation`` > 0 adds an
    Aviation Security (SO18) row of that many crimes in the first month."""
    months = truth.months if months is None else months
    header = [*HISTORICAL_TEXT, *(m.replace("-", "") for m in months), REFRESHED]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for name, code, major, minor, borough, counts in _rows(truth, months):
            writer.writerow([name, code, major, minor, borough, *counts, "05/02/2025"])
        if aviation:
            code, name, borough = AVIATION
            counts = [aviation] + [0] * (len(months) - 1)
            writer.writerow([name, code, *CATEGORIES[0], borough, *counts, "05/02/2025"])
    return path


def write_recent(
    path: Path,
    truth: WardCrime,
    months: list[str] | None = None,
    *,
    changes: dict[tuple[str, str, str], int] | None = None,
    names: dict[str, str] | None = None,
) -> Path:
    """The most-recent-24-months layout. ``changes`` ((ward, minor, month) -> count) writes a
    different count than planted, to make two files disagree; ``names`` renames wards."""
    months = truth.months[-24:] if months is None else months
    changes = changes or {}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*RECENT_TEXT, *(m.replace("-", "") for m in months)])
        for name, code, major, minor, borough, counts in _rows(truth, months):
            counts = [changes.get((code, minor, m), n) for m, n in zip(months, counts, strict=True)]
            shown = (names or {}).get(code, name)
            writer.writerow([major, minor, shown, code, borough, *counts])
    return path
