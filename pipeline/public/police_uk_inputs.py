"""Comparator series from police.uk street-level files, for the statistical neighbours the MPS
files do not cover (``public_sources.police_uk_street``), and where every series came from.

The MPS borough files cover the 32 London boroughs only. A neighbour policed by another force
(Havering's Medway, Essex, Kent, ...) gets, from its force's police.uk files added up to local
authorities through the LSOA-to-LA lookup
(:func:`~pipeline.adapters.police_uk_la.police_uk_comparator_series`), a series for each proxy
measure police.uk can give (:data:`~pipeline.adapters.police_uk_la.POLICE_UK_MEASURES`). For a
measure it cannot give (``violence_with_injury``: police.uk publishes "Violence and sexual
offences" as one type) the neighbour stays missing, listed in the exclusions with
:data:`REASON_NO_CRIME_TYPE`. :func:`comparator_sources` says, for every series, which
publisher and force it came from (``comparator_sources.csv``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.adapters import police_uk_comparator_series, read_police_uk_street
from pipeline.adapters._common import fail
from pipeline.adapters.mps_borough import LONDON_CODE
from pipeline.adapters.police_uk import street_files
from pipeline.adapters.police_uk_la import (
    POLICE_UK_MEASURES,
    REASON_NOT_IN_LOOKUP_AREA,
    read_lsoa_la_lookup,
    series_forces,
)
from pipeline.adapters.police_uk_la import SOURCE as POLICE_UK_SOURCE
from pipeline.public.configuration import POLICE_UK_KEY, PublicBuildError, Sources
from pipeline.public.exclusions import exclusions

MPS_SOURCE = "MPS borough-level crime"
MPS_FORCE = "Metropolitan Police Service"
REASON_NO_CRIME_TYPE = (
    "police.uk has no crime type for this measure (it publishes 'Violence and sexual offences' "
    "as one type)"
)
#: Columns of ``comparator_sources.csv``: one row per series (area and measure).
SOURCE_COLUMNS = ["area_code", "area_name", "measure", "source", "force", "files"]
_SUFFIX = "-street.csv"


def force_slug(path: Path) -> str:
    """The force part of a street file's name: '2023-04-kent-street.csv' -> 'kent'."""
    return path.name[len("YYYY-MM-") : -len(_SUFFIX)].casefold()


def force_names(files: Sequence[Path]) -> dict[str, str]:
    """Force slug -> the force as its files spell it in "Reported by" (from the first data row
    of the slug's first file: a street file is one force's)."""
    names: dict[str, str] = {}
    for path in files:
        slug = force_slug(path)
        if slug in names:
            continue
        with open(path, newline="", encoding="utf-8-sig") as handle:
            first = next(csv.DictReader(handle), None)
        if first is None or not (first.get("Reported by") or "").strip():
            raise fail(path, "no data row with a 'Reported by' force", column="Reported by")
        names[slug] = first["Reported by"].strip()
    return names


