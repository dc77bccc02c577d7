"""The models of the area's context: its LSOAs and wards, statistical neighbours, area names,
schools, school calendar, action tracker and LSOA boundaries."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validate import rules as r
from pipeline.validate.fields import (
    ENGLAND_EASTING,
    ENGLAND_NORTHING,
    cross_field_rule,
    field,
    not_before,
)
from pipeline.validate.rules import KeepRule


class Lsoas(pa.DataFrameModel):
    """The area's LSOAs with their wards: the list that decides 'inside the area'."""

    lsoa_code: Series[str] = field(
        "LSOA code (E01 + 6 digits).",
        "text",
        unique=True,
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="lsoa_code must be E01 followed by 6 digits (e.g. E01004327).",
    )
    lsoa_name: Series[str] = field("LSOA name.", "text")
    ward_code: Series[str] = field(
        "Electoral ward code (E05 + 6 digits), or the MSOA code (E02 + 6 digits) where no ward "
        "lookup is available (public-data builds use the MSOA as the level above the LSOA).",
        "text",
        str_matches=r.WARD_CODE,
        rule="ward code well formed",
        fix="ward_code must be E05 followed by 6 digits (e.g. E05013888), or an MSOA code "
        "(E02 followed by 6 digits) when MSOAs stand in for wards.",
    )
    ward_name: Series[str] = field("Ward name (or MSOA name).", "text")
    area_code: Series[str] = field(
        "GSS code of the local authority the LSOA belongs to.",
        "text",
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="area_code must be an ONS GSS code such as E09000031.",
    )

    class Config:
        strict = True
        metadata = {
            "input": "lsoas",
            "file": "lsoas.csv",
            "title": "LSOAs of the area",
            "keep_rules": (),
        }


class Neighbours(pa.DataFrameModel):
    """Statistical neighbours of each area, closest first."""

    area_code: Series[str] = field(
        "GSS code of the area.",
        "text",
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="area_code must be an ONS GSS code such as E09000031.",
    )
    neighbour_code: Series[str] = field(
        "GSS code of the statistical neighbour.",
        "text",
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="neighbour_code must be an ONS GSS code such as E09000010.",
    )
    neighbour_name: Series[str] = field("Name of the statistical neighbour.", "text")
    rank: Series[pd.Int64Dtype] = field(
        "Closeness rank (1 = closest).",
        "whole number",
        ge=1,
        rule="rank 1 or more",
        fix="rank must be a whole number from 1 (closest).",
    )
    source: Series[str] = field("Where the neighbour list comes from.", "text")

    @cross_field_rule(
        "an area is not its own neighbour",
        column="neighbour_code",
        fix="neighbour_code must differ from area_code.",
    )
    def _not_self(cls, df: pd.DataFrame) -> pd.Series:
        return (df["neighbour_code"] != df["area_code"]).fillna(True).astype(bool)

    @cross_field_rule(
        "one neighbour per rank",
        column="rank",
        fix="Each rank may appear once for an area_code.",
    )
    def _rank_unique(cls, df: pd.DataFrame) -> pd.Series:
        return ~df.duplicated(["area_code", "rank"], keep=False)

    class Config:
        strict = True
        unique = ["area_code", "neighbour_code"]
        metadata = {
            "input": "neighbours",
            "file": "neighbours.csv",
            "title": "Statistical neighbours",
            "unique_rule": "one row per area and neighbour",
            "unique_fix": "Each (area_code, neighbour_code) must appear once.",
            "keep_rules": (),
        }


class Areas(pa.DataFrameModel):
    """Names of every area code used by the other inputs."""

    area_code: Series[str] = field(
        "GSS code of the area.",
        "text",
        unique=True,
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="area_code must be an ONS GSS code such as E09000031.",
    )
    area_name: Series[str] = field("Name of the area.", "text")
    region: Series[str] = field(
        "Region the area belongs to (empty for a region itself).", "text", value_required=False
    )

    class Config:
        strict = True
        metadata = {
            "input": "areas",
            "file": "areas.csv",
            "title": "Area names",
            "keep_rules": (),
        }


