"""The stop-and-search family on tiny hand-made frames, against independent calculations; its
disclosure declaration; and the registry leaving it out of editions without the input."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.disclosure.policy import DisclosurePolicy
from pipeline.disclosure.tables import protect_measure_tables
from pipeline.families.base import FamilyInputs
from pipeline.families.registry import (
    FAMILY_NAMES,
    compute_table,
    edition_family_names,
    family_findings,
    family_named,
)
from pipeline.families.stop_search.measures import compute
from pipeline.settings import Settings
from pipeline.validate.stop_search import check_stop_search

AREA = "E09000031"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def search(when: str, **values: object) -> dict[str, object]:
    """One tidy row (a search at local time ``when``), other columns defaulted."""
    local = pd.Timestamp(when, tz="Europe/London")
    row = {
        "source": "hand.csv",
        "source_line": 2,
        "layout": "current",
        "search_type": "Person search",
        "datetime_local": local,
        "date": local.tz_localize(None).normalize(),
        "hour": local.hour,
        "weekday": WEEKDAYS[local.day_of_week],
        "age_range": "18-24",
        "gender": "Male",
        "self_defined_ethnicity": "White",
        "self_defined_ethnicity_published": "",
        "officer_defined_ethnicity": "White",
        "legislation": "PACE",
        "object_of_search": "Controlled drugs",
        "outcome": "A no further action disposal",
        "outcome_published": "",
        "outcome_linked": pd.NA,
        "removal_more_than_outer": pd.NA,
    }
    return {**row, **values}


def frame_of(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_line"] = range(2, len(frame) + 2)
    for column in ("outcome_linked", "removal_more_than_outer"):
        frame[column] = frame[column].astype("boolean")
    return check_stop_search(frame)


def population(groups: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area_code": AREA,
                "year": 2021,
                "sex": "All",
                "age_from": 0,
                "age_to": 90,
                "ethnicity": g,
                "population": n,
            }
            for g, n in groups.items()
        ]
    )


def ages(bands: dict[tuple[int, int], int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area_code": AREA,
                "year": 2024,
                "sex": "All",
                "age_from": lo,
                "age_to": hi,
                "ethnicity": "All",
                "population": n,
            }
            for (lo, hi), n in bands.items()
        ]
    )


@pytest.fixture
def raw(config):
    return copy.deepcopy(config)  # edition 2024-25


@pytest.fixture
def settings(raw):
    return Settings.of(raw)


def rows(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    return table.loc[table["measure_id"] == measure].set_index("group")


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_ethnicity_shares_rates_and_rate_ratios(settings):
    searches = (
        [
            search(
                "2024-06-03 10:00",
                officer_defined_ethnicity="Black",
                self_defined_ethnicity="Black",
            )
        ]
        * 12
        + [search("2024-06-03 11:00")] * 18
        + [
            search(
                "2024-06-04 11:00",
                officer_defined_ethnicity="Not stated",
                self_defined_ethnicity="Not stated",
            )
        ]
        * 5
        + [search("2023-06-04 11:00")] * 4  # the year before the edition
    )
    pop = population({"Asian": 2000, "Black": 1000, "Mixed": 500, "White": 6000, "Other": 500})
    table = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), population_ethnicity=pop
    )
    reconciliation = rows(table, "ss_row_reconciliation")["numerator"]
    assert list(reconciliation) == [39, 4, 35]
    share = rows(table, "ss_officer_ethnicity_share").loc["Black"]
    assert (share["numerator"], share["denominator"]) == (12, 30)
    assert share["value"] == pytest.approx(12 / 30)
    assert (share["lower"], share["upper"]) == pytest.approx(wilson(12, 30))
    assert rows(table, "ss_officer_ethnicity_not_stated_share").loc["Not stated", "value"] == (
        pytest.approx(5 / 35)
    )
    # Officer-defined: no Mixed recorded, so Mixed residents are left out (9,500 residents).
    officer = rows(table, "ss_officer_ethnicity_population_share")
    assert "Mixed" not in officer.index
    assert officer.loc["Black", "value"] == pytest.approx(1000 / 9500)
    ratio = rows(table, "ss_officer_ethnicity_rate_ratio").loc["Black"]
    expected = (12 / 1000) / (18 / 8500)
    assert ratio["value"] == pytest.approx(expected)
    # Exact conditional limits, independently: Clopper-Pearson from the beta distribution.
    n, e1, e0 = 30, 1000, 8500
    p_low = stats.beta.ppf(0.025, 12, n - 12 + 1)
    p_high = stats.beta.ppf(0.975, 12 + 1, n - 12)
    assert ratio["lower"] == pytest.approx(p_low / (1 - p_low) * e0 / e1, rel=1e-6)
    assert ratio["upper"] == pytest.approx(p_high / (1 - p_high) * e0 / e1, rel=1e-6)
    assert rows(table, "ss_officer_ethnicity_rate").loc["Black", "value"] == pytest.approx(12.0)
    # Self-defined keeps Mixed (10,000 residents) even with no Mixed search.
    self_ratio = rows(table, "ss_self_ethnicity_rate_ratio").loc["Black", "value"]
    assert self_ratio == pytest.approx((12 / 1000) / (18 / 9000))
    assert rows(table, "ss_self_ethnicity_rate").loc["Mixed", "numerator"] == 0


def test_age_ranges_rates_objects_and_outcomes(settings):
    searches = (
        [
            search(
                "2024-05-01 10:00",
                age_range="10-17",
                object_of_search="Offensive weapons",
                outcome="Arrest",
                outcome_linked=True,
            )
        ]
        * 6
        + [search("2024-05-01 10:00", age_range="Not recorded", outcome_linked=False)] * 4
        + [search("2024-05-01 10:00")] * 10
    )
    bands = {(0, 9): 1000, (10, 17): 800, (18, 24): 700, (25, 34): 1500, (35, 90): 4000}
    table = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), population_la=ages(bands)
    )
    assert rows(table, "ss_rate").loc["all searches", "value"] == pytest.approx(20 / 8000 * 1000)
    age = rows(table, "ss_age_share")
    assert age.loc["10-17", "value"] == pytest.approx(6 / 16)
    assert rows(table, "ss_age_not_recorded_share").loc["Not recorded", "numerator"] == 4
    rate = rows(table, "ss_age_rate").loc["10-17"]
    assert rate["value"] == pytest.approx(6 / 800 * 1000)
    # Exact Poisson limits below 10 events, from the chi-squared distribution.
    assert rate["lower"] == pytest.approx(stats.chi2.ppf(0.025, 12) / 2 / 800 * 1000)
    assert rate["upper"] == pytest.approx(stats.chi2.ppf(0.975, 14) / 2 / 800 * 1000)
    objects = rows(table, "ss_object_share")
    assert list(objects.index) == ["Controlled drugs", "Offensive weapons"]  # most first
    assert objects["numerator"].sum() == 20 and objects["value"].sum() == pytest.approx(1)
    assert rows(table, "ss_outcome_share").loc["Arrest", "value"] == pytest.approx(6 / 20)
    linked = rows(table, "ss_outcome_linked_share").iloc[0]
    assert (linked["numerator"], linked["denominator"]) == (6, 10)
    # Without any population: counts and shares, no rates.
    bare = compute(settings=settings, area_code=AREA, stop_search=frame_of(searches))
    assert rows(bare, "ss_rate").empty and rows(bare, "ss_officer_ethnicity_rate_ratio").empty


def test_school_day_hours_against_a_hand_made_calendar(settings):
    # One term over the whole financial year, no holidays: every weekday is a school day.
    calendar = pd.DataFrame(
        {"start_date": ["2024-04-01"], "end_date": ["2025-03-31"], "day_type": ["term"]}
    )
    school_days = int(np.busday_count("2024-04-01", "2025-04-01"))
    other_days = 365 - school_days
    searches = [search("2024-06-03 15:20")] * 9 + [search("2024-06-08 15:40")] * 2
    searches += [search("2024-06-08 02:10")] * 3
    table = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), school_calendar=calendar
    )
    hour = rows(table, "ss_hour_school_day_rate_ratio").loc["15:00-16:00"]
    assert (hour["numerator"], hour["denominator"]) == (9, 11)
    assert (hour["school_days"], hour["non_school_days"]) == (school_days, other_days)
    assert hour["value"] == pytest.approx((9 / school_days) / (2 / other_days))
    night = rows(table, "ss_hour_school_day_rate_ratio").loc["02:00-03:00"]
    assert night["value"] == 0 and night["reference_numerator"] == 3
    day = rows(table, "ss_school_day_rate_ratio").loc["all hours"]
    assert day["value"] == pytest.approx((9 / school_days) / (5 / other_days))
    # A calendar that misses the year: a row saying why, not a silent ratio.
    short = calendar.assign(start_date="2020-04-01", end_date="2021-03-31")
    gap = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), school_calendar=short
    )
    assert "school_calendar" in rows(gap, "ss_school_day_rate_ratio").loc["not computed", "note"]


def test_findings_speak_of_police_activity(settings):
    searches = [search("2024-06-03 10:00", officer_defined_ethnicity="Black")] * 40
    searches += [search("2024-06-03 10:00")] * 20
    pop = population({"Asian": 2000, "Black": 1000, "Mixed": 500, "White": 6000, "Other": 500})
    table = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), population_ethnicity=pop
    )
    found = family_findings(family_named("stop_search"), table, settings)
    assert {f.topic for f in found} == {"police_activity"}
    volume = next(f for f in found if f.id == "ss_searches")
    assert "60 stop and searches" in volume.resident and "not people harmed" in volume.resident
    officer = next(f for f in found if f.id == "ss_officer_ethnicity_rate_ratio")
    assert officer.status == "Higher" and "Black" in officer.resident
    assert "victim" not in " ".join(f.resident for f in found).lower()


def test_one_small_count_is_hidden_wherever_it_appears(settings):
    searches = [search("2024-06-03 10:00", officer_defined_ethnicity="Other")] * 3
    searches += [search("2024-06-03 10:00", officer_defined_ethnicity="Black")] * 30
    searches += [search("2024-06-03 10:00")] * 40
    pop = population({"Asian": 2000, "Black": 1000, "Mixed": 500, "White": 6000, "Other": 500})
    table = compute(
        settings=settings, area_code=AREA, stop_search=frame_of(searches), population_ethnicity=pop
    )
    protected = protect_measure_tables({"stop_search": table}, DisclosurePolicy(threshold=10))
    out = protected.tables["stop_search"]
    officer = out.loc[
        out["measure_id"].str.startswith("ss_officer_ethnicity")
        & ~out["measure_id"].str.endswith("population_share")
    ]
    other = officer.loc[officer["group"] == "Other"]
    assert len(other) == 3 and other["numerator_suppressed"].all()  # share, rate, rate ratio
    assert other["value"].isna().all()
    # The total of stated ethnicity is published, so a second group must go with it.
    shares = officer.loc[officer["measure_id"] == "ss_officer_ethnicity_share"]
    assert int(shares["numerator_suppressed"].sum()) >= 2
    # Asian (0 searches) is safe to show and shown.
    assert not shares.loc[shares["group"] == "Asian", "numerator_suppressed"].any()


def test_editions_without_the_input_have_no_stop_search_family(raw, settings):
    assert "stop_search" in FAMILY_NAMES
    assert "stop_search" not in edition_family_names(settings)
    public = Settings.of({**raw, "victim_extract": False})
    assert "stop_search" not in edition_family_names(public)
    with_files = Settings.of({**raw, "stop_search": {"files": ["somewhere/"]}})
    names = edition_family_names(with_files)
    assert names[-2:] == ("stop_search", "monitoring")
    assert [n for n in names if n != "stop_search"] == list(edition_family_names(settings))
    frames = {"stop_search": frame_of([search("2024-06-03 10:00")] * 3)}
    table = compute_table(family_named("stop_search"), FamilyInputs(frames, with_files, AREA))
    assert rows(table, "ss_searches").loc["all searches", "numerator"] == 3


def test_files_without_the_edition_year_describe_the_latest_year_they_hold(settings):
    from pipeline.families.stop_search.findings import coverage
    from pipeline.families.stop_search.measures import year_of_searches

    dates = pd.DataFrame({"date": ["2022-09-03", "2022-09-30", "2021-05-01"]})
    assert year_of_searches(dates, 2024) == (2022, ["2022-09"])
    both = pd.DataFrame({"date": ["2024-04-01", "2025-03-31", "2022-09-03"]})
    assert year_of_searches(both, 2024) == (2024, ["2024-04", "2025-03"])
    one = pd.Series({"period": "2022-23", "months_covered": 1, "first_month": "2022-09",
                     "last_month": "2022-09"})  # fmt: skip
    assert coverage(one, settings) == (
        "2022-23 (the files supplied hold September 2022 only, not 2024-25)"
    )
    part = pd.Series({"period": "2024-25", "months_covered": 2, "first_month": "2024-04",
                      "last_month": "2025-03"})  # fmt: skip
    assert coverage(part, settings) == (
        "2024-25 (the files supplied hold 2 of its 12 months, April 2024 to March 2025)"
    )
    full = pd.Series({"period": "2024-25", "months_covered": 12, "first_month": "2024-04",
                      "last_month": "2025-03"})  # fmt: skip
    assert coverage(full, settings) == "2024-25"
