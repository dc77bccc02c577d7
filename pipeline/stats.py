"""Statistical methods for the Serious Violence SNA, re-implemented natively and vectorised.

Every interval follows the public-health conventions of OHID/UKHSA ``PHEindicatormethods`` (R)
and the Fingertips platform, so that the pipeline's numbers match the official tools:

================================  ===============================================================
Function                          Method and source
================================  ===============================================================
:func:`proportion_ci`             Wilson score interval (Wilson 1927; Newcombe & Altman 2000);
                                  ``phe_proportion``.
:func:`exact_poisson_ci`          Exact Poisson limits in chi-square form (Garwood 1936):
                                  ``chi2(a/2; 2O)/2`` and ``chi2(1-a/2; 2O+2)/2``.
:func:`byars_ci`                  Byar's approximation (Breslow & Day 1987, vol. II);
                                  ``byars_lower`` / ``byars_upper``.
:func:`rate_ci`                   Crude rate: exact below 10 events, Byar's from 10; ``phe_rate``.
:func:`dsr`                       Directly standardised rate, Dobson et al. (1991) with Byar's
                                  limits of the total count; ``calculate_dsr`` / ``phe_dsr``.
                                  Suppressed (NaN) when the total count is below 10.
:func:`isr`                       Indirectly standardised ratio O/E with exact (O < 10) or Byar's
                                  (O >= 10) limits of O divided by E; ``calculate_ISRatio``.
:func:`rate_ratio_katz`           Risk/rate ratio with the Katz log interval (Katz et al. 1978,
                                  "method C"; as ``scipy.stats.contingency.relative_risk``).
:func:`share_ratio`               Share-vs-population (representation) ratio: Wilson interval of
                                  the share divided by the fixed population share.
:func:`fingertips_compare`        Fingertips "single overlapping CIs" benchmark (comparator value
                                  inside the area's CI => Similar).
:func:`chi2_linear_trend`         Chi-square test for linear trend (Cochran-Armitage form used by
                                  the Fingertips ``TrendMarkerCalculator``).
:func:`fingertips_trend_marker`   Fingertips recent-trend marker: significance from the test above,
                                  direction from the OLS slope of ln(rate) on time.
:func:`gini`, :func:`top_share`   Concentration of events across units (places, people).
================================  ===============================================================

Conventions shared by all functions
-----------------------------------
* Inputs may be scalars, lists, numpy arrays or pandas Series. Series are used *by position*
  (they are not aligned on their index); vector outputs take the index of the first Series
  argument that has the output's length, otherwise a ``RangeIndex``.
* ``confidence`` is a two-sided level in ``[0.9, 1)`` (e.g. 0.95 or 0.998) and
  ``z = Phi^-1(confidence + (1 - confidence) / 2)``.
* Invalid input raises :class:`ValueError` naming the argument, the element position and the
  reason: NaN or infinite values, negative counts, a numerator above its denominator (proportions),
  a zero or negative denominator, a confidence outside the range, or shapes that do not broadcast.
* Distributions come from :mod:`scipy.stats` (``norm.ppf``, ``chi2.ppf``, ``chi2.sf``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = [
    "ESP2013",
    "BYARS_THRESHOLD",
    "DSR_MIN_COUNT",
    "TREND_MIN_POINTS",
    "z_value",
    "proportion_ci",
    "exact_poisson_ci",
    "byars_ci",
    "rate_ci",
    "dsr",
    "isr",
    "rate_ratio_katz",
    "share_ratio",
    "fingertips_compare",
    "chi2_linear_trend",
    "fingertips_trend_marker",
    "gini",
    "top_share",
]

ArrayLike = float | int | Sequence[float] | np.ndarray | pd.Series

#: Counts at or above this use Byar's method; below it the exact Poisson limits (``phe_rate``).
BYARS_THRESHOLD = 10
#: DSRs are not reported (NaN) when the total count is below this (``calculate_dsr``).
DSR_MIN_COUNT = 10
#: The Fingertips recent-trend marker needs at least this many points.
TREND_MIN_POINTS = 5

#: European Standard Population 2013: 19 age bands (0-4, 5-9, ..., 85-89, 90+), total 100,000.
ESP2013: pd.Series = pd.Series(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    index=pd.Index([f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"], name="ageband"),
    name="esp2013",
    dtype="int64",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> float:
    """Return ``confidence`` as a float after checking it lies in [0.9, 1)."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.number)):
        raise ValueError(f"confidence must be a number in [0.9, 1); got {confidence!r}")
    conf = float(confidence)
    if not (0.9 <= conf < 1.0):
        raise ValueError(f"confidence = {confidence!r} is outside the allowed range [0.9, 1)")
    return conf


