"""'When' findings: the peak hour and day, school days against other days, and after school."""

from __future__ import annotations

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.common import (
    edition_rows,
    interval_status,
    school_age_definition,
)
from pipeline.families.timing.measures import WEEKDAYS
from pipeline.families.timing.peaks import TESTS, TimingClaims, timing_claims
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
    total = float(grid["value"].sum())
    alpha = round(1 - settings.confidence, 10)
    claims = timing_claims(edition_rows_of(table, sv_id, settings), alpha)
    if is_suppressed(round(total), settings.resident_threshold):
        # A handful of incidents: naming "the busiest" time would describe chance, and would
        # point at the hidden cells of the chart.
        resident = (
            "There were too few incidents to say on which day or at what time of day violence "
            "against young people happens most often."
        )
        evidence = [
            Evidence(
                claim="too few incidents",
                strength="descriptive",
                statistic=f"{format_number(total, 0)} incidents with a recorded start time",
                test="none: the count is at or below the resident threshold",
                measure_id=f"{sv_id}_hour_weekday",
            )
        ]
    else:
        hour_text, hour_evidence = _hour_claim(claims, settings)
        day_text, day_evidence = _day_claim(claims)
        resident = f"{hour_text} {day_text}"
        evidence = hour_evidence + day_evidence
    return Finding(
        id="timing_peak",
        topic="when",
        resident=resident,
        technical=_peak_technical(grid, claims),
        status=_peak_status(claims),
        measure_ids=[f"{sv_id}_hour_weekday"]
        + [f"{sv_id}_{measure}" for measure in TESTS if _row(claims, measure) is not None],
        evidence=evidence,
    )


def edition_rows_of(table: pd.DataFrame, sv_id: str, settings: Settings) -> pd.DataFrame:
    """The edition year's rows of the timing tests of one definition."""
    ids = [f"{sv_id}_{measure}" for measure in TESTS]
    return pd.concat([edition_rows(table, i, settings) for i in ids])


def _row(claims: TimingClaims, measure: str) -> pd.Series | None:
    return {
        "peak_day_test": claims.day,
        "peak_hour_test": claims.hour,
        "busiest_window": claims.window,
        "weekday_weekend_rate_ratio": claims.week,
    }[measure]


HOLM = "Holm-adjusted over the four timing tests"


def _test_evidence(
    claims: TimingClaims, row: pd.Series, claim: str, strength: str, test: str, statistic: str
) -> Evidence:
    return Evidence(
        claim=claim,
        strength=strength,
        statistic=statistic,
        test=f"{test}; {HOLM}",
        measure_id=str(row["measure_id"]),
        value=float(row["value"]),
        p_value=float(row["p_value"]),
        q_value=float(row["q_value"]),
        alpha=claims.alpha,
    )


PEAK_TEST = "conditional binomial test of the busiest against the next, one-sided p doubled"


def _pair_statistic(row: pd.Series, what: str) -> str:
    return (
        f"{row['peak']} {int(row['numerator'])} against {row['runner_up']} "
        f"{int(row['denominator'] - row['numerator'])} {what} "
        f"(ratio {format_number(row['value'], 2)}, "
        f"p = {format_p(row['p_value'])}, q = {format_p(row['q_value'])})"
    )


