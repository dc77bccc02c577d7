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
:func:`sii`                       Slope and relative index of inequality across ordered
                                  quantiles (Low & Low 2004); ``phe_sii``, with the RII withheld
                                  where a fitted end is <= 0.
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

The methods live in :mod:`~pipeline.stats.intervals` (proportions, counts, rates,
standardisation), :mod:`~pipeline.stats.comparisons` (ratios and benchmarking),
:mod:`~pipeline.stats.trends` (the linear-trend test and marker),
:mod:`~pipeline.stats.concentration` and :mod:`~pipeline.stats.sii` (deprivation gradients),
on the argument checks of
:mod:`~pipeline.stats.arguments`; this package gathers their public names.
"""

from __future__ import annotations

from pipeline.stats.arguments import z_value
from pipeline.stats.comparisons import fingertips_compare, rate_ratio_katz, share_ratio
from pipeline.stats.concentration import gini, top_share
from pipeline.stats.intervals import (
    BYARS_THRESHOLD,
    DSR_MIN_COUNT,
    ESP2013,
    byars_ci,
    dsr,
    exact_poisson_ci,
    isr,
    proportion_ci,
    rate_ci,
)
from pipeline.stats.sii import SiiEstimate, SiiLimits, sii
from pipeline.stats.trends import TREND_MIN_POINTS, chi2_linear_trend, fingertips_trend_marker

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
    "sii",
    "SiiEstimate",
    "SiiLimits",
]
