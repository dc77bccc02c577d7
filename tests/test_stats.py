"""Tests for pipeline.stats.

Every expected number comes from a source independent of the code under test:
published values (PHEindicatormethods docs / methods.md, Newcombe 1998, scipy docs), an
independent library (statsmodels, scipy.stats.poisson, scipy relative_risk), or a hand-worked
example whose arithmetic is written out in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm, poisson
from scipy.stats.contingency import relative_risk
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from pipeline import stats as S

Z95 = 1.959963984540054  # Phi^-1(0.975)


def byars_by_hand(o: float, z: float = Z95) -> tuple[float, float]:
    """Byar's limits written out from Breslow & Day (independent of pipeline.stats)."""
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    up = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, up


# ---------------------------------------------------------------------------- confidence / z


def test_z_values_match_published_constants():
    # methods.md 1.0: 95% -> z = 1.95996, 99.8% -> z = 3.0902
    assert S.z_value(0.95) == pytest.approx(1.95996, abs=1e-5)
    assert S.z_value(0.998) == pytest.approx(3.0902, abs=1e-4)


@pytest.mark.parametrize("bad", [0.8, 0.89, 1.0, 95, -0.95, float("nan")])
def test_confidence_out_of_range_raises(bad):
    with pytest.raises(ValueError, match="confidence"):
        S.rate_ci(5, 100, confidence=bad)


# ---------------------------------------------------------------------------- Wilson


# Newcombe (1998) Stat Med 17:857, Table I, method 3 (Wilson score), 95%; confirmed by
# statsmodels proportion_confint(method="wilson") below.
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]


@pytest.mark.parametrize("x,n,lo,up", NEWCOMBE)
def test_wilson_published_values(x, n, lo, up):
    got = S.proportion_ci(x, n).iloc[0]
    sm_lo, sm_up = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert (got.lower, got.upper) == pytest.approx((sm_lo, sm_up), abs=1e-12)
    assert (got.lower, got.upper) == pytest.approx((lo, up), abs=5e-5)
    assert got.value == pytest.approx(x / n)
    assert got.method == "Wilson"


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=10_000),
    frac=st.floats(min_value=0, max_value=1),
    conf=st.sampled_from([0.9, 0.95, 0.99, 0.998]),
)
def test_wilson_matches_statsmodels(n, frac, conf):
    x = int(round(frac * n))
    got = S.proportion_ci(x, n, confidence=conf).iloc[0]
    lo, up = proportion_confint(x, n, alpha=1 - conf, method="wilson")
    assert got.lower == pytest.approx(lo, abs=1e-12)
    assert got.upper == pytest.approx(up, abs=1e-12)


# ---------------------------------------------------------------------------- exact / Byar's


def test_methods_md_check_values_for_30_events():
    # methods.md 1.2: O = 30 at 95% gives Byar's (20.24, 42.83) and exact (20.24, 42.83).
    b = S.byars_ci(30).iloc[0]
    e = S.exact_poisson_ci(30).iloc[0]
    assert (b.lower, b.upper) == pytest.approx((20.24, 42.83), abs=0.005)
    assert (e.lower, e.upper) == pytest.approx((20.24, 42.83), abs=0.005)
    assert (b.lower, b.upper) == pytest.approx(byars_by_hand(30), rel=1e-12)


def test_zero_count_upper_limits():
    # P(X = 0 | lambda) = exp(-lambda) = a/2  =>  upper = -ln(a/2)
    # 95%: -ln(0.025) = 3.6889 (methods.md: 3.689); 99.8%: -ln(0.001) = 6.9078
    r95 = S.rate_ci(0, 1, multiplier=1).iloc[0]
    r998 = S.rate_ci(0, 1, multiplier=1, confidence=0.998).iloc[0]
    assert r95.upper == pytest.approx(3.689, abs=5e-4)
    assert r95.upper == pytest.approx(-math.log(0.025), rel=1e-12)
    assert r998.upper == pytest.approx(-math.log(0.001), rel=1e-12)
    assert r95.lower == 0 and r998.lower == 0
    assert r95.value == 0 and r95.method == "Exact"


