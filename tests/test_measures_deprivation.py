"""Deprivation measures: decile rates, SII/RII (phe_sii), most deprived 20%, Poisson gradient."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from pipeline.families.deprivation import measures as deprivation
from pipeline.families.deprivation.findings import findings as deprivation_findings
from pipeline.families.deprivation.inequality import (
    decile_gradient,
    midpoint_ranks,
    sii_fit,
    slope_index,
)
from pipeline.settings import Settings
from pipeline.stats import rate_ci
from tests.test_measures_hotspots import (
    CONFIG,
    demo_frames,
    lsoa_list,
    one,
    populations,
    repeat,
    rows_of,
    victims,
)

AREA = "E09000031"


def iod(deciles: dict[str, int], edition: str = "IoD2019") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": list(deciles),
            "iod_edition": edition,
            "imd_score": 10.0,
            "imd_rank": 1,
            "imd_decile": list(deciles.values()),
        }
    )


def area_table(
    counts: dict[str, int],
    pops: dict[str, int],
    deciles: dict[str, int],
    config=CONFIG,
    iod_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Deprivation table for LSOAs with given incidents, residents aged 0-24 and deciles."""
    rows = []
    for code, n in counts.items():
        rows += repeat(n, lsoa_code=code)
    codes = list(pops)
    return deprivation.compute(
        victims=victims(rows),
        lsoas=lsoa_list(codes),
        # residents aged 0-24 = (age 0) + (ages 1-24); put them all in 1-24
        population_lsoa=populations({c: (0, p) for c, p in pops.items()}),
        deprivation=iod_frame if iod_frame is not None else iod(deciles),
        settings=Settings.of(config),
        area_code=AREA,
    )


def edition(table: pd.DataFrame) -> pd.DataFrame:
    return table.loc[table["period"] == CONFIG["edition"]]


# --------------------------------------------------------------------------------------------
# Decile rates and the most deprived 20%
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def four_deciles() -> pd.DataFrame:
    """Five LSOAs in deciles 1, 1, 2, 5, 9."""
    return area_table(
        counts={"E01000001": 6, "E01000002": 4, "E01000003": 5, "E01000004": 3, "E01000005": 2},
        pops={
            "E01000001": 200,
            "E01000002": 300,
            "E01000003": 250,
            "E01000004": 500,
            "E01000005": 250,
        },
        deciles={"E01000001": 1, "E01000002": 1, "E01000003": 2, "E01000004": 5, "E01000005": 9},
    )


def test_decile_rates_sum_their_lsoas(four_deciles):
    # Decile 1: (6 + 4) / (200 + 300) = 20 per 1,000 (10 events: Byar's);
    # decile 5: 3 / 500 = 6 per 1,000 (exact); decile 3 has no LSOA: no rate.
    rates = rows_of(edition(four_deciles), "sv_0_24_imd_decile_rate").set_index("imd_decile")
    assert len(rates) == 10
    assert (rates.loc[1, "numerator"], rates.loc[1, "denominator"]) == (10, 500)
    assert rates.loc[1, "value"] == pytest.approx(20.0) and rates.loc[1, "method"] == "Byars"
    assert rates.loc[5, "value"] == pytest.approx(6.0) and rates.loc[5, "method"] == "Exact"
    assert rates.loc[1, "lsoas"] == 2 and rates.loc[3, "lsoas"] == 0
    assert math.isnan(rates.loc[3, "value"])
    assert "decile 1 (most deprived)" == rates.loc[1, "group"]


