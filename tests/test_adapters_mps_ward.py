"""The MPS ward-level crime adapter and its tables, on synthetic files from
tests/synthetic_ward_files.py (whose planted counts are the independent truth), and the
generator itself."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.adapters import AdapterError, read_mps_borough_crime, read_mps_lsoa_annual
from pipeline.adapters.mps_ward import (
    REASON_NOT_BOROUGH,
    REASON_OTHER_BOROUGH,
    read_mps_ward_crime,
)
from pipeline.adapters.mps_ward_tables import (
    NO_POPULATION,
    reconcile_with_borough,
    ward_measures,
    ward_population_from_lsoas,
    ward_tables,
)
from tests.synthetic_ward_files import (
    AVIATION,
    CATEGORIES,
    HISTORICAL_TEXT,
    RECENT_TEXT,
    REFRESHED,
    WARDS,
    month_range,
    synthetic_ward_crime,
    write_historical,
    write_recent,
)

WALTHAM_FOREST = "E09000031"
HACKNEY = "E09000012"
WF_WARDS = [code for code, (_name, borough) in WARDS.items() if borough == "Waltham Forest"]
MEASURES = {"key_metric": "violence_with_injury", "under_18_metric": "possession_of_weapons"}
VWI = "VIOLENCE WITH INJURY"
WEAPONS = "POSSESSION OF WEAPONS"


def fy_months(start: int) -> list[str]:
    return month_range(f"{start}-04", f"{start + 1}-03")


@pytest.fixture
def truth():
    return synthetic_ward_crime(month_range("2020-01", "2024-12"))


@pytest.fixture
def files(tmp_path, truth):
    """Historical to 2023-12 and a 24-month file 2023-01..2024-12: twelve shared months."""
    historical = write_historical(
        tmp_path / "MPS Ward Level Crime (Historical).csv", truth, month_range("2020-01", "2023-12")
    )
    recent = write_recent(
        tmp_path / "MPS Ward Level Crime (most recent 24 months).csv",
        truth,
        month_range("2023-01", "2024-12"),
    )
    return historical, recent


# --- the generator --------------------------------------------------------------------------


def test_generator_writes_both_published_layouts(files, truth):
    historical, recent = files
    raw = historical.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF throughout, as published
    with open(historical, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:5] == HISTORICAL_TEXT and header[5] == "202001" and header[-1] == REFRESHED
    with open(recent, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == RECENT_TEXT and len(rows[0]) == 5 + 24
    # all-zero ward x category rows are left out, as the publisher does (at least the planted one)
    months = month_range("2023-01", "2024-12")
    non_zero = {(w, minor) for (w, _major, minor, month), n in truth.counts.items()
                if n and month in months}  # fmt: skip
    assert len(rows) - 1 == len(non_zero) < len(WARDS) * len(CATEGORIES)
    assert {(row[3], row[1]) for row in rows[1:]} == non_zero
    planted = sum(truth.count(w, minor, month_range("2023-01", "2024-12"))
                  for w in WARDS for _major, minor in CATEGORIES)  # fmt: skip
    assert sum(int(v) for row in rows[1:] for v in row[5:]) == planted


# --- reading --------------------------------------------------------------------------------


def test_historical_and_recent_files_give_the_planted_counts_once(files, truth):
    result = read_mps_ward_crime(files)
    frame = result.frame
    assert list(frame.columns) == [
        "area_code", "area_name", "ward_code", "ward_name", "month", "major_category",
        "minor_category", "count",
    ]  # fmt: skip
    assert frame["month"].min() == "2020-01" and frame["month"].max() == "2024-12"
    assert not frame.duplicated(["ward_code", "minor_category", "month"]).any()
    got = frame.set_index(["ward_code", "major_category", "minor_category", "month"])["count"]
    planted = pd.Series(truth.counts)
    written = planted.loc[planted.index.isin(got.index)]
    assert (got.reindex(written.index) == written).all()
    # the only planted cells missing are the all-zero row the publisher leaves out
    assert planted.loc[~planted.index.isin(got.index)].eq(0).all()
    assert set(frame.loc[frame["ward_code"] == "E05900004", "area_code"]) == {HACKNEY}
    assert frame.loc[frame["ward_code"] == "E05900002", "ward_name"].iloc[0] == (
        "Synthetic Ward B & Lea"
    )
    assert result.rows_excluded == 0


def test_overlapping_months_that_disagree_name_the_cell(tmp_path, truth):
    historical = write_historical(tmp_path / "hist.csv", truth, month_range("2022-01", "2023-12"))
    month = "2023-06"
    planted = truth.counts[("E05900003", *CATEGORIES[0], month)]
    recent = write_recent(
        tmp_path / "recent.csv",
        truth,
        month_range("2023-01", "2024-12"),
        changes={("E05900003", VWI, month): planted + 1},
    )
    with pytest.raises(AdapterError) as error:
        read_mps_ward_crime([historical, recent])
    message = str(error.value)
    assert "hist.csv and recent.csv disagree in 1 cell(s)" in message
    assert f"E05900003 {VWI} {month}: {planted} vs {planted + 1}" in message


def test_overlap_rule_is_the_borough_adapters(tmp_path, truth):
    """A row one file leaves out counts 0 there: the other file's zeros agree with it."""
    homicide = ("E05900003", *CATEGORIES[2])
    for month in truth.months:
        truth.counts[(*homicide, month)] = 1 if month == "2020-01" else 0
    historical = write_historical(tmp_path / "a.csv", truth, month_range("2020-01", "2023-12"))
    recent = write_recent(tmp_path / "b.csv", truth, month_range("2023-01", "2024-12"))
    assert "E05900003" not in {
        row[3] for row in csv.reader(recent.open(encoding="utf-8")) if row[1] == "HOMICIDE"
    }
    frame = read_mps_ward_crime([historical, recent]).frame
    rows = frame.loc[(frame["ward_code"] == "E05900003") & (frame["minor_category"] == "HOMICIDE")]
    assert rows["month"].max() == "2023-12" and rows["count"].sum() == 1
    # and a shared month is kept once: one row per ward, category and month
    assert not frame.duplicated(["ward_code", "minor_category", "month"]).any()


