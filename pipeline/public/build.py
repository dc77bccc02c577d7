"""Build the SNA's raw inputs for a London borough from official public files alone.

``config/public.yaml`` names the public files (``public_sources``, paths relative to the
repository) and the areas to build. :func:`build_public_inputs` turns them, with the adapters
of :mod:`pipeline.adapters`, into the data contracts (docs/data-contracts.md):

* shared (``shared_inputs``): ``comparators.csv`` (the two borough-level proxy measures of
  the configuration, monthly, for the areas, their statistical neighbours covered by the MPS and
  London, E12000007, as the sum of the 32 MPS boroughs), ``population_la.csv`` (ONS MYE2 for
  the areas, the neighbours found in the file and London), ``areas.csv``, ``neighbours.csv``
  (every DfE neighbour, including those outside London, which have no MPS data) and
  ``deprivation.csv`` (IoD2025 on 2021 LSOAs where it covers the area, else IoD2019 bridged to
  2021 LSOAs);
* per area (``inputs``): ``lsoas.csv`` (the 2021 LSOAs of the boundaries' attribute table,
  with the MSOA as the level above the LSOA: public files have no LSOA-to-ward lookup),
  ``population_lsoa.csv`` (ONS SAPE on 2011 LSOAs, bridged), ``lsoa_counts.csv`` (MPS
  recorded crime by 2011 LSOA and calendar year, bridged) and ``lsoa_boundaries.geojson``
  (EPSG:27700);
* ``adapter-exclusions.csv`` beside the shared folder: every source row an adapter or the bridge
  could not use, by step, source and reason (:data:`EXCLUSION_COLUMNS`).

Splits of 2011 LSOAs are shared among their 2021 children in proportion to the children's
Census 2021 residents (``TotalRes21`` of the London best-fit lookup; equal shares when the
lookup has no such column), in whole numbers that keep each parent's total.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from pipeline.adapters import (
    AdapterResult,
    bridge_lsoa11_to_lsoa21,
    mps_comparator_series,
    read_dfe_la_codes,
    read_dfe_statistical_neighbours,
    read_iod_file1,
    read_lsoa_bestfit_lookup,
    read_lsoa_boundaries,
    read_mps_borough_crime,
    read_mps_lsoa_annual,
    read_ons_mye2,
    read_ons_sape_lsoa,
)
from pipeline.adapters._common import fail, reading, require_columns
from pipeline.adapters.mps_borough import (
    LONDON_BOROUGHS,
    LONDON_CODE,
    LONDON_NAME,
    MPS_BOROUGHS,
    PROXY_MEASURES,
)
from pipeline.runtime import UserFacingError

#: Columns of ``adapter-exclusions.csv``: what was being built, the source file (or step),
#: the reason, a narrower detail, the source rows and (where meaningful) what they held.
EXCLUSION_COLUMNS: list[str] = ["step", "source", "reason", "detail", "rows", "value"]
EXCLUSIONS_FILE = "adapter-exclusions.csv"
BOUNDARIES_FILE = "lsoa_boundaries.geojson"
#: Census 2021 usual residents per LSOA21 in the London best-fit lookup (the split weights).
SPLIT_WEIGHT_COLUMN = "TotalRes21"
_LSOA21_FIELDS = {"LSOA21CD": "lsoa_code", "LSOA21NM": "lsoa_name", "MSOA21CD": "ward_code",
                  "MSOA21NM": "ward_name"}  # fmt: skip
_LAD_FIELD = re.compile(r"^LAD\d{2}CD$", re.IGNORECASE)


class PublicBuildError(UserFacingError, ValueError):
    """The configuration or the public files cannot give the SNA inputs; the message says why."""


@dataclass(frozen=True)
class Sources:
    """Resolved paths of the public files named in ``public_sources``."""

    mps_borough_crime: list[Path]
    mps_lsoa_crime: Path
    ons_mye2: list[Path]
    ons_sape_lsoa: Path
    lsoa_bestfit_lookup: Path
    lsoa21_boundaries: Path
    dfe_neighbours: Path
    dfe_la_codes: Path
    iod2025: Path | None
    iod2019: Path | None


def resolve_sources(config: Mapping[str, Any], root: Path) -> Sources:
    """The public files of ``config['public_sources']``, relative to ``root``; each must exist."""
    if "public_sources" not in config:
        raise PublicBuildError("config has no public_sources: see config/public.yaml")
    given = dict(config["public_sources"])

    def existing(key: str, value: object) -> Path:
        path = root / str(value)
        if not path.is_file():
            raise PublicBuildError(
                f"public_sources.{key}: {path} does not exist (download it as described in "
                "docs/public-data.md, or correct the path in the config)"
            )
        return path

    def one(key: str) -> Path:
        return existing(key, given[key])

    def many(key: str) -> list[Path]:
        values = given[key] if isinstance(given[key], list) else [given[key]]
        return [existing(key, value) for value in values]

    if not given.get("iod2025") and not given.get("iod2019"):
        raise PublicBuildError("public_sources needs iod2025 or iod2019 (deprivation)")
    return Sources(
        mps_borough_crime=many("mps_borough_crime"),
        mps_lsoa_crime=one("mps_lsoa_crime"),
        ons_mye2=many("ons_mye2"),
        ons_sape_lsoa=one("ons_sape_lsoa"),
        lsoa_bestfit_lookup=one("lsoa_bestfit_lookup"),
        lsoa21_boundaries=one("lsoa21_boundaries"),
        dfe_neighbours=one("dfe_neighbours"),
        dfe_la_codes=one("dfe_la_codes"),
        iod2025=one("iod2025") if given.get("iod2025") else None,
        iod2019=one("iod2019") if given.get("iod2019") else None,
    )


# --------------------------------------------------------------------------------------------
# Configuration checks
# --------------------------------------------------------------------------------------------


def area_codes(config: Mapping[str, Any]) -> list[str]:
    """Codes of the configured areas, each a London borough policed by the MPS."""
    codes = [str(area["code"]) for area in config["areas"]]
    outside = [code for code in codes if code not in MPS_BOROUGHS]
    if outside:
        raise PublicBuildError(
            f"areas: {outside} are not London boroughs policed by the Metropolitan Police "
            f"(the public crime files are MPS data); choose from {', '.join(MPS_BOROUGHS)}"
        )
    if config["region"]["code"] != LONDON_CODE:
        raise PublicBuildError(
            f"region.code must be {LONDON_CODE} (London) for an SNA from MPS data, "
            f"not {config['region']['code']}"
        )
    return codes


def proxy_measures(config: Mapping[str, Any]) -> list[str]:
    """The borough-level proxy measures: the ids of key_metric and under_18_metric."""
    definitions = config["definitions"]
    ids = [str(definitions[key]["id"]) for key in ("key_metric", "under_18_metric")]
    unknown = [i for i in ids if i not in PROXY_MEASURES]
    if unknown:
        raise PublicBuildError(
            f"definitions key_metric/under_18_metric: ids {unknown} are not MPS proxy measures; "
            f"use one of {sorted(PROXY_MEASURES)}"
        )
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------------------------
# Shared inputs
# --------------------------------------------------------------------------------------------


def exclusions(step: str, result: AdapterResult | pd.DataFrame) -> pd.DataFrame:
    """An adapter's ``excluded`` table under the step it belongs to."""
    excluded = result.excluded if isinstance(result, AdapterResult) else result
    frame = excluded.assign(step=step)
    for column in EXCLUSION_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    return frame[EXCLUSION_COLUMNS]


