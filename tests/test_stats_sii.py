"""Tests for pipeline.stats.sii (slope and relative index of inequality, ``phe_sii``).

Expected numbers come from outside the code under test:

* published ``phe_sii`` output: the PHEindicatormethods vignette "Worked examples for phe_sii
  function" (``vignettes/WorkedExamples_phe_sii.Rmd``, rendered in ``inst/doc``), run on the
  package's example data, whose rows are in the repository's ``tests/testthat/*.csv`` files
  (cited at each table below). The point estimates are deterministic least squares and must
  agree to the 7 significant figures printed; the simulated limits agree to a tolerance set
  by the Monte Carlo error of both runs (derived in :func:`percentile_tolerance`);
* textbook weighted least squares (slope ``sum w (x - xbar)(y - ybar) / sum w (x - xbar)^2``)
  and numpy.polyfit, written out independently of the module;
* normal theory: the fitted slope is linear in the quantile values, so with normal draws it is
  exactly normal with a standard deviation computed by hand below.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from pipeline import stats as S
from pipeline.stats import sii

Z95 = 1.959963984540054  # Phi^-1(0.975)


def percentile_tolerance(lower: float, upper: float, repetitions: int, confidence=0.95) -> float:
    """Five standard deviations of a simulated percentile limit.

    A sample p-quantile of n draws has standard deviation sqrt(p (1 - p) / n) / f(x_p). With
    the simulated statistic roughly normal of sd s = half-width / z, f(x_p) = phi(z) / s.
    """
    z = norm.ppf(confidence + (1 - confidence) / 2)
    p = (1 - confidence) / 2
    s = (upper - lower) / 2 / z
    return 5 * math.sqrt(p * (1 - p) / repetitions) * s / norm.pdf(z)


# --------------------------------------------------------------------------------------------
# Golden values 1: rates, value_type=1, transform=TRUE, rii=TRUE, 100,000 repetitions.
# Input: PHEindicatormethods tests/testthat/DSR_testdata.csv (the package's DSR_data), three
# of its six periods. Output: the vignette's "Example 2 - rate" table (reliability_stat=TRUE,
# so it also prints the mean absolute difference, MAD, between repeat runs' limits).
# --------------------------------------------------------------------------------------------

DSR_ROWS = [
    # period, quintile, total_pop, value, lowercl, uppercl
    (2010, 1, 1434002, 150.2200205, 147.3194185, 153.1498241),
    (2010, 2, 1450590, 131.0221747, 128.3676972, 133.7051129),
    (2010, 3, 1453827, 127.4954973, 125.0421198, 129.975513),
    (2010, 4, 1440980, 130.494241, 128.2469515, 132.7657553),
    (2010, 5, 1457780, 135.4664241, 133.2469515, 137.8657553),
    (2011, 1, 1445258, 148.4061234, 145.5359227, 151.3052827),
    (2011, 2, 1467772, 131.7211691, 129.0779928, 134.3924424),
    (2011, 3, 1470806, 125.0341288, 122.6267941, 127.4677057),
    (2011, 4, 1454888, 130.3084574, 128.0909634, 132.549757),
    (2011, 5, 1457780, 135.4664241, 133.2469515, 137.8657553),
    (2015, 1, 1508923, 143.8177637, 141.0941843, 146.568661),
    (2015, 2, 1538008, 127.2058426, 124.7351196, 129.7026732),
    (2015, 3, 1538564, 122.4106945, 120.1654081, 124.6801651),
    (2015, 4, 1509602, 126.3922397, 124.3450367, 128.4613495),
    (2015, 5, 1457780, 135.4664241, 133.2469515, 137.8657553),
]
DSR = pd.DataFrame(DSR_ROWS, columns=["period", "quintile", "pop", "value", "lower", "upper"])

# period: sii, rii, sii_lower, sii_upper, rii_lower, rii_upper, sii_mad, rii_mad
DSR_VIGNETTE = {
    2010: (-14.03684, 0.9010655, -17.95990, -10.126662, 0.8752420, 0.9275826, 0.0130479, 0.0000876),
    2011: (-12.83196, 0.9086641, -16.72001, -8.917710, 0.8827020, 0.9355915, 0.0280356, 0.0001918),
    2015: (-8.53077, 0.9368534, -12.23824, -4.816133, 0.9106841, 0.9638401, 0.0152442, 0.0001095),
}  # fmt: skip


def mad_tolerance(mad: float) -> float:
    """Five standard deviations of (our limit - phe_sii's limit) from the published MAD.

    MAD is E|L1 - Lj| between independent runs = 2 sd / sqrt(pi), so sd = MAD sqrt(pi) / 2;
    the difference of two independent runs has sd sqrt(2) times that.
    """
    return 5 * math.sqrt(2) * mad * math.sqrt(math.pi) / 2


@pytest.mark.parametrize("period", sorted(DSR_VIGNETTE))
def test_rate_with_log_transform_matches_the_phe_sii_vignette(period):
    g = DSR.loc[DSR["period"] == period]
    r = sii(
        g["quintile"], g["pop"], g["value"], value_type=1, lower=g["lower"], upper=g["upper"],
        transform=True, seed=20240501,
    )  # fmt: skip
    est, rii, s_lo, s_up, r_lo, r_up, s_mad, r_mad = DSR_VIGNETTE[period]
    assert r.sii == pytest.approx(est, rel=1e-6)
    assert r.rii == pytest.approx(rii, rel=1e-6)
    assert r.rii_reason is None
    assert r.sii_lower == pytest.approx(s_lo, abs=mad_tolerance(s_mad))
    assert r.sii_upper == pytest.approx(s_up, abs=mad_tolerance(s_mad))
    assert r.rii_lower == pytest.approx(r_lo, abs=mad_tolerance(r_mad))
    assert r.rii_upper == pytest.approx(r_up, abs=mad_tolerance(r_mad))


# --------------------------------------------------------------------------------------------
# Golden values 2: proportions, value_type=2, transform=TRUE, multiplier=-100, 100,000 reps.
# Input: PHEindicatormethods tests/testthat/NCMP_testdata.csv (the package's prevalence_data),
# period 607, AreaCode E92000001, both school years; Rate, LCL and UCL divided by 100 as the
# vignette does. Output: the vignette's "Example 3 - proportion" table.
# --------------------------------------------------------------------------------------------

NCMP_ROWS = {
    # school year: (decile, measured, rate %, LCL %, UCL %) for deciles 1-10
    "6": [
        (1, 34353, 21.2121212121212, 20.7830499225555, 21.6476300812899),
        (2, 32112, 21.4281265570503, 20.9827711465288, 21.8803170788612),
        (3, 27715, 20.4077214504781, 19.9373517258999, 20.8862933590925),
        (4, 25372, 19.1865048084503, 18.7066648694241, 19.675673996565),
        (5, 23889, 17.4808489262841, 17.0044640703038, 17.9676905527535),
        (6, 23260, 16.6638005159071, 16.190410576997, 17.148199783417),
        (7, 23180, 15.6039689387403, 15.1425075468518, 16.0768288675927),
        (8, 24193, 14.6571322283305, 14.2170753783533, 15.1084110529924),
        (9, 23609, 14.0370197805921, 13.5997670936376, 14.4859737537153),
        (10, 24488, 12.0875530872264, 11.6852009907382, 12.5017980504761),
    ],
    "R": [
        (1, 36111, 12.0794217828363, 11.7473271937339, 12.4195834343315),
        (2, 31803, 11.7410307203723, 11.3918517825361, 12.0994510822713),
        (3, 26681, 11.3638919080994, 10.9886239767609, 11.7502836842961),
        (4, 24184, 10.5896460469732, 10.2080757108839, 10.9837345114021),
        (5, 23023, 10.0073839204274, 9.62638859468932, 10.4017228033421),
        (6, 21506, 9.41132707151493, 9.02830437346462, 9.80884729303046),
        (7, 22197, 8.730909582376, 8.36665612937408, 9.10944479237356),
        (8, 23679, 8.36606275602855, 8.02012076260088, 8.72551115710111),
        (9, 23271, 7.97559193846418, 7.63441201710209, 8.33064392278473),
        (10, 23464, 6.96812137742925, 6.64933849950753, 7.30099206057122),
    ],
}
# school year: sii, sii_lower, sii_upper (no MAD printed: tolerance from percentile_tolerance)
NCMP_VIGNETTE = {"6": (10.964626, 10.442276, 11.487365), "R": (5.970062, 5.549097, 6.393890)}


@pytest.mark.parametrize("year", sorted(NCMP_VIGNETTE))
def test_proportion_with_logit_transform_and_multiplier_minus_100_matches_the_vignette(year):
    d, n, rate, lcl, ucl = (np.array(c, dtype=float) for c in zip(*NCMP_ROWS[year], strict=True))
    r = sii(
        d, n, rate / 100, value_type=2, lower=lcl / 100, upper=ucl / 100, transform=True,
        multiplier=-100, seed=7,
    )  # fmt: skip
    est, lo, up = NCMP_VIGNETTE[year]
    assert r.sii == pytest.approx(est, rel=1e-6)
    # both runs have Monte Carlo error of this size: sqrt(2) times one run's
    tol = math.sqrt(2) * percentile_tolerance(lo, up, 100_000)
    assert r.sii_lower == pytest.approx(lo, abs=tol)
    assert r.sii_upper == pytest.approx(up, abs=tol)
    # a negative multiplier reports 1 / RII: prevalence falls towards less deprived deciles,
    # so the most-deprived end over the least-deprived end is above 1
    assert r.rii == pytest.approx(r.fitted_most_deprived / r.fitted_least_deprived)
    assert r.rii > 1 and r.rii_lower < r.rii < r.rii_upper


# --------------------------------------------------------------------------------------------
# Golden values 3: life expectancy, value_type=0, se given, confidence c(0.95, 0.998), only
# 1,000 repetitions in phe_sii. Input: PHEindicatormethods tests/testthat/LE_testdata.csv
# (the package's LE_data), Sex 1, two areas. Output: the vignette's "Example 1" table.
# --------------------------------------------------------------------------------------------

LE_ROWS = {
    # area: (pop, life expectancy, SE) for deciles 1-10
    "E06000001": [
        (13837, 70.56313911, 1.133868862), (14519, 72.61347473, 1.020288759),
        (14940, 75.06710359, 1.108685178), (14599, 75.20662276, 1.485618539),
        (12311, 76.23469045, 1.311653285), (13196, 75.21801932, 1.169033147),
        (13335, 77.09240397, 1.306645801), (13388, 79.84156222, 1.090905616),
        (13685, 80.81329918, 0.979426096), (11779, 82.73763832, 1.319452272),
    ],
    "E06000004": [
        (31147, 69.20108791, 0.796193843), (30866, 74.21283732, 0.821750976),
        (25433, 74.932479, 0.938102831), (32212, 76.34881505, 0.662956404),
        (27863, 78.68231391, 0.683456844), (27336, 79.80919091, 0.840229937),
        (24888, 81.06231776, 1.014952532), (28320, 81.52758251, 0.804054345),
        (30546, 84.52806861, 0.705796375), (28027, 82.36568616, 0.884730389),
    ],
}  # fmt: skip
# area: sii, sii_lower95, sii_upper95
LE_VIGNETTE = {
    "E06000001": (11.68886, 9.215442, 14.07460),
    "E06000004": (14.85223, 13.029586, 16.66506),
}


@pytest.mark.parametrize("area", sorted(LE_VIGNETTE))
def test_indicator_with_given_se_matches_the_vignette(area):
    pop, le, se = (np.array(c) for c in zip(*LE_ROWS[area], strict=True))
    r = sii(np.arange(1, 11), pop, le, se=se, confidence=(0.95, 0.998), seed=3)
    est, lo, up = LE_VIGNETTE[area]
    assert r.sii == pytest.approx(est, rel=1e-6)
    # phe_sii ran 1,000 draws, we run 100,000: its Monte Carlo error dominates
    tol = math.hypot(percentile_tolerance(lo, up, 1000), percentile_tolerance(lo, up, 100_000))
    assert r.sii_lower == pytest.approx(lo, abs=tol)
    assert r.sii_upper == pytest.approx(up, abs=tol)
    wide = r.at(0.998)
    assert wide.sii_lower < r.sii_lower and wide.sii_upper > r.sii_upper


# --------------------------------------------------------------------------------------------
# Independent calculations on tiny frames
# --------------------------------------------------------------------------------------------

POP = np.array([200.0, 300.0, 250.0, 150.0, 100.0])  # shares .2 .3 .25 .15 .1
# mid-point ranks by hand: .1, .2 + .15 = .35, .5 + .125 = .625, .75 + .075 = .825, .95
RANKS = np.array([0.1, 0.35, 0.625, 0.825, 0.95])
VALUES = np.array([52.0, 41.0, 37.0, 30.0, 26.0])
SES = np.array([2.0, 1.5, 1.8, 2.5, 3.0])


def wls_by_hand(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of weighted least squares, textbook formulae."""
    w = w / w.sum()
    xbar, ybar = np.sum(w * x), np.sum(w * y)
    slope = np.sum(w * (x - xbar) * (y - ybar)) / np.sum(w * (x - xbar) ** 2)
    return ybar - slope * xbar, slope


def slope_weights(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """c with slope = c . y for the weighted fit (so var(slope) = sum c^2 var(y))."""
    w = w / w.sum()
    xbar = np.sum(w * x)
    return w * (x - xbar) / np.sum(w * (x - xbar) ** 2)


def test_midpoint_ranks_follow_phe_sii_documentation():
    # phe_sii docs: quantile 1 with 12% of the population has rank 0.06; quantile 2 with 10%
    # has 0.12 + 0.10/2 = 0.17
    assert S.sii.__module__ == "pipeline.stats.sii"
    from pipeline.stats.sii import midpoint_rank

    np.testing.assert_allclose(midpoint_rank(POP), RANKS)
    np.testing.assert_allclose(midpoint_rank(np.array([12.0, 10.0, 78.0]))[:2], [0.06, 0.17])


def test_point_estimates_equal_a_hand_weighted_fit_and_numpy_polyfit():
    r = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, seed=1, repetitions=1000)
    a, b = wls_by_hand(RANKS, VALUES, POP)
    # numpy.polyfit weights multiply the residuals, so w = sqrt(share) gives share-weighted LS
    b_np, a_np = np.polyfit(RANKS, VALUES, 1, w=np.sqrt(POP / POP.sum()))
    assert (a, b) == pytest.approx((a_np, b_np), rel=1e-12)
    assert r.slope == pytest.approx(b, rel=1e-12)
    assert r.sii == pytest.approx(b, rel=1e-12)
    assert r.intercept == pytest.approx(a, rel=1e-12)
    assert r.fitted_most_deprived == pytest.approx(a, rel=1e-12)
    assert r.fitted_least_deprived == pytest.approx(a + b, rel=1e-12)
    assert r.rii == pytest.approx((a + b) / a, rel=1e-12)


def test_an_exact_line_gives_its_slope_and_ratio_whatever_the_populations():
    # y = 10 + 20 x at each mid-point rank: SII 20, RII 30 / 10 = 3
    r = sii([1, 2, 3, 4, 5], POP, 10 + 20 * RANKS, se=np.full(5, 0.5), seed=2)
    assert r.sii == pytest.approx(20.0) and r.rii == pytest.approx(3.0)
    assert r.sii_lower < 20 < r.sii_upper and r.rii_lower < 3 < r.rii_upper


def test_indicator_limits_equal_normal_theory_at_both_levels():
    # value_type 0: draws N(value, se), slope = c . y is exactly normal with sd below
    r = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, confidence=(0.95, 0.998), seed=11)
    sd = math.sqrt(np.sum(slope_weights(RANKS, POP) ** 2 * SES**2))
    for conf in (0.95, 0.998):
        z = norm.ppf(conf + (1 - conf) / 2)
        lo, up = r.sii - z * sd, r.sii + z * sd
        tol = percentile_tolerance(lo, up, 100_000, conf)
        assert r.at(conf).sii_lower == pytest.approx(lo, abs=tol)
        assert r.at(conf).sii_upper == pytest.approx(up, abs=tol)