def z_value(confidence: float = 0.95) -> float:
    """Two-sided normal quantile ``Phi^-1(conf + (1 - conf)/2)``.

    1.95996 at 95%, 3.0902 at 99.8%.
    """
    conf = _check_confidence(confidence)
    return float(_st.norm.ppf(conf + (1.0 - conf) / 2.0))


def _to_array(values: ArrayLike, name: str) -> np.ndarray:
    """Convert to a 1-D float array, rejecting NaN/inf and more than one dimension."""
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional; got shape {arr.shape}")
    arr = np.atleast_1d(arr)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        what = "NaN (missing)" if np.isnan(arr[i]) else "infinite"
        raise ValueError(f"{name}[{i}] is {what}; all values must be finite numbers")
    return arr


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check_nonnegative(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name}[{i}] = {_fmt(arr[i])} is negative; counts must be >= 0")


def _check_positive(arr: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{name}[{i}] = {_fmt(arr[i])} is zero or negative; denominators must be > 0"
        )


def _check_not_above(num: np.ndarray, den: np.ndarray, num_name: str, den_name: str) -> None:
    bad = np.flatnonzero(num > den)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{num_name}[{i}] = {_fmt(num[i])} exceeds {den_name}[{i}] = {_fmt(den[i])}; "
            "a proportion's numerator cannot exceed its denominator"
        )


def _broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast 1-D arrays together, raising ValueError that names the lengths on failure."""
    try:
        return [np.array(a) for a in np.broadcast_arrays(*arrays.values())]
    except ValueError:
        sizes = ", ".join(f"{k} has {v.size}" for k, v in arrays.items())
        raise ValueError(f"input lengths do not broadcast: {sizes} elements") from None


def _result_index(length: int, *raw: object) -> pd.Index:
    """Index of the first pandas Series input with the result's length, else a RangeIndex."""
    for r in raw:
        if isinstance(r, pd.Series) and len(r) == length:
            return r.index
    return pd.RangeIndex(length)


def _check_multiplier(multiplier: float) -> float:
    m = float(multiplier)
    if not (np.isfinite(m) and m > 0):
        raise ValueError(f"multiplier = {multiplier!r} must be a positive finite number")
    return m


# --------------------------------------------------------------------------------------------
# Core interval methods
# --------------------------------------------------------------------------------------------


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for x successes out of n (arrays already validated)."""
    half = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    denom = 2 * (n + z**2)
    lower = (2 * x + z**2 - half) / denom
    upper = (2 * x + z**2 + half) / denom
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def _exact_limits(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of counts ``o`` (chi-square form); lower is 0 when o == 0."""
    alpha = 1.0 - conf
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, _st.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
    upper = _st.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


