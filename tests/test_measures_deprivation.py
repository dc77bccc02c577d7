"""Deprivation measures: decile rates, SII/RII (phe_sii), most deprived 20%, Poisson gradient."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

from pipeline.families.deprivation import measures as deprivation
from pipeline.families.deprivation.findings import findings as deprivation_findings
from pipeline.families.deprivation.inequality import (
    decile_gradient,
    extreme_decile_ratio,
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


def log_line(rates: np.ndarray, pops: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of ln(rate) on population mid-point rank, weighted by population
    share, solved here by the normal equations (independent of pipeline.stats.sii)."""
    share = pops / pops.sum()
    x = np.cumsum(share) - share / 2
    w = share
    xbar, ybar = np.sum(w * x), np.sum(w * np.log(rates))
    slope = np.sum(w * (x - xbar) * (np.log(rates) - ybar)) / np.sum(w * (x - xbar) ** 2)
    return float(ybar - slope * xbar), float(slope)


def test_sii_fits_the_log_rates_when_every_decile_has_events():
    # Five deciles of 1,000 residents: rates 11, 9, 7, 5, 3 per 1,000 at ranks 0.1 ... 0.9.
    # On the log scale (phe_sii value_type 1, transform) the line is ln y = a + b x; the ends
    # are exp(a) (most deprived) and exp(a + b), so SII = exp(a) - exp(a + b), RII = exp(-b).
    counts, pops = np.array([11, 9, 7, 5, 3]), np.full(5, 1000)
    a, b = log_line(counts / pops * 1000, pops)
    result = slope_index(
        counts, pops, np.arange(1, 6), multiplier=-1, simulations=20_000, seed=1, confidence=0.95
    )
    assert result.transform and result.value_type == 1 and result.quantiles == 5
    assert result.sii == pytest.approx(math.exp(a) - math.exp(a + b))
    assert result.rii == pytest.approx(math.exp(-b))
    assert result.sii_lower < result.sii < result.sii_upper
    assert result.rii_lower < result.rii < result.rii_upper and result.rii_reason is None


def test_rii_interval_matches_the_delta_method_on_the_log_scale():
    # Counts 10x larger (110, 90, 70, 50, 30 of 10,000 each), so each log rate is close to
    # normal with se_i = (ln U - ln L)/(2 x 1.96) from its 95% limits. With equal populations
    # the log slope is sum(c_i ln y_i), c = (x - 0.5)/sum((x - 0.5)^2) = (-1, -0.5, 0, 0.5, 1),
    # so sd(b) = sqrt(sum(c^2 se^2)); RII = exp(-b) has limits exp(-b -+ 1.96 sd(b)).
    counts, pops = np.array([110, 90, 70, 50, 30]), np.full(5, 10_000)
    limits = rate_ci(counts, pops, multiplier=1000)
    se_log = (np.log(limits["upper"]) - np.log(limits["lower"])).to_numpy() / (2 * 1.959964)
    c = np.array([-1, -0.5, 0, 0.5, 1])
    b = float(np.sum(c * np.log(limits["value"].to_numpy())))
    sd = math.sqrt(np.sum(c**2 * se_log**2))
    result = slope_index(
        counts, pops, np.arange(1, 6), multiplier=-1, simulations=100_000, seed=7, confidence=0.95
    )
    assert result.rii == pytest.approx(math.exp(-b))
    assert result.rii_lower == pytest.approx(math.exp(-b - 1.959964 * sd), rel=0.02)
    assert result.rii_upper == pytest.approx(math.exp(-b + 1.959964 * sd), rel=0.02)


def test_a_decile_without_events_falls_back_to_the_rate_scale_and_withholds_a_negative_rii():
    # Rates 20, 15, 10, 5, 0 per 1,000 at ranks 0.1 ... 0.9 lie on y = 22.5 - 25 x: the fitted
    # least deprived end (x = 1) is -2.5, so the SII is 25 but no RII is reported.
    counts, pops = np.array([20, 15, 10, 5, 0]), np.full(5, 1000)
    first = slope_index(
        counts, pops, np.arange(1, 6), multiplier=-1, simulations=5000, seed=3, confidence=0.95
    )
    again = slope_index(
        counts, pops, np.arange(1, 6), multiplier=-1, simulations=5000, seed=3, confidence=0.95
    )
    assert first == again  # seeded
    assert not first.transform and first.value_type == 0
    assert first.sii == pytest.approx(25.0)
    assert math.isnan(first.rii) and "least-deprived end is -2.5" in first.rii_reason


