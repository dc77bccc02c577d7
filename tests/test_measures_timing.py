"""Timing measures: aoristic hour x weekday grid, school days, after-school window."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import binom_test, proportion_confint

from pipeline.families.calendar import financial_year_days, school_day_flags
from pipeline.families.timing import measures as timing
from pipeline.families.timing import peaks
from pipeline.families.timing.findings import clock_phrase
from pipeline.families.timing.findings import findings as timing_findings
from pipeline.settings import Settings
from tests.test_measures_hotspots import CONFIG, demo_frames, one, rows_of, victims

AREA = "E09000031"


def cell(day: int, hour: int) -> int:
    """Index of a weekday (0 = Monday) and hour in the 168-cell grid."""
    return day * 24 + hour


def window(**row) -> tuple[pd.Timestamp, pd.Timestamp]:
    base = {"offence_end_date": pd.NaT, "offence_end_time": pd.NA}
    return timing.offence_window({**base, **row})


# --------------------------------------------------------------------------------------------
# Aoristic weights (Ratcliffe 2002)
# --------------------------------------------------------------------------------------------


def test_a_moment_puts_its_whole_weight_in_one_cell():
    # Monday 3 June 2024 at 14:30, no end: weight 1 in Monday 14:00-15:00.
    w = timing.aoristic_weights(
        *window(offence_start_date=pd.Timestamp("2024-06-03"), offence_start_time="14:30")
    )
    assert w[cell(0, 14)] == 1.0 and w.sum() == 1.0


def test_a_window_is_spread_in_proportion_to_minutes():
    # 14:30 to 16:30 (120 minutes): 30 min in 14h -> 0.25, 60 in 15h -> 0.5, 30 in 16h -> 0.25.
    w = timing.aoristic_weights(
        *window(
            offence_start_date=pd.Timestamp("2024-06-03"),
            offence_start_time="14:30",
            offence_end_date=pd.Timestamp("2024-06-03"),
            offence_end_time="16:30",
        )
    )
    assert (w[cell(0, 14)], w[cell(0, 15)], w[cell(0, 16)]) == (0.25, 0.5, 0.25)
    assert w.sum() == pytest.approx(1.0)


def test_an_end_time_without_a_date_before_the_start_runs_past_midnight():
    # Sunday 9 June 2024 23:00 to 01:00 (no end date): 0.5 Sunday 23h, 0.5 Monday 00h.
    w = timing.aoristic_weights(
        *window(
            offence_start_date=pd.Timestamp("2024-06-09"),
            offence_start_time="23:00",
            offence_end_time="01:00",
        )
    )
    assert (w[cell(6, 23)], w[cell(0, 0)]) == (0.5, 0.5)


def test_an_end_date_without_a_time_runs_to_the_end_of_that_day():
    # Monday 22:00 to the end of Monday: 0.5 in 22h and 0.5 in 23h.
    w = timing.aoristic_weights(
        *window(
            offence_start_date=pd.Timestamp("2024-06-03"),
            offence_start_time="22:00",
            offence_end_date=pd.Timestamp("2024-06-03"),
        )
    )
    assert (w[cell(0, 22)], w[cell(0, 23)]) == (0.5, 0.5)


def test_a_window_of_a_week_or_more_is_uniform():
    w = timing.aoristic_weights(
        *window(
            offence_start_date=pd.Timestamp("2024-06-03"),
            offence_start_time="00:00",
            offence_end_date=pd.Timestamp("2024-06-12"),
            offence_end_time="00:00",
        )
    )
    assert np.allclose(w, 1 / 168)


def test_an_end_before_the_start_is_a_moment_at_the_start():
    w = timing.aoristic_weights(
        *window(
            offence_start_date=pd.Timestamp("2024-06-03"),
            offence_start_time="14:30",
            offence_end_date=pd.Timestamp("2024-06-03"),
            offence_end_time="13:00",
        )
    )
    assert w[cell(0, 14)] == 1.0


# --------------------------------------------------------------------------------------------
# A hand-made year: calendar, incidents and the school-day measures
# --------------------------------------------------------------------------------------------


def calendar_2024() -> pd.DataFrame:
    """One term over the whole financial year 2024-25, an INSET day and two bank holidays.

    1 April 2024 is a Monday; the year has 365 days = 52 weeks + Monday 31 March 2025, so
    260 + 1 = 261 weekdays. Minus INSET Monday 2 Sept, Christmas Wednesday 25 and Boxing
    Thursday 26 December: 258 school days and 365 - 258 = 107 non-school days.
    """
    return pd.DataFrame(
        {
            "start_date": pd.to_datetime(["2024-04-01", "2024-09-02", "2024-12-25"]),
            "end_date": pd.to_datetime(["2025-03-31", "2024-09-02", "2024-12-26"]),
            "day_type": ["term", "inset", "bank_holiday"],
        }
    )


def school_victims() -> pd.DataFrame:
    school_days = [
        "2024-06-03",
        "2024-06-04",
        "2024-06-05",
        "2024-06-06",
        "2024-06-07",
        "2024-10-01",
        "2024-10-02",
        "2024-11-12",
        "2025-01-14",
        "2025-02-04",
        "2025-03-03",
        "2025-03-31",
        "2024-04-02",
        "2024-05-15",
    ]
    times = [
        "15:00",
        "15:30",
        "16:59",
        "16:00",
        "15:45",  # in the window 15:00-17:00
        "17:00",  # end exclusive: not in it
        pd.NA,  # time not recorded
        "08:00",
        "09:10",
        "12:00",
        "13:00",
        "19:00",
        "21:30",
        "02:00",
    ]
    rows = [
        {"offence_start_date": pd.Timestamp(d), "offence_start_time": t}
        for d, t in zip(school_days, times, strict=True)
    ]
    rows += [
        {"offence_start_date": pd.Timestamp("2024-06-08"), "offence_start_time": "15:00"},  # Sat
        {"offence_start_date": pd.Timestamp("2024-12-25"), "offence_start_time": "15:30"},  # BH
        {"offence_start_date": pd.Timestamp("2024-09-02"), "offence_start_time": "10:00"},  # INSET
        # not school age (5-16), still in the under-25 grid:
        {"offence_start_date": pd.Timestamp("2024-06-03"), "victim_age": 17},
        {"offence_start_date": pd.Timestamp("2024-06-03"), "victim_age": 4},
    ]
    return victims(rows)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return timing.compute(
        victims=school_victims(),
        school_calendar=calendar_2024(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


@pytest.fixture(scope="module")
def year(table) -> pd.DataFrame:
    """The edition year's rows (earlier years only say the calendar does not reach them)."""
    return table.loc[table["period"] == "2024-25"]


