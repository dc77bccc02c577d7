"""The synthetic demo inputs validate with no Stop problem, fit together, and the victims'
reconciliation matches the "mess" the generator planted (data/raw/demo/truths.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.settings import Settings
from pipeline.validate.cross import check_cross_inputs
from pipeline.validate.run import validate_input

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"

pytestmark = pytest.mark.skipif(
    not (DEMO / "waltham-forest" / "victims.csv").is_file(),
    reason="demo data not generated yet (python -m pipeline.demo writes data/raw/demo/)",
)

SHARED_KINDS = [
    "comparators",
    "population_la",
    "population_ethnicity",
    "deprivation",
    "areas",
    "neighbours",
]
AREA_KINDS = ["victims", "population_lsoa", "schools", "school_calendar", "actions", "boundaries"]


@pytest.fixture(scope="module")
def demo(config, tmp_path_factory):
    """Every demo input of the configured area, validated."""
    (area,) = config["areas"]
    failures = tmp_path_factory.mktemp("failures")
    folder = REPO / area["inputs"]
    lsoas = validate_input(
        "lsoas",
        folder / "lsoas.csv",
        settings=Settings.of(config),
        failures_path=failures / "lsoas.csv",
    )
    area_lsoas = set(lsoas.frame["lsoa_code"])
    results = {"lsoas": lsoas}
    for kind in SHARED_KINDS + AREA_KINDS:
        base = REPO / config["shared_inputs"] if kind in SHARED_KINDS else folder
        name = "lsoa_boundaries.geojson" if kind == "boundaries" else f"{kind}.csv"
        results[kind] = validate_input(
            kind,
            base / name,
            settings=Settings.of(config),
            area_lsoas=area_lsoas if kind in AREA_KINDS else None,
            failures_path=failures / f"{kind}.csv",
        )
    return area["code"], results


def test_demo_inputs_pass_and_fit_together(demo, config, tmp_path):
    area_code, results = demo
    for kind, result in results.items():
        table = result.reconciliation.set_index("reason")["rows"]
        assert table["rows read"] > 0, kind
        assert table["rows used"] == len(result.frame), kind
    check_cross_inputs(
        {k: r.frame for k, r in results.items()},
        settings=Settings.of(config),
        area_code=area_code,
        failures_path=tmp_path / "cross.csv",
    )


def test_victim_reconciliation_matches_the_planted_mess(demo, config):
    _, results = demo
    mess = json.loads((DEMO / "truths.json").read_text(encoding="utf-8"))["mess"]
    victims = results["victims"]
    table = victims.reconciliation.set_index("reason")["rows"]
    assert table["rows read"] == mess["rows"]
    assert table["location outside the area"] == mess["outside_area_rows"]
    assert table["date outside the reporting window"] == 0
    assert table["empty row"] == 0
    assert table["location unknown (kept)"] == mess["unknown_location_rows"]
    # The truths count over every row of the file; the kept counts cover the rows used, so
    # add the excluded rows (all located outside the area) that share the property.
    excluded = victims.excluded
    assert (
        table["ethnicity not stated (kept)"] + (excluded["victim_ethnicity"] == "Not stated").sum()
    ) == mess["ethnicity_not_stated_rows"]
    assert (
        table["sex not stated (kept)"] + (excluded["victim_sex"] == "Not stated").sum()
    ) == mess["sex_not_stated_rows"]
    assert (
        table["time not recorded (kept)"] + (excluded["offence_start_time"] == "").sum()
    ) == mess["missing_time_rows"]
    assert (table["age not recorded (kept)"] + (excluded["victim_age"] == "").sum()) == mess[
        "unknown_age_rows"
    ]
    frame = victims.frame
    assert (
        frame["offence_end_date"].notna().sum() + (excluded["offence_end_date"] != "").sum()
    ) == mess["time_window_rows"]
    assert frame["victim_id"].nunique() <= mess["distinct_victim_ids"]


def test_typed_victims_reproduce_the_planted_key_metric_count(demo, config):
    """Key-metric rows in the area, selected here by hand from the typed columns."""
    _, results = demo
    mess = json.loads((DEMO / "truths.json").read_text(encoding="utf-8"))["mess"]
    frame = results["victims"].frame
    key = config["definitions"]["key_metric"]
    selected = (
        frame["offence_group"].isin(key["offence_groups"])
        & frame["weapon"].isin(key["weapons"])
        & frame["injury"]
        & ~frame["domestic_abuse"]
        & frame["victim_age"].between(key["age_from"], key["age_to"]).fillna(False)
    )
    assert int(selected.sum()) == mess["key_metric_rows_in_area"]
    # The comparator series of the area for this measure holds the same count.
    comparators = results["comparators"].frame
    area_series = comparators[
        (comparators["area_code"] == config["areas"][0]["code"])
        & (comparators["measure"] == key["id"])
    ]
    assert int(area_series["count"].sum()) == mess["key_metric_rows_in_area"]
    assert isinstance(frame["offence_start"].iloc[0], pd.Timestamp)
