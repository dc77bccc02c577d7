"""The adapters on tiny hand-made files: every expected number is worked out by hand below."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from pipeline.adapters import (
    AdapterError,
    bridge_lsoa11_to_lsoa21,
    imd_decile_of_rank,
    mps_comparator_series,
    police_uk,
    read_census_ethnicity_la,
    read_dfe_children_population,
    read_dfe_la_codes,
    read_dfe_statistical_neighbours,
    read_iod_file1,
    read_lsoa_bestfit_lookup,
    read_lsoa_boundaries,
    read_mps_borough_crime,
    read_mps_lsoa_annual,
    read_ons_mye2,
    read_ons_sape_lsoa,
    read_police_uk_street,
)
from pipeline.adapters.lsoa_bridge import REASON_MERGED, REASON_NOT_IN_LOOKUP
from pipeline.adapters.mps_borough import (
    LONDON_BOROUGHS,
    MPS_BOROUGHS,
    REASON_NOT_BOROUGH,
    borough_code,
)
from pipeline.adapters.police_uk import REASON_NO_LOCATION, REASON_OTHER_FORCE, REASON_OUTSIDE


def write_csv(path: Path, header: list[str], rows: list[list[object]], bom: bool = False) -> Path:
    """Write a small CSV the way publishers do (optionally with a UTF-8 byte-order mark)."""
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- police.uk

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
MET = "Metropolitan Police Service"
CITY = "City of London Police"
AREA = {"E01000001", "E01000002"}


_CRIME_IDS = itertools.count(1)


def street_row(month: str, force: str, lsoa: str, crime_type: str) -> list[str]:
    """One street-level row with a Crime ID of its own (rows sharing an ID are tested apart)."""
    return [
        f"{next(_CRIME_IDS):064x}",
        month,
        force,
        force,
        "-0.1",
        "51.5",
        "On or near X",
        lsoa,
        "Somewhere 001A",
        crime_type,
        "",
        "",
    ]


@pytest.fixture
def street_file(tmp_path: Path) -> Path:
    rows = [
        street_row("2024-01", MET, "E01000001", "Robbery"),  # kept
        street_row("2024-01", MET, "E01000001", "Robbery"),  # kept
        street_row("2024-01", MET, "E01000002", "Violence and sexual offences"),  # kept
        street_row("2024-01", MET, "E01009999", "Robbery"),  # outside
        street_row("2024-01", MET, "", "Anti-social behaviour"),  # no location
        street_row("2024-01", CITY, "E01000002", "Robbery"),  # other force inside
        street_row("2024-02", MET, "E01000001", "Robbery"),  # kept
        street_row("2024-02", MET, "E01009998", "Burglary"),  # outside
    ]
    return write_csv(tmp_path / "2024-01-metropolitan-street.csv", STREET_HEADER, rows, bom=True)


def test_police_counts_kept_rows_and_every_excluded_row_by_reason(street_file):
    result = read_police_uk_street(street_file, AREA, force=MET)
    assert result.frame.to_dict("records") == [
        {"lsoa_code": "E01000001", "month": "2024-01", "crime_type": "Robbery", "count": 2},
        {"lsoa_code": "E01000001", "month": "2024-02", "crime_type": "Robbery", "count": 1},
        {
            "lsoa_code": "E01000002",
            "month": "2024-01",
            "crime_type": "Violence and sexual offences",
            "count": 1,
        },
    ]
    got = {(r.month, r.reason, r.detail): r.rows for r in result.excluded.itertuples()}
    assert got == {
        ("2024-01", REASON_OUTSIDE, ""): 1,
        ("2024-01", REASON_NO_LOCATION, ""): 1,
        ("2024-01", REASON_OTHER_FORCE, CITY): 1,
        ("2024-02", REASON_OUTSIDE, ""): 1,
    }
    assert int(result.frame["count"].sum()) + result.rows_excluded == 8


def test_police_without_force_keeps_other_forces_and_sums_files(street_file, tmp_path):
    second = write_csv(
        tmp_path / "city.csv", STREET_HEADER, [street_row("2024-01", CITY, "E01000001", "Robbery")]
    )
    result = read_police_uk_street([street_file, second], AREA, force=None)
    robbery = result.frame.set_index(["lsoa_code", "month", "crime_type"])["count"]
    assert robbery[("E01000001", "2024-01", "Robbery")] == 3  # two Met rows + the City file's row
    assert robbery[("E01000002", "2024-01", "Robbery")] == 1  # City row, kept when no force is set
    assert REASON_OTHER_FORCE not in set(result.excluded["reason"])


def test_police_many_csv_blocks_give_the_same_counts(street_file, monkeypatch):
    whole = read_police_uk_street(street_file, AREA, force=MET)
    monkeypatch.setattr(police_uk, "BLOCK_SIZE", 256)  # about two rows per block
    blocks = read_police_uk_street(street_file, AREA, force=MET)
    pd.testing.assert_frame_equal(whole.frame, blocks.frame)
    pd.testing.assert_frame_equal(whole.excluded, blocks.excluded)


def test_police_bad_month_names_file_rows_column_and_rule(tmp_path):
    rows = [
        street_row("2024-01", MET, "E01000001", "Robbery"),
        street_row("01/2024", MET, "E01000001", "Robbery"),
    ]
    path = write_csv(tmp_path / "bad.csv", STREET_HEADER, rows)
    with pytest.raises(AdapterError) as error:
        read_police_uk_street(path, AREA, force=MET)
    message = str(error.value)
    assert (
        "bad.csv" in message
        and "row 3" in message
        and "'Month'" in message
        and "YYYY-MM" in message
    )


def test_police_missing_crime_type_and_missing_column_are_errors(tmp_path):
    path = write_csv(
        tmp_path / "blank.csv", STREET_HEADER, [street_row("2024-01", MET, "E01000001", "")]
    )
    with pytest.raises(
        AdapterError, match=r"blank\.csv, row 2, column 'Crime type': value is missing"
    ):
        read_police_uk_street(path, AREA)
    short = write_csv(
        tmp_path / "short.csv",
        STREET_HEADER[:9],
        [["id", "2024-01", MET, MET, "", "", "", "E01000001", "x"]],
    )
    with pytest.raises(
        AdapterError, match=r"short\.csv, column 'Crime type': not a data\.police\.uk"
    ):
        read_police_uk_street(short, AREA)
    with pytest.raises(ValueError, match="area_lsoas is empty"):
        read_police_uk_street(path, set())


# ---------------------------------------------------------------- MPS borough crime


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Waltham Forest", "E09000031"),
        ("Kensington and Chelsea", "E09000020"),
        ("Kensington & Chelsea", "E09000020"),
        ("Royal Borough of Kingston upon Thames", "E09000021"),
        ("Kingston-upon-Thames", "E09000021"),
        ("Barking & Dagenham", "E09000002"),
        ("London Borough of Barking and Dagenham", "E09000002"),
        ("City of Westminster", "E09000033"),
        ("City of London", "E09000001"),
        ("RICHMOND UPON THAMES", "E09000027"),
        ("London Heathrow and London City Airports", None),
        ("Unknown", None),
    ],
)
def test_borough_names_map_to_ons_codes(name, code):
    assert borough_code(name) == code


def mps_rows(
    months: list[str], value: int = 1, extra: list[list[object]] | None = None
) -> list[list[object]]:
    """One VIOLENCE WITH INJURY row per MPS borough, each month = value; plus extra rows."""
    rows = [
        [
            "VIOLENCE AGAINST THE PERSON",
            "VIOLENCE WITH INJURY",
            LONDON_BOROUGHS[code],
            *[value] * len(months),
        ]
        for code in MPS_BOROUGHS
    ]
    return rows + (extra or [])


MPS_HEADER = ["MajorText", "MinorText", "BoroughName"]


def test_mps_wide_to_long_with_non_borough_rows_reported(tmp_path):
    extra = [
        ["POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS", "Waltham Forest", 4, 0],
        [
            "VIOLENCE AGAINST THE PERSON",
            "VIOLENCE WITH INJURY",
            "London Heathrow and London City Airports",
            2,
            3,
        ],
        ["VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY", "Unknown", 7, 0],
    ]
    path = write_csv(
        tmp_path / "mps.csv",
        [*MPS_HEADER, "202401", "202402"],
        mps_rows(["202401", "202402"], 1, extra),
    )
    result = read_mps_borough_crime(path)
    wf = result.frame.loc[result.frame["area_code"] == "E09000031"]
    assert wf[["month", "minor_category", "count"]].to_dict("records") == [
        {"month": "2024-01", "minor_category": "POSSESSION OF WEAPONS", "count": 4},
        {"month": "2024-01", "minor_category": "VIOLENCE WITH INJURY", "count": 1},
        {"month": "2024-02", "minor_category": "POSSESSION OF WEAPONS", "count": 0},
        {"month": "2024-02", "minor_category": "VIOLENCE WITH INJURY", "count": 1},
    ]
    assert set(wf["area_name"]) == {"Waltham Forest"}
    got = {(r.reason, r.detail): (r.rows, r.value) for r in result.excluded.itertuples()}
    assert got == {
        (REASON_NOT_BOROUGH, "London Heathrow and London City Airports"): (1, 5),  # 2 + 3
        (REASON_NOT_BOROUGH, "Unknown"): (1, 7),
    }


def test_mps_comparator_fills_zero_months_and_totals_london(tmp_path):
    # Waltham Forest has weapons only in 2024-01; the others have no weapons row at all
    # (the publisher leaves out all-zero rows), so they count 0 in both months.
    extra = [["POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS", "Waltham Forest", 4, 0]]
    path = write_csv(
        tmp_path / "mps.csv",
        [*MPS_HEADER, "202401", "202402"],
        mps_rows(["202401", "202402"], 1, extra),
    )
    crime = read_mps_borough_crime(path).frame
    weapons = mps_comparator_series(
        crime, "possession_of_weapons", ["E09000031", "E09000010", "E06000032"]
    )
    assert weapons.frame.to_dict("records") == [
        {
            "area_code": "E09000010",
            "area_name": "Enfield",
            "month": "2024-01",
            "measure": "possession_of_weapons",
            "count": 0,
        },
        {
            "area_code": "E09000010",
            "area_name": "Enfield",
            "month": "2024-02",
            "measure": "possession_of_weapons",
            "count": 0,
        },
        {
            "area_code": "E09000031",
            "area_name": "Waltham Forest",
            "month": "2024-01",
            "measure": "possession_of_weapons",
            "count": 4,
        },
        {
            "area_code": "E09000031",
            "area_name": "Waltham Forest",
            "month": "2024-02",
            "measure": "possession_of_weapons",
            "count": 0,
        },
        {
            "area_code": "E12000007",
            "area_name": "London",
            "month": "2024-01",
            "measure": "possession_of_weapons",
            "count": 4,
        },
        {
            "area_code": "E12000007",
            "area_name": "London",
            "month": "2024-02",
            "measure": "possession_of_weapons",
            "count": 0,
        },
    ]
    assert weapons.excluded["detail"].tolist() == ["E06000032"]  # Luton: outside the MPS area
    violence = mps_comparator_series(crime, "violence_with_injury").frame
    london = violence.loc[violence["area_code"] == "E12000007", "count"].tolist()
    assert london == [32, 32]  # 32 boroughs x 1 each month


def test_mps_overlapping_months_that_agree_are_kept_once(tmp_path):
    first = write_csv(
        tmp_path / "hist.csv", [*MPS_HEADER, "202311", "202312"], mps_rows(["202311", "202312"], 2)
    )
    second = write_csv(
        tmp_path / "recent.csv",
        [*MPS_HEADER, "202312", "202401"],
        mps_rows(["202312", "202401"], 2),
    )
    frame = read_mps_borough_crime([first, second]).frame
    assert sorted(frame["month"].unique()) == ["2023-11", "2023-12", "2024-01"]
    assert len(frame) == 32 * 3  # 2023-12 appears once per borough
    assert (frame["count"] == 2).all()


def test_mps_overlapping_months_that_disagree_raise(tmp_path):
    first = write_csv(tmp_path / "hist.csv", [*MPS_HEADER, "202312"], mps_rows(["202312"], 2))
    changed = mps_rows(["202312"], 2)
    changed[0][3] = 5  # Barking and Dagenham revised from 2 to 5
    second = write_csv(tmp_path / "recent.csv", [*MPS_HEADER, "202312"], changed)
    with pytest.raises(
        AdapterError,
        match=r"disagree in 1 cell.*2023-12.*E09000002 VIOLENCE WITH INJURY 2023-12: 2 vs 5",
    ):
        read_mps_borough_crime([first, second])


def test_mps_bad_count_names_row_and_month_column(tmp_path):
    rows = mps_rows(["202401"], 1)
    rows[2][3] = "1.5"
    path = write_csv(tmp_path / "mps.csv", [*MPS_HEADER, "202401"], rows)
    with pytest.raises(
        AdapterError, match=r"mps\.csv, row 4, column '202401': counts must be whole numbers"
    ):
        read_mps_borough_crime(path)


def test_mps_comparator_refuses_gaps_and_incomplete_london(tmp_path):
    gap = write_csv(
        tmp_path / "gap.csv", [*MPS_HEADER, "202401", "202403"], mps_rows(["202401", "202403"], 1)
    )
    with pytest.raises(ValueError, match=r"no rows for month\(s\) \['2024-02'\]"):
        mps_comparator_series(read_mps_borough_crime(gap).frame, "violence_with_injury")
    short = write_csv(tmp_path / "short.csv", [*MPS_HEADER, "202401"], mps_rows(["202401"], 1)[1:])
    crime = read_mps_borough_crime(short).frame
    with pytest.raises(ValueError, match=r"cannot total London.*E09000002"):
        mps_comparator_series(crime, "violence_with_injury")
    assert (
        len(mps_comparator_series(crime, "violence_with_injury", include_london=False).frame) == 31
    )
    with pytest.raises(ValueError, match="unknown MPS proxy measure"):
        mps_comparator_series(crime, "knife_crime")


# ---------------------------------------------------------------- MPS annual LSOA


def test_mps_lsoa_annual_wide_years_to_long(tmp_path):
    header = ["LSOA11CD", "LSOA11NM", "MSOA11CD", "MSOA11NM", "LAD11CD", "LAD11NM", "2019", "2020"]
    rows = [
        ["E01004327", "WF 028A", "E02000001", "x", "E09000031", "Waltham Forest", "3.0", "0.0"],
        [
            "E01000006",
            "BD 016A",
            "E02000017",
            "x",
            "E09000002",
            "Barking and Dagenham",
            "1.0",
            "2.0",
        ],
    ]
    path = write_csv(tmp_path / "lsoa.csv", header, rows)
    frame = read_mps_lsoa_annual(path, area_code="E09000031").frame
    assert frame.to_dict("records") == [
        {"lsoa_code": "E01004327", "area_code": "E09000031", "year": 2019, "count": 3},
        {"lsoa_code": "E01004327", "area_code": "E09000031", "year": 2020, "count": 0},
    ]
    rows[1][7] = ""
    write_csv(path, header, rows)
    with pytest.raises(AdapterError, match=r"lsoa\.csv, row 3, column '2020': a count is missing"):
        read_mps_lsoa_annual(path)


# ---------------------------------------------------------------- ONS MYE2 (banner rows)


def write_mye2(path: Path, banner_rows: int, total_female: int = 6) -> Path:
    """A tiny MYE2 workbook: banner rows, then Code/Name/Geography/All ages/0..89/90+."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, all_ages in (("MYE2 - Males", 91), ("MYE2 - Females", total_female)):
        sheet = book.create_sheet(title)
        sheet.append([f"MYE2: {title[7:]} by single year of age, mid-2023"])
        for _ in range(banner_rows - 1):
            sheet.append(["This worksheet contains one table."])
        sheet.append(["Code", "Name", "Geography", "All ages", *[str(a) for a in range(90)], "90+"])
        if title.endswith("Males") and not title.endswith("Females"):
            sheet.append(["E09000031", "Waltham Forest", "London Borough", all_ages, *[1] * 91])
        else:  # ages 0, 1 and 90+ only: 1 + 2 + 3 = 6
            sheet.append(
                ["E09000031", "Waltham Forest", "London Borough", all_ages, 1, 2, *[0] * 88, 3]
            )
        sheet.append(["Source: Office for National Statistics"])
    book.save(path)
    return path


