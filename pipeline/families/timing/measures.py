"""When serious violence happens: hour x weekday grid, school days and the after-school window."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.calendar import CalendarGap, financial_year_days, school_day_flags
from pipeline.families.common import (
    base_row,
    finish,
    reconciliation_rows,
    school_age_definition,
    select_incidents,
)
from pipeline.families.rate_ratio import poisson_rate_ratio
from pipeline.families.timing.peaks import WEEKDAYS, peak_rows
from pipeline.lazy import scipy_stats as st
from pipeline.settings import Settings
from pipeline.stats import proportion_ci, rate_ci, share_ratio

HOURS_PER_WEEK = 168
MINUTES_PER_WEEK = HOURS_PER_WEEK * 60

METHOD = """\
**When: hour and weekday.** The serious-violence definition
({serious_violence_u25.short_label}) in the
edition's financial year, counted as incidents (distinct offences), placed in a 7 x 24 grid of
weekday and hour. Where the police record a window (an end date and/or time) rather than a
moment, each incident's weight of 1 is spread over the hours the window overlaps in proportion
to the minutes of overlap (aoristic analysis, Ratcliffe 2002; Ashby & Bowers 2013 found it
accurate where start, end or mid-point times mislead). A window of a week or more gives 1/168
to every cell. An end time with no end date is taken to be on the start date (the next day if
it is earlier than the start time); an end date with no end time runs to the end of that day;
an end before the start is treated as a single moment at the start. Incidents with no recorded
start time are counted and excluded.

**Busiest day, hour or window.** A day or an hour is named only when a test separates it
from the next; otherwise a window of hours is named only when its excess over a flat day is
tested; weekdays and weekends are compared per day, by a test. The tests count whole
incidents at their recorded start time (an aoristic weight is not an incident). Busiest
weekday against the next by incidents per day, and busiest hour against the next: given
their total, the busiest one's count is binomial with p0 = d1 / (d1 + d2) (d = how many of
that weekday the year has; 1 for hours) under equal rates; both were picked from the data, so
the one-sided p-value P(K >= k) is doubled (with two truly equal days the undoubled test
names a false peak about 9% of the time at 5%, the doubled one about 3%). Window: the run of
2 to 12 consecutive hours (it may cross midnight) with the largest Kulldorff Poisson
likelihood ratio against a flat day, counting only windows above their share; its p-value is
the scan statistic's, from 9,999 multinomial draws of the same number of incidents spread
evenly over the 24 hours (fixed seed), so choosing the window from the data is accounted for
(the plain binomial p of the window against hours/24 is shown beside it). Weekdays against
weekend days: ratio of incidents per day with the exact conditional interval and two-sided
p-value. The four p-values are adjusted together by Holm's step-down method, and a claim is
made when its adjusted p (q) is below 1 - confidence (5%).

**School days.** For victims of school age (5 to 16), every day of the financial year is a
school day when it is a weekday inside a term in the school calendar and not an INSET day or
bank holiday; every other day is a non-school day. The per-day rate ratio is (incidents on
school days / school days) / (incidents on non-school days / non-school days), by the incident's
start date. Its interval is the exact conditional one: given the total, incidents on school
days are binomial with p = RR d1 / (RR d1 + d0); the Clopper-Pearson limits of p
(`scipy.stats.binomtest`) are turned into limits for RR, and the same test gives the p-value
of RR = 1. Daily rates carry exact/Byar's limits.

