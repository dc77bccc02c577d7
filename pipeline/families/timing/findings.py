"""'When' findings: the peak hour and day, school days against other days, and after school."""

from __future__ import annotations

import pandas as pd

from pipeline.families.common import (
    edition_rows,
    interval_status,
    school_age_definition,
)
from pipeline.families.timing.measures import WEEKDAYS
from pipeline.findings import (
    Finding,
    format_confidence,
    format_interval,
    format_number,
    format_percent,
    format_share,
    is_suppressed,
)
from pipeline.settings import Settings


def clock_phrase(hour: int) -> str:
    """A 24-hour clock hour in words people use: 0 -> 'midnight', 15 -> '3pm'."""
    hour %= 24
    if hour == 0:
        return "midnight"
    if hour == 12:
        return "midday"
    return f"{hour % 12}{'am' if hour < 12 else 'pm'}"


def _peak_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    grid = edition_rows(table, f"{sv_id}_hour_weekday", settings)
    if grid.empty or grid["value"].sum() <= 0:
        return None
    by_day = grid.groupby("weekday_number")["value"].sum()
    by_hour = grid.groupby("hour")["value"].sum()
    day = WEEKDAYS[int(by_day.idxmax())]
    hour = int(by_hour.idxmax())
    peak = grid.loc[grid["value"].idxmax()]
    total = float(grid["value"].sum())
    # How many others share the largest value (aoristic weights can tie exactly).
    ties = {
        "day": int((by_day == by_day.max()).sum()) - 1,
        "hour": int((by_hour == by_hour.max()).sum()) - 1,
        "cell": int((grid["value"] == grid["value"].max()).sum()) - 1,
    }
    if is_suppressed(round(total), settings.resident_threshold):
        # A handful of incidents: naming "the busiest" time would describe chance, and would
        # point at the hidden cells of the chart.
        resident = (
            "There were too few incidents to say on which day or at what time of day violence "
            "against young people happens most often."
        )
    elif ties["day"] and ties["hour"]:
        resident = (
            "No single day or hour stood out: several had the same, largest number of incidents."
        )
    elif ties["hour"]:
        resident = (
            f"Violence against young people happened most often on {day}s; no single hour of "
            "the day stood out."
        )
    elif ties["day"]:
        resident = (
            "Violence against young people happened most often in the hour from "
            f"{clock_phrase(hour)} to {clock_phrase(hour + 1)}; no single day stood out."
        )
    else:
        resident = (
            f"Violence against young people happened most often on {day}s, and most often in "
            f"the hour from {clock_phrase(hour)} to {clock_phrase(hour + 1)}."
        )
    tied = {k: f", tied with {n} other{'s' if n > 1 else ''}" if n else "" for k, n in ties.items()}
    technical = (
        f"{peak['definition']}, {peak['period']}: aoristic weekday x hour grid of "
        f"{format_number(total, 0)} incidents with a recorded start time. Busiest weekday "
        f"{day} ({format_number(by_day.max(), 1)} incidents, "
        f"{format_percent(by_day.max() / total, 1)}{tied['day']}); busiest hour {hour:02d}:00-"
        f"{hour + 1:02d}:00 ({format_percent(by_hour.max() / total, 1)}{tied['hour']}); busiest "
        f"cell {peak['group']} ({format_number(peak['value'], 1)}{tied['cell']}). Descriptive, "
        "no test."
    )
    return Finding(
        id="timing_peak",
        topic="when",
        resident=resident,
        technical=technical,
        status="Descriptive",
        measure_ids=[f"{sv_id}_hour_weekday"],
    )


def _resident_share(share: pd.Series, settings: Settings) -> str | None:
    """A share for residents, or None when its count or its total is from 1 to the threshold
    (a share of a handful of incidents, even 0%, says more about chance than about risk)."""
    threshold = settings.resident_threshold
    if is_suppressed(int(share["denominator"]), threshold):
        return None
    return format_share(int(share["numerator"]), int(share["denominator"]), threshold)


