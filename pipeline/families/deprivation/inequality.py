"""Inequality across deprivation: the slope and relative index of inequality (PHE
``phe_sii``) and the Poisson rate-ratio gradient per decile (see the deprivation METHOD)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from pipeline.families.small_areas import SMALL_AREA_RATE_PER
from pipeline.stats import rate_ci, z_value


@dataclass(frozen=True)
class SiiResult:
    """Slope and relative index of inequality with their simulated limits."""

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    scale: str
    quantiles: int


def midpoint_ranks(population: np.ndarray) -> np.ndarray:
    """Population-weighted mid-point of each quantile in the cumulative distribution (0-1)."""
    share = population / population.sum()
    return np.cumsum(share) - share / 2


def sii_fit(values: np.ndarray, population: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of ``values`` on mid-point rank, weighted by population share."""
    share = population / population.sum()
    design = sm.add_constant(midpoint_ranks(population))
    fit = sm.WLS(values, design, weights=share).fit()
    return float(fit.params[0]), float(fit.params[1])


def slope_index(
    counts: np.ndarray,
    population: np.ndarray,
    *,
    multiplier: float,
    simulations: int,
    seed: int,
    confidence: float,
    rate_per: float = SMALL_AREA_RATE_PER,
) -> SiiResult:
    """SII and RII of rates across quantiles ordered most to least deprived (``phe_sii``).

    ``multiplier`` -1 reports the most-deprived end minus the least (and inverts the RII), as
    ``phe_sii`` does for a negative multiplier. Monte Carlo limits on the log scale (rates),
    or on the rate scale when any quantile has no events.
    """
    ci = rate_ci(counts, population, multiplier=rate_per, confidence=0.95)
    values = ci["value"].to_numpy()
    intercept, slope = sii_fit(values, population)
    rii = (intercept + slope) / intercept
    log_scale = bool(np.all(counts > 0))
    z95 = z_value(0.95)  # phe_sii derives the SE from 95% limits whatever the output level
    if log_scale:
        centre = np.log(values)
        se = (np.log(ci["upper"].to_numpy()) - np.log(ci["lower"].to_numpy())) / (2 * z95)
    else:
        centre = values
        se = (ci["upper"].to_numpy() - ci["lower"].to_numpy()) / (2 * z95)
    rng = np.random.default_rng(seed)
    draws = rng.normal(centre[:, None], se[:, None], size=(len(values), simulations))
    if log_scale:
        draws = np.exp(draws)
    share = population / population.sum()
    design = np.column_stack([np.sqrt(share), midpoint_ranks(population) * np.sqrt(share)])
    coef, *_ = np.linalg.lstsq(design, draws * np.sqrt(share)[:, None], rcond=None)
    sim_sii = coef[1]
    sim_rii = (coef[0] + coef[1]) / coef[0]
    if multiplier < 0:
        sim_rii = 1 / sim_rii
        rii = 1 / rii
    sim_sii = multiplier * sim_sii
    upper_q = confidence + (1 - confidence) / 2
    lower_pos = int(round(simulations * (1 - upper_q))) - 1
    upper_pos = int(round(simulations * upper_q)) - 1
    sii_sorted, rii_sorted = np.sort(sim_sii), np.sort(sim_rii)
    return SiiResult(
        sii=multiplier * slope,
        sii_lower=float(sii_sorted[lower_pos]),
        sii_upper=float(sii_sorted[upper_pos]),
        rii=float(rii),
        rii_lower=float(rii_sorted[lower_pos]),
        rii_upper=float(rii_sorted[upper_pos]),
        scale="log" if log_scale else "rate",
        quantiles=len(values),
    )


def decile_gradient(
    counts: np.ndarray, population: np.ndarray, deciles: np.ndarray, confidence: float
) -> dict[str, float]:
    """Rate ratio per one-decile step towards more deprived (Poisson GLM, log-population
    offset), with quasi-Poisson standard errors when the counts are overdispersed.

    Returns value, lower, upper, p_value, the Pearson dispersion and the variance scale used.
    """
    steps_more_deprived = 10 - deciles.astype(float)
    design = sm.add_constant(steps_more_deprived)
    family = sm.families.Poisson()
    offset = np.log(population.astype(float))
    # A tight tolerance so the standard errors are those at the optimum (IRLS stops early by
    # default and leaves them off in the sixth digit).
    with warnings.catch_warnings():
        # an exact fit (e.g. two groups) is "perfect prediction", not a problem for a rate ratio
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        first = sm.GLM(counts.astype(float), design, family=family, offset=offset).fit(tol=1e-12)
        dispersion = float(first.pearson_chi2 / first.df_resid) if first.df_resid > 0 else np.nan
        scale = max(1.0, dispersion) if np.isfinite(dispersion) else 1.0
        fit = sm.GLM(counts.astype(float), design, family=family, offset=offset).fit(
            scale=scale, tol=1e-12
        )
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    return {
        "value": float(np.exp(fit.params[1])),
        "lower": float(np.exp(low)),
        "upper": float(np.exp(high)),
        "p_value": float(fit.pvalues[1]),
        "dispersion": dispersion,
        "scale": scale,
    }