@pytest.mark.parametrize("o", [0, 1, 2, 5, 9, 10, 30, 100])
@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_exact_limits_against_poisson_tails(o, conf):
    # Garwood exact limits: P(X >= O | lower) = a/2 and P(X <= O | upper) = a/2
    a = 1 - conf
    got = S.exact_poisson_ci(o, confidence=conf).iloc[0]
    if o > 0:
        assert poisson.sf(o - 1, got.lower) == pytest.approx(a / 2, rel=1e-8)
    else:
        assert got.lower == 0
    assert poisson.cdf(o, got.upper) == pytest.approx(a / 2, rel=1e-8)
    sm = confint_poisson(o, 1, method="exact-c", alpha=a)
    assert (got.lower, got.upper) == pytest.approx((float(sm[0]), float(sm[1])), rel=1e-10)


def test_phe_rate_published_example_65_per_100000():
    # PHEindicatormethods phe_rate(65 events, 100000 pop): 65 (50.16, 82.85) per 100,000.
    # By hand: 65(1 - 1/585 - 1.96/(3*8.0623))^3 = 65*0.917258^3 = 50.163;
    #          66(1 - 1/594 + 1.96/(3*8.1240))^3 = 66*1.078735^3 = 82.849.
    r = S.rate_ci(65, 100_000).iloc[0]
    assert r.value == pytest.approx(65)
    assert (r.lower, r.upper) == pytest.approx((50.16, 82.85), abs=0.005)
    assert r.method == "Byars"


def test_method_switch_at_9_and_10():
    r = S.rate_ci([9, 10], [1000, 1000], multiplier=1000)
    assert list(r["method"]) == ["Exact", "Byars"]
    e9 = confint_poisson(9, 1, method="exact-c", alpha=0.05)
    assert (r.lower[0], r.upper[0]) == pytest.approx((float(e9[0]), float(e9[1])), rel=1e-10)
    assert (r.lower[1], r.upper[1]) == pytest.approx(byars_by_hand(10), rel=1e-12)


def test_rate_ci_at_998():
    z = norm.ppf(0.999)
    r = S.rate_ci([3, 50], [2000, 2000], multiplier=1, confidence=0.998)
    e3 = confint_poisson(3, 2000, method="exact-c", alpha=0.002)
    assert (r.lower[0], r.upper[0]) == pytest.approx((float(e3[0]), float(e3[1])), rel=1e-10)
    lo, up = byars_by_hand(50, z)
    assert (r.lower[1], r.upper[1]) == pytest.approx((lo / 2000, up / 2000), rel=1e-12)


def test_byars_lower_is_missing_where_phe_byars_lower_is():
    # PHEindicatormethods R/utils.R: byars_lower <- x*(1-1/(9*x)-z/(3*sqrt(x)))^3, then
    # byars_lower[byars_lower < 0] <- NA. At x = 0 R computes 0 * (-Inf)^3 = NaN; at x = 1 and
    # 99.8% the bracket is 1 - 1/9 - 3.0902/3 = -0.1413 < 0, so NA. Both are NaN here.
    b0 = S.byars_ci(0).iloc[0]
    assert math.isnan(b0.lower)
    # the upper limit exists at 0: 1*(1 - 1/9 + 1.96/3)^3 = 1.54222^3 = 3.668 (exact: 3.689)
    assert b0.upper == pytest.approx((1 - 1 / 9 + Z95 / 3) ** 3, rel=1e-12)
    assert b0.upper == pytest.approx(3.668, abs=5e-4)
    assert 1 - 1 / 9 - norm.ppf(0.999) / 3 < 0
    assert math.isnan(S.byars_ci(1, confidence=0.998).lower[0])
    # x = 2 at 99.8%: 2*(1 - 1/18 - 3.090232/(3 sqrt 2))^3 = 2*(0.216070)^3 = 0.020175 > 0
    two = S.byars_ci([2, 1], confidence=0.998)
    assert two.lower[0] == pytest.approx(2 * (1 - 1 / 18 - norm.ppf(0.999) / (3 * 2**0.5)) ** 3)
    assert two.lower[0] == pytest.approx(0.020175, abs=1e-6) and math.isnan(two.lower[1])


def test_rate_ci_keeps_the_exact_lower_limit_of_zero_for_no_events():
    # Fingertips/phe_rate never use Byar's below 10 events: O = 0 gives lower 0, upper 3.689.
    r = S.rate_ci(0, 1000, multiplier=1000).iloc[0]
    assert r.lower == 0 and r.upper == pytest.approx(-math.log(0.025), rel=1e-9)
    assert r.method == "Exact"


