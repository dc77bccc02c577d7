"""Hot-spot measures: LSOA/ward rates, concentration, Gi*, schools (tiny frames worked by hand).

Also holds the tiny-frame builders and the demo-data loader (``demo_frames``, through the
validation layer) that the timing, deprivation and monitoring tests import.
"""

from __future__ import annotations

import functools
import json
import math
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from pipeline.families.hotspots import measures as hotspots
from pipeline.families.hotspots.findings import findings as hotspots_findings
from pipeline.families.hotspots.gi_star import empirical_bayes_rates, permutations_for_fdr
from pipeline.families.hotspots.schools import area_share_near_schools
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
AREA = "E09000031"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Tiny hand-made inputs
# --------------------------------------------------------------------------------------------


def grid(n: int, size: float = 1000.0) -> gpd.GeoDataFrame:
    """An n x n grid of square LSOAs E01000001.. (row-major from the south-west corner)."""
    codes = [f"E01{i + 1:06d}" for i in range(n * n)]
    cells = [
        shapely.box((i % n) * size, (i // n) * size, (i % n + 1) * size, (i // n + 1) * size)
        for i in range(n * n)
    ]
    return gpd.GeoDataFrame({"lsoa_code": codes}, geometry=cells, crs=27700)


def lsoa_list(codes: list[str], wards: dict[str, str] | None = None) -> pd.DataFrame:
    wards = wards or {}
    ward = [wards.get(c, "W1") for c in codes]
    return pd.DataFrame(
        {
            "lsoa_code": codes,
            "lsoa_name": [f"Name {c}" for c in codes],
            "ward_code": ward,
            "ward_name": [f"Ward {w}" for w in ward],
            "area_code": AREA,
        }
    )


def populations(pops: dict[str, tuple[int, int]], years=range(2020, 2025)) -> pd.DataFrame:
    """Banded population rows: (age 0, ages 1-24) per LSOA, plus a 25-29 band to be ignored."""
    rows = []
    for code, (age0, age1_24) in pops.items():
        for year in years:
            for lo, hi, p in ((0, 0, age0), (1, 24, age1_24), (25, 29, 999)):
                rows.append(
                    {
                        "area_code": code,
                        "year": year,
                        "sex": "All",
                        "age_from": lo,
                        "age_to": hi,
                        "ethnicity": "All",
                        "population": p,
                    }
                )
    return pd.DataFrame(rows)


def victims(rows: list[dict]) -> pd.DataFrame:
    """Validated-style victim rows with defaults (serious violence, aged 15, in 2024-25)."""
    defaults = {
        "offence_group": "Violence with injury",
        "weapon": "None",
        "injury": True,
        "domestic_abuse": False,
        "victim_age": 15,
        "victim_sex": "Male",
        "victim_ethnicity": "White",
        "ethnicity_group": "White",
        "lsoa_code": "E01000001",
        "easting": np.nan,
        "northing": np.nan,
        "offence_start_date": pd.Timestamp("2024-06-03"),
        "offence_start_time": "12:00",
        "offence_end_date": pd.NaT,
        "offence_end_time": pd.NA,
    }
    frame = pd.DataFrame(
        [{**defaults, "offence_id": f"O{i}", "victim_id": f"V{i}", **r} for i, r in enumerate(rows)]
    )
    frame["victim_age"] = frame["victim_age"].astype("Int64")
    start = pd.to_datetime(frame["offence_start_date"])
    frame["offence_start_date"] = start
    frame["financial_year"] = (start.dt.year - (start.dt.month < 4)).astype("Int64")
    frame["time_known"] = frame["offence_start_time"].notna()
    frame["location_status"] = np.where(frame["lsoa_code"].isna(), "location unknown", "in area")
    frame["offence_start"] = start
    return frame


def repeat(n: int, **row) -> list[dict]:
    return [dict(row) for _ in range(n)]


def rows_of(table: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    return table.loc[table["measure_id"] == measure_id]


def one(table: pd.DataFrame, measure_id: str, group: str | None = None) -> pd.Series:
    rows = rows_of(table, measure_id)
    if group is not None:
        rows = rows.loc[rows["group"] == group]
    assert len(rows) == 1, (measure_id, group, len(rows))
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# Counts, rates and reconciliation
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_table() -> pd.DataFrame:
    """3 x 3 grid; LSOA 1 has 4 incidents (one with two victims), LSOA 2 has 12, LSOA 9 has 2."""
    codes = grid(3)["lsoa_code"].tolist()
    rows = repeat(3, lsoa_code="E01000001")
    rows += [
        {"lsoa_code": "E01000001", "offence_id": "SHARED", "victim_id": "A"},
        {"lsoa_code": "E01000001", "offence_id": "SHARED", "victim_id": "B"},
    ]
    rows += repeat(12, lsoa_code="E01000002")
    rows += [{"lsoa_code": pd.NA}]  # location unknown
    rows += [{"lsoa_code": "E01000003", "victim_age": 30}]  # outside the age range: not selected
    rows += [
        {"lsoa_code": "E01000003", "offence_start_date": pd.Timestamp("2024-03-31")}
    ]  # 2023-24
    # LSOA 9: a key-metric victim (knife, injury, not DA, aged 15) and a knife victim aged 0,
    # who is in serious violence 0-24 but not in the key metric (aged 1-24)
    rows += [
        {"lsoa_code": "E01000009", "weapon": "Knife or sharp instrument"},
        {"lsoa_code": "E01000009", "weapon": "Knife or sharp instrument", "victim_age": 0},
    ]
    frame = victims(rows)
    pops = {c: (10, 190) for c in codes}
    pops["E01000002"] = (10, 390)
    wards = {c: ("W1" if i < 3 else "W2") for i, c in enumerate(codes)}
    return hotspots.compute(
        victims=frame,
        lsoas=lsoa_list(codes, wards),
        population_lsoa=populations(pops),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=None,
        schools=None,
    )


def test_lsoa_rate_uses_exact_limits_below_ten(small_table):
    # LSOA 1: 4 incidents (the shared offence counts once) / 200 residents aged 0-24
    # = 20 per 1,000. Exact Poisson limits for 4 events at 95% (Garwood; chi-square tables):
    # chi2(0.025; 8)/2 = 2.17973/2 = 1.08986 and chi2(0.975; 10)/2 = 20.4832/2 = 10.2416,
    # so the rate limits are 1.08986/200*1000 = 5.4493 and 10.2416/200*1000 = 51.208.
    row = one(small_table, "sv_0_24_lsoa_rate", "E01000001")
    assert row["numerator"] == 4 and row["denominator"] == 200
    assert row["value"] == pytest.approx(20.0)
    assert row["lower"] == pytest.approx(5.4493, rel=1e-4)
    assert row["upper"] == pytest.approx(51.208, rel=1e-4)
    assert row["method"] == "Exact"


def test_lsoa_rate_uses_byars_from_ten(small_table):
    # LSOA 2: 12 incidents, 400 residents aged 0-24 -> 30 per 1,000. Byar's at z = 1.959964:
    # lower = 12 (1 - 1/108 - 1.959964/(3 sqrt 12))^3 = 12 x 0.802139^3 = 6.1935
    # upper = 13 (1 - 1/117 + 1.959964/(3 sqrt 13))^3 = 13 x 1.172650^3 = 20.9628
    # -> 15.484 and 52.407 per 1,000.
    row = one(small_table, "sv_0_24_lsoa_rate", "E01000002")
    assert (row["numerator"], row["denominator"]) == (12, 400)
    assert row["lower"] == pytest.approx(15.484, rel=1e-3)
    assert row["upper"] == pytest.approx(52.407, rel=1e-3)
    assert row["method"] == "Byars"
    assert row["rank"] == 1  # the LSOA with most incidents ranks first


def test_every_lsoa_listed_with_zeros_and_wards_add_up(small_table):
    lsoa = rows_of(small_table, "sv_0_24_lsoa_rate")
    assert len(lsoa) == 9 and lsoa["group"].is_monotonic_increasing
    assert int(lsoa["numerator"].sum()) == 18  # 4 + 12 + 2
    # W1 = LSOAs 1-3: 4 + 12 + 0 = 16 incidents / (200 + 400 + 200) residents = 20 per 1,000
    w1 = one(small_table, "sv_0_24_ward_rate", "W1")
    assert (w1["numerator"], w1["denominator"], w1["value"]) == (16, 800, pytest.approx(20.0))
    assert one(small_table, "sv_0_24_ward_rate", "W2")["numerator"] == 2


def test_reconciliation_accounts_for_every_victim_row(small_table):
    # Rows meeting the definition in 2024-25: 3 + 2 (shared offence) + 12 + 2 (LSOA 9, both
    # aged 0-24) + 1 (unknown location) = 20; not the aged-30 row, nor the 2023-24 row.
    recon = rows_of(small_table, "sv_0_24_row_reconciliation").set_index("group")["numerator"]
    assert recon["rows read"] == 20
    assert recon["merged: further victims of the same offence"] == 1
    assert recon["excluded: location unknown"] == 1
    assert recon["used: incidents located in an LSOA"] == 18
    lsoa_total = rows_of(small_table, "sv_0_24_lsoa_rate")["numerator"].sum()
    assert lsoa_total == recon["used: incidents located in an LSOA"]


def test_key_metric_counted_per_lsoa_per_residents_of_the_same_age(small_table):
    # Only the aged-15 knife victim meets kcwi_1_24 (aged 1-24); LSOA 9 has 190 aged 1-24.
    row = one(small_table, "kcwi_1_24_lsoa_rate", "E01000009")
    assert (row["numerator"], row["denominator"]) == (1, 190)
    assert row["value"] == pytest.approx(1 / 190 * 1000)
    assert rows_of(small_table, "kcwi_1_24_lsoa_rate")["numerator"].sum() == 1


def test_concentration_top_shares_and_gini(small_table):
    # Counts over the 9 LSOAs: 4, 12, 0, 0, 0, 0, 0, 0, 2 (18 located incidents).
    # Top 5%: ceil(0.05 x 9) = 1 LSOA -> 12/18 = 0.6667; top 10%: ceil(0.9) = 1 -> 0.6667.
    # Gini, ascending x = 0,0,0,0,0,0,2,4,12: sum(i x_i) = 7x2 + 8x4 + 9x12 = 154,
    # G = 2 x 154 / (9 x 18) - 10/9 = 1.901235 - 1.111111 = 0.790123.
    top5 = one(small_table, "sv_0_24_top_5pct_share")
    assert (top5["numerator"], top5["denominator"], top5["lsoas"]) == (12, 18, 1)
    assert top5["value"] == pytest.approx(12 / 18)
    assert one(small_table, "sv_0_24_top_10pct_share")["value"] == pytest.approx(12 / 18)
    assert one(small_table, "sv_0_24_gini")["value"] == pytest.approx(0.790123, abs=1e-6)


def test_without_boundaries_gi_star_is_not_computed(small_table):
    row = one(small_table, "sv_0_24_gi_star")
    assert row["hotspot_class"] == "Not computed" and math.isnan(row["value"])
    assert "no LSOA boundaries" in row["note"]
    assert one(small_table, "sv_0_24_near_school_share")["note"] == "no schools list supplied"


def test_table_is_deterministic_and_numeric(small_table):
    for column in ("numerator", "denominator", "value", "lower", "upper", "confidence"):
        assert pd.api.types.is_numeric_dtype(small_table[column]), column
    codes = grid(3)["lsoa_code"].tolist()
    frame = victims(repeat(3, lsoa_code="E01000004"))
    args = dict(
        victims=frame,
        lsoas=lsoa_list(codes),
        population_lsoa=populations({c: (10, 190) for c in codes}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=grid(3),
        schools=None,
    )
    pd.testing.assert_frame_equal(hotspots.compute(**args), hotspots.compute(**args))


# --------------------------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------------------------


def gi_star_z(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Getis & Ord (1992) Gi* z-score, written out from the paper (binary weights, self = 1):
    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i^2)/(n - 1))),
    S^2 = sum x^2 / n - xbar^2."""
    n = len(values)
    xbar = values.mean()
    s = math.sqrt((values**2).mean() - xbar**2)
    w_i = weights.sum(axis=1)
    return (weights @ values - xbar * w_i) / (s * np.sqrt((n * w_i - w_i**2) / (n - 1)))


def queen_matrix(n: int) -> np.ndarray:
    """Binary queen contiguity on an n x n grid, with each cell its own neighbour (Gi*)."""
    w = np.zeros((n * n, n * n))
    for i in range(n * n):
        for j in range(n * n):
            if abs(i % n - j % n) <= 1 and abs(i // n - j // n) <= 1:
                w[i, j] = 1
    return w


@pytest.fixture(scope="module")
def clustered():
    """6 x 6 grid: a 2 x 2 block in the south-west corner has 15 incidents per LSOA, the rest 1
    (every LSOA has 200 residents aged 0-24, so rates follow counts)."""
    boundaries = grid(6)
    codes = boundaries["lsoa_code"].tolist()
    hot = {"E01000001", "E01000002", "E01000007", "E01000008"}
    rows = []
    for code in codes:
        rows += repeat(15 if code in hot else 1, lsoa_code=code)
    table = hotspots.compute(
        victims=victims(rows),
        lsoas=lsoa_list(codes),
        population_lsoa=populations({c: (10, 190) for c in codes}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=boundaries,
        schools=None,
    )
    return table, hot, codes


def test_empirical_bayes_rates_match_marshall_formula():
    # Marshall (1991) global EB, rates r = 0.10, 0.025, 0.05: b = sum(e)/sum(n) = 30/600 = 0.05;
    # s2 = sum(n (r - b)^2)/sum(n) = (100 x 0.0025 + 200 x 0.000625 + 300 x 0)/600 = 0.000625;
    # a = s2 - b / mean(n) = 0.000625 - 0.05/200 = 0.000375;
    # shrinkage w_i = a / (a + b/n_i): 0.000375/(0.000375 + 0.0005) = 3/7, 0.000375/0.000625 = 0.6.
    # r_EB = w r + (1 - w) b: 3/7 x 0.10 + 4/7 x 0.05 = 0.0714286; 0.6 x 0.025 + 0.4 x 0.05 =
    # 0.035; the third r equals b and stays 0.05. Per 1,000: 71.4286, 35.0, 50.0.
    counts = pd.Series([10, 5, 15], index=["a", "b", "c"])
    pops = pd.Series([100, 200, 300], index=["a", "b", "c"])
    eb = empirical_bayes_rates(counts, pops)
    assert eb.tolist() == pytest.approx([71.4286, 35.0, 50.0], rel=1e-5)


def test_empirical_bayes_shrinks_fully_when_rates_vary_less_than_chance():
    # Equal rates: s2 = 0 < b/mean(n), so Marshall's a is negative and is set to 0 (no
    # between-area variation): every smoothed rate is the global rate 30/600 = 50 per 1,000.
    counts = pd.Series([5, 10, 15], index=["a", "b", "c"])
    pops = pd.Series([100, 200, 300], index=["a", "b", "c"])
    assert empirical_bayes_rates(counts, pops).tolist() == pytest.approx([50.0] * 3)


def test_gi_star_z_matches_getis_ord_formula(clustered):
    table, hot, codes = clustered
    gi = rows_of(table, "sv_0_24_gi_star").set_index("group").loc[codes]
    eb = gi["eb_rate"].to_numpy()
    assert gi["value"].to_numpy() == pytest.approx(gi_star_z(eb, queen_matrix(6)), rel=1e-9)
    assert gi["neighbours"].loc["E01000001"] == 3  # a corner cell has 3 queen neighbours
    assert gi["neighbours"].loc["E01000008"] == 8


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_gi_star_p_values_are_two_sided_and_fdr_adjusted(clustered):
    from esda.getisord import G_Local
    from libpysal.weights import Queen

    table, hot, codes = clustered
    gi = rows_of(table, "sv_0_24_gi_star").set_index("group").loc[codes]
    stats_cfg = CONFIG["statistics"]
    weights = Queen.from_dataframe(grid(6), use_index=False)
    permutations = int(gi["permutations"].iloc[0])
    assert permutations == permutations_for_fdr(
        stats_cfg["hotspot_permutations"], 36, stats_cfg["hotspot_fdr"]
    )
    local = G_Local(
        gi["eb_rate"].to_numpy(),
        weights,
        transform="B",
        star=True,
        permutations=permutations,
        n_jobs=1,
        seed=stats_cfg["random_seed"],
    )
    sims = local.rGs
    r = sims.shape[1]
    # One-sided pseudo p in each tail, (M + 1)/(R + 1); two-sided = twice the smaller, capped.
    upper = ((sims >= local.Gs[:, None]).sum(axis=1) + 1) / (r + 1)
    lower = ((sims <= local.Gs[:, None]).sum(axis=1) + 1) / (r + 1)
    expected_p = np.minimum(1, 2 * np.minimum(upper, lower))
    assert gi["p_value"].to_numpy() == pytest.approx(expected_p)
    # esda's folded p_sim is the one-sided smaller tail, so the two-sided p is about twice it
    assert np.all(gi["p_value"].to_numpy() >= local.p_sim - 1e-12)
    # Benjamini-Hochberg q-values from statsmodels (independent implementation)
    assert gi["q_value"].to_numpy() == pytest.approx(multipletests(expected_p, method="fdr_bh")[1])


def test_permutations_are_raised_only_when_the_fdr_is_unattainable():
    # 145 LSOAs at FDR 0.05: BH needs p <= 0.05/145 = 0.000345 for the most extreme LSOA, and
    # 2/(R + 1) <= 0.000345 needs R >= 5799, so 999 becomes 9999; 36 LSOAs need R >= 1439,
    # so 999 becomes 9999 too; 9 LSOAs need R >= 359, so 999 stays.
    assert permutations_for_fdr(999, 145, 0.05) == 9999
    assert permutations_for_fdr(999, 36, 0.05) == 9999
    assert permutations_for_fdr(999, 9, 0.05) == 999
    assert permutations_for_fdr(99_999, 145, 0.05) == 99_999


def test_gi_star_classes_the_planted_cluster_hot_and_far_cells_not(clustered):
    table, hot, codes = clustered
    gi = rows_of(table, "sv_0_24_gi_star").set_index("group")
    classes = gi["hotspot_class"]
    assert set(classes.loc[sorted(hot)]) == {"Hot spot"}
    # the opposite corner is nowhere near the cluster
    assert classes.loc["E01000036"] == "Not significant"
    assert (classes == "Cold spot").sum() == 0
    assert (
        gi.loc[gi["hotspot_class"] == "Hot spot", "q_value"].max()
        <= CONFIG["statistics"]["hotspot_fdr"]
    )


def test_gi_star_finding_names_the_wards_of_hot_spots(clustered):
    table, hot, codes = clustered
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}
    gi = found["hotspots_gi_star"]
    assert gi.status == "Hot spots found" and "in Ward W1 ward." in gi.resident
    assert "Benjamini-Hochberg" in gi.technical and "E01000001" in gi.technical
    assert gi.topic == "where"


def test_gi_star_finding_says_no_hot_spot_when_none_is_significant():
    boundaries = grid(4)
    codes = boundaries["lsoa_code"].tolist()
    rows = []
    for code in codes:  # the same count everywhere: nothing to find
        rows += repeat(3, lsoa_code=code)
    table = hotspots.compute(
        victims=victims(rows),
        lsoas=lsoa_list(codes),
        population_lsoa=populations({c: (10, 190) for c in codes}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=boundaries,
        schools=None,
    )
    assert set(rows_of(table, "sv_0_24_gi_star")["hotspot_class"]) == {"Not significant"}
    gi = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    assert gi.status == "No hot spots" and "We found hot spots" not in gi.resident


# --------------------------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def school_table() -> pd.DataFrame:
    """3 x 3 grid of 1 km squares; one school at the centre (1500, 1500); 400 m radius.
    12 incidents within 400 m, 8 beyond, 1 without coordinates."""
    codes = grid(3)["lsoa_code"].tolist()
    rows = repeat(12, lsoa_code="E01000005", easting=1500.0 + 100, northing=1500.0 + 300)
    rows += repeat(8, lsoa_code="E01000001", easting=200.0, northing=200.0)
    rows += [{"lsoa_code": "E01000005"}]  # no coordinates
    schools = pd.DataFrame(
        {
            "urn": [1],
            "school_name": ["Central"],
            "phase": ["Secondary"],
            "easting": [1500.0],
            "northing": [1500.0],
        }
    )
    return hotspots.compute(
        victims=victims(rows),
        lsoas=lsoa_list(codes),
        population_lsoa=populations({c: (10, 190) for c in codes}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=grid(3),
        schools=schools,
    )


def test_near_school_share_and_expected_share(school_table):
    # (100, 300) from the school is 316 m away: inside 400 m. 12 of 20 incidents with
    # coordinates -> 0.6. Wilson 95% (checked with statsmodels): x = 12, n = 20.
    share = one(school_table, "sv_0_24_near_school_share")
    assert (share["numerator"], share["denominator"]) == (12, 20)
    lo, hi = proportion_confint(12, 20, alpha=0.05, method="wilson")
    assert (share["lower"], share["upper"]) == (pytest.approx(lo), pytest.approx(hi))
    # Expected: a 400 m circle inside the 3 km x 3 km borough, pi 400^2 / 9e6 = 0.0558505
    # (the buffer is a 128-sided polygon, 0.04% smaller than the circle).
    assert share["expected_share"] == pytest.approx(math.pi * 400**2 / 9e6, rel=1e-3)
    ratio = one(school_table, "sv_0_24_near_school_ratio")
    expected = share["expected_share"]
    assert ratio["value"] == pytest.approx(0.6 / expected)
    assert (ratio["lower"], ratio["upper"]) == (
        pytest.approx(lo / expected),
        pytest.approx(hi / expected),
    )
    recon = rows_of(school_table, "sv_0_24_row_reconciliation").set_index("group")
    assert recon.loc["excluded from the near-school share only: no coordinates", "numerator"] == 1


def test_school_finding_says_more_often_only_when_the_interval_is_above(school_table):
    finding = {f.id: f for f in hotspots_findings(school_table, Settings.of(CONFIG))}[
        "hotspots_schools"
    ]
    assert finding.status == "Higher"
    assert "60%" in finding.resident and "more often than" in finding.resident
    # A share built on 1..10 incidents is not shown to residents.
    small = school_table.copy()
    mask = small["measure_id"] == "sv_0_24_near_school_share"
    small.loc[mask, "numerator"] = 7
    finding = {f.id: f for f in hotspots_findings(small, Settings.of(CONFIG))}["hotspots_schools"]
    assert "too few" in finding.resident and "%" not in finding.resident


def test_a_missing_near_school_comparison_is_said_with_its_reason(school_table):
    """When the expected share cannot be computed (here: no land near the schools), both
    reports say that the comparison is missing and the technical one says why."""
    no_land = school_table.copy()
    mask = no_land["measure_id"] == "sv_0_24_near_school_ratio"
    no_land.loc[mask, ["value", "lower", "upper"]] = float("nan")
    no_land.loc[mask, "note"] = (
        "not computed: no incidents with coordinates or no land near schools"
    )
    finding = {f.id: f for f in hotspots_findings(no_land, Settings.of(CONFIG))}["hotspots_schools"]
    assert finding.status == "Not compared"
    assert "60%" in finding.resident and "could not compare" in finding.resident
    assert "no land near schools" in finding.technical
    without_ratio = school_table.loc[~mask].copy()
    share = without_ratio["measure_id"] == "sv_0_24_near_school_share"
    without_ratio.loc[share, "note"] = "expected share not computed: no LSOA boundaries supplied"
    finding = {f.id: f for f in hotspots_findings(without_ratio, Settings.of(CONFIG))}[
        "hotspots_schools"
    ]
    assert "could not compare" in finding.resident
    assert "no LSOA boundaries supplied" in finding.technical


def test_boundaries_in_degrees_are_projected_to_metres_first():
    # The 3 x 3 km grid given in WGS84 gives the same expected share once projected back.
    codes = grid(3)["lsoa_code"].tolist()
    schools = pd.DataFrame(
        {
            "urn": [1],
            "school_name": ["C"],
            "phase": ["Primary"],
            "easting": [531500.0],
            "northing": [181500.0],
        }
    )
    shifted = grid(3).translate(530000, 180000)
    in_metres = gpd.GeoDataFrame({"lsoa_code": codes}, geometry=shifted, crs=27700)
    in_degrees = in_metres.to_crs(4326)
    polygons = hotspots.area_boundaries(in_degrees, codes)
    assert polygons.crs.to_epsg() == 27700
    assert area_share_near_schools(polygons, schools, 400) == pytest.approx(
        area_share_near_schools(in_metres, schools, 400), rel=1e-4
    )


def test_area_share_near_a_school_on_the_edge_counts_only_land_inside():
    # A school on the corner (0, 0) of a 1 km square: a quarter circle is inside,
    # pi 400^2 / 4 / 1e6 = 0.125664.
    square = gpd.GeoDataFrame(
        {"lsoa_code": ["E01000001"]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs=27700
    )
    school = pd.DataFrame({"easting": [0.0], "northing": [0.0]})
    assert area_share_near_schools(square, school, 400) == pytest.approx(
        math.pi * 400**2 / 4 / 1e6, rel=1e-3
    )


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_missing_boundary_is_named():
    codes = grid(2)["lsoa_code"].tolist()
    with pytest.raises(ValueError, match=r"boundaries: 1 LSOA.*E01000004"):
        hotspots.compute(
            victims=victims([{}]),
            lsoas=lsoa_list(codes),
            population_lsoa=populations({c: (10, 190) for c in codes}),
            settings=Settings.of(CONFIG),
            area_code=AREA,
            boundaries=grid(2).iloc[:3],
            schools=None,
        )


def test_lsoa_without_young_residents_is_named():
    codes = grid(2)["lsoa_code"].tolist()
    pops = {c: (10, 190) for c in codes}
    pops["E01000003"] = (0, 0)
    with pytest.raises(ValueError, match=r"population_lsoa.*E01000003"):
        hotspots.compute(
            victims=victims([{}]),
            lsoas=lsoa_list(codes),
            population_lsoa=populations(pops),
            settings=Settings.of(CONFIG),
            area_code=AREA,
        )


def test_incident_in_an_lsoa_outside_the_area_is_refused():
    codes = grid(2)["lsoa_code"].tolist()
    with pytest.raises(ValueError, match=r"victims: 1 row.*index \[0\].*lsoa_code.*E01999999"):
        hotspots.compute(
            victims=victims([{"lsoa_code": "E01999999"}]),
            lsoas=lsoa_list(codes),
            population_lsoa=populations({c: (10, 190) for c in codes}),
            settings=Settings.of(CONFIG),
            area_code=AREA,
        )


# --------------------------------------------------------------------------------------------
# Demo data: the planted hot spot is found
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _validated_demo() -> dict:
    """Every demo input this family group reads, through the validation layer."""
    from pipeline.validate.run import validate_input

    area_dir, shared = DEMO / "waltham-forest", DEMO / "shared"
    with tempfile.TemporaryDirectory() as failures:

        def check(kind: str, path: Path, lsoas: set[str] | None = None) -> pd.DataFrame:
            return validate_input(
                kind,
                path,
                settings=Settings.of(CONFIG),
                area_lsoas=lsoas,
                failures_path=Path(failures) / f"{kind}.csv",
            ).frame

        lsoas = check("lsoas", area_dir / "lsoas.csv")
        codes = set(lsoas["lsoa_code"])
        frames = {
            kind: check(kind, area_dir / f"{kind}.csv", codes)
            for kind in ("victims", "population_lsoa", "schools", "school_calendar", "actions")
        }
        frames["boundaries"] = check("boundaries", area_dir / "lsoa_boundaries.geojson", codes)
        frames["deprivation"] = check("deprivation", shared / "deprivation.csv")
    frames["lsoas"] = lsoas
    frames["truths"] = json.loads((DEMO / "truths.json").read_text(encoding="utf-8"))
    return frames


def demo_frames() -> dict:
    """The demo area's validated inputs and planted truths (skip if not generated yet)."""
    if not (DEMO / "waltham-forest" / "victims.csv").exists():
        pytest.skip(
            f"demo data not generated yet ({DEMO}/waltham-forest/victims.csv missing); "
            "run python -m pipeline.demo"
        )
    return dict(_validated_demo())


@pytest.fixture(scope="module")
def demo():
    return demo_frames()


def test_demo_planted_hotspot_lsoas_are_classed_hot(demo):
    table = hotspots.compute(
        victims=demo["victims"],
        lsoas=demo["lsoas"],
        population_lsoa=demo["population_lsoa"],
        boundaries=demo["boundaries"],
        schools=demo["schools"],
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    planted = set(demo["truths"]["hotspot_lsoas"])
    gi = rows_of(table, "sv_0_24_gi_star").set_index("group")
    hot = set(gi.index[gi["hotspot_class"] == "Hot spot"])
    # Most planted LSOAs are found, and few others: the extra ones may only be next to the
    # cluster (Gi* sums each LSOA's neighbours), never a cold spot among the planted ones.
    assert len(hot & planted) >= math.ceil(0.5 * len(planted)), (sorted(hot), sorted(planted))
    assert len(hot - planted) <= len(planted), sorted(hot - planted)
    assert not (set(gi.index[gi["hotspot_class"] == "Cold spot"]) & planted)
    # The table is complete: every LSOA of the area has a Gi* row and a rate row.
    assert len(gi) == len(demo["lsoas"])
    assert len(rows_of(table, "sv_0_24_lsoa_rate")) == len(demo["lsoas"])
