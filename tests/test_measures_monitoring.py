"""Strategy monitoring: outcome indicators by domain and the action tracker."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from scipy.stats.contingency import relative_risk

from pipeline.families.monitoring import measures as monitoring
from pipeline.families.monitoring.findings import findings as monitoring_findings
from pipeline.settings import Settings
from tests.test_measures_hotspots import CONFIG, demo_frames, one, rows_of

AREA = "E09000031"


def measure_rows(
    measure_id: str, values: dict[str, tuple[int, float]], group=None, unit="", per: float = 1
) -> list:
    """Rows of one measure: period -> (numerator, denominator); value = x / n x per."""
    return [
        {
            "measure_id": measure_id,
            "period": period,
            "group": group or "all",
            "numerator": x,
            "denominator": n,
            "value": x / n * per,
            "lower": x / n * per * 0.8,
            "upper": x / n * per * 1.2,
            "unit": unit,
        }
        for period, (x, n) in values.items()
    ]


def family_tables() -> dict[str, pd.DataFrame]:
    key = (
        measure_rows(
            "kcwi_1_24_rate",
            {"2020-21": (50, 100_000), "2024-25": (80, 100_000)},
            group="Area",
            unit="per 100,000 residents aged 1-24",
            per=100_000,
        )
        + measure_rows(
            "kcwi_1_24_rate",
            {"2020-21": (60, 1_000_000), "2024-25": (70, 1_000_000)},
            group="Statistical neighbours (pooled)",
            per=100_000,
        )
        + measure_rows(
            "kcwi_1_17_rate",
            {"2020-21": (18, 50_000), "2024-25": (20, 50_000)},
            group="Area",
            per=100_000,
        )
    )
    timing_rows = measure_rows(
        "sv_5_16_after_school_share", {"2020-21": (30, 100), "2024-25": (15, 100)}
    )
    return {"key_metric": pd.DataFrame(key), "timing": pd.DataFrame(timing_rows)}


def actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["Curtail", "Curtail", "Curtail", "Strengthen", "Support"],
            "action": ["Patrol plan", "CCTV near schools", "Bleed kits", "Safer routes", "Mentors"],
            "owner": ["Police", "Council", "Council", "Schools", "YOS"],
            "due_date": pd.to_datetime(
                ["2025-03-01", "2025-01-01", "2025-09-01", "2025-06-30", "2026-01-01"]
            ),
            "status": ["On track", "Complete", "At risk", "Not started", "On track"],
        }
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return monitoring.compute(
        tables=family_tables(), actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )


def indicator(table: pd.DataFrame, source: str) -> pd.Series:
    rows = table.loc[table["source_measure_id"] == source]
    assert len(rows) == 1
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# Outcome indicators
# --------------------------------------------------------------------------------------------


def test_every_domain_has_indicators_in_strategy_order(table):
    domains = table.loc[table["measure_id"].str.startswith("monitoring_"), "group"]
    assert list(dict.fromkeys(domains)) == ["Strengthen", "Support", "Treat", "Curtail"]
    assert one(table, "monitoring_curtail_1")["source_measure_id"] == "kcwi_1_24_rate"


def test_rate_indicator_compares_latest_with_baseline_by_an_exact_rate_ratio(table):
    # Key metric (area row, not the neighbours'): 50 per 100,000 in 2020-21 (baseline, the
    # window's first year), 80 in 2024-25. Same population, so RR = 80/50 = 1.6; given 130
    # victims, the 2024-25 ones are Binomial(130, p): Clopper-Pearson limits of p (beta
    # quantiles) give RR = p/(1 - p).
    row = indicator(table, "kcwi_1_24_rate")
    assert (row["baseline_period"], row["latest_period"]) == ("2020-21", "2024-25")
    assert (row["numerator"], row["baseline_numerator"]) == (80, 50)
    assert row["value"] == pytest.approx(80.0)
    assert row["change_ratio"] == pytest.approx(1.6)
    p_low, p_high = st.beta.ppf(0.025, 80, 51), st.beta.ppf(0.975, 81, 50)
    assert row["change_lower"] == pytest.approx(p_low / (1 - p_low))
    assert row["change_upper"] == pytest.approx(p_high / (1 - p_high))
    # The whole interval is above 1 and lower is better: worse.
    assert row["change_lower"] > 1 and row["status"] == "Worsening"


def test_rate_indicator_without_a_clear_change(table):
    # Under-18s: 18 then 20 on the same population; RR 1.11, interval wide around 1.
    row = indicator(table, "kcwi_1_17_rate")
    assert row["change_ratio"] == pytest.approx(20 / 18)
    assert row["change_lower"] < 1 < row["change_upper"]
    assert row["status"] == "No clear change"


def test_share_indicator_uses_the_katz_ratio_of_proportions(table):
    # After-school share 30/100 then 15/100: ratio 0.5; Katz SE = sqrt(1/15 - 1/100 + 1/30 -
    # 1/100) = sqrt(0.08) = 0.282843, limits 0.5 exp(-+1.959964 x 0.282843) = 0.5 exp(-+0.554362)
    # = 0.5 / 1.740829 = 0.287219 and 0.5 x 1.740829 = 0.870415;
    # cross-checked with scipy's relative_risk (Katz "method C").
    row = indicator(table, "sv_5_16_after_school_share")
    assert row["change_ratio"] == pytest.approx(0.5)
    assert row["change_lower"] == pytest.approx(0.287219, rel=1e-5)
    assert row["change_upper"] == pytest.approx(0.870415, rel=1e-5)
    ci = relative_risk(15, 100, 30, 100).confidence_interval(0.95)
    assert (row["change_lower"], row["change_upper"]) == (
        pytest.approx(ci.low),
        pytest.approx(ci.high),
    )
    assert row["status"] == "Improving"


def test_missing_tables_and_measures_are_listed_not_dropped(table):
    row = indicator(table, "sv_0_24_most_deprived_20_share")
    assert row["status"] == "Not available" and "no deprivation table" in row["note"]
    assert math.isnan(row["value"])
    partial = family_tables()
    partial["timing"] = partial["timing"].loc[partial["timing"]["period"] == "2024-25"]
    again = monitoring.compute(
        tables=partial, actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    row = indicator(again, "sv_5_16_after_school_share")
    assert row["status"] == "No baseline" and "for 2020-21" in row["note"]
    assert row["value"] == pytest.approx(0.15)  # the latest value is still shown
    assert math.isnan(row["change_ratio"])
    finding = {f.id: f for f in monitoring_findings(again, Settings.of(CONFIG))}[
        "monitoring_strengthen_1"
    ]
    assert "15%" in finding.resident and "do not have a figure for 2020-21" in finding.resident


def test_treat_indicator_reads_the_black_boys_share_from_disproportionality():
    # The headline share by year: 30 of 100 in 2020-21 (the baseline), 52 of 100 in 2024-25.
    tables = family_tables()
    tables["disproportionality"] = pd.DataFrame(
        measure_rows(
            "kcwi_1_24_headline_share",
            {"2020-21": (30, 100), "2024-25": (52, 100)},
            group="Black Male Under 18",
        )
        + measure_rows(
            "kcwi_1_24_victim_share", {"2024-25": (10, 100)}, group="White Male Under 18"
        )
    )
    table = monitoring.compute(
        tables=tables, actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    row = indicator(table, "kcwi_1_24_headline_share")
    assert row["group"] == "Treat" and row["value"] == pytest.approx(0.52)
    assert row["baseline_period"] == "2020-21" and row["baseline_value"] == pytest.approx(0.3)
    # Ratio of proportions with the Katz log interval, from scipy (independent).
    expected = relative_risk(52, 100, 30, 100).confidence_interval(0.95)
    assert row["change_ratio"] == pytest.approx(52 / 30)
    assert row["change_lower"] == pytest.approx(expected.low)
    assert row["change_upper"] == pytest.approx(expected.high)
    # The whole interval is above 1 and a lower share is better: worse.
    assert expected.low > 1 and row["status"] == "Worsening"


def test_treat_indicator_without_a_baseline_year_says_so():
    tables = family_tables()
    tables["disproportionality"] = pd.DataFrame(
        measure_rows(
            "kcwi_1_24_headline_share", {"2024-25": (52, 100)}, group="Black Male Under 18"
        )
    )
    table = monitoring.compute(
        tables=tables, actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    assert indicator(table, "kcwi_1_24_headline_share")["status"] == "No baseline"


def test_indicator_map_is_data_driven():
    # A custom indicator where higher is better: the same 30% -> 15% fall is then worse.
    custom = (
        monitoring.Indicator(
            "Strengthen",
            "a share",
            "timing",
            "{school_age}_after_school_share",
            None,
            "share",
            lower_is_better=False,
        ),
    )
    table = monitoring.compute(
        tables=family_tables(),
        actions=actions(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        indicators=custom,
    )
    row = one(table, "monitoring_strengthen_1")
    assert row["status"] == "Worsening" and row["direction"] == "higher is better"
    with pytest.raises(ValueError, match="unknown definition 'nope'"):
        monitoring.resolve_measure("{nope}_rate", Settings.of(CONFIG))


# --------------------------------------------------------------------------------------------
# Action tracker
# --------------------------------------------------------------------------------------------


def test_actions_counted_by_domain_and_status(table):
    counts = rows_of(table, "actions_by_status").set_index("group")["numerator"]
    assert len(counts) == 16  # 4 domains x 4 statuses, zeros included
    assert counts["Curtail: On track"] == 1 and counts["Curtail: Complete"] == 1
    assert counts["Treat: Not started"] == 0
    assert counts.sum() == 5


def test_overdue_means_due_before_publication_and_not_complete(table):
    # Publication 2025-07-01: "Patrol plan" (due 1 March, On track) and "Safer routes" (due
    # 30 June, Not started) are overdue; "CCTV" is Complete; "Bleed kits" is due in September.
    overdue = rows_of(table, "actions_overdue").set_index("group")["numerator"]
    assert overdue.to_dict() == {"Strengthen": 1, "Support": 0, "Treat": 0, "Curtail": 1}
    listed = rows_of(table, "action_overdue")
    assert listed["action"].tolist() == ["Safer routes", "Patrol plan"]  # domain order
    assert listed["due_date"].tolist() == ["2025-06-30", "2025-03-01"]


def test_bad_action_domain_is_named():
    bad = actions()
    bad.loc[2, "domain"] = "Prevent"
    with pytest.raises(ValueError, match=r"actions: row\(s\) \[2\] have a domain.*Prevent"):
        monitoring.compute(
            tables=family_tables(), actions=bad, settings=Settings.of(CONFIG), area_code=AREA
        )


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


def test_findings_word_the_change_from_its_interval(table):
    found = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}
    curtail = found["monitoring_curtail_1"]
    assert curtail.status == "Worsening" and "clear change for the worse" in curtail.resident
    assert "80" in curtail.resident and "50" in curtail.resident  # rates, not small counts
    assert found["monitoring_curtail_2"].resident.endswith("That is not a clear change.")
    strengthen = found["monitoring_strengthen_1"]
    assert "15%" in strengthen.resident and "clear improvement" in strengthen.resident
    assert "Katz" in strengthen.technical
    # Indicators that cannot be measured are gathered in one finding, named, not dropped.
    missing = found["monitoring_not_available"]
    assert missing.status == "Not available" and "most deprived 20%" in missing.resident
    assert "no deprivation table" in missing.technical
    assert "monitoring_support_1" not in found
    assert all(f.topic == "monitoring" for f in found.values())


def test_findings_carry_the_change_as_evidence_of_its_own_strength(table):
    found = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}
    # Curtail 1: 80 vs 50 per 100,000 on equal populations. Given 130 events, 80 is binomial
    # with p = RR/(RR + 1); its Clopper-Pearson limits give the ratio's (exact conditional).
    ci = st.binomtest(80, 130, 0.5).proportion_ci(method="exact")
    curtail = found["monitoring_curtail_1"]
    (rising,) = curtail.evidence
    assert rising.strength == "rising" and rising.claim == "went up"
    assert "went up from 50 in 2020-21 to 80 in 2024-25" in curtail.resident
    assert (rising.value, rising.lower, rising.upper, rising.reference) == (
        pytest.approx(1.6),
        pytest.approx(ci.low / (1 - ci.low)),
        pytest.approx(ci.high / (1 - ci.high)),
        1.0,
    )
    # Strengthen: 15% vs 30% of 100; Katz interval (scipy's relative_risk) below 1 -> falling.
    katz = relative_risk(15, 100, 30, 100).confidence_interval(0.95)
    (falling,) = found["monitoring_strengthen_1"].evidence
    assert falling.strength == "falling" and falling.upper == pytest.approx(katz.high)
    assert "went down from 30% in 2020-21 to 15% in 2024-25" in (
        found["monitoring_strengthen_1"].resident
    )
    # Curtail 2: 20 vs 18 events, interval around 1 -> no clear change, no "went up".
    (flat,) = found["monitoring_curtail_2"].evidence
    assert flat.strength == "no clear change" and flat.lower < 1 < flat.upper
    assert "went" not in found["monitoring_curtail_2"].resident


def test_a_pandemic_baseline_is_caveated_where_residents_read_it(table):
    found = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}
    caveat = "2020-21, the starting year, included the COVID-19 lockdowns"
    # once per domain paragraph, beside its first comparison; in every technical text
    assert caveat in found["monitoring_curtail_1"].resident
    assert caveat not in found["monitoring_curtail_2"].resident
    assert caveat in found["monitoring_strengthen_1"].resident
    compared = ("monitoring_curtail_1", "monitoring_curtail_2", "monitoring_strengthen_1")
    assert all("Baseline 2020-21 included" in found[k].technical for k in compared)
    # a window starting in 2021-22 gets its own caveat, one from 2022-23 none
    for first, expected in ((2021, "began under COVID-19 restrictions"), (2022, None)):
        config = {**CONFIG, "window": {**CONFIG["window"], "first_financial_year": first}}
        tables = {
            name: frame.replace({"2020-21": f"{first}-{(first + 1) % 100:02d}"})
            for name, frame in family_tables().items()
        }
        later = monitoring.compute(
            tables=tables, actions=actions(), settings=Settings.of(config), area_code=AREA
        )
        words = " ".join(f.resident for f in monitoring_findings(later, Settings.of(config)))
        assert "COVID" not in words if expected is None else expected in words


def test_findings_never_show_values_built_on_small_counts():
    tables = family_tables()
    tables["timing"] = pd.DataFrame(
        measure_rows("sv_5_16_after_school_share", {"2020-21": (6, 20), "2024-25": (15, 100)})
    )
    table = monitoring.compute(
        tables=tables, actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    finding = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}[
        "monitoring_strengthen_1"
    ]
    assert "too small to show" in finding.resident and "%" not in finding.resident


def test_actions_finding_names_domains_without_small_numbers(table):
    finding = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}[
        "monitoring_actions"
    ]
    assert finding.status == "Overdue actions"
    assert "Strengthen and Curtail parts" in finding.resident
    assert not re.search(r"\b([1-9]|10)\b", finding.resident)
    assert "Overdue (due before publication, not Complete): 2" in finding.technical


# --------------------------------------------------------------------------------------------
# Demo data: the monitoring table is built from the other families' demo tables
# --------------------------------------------------------------------------------------------


def test_demo_monitoring_reads_family_tables_and_actions():
    from pipeline.families.deprivation import measures as deprivation
    from pipeline.families.timing import measures as timing

    demo = demo_frames()
    tables = {
        "timing": timing.compute(
            victims=demo["victims"],
            school_calendar=demo["school_calendar"],
            settings=Settings.of(CONFIG),
            area_code=AREA,
        ),
        "deprivation": deprivation.compute(
            victims=demo["victims"],
            lsoas=demo["lsoas"],
            population_lsoa=demo["population_lsoa"],
            deprivation=demo["deprivation"],
            settings=Settings.of(CONFIG),
            area_code=AREA,
        ),
    }
    table = monitoring.compute(
        tables=tables, actions=demo["actions"], settings=Settings.of(CONFIG), area_code=AREA
    )
    after = indicator(table, "sv_5_16_after_school_share")
    assert after["status"] in {"Improving", "Worsening", "No clear change"}
    assert np.isfinite(after["change_ratio"])
    assert rows_of(table, "actions_by_status")["numerator"].sum() == len(demo["actions"])


# --------------------------------------------------------------------------------------------
# Small areas: none in either year, and shares of 0 of 0
# --------------------------------------------------------------------------------------------


def small_area_tables() -> dict[str, pd.DataFrame]:
    """No under-18 victims in 2020-21 or 2024-25; no school-day incidents to share out in
    2024-25 (0 of 0, value not defined)."""
    tables = family_tables()
    key = tables["key_metric"]
    u18 = key["measure_id"] == "kcwi_1_17_rate"
    key.loc[u18, ["numerator", "value", "lower"]] = 0.0
    key.loc[u18, "upper"] = 7.38  # exact Poisson upper limit of 0 (3.689) on 50,000 per 100,000
    timing_rows = pd.DataFrame(
        measure_rows("sv_5_16_after_school_share", {"2020-21": (30, 100)})
        + [
            {"measure_id": "sv_5_16_after_school_share", "period": "2024-25", "group": "all",
             "numerator": 0, "denominator": 0, "value": np.nan, "lower": np.nan,
             "upper": np.nan, "unit": ""}
        ]
    )  # fmt: skip
    return {"key_metric": key, "timing": timing_rows}


def test_none_in_either_year_is_no_change_not_unavailable():
    table = monitoring.compute(
        tables=small_area_tables(), actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    row = indicator(table, "kcwi_1_17_rate")
    # 0 then 0: the rate ratio 0/0 is not defined, but nothing changed.
    assert (row["numerator"], row["baseline_numerator"]) == (0, 0)
    assert row["status"] == "No clear change"
    assert "none in either year" in row["note"]
    finding = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}[
        "monitoring_curtail_2"
    ]
    assert "there were none in 2020-21 or in 2024-25" in finding.resident
    assert finding.resident.endswith("stayed at 0.")
    assert "Ratio not defined" in finding.technical
    assert "not available" not in finding.resident + finding.technical


def test_a_share_of_nothing_is_said_to_have_nothing_to_count():
    table = monitoring.compute(
        tables=small_area_tables(), actions=actions(), settings=Settings.of(CONFIG), area_code=AREA
    )
    row = indicator(table, "sv_5_16_after_school_share")
    assert row["status"] == "Not available" and "nothing to measure (0 of 0)" in row["note"]
    unavailable = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}[
        "monitoring_not_available"
    ]
    assert (
        "There was nothing to count for the share of school-day incidents against school-age "
        "children that start in the after-school window, so it cannot be given."
    ) in unavailable.resident
    # Indicators without a table are still "not available yet", and said apart.
    assert "not available yet:" in unavailable.resident
    assert "after-school window" not in unavailable.resident.split("There was")[0]
