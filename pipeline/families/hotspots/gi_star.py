"""The hot-spot rows: each LSOA's own-rate test (:mod:`.own_rate`, what "hot spot" means) and
Getis-Ord Gi* clusters on Empirical-Bayes-smoothed LSOA rates (:mod:`.clusters`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import confidence_of, residents_phrase
from pipeline.families.hotspots.clusters import getis_ord_clusters
from pipeline.families.hotspots.own_rate import own_rate_rows
from pipeline.families.small_areas import SMALL_AREA_RATE_PER
from pipeline.settings import Settings


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
    """The own-rate test's rows per LSOA, then Gi* rows per LSOA or one row saying why Gi*
    was not computed (the own-rate test needs no boundaries)."""
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
        f"rates per 1,000 {gi_residents(settings)}; {permutations} total permutations (every "
        f"value, the LSOA's own included; seed {stats_cfg.random_seed}); two-sided p = 2 x "
        f"min one-sided; Benjamini-Hochberg FDR {fdr:g}"
    )
    own = own_rate_rows(base, counts, population, fdr=fdr, confidence=confidence_of(settings))
    reason = None
    if polygons is None:
        reason = "Gi* not computed: no LSOA boundaries supplied (ranked table only)"
    elif int(counts.sum()) == 0:
        reason = "Gi* not computed: no incidents with a known location"
    if reason:
        return own + [
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
                "cluster_class": "Not computed",
                "note": reason,
            }
        ]
    smoothed = empirical_bayes_rates(counts, population)
    result = getis_ord_clusters(
        smoothed, polygons, permutations=permutations, seed=int(stats_cfg.random_seed), fdr=fdr
    )
    rows = own
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
                "cluster_class": str(res["cluster_class"]),
                "test": str(res["test"]),
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