@pytest.mark.parametrize("banner_rows", [1, 4, 9])
def test_mye2_header_found_by_content_and_year_from_title(tmp_path, banner_rows):
    result = read_ons_mye2(write_mye2(tmp_path / "mye.xlsx", banner_rows))
    frame = result.frame
    assert set(frame["year"]) == {2023}
    assert len(frame) == 2 * 91
    female = frame.loc[frame["sex"] == "Female"].set_index("age_from")["population"]
    assert (female[0], female[1], female[90], int(female.sum())) == (1, 2, 3, 6)
    top = frame.loc[frame["age_from"] == 90, ["age_to"]].drop_duplicates()["age_to"].tolist()
    assert top == [90]  # 90 = 90 and over
    assert result.excluded[["reason", "rows"]].to_dict("records") == [
        {"reason": "not an area row (note or blank)", "rows": 1},
        {"reason": "not an area row (note or blank)", "rows": 1},
    ]


def test_mye2_all_ages_must_equal_sum_of_single_years(tmp_path):
    path = write_mye2(tmp_path / "mye.xlsx", 3, total_female=7)
    with pytest.raises(AdapterError, match=r"mye\.xlsx, row 5, column 'All ages'.*not the sum"):
        read_ons_mye2(path)


# ---------------------------------------------------------------- ONS SAPE by LSOA

