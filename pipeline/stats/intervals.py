"""Intervals of proportions, counts and rates, and standardised rates and ratios (the
PHEindicatormethods conventions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.lazy import scipy_stats as _st
from pipeline.stats.arguments import (
    ArrayLike,
    broadcast,
    check_confidence,
    check_multiplier,
    check_nonnegative,
    check_not_above,
    check_positive,
    float_or_nan,
    result_index,
    to_array,
    z_value,
)

#: Counts at or above this use Byar's method; below it the exact Poisson limits (``phe_rate``).
BYARS_THRESHOLD = 10
#: DSRs are not reported (NaN) when the total count is below this (``calculate_dsr``).
DSR_MIN_COUNT = 10

#: European Standard Population 2013: 19 age bands (0-4, 5-9, ..., 85-89, 90+), total 100,000.
ESP2013: pd.Series = pd.Series(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    index=pd.Index([f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"], name="ageband"),
    name="esp2013",
    dtype="int64",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Core interval methods
# --------------------------------------------------------------------------------------------


def wilson_limits(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
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


def byars_limits(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits of counts ``o``; the lower limit is NaN where the approximation has none
    (o == 0, or a negative result), as PHEindicatormethods' ``byars_lower`` (see
    :func:`byars_ci`). Callers that switch to the exact limits below 10 never see the NaN."""
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    lower = np.where((o > 0) & (lower >= 0), lower, np.nan)
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return lower, upper


def _count_limits(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """PHE switch: exact limits below BYARS_THRESHOLD events, Byar's at or above it."""
    el, eu = _exact_limits(o, conf)
    bl, bu = byars_limits(o, conf)
    small = o < BYARS_THRESHOLD
    return np.where(small, el, bl), np.where(small, eu, bu)


def proportion_ci(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> pd.DataFrame:
    """Proportion ``x/n`` with Wilson score limits (``phe_proportion``, multiplier 1).

    Returns columns ``value, lower, upper, method`` (method ``"Wilson"``). Requires
    ``0 <= numerator <= denominator`` and ``denominator > 0``.
    """
    conf = check_confidence(confidence)
    x = to_array(numerator, "numerator")
    n = to_array(denominator, "denominator")
    check_nonnegative(x, "numerator")
    check_positive(n, "denominator")
    x, n = broadcast(numerator=x, denominator=n)
    check_not_above(x, n, "numerator", "denominator")
    lower, upper = wilson_limits(x, n, z_value(conf))
    out = pd.DataFrame(
        {"value": x / n, "lower": lower, "upper": upper},
        index=result_index(x.size, numerator, denominator),
    )
    out["method"] = "Wilson"
    return out


def exact_poisson_ci(count: ArrayLike, confidence: float = 0.95) -> pd.DataFrame:
    """Exact Poisson limits of a count: ``chi2(a/2; 2O)/2``, ``chi2(1-a/2; 2O+2)/2``.

    Returns columns ``lower, upper``. At O = 0 the lower limit is 0 and the upper is
    ``-ln(a/2)`` (3.689 at 95%).
    """
    conf = check_confidence(confidence)
    o = to_array(count, "count")
    check_nonnegative(o, "count")
    lower, upper = _exact_limits(o, conf)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=result_index(o.size, count))


def byars_ci(count: ArrayLike, confidence: float = 0.95) -> pd.DataFrame:
    """Byar's approximate limits of a count, for any count.

    ``lower = O(1 - 1/(9O) - z/(3 sqrt O))^3``;
    ``upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3``.
    Returns columns ``lower, upper``. The lower limit is **NaN (not available)** for O = 0
    and wherever the formula goes negative (tiny O with a high confidence, e.g. O = 1 at
    99.8%), exactly where PHEindicatormethods' ``byars_lower`` gives NA/NaN (it computes
    ``0 * (-Inf)^3`` at O = 0 and sets negative results to NA). Decided so (docs/
    methods-decisions.md): a 0 there would be an invented number, not Byar's, and would
    differ from PHE's function that auditors check against. Published figures never use it:
    :func:`rate_ci` (like ``phe_rate`` and Fingertips) takes the exact limits below 10 events,
    whose lower limit at O = 0 is 0; use :func:`exact_poisson_ci` for small counts.
    """
    conf = check_confidence(confidence)
    o = to_array(count, "count")
    check_nonnegative(o, "count")
    lower, upper = byars_limits(o, conf)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=result_index(o.size, count))


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
    conf = check_confidence(confidence)
    mult = check_multiplier(multiplier)
    o = to_array(count, "count")
    n = to_array(population, "population")
    check_nonnegative(o, "count")
    check_positive(n, "population")
    o, n = broadcast(count=o, population=n)
    lo, up = _count_limits(o, conf)
    out = pd.DataFrame(
        {"value": o / n * mult, "lower": lo / n * mult, "upper": up / n * mult},
        index=result_index(o.size, count, population),
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
    *,
    missing_count_is_zero: bool = True,
) -> pd.Series:
    """Directly standardised rate for one area over its age bands (Dobson method).

    ``DSR = sum(w x/n) / sum(w) * mult``; ``var = sum(w^2 x/n^2) / sum(w)^2``;
    ``limit = DSR + sqrt(var/O) * (Byars_limit(O) - O) * mult`` with ``O = sum(x)``.
    Bands are matched by position (order them as ``standard_population``, e.g. :data:`ESP2013`).
    Returns a Series with index ``value, lower, upper``; all three are NaN when ``O < 10``
    (PHE quality suppression "dsr NA for total count < 10").

    A **missing (NaN) count** in an age band is taken as 0 events in that band, as
    ``phe_dsr``/``calculate_dsr`` do (``na.zero(x)`` in the weighted rates, ``sum(x, na.rm =
    TRUE)`` for O): an age band with no recorded events is often absent from a count
    extract, and it still belongs in the standard population. Decided so that a DSR matches
    Fingertips (docs/methods-decisions.md); the band's population must still be present and
    positive, and an infinite count is refused. Pass ``missing_count_is_zero=False`` to
    refuse a missing count instead (one line naming the band).
    """
    conf = check_confidence(confidence)
    mult = check_multiplier(multiplier)
    raw = float_or_nan(count, "count")
    if missing_count_is_zero:
        infinite = np.flatnonzero(np.isinf(raw))
        if infinite.size:
            raise ValueError(f"count[{int(infinite[0])}] is infinite; counts must be finite")
        raw = np.where(np.isnan(raw), 0.0, raw)  # PHE na.zero: no recorded events in the band
    x = to_array(raw, "count")
    n = to_array(population, "population")
    w = to_array(standard_population, "standard_population")
    check_nonnegative(x, "count")
    check_positive(n, "population")
    check_nonnegative(w, "standard_population")
    x, n, w = _same_length(count=x, population=n, standard_population=w)
    if w.sum() <= 0:
        raise ValueError("standard_population must have a positive total")
    total = x.sum()
    nan = pd.Series({"value": np.nan, "lower": np.nan, "upper": np.nan}, dtype=float)
    if total < DSR_MIN_COUNT:
        return nan
    value = np.sum(w * x / n) / w.sum()
    var = np.sum(w**2 * x / n**2) / w.sum() ** 2
    lo, up = byars_limits(np.array([total]), conf)
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
    conf = check_confidence(confidence)
    o_arr = to_array(observed, "observed")
    n = to_array(population, "population")
    rx = to_array(reference_count, "reference_count")
    rn = to_array(reference_population, "reference_population")
    check_nonnegative(o_arr, "observed")
    check_nonnegative(n, "population")
    check_nonnegative(rx, "reference_count")
    check_positive(rn, "reference_population")
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
