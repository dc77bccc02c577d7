"""Measures without a victim extract (config/public.yaml), on tiny frames worked by hand.

Expected numbers come from scipy and statsmodels directly or are worked in the comments, never
from the pipeline's own functions.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from pipeline.families.areas_and_periods import NEIGHBOURS_GROUP
from pipeline.families.base import FamilyInputs
from pipeline.families.deprivation import measures as deprivation
from pipeline.families.deprivation.findings import findings as deprivation_findings
from pipeline.families.disproportionality import measures as disproportionality
from pipeline.families.hotspots import measures as hotspots
from pipeline.families.hotspots.findings import findings as hotspots_findings
from pipeline.families.key_metric import measures as key_metric
from pipeline.families.key_metric.findings import findings as key_metric_findings
from pipeline.families.monitoring import measures as monitoring
from pipeline.families.monitoring.findings import findings as monitoring_findings
from pipeline.families.registry import compute_table, family_findings, family_named
from pipeline.families.timing import measures as timing
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))
AREA, ENFIELD, BIRMINGHAM, LONDON = "E09000031", "E09000010", "E08000025", "E12000007"
VWI, POW, LSOA_MEASURE = (
    "violence_with_injury",
    "possession_of_weapons",
    "possession_of_weapons_lsoa",
)


def exact_limits(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact Poisson limits of a count (chi-square form, Garwood 1936) from scipy."""
    alpha = 1 - confidence
    lower = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    return lower, stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2


def byars_limits(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation (Breslow and Day 1987), written out by hand."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower, upper


# --------------------------------------------------------------------------------------------
# Key metric from the comparator series
# --------------------------------------------------------------------------------------------


def months(first: str = "2021-04", last: str = "2025-03") -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def series(code: str, name: str, measure: str, per_month: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, name, m, measure, per_month.get(m, 0)) for m in months()],
        columns=["area_code", "area_name", "month", "measure", "count"],
    )


def population(code: str, residents: int) -> pd.DataFrame:
    """One all-ages band (0-90+) at mid-2021 only, as in the public build."""
    return pd.DataFrame(
        [(code, 2021, "All", 0, 90, "All", residents)],
        columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"],
    )


@pytest.fixture(scope="module")
def km_inputs() -> dict[str, pd.DataFrame]:
    # The area: 7 offences of each proxy in 2024-25 (3 in May 2024, 4 in Feb 2025), so the
    # interval is exact; 2 in every other month of the window. Enfield: 30 in 2024-25.
    # Birmingham is a neighbour with no series (outside the MPS area). London: 100 a month.
    area_months = {m: 2 for m in months("2021-04", "2024-03")} | {"2024-05": 3, "2025-02": 4}
    enfield = {"2024-06": 30}
    frames = [
        series(AREA, "Waltham Forest", m, area_months) for m in (VWI, POW)
    ] + [series(ENFIELD, "Enfield", m, enfield) for m in (VWI, POW)] + [
        series(LONDON, "London", m, dict.fromkeys(months(), 100)) for m in (VWI, POW)
    ]  # fmt: skip
    neighbours = pd.DataFrame(
        [(AREA, ENFIELD, "Enfield", 1, "DfE"), (AREA, BIRMINGHAM, "Birmingham", 2, "DfE")],
        columns=["area_code", "neighbour_code", "neighbour_name", "rank", "source"],
    )
    return {
        "comparators": pd.concat(frames, ignore_index=True),
        "population_la": pd.concat(
            [
                population(AREA, 50_000),
                population(ENFIELD, 60_000),
                population(BIRMINGHAM, 1_000_000),
                population(LONDON, 8_000_000),
            ],
            ignore_index=True,
        ),  # fmt: skip
        "neighbours": neighbours,
    }


@pytest.fixture(scope="module")
def km_table(km_inputs) -> pd.DataFrame:
    return key_metric.compute(**km_inputs, settings=Settings.of(CONFIG), area_code=AREA)