def test_school_days_follow_the_calendar():
    flags = school_day_flags(calendar_2024(), financial_year_days(2024))
    assert int(flags.sum()) == 258 and len(flags) == 365
    assert not flags[pd.Timestamp("2024-12-25")] and not flags[pd.Timestamp("2024-09-02")]
    assert flags[pd.Timestamp("2025-03-31")] and not flags[pd.Timestamp("2024-06-08")]


def test_per_day_rate_ratio_with_exact_conditional_interval(year):
    # 14 incidents on 258 school days, 3 on 107 non-school days:
    # RR = (14/258) / (3/107) = 0.0542636 / 0.0280374 = 1.93540.
    # Given 17 incidents, school-day ones are Binomial(17, p); Clopper-Pearson limits of p
    # from the beta distribution, mapped by RR = p/(1-p) x 107/258.
    row = one(year, "sv_5_16_school_day_rate_ratio")
    assert (row["numerator"], row["denominator"]) == (14, 17)
    assert (row["school_days"], row["non_school_days"]) == (258, 107)
    assert row["value"] == pytest.approx(1.93540, rel=1e-5)
    p_low = st.beta.ppf(0.025, 14, 17 - 14 + 1)
    p_high = st.beta.ppf(0.975, 14 + 1, 17 - 14)
    assert row["lower"] == pytest.approx(p_low / (1 - p_low) * 107 / 258)
    assert row["upper"] == pytest.approx(p_high / (1 - p_high) * 107 / 258)
    # p-value of RR = 1 cross-checked with statsmodels' exact conditional test
    sm_test = sm_rates.test_poisson_2indep(14, 258, 3, 107, method="exact-cond")
    assert row["p_value"] == pytest.approx(sm_test.pvalue, rel=1e-6)


