"""Validate the LSOA boundaries (GeoJSON): attribute table, geometry and coordinate system.

The attribute table goes through the same contract checks as the CSV inputs, with the
feature number (1-based, in file order) as its source location. Geometry rules (Stop): the file
is in British National Grid (EPSG:27700); its coordinates lie inside the bounds of the CRS it
declares (longitude/latitude labelled EPSG:27700 would otherwise pass: degrees fall inside the
grid's bounds, and every distance and area computed from them is wrong); every feature is a
non-empty, valid Polygon or MultiPolygon.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.validation import explain_validity

from pipeline.settings import Settings
from pipeline.validate.checking import check_rows
from pipeline.validate.errors import Problem, ProblemsFound
from pipeline.validate.readers import RawTable, display_name
from pipeline.validate.result import ValidationResult
from pipeline.validate.schemas import input_metadata

#: British National Grid.
BOUNDARY_EPSG = 27700
POLYGON_TYPES = {"Polygon", "MultiPolygon"}
#: How far (as a share of its width and height) coordinates may stray outside the bounds of
#: their CRS's area of use: area-of-use boxes are rounded to a hundredth of a degree.
BOUNDS_MARGIN = 0.05


def _geometry_fix(rule: str) -> str:
    """The fix text the Boundaries model declares for a geometry rule."""
    for _, name, fix in input_metadata("boundaries")["geometry_rules"]:
        if name == rule:
            return fix
    raise KeyError(rule)


def read_boundaries(path: Path, *, file: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON file, or raise ProblemsFound when it cannot be read."""
    if not path.is_file():
        raise ProblemsFound(
            [
                Problem(
                    input="boundaries",
                    file=file,
                    rule="readable GeoJSON file",
                    detail="the file does not exist",
                    fix="Check the path in the config.",
                )
            ]
        )
    try:
        return gpd.read_file(path)
    except Exception as err:  # pyogrio raises DataSourceError and others for bad files
        raise ProblemsFound(
            [
                Problem(
                    input="boundaries",
                    file=file,
                    rule="readable GeoJSON file",
                    detail=f"the file cannot be read as GeoJSON ({type(err).__name__})",
                    fix="Export the boundaries again as GeoJSON in EPSG:27700.",
                )
            ]
        ) from None


def _attribute_table(gdf: gpd.GeoDataFrame) -> RawTable:
    """The features' properties as text, one row per feature, located by feature number."""
    properties = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    text = {
        column: ["" if pd.isna(v) else str(v).strip() for v in properties[column]]
        for column in properties.columns
    }
    frame = pd.DataFrame(text, index=pd.RangeIndex(len(gdf)), dtype="str")
    frame.columns = list(properties.columns)
    return RawTable(
        frame=frame,
        lines=np.arange(1, len(gdf) + 1, dtype="int64"),
        header=list(properties.columns),
        unit="feature",
        encoding="utf-8",
    )


