"""Incidents near schools: the observed share against the share of the area's land near a
school."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from pipeline.stats import proportion_ci, share_ratio


def near_school_flags(points: pd.DataFrame, schools: pd.DataFrame, distance_m: float) -> np.ndarray:
    """True where a point (easting, northing) lies within ``distance_m`` of any school."""
    if points.empty or schools.empty:
        return np.zeros(len(points), dtype=bool)
    tree = cKDTree(schools[["easting", "northing"]].to_numpy(dtype=float))
    nearest, _ = tree.query(points[["easting", "northing"]].to_numpy(dtype=float), k=1)
    return nearest <= distance_m


def area_share_near_schools(polygons: Any, schools: pd.DataFrame, distance_m: float) -> float:
    """Share of the area's land (union of its polygons) within ``distance_m`` of a school."""
    import shapely

    area = shapely.union_all(polygons.geometry.to_numpy())
    if schools.empty:
        return 0.0
    points = shapely.points(schools[["easting", "northing"]].to_numpy(dtype=float))
    buffers = shapely.union_all(shapely.buffer(points, distance_m, quad_segs=32))
    return float(shapely.intersection(area, buffers).area / area.area)


def school_rows(
    base: Mapping[str, Any],
    located: pd.DataFrame,
    schools: pd.DataFrame | None,
    polygons: Any | None,
    distance_m: float,
    confidence: float,
) -> tuple[list[dict[str, Any]], int]:
    """Observed share of incidents near a school, expected share and their ratio.

    Returns the rows and the number of incidents excluded for lacking coordinates.
    """
    has_xy = located["easting"].notna() & located["northing"].notna()
    no_xy = int((~has_xy).sum())
    points = located.loc[has_xy]
    n = len(points)
    group = f"within {distance_m:g} m of a school"
    common = {**base, "group": group, "denominator": n, "note": ""}
    if schools is None:
        return [
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": 0,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "share of incidents",
                "method": "not computed",
                "note": "no schools list supplied",
            }
        ], no_xy
    near = int(near_school_flags(points, schools, distance_m).sum())
    rows = []
    share_method = f"Wilson score interval; straight-line distance <= {distance_m:g} m"
    if n:
        ci = proportion_ci(near, n, confidence)
        rows.append(
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": near,
                "value": float(ci["value"].iloc[0]),
                "lower": float(ci["lower"].iloc[0]),
                "upper": float(ci["upper"].iloc[0]),
                "unit": "share of incidents",
                "method": share_method,
            }
        )
    else:
        rows.append(
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": 0,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "share of incidents",
                "method": share_method,
                "note": "no incidents with coordinates",
            }
        )
    if polygons is None:
        rows[0]["note"] = "expected share not computed: no LSOA boundaries supplied"
        return rows, no_xy
    expected = area_share_near_schools(polygons, schools, distance_m)
    rows[0]["expected_share"] = expected
    ratio_row = {
        **common,
        "measure_id": "near_school_ratio",
        "numerator": near,
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
        "unit": "ratio of observed to expected share",
        "method": "observed share / share of the area's land within the distance; Wilson limits "
        "divided by the (fixed) expected share",
        "expected_share": expected,
    }
    if n and expected > 0:
        ratio = share_ratio(near, n, expected, confidence)
        ratio_row.update(
            value=float(ratio["value"].iloc[0]),
            lower=float(ratio["lower"].iloc[0]),
            upper=float(ratio["upper"].iloc[0]),
        )
    else:
        ratio_row["note"] = "not computed: no incidents with coordinates or no land near schools"
    rows.append(ratio_row)
    return rows, no_xy