def test_limits_are_phe_sii_order_statistics_of_the_documented_draws():
    # phe_sii takes sorted draw round(n (1 - q)) and round(n q), 1-based: for n = 100,000 at
    # 95% the 2,500th and 97,500th. The draws are rng.normal(value, se, size=(k, n)) with
    # numpy's default_rng(seed) (the documented layout); the slopes are refitted here with the
    # textbook weights, independently of the module's regression.
    rng = np.random.default_rng(61)
    draws = rng.normal(VALUES[:, None], SES[:, None], size=(5, 100_000))
    slopes = np.sort(slope_weights(RANKS, POP) @ draws)
    r = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, seed=61)
    assert r.sii_lower == pytest.approx(slopes[2500 - 1], rel=1e-9)
    assert r.sii_upper == pytest.approx(slopes[97500 - 1], rel=1e-9)


def test_limits_derive_se_from_95_percent_limits_whatever_the_output_level():
    # the same SEs given as 95% limits give the same draws, so identical results
    by_se = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, confidence=0.998, seed=5)
    by_limits = sii(
        [1, 2, 3, 4, 5], POP, VALUES, lower=VALUES - Z95 * SES, upper=VALUES + Z95 * SES,
        confidence=0.998, seed=5,
    )  # fmt: skip
    assert by_limits.sii_lower == pytest.approx(by_se.sii_lower, rel=1e-12)
    assert by_limits.sii_upper == pytest.approx(by_se.sii_upper, rel=1e-12)


