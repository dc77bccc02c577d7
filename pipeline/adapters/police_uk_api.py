"""data.police.uk API street-level crimes (JSON) -> crimes by LSOA, month and crime type.

Where to get it: the police.uk API's "Street-level crimes" method
(https://data.police.uk/docs/method/crime-street/), e.g.
``https://data.police.uk/api/crimes-street/all-crime?poly=<lat,lng:...>&date=YYYY-MM``, saved to
files: one JSON list of crimes per answer, each object with ``category`` (a slug such as
``violent-crime``), ``location_type`` (``Force`` or ``BTP``), ``location`` (``latitude``,
``longitude`` in WGS84 and ``street``), ``month``, ``id``, ``persistent_id`` (empty for
anti-social behaviour), ``context`` and ``outcome_status``. This module never goes to the network:
it reads saved answers. The API answers at most 10,000 crimes per polygon, so an area is fetched
as several polygons, whose answers overlap.

What it produces: the same intermediate as
:func:`~pipeline.adapters.police_uk.read_police_uk_street` (``lsoa_code, month, crime_type,
count``), with ``crime_type`` the street CSV's label for the API slug (:data:`API_CATEGORIES`).
Points are put into the LSOA polygons given (``boundaries``, any CRS; WGS84 points are
reprojected to the boundaries' British National Grid); a point on the shared edge of two
polygons goes to the lower LSOA code. Every other crime is counted in ``excluded`` by file,
month and reason, the first that applies in this order: :data:`REASON_REPEATED` (its
``persistent_id``, or ``id`` when that is empty, was in an earlier answer, files read in the
order given: ``detail`` names the file; crimes of one answer sharing a ``persistent_id`` are
distinct records, as rows of one street CSV sharing a Crime ID are), :data:`REASON_BTP`
(``location_type`` BTP), :data:`REASON_NO_LOCATION`, :data:`REASON_OUTSIDE_POLYGONS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline.adapters._common import (
    AdapterResult,
    as_paths,
    excluded_frame,
    fail,
    reading,
)

#: API category slug -> the street CSV's "Crime type". From the API's crime-categories method
#: (data.police.uk/api/crime-categories); "all-crime" is a query, never a crime's category.
#: Months before May 2013 used "public-disorder-weapons", and their CSVs call violent crime
#: "Violent crime"; the API's slug stayed "violent-crime".
API_CATEGORIES: dict[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-disorder-weapons": "Public disorder and weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}
REASON_REPEATED = "repeated in another API answer (same persistent_id, else id)"
REASON_BTP = "British Transport Police (location_type BTP: railway crime)"
REASON_NO_LOCATION = "no location"
REASON_OUTSIDE_POLYGONS = "located outside every LSOA polygon given"
BRITISH_NATIONAL_GRID = 27700
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_WHAT = "police.uk API street-level crimes (a JSON list of crimes)"


def read_police_uk_api_json(
    paths: Path | str | Iterable[Path | str], boundaries: gpd.GeoDataFrame
) -> AdapterResult:
    """Count saved API answers' crimes by LSOA (point in ``boundaries``), month and crime type.

    ``paths``: JSON files, or folders of ``*.json`` files (read in sorted order);
    ``boundaries``: ``lsoa_code, geometry`` (e.g. :func:`~pipeline.adapters.read_lsoa_boundaries`
    for the area), the polygons that decide where each crime is.
    """
    shapes = _boundaries(boundaries)
    parts = [_read_file(path).assign(file=n) for n, path in enumerate(json_files(paths))]
    crimes = pd.concat(parts, ignore_index=True)
    crimes["reason"] = ""
    crimes["detail"] = ""
    # A repeat is a crime whose key was in an earlier answer; crimes of one answer that share
    # a persistent_id are distinct records (as rows of one street CSV sharing a Crime ID).
    first_file = crimes.groupby("key")["file"].transform("min")
    first = crimes.loc[crimes["file"] == first_file].drop_duplicates("key")
    repeated = crimes["file"] > first_file
    first = first.set_index("key")["source"]
    crimes.loc[repeated, "reason"] = REASON_REPEATED
    crimes.loc[repeated, "detail"] = crimes.loc[repeated, "key"].map(first)
    open_rows = crimes["reason"] == ""
    crimes.loc[open_rows & crimes["btp"], "reason"] = REASON_BTP
    open_rows = crimes["reason"] == ""
    crimes.loc[open_rows & crimes["latitude"].isna(), "reason"] = REASON_NO_LOCATION
    open_rows = crimes["reason"] == ""
    crimes["lsoa_code"] = None
    crimes.loc[open_rows, "lsoa_code"] = _lsoa_of_points(crimes.loc[open_rows], shapes)
    crimes.loc[open_rows & crimes["lsoa_code"].isna(), "reason"] = REASON_OUTSIDE_POLYGONS
    kept = crimes.loc[crimes["reason"] == ""]
    frame = (
        kept.groupby(["lsoa_code", "month", "crime_type"], as_index=False, sort=True)
        .size()
        .rename(columns={"size": "count"})
    )
    frame["count"] = frame["count"].astype("int64")
    dropped = crimes.loc[crimes["reason"] != ""]
    excluded = dropped.groupby(["source", "month", "reason", "detail"], as_index=False).size()
    excluded = excluded.rename(columns={"size": "rows"}).assign(value=pd.NA)
    return AdapterResult(
        frame=frame.reset_index(drop=True),
        excluded=excluded_frame(excluded.to_dict("records"), extra_columns=["month"]),
    )


def json_files(paths: Path | str | Iterable[Path | str]) -> list[Path]:
    """The JSON files named by ``paths`` (files, or folders of ``*.json``), in the order given."""
    files: list[Path] = []
    for path in as_paths(paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise fail(path, "no .json files in this folder (expected saved API answers)")
            files += found
        elif path.is_file():
            if path.suffix.casefold() == ".csv":
                raise fail(
                    path,
                    "this is a CSV, not an API JSON answer: read street-level CSVs with "
                    "pipeline.adapters.read_police_uk_street",
                )
            files.append(path)
        else:
            raise fail(path, "not a file or a folder: expected saved police.uk API JSON answers")
    return files


def _read_file(path: Path) -> pd.DataFrame:
    """One saved answer as one row per crime: key, source, month, crime_type, btp, lat/lon."""
    with reading(path, _WHAT):
        text = path.read_text(encoding="utf-8-sig")
    try:
        crimes = json.loads(text)
    except json.JSONDecodeError as error:
        raise fail(path, f"expected {_WHAT}, found malformed JSON ({error})") from None
    if not isinstance(crimes, list):
        raise fail(path, f"expected {_WHAT}, found a JSON {type(crimes).__name__}")
    rows = [_crime(path, number, crime) for number, crime in enumerate(crimes, start=1)]
    columns = ["key", "month", "crime_type", "btp", "latitude", "longitude"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["btp"] = frame["btp"].astype(bool)
    return frame.assign(source=path.name)


def _crime(path: Path, number: int, crime: object) -> tuple[object, ...]:
    """Check one crime object (numbered from 1 in its file) and take what is counted."""

    def bad(rule: str, key: str | None = None) -> Exception:
        where = f"crime {number}" + (f", key {key!r}" if key else "")
        return fail(path, f"{where}: {rule}")

    if not isinstance(crime, dict):
        raise bad("each crime must be a JSON object")
    for key in ("category", "month", "id"):
        if key not in crime or crime[key] in (None, ""):
            raise bad("value is missing", key)
    category = str(crime["category"])
    if category not in API_CATEGORIES:
        raise bad(
            f"category {category!r} is not in the API category table "
            "(pipeline.adapters.police_uk_api.API_CATEGORIES)",
            "category",
        )
    month = str(crime["month"])
    if not _MONTH.match(month):
        raise bad(f"month must be YYYY-MM, found {month!r}", "month")
    persistent = str(crime.get("persistent_id") or "").strip()
    key = f"persistent_id {persistent}" if persistent else f"id {crime['id']}"
    btp = str(crime.get("location_type") or "").strip().casefold() == "btp"
    location = crime.get("location")
    latitude = longitude = None
    if location is not None:
        if not isinstance(location, dict):
            raise bad("location must be an object or null", "location")
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            raise bad("latitude and longitude must be numbers", "location") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad(f"latitude {latitude}, longitude {longitude} out of range", "location")
    return key, month, API_CATEGORIES[category], btp, latitude, longitude


def _boundaries(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The polygons in British National Grid, with ``lsoa_code``."""
    if "lsoa_code" not in boundaries.columns or boundaries.crs is None:
        raise ValueError(
            "boundaries must be a GeoDataFrame with lsoa_code and a coordinate reference system "
            "(e.g. pipeline.adapters.read_lsoa_boundaries)"
        )
    if boundaries.crs.to_epsg() != BRITISH_NATIONAL_GRID:
        boundaries = boundaries.to_crs(epsg=BRITISH_NATIONAL_GRID)
    return boundaries[["lsoa_code", "geometry"]].reset_index(drop=True)


def _lsoa_of_points(crimes: pd.DataFrame, shapes: gpd.GeoDataFrame) -> pd.Series:
    """The LSOA polygon holding each crime's point (None outside all; lowest code on an edge)."""
    if crimes.empty:
        return pd.Series([], dtype=object, index=crimes.index)
    points = gpd.GeoDataFrame(
        index=crimes.index,
        geometry=gpd.points_from_xy(crimes["longitude"], crimes["latitude"], crs=4326),
    ).to_crs(epsg=BRITISH_NATIONAL_GRID)
    joined = gpd.sjoin(points, shapes, how="inner", predicate="intersects")
    lowest = joined.groupby(level=0)["lsoa_code"].min().reindex(crimes.index)
    return lowest.astype(object).where(lowest.notna(), None)