def test_aviation_and_other_boroughs_are_excluded_with_their_crimes(tmp_path, truth):
    path = write_historical(tmp_path / "hist.csv", truth, month_range("2021-01", "2021-12"),
                            aviation=7)  # fmt: skip
    result = read_mps_ward_crime(path, area_code=WALTHAM_FOREST)
    assert set(result.frame["ward_code"]) == set(WF_WARDS)
    excluded = result.excluded.set_index("reason")
    assert excluded.loc[REASON_NOT_BOROUGH, "detail"] == AVIATION[2]
    assert excluded.loc[REASON_NOT_BOROUGH, ["rows", "value"]].tolist() == [1, 7]
    hackney_rows = len(CATEGORIES)
    hackney_crimes = sum(truth.count("E05900004", minor, month_range("2021-01", "2021-12"))
                         for _major, minor in CATEGORIES)  # fmt: skip
    assert excluded.loc[REASON_OTHER_BOROUGH, ["detail", "rows", "value"]].tolist() == [
        "Hackney",
        hackney_rows,
        hackney_crimes,
    ]
    # rows read = rows kept + rows excluded
    kept_rows = result.frame.drop_duplicates(["ward_code", "minor_category"]).shape[0]
    with open(path, newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in handle) - 1 == kept_rows + result.rows_excluded


def test_the_latest_files_ward_name_is_used(tmp_path, truth):
    historical = write_historical(tmp_path / "hist.csv", truth, month_range("2022-01", "2022-12"))
    recent = write_recent(tmp_path / "recent.csv", truth, month_range("2023-01", "2024-12"),
                          names={"E05900001": "Synthetic Ward A North"})  # fmt: skip
    frame = read_mps_ward_crime([historical, recent]).frame
    assert set(frame.loc[frame["ward_code"] == "E05900001", "ward_name"]) == {
        "Synthetic Ward A North"
    }