RATES = np.array([152.0, 131.0, 127.0, 118.0, 102.0])
RATE_LOWER, RATE_UPPER = RATES * 0.96, RATES * 1.04


def test_rate_with_transform_limits_follow_normal_theory_on_the_log_scale():
    r = sii(
        [1, 2, 3, 4, 5], POP, RATES, value_type=1, lower=RATE_LOWER, upper=RATE_UPPER,
        transform=True, seed=13,
    )  # fmt: skip
    a, b = wls_by_hand(RANKS, np.log(RATES), POP)
    se_log = (np.log(RATE_UPPER) - np.log(RATE_LOWER)) / (2 * Z95)
    sd = math.sqrt(np.sum(slope_weights(RANKS, POP) ** 2 * se_log**2))
    lo_slope, up_slope = b - Z95 * sd, b + Z95 * sd
    mid = a + b / 2

    def sii_of(s):  # phe_sii pivots the line about its mid-point on the log scale
        return math.exp(mid + s / 2) - math.exp(mid - s / 2)

    assert r.sii == pytest.approx(math.exp(a + b) - math.exp(a), rel=1e-12)
    assert r.rii == pytest.approx(math.exp(b), rel=1e-12)
    assert r.intercept == pytest.approx(math.exp(a), rel=1e-12)
    assert r.slope == pytest.approx(b, rel=1e-12)
    slope_tol = percentile_tolerance(lo_slope, up_slope, 100_000)
    gradient = math.exp(mid) * math.cosh(b / 2)  # d sii_of / ds, to carry the tolerance
    assert r.sii_lower == pytest.approx(sii_of(lo_slope), abs=gradient * slope_tol)
    assert r.sii_upper == pytest.approx(sii_of(up_slope), abs=gradient * slope_tol)
    assert r.rii_lower == pytest.approx(math.exp(lo_slope), rel=2 * slope_tol)
    assert r.rii_upper == pytest.approx(math.exp(up_slope), rel=2 * slope_tol)
    assert "simulated and fitted on the log scale" in r.method


