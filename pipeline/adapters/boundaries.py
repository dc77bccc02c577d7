"""LSOA boundaries (shapefile, GeoPackage or GeoJSON) -> ``lsoa_code, geometry`` in EPSG:27700.

Where to get it: Office for National Statistics, Open Geography Portal, "Lower layer Super
Output Areas (December 2011) Boundaries EW BGC" or "(December 2021) ... BGC" (generalised,
clipped; download as shapefile or GeoJSON), or the London extracts ``london-2011-lsoa-gen20.shp``
and ``london-2021-lsoa-gen20.shp`` (ONS generalised 20 m, British National Grid).

What it produces: a GeoDataFrame with ``lsoa_code`` (from ``LSOA11CD`` / ``LSOA21CD``, any
case) and ``geometry`` in British National Grid (EPSG:27700; files in another CRS, such as
WGS84 GeoJSON, are reprojected; a file with no CRS is refused), sorted by code. ``area_code``
keeps one local authority's LSOAs using the file's ``LADyyCD`` column. A missing or empty
geometry or a repeated code raises :class:`AdapterError`; the map needs every LSOA once.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pyogrio

from pipeline.adapters._common import fail, reading

BRITISH_NATIONAL_GRID = 27700
_LSOA_COLUMN = re.compile(r"^LSOA\d{2}CD$", re.IGNORECASE)
_LAD_COLUMN = re.compile(r"^LAD\d{2}CD$", re.IGNORECASE)


_WHAT = "LSOA boundaries (a shapefile with its .dbf and .shx, a GeoPackage or GeoJSON)"


def read_lsoa_boundaries(path: Path | str, area_code: str | None = None) -> gpd.GeoDataFrame:
    """Read LSOA polygons as ``lsoa_code, geometry`` in EPSG:27700, optionally for one LAD."""
    path = Path(path)
    with reading(path, _WHAT):
        fields = [str(f) for f in pyogrio.read_info(path)["fields"]]
    lsoa_col = _one_field(path, fields, _LSOA_COLUMN, "LSOA code (LSOA11CD/LSOA21CD)")
    columns = [lsoa_col]
    if area_code is not None:
        lad_col = _one_field(path, fields, _LAD_COLUMN, "local authority code (LADyyCD)")
        columns.append(lad_col)
    with reading(path, _WHAT):
        shapes = gpd.read_file(path, columns=columns, engine="pyogrio")
    if shapes.crs is None:
        raise fail(
            path,
            "the file has no coordinate reference system; "
            "expected British National Grid (EPSG:27700)",
        )
    if area_code is not None:
        shapes = shapes.loc[shapes[lad_col].str.strip() == area_code]
        if shapes.empty:
            raise fail(path, f"no LSOA has {lad_col} = {area_code}", column=lad_col)
    shapes = shapes.rename(columns={lsoa_col: "lsoa_code"})[["lsoa_code", "geometry"]]
    shapes["lsoa_code"] = shapes["lsoa_code"].str.strip()
    if shapes.crs.to_epsg() != BRITISH_NATIONAL_GRID:
        shapes = shapes.to_crs(epsg=BRITISH_NATIONAL_GRID)
    _check(path, shapes)
    return shapes.sort_values("lsoa_code").reset_index(drop=True)


def _one_field(path: Path, fields: list[str], pattern: re.Pattern[str], what: str) -> str:
    """The single attribute whose name matches ``pattern``."""
    found = [f for f in fields if pattern.match(f)]
    if len(found) != 1:
        raise fail(path, f"expected one {what} attribute, found {found} among {fields}")
    return found[0]


def _check(path: Path, shapes: gpd.GeoDataFrame) -> None:
    """Every LSOA once, each with a non-empty geometry (features numbered from 1)."""
    empty = shapes.geometry.isna() | shapes.geometry.is_empty
    if empty.any():
        raise fail(
            path,
            "geometry is missing or empty",
            column="geometry",
            rows=[int(i) + 1 for i in shapes.index[empty]],
        )
    duplicated = shapes["lsoa_code"].duplicated(keep=False)
    if duplicated.any():
        raise fail(
            path,
            "each LSOA must appear once",
            column="lsoa_code",
            rows=[int(i) + 1 for i in shapes.index[duplicated]],
        )
