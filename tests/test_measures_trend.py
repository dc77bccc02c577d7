"""Trend against similar boroughs (pipeline/families/trend/).

Every figure is checked against an independent calculation: one statsmodels GLM over the
whole panel (an intercept and a slope per area) gives the panel dispersion, the same GLM with
its scale fixed by hand gives the quasi-Poisson SEs, scipy gives the t quantiles, and the
DerSimonian-Laird mean is worked from its formula here (and checked against statsmodels'
meta-analysis).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from pipeline.claims import unlicensed_phrases
from pipeline.families.common import MEASURE_COLUMNS
from pipeline.families.trend import measures as trend
from pipeline.families.trend import panel
from pipeline.families.trend.findings import findings as trend_findings
from pipeline.settings import Settings
from pipeline.stats.trends import dersimonian_laird
from tests.test_claims import strength_agrees
from tests.test_measures_key_metric import demo_inputs

AREA = "E09000031"
N1, N2, N3 = "E09000001", "E09000002", "E09000003"
LONDON = "E12000007"
YEARS = [2020, 2021, 2022, 2023, 2024]
RATIO = "Area against statistical neighbours"
MEAN = "Statistical neighbours (random-effects mean)"

CONFIG = {
    "edition": "2024-25",
    "window": {"first_financial_year": 2020, "last_financial_year": 2024},
    "areas": [{"code": AREA, "slug": "demo", "name": "Waltham Forest"}],
    "region": {"code": LONDON, "name": "London"},
    "definitions": {
        "version": "test.1",
        "key_metric": {
            "id": "kcwi_1_24",
            "label": "Knife crime with injury, victims aged 1 to 24, not domestic abuse",
            "short_label": "knife crime with injury among under-25s",
            "age_from": 1,
            "age_to": 24,
        },
        "under_18_metric": {
            "id": "kcwi_1_17",
            "label": "Knife crime with injury, victims aged 1 to 17, not domestic abuse",
            "short_label": "knife crime with injury among under-18s",
            "age_from": 1,
            "age_to": 17,
        },
    },
    "statistics": {"confidence": 0.95, "rate_per": 100000},
    "disclosure": {"resident_threshold": 10, "technical_threshold": 0},
}

# Yearly counts, FY 2020-21 .. 2024-25 (t = 0..4). Every population is constant: 100,000
# aged 1-24 and 40,000 aged 1-17.
KEY_COUNTS = {
    AREA: [40, 52, 60, 75, 92],  # rising about 22% a year
    N1: [100, 104, 98, 107, 103],  # about flat
    N2: [50, 47, 55, 49, 52],  # about flat
    N3: [70] * 5,  # loses a month in 2021-22: left out
}
U18_COUNTS = {
    AREA: [10, 14, 9, 12, 11],
    N1: [20, 24, 19, 22, 21],
    N2: [10, 8, 12, 9, 11],
    N3: [5] * 5,
}
#: Months missing from a neighbour's series (it is then left out of the trend).
MISSING = {N3: "2021-09"}


def make_comparators(
    key: dict | None = None, u18: dict | None = None, missing: dict | None = None
) -> pd.DataFrame:
    missing = MISSING if missing is None else missing
    rows = []
    for measure, counts in (("kcwi_1_24", key or KEY_COUNTS), ("kcwi_1_17", u18 or U18_COUNTS)):
        for code, yearly in counts.items():
            for year, total in zip(YEARS, yearly, strict=True):
                months = pd.period_range(f"{year}-04", f"{year + 1}-03", freq="M")
                for i, month in enumerate(months):
                    if missing.get(code) == str(month):
                        continue
                    # The whole year's count in April, none in other months.
                    rows.append(
                        {
                            "area_code": code,
                            "area_name": code,
                            "month": str(month),
                            "measure": measure,
                            "count": total if i == 0 else 0,
                        }  # fmt: skip
                    )
    return pd.DataFrame(rows)


def make_population(codes: tuple[str, ...] = (AREA, N1, N2, N3)) -> pd.DataFrame:
    rows = []
    for code in codes:
        for year in YEARS:
            for (a, b), p in {(1, 17): 40000, (18, 24): 60000}.items():
                rows.append(
                    {
                        "area_code": code,
                        "year": year,
                        "sex": "All",
                        "age_from": a,
                        "age_to": b,
                        "ethnicity": "All",
                        "population": p,
                    }  # fmt: skip
                )
    return pd.DataFrame(rows)


def make_neighbours(extra: dict[str, str] | None = None) -> pd.DataFrame:
    names = {N1: "One", N2: "Two", N3: "Three", **(extra or {})}
    return pd.DataFrame(
        {
            "area_code": [AREA] * len(names),
            "neighbour_code": list(names),
            "neighbour_name": list(names.values()),
            "rank": list(range(1, len(names) + 1)),
            "source": ["test"] * len(names),
        }
    )


def compute(**kwargs) -> pd.DataFrame:
    return trend.compute(
        comparators=make_comparators(**kwargs),
        population_la=make_population(),
        neighbours=make_neighbours(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compute()


def pick(table, measure, group):
    rows = table.loc[(table["measure_id"] == measure) & (table["group"] == group)]
    assert len(rows) == 1, (measure, group)
    return rows.iloc[0]


def hand_dl(y, v):
    """DerSimonian-Laird from its formula, tau^2 truncated at 0."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    w = 1 / v
    ybar = (w * y).sum() / w.sum()
    q = (w * (y - ybar) ** 2).sum()
    tau2 = max(0.0, (q - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    ws = 1 / (v + tau2)
    return (ws * y).sum() / ws.sum(), math.sqrt(1 / ws.sum()), tau2


def independent(counts: dict, codes: list[str], population: float, years=YEARS):
    """The whole panel in one statsmodels GLM (an intercept and a slope per area), its
    Pearson dispersion, and the slopes' SEs from the GLM refitted with that scale fixed."""
    t = np.asarray(years, float) - 2020
    keep = [YEARS.index(y) for y in years]
    y = np.concatenate([np.asarray(counts[c], float)[keep] for c in codes])
    k = len(codes)
    x = np.zeros((k * len(t), 2 * k))
    for i in range(k):
        x[i * len(t) : (i + 1) * len(t), i] = 1
        x[i * len(t) : (i + 1) * len(t), k + i] = t
    offset = np.full(len(y), math.log(population))
    poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit()
    phi = poisson.pearson_chi2 / poisson.df_resid
    scaled = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(scale=phi)
    slopes = dict(zip(codes, scaled.params[k:], strict=True))
    ses = dict(zip(codes, scaled.bse[k:], strict=True))
    return slopes, ses, phi, int(poisson.df_resid)


@pytest.fixture(scope="module")
def key_panel():
    return independent(KEY_COUNTS, [AREA, N1, N2], 100000)


def test_columns(table):
    assert list(table.columns[: len(MEASURE_COLUMNS)]) == MEASURE_COLUMNS
    assert set(table.loc[~table["measure_id"].str.endswith("_without_2020_21"), "period"]) == {
        "2020-21 to 2024-25"
    }


def test_area_annual_change_is_quasi_poisson_with_the_panel_dispersion(table, key_panel):
    slopes, ses, phi, df = key_panel
    row = pick(table, "kcwi_1_24_annual_change", "Area")
    assert df == 9  # three series (N3 left out) x (5 years - 2 parameters)
    assert row["dispersion"] == pytest.approx(phi, rel=1e-9)
    assert row["df"] == 9
    q = stats.t.ppf(0.975, 9)  # t(9), not z: phi is estimated
    b, se = slopes[AREA], ses[AREA]
    assert row["value"] == pytest.approx(100 * math.expm1(b), rel=1e-7)
    assert row["lower"] == pytest.approx(100 * math.expm1(b - q * se), rel=1e-7)
    assert row["upper"] == pytest.approx(100 * math.expm1(b + q * se), rel=1e-7)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(b / se), 9), rel=1e-6)
    assert row["model"].startswith("Quasi-Poisson GLM") and "on 9 df; t(9) interval" in row["model"]
    assert row["status"] == "Increasing"
    assert (row["numerator"], row["denominator"]) == (319, 500000)


