"""Gi* with total permutation (pipeline.families.hotspots.clusters) and the per-LSOA own-rate
rows (own_rate), on tiny hand-made geographies worked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from statsmodels.stats.multitest import multipletests

from pipeline.families.hotspots import clusters
from pipeline.families.hotspots.clusters import (
    HIGH_CLUSTER,
    NO_CLUSTER,
    contiguity,
    getis_ord_clusters,
    total_permutation,
)
from pipeline.families.hotspots.own_rate import HOT_SPOT, NOT_HOT_SPOT, own_rate_rows


def strip(n: int) -> gpd.GeoDataFrame:
    """n unit squares in a row: each touches only the one before and the one after."""
    return gpd.GeoDataFrame(
        {"lsoa_code": [f"E01{i + 1:06d}" for i in range(n)]},
        geometry=[shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(n)],
        crs=27700,
    )


FIVE = np.array([1.0, 2.0, 3.0, 10.0, 4.0])


def test_five_areas_weights_are_the_chain_with_self():
    _, weights, neighbours = contiguity(strip(5))
    expected = np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 1],
            [0, 0, 0, 1, 1],
        ]
    )
    assert (weights.toarray() == expected).all()
    assert neighbours.tolist() == [1, 2, 2, 2, 1]


def test_five_area_total_permutation_p_matches_the_exact_enumeration():
    # Values 1, 2, 3, 10, 4 in a row (sum 20). Under total permutation each area's Gi* sum is
    # the sum of a random subset of the values of its size:
    # - area 4 (value 10; itself and areas 3, 5: 3 + 10 + 4 = 17): a 3-subset sums to >= 17
    #   only when the 2 left out sum to <= 3, i.e. {1, 2}: 1 of C(5,2) = 10 -> P = 0.1;
    # - area 5 (value 4, with area 4: 14): of the 10 pairs only {10, 4} reaches 14 -> 0.1;
    # - area 1 (1 + 2 = 3): every pair sums to >= 3 -> 1.0; and it is the smallest -> 0.1.
    # The pseudo p (M + 1)/(R + 1) estimates these to within a few binomial SEs.
    r = 20_000
    tails = total_permutation(FIVE, contiguity(strip(5))[1], permutations=r, seed=7)
    se = math.sqrt(0.1 * 0.9 / r)
    assert tails["p_greater"].iloc[3] == pytest.approx(0.1, abs=4 * se)
    assert tails["p_greater"].iloc[4] == pytest.approx(0.1, abs=4 * se)
    assert tails["p_greater"].iloc[0] == 1.0
    assert tails["p_lesser"].iloc[0] == pytest.approx(0.1, abs=4 * se)
    assert tails["p_lesser"].iloc[3] == 1.0


def test_total_permutation_moments_are_the_analytical_gi_star_moments():
    # Getis & Ord's E and V of Gi* are the moments under total randomisation, so the z of the
    # observed sum against the simulated ones matches the analytical z (checked against the
    # formula written out: z = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i^2)/(n-1)))).
    n, xbar = FIVE.size, FIVE.mean()
    s = math.sqrt((FIVE**2).mean() - xbar**2)
    w = contiguity(strip(5))[1].toarray()
    w_i = w.sum(axis=1)
    z_hand = (w @ FIVE - xbar * w_i) / (s * np.sqrt((n * w_i - w_i**2) / (n - 1)))
    values = pd.Series(FIVE, index=strip(5)["lsoa_code"])
    out = getis_ord_clusters(values, strip(5), permutations=20_000, seed=3, fdr=0.05)
    assert out["gi_z"].to_numpy() == pytest.approx(z_hand, rel=1e-9)
    assert out["gi_z_sim"].to_numpy() == pytest.approx(z_hand, abs=0.05)


def test_two_sided_p_and_bh_q_and_the_same_seed_gives_the_same_answer():
    values = pd.Series(FIVE, index=strip(5)["lsoa_code"])
    first = getis_ord_clusters(values, strip(5), permutations=999, seed=11, fdr=0.05)
    again = getis_ord_clusters(values, strip(5), permutations=999, seed=11, fdr=0.05)
    pd.testing.assert_frame_equal(first, again)
    other = getis_ord_clusters(values, strip(5), permutations=999, seed=12, fdr=0.05)
    assert not np.array_equal(first["p_value"], other["p_value"])
    tails = total_permutation(FIVE, contiguity(strip(5))[1], permutations=999, seed=11)
    two = np.minimum(1, 2 * np.minimum(tails["p_greater"], tails["p_lesser"]))
    assert first["p_value"].to_numpy() == pytest.approx(two.to_numpy())
    assert first["q_value"].to_numpy() == pytest.approx(multipletests(two, method="fdr_bh")[1])
    assert "total permutation" in first["test"].iloc[0] and "999" in first["test"].iloc[0]


def test_chunking_does_not_change_the_permutations(monkeypatch):
    weights = contiguity(strip(5))[1]
    whole = total_permutation(FIVE, weights, permutations=500, seed=5)
    monkeypatch.setattr(clusters, "_CHUNK_CELLS", 5 * 7)  # 7 permutations per chunk
    pd.testing.assert_frame_equal(whole, total_permutation(FIVE, weights, permutations=500, seed=5))


def grid(n: int) -> gpd.GeoDataFrame:
    codes = [f"E01{i + 1:06d}" for i in range(n * n)]
    cells = [
        shapely.box((i % n) * 1000, (i // n) * 1000, (i % n + 1) * 1000, (i // n + 1) * 1000)
        for i in range(n * n)
    ]
    return gpd.GeoDataFrame({"lsoa_code": codes}, geometry=cells, crs=27700)


def test_a_lone_high_lsoa_is_no_cluster_however_high_by_hand():
    # 7 x 7 grid, value 10 everywhere but 60 in the centre (E01000025, 9 cells with itself).
    # Its Gi* sum is 60 + 8 x 10 = 140; a random ordering reaches 140 exactly when the 60
    # lands in those 9 cells: P = 9/49, however high the 60. Gi* is a cluster test; a lone
    # high LSOA needs the per-LSOA test (own_rate), which finds it.
    shapes = grid(7)
    values = pd.Series(10.0, index=shapes["lsoa_code"])
    values.loc["E01000025"] = 60.0
    r = 20_000
    out = getis_ord_clusters(values, shapes, permutations=r, seed=1, fdr=0.05)
    tails = total_permutation(values.to_numpy(), contiguity(shapes)[1], permutations=r, seed=1)
    se = math.sqrt(9 / 49 * 40 / 49 / r)
    assert tails["p_greater"].iloc[24] == pytest.approx(9 / 49, abs=4 * se)
    assert out.loc["E01000025", "cluster_class"] == NO_CLUSTER
    rows = own_rate_rows(
        {}, (values / 10).astype(int), pd.Series(100, index=values.index), fdr=0.05,
        confidence=0.95,
    )  # fmt: skip
    hot = [row["group"] for row in rows if row["hotspot_class"] == HOT_SPOT]
    assert hot == ["E01000025"]  # 6 incidents where 54/49 = 1.1 are expected


def test_a_block_of_high_lsoas_is_a_cluster_and_far_corners_are_not():
    # 7 x 7 grid, value 10 (+ noise) but 40 in a 2 x 2 block in the middle.
    shapes = grid(7)
    values = pd.Series(10.0, index=shapes["lsoa_code"])
    values += np.random.default_rng(1).normal(0, 1, len(values))
    block = ["E01000017", "E01000018", "E01000024", "E01000025"]
    values.loc[block] = 40.0
    out = getis_ord_clusters(values, shapes, permutations=9999, seed=1, fdr=0.05)
    assert set(out.loc[block, "cluster_class"]) == {HIGH_CLUSTER}
    far = ["E01000001", "E01000007", "E01000043", "E01000049"]  # the corners
    assert set(out.loc[far, "cluster_class"]) == {NO_CLUSTER}
    assert out.loc[out["cluster_class"] == HIGH_CLUSTER, "q_value"].max() <= 0.05


def test_own_rate_rows_call_a_hot_spot_only_what_is_high_itself():
    # 4 LSOAs of 250 residents, 20 incidents: the borough rate is 20 per 1,000 and E = 5 each.
    # Only the LSOA with 15 (P(X >= 15 | 5) = 0.000226, q = 4 p) is a hot spot.
    codes = pd.Index(["A", "B", "C", "D"])
    counts = pd.Series([1, 2, 15, 2], index=codes)
    pops = pd.Series([250, 250, 250, 250], index=codes)
    rows = own_rate_rows({"period": "2024-25"}, counts, pops, fdr=0.05, confidence=0.95)
    by = {r["group"]: r for r in rows}
    assert [by[c]["hotspot_class"] for c in codes] == [NOT_HOT_SPOT, NOT_HOT_SPOT, HOT_SPOT,
                                                        NOT_HOT_SPOT]  # fmt: skip
    c = by["C"]
    p = 1 - sum(math.exp(-5) * 5**k / math.factorial(k) for k in range(15))
    assert (c["numerator"], c["denominator"], c["expected"]) == (15, 250, pytest.approx(5.0))
    assert c["value"] == pytest.approx(3.0) and c["borough_rate"] == pytest.approx(20.0)
    assert c["p_value"] == pytest.approx(p, rel=1e-9) and c["q_value"] == pytest.approx(4 * p)
    assert c["test"].startswith("exact Poisson") and c["fdr"] == 0.05
    # Byar's limits of 15 divided by E = 5 (Breslow & Day, written out)
    z = 1.959963984540054
    lower = 15 * (1 - 1 / (9 * 15) - z / (3 * math.sqrt(15))) ** 3 / 5
    assert c["lower"] == pytest.approx(lower, rel=1e-9)
    assert by["A"]["upper"] > 0 and by["A"]["value"] == pytest.approx(0.2)


def test_own_rate_rows_with_no_incidents_have_no_hot_spot_and_no_ratio():
    codes = pd.Index(["A", "B"])
    rows = own_rate_rows(
        {}, pd.Series([0, 0], index=codes), pd.Series([100, 200], index=codes), fdr=0.05,
        confidence=0.95,
    )  # fmt: skip
    assert [r["hotspot_class"] for r in rows] == [NOT_HOT_SPOT, NOT_HOT_SPOT]
    assert all(math.isnan(r["value"]) and r["p_value"] == 1.0 for r in rows)
