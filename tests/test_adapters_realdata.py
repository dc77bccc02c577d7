"""The adapters read the real public files in ../shared/realdata (read in place, never copied).

Each test checks a fact about a real file, worked out independently here with the csv module,
xlrd, openpyxl or pyogrio, against what the adapter returns. The folder sits beside the checkout
in CI; elsewhere these tests skip, except that with CI=true a missing folder is a failure (the
``realdata`` fixture in tests/conftest.py decides).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
import xlrd

from pipeline.adapters import (
    bridge_lsoa11_to_lsoa21,
    mps_comparator_series,
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
from pipeline.adapters.dfe_neighbours import REASON_BLANK, REASON_OLD_SECTION
from pipeline.adapters.mps_borough import LONDON_BOROUGHS, REASON_NOT_COVERED, borough_code
from pipeline.adapters.police_uk import REASON_NO_LOCATION, REASON_OTHER_FORCE, REASON_OUTSIDE

pytestmark = pytest.mark.realdata

WALTHAM_FOREST = "E09000031"
BARNET = "E09000003"
MPS_FILES = (
    "MPS Borough Level Crime (Historical).csv",
    "MPS Borough Level Crime (most recent 24 months).csv",
)
NON_BOROUGHS = {"London Heathrow and London City Airports", "Unknown"}


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV as dicts, read with the csv module (independent of the adapters)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bestfit_rows(realdata: Path) -> list[dict[str, str]]:
    return read_rows(realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv")


@pytest.fixture(scope="module")
def wf_lsoa11(bestfit_rows: list[dict[str, str]]) -> set[str]:
    return {r["LSOA11CD"] for r in bestfit_rows if r["LAD22CD"] == WALTHAM_FOREST}


@pytest.fixture(scope="module")
def wf_lsoa21(bestfit_rows: list[dict[str, str]]) -> set[str]:
    return {r["LSOA21CD"] for r in bestfit_rows if r["LAD22CD"] == WALTHAM_FOREST}


@pytest.fixture(scope="module")
def wf_lookup(realdata: Path) -> pd.DataFrame:
    return read_lsoa_bestfit_lookup(
        realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv", WALTHAM_FOREST
    )


@pytest.fixture(scope="module")
def mps(realdata: Path):
    return read_mps_borough_crime([realdata / "mps-borough-crime" / name for name in MPS_FILES])


@pytest.fixture(scope="module")
def mps_raw(realdata: Path) -> dict[str, list[list[str]]]:
    result = {}
    for name in MPS_FILES:
        with open(
            realdata / "mps-borough-crime" / name, newline="", encoding="utf-8-sig"
        ) as handle:
            result[name] = list(csv.reader(handle))
    return result


@pytest.fixture(scope="module")
def iod2019(realdata: Path):
    return read_iod_file1(
        realdata / "iod2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    )


@pytest.fixture(scope="module")
def la_codes(realdata: Path) -> pd.DataFrame:
    return read_dfe_la_codes(
        realdata / "dfe" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    )


# ---------------------------------------------------------------- Waltham Forest's LSOAs


def test_best_fit_lookup_waltham_forest_has_144_lsoa11_and_146_lsoa21(wf_lookup, bestfit_rows):
    wf = [r for r in bestfit_rows if r["LAD22CD"] == WALTHAM_FOREST]
    assert wf_lookup["lsoa11_code"].nunique() == 144
    assert wf_lookup["lsoa21_code"].nunique() == 146
    assert dict(wf_lookup["change"].value_counts()) == dict(Counter(r["CHGIND"] for r in wf))
    assert dict(Counter(r["CHGIND"] for r in wf)) == {"U": 142, "S": 4}


def test_boundaries_waltham_forest_lsoa11_and_lsoa21(realdata, wf_lsoa11, wf_lsoa21):
    lsoa = realdata / "london-lsoa"
    old = read_lsoa_boundaries(lsoa / "london-2011-lsoa-gen20.shp", area_code=WALTHAM_FOREST)
    new = read_lsoa_boundaries(lsoa / "london-2021-lsoa-gen20.shp", area_code=WALTHAM_FOREST)
    assert (len(old), len(new)) == (144, 146)
    assert set(old["lsoa_code"]) == wf_lsoa11
    assert set(new["lsoa_code"]) == wf_lsoa21
    assert old.crs.to_epsg() == new.crs.to_epsg() == 27700
    assert list(old.columns) == ["lsoa_code", "geometry"]
    # Independent: the attribute table alone, read without geometry.
    attributes = pyogrio.read_dataframe(lsoa / "london-2021-lsoa-gen20.shp", read_geometry=False)
    assert set(attributes.loc[attributes["LAD22CD"] == WALTHAM_FOREST, "LSOA21CD"]) == set(
        new["lsoa_code"]
    )
    # British National Grid metres: Waltham Forest lies around easting 537-541 km.
    minx, _, maxx, _ = new.total_bounds
    assert 530_000 < minx < maxx < 545_000


# ---------------------------------------------------------------- police.uk street-level


def police_truth(path: Path, area: set[str], force: str | None) -> Counter:
    """Rows by (month, outcome) worked out with the csv module: kept or the exclusion reason."""
    tally: Counter = Counter()
    for row in read_rows(path):
        if not row["LSOA code"]:
            outcome = REASON_NO_LOCATION
        elif row["LSOA code"] not in area:
            outcome = REASON_OUTSIDE
        elif force is not None and row["Reported by"] != force:
            outcome = REASON_OTHER_FORCE
        else:
            outcome = "kept"
        tally[(row["Month"], outcome)] += 1
    return tally


def test_police_counts_per_month_equal_file_rows_split_by_reason(realdata, wf_lsoa11):
    files = sorted((realdata / "police-uk-street").glob("*.csv"))
    result = read_police_uk_street(files, wf_lsoa11, force="Metropolitan Police Service")
    expected: Counter = Counter()
    for path in files:
        expected.update(police_truth(path, wf_lsoa11, "Metropolitan Police Service"))
    got: Counter = Counter()
    for row in result.excluded.itertuples():
        got[(row.month, row.reason)] += row.rows
    for row in result.frame.itertuples():
        got[(row.month, "kept")] += row.count
    assert got == expected
    # The one crime located in Waltham Forest was recorded by the City of London Police.
    other = result.excluded.loc[result.excluded["reason"] == REASON_OTHER_FORCE]
    assert other[["month", "detail", "rows"]].to_dict("records") == [
        {"month": "2018-06", "detail": "City of London Police", "rows": 1}
    ]
    assert result.frame.empty
    rows_in_files = sum(len(read_rows(path)) for path in files)
    assert (
        result.rows_excluded + int(result.frame["count"].sum())
        == rows_in_files
        == 4000 + 483 + 597 + 729
    )


def test_police_any_force_keeps_the_city_police_crime_in_waltham_forest(realdata, wf_lsoa11):
    path = realdata / "police-uk-street" / "2018-06-city-of-london-street.csv"
    result = read_police_uk_street(path, wf_lsoa11, force=None)
    assert result.frame.to_dict("records") == [
        {
            "lsoa_code": "E01004338",
            "month": "2018-06",
            "crime_type": "Violence and sexual offences",
            "count": 1,
        }
    ]


def test_police_met_sample_counts_by_lsoa_and_type_for_barnet(realdata, bestfit_rows):
    barnet = {r["LSOA11CD"] for r in bestfit_rows if r["LAD22CD"] == BARNET}
    path = realdata / "police-uk-street" / "2023-01-metropolitan-street-sample.csv"
    expected = Counter(
        (r["LSOA code"], r["Crime type"]) for r in read_rows(path) if r["LSOA code"] in barnet
    )
    result = read_police_uk_street(path, barnet, force="Metropolitan Police Service")
    got = {(r.lsoa_code, r.crime_type): r.count for r in result.frame.itertuples()}
    assert got == dict(expected)
    assert sum(expected.values()) > 1_000  # the sample's Barnet rows
    assert set(result.frame["month"]) == {"2023-01"}


# ---------------------------------------------------------------- MPS borough-level crime


def test_mps_files_are_contiguous_and_do_not_overlap(mps, mps_raw):
    historical, recent = ([c for c in mps_raw[name][0] if c.isdigit()] for name in MPS_FILES)
    # What the real files say: no shared month, the second starts the month after the first ends.
    assert (historical[0], historical[-1], recent[0], recent[-1]) == (
        "201004",
        "202311",
        "202312",
        "202511",
    )
    assert not set(historical) & set(recent)
    months = sorted(mps.frame["month"].unique())
    assert months == [str(p) for p in pd.period_range("2010-04", "2025-11", freq="M")]
    assert len(months) == 188


def raw_cells(
    mps_raw, borough: str, minor: str | None, major: str | None, months: list[str]
) -> int:
    """Sum of the raw file cells for one borough and category over YYYYMM months (csv module)."""
    total = 0
    for name in MPS_FILES:
        header, *rows = mps_raw[name]
        columns = [header.index(m) for m in months if m in header]
        for row in rows:
            if (
                row[2] == borough
                and (minor is None or row[1] == minor)
                and (major is None or row[0] == major)
            ):
                total += sum(int(row[i]) for i in columns)
    return total


def test_mps_borough_yearly_total_equals_sum_of_its_months(mps, mps_raw):
    months_2022 = [f"2022{m:02d}" for m in range(1, 13)]
    series = mps_comparator_series(mps.frame, "violence_with_injury", [WALTHAM_FOREST]).frame
    wf = series.loc[
        (series["area_code"] == WALTHAM_FOREST) & series["month"].str.startswith("2022")
    ]
    assert len(wf) == 12
    expected = raw_cells(mps_raw, "Waltham Forest", "VIOLENCE WITH INJURY", None, months_2022)
    assert int(wf["count"].sum()) == expected > 0
    # A year spanning both files: April 2023 to March 2024.
    fy = [f"2023{m:02d}" for m in range(4, 13)] + [f"2024{m:02d}" for m in range(1, 4)]
    weapons = mps_comparator_series(mps.frame, "possession_of_weapons", [WALTHAM_FOREST]).frame
    in_fy = weapons["month"].str.replace("-", "").isin(fy) & (
        weapons["area_code"] == WALTHAM_FOREST
    )
    assert int(weapons.loc[in_fy, "count"].sum()) == raw_cells(
        mps_raw, "Waltham Forest", None, "POSSESSION OF WEAPONS", fy
    )


def test_mps_non_borough_rows_are_reported_not_dropped(mps, mps_raw):
    for name in MPS_FILES:
        header, *rows = mps_raw[name]
        expected = {}
        for row in rows:
            if row[2] in NON_BOROUGHS:
                rows_so_far, crimes = expected.get(row[2], (0, 0))
                expected[row[2]] = (rows_so_far + 1, crimes + sum(int(v) for v in row[3:]))
        got = mps.excluded.loc[mps.excluded["source"] == name]
        assert {r.detail: (r.rows, r.value) for r in got.itertuples()} == expected
        # Rows read = borough rows kept + rows reported.
        months = {f"{c[:4]}-{c[4:]}" for c in header[3:]}
        kept = mps.frame.loc[mps.frame["month"].isin(months)]
        kept_rows = len(kept[["area_code", "major_category", "minor_category"]].drop_duplicates())
        assert kept_rows + int(got["rows"].sum()) == len(rows)


def test_mps_london_total_is_the_sum_of_the_32_boroughs(mps, mps_raw):
    series = mps_comparator_series(mps.frame, "violence_with_injury").frame
    london = series.loc[
        (series["area_code"] == "E12000007") & (series["month"] == "2024-01"), "count"
    ]
    header, *rows = mps_raw[MPS_FILES[1]]
    column = header.index("202401")
    expected = sum(
        int(r[column]) for r in rows if r[1] == "VIOLENCE WITH INJURY" and r[2] not in NON_BOROUGHS
    )
    assert london.tolist() == [expected]
    assert series["area_code"].nunique() == 33  # 32 boroughs + London
    assert series.groupby("area_code").size().eq(188).all()  # every area has every month


def test_london_borough_table_matches_ons_lad22_names(realdata, mps_raw):
    lad = pyogrio.read_dataframe(
        realdata / "london-lsoa" / "london-2021-lad22-gen20.shp", read_geometry=False
    )
    assert dict(zip(lad["LAD22CD"], lad["LAD22NM"], strict=True)) == LONDON_BOROUGHS
    names = {row[2] for name in MPS_FILES for row in mps_raw[name][1:]} - NON_BOROUGHS
    assert len(names) == 32
    assert {LONDON_BOROUGHS[borough_code(n)] for n in names} == names


def test_mps_comparator_reports_neighbours_outside_london(mps):
    neighbours = ["E09000010", "E09000014", "E08000025", "E06000032"]
    result = mps_comparator_series(mps.frame, "violence_with_injury", [WALTHAM_FOREST, *neighbours])
    assert set(result.frame["area_code"]) == {WALTHAM_FOREST, "E09000010", "E09000014", "E12000007"}
    assert result.excluded[["reason", "detail"]].to_dict("records") == [
        {"reason": REASON_NOT_COVERED, "detail": "E06000032"},
        {"reason": REASON_NOT_COVERED, "detail": "E08000025"},
    ]


# ---------------------------------------------------------------- MPS crime by LSOA (annual)


def test_mps_lsoa_annual_waltham_forest(realdata, wf_lsoa11, mps):
    path = realdata / "london-lsoa" / "london-2011-2021-major-weapons.csv"
    result = read_mps_lsoa_annual(path, area_code=WALTHAM_FOREST)
    assert set(result.frame["lsoa_code"]) == wf_lsoa11
    assert len(result.frame) == 144 * 11
    rows = [r for r in read_rows(path) if r["LAD11CD"] == WALTHAM_FOREST]
    by_year = result.frame.groupby("year")["count"].sum()
    for year in range(2011, 2022):
        assert by_year[year] == sum(int(float(r[str(year)])) for r in rows)
    # Known fact: not every offence is allocated to an LSOA, so the LSOA totals of this
    # weapons file never exceed the borough file's possession-of-weapons totals for the borough.
    weapons = mps_comparator_series(mps.frame, "possession_of_weapons", [WALTHAM_FOREST]).frame
    weapons = weapons.loc[weapons["area_code"] == WALTHAM_FOREST]
    borough_by_year = weapons.groupby(weapons["month"].str.slice(0, 4).astype(int))["count"].sum()
    for year in range(2011, 2022):
        assert by_year[year] <= borough_by_year[year]


# ---------------------------------------------------------------- ONS MYE2 and SAPE, DfE 0-17


def test_mye2_waltham_forest_mid_2021_total_equals_sum_of_single_years(realdata):
    path = realdata / "ons-mye" / "ukpopestimatesmid2021on2021geographyfinal.xls"
    result = read_ons_mye2(path, area_codes=[WALTHAM_FOREST])
    wf = result.frame
    assert set(wf["year"]) == {2021} and set(wf["ethnicity"]) == {"All"}
    assert len(wf) == 2 * 91  # two sexes x ages 0..89 and 90+
    book = xlrd.open_workbook(path, on_demand=True)
    for sex, sheet_name in (("Male", "MYE2 - Males"), ("Female", "MYE2 - Females")):
        sheet = book.sheet_by_name(sheet_name)
        header = next(i for i in range(sheet.nrows) if sheet.cell_value(i, 0) == "Code")
        labels = sheet.row_values(header)
        row = next(
            sheet.row_values(i)
            for i in range(sheet.nrows)
            if sheet.cell_value(i, 0) == WALTHAM_FOREST
        )
        mine = wf.loc[wf["sex"] == sex]
        assert int(mine["population"].sum()) == int(row[labels.index("All ages")])
        assert int(mine.loc[mine["age_from"] == 90, "population"].iloc[0]) == int(
            row[labels.index("90+")]
        )
        assert int(mine.loc[mine["age_from"] == 17, "population"].iloc[0]) == int(
            row[labels.index("17")]
        )
    assert (
        int(wf.loc[wf["sex"] == "Male", "population"].sum()) == 136_266
    )  # 'All ages', MYE2 - Males


def test_mye2_reads_every_area_of_the_file(realdata):
    path = realdata / "ons-mye" / "ukpopestimatesmid2021on2021geographyfinal.xls"
    result = read_ons_mye2(path)
    sheet = xlrd.open_workbook(path, on_demand=True).sheet_by_name("MYE2 - Females")
    codes = {sheet.cell_value(i, 0) for i in range(8, sheet.nrows)} - {""}
    assert set(result.frame["area_code"]) == codes
    assert len(result.frame) == len(codes) * 2 * 91


def test_sape_lsoa_waltham_forest_bands(realdata, wf_lsoa11):
    path = realdata / "london-lsoa" / "london-mid2019-pop.csv"
    result = read_ons_sape_lsoa(path, area_code=WALTHAM_FOREST)
    assert set(result.frame["area_code"]) == wf_lsoa11
    assert set(result.frame["year"]) == {2019}
    bands = set(zip(result.frame["age_from"], result.frame["age_to"], strict=True))
    assert bands == {(0, 15), (16, 29), (30, 44), (45, 64), (65, 90)}
    rows = [r for r in read_rows(path) if r["LAD11CD"] == WALTHAM_FOREST]
    assert int(result.frame["population"].sum()) == sum(int(r["Persons_All-Ages"]) for r in rows)
    males = result.frame.loc[result.frame["sex"] == "Male", "population"].sum()
    assert int(males) == sum(int(r["Males_All-Ages"]) for r in rows)


def test_dfe_children_population_waltham_forest_and_unpublished_values(realdata):
    path = realdata / "dfe" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    result = read_dfe_children_population(path)
    rows = read_rows(path)
    wf = result.frame.loc[result.frame["area_code"] == WALTHAM_FOREST].set_index("year")[
        "population"
    ]
    expected = {
        int(r["time_period"]): int(r["population_estimate"])
        for r in rows
        if r["new_la_code"] == WALTHAM_FOREST
    }
    assert wf.to_dict() == expected
    assert expected[2024] == 62_664
    unpublished = [r for r in rows if r["population_estimate"] == "x"]
    assert result.rows_excluded == len(unpublished) == 21
    assert len(result.frame) + result.rows_excluded == len(rows)
    assert {"E92000001", "E12000007", "E13000002"} <= set(result.frame["area_code"])
    assert set(zip(result.frame["age_from"], result.frame["age_to"], strict=True)) == {(0, 17)}


# ---------------------------------------------------------------- Indices of Deprivation


def test_iod2019_all_lsoas_and_deciles_consistent_with_ranks(iod2019, realdata, wf_lsoa11):
    frame = iod2019.frame
    assert len(frame) == 32_844 and frame["lsoa_code"].is_unique
    # Decile rule worked independently: the top tenth of 32,844 ranks is 1..3284 (3284.4 per tenth).
    assert (
        frame["imd_decile"] == frame["imd_rank"].map(lambda r: math.ceil(r * 10 / 32_844))
    ).all()
    sizes = frame["imd_decile"].value_counts().sort_index()
    assert set(sizes) == {3284, 3285}
    assert frame["imd_score"].isna().all()  # File 1 has no score
    wf = frame.loc[frame["lsoa_code"].isin(wf_lsoa11)]
    assert len(wf) == 144
    book = openpyxl.load_workbook(
        realdata / "iod2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx", read_only=True
    )
    raw = {
        r[0]: (r[4], r[5])
        for r in book["IMD2019"].iter_rows(min_row=2, values_only=True)
        if r[2] == WALTHAM_FOREST
    }
    book.close()
    assert len(raw) == 144
    assert {r.lsoa_code: (r.imd_rank, r.imd_decile) for r in wf.itertuples()} == raw


def test_iod2025_waltham_forest_146_lsoa21(realdata, wf_lsoa21):
    path = realdata / "iod2025" / "EXTRACT_File_1_IoD2025_IMD_waltham-forest.csv"
    result = read_iod_file1(path)
    assert set(result.frame["iod_edition"]) == {"IoD2025"}
    assert len(result.frame) == 146 and set(result.frame["lsoa_code"]) == wf_lsoa21
    rows = read_rows(path)
    rank_column = next(c for c in rows[0] if "Rank" in c)
    decile_column = next(c for c in rows[0] if "Decile" in c)
    expected = {r["LSOA code (2021)"]: (int(r[rank_column]), int(r[decile_column])) for r in rows}
    assert {r.lsoa_code: (r.imd_rank, r.imd_decile) for r in result.frame.itertuples()} == expected
    assert all(d == math.ceil(rank * 10 / 33_755) for rank, d in expected.values())


def test_bridge_iod2019_to_waltham_forest_lsoa21(iod2019, wf_lookup, wf_lsoa21):
    wf = iod2019.frame.loc[iod2019.frame["lsoa_code"].isin(set(wf_lookup["lsoa11_code"]))]
    result = bridge_lsoa11_to_lsoa21(wf, wf_lookup)
    assert set(result.frame["lsoa_code"]) == wf_lsoa21 and len(result.frame) == 146
    assert result.excluded.empty  # Waltham Forest has splits only, no merges
    ranks = dict(zip(result.frame["lsoa_code"], result.frame["imd_rank"], strict=True))
    parent_rank = int(wf.loc[wf["lsoa_code"] == "E01004461", "imd_rank"].iloc[0])
    # E01004461 (Waltham Forest 014E) split into E01034485 and E01034486: both inherit its rank.
    assert ranks["E01034485"] == ranks["E01034486"] == parent_rank
    unchanged = wf_lookup.loc[wf_lookup["change"] == "U"]
    old = dict(zip(wf["lsoa_code"], wf["imd_rank"], strict=True))
    assert all(
        ranks[new] == old[parent]
        for parent, new in zip(unchanged["lsoa11_code"], unchanged["lsoa21_code"], strict=True)
    )


def test_bridge_weapons_counts_to_lsoa21_keeps_totals(realdata, wf_lookup, wf_lsoa21):
    counts = read_mps_lsoa_annual(
        realdata / "london-lsoa" / "london-2011-2021-major-weapons.csv", WALTHAM_FOREST
    )
    counts = counts.frame.drop(columns="area_code")
    result = bridge_lsoa11_to_lsoa21(counts, wf_lookup)
    assert set(result.frame["lsoa_code"]) == wf_lsoa21
    assert (
        result.frame.groupby("year")["count"].sum().to_dict()
        == counts.groupby("year")["count"].sum().to_dict()
    )
    for parent, children in (
        ("E01004461", ["E01034485", "E01034486"]),
        ("E01033153", ["E01034487", "E01034488"]),
    ):
        parent_counts = counts.loc[counts["lsoa_code"] == parent].set_index("year")["count"]
        child_counts = result.frame.loc[result.frame["lsoa_code"].isin(children)].groupby("year")[
            "count"
        ]
        assert (child_counts.sum() == parent_counts).all()
        spread = child_counts.max() - child_counts.min()
        assert (spread <= 1).all()  # equal shares, whole numbers


# ---------------------------------------------------------------- DfE statistical neighbours


APRIL_2021 = [
    ("E09000010", "Enfield"), ("E09000014", "Haringey"), ("E09000008", "Croydon"),
    ("E09000005", "Brent"), ("E09000011", "Greenwich"), ("E08000025", "Birmingham"),
    ("E06000032", "Luton"), ("E09000009", "Ealing"), ("E09000023", "Lewisham"),
    ("E09000024", "Merton"),
]  # fmt: skip
MODEL_2025 = [
    ("E09000026", "Redbridge"), ("E09000003", "Barnet"), ("E09000017", "Hillingdon"),
    ("E09000008", "Croydon"), ("E09000009", "Ealing"), ("E09000014", "Haringey"),
    ("E09000018", "Hounslow"), ("E09000015", "Harrow"), ("E09000023", "Lewisham"),
    ("E06000045", "Southampton"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("New_Statistical_Neighbour_Groupings_April_2021.csv", APRIL_2021),
        ("sn_model_2025_wide.csv", MODEL_2025),
    ],
)
def test_dfe_neighbours_of_waltham_forest_map_to_ons_codes(realdata, la_codes, file_name, expected):
    result = read_dfe_statistical_neighbours(realdata / "dfe" / file_name, la_codes)
    wf = result.frame.loc[result.frame["area_code"] == WALTHAM_FOREST].sort_values("rank")
    assert list(zip(wf["neighbour_code"], wf["neighbour_name"], strict=True)) == expected
    assert wf["rank"].tolist() == list(range(1, 11))
    assert result.frame.groupby("area_code").size().eq(10).all()


def test_dfe_neighbours_april_2021_reports_old_section_and_blank_rows(realdata, la_codes):
    path = realdata / "dfe" / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    result = read_dfe_statistical_neighbours(path, la_codes)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    reasons = result.excluded.groupby("reason")["rows"].sum().to_dict()
    assert reasons == {
        REASON_BLANK: 2,
        REASON_OLD_SECTION: 5,
    }  # heading + Dorset, Poole, Bournemouth, Northants
    assert result.frame["area_code"].nunique() + result.rows_excluded == len(rows)


def test_dfe_la_codes_old_320_is_waltham_forest(la_codes):
    row = la_codes.loc[la_codes["old_la_code"] == "320"]
    assert row[["area_code", "area_name"]].to_dict("records") == [
        {"area_code": WALTHAM_FOREST, "area_name": "Waltham Forest"}
    ]


# ---------------------------------------------------------------- Census 2021 ethnic group


def test_census_ethnicity_waltham_forest_five_groups_from_both_files(realdata):
    # Worked by hand from the Waltham Forest row of Figure 3 (numbers):
    #   Asian = 5166 + 2626 + 9134 + 28740 + 9879 = 55545
    #   Black = 18759 + 17587 + 5301 = 41647
    #   Mixed = 3875 + 2777 + 5135 + 6196 = 17983
    #   White = 94766 + 4230 + 198 + 1397 + 46433 = 147024
    #   Other = 2884 + 13345 = 16229            total 278428
    expected = {"Asian": 55545, "Black": 41647, "Mixed": 17983, "White": 147024, "Other": 16229}
    for path in (
        realdata / "census2021" / "ethnic2021.xlsx",
        realdata / "dfe" / "ons-ethnic-population-la.csv",
    ):
        result = read_census_ethnicity_la(path)
        wf = result.frame.loc[result.frame["area_code"] == WALTHAM_FOREST]
        assert dict(zip(wf["ethnicity"], wf["population"], strict=True)) == expected
        # All ages, both sexes: these files cannot give an age- or sex-specific denominator.
        assert set(zip(wf["sex"], wf["age_from"], wf["age_to"], wf["year"], strict=True)) == {
            ("All", 0, 90, 2021)
        }
    csv_result = read_census_ethnicity_la(realdata / "dfe" / "ons-ethnic-population-la.csv")
    assert csv_result.excluded[["reason", "rows", "value"]].to_dict("records") == [
        {"reason": "category 'Does not apply'", "rows": 175, "value": 0}
    ]