def test_no_pretest_every_series_has_the_same_model(table):
    # Whatever each series' own Pearson chi-square, every one is fitted the same way.
    by_area = table.loc[table["measure_id"] == "kcwi_1_24_annual_change_by_area"]
    assert list(by_area["geography_code"]) == [AREA, N1, N2]
    assert by_area["model"].nunique() == 1 and by_area["dispersion"].nunique() == 1
    assert "Negative binomial" not in " ".join(table["method"].dropna())


def test_neighbours_random_effects_mean_and_ratio_of_growth(table, key_panel):
    slopes, ses, phi, df = key_panel
    mu, se_mu, tau2 = hand_dl([slopes[N1], slopes[N2]], [ses[N1] ** 2, ses[N2] ** 2])
    q = stats.t.ppf(0.975, df)
    mean = pick(table, "kcwi_1_24_annual_change", MEAN)
    assert mean["value"] == pytest.approx(100 * math.expm1(mu), rel=1e-7)
    assert mean["lower"] == pytest.approx(100 * math.expm1(mu - q * se_mu), rel=1e-7)
    assert mean["tau2"] == pytest.approx(tau2, abs=1e-12)
    assert mean["neighbours_compared"] == 2
    ratio = pick(table, "kcwi_1_24_growth_ratio", RATIO)
    g = slopes[AREA] - mu
    se_g = math.sqrt(ses[AREA] ** 2 + tau2 + se_mu**2)  # the spread between neighbours counts
    assert ratio["value"] == pytest.approx(math.exp(g), rel=1e-7)
    assert ratio["lower"] == pytest.approx(math.exp(g - q * se_g), rel=1e-7)
    assert ratio["upper"] == pytest.approx(math.exp(g + q * se_g), rel=1e-7)
    assert ratio["p_value"] == pytest.approx(2 * stats.t.sf(g / se_g, df), rel=1e-6)
    assert ratio["status"] == "Faster"


