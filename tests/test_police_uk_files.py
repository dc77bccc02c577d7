"""police.uk street CSVs and API JSON on the synthetic files of pipeline.demo.police_uk_files.

Every expected number is counted here with the csv and json modules, pyproj and arithmetic on
the generator's squares, following the rules written in the adapters' module docs, not with
the adapters.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from pipeline.adapters import AdapterError, read_police_uk_street
from pipeline.adapters import police_uk as street
from pipeline.adapters import police_uk_api as api
from pipeline.adapters import police_uk_la as la
from pipeline.demo import police_uk_files as synthetic

NORTHTOWN, SOUTHVALE, EASTBURY = "E06900001", "E06900002", "E06900003"
ALL_LSOAS = [code for area in synthetic.AREAS for code in synthetic.area_lsoas(area)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> synthetic.PoliceUkFiles:
    return synthetic.write_police_uk_files(tmp_path_factory.mktemp("police-uk"))


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def archive_files(files: synthetic.PoliceUkFiles) -> list[Path]:
    """The archive's street files in the order a folder is read (sorted by path)."""
    return sorted(files.archive.glob("*/*-street.csv"))


def expected_street(paths: list[Path], area: set[str], force: str | None):
    """(month, reason) -> rows, and (lsoa, month, type) -> kept, by the documented rules."""
    outcomes: Counter = Counter()
    kept: Counter = Counter()
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for path in paths:
        counted = set()
        for row in rows_of(path):
            crime_id = row["Crime ID"]
            if synthetic.BTP in (row["Reported by"], row["Falls within"]):
                reason = street.REASON_BTP
            elif not row["LSOA code"]:
                reason = street.REASON_NO_LOCATION
            elif row["LSOA code"] not in area:
                reason = street.REASON_OUTSIDE
            elif force is not None and row["Reported by"] != force:
                reason = street.REASON_OTHER_FORCE
            elif not crime_id and path.name in seen_names:
                reason = street.REASON_SECOND_COPY_NO_ID
            elif crime_id and crime_id in seen_ids:
                reason = street.REASON_DUPLICATE
            else:
                reason = "kept"
                kept[(row["LSOA code"], row["Month"], row["Crime type"])] += 1
                if crime_id:
                    counted.add(crime_id)
            outcomes[(row["Month"], reason)] += 1
        seen_ids |= counted
        seen_names.add(path.name)
    return outcomes, kept


def got_street(result) -> tuple[Counter, Counter]:
    outcomes: Counter = Counter()
    for row in result.excluded.itertuples():
        if row.rows:
            outcomes[(row.month, row.reason)] += row.rows
    kept = Counter()
    for row in result.frame.itertuples():
        outcomes[(row.month, "kept")] += row.count
        kept[(row.lsoa_code, row.month, row.crime_type)] += row.count
    return outcomes, kept


# ---------------------------------------------------------------- the generator


def test_generator_gives_the_same_bytes_for_the_same_seed_and_plants_each_case(files, tmp_path):
    again = synthetic.write_police_uk_files(tmp_path / "again")
    written = sorted(p.relative_to(files.root) for p in files.root.rglob("*") if p.is_file())
    assert written == sorted(
        p.relative_to(again.root) for p in again.root.rglob("*") if p.is_file()
    )
    assert all((files.root / p).read_bytes() == (again.root / p).read_bytes() for p in written)
    months = {p.parent.name for p in archive_files(files)}
    assert months == set(synthetic.MONTHS) and len(months) == 13
    for month in synthetic.MONTHS:
        north, south, btp = (
            rows_of(files.archive / month / f"{month}-{slug}-street.csv")
            for slug in ("northshire", "southshire", "btp")
        )
        north_ids = Counter(r["Crime ID"] for r in north if r["Crime ID"])
        south_ids = {r["Crime ID"] for r in south if r["Crime ID"]}
        assert len(set(north_ids) & south_ids) == 1  # a crime in both forces' files
        assert [n for n in north_ids.values() if n > 1] == [2]  # one ID twice in a file
        assert {r["Reported by"] for r in btp} == {synthetic.BTP} and len(btp) == 2
        assert any(not r["Crime ID"] for r in north)  # anti-social behaviour has no ID
        assert sum(not r["LSOA code"] for r in north) == 2
        northtown = set(synthetic.area_lsoas(NORTHTOWN))
        assert sum(r["LSOA code"] in northtown for r in south) == 2  # spill-over + shared crime
    june = rows_of(files.archive / "2023-06" / "2023-06-northshire-street.csv")
    again_june = rows_of(files.republished / "2023-06-northshire-street.csv")
    assert again_june[: len(june)] == june and len(again_june) == len(june) + 1
    answers = [json.loads(p.read_text()) for p in sorted(files.api.glob("*.json"))]
    keys = [c["persistent_id"] or c["id"] for answer in answers for c in answer]
    assert len(keys) > len(set(keys))  # the answers overlap
    assert sum(c["location_type"] == "BTP" for a in answers for c in a) == 1