def test_sii_rows_in_the_table():
    # Ten LSOAs, one per decile, 1,000 residents each, incidents 20, 18, ..., 2 (rates per
    # 1,000 at ranks 0.05 ... 0.95), fitted on the log scale.
    codes = [f"E01{i:06d}" for i in range(1, 11)]
    counts = {c: 22 - 2 * (i + 1) for i, c in enumerate(codes)}
    table = area_table(
        counts=counts,
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    a, b = log_line(np.array(list(counts.values()), dtype=float), np.full(10, 1000.0))
    sii, rii = one(edition(table), "sv_0_24_sii"), one(edition(table), "sv_0_24_rii")
    assert sii["value"] == pytest.approx(math.exp(a) - math.exp(a + b))
    assert rii["value"] == pytest.approx(math.exp(-b))
    assert sii["lower"] < sii["value"] < sii["upper"]
    assert "10 deciles" in sii["note"] and "log scale" in sii["note"]
    assert "value_type 1" in sii["method"] or "rate simulated and fitted" in sii["method"]


def test_rii_withheld_in_the_table_says_why():
    codes = [f"E01{i:06d}" for i in range(1, 6)]
    table = area_table(
        counts={c: n for c, n in zip(codes, (20, 15, 10, 5, 0), strict=True)},
        pops={c: 1000 for c in codes},
        deciles={c: 2 * i + 1 for i, c in enumerate(codes)},  # deciles 1, 3, 5, 7, 9
    )
    rii = one(edition(table), "sv_0_24_rii")
    assert math.isnan(rii["value"]) and "RII not reported" in rii["note"]
    assert "rate scale" in rii["note"]


def test_extreme_deciles_ratio_is_the_exact_conditional_rate_ratio():
    # Decile 1: 44 of 2,403; decile 10: 10 of 964 (the area's extremes). Given 54 events,
    # decile 1's are binomial with p = RR e1/(RR e1 + e0): Clopper-Pearson limits of p map to
    # RR = p/(1 - p) x e0/e1.
    counts = np.array([44, 30, 10])
    pops = np.array([2403, 5000, 964])
    result = extreme_decile_ratio(counts, pops, np.array([1, 5, 10]), 0.95)
    ci = st.binomtest(44, 54, 2403 / (2403 + 964)).proportion_ci(method="exact")
    scale = 964 / 2403
    assert result["value"] == pytest.approx((44 / 2403) / (10 / 964))
    assert result["lower"] == pytest.approx(ci.low / (1 - ci.low) * scale)
    assert result["upper"] == pytest.approx(ci.high / (1 - ci.high) * scale)
    assert (result["most_decile"], result["least_decile"]) == (1, 10)


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
    # Rates 29, 27, ..., 11 per 1,000 over deciles 1-10; the RII of the log-linear fit is
    # exp(-b) (b: the log slope, computed here), its interval above 1, so residents read it,
    # told that it comes from a fitted line.
    codes = [f"E01{i:06d}" for i in range(1, 11)]
    counts = {c: 31 - 2 * (i + 1) for i, c in enumerate(codes)}
    table = area_table(
        counts=counts,
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    _, b = log_line(np.array(list(counts.values()), dtype=float), np.full(10, 1000.0))
    found = {f.id: f for f in deprivation_findings(table, Settings.of(CONFIG))}
    gradient = found["deprivation_gradient"]
    assert gradient.status == "Higher in more deprived areas"
    assert "more common in the more deprived" in gradient.resident
    assert f"about {math.exp(-b):.1f} times the rate" in gradient.resident
    assert "line fitted through every deprivation level" in gradient.resident
    # The interval is glossed as what it is, not as where the ratio "most likely" lies.
    assert "most likely" not in gradient.resident
    assert re.search(
        r"\(with 95% confidence, between \d+\.\d and \d+\.\d times\)", gradient.resident
    )
    glm = one(edition(table), "sv_0_24_decile_rate_ratio")
    rii = one(edition(table), "sv_0_24_rii")
    trend, times = gradient.evidence
    assert (trend.strength, trend.value, trend.lower, trend.reference) == (
        "more common in more deprived areas",
        glm["value"],
        glm["lower"],
        1.0,
    )
    assert times.strength == "higher" and (times.lower, times.upper) == (rii["lower"], rii["upper"])
    assert "relative index of inequality" in times.statistic
    assert "observed rate ratio, decile 1 vs decile 10" in gradient.technical.lower()
    flat = _with(table, "sv_0_24_decile_rate_ratio", lower=0.9, upper=1.3)
    gradient = {f.id: f for f in deprivation_findings(flat, Settings.of(CONFIG))}[
        "deprivation_gradient"
    ]
    assert gradient.status == "No clear gradient" and "more common" not in gradient.resident
    assert "times" not in gradient.resident


def test_without_an_rii_the_observed_extreme_ratio_is_quoted_and_said_to_be():
    # The same rates, but the RII withheld (as where a fitted end is <= 0): residents read the
    # observed ratio of deciles 1 and 10, 29/11 = 2.6, with its exact interval.
    codes = [f"E01{i:06d}" for i in range(1, 11)]
    table = area_table(
        counts={c: 31 - 2 * (i + 1) for i, c in enumerate(codes)},
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    withheld = _with(table, "sv_0_24_rii", value=np.nan, lower=np.nan, upper=np.nan)
    gradient = {f.id: f for f in deprivation_findings(withheld, Settings.of(CONFIG))}[
        "deprivation_gradient"
    ]
    extreme = one(edition(table), "sv_0_24_extreme_decile_rate_ratio")
    # 29 of 40 events in decile 1 at p = 0.5: Clopper-Pearson lower 0.561 -> RR > 1.27
    assert extreme["value"] == pytest.approx(29 / 11) and extreme["lower"] > 1.2
    assert "(national decile 1 of 10) the rate was about 2.6 times the rate" in gradient.resident
    assert gradient.evidence[1].lower == extreme["lower"]
    assert "observed rate ratio" in gradient.evidence[1].statistic
    # an interval reaching 1 gives no "times" at all
    wide = _with(withheld, "sv_0_24_extreme_decile_rate_ratio", lower=0.8)
    gradient = {f.id: f for f in deprivation_findings(wide, Settings.of(CONFIG))}[
        "deprivation_gradient"
    ]
    assert "times" not in gradient.resident and len(gradient.evidence) == 1


def test_most_deprived_finding_carries_the_share_against_the_population_share(four_deciles):
    finding = {f.id: f for f in deprivation_findings(four_deciles, Settings.of(CONFIG))}[
        "deprivation_most_deprived"
    ]
    (evidence,) = finding.evidence
    lo, hi = proportion_confint(15, 20, alpha=0.05, method="wilson")
    assert evidence.claim == "more than their share" and evidence.strength == "higher"
    assert (evidence.lower, evidence.upper, evidence.reference) == (
        pytest.approx(lo),
        pytest.approx(hi),
        pytest.approx(0.5),
    )


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


def test_extreme_ratio_is_hidden_with_a_hidden_decile_count():
    # Decile 10 has 3 incidents (1-10 is suppressed): the observed ratio of deciles 1 and 10
    # would give it away (its populations are public), so disclosure control blanks the ratio
    # with the decile's count, as one cell.
    from pipeline.disclosure.policy import DisclosurePolicy
    from pipeline.disclosure.tables import protect_measure_tables

    codes = [f"E01{i:06d}" for i in range(1, 11)]
    counts = {c: n for c, n in zip(codes, (40, 35, 30, 30, 25, 25, 20, 20, 15, 3), strict=True)}
    table = area_table(
        counts=counts,
        pops={c: 1000 for c in codes},
        deciles={c: i + 1 for i, c in enumerate(codes)},
    )
    ratio = one(edition(table), "sv_0_24_extreme_decile_rate_ratio")
    assert (ratio["numerator"], ratio["denominator"]) == (40, 3)
    assert ratio["value"] == pytest.approx(40 / 3)
    protected = protect_measure_tables({"deprivation": table}, DisclosurePolicy(threshold=10))
    shown = protected.tables["deprivation"]
    hidden = one(edition(shown), "sv_0_24_extreme_decile_rate_ratio")
    assert all(pd.isna(hidden[c]) for c in ("denominator", "value", "lower", "upper"))
    decile_10 = rows_of(edition(shown), "sv_0_24_imd_decile_rate").set_index("imd_decile").loc[10]
    assert pd.isna(decile_10["numerator"])