def test_daily_rates_and_school_day_share(year):
    rates = rows_of(year, "sv_5_16_incidents_per_day").set_index("group")
    assert rates.loc["school days", "value"] == pytest.approx(14 / 258)
    assert rates.loc["non-school days", "value"] == pytest.approx(3 / 107)
    # 3 events: exact limits chi2(0.025; 6)/2 = 0.61867, chi2(0.975; 8)/2 = 8.76727 per 107 days
    assert rates.loc["non-school days", "lower"] == pytest.approx(0.61867 / 107, rel=1e-4)
    assert rates.loc["non-school days", "upper"] == pytest.approx(8.76727 / 107, rel=1e-4)
    share = one(year, "sv_5_16_school_day_share")
    lo, hi = proportion_confint(14, 17, alpha=0.05, method="wilson")
    assert (share["value"], share["lower"], share["upper"]) == (
        pytest.approx(14 / 17),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert share["expected_share"] == pytest.approx(258 / 365)


def test_after_school_share_against_a_flat_day(year):
    # School-day incidents with a start time: 14 - 1 = 13; starting 15:00-16:59: 5.
    # Flat day: 2/24 = 0.083333. Wilson interval and binomial test cross-checked with
    # statsmodels.
    row = one(year, "sv_5_16_after_school_share")
    assert (row["numerator"], row["denominator"]) == (5, 13)
    assert row["value"] == pytest.approx(5 / 13)
    lo, hi = proportion_confint(5, 13, alpha=0.05, method="wilson")
    assert (row["lower"], row["upper"]) == (pytest.approx(lo), pytest.approx(hi))
    assert row["expected_share"] == pytest.approx(2 / 24)
    assert row["p_value"] == pytest.approx(binom_test(5, 13, prop=2 / 24), rel=1e-6)
    ratio = one(year, "sv_5_16_after_school_ratio")
    assert ratio["value"] == pytest.approx((5 / 13) * 12)
    assert ratio["lower"] == pytest.approx(lo * 12) and ratio["upper"] == pytest.approx(hi * 12)


def test_after_school_rate_against_the_same_hours_on_non_school_weekdays(year):
    # In the window: 5 incidents over 258 school days; on non-school weekdays (INSET 2 Sept,
    # 25 and 26 Dec = 3 days) 1 incident (Christmas Day 15:30); the Saturday one is a weekend.
    # RR = (5/258) / (1/3) = 0.0581395.
    row = one(year, "sv_5_16_after_school_rate_ratio")
    assert (row["numerator"], row["denominator"], row["non_school_days"]) == (5, 6, 3)
    assert row["value"] == pytest.approx(5 / 258 * 3)
    p_low, p_high = st.beta.ppf(0.025, 5, 2), st.beta.ppf(0.975, 6, 1)
    assert row["lower"] == pytest.approx(p_low / (1 - p_low) * 3 / 258)
    assert row["upper"] == pytest.approx(p_high / (1 - p_high) * 3 / 258)


def test_grid_totals_the_incidents_with_a_time_and_counts_the_rest(year):
    grid = rows_of(year, "sv_0_24_hour_weekday")
    assert len(grid) == 168
    assert list(grid["group"].iloc[[0, 167]]) == ["Monday 00:00-01:00", "Sunday 23:00-24:00"]
    # Under-25s: 17 school-age + the 17- and 4-year-old = 19 incidents, one without a time.
    assert grid["value"].sum() == pytest.approx(18)
    # Monday 15:00-16:00 has 15:00 (3 June) and 15:30 (4 June is Tuesday: no); 15:45 on Friday.
    monday_15 = one(year, "sv_0_24_hour_weekday", "Monday 15:00-16:00")
    assert monday_15["value"] == 1.0
    recon = rows_of(year, "sv_0_24_row_reconciliation").set_index("group")["numerator"]
    assert recon["rows read"] == 19
    assert recon["excluded: start time not recorded"] == 1
    assert recon["used: incidents with a start time"] == 18


def test_years_the_calendar_does_not_cover_say_so(table):
    earlier = table.loc[
        (table["period"] == "2020-21") & (table["measure_id"] == "sv_5_16_school_day_rate_ratio")
    ]
    assert len(earlier) == 1 and math.isnan(earlier["value"].iloc[0])
    assert "school_calendar" in earlier["note"].iloc[0]


def test_the_edition_year_must_be_covered_by_the_calendar():
    short = calendar_2024()
    short.loc[0, "end_date"] = pd.Timestamp("2024-12-20")
    with pytest.raises(
        ValueError,
        match=r"school_calendar: its dates run from 2024-04-01 to "
        r"2024-12-26.*start_date/end_date",
    ):
        timing.compute(
            victims=school_victims(),
            school_calendar=short,
            settings=Settings.of(CONFIG),
            area_code=AREA,
        )


# --------------------------------------------------------------------------------------------
# Findings: the wording follows the interval
# --------------------------------------------------------------------------------------------


def _with(table: pd.DataFrame, measure_id: str, **values) -> pd.DataFrame:
    changed = table.copy()
    mask = changed["measure_id"] == measure_id
    for column, value in values.items():
        changed.loc[mask, column] = value
    return changed


def test_school_day_finding_says_more_only_when_the_interval_is_above_one(table):
    found = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}
    similar = found["timing_school_days"]
    # RR 1.94 but its interval includes 1: "about as many", not "more".
    assert similar.status == "Similar" and "about as many" in similar.resident
    higher = _with(table, "sv_5_16_school_day_rate_ratio", lower=1.2, upper=3.0)
    higher = _with(higher, "sv_5_16_school_day_share", numerator=140, denominator=170)
    found = {f.id: f for f in timing_findings(higher, Settings.of(CONFIG))}
    assert found["timing_school_days"].status == "Higher"
    assert "more incidents on a school day" in found["timing_school_days"].resident
    assert "82%" in found["timing_school_days"].resident  # 140/170