def test_heterogeneous_neighbours_widen_the_comparison():
    # N2 now rises about as fast as the area: the neighbours disagree, tau^2 > 0 enters
    # Var(g), and the comparison is wider than with tau^2 left out.
    key = {**KEY_COUNTS, N2: [30, 38, 47, 59, 73]}
    table = compute(key=key)
    slopes, ses, phi, df = independent(key, [AREA, N1, N2], 100000)
    mu, se_mu, tau2 = hand_dl([slopes[N1], slopes[N2]], [ses[N1] ** 2, ses[N2] ** 2])
    assert tau2 > 0.01
    ratio = pick(table, "kcwi_1_24_growth_ratio", RATIO)
    q = stats.t.ppf(0.975, df)
    se_g = math.sqrt(ses[AREA] ** 2 + tau2 + se_mu**2)
    assert ratio["lower"] == pytest.approx(math.exp(slopes[AREA] - mu - q * se_g), rel=1e-7)
    assert ratio["tau2"] == pytest.approx(tau2, rel=1e-9)
    assert ratio["status"] == "No significant difference"


def test_dersimonian_laird_matches_statsmodels_meta_analysis():
    y, v = np.array([0.1, 0.5, 0.2, 0.05]), np.array([0.01, 0.02, 0.015, 0.01])
    ours, theirs = dersimonian_laird(y, v), combine_effects(y, v, method_re="dl")
    assert ours.tau2 == pytest.approx(theirs.tau2) and ours.tau2 > 0
    assert ours.mean == pytest.approx(theirs.mean_effect_re)
    assert ours.se == pytest.approx(theirs.sd_eff_w_re)
    assert ours.q == pytest.approx(theirs.q)
    # Homogeneous estimates: statsmodels' tau^2 goes negative, DL truncates it at 0 and the
    # mean is the fixed-effect (inverse-variance) mean.
    y = np.array([0.1, 0.3, 0.2])
    v = np.array([0.01, 0.02, 0.015])
    ours, theirs = dersimonian_laird(y, v), combine_effects(y, v, method_re="dl")
    assert theirs.tau2 < 0 and ours.tau2 == 0
    assert ours.mean == pytest.approx(theirs.mean_effect_fe)
    assert ours.se == pytest.approx(theirs.sd_eff_w_fe)
    one = dersimonian_laird([0.2], [0.04])
    assert (one.mean, one.se, one.tau2, one.k) == (0.2, pytest.approx(0.2), 0.0, 1)
    with pytest.raises(ValueError, match="variances"):
        dersimonian_laird([0.1, 0.2], [0.01, 0.0])


