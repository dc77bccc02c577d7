"""Rules across inputs: one area's validated inputs must fit together."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.settings import Settings
from pipeline.validate.cross import check_cross_inputs
from pipeline.validate.errors import ValidationStop
from pipeline.validate.run import validate_input

GOOD = Path(__file__).resolve().parent / "data" / "good"
AREA = "E09000031"
# The area, its three neighbours in neighbours.csv, and London.
COMPARATOR_AREAS = ["E09000031", "E09000010", "E09000014", "E08000025", "E12000007"]


@pytest.fixture(scope="module")
def frames(config) -> dict[str, pd.DataFrame]:
    """A complete, consistent set of inputs for the area (good files plus full series)."""
    lsoas = validate_input("lsoas", GOOD / "lsoas.csv", settings=Settings.of(config)).frame
    area_lsoas = set(lsoas["lsoa_code"])
    loaded = {"lsoas": lsoas}
    for kind in ["population_lsoa", "deprivation", "neighbours", "areas", "population_ethnicity"]:
        loaded[kind] = validate_input(
            kind, GOOD / f"{kind}.csv", settings=Settings.of(config), area_lsoas=area_lsoas
        ).frame
    loaded["boundaries"] = validate_input(
        "boundaries",
        GOOD / "lsoa_boundaries.geojson",
        settings=Settings.of(config),
        area_lsoas=area_lsoas,
    ).frame
    months = [str(p) for p in pd.period_range("2020-04", "2025-03", freq="M")]
    loaded["comparators"] = pd.DataFrame(
        [(code, code, month, "kcwi_1_24", 1) for code in COMPARATOR_AREAS for month in months],
        columns=["area_code", "area_name", "month", "measure", "count"],
    )
    loaded["population_la"] = pd.DataFrame(
        [
            (code, year, "All", 1, 24, "All", 1000)
            for code in COMPARATOR_AREAS
            for year in range(2020, 2025)
        ],
        columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"],
    )
    return loaded


def _stop(frames, config, tmp_path) -> ValidationStop:
    with pytest.raises(ValidationStop) as stop:
        check_cross_inputs(
            frames,
            settings=Settings.of(config),
            area_code=AREA,
            failures_path=tmp_path / "cross.csv",
        )
    return stop.value


def test_consistent_inputs_pass(frames, config, tmp_path):
    check_cross_inputs(
        frames, settings=Settings.of(config), area_code=AREA, failures_path=tmp_path / "c.csv"
    )
    assert pd.read_csv(tmp_path / "c.csv").empty


def test_lsoa_without_population_for_a_year(frames, config, tmp_path):
    population = frames["population_lsoa"]
    gap = ~((population["area_code"] == "E01004330") & (population["year"] == 2024))
    stop = _stop({**frames, "population_lsoa": population[gap]}, config, tmp_path)
    # E01004330 is on line 5 of lsoas.csv.
    assert (
        "population_lsoa.csv: column 'area_code', rule 'every LSOA of the area has a "
        "population for every year' (stop): 1 row fails, lsoas.csv line 5: value "
        "'E01004330 (no population for 2024)'."
    ) in str(stop)
    written = pd.read_csv(tmp_path / "cross.csv")
    assert written[["input", "source_line", "column"]].values.tolist() == [
        ["population_lsoa", 5, "area_code"]
    ]


def test_lsoa_without_deprivation(frames, config, tmp_path):
    deprivation = frames["deprivation"]
    stop = _stop(
        {**frames, "deprivation": deprivation[deprivation["lsoa_code"] != "E01004328"]},
        config,
        tmp_path,
    )
    assert (
        "deprivation.csv: column 'lsoa_code', rule 'every LSOA of the area has a "
        "deprivation value' (stop): 1 row fails, lsoas.csv line 3: value 'E01004328'."
    ) in str(stop)


def test_lsoa_without_boundary(frames, config, tmp_path):
    boundaries = frames["boundaries"]
    stop = _stop(
        {**frames, "boundaries": boundaries[boundaries["lsoa_code"] != "E01004327"]},
        config,
        tmp_path,
    )
    assert (
        "rule 'every LSOA of the area has a boundary' (stop): 1 row fails, lsoas.csv line 2"
        in str(stop)
    )


def test_lsoa_of_another_area(frames, config, tmp_path):
    lsoas = frames["lsoas"].copy()
    lsoas.loc[lsoas["lsoa_code"] == "E01004329", "area_code"] = "E09000014"
    stop = _stop({**frames, "lsoas": lsoas}, config, tmp_path)
    assert (
        "lsoas.csv: column 'area_code', rule 'every LSOA belongs to the area' (stop): "
        "1 row fails, line 4: value 'E09000014'."
    ) in str(stop)


def test_comparator_series_with_missing_months(frames, config, tmp_path):
    comparators = frames["comparators"]
    holes = (comparators["area_code"] == "E09000014") & comparators["month"].isin(
        ["2021-04", "2021-05", "2024-12"]
    )
    stop = _stop({**frames, "comparators": comparators[~holes]}, config, tmp_path)
    assert (
        "comparators.csv: column 'month', rule 'every comparator area has every month of "
        "the window' (stop): 1 series incomplete: E09000014 kcwi_1_24: 3 months missing, "
        "first 2021-04."
    ) in str(stop)
    written = pd.read_csv(tmp_path / "cross.csv")
    assert written["value"].tolist() == [
        "E09000014 kcwi_1_24 2021-04",
        "E09000014 kcwi_1_24 2021-05",
        "E09000014 kcwi_1_24 2024-12",
    ]


def test_a_measure_missing_for_one_area_is_incomplete(frames, config, tmp_path):
    extra = pd.DataFrame(
        [("E09000031", "Waltham Forest", "2020-04", "kcwi_1_17", 0)],
        columns=frames["comparators"].columns,
    )
    stop = _stop(
        {**frames, "comparators": pd.concat([frames["comparators"], extra])}, config, tmp_path
    )
    # kcwi_1_17 now exists, so the area (59 months) and the region (60) lack months of it. The
    # neighbours, which have none of it, are kept and counted instead (a police.uk series
    # cannot give every measure): neighbours_without_series.
    assert "2 series incomplete: E09000031 kcwi_1_17: 59 months missing, first 2020-05" in str(stop)
    assert "E12000007 kcwi_1_17: 60 months missing, first 2020-04" in str(stop)
    assert "E08000025 kcwi_1_17" not in str(stop)


def test_neighbour_without_comparator_series_is_kept_and_counted(frames, config, tmp_path):
    """A neighbour with no series at all (e.g. outside the MPS area) is listed, not a stop."""
    comparators = frames["comparators"]
    failures = tmp_path / "cross-inputs.failures.csv"
    kept = check_cross_inputs(
        {**frames, "comparators": comparators[comparators["area_code"] != "E08000025"]},
        settings=Settings.of(config),
        area_code=AREA,
        failures_path=failures,
    )
    assert pd.read_csv(failures).empty
    assert kept.to_dict("records") == [
        {
            "input": "neighbours",
            "category": "kept",
            "reason": "statistical neighbour without comparator series (kept in the neighbour "
            "list, shown as missing, left out of the pooled neighbours)",
            "rows": 1,
            "detail": "E08000025 (Birmingham, statistical neighbour)",
        }
    ]
    # Written beside the failures CSV, so the technical report can list it.
    written = pd.read_csv(tmp_path / "cross-inputs.kept.csv")
    assert written.to_dict("records") == kept.to_dict("records")


def test_nothing_kept_writes_a_header_only_table(frames, config, tmp_path):
    kept = check_cross_inputs(
        frames,
        settings=Settings.of(config),
        area_code=AREA,
        failures_path=tmp_path / "cross.failures.csv",
    )
    assert kept.empty
    assert list(pd.read_csv(tmp_path / "cross.kept.csv").columns) == [
        "input", "category", "reason", "rows", "detail",
    ]  # fmt: skip


def test_region_without_comparator_series_still_stops(frames, config, tmp_path):
    comparators = frames["comparators"]
    stop = _stop(
        {**frames, "comparators": comparators[comparators["area_code"] != "E12000007"]},
        config,
        tmp_path,
    )
    assert (
        "comparators.csv: column 'area_code', rule 'the area and the region have comparator "
        "series' (stop): 1 area without a series: E12000007 (London)."
    ) in str(stop)
    assert len(stop.problems) == 1


def test_neighbour_with_a_partial_series_still_stops(frames, config, tmp_path):
    """Only a neighbour with no data at all is kept; one that has data must be complete."""
    comparators = frames["comparators"]
    hole = (comparators["area_code"] == "E08000025") & (comparators["month"] == "2022-07")
    stop = _stop({**frames, "comparators": comparators[~hole]}, config, tmp_path)
    assert "1 series incomplete: E08000025 kcwi_1_24: 1 month missing, first 2022-07" in str(stop)


def test_code_without_a_name(frames, config, tmp_path):
    areas = frames["areas"]
    stop = _stop({**frames, "areas": areas[areas["area_code"] != "E09000010"]}, config, tmp_path)
    assert (
        "areas.csv: column 'area_code', rule 'every area code used has a name' (stop): "
        "1 value fails: 'E09000010'."
    ) in str(stop)


def test_comparator_area_without_population(frames, config, tmp_path):
    """2020 is before London's first estimate: a stop. 2024 is after its newest (2023), which
    is carried forward (kept and counted), as mid-year estimates are published late."""
    population = frames["population_la"]
    gap = ~((population["area_code"] == "E12000007") & population["year"].isin([2020, 2024]))
    stop = _stop({**frames, "population_la": population[gap]}, config, tmp_path)
    assert (
        "population_la.csv: column 'area_code', rule 'every comparator area has a "
        "population for every year of the window' (stop): 1 value fails: "
        "'E12000007 (no population for 2020)'."
    ) in str(stop)


def test_a_gap_between_estimates_stops(frames, config, tmp_path):
    population = frames["population_la"]
    gap = ~((population["area_code"] == "E09000010") & (population["year"] == 2022))
    stop = _stop({**frames, "population_la": population[gap]}, config, tmp_path)
    assert "'E09000010 (no population for 2022)'" in str(stop)


def test_years_after_the_newest_estimate_use_it(frames, config, tmp_path):
    population = frames["population_la"]
    recent = population["year"].isin([2023, 2024])
    late = ~(recent & population["area_code"].isin(["E09000010", "E12000007"]))
    kept = check_cross_inputs(
        {**frames, "population_la": population[late]},
        settings=Settings.of(config),
        area_code=AREA,
        failures_path=tmp_path / "c.failures.csv",
    )
    assert kept[["input", "rows", "detail"]].to_dict("records") == [
        {
            "input": "population_la",
            "rows": 4,  # 2 areas x 2 years
            "detail": "mid-2022 used for 2023, 2024 by 2 areas: E09000010, E12000007",
        }
    ]


def test_area_without_neighbours_or_ethnic_population(frames, config, tmp_path):
    neighbours = frames["neighbours"].assign(area_code="E09000014")
    neighbours = neighbours[neighbours["neighbour_code"] != "E09000014"]
    ethnicity = frames["population_ethnicity"].assign(area_code="E09000010")
    stop = _stop(
        {**frames, "neighbours": neighbours, "population_ethnicity": ethnicity}, config, tmp_path
    )
    rules = [p.rule for p in stop.problems]
    assert rules == [
        "the area has statistical neighbours",
        "the area has a population by ethnic group",
    ]
    assert (
        "neighbours.csv: column 'area_code', rule 'the area has statistical neighbours' "
        "(stop): no row has area_code 'E09000031'." in str(stop)
    )


def test_absent_inputs_are_skipped(frames, config, tmp_path):
    """Optional context (boundaries) and inputs not yet loaded are not required."""
    check_cross_inputs(
        {"lsoas": frames["lsoas"]},
        settings=Settings.of(config),
        area_code=AREA,
        failures_path=tmp_path / "c.csv",
    )


def test_lsoa_without_a_count_for_a_year(frames, config, tmp_path):
    """Public LSOA counts need a row (0 if none) for every LSOA, year and measure."""
    codes = list(frames["lsoas"]["lsoa_code"])
    counts = pd.DataFrame(
        [(code, year, "sv_0_24", 1) for code in codes for year in (2020, 2021)],
        columns=["lsoa_code", "year", "measure", "count"],
    )
    check_cross_inputs(
        {**frames, "lsoa_counts": counts}, settings=Settings.of(config), area_code=AREA
    )
    gap = ~((counts["lsoa_code"] == "E01004329") & (counts["year"] == 2021))
    stop = _stop({**frames, "lsoa_counts": counts[gap]}, config, tmp_path)
    assert (
        "lsoa_counts.csv: column 'lsoa_code', rule 'every LSOA of the area has a count for "
        "every year and measure' (stop): 1 row fails, lsoas.csv line 4: value 'E01004329 (no "
        "count for sv_0_24 2021)'."
    ) in str(stop)