def _hour_claim(claims: TimingClaims, settings: Settings) -> tuple[str, list[Evidence]]:
    """The time-of-day sentence: an hour, else a window, else none, as the tests allow."""
    hour, window = claims.hour, claims.window
    if hour is None:
        return "", []
    if claims.separated(hour):
        start = int(str(hour["peak"])[:2])
        claim = f"most often in the hour from {clock_phrase(start)} to {clock_phrase(start + 1)}"
        text = f"Violence against young people happened {claim}."
        return text, [
            _test_evidence(
                claims, hour, claim, "most often", PEAK_TEST,
                _pair_statistic(hour, "incidents starting in the hour"),
            )
        ]  # fmt: skip
    no_hour = "No single hour stood out"
    evidence = [
        _test_evidence(
            claims, hour, no_hour, "no clear peak", PEAK_TEST,
            _pair_statistic(hour, "incidents starting in the hour"),
        )
    ]  # fmt: skip
    if window is None or not claims.separated(window):
        if window is not None:
            evidence.append(
                _test_evidence(
                    claims, window, "No time of day stood out", "no clear peak",
                    "Kulldorff scan of 2- to 12-hour windows against a flat day, Monte Carlo p",
                    _window_statistic(window),
                )
            )  # fmt: skip
            return "No single hour and no time of day stood out from the rest.", evidence
        return f"{no_hour}.", evidence
    start, length = int(window["window_start"]), int(window["window_hours"])
    span = f"between {clock_phrase(start)} and {clock_phrase(start + length)}"
    evidence.append(
        _test_evidence(
            claims, window, span, "window",
            "Kulldorff scan of 2- to 12-hour windows against a flat day, Monte Carlo p",
            _window_statistic(window),
        )
    )  # fmt: skip
    share = format_share(
        int(window["numerator"]), int(window["denominator"]), settings.resident_threshold
    )
    figures = (
        f": {share} of incidents started in those {length} hours, where an even spread over "
        f"the day would put {format_percent(float(window['expected_share']))}"
        if share is not None
        else ""
    )
    return f"{no_hour}, but violence against young people was concentrated {span}{figures}.", (
        evidence
    )


def _window_statistic(window: pd.Series) -> str:
    return (
        f"{window['group']}: {int(window['numerator'])} of {int(window['denominator'])} "
        f"({format_percent(window['value'], 1)}) against "
        f"{format_percent(window['expected_share'], 1)} "
        f"for a flat day (scan p = {format_p(window['p_value'])}, q = "
        f"{format_p(window['q_value'])})"
    )


def _day_claim(claims: TimingClaims) -> tuple[str, list[Evidence]]:
    """The day-of-week sentence: a day, and weekdays against weekends, as the tests allow."""
    day, week = claims.day, claims.week
    parts, evidence = [], []
    if day is not None:
        if claims.separated(day):
            claim = f"most often on {day['peak']}s"
            parts.append(f"Incidents happened {claim}")
            strength = "most often"
        else:
            claim = "No single day of the week stood out"
            parts.append(claim)
            strength = "no clear peak"
        evidence.append(
            _test_evidence(
                claims, day, claim, strength, PEAK_TEST + " (per day of that weekday)",
                _pair_statistic(day, "incidents"),
            )
        )  # fmt: skip
    if week is not None and pd.notna(week["value"]):
        statistic = (
            f"incidents per weekday against per weekend day: ratio "
            f"{format_number(week['value'], 2)} ({format_confidence(float(week['confidence']))} "
            f"CI {format_interval(week['lower'], week['upper'], lambda v: format_number(v, 2))}; "
            f"p = {format_p(week['p_value'])}, q = {format_p(week['q_value'])})"
        )
        test = "exact conditional test of the ratio of Poisson rates"
        if claims.separated(week):
            claim = (
                "more incidents a day on weekdays than at weekends"
                if week["value"] > 1
                else "more incidents a day at weekends than on weekdays"
            )
            parts.append(f"there were {claim}")
            evidence.append(_test_evidence(claims, week, claim, "higher", test, statistic))
        else:
            claim = "weekdays and weekends were not clearly different"
            parts.append(f"{claim}, counting incidents per day")
            evidence.append(
                _test_evidence(claims, week, claim, "no clear difference", test, statistic)
            )
    if not parts:
        return "", evidence
    text = parts[0] + (f", and {parts[1]}" if len(parts) > 1 else "") + "."
    return text[0].upper() + text[1:], evidence


def _peak_status(claims: TimingClaims) -> str:
    if claims.separated(claims.hour) or claims.separated(claims.day):
        return "Most often"
    if claims.separated(claims.window):
        return "Window"
    return "No clear peak"


