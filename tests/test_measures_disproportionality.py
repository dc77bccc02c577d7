"""Disproportionality (pipeline/families/disproportionality/measures.py).

A tiny hand-made set of under-18 and 18-24 victims against a Census-style population whose
shares are round numbers; the intervals are checked against statsmodels (Wilson) and scipy
(Katz relative risk) directly.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import proportion_confint

from pipeline.families.common import MEASURE_COLUMNS
from pipeline.families.disproportionality import measures as dp
from pipeline.families.disproportionality.findings import findings as dp_findings
from pipeline.settings import Settings
from tests.test_measures_key_metric import demo_inputs

AREA = "E09000031"
CONFIG = {
    "edition": "2024-25",
    "window": {"first_financial_year": 2020, "last_financial_year": 2024},
    "areas": [{"code": AREA, "slug": "demo", "name": "Waltham Forest"}],
    "definitions": {
        "version": "test.1",
        "key_metric": {
            "id": "kcwi_1_24",
            "label": "Knife crime with injury, victims aged 1 to 24, not domestic abuse",
            "short_label": "knife crime with injury among under-25s",
            "offence_groups": ["Violence with injury", "Robbery"],
            "weapons": ["Knife or sharp instrument"],
            "injury": True,
            "domestic_abuse": False,
            "age_from": 1,
            "age_to": 24,
        },
        "under_18_metric": {"id": "kcwi_1_17", "age_from": 1, "age_to": 17},
        "age_groups": [
            {"label": "Under 18", "age_from": 1, "age_to": 17},
            {"label": "18 to 24", "age_from": 18, "age_to": 24},
        ],
    },
    "statistics": {"confidence": 0.95, "rate_per": 100000},
    "disclosure": {"resident_threshold": 10, "technical_threshold": 0},
}


def person(vid, ethnicity, sex, age, *, oid=None, date="2024-06-01", da=False):
    return {
        "offence_id": oid or f"O-{vid}",
        "victim_id": vid,
        "offence_start_date": pd.Timestamp(date),
        "offence_start": pd.Timestamp(date),
        "offence_group": "Violence with injury",
        "weapon": "Knife or sharp instrument",
        "injury": True,
        "domestic_abuse": da,
        "victim_age": age,
        "victim_sex": sex,
        "ethnicity_group": ethnicity,
    }


def make_victims() -> pd.DataFrame:
    rows = []
    # Under 18, FY 2024-25, distinct persons:
    #   Black Male 6 (B1 hurt twice: counted once), White Male 2, Asian Female 1,
    #   Black Female 1                                  -> known ethnicity and sex n = 10
    #   ethnicity Not stated: Male 2, Female 1          -> 3 unknown ethnicity
    #   Black, sex Not stated: 1                        -> left out of the shares (noted)
    #   all under-18 victims N = 14
    rows += [person(f"B{i}", "Black", "Male", 15) for i in range(1, 7)]
    rows.append(person("B1", "Black", "Male", 16, oid="O-B1-again", date="2024-09-01"))
    rows += [person("W1", "White", "Male", 14), person("W2", "White", "Male", 12)]
    rows += [person("A1", "Asian", "Female", 16), person("F1", "Black", "Female", 17)]
    rows += [person("U1", "Not stated", "Male", 15), person("U2", "Not stated", "Male", 13)]
    rows += [person("U3", "Not stated", "Female", 15), person("S1", "Black", "Not stated", 16)]
    # 18 to 24: White Female 1, Black Male 1.
    rows += [person("Y1", "White", "Female", 20), person("Y2", "Black", "Male", 22)]
    # Excluded: domestic abuse; previous financial year; aged 25.
    rows += [
        person("X1", "Black", "Male", 15, da=True),
        person("X2", "Black", "Male", 15, date="2024-03-31"),
    ]
    rows += [person("X3", "Black", "Male", 25)]
    frame = pd.DataFrame(rows)
    frame["victim_age"] = frame["victim_age"].astype("Int64")
    return frame


# Residents aged 0-17 (Census 2021) by ethnic group and sex -- 10,000 in all.
UNDER_18_POP = {
    ("Black", "Male"): 1000, ("Black", "Female"): 1000, ("White", "Male"): 3000,
    ("White", "Female"): 3000, ("Asian", "Male"): 500, ("Asian", "Female"): 500,
    ("Mixed", "Male"): 250, ("Mixed", "Female"): 250, ("Other", "Male"): 250,
    ("Other", "Female"): 250,
}  # fmt: skip


def make_population(with_all_rows: bool = True) -> pd.DataFrame:
    rows = []
    for (eth, sex), pop in UNDER_18_POP.items():
        rows.append((eth, sex, 0, 17, pop))
        rows.append((eth, sex, 18, 24, pop // 2))
    if with_all_rows:
        rows += [("All", "Male", 0, 17, 5000), ("All", "Female", 0, 17, 5000)]
        rows += [("All", "Male", 18, 24, 2500), ("All", "Female", 18, 24, 2500)]
    return pd.DataFrame(
        [
            {
                "area_code": AREA,
                "year": 2021,
                "sex": s,
                "age_from": a,
                "age_to": b,
                "ethnicity": e,
                "population": p,
            }
            for e, s, a, b, p in rows
        ]  # fmt: skip
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return dp.compute(
        victims=make_victims(),
        population_ethnicity=make_population(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


def pick(table, measure, group):
    rows = table.loc[(table["measure_id"] == measure) & (table["group"] == group)]
    assert len(rows) == 1, (measure, group)
    return rows.iloc[0]


def test_columns_and_population_year(table):
    assert list(table.columns[: len(MEASURE_COLUMNS)]) == MEASURE_COLUMNS
    assert set(table["population_year"]) == {2021}
    # Every row is for the edition year except the headline share's yearly series.
    yearly = table["measure_id"] == "kcwi_1_24_headline_share"
    assert set(table.loc[~yearly, "period"]) == {"2024-25"}
    assert list(table.loc[yearly, "period"]) == [
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
    ]


def test_headline_share_by_year(table):
    from statsmodels.stats.proportion import proportion_confint

    rows = table.loc[table["measure_id"] == "kcwi_1_24_headline_share"].set_index("period")
    assert set(rows["group"]) == {"Black Male Under 18"}
    # 2024-25 is the edition cell again: 6 black boys of 10 under-18s of known ethnicity/sex.
    edition = pick(table, "kcwi_1_24_victim_share", "Black Male Under 18")
    for column in ("numerator", "denominator", "value", "lower", "upper"):
        assert rows.loc["2024-25", column] == pytest.approx(edition[column])
    # 2023-24: X2, a black boy hurt on 31 March 2024, is the year's only victim: 1 of 1.
    assert (rows.loc["2023-24", "numerator"], rows.loc["2023-24", "denominator"]) == (1, 1)
    lower, upper = proportion_confint(1, 1, alpha=0.05, method="wilson")
    assert rows.loc["2023-24", "lower"] == pytest.approx(lower)
    assert rows.loc["2023-24", "upper"] == pytest.approx(upper)
    # 2020-21: no victims, so no share, and the note says why.
    assert (rows.loc["2020-21", "numerator"], rows.loc["2020-21", "denominator"]) == (0, 0)
    assert pd.isna(rows.loc["2020-21", "value"])
    assert rows.loc["2020-21", "note"] == dp.NO_KNOWN_VICTIMS_NOTE


def test_black_boys_victim_and_population_share(table):
    share = pick(table, "kcwi_1_24_victim_share", "Black Male Under 18")
    # 6 black boys of the 10 under-18 victims with known ethnicity and sex = 0.6.
    assert (share["numerator"], share["denominator"]) == (6, 10)
    assert share["value"] == pytest.approx(0.6)
    low, high = proportion_confint(6, 10, alpha=0.05, method="wilson")
    assert (share["lower"], share["upper"]) == (pytest.approx(low), pytest.approx(high))
    pop = pick(table, "kcwi_1_24_population_share", "Black Male Under 18")
    # 1,000 black boys aged 0-17 of 10,000 residents aged 0-17 = 0.10.
    assert (pop["numerator"], pop["denominator"]) == (1000, 10000)
    assert pop["value"] == pytest.approx(0.1)
    # The population's band is 0-17 while victims are 1-17: said, not hidden.
    assert "victims aged 1-17 against residents aged 0-17" in pop["note"]
    assert "1 victim of known ethnicity but unrecorded sex left out" in pop["note"]


def test_share_ratio_rate_ratio_and_gap(table):
    group = "Black Male Under 18"
    ratio = pick(table, "kcwi_1_24_share_ratio", group)
    # 0.6 / 0.1 = 6.0; Wilson limits of 6/10 divided by 0.1.
    low, high = proportion_confint(6, 10, alpha=0.05, method="wilson")
    assert ratio["value"] == pytest.approx(6.0)
    assert ratio["lower"] == pytest.approx(low / 0.1) and ratio["upper"] == pytest.approx(
        high / 0.1
    )
    rr = pick(table, "kcwi_1_24_rate_ratio", group)
    # (6 / 1,000) / (4 / 9,000) = 13.5; Katz SE = sqrt(1/6 - 1/1000 + 1/4 - 1/9000) = 0.64464.
    expected = relative_risk(6, 1000, 4, 9000)
    ci = expected.confidence_interval(0.95)
    assert rr["value"] == pytest.approx(13.5)
    assert rr["lower"] == pytest.approx(ci.low) and rr["upper"] == pytest.approx(ci.high)
    assert (rr["reference_numerator"], rr["reference_denominator"]) == (4, 9000)
    gap = pick(table, "kcwi_1_24_gap", group)
    assert gap["value"] == pytest.approx(50.0)  # 60% - 10% = 50 percentage points
    rate = pick(table, "kcwi_1_24_rate", group)
    assert rate["value"] == pytest.approx(600.0)  # 6 / 1,000 x 100,000


def test_sex_all_rows_and_other_age_group(table):
    black = pick(table, "kcwi_1_24_victim_share", "Black All Under 18")
    # Black boys 6 + black girls 1 = 7 of 10; residents 2,000 of 10,000.
    assert (black["numerator"], black["denominator"]) == (7, 10)
    assert pick(table, "kcwi_1_24_population_share", "Black All Under 18")[
        "value"
    ] == pytest.approx(0.2)
    older = pick(table, "kcwi_1_24_victim_share", "Black Male 18 to 24")
    # 18-24: 2 victims (Y1, Y2); the victim aged 25 is outside the key metric.
    assert (older["numerator"], older["denominator"]) == (1, 2)
    older_pop = pick(table, "kcwi_1_24_population_share", "Black Male 18 to 24")
    assert older_pop["value"] == pytest.approx(500 / 5000)
    assert older_pop["note"] == ""  # 18-24 band matches exactly
    # Zero victims in a cell: share 0, rate ratio undefined -> [0, inf).
    mixed = pick(table, "kcwi_1_24_rate_ratio", "Mixed Male Under 18")
    assert mixed["value"] == 0 and mixed["lower"] == 0 and math.isinf(mixed["upper"])


def test_unknown_share_and_sensitivity_bounds(table):
    unknown = pick(table, "kcwi_1_24_unknown_ethnicity_share", "Not stated All Under 18")
    # 3 of the 14 under-18 victims have no recorded ethnicity.
    assert (unknown["numerator"], unknown["denominator"]) == (3, 14)
    low, high = proportion_confint(3, 14, alpha=0.05, method="wilson")
    assert unknown["lower"] == pytest.approx(low) and unknown["upper"] == pytest.approx(high)
    bounds = pick(table, "kcwi_1_24_headline_bounds", "Black Male Under 18")
    # Lower: 6 / 14 = 0.4286 (every unknown is not a black boy).
    # Upper: black boys 6 + unknown-ethnicity boys 2 + black child of unrecorded sex 1 = 9;
    #        9 / 14 = 0.6429 (the unknown-ethnicity girl cannot be a black boy).
    assert bounds["lower"] == pytest.approx(6 / 14)
    assert bounds["upper"] == pytest.approx(9 / 14)
    assert bounds["value"] == pytest.approx(0.6)
    assert bounds["lower"] <= bounds["value"] <= bounds["upper"]


def test_population_without_all_rows_gives_the_same_shares(table):
    other = dp.compute(
        victims=make_victims(),
        population_ethnicity=make_population(with_all_rows=False),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    pd.testing.assert_frame_equal(other, table)


def test_no_age_band_covering_the_group_is_a_clear_error():
    population = make_population()
    population = population.loc[population["age_from"] != 18]
    with pytest.raises(ValueError, match="no age band covering ages 18-24"):
        dp.compute(
            victims=make_victims(),
            population_ethnicity=population,
            settings=Settings.of(CONFIG),
            area_code=AREA,
        )


def test_caveats_include_the_official_wording():
    text = " ".join(dp.CAVEATS)
    assert "No causative links can be drawn" in text
    assert (
        "geographic clustering, population changes and the number of people who do not report"
        in text
    )


def test_headline_finding_suppresses_small_numerators(table):
    found = dp_findings(table, Settings.of(CONFIG))
    assert len(found) == 1
    headline = found[0]
    assert headline.topic == "who" and headline.id == "black_boys_under_18"
    # 6 black boys is within 1..10: no percentage for them, and no count either.
    assert "60%" not in headline.resident and "6 " not in headline.resident
    assert "10 or fewer of the children under 18 hurt in knife crime were black boys" in (
        headline.resident
    )
    assert "10% of all children under 18 in Waltham Forest" in headline.resident
    # Unknown ethnicity: 3 is within 1..10, so its share is not shown either.
    assert "21" not in headline.resident and "a few of the children hurt" in headline.resident
    assert headline.status == "Higher"  # share ratio CI (3.13, 8.32) is above 1
    assert "60.0%" in headline.technical and "6 of 10" in headline.technical
    assert "42.9%" in headline.technical and "64.3%" in headline.technical
    assert "victims aged 1-17 against residents aged 0-17" in headline.technical


def test_headline_finding_with_a_lower_threshold(table):
    config = {**CONFIG, "disclosure": {"resident_threshold": 2, "technical_threshold": 0}}
    resident = dp_findings(table, Settings.of(config))[0].resident
    assert (
        "black boys were 60% of the children under 18 hurt in knife crime whose ethnic group"
        in resident
    )
    assert "more often than their share of children would suggest" in resident
    assert "We do not know the ethnic group of 21% of the children hurt." in resident


def test_headline_wording_follows_the_share_ratio_interval():
    # 1 black boy among 10 under-18 victims of known ethnicity: share 10% = population share
    # 10%, share ratio 1.0 with Wilson limits (0.018, 0.40)/0.1 spanning 1 -> no claim.
    victims = pd.DataFrame(
        [person("B1", "Black", "Male", 15)]
        + [person(f"W{i}", "White", "Male", 15) for i in range(9)]
    )
    victims["victim_age"] = victims["victim_age"].astype("Int64")
    config = {**CONFIG, "disclosure": {"resident_threshold": 0, "technical_threshold": 0}}
    table = dp.compute(
        victims=victims,
        population_ethnicity=make_population(),
        settings=Settings.of(config),
        area_code=AREA,
    )
    finding = dp_findings(table, Settings.of(config))[0]
    assert finding.status == "Similar"
    assert "black boys were 10% of the children" in finding.resident
    assert "We cannot be sure this difference is more than chance." in finding.resident
    assert "more often" not in finding.resident
    # No black boys at all: said plainly, without a share.
    none = dp.compute(
        victims=victims.iloc[1:], population_ethnicity=make_population(),
        settings=Settings.of(config), area_code=AREA,
    )  # fmt: skip
    text = dp_findings(none, Settings.of(config))[0].resident
    assert "none of the children under 18 hurt in knife crime whose ethnic group we know" in text


# --------------------------------------------------------------------------------------------
# Demo data: the planted black boys headline is recovered
# --------------------------------------------------------------------------------------------


def test_demo_recovers_planted_black_boys_share():
    demo = demo_inputs()
    table = dp.compute(
        victims=demo["victims"],
        population_ethnicity=demo["population_ethnicity"],
        settings=Settings.of(demo["config"]),
        area_code=demo["area_code"],
    )
    truth = demo["truths"]["black_boys_under_18"]
    group = "Black Male Under 18"
    share = pick(table, "kcwi_1_24_victim_share", group)
    expected = truth["victim_share_known_ethnicity_expected"]
    assert share["lower"] <= expected <= share["upper"], (expected, share.to_dict())
    population = pick(table, "kcwi_1_24_population_share", group)
    # Demo populations are single years of age, so the 1-17 share is used exactly.
    assert population["value"] == pytest.approx(truth["population_share_1_17"], abs=1e-4)
    assert population["note"] == "" or "unrecorded sex" in population["note"]
    ratio = pick(table, "kcwi_1_24_share_ratio", group)
    expected = truth["share_ratio_expected"]
    assert ratio["lower"] <= expected <= ratio["upper"], (expected, ratio.to_dict())
    rr = pick(table, "kcwi_1_24_rate_ratio", group)
    expected = truth["rate_ratio_vs_everyone_else_expected"]
    assert rr["lower"] <= expected <= rr["upper"], (expected, rr.to_dict())
    unknown = pick(table, "kcwi_1_24_unknown_ethnicity_share", "Not stated All Under 18")
    expected = truth["ethnicity_not_stated_share_expected"]
    assert unknown["lower"] <= expected <= unknown["upper"], (expected, unknown.to_dict())
    bounds = pick(table, "kcwi_1_24_headline_bounds", group)
    assert bounds["lower"] <= share["value"] <= bounds["upper"]


# --------------------------------------------------------------------------------------------
# No victims in the edition year (a small area such as the City of London)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_victims() -> pd.DataFrame:
    # Only rows that are not victims of the key metric in 2024-25: domestic abuse, and the
    # previous financial year.
    victims = pd.DataFrame(
        [
            person("X1", "Black", "Male", 15, da=True),
            person("X2", "Black", "Male", 15, date="2024-03-31"),
        ]
    )
    victims["victim_age"] = victims["victim_age"].astype("Int64")
    return dp.compute(
        victims=victims,
        population_ethnicity=make_population(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


def test_no_victims_gives_zero_of_zero_rows_that_say_so(no_victims):
    assert "note" in no_victims.columns
    for age in ("Under 18", "18 to 24"):
        unknown = pick(no_victims, "kcwi_1_24_unknown_ethnicity_share", f"Not stated All {age}")
        assert (unknown["numerator"], unknown["denominator"]) == (0, 0)
        assert math.isnan(unknown["value"])
        assert "no victims were recorded in this age group" in unknown["note"]
    share = pick(no_victims, "kcwi_1_24_victim_share", "Black Male Under 18")
    assert (share["numerator"], share["denominator"]) == (0, 0) and math.isnan(share["value"])
    assert "no victims of known ethnicity and sex" in share["note"]
    # Residents' share is still defined: 1,000 black boys of 10,000 residents aged 0-17.
    pop = pick(no_victims, "kcwi_1_24_population_share", "Black Male Under 18")
    assert pop["value"] == pytest.approx(0.1)
    # 0 of 0 has no gap, share ratio or rate ratio.
    for suffix in ("gap", "share_ratio", "rate_ratio", "headline_bounds"):
        assert not no_victims["measure_id"].eq(f"kcwi_1_24_{suffix}").any(), suffix


def test_no_victims_rate_is_zero_with_the_exact_interval(no_victims):
    rate = pick(no_victims, "kcwi_1_24_rate", "Black Male Under 18")
    # Exact Poisson interval of 0 events at 95%: [0, -ln(0.025)] = [0, 3.6889]; on 1,000
    # residents per 100,000: 0 to 368.9.
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (0, 1000, 0.0)
    assert rate["lower"] == 0.0
    assert rate["upper"] == pytest.approx(-math.log(0.025) / 1000 * 100_000, rel=1e-9)
    assert "exact Poisson" in rate["method"]


def test_no_victims_headline_says_so_without_numbers_it_cannot_have(no_victims):
    (finding,) = dp_findings(no_victims, Settings.of(CONFIG))
    assert "no children under 18 were recorded as hurt in knife crime" in finding.resident
    assert "Black boys make up 10% of all children under 18" in finding.resident
    assert "(0 victims in the group in all)" in finding.technical
    for text in (finding.resident, finding.technical):
        assert "nan" not in text.split() and "not available" not in text
    assert finding.status == "Not compared"


def test_victims_of_unknown_ethnicity_only_are_not_called_none():
    victims = pd.DataFrame([person("U1", "Not stated", "Male", 15)])
    victims["victim_age"] = victims["victim_age"].astype("Int64")
    table = dp.compute(
        victims=victims,
        population_ethnicity=make_population(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    unknown = pick(table, "kcwi_1_24_unknown_ethnicity_share", "Not stated All Under 18")
    assert (unknown["numerator"], unknown["denominator"], unknown["value"]) == (1, 1, 1.0)
    (finding,) = dp_findings(table, Settings.of(CONFIG))
    assert "we do not know the ethnic group of any of the children" in finding.resident
    assert "no children under 18 were recorded" not in finding.resident


# --------------------------------------------------------------------------------------------
# The unknown-ethnicity range where residents read the share, and the IC-code scheme (#14)
# --------------------------------------------------------------------------------------------


def _with_threshold(threshold: int) -> Settings:
    return Settings.of({**CONFIG, "disclosure": {"resident_threshold": threshold}})


def test_residents_read_the_share_with_the_range_unknown_ethnicity_allows(table):
    # Threshold 2: 6 black boys of 14 under-18 victims at least (6/14 = 42.9%), 9 at most
    # (+ the 2 boys of unrecorded ethnicity and the black child of unrecorded sex; 9/14 =
    # 64.3%); the 3 who could be black boys are above the threshold, so the sharp range.
    finding = dp_findings(table, _with_threshold(2))[0]
    first = finding.resident.split(". ")[0]
    assert first == (
        "In 2024-25, black boys were 60% of the children under 18 hurt in knife crime whose "
        "ethnic group we know, and between 43% and 64% of all the children hurt, whatever the "
        "ethnic group of the others"
    )
    span = next(e for e in finding.evidence if e.claim.startswith("between"))
    assert (span.lower, span.upper) == (pytest.approx(6 / 14), pytest.approx(9 / 14))
    assert span.strength == "descriptive"


def test_the_range_never_reveals_a_small_count_of_possible_black_boys(table):
    # Threshold 3: the width of the sharp range is 3 victims (from 1 to 3), so the upper
    # bound counts all 4 victims of unrecorded ethnicity or sex instead: (6 + 4) / 14 = 71%.
    resident = dp_findings(table, _with_threshold(3))[0].resident
    assert "between 43% and 71% of all the children hurt, whatever the ethnic group and sex" in (
        resident
    )
    assert "64%" not in resident


def test_more_than_their_share_carries_the_share_ratio_interval(table):
    finding = dp_findings(table, _with_threshold(2))[0]
    claim = next(e for e in finding.evidence if e.strength == "higher")
    assert claim.claim == "hurt more often than their share of children would suggest"
    assert claim.claim in finding.resident
    # Wilson limits of 6/10 over the population share 1,000/10,000 (statsmodels, by hand).
    low, high = proportion_confint(6, 10, alpha=0.05, method="wilson")
    assert (claim.lower, claim.upper) == (pytest.approx(low / 0.1), pytest.approx(high / 0.1))
    assert claim.reference == 1.0 and claim.lower > 1


def test_ic_codes_show_no_measured_mixed_and_say_why():
    from pipeline.charts.style import RESIDENT_STYLE
    from pipeline.families.disproportionality.charts import who_chart
    from pipeline.settings import Area

    config = {**CONFIG, "ethnicity_scheme": "ic_code", "disclosure": {"resident_threshold": 2}}
    settings = Settings.of(config)
    table = dp.compute(
        victims=make_victims(), population_ethnicity=make_population(), settings=settings,
        area_code=AREA,
    )  # fmt: skip
    mixed = pick(table, "kcwi_1_24_victim_share", "Mixed All Under 18")
    assert pd.isna(mixed["value"]) and "IC codes have no Mixed category" in mixed["note"]
    assert table.loc[table["group"] == "Mixed All Under 18", "measure_id"].tolist() == [
        "kcwi_1_24_victim_share",
        "kcwi_1_24_population_share",
    ]  # no gap, ratio or rate of a group that cannot be recorded
    # Census scheme: the same victims give a measured Mixed share of 0 of 10.
    census = dp.compute(
        victims=make_victims(), population_ethnicity=make_population(),
        settings=_with_threshold(2), area_code=AREA,
    )  # fmt: skip
    assert pick(census, "kcwi_1_24_victim_share", "Mixed All Under 18")["value"] == 0
    resident = dp_findings(table, settings)[0].resident
    assert "(IC codes), which has no Mixed group" in resident
    assert (
        "whose ethnic group the police recorded (as the officer saw it), and between"
        in (resident.split(". ")[0])
    )
    assert "no Mixed group" not in dp_findings(census, _with_threshold(2))[0].resident
    shown = table.assign(numerator_suppressed=False, denominator_suppressed=False)
    area = Area(code=AREA, slug="demo", name="Waltham Forest")
    chart = who_chart({"disproportionality": shown}, settings, area, RESIDENT_STYLE)
    row = chart.table.loc[
        (chart.table["Age group"] == "Under 18") & (chart.table["Ethnic group"] == "Mixed")
    ].iloc[0]
    assert (row["Victims"], row["Share of victims (%)"]) == ("not recorded", "not recorded")
    assert any("has no Mixed group" in note for note in chart.notes)
    assert "Mixed: not recorded: police IC codes have no Mixed group" in chart.alt