def km_row(table: pd.DataFrame, measure: str, period: str, group: str) -> pd.Series:
    rows = table.loc[
        (table["measure_id"] == f"{measure}_rate")
        & (table["period"] == period)
        & (table["group"] == group)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_area_count_comes_from_its_own_series(km_table):
    row = km_row(km_table, VWI, "2024-25", "Area")
    assert row["count_source"] == key_metric.SOURCE_SERIES
    assert row["numerator"] == 7 and row["denominator"] == 50_000
    # 7 / 50,000 x 100,000 = 14 per 100,000; exact limits of 7 scaled the same way.
    assert row["value"] == pytest.approx(14.0)
    lower, upper = exact_limits(7)
    assert row["lower"] == pytest.approx(lower / 50_000 * 100_000)
    assert row["upper"] == pytest.approx(upper / 50_000 * 100_000)
    assert row["unit"] == "per 100,000 residents of all ages"
    # 2021-22: 12 months x 2 = 24 offences (Byar's from 10).
    earlier = km_row(km_table, VWI, "2021-22", "Area")
    lower, upper = byars_limits(24)
    assert earlier["numerator"] == 24
    assert earlier["lower"] == pytest.approx(lower / 50_000 * 100_000, rel=1e-9)
    assert earlier["upper"] == pytest.approx(upper / 50_000 * 100_000, rel=1e-9)


def test_neighbour_without_data_is_named_missing(km_table):
    pooled = km_row(km_table, VWI, "2024-25", NEIGHBOURS_GROUP)
    # Enfield alone: 30 / 60,000 x 100,000 = 50 per 100,000.
    assert pooled["value"] == pytest.approx(50.0)
    assert pooled["note"] == (
        "pooled over 1 of 2 neighbours: E09000010; missing: Birmingham (E08000025): no "
        "comparator series for every month"
    )
    area = km_row(km_table, VWI, "2024-25", "Area")
    assert "neighbour missing: Birmingham (E08000025)" in area["note"]
    assert "mid-2024 population not available; mid-2021 used" in area["note"]
    # 14 (exact CI about 5.6 to 28.8) is wholly below 50: "Lower" than the neighbours.
    assert area["comparison_95"] == "Lower"


def test_proxy_findings_name_the_proxy_and_count_offences(km_table):
    found = {f.id: f for f in key_metric_findings(km_table, Settings.of(CONFIG))}
    resident = found["key_metric_benchmark"].resident
    assert resident.startswith(
        "In 2024-25, the police recorded 10 or fewer offences of violence with injury (a public "
        "proxy for knife crime with injury"
    )
    assert "too small to work out a fair rate" in resident  # 7 is suppressed for residents
    assert "hurt" not in resident and "young people" not in resident
    technical = found["under_18_metric_benchmark"].technical
    assert "7 offences recorded by the police (public comparator series)" in technical
    assert "This is a public proxy, not the measure it stands in for." in technical


def test_area_without_a_complete_series_stops_with_a_clear_error(km_inputs):
    comparators = km_inputs["comparators"]
    hole = (comparators["area_code"] == AREA) & (comparators["month"] == "2024-05")
    with pytest.raises(
        ValueError, match=r"comparators: area E09000031 has no violence_with_injury"
    ):
        key_metric.compute(**{**km_inputs, "comparators": comparators[~hole]},
                           settings=Settings.of(CONFIG), area_code=AREA)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Not available from public data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "family", "topic"),
    [(disproportionality, "disproportionality", "who"), (timing, "timing", "when")],
)
def test_victim_based_families_are_not_available(module, family, topic):
    """The registry decides it: without a victim extract the family is not computed."""
    table = compute_table(family_named(family), FamilyInputs({}, Settings.of(CONFIG), AREA))
    assert list(table["measure_id"].unique()) == [f"{family}_not_available"]
    assert len(table) == len(module.NEEDS_VICTIM_DATA)
    for column in ("numerator", "denominator", "value", "lower", "upper"):
        assert table[column].isna().all(), column
    for note, needs in zip(table["note"], module.NEEDS_VICTIM_DATA.values(), strict=True):
        assert note == f"not available from public data: needs record-level victim data ({needs})"
    (finding,) = family_findings(family_named(family), table, Settings.of(CONFIG))
    assert (finding.id, finding.topic, finding.status) == (
        f"{family}_not_available", topic, "Not available",
    )  # fmt: skip
    assert "Nothing is estimated from another source." in finding.technical


