"""Ward tables by financial year from the MPS ward-level crime counts, and their reconciliation
with the borough file.

* :func:`ward_measures`: the public definitions (``key_metric``, ``under_18_metric``,
  ``serious_violence_u25`` of ``config/public.yaml``) as MPS proxy measures; an LSOA measure
  (``possession_of_weapons_lsoa``) becomes its ward equivalent (``possession_of_weapons``).
* :func:`ward_tables`: per ward x definition x financial year (April to March): the count, the
  ward's share of the area's ward total, how many of the year's 12 months the files cover, and
  a rate per 1,000 residents with its 95% interval (exact Poisson below 10, Byar's from 10, as
  :func:`pipeline.stats.intervals.rate_ci`) only where ward residents are supplied
  (``ward_population``, e.g. from :func:`ward_population_from_lsoas` with an LSOA-to-ward
  lookup) and the year is complete; otherwise the rate is missing and ``note`` says why
  (:data:`NO_POPULATION`).
* :func:`reconcile_with_borough`: per definition x financial year, the area's ward total beside
  the borough file's, over the months both cover, and the difference. Ward counts need not sum
  exactly to the borough file: the two publications differ by one or two in a few months for
  some categories, in either direction (Waltham Forest 2021-22: violence with injury 2,028 in
  both; possession of weapons 204 by ward, 207 by borough; 2020-21: violence with injury 1,982
  by ward, 1,980 by borough).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.adapters._common import AdapterError
from pipeline.adapters.mps_borough import PROXY_MEASURES, proxy_rows
from pipeline.formatting import financial_year_label
from pipeline.stats.intervals import rate_ci

#: The public definitions a ward table is made for, in report order.
DEFINITION_KEYS = ("key_metric", "under_18_metric", "serious_violence_u25")
#: A definition id naming its geography ends with one of these; the ward table uses the rest.
GEOGRAPHY_SUFFIXES = ("_lsoa", "_ward")
#: Ward rates are per this many residents, as the small-area rates of the hot-spot tables.
WARD_RATE_PER = 1000
NO_POPULATION = "no ward population supplied"
RECONCILIATION_NOTE = (
    "ward counts need not sum exactly to the borough file: the two publications differ by a "
    "few offences in some months"
)
TABLE_COLUMNS = [
    "area_code", "area_name", "ward_code", "ward_name", "definition", "measure",
    "financial_year", "period", "months_covered", "count", "area_count", "share",
    "population", "population_year", "rate", "lower", "upper", "rate_per", "note",
]  # fmt: skip
RECONCILIATION_COLUMNS = [
    "area_code", "definition", "measure", "financial_year", "period", "months_compared",
    "ward_count", "borough_count", "difference", "difference_percent", "note",
]  # fmt: skip


def ward_measures(definitions: Mapping[str, Any]) -> dict[str, str]:
    """Definition key -> MPS proxy measure for the public definitions present."""
    measures = {}
    for key in DEFINITION_KEYS:
        if key not in definitions:
            continue
        given = str(definitions[key]["id"])
        candidates = [given] + [
            given.removesuffix(suffix) for suffix in GEOGRAPHY_SUFFIXES if given.endswith(suffix)
        ]
        found = [c for c in candidates if c in PROXY_MEASURES]
        if not found:
            raise AdapterError(
                f"definitions.{key}.id {given!r} is not an MPS proxy measure (with or without "
                f"{'/'.join(GEOGRAPHY_SUFFIXES)}); use one of {sorted(PROXY_MEASURES)}"
            )
        measures[key] = found[0]
    return measures


def financial_year_of_months(months: pd.Series) -> pd.Series:
    """'2021-04'..'2022-03' -> 2021 (the calendar year the financial year starts in)."""
    year = months.str.slice(0, 4).astype("int64")
    return year - (months.str.slice(5, 7).astype("int64") < 4).astype("int64")


def _measure_counts(crime: pd.DataFrame, measure: str, key: list[str]) -> pd.DataFrame:
    """Counts of one proxy measure by ``key`` and financial year."""
    rows = proxy_rows(crime, measure)
    rows = rows.assign(financial_year=financial_year_of_months(rows["month"]))
    return rows.groupby([*key, "financial_year"], as_index=False)["count"].sum()


def _months_covered(crime: pd.DataFrame) -> pd.DataFrame:
    """Per area and financial year, how many of its 12 months the data hold."""
    months = crime[["area_code", "month"]].drop_duplicates()
    months = months.assign(financial_year=financial_year_of_months(months["month"]))
    covered = months.groupby(["area_code", "financial_year"], as_index=False)["month"].nunique()
    return covered.rename(columns={"month": "months_covered"})


def ward_tables(
    crime: pd.DataFrame,
    measures: Mapping[str, str],
    *,
    ward_population: pd.DataFrame | None = None,
    rate_per: int = WARD_RATE_PER,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Ward x definition x financial year table (:data:`TABLE_COLUMNS`) from
    :func:`~pipeline.adapters.mps_ward.read_mps_ward_crime`'s frame.

    ``measures`` maps definition keys to proxy measures (:func:`ward_measures`).
    ``ward_population`` (``ward_code, year, population``: residents at mid-``year``) gives
    rates; each financial year uses the latest mid-year at or before its own start year.
    """
    wards = crime[["area_code", "area_name", "ward_code", "ward_name"]].drop_duplicates()
    covered = _months_covered(crime)
    frames = []
    for definition, measure in measures.items():
        grid = wards.merge(covered, on="area_code")  # every ward in every year: absent = 0
        counts = _measure_counts(crime, measure, ["ward_code"])
        table = grid.merge(counts, on=["ward_code", "financial_year"], how="left")
        table["count"] = table["count"].fillna(0).astype("int64")
        totals = table.groupby(["area_code", "financial_year"])["count"].transform("sum")
        table["area_count"] = totals.astype("int64")
        table["share"] = np.where(totals > 0, table["count"] / totals.where(totals > 0), np.nan)
        frames.append(table.assign(definition=definition, measure=measure))
    table = pd.concat(frames, ignore_index=True)
    table["period"] = table["financial_year"].map(financial_year_label)
    table = _with_rates(table, ward_population, rate_per, confidence)
    order = {key: i for i, key in enumerate(measures)}
    table = table.assign(_order=table["definition"].map(order)).sort_values(
        ["area_code", "_order", "financial_year", "ward_code"]
    )
    return table[TABLE_COLUMNS].reset_index(drop=True)