def test_after_school_finding_hides_small_counts_and_hedges(table):
    found = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}
    after = found["timing_after_school"]
    # 5 incidents: below the resident threshold, so no share is printed
    assert "too few" in after.resident and "%" not in after.resident
    assert after.status == "Higher"  # Wilson lower limit 0.177 > flat 0.083
    bigger = _with(
        table,
        "sv_5_16_after_school_share",
        numerator=30,
        denominator=100,
        value=0.30,
        lower=0.22,
        upper=0.40,
    )
    after = {f.id: f for f in timing_findings(bigger, Settings.of(CONFIG))}["timing_after_school"]
    assert "30%" in after.resident and "between 3pm and 5pm" in after.resident
    assert "higher risk" in after.resident
    flat = _with(bigger, "sv_5_16_after_school_share", lower=0.05, upper=0.12, value=0.08)
    after = {f.id: f for f in timing_findings(flat, Settings.of(CONFIG))}["timing_after_school"]
    assert after.status == "Similar" and "higher risk" not in after.resident


def test_peak_finding_names_a_tested_window_not_an_unseparated_hour(table):
    peak = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}["timing_peak"]
    # Monday has 3 June (15:00, 17- and 4-year-olds at 12:00), 2 Sept 10:00, 31 March 19:00,
    # 3 March 13:00 = 6 incidents; Tuesday has 4 June, 1 Oct, 12 Nov, 14 Jan, 4 Feb and
    # 2 April = 6 as well (6 of 18 = 33.3% each). 15:00-16:00 has 5 (3, 4, 7 and 8 June,
    # 25 Dec), 12:00-13:00 the next most, 3: 5 of 8 does not separate them, so no hour is
    # named; but 12 of the 18 started between 12:00 and 18:00 (a quarter of the day).
    year = table.loc[table["period"] == "2024-25"]
    hour = one(year, "sv_0_24_peak_hour_test")
    assert (hour["group"], hour["numerator"], hour["denominator"]) == (
        "15:00-16:00 vs 12:00-13:00",
        5,
        8,
    )
    assert hour["p_value"] == pytest.approx(
        2 * st.binomtest(5, 8, 0.5, alternative="greater").pvalue
    )
    window = one(year, "sv_0_24_busiest_window")
    assert (window["group"], window["numerator"], window["denominator"]) == ("12:00-18:00", 12, 18)
    assert "Mondays" not in peak.resident and "Tuesdays" not in peak.resident
    assert peak.resident.startswith("No single hour stood out, but violence against young ")
    assert "concentrated between midday and 6pm: 67% of incidents started in those 6 hours" in (
        peak.resident
    )
    assert "No single day of the week stood out" in peak.resident
    strengths = {e.claim: e.strength for e in peak.evidence}
    assert strengths == {
        "No single hour stood out": "no clear peak",
        "between midday and 6pm": "window",
        "No single day of the week stood out": "no clear peak",
        "weekdays and weekends were not clearly different": "no clear difference",
    }
    assert "Largest weekday Monday (6.0 incidents, 33.3%, tied with 1 other)" in peak.technical
    assert clock_phrase(15) == "3pm" and clock_phrase(0) == "midnight"


