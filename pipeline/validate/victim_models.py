"""The models of the inputs that place violence: the police victim extract and, when there is
none, its public stand-in (recorded crime by LSOA and year)."""

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

# --- Victim extract --------------------------------------------------------------------------


class Victims(pa.DataFrameModel):
    """Victim extract: one row per victim per offence (confidential, from the police)."""

    offence_id: Series[str] = field("Police crime reference of the offence.", "text")
    victim_id: Series[str] = field(
        "Pseudonymised person id; the same person keeps the same id across offences.", "text"
    )
    offence_start_date: Series[pa.DateTime] = field(
        "Date the offence started (or the only date recorded).", "date"
    )
    offence_start_time: Series[str] = field(
        "Time the offence started (24-hour HH:MM); empty when not recorded.",
        "time",
        value_required=False,
    )
    offence_end_date: Series[pa.DateTime] = field(
        "Date the offence ended, when a time window is recorded.", "date", value_required=False
    )
    offence_end_time: Series[str] = field(
        "Time the offence ended (24-hour HH:MM).", "time", value_required=False
    )
    offence_group: Series[str] = field(
        "Home Office offence group.",
        "text",
        isin=r.OFFENCE_GROUPS,
        rule="offence group from the list",
        fix="offence_group must be one of: " + ", ".join(r.OFFENCE_GROUPS) + ".",
    )
    weapon: Series[str] = field(
        "Weapon used or threatened.",
        "text",
        isin=r.WEAPONS,
        rule="weapon from the list",
        fix="weapon must be one of: " + ", ".join(r.WEAPONS) + ".",
    )
    injury: Series[pd.BooleanDtype] = field(
        "Whether the victim was injured (Y/N).", "Y/N", fix="injury must be Y or N."
    )
    domestic_abuse: Series[pd.BooleanDtype] = field(
        "Whether the offence was flagged as domestic abuse (Y/N).",
        "Y/N",
        fix="domestic_abuse must be Y or N.",
    )
    victim_age: Series[pd.Int64Dtype] = field(
        "Victim's age in whole years at the offence; empty when unknown.",
        "whole number",
        value_required=False,
        in_range={"min_value": 0, "max_value": 120},
        rule="age between 0 and 120",
        fix="victim_age must be a whole number from 0 to 120, or empty when unknown.",
    )
    victim_sex: Series[str] = field(
        "Victim's sex.",
        "text",
        isin=r.VICTIM_SEXES,
        rule="sex from the list",
        fix="victim_sex must be one of: " + ", ".join(r.VICTIM_SEXES) + ".",
    )
    victim_ethnicity: Series[str] = field(
        "Victim's ethnicity: a Census 2021 high-level group or 'Not stated', or a police IC "
        "code when ethnicity_scheme is ic_code (mapped with the documented table).",
        "text",
        isin=r.VICTIM_ETHNICITIES,
        rule="ethnicity from the configured scheme",
        fix="victim_ethnicity must be one of: "
        + ", ".join(r.VICTIM_ETHNICITIES)
        + " (or IC1-IC6, IC9, IC0 when ethnicity_scheme is ic_code).",
        allowed=", ".join(r.VICTIM_ETHNICITIES)
        + "; with ethnicity_scheme ic_code: "
        + ", ".join(r.IC_CODE_TO_GROUP),
    )
    lsoa_code: Series[str] = field(
        "LSOA where the offence happened (E01 + 6 digits); empty when not known.",
        "text",
        value_required=False,
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="lsoa_code must be E01 followed by 6 digits (e.g. E01004327), or empty.",
    )
    easting: Series[float] = field(
        "Offence location, British National Grid easting in metres (optional column).",
        "number",
        value_required=False,
        optional_column=True,
        in_range=ENGLAND_EASTING,
        rule="easting on the British National Grid",
        fix="easting must be in metres from 0 to 700000 (British National Grid), or empty.",
    )
    northing: Series[float] = field(
        "Offence location, British National Grid northing in metres (optional column).",
        "number",
        value_required=False,
        optional_column=True,
        in_range=ENGLAND_NORTHING,
        rule="northing on the British National Grid",
        fix="northing must be in metres from 0 to 1300000 (British National Grid), or empty.",
    )

    @cross_field_rule(
        "offence end not before start",
        column="offence_end_date",
        fix="The offence end (offence_end_date and offence_end_time) must not be before its "
        "start; check whether the dates were swapped or typed day/month the wrong way round.",
    )
    def _end_not_before_start(cls, df: pd.DataFrame) -> pd.Series:
        dates_ok = not_before(df["offence_end_date"], df["offence_start_date"])
        same_day = (df["offence_end_date"] == df["offence_start_date"]).fillna(False)
        times_ok = not_before(df["offence_end_time"], df["offence_start_time"])
        return dates_ok & (~same_day.astype(bool) | times_ok)

    @cross_field_rule(
        "end time needs an end date",
        column="offence_end_time",
        fix="offence_end_time is filled in but offence_end_date is empty: add the end date "
        "(the start date if the offence ended that day).",
    )
    def _end_time_has_date(cls, df: pd.DataFrame) -> pd.Series:
        return ~(df["offence_end_time"].notna() & df["offence_end_date"].isna())

    @cross_field_rule(
        "easting and northing given together",
        column="easting",
        fix="Give both easting and northing, or leave both empty.",
    )
    def _coordinates_paired(cls, df: pd.DataFrame) -> pd.Series:
        return df["easting"].isna() == df["northing"].isna()

    class Config:
        strict = True
        unique = ["offence_id", "victim_id"]
        metadata = {
            "input": "victims",
            "file": "victims.csv",
            "title": "Victim extract",
            "personal_data": True,
            "unique_rule": "one row per offence and victim",
            "unique_fix": "Each (offence_id, victim_id) pair must appear once: remove the "
            "repeated rows or correct the ids.",
            "keep_rules": (
                KeepRule(
                    "offence_start_date",
                    "date outside the reporting window",
                    "exclude",
                    "offence_start_date is before 1 April of the first financial year or after "
                    "31 March following the last (config window)",
                    r.outside_window("offence_start_date"),
                ),
                KeepRule(
                    "lsoa_code",
                    "location outside the area",
                    "exclude",
                    "lsoa_code is filled in but is not one of the area's LSOAs (lsoas.csv)",
                    r.outside_area("lsoa_code"),
                    needs_area=True,
                ),
                KeepRule(
                    "lsoa_code",
                    "location unknown (kept)",
                    "keep",
                    "lsoa_code is empty: counted in area totals, left out of maps and "
                    "place-based measures",
                    r.is_missing("lsoa_code"),
                ),
                KeepRule(
                    "offence_start_time",
                    "time not recorded (kept)",
                    "keep",
                    "offence_start_time is empty: left out of time-of-day measures",
                    r.is_missing("offence_start_time"),
                ),
                KeepRule(
                    "victim_age",
                    "age not recorded (kept)",
                    "keep",
                    "victim_age is empty: left out of age-specific measures",
                    r.is_missing("victim_age"),
                ),
                KeepRule(
                    "victim_sex",
                    "sex not stated (kept)",
                    "keep",
                    "victim_sex is 'Not stated'",
                    r.equals("victim_sex", r.NOT_STATED),
                ),
                KeepRule(
                    "victim_ethnicity",
                    "ethnicity not stated (kept)",
                    "keep",
                    "victim_ethnicity is 'Not stated' (or IC9/IC0): reported as a share, with a "
                    "sensitivity bound on ethnicity measures",
                    r.ethnicity_not_stated("victim_ethnicity"),
                ),
            ),
        }


