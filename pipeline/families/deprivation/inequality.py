"""Inequality across deprivation: the slope and relative index of inequality (PHE ``phe_sii``,
through :func:`pipeline.stats.sii`), the observed rate ratio of the extreme deciles, and the
Poisson rate-ratio gradient per decile (see the deprivation METHOD)."""

from __future__ import annotations

import warnings

import numpy as np

from pipeline.families.rate_ratio import poisson_rate_ratio
from pipeline.families.small_areas import SMALL_AREA_RATE_PER
from pipeline.stats import SiiEstimate, rate_ci, sii


def slope_index(
    counts: np.ndarray,
    population: np.ndarray,
    deciles: np.ndarray,
    *,
    multiplier: float,
    simulations: int,
    seed: int,
    confidence: float,
    rate_per: float = SMALL_AREA_RATE_PER,
) -> SiiEstimate:
    """SII and RII of the decile rates (``phe_sii``), deciles labelled 1 = most deprived.

    When every decile has events the rates are treated as rates (``value_type=1``) and fitted
    on the log scale (``transform=True``), so the fitted ends are always positive and the RII
    is bounded. When a decile has none its log rate is undefined, so the fit is on the rate
    scale (``value_type=0``, no transform); :func:`pipeline.stats.sii` then withholds the RII
    (NaN, with ``rii_reason``) where a fitted end is <= 0 or its interval is unbounded.
    ``multiplier`` -1 reports the most-deprived end minus the least and most / least as the
    RII. The limits of each decile's rate are the 95% ``phe_rate`` limits whatever the output
    level, as ``phe_sii`` takes them.
    """
    counts = np.asarray(counts)
    limits = rate_ci(counts, population, multiplier=rate_per, confidence=0.95)
    every_decile_has_events = bool(np.all(counts > 0))
    return sii(
        np.asarray(deciles, dtype=float),
        population,
        limits["value"],
        value_type=1 if every_decile_has_events else 0,
        lower=limits["lower"],
        upper=limits["upper"],
        multiplier=multiplier,
        transform=every_decile_has_events,
        confidence=confidence,
        repetitions=simulations,
        seed=seed,
    )


def sii_scale_note(estimate: SiiEstimate) -> str:
    """How the SII was fitted, for the table's note and the technical text."""
    if estimate.transform:
        return (
            f"{estimate.quantiles} deciles; rates fitted on the log scale (phe_sii value_type 1, "
            "transform)"
        )
    return (
        f"{estimate.quantiles} deciles; a decile has no incidents, so its log rate is undefined "
        "and the rates are fitted on the rate scale (phe_sii value_type 0, no transform)"
    )


def extreme_decile_ratio(
    counts: np.ndarray, population: np.ndarray, deciles: np.ndarray, confidence: float
) -> dict[str, float]:
    """Observed rate of the most deprived decile with residents over the least deprived one.

    Exact conditional Poisson interval (:func:`pipeline.families.rate_ratio.poisson_rate_ratio`),
    which needs no event in either decile to exist (an empty least-deprived decile gives an
    infinite upper limit). Returns value, lower, upper, p_value and the two deciles compared.
    """
    order = np.argsort(np.asarray(deciles, dtype=float))
    most, least = order[0], order[-1]
    result = poisson_rate_ratio(
        int(counts[most]),
        float(population[most]),
        int(counts[least]),
        float(population[least]),
        confidence,
    )
    return {
        **{k: float(v) for k, v in result.items()},
        "most_decile": int(deciles[most]),
        "least_decile": int(deciles[least]),
    }


def decile_gradient(
    counts: np.ndarray, population: np.ndarray, deciles: np.ndarray, confidence: float
) -> dict[str, float]:
    """Rate ratio per one-decile step towards more deprived (Poisson GLM, log-population
    offset), with quasi-Poisson standard errors when the counts are overdispersed.

    Returns value, lower, upper, p_value, the Pearson dispersion and the variance scale used.
    """
    # statsmodels' GLM alone, imported here: statsmodels.api costs half a second of start-up
    # in every job that only imports the family (charts, reports).
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    steps_more_deprived = 10 - deciles.astype(float)
    design = add_constant(steps_more_deprived)
    family = Poisson()
    offset = np.log(population.astype(float))
    # A tight tolerance so the standard errors are those at the optimum (IRLS stops early by
    # default and leaves them off in the sixth digit).
    with warnings.catch_warnings():
        # an exact fit (e.g. two groups) is "perfect prediction", not a problem for a rate ratio
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        first = GLM(counts.astype(float), design, family=family, offset=offset).fit(tol=1e-12)
        dispersion = float(first.pearson_chi2 / first.df_resid) if first.df_resid > 0 else np.nan
        scale = max(1.0, dispersion) if np.isfinite(dispersion) else 1.0
        fit = GLM(counts.astype(float), design, family=family, offset=offset).fit(
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