def test_most_deprived_20_share_against_population_share(four_deciles):
    # Deciles 1-2: 6 + 4 + 5 = 15 of 20 incidents (0.75); they hold 750 of 1,500 residents
    # aged 0-24 (0.5), so the ratio is 1.5 with Wilson limits divided by 0.5.
    share = one(edition(four_deciles), "sv_0_24_most_deprived_20_share")
    lo, hi = proportion_confint(15, 20, alpha=0.05, method="wilson")
    assert (share["numerator"], share["denominator"]) == (15, 20)
    assert (share["value"], share["lower"], share["upper"]) == (
        pytest.approx(0.75),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert share["population_share"] == pytest.approx(0.5)
    ratio = one(edition(four_deciles), "sv_0_24_most_deprived_20_ratio")
    assert (ratio["value"], ratio["lower"], ratio["upper"]) == (
        pytest.approx(1.5),
        pytest.approx(lo / 0.5),
        pytest.approx(hi / 0.5),
    )


def test_sii_needs_five_deciles_with_residents(four_deciles):
    sii = one(edition(four_deciles), "sv_0_24_sii")
    assert math.isnan(sii["value"]) and "4 deciles" in sii["note"]


def test_baseline_years_carry_the_most_deprived_share(four_deciles):
    shares = rows_of(four_deciles, "sv_0_24_most_deprived_20_share")
    assert shares["period"].tolist() == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    # the hand-made incidents are all in 2024-25, so earlier years have none
    assert shares["denominator"].tolist() == [0, 0, 0, 0, 20]
    recon = rows_of(edition(four_deciles), "sv_0_24_row_reconciliation").set_index("group")
    assert recon.loc["rows read", "numerator"] == 20
    assert recon.loc["used: incidents located in an LSOA", "numerator"] == 20


# --------------------------------------------------------------------------------------------
# Slope and relative index of inequality
# --------------------------------------------------------------------------------------------


def test_midpoint_ranks_follow_phe_sii_documentation():
    # phe_sii docs: quantile 1 holds 12% of the population -> rank 0.06; quantile 2 holds
    # 10% -> 0.12 + 0.10/2 = 0.17; the rest (78%) -> 0.22 + 0.39 = 0.61.
    ranks = midpoint_ranks(np.array([12.0, 10.0, 78.0]))
    assert ranks.tolist() == pytest.approx([0.06, 0.17, 0.61])


def test_wls_fit_equals_the_phe_sii_sqrt_weighted_regression():
    # phe_sii fits lm(y sqrt(a) ~ sqrt(a) + x sqrt(a) - 1); solve that by least squares.
    pops = np.array([900.0, 1200.0, 700.0, 1500.0, 1100.0, 800.0])
    values = np.array([14.0, 12.5, 9.0, 8.2, 6.1, 5.5])
    a = pops / pops.sum()
    x = midpoint_ranks(pops)
    design = np.column_stack([np.sqrt(a), x * np.sqrt(a)])
    coef, *_ = np.linalg.lstsq(design, values * np.sqrt(a), rcond=None)
    intercept, slope = sii_fit(values, pops)
    assert (intercept, slope) == (pytest.approx(coef[0]), pytest.approx(coef[1]))


def test_sii_and_rii_on_an_exact_line():
    # Five deciles of 1,000 residents each: rates 11, 9, 7, 5, 3 per 1,000 at mid-point ranks
    # 0.1, 0.3, 0.5, 0.7, 0.9 lie on y = 12 - 10 x. Most deprived end (x = 0): 12; least (x = 1):
    # 2. SII (most minus least) = 10; RII (most / least) = 12 / 2 = 6.
    result = slope_index(
        np.array([11, 9, 7, 5, 3]),
        np.full(5, 1000),
        multiplier=-1,
        simulations=20_000,
        seed=1,
        confidence=0.95,
    )
    assert result.sii == pytest.approx(10.0) and result.rii == pytest.approx(6.0)
    assert result.sii_lower < 10 < result.sii_upper and result.rii_lower < 6 < result.rii_upper
    assert result.scale == "log" and result.quantiles == 5


def test_sii_interval_matches_the_delta_method_for_large_counts():
    # Counts 10x larger (rates per 1,000 of 10,000 residents: 11, 9, 7, 5, 3), so each log
    # rate is close to normal. With equal populations the slope is sum(c_i y_i) with
    # c = (x - 0.5)/sum((x - 0.5)^2) = (-1, -0.5, 0, 0.5, 1); by the delta method
    # var(y_i) = (y_i se_i)^2 where se_i = (ln U - ln L)/(2 x 1.96) from each decile's 95%
    # limits. The simulated 95% interval should match SII +- 1.96 sd to within 3%.
    counts, pops = np.array([110, 90, 70, 50, 30]), np.full(5, 10_000)
    limits = rate_ci(counts, pops, multiplier=1000)
    y = limits["value"].to_numpy()
    se_log = (np.log(limits["upper"]) - np.log(limits["lower"])).to_numpy() / (2 * 1.959964)
    c = np.array([-1, -0.5, 0, 0.5, 1])
    sd = math.sqrt(np.sum(c**2 * (y * se_log) ** 2))
    result = slope_index(counts, pops, multiplier=-1, simulations=100_000, seed=7, confidence=0.95)
    assert result.sii == pytest.approx(10.0)
    assert result.sii_lower == pytest.approx(10 - 1.959964 * sd, rel=0.03)
    assert result.sii_upper == pytest.approx(10 + 1.959964 * sd, rel=0.03)


def test_sii_simulation_is_seeded_and_falls_back_to_the_rate_scale_for_zero_counts():
    counts, pops = np.array([8, 6, 0, 3, 2]), np.full(5, 1000)
    first = slope_index(counts, pops, multiplier=-1, simulations=5000, seed=3, confidence=0.95)
    again = slope_index(counts, pops, multiplier=-1, simulations=5000, seed=3, confidence=0.95)
    assert first == again and first.scale == "rate"


def test_sii_rows_in_the_table():
    # Ten LSOAs, one per decile, 1,000 residents each, incidents falling with decile:
    # 20, 18, ..., 2 -> rates 20 ... 2 per 1,000 on an exact line over ranks 0.05 ... 0.95:
    # y = 21 - 20 x, so SII = 20 and RII = 21 / 1 = 21.
    codes = [f"E01{i:06d}" for i in range(1, 11)]
    table = area_table(
        counts={c: 22 - 2 * (i + 1) for i, c in enumerate(codes)},
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    sii, rii = one(edition(table), "sv_0_24_sii"), one(edition(table), "sv_0_24_rii")
    assert sii["value"] == pytest.approx(20.0) and rii["value"] == pytest.approx(21.0)
    assert sii["lower"] < 20 < sii["upper"]
    assert "10 deciles" in sii["note"] and "log" in sii["note"]


# --------------------------------------------------------------------------------------------
# Poisson gradient per decile step
# --------------------------------------------------------------------------------------------


def test_glm_rate_ratio_per_decile_step_without_overdispersion():
    # Decile 1: two LSOAs of 500 with 10 incidents each (20 per 1,000); decile 2: 5 each
    # (10 per 1,000). One step towards more deprived doubles the rate: RR = 2. The fit is
    # exact (Pearson chi2 = 0), so no scaling: SE(ln RR) = sqrt(1/20 + 1/10) = 0.387298 and
    # the 95% limits are 2 exp(-+1.959964 x 0.387298) = 2 exp(-+0.759089), i.e.
    # 2 / 2.136333 = 0.936184 and 2 x 2.136333 = 4.272666.
    result = decile_gradient(
        np.array([10, 10, 5, 5]), np.full(4, 500), np.array([1, 1, 2, 2]), 0.95
    )
    assert result["value"] == pytest.approx(2.0)
    assert result["lower"] == pytest.approx(0.936184, rel=1e-5)
    assert result["upper"] == pytest.approx(4.272666, rel=1e-5)
    assert result["scale"] == 1.0


def test_glm_rate_ratio_widens_for_overdispersion():
    # Same totals, uneven LSOAs: 2 and 18 (decile 1), 1 and 9 (decile 2). Fitted counts are
    # 10, 10, 5, 5, so Pearson chi2 = 64/10 + 64/10 + 16/5 + 16/5 = 19.2 on 4 - 2 = 2 df:
    # dispersion 9.6. SE = 0.387298 x sqrt(9.6) = 1.2; limits 2 exp(-+1.959964 x 1.2) =
    # 2 exp(-+2.351957) = 2 / 10.506108 = 0.190365 and 21.012216.
    result = decile_gradient(np.array([2, 18, 1, 9]), np.full(4, 500), np.array([1, 1, 2, 2]), 0.95)
    assert result["value"] == pytest.approx(2.0)
    assert result["dispersion"] == pytest.approx(9.6)
    assert result["lower"] == pytest.approx(0.190365, rel=1e-5)
    assert result["upper"] == pytest.approx(21.012216, rel=1e-5)
    # cross-check: statsmodels' own Pearson-scaled (quasi-Poisson) fit
    fit = sm.GLM(
        np.array([2, 18, 1, 9]),
        sm.add_constant(np.array([9.0, 9.0, 8.0, 8.0])),
        family=sm.families.Poisson(),
        offset=np.log(np.full(4, 500.0)),
    ).fit(scale="X2")
    assert result["upper"] == pytest.approx(float(np.exp(fit.conf_int()[1][1])))


# --------------------------------------------------------------------------------------------
# Which IoD edition
# --------------------------------------------------------------------------------------------


def test_newest_iod_edition_covering_every_lsoa_is_used():
    codes = {"E01000001": 1, "E01000002": 5}
    both = pd.concat([iod(codes, "IoD2019"), iod({"E01000001": 2, "E01000002": 6}, "IoD2025")])
    deciles, edition_used = deprivation.lsoa_deciles(both, list(codes))
    assert edition_used == "IoD2025" and deciles.tolist() == [2, 6]
    partial = pd.concat([iod(codes, "IoD2019"), iod({"E01000001": 2}, "IoD2025")])
    assert deprivation.lsoa_deciles(partial, list(codes))[1] == "IoD2019"
    with pytest.raises(ValueError, match=r"deprivation: no IoD edition.*E01000003"):
        deprivation.lsoa_deciles(iod(codes), [*codes, "E01000003"])


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


def _with(table: pd.DataFrame, measure_id: str, **values) -> pd.DataFrame:
    changed = table.copy()
    mask = (changed["measure_id"] == measure_id) & (changed["period"] == CONFIG["edition"])
    for column, value in values.items():
        changed.loc[mask, column] = value
    return changed


def test_gradient_finding_follows_the_interval():
    # Rates 29, 27, ..., 11 per 1,000 over deciles 1-10 lie on y = 30 - 20 x: RII = 30/10 = 3.
    codes = [f"E01{i:06d}" for i in range(1, 11)]
    table = area_table(
        counts={c: 31 - 2 * (i + 1) for i, c in enumerate(codes)},
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    found = {f.id: f for f in deprivation_findings(table, Settings.of(CONFIG))}
    gradient = found["deprivation_gradient"]
    assert gradient.status == "Higher in more deprived areas"
    assert "more common in the more deprived" in gradient.resident
    assert "3.0 times" in gradient.resident  # the RII, whose interval is above 1
    flat = _with(table, "sv_0_24_decile_rate_ratio", lower=0.9, upper=1.3)
    gradient = {f.id: f for f in deprivation_findings(flat, Settings.of(CONFIG))}[
        "deprivation_gradient"
    ]
    assert gradient.status == "No clear gradient" and "more common" not in gradient.resident
    assert "times" not in gradient.resident


def test_most_deprived_finding_suppresses_small_counts(four_deciles):
    found = {f.id: f for f in deprivation_findings(four_deciles, Settings.of(CONFIG))}
    finding = found["deprivation_most_deprived"]
    # 15 incidents, above the threshold of 10: shown; Wilson lower 0.531 > 0.5 -> Higher.
    assert finding.status == "Higher" and "75%" in finding.resident
    assert "more than their share" in finding.resident
    small = _with(four_deciles, "sv_0_24_most_deprived_20_share", numerator=8)
    finding = {f.id: f for f in deprivation_findings(small, Settings.of(CONFIG))}[
        "deprivation_most_deprived"
    ]
    assert "too few" in finding.resident and "%" not in finding.resident


# --------------------------------------------------------------------------------------------
# Demo data: the planted gradient is recovered
# --------------------------------------------------------------------------------------------


def test_demo_rate_ratio_per_decile_inside_the_glm_interval():
    demo = demo_frames()
    table = deprivation.compute(
        victims=demo["victims"],
        lsoas=demo["lsoas"],
        population_lsoa=demo["population_lsoa"],
        deprivation=demo["deprivation"],
        settings=Settings.of(CONFIG),
        area_code=AREA,
    )
    truth = demo["truths"]["deprivation"]
    year = edition(table)
    glm = one(year, "sv_0_24_decile_rate_ratio")
    expected = truth["rate_ratio_per_decile_fit_expected"]
    assert glm["lower"] <= expected <= glm["upper"], (expected, glm["lower"], glm["upper"])
    share = one(year, "sv_0_24_most_deprived_20_share")
    expected_share = truth["expected_share_in_most_deprived_20_percent"]
    assert share["lower"] <= expected_share <= share["upper"]
    assert glm["iod_edition"] == truth["iod_edition"]
    lsoas = rows_of(year, "sv_0_24_imd_decile_rate").set_index("imd_decile")["lsoas"]
    assert {str(int(k)): int(v) for k, v in lsoas.items() if v} == truth["lsoas_by_decile"]
    # the gradient runs the planted way: higher in more deprived areas
    assert one(year, "sv_0_24_rii")["lower"] > 1