SAPE_HEADER = [
    "LSOA11CD", "LAD11CD", "Persons_All-Ages", "Persons_0-15", "Persons_16+",
    "Males_All-Ages", "Males_0-15", "Males_16+", "Females_All-Ages", "Females_0-15", "Females_16+",
]  # fmt: skip


def test_sape_bands_and_open_top_band(tmp_path):
    rows = [
        ["E01004327", "E09000031", 30, 10, 20, 14, 4, 10, 16, 6, 10],
        ["E01000006", "E09000002", 3, 1, 2, 1, 0, 1, 2, 1, 1],
    ]
    path = write_csv(tmp_path / "london-mid2019-pop.csv", SAPE_HEADER, rows)
    frame = read_ons_sape_lsoa(path, area_code="E09000031").frame
    assert frame[["area_code", "year", "sex", "age_from", "age_to", "population"]].to_dict(
        "records"
    ) == [
        {
            "area_code": "E01004327",
            "year": 2019,
            "sex": "Female",
            "age_from": 0,
            "age_to": 15,
            "population": 6,
        },
        {
            "area_code": "E01004327",
            "year": 2019,
            "sex": "Female",
            "age_from": 16,
            "age_to": 90,
            "population": 10,
        },
        {
            "area_code": "E01004327",
            "year": 2019,
            "sex": "Male",
            "age_from": 0,
            "age_to": 15,
            "population": 4,
        },
        {
            "area_code": "E01004327",
            "year": 2019,
            "sex": "Male",
            "age_from": 16,
            "age_to": 90,
            "population": 10,
        },
    ]


