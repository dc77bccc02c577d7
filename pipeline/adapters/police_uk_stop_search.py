"""data.police.uk stop-and-search CSV -> one row per search in the area, in local time.

Where to get it: data.police.uk (Home Office), "Data downloads" -> choose forces and months ->
"Include stop and search data"; the zip holds one ``YYYY-MM/YYYY-MM-<force>-stop-and-search.csv``
per force and month. Bulk archives of every force and month are under "Archive" (same layout).
Give files, or folders in that layout (every ``*-stop-and-search.csv`` in them is read).

Two layouts are read (:data:`LAYOUTS`), told apart by the header:

* **current**: ``Type, Date, Part of a policing operation, Policing operation, Latitude,
  Longitude, Gender, Age range, Self-defined ethnicity, Officer-defined ethnicity,
  Legislation, Object of search, Outcome, Outcome linked to object of search, Removal of more
  than just outer clothing``; outcomes such as "A no further action disposal", "Arrest".
* **older**: the same without the last two columns, and outcomes worded differently
  ("Nothing found - no further action", "Suspect arrested", ...). Those are put into the
  current wording with :data:`OLDER_OUTCOMES` (the published text stays in
  ``outcome_published``); ``outcome_linked`` and ``removal_more_than_outer`` are then missing.

What it produces (the tidy stop-and-search frame, checked by
:class:`pipeline.validate.stop_search.StopSearch`): one row per search (police.uk gives one row
per person or vehicle searched, so two people searched together are two rows), with the time
converted from UTC (police.uk's ``Date``, ISO 8601 with ``+00:00``) to Europe/London local time
(BST in summer): ``datetime_local, date, hour, weekday``; the published ``age_range`` and
``gender`` ("Not recorded" when empty); ``self_defined_ethnicity`` mapped to the Census 2021
high-level groups with :data:`SELF_DEFINED_TO_CENSUS` (Asian, Black, Mixed, White, Other, Not
stated); ``officer_defined_ethnicity`` (Asian, Black, White, Other, Mixed, or Not stated when
empty); ``object_of_search``, ``outcome``, ``outcome_linked``.

Which searches are the area's: with ``area`` (polygons with a coordinate reference system:
the area's LSOA boundaries, or its local-authority boundary), a search is kept when its point
(WGS84 ``Latitude``/``Longitude``, snapped by police.uk to an anonymous map point) lies in or on
the edge of one of them; rows without coordinates are excluded as
:data:`REASON_NO_LOCATION`, rows outside as :data:`REASON_OUTSIDE`, counted by file. With
``files_are_the_area=True`` (a file that holds only the area's searches) every row is kept,
located or not. Nothing is dropped silently: ``excluded`` counts every row not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from pipeline.adapters._common import (
    AdapterError,
    AdapterResult,
    as_paths,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_header,
    read_csv_text,
)
from pipeline.adapters._formats import wrong_file_hint
from pipeline.formatting import WEEKDAYS

if TYPE_CHECKING:
    import geopandas as gpd

LOCAL_TIME = ZoneInfo("Europe/London")
FORMAT = "data.police.uk stop-and-search CSV"
ADAPTER = "pipeline.adapters.police_uk_stop_search"
REASON_NO_LOCATION = "no location (no coordinates)"
REASON_OUTSIDE = "located outside the area"
#: What an empty published value becomes.
NOT_RECORDED = "Not recorded"
NOT_STATED = "Not stated"

_OLDER_COLUMNS: tuple[str, ...] = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
)
_CURRENT_COLUMNS: tuple[str, ...] = (
    *_OLDER_COLUMNS,
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
)


@dataclass(frozen=True)
class Layout:
    """One published column layout of the stop-and-search CSV."""

    name: str
    columns: tuple[str, ...]
    description: str


CURRENT = Layout(
    "current",
    _CURRENT_COLUMNS,
    "current layout (15 columns, with 'Outcome linked to object of search')",
)
OLDER = Layout(
    "older",
    _OLDER_COLUMNS,
    "older layout (13 columns, without 'Outcome linked to object of search' and "
    "'Removal of more than just outer clothing')",
)
#: The layouts read, the fuller first (a header is read as the first whose columns it has).
LAYOUTS: tuple[Layout, ...] = (CURRENT, OLDER)

#: Published values allowed in each column (an empty cell is always allowed).
AGE_RANGES: tuple[str, ...] = ("under 10", "10-17", "18-24", "25-34", "over 34")
GENDERS: tuple[str, ...] = ("Male", "Female", "Other")
OFFICER_DEFINED: tuple[str, ...] = ("Asian", "Black", "Mixed", "Other", "White")
SEARCH_TYPES: tuple[str, ...] = ("Person search", "Person and Vehicle search", "Vehicle search")

#: Census 2021 high-level ethnic groups (and Not stated) the self-defined values map to.
CENSUS_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other", NOT_STATED)
#: Self-defined ethnicity -> Census 2021 high-level group, by the part before " - " (police.uk
#: writes "<group> - <category>": the 2011/2021 18+1 categories in current files, the 2001
#: 16+1 categories with their code, e.g. "White - White British (W1)", in older ones). Two
#: rules come first: a category that is "Not stated" (or an empty cell) is Not stated, and
#: "Chinese" is Asian (Census 2021 counts it under Asian; in 2001 it was "Chinese or other").
SELF_DEFINED_TO_CENSUS: dict[str, str] = {
    "White": "White",
    "Mixed/Multiple ethnic groups": "Mixed",
    "Mixed": "Mixed",
    "Asian/Asian British": "Asian",
    "Asian or Asian British": "Asian",
    "Asian": "Asian",
    "Black/African/Caribbean/Black British": "Black",
    "Black or Black British": "Black",
    "Black": "Black",
    "Other ethnic group": "Other",
    "Chinese or other ethnic group": "Other",
}
#: Older-layout outcomes -> the current wording (values not listed are kept as published).
OLDER_OUTCOMES: dict[str, str] = {
    "Nothing found - no further action": "A no further action disposal",
    "Suspect arrested": "Arrest",
    "Offender given penalty notice": "Penalty Notice for Disorder",
    "Suspect summonsed to court": "Summons / charged by post",
    "Offender cautioned": "Caution (simple or conditional)",
    "Local resolution": "Community resolution",
    "Offender given drugs possession warning": "Khat or Cannabis warning",
}
_TRUE_FALSE = {"true": True, "false": False}
_ISO_WITH_OFFSET = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
)

#: Columns of the tidy frame, in order.
TIDY_COLUMNS: tuple[str, ...] = (
    "source",
    "source_line",
    "layout",
    "search_type",
    "datetime_local",
    "date",
    "hour",
    "weekday",
    "age_range",
    "gender",
    "self_defined_ethnicity",
    "self_defined_ethnicity_published",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
    "outcome_published",
    "outcome_linked",
    "removal_more_than_outer",
)


def self_defined_group(label: str) -> str | None:
    """The Census 2021 high-level group of a published self-defined ethnicity (None when the
    label is not one :data:`SELF_DEFINED_TO_CENSUS` knows)."""
    text = " ".join(label.split())
    if not text:
        return NOT_STATED
    prefix, _, category = (part.strip() for part in text.partition(" - "))
    if category.casefold().startswith("not stated") or prefix.casefold() == "not stated":
        return NOT_STATED
    known = {key.casefold(): group for key, group in SELF_DEFINED_TO_CENSUS.items()}
    if prefix.casefold() not in known:
        return None
    if "chinese" in category.casefold():
        return "Asian"
    return known[prefix.casefold()]


def stop_search_files(paths: Path | str | Iterable[Path | str]) -> list[Path]:
    """The CSV files to read: each file given, and every ``*-stop-and-search.csv`` in each
    folder given (the archive's ``YYYY-MM/`` sub-folders included), sorted by name."""
    files: list[Path] = []
    for path in as_paths(paths):
        if path.is_dir():
            found = sorted(
                {*path.glob("*-stop-and-search.csv"), *path.glob("*/*-stop-and-search.csv")},
                key=lambda p: (p.name, str(p)),
            )
            if not found:
                raise AdapterError(
                    f"{path}: no YYYY-MM-<force>-stop-and-search.csv file in this folder or "
                    f"its YYYY-MM sub-folders ({FORMAT}, read by {ADAPTER})"
                )
            files += found
        else:
            files.append(path)
    return files


def read_police_uk_stop_search(
    paths: Path | str | Iterable[Path | str],
    *,
    area: gpd.GeoDataFrame | None = None,
    files_are_the_area: bool = False,
) -> AdapterResult:
    """Read stop-and-search files (files or archive folders) into the tidy frame, keeping the
    searches in ``area`` (polygons; see the module docstring), or every search when
    ``files_are_the_area``."""
    if area is None and not files_are_the_area:
        raise ValueError("area is needed (the area's boundaries) unless files_are_the_area=True")
    frames, excluded = [], []
    for path in stop_search_files(paths):
        frame, dropped = _read_file(path, area, files_are_the_area)
        frames.append(frame)
        excluded += dropped
    tidy = pd.concat(frames, ignore_index=True) if frames else _empty()
    tidy = tidy.sort_values(["datetime_local", "source", "source_line"], kind="stable")
    return AdapterResult(frame=tidy.reset_index(drop=True), excluded=excluded_frame(excluded))


def layout_of(path: Path, header: Iterable[str]) -> Layout:
    """The layout whose columns the header has; an error naming both layouts otherwise."""
    present = {column.strip() for column in header}
    for layout in LAYOUTS:
        if set(layout.columns) <= present:
            return layout
    missing = [c for c in OLDER.columns if c not in present]
    if missing:
        raise fail(
            path,
            f"not a {FORMAT} file: missing column(s) {missing} (neither the "
            f"{CURRENT.description} nor the {OLDER.description}; read by {ADAPTER})"
            + wrong_file_hint(present, "police_uk_stop_search"),
            column=missing[0],
        )
    return OLDER  # pragma: no cover - the older columns are a subset of every layout's


def _read_file(
    path: Path, area: gpd.GeoDataFrame | None, files_are_the_area: bool
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    layout = layout_of(path, read_csv_header(path))
    raw = read_csv_text(path, FORMAT)
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw.apply(lambda column: column.str.strip())
    lines = np.asarray(csv_line_numbers(range(len(raw))), dtype="int64")
    check = _Checker(path, layout, lines)
    frame = _tidy(raw, layout, check)
    frame.insert(0, "source_line", lines)
    frame.insert(0, "source", path.name)
    if files_are_the_area:
        return frame, []
    latitude = check.coordinate(raw["Latitude"], "Latitude", 90)
    longitude = check.coordinate(raw["Longitude"], "Longitude", 180)
    located = (latitude.notna() & longitude.notna()).to_numpy()
    inside = np.zeros(len(raw), dtype=bool)
    inside[located] = _inside(longitude[located], latitude[located], area)
    dropped = [
        {"source": path.name, "reason": reason, "detail": "", "rows": int(mask.sum())}
        for reason, mask in ((REASON_NO_LOCATION, ~located), (REASON_OUTSIDE, located & ~inside))
        if mask.any()
    ]
    return frame.loc[inside].reset_index(drop=True), [{**d, "value": pd.NA} for d in dropped]


def _inside(longitude: pd.Series, latitude: pd.Series, area: gpd.GeoDataFrame) -> np.ndarray:
    """True for points in or on the edge of any of the area's polygons."""
    import geopandas as gpd  # here: a caller that only needs the mapping tables never loads it

    if area.crs is None:
        raise ValueError("area has no coordinate reference system (expected EPSG:27700)")
    points = gpd.GeoSeries(
        gpd.points_from_xy(longitude.to_numpy(), latitude.to_numpy()), crs=4326
    ).to_crs(area.crs)
    hits, _ = area.geometry.sindex.query(points, predicate="intersects")
    inside = np.zeros(len(points), dtype=bool)
    inside[np.unique(hits)] = True
    return inside


class _Checker:
    """Checks of one file's values, each raising one line: file, rows, column, rule, layout."""

    def __init__(self, path: Path, layout: Layout, lines: np.ndarray) -> None:
        self.path, self.layout, self.lines = path, layout, lines

    def fail(self, column: str, rule: str, bad: np.ndarray) -> AdapterError:
        return fail(
            self.path,
            f"{rule} ({FORMAT}, {self.layout.description}; read by {ADAPTER})",
            column=column,
            rows=[int(n) for n in self.lines[bad]],
        )

    def allowed(self, values: pd.Series, column: str, allowed: Iterable[str]) -> None:
        bad = (~values.isin(["", *allowed])).to_numpy()
        if bad.any():
            found = sorted(set(values[bad]))[:3]
            raise self.fail(
                column, f"value must be one of {list(allowed)} or empty, found {found}", bad
            )

    def coordinate(self, values: pd.Series, column: str, limit: float) -> pd.Series:
        numbers = pd.to_numeric(values.where(values != ""), errors="coerce")
        bad = ((values != "") & (numbers.isna() | (numbers.abs() > limit))).to_numpy()
        if bad.any():
            found = sorted(set(values[bad]))[:3]
            raise self.fail(
                column,
                f"must be a number from -{limit:g} to {limit:g} (WGS84 "
                f"degrees) or empty, found {found}",
                bad,
            )
        return numbers

    def local_times(self, values: pd.Series) -> pd.Series:
        shaped = values.str.match(_ISO_WITH_OFFSET).to_numpy()
        parsed = pd.to_datetime(values.where(shaped), utc=True, errors="coerce", format="ISO8601")
        bad = ~shaped | parsed.isna().to_numpy()
        if bad.any():
            found = sorted(set(values[bad]))[:3]
            raise self.fail(
                "Date",
                "must be an ISO 8601 date and time with its UTC offset "
                f"(e.g. 2022-09-01T12:30:00+00:00), found {found}",
                bad,
            )
        return parsed.dt.tz_convert(LOCAL_TIME)

    def flags(self, values: pd.Series, column: str) -> pd.Series:
        lowered = values.str.casefold()
        bad = (~lowered.isin(["", *_TRUE_FALSE])).to_numpy()
        if bad.any():
            found = sorted(set(values[bad]))[:3]
            raise self.fail(column, f"must be True, False or empty, found {found}", bad)
        return lowered.map(_TRUE_FALSE).astype("boolean")


def _tidy(raw: pd.DataFrame, layout: Layout, check: _Checker) -> pd.DataFrame:
    """The tidy columns of one file's rows (checked; in the file's order)."""
    for column, allowed in (
        ("Type", SEARCH_TYPES),
        ("Gender", GENDERS),
        ("Age range", AGE_RANGES),
        ("Officer-defined ethnicity", OFFICER_DEFINED),
    ):
        check.allowed(raw[column], column, allowed)
    groups = raw["Self-defined ethnicity"].map(self_defined_group)
    unknown = groups.isna().to_numpy()
    if unknown.any():
        found = sorted(set(raw["Self-defined ethnicity"][unknown]))[:3]
        raise check.fail(
            "Self-defined ethnicity",
            f"not a category the Census 2021 mapping knows, found {found} (known groups: "
            f"{sorted(SELF_DEFINED_TO_CENSUS)})",
            unknown,
        )
    local = check.local_times(raw["Date"])
    outcome = raw["Outcome"]
    if layout is OLDER:
        outcome = outcome.replace(OLDER_OUTCOMES)
    missing_flags = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    in_current = layout is CURRENT
    return pd.DataFrame(
        {
            "layout": layout.name,
            "search_type": raw["Type"].replace("", NOT_RECORDED),
            "datetime_local": local,
            "date": local.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]"),
            "hour": local.dt.hour.astype("int64"),
            "weekday": pd.Series(
                np.asarray(WEEKDAYS)[local.dt.day_of_week.to_numpy()], index=raw.index, dtype="str"
            ),
            "age_range": raw["Age range"].replace("", NOT_RECORDED),
            "gender": raw["Gender"].replace("", NOT_RECORDED),
            "self_defined_ethnicity": groups.astype("str"),
            "self_defined_ethnicity_published": raw["Self-defined ethnicity"],
            "officer_defined_ethnicity": raw["Officer-defined ethnicity"].replace("", NOT_STATED),
            "legislation": raw["Legislation"].replace("", NOT_RECORDED),
            "object_of_search": raw["Object of search"].replace("", NOT_RECORDED),
            "outcome": outcome.replace("", NOT_RECORDED),
            "outcome_published": raw["Outcome"],
            "outcome_linked": check.flags(
                raw["Outcome linked to object of search"], "Outcome linked to object of search"
            )
            if in_current
            else missing_flags,
            "removal_more_than_outer": check.flags(
                raw["Removal of more than just outer clothing"],
                "Removal of more than just outer clothing",
            )
            if in_current
            else missing_flags,
        },
        index=raw.index,
    )


def _empty() -> pd.DataFrame:
    """A tidy frame with no rows (no file had a search in the area)."""
    frame = pd.DataFrame({column: pd.Series(dtype="str") for column in TIDY_COLUMNS})
    frame["source_line"] = frame["source_line"].astype("int64")
    frame["hour"] = frame["hour"].astype("int64")
    frame["datetime_local"] = pd.Series(dtype=pd.DatetimeTZDtype(tz=LOCAL_TIME))
    frame["date"] = frame["date"].astype("datetime64[ns]")
    for column in ("outcome_linked", "removal_more_than_outer"):
        frame[column] = frame[column].astype("boolean")
    return frame
