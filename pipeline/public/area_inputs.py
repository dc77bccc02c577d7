"""One borough's own inputs from the public files, on 2021 LSOAs: its LSOAs, population,
recorded crime by LSOA (MPS LSOA files, or any force's police.uk street files:
:mod:`~pipeline.public.police_uk_area`), boundaries and deprivation (2011-LSOA sources bridged
by the best-fit lookup)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from pipeline.adapters import (
    AdapterResult,
    bridge_lsoa11_to_lsoa21,
    read_iod_file1,
    read_lsoa_bestfit_lookup,
    read_lsoa_boundaries,
    read_mps_lsoa_annual,
    read_ons_sape_lsoa,
)
from pipeline.adapters._common import AdapterError, reading
from pipeline.adapters.mps_ward import read_mps_ward_crime
from pipeline.adapters.mps_ward_tables import (
    ward_measures,
    ward_population_from_lsoas,
    ward_tables,
)
from pipeline.adapters.ward_lookup import read_lsoa_ward_lookup
from pipeline.public.configuration import (
    PublicBuildError,
    Sources,
    check_label_names,
    check_lsoa_categories,
)
from pipeline.public.exclusions import exclusions
from pipeline.public.police_uk_area import (
    ApiCrimes,
    police_uk_crime_types,
    police_uk_lsoa_counts,
)
from pipeline.settings import Settings

#: Census 2021 usual residents per LSOA21 in the London best-fit lookup (the split weights).
SPLIT_WEIGHT_COLUMN = "TotalRes21"
_LSOA21_FIELDS = {"LSOA21CD": "lsoa_code", "LSOA21NM": "lsoa_name", "MSOA21CD": "ward_code",
                  "MSOA21NM": "ward_name"}  # fmt: skip
_LAD_FIELD = re.compile(r"^LAD\d{2}CD$", re.IGNORECASE)


def split_weights(path: Path) -> pd.Series | None:
    """Census 2021 residents per LSOA21 from the best-fit lookup, or None if it has none."""
    with reading(path, "ONS LSOA11 to LSOA21 best-fit lookup (CSV, UTF-8)"):
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        if SPLIT_WEIGHT_COLUMN not in header:
            return None
        table = pd.read_csv(
            path, usecols=["LSOA21CD", SPLIT_WEIGHT_COLUMN], dtype={"LSOA21CD": str},
            encoding="utf-8-sig",
        )  # fmt: skip
    return (
        table.drop_duplicates("LSOA21CD").set_index("LSOA21CD")[SPLIT_WEIGHT_COLUMN].astype(float)
    )


def read_lsoa21_attributes(path: Path, area_code: str) -> pd.DataFrame:
    """The area's LSOA21 codes, names and MSOAs from the boundaries' attribute table."""
    what = "LSOA (2021) boundaries (a shapefile with its .dbf and .shx)"
    with reading(path, what):
        fields = [str(f) for f in pyogrio.read_info(path)["fields"]]
    lad = [f for f in fields if _LAD_FIELD.match(f)]
    missing = [f for f in _LSOA21_FIELDS if f not in fields]
    if missing or len(lad) != 1:
        raise PublicBuildError(
            f"{path.name}: the LSOA (2021) boundaries need attributes {list(_LSOA21_FIELDS)} and "
            f"one LADyyCD; found {fields}"
        )
    with reading(path, what):
        table = pyogrio.read_dataframe(path, columns=[*_LSOA21_FIELDS, lad[0]], read_geometry=False)
    table = table.loc[table[lad[0]].str.strip() == area_code]
    if table.empty:
        raise PublicBuildError(f"{path.name}: no LSOA has {lad[0]} = {area_code}")
    lsoas = table.rename(columns=_LSOA21_FIELDS)[list(_LSOA21_FIELDS.values())]
    lsoas = lsoas.apply(lambda column: column.astype(str).str.strip())
    return lsoas.assign(area_code=area_code).sort_values("lsoa_code").reset_index(drop=True)


def check_lookup_covers(lookup: pd.DataFrame, lsoas: pd.DataFrame, area_code: str) -> None:
    """The best-fit lookup and the boundaries must list the same 2021 LSOAs for the area."""
    in_lookup, in_shapes = set(lookup["lsoa21_code"]), set(lsoas["lsoa_code"])
    if in_lookup != in_shapes:
        raise PublicBuildError(
            f"{area_code}: the best-fit lookup and the LSOA (2021) boundaries disagree: only in "
            f"the lookup {sorted(in_lookup - in_shapes)[:5]}, only in the boundaries "
            f"{sorted(in_shapes - in_lookup)[:5]}"
        )


def bridge_population(
    population11: pd.DataFrame, lookup: pd.DataFrame, weights: pd.Series | None
) -> AdapterResult:
    """SAPE rows on 2011 LSOAs moved to 2021 LSOAs (residents conserved per parent and band)."""
    as_counts = population11.rename(columns={"area_code": "lsoa_code", "population": "count"})
    bridged = bridge_lsoa11_to_lsoa21(as_counts, lookup, weights)
    frame = bridged.frame.rename(columns={"lsoa_code": "area_code", "count": "population"})
    columns = ["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]
    frame = frame[columns].sort_values(["area_code", "year", "sex", "age_from"])
    return AdapterResult(frame=frame.reset_index(drop=True), excluded=bridged.excluded)


def build_lsoa_counts(
    sources: Sources,
    area_code: str,
    lookup: pd.DataFrame,
    weights: pd.Series | None,
    measure: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """MPS recorded crime by 2011 LSOA and calendar year, bridged to 2021 LSOAs."""
    reads = [read_mps_lsoa_annual(path, area_code) for path, _ in sources.mps_lsoa_crime]
    # One file per major category: a definition made of several is their sum.
    frames = [r.frame[["lsoa_code", "year", "count"]] for r in reads]
    counts11 = (
        pd.concat(frames, ignore_index=True)
        .groupby(["lsoa_code", "year"], as_index=False)["count"]
        .sum()
    )
    annual = AdapterResult(
        frame=counts11, excluded=pd.concat([r.excluded for r in reads], ignore_index=True)
    )
    bridged = bridge_lsoa11_to_lsoa21(counts11, lookup, weights)
    frame = bridged.frame.assign(measure=measure)[["lsoa_code", "year", "measure", "count"]]
    frame = frame.sort_values(["lsoa_code", "year"]).reset_index(drop=True)
    dropped = pd.concat(
        [
            exclusions(f"lsoa_counts {area_code} (MPS crime by LSOA)", annual),
            exclusions(f"lsoa_counts {area_code} (bridge LSOA11 -> LSOA21)", bridged),
        ],
        ignore_index=True,
    )
    return frame, dropped


def build_deprivation(
    sources: Sources, lsoas: pd.DataFrame, lookup: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IMD of the area's 2021 LSOAs: IoD2025 if it covers them all, else IoD2019 bridged."""
    codes = set(lsoas["lsoa_code"])
    area = str(lsoas["area_code"].iloc[0])
    dropped = []
    if sources.iod2025 is not None:
        result = read_iod_file1(sources.iod2025)
        rows = result.frame.loc[result.frame["lsoa_code"].isin(codes)]
        dropped.append(exclusions("deprivation (IoD2025 File 1)", result))
        if set(rows["lsoa_code"]) == codes:
            return rows.reset_index(drop=True), pd.concat(dropped, ignore_index=True)
    if sources.iod2019 is None:
        raise PublicBuildError(
            f"{area}: IoD2025 does not cover every LSOA of the area and public_sources has no "
            "iod2019 to bridge from"
        )
    result = read_iod_file1(sources.iod2019)
    rows11 = result.frame.loc[result.frame["lsoa_code"].isin(set(lookup["lsoa11_code"]))]
    bridged = bridge_lsoa11_to_lsoa21(rows11, lookup)
    dropped += [
        exclusions("deprivation (IoD2019 File 1)", result),
        exclusions(f"deprivation {area} (bridge LSOA11 -> LSOA21)", bridged),
    ]
    return bridged.frame.sort_values("lsoa_code").reset_index(drop=True), pd.concat(
        dropped, ignore_index=True
    )