def test_sape_totals_that_do_not_add_up_raise(tmp_path):
    rows = [
        ["E01004327", "E09000031", 30, 10, 20, 15, 4, 10, 16, 6, 10]
    ]  # Males 4 + 10 = 14, not 15
    path = write_csv(tmp_path / "mid2019.csv", SAPE_HEADER, rows)
    with pytest.raises(AdapterError, match=r"mid2019\.csv, row 2, column 'Males_All-Ages'"):
        read_ons_sape_lsoa(path)


# ---------------------------------------------------------------- DfE EES children 0-17

EES_HEADER = [
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
    "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "age_group",
    "population_estimate",
]  # fmt: skip
AGE = "Children aged 0 to 17 years"


def ees_rows() -> list[list[object]]:
    year, england = "Reporting year", ("E92000001", "England")
    return [
        [2024, year, "National", *england, "", "", "", "", "", AGE, 100],
        [2024, year, "Regional", *england, "E12000007", "London", "", "", "", AGE, 50],
        [2024, year, "Local authority", *england, "E13000002", "Outer London", "320", "E09000031",
         "Waltham Forest", AGE, 7],
        [2019, year, "Local authority", *england, "E12000008", "South East", "825", "E10000002",
         "Buckinghamshire", AGE, "x"],
        [2024, year, "Local authority", *england, "E12000008", "South East", "825", "E06000060",
         "Buckinghamshire", AGE, 9],
    ]  # fmt: skip


