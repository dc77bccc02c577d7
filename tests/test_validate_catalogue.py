"""The catalogue of known-bad inputs (tests/data/bad/): every one stops with an actionable
message, or is used with exact counts of rows kept and excluded.

Each Stop case runs the command-line entry point in-process and checks its exit status, the
message (file, column, rule, lines, values; for the victim extract the lines without the
values) and the failures CSV. Line numbers and values were
read off the hand-made files: line 1 is the header.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.settings import Settings
from pipeline.validate.errors import FAILURE_COLUMNS, VALUES_WITHHELD, ValidationStop
from pipeline.validate.run import main, validate_input
from pipeline.validate.schemas import personal_inputs

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
GOOD = REPO / "tests" / "data" / "good"
AREA_LSOAS = {"E01004327", "E01004328", "E01004329", "E01004330"}

#: The values a message ends with, as the cases below write them: ": values '-3', '430'."
VALUES_AT_END = re.compile(r": values? ((?:(?:'[^']*'|\(empty\))(?:, )?)+)\.$")
#: Cases whose values describe the lines ('17 fields'), not cells: shown for every input.
DESCRIPTIVE_VALUES = {"victims_unquoted_comma.csv"}

# (file, input kind, substrings of the message, expected failures as (source_line, column)).
# Messages about the victim extract (personal data) give the lines, not the values; the test
# checks that the values written here are in the failures CSV instead.
STOP_CASES: list[tuple[str, str, list[str], set[tuple[int | None, str | None]]]] = [
    (
        "victims_age_out_of_range.csv",
        "victims",
        [
            "column 'victim_age', rule 'age between 0 and 120' (stop): 2 rows fail, lines 3, 5: "
            "values '-3', '430'.",
            "victim_age must be a whole number from 0 to 120, or empty when unknown.",
        ],
        {(3, "victim_age"), (5, "victim_age")},
    ),
    (
        "victims_age_not_a_number.csv",
        "victims",
        [
            "column 'victim_age', rule 'whole number' (stop): 2 rows fail, lines 2, 4: "
            "values '12.5', 'twelve'.",
        ],
        {(2, "victim_age"), (4, "victim_age")},
    ),
    # Line 3 ends the day before it starts; line 4 ends at 21:00 on the day it starts at 21:05.
    (
        "victims_end_before_start.csv",
        "victims",
        [
            "column 'offence_end_date', rule 'offence end not before start' (stop): 2 rows fail, "
            "lines 3, 4: values '2023-06-01', '2023-06-02'.",
        ],
        {(3, "offence_end_date"), (4, "offence_end_date")},
    ),
    (
        "victims_duplicate_offence_victim.csv",
        "victims",
        [
            "column 'offence_id', rule 'one row per offence and victim (offence_id, victim_id)' "
            "(stop): 2 rows fail, lines 2, 5: values 'WF-0007', 'WF-0007'.",
        ],
        {(2, "offence_id"), (5, "offence_id")},
    ),
    (
        "victims_bad_lsoa_code.csv",
        "victims",
        [
            "column 'lsoa_code', rule 'LSOA code well formed' (stop): 2 rows fail, lines 3, 4: "
            "values 'E1004327', 'W01000001'.",
        ],
        {(3, "lsoa_code"), (4, "lsoa_code")},
    ),
    (
        "victims_bad_sex.csv",
        "victims",
        [
            "column 'victim_sex', rule 'sex from the list' (stop): 1 row fails, line 2: value 'M'.",
            "victim_sex must be one of: Male, Female, Not stated.",
        ],
        {(2, "victim_sex")},
    ),
    (
        "victims_bad_ethnicity.csv",
        "victims",
        [
            "column 'victim_ethnicity', rule 'ethnicity from the configured scheme' (stop): "
            "1 row fails, line 3: value 'Black British'.",
        ],
        {(3, "victim_ethnicity")},
    ),
    (
        "victims_ic_codes_under_census_scheme.csv",
        "victims",
        [
            "2 rows fail, lines 2, 3: values 'IC3', 'IC1'.",
            "config ethnicity_scheme: census2021; set it to ic_code",
        ],
        {(2, "victim_ethnicity"), (3, "victim_ethnicity")},
    ),
    (
        "victims_bad_weapon.csv",
        "victims",
        [
            "column 'weapon', rule 'weapon from the list' (stop): 1 row fails, line 2: value "
            "'Knife'.",
        ],
        {(2, "weapon")},
    ),
    (
        "victims_bad_offence_group.csv",
        "victims",
        [
            "column 'offence_group', rule 'offence group from the list' (stop): 1 row fails, "
            "line 3: "
            "value 'Violence Against the Person'.",
        ],
        {(3, "offence_group")},
    ),
    # 31 February does not exist; month 13 does not exist (line 3, 30/01/2024, is fine).
    (
        "victims_impossible_date.csv",
        "victims",
        [
            "column 'offence_start_date', rule 'date in an accepted format' (stop): 2 rows fail, "
            "lines 2, 4: values '31/02/2024', '2024-13-01'.",
            "YYYY-MM-DD or DD/MM/YYYY or DD-MM-YYYY",
        ],
        {(2, "offence_start_date"), (4, "offence_start_date")},
    ),
    (
        "victims_month_first_date.csv",
        "victims",
        [
            "2 rows fail, lines 2, 3: values '01/31/2024', '2024/01/31'.",
        ],
        {(2, "offence_start_date"), (3, "offence_start_date")},
    ),
    # Line 4 holds 9:05, a good time without its leading zero.
    (
        "victims_bad_time.csv",
        "victims",
        [
            "column 'offence_start_time', rule 'time written HH:MM' (stop): 2 rows fail, lines "
            "2, 3: "
            "values '25:00', '3pm'.",
        ],
        {(2, "offence_start_time"), (3, "offence_start_time")},
    ),
    (
        "victims_bad_flags.csv",
        "victims",
        [
            "column 'injury', rule 'Y or N' (stop): 1 row fails, line 2: value 'Yes'.",
            "column 'domestic_abuse', rule 'value required' (stop): 1 row fails, line 3: "
            "value (empty).",
        ],
        {(2, "injury"), (3, "domestic_abuse")},
    ),
    (
        "victims_missing_column.csv",
        "victims",
        [
            "column 'victim_age', rule 'required column present' (stop): the header (line 1) has "
            "no "
            "column 'victim_age'. Is 'Victim Age' meant to be 'victim_age'?",
            "column 'Victim Age', rule 'no unknown columns' (stop)",
        ],
        {(1, "victim_age"), (1, "Victim Age")},
    ),
    (
        "victims_unknown_column.csv",
        "victims",
        [
            "column 'victim_postcode', rule 'no unknown columns' (stop): the header (line 1) has a "
            "column the contract does not define.",
        ],
        {(1, "victim_postcode")},
    ),
    (
        "victims_duplicate_column.csv",
        "victims",
        [
            "column 'victim_age', rule 'each column appears once' (stop): the header (line 1) "
            "names "
            "it 2 times.",
        ],
        {(1, "victim_age")},
    ),
    # Exported without its header: line 1 is a record, whose ids are never echoed as names.
    (
        "victims_no_header.csv",
        "victims",
        [
            "rule 'column names on line 1' (stop): line 1 names none of the contract columns",
            "(its values are not shown: personal data). The first line must hold the column "
            "names: offence_id, victim_id,",
        ],
        {(1, None)},
    ),
    (
        "victims_header_only.csv",
        "victims",
        [
            "rule 'at least one data row' (stop): the file has no data lines",
        ],
        {(None, None)},
    ),
    (
        "victims_zero_bytes.csv",
        "victims",
        [
            "rule 'readable CSV or xlsx file' (stop): the file is empty",
        ],
        {(None, None)},
    ),
    (
        "victims_unquoted_comma.csv",
        "victims",
        [
            "rule 'every record has the header's 16 fields' (stop): 1 row fails, line 3: "
            "value '17 fields'.",
            "wrapped in double quotes",
        ],
        {(3, None)},
    ),
    (
        "victims_required_value_missing.csv",
        "victims",
        [
            "column 'offence_id', rule 'value required' (stop): 1 row fails, line 4: value "
            "(empty).",
        ],
        {(4, "offence_id")},
    ),
    (
        "victims_not_text.csv",
        "victims",
        [
            "rule 'readable CSV or xlsx file' (stop): byte 0x81 is neither UTF-8 nor Windows-1252 "
            "text (line 3).",
        ],
        {(3, None)},
    ),
    (
        "victims_unclosed_quote.csv",
        "victims",
        [
            "rule 'readable CSV or xlsx file' (stop): a double quote opened in the record starting "
            "on this line is never closed (line 3).",
        ],
        {(3, None)},
    ),
    (
        "victims_semicolons.csv",
        "victims",
        [
            "rule 'values separated by commas' (stop): the header (line 1) is one column",
        ],
        {(1, None)},
    ),
    (
        "victims_end_time_without_date.csv",
        "victims",
        [
            "column 'offence_end_time', rule 'end time needs an end date' (stop): 1 row fails, "
            "line 3: value '23:00'.",
        ],
        {(3, "offence_end_time")},
    ),
    (
        "victims_half_coordinates.csv",
        "victims",
        [
            "column 'easting', rule 'easting and northing given together' (stop): 1 row fails, "
            "line 3: value '537800'.",
        ],
        {(3, "easting")},
    ),
    # A workbook: the age 430 sits in sheet row 3 of the sheet named 'victims'.
    (
        "victims_bad_age.xlsx",
        "victims",
        [
            "column 'victim_age', rule 'age between 0 and 120' (stop): 1 row fails, sheet row 3: "
            "value '430'.",
        ],
        {(3, "victim_age")},
    ),
    (
        "victims_excel_saved_as_csv.csv",
        "victims",
        [
            "rule 'readable CSV or xlsx file' (stop): this is an Excel workbook, not a CSV text "
            "file.",
        ],
        {(None, None)},
    ),
    (
        "comparators_negative_count.csv",
        "comparators",
        [
            "column 'count', rule 'count not negative' (stop): 1 row fails, line 3: value '-2'.",
        ],
        {(3, "count")},
    ),
    (
        "comparators_excel_month.csv",
        "comparators",
        [
            "column 'month', rule 'month written YYYY-MM' (stop): 2 rows fail, lines 2, 3: "
            "values 'Apr-24', '2024-4'.",
        ],
        {(2, "month"), (3, "month")},
    ),
    (
        "comparators_unknown_measure.csv",
        "comparators",
        [
            "column 'measure', rule 'measure id defined in config' (stop): 1 row fails, line 3: "
            "value 'knife_crime'.",
            "kcwi_1_17, kcwi_1_24, sv_0_24",
        ],
        {(3, "measure")},
    ),
    (
        "comparators_duplicate_month.csv",
        "comparators",
        [
            "rule 'one row per area, month and measure (area_code, month, measure)' (stop): 2 rows "
            "fail, lines 2, 4: values 'E09000031 / 2024-04 / kcwi_1_24'",
        ],
        {(2, "area_code"), (4, "area_code")},
    ),
    (
        "comparators_bad_area_code.csv",
        "comparators",
        [
            "column 'area_code', rule 'GSS area code well formed' (stop): 1 row fails, line 2: "
            "value 'E9000031'.",
        ],
        {(2, "area_code")},
    ),
    (
        "comparators_two_names.csv",
        "comparators",
        [
            "column 'area_name', rule 'one name per area code' (stop): 2 rows fail, lines 2, 3: "
            "values 'Waltham Forest', 'Walthamstow'.",
        ],
        {(2, "area_name"), (3, "area_name")},
    ),
    (
        "population_age_band_reversed.csv",
        "population_la",
        [
            "column 'age_to', rule 'age band not reversed' (stop): 1 row fails, line 3: value "
            "'18'.",
        ],
        {(3, "age_to")},
    ),
    (
        "population_negative.csv",
        "population_la",
        [
            "column 'population', rule 'population not negative' (stop): 1 row fails, line 3: "
            "value '-5'.",
        ],
        {(3, "population")},
    ),
    (
        "population_bad_sex.csv",
        "population_ethnicity",
        [
            "column 'sex', rule 'sex from the list' (stop): 1 row fails, line 2: value 'Persons'.",
        ],
        {(2, "sex")},
    ),
    # IoD2025 ranks 33,755 LSOAs: decile = ceil(10 x rank / 33755). Rank 3375 -> 33750/33755
    # -> decile 1 (line 2, right); rank 3376 -> 33760/33755 -> decile 2, not 1 (line 3);
    # rank 12001 -> 120010/33755 = 3.56 -> decile 4, not 7 (line 4).
    (
        "deprivation_decile_mismatch.csv",
        "deprivation",
        [
            "column 'imd_decile', rule 'decile matches rank' (stop): 2 rows fail, lines 3, 4: "
            "values '1', '7'.",
        ],
        {(3, "imd_decile"), (4, "imd_decile")},
    ),
    (
        "deprivation_rank_beyond_edition.csv",
        "deprivation",
        [
            "column 'imd_rank', rule 'rank within the edition's LSOA count' (stop): 1 row fails, "
            "line 2: value '33000'.",
        ],
        {(2, "imd_rank")},
    ),
    (
        "deprivation_bad_edition.csv",
        "deprivation",
        [
            "column 'iod_edition', rule 'edition from the list' (stop): 1 row fails, line 2: "
            "value 'IMD2019'.",
        ],
        {(2, "iod_edition")},
    ),
    (
        "lsoas_duplicate_code.csv",
        "lsoas",
        [
            "column 'lsoa_code', rule 'each lsoa_code appears once' (stop): 2 rows fail, lines "
            "2, 4",
        ],
        {(2, "lsoa_code"), (4, "lsoa_code")},
    ),
    (
        "lsoas_bad_ward_code.csv",
        "lsoas",
        [
            "column 'ward_code', rule 'ward code well formed' (stop): 1 row fails, line 2: "
            "value 'Cathall'.",
        ],
        {(2, "ward_code")},
    ),
    (
        "neighbours_self.csv",
        "neighbours",
        [
            "column 'neighbour_code', rule 'an area is not its own neighbour' (stop): 1 row fails, "
            "line 3: value 'E09000031'.",
        ],
        {(3, "neighbour_code")},
    ),
    (
        "areas_duplicate.csv",
        "areas",
        [
            "column 'area_code', rule 'each area_code appears once' (stop): 2 rows fail, lines "
            "2, 4",
        ],
        {(2, "area_code"), (4, "area_code")},
    ),
    (
        "schools_bad_phase.csv",
        "schools",
        [
            "column 'phase', rule 'phase from the list' (stop): 1 row fails, line 2: "
            "value 'Secondary school'.",
        ],
        {(2, "phase")},
    ),
    (
        "school_calendar_end_before_start.csv",
        "school_calendar",
        [
            "column 'end_date', rule 'range end not before its start' (stop): 1 row fails, line 3: "
            "value '2024-10-20'.",
        ],
        {(3, "end_date")},
    ),
    # Its day-first dates are fine; only the day type is not in the vocabulary.
    (
        "school_calendar_bad_day_type.csv",
        "school_calendar",
        [
            "column 'day_type', rule 'day type from the list' (stop): 1 row fails, line 2: "
            "value 'Half term'.",
        ],
        {(2, "day_type")},
    ),
    (
        "actions_bad_status.csv",
        "actions",
        [
            "column 'domain', rule 'domain from the list' (stop): 1 row fails, line 2: "
            "value 'Prevent'.",
            "column 'status', rule 'status from the list' (stop): 1 row fails, line 3: "
            "value 'Delayed'.",
        ],
        {(2, "domain"), (3, "status")},
    ),
    # Public-data LSOA counts: a negative count (line 3) and a measure not in config (line 4).
    (
        "lsoa_counts_bad_count_and_measure.csv",
        "lsoa_counts",
        [
            "column 'count', rule 'count not negative' (stop): 1 row fails, line 3: value '-2'.",
            "column 'measure', rule 'measure id defined in config' (stop): 1 row fails, line 4: "
            "value 'weapons_offences'.",
            "measure must be one of the measure ids defined in config: kcwi_1_17, kcwi_1_24, "
            "sv_0_24.",
        ],
        {(3, "count"), (4, "measure")},
    ),
    # No "crs" member: GeoJSON then means longitude/latitude (EPSG:4326).
    (
        "boundaries_wrong_crs.geojson",
        "boundaries",
        [
            "column 'geometry', rule 'British National Grid (EPSG:27700)' (stop): the file's "
            "coordinate reference system is EPSG:4326.",
        ],
        {(None, "geometry")},
    ),
    # Longitude/latitude labelled British National Grid: the degrees lie inside the grid's
    # bounds (a few metres from its origin, in the sea), so only their spread gives them away.
    (
        "boundaries_lonlat_labelled_bng.geojson",
        "boundaries",
        [
            "column 'geometry', rule 'coordinates inside the bounds of the declared CRS' (stop): "
            "the file declares EPSG:27700, whose coordinates are in metres (x -144406 to 728483, "
            "y -80290 to 1320279), but its coordinates span only x -0.02 to -0.01, y 51.58 to "
            "51.59: they look like longitude/latitude degrees.",
            "ogr2ogr -s_srs EPSG:4326 -t_srs EPSG:27700",
        ],
        {(None, "geometry")},
    ),
    (
        "boundaries_self_intersecting.geojson",
        "boundaries",
        [
            "column 'geometry', rule 'valid geometry' (stop): 1 feature fails, feature 2: "
            "value 'Self-intersection",
        ],
        {(2, "geometry")},
    ),
    (
        "boundaries_point_geometry.geojson",
        "boundaries",
        [
            "column 'geometry', rule 'polygon geometry' (stop): 1 feature fails, feature 1: "
            "value 'Point'.",
        ],
        {(1, "geometry")},
    ),
    (
        "boundaries_duplicate_code.geojson",
        "boundaries",
        [
            "column 'lsoa_code', rule 'each lsoa_code appears once' (stop): 2 features fail, "
            "features 1, 3: values 'E01004327', 'E01004327'.",
        ],
        {(1, "lsoa_code"), (3, "lsoa_code")},
    ),
]


def _run(kind: str, path: Path, tmp_path: Path, config_path: Path) -> tuple[int, Path]:
    """Run the command-line entry point in-process; return its exit status and failures CSV."""
    failures = tmp_path / f"{kind}.failures.csv"
    argv = [kind, str(path), "--config", str(config_path), "--failures", str(failures)]
    if kind == "victims":
        argv += ["--lsoas", str(GOOD / "lsoas.csv")]
    return main(argv), failures


def test_catalogue_is_large_and_every_file_is_used():
    named = {case[0] for case in STOP_CASES} | {case[0] for case in KEEP_CASES}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert len(on_disk) >= 25
    assert on_disk == named


@pytest.mark.parametrize(
    ("name", "kind", "expected", "failures"), STOP_CASES, ids=[c[0] for c in STOP_CASES]
)
def test_known_bad_input_stops_with_a_clear_message(
    name, kind, expected, failures, tmp_path, capsys, repo, monkeypatch
):
    monkeypatch.chdir(repo)  # messages name files relative to the working directory
    status, failures_csv = _run(kind, BAD / name, tmp_path, repo / "config" / "config.yaml")
    message = capsys.readouterr().err
    assert status == 1
    assert f"tests/data/bad/{name}: " in message  # every paragraph names the file
    written = pd.read_csv(failures_csv, dtype="str", keep_default_na=False)
    for text in expected:
        values = VALUES_AT_END.search(text)
        if kind in personal_inputs() and values and name not in DESCRIPTIVE_VALUES:
            # The message gives the lines only; the values are in the failures CSV alone.
            assert text[: values.start()] + f" ({VALUES_WITHHELD})." in message
            for quoted, empty in re.findall(r"'([^']*)'|(\(empty\))", values.group(1)):
                assert not quoted or f"'{quoted}'" not in message
                assert ("" if empty else quoted) in set(written["value"])
        else:
            assert text in message
    assert f"Full list: {failures_csv}" in message
    assert list(written.columns) == FAILURE_COLUMNS
    assert set(written["input"]) == {kind}
    found = [
        (int(line) if line else None, column or None)
        for line, column in zip(written["source_line"], written["column"], strict=True)
    ]
    assert len(found) == len(failures)  # no offending value reported twice
    assert set(found) == failures


def test_victim_messages_never_show_other_columns(config, tmp_path):
    """The victim id of a duplicate and the values of an unknown column stay out of messages."""
    with pytest.raises(ValidationStop) as stop:
        validate_input(
            "victims",
            BAD / "victims_duplicate_offence_victim.csv",
            settings=Settings.of(config),
            area_lsoas=AREA_LSOAS,
            failures_path=tmp_path / "f.csv",
        )
    assert "P020" not in str(stop.value) and "P020" not in (tmp_path / "f.csv").read_text()
    with pytest.raises(ValidationStop) as stop:
        validate_input(
            "victims",
            BAD / "victims_unknown_column.csv",
            settings=Settings.of(config),
            area_lsoas=AREA_LSOAS,
            failures_path=tmp_path / "g.csv",
        )
    assert "E17 4JB" not in str(stop.value) and "E17 4JB" not in (tmp_path / "g.csv").read_text()


# --- Keep and count: exact counts of rows used, kept and excluded --------------------------

# (file, kind, config changes, area LSOAs?, reconciliation {reason: rows}, {line: exclusion}).
KEEP_CASES: list[tuple[str, str, dict, bool, dict[str, int], dict[int, str]]] = [
    # Lines 2-11 (see the comments in the test below for each line).
    (
        "victims_messy_but_usable.csv",
        "victims",
        {},
        True,
        {
            "rows read": 10,
            "rows used": 6,
            "empty row": 1,
            "date outside the reporting window": 2,
            "location outside the area": 1,
            "location unknown (kept)": 1,
            "time not recorded (kept)": 2,
            "age not recorded (kept)": 1,
            "sex not stated (kept)": 1,
            "ethnicity not stated (kept)": 2,
        },
        {
            4: "date outside the reporting window",
            5: "empty row",
            6: "location outside the area",
            8: "date outside the reporting window",
        },
    ),
    # IC3, IC1, IC9, IC0, IC5, IC6: IC9 and IC0 are 'not stated'.
    (
        "victims_ic_codes.csv",
        "victims",
        {"ethnicity_scheme": "ic_code"},
        True,
        {
            "rows read": 6,
            "rows used": 6,
            "ethnicity not stated (kept)": 2,
            "location outside the area": 0,
            "date outside the reporting window": 0,
        },
        {},
    ),
    # Window April 2020 - March 2025: 2020-03, 2025-04 and 2018-01 are outside.
    (
        "comparators_months_outside_window.csv",
        "comparators",
        {},
        False,
        {
            "rows read": 5,
            "rows used": 2,
            "month outside the reporting window": 3,
            "empty row": 0,
        },
        {
            2: "month outside the reporting window",
            5: "month outside the reporting window",
            6: "month outside the reporting window",
        },
    ),
    (
        "population_lsoa_outside_area.csv",
        "population_lsoa",
        {},
        True,
        {
            "rows read": 3,
            "rows used": 2,
            "LSOA outside the area": 1,
        },
        {3: "LSOA outside the area"},
    ),
    # E01000006 is in Barking and Dagenham, not one of the area's LSOAs.
    (
        "lsoa_counts_outside_area.csv",
        "lsoa_counts",
        {},
        True,
        {"rows read": 3, "rows used": 2, "LSOA outside the area": 1},
        {4: "LSOA outside the area"},
    ),
    (
        "schools_without_coordinates.csv",
        "schools",
        {},
        False,
        {
            "rows read": 4,
            "rows used": 2,
            "school without coordinates": 2,
        },
        {3: "school without coordinates", 4: "school without coordinates"},
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "changes", "with_area", "counts", "exclusions"),
    KEEP_CASES,
    ids=[c[0] for c in KEEP_CASES],
)
def test_usable_input_is_counted_exactly(
    name, kind, changes, with_area, counts, exclusions, config, tmp_path
):
    settings = {**copy.deepcopy(config), **changes}
    result = validate_input(
        kind,
        BAD / name,
        settings=Settings.of(settings),
        area_lsoas=AREA_LSOAS if with_area else None,
        failures_path=tmp_path / "f.csv",
    )
    table = result.reconciliation.set_index("reason")["rows"]
    for reason, rows in counts.items():
        assert table[reason] == rows, reason
    assert (
        dict(zip(result.excluded["source_line"], result.excluded["reason"], strict=True))
        == exclusions
    )
    assert len(result.frame) == counts["rows used"]
    # The failures list of a passing input is empty (header only).
    assert pd.read_csv(tmp_path / "f.csv").empty


def test_messy_victims_rows_by_line(config):
    """Which lines of the messy extract are used, and under which kept categories."""
    result = validate_input(
        "victims",
        BAD / "victims_messy_but_usable.csv",
        settings=Settings.of(config),
        area_lsoas=AREA_LSOAS,
    )
    frame = result.frame.set_index("source_line")
    assert list(frame.index) == [2, 3, 7, 9, 10, 11]
    assert list(frame.index[~frame["time_known"]]) == [3, 10]
    assert list(frame.index[frame["location_status"] == "location unknown"]) == [9]
    assert list(frame.index[frame["ethnicity_group"] == "Not stated"]) == [7, 10]
    assert list(frame.index[frame["victim_age"].isna()]) == [9]
    # Line 11: 31/03/2025 23:59, the last minute of the window, read day-first.
    assert frame.loc[11, "offence_start"] == pd.Timestamp("2025-03-31 23:59")
    assert frame.loc[11, "financial_year"] == 2024


def test_ic_codes_map_to_census_groups(config):
    settings = {**copy.deepcopy(config), "ethnicity_scheme": "ic_code"}
    result = validate_input(
        "victims",
        BAD / "victims_ic_codes.csv",
        settings=Settings.of(settings),
        area_lsoas=AREA_LSOAS,
    )
    # docs/data-contracts.md: IC3 Black, IC1 White, IC9/IC0 Not stated, IC5 Asian, IC6 Other.
    assert list(result.frame["ethnicity_group"]) == [
        "Black",
        "White",
        "Not stated",
        "Not stated",
        "Asian",
        "Other",
    ]
    assert list(result.frame["victim_ethnicity"]) == ["IC3", "IC1", "IC9", "IC0", "IC5", "IC6"]


def test_exit_status_of_the_real_command(tmp_path, repo):
    """The module run as a program exits 1 on a Stop problem and 0 on a good file."""
    command = [sys.executable, "-m", "pipeline.validate.run"]
    bad = subprocess.run(
        [
            *command,
            "comparators",
            str(BAD / "comparators_negative_count.csv"),
            "--failures",
            str(tmp_path / "f.csv"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "column 'count', rule 'count not negative' (stop): 1 row fails, line 3" in bad.stderr
    assert "Warning" not in bad.stderr
    good = subprocess.run(
        [
            *command,
            "comparators",
            str(GOOD / "comparators.csv"),
            "--output",
            str(tmp_path / "c.parquet"),
            "--reconciliation",
            str(tmp_path / "r.csv"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert pd.read_parquet(tmp_path / "c.parquet")["count"].sum() == 7 + 0 + 9 + 6 + 212 + 198
    assert pd.read_csv(tmp_path / "r.csv").set_index("reason")["rows"]["rows used"] == 6