def test_rate_without_transform_simulates_on_the_log_scale_and_fits_rates():
    r = sii([1, 2, 3, 4, 5], POP, RATES, value_type=1, lower=RATE_LOWER, upper=RATE_UPPER, seed=17)
    a, b = wls_by_hand(RANKS, RATES, POP)
    assert r.sii == pytest.approx(b, rel=1e-12) and r.rii == pytest.approx((a + b) / a)
    # delta method: exp(N(ln v, s)) has sd ~ v s for small s (here s = 0.02)
    se_log = (np.log(RATE_UPPER) - np.log(RATE_LOWER)) / (2 * Z95)
    sd = math.sqrt(np.sum(slope_weights(RANKS, POP) ** 2 * (RATES * se_log) ** 2))
    lo, up = b - Z95 * sd, b + Z95 * sd
    tol = percentile_tolerance(lo, up, 100_000) + 0.01 * (up - lo) / 2  # + delta-method error
    assert r.sii_lower == pytest.approx(lo, abs=tol)
    assert r.sii_upper == pytest.approx(up, abs=tol)
    assert "simulated on the log scale, fitted on the value scale" in r.method


PROPS = np.array([0.31, 0.27, 0.22, 0.18, 0.12])
LOGIT_SE = np.array([0.03, 0.025, 0.03, 0.04, 0.05])