def police_uk_comparators(
    sources: Sources, measures: Sequence[str], codes: Sequence[str], months: Sequence[str]
) -> tuple[pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
    """police.uk monthly series of ``measures`` for ``codes`` over ``months``; the exclusions;
    and the source rows (:data:`SOURCE_COLUMNS`) of the series given."""
    columns = ["area_code", "area_name", "month", "measure", "count"]
    empty = pd.DataFrame(columns=columns)
    if not codes or not sources.police_uk_street:
        return empty, [], pd.DataFrame(columns=SOURCE_COLUMNS)
    assert sources.police_uk_lookup is not None  # the schema requires it with the paths
    lookup = read_lsoa_la_lookup(sources.police_uk_lookup)
    step = "comparators (police.uk street-level crime)"
    dropped: list[pd.DataFrame] = []
    missing = sorted(set(codes) - set(lookup["la_code"]))
    if missing:
        records = [{"source": sources.police_uk_lookup.name, "reason": REASON_NOT_IN_LOOKUP_AREA,
                    "detail": code, "rows": 0} for code in missing]  # fmt: skip
        dropped.append(exclusions(step, pd.DataFrame(records)))
    found = [code for code in codes if code not in missing]
    if not found:
        return empty, dropped, pd.DataFrame(columns=SOURCE_COLUMNS)
    files, _ = street_files(sources.police_uk_street)
    names = force_names(files)
    la_forces = named_forces(sources, names, found)
    area_lsoas = lookup.loc[lookup["la_code"].isin(found), "lsoa_code"]
    counts = read_police_uk_street(sources.police_uk_street, area_lsoas, by_force=True)
    dropped.append(exclusions(step, month_in_detail(counts.excluded)))
    parts: list[pd.DataFrame] = []
    for measure in measures:
        if measure not in POLICE_UK_MEASURES:
            records = [{"source": POLICE_UK_SOURCE, "reason": REASON_NO_CRIME_TYPE,
                        "detail": f"{code} {measure}", "rows": 0} for code in found]  # fmt: skip
            dropped.append(exclusions(f"comparators: {measure}", pd.DataFrame(records)))
            continue
        series = police_uk_comparator_series(
            counts.frame, lookup, measure, found, months=months, la_forces=la_forces
        )
        parts.append(series.frame)
        dropped.append(exclusions(f"comparators: {measure}", month_in_detail(series.excluded)))
    frame = pd.concat(parts, ignore_index=True) if parts else empty
    forces = series_forces(counts.frame, lookup, found, la_forces)
    slugs = {name: slug for slug, name in names.items()}
    rows = []
    for (code, name, measure), _ in frame.groupby(["area_code", "area_name", "measure"]):
        force = forces[code] or ""
        mine = sorted(p.name for p in files if force_slug(p) == slugs.get(force))
        rows.append({"area_code": code, "area_name": name, "measure": measure,
                     "source": POLICE_UK_SOURCE, "force": force,
                     "files": files_text(mine)})  # fmt: skip
    return frame, dropped, pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def month_in_detail(excluded: pd.DataFrame) -> pd.DataFrame:
    """The month of each excluded row added to its detail (the exclusions table has no month
    column): 'E10000016 Essex Police' -> 'E10000016 Essex Police 2021-04'."""
    month = excluded["month"].fillna("").astype(str)
    detail = excluded["detail"].fillna("").astype(str)
    joined = [f"{d} {m}".strip() for d, m in zip(detail, month, strict=True)]
    return excluded.assign(detail=joined)


def named_forces(sources: Sources, names: dict[str, str], codes: Sequence[str]) -> dict[str, str]:
    """``forces`` of the configuration (LA code -> file slug) as "Reported by" names, for the
    codes of this build (a code that is not one is not used)."""
    result = {}
    for code, slug in sorted(sources.police_uk_forces.items()):
        if code not in codes:
            continue
        if slug.casefold() not in names:
            raise PublicBuildError(
                f"public_sources.{POLICE_UK_KEY}.forces: {code} -> {slug!r}, but no "
                f"YYYY-MM-{slug}-street.csv is among the files of {POLICE_UK_KEY}.paths "
                f"(forces found: {', '.join(sorted(names)) or 'none'})"
            )
        result[code] = names[slug.casefold()]
    return result


def files_text(names: Sequence[str]) -> str:
    """'48 files, 2021-04-kent-street.csv to 2025-03-kent-street.csv' (or the one name)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{len(names)} files, {names[0]} to {names[-1]}"


def comparator_sources(
    mps: pd.DataFrame, mps_files: Sequence[Path], police_uk: pd.DataFrame
) -> pd.DataFrame:
    """Where each comparator series came from: the MPS rows (London is their sum) and the
    police.uk rows, one per area and measure, sorted."""
    keys = mps[["area_code", "area_name", "measure"]].drop_duplicates()
    files = "; ".join(path.name for path in mps_files)
    force = keys["area_code"].map(
        lambda code: f"{MPS_FORCE} (sum of the 32 MPS boroughs)" if code == LONDON_CODE
        else MPS_FORCE
    )  # fmt: skip
    table = pd.concat(
        [keys.assign(source=MPS_SOURCE, force=force, files=files)[SOURCE_COLUMNS], police_uk],
        ignore_index=True,
    )
    return table.sort_values(["area_code", "measure"]).reset_index(drop=True)