# --- Public proxy for located victims -----------------------------------------------------


class LsoaCounts(pa.DataFrameModel):
    """Recorded crime by LSOA and calendar year: the public stand-in for located victims."""

    lsoa_code: Series[str] = field(
        "LSOA code (E01 + 6 digits) in the vintage of the area's LSOA list.",
        "text",
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="lsoa_code must be E01 followed by 6 digits (e.g. E01004327).",
    )
    year: Series[pd.Int64Dtype] = field(
        "Calendar year of the count (January to December).",
        "whole number",
        in_range={"min_value": 1900, "max_value": 2100},
        rule="year written in full",
        fix="year must be a four-digit year such as 2021.",
    )
    measure: Series[str] = field(
        "Measure id, one of the ids defined in config (definitions.*.id).",
        "text",
        rule="measure id defined in config",
        fix="measure must be one of the measure ids defined in config (definitions.*.id).",
        allowed="the ids in config definitions (e.g. weapons_offences_lsoa)",
    )
    count: Series[pd.Int64Dtype] = field(
        "Number of recorded offences in the LSOA and year.",
        "whole number",
        ge=0,
        rule="count not negative",
        fix="count must be a whole number, 0 or more.",
    )

    class Config:
        strict = True
        unique = ["lsoa_code", "year", "measure"]
        metadata = {
            "input": "lsoa_counts",
            "file": "lsoa_counts.csv",
            "title": "Recorded crime by LSOA (public data)",
            "unique_rule": "one row per LSOA, year and measure",
            "unique_fix": "Each (lsoa_code, year, measure) must appear once.",
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


# --- Public ward-level counts ----------------------------------------------------------------

#: The public definitions a ward count is given for (config ``definitions`` keys).
WARD_DEFINITIONS = ("key_metric", "under_18_metric", "serious_violence_u25")


class WardCrime(pa.DataFrameModel):
    """Recorded crime by 2022 electoral ward and financial year for the public definitions,
    from the MPS ward-level files (written by the public build when
    ``public_sources.mps_ward_crime`` is given)."""

    ward_code: Series[str] = field(
        "2022 electoral ward code (E05 + 6 digits).",
        "text",
        str_matches=r"^E05\d{6}$",
        rule="ward code well formed",
        fix="ward_code must be E05 followed by 6 digits (e.g. E05013882).",
    )
    ward_name: Series[str] = field("Ward name, as the latest MPS ward file gives it.", "text")
    definition: Series[str] = field(
        "The public definition counted (its key in config definitions).",
        "text",
        isin=list(WARD_DEFINITIONS),
        rule="a public definition key",
        fix="definition must be one of " + ", ".join(WARD_DEFINITIONS) + ".",
    )
    measure: Series[str] = field(
        "The MPS proxy measure the definition counts (e.g. possession_of_weapons).",
        "text",
    )
    financial_year: Series[pd.Int64Dtype] = field(
        "Financial year, by the calendar year it starts in (2021 = April 2021 to March 2022).",
        "whole number",
        in_range={"min_value": 1900, "max_value": 2100},
        rule="year written in full",
        fix="financial_year must be a four-digit year such as 2021.",
    )
    months_covered: Series[pd.Int64Dtype] = field(
        "How many of the financial year's 12 months the ward files hold.",
        "whole number",
        in_range={"min_value": 1, "max_value": 12},
        rule="1 to 12 months",
        fix="months_covered must be a whole number from 1 to 12.",
    )
    count: Series[pd.Int64Dtype] = field(
        "Recorded offences in the ward and financial year (0 where the files have none).",
        "whole number",
        ge=0,
        rule="count not negative",
        fix="count must be a whole number, 0 or more.",
    )
    population: Series[float] = field(
        "Ward residents (all ages) at mid-population_year; empty without ward residents.",
        "number",
        value_required=False,
        ge=0,
        rule="population not negative",
        fix="population must be a number, 0 or more, or empty.",
    )
    population_year: Series[pd.Int64Dtype] = field(
        "Mid-year of the ward residents used (the latest at or before the financial year).",
        "whole number",
        value_required=False,
        in_range={"min_value": 1900, "max_value": 2100},
        rule="year written in full",
        fix="population_year must be a four-digit year such as 2021, or empty.",
    )

    class Config:
        strict = True
        unique = ["ward_code", "definition", "financial_year"]
        metadata = {
            "input": "ward_crime",
            "file": "ward_crime.csv",
            "title": "Recorded crime by ward (public data, optional)",
            "unique_rule": "one row per ward, definition and financial year",
            "unique_fix": "Each (ward_code, definition, financial_year) must appear once.",
        }