**After school.** Of school-day incidents with a known start time, the share starting inside
the after-school window (default 15:00 to 17:00, end exclusive), with a Wilson interval,
against the share a flat day would give (window hours / 24) by an exact binomial test
(`scipy.stats.binomtest`), and as a ratio to that flat share. A second comparison, which
controls for hour of day, is the per-day rate in the window on school days against the same
hours on non-school weekdays (exact conditional interval as above). The start time is used for
the window (an aoristic weight is not a whole incident). Caveats: dates and times are as
recorded by the police and may be rounded (e.g. to the hour); holidays differ between schools,
and academies may set their own term dates.
"""


# --------------------------------------------------------------------------------------------
# Aoristic hour x weekday weights
# --------------------------------------------------------------------------------------------


def _clock(date: Any, time: Any) -> pd.Timestamp:
    """Combine a date and an 'HH:MM' string into a timestamp."""
    hours, minutes = (int(part) for part in str(time).split(":")[:2])
    return pd.Timestamp(date).normalize() + pd.Timedelta(hours=hours, minutes=minutes)


def offence_window(row: Mapping[str, Any]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start and end of an offence's recorded time window (end == start for a moment)."""
    start = _clock(row["offence_start_date"], row["offence_start_time"])
    end_date, end_time = row.get("offence_end_date"), row.get("offence_end_time")
    has_date, has_time = pd.notna(end_date), pd.notna(end_time)
    if has_date and has_time:
        end = _clock(end_date, end_time)
    elif has_date:
        end = pd.Timestamp(end_date).normalize() + pd.Timedelta(days=1)
    elif has_time:
        end = _clock(row["offence_start_date"], end_time)
        if end < start:  # an end time earlier than the start runs past midnight
            end += pd.Timedelta(days=1)
    else:
        end = start
    return start, max(start, end)