def read_sape_files(paths: list[Path], area_code: str) -> AdapterResult:
    """The area's small-area estimates from one file per mid-year (two files of one mid-year
    would count its residents twice: an error naming both)."""
    results = [read_ons_sape_lsoa(path, area_code=area_code) for path in paths]
    by_year: dict[int, Path] = {}
    for path, result in zip(paths, results, strict=True):
        for year in sorted({int(y) for y in result.frame["year"]}):
            if year in by_year:
                raise PublicBuildError(
                    f"public_sources.ons_sape_lsoa: {by_year[year].name} and {path.name} are "
                    f"both mid-{year}; give one file per mid-year"
                )
            by_year[year] = path
    return AdapterResult(
        frame=pd.concat([r.frame for r in results], ignore_index=True),
        excluded=pd.concat([r.excluded for r in results], ignore_index=True),
    )


@dataclass(frozen=True)
class AreaInputs:
    """One area's own inputs and its deprivation rows (which go to the shared file)."""

    lsoas: pd.DataFrame
    population_lsoa: pd.DataFrame
    lsoa_counts: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    deprivation: pd.DataFrame
    excluded: pd.DataFrame
    #: Counts by 2022 ward and financial year (None without ``mps_ward_crime``).
    ward_crime: pd.DataFrame | None = None