def test_dfe_children_population_levels_and_unpublished(tmp_path):
    path = write_csv(tmp_path / "ees.csv", EES_HEADER, ees_rows())
    result = read_dfe_children_population(path)
    assert result.frame[["area_code", "year", "age_from", "age_to", "population"]].to_dict(
        "records"
    ) == [
        {"area_code": "E06000060", "year": 2024, "age_from": 0, "age_to": 17, "population": 9},
        {"area_code": "E09000031", "year": 2024, "age_from": 0, "age_to": 17, "population": 7},
        {"area_code": "E12000007", "year": 2024, "age_from": 0, "age_to": 17, "population": 50},
        {"area_code": "E92000001", "year": 2024, "age_from": 0, "age_to": 17, "population": 100},
    ]
    assert result.excluded[["detail", "rows"]].to_dict("records") == [
        {"detail": "E10000002 2019", "rows": 1}
    ]


def test_dfe_la_codes_use_the_latest_year(tmp_path):
    path = write_csv(tmp_path / "ees.csv", EES_HEADER, ees_rows())
    codes = read_dfe_la_codes(path)
    assert codes.to_dict("records") == [
        {"old_la_code": "320", "area_code": "E09000031", "area_name": "Waltham Forest"},
        {
            "old_la_code": "825",
            "area_code": "E06000060",
            "area_name": "Buckinghamshire",
        },  # 2024 code, not 2019's
    ]


# ---------------------------------------------------------------- Indices of Deprivation


def test_imd_decile_of_rank_at_band_edges():
    # IoD2019, N = 32,844: 10 * 3284 / 32844 = 0.99988 -> decile 1; 10 * 3285 / 32844 = 1.0002 -> 2
    # (the published file's decile 1 runs to rank 3284 and decile 2 starts at 3285).
    assert imd_decile_of_rank([1, 3284, 3285, 6568, 6569, 32844], "IoD2019").tolist() == [
        1,
        1,
        2,
        2,
        3,
        10,
    ]
    # IoD2025, N = 33,755: 10 * 3375 / 33755 = 0.9998 -> 1; 10 * 3376 / 33755 = 1.0001 -> 2.
    assert imd_decile_of_rank([3375, 3376, 33755], "IoD2025").tolist() == [1, 2, 10]


