"""police.uk street files, the LSOA-to-LA lookups and LA series on the real public files in
../shared/realdata (read in place, never copied). Expected numbers are worked out here with the
csv module and pyogrio's attribute table; the ``realdata`` fixture skips (or, with CI=true,
fails) where the folder is absent."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyogrio
import pytest

from pipeline.adapters import police_uk as street
from pipeline.adapters import police_uk_la as la
from pipeline.adapters import read_police_uk_street

pytestmark = pytest.mark.realdata

CITY, CAMDEN, BARNET, WALTHAM_FOREST = "E09000001", "E09000007", "E09000003", "E09000031"
CITY_POLICE = "City of London Police"
MET = "Metropolitan Police Service"
CITY_FILES = ("2017-01", "2017-02", "2018-06")


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def folder(realdata: Path) -> Path:
    return realdata / "police-uk-street"


@pytest.fixture(scope="module")
def bestfit(realdata: Path) -> Path:
    return realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv"


@pytest.fixture(scope="module")
def lookup(bestfit: Path):
    return la.read_lsoa_la_lookup(bestfit)


def lsoas_of(bestfit: Path, la_code: str) -> set[str]:
    """Both vintages' LSOA codes of an LA, from the best-fit file with the csv module."""
    rows = [r for r in read_rows(bestfit) if r["LAD22CD"] == la_code]
    return {r["LSOA11CD"] for r in rows} | {r["LSOA21CD"] for r in rows}


def test_a_flat_folder_reads_its_street_files_and_lists_the_other_one(folder, lookup):
    result = read_police_uk_street(folder, lookup["lsoa_code"])
    sources = set(result.excluded["source"])
    assert {f"{m}-city-of-london-street.csv" for m in CITY_FILES} <= sources
    skipped = result.excluded.loc[result.excluded["reason"] == street.REASON_NOT_STREET]
    # The Met extract's name ends "-street-sample.csv", not the archive's "-street.csv".
    assert skipped["source"].tolist() == ["2023-01-metropolitan-street-sample.csv"]
    rows = sum(len(read_rows(folder / f"{m}-city-of-london-street.csv")) for m in CITY_FILES)
    assert int(result.frame["count"].sum()) + result.rows_excluded == rows == 483 + 597 + 729


def test_the_real_files_have_no_crime_id_in_two_files_nor_btp_rows(folder, lookup):
    """What the csv module finds: IDs repeat only inside a file, and no row is BTP's, so the
    adapter excludes none as a duplicate or BTP, and keeps the within-file repeats."""
    files = sorted(folder.glob("*.csv"))
    files_of_id: dict[str, set[str]] = {}
    repeats_in_a_file = 0
    for path in files:
        ids = Counter(r["Crime ID"] for r in read_rows(path) if r["Crime ID"])
        repeats_in_a_file += sum(1 for n in ids.values() if n > 1)
        for crime_id in ids:
            files_of_id.setdefault(crime_id, set()).add(path.name)
        assert all(street.BTP not in (r["Reported by"], r["Falls within"]) for r in read_rows(path))
    assert max(len(names) for names in files_of_id.values()) == 1
    assert repeats_in_a_file == 147
    result = read_police_uk_street(files, lookup["lsoa_code"])
    reasons = set(result.excluded["reason"])
    assert not reasons & {street.REASON_DUPLICATE, street.REASON_BTP}


def test_city_of_london_series_from_its_own_files(folder, lookup, bestfit):
    city = lsoas_of(bestfit, CITY)
    paths = [folder / f"{m}-city-of-london-street.csv" for m in CITY_FILES[:2]]
    counts = read_police_uk_street(paths, lookup["lsoa_code"], by_force=True).frame
    result = la.police_uk_comparator_series(counts, lookup, "possession_of_weapons", [CITY])
    expected = Counter(
        r["Month"]
        for path in paths
        for r in read_rows(path)
        if r["LSOA code"] in city
        and r["Crime type"] == "Possession of weapons"
        and r["Reported by"] == CITY_POLICE
    )
    assert result.frame[["area_name", "month", "count"]].to_dict("records") == [
        {"area_name": "City of London", "month": m, "count": expected[m]} for m in CITY_FILES[:2]
    ]
    assert result.excluded.empty


def test_boroughs_with_only_the_city_police_s_boundary_crimes_get_no_series(
    folder, lookup, bestfit
):
    """The City of London Police's files hold crimes located in Camden and (one, in June 2018)
    Waltham Forest: without the Met's files those boroughs are listed as missing, not near 0."""
    paths = [folder / f"{m}-city-of-london-street.csv" for m in CITY_FILES]
    counts = read_police_uk_street(paths, lookup["lsoa_code"], by_force=True).frame
    result = la.police_uk_comparator_series(
        counts, lookup, "robbery", [CAMDEN, WALTHAM_FOREST], months=["2018-06"]
    )
    assert result.frame.empty
    assert set(result.excluded["reason"]) == {la.REASON_NO_FORCE_FILE}
    june = read_rows(folder / "2018-06-city-of-london-street.csv")
    wf_lsoas = lsoas_of(bestfit, WALTHAM_FOREST)
    assert sum(r["LSOA code"] in wf_lsoas for r in june) == 1
    details = result.excluded.set_index("detail").index
    assert any(d.startswith(f"{WALTHAM_FOREST}: crimes in only 1 of its ") for d in details)


def test_barnet_in_the_met_sample(folder, lookup, bestfit):
    """The Met extract is only the file's first 4,000 rows, but they hold most of Barnet's
    LSOAs, so Barnet has a (partial-month: see the module doc) series checkable by hand."""
    path = folder / "2023-01-metropolitan-street-sample.csv"
    barnet = lsoas_of(bestfit, BARNET)
    counts = read_police_uk_street(path, lookup["lsoa_code"], by_force=True).frame
    result = la.police_uk_comparator_series(counts, lookup, "possession_of_weapons", [BARNET])
    expected = sum(
        r["LSOA code"] in barnet and r["Crime type"] == "Possession of weapons"
        for r in read_rows(path)
    )
    assert result.frame[["month", "count"]].to_dict("records") == [
        {"month": "2023-01", "count": expected}
    ]


def test_the_boundaries_dbf_and_the_best_fit_lookup_agree_on_every_2021_lsoa(realdata, lookup):
    path = realdata / "london-lsoa" / "london-2021-lsoa-gen20.dbf"
    from_dbf = la.read_lsoa_la_lookup(path)
    table = pyogrio.read_dataframe(path, read_geometry=False)
    assert len(from_dbf) == len(table) == 4994
    from_bestfit = lookup.set_index("lsoa_code")["la_code"]
    assert all(from_bestfit[r.lsoa_code] == r.la_code for r in from_dbf.itertuples())
    assert from_dbf["la_code"].nunique() == 33
