"""SYNTHETIC police.uk street files for one area's own force, on the area's real LSOA codes:
for building an SNA of an area outside the MPS from police.uk files alone
(``config/public-city-of-london.yaml``) where no year of real files is at hand.

``../shared/realdata/police-uk-street/`` holds three real months of the City of London Police
(2017-01, 2017-02, 2018-06): no complete calendar or financial year, so the public build
refuses them for the area's own counts (as it should). :func:`write_area_files` writes made-up
files in the published layout instead, from a fixed seed:

* ``street/YYYY-MM/YYYY-MM-<force slug>-street.csv`` for every month from ``first_month`` to
  ``last_month``: crimes of :data:`MONTHLY` (area totals a month, of the order the real City of
  London files show), each placed in one of the area's 2021 LSOAs (read from the best-fit
  lookup given) with weight 1, except the planted hot spot (:func:`planted_hot_spot`), weight
  :data:`HOT_WEIGHT`. Months before ``lsoa21_from`` carry each LSOA's 2011 best-fit parent code,
  as older police.uk files do;
* every month also: 2 crimes without a location, 1 British Transport Police crime in the area,
  and one crime published in both the area's force's file and a ``metropolitan`` file under one
  Crime ID, plus one Metropolitan Police crime of its own in the area (another force inside the
  area), so the reader's exclusions all have something to count;
* with ``boundaries`` (the LSOA polygons), the same crimes as saved API answers,
  ``api/YYYY-MM/YYYY-MM-<slug>-<n>.json``: two overlapping polygons a month (the crimes of the
  shared LSOAs come in both), each crime at a point inside its LSOA, the Met's and BTP's
  crimes among them (the API has no force; BTP crimes say ``location_type`` BTP);
* ``README.txt`` saying it is synthetic, and a ``.gitignore`` so it is never committed.

The LSOA codes are real (they must match the boundaries); every crime is invented.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.adapters import read_lsoa_bestfit_lookup
from pipeline.demo.police_uk_files import HEADER
from pipeline.demo.police_uk_neighbours import street_row, write_csv

#: Crimes a month in the whole area by type (of the order of the real City of London files).
MONTHLY: dict[str, float] = {
    "Violence and sexual offences": 80.0,
    "Possession of weapons": 3.0,
    "Robbery": 4.0,
    "Anti-social behaviour": 140.0,
    "Other theft": 110.0,
}
#: The planted hot spot's weight (every other LSOA weighs 1).
HOT_WEIGHT = 6.0
BTP = "British Transport Police"
MET = "Metropolitan Police Service"
SYNTHETIC_NOTE = (
    "SYNTHETIC DATA: made-up police.uk street files written by pipeline/demo/police_uk_area.py "
    "(fixed seed), not real crime data. The LSOA codes and the force are real; every crime is "
    "invented.\n"
)


@dataclass(frozen=True)
class AreaFiles:
    """What :func:`write_area_files` wrote, and its planted truth."""

    root: Path
    street: Path
    hot_spot: str  # the 2021 LSOA with HOT_WEIGHT
    months: list[str]
    api: Path | None = None  # YYYY-MM/ folders of API answers (with ``boundaries`` only)


def planted_hot_spot(lsoas21: list[str]) -> str:
    """The LSOA given :data:`HOT_WEIGHT`: the middle one of the sorted 2021 codes."""
    ordered = sorted(lsoas21)
    return ordered[len(ordered) // 2]


def write_area_files(
    out: Path | str,
    bestfit_lookup: Path | str,
    area_code: str,
    force: str,
    slug: str,
    first_month: str = "2021-01",
    last_month: str = "2025-03",
    lsoa21_from: str = "2023-01",
    seed: int = 20250701,
    boundaries: Path | str | None = None,
) -> AreaFiles:
    """Write the synthetic files under ``out`` (see module doc); the same seed, the same bytes."""
    root = Path(out)
    lookup = read_lsoa_bestfit_lookup(Path(bestfit_lookup), area_code)
    lsoas21 = sorted(set(lookup["lsoa21_code"]))
    parent = lookup.sort_values("lsoa11_code").drop_duplicates("lsoa21_code")
    parent11 = dict(zip(parent["lsoa21_code"], parent["lsoa11_code"], strict=True))
    hot = planted_hot_spot(lsoas21)
    weights = np.array([HOT_WEIGHT if code == hot else 1.0 for code in lsoas21])
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    months = [str(p) for p in pd.period_range(first_month, last_month, freq="M")]
    serial = 0

    def crime_id(crime_type: str) -> str:
        nonlocal serial
        serial += 1
        return "" if crime_type == "Anti-social behaviour" else f"{serial:064x}"

    street, api = root / "street", root / "api"
    points = _lsoa_points(boundaries, area_code) if boundaries is not None else None
    for month in months:

        def code(lsoa: str, month: str = month) -> str:
            return lsoa if month >= lsoa21_from else parent11[lsoa]

        own: list[tuple[str, str, str | None, str]] = []  # Crime ID, force, LSOA21, type
        for crime_type, mean in MONTHLY.items():
            for _ in range(int(rng.poisson(mean))):
                lsoa = lsoas21[int(rng.choice(len(lsoas21), p=weights))]
                own.append((crime_id(crime_type), force, lsoa, crime_type))
        own += [(crime_id("Robbery"), force, None, "Robbery") for _ in range(2)]
        shared = crime_id("Robbery")  # not the "where" type, so the planted truth stands
        own.append((shared, force, lsoas21[0], "Robbery"))
        met = [(shared, MET, lsoas21[0], "Robbery"),
               (crime_id("Robbery"), MET, lsoas21[-1], "Robbery")]  # fmt: skip
        btp = [(crime_id("Robbery"), BTP, lsoas21[-1], "Robbery")]
        for name, crimes in ((slug, own), ("metropolitan", met), ("btp", btp)):
            rows = [street_row(i, month, f, code(lsoa) if lsoa else None, t)
                    for i, f, lsoa, t in crimes]  # fmt: skip
            write_csv(street / month / f"{month}-{name}-street.csv", HEADER, rows)
        if points is not None:
            _write_api_answers(api, month, slug, [*own, *met, *btp], lsoas21, points)
    (root / "README.txt").write_text(SYNTHETIC_NOTE, encoding="utf-8", newline="\n")
    (root / ".gitignore").write_text(
        "# Synthetic files written by pipeline.demo.police_uk_area: never committed.\n*\n",
        encoding="utf-8",
        newline="\n",
    )
    return AreaFiles(root, street, hot, months, api if points is not None else None)


def _lsoa_points(boundaries: Path | str, area_code: str) -> dict[str, tuple[float, float]]:
    """A point inside each LSOA polygon of the area (longitude, latitude): police.uk snaps
    crimes to anonymous map points, so each LSOA's crimes share one here."""
    from pyproj import Transformer

    from pipeline.adapters import read_lsoa_boundaries

    shapes = read_lsoa_boundaries(Path(boundaries), area_code)
    to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)
    return {
        str(code): to_wgs84.transform(point.x, point.y)
        for code, point in zip(shapes["lsoa_code"], shapes.geometry.representative_point(),
                               strict=True)
    }  # fmt: skip