IOD25_HEADER = [
    "LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]  # fmt: skip


def test_iod_csv_edition_from_header_and_decile_rule(tmp_path):
    rows = [
        ["E01004327", "WF 028A", "E09000031", "WF", 3376, 2],
        ["E01004328", "WF 028B", "E09000031", "WF", 1, 1],
    ]
    frame = read_iod_file1(write_csv(tmp_path / "iod.csv", IOD25_HEADER, rows)).frame
    assert frame.to_dict("records")[0] == {
        "lsoa_code": "E01004327", "iod_edition": "IoD2025",
        "imd_score": pytest.approx(float("nan"), nan_ok=True), "imd_rank": 3376, "imd_decile": 2,
    }  # fmt: skip
    rows[0][5] = 1  # rank 3376 is in decile 2, not 1
    with pytest.raises(
        AdapterError,
        match=r"iod\.csv, row 2, column 'Index of Multiple Deprivation \(IMD\) Decile"
        r".*decile is not the decile of the rank",
    ):
        read_iod_file1(write_csv(tmp_path / "iod.csv", IOD25_HEADER, rows))
    with pytest.raises(AdapterError, match="does not match the header"):
        read_iod_file1(write_csv(tmp_path / "iod.csv", IOD25_HEADER, rows[1:]), edition="IoD2019")


def test_iod_xlsx_with_score_and_banner(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("IMD2019")
    sheet.append(["English indices of deprivation 2019"])
    imd = "Index of Multiple Deprivation (IMD)"
    sheet.append(
        ["LSOA code (2011)", "LSOA name (2011)", f"{imd} Score", f"{imd} Rank", f"{imd} Decile"]
    )
    sheet.append(["E01000001", "City of London 001A", 6.2, 29199, 9])
    book.save(tmp_path / "iod.xlsx")
    frame = read_iod_file1(tmp_path / "iod.xlsx").frame
    assert frame.to_dict("records") == [
        {
            "lsoa_code": "E01000001",
            "iod_edition": "IoD2019",
            "imd_score": 6.2,
            "imd_rank": 29199,
            "imd_decile": 9,
        }
    ]


# ---------------------------------------------------------------- LSOA11 -> LSOA21 bridge


@pytest.fixture
def lookup(tmp_path: Path) -> pd.DataFrame:
    # A unchanged -> a; B split -> b1, b2; C and D merged -> cd.
    rows = [
        ["E01000001", "A", "E01100001", "a", "U", "E09000031"],
        ["E01000002", "B", "E01100002", "b1", "S", "E09000031"],
        ["E01000002", "B", "E01100003", "b2", "S", "E09000031"],
        ["E01000003", "C", "E01100004", "cd", "M", "E09000031"],
        ["E01000004", "D", "E01100004", "cd", "M", "E09000031"],
    ]
    header = ["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD"]
    return read_lsoa_bestfit_lookup(write_csv(tmp_path / "bestfit.csv", header, rows))


def test_bridge_counts_splits_by_largest_remainder_and_merges_by_sum(lookup):
    counts = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004", "E01999999"],
            "year": [2020] * 5,
            "count": [5, 7, 2, 3, 4],
        }
    )
    result = bridge_lsoa11_to_lsoa21(counts, lookup)
    # B = 7 in equal shares: 3.5 and 3.5 -> floors 3 + 3, one unit left; equal remainders, so
    # the lower code b1 gets it: b1 = 4, b2 = 3. Merge: cd = C + D = 2 + 3 = 5.
    assert dict(zip(result.frame["lsoa_code"], result.frame["count"], strict=True)) == {
        "E01100001": 5, "E01100002": 4, "E01100003": 3, "E01100004": 5,
    }  # fmt: skip
    assert result.excluded[["reason", "rows", "value"]].to_dict("records") == [
        {"reason": REASON_NOT_IN_LOOKUP, "rows": 1, "value": 4}
    ]
    # Weighted split, b1 : b2 = 1 : 3: 7 * 0.25 = 1.75 and 7 * 0.75 = 5.25 -> floors 1 + 5, one
    # unit left, to the larger remainder (0.75, b1): b1 = 2, b2 = 5.
    weighted = bridge_lsoa11_to_lsoa21(
        counts,
        lookup,
        split_weights={"E01100001": 1, "E01100002": 1, "E01100003": 3, "E01100004": 1},
    )
    got = dict(zip(weighted.frame["lsoa_code"], weighted.frame["count"], strict=True))
    assert (got["E01100002"], got["E01100003"]) == (2, 5)
    assert int(weighted.frame["count"].sum()) == 5 + 7 + 2 + 3


def test_bridge_split_ties_go_to_the_lower_code_whatever_the_lookup_order(lookup):
    counts = pd.DataFrame({"lsoa_code": ["E01000002"], "year": [2020], "count": [7]})
    reversed_lookup = lookup.iloc[::-1].reset_index(drop=True)
    result = bridge_lsoa11_to_lsoa21(counts, reversed_lookup)
    # 7 / 2 = 3.5 each: the left-over unit goes to E01100002, the lower of the two codes.
    assert dict(zip(result.frame["lsoa_code"], result.frame["count"], strict=True)) == {
        "E01100002": 4,
        "E01100003": 3,
    }


def test_bridge_deprivation_split_inherits_merge_takes_most_deprived(lookup):
    deprivation = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004"],
            "iod_edition": "IoD2019",
            "imd_score": [10.0, 20.0, 30.0, 40.0],
            "imd_rank": [900, 100, 50, 20],
            "imd_decile": [1, 1, 1, 1],
        }
    )
    result = bridge_lsoa11_to_lsoa21(deprivation, lookup)
    assert dict(zip(result.frame["lsoa_code"], result.frame["imd_rank"], strict=True)) == {
        "E01100001": 900, "E01100002": 100, "E01100003": 100, "E01100004": 20,
    }  # fmt: skip
    assert result.frame.loc[result.frame["lsoa_code"] == "E01100004", "imd_score"].item() == 40.0
    assert result.excluded[["reason", "rows"]].to_dict("records") == [
        {"reason": REASON_MERGED, "rows": 1}
    ]
    with pytest.raises(ValueError, match="only IoD2019"):
        bridge_lsoa11_to_lsoa21(deprivation.assign(iod_edition="IoD2025"), lookup)


def test_bestfit_lookup_rejects_unknown_change_code(tmp_path):
    header = ["LSOA11CD", "LSOA21CD", "CHGIND"]
    path = write_csv(
        tmp_path / "bestfit.csv",
        header,
        [["E01000001", "E01100001", "U"], ["E01000002", "E01100002", "Q"]],
    )
    with pytest.raises(AdapterError, match=r"bestfit\.csv, row 3, column 'CHGIND'"):
        read_lsoa_bestfit_lookup(path)


