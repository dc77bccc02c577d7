"""Hot-spot detection against the planted truth, for bench/coverage_study.py.

Every method is run on one seed's located LSOA counts and residents aged 0-24 (the hotspots
table's ``sv_0_24_lsoa_rate`` rows, edition year) and its validated LSOA boundaries, with the
configured FDR, permutations (raised by ``permutations_for_fdr`` as the family does) and
seed:

- ``Gi* conditional (old)``: esda ``G_Local`` on Empirical-Bayes rates, conditional
  permutation (the LSOA's own value held fixed), two-sided p, BH: the method the family used
  before issue #14, kept here as the reference it is compared with.
- ``Gi* total permutation``: :func:`pipeline.families.hotspots.clusters.getis_ord_clusters`
  (every value permuted): "in a cluster of high rates".
- ``own rate, exact Poisson + BH``: :mod:`pipeline.stats.exceedance`, the test behind the
  residents' "hot spot" (:mod:`pipeline.families.hotspots.own_rate`).
- ``own rate, mid-p Poisson + BH``: the same with the mid-p, for comparison.
- ``own rate, EB exceedance > 0.95``: Empirical-Bayes posterior probability that the LSOA's
  rate exceeds the borough's; descriptive (not an FDR-controlled test), for comparison.

Scored per method: recall (planted LSOAs flagged / planted), precision (planted flagged /
all flagged), flags on LSOAs touching the planted cluster, flags elsewhere, and the share of
flags whose *expected* rate (truths.json ``expected_count_by_lsoa`` over the residents) is
above the borough's expected rate ("truly above the borough": the deprivation gradient makes
some unplanted LSOAs so, and a per-LSOA test is right to find them).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.settings import Settings

#: The methods, in the order printed.
METHODS: tuple[str, ...] = (
    "Gi* conditional (old)",
    "Gi* total permutation",
    "own rate, exact Poisson + BH",
    "own rate, mid-p Poisson + BH",
    "own rate, EB exceedance > 0.95",
)
#: The method residents' "hot spot" now rests on, and the targets it is held to.
CHOSEN = "own rate, exact Poisson + BH"
TARGET_RECALL, TARGET_PRECISION = 0.9, 0.8


def conditional_gi_star(
    rates: pd.Series, polygons: Any, *, permutations: int, seed: int, fdr: float
) -> set[str]:
    """The pre-#14 classification: LSOAs classed "Hot spot" by conditional-permutation Gi*."""
    from esda.getisord import G_Local
    from esda.significance import calculate_significance

    from pipeline.families.hotspots.clusters import contiguity
    from pipeline.stats.exceedance import benjamini_hochberg

    queen = contiguity(polygons)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = G_Local(
            rates.to_numpy(dtype=float), queen, transform="B", permutations=permutations,
            star=True, keep_simulations=True, n_jobs=1, seed=seed,
        )  # fmt: skip
        greater = np.atleast_1d(calculate_significance(local.Gs, local.rGs, alternative="greater"))
        lesser = np.atleast_1d(calculate_significance(local.Gs, local.rGs, alternative="lesser"))
    p_two = np.minimum(1.0, 2.0 * np.minimum(greater, lesser))
    hot = (benjamini_hochberg(p_two) <= fdr) & (greater <= lesser)
    return set(rates.index[hot])


def flagged_by_method(
    counts: pd.Series, population: pd.Series, polygons: Any, settings: Settings
) -> dict[str, set[str]]:
    """The LSOAs each method flags as high (see the module docstring)."""
    from pipeline.families.hotspots.clusters import HIGH_CLUSTER, getis_ord_clusters
    from pipeline.families.hotspots.gi_star import empirical_bayes_rates, permutations_for_fdr
    from pipeline.stats.exceedance import eb_exceedance_probability, exceedance_test

    statistics = settings.statistics
    fdr = statistics.hotspot_fdr
    seed = statistics.random_seed
    permutations = permutations_for_fdr(statistics.hotspot_permutations, len(counts), fdr)
    rates = empirical_bayes_rates(counts, population)
    clusters = getis_ord_clusters(rates, polygons, permutations=permutations, seed=seed, fdr=fdr)
    codes = counts.index
    o, n = counts.to_numpy(), population.to_numpy()
    exact = exceedance_test(o, n, fdr=fdr)["exceeds"].to_numpy()
    mid = exceedance_test(o, n, fdr=fdr, mid_p=True)["exceeds"].to_numpy()
    eb = eb_exceedance_probability(o, n) > 0.95
    return {
        "Gi* conditional (old)": conditional_gi_star(
            rates, polygons, permutations=permutations, seed=seed, fdr=fdr
        ),
        "Gi* total permutation": set(clusters.index[clusters["cluster_class"] == HIGH_CLUSTER]),
        "own rate, exact Poisson + BH": set(codes[exact]),
        "own rate, mid-p Poisson + BH": set(codes[mid]),
        "own rate, EB exceedance > 0.95": set(codes[eb]),
    }


