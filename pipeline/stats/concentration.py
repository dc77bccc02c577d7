"""Concentration of events across units (places, people)."""

from __future__ import annotations

import math

import numpy as np

from pipeline.stats.arguments import ArrayLike, check_nonnegative, to_array


def _counts_vector(counts: ArrayLike) -> np.ndarray:
    x = to_array(counts, "counts")
    check_nonnegative(x, "counts")
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
