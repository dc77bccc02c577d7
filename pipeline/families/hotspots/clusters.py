"""Getis-Ord Gi* clusters with total (unconditional) permutation: is this LSOA, together with
its neighbours, a cluster of high (or low) rates?

esda's ``G_Local`` permutes the other values while holding the LSOA's own value fixed
(conditional permutation). Gi* includes the LSOA's own value, so that test mostly asks whether
the *neighbours* are high: on the demo generator it found only 50-60% of the planted 4x
LSOAs. Here every value is permuted, the focal one included, so the reference distribution
is that of Gi* when rates carry no spatial pattern at all (the randomisation under which
Getis & Ord derived the moments of the analytical z).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from pipeline.stats.exceedance import benjamini_hochberg

#: Gi* classes (the technical report's cluster reading; residents' "hot spot" is the
#: per-LSOA own-rate test of :mod:`.own_rate`).
HIGH_CLUSTER = "In a cluster of high rates"
LOW_CLUSTER = "In a cluster of low rates"
NO_CLUSTER = "Not significant"

#: How the cluster test is named in the tables.
CLUSTER_TEST = "Getis-Ord Gi*, total permutation, two-sided"

#: At most this many simulated values are held at once (rows x permutations).
_CHUNK_CELLS = 4_000_000


def contiguity(polygons: Any) -> tuple[Any, sparse.csr_matrix, np.ndarray]:
    """Queen contiguity of the polygons (in their order): the libpysal weights, the binary
    matrix with each LSOA its own neighbour (Gi*), and each LSOA's neighbours (self
    excluded)."""
    from libpysal.weights import Queen

    with warnings.catch_warnings():
        # Islands (LSOAs with no contiguous neighbour) are allowed; they are reported.
        warnings.simplefilter("ignore")
        weights = Queen.from_dataframe(polygons, use_index=False)
    n = len(polygons)
    adjacency = sparse.csr_matrix(weights.sparse, dtype=float, shape=(n, n))
    adjacency.data[:] = 1.0
    cardinalities = np.array([weights.cardinalities[i] for i in range(n)], dtype=int)
    return weights, (adjacency + sparse.identity(n, format="csr")).tocsr(), cardinalities


def total_permutation(
    values: np.ndarray, weights: sparse.csr_matrix, *, permutations: int, seed: int
) -> pd.DataFrame:
    """One-sided pseudo p-values of each unit's Gi* sum under total permutation.

    For each of ``permutations`` random orderings of *all* the values (numpy
    ``default_rng(seed).permuted``), the weighted sum ``sum_j w_ij y_j`` is recomputed for
    every unit; Gi*'s denominator ``sum y`` is the same in every ordering, so comparing the
    sums compares Gi*. ``p_greater = (M_ge + 1) / (R + 1)``, ``p_lesser`` likewise, where
    M counts the orderings at least as extreme (ties within 1e-9 of the largest sum count
    as equal: a sum of the same numbers in another order can differ in the last bit).
    Also ``z_sim``: the observed sum against the mean and standard deviation of the
    simulated sums.
    """
    y = np.asarray(values, dtype=float)
    n = y.size
    if permutations < 1:
        raise ValueError(f"permutations = {permutations} must be at least 1")
    observed = weights @ y
    tolerance = 1e-9 * max(1.0, float(np.abs(observed).max()))
    rng = np.random.default_rng(seed)
    at_least = np.zeros(n)
    at_most = np.zeros(n)
    total = np.zeros(n)
    squares = np.zeros(n)
    chunk = max(1, min(permutations, _CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < permutations:
        size = min(chunk, permutations - done)
        shuffled = rng.permuted(np.tile(y, (size, 1)), axis=1)
        simulated = np.asarray(weights @ shuffled.T)  # n x size
        at_least += (simulated >= observed[:, None] - tolerance).sum(axis=1)
        at_most += (simulated <= observed[:, None] + tolerance).sum(axis=1)
        total += simulated.sum(axis=1)
        squares += (simulated**2).sum(axis=1)
        done += size
    mean = total / permutations
    spread = np.sqrt(np.maximum(squares / permutations - mean**2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = np.where(spread > 0, (observed - mean) / spread, 0.0)
    return pd.DataFrame(
        {
            "p_greater": (at_least + 1) / (permutations + 1),
            "p_lesser": (at_most + 1) / (permutations + 1),
            "z_sim": z_sim,
        }
    )


def getis_ord_clusters(
    values: pd.Series,
    polygons: Any,
    *,
    permutations: int,
    seed: int,
    fdr: float,
) -> pd.DataFrame:
    """Local Gi* per LSOA with a two-sided total-permutation p, BH q-value and cluster class.

    ``values`` is indexed by ``lsoa_code`` in the same order as ``polygons``. Returns columns
    ``gi_z`` (analytical z of Gi*, esda ``G_Local.Zs``), ``gi_z_sim`` (z against the
    total-permutation distribution), ``p_value`` (two-sided: min(1, 2 x the smaller one-sided
    p)), ``q_value`` (Benjamini-Hochberg), ``cluster_class``, ``neighbours`` and ``test``.
    """
    from esda.getisord import G_Local

    if list(values.index) != list(polygons["lsoa_code"]):
        raise ValueError(
            "getis_ord_clusters: values and polygons must list the same LSOAs in order"
        )
    queen, weights, neighbours = contiguity(polygons)
    y = values.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analytical = G_Local(y, queen, transform="B", permutations=0, star=True)
    tails = total_permutation(y, weights, permutations=permutations, seed=seed)
    p_greater, p_lesser = tails["p_greater"].to_numpy(), tails["p_lesser"].to_numpy()
    p_two = np.minimum(1.0, 2.0 * np.minimum(p_greater, p_lesser))
    q_values = benjamini_hochberg(p_two)
    significant = q_values <= fdr
    upper_tail = p_greater <= p_lesser
    classes = np.where(
        significant & upper_tail, HIGH_CLUSTER, np.where(significant, LOW_CLUSTER, NO_CLUSTER)
    )
    return pd.DataFrame(
        {
            "gi_z": np.asarray(analytical.Zs, dtype=float),
            "gi_z_sim": tails["z_sim"].to_numpy(),
            "p_value": p_two,
            "q_value": q_values,
            "cluster_class": classes,
            "neighbours": neighbours,
            "test": f"{CLUSTER_TEST} ({permutations} permutations, seed {seed})",
        },
        index=values.index,
    )