def logistic(t):
    return 1 / (1 + np.exp(-t))


def test_proportion_with_transform_back_transforms_by_inverse_logit():
    logit = np.log(PROPS / (1 - PROPS))
    lower, upper = logistic(logit - Z95 * LOGIT_SE), logistic(logit + Z95 * LOGIT_SE)
    r = sii([1, 2, 3, 4, 5], POP, PROPS, value_type=2, lower=lower, upper=upper,
            transform=True, multiplier=100, seed=19)  # fmt: skip
    a, b = wls_by_hand(RANKS, logit, POP)
    assert r.sii == pytest.approx(100 * (logistic(a + b) - logistic(a)), rel=1e-12)
    assert r.rii == pytest.approx(logistic(a + b) / logistic(a), rel=1e-12)
    assert r.intercept == pytest.approx(100 * logistic(a), rel=1e-12)
    sd = math.sqrt(np.sum(slope_weights(RANKS, POP) ** 2 * LOGIT_SE**2))
    mid, lo_slope = a + b / 2, b - Z95 * sd
    expected_lower = 100 * (logistic(mid + lo_slope / 2) - logistic(mid - lo_slope / 2))
    tol = 100 * percentile_tolerance(b - Z95 * sd, b + Z95 * sd, 100_000)  # slope 1 -> 100
    assert r.sii_lower == pytest.approx(expected_lower, abs=tol)