# ---------------------------------------------------------------- DfE statistical neighbours


@pytest.fixture
def la_codes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "old_la_code": ["320", "308", "309", "821"],
            "area_code": ["E09000031", "E09000010", "E09000014", "E06000032"],
            "area_name": ["Waltham Forest", "Enfield", "Haringey", "Luton"],
        }
    )


def test_neighbours_april_2021_layout(tmp_path, la_codes):
    header = [
        "LA num",
        "LA Name",
        "LA number",
        "GOInd",
        "GOReg",
        "SN1",
        "SNP",
        "SN2",
        "SNP",
        "SN3",
        "SNP",
        "",
    ]
    rows = [
        [
            "320",
            "Waltham Forest",
            "320",
            "3",
            "London (Outer)",
            "308",
            "Close",
            "821",
            "Close",
            "999",
            "Close",
            "",
        ],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
        ["", "Old SNs:", "", "", "", "", "", "", "", "", "", ""],
        [
            "309",
            "Haringey (old)",
            "309",
            "3",
            "London",
            "320",
            "Close",
            "308",
            "Close",
            "821",
            "Close",
            "",
        ],
    ]
    result = read_dfe_statistical_neighbours(
        write_csv(tmp_path / "sn.csv", header, rows, bom=True), la_codes
    )
    assert result.frame[["area_code", "neighbour_code", "neighbour_name", "rank"]].to_dict(
        "records"
    ) == [
        {
            "area_code": "E09000031",
            "neighbour_code": "E09000010",
            "neighbour_name": "Enfield",
            "rank": 1,
        },
        {
            "area_code": "E09000031",
            "neighbour_code": "E06000032",
            "neighbour_name": "Luton",
            "rank": 2,
        },
    ]
    assert set(result.frame["source"]) == {
        "DfE children's services statistical neighbours (April 2021 groupings)"
    }
    reasons = result.excluded.groupby("reason")["rows"].sum().to_dict()
    assert reasons == {
        "blank row": 1,
        "superseded LA ('Old SNs' section)": 2,
        "neighbour's LA number has no ONS code in the LA lookup": 1,  # 999
    }


def test_neighbours_2025_layout(tmp_path, la_codes):
    header = [
        "old_la_code",
        "la_name",
        "region_ind",
        "region_name",
        "SN_1",
        "SN_1P",
        "SN_2",
        "SN_2P",
    ]
    rows = [["320", "Waltham Forest", "3", "London", "309", "Very close", "308", "Close "]]
    result = read_dfe_statistical_neighbours(write_csv(tmp_path / "sn.csv", header, rows), la_codes)
    assert result.frame["neighbour_code"].tolist() == ["E09000014", "E09000010"]
    assert set(result.frame["source"]) == {
        "DfE children's services statistical neighbours (2025 model)"
    }


# ---------------------------------------------------------------- Census 2021 ethnic group


def test_census_custom_dataset_to_five_groups(tmp_path):
    utla, group = "2023 Upper tier local authorities", "Ethnic group (20 categories)"
    header = [f"{utla} Code", utla, f"{group} Code", group, "Observation"]
    rows = [
        ["E09000031", "WF", -8, "Does not apply", 0],
        ["E09000031", "WF", 1, "Asian, Asian British or Asian Welsh: Bangladeshi", 5],
        ["E09000031", "WF", 3, "Asian, Asian British or Asian Welsh: Indian", 6],
        [
            "E09000031",
            "WF",
            7,
            "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
            4,
        ],
        ["E09000031", "WF", 11, "Mixed or Multiple ethnic groups: White and Black Caribbean", 3],
        ["E09000031", "WF", 14, "White: Irish", 2],
        ["E09000031", "WF", 18, "Other ethnic group: Arab", 1],
    ]
    result = read_census_ethnicity_la(write_csv(tmp_path / "eth.csv", header, rows))
    assert dict(zip(result.frame["ethnicity"], result.frame["population"], strict=True)) == {
        "Asian": 11, "Black": 4, "Mixed": 3, "Other": 1, "White": 2,  # Asian = 5 + 6
    }  # fmt: skip
    assert result.rows_excluded == 1
    rows.append(["E09000031", "WF", 99, "Martian: Other", 1])
    with pytest.raises(AdapterError, match="no high-level group.*Martian"):
        read_census_ethnicity_la(write_csv(tmp_path / "eth.csv", header, rows))


