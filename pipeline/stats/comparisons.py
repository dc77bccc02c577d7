"""Comparing groups and areas: rate ratios, representation ratios and the Fingertips
benchmark against a comparator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.stats.arguments import (
    ArrayLike,
    broadcast,
    check_confidence,
    check_nonnegative,
    check_not_above,
    check_positive,
    float_or_nan,
    format_number,
    result_index,
    to_array,
    z_value,
)
from pipeline.stats.intervals import wilson_limits

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
    conf = check_confidence(confidence)
    a = {k: to_array(v, k) for k, v in {"x1": x1, "n1": n1, "x2": x2, "n2": n2}.items()}
    for k in ("x1", "x2"):
        check_nonnegative(a[k], k)
    for k in ("n1", "n2"):
        check_positive(a[k], k)
    a1, b1, a2, b2 = broadcast(**a)
    check_not_above(a1, b1, "x1", "n1")
    check_not_above(a2, b2, "x2", "n2")
    z = z_value(conf)
    zero = (a1 == 0) | (a2 == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a1 / b1) / (a2 / b2)
        se = np.sqrt(1 / a1 - 1 / b1 + 1 / a2 - 1 / b2)
        lower = np.where(zero, 0.0, np.exp(np.log(value) - z * se))
        upper = np.where(zero, np.inf, np.exp(np.log(value) + z * se))
    return pd.DataFrame(
        {"value": value, "lower": lower, "upper": upper},
        index=result_index(a1.size, x1, n1, x2, n2),
    )


def share_ratio(
    x: ArrayLike, n: ArrayLike, population_share: ArrayLike, confidence: float = 0.95
) -> pd.DataFrame:
    """Share-vs-population (representation) ratio ``(x/n) / population_share``.

    The group's share of events ``x/n`` gets a Wilson interval, which is divided by the
    population share (treated as fixed, in ``(0, 1]``). Returns ``value, lower, upper``.
    """
    conf = check_confidence(confidence)
    xa = to_array(x, "x")
    na = to_array(n, "n")
    pi = to_array(population_share, "population_share")
    check_nonnegative(xa, "x")
    check_positive(na, "n")
    check_positive(pi, "population_share")
    bad = np.flatnonzero(pi > 1)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"population_share[{i}] = {format_number(pi[i])} exceeds 1; it is a share")
    xa, na, pi = broadcast(x=xa, n=na, population_share=pi)
    check_not_above(xa, na, "x", "n")
    lower, upper = wilson_limits(xa, na, z_value(conf))
    return pd.DataFrame(
        {"value": xa / na / pi, "lower": lower / pi, "upper": upper / pi},
        index=result_index(xa.size, x, n, population_share),
    )


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
    c = float_or_nan(value_of_comparator, "value_of_comparator")
    lo = float_or_nan(lower, "lower")
    up = float_or_nan(upper, "upper")
    c, lo, up = broadcast(value_of_comparator=c, lower=lo, upper=up)
    bad = np.flatnonzero(lo > up)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"lower[{i}] = {format_number(lo[i])} is above upper[{i}] = {format_number(up[i])}"
        )
    missing = np.isnan(c) | np.isnan(lo) | np.isnan(up)
    labels = np.select(
        [missing, lo > c, up < c], ["Not compared", "Higher", "Lower"], default="Similar"
    )
    if all(np.ndim(v) == 0 for v in (value_of_comparator, lower, upper)):
        return str(labels[0])
    return pd.Series(labels, index=result_index(labels.size, value_of_comparator, lower, upper))