def _write_api_answers(
    folder: Path,
    month: str,
    slug: str,
    crimes: list[tuple[str, str, str | None, str]],
    lsoas21: list[str],
    points: dict[str, tuple[float, float]],
) -> None:
    """The month as two overlapping polygon answers (the first half of the LSOAs and the
    second, each also holding one LSOA of the other: its crimes come twice), as the API gives
    an area too big for one answer. The API has no force: every crime in the polygons is in."""
    from pipeline.adapters.police_uk_api import API_CATEGORIES

    slugs = {label: key for key, label in API_CATEGORIES.items()}
    half = len(lsoas21) // 2
    parts = [set(lsoas21[: half + 1]), set(lsoas21[half - 1 :])]
    for number, part in enumerate(parts, start=1):
        answer = []
        for serial, (crime_id, force, lsoa, crime_type) in enumerate(crimes):
            if lsoa is None or lsoa not in part:
                continue
            lon, lat = points[lsoa]
            answer.append({
                "category": slugs[crime_type],
                "location_type": "BTP" if force == BTP else "Force",
                "location": {"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}",
                             "street": {"id": 1, "name": "On or near High Street"}},
                "context": "", "outcome_status": None, "persistent_id": crime_id,
                "id": int(month.replace("-", "")) * 10_000 + serial, "location_subtype": "",
                "month": month,
            })  # fmt: skip
        text = json.dumps(answer, indent=1, sort_keys=True) + "\n"
        target = folder / month / f"{month}-{slug}-{number}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")


CITY_OF_LONDON = ("E09000001", "City of London Police", "city-of-london")
DEFAULT_LOOKUP = "../shared/realdata/london-lsoa/merge_bestfit_lsoa11_lsoa21_london.csv"
DEFAULT_BOUNDARIES = "../shared/realdata/london-lsoa/london-2021-lsoa-gen20.shp"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.demo.police_uk_area",
        description="Write SYNTHETIC police.uk street files for one area's own force "
        "(default: the City of London Police, for config/public-city-of-london.yaml).",
    )
    parser.add_argument("out", type=Path, help="folder to write (e.g. data/raw/synthetic-...)")
    parser.add_argument("--lookup", default=DEFAULT_LOOKUP, help="ONS LSOA11-LSOA21 best-fit CSV")
    parser.add_argument("--area", default=CITY_OF_LONDON[0], help="LA code (E09000001)")
    parser.add_argument("--force", default=CITY_OF_LONDON[1], help="force as police.uk spells it")
    parser.add_argument("--slug", default=CITY_OF_LONDON[2], help="force file-name slug")
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument(
        "--boundaries", default=DEFAULT_BOUNDARIES,
        help="LSOA (2021) boundaries, for the API answers' points ('' for street files only)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    written = write_area_files(
        args.out, args.lookup, args.area, args.force, args.slug, seed=args.seed,
        boundaries=args.boundaries or None,
    )  # fmt: skip
    count = sum(1 for _ in written.street.glob("*/*-street.csv"))
    print(
        f"wrote {count} SYNTHETIC street files under {written.root} "
        f"({written.months[0]} to {written.months[-1]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