def test_census_figure_workbook_to_five_groups(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Figure 3"
    sheet.append(["Figure 3: Population by ethnic group, 2021"])
    sheet.append([None])
    sheet.append(["Area code", "Area name", "White: Irish\n(number)", "White: Roma\n(number)",
                  "Other ethnic group: Arab\n(number)", "White: Irish\n(percent)"])  # fmt: skip
    sheet.append(["E09000031", "Waltham Forest", 10, 5, 2, 50.0])
    sheet.append(["Source: ONS"])
    book.save(tmp_path / "eth.xlsx")
    result = read_census_ethnicity_la(tmp_path / "eth.xlsx")
    assert result.frame[["ethnicity", "population"]].to_dict("records") == [
        {"ethnicity": "Other", "population": 2},
        {"ethnicity": "White", "population": 15},  # 10 + 5; the percent column is not read
    ]
    assert result.excluded["rows"].tolist() == [1]  # the source note


# ---------------------------------------------------------------- LSOA boundaries


def test_boundaries_reprojected_to_british_national_grid_and_filtered(tmp_path):
    shapes = gpd.GeoDataFrame(
        {
            "LSOA21CD": ["E01000002", "E01000001", "E01000003"],
            "LAD22CD": ["E09000031", "E09000031", "E09000002"],
        },
        geometry=[
            box(-0.02, 51.58, -0.01, 51.59),
            box(-0.01, 51.58, 0.0, 51.59),
            box(0.1, 51.5, 0.11, 51.51),
        ],
        crs="EPSG:4326",
    )
    shapes.to_file(tmp_path / "lsoa.geojson", driver="GeoJSON")
    result = read_lsoa_boundaries(tmp_path / "lsoa.geojson", area_code="E09000031")
    assert result["lsoa_code"].tolist() == ["E01000001", "E01000002"]
    assert result.crs.to_epsg() == 27700
    minx, miny, _, _ = result.total_bounds
    assert 535_000 < minx < 542_000 and 185_000 < miny < 192_000  # Leyton, in BNG metres
    with pytest.raises(AdapterError, match="no LSOA has LAD22CD = E09000099"):
        read_lsoa_boundaries(tmp_path / "lsoa.geojson", area_code="E09000099")


def test_boundaries_without_crs_or_with_repeats_are_refused(tmp_path):
    shapes = gpd.GeoDataFrame(
        {"LSOA11CD": ["E01000001", "E01000001"]}, geometry=[box(0, 0, 1, 1), box(1, 1, 2, 2)]
    )
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        shapes.to_file(tmp_path / "nocrs.shp")
    with pytest.raises(AdapterError, match="no coordinate reference system"):
        read_lsoa_boundaries(tmp_path / "nocrs.shp")
    shapes.set_crs(27700).to_file(tmp_path / "dups.shp")
    with pytest.raises(
        AdapterError,
        match=r"dups\.shp, rows 1, 2 \(2 rows\), column 'lsoa_code': each LSOA must appear once",
    ):
        read_lsoa_boundaries(tmp_path / "dups.shp")


# --------------------------------------------------------------------------------------------
# Files that cannot be read at all: what was expected and what was found, never a traceback
# --------------------------------------------------------------------------------------------


def test_unreadable_files_name_what_was_expected_and_what_was_found(tmp_path):
    empty, latin1, malformed = tmp_path / "e.csv", tmp_path / "l.csv", tmp_path / "m.csv"
    empty.write_bytes(b"")
    latin1.write_bytes(b"MajorText,MinorText,BoroughName\nCaf\xe9,x,y\n")
    malformed.write_text('LSOA11CD,LAD11CD\n"E01000001,E09000031\n', encoding="utf-8")
    not_xls, not_xlsx, not_shp = tmp_path / "p.xls", tmp_path / "p.xlsx", tmp_path / "b.shp"
    for path in (not_xls, not_xlsx, not_shp):
        path.write_text("not a binary file\n", encoding="utf-8")
    cases = [
        (lambda: read_dfe_la_codes(empty), "e.csv: expected DfE EES population estimates "
         "(CSV, UTF-8), found an empty file"),
        (lambda: read_mps_borough_crime([latin1]), "l.csv: expected MPS borough-level crime "
         "(CSV, UTF-8), found bytes that are not UTF-8 text"),
        (lambda: read_mps_lsoa_annual(malformed), "m.csv: expected MPS annual crime by LSOA "
         "(CSV, UTF-8), found malformed CSV (Error tokenizing data. C error: EOF inside string"),
        (lambda: read_dfe_statistical_neighbours(latin1, pd.DataFrame()), "l.csv: expected DfE "
         "statistical neighbours (CSV, UTF-8), found bytes that are not UTF-8 text"),
        (lambda: read_ons_mye2(not_xls), "p.xls: expected Excel workbook (.xls or .xlsx), found "
         "a file that is not an .xls workbook (Unsupported format, or corrupt file"),
        (lambda: read_iod_file1(not_xlsx), "p.xlsx: expected Excel workbook (.xls or .xlsx), "
         "found a file that is not an .xlsx workbook (not a zip archive)"),
        (lambda: read_lsoa_boundaries(not_shp), "b.shp: expected LSOA boundaries (a shapefile "
         "with its .dbf and .shx, a GeoPackage or GeoJSON), found a file GDAL cannot read"),
    ]  # fmt: skip
    for read, message in cases:
        with pytest.raises(AdapterError) as stop:
            read()
        assert str(stop.value).startswith(message), str(stop.value)