def test_squares_hold_their_own_codes(files):
    squares = {code: synthetic.lsoa_square(code) for code in ALL_LSOAS}
    assert len(set(squares.values())) == 12
    for row in files.boundaries.itertuples():
        assert row.geometry.bounds == squares[row.lsoa_code]


# ---------------------------------------------------------------- street-level CSV


def test_archive_and_republished_folders_count_every_row_once_by_reason(files):
    paths = [*archive_files(files), *sorted(files.republished.glob("*.csv"))]
    result = read_police_uk_street([files.archive, files.republished], ALL_LSOAS)
    outcomes, kept = expected_street(paths, set(ALL_LSOAS), None)
    assert got_street(result) == (outcomes, kept)
    assert sum(outcomes.values()) == sum(len(rows_of(p)) for p in paths)
    reasons = {reason for _, reason in outcomes}
    assert {street.REASON_BTP, street.REASON_NO_LOCATION, street.REASON_DUPLICATE,
            street.REASON_SECOND_COPY_NO_ID} <= reasons  # fmt: skip
    # The republished June adds one crime; its other rows are the first copy's.
    june = result.frame.loc[result.frame["month"] == "2023-06", "count"].sum()
    only_archive = read_police_uk_street(files.archive, ALL_LSOAS)
    assert (
        june == only_archive.frame.loc[only_archive.frame["month"] == "2023-06", "count"].sum() + 1
    )


def test_area_force_keeps_its_own_records_and_each_shared_crime_once(files):
    area = synthetic.area_lsoas(NORTHTOWN)
    result = read_police_uk_street(files.archive, area, force=synthetic.NORTHSHIRE)
    assert got_street(result) == expected_street(archive_files(files), set(area),
                                                 synthetic.NORTHSHIRE)  # fmt: skip
    other = result.excluded.loc[result.excluded["reason"] == street.REASON_OTHER_FORCE]
    assert set(other["detail"]) == {synthetic.SOUTHSHIRE}
    assert other["rows"].sum() == 2 * 13  # spill-over and the shared crime's second record


def test_duplicates_name_the_file_already_counted_and_skipped_files_are_listed(files):
    result = read_police_uk_street([files.archive, files.republished], ALL_LSOAS)
    excluded = result.excluded
    june = excluded.loc[(excluded["month"] == "2023-06")
                        & (excluded["reason"] == street.REASON_DUPLICATE)]  # fmt: skip
    assert set(june["detail"]) == {"2023-06/2023-06-northshire-street.csv"}
    assert set(june["source"]) == {"2023-06-southshire-street.csv",
                                   "republished/2023-06-northshire-street.csv"}  # fmt: skip
    skipped = excluded.loc[excluded["reason"] == street.REASON_NOT_STREET]
    assert skipped[["source", "detail", "rows"]].to_dict("records") == [
        {"source": "2023-04-northshire-outcomes.csv",
         "detail": "2023-04/2023-04-northshire-outcomes.csv", "rows": 0}
    ]  # fmt: skip


def test_files_given_one_by_one_equal_the_folder(files):
    whole = read_police_uk_street(files.archive, ALL_LSOAS, by_force=True)
    one_by_one = read_police_uk_street(archive_files(files), ALL_LSOAS, by_force=True)
    pd.testing.assert_frame_equal(whole.frame, one_by_one.frame)
    assert set(whole.frame["force"]) == {synthetic.NORTHSHIRE, synthetic.SOUTHSHIRE}


def test_paths_that_are_not_street_files_give_one_line_errors(files, tmp_path):
    with pytest.raises(AdapterError, match=r"^nowhere: not a file or a folder: expected a "):
        read_police_uk_street(tmp_path / "nowhere", ALL_LSOAS)
    answer = sorted(files.api.glob("*.json"))[0]
    with pytest.raises(AdapterError, match=r"read it with .*read_police_uk_api_json$") as error:
        read_police_uk_street(answer, ALL_LSOAS)
    assert "\n" not in str(error.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AdapterError, match=r"empty: no YYYY-MM-<force>-street\.csv files"):
        read_police_uk_street(tmp_path / "empty", ALL_LSOAS)


# ---------------------------------------------------------------- LA series


def expected_la_month(paths, la_code: str, force: str, crime_types: set[str]) -> Counter:
    """The LA's crimes of the types by month: its force's records, a Crime ID once."""
    area = set(synthetic.area_lsoas(la_code))
    _, kept = expected_street(paths, area, force)
    by_month: Counter = Counter()
    for (_, month, crime_type), n in kept.items():
        if crime_type in crime_types:
            by_month[month] += n
    return by_month