def aoristic_weights(start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Weights over the 168 weekday-hour cells (index weekday * 24 + hour), summing to 1."""
    weights = np.zeros(HOURS_PER_WEEK)
    minutes = (end - start) / pd.Timedelta(minutes=1)
    if minutes <= 0:
        weights[start.day_of_week * 24 + start.hour] = 1.0
        return weights
    if minutes >= MINUTES_PER_WEEK:
        return np.full(HOURS_PER_WEEK, 1.0 / HOURS_PER_WEEK)
    hour = start.floor("h")
    while hour < end:
        following = hour + pd.Timedelta(hours=1)
        overlap = (min(end, following) - max(start, hour)) / pd.Timedelta(minutes=1)
        weights[hour.day_of_week * 24 + hour.hour] += overlap / minutes
        hour = following
    return weights


def hour_weekday_grid(offences: pd.DataFrame) -> np.ndarray:
    """Summed aoristic weights of offences with a known start time (168 cells)."""
    grid = np.zeros(HOURS_PER_WEEK)
    for row in offences.to_dict("records"):
        grid += aoristic_weights(*offence_window(row))
    return grid


def grid_rows(base: Mapping[str, Any], grid: np.ndarray, used: int) -> list[dict[str, Any]]:
    """168 tidy rows, Monday 00:00 first, value = aoristic incidents in the cell."""
    rows = []
    for cell, weight in enumerate(grid):
        day, hour = divmod(cell, 24)
        rows.append(
            {
                **base,
                "measure_id": "hour_weekday",
                "group": f"{WEEKDAYS[day]} {hour:02d}:00-{hour + 1:02d}:00",
                "numerator": float(weight),
                "denominator": used,
                "value": float(weight),
                "lower": np.nan,
                "upper": np.nan,
                "unit": "incidents (aoristic weight)",
                "method": "aoristic (Ratcliffe 2002): weight 1 spread over the hours of the "
                "recorded window in proportion to minutes; a week or more = 1/168 each",
                "weekday": WEEKDAYS[day],
                "weekday_number": day,
                "hour": hour,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# The family
# --------------------------------------------------------------------------------------------


def _start_hours(offences: pd.DataFrame) -> pd.Series:
    """Hour of the recorded start time (offences with a known time only)."""
    return offences["offence_start_time"].astype(str).str.slice(0, 2).astype(int)


def school_rows(
    base: Mapping[str, Any],
    offences: pd.DataFrame,
    calendar: pd.DataFrame,
    settings: Settings,
    year: int,
) -> tuple[list[dict[str, Any]], int]:
    """School-day and after-school measures in one financial year; also returns the number
    of incidents with no start time. Raises :class:`CalendarGap` if the calendar misses it."""
    confidence = settings.confidence
    days = financial_year_days(year)
    flags = school_day_flags(calendar, days)
    school_days = int(flags.sum())
    other_days = len(days) - school_days
    dates = pd.to_datetime(offences["offence_start_date"]).dt.normalize()
    on_school_day = dates.map(flags).fillna(False).astype(bool).to_numpy()
    x1, x0 = int(on_school_day.sum()), int((~on_school_day).sum())
    rows: list[dict[str, Any]] = []

    for label, count, n_days in (
        ("school days", x1, school_days),
        ("non-school days", x0, other_days),
    ):
        if n_days == 0:  # e.g. a calendar with no term days in the year: no daily rate
            continue
        ci = rate_ci(count, n_days, multiplier=1, confidence=confidence)
        rows.append(
            {
                **base,
                "measure_id": "incidents_per_day",
                "group": label,
                "numerator": count,
                "denominator": n_days,
                "value": float(ci["value"].iloc[0]),
                "lower": float(ci["lower"].iloc[0]),
                "upper": float(ci["upper"].iloc[0]),
                "unit": "incidents per day",
                "method": str(ci["method"].iloc[0]),
            }
        )
    ratio = poisson_rate_ratio(x1, school_days, x0, other_days, confidence)
    rows.append(
        {
            **base,
            "measure_id": "school_day_rate_ratio",
            "group": "school days vs non-school days",
            "numerator": x1,
            "denominator": x1 + x0,
            "value": ratio["value"],
            "lower": ratio["lower"],
            "upper": ratio["upper"],
            "p_value": ratio["p_value"],
            "unit": "ratio of incidents per day",
            "method": "exact conditional (Clopper-Pearson) interval for a ratio of Poisson rates",
            "school_days": school_days,
            "non_school_days": other_days,
        }
    )
    if x1 + x0:
        share = proportion_ci(x1, x1 + x0, confidence)
        rows.append(
            {
                **base,
                "measure_id": "school_day_share",
                "group": "incidents on school days",
                "numerator": x1,
                "denominator": x1 + x0,
                "value": float(share["value"].iloc[0]),
                "lower": float(share["lower"].iloc[0]),
                "upper": float(share["upper"].iloc[0]),
                "unit": "share of incidents",
                "method": "Wilson score interval",
                "expected_share": school_days / len(days),
            }
        )

    window = settings.definitions.after_school_window
    start_hour, end_hour = int(window.start_hour), int(window.end_hour)
    flat = (end_hour - start_hour) / 24
    timed = offences["time_known"].fillna(False).astype(bool).to_numpy()
    no_time = int((~timed).sum())
    hours = pd.Series(-1, index=offences.index)
    hours.loc[timed] = _start_hours(offences.loc[timed])
    in_window = ((hours >= start_hour) & (hours < end_hour)).to_numpy()
    label = f"{start_hour:02d}:00-{end_hour:02d}:00"
    n_timed = int((on_school_day & timed).sum())
    after = int((on_school_day & in_window).sum())
    if n_timed:
        share = proportion_ci(after, n_timed, confidence)
        test = st.binomtest(after, n_timed, p=flat)
        ratio_ci = share_ratio(after, n_timed, flat, confidence)
        rows.append(
            {
                **base,
                "measure_id": "after_school_share",
                "group": f"school-day incidents starting {label}",
                "numerator": after,
                "denominator": n_timed,
                "value": float(share["value"].iloc[0]),
                "lower": float(share["lower"].iloc[0]),
                "upper": float(share["upper"].iloc[0]),
                "unit": "share of school-day incidents with a known time",
                "method": "Wilson score interval; exact binomial test against a flat day",
                "expected_share": flat,
                "p_value": float(test.pvalue),
            }
        )
        rows.append(
            {
                **base,
                "measure_id": "after_school_ratio",
                "group": f"school-day incidents starting {label}",
                "numerator": after,
                "denominator": n_timed,
                "value": float(ratio_ci["value"].iloc[0]),
                "lower": float(ratio_ci["lower"].iloc[0]),
                "upper": float(ratio_ci["upper"].iloc[0]),
                "unit": "ratio of observed to flat-day share",
                "method": "Wilson limits of the share divided by the flat-day share",
                "expected_share": flat,
                "p_value": float(test.pvalue),
            }
        )
    non_school_weekday = ~flags & (days.day_of_week < 5)
    weekday_off = dates.map(non_school_weekday).fillna(False).astype(bool).to_numpy()
    x_off = int((weekday_off & in_window).sum())
    n_off_days = int(non_school_weekday.sum())
    same_hours = poisson_rate_ratio(after, school_days, x_off, n_off_days, confidence)
    rows.append(
        {
            **base,
            "measure_id": "after_school_rate_ratio",
            "group": f"{label} on school days vs non-school weekdays",
            "numerator": after,
            "denominator": after + x_off,
            "value": same_hours["value"],
            "lower": same_hours["lower"],
            "upper": same_hours["upper"],
            "p_value": same_hours["p_value"],
            "unit": "ratio of incidents per day in the window",
            "method": "exact conditional (Clopper-Pearson) interval for a ratio of Poisson rates",
            "school_days": school_days,
            "non_school_days": n_off_days,
        }
    )
    return rows, no_time


#: What this family shows and the victim fields each part needs (for an SNA without a victim
#: extract, where the family is reported as not available rather than estimated).
NEEDS_VICTIM_DATA: dict[str, str] = {
    "hour of the day and day of the week": "the date and time of each offence against a victim "
    "in the definition",
    "school days against non-school days": "the age of each victim and the date of the offence",
    "the after-school window": "the age of each victim and the time of the offence",
}


def compute(
    *,
    settings: Settings,
    area_code: str,
    victims: pd.DataFrame,
    school_calendar: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Timing measures for one area and the edition year (see :data:`METHOD`). Without a
    victim extract the registry publishes the not-available table instead (public crime
    counts carry no time of day or victim age)."""
    if school_calendar is None:
        raise ValueError("timing needs school_calendar (term dates) when there is a victim extract")
    year = settings.edition_year
    sv = settings.definitions.serious_violence_u25
    base = base_row(sv, settings, area_code, year)

    everyone = select_incidents(victims, sv, year)
    timed = everyone.offences["time_known"].fillna(False).astype(bool)
    grid = hour_weekday_grid(everyone.offences.loc[timed])
    rows = grid_rows(base, grid, int(timed.sum()))
    rows += peak_rows(base, everyone.offences.loc[timed], financial_year_days(year), settings)
    rows += reconciliation_rows(
        {**base, "measure_id": "row_reconciliation"},
        everyone.victim_rows,
        [
            ("merged: further victims of the same offence", everyone.merged_rows),
            ("excluded: start time not recorded", int((~timed).sum())),
            ("used: incidents with a start time", int(timed.sum())),
        ],
        unit="victim rows",
    )

    for each_year in settings.years:
        rows += school_year_rows(
            victims, school_calendar, settings, area_code, each_year, required=each_year == year
        )
    return finish(rows)


def school_year_rows(
    victims: pd.DataFrame,
    calendar: pd.DataFrame,
    settings: Settings,
    area_code: str,
    year: int,
    *,
    required: bool,
) -> list[dict[str, Any]]:
    """School-age measures and their reconciliation for one financial year.

    Earlier years give the strategy's baseline; when the calendar does not reach back to
    them the rows say so, but the edition year (``required``) must be covered.
    """
    school_def = school_age_definition(settings)
    school_base = base_row(school_def, settings, area_code, year)
    pupils = select_incidents(victims, school_def, year)
    try:
        rows, no_time = school_rows(school_base, pupils.offences, calendar, settings, year)
    except CalendarGap as gap:
        if required:
            raise
        return [
            {
                **school_base,
                "measure_id": measure,
                "group": "not computed",
                "numerator": np.nan,
                "denominator": np.nan,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "",
                "method": "not computed",
                "note": str(gap),
            }
            for measure in ("school_day_rate_ratio", "after_school_share")
        ]
    rows += reconciliation_rows(
        {**school_base, "measure_id": "row_reconciliation"},
        pupils.victim_rows,
        [
            ("merged: further victims of the same offence", pupils.merged_rows),
            ("used: incidents (school-day measures)", len(pupils.offences)),
        ],
        unit="victim rows",
    )
    rows.append(
        {
            **school_base,
            "measure_id": "row_reconciliation",
            "group": "excluded from the after-school share only: start time not recorded",
            "numerator": no_time,
            "denominator": len(pupils.offences),
            "value": float(no_time),
            "lower": np.nan,
            "upper": np.nan,
            "unit": "incidents",
            "method": "count",
        }
    )
    return rows