def test_dsr_takes_a_missing_band_count_as_zero_like_phe_dsr():
    # phe_dsr/calculate_dsr: wt_rate = na.zero(x) * stdpop / n and total_count =
    # sum(x, na.rm = TRUE), so a missing count is 0 events in that band (its population and
    # standard weight stay in). Bands (NA, 20, 30), n = (1000, 2000, 3000), w = (1, 2, 1):
    # DSR = (0 + 2*.01 + 1*.01)/4 = 0.0075 -> 750 per 100,000; O = 50.
    with_missing = S.dsr([np.nan, 20, 30], [1000, 2000, 3000], [1, 2, 1])
    with_zero = S.dsr([0, 20, 30], [1000, 2000, 3000], [1, 2, 1])
    assert with_missing.tolist() == pytest.approx(with_zero.tolist(), rel=1e-15)
    assert with_missing["value"] == pytest.approx(750)
    var = (4 * 20 / 2000**2 + 30 / 3000**2) / 16
    lo, up = byars_by_hand(50)
    s = math.sqrt(var / 50)
    assert with_missing["lower"] == pytest.approx((0.0075 + s * (lo - 50)) * 1e5, rel=1e-12)
    assert with_missing["upper"] == pytest.approx((0.0075 + s * (up - 50)) * 1e5, rel=1e-12)
    # missing counts that leave fewer than 10 events: suppressed as any small total
    assert S.dsr([np.nan, 4, 5], [1000, 1000, 1000], [1, 1, 1]).isna().all()
    with pytest.raises(ValueError, match=r"count\[0\] is NaN"):
        S.dsr([np.nan, 20, 30], [1000, 2000, 3000], [1, 2, 1], missing_count_is_zero=False)
    with pytest.raises(ValueError, match=r"count\[1\] is infinite"):
        S.dsr([1, np.inf, 30], [1000, 2000, 3000], [1, 2, 1])
    with pytest.raises(ValueError, match=r"population\[0\]"):
        S.dsr([10, 20, 30], [np.nan, 2000, 3000], [1, 2, 1])


# ---------------------------------------------------------------------------- vectorisation


def test_vector_inputs_agree():
    counts = [0, 4, 9, 10, 57]
    pops = [500, 1200, 3000, 3100, 90000]
    idx = list("abcde")
    base = S.rate_ci(counts, pops)
    arr = S.rate_ci(np.array(counts), np.array(pops, dtype=float))
    tup = S.rate_ci(tuple(counts), tuple(pops))
    ser = S.rate_ci(pd.Series(counts, index=idx), pd.Series(pops, index=idx))
    pd.testing.assert_frame_equal(base, arr)
    pd.testing.assert_frame_equal(base, tup)
    assert list(ser.index) == idx
    pd.testing.assert_frame_equal(base, ser.reset_index(drop=True))
    for i, (c, p) in enumerate(zip(counts, pops, strict=True)):
        pd.testing.assert_frame_equal(
            S.rate_ci(c, p).reset_index(drop=True), base.iloc[[i]].reset_index(drop=True)
        )


def test_scalar_population_broadcasts():
    a = S.proportion_ci([1, 2, 3], 10)
    b = S.proportion_ci([1, 2, 3], [10, 10, 10])
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------------- DSR


def test_esp2013():
    assert len(S.ESP2013) == 19
    assert S.ESP2013.sum() == 100_000
    assert S.ESP2013.index[0] == "0-4" and S.ESP2013.index[-1] == "90+"
    assert S.ESP2013["85-89"] == 1500 and S.ESP2013["90+"] == 1000


def test_dsr_hand_worked():
    # x = (10, 20, 30), n = (1000, 2000, 3000), w = (1, 2, 1); every band rate is 0.01.
    # DSR = (1*.01 + 2*.01 + 1*.01)/4 = 0.01 -> 1000 per 100,000.
    # var = (1*10/1e6 + 4*20/4e6 + 1*30/9e6)/4^2 = 3.33333e-5/16 = 2.083333e-6
    # O = 60; sqrt(var/O) = 1.863390e-4
    # Byar's(60): lower = 60*(1 - 1/540 - 1.96/(3*7.745967))^3 = 45.7838
    #             upper = 61*(1 - 1/549 + 1.96/(3*7.810250))^3 = 77.2325
    # lower = (0.01 + 1.863390e-4*(45.7838 - 60))*1e5 = 735.10
    # upper = (0.01 + 1.863390e-4*(77.2325 - 60))*1e5 = 1321.12
    got = S.dsr([10, 20, 30], [1000, 2000, 3000], [1, 2, 1])
    assert list(got.index) == ["value", "lower", "upper"]
    assert got["value"] == pytest.approx(1000)
    assert got["lower"] == pytest.approx(735.10, abs=0.01)
    assert got["upper"] == pytest.approx(1321.12, abs=0.01)
    lo, up = byars_by_hand(60)
    s = math.sqrt(2.0833333333333333e-6 / 60)
    assert got["lower"] == pytest.approx((0.01 + s * (lo - 60)) * 1e5, rel=1e-12)
    assert got["upper"] == pytest.approx((0.01 + s * (up - 60)) * 1e5, rel=1e-12)


