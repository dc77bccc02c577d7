"""Slope and relative index of inequality across ordered quantiles, as PHEindicatormethods
``phe_sii`` (Low & Low 2004), re-implemented for one group at a time.

Method (``phe_sii`` with ``rii = TRUE, intercept = TRUE``)
------------------------------------------------------------
* Quantiles are sorted by label; the lowest label (e.g. IMD decile 1, most deprived) sits at
  rank 0 and the highest at rank 1. Each quantile's relative rank ``b`` is the mid-point of its
  share ``a`` of the population in the cumulative distribution (``FindXValues``).
* The fit is ``lm(y sqrt(a) ~ sqrt(a) + b sqrt(a) - 1)``: least squares weighted by population
  share. ``slope`` is the coefficient of rank, so ``fitted(1) - fitted(0)`` is the SII.
* Standard errors: ``se`` when given (for ``value_type`` 1 or 2 it is the SE of ln(value) or
  logit(value), as ``phe_sii`` uses it unchanged on that scale), otherwise
  ``(T(upper) - T(lower)) / (2 z_0.975)`` from the *95%* limits whatever the output level, with
  ``T`` = identity (0), ln (1) or logit (2).
* Limits: each quantile is drawn ``repetitions`` times from ``N(T(value), se)``, as one
  ``numpy.random.default_rng(seed).normal(T(value)[:, None], se[:, None], size=(k, repetitions))``
  call over the quantiles in label order (a fixed layout, so a seed gives the same draws here as
  in any caller that draws the same way).

  - ``transform=False``: the draws are back-transformed (exp / inverse logit) and the regression
    is refitted on every draw on the value scale; the SII limits are percentiles of
    ``multiplier * slope`` and the RII limits percentiles of ``fitted(1) / fitted(0)``.
  - ``transform=True`` (rates and proportions only, 95% limits required, ``se`` not allowed):
    value and draws stay on the ln / logit scale. SII = ``multiplier * (T^-1(a + b) - T^-1(a))``.
    For the limits ``phe_sii`` pivots the fitted line about its mid-point ``a + b/2`` on the
    transformed scale: with ``s`` a percentile of the simulated slopes, the limit is
    ``multiplier * (T^-1(mid + s/2) - T^-1(mid - s/2))``, and the RII limit the ratio of the
    same two ends.

  Percentile positions are ``round(repetitions * (1 - q))`` and ``round(repetitions * q)``
  (1-based) of the sorted draws, ``q = confidence + (1 - confidence)/2``.
* A negative ``multiplier`` reverses the SII (``fitted(0) - fitted(1)`` times ``|multiplier|``)
  and reports ``1 / RII``, swapping the limits accordingly.

Where this departs from ``phe_sii`` (each on purpose)
------------------------------------------------------
* **The RII is not reported** (NaN, with :attr:`SiiEstimate.rii_reason`) when either fitted end
  is ``<= 0``: a ratio of a positive and a non-positive level means nothing (``phe_sii`` prints
  it anyway). Nor when at least ``(1 - confidence)/2`` of the simulated lines put an end at or
  below zero, because the percentile interval of the ratio is then unbounded. With
  ``transform=True`` both ends are back-transformed levels, always positive.
* With ``transform=True`` and a positive multiplier below 1, ``phe_sii``'s rate branch tests
  ``multiplier < 1`` (its proportion branch ``multiplier < 0``) and so swaps the limits; here
  the sign of the multiplier decides for both.
* ``phe_sii`` groups a data frame and *drops* groups with a missing or zero-population
  quantile (with a warning); this function takes one group and raises ``ValueError`` naming the
  quantile, so the caller drops and counts. Values the transform cannot take (a rate of 0 on the
  log scale, a proportion of 0 or 1 on the logit scale) are refused the same way, where
  ``phe_sii`` would return NaN or infinite limits.
* The ``reliability_stat`` option (ten repeat runs) is not offered: use a fixed ``seed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.stats.arguments import ArrayLike, check_confidence, float_or_nan, z_value

#: Value types of ``phe_sii``: 0 any indicator, 1 a rate (ln scale), 2 a proportion (logit).
VALUE_TYPES: dict[int, str] = {0: "indicator", 1: "rate", 2: "proportion"}
#: ``phe_sii`` refuses fewer than 5 or more than 100 quantiles, and under 1,000 repetitions.
SII_MIN_QUANTILES = 5
SII_MAX_QUANTILES = 100
SII_MIN_REPETITIONS = 1000

_SCALE = {0: "value", 1: "log", 2: "logit"}


@dataclass(frozen=True)
class SiiLimits:
    """SII and RII limits at one confidence level."""

    confidence: float
    sii_lower: float
    sii_upper: float
    rii_lower: float
    rii_upper: float


@dataclass(frozen=True)
class SiiEstimate:
    """Result of :func:`sii` for one group.

    ``sii_lower`` ... ``rii_upper`` are the limits at ``confidence`` (the first level asked
    for); :attr:`limits` holds every level, in the order given (see :meth:`at`).
    ``intercept`` is ``phe_sii``'s: the fitted value at rank 0, back-transformed and times
    ``|multiplier|`` when ``transform`` is set, the raw coefficient otherwise.
    ``slope`` is the fitted coefficient of rank on the fitting scale (ln or logit when
    ``transform`` is set), before the multiplier. ``fitted_most_deprived`` and
    ``fitted_least_deprived`` are the fitted levels at rank 0 (lowest quantile label) and
    rank 1, on the value's own scale and before the multiplier, so
    ``sii == multiplier * (fitted_least_deprived - fitted_most_deprived)``.
    ``rii_reason`` says why the RII is NaN; it is ``None`` when the RII is reported.
    """

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    intercept: float
    slope: float
    fitted_most_deprived: float
    fitted_least_deprived: float
    rii_reason: str | None
    confidence: float
    limits: tuple[SiiLimits, ...]
    quantiles: int
    value_type: int
    transform: bool
    multiplier: float
    repetitions: int
    method: str

    def at(self, confidence: float) -> SiiLimits:
        """The limits at one of the confidence levels that were asked for."""
        for level in self.limits:
            if np.isclose(level.confidence, confidence):
                return level
        asked = ", ".join(f"{lv.confidence:g}" for lv in self.limits)
        raise KeyError(f"confidence {confidence:g} was not computed (levels: {asked})")


# --------------------------------------------------------------------------------------------
# Argument checks (each names the quantile, not just the position)
# --------------------------------------------------------------------------------------------


def _labels(quantile: np.ndarray, bad: np.ndarray) -> str:
    return ", ".join(f"{q:g}" for q in quantile[bad])


def _refuse(quantile: np.ndarray, arr: np.ndarray, bad: np.ndarray, name: str, rule: str) -> None:
    """Raise one line naming every quantile whose ``name`` breaks ``rule``."""
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in arr[bad])
        raise ValueError(f"{name} for quantile(s) {_labels(quantile, bad)} is {shown}: {rule}")


def _column(values: ArrayLike, name: str, size: int) -> np.ndarray:
    arr = float_or_nan(values, name)
    if arr.size != size:
        raise ValueError(f"{name} has {arr.size} elements but quantile has {size}")
    return arr


def _confidence_levels(confidence: float | Sequence[float]) -> tuple[float, ...]:
    if isinstance(confidence, (list, tuple, np.ndarray)):
        levels = tuple(check_confidence(c) for c in confidence)
        if not levels:
            raise ValueError("confidence is an empty sequence; give a level such as 0.95")
        return levels
    return (check_confidence(confidence),)


def _check_scale(quantile: np.ndarray, arr: np.ndarray, name: str, value_type: int) -> None:
    """Rates must be > 0 for the ln scale, proportions inside (0, 1) for logit."""
    if value_type == 1:
        _refuse(
            quantile,
            arr,
            arr <= 0,
            name,
            "a rate (value_type=1) is simulated on the log scale and needs > 0; "
            "use value_type=0 where a quantile has no events",
        )
    elif value_type == 2:
        _refuse(
            quantile,
            arr,
            (arr <= 0) | (arr >= 1),
            name,
            "a proportion (value_type=2) is simulated on the logit scale and needs 0 < p < 1",
        )


# --------------------------------------------------------------------------------------------
# Scales and the regression
# --------------------------------------------------------------------------------------------


def _forward(value_type: int) -> Callable[[np.ndarray], np.ndarray]:
    if value_type == 1:
        return np.log
    if value_type == 2:
        return lambda p: np.log(p / (1 - p))
    return lambda v: v


def _inverse(value_type: int) -> Callable[[np.ndarray], np.ndarray]:
    if value_type == 1:
        return np.exp
    if value_type == 2:
        return lambda t: 1 / (1 + np.exp(-t))
    return lambda v: v


def midpoint_rank(population: np.ndarray) -> np.ndarray:
    """Population-weighted mid-point rank of each quantile, in the order given (``FindXValues``):
    the cumulative share before it plus half its own share."""
    share = population / population.sum()
    return np.cumsum(share) - share / 2


def _design(population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``[sqrt(a), b sqrt(a)]`` design of ``phe_sii``'s regression, and ``sqrt(a)``."""
    sqrt_share = np.sqrt(population / population.sum())
    return np.column_stack([sqrt_share, midpoint_rank(population) * sqrt_share]), sqrt_share