def _byars_limits(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits of counts ``o``; lower clipped at 0 (o == 0 gives 0)."""
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    lower = np.where((o > 0) & (lower > 0), lower, 0.0)
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return lower, upper


def _count_limits(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """PHE switch: exact limits below BYARS_THRESHOLD events, Byar's at or above it."""
    el, eu = _exact_limits(o, conf)
    bl, bu = _byars_limits(o, conf)
    small = o < BYARS_THRESHOLD
    return np.where(small, el, bl), np.where(small, eu, bu)


def proportion_ci(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> pd.DataFrame:
    """Proportion ``x/n`` with Wilson score limits (``phe_proportion``, multiplier 1).

    Returns columns ``value, lower, upper, method`` (method ``"Wilson"``). Requires
    ``0 <= numerator <= denominator`` and ``denominator > 0``.
    """
    conf = _check_confidence(confidence)
    x = _to_array(numerator, "numerator")
    n = _to_array(denominator, "denominator")
    _check_nonnegative(x, "numerator")
    _check_positive(n, "denominator")
    x, n = _broadcast(numerator=x, denominator=n)
    _check_not_above(x, n, "numerator", "denominator")
    lower, upper = _wilson(x, n, z_value(conf))
    out = pd.DataFrame(
        {"value": x / n, "lower": lower, "upper": upper},
        index=_result_index(x.size, numerator, denominator),
    )
    out["method"] = "Wilson"
    return out


def exact_poisson_ci(count: ArrayLike, confidence: float = 0.95) -> pd.DataFrame:
    """Exact Poisson limits of a count: ``chi2(a/2; 2O)/2``, ``chi2(1-a/2; 2O+2)/2``.

    Returns columns ``lower, upper``. At O = 0 the lower limit is 0 and the upper is
    ``-ln(a/2)`` (3.689 at 95%).
    """
    conf = _check_confidence(confidence)
    o = _to_array(count, "count")
    _check_nonnegative(o, "count")
    lower, upper = _exact_limits(o, conf)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=_result_index(o.size, count))


def byars_ci(count: ArrayLike, confidence: float = 0.95) -> pd.DataFrame:
    """Byar's approximate limits of a count, for any count.

    ``lower = O(1 - 1/(9O) - z/(3 sqrt O))^3``;
    ``upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3``.
    Returns columns ``lower, upper``. The lower limit is clipped at 0: it is 0 for O = 0 and
    wherever the formula goes negative (tiny O with a high confidence). PHEindicatormethods'
    ``byars_lower`` returns NA in those cases instead; use :func:`exact_poisson_ci` (or
    :func:`rate_ci`, which switches automatically) for counts below 10.
    """
    conf = _check_confidence(confidence)
    o = _to_array(count, "count")
    _check_nonnegative(o, "count")
    lower, upper = _byars_limits(o, conf)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=_result_index(o.size, count))