_REGION_COLUMNS = ["time_period", "geographic_level", "new_la_code", "region_name"]


def la_regions(path: Path) -> dict[str, str]:
    """ONS LA code -> region name from the DfE population file (latest year of each LA)."""
    latest: dict[str, tuple[int, str]] = {}
    what = "DfE EES population estimates"
    with (
        reading(path, f"{what} (CSV, UTF-8)"),
        open(path, newline="", encoding="utf-8-sig") as handle,
    ):
        reader = csv.DictReader(handle)
        require_columns(path, reader.fieldnames or [], _REGION_COLUMNS, what)
        for line, row in enumerate(reader, start=2):
            if row["geographic_level"].strip() != "Local authority":
                continue
            code, year = row["new_la_code"].strip(), row["time_period"].strip()
            if not year.isdigit():
                raise fail(
                    path, "time_period must be a year YYYY", column="time_period", rows=[line]
                )
            if code not in latest or int(year) >= latest[code][0]:
                latest[code] = (int(year), row["region_name"].strip())
    # DfE splits London into Inner and Outer London; the ONS region is London.
    london = {"Inner London", "Outer London"}
    return {
        code: (LONDON_NAME if region in london else region) for code, (_, region) in latest.items()
    }


def build_neighbours(
    sources: Sources, codes: Sequence[str], config: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every DfE statistical neighbour of the areas, and the exclusions."""
    la_codes = read_dfe_la_codes(sources.dfe_la_codes)
    result = read_dfe_statistical_neighbours(sources.dfe_neighbours, la_codes)
    own = result.frame.loc[result.frame["area_code"].isin(codes)].reset_index(drop=True)
    missing = sorted(set(codes) - set(own["area_code"]))
    if missing:
        raise PublicBuildError(
            f"{sources.dfe_neighbours.name}: no statistical neighbours for {missing}"
        )
    labels = sorted(set(own["source"]))
    if labels != [config["neighbours_source"]]:
        raise PublicBuildError(
            f"neighbours_source in the config is {config['neighbours_source']!r} but "
            f"{sources.dfe_neighbours.name} is {labels}: set neighbours_source to match the file"
        )
    # Other LAs' rows of the file are not this build's (not an exclusion: they are other areas).
    return own, exclusions("neighbours (DfE statistical neighbours)", result)


def build_comparators(
    sources: Sources, measures: Sequence[str], wanted: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly MPS counts of each proxy measure for the wanted codes and London."""
    crime = read_mps_borough_crime(sources.mps_borough_crime)
    parts, dropped = [], [exclusions("comparators (MPS borough-level crime)", crime)]
    for measure in measures:
        series = mps_comparator_series(crime.frame, measure, wanted)
        parts.append(series.frame)
        dropped.append(exclusions(f"comparators: {measure}", series))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["area_code", "measure", "month"]).reset_index(drop=True)
    return frame, pd.concat(dropped, ignore_index=True)