def _with_rates(
    table: pd.DataFrame, population: pd.DataFrame | None, rate_per: int, confidence: float
) -> pd.DataFrame:
    """Rates where residents are supplied and the year is complete; the note says otherwise."""
    table = table.assign(
        population=np.nan, population_year=pd.NA, rate=np.nan, lower=np.nan, upper=np.nan,
        rate_per=rate_per, note="",
    )  # fmt: skip
    table["population_year"] = table["population_year"].astype("Int64")
    partial = table["months_covered"] < 12
    table.loc[partial, "note"] = (
        "partial year: " + table.loc[partial, "months_covered"].astype(str) + " of 12 months"
    )
    if population is None:
        table["note"] = _join_notes(table["note"], NO_POPULATION)
        return table
    years = sorted({int(y) for y in population["year"]})
    used = {fy: max((y for y in years if y <= fy), default=None) for fy in table["financial_year"]}
    table["population_year"] = table["financial_year"].map(used).astype("Int64")
    residents = population.groupby(["ward_code", "year"])["population"].sum()
    keys = list(zip(table["ward_code"], table["population_year"], strict=True))
    table["population"] = [residents.get(k, np.nan) if pd.notna(k[1]) else np.nan for k in keys]
    no_year = table["population_year"].isna()
    table.loc[no_year, "note"] = _join_notes(
        table.loc[no_year, "note"],
        "no ward population at or before the year's start (years supplied: "
        f"{', '.join(map(str, years))})",
    )
    no_ward = ~no_year & table["population"].isna()
    table.loc[no_ward, "note"] = _join_notes(table.loc[no_ward, "note"], NO_POPULATION)
    earlier = ~no_year & (table["population_year"] != table["financial_year"])
    table.loc[earlier, "note"] = _join_notes(
        table.loc[earlier, "note"],
        "mid-" + table.loc[earlier, "population_year"].astype(str) + " residents used",
    )
    rated = ~partial & (table["population"] > 0)
    if rated.any():
        limits = rate_ci(
            table.loc[rated, "count"].to_numpy(),
            table.loc[rated, "population"].to_numpy(dtype="float64"),
            multiplier=rate_per,
            confidence=confidence,
        )
        table.loc[rated, ["rate", "lower", "upper"]] = limits[
            ["value", "lower", "upper"]
        ].to_numpy()
    return table


