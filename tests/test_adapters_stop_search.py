"""The police.uk stop-and-search adapter: the real Met file (read in place, skipped where the
real data are absent), both layouts from the synthetic generator, local time, and errors that
name the file, rows, column and layout."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import box

from pipeline.adapters import AdapterError
from pipeline.adapters.boundaries import read_lsoa_boundaries
from pipeline.adapters.police_uk_stop_search import (
    CURRENT,
    OLDER,
    REASON_NO_LOCATION,
    REASON_OUTSIDE,
    read_police_uk_stop_search,
    self_defined_group,
)
from pipeline.demo.stop_search import SELF_DEFINED_LABELS, group_of, synthetic_rows, write_month

WALTHAM_FOREST = "E09000031"
STOP_SEARCH = "police-uk-stop-search/2022-09-metropolitan-stop-and-search.csv"
LSOA21 = "london-lsoa/london-2021-lsoa-gen20.shp"
#: A square around a synthetic point (BNG metres), and points inside and outside it.
INSIDE, OUTSIDE = (51.59, -0.01), (51.40, -0.30)


def _square_area() -> gpd.GeoDataFrame:
    x, y = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(INSIDE[1], INSIDE[0])
    return gpd.GeoDataFrame(
        {"lsoa_code": ["E01000001"]}, geometry=[box(x - 500, y - 500, x + 500, y + 500)], crs=27700
    )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# --- the real file ------------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_file_every_row_is_kept_or_excluded_with_its_reason(realdata):
    path = realdata / STOP_SEARCH
    rows = _csv_rows(path)
    area = read_lsoa_boundaries(realdata / LSOA21, WALTHAM_FOREST)
    result = read_police_uk_stop_search(path, area=area)
    excluded = result.excluded.set_index("reason")["rows"]
    no_location = sum(1 for r in rows if not r["Latitude"] or not r["Longitude"])
    assert len(rows) == 12447
    assert int(excluded[REASON_NO_LOCATION]) == no_location
    assert len(result.frame) + result.rows_excluded == len(rows)
    # Independently: the area as one shape (shapely union, not the adapter's spatial index),
    # each located point projected with pyproj and tested with covers.
    shape = shapely.union_all(area.geometry.to_numpy())
    to_grid = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)
    located = [r for r in rows if r["Latitude"] and r["Longitude"]]
    xs, ys = to_grid.transform(
        [float(r["Longitude"]) for r in located], [float(r["Latitude"]) for r in located]
    )
    inside = shapely.covers(shape, shapely.points(xs, ys))
    assert len(result.frame) == int(inside.sum()) > 300
    assert int(excluded[REASON_OUTSIDE]) == len(located) - int(inside.sum())
    assert set(result.frame["layout"]) == {CURRENT.name}


@pytest.mark.realdata
def test_real_file_utc_times_become_british_summer_time(realdata):
    path = realdata / STOP_SEARCH
    first = _csv_rows(path)[0]
    assert first["Date"] == "2022-08-31T23:00:00+00:00"  # the file's first row, read by csv
    result = read_police_uk_stop_search(path, files_are_the_area=True)
    row = result.frame.loc[result.frame["source_line"] == 2].iloc[0]
    assert row["datetime_local"] == pd.Timestamp("2022-09-01 00:00", tz="Europe/London")
    assert str(row["datetime_local"].tzinfo) == "Europe/London"
    assert row["datetime_local"].utcoffset() == pd.Timedelta(hours=1)  # BST
    assert (row["date"], row["hour"], row["weekday"]) == (pd.Timestamp("2022-09-01"), 0, "Thursday")
    # Every row kept, located or not, when the file is said to be the area's.
    assert len(result.frame) == 12447 and result.rows_excluded == 0


@pytest.mark.realdata
def test_real_file_every_ethnicity_value_is_mapped(realdata):
    path = realdata / STOP_SEARCH
    rows = _csv_rows(path)
    frame = read_police_uk_stop_search(path, files_are_the_area=True).frame
    published = Counter(r["Self-defined ethnicity"] for r in rows)
    not_stated = published["Other ethnic group - Not stated"] + published[""]
    assert int((frame["self_defined_ethnicity"] == "Not stated").sum()) == not_stated
    black = sum(n for label, n in published.items() if label.startswith("Black/"))
    assert int((frame["self_defined_ethnicity"] == "Black").sum()) == black
    officer = Counter(r["Officer-defined ethnicity"] for r in rows)
    assert int((frame["officer_defined_ethnicity"] == "Not stated").sum()) == officer[""]
    assert int((frame["officer_defined_ethnicity"] == "White").sum()) == officer["White"]


# --- both layouts, from the generator -----------------------------------------------------------


@pytest.mark.parametrize("layout", ["current", "older"])
def test_generator_writes_the_layout_and_the_adapter_reads_it(tmp_path, layout):
    frame = synthetic_rows("2024-01", layout=layout, rows=80, seed=3, points=(INSIDE, OUTSIDE))
    path = write_month(tmp_path, "2024-01", frame)
    assert path.relative_to(tmp_path).as_posix() == "2024-01/2024-01-demo-stop-and-search.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == list((CURRENT if layout == "current" else OLDER).columns)
    result = read_police_uk_stop_search(tmp_path, area=_square_area())  # the folder is read
    written = _csv_rows(path)
    inside = [r for r in written if r["Latitude"] == f"{INSIDE[0]:.6f}"]
    assert len(result.frame) == len(inside)
    assert result.rows_excluded == len(written) - len(inside)
    expected = Counter(group_of(r["Self-defined ethnicity"], layout) for r in inside)
    assert Counter(result.frame["self_defined_ethnicity"]) == expected
    assert set(result.frame["layout"]) == {layout}
    if layout == "older":
        assert result.frame["outcome_linked"].isna().all()
        assert "Suspect arrested" not in set(result.frame["outcome"])
        arrested = result.frame["outcome_published"] == "Suspect arrested"
        assert (result.frame.loc[arrested, "outcome"] == "Arrest").all()
    else:
        linked = [r["Outcome linked to object of search"] for r in inside]
        assert int(result.frame["outcome_linked"].sum()) == linked.count("True")


def test_generator_labels_map_to_the_groups_it_means():
    for layout, labels in SELF_DEFINED_LABELS.items():
        for label, group in labels:
            assert self_defined_group(label) == group, (layout, label)


def test_gmt_and_the_autumn_change_of_clock(tmp_path):
    frame = synthetic_rows("2022-10", rows=3, seed=1, points=(INSIDE,), share_without_location=0)
    frame["Date"] = [
        "2023-01-15T12:30:00+00:00",
        "2022-10-30T00:30:00+00:00",
        "2022-10-30T01:30:00+00:00",
    ]
    path = write_month(tmp_path, "2022-10", frame)
    local = read_police_uk_stop_search(path, files_are_the_area=True).frame
    local = local.sort_values("source_line")
    # 12:30 UTC in January is 12:30 GMT; 00:30 UTC on 30 October 2022 is 01:30 BST, and one
    # hour later (01:30 UTC) the clocks have gone back: 01:30 GMT, the same hour of the day.
    assert list(local["hour"]) == [12, 1, 1]
    offsets = [t.utcoffset() for t in local["datetime_local"]]
    assert offsets == [pd.Timedelta(0), pd.Timedelta(hours=1), pd.Timedelta(0)]
    assert list(local["weekday"]) == ["Sunday", "Sunday", "Sunday"]


# --- bad input ------------------------------------------------------------------------------------


def _written(tmp_path: Path, **changes: object) -> Path:
    frame = synthetic_rows("2024-01", rows=12, seed=2, points=(INSIDE,))
    for column, value in changes.items():
        frame.loc[4, column] = value
    return write_month(tmp_path, "2024-01", frame)


def test_a_bad_date_names_file_line_column_and_layout(tmp_path):
    path = _written(tmp_path, Date="2024-01-05 10:00")
    with pytest.raises(AdapterError) as error:
        read_police_uk_stop_search(path, area=_square_area())
    text = str(error.value)
    assert text.startswith("2024-01-demo-stop-and-search.csv, row 6, column 'Date': ")
    assert "current layout" in text and "pipeline.adapters.police_uk_stop_search" in text
    assert "\n" not in text


def test_unknown_values_are_errors_not_guesses(tmp_path):
    with pytest.raises(AdapterError, match="column 'Self-defined ethnicity'.*Martian"):
        read_police_uk_stop_search(
            _written(tmp_path / "a", **{"Self-defined ethnicity": "Martian - Green"}),
            area=_square_area(),
        )
    with pytest.raises(AdapterError, match="column 'Officer-defined ethnicity'.*IC1"):
        read_police_uk_stop_search(
            _written(tmp_path / "b", **{"Officer-defined ethnicity": "IC1"}), area=_square_area()
        )
    with pytest.raises(AdapterError, match="column 'Latitude'.*north"):
        read_police_uk_stop_search(_written(tmp_path / "c", Latitude="north"), area=_square_area())


def test_a_header_of_neither_layout_names_both(tmp_path):
    frame = synthetic_rows("2024-01", rows=3, layout="older").drop(columns=["Outcome"])
    path = write_month(tmp_path, "2024-01", frame)
    with pytest.raises(AdapterError) as error:
        read_police_uk_stop_search(path, area=_square_area())
    text = str(error.value)
    assert "missing column(s) ['Outcome']" in text
    assert "current layout (15 columns" in text and "older layout (13 columns" in text


def test_a_folder_without_files_and_a_missing_area_are_refused(tmp_path):
    with pytest.raises(AdapterError, match="no YYYY-MM-<force>-stop-and-search.csv"):
        read_police_uk_stop_search(tmp_path, area=_square_area())
    with pytest.raises(ValueError, match="area is needed"):
        read_police_uk_stop_search(_written(tmp_path))


def test_files_from_several_months_are_read_and_sorted_by_local_time(tmp_path):
    for month, seed in (("2024-02", 5), ("2024-01", 6)):
        write_month(tmp_path, month, synthetic_rows(month, rows=20, seed=seed, points=(INSIDE,)))
    result = read_police_uk_stop_search(tmp_path, files_are_the_area=True)
    assert len(result.frame) == 40
    assert result.frame["datetime_local"].is_monotonic_increasing
    assert set(result.frame["source"]) == {
        "2024-01-demo-stop-and-search.csv",
        "2024-02-demo-stop-and-search.csv",
    }
