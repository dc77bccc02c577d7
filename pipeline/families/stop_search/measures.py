"""Stop and search: how the police used the power in the area in the edition year.

Police activity, not victimisation: the people in these tables were searched, not harmed. From
the tidy stop-and-search frame (``pipeline.adapters.police_uk_stop_search``): searches and their
rate per 1,000 residents; by officer-defined and by self-defined ethnicity against the Census
2021 population (shares and rate ratios against everyone else); by age range against the
residents of those ages; by hour on school days against other days; object of search and
outcome (counts and shares with Wilson intervals).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.areas_and_periods import financial_year_period
from pipeline.families.calendar import CalendarGap, financial_year_days, school_day_flags
from pipeline.families.common import confidence_of, population_total, tidy
from pipeline.families.rate_ratio import poisson_rate_ratio
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings
from pipeline.stats import proportion_ci, rate_ci

FAMILY = "stop_search"
#: Rates are per this many residents (the Home Office's convention for stop and search).
PER_RESIDENTS = 1000
NOT_STATED = "Not stated"
NOT_RECORDED = "Not recorded"
#: Census 2021 high-level groups the ethnicity tables compare, in table order.
ETHNIC_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")
#: police.uk age ranges and the residents' ages each is compared with (over 34: 35 and over).
AGE_RANGES: dict[str, tuple[int, int]] = {
    "under 10": (0, 9),
    "10-17": (10, 17),
    "18-24": (18, 24),
    "25-34": (25, 34),
    "over 34": (35, 120),
}
#: The two ethnicity columns: (column of the tidy frame, measure-id stem, words).
ETHNICITY_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("officer_defined_ethnicity", "ss_officer_ethnicity", "officer-defined ethnicity"),
    ("self_defined_ethnicity", "ss_self_ethnicity", "self-defined ethnicity"),
)
EXACT_RATIO = "exact conditional (Clopper-Pearson) interval for a ratio of Poisson rates"
DEFINITION = (
    "Stop and search (police.uk): searches in the area (police activity, not victimisation)"
)

CAVEATS: tuple[str, ...] = (
    "Stop and search is police activity: these figures describe who the police searched, "
    "not who was harmed, and are never a measure of victimisation.",
    "Rates use the area's residents; people searched in the area need not live there, so a "
    "group's rate can be high where many non-residents are searched (a town centre, a "
    "transport hub).",
    "A disparity in search rates is not in itself evidence of bias: no control is made for "
    "where and when searches happen or for any other characteristic.",
)

METHOD = """\
**Stop and search.** Police activity, not victimisation. Searches published by police.uk
(one row per person or vehicle searched) whose map point lies in the area (or every search of
a file the configuration says holds only the area's), in the edition's financial year by
local date (police.uk's UTC times converted to Europe/London); when the files hold no search
of the edition year, the latest financial year they hold is described instead, and the months
of it they hold (`months_covered`, `first_month`, `last_month`) are printed with every figure.
Rows read, outside the year and used are reconciled in `ss_row_reconciliation`. **Rate**:
searches per 1,000 residents of all ages (the area's mid-year population of the year, or the
latest before it), exact or Byar's interval, over the months held. Residents need not be the
people searched: see the caveats.

**Ethnicity.** Officer-defined ethnicity (what the officer recorded: Asian, Black, White,
Other and, in some forces, Mixed) and self-defined ethnicity (what the person said, mapped to
the Census 2021 high-level groups with the table in docs/data-dictionary.md) are shown
separately, never combined. A group's share of searches of stated ethnicity has a Wilson
interval; its population share is its share of the Census 2021 residents of all ages. Because
officers record no Mixed category unless a search in the edition has one, officer-defined
groups without Mixed are compared with residents of the other four groups only (the `note`
says so). **Rate ratio** against everyone else = (searches of the group / residents of the
group) / (other searches of stated ethnicity / other residents), with the exact conditional
Poisson interval (the same as the school-day comparison). Searches whose ethnicity is not
stated are left out of shares and ratios; their share is given.

**Age.** Share of searches with a recorded age range (Wilson) and searches per 1,000
residents of the same ages (under 10 = 0-9, over 34 = 35 and over).

**Hour on school days.** Where a school calendar is supplied: for each local hour, searches
per school day against searches per non-school day (the school-day rule of the timing
family: weekdays in term, not INSET days or bank holidays), exact conditional interval.

**Object and outcome.** Counts and shares of all searches in the year with Wilson
intervals. Older police.uk files word outcomes differently; they are put in the current
wording (docs/data-dictionary.md). The share of searches whose outcome was linked to the
object of search is among searches where police.uk says so (not published in older files).
"""


def _interval(frame: pd.DataFrame) -> dict[str, float]:
    row = frame.iloc[0]
    return {
        "value": float(row["value"]),
        "lower": float(row["lower"]),
        "upper": float(row["upper"]),
    }


def year_of_searches(searches: pd.DataFrame, edition_year: int) -> tuple[int, list[str]]:
    """The financial year the table describes and the months of it the files hold: the
    edition year when any search falls in it, else the latest year the files hold (police.uk
    files are often downloaded for a few months, not a whole year)."""
    dates = pd.to_datetime(searches["date"])
    starts = dates.dt.year - (dates.dt.month < 4).astype(int)
    years = set(starts.astype(int))
    year = edition_year if edition_year in years or not years else max(years)
    months = sorted(set(dates.loc[(starts == year).to_numpy()].dt.strftime("%Y-%m")))
    return year, months


def edition_searches(searches: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """Searches whose local date is in the financial year starting April ``year``, and how
    many of the rows read were outside it."""
    inside = financial_year_period(year).contains(pd.to_datetime(searches["date"]))
    return searches.loc[inside.to_numpy()].reset_index(drop=True), int((~inside).sum())


def population_year(population: pd.DataFrame, area_code: str, year: int) -> int | None:
    """The population year to use: the latest not after ``year``, else the earliest."""
    years = sorted({int(y) for y in population.loc[population["area_code"] == area_code, "year"]})
    before = [y for y in years if y <= year]
    return before[-1] if before else (years[0] if years else None)


def share_rows(
    base: Mapping[str, Any],
    measure: str,
    counts: Mapping[str, int],
    total: int,
    confidence: float,
    unit: str,
) -> list[dict[str, Any]]:
    """One Wilson share per group (no row when there is nothing to share)."""
    if total == 0:
        return []
    rows = []
    for group, count in counts.items():
        rows.append(
            {
                **base,
                "measure_id": measure,
                "group": group,
                "numerator": int(count),
                "denominator": int(total),
                **_interval(proportion_ci(int(count), total, confidence)),
                "unit": unit,
                "method": "Wilson score interval",
            }
        )
    return rows


def rate_row(
    base: Mapping[str, Any],
    measure: str,
    group: str,
    count: int,
    residents: int,
    confidence: float,
    unit: str,
) -> dict[str, Any]:
    """Searches per 1,000 residents, exact (below 10) or Byar's interval."""
    rate = rate_ci(count, residents, multiplier=PER_RESIDENTS, confidence=confidence)
    interval = "exact Poisson" if rate["method"].iloc[0] == "Exact" else "Byar's"
    return {
        **base,
        "measure_id": measure,
        "group": group,
        "numerator": int(count),
        "denominator": int(residents),
        **_interval(rate),
        "unit": unit,
        "method": f"Crude rate; {interval} interval",
    }


def ethnicity_rows(
    base: Mapping[str, Any],
    searches: pd.DataFrame,
    *,
    column: str,
    stem: str,
    words: str,
    residents: Mapping[str, int] | None,
    confidence: float,
) -> list[dict[str, Any]]:
    """Shares, population shares, rates and rate ratios of one ethnicity column."""
    values = searches[column]
    stated = values.isin(ETHNIC_GROUPS)
    groups = [
        g
        for g in ETHNIC_GROUPS
        if g != "Mixed" or column != "officer_defined_ethnicity" or (values == "Mixed").any()
    ]
    note = (
        ""
        if "Mixed" in groups
        else "no Mixed category recorded: compared with residents of the other four groups"
    )
    counts = {g: int((values == g).sum()) for g in groups}
    known = sum(counts.values())
    rows = share_rows(
        base,
        f"{stem}_not_stated_share",
        {NOT_STATED: int((~stated).sum())},
        len(searches),
        confidence,
        "share of searches",
    )
    rows += share_rows(
        base, f"{stem}_share", counts, known, confidence, f"share of searches of stated {words}"
    )
    if residents is None:
        return [{**r, "note": note} for r in rows]
    total_residents = sum(residents[g] for g in groups)
    for group in groups:
        rows.append(
            {
                **base,
                "measure_id": f"{stem}_population_share",
                "group": group,
                "numerator": residents[group],
                "denominator": total_residents,
                "value": residents[group] / total_residents if total_residents else np.nan,
                "unit": "share of residents (Census 2021, all ages)",
                "method": "Census 2021 population share (fixed, no interval)",
            }
        )
        if residents[group] == 0:
            continue
        rows.append(
            rate_row(
                base,
                f"{stem}_rate",
                group,
                counts[group],
                residents[group],
                confidence,
                f"searches per {PER_RESIDENTS:,} residents of the group",
            )
        )
        rest_searches = known - counts[group]
        rest_residents = total_residents - residents[group]
        ratio = poisson_rate_ratio(
            counts[group], residents[group], rest_searches, rest_residents, confidence
        )
        rows.append(
            {
                **base,
                "measure_id": f"{stem}_rate_ratio",
                "group": group,
                "numerator": counts[group],
                "denominator": residents[group],
                "value": ratio["value"],
                "lower": ratio["lower"],
                "upper": ratio["upper"],
                "p_value": ratio["p_value"],
                "reference_numerator": rest_searches,
                "reference_denominator": rest_residents,
                "unit": "ratio of search rates (group against everyone else)",
                "method": EXACT_RATIO,
            }
        )
    return [{**r, "note": note} for r in rows]


def age_rows(
    base: Mapping[str, Any],
    searches: pd.DataFrame,
    residents: Mapping[str, int] | None,
    confidence: float,
) -> list[dict[str, Any]]:
    """Share of searches with a recorded age range, and rates per 1,000 residents of it."""
    values = searches["age_range"]
    counts = {label: int((values == label).sum()) for label in AGE_RANGES}
    known = sum(counts.values())
    rows = share_rows(
        base,
        "ss_age_not_recorded_share",
        {NOT_RECORDED: len(searches) - known},
        len(searches),
        confidence,
        "share of searches",
    )
    rows += share_rows(
        base,
        "ss_age_share",
        counts,
        known,
        confidence,
        "share of searches with a recorded age range",
    )
    for label, count in counts.items():
        if residents is not None and residents.get(label):
            rows.append(
                rate_row(
                    base,
                    "ss_age_rate",
                    label,
                    count,
                    residents[label],
                    confidence,
                    f"searches per {PER_RESIDENTS:,} residents of these ages",
                )
            )
    return rows


def school_hour_rows(
    base: Mapping[str, Any],
    searches: pd.DataFrame,
    calendar: pd.DataFrame,
    year: int,
    confidence: float,
) -> list[dict[str, Any]]:
    """Searches per school day against per non-school day, for the day and for each hour."""
    days = financial_year_days(year)
    try:
        flags = school_day_flags(calendar, days)
    except CalendarGap as gap:
        return [
            {
                **base,
                "measure_id": "ss_school_day_rate_ratio",
                "group": "not computed",
                "unit": "",
                "method": "not computed",
                "note": str(gap),
            }
        ]
    school_days = int(flags.sum())
    other_days = len(days) - school_days
    on_school_day = pd.to_datetime(searches["date"]).map(flags).fillna(False).astype(bool)
    hours = searches["hour"].astype(int)
    extra = {"school_days": school_days, "non_school_days": other_days}
    rows = []
    for label, mask in [("all hours", pd.Series(True, index=searches.index))] + [
        (f"{h:02d}:00-{h + 1:02d}:00", hours == h) for h in range(24)
    ]:
        x1 = int((mask & on_school_day).sum())
        x0 = int((mask & ~on_school_day).sum())
        ratio = poisson_rate_ratio(x1, school_days, x0, other_days, confidence)
        rows.append(
            {
                **base,
                "measure_id": "ss_school_day_rate_ratio"
                if label == "all hours"
                else "ss_hour_school_day_rate_ratio",
                "group": label,
                "numerator": x1,
                "denominator": x1 + x0,
                "value": ratio["value"],
                "lower": ratio["lower"],
                "upper": ratio["upper"],
                "p_value": ratio["p_value"],
                "reference_numerator": x0,
                **extra,
                "unit": "ratio of searches per school day to per non-school day",
                "method": EXACT_RATIO,
            }
        )
    return rows


def residents_by_ethnicity(
    population: pd.DataFrame | None, area_code: str, year: int
) -> tuple[dict[str, int] | None, int | None]:
    """Census residents of all ages by high-level group (None without the population)."""
    if population is None:
        return None, None
    pop_year = population_year(population, area_code, year)
    if pop_year is None:
        return None, None
    return {
        g: population_total(
            population, area_codes=[area_code], year=pop_year, age_from=0, age_to=120, ethnicity=g
        )
        for g in ETHNIC_GROUPS
    }, pop_year


def residents_by_age(
    population: pd.DataFrame | None, area_code: str, year: int
) -> tuple[dict[str, int] | None, int | None]:
    """Residents of each police.uk age range, and of all ages (key ``all``)."""
    pop_year = None if population is None else population_year(population, area_code, year)
    if pop_year is None:
        return None, None
    out = {}
    for label, (lo, hi) in {**AGE_RANGES, "all": (0, 120)}.items():
        try:
            out[label] = population_total(
                population, area_codes=[area_code], year=pop_year, age_from=lo, age_to=hi
            )
        except ValueError:  # the population's bands straddle the range: no rate for it
            continue
    return out, pop_year


def compute(
    *,
    settings: Settings,
    area_code: str,
    stop_search: pd.DataFrame,
    population_la: pd.DataFrame | None = None,
    population_ethnicity: pd.DataFrame | None = None,
    school_calendar: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The stop-and-search table of the edition year (see :data:`METHOD`)."""
    year, months = year_of_searches(stop_search, settings.edition_year)
    confidence = confidence_of(settings)
    searches, outside = edition_searches(stop_search, year)
    base = {
        "definition": DEFINITION,
        "area_code": area_code,
        "period": financial_year_label(year),
        "confidence": confidence,
        # How much of the year the files hold: the words say so when it is not all of it.
        "months_covered": len(months),
        "first_month": months[0] if months else "",
        "last_month": months[-1] if months else "",
    }
    rows: list[dict[str, Any]] = [
        {
            **base,
            "measure_id": "ss_row_reconciliation",
            "group": group,
            "numerator": count,
            "denominator": len(stop_search),
            "value": float(count),
            "unit": "searches",
            "method": "count",
        }
        for group, count in (
            ("rows read", len(stop_search)),
            ("excluded: outside the year described", outside),
            ("used: searches in the year described", len(searches)),
        )
    ]
    rows.append(
        {
            **base,
            "measure_id": "ss_searches",
            "group": "all searches",
            "numerator": len(searches),
            "value": float(len(searches)),
            "unit": "searches",
            "method": "count",
        }
    )
    by_age, age_year = residents_by_age(population_la, area_code, year)
    if by_age is not None and by_age.get("all"):
        rows.append(
            {
                **rate_row(
                    base,
                    "ss_rate",
                    "all searches",
                    len(searches),
                    by_age["all"],
                    confidence,
                    f"searches per {PER_RESIDENTS:,} residents",
                ),
                "population_year": age_year,
            }
        )
    by_ethnicity, ethnicity_year = residents_by_ethnicity(population_ethnicity, area_code, year)
    for column, stem, words in ETHNICITY_SOURCES:
        rows += [
            {**r, "population_year": ethnicity_year}
            for r in ethnicity_rows(
                base,
                searches,
                column=column,
                stem=stem,
                words=words,
                residents=by_ethnicity,
                confidence=confidence,
            )
        ]
    rows += [
        {**r, "population_year": age_year} for r in age_rows(base, searches, by_age, confidence)
    ]
    if school_calendar is not None:
        rows += school_hour_rows(base, searches, school_calendar, year, confidence)
    for column, measure in (
        ("object_of_search", "ss_object_share"),
        ("outcome", "ss_outcome_share"),
    ):
        counts = searches[column].value_counts()
        ordered = {
            str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        }
        rows += share_rows(base, measure, ordered, len(searches), confidence, "share of searches")
    linked = searches["outcome_linked"].dropna().astype(bool)
    rows += share_rows(
        base,
        "ss_outcome_linked_share",
        {"outcome linked to object": int(linked.sum())},
        len(linked),
        confidence,
        "share of searches where police.uk says",
    )
    table = tidy(rows)
    for column in ("note",):
        table[column] = (
            table.get(column, pd.Series(pd.NA, index=table.index)).fillna("").astype(str)
        )
    for column in (
        "reference_numerator",
        "reference_denominator",
        "school_days",
        "non_school_days",
        "population_year",
    ):
        if column in table:
            table[column] = table[column].astype("Int64")
    return table


def groups_of(table: pd.DataFrame, measure: str) -> Sequence[str]:
    """The groups of one measure, in table order."""
    return list(table.loc[table["measure_id"] == measure, "group"])