def test_proportion_without_transform_takes_se_on_the_logit_scale():
    r = sii([1, 2, 3, 4, 5], POP, PROPS, value_type=2, se=LOGIT_SE, seed=23)
    a, b = wls_by_hand(RANKS, PROPS, POP)
    assert r.sii == pytest.approx(b, rel=1e-12)
    # delta method: sd of inverse-logit draws ~ p (1 - p) se
    sd = math.sqrt(np.sum(slope_weights(RANKS, POP) ** 2 * (PROPS * (1 - PROPS) * LOGIT_SE) ** 2))
    lo, up = b - Z95 * sd, b + Z95 * sd
    tol = percentile_tolerance(lo, up, 100_000) + 0.01 * (up - lo) / 2
    assert (r.sii_lower, r.sii_upper) == pytest.approx((lo, up), abs=tol)


# --------------------------------------------------------------------------------------------
# Negative multiplier
# --------------------------------------------------------------------------------------------


def test_negative_multiplier_reverses_the_sii_and_inverts_the_rii():
    kw = dict(se=SES, seed=29)
    plus = sii([1, 2, 3, 4, 5], POP, VALUES, **kw)
    minus = sii([1, 2, 3, 4, 5], POP, VALUES, multiplier=-1, **kw)
    assert minus.sii == pytest.approx(-plus.sii) and minus.rii == pytest.approx(1 / plus.rii)
    # same draws, multiplied then sorted: the mirrored limits are neighbouring order statistics
    half = (plus.sii_upper - plus.sii_lower) / 2
    assert minus.sii_lower == pytest.approx(-plus.sii_upper, abs=0.01 * half)
    assert minus.sii_upper == pytest.approx(-plus.sii_lower, abs=0.01 * half)
    assert minus.rii_lower == pytest.approx(1 / plus.rii_upper, rel=1e-3)
    assert minus.rii_upper == pytest.approx(1 / plus.rii_lower, rel=1e-3)
    assert minus.sii_lower < minus.sii < minus.sii_upper
    scaled = sii([1, 2, 3, 4, 5], POP, VALUES, multiplier=-100, **kw)
    assert scaled.sii == pytest.approx(-100 * plus.sii)
    assert scaled.rii == pytest.approx(minus.rii)  # the RII does not scale


def test_negative_multiplier_with_transform_swaps_the_pivoted_limits_exactly():
    kw = dict(value_type=1, lower=RATE_LOWER, upper=RATE_UPPER, transform=True, seed=31)
    plus = sii([1, 2, 3, 4, 5], POP, RATES, **kw)
    minus = sii([1, 2, 3, 4, 5], POP, RATES, multiplier=-1, **kw)
    assert minus.sii == pytest.approx(-plus.sii, rel=1e-12)
    assert (minus.sii_lower, minus.sii_upper) == pytest.approx(
        (-plus.sii_upper, -plus.sii_lower), rel=1e-12
    )
    assert (minus.rii, minus.rii_lower, minus.rii_upper) == pytest.approx(
        (1 / plus.rii, 1 / plus.rii_upper, 1 / plus.rii_lower), rel=1e-12
    )
    assert minus.intercept == pytest.approx(plus.intercept)  # |multiplier| as phe_sii