def test_with_a_victim_extract_the_inputs_are_still_required():
    with pytest.raises(ValueError, match="population_ethnicity"):
        disproportionality.compute(
            settings=Settings.of(CONFIG), area_code=AREA, victims=pd.DataFrame()
        )
    with pytest.raises(ValueError, match="school_calendar"):
        timing.compute(settings=Settings.of(CONFIG), area_code=AREA, victims=pd.DataFrame())


# --------------------------------------------------------------------------------------------
# Hot spots and deprivation from LSOA counts
# --------------------------------------------------------------------------------------------

LSOAS = [f"E01{i:06d}" for i in range(1, 5)]
#: Offences in 2021 per LSOA (2020 and another measure are in the file but not used).
COUNTS_2021 = {"E01000001": 12, "E01000002": 3, "E01000003": 0, "E01000004": 5}
#: Residents at mid-2020 (no mid-2021 supplied), all ages, per LSOA.
RESIDENTS = {"E01000001": 1500, "E01000002": 1000, "E01000003": 2000, "E01000004": 1000}
DECILES = {"E01000001": 1, "E01000002": 2, "E01000003": 5, "E01000004": 10}


def lsoa_frames() -> dict[str, pd.DataFrame]:
    lsoas = pd.DataFrame(
        {
            "lsoa_code": LSOAS,
            "lsoa_name": [f"Area 00{i}A" for i in range(1, 5)],
            "ward_code": ["E02000001", "E02000001", "E02000002", "E02000002"],
            "ward_name": ["Area 001", "Area 001", "Area 002", "Area 002"],
            "area_code": AREA,
        }
    )
    bands = [(0, 15, 0.2), (16, 29, 0.2), (30, 44, 0.2), (45, 64, 0.2), (65, 90, 0.2)]
    population_rows = []
    for code, residents in RESIDENTS.items():
        for sex in ("Male", "Female"):
            for age_from, age_to, share in bands:
                population_rows.append(
                    (code, 2020, sex, age_from, age_to, "All", int(residents * share / 2))
                )
    population_lsoa = pd.DataFrame(
        population_rows,
        columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"],
    )
    counts = [(code, 2021, LSOA_MEASURE, n) for code, n in COUNTS_2021.items()]
    counts += [(code, 2020, LSOA_MEASURE, 1) for code in LSOAS]  # 4 earlier offences
    counts += [(LSOAS[0], 2021, "other_measure", 9)]
    lsoa_counts = pd.DataFrame(counts, columns=["lsoa_code", "year", "measure", "count"])
    deprivation_frame = pd.DataFrame(
        {
            "lsoa_code": LSOAS,
            "iod_edition": "IoD2025",
            "imd_score": np.nan,
            "imd_rank": [100, 5000, 15000, 33000],
            "imd_decile": [DECILES[c] for c in LSOAS],
        }
    )
    return {"lsoas": lsoas, "population_lsoa": population_lsoa, "lsoa_counts": lsoa_counts,
            "deprivation": deprivation_frame}  # fmt: skip


def square_grid() -> gpd.GeoDataFrame:
    """LSOAs 1-4 as a 2 x 2 grid of 1 km squares (all queen neighbours of each other)."""
    boxes = [shapely.box(x, y, x + 1000, y + 1000) for y in (0, 1000) for x in (0, 1000)]
    return gpd.GeoDataFrame({"lsoa_code": LSOAS}, geometry=boxes, crs=27700)


@pytest.fixture(scope="module")
def hotspot_table() -> pd.DataFrame:
    frames = lsoa_frames()
    return hotspots.compute(
        lsoas=frames["lsoas"], population_lsoa=frames["population_lsoa"],
        lsoa_counts=frames["lsoa_counts"], settings=Settings.of(CONFIG), area_code=AREA,
        boundaries=square_grid(),
    )  # fmt: skip


def rows_of(table: pd.DataFrame, suffix: str) -> pd.DataFrame:
    return table.loc[table["measure_id"] == f"{LSOA_MEASURE}_{suffix}"].set_index("group")


