"""Is a small area's own count higher than its share of the whole would make it?

One-sided exact Poisson tests of each area's count against its expected count at the
reference (whole-area) rate, with the Benjamini-Hochberg false discovery rate across areas,
and, as a descriptive companion, the Empirical-Bayes probability that an area's underlying
rate exceeds the reference rate.

Why the exact upper-tail p ``P(X >= O | E)`` and not the mid-p ``P(X > O) + P(X = O)/2``:
the exact p is a valid p-value (under the null, ``P(p <= a) <= a`` for every ``a``), which
is what the Benjamini-Hochberg guarantee assumes; the mid-p is closer to uniform on average
but can be anti-conservative at a given level, and the claim it would license ("this
neighbourhood's own rate is significantly high") is printed to residents. The mid-p is
offered for comparison (``mid_p=True``); the coverage study measures both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.lazy import scipy_stats as _st
from pipeline.stats.arguments import (
    ArrayLike,
    broadcast,
    check_nonnegative,
    check_positive,
    result_index,
    to_array,
)

#: Names of the per-area test, as the tables record them.
EXACT_TEST = "exact Poisson, one-sided upper tail P(X >= O | E)"
MID_P_TEST = "exact Poisson mid-p, one-sided upper tail P(X > O | E) + P(X = O | E)/2"


def poisson_upper_p(observed: ArrayLike, expected: ArrayLike, mid_p: bool = False) -> np.ndarray:
    """One-sided p of observing ``observed`` or more events when ``expected`` are expected.

    Exact: ``P(X >= O) = poisson.sf(O - 1, E)``; mid-p: ``poisson.sf(O, E) + pmf(O, E)/2``.
    A count of 0 has p = 1 (exact) or ``exp(-E)/2 + (1 - exp(-E))`` (mid-p).
    """
    o = to_array(observed, "observed")
    e = to_array(expected, "expected")
    check_nonnegative(o, "observed")
    check_positive(e, "expected")
    if np.any(o != np.round(o)):
        i = int(np.flatnonzero(o != np.round(o))[0])
        raise ValueError(f"observed[{i}] = {o[i]:g} is not a whole number; counts are integers")
    o, e = broadcast(observed=o, expected=e)
    if mid_p:
        return _st.poisson.sf(o, e) + 0.5 * _st.poisson.pmf(o, e)
    return _st.poisson.sf(o - 1, e)


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    ``q_(i) = min over k >= i of (m p_(k) / k)``, capped at 1 (``scipy.stats.
    false_discovery_control``, method "bh")."""
    p = to_array(p_values, "p_values")
    if np.any((p < 0) | (p > 1)):
        i = int(np.flatnonzero((p < 0) | (p > 1))[0])
        raise ValueError(f"p_values[{i}] = {p[i]:g} is outside [0, 1]")
    if p.size == 0:
        return p
    return np.asarray(_st.false_discovery_control(p, method="bh"), dtype=float)


def exceedance_test(
    observed: ArrayLike,
    population: ArrayLike,
    *,
    fdr: float,
    mid_p: bool = False,
) -> pd.DataFrame:
    """Each area's count against its expected count at the reference rate of all areas.

    The reference rate is ``sum(O) / sum(n)`` over every area given (each area included in
    its own reference, which makes the test slightly conservative for large areas).
    Returns, per area: ``expected`` (``n x`` reference rate), ``ratio`` (O / E),
    ``p_value`` (one-sided upper, see :func:`poisson_upper_p`), ``q_value``
    (Benjamini-Hochberg across the areas), ``exceeds`` (q <= fdr) and ``test`` (its name).
    With no events at all nothing can exceed: p = q = 1 and the ratio is NaN.
    """
    if not 0 < float(fdr) < 1:
        raise ValueError(f"fdr = {fdr!r} must lie strictly between 0 and 1")
    o = to_array(observed, "observed")
    n = to_array(population, "population")
    check_nonnegative(o, "observed")
    check_positive(n, "population")
    o, n = broadcast(observed=o, population=n)
    index = result_index(o.size, observed, population)
    rate = o.sum() / n.sum()
    expected = n * rate
    if rate == 0:
        p = np.ones(o.size)
        ratio = np.full(o.size, np.nan)
    else:
        p = poisson_upper_p(o, expected, mid_p=mid_p)
        ratio = o / expected
    q = benjamini_hochberg(p)
    return pd.DataFrame(
        {
            "observed": o,
            "expected": expected,
            "ratio": ratio,
            "p_value": p,
            "q_value": q,
            "exceeds": q <= float(fdr),
            "test": MID_P_TEST if mid_p else EXACT_TEST,
        },
        index=index,
    )


def eb_exceedance_probability(observed: ArrayLike, population: ArrayLike) -> np.ndarray:
    """Empirical-Bayes probability that each area's underlying rate exceeds the reference.

    Poisson counts with a Gamma prior whose mean and variance are Marshall's (1991) global
    moment estimates (mean b = sum O / sum n, variance a = s^2 - b / mean(n), s^2 the
    population-weighted variance of the raw rates). The posterior of area i's rate is
    Gamma(shape b^2/a + O_i, rate b/a + n_i); the result is its upper tail at b. When a <= 0
    (rates vary no more than chance) every area's rate is b, and the probability is 0.
    A probability, not a p-value: it is descriptive and not adjusted across areas.
    """
    o = to_array(observed, "observed")
    n = to_array(population, "population")
    check_nonnegative(o, "observed")
    check_positive(n, "population")
    o, n = broadcast(observed=o, population=n)
    b = o.sum() / n.sum()
    a = np.sum(n * (o / n - b) ** 2) / n.sum() - b / n.mean()
    if b == 0 or a <= 0:
        return np.zeros(o.size)
    shape, rate = b * b / a, b / a
    return np.asarray(_st.gamma.sf(b, shape + o, scale=1.0 / (rate + n)), dtype=float)