def test_the_four_timing_tests_are_holm_adjusted_together(table):
    from statsmodels.stats.multitest import multipletests

    year = table.loc[table["period"] == "2024-25"]
    tests = [one(year, f"sv_0_24_{m}") for m in peaks.TESTS]
    adjusted = multipletests([t["p_value"] for t in tests], method="holm")[1]
    assert [t["q_value"] for t in tests] == pytest.approx(list(adjusted))
    # Weekdays vs weekend days: 17 of 18 incidents on the 261 weekdays of 365 (two-sided).
    week = tests[3]
    assert (week["numerator"], week["denominator"]) == (17, 18)
    assert week["p_value"] == pytest.approx(st.binomtest(17, 18, 261 / 365).pvalue)
    assert week["value"] == pytest.approx((17 / 261) / (1 / 104))


def test_peak_against_runner_up_allows_for_the_days_each_weekday_has():
    # 2024-25 has 53 Mondays and 52 of every other day: Monday 60 against Tuesday 50.
    counts = [60, 50, 10, 10, 10, 10, 10]
    exposure = [53, 52, 52, 52, 52, 52, 52]
    test = peaks.peak_test(counts, exposure, peaks.WEEKDAYS)
    assert (test["peak"], test["runner_up"]) == ("Monday", "Tuesday")
    one_sided = st.binomtest(60, 110, 53 / 105, alternative="greater").pvalue
    assert test["p_value"] == pytest.approx(2 * one_sided)
    # The brief's demo numbers: Friday 188 against Thursday 165, 52 days each.
    demo = peaks.peak_test([130, 140, 157, 165, 188, 160, 127], [53] + [52] * 6, peaks.WEEKDAYS)
    assert demo["p_value"] == pytest.approx(
        2 * st.binomtest(188, 353, 0.5, alternative="greater").pvalue
    )
    assert demo["p_value"] > 0.05  # so residents are not told "most often on Fridays"
    # Equal rates: no peak, whichever label comes first.
    tie = peaks.peak_test([52, 52, 0, 0, 0, 0, 0], [52] * 7, peaks.WEEKDAYS)
    assert tie["p_value"] == 1.0


def _scan_by_hand(hours: list[int]) -> tuple[int, int, float]:
    """Independent scan: every circular window of 2..12 hours, Kulldorff's Poisson ratio."""
    n = sum(hours)
    best = (0.0, 0, 0)
    for length in range(2, 13):
        for start in range(24):
            c = sum(hours[(start + k) % 24] for k in range(length))
            e = n * length / 24
            if c <= e:
                continue
            llr = c * math.log(c / e) + ((n - c) * math.log((n - c) / (n - e)) if c < n else 0)
            if llr > best[0] + 1e-12:
                best = (llr, start, length)
    return best[1], best[2], best[0]


def test_busiest_window_is_the_scan_maximum_and_its_p_allows_for_the_choice():
    # An evening excess: 20 an hour from 20:00 to 01:00 (crossing midnight), 8 otherwise.
    hours = [8] * 24
    for h in (20, 21, 22, 23, 0):
        hours[h] = 20
    found = peaks.busiest_window(hours, seed=1, replicates=999)
    start, length, llr = _scan_by_hand(hours)
    assert (found["start"], found["hours"]) == (start, length) == (20, 5)
    assert found["likelihood_ratio"] == pytest.approx(llr)
    assert found["count"] == 100 and found["total"] == 252
    assert found["p_value"] == pytest.approx(1 / 1000)  # nothing as extreme in 999 flat days
    assert peaks.hour_label(20, 25) == "20:00-01:00"
    # A flat day by design: the scan's p (which allows for picking the window) is large,
    # while the naive binomial p of the picked window alone is much smaller.
    rng = np.random.default_rng(7)
    flat = list(rng.multinomial(240, [1 / 24] * 24))
    found = peaks.busiest_window(flat, seed=2, replicates=999)
    assert found["p_value"] > 0.05
    assert found["binomial_p_value"] < found["p_value"]