def crs_bounds(crs: Any) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of the CRS's area of use, in the CRS's own coordinates, with
    :data:`BOUNDS_MARGIN`; None when the CRS declares no area of use."""
    from pyproj import Transformer

    if crs is None or crs.area_of_use is None:
        return None
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xmin, ymin, xmax, ymax = to_crs.transform_bounds(*crs.area_of_use.bounds, densify_pts=21)
    dx, dy = (xmax - xmin) * BOUNDS_MARGIN, (ymax - ymin) * BOUNDS_MARGIN
    return xmin - dx, ymin - dy, xmax + dx, ymax + dy


def _span(bounds: Sequence[float]) -> str:
    def number(value: float) -> str:
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.6g}"

    x0, y0, x1, y1 = (number(v) for v in bounds)
    return f"x {x0} to {x1}, y {y0} to {y1}"


def coordinate_problems(gdf: gpd.GeoDataFrame, *, file: str) -> list[Problem]:
    """Coordinates outside the bounds of the CRS the file declares, or, in a projected CRS,
    coordinates that all fit in longitude/latitude ranges (degrees with the wrong label)."""
    geometry = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if gdf.crs is None or geometry.empty:
        return []
    found = [float(v) for v in geometry.total_bounds]
    expected = crs_bounds(gdf.crs)
    name = f"EPSG:{gdf.crs.to_epsg()}" if gdf.crs.to_epsg() else gdf.crs.name
    outside = expected is not None and (
        found[0] < expected[0]
        or found[1] < expected[1]
        or found[2] > expected[2]
        or found[3] > expected[3]
    )
    like_degrees = -180 <= found[0] and found[2] <= 180 and -90 <= found[1] and found[3] <= 90
    detail = None
    if outside:
        detail = (
            f"the file declares {name} but its coordinates span {_span(found)}, outside the "
            f"bounds of {name} ({_span(expected)})"
        )
    elif gdf.crs.is_projected and like_degrees:
        bounds = f" ({_span(expected)})" if expected is not None else ""
        detail = (
            f"the file declares {name}, whose coordinates are in {gdf.crs.axis_info[0].unit_name}s"
            f"{bounds}, but its coordinates span only {_span(found)}: they look like "
            "longitude/latitude degrees"
        )
    if detail is None:
        return []
    rule = "coordinates inside the bounds of the declared CRS"
    return [
        Problem(
            input="boundaries",
            file=file,
            column="geometry",
            rule=rule,
            fix=_geometry_fix(rule),
            detail=detail,
        )
    ]


def geometry_problems(gdf: gpd.GeoDataFrame, *, file: str) -> list[Problem]:
    """Stop problems of the coordinate system and of each feature's geometry."""
    problems: list[Problem] = []
    epsg = gdf.crs.to_epsg() if gdf.crs is not None else None
    if epsg != BOUNDARY_EPSG:
        found = f"EPSG:{epsg}" if epsg else (gdf.crs.to_string() if gdf.crs else "none")
        problems.append(
            Problem(
                input="boundaries",
                file=file,
                column="geometry",
                rule="British National Grid (EPSG:27700)",
                fix=_geometry_fix("British National Grid (EPSG:27700)"),
                detail=f"the file's coordinate reference system is {found}",
            )
        )
    problems += coordinate_problems(gdf, file=file)
    geometry = gdf.geometry
    kinds = geometry.geom_type
    not_polygon = (
        geometry.isna().to_numpy()
        | geometry.is_empty.to_numpy()
        | ~kinds.isin(POLYGON_TYPES).to_numpy()
    )
    if not_polygon.any():
        numbers = np.flatnonzero(not_polygon) + 1
        problems.append(
            Problem(
                input="boundaries",
                file=file,
                column="geometry",
                rule="polygon geometry",
                fix=_geometry_fix("polygon geometry"),
                unit="feature",
                lines=[int(n) for n in numbers],
                values=[
                    "empty" if g is None or g.is_empty else g.geom_type
                    for g in geometry[not_polygon]
                ],
            )
        )
    invalid = ~not_polygon & ~geometry.is_valid.to_numpy()
    if invalid.any():
        numbers = np.flatnonzero(invalid) + 1
        problems.append(
            Problem(
                input="boundaries",
                file=file,
                column="geometry",
                rule="valid geometry",
                fix=_geometry_fix("valid geometry"),
                unit="feature",
                lines=[int(n) for n in numbers],
                values=[explain_validity(g) for g in geometry[invalid]],
            )
        )
    return problems


def validate_boundaries(
    path: Path, *, settings: Settings, area_lsoas: set[str] | None
) -> ValidationResult:
    """Validate the boundaries file; the result's frame is a GeoDataFrame."""
    file = display_name(path)
    gdf = read_boundaries(path, file=file)
    checked = check_rows(
        "boundaries",
        _attribute_table(gdf),
        file,
        settings=settings,
        area_lsoas=area_lsoas,
        extra_problems=geometry_problems(gdf, file=file),
        blank_rows_allowed=False,
    )
    positions = checked.used.index.to_numpy()
    attributes = checked.used.reset_index(drop=True)
    attributes.insert(0, "source_line", checked.lines[positions])
    frame = gpd.GeoDataFrame(
        attributes, geometry=gdf.geometry.iloc[positions].to_numpy(), crs=gdf.crs
    )
    return ValidationResult(
        frame=frame, reconciliation=checked.reconciliation, excluded=checked.excluded
    )