def test_sii_is_the_multiplier_times_the_difference_of_the_fitted_ends():
    cases = [
        dict(value=VALUES, se=SES, multiplier=-1),
        dict(value=RATES, value_type=1, lower=RATE_LOWER, upper=RATE_UPPER, multiplier=1000),
        dict(value=RATES, value_type=1, lower=RATE_LOWER, upper=RATE_UPPER, transform=True,
             multiplier=-1),
        dict(value=PROPS, value_type=2, se=LOGIT_SE, multiplier=-100),
    ]  # fmt: skip
    for kw in cases:
        r = sii([1, 2, 3, 4, 5], POP, seed=1, repetitions=1000, **kw)
        expected = r.multiplier * (r.fitted_least_deprived - r.fitted_most_deprived)
        assert r.sii == pytest.approx(expected, rel=1e-12), kw


# --------------------------------------------------------------------------------------------
# When the RII is not reported
# --------------------------------------------------------------------------------------------

STEEP = np.array([9.0, 6.0, 3.0, 1.0, 0.2])  # fitted line crosses zero before rank 1


def test_rii_is_not_reported_when_the_least_deprived_fitted_value_is_not_positive():
    equal = np.full(5, 100.0)  # ranks .1 .3 .5 .7 .9
    a, b = wls_by_hand(np.array([0.1, 0.3, 0.5, 0.7, 0.9]), STEEP, equal)
    assert a + b <= 0 < a  # the premise: least-deprived end below zero
    r = sii([1, 2, 3, 4, 5], equal, STEEP, se=np.full(5, 0.3), multiplier=-1, seed=37)
    assert r.sii == pytest.approx(-b)  # the SII is still reported
    assert r.sii_lower < r.sii < r.sii_upper
    assert math.isnan(r.rii) and math.isnan(r.rii_lower) and math.isnan(r.rii_upper)
    assert "least-deprived end" in r.rii_reason and "<= 0" in r.rii_reason
    assert r.fitted_least_deprived == pytest.approx(a + b)


def test_rii_is_not_reported_when_simulated_lines_cross_zero_too_often():
    # both fitted ends positive, but the SEs are so large that many draws put one below zero
    values = np.array([2.0, 1.8, 1.5, 1.2, 1.0])
    r = sii([1, 2, 3, 4, 5], POP, values, se=np.full(5, 3.0), seed=41)
    assert r.fitted_most_deprived > 0 and r.fitted_least_deprived > 0
    assert math.isnan(r.rii) and "simulated lines" in r.rii_reason


def test_rii_is_reported_with_a_reason_of_none_when_both_ends_are_positive():
    r = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, seed=43)
    assert r.rii_reason is None and r.rii_lower < r.rii < r.rii_upper


# --------------------------------------------------------------------------------------------
# Determinism, ordering and the result's shape
# --------------------------------------------------------------------------------------------


def test_a_seed_makes_the_result_reproducible_and_another_seed_changes_the_limits():
    kw = dict(se=SES, confidence=(0.95, 0.998))
    first = sii([1, 2, 3, 4, 5], POP, VALUES, seed=47, **kw)
    assert sii([1, 2, 3, 4, 5], POP, VALUES, seed=47, **kw) == first
    other = sii([1, 2, 3, 4, 5], POP, VALUES, seed=48, **kw)
    assert other.sii == first.sii and other.sii_lower != first.sii_lower
    assert "(seed 47)" in first.method


def test_quantiles_are_ordered_by_label_not_by_position_or_index():
    order = [3, 0, 4, 1, 2]
    labels = pd.Series(np.arange(1, 6)[order], index=list("abcde"))
    shuffled = sii(labels, POP[order], VALUES[order], se=SES[order], seed=53)
    assert shuffled == sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, seed=53)