def _fit(design: np.ndarray, sqrt_share: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Intercept and slope rows for each column of ``y`` (one fit per simulated draw)."""
    weighted = y * (sqrt_share[:, None] if y.ndim == 2 else sqrt_share)
    coef, *_ = np.linalg.lstsq(design, weighted, rcond=None)
    return coef


def _positions(repetitions: int, confidence: float) -> tuple[int, int]:
    """0-based indices of ``phe_sii``'s lower and upper percentiles of sorted draws."""
    upper_q = confidence + (1 - confidence) / 2
    lower = min(max(int(round(repetitions * (1 - upper_q))), 1), repetitions)
    upper = min(max(int(round(repetitions * upper_q)), 1), repetitions)
    return lower - 1, upper - 1


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


def sii(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike,
    *,
    value_type: int = 0,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    se: ArrayLike | None = None,
    multiplier: float = 1,
    transform: bool = False,
    confidence: float | Sequence[float] = 0.95,
    repetitions: int = 100_000,
    seed: int | None = None,
) -> SiiEstimate:
    """Slope and relative index of inequality of ``value`` across ordered quantiles.

    ``quantile`` labels order the quantiles (lowest label at rank 0: give IMD decile 1 = most
    deprived as ``phe_sii`` expects); ``population`` is each quantile's population (> 0);
    ``lower``/``upper`` are *95%* limits of ``value`` (used when ``se`` is not given).
    ``value_type`` 0 indicator, 1 rate, 2 proportion (0-1, not a percentage); ``transform``
    fits on the ln / logit scale (value types 1 and 2 only; needs limits, not ``se``).
    ``confidence`` is a level in [0.9, 1) or a sequence of them (e.g. ``(0.95, 0.998)``), all
    computed from the same draws. ``seed`` fixes :func:`numpy.random.default_rng`.

    Raises ``ValueError`` naming the argument and quantile(s) for: fewer than 5 or more than
    100 quantiles, repeated or missing labels, a missing/zero/negative population, a missing
    value, SE or limit, a negative SE, a lower limit above the upper, a value or limit the
    scale cannot take, and option combinations ``phe_sii`` refuses.
    See the module docstring for the method and where it departs from ``phe_sii``.
    """
    if isinstance(value_type, bool) or value_type not in VALUE_TYPES:
        raise ValueError(f"value_type = {value_type!r} must be 0, 1 or 2")
    if transform and value_type == 0:
        raise ValueError("transform=True needs value_type 1 (rate) or 2 (proportion)")
    if transform and se is not None:
        raise ValueError("transform=True takes the 95% limits (lower, upper), not se")
    if se is None and (lower is None or upper is None):
        raise ValueError("sii needs either se or both 95% limits (lower and upper)")
    m = float(multiplier)
    if not np.isfinite(m) or m == 0:
        raise ValueError(f"multiplier = {multiplier!r} must be a finite non-zero number")
    if isinstance(repetitions, bool) or int(repetitions) != repetitions:
        raise ValueError(f"repetitions = {repetitions!r} must be a whole number")
    reps = int(repetitions)
    if reps < SII_MIN_REPETITIONS:
        raise ValueError(f"repetitions = {reps} is below the minimum of {SII_MIN_REPETITIONS}")
    levels = _confidence_levels(confidence)

    q = float_or_nan(quantile, "quantile")
    k = q.size
    if not (SII_MIN_QUANTILES <= k <= SII_MAX_QUANTILES):
        raise ValueError(
            f"{k} quantiles given; the SII needs between {SII_MIN_QUANTILES} and "
            f"{SII_MAX_QUANTILES}"
        )
    if not np.all(np.isfinite(q)):
        raise ValueError(f"quantile labels must be numbers; got a missing label among {k}")
    labels, counts = np.unique(q, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"quantile label(s) {_labels(labels, counts > 1)} appear more than once")
    order = np.argsort(q, kind="stable")
    q = q[order]
    pop = _column(population, "population", k)[order]
    val = _column(value, "value", k)[order]
    _refuse(q, pop, ~(pop > 0), "population", "every quantile needs a positive population")
    _refuse(q, val, ~np.isfinite(val), "value", "every quantile needs a value")
    _check_scale(q, val, "value", value_type)

    forward, inverse = _forward(value_type), _inverse(value_type)
    if se is not None:
        se_fit = _column(se, "se", k)[order]
        _refuse(q, se_fit, ~(se_fit >= 0), "se", "standard errors must be present and >= 0")
    else:
        lo = _column(lower, "lower", k)[order]
        up = _column(upper, "upper", k)[order]
        for name, arr in (("lower", lo), ("upper", up)):
            _refuse(q, arr, ~np.isfinite(arr), name, "every quantile needs both 95% limits")
            _check_scale(q, arr, name, value_type)
        _refuse(q, lo, lo > up, "lower", "the lower limit is above the upper limit")
        # phe_sii derives the SE from 95% limits whatever the output confidence
        se_fit = (forward(up) - forward(lo)) / (2 * z_value(0.95))

    design, sqrt_share = _design(pop)
    centre = forward(val)
    rng = np.random.default_rng(seed)
    draws = rng.normal(centre[:, None], se_fit[:, None], size=(k, reps))
    if transform:
        intercept, slope = _fit(design, sqrt_share, centre)
        sim_slope = np.sort(_fit(design, sqrt_share, draws)[1])
        result = _transformed(intercept, slope, sim_slope, inverse, m, levels, reps)
    else:
        intercept, slope = _fit(design, sqrt_share, val)
        sim = _fit(design, sqrt_share, inverse(draws))
        result = _untransformed(intercept, slope, sim, m, levels, reps)
    scale = _SCALE[value_type]
    if value_type == 0:
        scales = "simulated on the value scale"
    elif transform:
        scales = f"simulated and fitted on the {scale} scale"
    else:
        scales = f"simulated on the {scale} scale, fitted on the value scale"
    method = (
        f"phe_sii (PHEindicatormethods): WLS on population-weighted mid-point rank, "
        f"{k} quantiles, {VALUE_TYPES[value_type]} {scales}, multiplier {m:g}; "
        f"{reps} Monte Carlo draws" + ("" if seed is None else f" (seed {seed})")
    )
    return SiiEstimate(
        **result,
        confidence=levels[0],
        quantiles=k,
        value_type=value_type,
        transform=bool(transform),
        multiplier=m,
        repetitions=reps,
        method=method,
    )


def _rii_withheld(most: float, least: float) -> str | None:
    """Why a ratio of the fitted ends cannot be reported, or None when it can."""
    for end, level in (("most", most), ("least", least)):
        if not level > 0:
            return (
                f"RII not reported: the fitted value at the {end}-deprived end is {level:.4g} "
                "(<= 0), so the ratio of the two ends is meaningless"
            )
    return None


def _untransformed(
    intercept: float,
    slope: float,
    sim: np.ndarray,
    m: float,
    levels: tuple[float, ...],
    reps: int,
) -> dict[str, object]:
    most, least = float(intercept), float(intercept + slope)
    sim_most, sim_least = sim[0], sim[0] + sim[1]
    reason = _rii_withheld(most, least)
    if reason is None:
        crossing = float(np.mean((sim_most <= 0) | (sim_least <= 0)))
        if crossing >= (1 - max(levels)) / 2:
            reason = (
                f"RII not reported: {crossing:.1%} of the simulated lines put a fitted end at "
                "or below zero, so the RII's interval is unbounded"
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        sim_rii = sim_least / sim_most
    if m < 0:
        with np.errstate(divide="ignore"):
            sim_rii = 1 / sim_rii
    sim_sii, sim_rii = np.sort(m * sim[1]), np.sort(sim_rii)
    limits = []
    for conf in levels:
        lo, up = _positions(reps, conf)
        rii_lo, rii_up = (np.nan, np.nan) if reason else (float(sim_rii[lo]), float(sim_rii[up]))
        limits.append(SiiLimits(conf, float(sim_sii[lo]), float(sim_sii[up]), rii_lo, rii_up))
    rii = np.nan if reason else (least / most if m > 0 else most / least)
    return _fields(m * slope, rii, most, slope, most, least, reason, limits)


def _transformed(
    intercept: float,
    slope: float,
    sim_slope: np.ndarray,
    inverse: Callable[[np.ndarray], np.ndarray],
    m: float,
    levels: tuple[float, ...],
    reps: int,
) -> dict[str, object]:
    most, least = float(inverse(intercept)), float(inverse(intercept + slope))
    mid = intercept + slope / 2

    def pivot(s: float) -> tuple[float, float]:
        """SII (times m) and ratio of the line through the mid-point with log/logit slope s."""
        hi, low = float(inverse(mid + s / 2)), float(inverse(mid - s / 2))
        return m * (hi - low), hi / low

    limits = []
    for conf in levels:
        lo, up = _positions(reps, conf)
        (sii_a, rii_a), (sii_b, rii_b) = pivot(sim_slope[lo]), pivot(sim_slope[up])
        if m > 0:
            limits.append(SiiLimits(conf, sii_a, sii_b, rii_a, rii_b))
        else:
            limits.append(SiiLimits(conf, sii_b, sii_a, 1 / rii_b, 1 / rii_a))
    rii = least / most if m > 0 else most / least
    return _fields(m * (least - most), rii, most * abs(m), slope, most, least, None, limits)


def _fields(
    sii_value: float,
    rii: float,
    intercept: float,
    slope: float,
    most: float,
    least: float,
    reason: str | None,
    limits: list[SiiLimits],
) -> dict[str, object]:
    first = limits[0]
    return {
        "sii": float(sii_value),
        "sii_lower": first.sii_lower,
        "sii_upper": first.sii_upper,
        "rii": float(rii),
        "rii_lower": float(first.rii_lower),
        "rii_upper": float(first.rii_upper),
        "intercept": float(intercept),
        "slope": float(slope),
        "fitted_most_deprived": most,
        "fitted_least_deprived": least,
        "rii_reason": reason,
        "limits": tuple(limits),
    }
