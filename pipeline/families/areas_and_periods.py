"""What the key-metric, trend and disproportionality families share: reporting periods, area
names, statistical neighbours and the public comparator series and populations they are counted
from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.families.common import population_total
from pipeline.formatting import financial_year_label
from pipeline.settings import Definition, Settings

#: Metrics this family reports, as keys of ``settings.definitions``.
METRIC_KEYS: tuple[str, str] = ("key_metric", "under_18_metric")


NEIGHBOURS_GROUP = "Statistical neighbours (pooled)"


AREA_GROUP = "Area"


# One area's rows of a frame, split once per frame, and the populations worked out from it:
# the key-metric and trend families ask for an area's population and series several hundred
# times a run (each neighbour, year and metric, in both families), and a full-frame mask
# each time was a quarter of the measures step. Keyed by the frame's identity, holding the
# frame so that the identity cannot be reused while cached; the frames are validated inputs,
# never changed in place.
@dataclass
class _SplitFrame:
    frame: pd.DataFrame
    by_area: dict[str, pd.DataFrame]
    populations: dict[tuple[str, int, int, int], tuple[int, int] | None]


_SPLIT_FRAMES: dict[int, _SplitFrame] = {}
_SPLIT_FRAMES_KEPT = 4


def _split(frame: pd.DataFrame) -> _SplitFrame:
    cached = _SPLIT_FRAMES.get(id(frame))
    if cached is None or cached.frame is not frame:
        if len(_SPLIT_FRAMES) >= _SPLIT_FRAMES_KEPT:
            _SPLIT_FRAMES.pop(next(iter(_SPLIT_FRAMES)))
        groups = frame.groupby(frame["area_code"].astype(str), sort=False, observed=True)
        cached = _SplitFrame(frame, {str(code): rows for code, rows in groups}, {})
        _SPLIT_FRAMES[id(frame)] = cached
    return cached


def rows_of_area(frame: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The rows of ``frame`` whose ``area_code`` is ``area_code``, in the frame's order
    (as ``frame.loc[frame["area_code"] == area_code]``)."""
    rows = _split(frame).by_area.get(area_code)
    return frame.iloc[0:0] if rows is None else rows


@dataclass(frozen=True)
class Period:
    """A reporting period: its label, first and last month (inclusive) and population year."""

    label: str
    start: pd.Period
    end: pd.Period
    population_year: int

    @property
    def months(self) -> list[str]:
        """Every month of the period as 'YYYY-MM', oldest first."""
        return [str(p) for p in pd.period_range(self.start, self.end, freq="M")]

    def contains(self, dates: pd.Series) -> pd.Series:
        """Mask of dates that fall inside the period's months."""
        month = dates.dt.to_period("M")
        return (month >= self.start) & (month <= self.end)


def financial_year_period(start_year: int) -> Period:
    """April ``start_year`` to March ``start_year + 1``, population of mid-``start_year``."""
    return Period(
        label=financial_year_label(start_year),
        start=pd.Period(f"{start_year}-04", freq="M"),
        end=pd.Period(f"{start_year + 1}-03", freq="M"),
        population_year=start_year,
    )


def metric_definitions(settings: Settings) -> list[Definition]:
    """The configured key metric and under-18 metric, in that order."""
    return [settings.definitions.metric(key) for key in METRIC_KEYS]


def population_with_fallback(
    population: pd.DataFrame, area_code: str, year: int, age_from: int, age_to: int
) -> tuple[int, int] | None:
    """Residents aged ``age_from``-``age_to`` of one area at mid-``year``, and the year used.

    Falls back to the latest earlier mid-year when ``year`` is not in the file (mid-year
    estimates are published a year late). Returns None when the area has no population at
    or before ``year``.
    """
    answers = _split(population).populations
    key = (area_code, int(year), int(age_from), int(age_to))
    if key not in answers:
        answers[key] = _population_at_or_before(population, *key)
    return answers[key]


def _population_at_or_before(
    population: pd.DataFrame, area_code: str, year: int, age_from: int, age_to: int
) -> tuple[int, int] | None:
    own = rows_of_area(population, area_code)
    years = sorted({int(y) for y in own["year"] if int(y) <= year}, reverse=True)
    for candidate in years:
        total = population_total(
            own, area_codes=[area_code], year=candidate, age_from=age_from, age_to=age_to
        )
        if total > 0:
            return total, candidate
    return None


def series_count(
    comparators: pd.DataFrame, area_code: str, measure: str, months: Sequence[str]
) -> int | None:
    """An area's count over ``months`` from the comparator series; None if a month is missing."""
    rows = rows_of_area(comparators, area_code)
    rows = rows.loc[(rows["measure"] == measure) & rows["month"].isin(list(months))]
    if rows["month"].nunique() < len(months):
        return None
    return int(rows["count"].sum())


def neighbour_codes(neighbours: pd.DataFrame, area_code: str) -> list[tuple[str, str]]:
    """The area's statistical neighbours as (code, name), in rank order."""
    rows = neighbours.loc[neighbours["area_code"] == area_code].sort_values(
        ["rank", "neighbour_code"], kind="stable"
    )
    return list(zip(rows["neighbour_code"], rows["neighbour_name"], strict=True))


def area_name(settings: Settings, area_code: str) -> str:
    """The configured name of an area (its code if it is not configured)."""
    for area in settings.areas:
        if area.code == area_code:
            return area.name
    return area_code
