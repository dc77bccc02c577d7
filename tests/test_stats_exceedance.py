"""Per-area exceedance: exact Poisson tails, Benjamini-Hochberg q-values, the exceedance test
and the Empirical-Bayes exceedance probability, against hand calculations and statsmodels."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import integrate
from statsmodels.stats.multitest import multipletests

from pipeline.stats.exceedance import (
    EXACT_TEST,
    MID_P_TEST,
    benjamini_hochberg,
    eb_exceedance_probability,
    exceedance_test,
    poisson_upper_p,
)


def pmf_by_hand(k: int, mean: float) -> float:
    return math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))


def upper_tail_by_hand(observed: int, mean: float) -> float:
    """P(X >= O) = 1 - sum_{k < O} e^-E E^k / k!"""
    return 1.0 - sum(pmf_by_hand(k, mean) for k in range(observed))


def test_exact_upper_tail_matches_the_poisson_sum_written_out():
    # O = 5, E = 1.5: 1 - e^-1.5 (1 + 1.5 + 1.125 + 0.5625 + 0.2109375) = 1 - 0.22313 x 4.39844
    assert poisson_upper_p(5, 1.5)[0] == pytest.approx(1 - math.exp(-1.5) * 4.3984375, rel=1e-9)
    cases = [(0, 2.0), (1, 0.3), (3, 3.0), (12, 4.2), (20, 6.5)]
    got = poisson_upper_p([o for o, _ in cases], [e for _, e in cases])
    assert got == pytest.approx([upper_tail_by_hand(o, e) for o, e in cases], rel=1e-9)
    assert got[0] == 1.0  # nothing observed: always at least as many


def test_mid_p_halves_the_probability_of_the_observed_count():
    # mid-p = P(X > O) + P(X = O) / 2 = P(X >= O) - P(X = O) / 2
    for o, e in [(0, 2.0), (4, 1.0), (9, 3.3)]:
        expected = upper_tail_by_hand(o, e) - 0.5 * pmf_by_hand(o, e)
        assert poisson_upper_p(o, e, mid_p=True)[0] == pytest.approx(expected, rel=1e-9)


def test_the_exact_p_never_rejects_more_often_than_its_level_and_the_mid_p_can():
    # The reason the exact p is the default: under the null, P(p <= 0.05) summed exactly over
    # the Poisson distribution stays <= 0.05 for every E; the mid-p's reaches ~0.08 near E = 1.
    counts = np.arange(0, 200)

    def size(mean: float, mid_p: bool) -> float:
        p = poisson_upper_p(counts, mean, mid_p=mid_p)
        return sum(pmf_by_hand(int(k), mean) for k in counts[p <= 0.05])

    means = np.linspace(0.2, 12, 60)
    assert max(size(m, False) for m in means) <= 0.05 + 1e-12
    assert max(size(m, True) for m in means) > 0.07


def test_benjamini_hochberg_by_hand_and_against_statsmodels():
    # m = 4, sorted p 0.01, 0.03, 0.04, 0.2 -> m p / rank = 0.04, 0.06, 0.0533, 0.2; the
    # running minimum from the largest down: 0.04, 0.0533, 0.0533, 0.2 (back in input order).
    p = [0.01, 0.04, 0.03, 0.2]
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    rng = np.random.default_rng(3)
    many = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.002, size=5), [1.0, 1.0]])
    assert benjamini_hochberg(many) == pytest.approx(multipletests(many, method="fdr_bh")[1])
    assert benjamini_hochberg([]).size == 0


def test_exceedance_test_on_four_areas_by_hand():
    # 20 incidents over 1,000 residents: rate 0.02, so each area of 250 expects E = 5.
    # Area 3 has 15: P(X >= 15 | 5) = 0.000226; the others (1, 2, 2) have p near 1.
    out = exceedance_test([1, 2, 15, 2], [250, 250, 250, 250], fdr=0.05)
    assert out["expected"].tolist() == pytest.approx([5.0] * 4)
    assert out["ratio"].tolist() == pytest.approx([0.2, 0.4, 3.0, 0.4])
    hand = [upper_tail_by_hand(o, 5.0) for o in (1, 2, 15, 2)]
    assert out["p_value"].tolist() == pytest.approx(hand, rel=1e-9)
    assert out["q_value"].tolist() == pytest.approx(multipletests(hand, method="fdr_bh")[1])
    assert out["q_value"].iloc[2] == pytest.approx(4 * hand[2])  # smallest of 4: q = 4 p
    assert out["exceeds"].tolist() == [False, False, True, False]
    assert set(out["test"]) == {EXACT_TEST}
    assert set(exceedance_test([1, 2], [10, 10], fdr=0.05, mid_p=True)["test"]) == {MID_P_TEST}


def test_unequal_populations_get_expected_counts_in_proportion():
    # rate = 12 / 600 = 0.02: E = 2, 4, 6; O = 6 on E = 2 is p = P(X >= 6 | 2) = 0.0166.
    out = exceedance_test([6, 3, 3], [100, 200, 300], fdr=0.05)
    assert out["expected"].tolist() == pytest.approx([2.0, 4.0, 6.0])
    assert out["p_value"].iloc[0] == pytest.approx(upper_tail_by_hand(6, 2.0), rel=1e-9)
    # q = 3 x 0.0166 = 0.0498 <= 0.05: significant, just.
    assert out["q_value"].iloc[0] == pytest.approx(3 * upper_tail_by_hand(6, 2.0))
    assert out["exceeds"].tolist() == [True, False, False]


def test_no_events_means_nothing_exceeds():
    out = exceedance_test([0, 0, 0], [100, 200, 300], fdr=0.05)
    assert out["p_value"].tolist() == [1.0, 1.0, 1.0]
    assert not out["exceeds"].any()


@pytest.mark.parametrize(
    ("observed", "population", "message"),
    [
        ([1, -1], [10, 10], "observed[1] = -1 is negative"),
        ([1.5, 1], [10, 10], "observed[0] = 1.5 is not a whole number"),
        ([1, 1], [10, 0], "population[1] = 0 is zero or negative"),
        ([1, 1, 1], [10, 10], "do not broadcast"),
    ],
)
def test_bad_input_is_named(observed, population, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        exceedance_test(observed, population, fdr=0.05)


def test_fdr_must_be_a_proportion():
    with pytest.raises(ValueError, match="fdr = 5"):
        exceedance_test([1, 2], [10, 10], fdr=5)


def test_eb_exceedance_probability_integrates_the_gamma_posterior():
    # Marshall moments (tests/test_measures_hotspots.py works them out): counts 10, 5, 15 on
    # 100, 200, 300 -> b = 0.05, a = 0.000375; prior shape b^2/a = 20/3, rate b/a = 400/3.
    # Posterior of area 1: Gamma(20/3 + 10, 400/3 + 100); P(rate > 0.05) by integrating the
    # unnormalised density lambda^(k-1) e^(-r lambda) numerically.
    counts, pops = [10, 5, 15], [100, 200, 300]
    got = eb_exceedance_probability(counts, pops)

    def tail(o: int, n: int) -> float:
        shape, rate = 20 / 3 + o, 400 / 3 + n

        mode = (shape - 1) / rate

        def density(x: float) -> float:  # scaled to 1 at the mode, so quad's tolerance bites
            log_d = (shape - 1) * math.log(x / mode) - rate * (x - mode)
            return math.exp(log_d) if x > 0 else 0.0

        whole = integrate.quad(density, 0, 2, points=[mode], epsabs=1e-13, limit=200)[0]
        upper = integrate.quad(density, 0.05, 2, points=[max(mode, 0.051)], epsabs=1e-13)[0]
        return upper / whole

    assert got == pytest.approx([tail(o, n) for o, n in zip(counts, pops, strict=True)], rel=1e-6)
    assert got[0] > 0.5 > got[1]  # the raw rates are 0.10 and 0.025 against 0.05


def test_eb_exceedance_is_zero_when_rates_vary_no_more_than_chance():
    assert eb_exceedance_probability([5, 10, 15], [100, 200, 300]).tolist() == [0.0, 0.0, 0.0]
