"""Synthetic police.uk files, in both published formats, for what the real extracts lack.

The real extracts (../shared/realdata/police-uk-street/) are one City of London Police month
at a time and the first 4,000 rows of a Met month: no other forces' months, no crime published
twice, no British Transport Police rows and no API JSON. :func:`write_police_uk_files` writes,
from a fixed seed, a small made-up geography and files that have all of those:

* three LAs of four square LSOAs each (1 km squares in British National Grid, codes E019xxxxx
  and E069xxxxx that no real area has): Northtown and Eastbury policed by "Northshire Police",
  Southvale by "Southshire Constabulary";
* ``archive/YYYY-MM/YYYY-MM-<force>-street.csv`` for both forces, April 2023 to April 2024
  (a complete financial year and one month more), plus ``-btp-street.csv`` (British
  Transport Police) and a ``-northshire-outcomes.csv`` the street reader must skip;
* in those files: anti-social behaviour without a Crime ID, rows without a location, Southshire
  crimes located just over its boundary in Northtown, a crime in both forces' files under one
  Crime ID, and Crime IDs repeated within a file with a different crime type (as police.uk does);
* ``republished/2023-06-northshire-street.csv`` (a flat folder): June 2023 published again,
  with one crime added;
* ``api/2023-06-northtown-<n>.json``: Northtown's June 2023 crimes as three overlapping API
  answers (WGS84 points), with a BTP crime, a point outside every LSOA and a crime without
  a location.

The tests count these files with the csv and json modules and plain arithmetic on the squares,
not with the adapters.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import box

HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
NORTHSHIRE = "Northshire Police"
SOUTHSHIRE = "Southshire Constabulary"
BTP = "British Transport Police"
#: LA code -> (name, force, column of its LSOA squares' block).
AREAS: dict[str, tuple[str, str, int]] = {
    "E06900001": ("Northtown", NORTHSHIRE, 0),
    "E06900002": ("Southvale", SOUTHSHIRE, 1),
    "E06900003": ("Eastbury", NORTHSHIRE, 2),
}
FORCE_SLUGS = {NORTHSHIRE: "northshire", SOUTHSHIRE: "southshire", BTP: "btp"}
#: South-west corner of the squares and their side (metres, British National Grid).
ORIGIN = (530_000.0, 180_000.0)
SIDE = 1_000.0
LSOAS_PER_AREA = 4
MONTHS = [str(p) for p in pd.period_range("2023-04", "2024-04", freq="M")]
REPUBLISHED_MONTH = "2023-06"
CRIME_TYPES = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Possession of weapons": "possession-of-weapons",
    "Robbery": "robbery",
    "Violence and sexual offences": "violent-crime",
    "Burglary": "burglary",
}
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


@dataclass(frozen=True)
class PoliceUkFiles:
    """What :func:`write_police_uk_files` wrote, and the geography its crimes are placed in."""

    root: Path
    archive: Path  # YYYY-MM/ folders
    republished: Path  # a flat folder
    api: Path  # JSON answers
    boundaries: gpd.GeoDataFrame  # lsoa_code, geometry (EPSG:27700)
    lookup: pd.DataFrame  # lsoa_code, la_code, la_name


def lsoa_square(lsoa_code: str) -> tuple[float, float, float, float]:
    """The square (minx, miny, maxx, maxy) of a synthetic LSOA: area block i, LSOA j."""
    number = int(lsoa_code[3:]) - 900_001
    area, index = divmod(number, LSOAS_PER_AREA)
    x = ORIGIN[0] + (area * 2 + index % 2) * SIDE
    y = ORIGIN[1] + (index // 2) * SIDE
    return x, y, x + SIDE, y + SIDE


def area_lsoas(la_code: str) -> list[str]:
    """The synthetic LSOA codes of an LA."""
    block = AREAS[la_code][2]
    return [f"E01{900_001 + block * LSOAS_PER_AREA + j:06d}" for j in range(LSOAS_PER_AREA)]


def geography() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The squares as boundaries (EPSG:27700) and the LSOA-to-LA lookup."""
    rows = [(lsoa, code, name) for code, (name, _, _) in AREAS.items() for lsoa in area_lsoas(code)]
    lookup = pd.DataFrame(rows, columns=["lsoa_code", "la_code", "la_name"])
    shapes = gpd.GeoDataFrame(
        {"lsoa_code": lookup["lsoa_code"]},
        geometry=[box(*lsoa_square(code)) for code in lookup["lsoa_code"]],
        crs=27700,
    )
    return shapes, lookup


class _Crimes:
    """Draws crimes (seeded) and gives each a Crime ID and API id of its own."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.serial = 0

    def crime(self, month: str, force: str, lsoa: str | None, crime_type: str) -> dict:
        self.serial += 1
        if lsoa is None:
            x = y = None
        else:
            minx, miny, maxx, maxy = lsoa_square(lsoa)
            x, y = self.rng.uniform(minx + 1, maxx - 1), self.rng.uniform(miny + 1, maxy - 1)
        no_id = crime_type == "Anti-social behaviour"
        return {
            "crime_id": "" if no_id else f"{self.serial:064x}",
            "api_id": 100_000 + self.serial,
            "month": month,
            "force": force,
            "lsoa": lsoa,
            "x": x,
            "y": y,
            "crime_type": crime_type,
        }

    def month_of(self, month: str, force: str, lsoas: list[str]) -> list[dict]:
        """A force's month: 6-14 crimes per LSOA of random types, and two without a location."""
        types = list(CRIME_TYPES)
        crimes = [
            self.crime(month, force, lsoa, types[int(self.rng.integers(len(types)))])
            for lsoa in lsoas
            for _ in range(int(self.rng.integers(6, 15)))
        ]
        return crimes + [self.crime(month, force, None, "Robbery") for _ in range(2)]