def test_bad_counts_and_odd_columns_are_one_line_errors(tmp_path, truth):
    path = write_recent(tmp_path / "recent.csv", truth, month_range("2023-01", "2024-12"))
    text = path.read_text(encoding="utf-8").splitlines()
    cells = text[3].split(",")
    cells[6] = "x"
    path.write_text("\n".join([*text[:3], ",".join(cells), *text[4:]]) + "\n", encoding="utf-8")
    with pytest.raises(AdapterError, match=r"recent.csv, row 4, column '202302': counts must"):
        read_mps_ward_crime(path)
    odd = tmp_path / "odd.csv"
    odd.write_text(",".join([*RECENT_TEXT, "202301", "Comment"]) + "\n", encoding="utf-8")
    with pytest.raises(AdapterError, match=r"must be months YYYYMM, found \['Comment'\]"):
        read_mps_ward_crime(odd)


def test_ward_file_where_the_borough_or_lsoa_file_goes_names_the_ward_adapter(files):
    historical, _recent = files
    for reader in (read_mps_borough_crime, read_mps_lsoa_annual):
        with pytest.raises(AdapterError) as error:
            reader(historical)
        assert "this is an MPS ward-level crime file: read it with read_mps_ward_crime" in str(
            error.value
        )
        assert "\n" not in str(error.value)


def test_borough_file_given_to_the_ward_adapter_names_the_borough_adapter(tmp_path):
    path = tmp_path / "borough.csv"
    path.write_text("MajorText,MinorText,BoroughName,202301\nA,B,Hackney,1\n", encoding="utf-8")
    with pytest.raises(AdapterError, match="read it with read_mps_borough_crime"):
        read_mps_ward_crime(path)


def test_no_ward_of_the_area_is_an_error(files):
    with pytest.raises(AdapterError, match="no ward of E09000001"):
        read_mps_ward_crime(files, area_code="E09000001")


# --- tables ---------------------------------------------------------------------------------


@pytest.fixture
def ward_crime(files):
    return read_mps_ward_crime(files, area_code=WALTHAM_FOREST).frame


def test_ward_tables_count_and_share_by_financial_year(ward_crime, truth):
    table = ward_tables(ward_crime, MEASURES)
    for start in (2020, 2021, 2022, 2023):
        months = fy_months(start)
        rows = table.loc[(table["financial_year"] == start) & (table["definition"] == "key_metric")]
        assert rows["period"].unique().tolist() == [f"{start}-{(start + 1) % 100:02d}"]
        assert rows["months_covered"].unique().tolist() == [12]
        expected = {w: truth.count(w, VWI, months) for w in WF_WARDS}
        assert dict(zip(rows["ward_code"], rows["count"], strict=True)) == expected
        total = sum(expected.values())
        assert rows["area_count"].unique().tolist() == [total]
        assert np.allclose(rows["share"], [expected[w] / total for w in rows["ward_code"]])
    assert (table["note"].str.contains(NO_POPULATION)).all()
    assert table["rate"].isna().all()


def test_partial_years_say_so_and_get_no_rate(ward_crime):
    population = pd.DataFrame({"ward_code": WF_WARDS, "year": 2019, "population": 12_000})
    table = ward_tables(ward_crime, MEASURES, ward_population=population)
    first = table.loc[table["financial_year"] == 2019]  # Jan-Mar 2020 only
    assert first["months_covered"].unique().tolist() == [3]
    assert first["rate"].isna().all()
    assert first["note"].str.startswith("partial year: 3 of 12 months").all()


def test_rates_only_with_ward_residents_and_from_the_latest_earlier_mid_year(ward_crime, truth):
    population = pd.DataFrame(
        {
            "ward_code": WF_WARDS * 2,
            "year": [2020] * 3 + [2022] * 3,
            "population": [10_000, 12_500, 8_000, 11_000, 13_000, 9_000],
        }
    )
    table = ward_tables(ward_crime, MEASURES, ward_population=population)
    rows = table.loc[(table["financial_year"] == 2021) & (table["definition"] == "key_metric")]
    for ward, residents in zip(WF_WARDS, [10_000, 12_500, 8_000], strict=True):
        row = rows.loc[rows["ward_code"] == ward].iloc[0]
        count = truth.count(ward, VWI, fy_months(2021))
        assert row["population_year"] == 2020 and row["population"] == residents
        assert row["rate"] == pytest.approx(count / residents * 1000)
        assert row["lower"] < row["rate"] < row["upper"]
        assert "mid-2020 residents used" in row["note"]
    later = table.loc[table["financial_year"] == 2022]
    assert later["population_year"].unique().tolist() == [2022]
    assert (later["note"] == "").all()