def test_ranks_and_placebo(table, key_panel):
    slopes, ses, phi, df = key_panel
    placebo = pick(table, "kcwi_1_24_placebo_rank", RATIO)
    slope = pick(table, "kcwi_1_24_slope_rank", RATIO)
    assert (placebo["numerator"], placebo["denominator"]) == (1, 3)
    assert placebo["p_value"] == pytest.approx(1 / 3) and placebo["smallest_p"] == 1 / 3
    assert (slope["numerator"], slope["denominator"]) == (1, 3)
    # N1 as "local": its slope against the DL mean of the area and N2, standardised.
    mu, se_mu, tau2 = hand_dl([slopes[AREA], slopes[N2]], [ses[AREA] ** 2, ses[N2] ** 2])
    expected = (slopes[N1] - mu) / math.sqrt(ses[N1] ** 2 + tau2 + se_mu**2)
    by_area = table.loc[table["measure_id"] == "kcwi_1_24_annual_change_by_area"]
    stat = dict(zip(by_area["geography_code"], by_area["placebo_statistic"], strict=True))
    assert stat[N1] == pytest.approx(expected, rel=1e-7)
    assert stat[AREA] > max(stat[N1], stat[N2])


@pytest.mark.parametrize(
    "position, ranked, faster, agrees",
    [
        (1, 11, True, True),  # p = 1/11 = 0.09: the smallest 10 neighbours can give
        (2, 11, True, False),
        (11, 11, False, True),  # last: the most extreme "slower"
        (10, 11, False, False),
        (1, 21, True, True),  # p = 0.048 <= 0.05
        (2, 41, True, True),  # p = 0.049
        (3, 41, True, False),  # p = 0.073: 41 areas can do better than that
    ],
)
def test_the_placebo_rank_agrees_only_at_its_extreme(position, ranked, faster, agrees):
    assert panel.rank_agrees(position, ranked, faster, 0.05) is agrees


def test_fingertips_marker(table):
    row = pick(table, "kcwi_1_24_trend_marker", "Area")
    # Cochran-Armitage from its formula on the area's five years.
    r, n, t = np.array(KEY_COUNTS[AREA], float), np.full(5, 1e5), np.arange(2020, 2025.0)
    big_n, big_r = n.sum(), r.sum()
    x2 = (
        big_n
        * (big_n * (r * t).sum() - big_r * (n * t).sum()) ** 2
        / (big_r * (big_n - big_r) * (big_n * (n * t**2).sum() - (n * t).sum() ** 2))
    )
    assert row["value"] == pytest.approx(x2, rel=1e-9)
    assert row["status"] == "Increasing"


def test_findings_word_each_claim_at_the_strength_of_its_evidence(table):
    found = trend_findings(table, Settings.of(CONFIG))
    assert [f.id for f in found] == ["key_metric_trend", "under_18_metric_trend"]
    key, u18 = found
    assert key.status == "Faster"
    assert key.resident.startswith(
        "Knife crime with injury among under-25s is rising faster than in similar boroughs."
    )
    assert "It went up by about 22% a year between 2020-21 and 2024-25." in key.resident
    assert "placebo rank 1 of 3 (permutation p = 0.33; the smallest attainable with 2 " in (
        key.technical
    )
    assert "COVID-19 sensitivity, without 2020-21 (2021-22 to 2024-25)" in key.technical
    assert u18.status == "No significant difference"
    assert u18.resident.startswith(
        "There is no clear evidence that the trend in knife crime with injury among under-18s "
        "differs from similar boroughs."
    )
    for finding in found:
        assert not unlicensed_phrases(finding.resident, finding.evidence)
        for evidence in finding.evidence:
            assert strength_agrees(evidence), evidence
            assert evidence.claim.lower() in finding.resident.lower(), evidence.claim
    rising = [e for e in key.evidence if e.claim == "rising faster than in similar boroughs"]
    assert rising[0].reference == 1.0 and rising[0].lower > 1