def _street_rows(crimes: list[dict]) -> list[list[str]]:
    rows = []
    for crime in crimes:
        located = crime["lsoa"] is not None
        lon, lat = _TO_WGS84.transform(crime["x"], crime["y"]) if located else ("", "")
        rows.append([
            crime["crime_id"], crime["month"], crime["force"], crime["force"],
            f"{lon:.6f}" if located else "", f"{lat:.6f}" if located else "",
            "On or near High Street" if located else "No Location",
            crime["lsoa"] or "", f"Synthetic {crime['lsoa'][-3:]}" if located else "",
            crime["crime_type"], "Under investigation", "",
        ])  # fmt: skip
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _api_object(crime: dict, location_type: str = "Force") -> dict:
    located = crime["x"] is not None
    if located:
        lon, lat = _TO_WGS84.transform(crime["x"], crime["y"])
        street = {"id": crime["api_id"] % 997, "name": "On or near High Street"}
        location = {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}", "street": street}
    else:
        location = None
    return {
        "category": CRIME_TYPES[crime["crime_type"]],
        "location_type": location_type,
        "location": location,
        "context": "",
        "outcome_status": None,
        "persistent_id": crime["crime_id"],
        "id": crime["api_id"],
        "location_subtype": "",
        "month": crime["month"],
    }


def write_police_uk_files(out: Path | str, seed: int = 20250701) -> PoliceUkFiles:
    """Write the synthetic files under ``out`` (see module doc); the same seed, the same bytes."""
    root = Path(out)
    crimes = _Crimes(seed)
    shapes, lookup = geography()
    north = area_lsoas("E06900001") + area_lsoas("E06900003")
    south = area_lsoas("E06900002")
    archive = root / "archive"
    june_north: list[dict] = []
    for month in MONTHS:
        by_force = {
            NORTHSHIRE: crimes.month_of(month, NORTHSHIRE, north),
            SOUTHSHIRE: crimes.month_of(month, SOUTHSHIRE, south),
        }
        # Southshire's file holds a crime located just over its boundary, in Northtown.
        by_force[SOUTHSHIRE].append(crimes.crime(month, SOUTHSHIRE, north[0], "Robbery"))
        # One crime in both forces' files, under one Crime ID (Northshire's record is first).
        shared = crimes.crime(month, NORTHSHIRE, north[0], "Possession of weapons")
        by_force[NORTHSHIRE].append(shared)
        by_force[SOUTHSHIRE].append({**shared, "force": SOUTHSHIRE})
        # One Crime ID twice in a file, with another crime type: both are published crimes.
        twin = crimes.crime(month, NORTHSHIRE, north[2], "Robbery")
        by_force[NORTHSHIRE] += [twin, {**twin, "crime_type": "Violence and sexual offences"}]
        by_force[BTP] = [crimes.crime(month, BTP, lsoa, "Robbery") for lsoa in (north[3], south[0])]
        for force, month_crimes in by_force.items():
            name = f"{month}-{FORCE_SLUGS[force]}-street.csv"
            _write_csv(archive / month / name, HEADER, _street_rows(month_crimes))
        if month == REPUBLISHED_MONTH:
            june_north = by_force[NORTHSHIRE]
    outcomes = archive / MONTHS[0] / f"{MONTHS[0]}-northshire-outcomes.csv"
    _write_csv(outcomes, ["Crime ID", "Month", "Outcome type"], [["x", MONTHS[0], "Charged"]])
    republished = root / "republished"
    added = crimes.crime(REPUBLISHED_MONTH, NORTHSHIRE, north[0], "Robbery")
    _write_csv(
        republished / f"{REPUBLISHED_MONTH}-northshire-street.csv",
        HEADER,
        _street_rows([*june_north, added]),
    )
    api = root / "api"
    _write_api_answers(api, crimes, [c for c in june_north if c["lsoa"] in area_lsoas(
        "E06900001") or c["lsoa"] is None])  # fmt: skip
    return PoliceUkFiles(root, archive, republished, api, shapes, lookup)


def _write_api_answers(folder: Path, crimes: _Crimes, northtown: list[dict]) -> None:
    """Three overlapping polygon answers for Northtown's June: the first two split its crimes
    with an overlap, the third repeats a few; plus a BTP crime, a point outside every LSOA."""
    folder.mkdir(parents=True, exist_ok=True)
    objects = [_api_object(c) for c in northtown]
    half = len(objects) // 2
    btp = _api_object(crimes.crime(REPUBLISHED_MONTH, BTP, area_lsoas("E06900001")[0],
                                   "Robbery"), location_type="BTP")  # fmt: skip
    outside = crimes.crime(REPUBLISHED_MONTH, NORTHSHIRE, None, "Robbery")
    outside.update(x=ORIGIN[0] - 5_000.0, y=ORIGIN[1] - 5_000.0)
    answers = [
        objects[: half + 3] + [btp],
        objects[half - 2 :] + [_api_object(outside)],
        objects[::5],
    ]
    for number, answer in enumerate(answers, start=1):
        text = json.dumps(answer, indent=1, sort_keys=True) + "\n"
        (folder / f"{REPUBLISHED_MONTH}-northtown-{number}.json").write_text(
            text, encoding="utf-8", newline=""
        )