def test_la_series_match_each_force_s_own_records(files):
    counts = read_police_uk_street(files.archive, ALL_LSOAS, by_force=True).frame
    result = la.police_uk_comparator_series(counts, files.lookup, "possession_of_weapons")
    frame = result.frame
    assert list(frame.columns) == ["area_code", "area_name", "month", "measure", "count"]
    assert sorted(set(frame["area_code"])) == [NORTHTOWN, SOUTHVALE, EASTBURY]
    for code, (_, force, _) in synthetic.AREAS.items():
        rows = frame.loc[frame["area_code"] == code]
        assert list(rows["month"]) == synthetic.MONTHS
        expected = expected_la_month(archive_files(files), code, force, {"Possession of weapons"})
        assert dict(zip(rows["month"], rows["count"], strict=True)) == {
            m: expected.get(m, 0) for m in synthetic.MONTHS
        }
    # The shared crime's Southshire record was a duplicate already; no other force remains.
    assert street.REASON_OTHER_FORCE not in set(result.excluded["reason"])
    # Southshire's robbery located in Northtown each month is not Northtown's series.
    robbery = la.police_uk_comparator_series(counts, files.lookup, "robbery")
    other = robbery.excluded.loc[robbery.excluded["reason"] == street.REASON_OTHER_FORCE]
    assert set(other["detail"]) == {f"{NORTHTOWN} {synthetic.SOUTHSHIRE}"}
    assert other["rows"].sum() == 13
    northtown = robbery.frame.loc[robbery.frame["area_code"] == NORTHTOWN, "count"].sum()
    expected = expected_la_month(archive_files(files), NORTHTOWN, synthetic.NORTHSHIRE, {"Robbery"})
    assert northtown == sum(expected.values())


def test_financial_years_sum_twelve_months_and_list_part_years(files):
    counts = read_police_uk_street(files.archive, ALL_LSOAS, by_force=True).frame
    series = la.police_uk_comparator_series(counts, files.lookup, "robbery").frame
    years = la.financial_year_totals(series)
    assert sorted(set(years.frame["financial_year"])) == ["2023-24"]
    for code in synthetic.AREAS:
        months = series.loc[(series["area_code"] == code) & (series["month"] <= "2024-03")]
        total = years.frame.loc[years.frame["area_code"] == code, "count"].item()
        assert total == months["count"].sum()
    assert set(years.excluded["detail"]) == {
        f"{c} robbery 2024-25: 1 months" for c in synthetic.AREAS
    }


def test_an_la_whose_force_file_is_missing_is_excluded_not_near_zero(files):
    southshire = sorted(files.archive.glob("*/*-southshire-street.csv"))
    counts = read_police_uk_street(southshire, ALL_LSOAS, by_force=True).frame
    result = la.police_uk_comparator_series(counts, files.lookup, "robbery", list(synthetic.AREAS))
    assert set(result.frame["area_code"]) == {SOUTHVALE}
    missing = result.excluded.loc[result.excluded["reason"] == la.REASON_NO_FORCE_FILE]
    assert missing["detail"].tolist() == [
        f"{NORTHTOWN}: crimes in only 1 of its 4 LSOAs (most from {synthetic.SOUTHSHIRE}: near "
        "its boundary?)",
        f"{EASTBURY}: no crimes located in it",
    ]
    named = la.police_uk_comparator_series(
        counts, files.lookup, "robbery", [NORTHTOWN], la_forces={NORTHTOWN: synthetic.NORTHSHIRE}
    )
    assert named.frame.empty
    assert named.excluded["reason"].tolist() == [la.REASON_MONTHS_MISSING]


def test_months_asked_for_must_all_be_covered(files):
    counts = read_police_uk_street(files.archive, ALL_LSOAS, by_force=True).frame
    result = la.police_uk_comparator_series(
        counts, files.lookup, "robbery", [SOUTHVALE, "E06999999"], months=["2023-04", "2024-05"]
    )
    assert result.frame.empty
    assert result.excluded[["reason", "detail"]].to_dict("records") == [
        {"reason": la.REASON_NOT_IN_LOOKUP_AREA, "detail": "E06999999"},
        {"reason": la.REASON_MONTHS_MISSING,
         "detail": f"{SOUTHVALE} {synthetic.SOUTHSHIRE}: no crimes in 2024-05"},
    ]  # fmt: skip
    with pytest.raises(AdapterError, match="no police.uk crime type gives measure 'violence_with"):
        la.police_uk_comparator_series(counts, files.lookup, "violence_with_injury")


