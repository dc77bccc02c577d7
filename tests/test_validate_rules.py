"""Unit tests of the parsing rules, the window, the IMD decile rule, the messages and the
reconciliation, each against values worked out by hand (or read from the published IoD files).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.settings import Settings
from pipeline.validate import rules as r
from pipeline.validate.checking import reconcile
from pipeline.validate.errors import FAILURE_COLUMNS, Problem, ValidationStop
from pipeline.validate.run import validate_input
from pipeline.validate.schemas import MODELS, keep_rules

GOOD = Path(__file__).resolve().parent / "data" / "good"
AREA_LSOAS = {"E01004327", "E01004328", "E01004329", "E01004330"}
FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def _parse(values: list[str], fmt: str, formats=FORMATS):
    return r.parse_values(pd.Series(values, dtype="str"), fmt, date_formats=formats)


def test_whole_numbers():
    typed, bad = _parse(["12", "12.0", "1,234", "-3", "", "12.5", "twelve", "1e3"], "whole number")
    assert typed.iloc[:4].tolist() == [12, 12, 1234, -3]
    assert typed.iloc[4] is pd.NA
    assert bad.tolist() == [False, False, False, False, False, True, True, True]
    assert str(typed.dtype) == "Int64"


def test_numbers():
    typed, bad = _parse(["537800", "537800.5", ".5", "", "nan", "inf", "5 m"], "number")
    assert typed.iloc[:3].tolist() == [537800.0, 537800.5, 0.5]
    assert bad.tolist() == [False, False, False, False, True, True, True]


def test_dates_try_the_configured_formats_in_order():
    typed, bad = _parse(
        ["2024-01-31", "31/01/2024", "31-01-2024", "1/2/2024", "2024-02-30", "01/31/2024", ""],
        "date",
    )
    assert typed.iloc[:4].tolist() == [pd.Timestamp("2024-01-31")] * 3 + [
        pd.Timestamp("2024-02-01")
    ]  # day first: 1 February
    assert bad.tolist() == [False, False, False, False, True, True, False]
    # Only formats listed in config are accepted.
    _, bad_iso_only = _parse(["31/01/2024"], "date", formats=["%Y-%m-%d"])
    assert bad_iso_only.tolist() == [True]


def test_times_become_hh_mm():
    typed, bad = _parse(["9:05", "09:05", "23:59:59", "00:00", "24:00", "12:60", "3pm", ""], "time")
    assert typed.iloc[:4].tolist() == ["09:05", "09:05", "23:59", "00:00"]
    assert bad.tolist() == [False, False, False, False, True, True, True, False]


def test_flags():
    typed, bad = _parse(["Y", "N", "", "Yes", "y"], "Y/N")
    assert typed.iloc[:2].tolist() == [True, False]
    assert bad.tolist() == [False, False, False, True, True]


def test_decile_of_rank_by_hand():
    # IoD2019 ranks 32,844 LSOAs: decile = ceil(10 * rank / 32844).
    # rank 3284: 32840 / 32844 < 1 -> 1; rank 3285: 32850 / 32844 > 1 -> 2;
    # rank 16422: 164220 / 32844 = 5 exactly -> 5; rank 16423 -> 6; rank 32844 -> 10.
    ranks = np.array([1, 3284, 3285, 16422, 16423, 32844])
    assert r.decile_of_rank(ranks, 32844).tolist() == [1, 1, 2, 5, 6, 10]
    # IoD2025 ranks 33,755: rank 3375 -> 33750 / 33755 -> 1; rank 3376 -> 2.
    assert r.decile_of_rank(np.array([3375, 3376, 33755]), 33755).tolist() == [1, 2, 10]
    # Agrees with math.ceil on every rank.
    everything = np.arange(1, 33756)
    assert (
        r.decile_of_rank(everything, 33755) == [math.ceil(10 * k / 33755) for k in everything]
    ).all()


@pytest.mark.realdata
def test_decile_rule_reproduces_the_published_iod_files(realdata):
    """Every published IMD decile equals the decile the rule derives from its rank."""
    iod2019 = pd.read_excel(
        realdata / "iod2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        sheet_name="IMD2019",
    )
    rank = iod2019["Index of Multiple Deprivation (IMD) Rank"].to_numpy()
    decile = iod2019["Index of Multiple Deprivation (IMD) Decile"].to_numpy()
    assert len(iod2019) == r.IMD_LSOA_COUNT["IoD2019"]
    assert (r.decile_of_rank(rank, r.IMD_LSOA_COUNT["IoD2019"]) == decile).all()
    iod2025 = pd.read_csv(realdata / "iod2025" / "EXTRACT_File_1_IoD2025_IMD_waltham-forest.csv")
    rank25 = iod2025.filter(like="Rank").iloc[:, 0].to_numpy()
    decile25 = iod2025.filter(like="Decile").iloc[:, 0].to_numpy()
    assert len(iod2025) == 146
    assert (r.decile_of_rank(rank25, r.IMD_LSOA_COUNT["IoD2025"]) == decile25).all()


def test_window_and_financial_years(config):
    # Config window: financial years 2020 to 2024 = 1 April 2020 to 31 March 2025.
    assert r.window_bounds(Settings.of(config)) == (
        pd.Timestamp("2020-04-01"),
        pd.Timestamp("2025-03-31"),
    )
    months = r.window_months(Settings.of(config))
    assert (months[0], months[-1], len(months)) == ("2020-04", "2025-03", 60)
    dates = pd.Series(pd.to_datetime(["2024-03-31", "2024-04-01", "2020-12-25"]))
    assert r.financial_year(dates).tolist() == [2023, 2024, 2020]


def test_measure_ids_come_from_config(config):
    assert r.measure_ids(Settings.of(config)) == ["kcwi_1_17", "kcwi_1_24", "sv_0_24"]


def test_ic_code_table_is_the_documented_one(repo):
    contracts = (repo / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    documented = (
        "IC1 White North European → White; IC2 White South European → White; IC3 Black → Black;"
    )
    assert " ".join(documented.split()) in " ".join(contracts.split())
    assert r.IC_CODE_TO_GROUP == {
        "IC1": "White",
        "IC2": "White",
        "IC3": "Black",
        "IC4": "Asian",
        "IC5": "Asian",
        "IC6": "Other",
        "IC9": "Not stated",
        "IC0": "Not stated",
    }


def test_victim_frame_types_and_derived_columns(config):
    result = validate_input(
        "victims", GOOD / "victims.csv", settings=Settings.of(config), area_lsoas=AREA_LSOAS
    )
    frame = result.frame.set_index("source_line")
    assert str(frame["offence_start_date"].dtype).startswith("datetime64")
    assert str(frame["victim_age"].dtype) == "Int64"
    assert frame["injury"].dtype == bool and frame["time_known"].dtype == bool
    assert str(frame["financial_year"].dtype) == "Int64"
    # Line 2: 14 May 2023 15:30 -> financial year 2023, time known, in area.
    assert frame.loc[2, "offence_start"] == pd.Timestamp("2023-05-14 15:30")
    assert (frame.loc[2, "financial_year"], frame.loc[2, "location_status"]) == (2023, "in area")
    # Line 5: 20 January 2024, no time -> financial year 2023, midnight, time not known.
    assert frame.loc[5, "offence_start"] == pd.Timestamp("2024-01-20 00:00")
    assert frame.loc[5, "financial_year"] == 2023 and not frame.loc[5, "time_known"]
    # Line 7: no LSOA -> location unknown; no age -> NA.
    assert frame.loc[7, "location_status"] == "location unknown"
    assert frame.loc[7, "victim_age"] is pd.NA
    assert frame.loc[6, "ethnicity_group"] == "Not stated"
    assert frame.loc[6, "domestic_abuse"] and frame.loc[6, "injury"]


def test_message_lists_five_lines_and_only_the_named_column(config, tmp_path):
    header = (GOOD / "victims.csv").read_text(encoding="utf-8").splitlines()[0]
    row = "WF-{n:04d},P{n:03d},2023-05-14,15:30,,,Robbery,None,N,N,{age},Male,White,E01004327,,"
    ages = [200, 30, 131, 150, 17, 999, 121, 500, 140]
    lines = [header] + [row.format(n=n, age=age) for n, age in enumerate(ages)]
    path = tmp_path / "victims.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationStop) as stop:
        validate_input(
            "victims",
            path,
            settings=Settings.of(config),
            area_lsoas=AREA_LSOAS,
            failures_path=tmp_path / "f.csv",
        )
    message = str(stop.value)
    # Bad ages on lines 2, 4, 5, 7, 8, 9, 10 (line 3 age 30 and line 6 age 17 are fine). The
    # victim extract is personal data: the message gives the lines, the failures CSV the values.
    assert (
        "column 'victim_age', rule 'age between 0 and 120' (stop): 7 rows fail, "
        "lines 2, 4, 5, 7, 8 and 2 more (values not shown: personal data)."
    ) in message
    assert "P000" not in message and "WF-0000" not in message and "Robbery" not in message
    assert "'200'" not in message
    failures = pd.read_csv(tmp_path / "f.csv")
    assert list(failures.columns) == FAILURE_COLUMNS
    assert failures["source_line"].tolist() == [2, 4, 5, 7, 8, 9, 10]
    assert failures["value"].tolist() == [200, 131, 150, 999, 121, 500, 140]


def test_every_problem_is_reported_at_once(config, tmp_path):
    """Lazy validation: unreadable values, range and cross-field failures together."""
    path = tmp_path / "school_calendar.csv"
    path.write_text(
        "start_date,end_date,day_type\n2024-09-04,2024-09-01,term\n"
        "2024-13-01,2024-10-25,term\n2024-10-28,2024-11-01,holiday\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationStop) as stop:
        validate_input(
            "school_calendar", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
        )
    assert [(p.column, p.rule, p.lines) for p in stop.value.problems] == [
        ("start_date", "date in an accepted format", [3]),
        ("end_date", "range end not before its start", [2]),
        ("day_type", "day type from the list", [4]),
    ]


def test_stale_failures_are_replaced_when_the_input_is_fixed(config, tmp_path):
    failures = tmp_path / "f.csv"
    failures.write_text("input,source_line,column,rule,value\nactions,3,status,x,y\n")
    validate_input(
        "actions", GOOD / "actions.csv", settings=Settings.of(config), failures_path=failures
    )
    assert failures.read_text() == ",".join(FAILURE_COLUMNS) + "\n"


def test_wrong_calls_are_programming_errors(config):
    with pytest.raises(ValueError, match="unknown input kind 'crimes'"):
        validate_input("crimes", GOOD / "victims.csv", settings=Settings.of(config))
    with pytest.raises(ValueError, match="victims needs area_lsoas"):
        validate_input("victims", GOOD / "victims.csv", settings=Settings.of(config))


def test_a_missing_file_stops(config, tmp_path):
    with pytest.raises(ValidationStop, match="the file does not exist"):
        validate_input(
            "areas",
            tmp_path / "areas.csv",
            settings=Settings.of(config),
            failures_path=tmp_path / "f.csv",
        )


def test_reconciliation_that_does_not_add_up_is_a_bug(config):
    used = pd.DataFrame({"x": [1, 2]})
    excluded = pd.DataFrame({"source_line": [5], "reason": ["empty row"]})
    table = reconcile(
        "areas",
        rows_read=3,
        used=used,
        excluded=excluded,
        settings=Settings.of(config),
        area_lsoas=None,
    )
    assert table.to_dict("list") == {
        "input": ["areas"] * 3,
        "category": ["read", "used", "excluded"],
        "reason": ["rows read", "rows used", "empty row"],
        "rows": [3, 2, 1],
    }
    with pytest.raises(RuntimeError, match="does not add up: read 4, used 2, excluded 1"):
        reconcile(
            "areas",
            rows_read=4,
            used=used,
            excluded=excluded,
            settings=Settings.of(config),
            area_lsoas=None,
        )


def test_reconciliation_lists_every_declared_reason(config):
    result = validate_input(
        "victims", GOOD / "victims.csv", settings=Settings.of(config), area_lsoas=AREA_LSOAS
    )
    reasons = result.reconciliation["reason"].tolist()
    assert reasons[:3] == ["rows read", "rows used", "empty row"]
    assert reasons[3:] == [rule.reason for rule in keep_rules("victims")]


def test_ethnicity_scheme_changes_the_vocabulary(config, tmp_path):
    settings = {**copy.deepcopy(config), "ethnicity_scheme": "ic_code"}
    with pytest.raises(ValidationStop) as stop:
        validate_input(
            "victims",
            GOOD / "victims.csv",
            settings=Settings.of(settings),
            area_lsoas=AREA_LSOAS,
            failures_path=tmp_path / "f.csv",
        )
    assert "config ethnicity_scheme: ic_code; set it to census2021" in str(stop.value)


def test_problem_without_lines_reads_well():
    problem = Problem(
        input="areas",
        file="areas.csv",
        column="area_code",
        rule="every area code used has a name",
        fix="Add them.",
        lines=[None, None],
        values=["E09000001", "E09000002"],
    )
    assert problem.paragraph(Path("f.csv")) == (
        "areas.csv: column 'area_code', rule 'every area code used has a name' (stop): "
        "2 values fail: 'E09000001', 'E09000002'. Add them. Full list: f.csv"
    )


def test_every_model_is_strict_and_every_field_documented():
    for kind, model in MODELS.items():
        schema = model.to_schema()
        assert schema.strict is True, kind
        for name, column in schema.columns.items():
            assert column.description, f"{kind}.{name} has no description"
            assert column.metadata["kind"] == "stop"
            assert column.metadata["format"] in r.FORMAT_HELP


def test_coordinate_columns_may_be_absent(config, tmp_path):
    """easting and northing are optional columns: without them the frame still has them."""
    lines = (GOOD / "victims.csv").read_text(encoding="utf-8").splitlines()
    trimmed = [",".join(line.split(",")[:-2]) for line in lines]
    path = tmp_path / "victims.csv"
    path.write_text("\n".join(trimmed) + "\n", encoding="utf-8")
    frame = validate_input(
        "victims",
        path,
        settings=Settings.of(config),
        area_lsoas=AREA_LSOAS,
        failures_path=tmp_path / "f.csv",
    ).frame
    assert len(frame) == 8
    assert frame["easting"].isna().all() and frame["northing"].dtype == "float64"