def test_lsoa_rates_use_the_latest_year_and_earlier_population(hotspot_table):
    rates = rows_of(hotspot_table, "lsoa_rate")
    assert set(rates["period"]) == {"2021 (calendar year)"}
    assert set(rates["note"]) == {"mid-2021 LSOA population not supplied; mid-2020 used"}
    assert set(rates["unit"]) == {"offences per 1,000 residents of all ages"}
    for code in LSOAS:
        count, residents = COUNTS_2021[code], RESIDENTS[code]
        row = rates.loc[code]
        assert (row["numerator"], row["denominator"]) == (count, residents)
        assert row["value"] == pytest.approx(count / residents * 1000)
        lower, upper = exact_limits(count) if count < 10 else byars_limits(count)
        assert row["lower"] == pytest.approx(lower / residents * 1000, rel=1e-9)
        assert row["upper"] == pytest.approx(upper / residents * 1000, rel=1e-9)
    # "Wards" are MSOAs: Area 001 = LSOAs 1-2 (15 offences, 2,500 residents).
    ward = rows_of(hotspot_table, "ward_rate").loc["E02000001"]
    assert (ward["numerator"], ward["denominator"]) == (15, 2500)
    assert "MSOA (middle-layer super output area) used as the ward level" in ward["note"]


def test_concentration_and_gi_star_from_counts(hotspot_table):
    # Top 5% of 4 LSOAs = ceil(0.2) = 1 LSOA: 12 of 20 offences.
    top = rows_of(hotspot_table, "top_5pct_share").iloc[0]
    assert (top["numerator"], top["denominator"]) == (12, 20)
    assert top["value"] == pytest.approx(0.6)
    # Gini of (0, 3, 5, 12): 2 x (1x0 + 2x3 + 3x5 + 4x12) / (4 x 20) - 5/4 = 138/80 - 1.25.
    gini_row = rows_of(hotspot_table, "gini").iloc[0]
    assert gini_row["value"] == pytest.approx(138 / 80 - 1.25)
    gi = rows_of(hotspot_table, "gi_star")
    assert list(gi.index) == LSOAS
    assert set(gi["cluster_class"]) <= {
        "In a cluster of high rates",
        "In a cluster of low rates",
        "Not significant",
    }
    own = rows_of(hotspot_table, "lsoa_exceedance")
    assert list(own.index) == LSOAS
    assert set(own["hotspot_class"]) <= {"Hot spot", "Not significant"}
    assert "residents of all ages" in gi["method"].iloc[0]


def test_near_school_share_is_not_available_and_every_offence_is_counted(hotspot_table):
    school = rows_of(hotspot_table, "near_school_share").iloc[0]
    assert math.isnan(school["value"])
    assert school["note"].startswith("not available from public data: needs record-level data")
    recon = rows_of(hotspot_table, "row_reconciliation")["numerator"].to_dict()
    # 20 offences in 2021 + 4 in 2020 + 9 of another measure = 33 read.
    assert recon == {
        "rows read": 33,
        "not used: other measures": 9,
        "not used: years before 2021 (the latest year is analysed)": 4,
        "used: offences located in an LSOA of the area in 2021": 20,
    }


def test_hotspot_findings_describe_the_proxy_in_its_year(hotspot_table):
    found = {f.id: f for f in hotspots_findings(hotspot_table, Settings.of(CONFIG))}
    assert set(found) == {"hotspots_concentration", "hotspots_gi_star"}
    concentration = found["hotspots_concentration"]
    assert concentration.resident.startswith(
        "Possession of weapons (a public proxy for serious violence against under-25s) is not "
        "spread evenly across the borough. In 2021 (calendar year),"
    )


def test_deprivation_deciles_and_most_deprived_share_from_counts():
    frames = lsoa_frames()
    table = deprivation.compute(**frames, settings=Settings.of(CONFIG), area_code=AREA)
    assert set(table["period"]) == {"2021 (calendar year)"}
    deciles = table.loc[table["measure_id"] == f"{LSOA_MEASURE}_imd_decile_rate"]
    by_decile = deciles.set_index("imd_decile")
    # Decile 1 is LSOA 1 alone: 12 / 1,500 x 1,000 = 8 per 1,000.
    assert by_decile.loc[1, "value"] == pytest.approx(8.0)
    assert math.isnan(by_decile.loc[3, "value"])  # no LSOA of the area in decile 3
    share = table.loc[table["measure_id"] == f"{LSOA_MEASURE}_most_deprived_20_share"].iloc[0]
    # Deciles 1-2: LSOAs 1 and 2, 15 of 20 offences; 2,500 of 5,500 residents.
    lower, upper = proportion_confint(15, 20, alpha=0.05, method="wilson")
    assert (share["numerator"], share["denominator"]) == (15, 20)
    assert (share["lower"], share["upper"]) == (pytest.approx(lower), pytest.approx(upper))
    assert share["population_share"] == pytest.approx(2500 / 5500)
    assert (
        "share of residents of all ages"
        in table.loc[
            table["measure_id"] == f"{LSOA_MEASURE}_most_deprived_20_ratio", "method"
        ].iloc[0]
    )
    found = {f.id: f for f in deprivation_findings(table, Settings.of(CONFIG))}
    assert "of the borough's residents live there" in found["deprivation_most_deprived"].resident


