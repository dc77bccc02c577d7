"""The models of the published statistics every area is read against: comparator series,
population estimates and the Indices of Deprivation."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.validate import rules as r
from pipeline.validate.fields import cross_field_rule, field, not_before
from pipeline.validate.rules import KeepRule

# --- Comparator series -------------------------------------------------------------------------


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


# --- Population ----------------------------------------------------------------------------


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
        return not_before(df["age_to"], df["age_from"])


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


# --- Deprivation ------------------------------------------------------------------------------


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


#: The summary measures of IoD File 10 (``pipeline.adapters.iod_summaries.MEASURES``).
LA_SUMMARY_MEASURES = (
    "average_rank",
    "average_score",
    "proportion_most_deprived_10pct",
    "extent",
    "local_concentration",
)


class DeprivationLA(pa.DataFrameModel):
    """English Indices of Deprivation File 10: each local authority district's summary
    measures and its rank among the districts (optional; public build with
    ``public_sources.iod_la_summaries``)."""

    la_code: Series[str] = field(
        "Local authority district code (of the vintage's district year).",
        "text",
        str_matches=r"^E0[6-9]\d{6}$",
        rule="district code well formed",
        fix="la_code must be a district code such as E09000031.",
    )
    la_name: Series[str] = field("District name, as the file gives it.", "text")
    vintage: Series[str] = field(
        "Edition of the Indices of Deprivation.",
        "text",
        isin=["IoD2019", "IoD2025"],
        rule="edition from the list",
        fix="vintage must be IoD2019 or IoD2025.",
    )
    measure: Series[str] = field(
        "The summary measure (larger = more deprived).",
        "text",
        isin=list(LA_SUMMARY_MEASURES),
        rule="a File 10 summary measure",
        fix="measure must be one of " + ", ".join(LA_SUMMARY_MEASURES) + ".",
    )
    value: Series[float] = field("The measure's value.", "number", ge=0, rule="not negative",
                                 fix="value must be a number, 0 or more.")  # fmt: skip
    rank: Series[pd.Int64Dtype] = field(
        "Rank among the districts (1 = most deprived).",
        "whole number",
        ge=1,
        rule="rank 1 or more",
        fix="rank must be a whole number from 1 (most deprived).",
    )
    districts: Series[pd.Int64Dtype] = field(
        "How many districts the vintage ranks (317 in IoD2019, 296 in IoD2025).",
        "whole number",
        ge=1,
        rule="1 or more",
        fix="districts must be a whole number, 1 or more.",
    )

    class Config:
        strict = True
        unique = ["la_code", "vintage", "measure"]
        metadata = {
            "input": "deprivation_la",
            "file": "deprivation_la.csv",
            "title": "Deprivation of local authorities (IoD File 10, optional)",
            "unique_rule": "one row per district, vintage and measure",
            "unique_fix": "Each (la_code, vintage, measure) must appear once.",
        }