def test_lookup_reads_both_lsoa_vintages_and_refuses_an_lsoa_in_two_las(tmp_path):
    path = tmp_path / "bestfit.csv"
    path.write_text(
        "LSOA11CD,LSOA21CD,CHGIND,LAD22CD,LAD22NM\n"
        "E01000001,E01000001,U,E09000001,City of London\n"
        "E01000002,E01035000,S,E09000001,City of London\n"
        "E01000003,E01035001,U,E09000002,Barking and Dagenham\n",
        encoding="utf-8",
    )
    lookup = la.read_lsoa_la_lookup(path)
    assert lookup.to_dict("list") == {
        "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01035000", "E01035001"],
        "la_code": ["E09000001", "E09000001", "E09000002", "E09000001", "E09000002"],
        "la_name": ["City of London"] * 2 + ["Barking and Dagenham", "City of London",
                                             "Barking and Dagenham"],
    }  # fmt: skip
    path.write_text(path.read_text() + "E01000001,E01035002,S,E09000002,Barking\n")
    with pytest.raises(
        AdapterError, match=r"bestfit\.csv, column 'LAD22CD': LSOA\(s\) \['E01000001'"
    ):
        la.read_lsoa_la_lookup(path)


# ---------------------------------------------------------------- API JSON


def expected_api(paths: list[Path]) -> tuple[Counter, Counter]:
    """(month, reason) -> crimes and (lsoa, month, type) -> kept, with pyproj and the squares."""
    to_grid = Transformer.from_crs(4326, 27700, always_xy=True)
    labels = {slug: label for label, slug in synthetic.CRIME_TYPES.items()}
    outcomes: Counter = Counter()
    kept: Counter = Counter()
    seen: set = set()
    for path in paths:
        keys = set()
        for crime in json.loads(path.read_text(encoding="utf-8")):
            key = crime["persistent_id"] or crime["id"]
            location = crime["location"]
            if key in seen:
                reason = api.REASON_REPEATED
            elif crime["location_type"] == "BTP":
                reason = api.REASON_BTP
            elif location is None:
                reason = api.REASON_NO_LOCATION
            else:
                x, y = to_grid.transform(float(location["longitude"]), float(location["latitude"]))
                lsoa = [c for c in ALL_LSOAS if _inside(x, y, synthetic.lsoa_square(c))]
                reason = "kept" if lsoa else api.REASON_OUTSIDE_POLYGONS
                if lsoa:
                    kept[(lsoa[0], crime["month"], labels[crime["category"]])] += 1
            keys.add(key)
            outcomes[(crime["month"], reason)] += 1
        seen |= keys
    return outcomes, kept


def _inside(x: float, y: float, square: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = square
    return minx <= x <= maxx and miny <= y <= maxy


def test_api_answers_count_each_crime_once_in_its_lsoa(files):
    result = api.read_police_uk_api_json(files.api, files.boundaries.to_crs(4326))
    outcomes, kept = expected_api(sorted(files.api.glob("*.json")))
    assert got_street(result) == (outcomes, kept)
    assert {reason for _, reason in outcomes} == {
        "kept", api.REASON_REPEATED, api.REASON_BTP, api.REASON_NO_LOCATION,
        api.REASON_OUTSIDE_POLYGONS,
    }  # fmt: skip
    # The answers hold Northtown's June crimes of the street file, each once.
    june = rows_of(files.archive / "2023-06" / "2023-06-northshire-street.csv")
    northtown = set(synthetic.area_lsoas(NORTHTOWN))
    assert sum(kept.values()) == sum(r["LSOA code"] in northtown for r in june)


def test_api_counts_give_la_series_without_a_force_column(files):
    counts = api.read_police_uk_api_json(files.api, files.boundaries).frame
    result = la.police_uk_comparator_series(counts, files.lookup, "robbery", [NORTHTOWN])
    june = rows_of(files.archive / "2023-06" / "2023-06-northshire-street.csv")
    northtown = set(synthetic.area_lsoas(NORTHTOWN))
    assert result.frame["count"].tolist() == [
        sum(r["LSOA code"] in northtown and r["Crime type"] == "Robbery" for r in june)
    ]


def test_api_bad_answers_give_one_line_errors(files, tmp_path):
    shapes = files.boundaries
    bad = tmp_path / "bad.json"
    bad.write_text('[{"category": "knife-crime", "month": "2024-01", "id": 1}]')
    with pytest.raises(AdapterError, match=r"^bad\.json: crime 1, key 'category': category "):
        api.read_police_uk_api_json(bad, shapes)
    bad.write_text('{"category": "robbery"}')
    with pytest.raises(AdapterError, match=r"found a JSON dict$"):
        api.read_police_uk_api_json(bad, shapes)
    bad.write_text("[{")
    with pytest.raises(AdapterError, match=r"found malformed JSON"):
        api.read_police_uk_api_json(bad, shapes)
    street_csv = archive_files(files)[0]
    with pytest.raises(AdapterError, match=r"read street-level CSVs with .*read_police_uk_street"):
        api.read_police_uk_api_json(street_csv, shapes)