def test_dsr_single_band_equals_crude_byars_rate():
    # One band: var/O = 1/n^2, so the Dobson limits reduce to Byar's(O)/n * mult.
    got = S.dsr([42], [12345], [1])
    lo, up = byars_by_hand(42)
    assert got["value"] == pytest.approx(42 / 12345 * 1e5)
    assert (got["lower"], got["upper"]) == pytest.approx(
        (lo / 12345 * 1e5, up / 12345 * 1e5), rel=1e-12
    )


def test_dsr_with_esp_and_uniform_rates_equals_that_rate():
    pops = np.linspace(1000, 5000, 19)
    counts = pops * 0.002  # 200 per 100,000 in every band
    got = S.dsr(counts, pops, S.ESP2013)
    assert got["value"] == pytest.approx(200)
    assert got["lower"] < 200 < got["upper"]


def test_dsr_below_ten_events_is_nan():
    got = S.dsr([2, 3, 4], [1000, 1000, 1000], [1, 1, 1])  # total 9
    assert got.isna().all()
    assert list(got.index) == ["value", "lower", "upper"]
    assert S.dsr([2, 3, 5], [1000, 1000, 1000], [1, 1, 1]).notna().all()  # total 10


def test_dsr_length_mismatch_raises():
    with pytest.raises(ValueError, match="same length"):
        S.dsr([10, 20], [100, 200, 300], [1, 1, 1])


# ---------------------------------------------------------------------------- ISR


def test_isr_hand_worked_byars():
    # Reference rates 10/1000 = 0.01 and 20/1000 = 0.02; local populations 1000 and 500.
    # E = 0.01*1000 + 0.02*500 = 20; O = 30 -> ISR = 1.5.
    # Byar's(30) = (20.24, 42.83) (methods.md) -> CI = (1.012, 2.141).
    got = S.isr(30, [1000, 500], [10, 20], [1000, 1000])
    assert got["value"] == pytest.approx(1.5)
    assert (got["lower"], got["upper"]) == pytest.approx((20.24 / 20, 42.83 / 20), abs=5e-4)
    # per-band observed counts are summed
    pd.testing.assert_series_equal(got, S.isr([10, 20], [1000, 500], [10, 20], [1000, 1000]))


def test_isr_small_count_uses_exact():
    # E = 20 as above, O = 5 -> exact Poisson limits of 5 divided by 20.
    got = S.isr(5, [1000, 500], [10, 20], [1000, 1000], confidence=0.998)
    e = confint_poisson(5, 1, method="exact-c", alpha=0.002)
    assert got["value"] == pytest.approx(0.25)
    assert (got["lower"], got["upper"]) == pytest.approx(
        (float(e[0]) / 20, float(e[1]) / 20), rel=1e-10
    )


# ---------------------------------------------------------------------------- Katz / share ratio


def test_katz_scipy_doc_example():
    # scipy docs, relative_risk(27, 122, 44, 487): RR 2.4495156, CI (1.5836991, 3.7886786)
    got = S.rate_ratio_katz(27, 122, 44, 487).iloc[0]
    assert got.value == pytest.approx(2.4495156482861398)
    assert (got.lower, got.upper) == pytest.approx((1.5836990926700116, 3.7886786315466354))


@pytest.mark.parametrize("conf", [0.9, 0.95, 0.998])
def test_katz_matches_scipy_grid(conf):
    cases = [(5, 50, 7, 300), (120, 4000, 300, 90000), (1, 2, 1, 3), (40, 40, 10, 80)]
    got = S.rate_ratio_katz(*map(list, zip(*cases, strict=True)), confidence=conf)
    for i, c in enumerate(cases):
        r = relative_risk(*c)
        ci = r.confidence_interval(conf)
        assert got.value[i] == pytest.approx(r.relative_risk)
        assert (got.lower[i], got.upper[i]) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_katz_zero_counts_give_uninformative_interval():
    got = S.rate_ratio_katz([0, 5, 0], 100, [5, 0, 0], 100)
    assert got.value[0] == 0 and got.value[1] == np.inf and np.isnan(got.value[2])
    assert (got.lower == 0).all() and np.isinf(got.upper).all()


