"""Boundary coordinates against the bounds of the CRS the file declares (the demo's LSOAs,
re-labelled after reprojection, stand in for a wrongly labelled export)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from pipeline.validate.boundaries import coordinate_problems, crs_bounds, geometry_problems

RULE = "coordinates inside the bounds of the declared CRS"


@pytest.fixture(scope="module")
def demo_boundaries(repo) -> gpd.GeoDataFrame:
    return gpd.read_file(repo / "data/raw/demo/waltham-forest/lsoa_boundaries.geojson")


def test_british_national_grid_bounds_cover_great_britain_with_a_margin():
    import pyproj

    xmin, ymin, xmax, ymax = crs_bounds(pyproj.CRS.from_epsg(27700))
    # The grid's area of use (9.01 W to 2.01 E, 49.75 N to 61.01 N) in metres, plus 5%.
    assert xmin < -104_000 and xmax > 688_000 and ymin < -16_000 and ymax > 1_256_000
    assert xmax < 800_000 and ymax < 1_400_000


def test_the_demo_boundaries_are_inside_the_grid(demo_boundaries):
    assert coordinate_problems(demo_boundaries, file="b.geojson") == []


def test_longitude_latitude_labelled_as_the_grid_stops(demo_boundaries):
    relabelled = demo_boundaries.to_crs(4326).set_crs(27700, allow_override=True)
    (problem,) = geometry_problems(relabelled, file="b.geojson")
    text = problem.paragraph(None)
    assert text.startswith(f"b.geojson: column 'geometry', rule '{RULE}' (stop): ")
    assert "declares EPSG:27700, whose coordinates are in metres (x -144406 to 728483" in text
    assert "span only x -0.0669348 to 0.0147852, y 51.5515 to 51.6413" in text
    assert "look like longitude/latitude degrees" in text


def test_coordinates_beyond_the_grid_stop_naming_both_bounds(demo_boundaries):
    """Web Mercator metres labelled as the grid: northings of 6.7 million are off the grid."""
    relabelled = demo_boundaries.to_crs(3857).set_crs(27700, allow_override=True)
    (problem,) = coordinate_problems(relabelled, file="b.geojson")
    assert problem.detail.startswith("the file declares EPSG:27700 but its coordinates span x ")
    assert "y 6719436 to 6735524, outside the bounds of EPSG:27700 (x -144406 to 728483" in (
        problem.detail
    )


def test_geographic_coordinates_in_a_geographic_crs_are_not_degrees_by_mistake(
    demo_boundaries,
):
    """EPSG:4326 is refused by the British National Grid rule alone, not as mislabelled."""
    in_degrees = demo_boundaries.to_crs(4326)
    assert coordinate_problems(in_degrees, file="b.geojson") == []
    (problem,) = geometry_problems(in_degrees, file="b.geojson")
    assert problem.rule == "British National Grid (EPSG:27700)"