def score_seed(
    table: pd.DataFrame,
    truths: Mapping[str, Any],
    polygons: Any,
    settings: Settings,
) -> dict[str, dict[str, int]]:
    """Counts per method for one seed: flagged, planted flagged, adjacent flagged, etc."""
    from pipeline.families.hotspots.clusters import contiguity

    edition = settings.edition
    rows = table.loc[(table["measure_id"] == "sv_0_24_lsoa_rate") & (table["period"] == edition)]
    rows = rows.assign(group=rows["group"].astype(str)).set_index("group").sort_index()
    polygons = polygons.sort_values("lsoa_code").reset_index(drop=True)
    codes = polygons["lsoa_code"].astype(str).tolist()
    counts = rows["numerator"].astype(int).reindex(codes)
    population = rows["denominator"].astype(int).reindex(codes)
    flagged = flagged_by_method(counts, population, polygons, settings)
    own = table.loc[table["measure_id"] == "sv_0_24_lsoa_exceedance"]
    if len(own):  # the family's own classification must be the one scored
        family_hot = set(own.loc[own["hotspot_class"] == "Hot spot", "group"].astype(str))
        if family_hot != flagged[CHOSEN]:
            raise AssertionError(
                f"the hotspots table's hot spots {sorted(family_hot)} differ from "
                f"{CHOSEN} recomputed here {sorted(flagged[CHOSEN])}"
            )
    planted = set(truths["hotspot_lsoas"])
    neighbours = contiguity(polygons)[0].neighbors
    adjacent = {codes[j] for i, c in enumerate(codes) if c in planted for j in neighbours[i]}
    adjacent -= planted
    expected = pd.Series(truths["hotspots"]["expected_count_by_lsoa"]).reindex(codes)
    borough = expected.sum() / population.sum()
    truly_above = set(expected.index[(expected / population) > borough * (1 + 1e-9)])
    out = {}
    for method, hot in flagged.items():
        out[method] = {
            "planted": len(planted),
            "flagged": len(hot),
            "planted_flagged": len(hot & planted),
            "adjacent": len(adjacent),
            "adjacent_flagged": len(hot & adjacent),
            "others": len(codes) - len(planted) - len(adjacent),
            "others_flagged": len(hot - planted - adjacent),
            "flagged_truly_above": len(hot & truly_above),
            "all_planted_found": int(planted <= hot),
        }
    return out


def hotspot_lines(per_seed: list[dict[str, dict[str, int]]]) -> list[str]:
    """The detection table, one row per method, summed over the seeds."""
    n = len(per_seed)

    def pct(x: float, of: float) -> str:
        return f"{100 * x / of:.1f}%" if of else "-"

    lines = [
        f"Hot-spot detection of the planted cluster (sv_0_24, edition year, BH FDR 5%, Gi* with "
        f"9,999 permutations), {n} seeds. Recall: planted LSOAs flagged / planted. Precision: "
        "planted flagged / all flagged. 'Truly above': flags whose expected rate (truths.json) "
        "is above the borough's expected rate.",
        "",
        "| method | recall | precision | all planted found (seeds) | flags touching the "
        "cluster | flags elsewhere | flags truly above the borough |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for method in METHODS:
        total = pd.DataFrame([s[method] for s in per_seed]).sum()
        lines.append(
            f"| {method}{' (residents: hot spot)' if method == CHOSEN else ''} | "
            f"{pct(total['planted_flagged'], total['planted'])} | "
            f"{pct(total['planted_flagged'], total['flagged'])} | "
            f"{total['all_planted_found']} of {n} | "
            f"{total['adjacent_flagged']} of {total['adjacent']} | "
            f"{total['others_flagged']} of {total['others']} | "
            f"{total['flagged_truly_above']} of {total['flagged']} |"
        )
    chosen = pd.DataFrame([s[CHOSEN] for s in per_seed]).sum()
    recall = chosen["planted_flagged"] / chosen["planted"] if chosen["planted"] else np.nan
    precision = chosen["planted_flagged"] / chosen["flagged"] if chosen["flagged"] else np.nan
    met = recall >= TARGET_RECALL and precision >= TARGET_PRECISION
    lines += [
        "",
        f"{CHOSEN}: recall {recall:.3f} (target >= {TARGET_RECALL}), precision {precision:.3f} "
        f"(target >= {TARGET_PRECISION}): {'both targets met' if met else 'TARGET MISSED'}.",
    ]
    return lines