def build_population_la(
    sources: Sources, wanted: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ONS MYE2 single-year populations of the wanted codes (all MYE files given), and London.

    London (E12000007) is the sum of the 32 MPS boroughs, like its comparator series, so that
    a rate's residents and offences cover the same place: the ONS London row also counts the
    City of London, which the MPS does not police (its residents are listed as excluded).
    """
    city = "E09000001"
    read_codes = sorted({*wanted, *MPS_BOROUGHS, city} - {LONDON_CODE})
    frames, dropped = [], []
    for path in sources.ons_mye2:
        result = read_ons_mye2(path, area_codes=read_codes)
        frames.append(result.frame)
        dropped.append(exclusions("population_la (ONS MYE2)", result))
    frame = pd.concat(frames, ignore_index=True)
    duplicated = frame.duplicated(["area_code", "year", "sex", "age_from"], keep=False)
    if duplicated.any():
        years = sorted(set(frame.loc[duplicated, "year"]))
        raise PublicBuildError(f"public_sources.ons_mye2: mid-year {years} given more than once")
    source = ", ".join(p.name for p in sources.ons_mye2)
    boroughs = frame.loc[frame["area_code"].isin(MPS_BOROUGHS)]
    if boroughs["area_code"].nunique() != len(MPS_BOROUGHS):
        raise PublicBuildError(f"{source}: the 32 London boroughs are needed to total London")
    keys = ["year", "sex", "age_from", "age_to", "ethnicity"]
    london = (
        boroughs.groupby(keys, as_index=False)["population"].sum().assign(area_code=LONDON_CODE)
    )
    city_rows = frame.loc[frame["area_code"] == city]
    records = [
        {
            "source": source,
            "reason": "not in London's total: the City of London is not policed by the MPS",
            "detail": f"{city} mid-{year}",
            "rows": len(rows),
            "value": int(rows["population"].sum()),
        }
        for year, rows in city_rows.groupby("year")
    ]
    records += [
        {
            "source": source,
            "reason": "area not in the mid-year estimates",
            "detail": code,
            "rows": 0,
        }
        for code in sorted(set(wanted) - set(frame["area_code"]) - {LONDON_CODE})
    ]
    if records:
        dropped.append(exclusions("population_la (ONS MYE2)", pd.DataFrame(records)))
    kept = frame.loc[frame["area_code"].isin(set(wanted))]
    frame = pd.concat([kept, london[kept.columns]], ignore_index=True)
    frame = frame.sort_values(["area_code", "year", "sex", "age_from"]).reset_index(drop=True)
    return frame, pd.concat(dropped, ignore_index=True)


def build_areas(
    config: Mapping[str, Any],
    neighbours: pd.DataFrame,
    codes: Iterable[str],
    regions: Mapping[str, str],
) -> pd.DataFrame:
    """Names (and regions) of every code used: areas, neighbours, London."""
    names = {
        str(row["neighbour_code"]): str(row["neighbour_name"]) for _, row in neighbours.iterrows()
    }
    names.update(LONDON_BOROUGHS)
    names.update({str(a["code"]): str(a["name"]) for a in config["areas"]})
    rows = [
        {"area_code": code, "area_name": names[code], "region": regions.get(code, "")}
        for code in sorted(set(codes) - {LONDON_CODE})
    ]
    rows.append({"area_code": LONDON_CODE, "area_name": LONDON_NAME, "region": ""})
    return pd.DataFrame(rows).sort_values("area_code").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Area inputs
# --------------------------------------------------------------------------------------------


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
    annual = read_mps_lsoa_annual(sources.mps_lsoa_crime, area_code)
    counts11 = annual.frame[["lsoa_code", "year", "count"]]
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


@dataclass(frozen=True)
class AreaInputs:
    """One area's own inputs and its deprivation rows (which go to the shared file)."""

    lsoas: pd.DataFrame
    population_lsoa: pd.DataFrame
    lsoa_counts: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    deprivation: pd.DataFrame
    excluded: pd.DataFrame


def build_area(sources: Sources, area_code: str, config: Mapping[str, Any]) -> AreaInputs:
    """Everything the SNA needs at LSOA level for one borough, on 2021 LSOAs."""
    lsoas = read_lsoa21_attributes(sources.lsoa21_boundaries, area_code)
    lookup = read_lsoa_bestfit_lookup(sources.lsoa_bestfit_lookup, area_code)
    check_lookup_covers(lookup, lsoas, area_code)
    weights = split_weights(sources.lsoa_bestfit_lookup)
    sape = read_ons_sape_lsoa(sources.ons_sape_lsoa, area_code=area_code)
    population = bridge_population(sape.frame, lookup, weights)
    measure = str(config["definitions"]["serious_violence_u25"]["id"])
    counts, counts_dropped = build_lsoa_counts(sources, area_code, lookup, weights, measure)
    boundaries = read_lsoa_boundaries(sources.lsoa21_boundaries, area_code)
    boundaries = boundaries.merge(lsoas[["lsoa_code", "lsoa_name"]], on="lsoa_code", how="left")
    deprivation, deprivation_dropped = build_deprivation(sources, lsoas, lookup)
    excluded = pd.concat(
        [
            exclusions(f"population_lsoa {area_code} (ONS SAPE)", sape),
            exclusions(f"population_lsoa {area_code} (bridge LSOA11 -> LSOA21)", population),
            counts_dropped,
            deprivation_dropped,
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
    )


# --------------------------------------------------------------------------------------------
# The whole build
# --------------------------------------------------------------------------------------------


def build_public_inputs(config: Mapping[str, Any], root: Path | str = ".") -> dict[Path, Any]:
    """Every raw input of the configuration, by path (relative to ``root``), built from the
    public files of ``public_sources``; plus ``adapter-exclusions.csv`` beside the shared
    folder. Frames are sorted; the boundaries are a GeoDataFrame in EPSG:27700."""
    root = Path(root)
    sources = resolve_sources(config, root)
    codes = area_codes(config)
    measures = proxy_measures(config)
    neighbours, neighbours_dropped = build_neighbours(sources, codes, config)
    neighbour_codes = sorted(set(neighbours["neighbour_code"]) - set(codes))
    wanted = sorted({*codes, *neighbour_codes})
    comparators, comparators_dropped = build_comparators(sources, measures, wanted)
    population, population_dropped = build_population_la(sources, wanted)
    shared = Path(config["shared_inputs"])
    outputs: dict[Path, Any] = {}
    deprivation, dropped = [], [neighbours_dropped, comparators_dropped, population_dropped]
    for area in config["areas"]:
        built = build_area(sources, str(area["code"]), config)
        folder = Path(area["inputs"])
        outputs[folder / "lsoas.csv"] = built.lsoas
        outputs[folder / "population_lsoa.csv"] = built.population_lsoa
        outputs[folder / "lsoa_counts.csv"] = built.lsoa_counts
        outputs[folder / BOUNDARIES_FILE] = built.boundaries
        deprivation.append(built.deprivation)
        dropped.append(built.excluded)
    regions = la_regions(sources.dfe_la_codes)
    outputs[shared / "comparators.csv"] = comparators
    outputs[shared / "population_la.csv"] = population
    outputs[shared / "neighbours.csv"] = neighbours
    outputs[shared / "areas.csv"] = build_areas(config, neighbours, wanted, regions)
    outputs[shared / "deprivation.csv"] = (
        pd.concat(deprivation, ignore_index=True)
        .drop_duplicates(["lsoa_code", "iod_edition"])
        .sort_values(["lsoa_code", "iod_edition"])
        .reset_index(drop=True)
    )
    outputs[shared.parent / EXCLUSIONS_FILE] = exclusion_table(dropped)
    return outputs


def exclusion_table(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All exclusions, one table, in a stable order."""
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    table = table.astype({"rows": "int64", "value": "Int64"})
    table["detail"] = table["detail"].fillna("").astype(str)
    return table.sort_values(["step", "source", "reason", "detail"], kind="stable").reset_index(
        drop=True
    )


#: Files a shapefile is read with (besides the .shp itself), where present.
SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg")


def source_files(config: Mapping[str, Any], root: Path | str = ".") -> list[Path]:
    """Every public file the build reads (relative to ``root``), shapefile parts included:
    for a workflow rule's inputs and the provenance record."""
    given = dict(config["public_sources"])
    paths: list[Path] = []
    for value in given.values():
        paths += [Path(v) for v in (value if isinstance(value, list) else [value])]
    for path in list(paths):
        if path.suffix.casefold() == ".shp":
            paths += [
                path.with_suffix(part)
                for part in SHAPEFILE_PARTS
                if (Path(root) / path.with_suffix(part)).is_file()
            ]
    return sorted(set(paths))


def output_paths(config: Mapping[str, Any]) -> list[Path]:
    """The files :func:`write_public_inputs` writes (for a workflow rule's outputs)."""
    shared = Path(config["shared_inputs"])
    paths = [shared / f"{kind}.csv" for kind in
             ("comparators", "population_la", "neighbours", "areas", "deprivation")]  # fmt: skip
    for area in config["areas"]:
        folder = Path(area["inputs"])
        paths += [folder / f"{kind}.csv" for kind in ("lsoas", "population_lsoa", "lsoa_counts")]
        paths.append(folder / BOUNDARIES_FILE)
    paths.append(shared.parent / EXCLUSIONS_FILE)
    return sorted(paths)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

#: Written into every output folder so that git never picks up the (real) public data.
GITIGNORE = "# Built from public files by python -m pipeline.public: never committed.\n*\n"


def boundaries_geojson(shapes: gpd.GeoDataFrame) -> dict[str, Any]:
    """LSOA polygons as a GeoJSON FeatureCollection naming EPSG:27700, sorted by code."""
    import shapely
    from shapely.geometry import mapping

    if shapes.crs is None or shapes.crs.to_epsg() != 27700:
        raise PublicBuildError("boundaries must be in British National Grid (EPSG:27700)")
    # Millimetre grid: drops binary float noise (539738.2620000001) while keeping each polygon
    # valid (set_precision repairs what snapping would break) and shared edges shared.
    shapes = shapes.assign(geometry=shapely.set_precision(shapes.geometry.to_numpy(), 0.001))
    features = [
        {
            "type": "Feature",
            "properties": {"lsoa_code": str(code), "lsoa_name": str(name)},
            "geometry": mapping(geometry),
        }
        for code, name, geometry in shapes.sort_values("lsoa_code")[
            ["lsoa_code", "lsoa_name", "geometry"]
        ].itertuples(index=False)
    ]
    return {
        "type": "FeatureCollection",
        "name": "lsoa_boundaries",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }


def file_text(path: Path, frame: Any) -> str:
    """A built input as the text written to ``path`` (CSV, or GeoJSON for the boundaries)."""
    from pipeline.demo.output import csv_text, geojson_text

    if path.suffix == ".geojson":
        return geojson_text(boundaries_geojson(frame))
    return csv_text(frame)


def write_public_inputs(
    config: Mapping[str, Any], root: Path | str = ".", out: Path | str | None = None
) -> list[Path]:
    """Build every raw input from the public files and write it.

    Source paths are relative to ``root`` (the repository), output paths to ``out`` (default
    ``root``). Also writes a ``.gitignore`` (everything) into each folder written, so the real
    data stay out of git. Returns the files written (relative to ``out``), sorted.
    """
    built = build_public_inputs(config, Path(root))
    root = Path(out) if out is not None else Path(root)
    for relative, frame in sorted(built.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file_text(target, frame), encoding="utf-8", newline="\n")
    for folder in sorted({(root / p).parent for p in built}):
        (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8", newline="\n")
    return sorted(built)


# --------------------------------------------------------------------------------------------
# Another borough
# --------------------------------------------------------------------------------------------

#: The council's own text for the resident report, when building a borough other than the
#: configured one (generic wording, to be replaced by the council's).
GENERIC_NARRATIVE = "config/narrative/demo-generic.yaml"


def borough_slug(name: str) -> str:
    """Folder name of a public build: 'Waltham Forest' -> 'waltham-forest-public'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + "-public"


def config_for_borough(
    config: Mapping[str, Any], code: str, narrative: str = GENERIC_NARRATIVE
) -> dict[str, Any]:
    """A copy of ``config`` that builds the London borough ``code`` instead of its areas."""
    if code not in MPS_BOROUGHS:
        raise PublicBuildError(
            f"{code} is not a London borough policed by the Metropolitan Police; choose from "
            + ", ".join(f"{c} {LONDON_BOROUGHS[c]}" for c in MPS_BOROUGHS)
        )
    name = LONDON_BOROUGHS[code]
    slug = borough_slug(name)
    # Its own folders and dataset, so that it never overwrites another borough's inputs.
    dataset = f"public-{slug.removesuffix('-public')}"
    root = Path(config["shared_inputs"]).parent.parent / dataset
    copied = dict(config)
    copied["dataset"] = dataset
    copied["shared_inputs"] = (root / "shared").as_posix()
    copied["areas"] = [
        {
            "code": code,
            "slug": slug,
            "name": name,
            "inputs": (root / slug).as_posix(),
            "narrative": narrative,
        }
    ]
    return copied