def test_share_ratio_waltham_forest_example():
    # methods.md 2.1: share s = 0.50 with population share pi = 0.20 gives DR = 2.5.
    got = S.share_ratio(50, 100, 0.2).iloc[0]
    lo, up = proportion_confint(50, 100, alpha=0.05, method="wilson")
    assert got.value == pytest.approx(2.5)
    assert (got.lower, got.upper) == pytest.approx((lo / 0.2, up / 0.2), rel=1e-12)


def test_share_ratio_rejects_share_above_one():
    with pytest.raises(ValueError, match=r"population_share\[1\]"):
        S.share_ratio([1, 2], [10, 10], [0.5, 1.5])


# ---------------------------------------------------------------------------- benchmarking


def test_fingertips_compare():
    got = S.fingertips_compare(
        100, [80, 101, 100, 50, np.nan, 90], [99, 130, 120, 100, 120, np.inf]
    )
    assert list(got) == ["Lower", "Higher", "Similar", "Similar", "Not compared", "Similar"]
    assert S.fingertips_compare(1.0, 1.2, 1.5) == "Higher"
    assert S.fingertips_compare(np.nan, 1.2, 1.5) == "Not compared"


def test_fingertips_compare_suppressed_dsr():
    d = S.dsr([1, 2], [1000, 1000], [1, 1])
    assert S.fingertips_compare(150.0, d["lower"], d["upper"]) == "Not compared"


def test_fingertips_compare_lower_above_upper_raises():
    with pytest.raises(ValueError, match=r"lower\[1\]"):
        S.fingertips_compare(1, [0, 3], [2, 2])


# ---------------------------------------------------------------------------- trend


def test_chi2_linear_trend_hand_worked():
    # r = (1, 2, 3), n = (10, 10, 10), t = (1, 2, 3)
    # N = 30, R = 6, sum(r t) = 14, sum(n t) = 60, sum(n t^2) = 140
    # X2 = 30*(30*14 - 6*60)^2 / [6*24*(30*140 - 60^2)] = 30*3600 / (144*600) = 1.25
    # p = P(chi2_1 > 1.25) = 0.26355
    stat, p = S.chi2_linear_trend([1, 2, 3], [10, 10, 10], [1, 2, 3])
    assert stat == pytest.approx(1.25)
    assert p == pytest.approx(0.26355, abs=5e-6)


def test_chi2_linear_trend_against_statsmodels():
    # statsmodels' linear-by-linear test gives z^2 = (N - 1) r^2; Cochran-Armitage uses N r^2.
    r = np.array([120, 131, 150, 148, 170])
    n = np.array([40000, 40500, 41000, 41800, 42500])
    t = np.array([2019, 2020, 2021, 2022, 2023])
    table = Table(np.vstack([r, n - r]))
    res = table.test_ordinal_association(row_scores=np.array([1, 0]), col_scores=t)
    big_n = n.sum()
    stat, p = S.chi2_linear_trend(r, n, t)
    assert stat == pytest.approx(res.zscore**2 * big_n / (big_n - 1), rel=1e-9)


def test_chi2_linear_trend_undefined_is_nan():
    stat, p = S.chi2_linear_trend([0, 0, 0], [10, 10, 10], [1, 2, 3])
    assert math.isnan(stat) and math.isnan(p)


def test_trend_markers():
    pop = [100_000] * 5
    t = [2019, 2020, 2021, 2022, 2023]
    assert S.fingertips_trend_marker([100, 120, 140, 160, 180], pop, t) == "Increasing"
    assert S.fingertips_trend_marker([180, 160, 140, 120, 100], pop, t) == "Decreasing"
    assert S.fingertips_trend_marker([100] * 5, pop, t) == "No significant change"
    assert S.fingertips_trend_marker([100, 120, 140, 160], pop[:4], t[:4]) == (
        "Cannot be calculated"
    )
    assert S.fingertips_trend_marker([0] * 5, pop, t) == "Cannot be calculated"
    # zero count: ln(rate) undefined, direction from the trend score
    assert S.fingertips_trend_marker([0, 0, 5, 10, 20], [1000] * 5, t) == "Increasing"