def rate_ci(
    count: ArrayLike,
    population: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate ``count / population * multiplier`` with PHE ``phe_rate`` limits.

    Exact Poisson limits below 10 events (method ``"Exact"``), Byar's from 10 (``"Byars"``).
    Returns columns ``value, lower, upper, method``. Counts may exceed the population.
    """
    conf = _check_confidence(confidence)
    mult = _check_multiplier(multiplier)
    o = _to_array(count, "count")
    n = _to_array(population, "population")
    _check_nonnegative(o, "count")
    _check_positive(n, "population")
    o, n = _broadcast(count=o, population=n)
    lo, up = _count_limits(o, conf)
    out = pd.DataFrame(
        {"value": o / n * mult, "lower": lo / n * mult, "upper": up / n * mult},
        index=_result_index(o.size, count, population),
    )
    out["method"] = np.where(o < BYARS_THRESHOLD, "Exact", "Byars")
    return out


# --------------------------------------------------------------------------------------------
# Standardisation
# --------------------------------------------------------------------------------------------


def _same_length(**arrays: np.ndarray) -> list[np.ndarray]:
    """Require 1-D arrays of exactly equal length (age bands are matched by position)."""
    sizes = {k: v.size for k, v in arrays.items()}
    if len(set(sizes.values())) != 1:
        desc = ", ".join(f"{k} has {s}" for k, s in sizes.items())
        raise ValueError(f"age-band inputs must have the same length: {desc} elements")
    return list(arrays.values())


def dsr(
    count: ArrayLike,
    population: ArrayLike,
    standard_population: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.Series:
    """Directly standardised rate for one area over its age bands (Dobson method).

    ``DSR = sum(w x/n) / sum(w) * mult``; ``var = sum(w^2 x/n^2) / sum(w)^2``;
    ``limit = DSR + sqrt(var/O) * (Byars_limit(O) - O) * mult`` with ``O = sum(x)``.
    Bands are matched by position (order them as ``standard_population``, e.g. :data:`ESP2013`).
    Returns a Series with index ``value, lower, upper``; all three are NaN when ``O < 10``
    (PHE quality suppression "dsr NA for total count < 10").
    """
    conf = _check_confidence(confidence)
    mult = _check_multiplier(multiplier)
    x = _to_array(count, "count")
    n = _to_array(population, "population")
    w = _to_array(standard_population, "standard_population")
    _check_nonnegative(x, "count")
    _check_positive(n, "population")
    _check_nonnegative(w, "standard_population")
    x, n, w = _same_length(count=x, population=n, standard_population=w)
    if w.sum() <= 0:
        raise ValueError("standard_population must have a positive total")
    total = x.sum()
    nan = pd.Series({"value": np.nan, "lower": np.nan, "upper": np.nan}, dtype=float)
    if total < DSR_MIN_COUNT:
        return nan
    value = np.sum(w * x / n) / w.sum()
    var = np.sum(w**2 * x / n**2) / w.sum() ** 2
    lo, up = _byars_limits(np.array([total]), conf)
    scale = math.sqrt(var / total)
    return pd.Series(
        {
            "value": value * mult,
            "lower": (value + scale * (lo[0] - total)) * mult,
            "upper": (value + scale * (up[0] - total)) * mult,
        },
        dtype=float,
    )


def isr(
    observed: ArrayLike,
    population: ArrayLike,
    reference_count: ArrayLike,
    reference_population: ArrayLike,
    confidence: float = 0.95,
) -> pd.Series:
    """Indirectly standardised ratio O/E (``calculate_ISRatio`` with refvalue 1).

    ``observed`` is the area's total count or its per-band counts (summed). ``population``,
    ``reference_count`` and ``reference_population`` are per band, matched by position;
    ``E = sum(reference_count / reference_population * population)``. Limits are the exact
    (O < 10) or Byar's (O >= 10) limits of O divided by E. Returns index ``value, lower, upper``.
    """
    conf = _check_confidence(confidence)
    o_arr = _to_array(observed, "observed")
    n = _to_array(population, "population")
    rx = _to_array(reference_count, "reference_count")
    rn = _to_array(reference_population, "reference_population")
    _check_nonnegative(o_arr, "observed")
    _check_nonnegative(n, "population")
    _check_nonnegative(rx, "reference_count")
    _check_positive(rn, "reference_population")
    n, rx, rn = _same_length(population=n, reference_count=rx, reference_population=rn)
    expected = float(np.sum(rx / rn * n))
    if expected <= 0:
        raise ValueError("expected count E is zero: the reference rates or population are all 0")
    o = float(o_arr.sum())
    lo, up = _count_limits(np.array([o]), conf)
    return pd.Series(
        {"value": o / expected, "lower": lo[0] / expected, "upper": up[0] / expected},
        dtype=float,
    )


# --------------------------------------------------------------------------------------------
# Disproportionality
# --------------------------------------------------------------------------------------------


def rate_ratio_katz(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Risk (rate) ratio ``(x1/n1) / (x2/n2)`` with the Katz log interval.

    ``SE(ln RR) = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``; limits ``exp(ln RR -/+ z SE)``.
    Requires ``0 <= x <= n`` and ``n > 0`` for both groups. When ``x1`` or ``x2`` is 0 the
    interval is undefined and reported as ``[0, inf)`` (no information); the value is then
    0 (x1 = 0), inf (x2 = 0) or NaN (both 0). Returns columns ``value, lower, upper``.
    """
    conf = _check_confidence(confidence)
    a = {k: _to_array(v, k) for k, v in {"x1": x1, "n1": n1, "x2": x2, "n2": n2}.items()}
    for k in ("x1", "x2"):
        _check_nonnegative(a[k], k)
    for k in ("n1", "n2"):
        _check_positive(a[k], k)
    a1, b1, a2, b2 = _broadcast(**a)
    _check_not_above(a1, b1, "x1", "n1")
    _check_not_above(a2, b2, "x2", "n2")
    z = z_value(conf)
    zero = (a1 == 0) | (a2 == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a1 / b1) / (a2 / b2)
        se = np.sqrt(1 / a1 - 1 / b1 + 1 / a2 - 1 / b2)
        lower = np.where(zero, 0.0, np.exp(np.log(value) - z * se))
        upper = np.where(zero, np.inf, np.exp(np.log(value) + z * se))
    return pd.DataFrame(
        {"value": value, "lower": lower, "upper": upper},
        index=_result_index(a1.size, x1, n1, x2, n2),
    )


def share_ratio(
    x: ArrayLike, n: ArrayLike, population_share: ArrayLike, confidence: float = 0.95
) -> pd.DataFrame:
    """Share-vs-population (representation) ratio ``(x/n) / population_share``.

    The group's share of events ``x/n`` gets a Wilson interval, which is divided by the
    population share (treated as fixed, in ``(0, 1]``). Returns ``value, lower, upper``.
    """
    conf = _check_confidence(confidence)
    xa = _to_array(x, "x")
    na = _to_array(n, "n")
    pi = _to_array(population_share, "population_share")
    _check_nonnegative(xa, "x")
    _check_positive(na, "n")
    _check_positive(pi, "population_share")
    bad = np.flatnonzero(pi > 1)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"population_share[{i}] = {_fmt(pi[i])} exceeds 1; it is a share")
    xa, na, pi = _broadcast(x=xa, n=na, population_share=pi)
    _check_not_above(xa, na, "x", "n")
    lower, upper = _wilson(xa, na, z_value(conf))
    return pd.DataFrame(
        {"value": xa / na / pi, "lower": lower / pi, "upper": upper / pi},
        index=_result_index(xa.size, x, n, population_share),
    )