def test_an_interval_above_one_without_the_rank_is_no_clear_difference(table):
    # The same interval, but the area only second of three: the rank does not agree.
    moved = table.copy()
    rank = (moved["measure_id"] == "kcwi_1_24_placebo_rank") & (moved["group"] == RATIO)
    moved.loc[rank, "numerator"] = 2
    # (and without 2020-21 too, so that the COVID-19 sensitivity does not differ)
    moved.loc[moved["measure_id"] == "kcwi_1_24_placebo_rank_without_2020_21", "numerator"] = 2
    key = trend_findings(moved, Settings.of(CONFIG))[0]
    assert pick(moved, "kcwi_1_24_growth_ratio", RATIO)["lower"] > 1
    assert key.status == "No significant difference"
    assert "rising faster" not in key.resident
    assert "the interval excludes 1 but the rank does not agree" in key.technical
    growth = key.evidence[0]
    assert growth.strength == "no clear difference"
    assert (growth.p_value, growth.alpha) == (pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert strength_agrees(growth)


def test_a_conclusion_that_rests_on_2020_21_is_hedged_for_residents():
    # The area's rise is nearly all from its low first (pandemic) year: 36, then 70 to 80.
    key = {**KEY_COUNTS, AREA: [36, 70, 76, 78, 80]}
    table = compute(key=key)
    full = pick(table, "kcwi_1_24_growth_ratio", RATIO)
    without = pick(table, "kcwi_1_24_growth_ratio_without_2020_21", RATIO)
    assert full["status"] == "Faster" and without["status"] == "No significant difference"
    assert without["period"] == "2021-22 to 2024-25"
    # Independently: the sensitivity is the same models on the four later years.
    slopes, ses, phi, df = independent(key, [AREA, N1, N2], 100000, years=YEARS[1:])
    assert df == 6
    change = pick(table, "kcwi_1_24_annual_change_without_2020_21", "Area")
    assert change["value"] == pytest.approx(100 * math.expm1(slopes[AREA]), rel=1e-7)
    q = stats.t.ppf(0.975, 6)
    assert change["lower"] == pytest.approx(100 * math.expm1(slopes[AREA] - q * ses[AREA]))
    finding = trend_findings(table, Settings.of(CONFIG))[0]
    assert finding.resident.startswith(
        "Knife crime with injury among under-25s is rising faster than in similar boroughs; "
        "without 2020-21, the first year of the pandemic, the difference is not clear."
    )
    assert "; without 2020-21, the first year of the pandemic, the rise is not clear." in (
        finding.resident
    )
    for evidence in finding.evidence:
        assert strength_agrees(evidence), evidence
        assert evidence.claim.lower() in finding.resident.lower(), evidence.claim


def test_growth_from_2020_21_carries_the_pandemic_caveat_where_residents_read_it(table):
    key = trend_findings(table, Settings.of(CONFIG))[0]
    assert key.resident.endswith(
        "2020-21 was the first year of the COVID-19 pandemic, when less violence was recorded; "
        "leaving that year out does not change these conclusions."
    )


def test_residents_are_told_when_fewer_than_half_the_neighbours_have_data():
    # N2 and N3 both lose a month: the comparison rests on N1 alone (1 of 3).
    missing = {N2: "2022-06", N3: "2021-09"}
    table = compute(missing=missing)
    ratio = pick(table, "kcwi_1_24_growth_ratio", RATIO)
    assert (ratio["neighbours_with_data"], ratio["neighbours_listed"]) == (1, 3)
    # One neighbour: tau^2 cannot be estimated (0); the mean is N1's own slope.
    slopes, ses, phi, df = independent(KEY_COUNTS, [AREA, N1], 100000)
    assert ratio["tau2"] == 0
    assert ratio["value"] == pytest.approx(math.exp(slopes[AREA] - slopes[N1]), rel=1e-7)
    key = trend_findings(table, Settings.of(CONFIG))[0]
    assert key.resident.endswith(
        "Only 1 of the 3 similar boroughs has figures for every year, so the comparison rests "
        "on that one borough."
    )
    assert "Note: 1 of 3 neighbours with complete series" in key.technical


def test_missing_area_series_is_a_clear_error():
    comparators = make_comparators()
    comparators = comparators.loc[
        ~((comparators["area_code"] == AREA) & (comparators["month"] == "2022-05"))
    ]
    with pytest.raises(
        ValueError, match="area E09000031 has no comparator series for every month of 2022-23"
    ):
        trend.compute(
            comparators=comparators,
            population_la=make_population(),
            neighbours=make_neighbours(),
            settings=Settings.of(CONFIG),
            area_code=AREA,
        )


def test_rank_descending_ignores_non_finite():
    assert panel.rank_descending({"a": 0.3, "b": 0.5, "c": float("nan")}, "a") == (2, 2)
    assert panel.rank_descending({"a": float("nan"), "b": 0.5}, "a") is None


# --------------------------------------------------------------------------------------------
# Demo data: the planted growth is recovered
# --------------------------------------------------------------------------------------------


def test_demo_recovers_planted_growth():
    demo = demo_inputs()
    table = trend.compute(
        comparators=demo["comparators"],
        population_la=demo["population_la"],
        neighbours=demo["neighbours"],
        settings=Settings.of(demo["config"]),
        area_code=demo["area_code"],
    )
    for metric, key in (("kcwi_1_24", "key_metric_growth"), ("kcwi_1_17", "under_18_growth")):
        truth = demo["truths"][key]
        area = pick(table, f"{metric}_annual_change", "Area")
        expected = 100 * (truth["area_annual_multiplier_expected"] - 1)
        assert area["lower"] <= expected <= area["upper"], (metric, expected, area.to_dict())
        # Every neighbour's rate grows by the same planted multiplier, so the random-effects
        # mean of their slopes and the ratio of growth estimate the planted values exactly.
        mean = pick(table, f"{metric}_annual_change", MEAN)
        expected = 100 * (truth["neighbours_annual_multiplier"] - 1)
        assert mean["lower"] <= expected <= mean["upper"], (metric, expected, mean.to_dict())
        ratio = pick(table, f"{metric}_growth_ratio", RATIO)
        expected = truth["ratio_of_growth"]
        assert ratio["lower"] <= expected <= ratio["upper"], (metric, expected, ratio.to_dict())
        assert ratio["lower"] > 1  # the planted faster growth is found
        assert "10 of 10 neighbours" in ratio["note"]


# --------------------------------------------------------------------------------------------
# Small areas: zero counts with no finite maximum likelihood (separation)
# --------------------------------------------------------------------------------------------


def test_separated_zero_counts_are_found_by_linear_programming():
    t = np.arange(5.0)
    line = np.column_stack([np.ones(5), t])
    # Events only in the last (or first) year: the slope's MLE is +infinity (-infinity), and
    # the other years' zeros are what push it there.
    assert panel.separated_rows(np.array([0, 0, 0, 0, 5]), line).tolist() == [1, 1, 1, 1, 0]
    assert panel.separated_rows(np.array([5, 0, 0, 0, 0]), line).tolist() == [0, 1, 1, 1, 1]
    # Events in one middle year, or in two years: the MLE is finite (slope 0 for the first,
    # by symmetry), so nothing is separated.
    assert not panel.separated_rows(np.array([0, 0, 4, 0, 0]), line).any()
    assert not panel.separated_rows(np.array([0, 3, 0, 2, 0]), line).any()
    # Two areas with their own intercepts and a common slope: the one with no events at all
    # is separated (its intercept goes to -infinity), the other is not.
    area = np.repeat([1.0, 0.0], 5)
    design = np.column_stack([area, 1 - area, np.tile(t, 2)])
    counts = np.array([0, 0, 0, 0, 0, 3, 4, 5, 6, 7])
    assert panel.separated_rows(counts, design).tolist() == [1] * 5 + [0] * 5


N4 = "E09000004"


def test_a_neighbour_with_no_events_leaves_the_ratio_of_growth_unchanged(table):
    # N4 has no victims in any year: it has no slope, so it adds nothing to the dispersion
    # or the neighbours' mean, and the ratio is the one of the panel without it.
    with_n4 = trend.compute(
        comparators=make_comparators(
            key={**KEY_COUNTS, N4: [0] * 5}, u18={**U18_COUNTS, N4: [1] * 5}
        ),
        population_la=make_population((AREA, N1, N2, N3, N4)),
        neighbours=make_neighbours({N4: "Four"}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    row = pick(with_n4, "kcwi_1_24_growth_ratio", RATIO)
    before = pick(table, "kcwi_1_24_growth_ratio", RATIO)
    for column in ("value", "lower", "upper", "dispersion", "tau2"):
        assert row[column] == pytest.approx(before[column], rel=1e-9), column
    assert row["neighbours_compared"] == 2
    n4 = with_n4.loc[
        (with_n4["measure_id"] == "kcwi_1_24_annual_change_by_area")
        & (with_n4["geography_code"] == N4)
    ].iloc[0]
    assert n4["model"] == "Cannot be calculated (no events in any year)"
    # N4's own annual change cannot be fitted, so it is not ranked: 1 of 3, not of 4.
    slope = pick(with_n4, "kcwi_1_24_slope_rank", RATIO)
    assert (slope["numerator"], slope["denominator"]) == (1, 3)


def test_separated_zeros_are_left_out_of_a_neighbours_fit():
    # N2 has events only from its second year on, with a zero in the first: the zero is
    # not separated (the slope stays finite), so nothing is left out; with events only in
    # its last year the zeros are separated and its slope cannot be estimated.
    table = compute(key={**KEY_COUNTS, N2: [0, 0, 0, 0, 9]})
    n2 = table.loc[
        (table["measure_id"] == "kcwi_1_24_annual_change_by_area") & (table["geography_code"] == N2)
    ].iloc[0]
    assert n2["model"].startswith("Cannot be calculated (no finite estimate")
    assert pick(table, "kcwi_1_24_growth_ratio", RATIO)["neighbours_compared"] == 1


@pytest.fixture(scope="module")
def small_area() -> pd.DataFrame:
    # The area: no under-18 victims in any year; under-25 victims only in the last year.
    return trend.compute(
        comparators=make_comparators(
            key={**KEY_COUNTS, AREA: [0, 0, 0, 0, 5]}, u18={**U18_COUNTS, AREA: [0] * 5}
        ),
        population_la=make_population(),
        neighbours=make_neighbours(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


def test_a_series_without_a_finite_fit_is_not_calculated(small_area):
    u18 = pick(small_area, "kcwi_1_17_annual_change", "Area")
    assert math.isnan(u18["value"]) and u18["status"] == "Cannot be calculated"
    assert u18["model"] == "Cannot be calculated (no events in any year)"
    ratio = pick(small_area, "kcwi_1_17_growth_ratio", "Area against statistical neighbours")
    assert math.isnan(ratio["value"]) and ratio["status"] == "Not compared"
    assert ratio["method"] == "Cannot be calculated (no events in any year)"
    # 0, 0, 0, 0, 5: the slope's MLE is +infinity, so no % change is given (not a huge one).
    key = pick(small_area, "kcwi_1_24_annual_change", "Area")
    assert math.isnan(key["value"]) and key["numerator"] == 5
    assert key["model"].startswith("Cannot be calculated (no finite estimate")
    key_ratio = pick(small_area, "kcwi_1_24_growth_ratio", "Area against statistical neighbours")
    assert math.isnan(key_ratio["value"]) and key_ratio["status"] == "Not compared"
    assert key_ratio["method"].startswith("Cannot be calculated (no finite estimate")
    # The area has no slope, so there is no comparison, and no neighbours' mean row either;
    # each neighbour's own change is still fitted.
    assert small_area.loc[small_area["group"] == MEAN].empty
    by_area = small_area.loc[small_area["measure_id"] == "kcwi_1_17_annual_change_by_area"]
    assert by_area.set_index("geography_code").loc[N1, "status"] == "No significant change"


def test_findings_of_a_small_area_say_what_is_known(small_area):
    key, u18 = trend_findings(small_area, Settings.of(CONFIG))
    assert u18.resident == (
        "No victims of knife crime with injury among under-18s were recorded in Waltham Forest "
        "in any year between 2020-21 and 2024-25, so there is no trend to describe or compare "
        "with similar boroughs."
    )
    assert (
        "Annual change in the area: not calculated (no events in any year; 0 events in the "
        "window)." in u18.technical
    )
    assert "Ratio of growth: not calculated (no events in any year)" in u18.technical
    assert "Ratio of growth: not calculated (no finite estimate" in key.technical
    assert "We could not work out the trend" in key.resident
    for text in (key.resident, key.technical, u18.resident, u18.technical):
        assert "nan" not in text.split() and "not available" not in text