def test_trend_marker_confidence_threshold():
    # X2 for this series is 5.52 (by the formula): above 3.8415 (95%) but below 9.5495 (99.8%)
    counts = [100, 108, 116, 124, 132]
    pop = [100_000] * 5
    t = range(5)
    stat, _ = S.chi2_linear_trend(counts, pop, t)
    assert 3.8415 < stat < 9.5495
    assert S.fingertips_trend_marker(counts, pop, t, confidence=0.95) == "Increasing"
    assert S.fingertips_trend_marker(counts, pop, t, confidence=0.998) == "No significant change"


# ---------------------------------------------------------------------------- concentration


def gini_mean_difference(x):
    # Independent form: G = sum_i sum_j |x_i - x_j| / (2 N^2 mean)
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())


@pytest.mark.parametrize(
    "x,expected",
    [
        # [1,2,3,4]: 2*(1+4+9+16)/(4*10) - 5/4 = 1.5 - 1.25 = 0.25
        ([4, 1, 3, 2], 0.25),
        # [0,0,0,10]: 2*(4*10)/(4*10) - 5/4 = 0.75
        ([0, 10, 0, 0], 0.75),
        ([5, 5, 5], 0.0),
        ([7], 0.0),
    ],
)
def test_gini_hand_worked(x, expected):
    assert S.gini(x) == pytest.approx(expected, abs=1e-12)
    assert S.gini(x) == pytest.approx(gini_mean_difference(x), abs=1e-12)


def test_gini_no_events_is_nan():
    assert math.isnan(S.gini([0, 0, 0]))


def test_top_share_hand_worked():
    # [5,0,0,1,4] total 10: top 20% = ceil(1.0) = 1 unit -> 5/10; top 50% = ceil(2.5) = 3 -> 10/10
    assert S.top_share([5, 0, 0, 1, 4], 0.2) == pytest.approx(0.5)
    assert S.top_share([5, 0, 0, 1, 4], 0.5) == pytest.approx(1.0)
    # 0..29 total 435: top 10% = 3 units (29+28+27 = 84), not 4 (0.1*30 is 3.0000000000000004)
    assert S.top_share(range(30), 0.1) == pytest.approx(84 / 435)
    assert S.top_share([3, 1], 1.0) == pytest.approx(1.0)
    assert math.isnan(S.top_share([0, 0], 0.5))
    with pytest.raises(ValueError, match="fraction"):
        S.top_share([1, 2], 0)


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "call,pattern",
    [
        (lambda: S.rate_ci([1, 2, -1], 100), r"count\[2\] = -1 is negative"),
        (
            lambda: S.proportion_ci([1, 12], [10, 10]),
            r"numerator\[1\] = 12 exceeds denominator\[1\]",
        ),
        (lambda: S.rate_ci([1, 2], [0, 10]), r"population\[0\] = 0 is zero or negative"),
        (lambda: S.rate_ci([1, np.nan], 10), r"count\[1\] is NaN"),
        (lambda: S.proportion_ci([1, None], 10), r"numerator\[1\] is NaN"),
        (lambda: S.rate_ci(pd.Series([1.0, pd.NA]), 10), r"count\[1\] is NaN"),
        (
            lambda: S.rate_ci([1, 2, 3], [10, 20]),
            r"do not broadcast.*count has 3.*population has 2",
        ),
        (lambda: S.exact_poisson_ci([3, -2]), r"count\[1\]"),
        (lambda: S.byars_ci([np.inf]), r"count\[0\] is infinite"),
        (lambda: S.dsr([10, -1], [10, 10], [1, 1]), r"count\[1\]"),
        (lambda: S.isr(10, [10, 10], [1, 1], [100, 0]), r"reference_population\[1\]"),
        (lambda: S.rate_ratio_katz([3, 5], [10, 4], 1, 10), r"x1\[1\] = 5 exceeds n1\[1\] = 4"),
        (lambda: S.rate_ratio_katz(1, 10, 1, [10, -3]), r"n2\[1\]"),
        (lambda: S.chi2_linear_trend([1, 2], [10, 1], [1, 2]), r"counts\[1\] = 2 exceeds"),
        (lambda: S.gini([1, -2]), r"counts\[1\] = -2 is negative"),
        (lambda: S.rate_ci(1, 10, multiplier=0), r"multiplier"),
        (lambda: S.rate_ci([[1, 2]], 10), r"one-dimensional"),
        (lambda: S.rate_ci(["a"], 10), r"count must be numeric"),
    ],
)
def test_value_errors_name_the_element(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
