"""The exact conditional Poisson rate ratio, shared by the timing family (school days against
other days) and strategy monitoring (this year against last)."""

from __future__ import annotations

import numpy as np

from pipeline.lazy import scipy_stats as st


def poisson_rate_ratio(
    x1: int, exposure1: float, x0: int, exposure0: float, confidence: float
) -> dict[str, float]:
    """(x1/exposure1)/(x0/exposure0) with the exact conditional interval and p-value.

    Works for any two Poisson counts and their exposures (days, residents): given the total,
    x1 is binomial with p = RR e1 / (RR e1 + e0), so the Clopper-Pearson limits of p
    (``scipy.stats.binomtest``) map to limits for RR, and its test of p = e1/(e1 + e0) is the
    test of RR = 1. NaN when there are no events or an exposure is zero.
    """
    total = x1 + x0
    if total == 0 or exposure1 <= 0 or exposure0 <= 0:
        return {"value": np.nan, "lower": np.nan, "upper": np.nan, "p_value": np.nan}
    test = st.binomtest(int(x1), int(total), p=exposure1 / (exposure1 + exposure0))
    ci = test.proportion_ci(confidence_level=confidence, method="exact")
    scale = exposure0 / exposure1

    def to_ratio(p: float) -> float:
        return np.inf if p >= 1 else p / (1 - p) * scale

    return {
        "value": to_ratio(x1 / total) if x0 else np.inf,
        "lower": to_ratio(ci.low),
        "upper": to_ratio(ci.high),
        "p_value": float(test.pvalue),
    }