# --------------------------------------------------------------------------------------------
# Benchmarking and trend (Fingertips)
# --------------------------------------------------------------------------------------------


def _float_or_nan(values: ArrayLike, name: str) -> np.ndarray:
    """1-D float array that keeps NaN (missing limits are allowed for comparisons)."""
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional; got shape {arr.shape}")
    return np.atleast_1d(arr)


def fingertips_compare(
    value_of_comparator: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> str | pd.Series:
    """Fingertips "single overlapping CIs" comparison of an area against a comparator value.

    ``"Similar"`` if ``lower <= comparator <= upper``; ``"Higher"`` if the area's lower limit is
    above the comparator; ``"Lower"`` if its upper limit is below it; ``"Not compared"`` if any
    input is NaN (e.g. a suppressed DSR). The comparator must be a pooled value, not a mean of
    rates. Returns a ``str`` when all inputs are scalars, else a Series of labels. Raises if
    ``lower > upper``.
    """
    c = _float_or_nan(value_of_comparator, "value_of_comparator")
    lo = _float_or_nan(lower, "lower")
    up = _float_or_nan(upper, "upper")
    c, lo, up = _broadcast(value_of_comparator=c, lower=lo, upper=up)
    bad = np.flatnonzero(lo > up)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"lower[{i}] = {_fmt(lo[i])} is above upper[{i}] = {_fmt(up[i])}")
    missing = np.isnan(c) | np.isnan(lo) | np.isnan(up)
    labels = np.select(
        [missing, lo > c, up < c], ["Not compared", "Higher", "Lower"], default="Similar"
    )
    if all(np.ndim(v) == 0 for v in (value_of_comparator, lower, upper)):
        return str(labels[0])
    return pd.Series(labels, index=_result_index(labels.size, value_of_comparator, lower, upper))


def _trend_inputs(
    counts: ArrayLike, denominators: ArrayLike, times: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = _to_array(counts, "counts")
    n = _to_array(denominators, "denominators")
    t = _to_array(times, "times")
    _check_nonnegative(r, "counts")
    _check_positive(n, "denominators")
    r, n, t = _broadcast(counts=r, denominators=n, times=t)
    _check_not_above(r, n, "counts", "denominators")
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
    conf = _check_confidence(confidence)
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


# --------------------------------------------------------------------------------------------
# Concentration
# --------------------------------------------------------------------------------------------


def _counts_vector(counts: ArrayLike) -> np.ndarray:
    x = _to_array(counts, "counts")
    _check_nonnegative(x, "counts")
    return x


def gini(counts: ArrayLike) -> float:
    """Gini coefficient of events across units (0 = even, towards 1 = concentrated).

    ``G = 2 sum(i x_(i)) / (N sum(x)) - (N + 1)/N`` with ``x`` sorted ascending, ``i = 1..N``.
    Returns NaN when there are no events.
    """
    x = np.sort(_counts_vector(counts))
    total = x.sum()
    if total == 0:
        return float("nan")
    n = x.size
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * total) - (n + 1) / n)


def top_share(counts: ArrayLike, fraction: float) -> float:
    """Share of all events in the top ``fraction`` of units ranked by count.

    Uses ``ceil(fraction * N)`` units (at least 1); ``fraction`` in ``(0, 1]``. Returns NaN
    when there are no events.
    """
    f = float(fraction)
    if not (0 < f <= 1):
        raise ValueError(f"fraction = {fraction!r} must be in (0, 1]")
    x = np.sort(_counts_vector(counts))[::-1]
    total = x.sum()
    if total == 0:
        return float("nan")
    k = max(1, math.ceil(round(f * x.size, 9)))
    return float(x[:k].sum() / total)