def _peak_technical(grid: pd.DataFrame, claims: TimingClaims) -> str:
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
    tied = {k: f", tied with {n} other{'s' if n > 1 else ''}" if n else "" for k, n in ties.items()}
    text = (
        f"{peak['definition']}, {peak['period']}: aoristic weekday x hour grid of "
        f"{format_number(total, 0)} incidents with a recorded start time. Largest weekday "
        f"{day} ({format_number(by_day.max(), 1)} incidents, "
        f"{format_percent(by_day.max() / total, 1)}{tied['day']}); largest hour {hour:02d}:00-"
        f"{hour + 1:02d}:00 ({format_percent(by_hour.max() / total, 1)}{tied['hour']}); largest "
        f"cell {peak['group']} ({format_number(peak['value'], 1)}{tied['cell']})."
    )
    alpha = format_percent(claims.alpha)
    tests = []
    if claims.day is not None:
        tests.append(
            "busiest weekday against the next by start date, "
            + _pair_statistic(claims.day, "incidents")
        )
    if claims.hour is not None:
        tests.append(f"busiest hour against the next, {_pair_statistic(claims.hour, 'incidents')}")
    if claims.window is not None:
        w = claims.window
        tests.append(
            f"window {_window_statistic(w)}; binomial p of that window alone "
            f"{format_p(w['binomial_p_value'])}"
        )
    if claims.week is not None and pd.notna(claims.week["value"]):
        w = claims.week
        tests.append(
            f"weekdays against weekend days, ratio of incidents per day "
            f"{format_number(w['value'], 2)} (CI "
            f"{format_interval(w['lower'], w['upper'], lambda v: format_number(v, 2))}; "
            f"p = {format_p(w['p_value'])}, q = {format_p(w['q_value'])})"
        )
    if tests:
        text += (
            " Tests on incidents counted at their start time (q: Holm-adjusted over these "
            f"tests; a claim needs q < {alpha}): " + "; ".join(tests) + "."
        )
    return text


def format_p(p: float) -> str:
    """A p-value for technical text: '0.2416', '< 0.0001'."""
    return "< 0.0001" if float(p) < 0.0001 else format_number(float(p), 4)


#: The claims-audit strength of an interval's comparison with its reference.
STRENGTH_OF_STATUS = {"Higher": "higher", "Similar": "similar", "Lower": "lower"}


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
    evidence = [
        Evidence(
            claim=how,
            strength=STRENGTH_OF_STATUS[status],
            statistic=f"per-day rate ratio {format_number(ratio['value'], 2)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))})",
            test="exact conditional interval of the ratio of Poisson rates against 1",
            measure_id=str(ratio["measure_id"]),
            value=float(ratio["value"]),
            lower=float(ratio["lower"]),
            upper=float(ratio["upper"]),
            reference=1.0,
            p_value=float(ratio["p_value"]),
        )
    ]
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
        evidence=evidence,
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
    claim = {
        "Higher": "a time of higher risk for children",
        "Similar": "we cannot say this time of day is riskier than others",
        "Lower": "fewer incidents happened at this time than at other times of day",
    }[status]
    meaning = {
        "Higher": f"So the time just after school is {claim}.",
        "Similar": f"So {claim}.",
        "Lower": f"So {claim}.",
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
    statistic = (
        f"{format_percent(share['value'], 1)} ({conf} CI "
        f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}) "
        f"against {format_percent(flat, 1)} for a flat day"
    )
    evidence = [
        Evidence(
            claim=claim,
            strength=STRENGTH_OF_STATUS[status],
            statistic=statistic,
            test="Wilson interval of the share against the flat-day share",
            measure_id=str(share["measure_id"]),
            value=float(share["value"]),
            lower=float(share["lower"]),
            upper=float(share["upper"]),
            reference=flat,
            p_value=float(share["p_value"]),
        )
        if shown is not None
        else Evidence(
            claim="too few incidents",
            strength="descriptive",
            statistic=statistic,
            test="none shown to residents: the count is at or below the resident threshold",
            measure_id=str(share["measure_id"]),
        )
    ]
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
        evidence=evidence,
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
