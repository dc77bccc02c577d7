"""The data contracts as pandera models: one ``DataFrameModel`` per input.

These models are the executable form of ``docs/data-contracts.md`` and the source of the data
dictionary (``python -m pipeline.validate.dictionary``). Each describes the *typed* frame: text
is parsed into numbers, dates and Y/N flags by :func:`pipeline.validate.rules.parse_values`
before the model is checked, so that unreadable values are reported by source line.

Two kinds of rule, recorded in the models themselves:

* **stop** - every field check (``metadata["kind"] == "stop"``) and every cross-field check
  (:data:`CROSS_FIELD_RULES`): a broken rule stops the run with a message naming file, column,
  rule and lines.
* **keep** / **exclude** - :class:`~pipeline.validate.rules.KeepRule` objects listed in each
  model's ``Config.metadata["keep_rules"]``: the row is kept under a counted category, or
  excluded with a counted reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validate import rules as r
from pipeline.validate.rules import KeepRule


@dataclass(frozen=True)
class CrossFieldRule:
    """A Stop rule over several columns of a row, reported against ``column``."""

    rule: str
    column: str
    fix: str
    kind: str = "stop"


#: Every cross-field rule by name (the pandera check name).
CROSS_FIELD_RULES: dict[str, CrossFieldRule] = {}
#: The same rules by the name of their check function: pandera 0.35 sometimes reports an
#: inherited dataframe check under its function name.
_RULES_BY_FUNCTION: dict[str, CrossFieldRule] = {}


def cross_field_rule(rule: str, *, column: str, fix: str) -> Any:
    """Declare a Stop rule over a row: a pandera dataframe check reported against ``column``."""
    if rule in CROSS_FIELD_RULES:
        raise ValueError(f"cross-field rule {rule!r} declared twice")
    declared = CrossFieldRule(rule=rule, column=column, fix=fix)
    CROSS_FIELD_RULES[rule] = declared

    def decorate(check_fn: Any) -> Any:
        _RULES_BY_FUNCTION[check_fn.__name__] = declared
        return pa.dataframe_check(name=rule, description=fix)(check_fn)

    return decorate


def lookup_cross_field_rule(check_name: str) -> CrossFieldRule:
    """The cross-field rule behind a pandera check name (or its function name)."""
    return CROSS_FIELD_RULES.get(check_name) or _RULES_BY_FUNCTION[check_name]


def field(
    description: str,
    fmt: r.Format,
    *,
    value_required: bool = True,
    rule: str | None = None,
    fix: str | None = None,
    allowed: str | None = None,
    optional_column: bool = False,
    **checks: Any,
) -> Any:
    """A contract column: pandera checks plus the metadata the messages and dictionary use.

    ``rule`` names the field's value check in messages, ``fix`` tells the user what a good value
    looks like, ``allowed`` overrides the allowed-values text of the dictionary (for values that
    come from config), and ``optional_column`` lets the column be absent from the file.
    """
    metadata = {
        "format": fmt,
        "kind": "stop",
        "rule": rule,
        "fix": fix,
        "allowed": allowed,
        "optional_column": optional_column,
    }
    return pa.Field(
        description=description, nullable=not value_required, metadata=metadata, **checks
    )


def _not_before(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """True where ``later`` is missing, ``earlier`` is missing, or later >= earlier."""
    return (later.isna() | earlier.isna() | (later >= earlier)).fillna(True).astype(bool)


_ENGLAND_EASTING = {"min_value": 0, "max_value": 700000}
_ENGLAND_NORTHING = {"min_value": 0, "max_value": 1300000}


# --- 1. Victim extract --------------------------------------------------------------------------


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
        in_range=_ENGLAND_EASTING,
        rule="easting on the British National Grid",
        fix="easting must be in metres from 0 to 700000 (British National Grid), or empty.",
    )
    northing: Series[float] = field(
        "Offence location, British National Grid northing in metres (optional column).",
        "number",
        value_required=False,
        optional_column=True,
        in_range=_ENGLAND_NORTHING,
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
        dates_ok = _not_before(df["offence_end_date"], df["offence_start_date"])
        same_day = (df["offence_end_date"] == df["offence_start_date"]).fillna(False)
        times_ok = _not_before(df["offence_end_time"], df["offence_start_time"])
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


# --- 2. Comparator series -------------------------------------------------------------------------


class Comparators(pa.DataFrameModel):
    """Monthly counts by area and measure for the area, its neighbours and the region."""

    area_code: Series[str] = field(
        "ONS GSS code of the area (local authority E06-E09, county E10/E11 or region E12).",
        "text",
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="area_code must be an ONS GSS code such as E09000031 (E06-E12 followed by 6 digits).",
    )
    area_name: Series[str] = field("Name of the area.", "text")
    month: Series[str] = field(
        "Calendar month of the count, YYYY-MM.",
        "text",
        str_matches=r.MONTH,
        rule="month written YYYY-MM",
        fix="month must be written YYYY-MM (e.g. 2024-01); Excel may have turned it into "
        "'Jan-24': format the column as text before saving.",
    )
    measure: Series[str] = field(
        "Measure id, one of the ids defined in config (definitions.*.id).",
        "text",
        rule="measure id defined in config",
        fix="measure must be one of the measure ids defined in config (definitions.*.id).",
        allowed="the ids in config definitions (e.g. kcwi_1_24, kcwi_1_17, sv_0_24)",
    )
    count: Series[pd.Int64Dtype] = field(
        "Number of victims or offences in the month.",
        "whole number",
        ge=0,
        rule="count not negative",
        fix="count must be a whole number, 0 or more.",
    )

    @cross_field_rule(
        "one name per area code",
        column="area_name",
        fix="Every row of an area_code must carry the same area_name.",
    )
    def _one_name_per_code(cls, df: pd.DataFrame) -> pd.Series:
        names = df.groupby("area_code")["area_name"].transform("nunique")
        return (names <= 1).fillna(True).astype(bool)

    class Config:
        strict = True
        unique = ["area_code", "month", "measure"]
        metadata = {
            "input": "comparators",
            "file": "comparators.csv",
            "title": "Comparator series",
            "unique_rule": "one row per area, month and measure",
            "unique_fix": "Each (area_code, month, measure) must appear once.",
            "keep_rules": (
                KeepRule(
                    "month",
                    "month outside the reporting window",
                    "exclude",
                    "month is not one of the months of the config window",
                    r.month_outside_window("month"),
                ),
            ),
        }


# --- 3. Population ----------------------------------------------------------------------------


class _Population(pa.DataFrameModel):
    """Fields shared by the three population inputs."""

    area_code: Series[str] = field(
        "ONS GSS code of the local authority or region.",
        "text",
        str_matches=r.LA_CODE,
        rule="GSS area code well formed",
        fix="area_code must be an ONS GSS code such as E09000031 (E06-E12 followed by 6 digits).",
    )
    year: Series[pd.Int64Dtype] = field(
        "Mid-year of the estimate (financial year April Y to March Y+1 uses mid-Y).",
        "whole number",
        in_range={"min_value": 1900, "max_value": 2100},
        rule="year written in full",
        fix="year must be a four-digit year such as 2024.",
    )
    sex: Series[str] = field(
        "Sex, or All.",
        "text",
        isin=r.POPULATION_SEXES,
        rule="sex from the list",
        fix="sex must be one of: " + ", ".join(r.POPULATION_SEXES) + ".",
    )
    age_from: Series[pd.Int64Dtype] = field(
        "First age of the band in whole years.",
        "whole number",
        in_range={"min_value": 0, "max_value": 120},
        rule="age between 0 and 120",
        fix="age_from must be a whole number from 0 to 120.",
    )
    age_to: Series[pd.Int64Dtype] = field(
        "Last age of the band (equal to age_from for a single year; 90 means 90 and over).",
        "whole number",
        in_range={"min_value": 0, "max_value": 120},
        rule="age between 0 and 120",
        fix="age_to must be a whole number from 0 to 120.",
    )
    ethnicity: Series[str] = field(
        "All, or a Census 2021 high-level ethnic group.",
        "text",
        isin=r.POPULATION_ETHNICITIES,
        rule="ethnicity from the list",
        fix="ethnicity must be one of: " + ", ".join(r.POPULATION_ETHNICITIES) + ".",
    )
    population: Series[pd.Int64Dtype] = field(
        "Number of residents.",
        "whole number",
        ge=0,
        rule="population not negative",
        fix="population must be a whole number, 0 or more.",
    )

    @cross_field_rule(
        "age band not reversed",
        column="age_to",
        fix="age_to must be equal to or greater than age_from.",
    )
    def _age_band_order(cls, df: pd.DataFrame) -> pd.Series:
        return _not_before(df["age_to"], df["age_from"])


_POPULATION_UNIQUE = ["area_code", "year", "sex", "age_from", "age_to", "ethnicity"]
_POPULATION_UNIQUE_FIX = (
    "Each (area_code, year, sex, age_from, age_to, ethnicity) must appear once."
)


class PopulationLA(_Population):
    """ONS mid-year population estimates by local authority and region."""

    class Config:
        strict = True
        unique = _POPULATION_UNIQUE
        metadata = {
            "input": "population_la",
            "file": "population_la.csv",
            "title": "Population by local authority (ONS mid-year estimates)",
            "unique_rule": "one row per area, year, sex, age band and ethnicity",
            "unique_fix": _POPULATION_UNIQUE_FIX,
            "keep_rules": (),
        }


class PopulationLSOA(_Population):
    """ONS small-area population estimates by LSOA."""

    area_code: Series[str] = field(
        "LSOA code (E01 + 6 digits).",
        "text",
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="area_code must be an LSOA code: E01 followed by 6 digits (e.g. E01004327).",
    )

    class Config:
        strict = True
        unique = _POPULATION_UNIQUE
        metadata = {
            "input": "population_lsoa",
            "file": "population_lsoa.csv",
            "title": "Population by LSOA (ONS small-area estimates)",
            "unique_rule": "one row per area, year, sex, age band and ethnicity",
            "unique_fix": _POPULATION_UNIQUE_FIX,
            "keep_rules": (
                KeepRule(
                    "area_code",
                    "LSOA outside the area",
                    "exclude",
                    "area_code is not one of the area's LSOAs (lsoas.csv)",
                    r.outside_area("area_code"),
                    needs_area=True,
                ),
            ),
        }


class PopulationEthnicity(_Population):
    """Census 2021 population by ethnic group, age and sex, by local authority."""

    class Config:
        strict = True
        unique = _POPULATION_UNIQUE
        metadata = {
            "input": "population_ethnicity",
            "file": "population_ethnicity.csv",
            "title": "Population by ethnic group (Census 2021)",
            "unique_rule": "one row per area, year, sex, age band and ethnicity",
            "unique_fix": _POPULATION_UNIQUE_FIX,
            "keep_rules": (),
        }


# --- 4. Deprivation ------------------------------------------------------------------------------


class Deprivation(pa.DataFrameModel):
    """English Indices of Deprivation: IMD score, rank and decile by LSOA."""

    lsoa_code: Series[str] = field(
        "LSOA code (2011 LSOAs for IoD2019, 2021 LSOAs for IoD2025).",
        "text",
        str_matches=r.LSOA_CODE,
        rule="LSOA code well formed",
        fix="lsoa_code must be E01 followed by 6 digits (e.g. E01004327).",
    )
    iod_edition: Series[str] = field(
        "Edition of the Indices of Deprivation.",
        "text",
        isin=list(r.IMD_LSOA_COUNT),
        rule="edition from the list",
        fix="iod_edition must be one of: " + ", ".join(r.IMD_LSOA_COUNT) + ".",
    )
    imd_score: Series[float] = field(
        "IMD score (higher = more deprived); empty when the source gives none (IoD File 1 has "
        "rank and decile only; the score is in File 5). The measures use the decile.",
        "number",
        value_required=False,
        ge=0,
        rule="score not negative",
        fix="imd_score must be a number, 0 or more, or empty.",
    )
    imd_rank: Series[pd.Int64Dtype] = field(
        "IMD rank among all LSOAs in England (1 = most deprived).",
        "whole number",
        ge=1,
        rule="rank 1 or more",
        fix="imd_rank must be a whole number from 1 (most deprived).",
    )
    imd_decile: Series[pd.Int64Dtype] = field(
        "IMD decile (1 = most deprived 10% of LSOAs).",
        "whole number",
        in_range={"min_value": 1, "max_value": 10},
        rule="decile between 1 and 10",
        fix="imd_decile must be a whole number from 1 (most deprived) to 10.",
    )

    @cross_field_rule(
        "rank within the edition's LSOA count",
        column="imd_rank",
        fix="imd_rank must be at most 32844 for IoD2019 or 33755 for IoD2025.",
    )
    def _rank_in_edition(cls, df: pd.DataFrame) -> pd.Series:
        count = df["iod_edition"].map(r.IMD_LSOA_COUNT)
        return (df["imd_rank"].isna() | count.isna() | (df["imd_rank"] <= count)).astype(bool)

    @cross_field_rule(
        "decile matches rank",
        column="imd_decile",
        fix="imd_decile must be the decile of imd_rank (decile = rank x 10 / number of LSOAs, "
        "rounded up); check that rank and decile come from the same edition and that decile 1 "
        "is the most deprived.",
    )
    def _decile_of_rank(cls, df: pd.DataFrame) -> pd.Series:
        count = df["iod_edition"].map(r.IMD_LSOA_COUNT)
        usable = (
            (
                df["imd_rank"].notna()
                & df["imd_decile"].notna()
                & count.notna()
                & (df["imd_rank"] >= 1)
                & (df["imd_rank"] <= count)
            )
            .fillna(False)
            .astype(bool)
        )
        expected = pd.Series(pd.NA, index=df.index, dtype="Int64")
        expected.loc[usable] = r.decile_of_rank(
            df.loc[usable, "imd_rank"].to_numpy(), count[usable].astype("int64").to_numpy()
        )
        return (~usable | (df["imd_decile"] == expected)).fillna(True).astype(bool)

    class Config:
        strict = True
        unique = ["lsoa_code", "iod_edition"]
        metadata = {
            "input": "deprivation",
            "file": "deprivation.csv",
            "title": "Deprivation (MHCLG Indices of Deprivation)",
            "unique_rule": "one row per LSOA and edition",
            "unique_fix": "Each (lsoa_code, iod_edition) must appear once.",
            "keep_rules": (
                KeepRule(
                    "lsoa_code",
                    "LSOA outside the area",
                    "exclude",
                    "lsoa_code is not one of the area's LSOAs (only when validated for one area)",
                    r.outside_area("lsoa_code"),
                    needs_area=True,
                ),
            ),
        }


# --- 5. Context ----------------------------------------------------------------------------------


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
        in_range=_ENGLAND_EASTING,
        rule="easting on the British National Grid",
        fix="easting must be in metres from 0 to 700000 (British National Grid), or empty.",
    )
    northing: Series[float] = field(
        "British National Grid northing in metres; empty when GIAS has no location.",
        "number",
        value_required=False,
        in_range=_ENGLAND_NORTHING,
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
        return _not_before(df["end_date"], df["start_date"])

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


# --- 6. Public proxy for located victims -----------------------------------------------------


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


#: The model of every input kind, in the order the data dictionary lists them.
MODELS: dict[str, type[pa.DataFrameModel]] = {
    "victims": Victims,
    "comparators": Comparators,
    "population_la": PopulationLA,
    "population_lsoa": PopulationLSOA,
    "population_ethnicity": PopulationEthnicity,
    "deprivation": Deprivation,
    "lsoas": Lsoas,
    "neighbours": Neighbours,
    "areas": Areas,
    "schools": Schools,
    "school_calendar": SchoolCalendar,
    "actions": Actions,
    "boundaries": Boundaries,
    "lsoa_counts": LsoaCounts,
}

#: Rows that are blank in every column are excluded from every input under this reason.
EMPTY_ROW_REASON = "empty row"


def input_metadata(kind: str) -> dict[str, Any]:
    """The model-level metadata of an input (file name, title, keep rules, unique rule)."""
    return dict(MODELS[kind].__config__.metadata or {})


@functools.cache
def personal_inputs() -> frozenset[str]:
    """Inputs of personal data (``personal_data`` in their metadata): the victim extract. Their
    messages never show values, and a header that is not one is never echoed."""
    return frozenset(kind for kind in MODELS if input_metadata(kind).get("personal_data"))


def keep_rules(kind: str) -> tuple[KeepRule, ...]:
    """The keep-and-count rules of an input, exclusions first as they are applied."""
    return tuple(input_metadata(kind).get("keep_rules", ()))
