"""SYNTHETIC police.uk street files for Havering's statistical neighbours outside the MPS area.

Havering (E09000016) has ten DfE statistical neighbours (April 2021 groupings); only Bexley is
policed by the Metropolitan Police. The other nine are policed by Kent Police (Kent, Medway),
Essex Police (Essex, Thurrock, Southend-on-Sea), Greater Manchester Police (Bury),
Northamptonshire Police (West Northamptonshire), Wiltshire Police (Swindon) and Lancashire
Constabulary (Lancashire). No real police.uk files of those forces are at hand, so
:func:`write_neighbour_files` writes made-up ones, from a fixed seed, in the published layout:

* ``street/YYYY-MM/YYYY-MM-<force>-street.csv`` for the six forces, April 2021 to March 2025
  (the window of ``config/public-havering.yaml``), plus ``YYYY-MM-btp-street.csv`` (British
  Transport Police rows, which the reader excludes);
* ``lsoa-utla-lookup.csv`` (``LSOA21CD, LSOA21NM, UTLA22CD, UTLA22NM``): a SYNTHETIC lookup.
  The LA codes and names are the real ones, but each LA gets :data:`LSOAS_PER_AREA` made-up LSOA
  codes (``E0197xxxx``, which no real LSOA has): no lookup in ../shared/realdata covers LSOAs
  outside London by upper-tier LA (the county neighbours need upper-tier codes);
* ``README.txt`` saying that all of it is synthetic, and a ``.gitignore`` so it is never
  committed.

Volumes: possession of weapons and robbery are drawn (Poisson, each month) at rates of the
order police.uk shows for such areas (:data:`RATES`, per 1,000 residents a year, with the
approximate residents in :data:`NEIGHBOURS`); violence and sexual offences, anti-social
behaviour and burglary are drawn at a token rate only (realistic volumes would be hundreds of
thousands of rows), so only the first two measures look like real series. The files also hold
rows without a location, anti-social behaviour without a Crime ID, an Essex Police crime located
in Kent (another force inside the area) and a crime in both the Kent and the Essex file under one
Crime ID. The tests count these files with the csv module, not with the adapters.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.demo.police_uk_files import HEADER

#: LA code -> (name, force as police.uk spells it, force file slug, approximate residents).
NEIGHBOURS: dict[str, tuple[str, str, str, int]] = {
    "E06000035": ("Medway", "Kent Police", "kent", 280_000),
    "E10000012": ("Essex", "Essex Police", "essex", 1_500_000),
    "E08000002": ("Bury", "Greater Manchester Police", "greater-manchester", 194_000),
    "E10000016": ("Kent", "Kent Police", "kent", 1_580_000),
    "E06000034": ("Thurrock", "Essex Police", "essex", 176_000),
    "E06000062": ("West Northamptonshire", "Northamptonshire Police", "northamptonshire", 426_000),
    "E06000030": ("Swindon", "Wiltshire Police", "wiltshire", 233_000),
    "E10000017": ("Lancashire", "Lancashire Constabulary", "lancashire", 1_235_000),
    "E06000033": ("Southend-on-Sea", "Essex Police", "essex", 181_000),
}
#: Crimes per 1,000 residents a year: weapons and robbery of the order police.uk shows; the
#: other types at a token rate (see the module doc).
RATES: dict[str, float] = {
    "Possession of weapons": 0.6,
    "Robbery": 0.5,
    "Violence and sexual offences": 0.3,
    "Anti-social behaviour": 0.2,
    "Burglary": 0.2,
}
LSOAS_PER_AREA = 10
FIRST_MONTH, LAST_MONTH = "2021-04", "2025-03"
BTP = "British Transport Police"
LOOKUP_FILE = "lsoa-utla-lookup.csv"
SYNTHETIC_NOTE = (
    "SYNTHETIC DATA: made-up police.uk street files and LSOA lookup written by "
    "pipeline/demo/police_uk_neighbours.py (fixed seed), not real crime data. The LA codes and "
    "names are real; the LSOA codes (E0197xxxx) and every crime are invented.\n"
)


@dataclass(frozen=True)
class NeighbourFiles:
    """What :func:`write_neighbour_files` wrote."""

    root: Path
    street: Path  # YYYY-MM/ folders
    lookup: Path  # the synthetic LSOA-to-UTLA lookup


def area_lsoas(la_code: str) -> list[str]:
    """The made-up LSOA codes of a neighbour (block i of :data:`NEIGHBOURS`, in its order)."""
    block = list(NEIGHBOURS).index(la_code)
    return [f"E0197{block * LSOAS_PER_AREA + j + 1:04d}" for j in range(LSOAS_PER_AREA)]


def months() -> list[str]:
    return [str(p) for p in pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M")]


def forces() -> dict[str, str]:
    """LA code -> force file slug (for ``police_uk_street.forces``)."""
    return {code: slug for code, (_, _, slug, _) in NEIGHBOURS.items()}


def street_row(
    crime_id: str, month: str, force: str, lsoa: str | None, crime_type: str
) -> list[str]:
    located = lsoa is not None
    return [
        crime_id, month, force, force, "0.500000" if located else "",
        "51.500000" if located else "", "On or near High Street" if located else "No Location",
        lsoa or "", f"Synthetic {lsoa[-4:]}" if located else "", crime_type,
        "Under investigation", "",
    ]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def write_neighbour_files(out: Path | str, seed: int = 20250701) -> NeighbourFiles:
    """Write the synthetic files under ``out`` (see module doc); the same seed, the same bytes."""
    root = Path(out)
    rng = np.random.default_rng(seed)
    serial = 0

    def crime_id(crime_type: str) -> str:
        nonlocal serial
        serial += 1
        return "" if crime_type == "Anti-social behaviour" else f"{serial:064x}"

    street = root / "street"
    force_areas: dict[str, tuple[str, list[str]]] = {}
    for code, (_, force, slug, _) in NEIGHBOURS.items():
        force_areas.setdefault(slug, (force, []))[1].append(code)
    for month in months():
        files: dict[str, list[list[str]]] = {}
        for slug, (force, codes) in force_areas.items():
            rows = []
            for code in codes:
                lsoas, residents = area_lsoas(code), NEIGHBOURS[code][3]
                for crime_type, rate in RATES.items():
                    for _ in range(int(rng.poisson(residents * rate / 1000 / 12))):
                        lsoa = lsoas[int(rng.integers(len(lsoas)))]
                        rows.append(
                            street_row(crime_id(crime_type), month, force, lsoa, crime_type)
                        )
            rows += [
                street_row(crime_id("Robbery"), month, force, None, "Robbery") for _ in range(2)
            ]
            files[slug] = rows
        # Essex Police recorded a crime located in Kent; and one crime is in both files.
        kent = area_lsoas("E10000016")
        files["essex"].append(
            street_row(crime_id("Robbery"), month, "Essex Police", kent[0], "Robbery")
        )
        shared = crime_id("Possession of weapons")
        files["kent"].append(
            street_row(shared, month, "Kent Police", kent[1], "Possession of weapons")
        )
        files["essex"].append(
            street_row(shared, month, "Essex Police", kent[1], "Possession of weapons")
        )
        essex = area_lsoas("E10000012")
        files["btp"] = [street_row(crime_id("Robbery"), month, BTP, essex[0], "Robbery")]
        for slug, rows in files.items():
            write_csv(street / month / f"{month}-{slug}-street.csv", HEADER, rows)
    lookup = root / LOOKUP_FILE
    write_csv(
        lookup,
        ["LSOA21CD", "LSOA21NM", "UTLA22CD", "UTLA22NM"],
        [[lsoa, f"Synthetic {lsoa[-4:]}", code, name]
         for code, (name, _, _, _) in NEIGHBOURS.items() for lsoa in area_lsoas(code)],
    )  # fmt: skip
    (root / "README.txt").write_text(SYNTHETIC_NOTE, encoding="utf-8", newline="\n")
    (root / ".gitignore").write_text(
        "# Synthetic files written by pipeline.demo.police_uk_neighbours: never committed.\n*\n",
        encoding="utf-8",
        newline="\n",
    )
    return NeighbourFiles(root, street, lookup)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.demo.police_uk_neighbours",
        description="Write SYNTHETIC police.uk files for Havering's neighbours outside London.",
    )
    parser.add_argument("out", type=Path, help="folder to write (e.g. data/raw/synthetic-...)")
    parser.add_argument("--seed", type=int, default=20250701)
    args = parser.parse_args(argv)
    written = write_neighbour_files(args.out, args.seed)
    count = sum(1 for _ in written.street.glob("*/*-street.csv"))
    print(f"wrote {count} SYNTHETIC street files and {written.lookup} under {written.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