def _school_day_finding(
    table: pd.DataFrame, settings: Settings, school_id: str, ages: str
) -> Finding | None:
    ratio_rows = edition_rows(table, f"{school_id}_school_day_rate_ratio", settings)
    share_rows = edition_rows(table, f"{school_id}_school_day_share", settings)
    if ratio_rows.empty or share_rows.empty or pd.isna(ratio_rows.iloc[0]["value"]):
        return None
    ratio, share = ratio_rows.iloc[0], share_rows.iloc[0]
    status = interval_status(1.0, ratio["lower"], ratio["upper"])
    conf = format_confidence(float(ratio["confidence"]))
    shown = _resident_share(share, settings)
    how = {
        "Higher": "more incidents on a school day than on other days",
        "Similar": "about as many incidents on a school day as on other days",
        "Lower": "fewer incidents on a school day than on other days",
    }[status]
    first = (
        f"For young people of school age ({ages}), {shown} of incidents happened on a school day. "
        if shown is not None
        else f"For young people of school age ({ages}), there were too few incidents to "
        "give exact figures. "
    )
    resident = first + f"Counting day by day, there were {how}."
    technical = (
        f"{ratio['definition']}, {ratio['period']}: {int(share['numerator'])} of "
        f"{int(share['denominator'])} incidents on {int(ratio['school_days'])} school days "
        f"({format_percent(share['value'], 1)}; school days are "
        f"{format_percent(share['expected_share'], 1)} of the year); per-day rate ratio school "
        f"vs non-school days {format_number(ratio['value'], 2)} ({conf} CI "
        f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))}, "
        f"exact conditional; p = {format_number(ratio['p_value'], 3)}): {status}."
    )
    return Finding(
        id="timing_school_days",
        topic="when",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{school_id}_school_day_rate_ratio", f"{school_id}_school_day_share"],
    )


def _after_school_finding(
    table: pd.DataFrame, settings: Settings, school_id: str, ages: str
) -> Finding | None:
    rows = edition_rows(table, f"{school_id}_after_school_share", settings)
    if rows.empty or pd.isna(rows.iloc[0]["value"]):
        return None
    share = rows.iloc[0]
    window = settings.definitions.after_school_window
    start, end = int(window.start_hour), int(window.end_hour)
    flat = float(share["expected_share"])
    status = interval_status(flat, share["lower"], share["upper"])
    conf = format_confidence(float(share["confidence"]))
    shown = _resident_share(share, settings)
    span = f"between {clock_phrase(start)} and {clock_phrase(end)}"
    meaning = {
        "Higher": "So the time just after school is a time of higher risk for children.",
        "Similar": "So we cannot say this time of day is riskier than others.",
        "Lower": "So fewer incidents happened at this time than at other times of day.",
    }[status]
    if shown is None:
        resident = (
            f"On school days, there were too few incidents involving young people of "
            f"school age ({ages}) {span} to give a figure."
        )
    else:
        resident = (
            f"On school days, {shown} of incidents involving young people of school age "
            f"({ages}) started {span}. If incidents were spread evenly over the day, it would be "
            f"about {format_percent(flat)}. {meaning}"
        )
    same_hours = edition_rows(table, f"{school_id}_after_school_rate_ratio", settings)
    technical = (
        f"{share['definition']}, {share['period']}: {int(share['numerator'])} of "
        f"{int(share['denominator'])} school-day incidents with a recorded start time began "
        f"{start:02d}:00-{end:02d}:00 ({format_percent(share['value'], 1)}, {conf} CI "
        f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}, "
        f"Wilson) against {format_percent(flat, 1)} for a flat day (exact binomial p = "
        f"{format_number(share['p_value'], 4)}): {status}."
    )
    if not same_hours.empty and pd.notna(same_hours.iloc[0]["value"]):
        sh = same_hours.iloc[0]
        technical += (
            f" Per-day rate in the window on school days vs non-school weekdays: "
            f"{format_number(sh['value'], 2)} ({conf} CI "
            f"{format_interval(sh['lower'], sh['upper'], lambda v: format_number(v, 2))})."
        )
    return Finding(
        id="timing_after_school",
        topic="when",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[
            f"{school_id}_after_school_share",
            f"{school_id}_after_school_ratio",
            f"{school_id}_after_school_rate_ratio",
        ],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """'When' findings: the busiest times, school days and the after-school window."""
    sv_id = str(settings.definitions.serious_violence_u25.id)
    school = school_age_definition(settings)
    ages = f"{school.age_from} to {school.age_to}"
    made = [
        _peak_finding(table, settings, sv_id),
        _school_day_finding(table, settings, str(school.id), ages),
        _after_school_finding(table, settings, str(school.id), ages),
    ]
    return [f for f in made if f is not None]