def test_peak_finding_names_a_day_and_an_hour_that_tests_separate():
    # 38 incidents, all at 22:30: 30 on Fridays, 8 on Saturdays (June to August 2024).
    fridays = pd.date_range("2024-06-07", periods=10, freq="7D").strftime("%Y-%m-%d").tolist()
    saturdays = pd.date_range("2024-06-08", periods=8, freq="7D").strftime("%Y-%m-%d").tolist()
    rows = [
        {"offence_start_date": pd.Timestamp(d), "offence_start_time": "22:30"}
        for d in fridays * 3 + saturdays
    ]
    table = timing.compute(
        victims=victims(rows),
        school_calendar=calendar_2024(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    peak = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}["timing_peak"]
    day = one(table, "sv_0_24_peak_day_test")
    assert day["p_value"] == pytest.approx(
        2 * st.binomtest(30, 38, 0.5, alternative="greater").pvalue
    )
    assert "most often in the hour from 10pm to 11pm" in peak.resident
    assert "Incidents happened most often on Fridays" in peak.resident
    # 30 a day on 261 weekdays against 8 on 104 weekend days: p = 0.36, no claim either way.
    assert st.binomtest(30, 38, 261 / 365).pvalue > 0.05
    assert "weekdays and weekends were not clearly different" in peak.resident
    assert {e.strength for e in peak.evidence} == {"most often", "no clear difference"}
    assert all(e.q_value < e.alpha for e in peak.evidence if e.strength == "most often")


def test_weekends_are_named_only_when_the_per_day_test_says_so():
    # 40 incidents on Saturdays and 6 on Mondays, at hours spread over the day.
    saturdays = pd.date_range("2024-04-06", periods=40, freq="7D")
    mondays = pd.date_range("2024-04-08", periods=6, freq="7D")
    rows = [
        {"offence_start_date": d, "offence_start_time": f"{i % 24:02d}:15"}
        for i, d in enumerate(list(saturdays) + list(mondays))
    ]
    table = timing.compute(
        victims=victims(rows),
        school_calendar=calendar_2024(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    week = one(table, "sv_0_24_weekday_weekend_rate_ratio")
    assert week["p_value"] == pytest.approx(st.binomtest(6, 46, 261 / 365).pvalue)
    peak = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}["timing_peak"]
    assert "most often on Saturdays" in peak.resident
    assert "there were more incidents a day at weekends than on weekdays" in peak.resident


def test_a_handful_of_incidents_names_no_busiest_time():
    # 3 incidents (resident threshold 10): no day or hour is named, in words or numbers.
    rows = [
        {"offence_start_date": pd.Timestamp("2024-06-07"), "offence_start_time": "22:30"},
        {"offence_start_date": pd.Timestamp("2024-06-14"), "offence_start_time": "22:10"},
        {"offence_start_date": pd.Timestamp("2024-06-15"), "offence_start_time": "01:00"},
    ]
    table = timing.compute(
        victims=victims(rows),
        school_calendar=calendar_2024(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    made = {f.id: f for f in timing_findings(table, Settings.of(CONFIG))}
    assert made["timing_peak"].resident.startswith("There were too few incidents to say")
    assert "Friday" not in made["timing_peak"].resident
    # The after-school share rests on 3 school-day incidents at most: no percentage shown.
    after = made.get("timing_after_school")
    assert after is None or "%" not in after.resident
    for finding in made.values():
        assert not re.search(r"\bnan\b", finding.resident + finding.technical)


# --------------------------------------------------------------------------------------------
# Demo data: the planted school-day and after-school truths are recovered
# --------------------------------------------------------------------------------------------


def test_demo_school_day_and_after_school_truths_inside_intervals():
    demo = demo_frames()
    table = timing.compute(
        victims=demo["victims"],
        school_calendar=demo["school_calendar"],
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    truths = demo["truths"]["after_school"]
    year = table.loc[table["period"] == CONFIG["edition"]]
    school_day = one(year, "sv_5_16_school_day_share")
    after = one(year, "sv_5_16_after_school_share")
    rate_ratio = one(year, "sv_5_16_school_day_rate_ratio")
    window_ratio = one(year, "sv_5_16_after_school_rate_ratio")
    expected = {
        "school-day share": (school_day, truths["school_day_share_expected"]),
        "after-school share": (after, truths["share_on_school_days_expected"]),
        "per-day rate ratio": (
            rate_ratio,
            truths["edition_year"]["per_day_rate_ratio_school_vs_non_school_expected"],
        ),
        # non-school weekdays have the weekend's per-day rate in the generator, so the
        # same-hours ratio estimates the planted window ratio too
        "after-school window rate ratio": (
            window_ratio,
            truths["edition_year"]["after_school_window_per_day_rate_ratio_expected"],
        ),
    }
    for name, (row, value) in expected.items():
        assert row["lower"] <= value <= row["upper"], (name, value, row["lower"], row["upper"])
    assert (rate_ratio["school_days"], rate_ratio["non_school_days"]) == (
        truths["edition_year"]["school_days"],
        truths["edition_year"]["non_school_days"],
    )
    # a flat day is rejected: the planted 30% is far above 2/24
    assert after["lower"] > truths["flat_day_share"]
    assert len(rows_of(table, "sv_0_24_hour_weekday")) == 168
