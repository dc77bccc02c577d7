"""Trend over time: the chi-square test for linear trend, the Fingertips recent-trend
marker, and the DerSimonian-Laird random-effects mean of several areas' trends."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipeline.lazy import scipy_stats as _st
from pipeline.stats.arguments import (
    ArrayLike,
    broadcast,
    check_confidence,
    check_nonnegative,
    check_not_above,
    check_positive,
    to_array,
)

#: The Fingertips recent-trend marker needs at least this many points.
TREND_MIN_POINTS = 5


def _trend_inputs(
    counts: ArrayLike, denominators: ArrayLike, times: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = to_array(counts, "counts")
    n = to_array(denominators, "denominators")
    t = to_array(times, "times")
    check_nonnegative(r, "counts")
    check_positive(n, "denominators")
    r, n, t = broadcast(counts=r, denominators=n, times=t)
    check_not_above(r, n, "counts", "denominators")
    return r, n, t


def chi2_linear_trend(
    counts: ArrayLike, denominators: ArrayLike, times: ArrayLike
) -> tuple[float, float]:
    """Chi-square test for linear trend in proportions (Cochran-Armitage form), 1 df.

    ``X2 = N (N sum(r t) - R sum(n t))^2 / [R (N - R) (N sum(n t^2) - (sum(n t))^2)]`` with
    ``N = sum(n)``, ``R = sum(r)``. Returns ``(statistic, p_value)``; both are NaN when the
    test is undefined (no events, all events, or a single distinct time).
    """
    r, n, t = _trend_inputs(counts, denominators, times)
    big_n, big_r = n.sum(), r.sum()
    num = big_n * (big_n * np.sum(r * t) - big_r * np.sum(n * t)) ** 2
    den = big_r * (big_n - big_r) * (big_n * np.sum(n * t**2) - np.sum(n * t) ** 2)
    if not den > 0:
        return float("nan"), float("nan")
    stat = float(num / den)
    return stat, float(_st.chi2.sf(stat, 1))


def fingertips_trend_marker(
    counts: ArrayLike,
    denominators: ArrayLike,
    times: ArrayLike,
    confidence: float = 0.95,
) -> str:
    """Fingertips recent-trend marker for one series (pass the recent window, e.g. 5 years).

    ``"Cannot be calculated"`` with fewer than 5 points or an undefined test; otherwise the
    linear-trend chi-square is compared with ``chi2.ppf(confidence, 1)`` (3.84 at 95%, 9.55 at
    99.8%). If significant, the sign of the OLS slope of ln(count/denominator) on time gives
    ``"Increasing"`` or ``"Decreasing"`` (when a count is 0 the log is undefined and the sign
    of the trend score ``N sum(r t) - R sum(n t)`` is used); else ``"No significant change"``.
    """
    conf = check_confidence(confidence)
    r, n, t = _trend_inputs(counts, denominators, times)
    if r.size < TREND_MIN_POINTS:
        return "Cannot be calculated"
    stat, _ = chi2_linear_trend(r, n, t)
    if math.isnan(stat):
        return "Cannot be calculated"
    if stat <= _st.chi2.ppf(conf, 1):
        return "No significant change"
    if np.all(r > 0):
        slope = np.polyfit(t, np.log(r / n), 1)[0]
    else:
        slope = n.sum() * np.sum(r * t) - r.sum() * np.sum(n * t)
    return "Increasing" if slope > 0 else "Decreasing"


@dataclass(frozen=True)
class RandomEffectsMean:
    """A DerSimonian-Laird random-effects mean: ``mean`` with its standard error ``se``, the
    between-estimate variance ``tau2``, Cochran's ``q`` and the number ``k`` of estimates."""

    mean: float
    se: float
    tau2: float
    q: float
    k: int


def dersimonian_laird(estimates: ArrayLike, variances: ArrayLike) -> RandomEffectsMean:
    """Random-effects mean of ``estimates`` with within-estimate ``variances`` (DerSimonian and
    Laird 1986).

    With fixed-effect weights ``w = 1/v``: ``Q = sum w (y - ybar_w)^2`` and
    ``tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w))``; the mean is weighted by
    ``1 / (v + tau^2)`` and its SE is ``1 / sqrt(sum 1 / (v + tau^2))``. With one estimate
    tau^2 cannot be estimated and is 0 (the mean is that estimate).
    """
    y = to_array(estimates, "estimates").astype(float).ravel()
    v = to_array(variances, "variances").astype(float).ravel()
    check_positive(v, "variances")
    y, v = broadcast(estimates=y, variances=v)
    if y.size == 0:
        raise ValueError("estimates: a random-effects mean needs at least one estimate")
    w = 1 / v
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    spread = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (y.size - 1)) / spread) if y.size > 1 and spread > 0 else 0.0
    w_star = 1 / (v + tau2)
    mean = float(np.sum(w_star * y) / np.sum(w_star))
    return RandomEffectsMean(mean, float(1 / math.sqrt(np.sum(w_star))), tau2, q, int(y.size))
