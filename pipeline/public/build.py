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
  could not use, by step, source and reason
  (:data:`~pipeline.public.exclusions.EXCLUSION_COLUMNS`).

Splits of 2011 LSOAs are shared among their 2021 children in proportion to the children's
Census 2021 residents (``TotalRes21`` of the London best-fit lookup; equal shares when the
lookup has no such column), in whole numbers that keep each parent's total.

The configuration is read by :mod:`~pipeline.public.configuration`, the shared inputs built by
:mod:`~pipeline.public.shared_inputs` and each area's by :mod:`~pipeline.public.area_inputs`;
this module puts them together and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from pipeline.public.area_inputs import build_area
from pipeline.public.configuration import (
    BOUNDARIES_FILE,
    COMPARATOR_SOURCES_FILE,
    DEPRIVATION_LA_FILE,
    EXCLUSIONS_FILE,
    SOURCES_READ_FILE,
    WARD_CRIME_FILE,
    PublicBuildError,
    area_codes,
    proxy_measures,
    resolve_sources,
    source_files,
)
from pipeline.public.exclusions import exclusion_table
from pipeline.public.police_uk_area import read_area_api
from pipeline.public.shared_inputs import (
    build_areas,
    build_comparators,
    build_deprivation_la,
    build_neighbours,
    build_population_la,
    la_regions,
)
from pipeline.settings import Settings
from pipeline.validate.rules import window_months


def build_public_inputs(config: Mapping[str, Any], root: Path | str = ".") -> dict[Path, Any]:
    """Every raw input of the configuration, by path (relative to ``root``), built from the
    public files of ``public_sources``; plus ``adapter-exclusions.csv`` beside the shared
    folder. Frames are sorted; the boundaries are a GeoDataFrame in EPSG:27700."""
    root = Path(root)
    sources = resolve_sources(config, root)
    read = source_records(config, root)
    codes = area_codes(config)
    measures = proxy_measures(config)
    neighbours, neighbours_dropped = build_neighbours(sources, codes, config)
    neighbour_codes = sorted(set(neighbours["neighbour_code"]) - set(codes))
    wanted = sorted({*codes, *neighbour_codes})
    settings = Settings.of(config)
    # Each area's saved API answers are read once: its series and its LSOA counts use them
    # (with an MPS LSOA file they are not used: the areas are then MPS boroughs).
    from_api = sources.police_uk_api and not sources.mps_lsoa_crime
    api = {code: read_area_api(sources, code) for code in codes} if from_api else {}
    comparators, comparators_dropped, comparator_sources = build_comparators(
        sources, measures, wanted, window_months(settings),
        {a.code: a.name for a in settings.areas}, api,
    )  # fmt: skip
    check_area_series(comparators, comparators_dropped, codes, measures)
    population, population_dropped = build_population_la(sources, wanted)
    shared = settings.shared_inputs
    outputs: dict[Path, Any] = {}
    deprivation, dropped = [], [neighbours_dropped, comparators_dropped, population_dropped]
    for area in settings.areas:
        built = build_area(sources, area.code, config, api.get(area.code))
        folder = Path(area.inputs)
        outputs[folder / "lsoas.csv"] = built.lsoas
        outputs[folder / "population_lsoa.csv"] = built.population_lsoa
        outputs[folder / "lsoa_counts.csv"] = built.lsoa_counts
        outputs[folder / BOUNDARIES_FILE] = built.boundaries
        if built.ward_crime is not None:
            outputs[folder / WARD_CRIME_FILE] = built.ward_crime
        deprivation.append(built.deprivation)
        dropped.append(built.excluded)
    regions = la_regions(sources.dfe_la_codes)
    outputs[shared / "comparators.csv"] = comparators
    if comparator_sources is not None:  # police.uk files configured: say where each came from
        outputs[shared / COMPARATOR_SOURCES_FILE] = comparator_sources
    outputs[shared / "population_la.csv"] = population
    outputs[shared / "neighbours.csv"] = neighbours
    outputs[shared / "areas.csv"] = build_areas(config, neighbours, wanted, regions)
    outputs[shared / "deprivation.csv"] = (
        pd.concat(deprivation, ignore_index=True)
        .drop_duplicates(["lsoa_code", "iod_edition"])
        .sort_values(["lsoa_code", "iod_edition"])
        .reset_index(drop=True)
    )
    if sources.iod_la_summaries:  # IoD File 10: the borough's rank among districts
        outputs[shared / DEPRIVATION_LA_FILE], summaries_dropped = build_deprivation_la(
            sources, wanted
        )
        dropped.append(summaries_dropped)
    outputs[shared.parent / EXCLUSIONS_FILE] = exclusion_table(dropped)
    if source_records(config, root) != read:
        raise PublicBuildError("a public file changed while it was being read; build again")
    outputs[shared.parent / SOURCES_READ_FILE] = read
    return outputs


def check_area_series(
    comparators: pd.DataFrame, dropped: pd.DataFrame, codes: list[str], measures: list[str]
) -> None:
    """Every area needs its own series of every proxy measure (a neighbour may lack one): one
    line naming the area, the measure and why its series could not be made."""
    for code in codes:
        for measure in measures:
            held = (comparators["area_code"] == code) & (comparators["measure"] == measure)
            if held.any():
                continue
            mine = dropped.loc[dropped["detail"].fillna("").astype(str).str.contains(code)]
            why = "; ".join(sorted({f"{r.reason} ({r.detail})" for r in mine.itertuples()}))
            raise PublicBuildError(
                f"{code}: no {measure} series for the area itself: {why or 'no file holds it'}"
            )


def source_records(config: Mapping[str, Any], root: Path) -> list[dict[str, Any]]:
    """Path (as configured), size and sha256 of every public file the build reads, in the
    read-record form of the validation steps (``kind`` names the source)."""
    from pipeline.audit.provenance import input_records

    files = [root / path for path in source_files(config, root)]
    return [{"kind": "public source", **r} for r in input_records(files, root)]


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
    if path.suffix == ".json":
        import json

        return json.dumps(frame, indent=2, sort_keys=True) + "\n"
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
