"""Getis-Ord Gi* hot spots on Empirical-Bayes-smoothed LSOA rates (see the hot-spots METHOD)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st

from pipeline.families.common import residents_phrase
from pipeline.families.small_areas import SMALL_AREA_RATE_PER
from pipeline.settings import Settings

#: Hot-spot classes written for each LSOA.
HOT, COLD, NOT_SIGNIFICANT = "Hot spot", "Cold spot", "Not significant"


def empirical_bayes_rates(counts: pd.Series, population: pd.Series) -> pd.Series:
    """Global Empirical-Bayes-smoothed rates per 1,000 (``esda.smoothing.Empirical_Bayes``).

    When the rates vary less than Poisson chance alone would make them, Marshall's (1991)
    between-area variance is negative; esda does not clip it (it divides by zero or gives
    weights outside 0-1), so it is set to 0 here, as Marshall does: every area then gets the
    global rate.
    """
    from esda.smoothing import Empirical_Bayes

    e = counts.to_numpy(dtype=float)
    n = population.to_numpy(dtype=float)
    global_rate = e.sum() / n.sum()
    between = np.sum(n * (e / n - global_rate) ** 2) / n.sum() - global_rate / n.mean()
    if between <= 0:
        rates = np.full(len(e), global_rate)
    else:
        rates = np.asarray(Empirical_Bayes(e.reshape(-1, 1), n.reshape(-1, 1)).r).ravel()
    return pd.Series(rates * SMALL_AREA_RATE_PER, index=counts.index, name="eb_rate")


def getis_ord_hotspots(
    values: pd.Series,
    polygons: Any,
    *,
    permutations: int,
    seed: int,
    fdr: float,
) -> pd.DataFrame:
    """Local Gi* per unit with two-sided permutation p, BH q-value and a hot/cold class.

    ``values`` is indexed by ``lsoa_code`` in the same order as ``polygons``. Returns columns
    ``gi_z`` (analytical z of Gi*), ``gi_z_sim`` (z against the permutation distribution),
    ``p_value`` (two-sided), ``q_value`` (Benjamini-Hochberg), ``hotspot_class``, ``neighbours``.
    """
    from esda.getisord import G_Local
    from esda.significance import calculate_significance
    from libpysal.weights import Queen

    if list(values.index) != list(polygons["lsoa_code"]):
        raise ValueError(
            "getis_ord_hotspots: values and polygons must list the same LSOAs in order"
        )
    with warnings.catch_warnings():
        # Islands (LSOAs with no contiguous neighbour) are allowed; they are reported below.
        warnings.simplefilter("ignore")
        weights = Queen.from_dataframe(polygons, use_index=False)
        local = G_Local(
            values.to_numpy(dtype=float),
            weights,
            transform="B",
            permutations=permutations,
            star=True,
            keep_simulations=True,
            n_jobs=1,
            seed=seed,
        )
    simulated = np.asarray(local.rGs)
    p_greater = np.atleast_1d(calculate_significance(local.Gs, simulated, alternative="greater"))
    p_lesser = np.atleast_1d(calculate_significance(local.Gs, simulated, alternative="lesser"))
    p_two = np.minimum(1.0, 2.0 * np.minimum(p_greater, p_lesser))
    q_values = st.false_discovery_control(p_two, method="bh")
    significant = q_values <= fdr
    upper_tail = p_greater <= p_lesser
    classes = np.where(significant & upper_tail, HOT, np.where(significant, COLD, NOT_SIGNIFICANT))
    neighbours = np.array([weights.cardinalities[i] for i in range(len(values))])
    return pd.DataFrame(
        {
            "gi_z": np.asarray(local.Zs, dtype=float),
            "gi_z_sim": np.asarray(local.z_sim, dtype=float),
            "p_value": p_two,
            "q_value": q_values,
            "hotspot_class": classes,
            "neighbours": neighbours,
        },
        index=values.index,
    )


def permutations_for_fdr(configured: int, units: int, fdr: float) -> int:
    """Permutations to use: the configured number, raised (to 10^k - 1) when it is too few
    for even the most extreme LSOA to pass the FDR threshold.

    With R permutations the smallest two-sided p is 2/(R + 1); Benjamini-Hochberg needs the
    smallest p to be at most fdr/units for anything to be significant.
    """
    needed = math.ceil(2 * units / fdr) - 1
    if configured >= needed:
        return configured
    return 10 ** math.ceil(math.log10(needed + 1)) - 1


def gi_residents(settings: Settings) -> str:
    """'residents aged 0-24' (the demo definition), or 'residents of all ages' (a proxy)."""
    return residents_phrase(settings.definitions.serious_violence_u25)


def gi_star_rows(
    base: Mapping[str, Any],
    counts: pd.Series,
    population: pd.Series,
    polygons: Any | None,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Tidy Gi* rows per LSOA, or one row saying why Gi* was not computed."""
    stats_cfg = settings.statistics
    configured = int(stats_cfg.hotspot_permutations)
    fdr = float(stats_cfg.hotspot_fdr)
    permutations = permutations_for_fdr(configured, len(counts), fdr)
    raised = (
        f"permutations raised from the configured {configured} to {permutations}: with "
        f"{configured} the smallest two-sided p, {2 / (configured + 1):.4f}, cannot pass "
        f"FDR {fdr:g} across {len(counts)} LSOAs"
        if permutations != configured
        else ""
    )
    method = (
        f"Getis-Ord Gi* (esda.G_Local, star=True, binary queen contiguity) on Empirical-Bayes "
        f"rates per 1,000 {gi_residents(settings)}; {permutations} conditional permutations (seed "
        f"{stats_cfg.random_seed}); two-sided p = 2 x min one-sided; Benjamini-Hochberg "
        f"FDR {fdr:g}"
    )
    reason = None
    if polygons is None:
        reason = "Gi* not computed: no LSOA boundaries supplied (ranked table only)"
    elif int(counts.sum()) == 0:
        reason = "Gi* not computed: no incidents with a known location"
    if reason:
        return [
            {
                **base,
                "measure_id": "gi_star",
                "group": "all LSOAs",
                "numerator": int(counts.sum()),
                "denominator": len(counts),
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "Gi* z-score",
                "method": method,
                "hotspot_class": "Not computed",
                "note": reason,
            }
        ]
    smoothed = empirical_bayes_rates(counts, population)
    result = getis_ord_hotspots(
        smoothed, polygons, permutations=permutations, seed=int(stats_cfg.random_seed), fdr=fdr
    )
    rows = []
    for code in counts.index:
        res = result.loc[code]
        rows.append(
            {
                **base,
                "measure_id": "gi_star",
                "group": code,
                "numerator": int(counts.loc[code]),
                "denominator": int(population.loc[code]),
                "value": float(res["gi_z"]),
                "lower": np.nan,
                "upper": np.nan,
                "unit": "Gi* z-score",
                "method": method,
                "eb_rate": float(smoothed.loc[code]),
                "gi_z_sim": float(res["gi_z_sim"]),
                "p_value": float(res["p_value"]),
                "q_value": float(res["q_value"]),
                "hotspot_class": str(res["hotspot_class"]),
                "neighbours": int(res["neighbours"]),
                "permutations": permutations,
                "note": "; ".join(
                    n
                    for n in (
                        "island: no contiguous neighbour" if int(res["neighbours"]) == 0 else "",
                        raised,
                    )
                    if n
                ),
            }
        )
    return rows