class Schools(pa.DataFrameModel):
    """School locations (DfE Get Information About Schools)."""

    urn: Series[pd.Int64Dtype] = field(
        "Unique reference number of the school (6 digits).",
        "whole number",
        unique=True,
        in_range={"min_value": 100000, "max_value": 999999},
        rule="URN of six digits",
        fix="urn must be the school's 6-digit unique reference number.",
    )
    school_name: Series[str] = field("Name of the school.", "text")
    phase: Series[str] = field(
        "Phase of education (GIAS PhaseOfEducation name).",
        "text",
        isin=r.SCHOOL_PHASES,
        rule="phase from the list",
        fix="phase must be one of: " + ", ".join(r.SCHOOL_PHASES) + ".",
    )
    easting: Series[float] = field(
        "British National Grid easting in metres; empty when GIAS has no location.",
        "number",
        value_required=False,
        in_range=ENGLAND_EASTING,
        rule="easting on the British National Grid",
        fix="easting must be in metres from 0 to 700000 (British National Grid), or empty.",
    )
    northing: Series[float] = field(
        "British National Grid northing in metres; empty when GIAS has no location.",
        "number",
        value_required=False,
        in_range=ENGLAND_NORTHING,
        rule="northing on the British National Grid",
        fix="northing must be in metres from 0 to 1300000 (British National Grid), or empty.",
    )

    class Config:
        strict = True
        metadata = {
            "input": "schools",
            "file": "schools.csv",
            "title": "Schools",
            "keep_rules": (
                KeepRule(
                    "easting",
                    "school without coordinates",
                    "exclude",
                    "easting or northing is empty: the school cannot be placed on the map",
                    r.any_missing("easting", "northing"),
                ),
            ),
        }


class SchoolCalendar(pa.DataFrameModel):
    """School term dates, inset days and bank holidays (inclusive date ranges)."""

    start_date: Series[pa.DateTime] = field("First day of the range.", "date")
    end_date: Series[pa.DateTime] = field("Last day of the range (inclusive).", "date")
    day_type: Series[str] = field(
        "What the range is: term, inset (training day) or bank_holiday.",
        "text",
        isin=r.DAY_TYPES,
        rule="day type from the list",
        fix="day_type must be one of: " + ", ".join(r.DAY_TYPES) + ".",
    )

    @cross_field_rule(
        "range end not before its start",
        column="end_date",
        fix="end_date must be on or after start_date.",
    )
    def _range_order(cls, df: pd.DataFrame) -> pd.Series:
        return not_before(df["end_date"], df["start_date"])

    class Config:
        strict = True
        metadata = {
            "input": "school_calendar",
            "file": "school_calendar.csv",
            "title": "School calendar",
            "keep_rules": (),
        }


class Actions(pa.DataFrameModel):
    """The council's action tracker for the four strategy domains."""

    domain: Series[str] = field(
        "Strategy domain.",
        "text",
        isin=r.STRATEGY_DOMAINS,
        rule="domain from the list",
        fix="domain must be one of: " + ", ".join(r.STRATEGY_DOMAINS) + ".",
    )
    action: Series[str] = field("What will be done.", "text")
    owner: Series[str] = field("Who is responsible.", "text")
    due_date: Series[pa.DateTime] = field("When it is due.", "date")
    status: Series[str] = field(
        "Progress.",
        "text",
        isin=r.ACTION_STATUSES,
        rule="status from the list",
        fix="status must be one of: " + ", ".join(r.ACTION_STATUSES) + ".",
    )

    class Config:
        strict = True
        metadata = {
            "input": "actions",
            "file": "actions.csv",
            "title": "Action tracker",
            "keep_rules": (),
        }


class Boundaries(pa.DataFrameModel):
    """Attribute table of the LSOA boundaries (GeoJSON, EPSG:27700)."""

    lsoa_code: Series[str] = field(
        "LSOA code of the polygon (E01 + 6 digits).",
        "text",
        unique=True,
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="lsoa_code must be E01 followed by 6 digits, once per polygon.",
    )
    lsoa_name: Series[str] = field(
        "LSOA name (optional property).", "text", value_required=False, optional_column=True
    )

    class Config:
        strict = True
        metadata = {
            "input": "boundaries",
            "file": "lsoa_boundaries.geojson",
            "title": "LSOA boundaries",
            "geometry_rules": (
                (
                    "crs",
                    "British National Grid (EPSG:27700)",
                    "Reproject the file to EPSG:27700 (e.g. ogr2ogr -t_srs EPSG:27700).",
                ),
                (
                    "geometry",
                    "coordinates inside the bounds of the declared CRS",
                    "The coordinates are not in the coordinate system the file declares: "
                    "reproject from the one they are really in (longitude/latitude: ogr2ogr "
                    "-s_srs EPSG:4326 -t_srs EPSG:27700).",
                ),
                ("geometry", "polygon geometry", "Each feature must be a Polygon or MultiPolygon."),
                (
                    "geometry",
                    "valid geometry",
                    "Repair the polygon (it must not cross itself), e.g. with QGIS 'Fix "
                    "geometries'.",
                ),
            ),
            "keep_rules": (
                KeepRule(
                    "lsoa_code",
                    "LSOA outside the area",
                    "exclude",
                    "lsoa_code is not one of the area's LSOAs (lsoas.csv)",
                    r.outside_area("lsoa_code"),
                    needs_area=True,
                ),
            ),
        }