def test_several_levels_come_from_the_same_draws():
    both = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, confidence=(0.95, 0.998), seed=59)
    alone = sii([1, 2, 3, 4, 5], POP, VALUES, se=SES, confidence=0.998, seed=59)
    assert both.at(0.998) == alone.limits[0]
    assert both.confidence == 0.95 and both.sii_lower == both.limits[0].sii_lower
    with pytest.raises(KeyError, match="0.9 was not computed"):
        both.at(0.9)


def test_the_package_exports_the_function_and_its_results():
    assert S.sii is sii and "sii" in S.__all__ and "SiiEstimate" in S.__all__


# --------------------------------------------------------------------------------------------
# Bad input: one clear ValueError naming the argument and the quantile
# --------------------------------------------------------------------------------------------

GOOD = dict(quantile=[1, 2, 3, 4, 5], population=POP, value=VALUES, se=SES)


def call(**changes):
    return sii(**{**GOOD, "repetitions": 1000, **changes})


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(population=[200, 300, 0, 150, 100]), r"population for quantile\(s\) 3 is 0"),
        (dict(population=[200, np.nan, 250, -1, 100]), r"quantile\(s\) 2, 4 is nan, -1"),
        (dict(value=[52, 41, np.nan, 30, 26]), r"value for quantile\(s\) 3 is nan"),
        (dict(se=[2, 1.5, -1, 2.5, 3]), r"se for quantile\(s\) 3 is -1"),
        (dict(se=[2, 1.5, 1, np.nan, 3]), r"se for quantile\(s\) 4 is nan"),
        (dict(quantile=[1, 2, 3, 4], population=POP[:4], value=VALUES[:4], se=SES[:4]),
         "4 quantiles given; the SII needs between 5 and 100"),
        (dict(quantile=[1, 2, 2, 4, 5]), r"quantile label\(s\) 2 appear more than once"),
        (dict(quantile=[1, 2, np.nan, 4, 5]), "missing label"),
        (dict(value=VALUES[:4]), "value has 4 elements but quantile has 5"),
        (dict(value_type=3), "value_type = 3 must be 0, 1 or 2"),
        (dict(value_type=True), "value_type = True must be 0, 1 or 2"),
        (dict(transform=True), "transform=True needs value_type 1"),
        (dict(value_type=1, value=RATES, transform=True), "not se"),
        (dict(se=None), "either se or both 95% limits"),
        (dict(se=None, lower=VALUES - 1), "either se or both 95% limits"),
        (dict(multiplier=0), "multiplier = 0 must be a finite non-zero number"),
        (dict(repetitions=999), "repetitions = 999 is below the minimum of 1000"),
        (dict(repetitions=1000.5), "must be a whole number"),
        (dict(confidence=0.8), "outside the allowed range"),
        (dict(confidence=()), "empty sequence"),
        (dict(value_type=1, value=[152, 131, 0, 118, 102]),
         r"value for quantile\(s\) 3 is 0: a rate .* use value_type=0"),
        (dict(value_type=2, value=[0.3, 1.2, 0.2, 0, 0.1]),
         r"value for quantile\(s\) 2, 4 is 1.2, 0: a proportion .* 0 < p < 1"),
        (dict(se=None, lower=VALUES + 1, upper=VALUES - 1),
         r"lower for quantile\(s\) 1, 2, 3, 4, 5 .* above the upper"),
        (dict(se=None, lower=VALUES - 1, upper=[53, 42, np.nan, 31, 27]),
         r"upper for quantile\(s\) 3 is nan: every quantile needs both"),
        (dict(value_type=1, value=RATES, se=None, lower=[150, 0, 120, 110, 100],
              upper=RATE_UPPER), r"lower for quantile\(s\) 2 is 0: a rate"),
    ],
)  # fmt: skip
def test_bad_input_raises_one_clear_value_error(changes, message):
    with pytest.raises(ValueError, match=message):
        call(**changes)


def test_a_zero_population_quantile_is_refused_not_dropped():
    # phe_sii stops rather than fitting the other quantiles; the caller must drop and count
    with pytest.raises(ValueError, match=r"quantile\(s\) 10 is 0: every quantile needs"):
        sii(np.arange(1, 11), [5.0] * 9 + [0.0], np.arange(10.0), se=np.ones(10), seed=1)
