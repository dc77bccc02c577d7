"""Trend against similar boroughs (pipeline/families/trend/measures.py).

The tiny panel is built so that the Poisson fits are exact and their standard errors can be
worked by hand from the Fisher information; the negative-binomial branch is checked against
an independent NB2 likelihood written with scipy and maximised with scipy.optimize.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.tools.numdiff import approx_hess

from pipeline.families.common import MEASURE_COLUMNS
from pipeline.families.trend import measures as trend
from pipeline.families.trend.findings import findings as trend_findings
from pipeline.settings import Settings
from tests.test_measures_key_metric import demo_inputs

AREA = "E09000031"
N1, N2, N3 = "E09000001", "E09000002", "E09000003"
LONDON = "E12000007"
YEARS = [2020, 2021, 2022, 2023, 2024]
Z95 = 1.959964

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

# Yearly counts, FY 2020-21 .. 2024-25 (t = 0..4). Every population is constant.
KEY_COUNTS = {
    AREA: [16, 24, 36, 54, 81],  # exactly x1.5 a year
    N1: [100] * 5,  # flat
    N2: [50] * 5,  # flat
    N3: [70] * 5,  # loses a month in 2021-22: left out
}
U18_COUNTS = {AREA: [10] * 5, N1: [20] * 5, N2: [10] * 5, N3: [5] * 5}


def make_comparators(key: dict | None = None, u18: dict | None = None) -> pd.DataFrame:
    rows = []
    for measure, counts in (("kcwi_1_24", key or KEY_COUNTS), ("kcwi_1_17", u18 or U18_COUNTS)):
        for code, yearly in counts.items():
            for year, total in zip(YEARS, yearly, strict=True):
                months = pd.period_range(f"{year}-04", f"{year + 1}-03", freq="M")
                for i, month in enumerate(months):
                    if code == N3 and str(month) == "2021-09":
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


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return trend.compute(
        comparators=make_comparators(),
        population_la=make_population(),
        neighbours=make_neighbours(),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )


def pick(table, measure, group):
    rows = table.loc[(table["measure_id"] == measure) & (table["group"] == group)]
    assert len(rows) == 1, (measure, group)
    return rows.iloc[0]


def test_columns(table):
    assert list(table.columns[: len(MEASURE_COLUMNS)]) == MEASURE_COLUMNS
    assert set(table["period"]) == {"2020-21 to 2024-25"}


def test_area_annual_change_exact_poisson_fit(table):
    row = pick(table, "kcwi_1_24_annual_change", "Area")
    # Counts 16, 24, 36, 54, 81 on a constant population grow exactly x1.5 a year, so the
    # Poisson MLE fits perfectly: slope ln 1.5, +50% a year, Pearson chi-square 0 -> Poisson.
    assert row["value"] == pytest.approx(50.0, abs=1e-6)
    assert row["model"] == "Poisson GLM"
    assert row["dispersion"] == pytest.approx(0.0, abs=1e-9)
    # Fisher information of the slope given the intercept: sum mu t^2 - (sum mu t)^2/sum mu
    #   sum mu = 211, sum mu t = 24+72+162+324 = 582, sum mu t^2 = 24+144+486+1296 = 1950
    #   -> 1950 - 582^2/211 = 344.673; SE = 1/sqrt(344.673) = 0.053864
    #   CI = 100 (1.5 exp(-/+ 1.959964 x 0.053864) - 1) = (34.97, 66.70)
    assert row["lower"] == pytest.approx(34.9716, abs=1e-3)
    assert row["upper"] == pytest.approx(66.7017, abs=1e-3)
    assert row["status"] == "Increasing"
    assert (row["numerator"], row["denominator"]) == (211, 500000)


def test_pooled_neighbours_annual_change(table):
    row = pick(table, "kcwi_1_24_annual_change", "Statistical neighbours (pooled)")
    # N1 + N2 = 150 a year (N3 is left out: September 2021 is missing) -> 0% a year;
    # information = 150 x sum (t-2)^2 = 150 x 10 = 1500; SE = 0.025820;
    # CI = 100 (exp(-/+ 1.959964 x 0.025820) - 1) = (-4.935, +5.191).
    assert row["value"] == pytest.approx(0.0, abs=1e-6)
    assert row["lower"] == pytest.approx(-4.9347, abs=1e-3)
    assert row["upper"] == pytest.approx(5.1908, abs=1e-3)
    assert row["status"] == "No significant change"
    assert "Three (E09000003)" in row["note"] and "2021-22" in row["note"]
    assert row["numerator"] == 750


def test_ratio_of_growth_interaction(table):
    row = pick(table, "kcwi_1_24_growth_ratio", "Area against statistical neighbours")
    # The area's intercept and slope are its own in the interaction model, so under Poisson
    # its slope estimate (ln 1.5) and the neighbours' common slope (0) are independent:
    #   Var(g) = 1/344.673 + 1/(100 x 10 + 50 x 10) = 0.0029013 + 0.0006667 -> SE 0.059732
    #   e^g = 1.5, CI exp(ln 1.5 -/+ 1.959964 x 0.059732) = (1.3343, 1.6863).
    assert row["model"] == "Poisson GLM"
    assert row["value"] == pytest.approx(1.5, abs=1e-6)
    assert row["lower"] == pytest.approx(1.33428, abs=1e-4)
    assert row["upper"] == pytest.approx(1.68630, abs=1e-4)
    assert row["status"] == "Faster"
    # Wald p for z = ln 1.5 / 0.059732 = 6.788.
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(math.log(1.5) / 0.0597325), rel=1e-3)


def test_ranks_and_placebo(table):
    placebo = pick(table, "kcwi_1_24_placebo_rank", "Area against statistical neighbours")
    slope = pick(table, "kcwi_1_24_slope_rank", "Area against statistical neighbours")
    # Only the area grows; with N1 or N2 as "local" their extra slope is negative (flat
    # against a rising rest), so the area's g is the largest of 3: rank 1, p = 1/3.
    assert (placebo["numerator"], placebo["denominator"]) == (1, 3)
    assert placebo["p_value"] == pytest.approx(1 / 3)
    assert (slope["numerator"], slope["denominator"]) == (1, 3)
    by_area = table.loc[table["measure_id"] == "kcwi_1_24_annual_change_by_area"]
    assert list(by_area["geography_code"]) == [AREA, N1, N2]
    assert list(by_area["group"]) == ["Waltham Forest", "One", "Two"]
    assert by_area["value"].iloc[1:].abs().max() < 1e-6  # flat neighbours: 0% a year
    assert by_area["placebo_log_ratio"].iloc[0] == pytest.approx(math.log(1.5), abs=1e-6)
    assert (by_area["placebo_log_ratio"].iloc[1:] < 0).all()


def test_fingertips_marker(table):
    row = pick(table, "kcwi_1_24_trend_marker", "Area")
    # N = 500,000, R = 211, sum r t = 582, sum n t = 1e6, sum n t^2 = 3e6:
    #   X2 = N (N 582 - R 1e6)^2 / [R (N - R)(N 3e6 - 1e12)]
    #      = 5e5 x (8e7)^2 / (211 x 499,789 x 5e11) = 60.689 > 3.84 -> Increasing.
    assert row["value"] == pytest.approx(60.6891, abs=1e-3)
    assert row["status"] == "Increasing"
    assert pick(table, "kcwi_1_24_trend_marker", "Statistical neighbours (pooled)")["status"] == (
        "No significant change"
    )


def test_under_18_flat_series(table):
    area = pick(table, "kcwi_1_17_annual_change", "Area")
    # 10 a year, flat: 0%; information 10 x 10 = 100, SE 0.1,
    # CI = 100 (exp(-/+ 0.1959964) - 1) = (-17.80, +21.65).
    assert area["value"] == pytest.approx(0.0, abs=1e-6)
    assert area["lower"] == pytest.approx(-17.7985, abs=1e-3)
    assert area["upper"] == pytest.approx(21.6523, abs=1e-3)
    ratio = pick(table, "kcwi_1_17_growth_ratio", "Area against statistical neighbours")
    # Var(g) = 1/100 + 1/(20 x 10 + 10 x 10) = 0.013333, SE 0.115470 -> (0.79747, 1.25397).
    assert ratio["value"] == pytest.approx(1.0, abs=1e-6)
    assert ratio["lower"] == pytest.approx(0.797465, abs=1e-4)
    assert ratio["upper"] == pytest.approx(1.253973, abs=1e-4)
    assert ratio["status"] == "No significant difference"


def test_findings_hedge_on_the_interval(table):
    found = trend_findings(table, Settings.of(CONFIG))
    assert [f.id for f in found] == ["key_metric_trend", "under_18_metric_trend"]
    key, u18 = found
    assert key.status == "Faster"
    assert key.resident.startswith(
        "Knife crime with injury among under-25s is rising faster than in similar boroughs."
    )
    assert "It went up by about 50% a year between 2020-21 and 2024-25." in key.resident
    assert "1.500 (95% CI 1.334 to 1.686; p < 0.001" in key.technical
    assert "Placebo rank 1 of 3" in key.technical
    assert u18.status == "No significant difference"
    assert u18.resident.startswith(
        "There is no clear evidence that knife crime with injury among under-18s is rising faster"
    )


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


def _nb2_negative_loglik(params, y, t, offset):
    """NB2 negative log-likelihood written from the pmf (scipy), independent of statsmodels."""
    a, b, log_alpha = params
    mu = np.exp(offset + a + b * t)
    size = 1 / math.exp(log_alpha)
    return -stats.nbinom.logpmf(y, size, size / (size + mu)).sum()


def test_overdispersed_series_uses_negative_binomial():
    # Counts 100, 60, 100, 60, 100 on a constant population: the Poisson MLE has slope 0
    # (sum t y = 840 = mean 84 x sum t 10), every fitted value 84, Pearson chi-square
    # (3 x 16^2 + 2 x 24^2)/84 = 1920/84 = 22.857 on 3 df -> dispersion 7.619 > 1 -> NB2.
    y = np.array([100, 60, 100, 60, 100])
    t = np.arange(5.0)
    population = np.full(5, 100000.0)
    design = trend.single_series_design([2020, 2021, 2022, 2023, 2024], 2020)
    fit = trend.fit_log_linear(y, design, population, "time", 0.95)
    assert fit.model == "Negative binomial (NB2)"
    assert fit.dispersion == pytest.approx(1920 / 84 / 3, rel=1e-9)
    # Independent NB2 fit: scipy's nbinom pmf maximised with scipy.optimize; SE from the
    # numerical Hessian of that likelihood.
    offset = np.log(population)
    res = optimize.minimize(
        _nb2_negative_loglik, x0=[math.log(84 / 1e5), 0.0, math.log(0.05)],
        args=(y, t, offset), method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )  # fmt: skip
    a, b, log_alpha = res.x
    assert fit.estimate == pytest.approx(b, abs=1e-4)
    assert fit.estimate == pytest.approx(0.0, abs=1e-4)  # symmetric data: slope 0 under NB too
    assert fit.alpha == pytest.approx(math.exp(log_alpha), rel=1e-3)
    # Hessian in (a, b, alpha) to match statsmodels' parameterisation.
    hess = approx_hess(
        np.array([a, b, math.exp(log_alpha)]),
        lambda p: _nb2_negative_loglik([p[0], p[1], math.log(p[2])], y, t, offset),
    )
    se_b = math.sqrt(np.linalg.inv(hess)[1, 1])
    assert fit.se == pytest.approx(se_b, rel=1e-3)
    assert fit.lower == pytest.approx(b - Z95 * se_b, abs=1e-3)


def test_rank_descending_ignores_non_finite():
    assert trend.rank_descending({"a": 0.3, "b": 0.5, "c": float("nan")}, "a") == (2, 2)
    assert trend.rank_descending({"a": float("nan"), "b": 0.5}, "a") is None


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
        pooled = pick(table, f"{metric}_annual_change", "Statistical neighbours (pooled)")
        expected = 100 * (truth["neighbours_pooled_annual_multiplier_expected"] - 1)
        assert pooled["lower"] <= expected <= pooled["upper"], (metric, expected, pooled.to_dict())
        # Every neighbour's rate is an exact exponential, so the fixed-effects model's e^g
        # converges to the planted ratio area multiplier / neighbours' multiplier.
        ratio = pick(table, f"{metric}_growth_ratio", "Area against statistical neighbours")
        expected = truth["ratio_of_growth"]
        assert ratio["lower"] <= expected <= ratio["upper"], (metric, expected, ratio.to_dict())
        assert "10 of 10 neighbours" in ratio["note"]


def _nb2_profile(alpha, y, t, offset):
    """NB2 log-likelihood at a fixed alpha with intercept and slope re-maximised (scipy)."""
    res = optimize.minimize(
        lambda p: _nb2_negative_loglik([p[0], p[1], math.log(alpha)], y, t, offset),
        x0=[math.log(float(np.mean(y)) / float(np.exp(np.mean(offset)))), 0.1],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )
    return -res.fun


def test_negative_binomial_at_its_boundary_falls_back_to_quasi_poisson():
    # Counts with Pearson dispersion just above 1 (1.37 on 3 df) whose NB2 likelihood is
    # largest at alpha = 0: the NB2 collapses to the Poisson and cannot carry the extra
    # variance, so the Poisson fit with SEs scaled by sqrt(dispersion) is used instead.
    y = np.array([71, 68, 85, 84, 123])
    population = np.array([56688, 56861, 57003, 57164, 57383], dtype=float)
    design = trend.single_series_design([2020, 2021, 2022, 2023, 2024], 2020)
    fit = trend.fit_log_linear(y, design, population, "time", 0.95)
    assert fit.model == "Quasi-Poisson (NB2 alpha estimate at its lower bound 0)"
    # Independent check that the NB2 likelihood falls as alpha grows from 0, with the
    # regression coefficients re-maximised (scipy) at each alpha.
    t, offset = np.arange(5.0), np.log(population)
    profile = [_nb2_profile(alpha, y, t, offset) for alpha in (1e-8, 1e-3, 1e-2)]
    assert profile[0] > profile[1] > profile[2]
    # Quasi-Poisson SE = Poisson SE x sqrt(Pearson chi-square / df), from statsmodels' GLM.
    import statsmodels.api as sm

    poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = poisson.pearson_chi2 / poisson.df_resid
    assert fit.dispersion == pytest.approx(dispersion)
    assert fit.estimate == pytest.approx(poisson.params["time"])
    assert fit.se == pytest.approx(poisson.bse["time"] * math.sqrt(dispersion))


def test_an_unconverged_fit_that_reached_the_boundary_is_the_boundary(monkeypatch):
    # Here BFGS stops at alpha ~ 1e-8 flagged "not converged": at a maximum on the boundary
    # the gradient is not zero, so its convergence test cannot pass. The fit is reported as
    # collapsed to the Poisson (quasi-Poisson used), not sent on to a slower optimiser.
    import warnings

    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    y = np.array([85, 79, 88, 122, 112])
    population = np.array([56688, 56861, 57003, 57164, 57383], dtype=float)
    design = trend.single_series_design([2020, 2021, 2022, 2023, 2024], 2020)
    t, offset = np.arange(5.0), np.log(population)
    poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bfgs = NegativeBinomial(y, design, loglike_method="nb2", offset=offset).fit(
            start_params=np.append(poisson.params, 0.1), method="bfgs", maxiter=1000, disp=0
        )
    assert not bfgs.mle_retvals["converged"] and bfgs.params["alpha"] < trend.ALPHA_BOUNDARY

    methods = []

    class Recording(NegativeBinomial):
        def fit(self, *args, **kwargs):
            methods.append(kwargs["method"])
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(trend, "NegativeBinomial", Recording)
    fit = trend.fit_log_linear(y, design, population, "time", 0.95)
    assert fit.model == "Quasi-Poisson (NB2 alpha estimate at its lower bound 0)"
    assert methods == ["newton", "bfgs"]
    # Independent check: the profile likelihood (scipy) falls as alpha grows from 0.
    profile = [_nb2_profile(alpha, y, t, offset) for alpha in (1e-8, 1e-3, 1e-2)]
    assert profile[0] > profile[1] > profile[2]
    assert fit.se == pytest.approx(poisson.bse["time"] * math.sqrt(fit.dispersion))


# --------------------------------------------------------------------------------------------
# Small areas: zero counts with no finite maximum likelihood (separation)
# --------------------------------------------------------------------------------------------


def test_separated_zero_counts_are_found_by_linear_programming():
    t = np.arange(5.0)
    line = np.column_stack([np.ones(5), t])
    # Events only in the last (or first) year: the slope's MLE is +infinity (-infinity), and
    # the other years' zeros are what push it there.
    assert trend.separated_rows(np.array([0, 0, 0, 0, 5]), line).tolist() == [1, 1, 1, 1, 0]
    assert trend.separated_rows(np.array([5, 0, 0, 0, 0]), line).tolist() == [0, 1, 1, 1, 1]
    # Events in one middle year, or in two years: the MLE is finite (slope 0 for the first,
    # by symmetry), so nothing is separated.
    assert not trend.separated_rows(np.array([0, 0, 4, 0, 0]), line).any()
    assert not trend.separated_rows(np.array([0, 3, 0, 2, 0]), line).any()
    # Two areas with their own intercepts and a common slope: the one with no events at all
    # is separated (its intercept goes to -infinity), the other is not.
    area = np.repeat([1.0, 0.0], 5)
    panel = np.column_stack([area, 1 - area, np.tile(t, 2)])
    counts = np.array([0, 0, 0, 0, 0, 3, 4, 5, 6, 7])
    assert trend.separated_rows(counts, panel).tolist() == [1] * 5 + [0] * 5


N4 = "E09000004"


def test_a_neighbour_with_no_events_leaves_the_ratio_of_growth_unchanged():
    # N4 has no victims in any year: its rows carry no information about the slopes, so the
    # ratio and its interval are those worked out in test_ratio_of_growth_interaction.
    table = trend.compute(
        comparators=make_comparators(
            key={**KEY_COUNTS, N4: [0] * 5}, u18={**U18_COUNTS, N4: [1] * 5}
        ),
        population_la=make_population((AREA, N1, N2, N3, N4)),
        neighbours=make_neighbours({N4: "Four"}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    row = pick(table, "kcwi_1_24_growth_ratio", "Area against statistical neighbours")
    assert row["value"] == pytest.approx(1.5, abs=1e-6)
    assert row["lower"] == pytest.approx(1.33428, abs=1e-4)
    assert row["upper"] == pytest.approx(1.68630, abs=1e-4)
    assert row["model"] == "Poisson GLM; 5 zero counts with no finite fit left out"
    # N4's own annual change cannot be fitted, so it is not ranked: 1 of 3, not of 4.
    slope = pick(table, "kcwi_1_24_slope_rank", "Area against statistical neighbours")
    assert (slope["numerator"], slope["denominator"]) == (1, 3)


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
    assert ratio["method"].startswith("Cannot be calculated (no finite estimate")
    # 0, 0, 0, 0, 5: the slope's MLE is +infinity, so no % change is given (not a huge one).
    key = pick(small_area, "kcwi_1_24_annual_change", "Area")
    assert math.isnan(key["value"]) and key["numerator"] == 5
    key_ratio = pick(small_area, "kcwi_1_24_growth_ratio", "Area against statistical neighbours")
    assert math.isnan(key_ratio["value"]) and key_ratio["status"] == "Not compared"
    # The neighbours' pooled change is still fitted (flat: 0%).
    pooled = pick(small_area, "kcwi_1_17_annual_change", "Statistical neighbours (pooled)")
    assert pooled["value"] == pytest.approx(0.0, abs=1e-6)


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
    assert "Ratio of growth: not calculated (no finite estimate" in u18.technical
    assert "We could not work out the trend" in key.resident
    for text in (key.resident, key.technical, u18.resident, u18.technical):
        assert "nan" not in text.split() and "not available" not in text