def _join_notes(notes: pd.Series, addition: str | pd.Series) -> pd.Series:
    """Append to each note with '; ' (no leading separator on an empty note)."""
    joined = notes.where(notes == "", notes + "; ") + addition
    return joined


def ward_population_from_lsoas(lookup: pd.DataFrame, population_lsoa: pd.DataFrame) -> pd.DataFrame:
    """Ward residents by mid-year from LSOA residents and an LSOA-to-ward lookup.

    ``lookup``: ``lsoa_code, ward_code`` (each LSOA in one ward, as the ONS best-fit lookup of
    2021 LSOAs to 2022 wards). ``population_lsoa``: the population_lsoa contract (``area_code``
    is the LSOA, summed over sex and age). An LSOA of the population without a ward in the
    lookup is an error, so that no resident is dropped silently.
    """
    repeated = lookup["lsoa_code"].duplicated(keep=False)
    if repeated.any():
        raise AdapterError(
            f"LSOA-to-ward lookup: LSOA(s) in more than one ward, e.g. "
            f"{sorted(lookup.loc[repeated, 'lsoa_code'])[:3]}"
        )
    ward_of = lookup.set_index("lsoa_code")["ward_code"]
    population = population_lsoa.assign(ward_code=population_lsoa["area_code"].map(ward_of))
    unmatched = population["ward_code"].isna()
    if unmatched.any():
        codes = sorted(set(population.loc[unmatched, "area_code"]))
        raise AdapterError(
            f"LSOA-to-ward lookup: {len(codes)} LSOA(s) of the population have no ward, "
            f"e.g. {codes[:3]}"
        )
    summed = population.groupby(["ward_code", "year"], as_index=False)["population"].sum()
    return summed.sort_values(["ward_code", "year"]).reset_index(drop=True)


def reconcile_with_borough(
    ward_crime: pd.DataFrame, borough_crime: pd.DataFrame, measures: Mapping[str, str]
) -> pd.DataFrame:
    """Per area x definition x financial year: the wards' total and the borough file's, over the
    months both hold (:data:`RECONCILIATION_COLUMNS`; difference = ward - borough)."""
    areas = sorted(ward_crime["area_code"].unique())
    borough = borough_crime.loc[borough_crime["area_code"].isin(areas)]
    missing = sorted(set(areas) - set(borough["area_code"]))
    if missing:
        raise AdapterError(f"reconciliation: the borough file has no rows for {missing}")
    months = set(ward_crime["month"]) & set(borough["month"])
    ward_crime = ward_crime.loc[ward_crime["month"].isin(months)]
    borough = borough.loc[borough["month"].isin(months)]
    covered = _months_covered(ward_crime).rename(columns={"months_covered": "months_compared"})
    frames = []
    for definition, measure in measures.items():
        wards = _measure_counts(ward_crime, measure, ["area_code"])
        boroughs = _measure_counts(borough, measure, ["area_code"])
        both = covered.merge(wards, on=["area_code", "financial_year"], how="left").merge(
            boroughs, on=["area_code", "financial_year"], how="left", suffixes=("_ward", "_borough")
        )
        frames.append(both.assign(definition=definition, measure=measure))
    table = pd.concat(frames, ignore_index=True)
    table["ward_count"] = table.pop("count_ward").fillna(0).astype("int64")
    table["borough_count"] = table.pop("count_borough").fillna(0).astype("int64")
    table["difference"] = table["ward_count"] - table["borough_count"]
    table["difference_percent"] = np.where(
        table["borough_count"] > 0,
        100 * table["difference"] / table["borough_count"].where(table["borough_count"] > 0),
        np.nan,
    )
    table["period"] = table["financial_year"].map(financial_year_label)
    partial = table["months_compared"] < 12
    table["note"] = RECONCILIATION_NOTE
    table.loc[partial, "note"] = (
        "partial year: " + table.loc[partial, "months_compared"].astype(str)
        + " of 12 months in both files; " + RECONCILIATION_NOTE
    )  # fmt: skip
    order = {key: i for i, key in enumerate(measures)}
    table = table.assign(_order=table["definition"].map(order)).sort_values(
        ["area_code", "_order", "financial_year"]
    )
    return table[RECONCILIATION_COLUMNS].reset_index(drop=True)