def test_lsoa_counts_without_the_configured_measure_are_refused():
    frames = lsoa_frames()
    other = (
        frames["lsoa_counts"].assign(measure="other_measure").drop_duplicates(["lsoa_code", "year"])
    )
    with pytest.raises(ValueError, match=r"lsoa_counts: no rows for measure "
                                         r"'possession_of_weapons_lsoa'"):  # fmt: skip
        hotspots.compute(lsoas=frames["lsoas"], population_lsoa=frames["population_lsoa"],
                         lsoa_counts=other, settings=Settings.of(CONFIG),
                         area_code=AREA)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Monitoring without an action tracker
# --------------------------------------------------------------------------------------------


def test_monitoring_labels_proxies_and_says_no_tracker_was_supplied(km_table, hotspot_table):
    tables = {
        "key_metric": km_table,
        "hotspots": hotspot_table,
        "disproportionality": compute_table(
            family_named("disproportionality"), FamilyInputs({}, Settings.of(CONFIG), AREA)
        ),
        "timing": compute_table(
            family_named("timing"), FamilyInputs({}, Settings.of(CONFIG), AREA)
        ),
    }
    table = monitoring.compute(tables=tables, settings=Settings.of(CONFIG), area_code=AREA)
    curtail = table.loc[table["measure_id"] == "monitoring_curtail_1"].iloc[0]
    assert curtail["indicator"] == (
        "rate of violence with injury (a public proxy for knife crime with injury among "
        "under-25s) (per 100,000 residents of all ages)"
    )
    # 7 in 2024-25 against 24 in 2021-22 on the same 50,000 residents: given the 31, the later
    # count is binomial with p = RR / (RR + 1), so Clopper-Pearson limits of 7/31 give
    # RR limits p / (1 - p).
    limits = stats.binomtest(7, 31).proportion_ci(0.95, method="exact")
    assert curtail["change_ratio"] == pytest.approx(7 / 24)
    assert curtail["change_lower"] == pytest.approx(limits.low / (1 - limits.low))
    assert curtail["change_upper"] == pytest.approx(limits.high / (1 - limits.high))
    assert curtail["status"] == monitoring.IMPROVING  # upper limit below 1
    treat = table.loc[table["group"] == "Treat"].iloc[0]
    assert treat["status"] == monitoring.NOT_AVAILABLE
    tracker = table.loc[table["measure_id"] == "actions_not_supplied"].iloc[0]
    assert tracker["note"].startswith("no action tracker supplied")
    found = {f.id: f for f in monitoring_findings(table, Settings.of(CONFIG))}
    assert found["monitoring_actions"].status == "Not supplied"


def test_demo_labels_are_unchanged():
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    labels = [monitoring.resolve_label(i.label, Settings.of(demo)) for i in monitoring.INDICATORS]
    assert (
        "rate of knife crime with injury among under-25s (per 100,000 residents aged 1-24)"
    ) in labels
    assert ("share of serious violence against under-25s in the most deprived 20% of "
            "neighbourhoods") in labels  # fmt: skip
    config = copy.deepcopy(demo)
    with pytest.raises(ValueError, match="unknown"):
        monitoring.resolve_label("rate of {key_metric.colour}", Settings.of(config))


def test_a_victim_extract_configuration_never_falls_back_to_public_data(km_inputs):
    """Without victims under victim_extract: true, every family stops rather than switching."""
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    frames = {**km_inputs, **lsoa_frames()}
    for name in ("key_metric", "disproportionality", "hotspots", "timing", "deprivation"):
        with pytest.raises(ValueError, match=f"^{name}: no victims given, but the configuration"):
            compute_table(family_named(name), FamilyInputs(frames, Settings.of(demo), AREA))