def build_area(
    sources: Sources, area_code: str, config: Mapping[str, Any], api: ApiCrimes | None = None
) -> AreaInputs:
    """Everything the SNA needs at LSOA level for one borough, on 2021 LSOAs (``api``: the
    area's saved API answers, read once, with ``police_uk_api``)."""
    lsoas = read_lsoa21_attributes(sources.lsoa21_boundaries, area_code)
    lookup = read_lsoa_bestfit_lookup(sources.lsoa_bestfit_lookup, area_code)
    check_lookup_covers(lookup, lsoas, area_code)
    weights = split_weights(sources.lsoa_bestfit_lookup)
    sape = read_sape_files(sources.ons_sape_lsoa, area_code)
    population = bridge_population(sape.frame, lookup, weights)
    where = Settings.of(config).definitions.serious_violence_u25
    measure = where.id
    boundaries = read_lsoa_boundaries(sources.lsoa21_boundaries, area_code)
    boundaries = boundaries.merge(lsoas[["lsoa_code", "lsoa_name"]], on="lsoa_code", how="left")
    groups = [str(g) for g in where.offence_groups]
    if sources.mps_lsoa_crime:
        check_lsoa_categories(sources.mps_lsoa_crime, groups, str(measure))
        stated = [c for _, c in sources.mps_lsoa_crime if c is not None]
        check_label_names(where, stated or groups, "public_sources.mps_lsoa_crime")
        counts, counts_dropped = build_lsoa_counts(sources, area_code, lookup, weights, measure)
    else:  # any force's police.uk files (the configuration checked they are given)
        types = police_uk_crime_types(groups, str(measure))
        check_label_names(where, types, "police.uk crime types")
        counts, counts_dropped = police_uk_lsoa_counts(
            sources, area_code, lsoas["lsoa_code"], lookup, weights, str(measure), types,
            api=api,
        )  # fmt: skip
    deprivation, deprivation_dropped = build_deprivation(sources, lsoas, lookup)
    wards, wards_dropped = build_ward_crime(
        sources, area_code, config, lsoas["lsoa_code"], population.frame
    )
    excluded = pd.concat(
        [
            exclusions(f"population_lsoa {area_code} (ONS SAPE)", sape),
            exclusions(f"population_lsoa {area_code} (bridge LSOA11 -> LSOA21)", population),
            counts_dropped,
            deprivation_dropped,
            wards_dropped,
        ],
        ignore_index=True,
    )
    return AreaInputs(
        lsoas=lsoas[["lsoa_code", "lsoa_name", "ward_code", "ward_name", "area_code"]],
        population_lsoa=population.frame,
        lsoa_counts=counts,
        boundaries=boundaries[["lsoa_code", "lsoa_name", "geometry"]],
        deprivation=deprivation,
        excluded=excluded,
        ward_crime=wards,
    )


#: The columns of ``ward_crime.csv`` (the ``ward_crime`` contract).
WARD_CRIME_COLUMNS = ["ward_code", "ward_name", "definition", "measure", "financial_year",
                      "months_covered", "count", "population", "population_year"]  # fmt: skip


def build_ward_crime(
    sources: Sources,
    area_code: str,
    config: Mapping[str, Any],
    lsoas21: pd.Series,
    population_lsoa: pd.DataFrame,
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The area's counts by 2022 ward, public definition and financial year from the MPS ward
    files, with each ward's residents (summed from its LSOAs) where an LSOA-to-ward lookup is
    given (``lsoa_ward_lookup``), else none (no public file gives ward residents)."""
    if not sources.mps_ward_crime:
        if sources.lsoa_ward_lookup is not None:
            raise PublicBuildError(
                "public_sources.lsoa_ward_lookup gives ward residents for the ward table, which "
                "needs the MPS ward files: add public_sources.mps_ward_crime or drop the lookup"
            )
        return None, exclusions("ward_crime", pd.DataFrame(columns=["source", "reason", "rows"]))
    try:
        read = read_mps_ward_crime(sources.mps_ward_crime, area_code)
    except AdapterError as error:
        if "no ward" not in str(error):
            raise
        raise PublicBuildError(
            f"public_sources.mps_ward_crime: {error} (give the full MPS ward files, which "
            "cover every borough, or remove the key to build without wards)"
        ) from None
    residents = None
    if sources.lsoa_ward_lookup is not None:
        lookup = read_lsoa_ward_lookup(sources.lsoa_ward_lookup, lsoas21)
        missing = sorted(set(read.frame["ward_code"]) - set(lookup["ward_code"]))
        if missing:
            raise PublicBuildError(
                f"public_sources.lsoa_ward_lookup: no LSOA of {area_code} is in ward(s) "
                f"{missing[:5]} of the MPS ward files, so they would have no residents: give "
                "the lookup of the wards the MPS files use (2022 electoral wards)"
            )
        residents = ward_population_from_lsoas(lookup, population_lsoa)
    metrics = Settings.of(config).definitions.metrics
    measures = ward_measures({k: {"id": d.id} for k, d in metrics.items()})
    table = ward_tables(read.frame, measures, ward_population=residents)
    frame = table[WARD_CRIME_COLUMNS].reset_index(drop=True)
    return frame, exclusions(f"ward_crime {area_code} (MPS ward-level crime)", read)