def test_ward_population_from_an_lsoa_lookup(ward_crime):
    lookup = pd.DataFrame(
        {"lsoa_code": ["E01900001", "E01900002", "E01900003"],
         "ward_code": ["E05900001", "E05900001", "E05900002"]}
    )  # fmt: skip
    population_lsoa = pd.DataFrame(
        {
            "area_code": ["E01900001", "E01900001", "E01900002", "E01900003"],
            "year": 2021,
            "sex": ["Male", "Female", "Male", "Male"],
            "population": [700, 800, 1_000, 1_600],
        }
    )
    wards = ward_population_from_lsoas(lookup, population_lsoa)
    assert wards.to_dict("records") == [
        {"ward_code": "E05900001", "year": 2021, "population": 2_500},
        {"ward_code": "E05900002", "year": 2021, "population": 1_600},
    ]
    table = ward_tables(ward_crime, MEASURES, ward_population=wards)
    third = table.loc[(table["ward_code"] == "E05900003") & (table["financial_year"] == 2021)]
    assert third["note"].str.contains(NO_POPULATION).all() and third["rate"].isna().all()
    with pytest.raises(AdapterError, match="1 LSOA\\(s\\) of the population have no ward"):
        ward_population_from_lsoas(lookup.iloc[:2], population_lsoa)


def test_public_definitions_become_ward_measures():
    definitions = {
        "key_metric": {"id": "violence_with_injury"},
        "under_18_metric": {"id": "possession_of_weapons"},
        "serious_violence_u25": {"id": "possession_of_weapons_lsoa"},
    }
    assert ward_measures(definitions) == {
        "key_metric": "violence_with_injury",
        "under_18_metric": "possession_of_weapons",
        "serious_violence_u25": "possession_of_weapons",
    }
    with pytest.raises(AdapterError, match="knife_crime_with_injury"):
        ward_measures({"key_metric": {"id": "knife_crime_with_injury"}})


def test_reconciliation_states_the_difference_from_the_borough_file(ward_crime, truth):
    months = month_range("2021-04", "2023-09")  # the borough file ends mid-year
    planted_gap = 3
    borough = pd.DataFrame(
        [
            {
                "area_code": WALTHAM_FOREST, "area_name": "Waltham Forest", "month": month,
                "major_category": major, "minor_category": minor,
                "count": truth.total(minor, [month], WF_WARDS)
                + (planted_gap if (minor == WEAPONS and month == "2022-05") else 0),
            }
            for month in months
            for major, minor in CATEGORIES
        ]
    )  # fmt: skip
    table = reconcile_with_borough(ward_crime, borough, MEASURES).set_index(
        ["definition", "financial_year"]
    )
    assert sorted({fy for _d, fy in table.index}) == [2021, 2022, 2023]
    weapons = table.loc[("under_18_metric", 2022)]
    assert weapons["ward_count"] == truth.total(WEAPONS, fy_months(2022), WF_WARDS)
    assert weapons["difference"] == -planted_gap
    assert weapons["difference_percent"] == pytest.approx(
        -100 * planted_gap / weapons["borough_count"]
    )
    assert table.loc[("key_metric", 2022), "difference"] == 0
    last = table.loc[("key_metric", 2023)]
    assert last["months_compared"] == 6 and last["note"].startswith("partial year: 6 of 12")
    assert last["ward_count"] == truth.total(VWI, month_range("2023-04", "2023-09"), WF_WARDS)
    assert table["note"].str.contains("need not sum exactly").all()


def test_ward_file_path_is_read_by_name_not_position(tmp_path, truth):
    """The two layouts order their text columns differently; both read the same."""
    months = month_range("2023-01", "2023-03")
    a = read_mps_ward_crime(write_historical(tmp_path / "a.csv", truth, months)).frame
    b = read_mps_ward_crime(write_recent(tmp_path / "b.csv", truth, months)).frame
    pd.testing.assert_frame_equal(a, b)


def test_output_is_deterministic(files):
    first = read_mps_ward_crime(files).frame
    second = read_mps_ward_crime(list(reversed(files))).frame
    pd.testing.assert_frame_equal(first, second)
    assert Path(files[0]).exists()
