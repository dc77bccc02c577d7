"""Disclosure control of the hot-spot rows: a residents' "hot spot" never sits beside a count
from 1 to the resident threshold unless that count is hidden, and the tests' p and q, from
which the count can be worked back, are hidden with it."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from pipeline.charts.style import RESIDENT_STYLE, TECHNICAL_STYLE
from pipeline.disclosure import MARKER, DisclosurePolicy
from pipeline.disclosure.tables import DERIVED_COLUMNS, protect_measure_tables
from pipeline.families.hotspots.charts import lsoa_table, where_map
from pipeline.families.hotspots.disclosure import DERIVED_FROM_THE_COUNT, verdict_pins_count
from pipeline.families.hotspots.own_rate import WITHHELD
from pipeline.settings import Settings
from tests.test_measures_hotspots import (
    AREA,
    CONFIG,
    grid,
    hotspots,
    lsoa_list,
    populations,
    repeat,
    rows_of,
    victims,
)

SETTINGS = Settings.of(CONFIG)
THRESHOLD = SETTINGS.resident_threshold
SMALL = "E01000005"
HIDDEN_WITH_THE_COUNT = DERIVED_COLUMNS + DERIVED_FROM_THE_COUNT


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    # 3 x 3 grid. E01000005 has 20 residents aged 0-24 and 8 incidents; the other eight have
    # 200 residents and 11 incidents each. Borough: 96 incidents over 1,620 residents, so
    # E = 20 x 96 / 1,620 = 1.185 for E01000005 and P(X >= 8 | 1.185) ~ 1e-5: a hot spot
    # (q ~ 9 x 1e-5), on a count at or below the resident threshold of 10.
    boundaries = grid(3)
    codes = boundaries["lsoa_code"].tolist()
    rows = []
    for code in codes:
        rows += repeat(8 if code == SMALL else 11, lsoa_code=code)
    pops = {c: (1, 19) if c == SMALL else (10, 190) for c in codes}
    return hotspots.compute(
        victims=victims(rows),
        lsoas=lsoa_list(codes),
        population_lsoa=populations(pops),
        settings=SETTINGS,
        area_code=AREA,
        boundaries=boundaries,
        schools=None,
    )


@pytest.fixture(scope="module")
def protected(table) -> pd.DataFrame:
    policy = DisclosurePolicy(threshold=THRESHOLD)
    return protect_measure_tables({"hotspots": table}, policy).tables["hotspots"]


def test_the_small_hot_spot_is_a_hot_spot_on_a_small_count(table):
    own = rows_of(table, "sv_0_24_lsoa_exceedance").set_index("group")
    assert own.loc[SMALL, "hotspot_class"] == "Hot spot"
    assert 1 <= own.loc[SMALL, "numerator"] <= THRESHOLD
    assert own.loc[SMALL, "expected"] == pytest.approx(20 * 96 / 1620)


def test_the_own_rate_p_gives_the_count_back(table):
    # Why p is hidden: E is residents x the borough rate (both published), and p = P(X >= O | E)
    # falls with O, so the one whole number with that p is the count.
    own = rows_of(table, "sv_0_24_lsoa_exceedance").set_index("group").loc[SMALL]
    worked_back = [
        o
        for o in range(0, THRESHOLD + 1)
        if stats.poisson.sf(o - 1, own["expected"]) == pytest.approx(own["p_value"], rel=1e-9)
    ]
    assert worked_back == [8]


def test_no_hot_spot_label_beside_an_unprotected_small_count(table, protected):
    raw = table.reset_index(drop=True)
    labelled = raw["hotspot_class"].eq("Hot spot") & raw["numerator"].between(1, THRESHOLD)
    assert labelled.sum() == 1  # the fixture has one; the check below is not empty
    for i in raw.index[labelled]:
        row = protected.loc[i]
        assert row["group"] == SMALL and bool(row["numerator_suppressed"])
        for column in HIDDEN_WITH_THE_COUNT:
            if column in protected.columns:
                assert pd.isna(row[column]), column


def test_every_hidden_count_hides_its_tests(protected):
    # The LSOA's rate, own-rate and Gi* rows are one cell: all three are hidden together,
    # and so is every p, q and permutation z of a hidden row.
    hidden = protected.loc[protected["numerator_suppressed"].astype(bool)]
    small = hidden.loc[hidden["group"] == SMALL, "measure_id"]
    assert set(small) >= {"sv_0_24_lsoa_rate", "sv_0_24_lsoa_exceedance", "sv_0_24_gi_star"}
    for column in DERIVED_FROM_THE_COUNT:
        assert hidden[column].isna().all(), column
    shown = protected.loc[
        ~protected["numerator_suppressed"].astype(bool)
        & protected["measure_id"].eq("sv_0_24_lsoa_exceedance")
    ]
    assert shown["p_value"].notna().all() and len(shown) >= 1


def test_the_technical_lsoa_table_marks_the_hidden_tests(protected):
    spec = lsoa_table({"hotspots": protected}, SETTINGS, SETTINGS.areas[0], TECHNICAL_STYLE)
    row = spec.table.set_index("LSOA code").loc[SMALL]
    assert row["Own-rate q-value"] == MARKER and row["Gi* q-value"] == MARKER
    # The verdicts stand: here they leave the hidden count's range wide (next tests).
    assert row["Hot spot result"] == "Hot spot" and row["Gi* cluster"] != MARKER
    assert row["95% interval"] == MARKER
    counts = [c for c in spec.table.columns if spec.kinds[c] == "count"]
    assert counts and all(row[c] == MARKER for c in counts)


def test_the_verdict_bounds_a_hidden_count_but_here_leaves_it_wide(table, protected):
    # "Hot spot" (q <= FDR, so p <= FDR) with E published says the count is at least the
    # smallest o with P(X >= o | E) <= FDR: here 4, which leaves 4..10 of the hidden 1..10,
    # so the verdict stands beside the hidden count.
    own = rows_of(table, "sv_0_24_lsoa_exceedance").set_index("group").loc[SMALL]
    passing = [
        o for o in range(1, THRESHOLD + 1) if stats.poisson.sf(o - 1, own["expected"]) <= own["fdr"]
    ]
    assert passing[0] == 4
    row = protected.loc[
        protected["measure_id"].eq("sv_0_24_lsoa_exceedance") & protected["group"].eq(SMALL)
    ].iloc[0]
    assert bool(row["numerator_suppressed"]) and row["hotspot_class"] == "Hot spot"


def test_a_verdict_that_would_pin_a_hidden_count_is_hidden():
    # Nine LSOAs tested at FDR 0.05, threshold 10. E = 1.185: "hot spot" means O >= 4 and
    # "not significant" O <= 5 (P(X >= 6 | 1.185) = 0.0014 <= 0.05 / 9): both leave 3 or more
    # values, shown. E = 5: "hot spot" needs O >= 10 (P(X >= 10 | 5) = 0.032, P(X >= 9) =
    # 0.068), one value of 1..10: hidden. E = 0.05: "not significant" means O = 1
    # (P(X >= 2 | 0.05) = 0.0012 <= 0.0056): hidden. Worked out from E alone, whatever the
    # verdict was.
    frame = pd.DataFrame(
        {
            "measure_id": ["sv_0_24_lsoa_exceedance"] * 9 + ["sv_0_24_lsoa_rate"],
            "definition": ["d"] * 10,
            "period": ["2024-25"] * 10,
            "group": [f"E0100000{i}" for i in range(9)] + ["E01000000"],
            "expected": [1.185, 5.0, 0.05] + [1.0] * 6 + [float("nan")],
            "fdr": [0.05] * 9 + [float("nan")],
        }
    )
    assert stats.poisson.sf(5, 1.185) <= 0.05 / 9 < stats.poisson.sf(4, 1.185)
    assert stats.poisson.sf(9, 5.0) <= 0.05 < stats.poisson.sf(8, 5.0)
    assert stats.poisson.sf(1, 0.05) <= 0.05 / 9 < stats.poisson.sf(0, 0.05)
    pins = verdict_pins_count(frame, THRESHOLD)
    assert pins.tolist()[:3] == [False, True, True] and not pins.iloc[9]


def test_the_residents_map_says_withheld_where_the_verdict_is_hidden(protected):
    # The same table with E01000005's verdict blanked, as disclosure control blanks one that
    # would pin its count: the map says "withheld" (never "not significant") and its title
    # does not say that no neighbourhood is a hot spot.
    own = protected["measure_id"].eq("sv_0_24_lsoa_exceedance") & protected["group"].eq(SMALL)
    blanked = protected.copy()
    blanked["hotspot_class"] = blanked["hotspot_class"].astype("object").where(~own, None)
    spec = where_map({"hotspots": blanked}, grid(3), SETTINGS, SETTINGS.areas[0], RESIDENT_STYLE)
    assert SMALL not in set(spec.table.get("LSOA code", []))
    assert "Result withheld (pale grey, cross) for 1 neighbourhood whose" in spec.alt
    assert spec.title.startswith("No neighbourhood whose result can be shown stood out")
    assert spec.title.endswith("(results withheld for 1)")
    assert any("withheld" in note for note in spec.notes)
    features = spec.chart.to_dict()["layer"][0]["data"]["values"]
    classes = {f["properties"]["lsoa_code"]: f["properties"]["hotspot_class"] for f in features}
    assert classes[SMALL] == WITHHELD
    assert set(classes.values()) == {WITHHELD, "Not significant"}
    # As protected (the verdict stands): the map names the hot spot.
    shown = where_map({"hotspots": protected}, grid(3), SETTINGS, SETTINGS.areas[0], RESIDENT_STYLE)
    assert SMALL in set(shown.table["LSOA code"]) and "withheld" not in shown.alt


def test_unprotected_the_map_names_the_hot_spot(table):
    # The same map from the unprotected table (an internal circulation with no threshold).
    spec = where_map({"hotspots": table}, grid(3), SETTINGS, SETTINGS.areas[0], RESIDENT_STYLE)
    assert SMALL in set(spec.table["LSOA code"]) and "withheld" not in spec.alt


def test_disclosure_control_hides_a_verdict_that_would_pin_the_count():
    # E01000001: 90 residents and 6 incidents; the other eight 200 residents and 11 each.
    # E = 90 x 94 / 1,690 = 5.0, so "hot spot" would need O >= 10: the verdict is hidden
    # with the count (6, hidden at threshold 10); the other LSOAs' verdicts stand.
    boundaries = grid(3)
    codes = boundaries["lsoa_code"].tolist()
    pinned = codes[0]
    rows = []
    for code in codes:
        rows += repeat(6 if code == pinned else 11, lsoa_code=code)
    pops = {c: (10, 80) if c == pinned else (10, 190) for c in codes}
    table = hotspots.compute(
        victims=victims(rows), lsoas=lsoa_list(codes), population_lsoa=populations(pops),
        settings=SETTINGS, area_code=AREA, boundaries=boundaries, schools=None,
    )  # fmt: skip
    own = rows_of(table, "sv_0_24_lsoa_exceedance").set_index("group")
    assert own.loc[pinned, "expected"] == pytest.approx(90 * 94 / 1690)
    protected = protect_measure_tables(
        {"hotspots": table}, DisclosurePolicy(threshold=THRESHOLD)
    ).tables["hotspots"]
    verdicts = protected.loc[protected["measure_id"].eq("sv_0_24_lsoa_exceedance")].set_index(
        "group"
    )
    assert bool(verdicts.loc[pinned, "numerator_suppressed"])
    assert pd.isna(verdicts.loc[pinned, "hotspot_class"])
    others = verdicts.drop(index=pinned)
    assert others["hotspot_class"].notna().all()
