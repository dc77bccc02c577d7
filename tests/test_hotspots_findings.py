"""The hot-spot finding: residents hear "hot spot" only for an LSOA whose own rate passed the
per-LSOA test, with or without boundaries; the technical text carries each test's evidence."""

from __future__ import annotations

import pytest

from pipeline.claims import unlicensed_phrases
from pipeline.settings import Settings
from tests.test_measures_hotspots import (
    AREA,
    CONFIG,
    hotspots,
    hotspots_findings,
    lsoa_list,
    populations,
    repeat,
    victims,
)

CODES = [f"E01{i + 1:06d}" for i in range(9)]


def table_of(counts: dict[str, int], wards: dict[str, str] | None = None):
    rows = []
    for code in CODES:
        rows += repeat(counts.get(code, 1), lsoa_code=code)
    return hotspots.compute(
        victims=victims(rows),
        lsoas=lsoa_list(CODES, wards),
        population_lsoa=populations({c: (10, 190) for c in CODES}),
        settings=Settings.of(CONFIG),
        area_code=AREA,
        boundaries=None,
        schools=None,
    )


def test_hot_spots_are_found_without_boundaries_and_clusters_say_why_not():
    # 9 LSOAs of 200: 8 with 1 incident and E01000005 with 20, so E = 28/9 = 3.11 and
    # P(X >= 20 | 3.11) ~ 1e-10: a hot spot, found with no map at all.
    table = table_of({"E01000005": 20}, wards={"E01000005": "W2"})
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    assert found.status == "Hot spots found"
    assert found.resident.endswith("We found hot spots in Ward W2 ward.")
    assert "E01000005 (O/E 6.43, p < 0.0001, q < 0.0001)" in found.technical
    assert "Clusters: Gi* not computed: no LSOA boundaries supplied" in found.technical
    assert found.measure_ids == ["sv_0_24_lsoa_exceedance", "sv_0_24_gi_star"]


def test_a_modest_excess_in_a_small_lsoa_is_not_called_a_hot_spot():
    # E01000005 with 5 where E = 13/9 = 1.44: p = P(X >= 5 | 1.44) = 0.016, but across 9
    # LSOAs q = 9 x 0.016 = 0.14 > 0.05, so residents are not told it is a hot spot.
    table = table_of({"E01000005": 5})
    own = table.loc[table["measure_id"] == "sv_0_24_lsoa_exceedance"].set_index("group")
    assert 0.01 < own.loc["E01000005", "p_value"] < 0.02
    assert own.loc["E01000005", "q_value"] > 0.05
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    assert found.status == "No hot spots"
    assert "We found hot spots" not in found.resident
    assert "Hot spots (own rate significantly above the borough's): 0 LSOAs." in found.technical


def test_each_resident_hot_spot_claim_carries_its_own_rate_evidence():
    table = table_of({"E01000005": 20})
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    (claim,) = found.evidence
    assert (claim.claim, claim.strength, claim.measure_id) == (
        "hot spots", "hot spot", "sv_0_24_lsoa_exceedance",
    )  # fmt: skip
    assert claim.q_value < claim.alpha == 0.05 and claim.value == pytest.approx(20 / (28 / 9))
    assert claim.statistic.startswith("E01000005 (O/E 6.43")
    assert unlicensed_phrases(found.resident, found.evidence) == []
    # Without the evidence the checker would refuse the sentence.
    assert unlicensed_phrases(found.resident, []) != []


def test_no_hot_spot_is_said_with_the_closest_lsoa_as_evidence():
    table = table_of({"E01000005": 5})
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    (claim,) = found.evidence
    assert claim.strength == "not a hot spot" and claim.q_value > claim.alpha
    assert claim.statistic.startswith("E01000005 ")
    assert claim.claim in found.resident
    assert unlicensed_phrases(found.resident, found.evidence) == []


def test_hot_spots_in_msoas_are_named_as_msoas_not_wards():
    """Public data without an LSOA-to-ward lookup group LSOAs by MSOA (codes E02...)."""
    msoas = {code: "E02000001" for code in CODES}
    msoas["E01000005"] = "E02000002"
    table = table_of({"E01000005": 20}, wards=msoas)
    found = {f.id: f for f in hotspots_findings(table, Settings.of(CONFIG))}["hotspots_gi_star"]
    assert found.resident.endswith("We found hot spots in Ward E02000002 MSOA.")
    assert " ward" not in found.resident
