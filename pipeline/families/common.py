"""Shared building blocks for the SNA measures: definitions, periods, populations, incidents, and
the one set of row/table helpers every family uses (the base row of a definition, measure ids,
reconciliation rows, reading a table back for its findings)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.findings import Finding
from pipeline.formatting import financial_year_label
from pipeline.settings import Definition, Settings
from pipeline.stats import fingertips_compare

#: Columns every measure table carries, in this order (extra columns may follow).
MEASURE_COLUMNS: list[str] = [
    "measure_id",
    "definition",
    "area_code",
    "period",
    "group",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "unit",
    "method",
    "confidence",
]


def financial_years(settings: Settings) -> list[int]:
    """Start years of every financial year in the configured window, oldest first."""
    return list(settings.window.years)


def select_definition(victims: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    """Rows of the validated victim extract that meet a configured offence definition.

    A definition names offence groups, weapons, an injury flag and a domestic-abuse flag
    (``None`` means "any") and an inclusive victim age range. Rows with unknown age never meet
    an age-bounded definition.
    """
    if not definition.offence_groups or not definition.weapons:
        raise ValueError(f"definition {definition.id!r} names no offence groups or weapons")
    mask = victims["offence_group"].isin(definition.offence_groups)
    mask &= victims["weapon"].isin(definition.weapons)
    if definition.injury is not None:
        mask &= victims["injury"] == bool(definition.injury)
    if definition.domestic_abuse is not None:
        mask &= victims["domestic_abuse"] == bool(definition.domestic_abuse)
    age = victims["victim_age"]
    mask &= age.notna() & (age >= definition.age_from) & (age <= definition.age_to)
    return victims.loc[mask.fillna(False).astype(bool)]


def distinct_victims(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per person: a repeat victim counts once (their first offence in ``rows``)."""
    ordered = rows.sort_values(["victim_id", "offence_start", "offence_id"], kind="stable")
    return ordered.drop_duplicates("victim_id", keep="first")


def population_total(
    population: pd.DataFrame,
    *,
    area_codes: Iterable[str],
    year: int,
    age_from: int,
    age_to: int,
    sex: str | None = None,
    ethnicity: str | None = None,
) -> int:
    """Residents of the given areas, mid-year, within an inclusive age range.

    Uses single-year or banded rows in the population contract; a band counts only when it
    lies wholly inside the range, and a band that straddles the range raises, because a
    partial band would silently bias a rate.
    """
    codes = set(area_codes)
    rows = _population_rows(population, codes, year, ethnicity)
    if sex is not None:
        rows = rows.loc[rows["sex"] == sex]
    elif (rows["sex"] == "All").any():
        rows = rows.loc[rows["sex"] == "All"]
    else:  # only Male and Female rows: both sexes together
        rows = rows.loc[rows["sex"].isin(["Male", "Female"])]
    return int(_inside_ages(rows, year, age_from, age_to)["population"].sum())


def population_totals(
    population: pd.DataFrame,
    *,
    area_codes: Sequence[str],
    year: int,
    age_from: int,
    age_to: int,
) -> pd.Series:
    """:func:`population_total` of each area on its own (both sexes, all ethnicities), in
    one pass over the frame: indexed by ``area_codes`` in their order, 0 where an area has no
    rows. Each area's sex rows are chosen as there: its "All" rows where it has any, else its
    Male and Female rows together."""
    codes = list(dict.fromkeys(area_codes))
    rows = _population_rows(population, set(codes), year, None)
    with_all = set(rows.loc[rows["sex"] == "All", "area_code"])
    has_all = rows["area_code"].isin(with_all)
    rows = rows.loc[
        (has_all & (rows["sex"] == "All")) | (~has_all & rows["sex"].isin(["Male", "Female"]))
    ]
    inside = _inside_ages(rows, year, age_from, age_to)
    totals = inside.groupby("area_code")["population"].sum()
    return totals.reindex(codes, fill_value=0).astype("int64")


def _population_rows(
    population: pd.DataFrame, codes: set[str], year: int, ethnicity: str | None
) -> pd.DataFrame:
    return population.loc[
        population["area_code"].isin(codes)
        & (population["year"] == year)
        & (population["ethnicity"] == (ethnicity or "All"))
    ]


def _inside_ages(rows: pd.DataFrame, year: int, age_from: int, age_to: int) -> pd.DataFrame:
    """The rows whose age band lies wholly in ``age_from``-``age_to``; raises where a band
    straddles either end."""
    straddles = (rows["age_from"] < age_from) & (rows["age_to"] >= age_from) | (
        (rows["age_from"] <= age_to) & (rows["age_to"] > age_to)
    )
    if straddles.any():
        bad = rows.loc[straddles, ["area_code", "age_from", "age_to"]].drop_duplicates().head(3)
        raise ValueError(
            f"population bands straddle ages {age_from}-{age_to} for year {year}: "
            f"{bad.to_dict('records')}"
        )
    return rows.loc[(rows["age_from"] >= age_from) & (rows["age_to"] <= age_to)]


def tidy(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a measure table with the standard columns first, rows in a stable order."""
    frame = pd.DataFrame(rows)
    for column in MEASURE_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    extra = [c for c in frame.columns if c not in MEASURE_COLUMNS]
    return frame[MEASURE_COLUMNS + extra].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# SNA from public data alone (settings ``victim_extract: false``)
# --------------------------------------------------------------------------------------------

#: What every "not available" note starts with (the reports print the note as given).
NOT_AVAILABLE_NOTE = "not available from public data: needs record-level victim data"


def is_proxy(definition: Definition) -> bool:
    """True when a configured definition is a public proxy for the measure it stands in for."""
    return bool(definition.proxy)


def covers_all_ages(definition: Definition) -> bool:
    """True when a definition's age range takes in every resident (0 to 90 and over)."""
    return int(definition.age_from) == 0 and int(definition.age_to) >= 90


def residents_phrase(definition: Definition) -> str:
    """'residents aged 1-24', or 'residents of all ages' for an all-ages definition."""
    if covers_all_ages(definition):
        return "residents of all ages"
    return f"residents aged {definition.age_from}-{definition.age_to}"


#: What ``{<definition key>.<attribute>}`` in a family's method text or an indicator label
#: becomes (:func:`describe_definitions`).
DEFINITION_ATTRIBUTES = ("id", "short_label", "ages", "residents")
_DEFINITION_PLACEHOLDER = re.compile(r"\{(\w+)\.(\w+)\}")


def describe_definitions(text: str, settings: Settings) -> str:
    """``text`` with each ``{<definition key>.<attribute>}`` replaced from the configured
    definition, so that a method or a label describes the definitions actually used (a public
    all-ages proxy, or a council's own age range) rather than the demo's: ``id``
    (``sv_0_24``), ``short_label``, ``ages`` ('aged 1 to 24', or 'of all ages') and
    ``residents`` ('residents aged 1-24', or 'residents of all ages').

    Raises ValueError naming an unknown definition or attribute (a typo in a template)."""
    metrics = settings.definitions.metrics

    def replace(match: re.Match[str]) -> str:
        key, attribute = match.group(1), match.group(2)
        definition = metrics.get(key)
        if definition is None or attribute not in DEFINITION_ATTRIBUTES:
            raise ValueError(f"unknown placeholder {match.group(0)} in {text[:60]!r}...")
        if attribute == "id":
            return str(definition.id)
        if attribute == "short_label":
            return str(definition.short_label)
        if attribute == "residents":
            return residents_phrase(definition)
        if covers_all_ages(definition):
            return "of all ages"
        return f"aged {definition.age_from} to {definition.age_to}"

    return _DEFINITION_PLACEHOLDER.sub(replace, text)


def not_available_rows(
    family: str,
    missing: Mapping[str, str],
    *,
    definition: Definition,
    settings: Settings,
    area_code: str,
) -> pd.DataFrame:
    """A family's table when its measures need the victim extract and there is none.

    One row per measure that could not be computed (``missing``: what it would show -> the
    victim fields it needs), each with ``measure_id`` ``<family>_not_available``, NaN values
    and a note saying why; nothing is estimated from another source.
    """
    rows = [
        {
            "measure_id": f"{family}_not_available",
            "definition": f"{definition.label} (definitions {settings.definitions.version})",
            "area_code": area_code,
            "period": settings.edition,
            "group": what,
            "numerator": float("nan"),
            "denominator": float("nan"),
            "value": float("nan"),
            "lower": float("nan"),
            "upper": float("nan"),
            "unit": "",
            "method": "not computed",
            "confidence": settings.statistics.confidence,
            "note": f"{NOT_AVAILABLE_NOTE} ({needs})",
        }
        for what, needs in missing.items()
    ]
    return tidy(rows)


def not_available_finding(
    table: pd.DataFrame, *, family: str, topic: str, resident: str
) -> Finding | None:
    """The finding of a family whose measures are not available (None when they are)."""
    rows = table.loc[table["measure_id"] == f"{family}_not_available"]
    if rows.empty:
        return None
    technical = "; ".join(
        f"{group}: {note}" for group, note in zip(rows["group"], rows["note"], strict=True)
    )
    return Finding(
        id=f"{family}_not_available",
        topic=topic,
        resident=resident,
        technical=f"{technical}. Nothing is estimated from another source.",
        status="Not available",
        measure_ids=[f"{family}_not_available"],
    )


# --------------------------------------------------------------------------------------------
# Incidents: one row per offence (hot spots, timing, deprivation)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incidents:
    """Offences meeting a definition in one financial year, one row per offence."""

    offences: pd.DataFrame
    victim_rows: int
    merged_rows: int


def confidence_of(settings: Settings) -> float:
    """The configured headline confidence level."""
    return settings.statistics.confidence


def select_incidents(victims: pd.DataFrame, definition: Definition, year: int) -> Incidents:
    """Offences with at least one victim meeting ``definition`` in financial year ``year``.

    Victim rows of the same offence are merged (one incident); the first by victim id gives
    the offence's place and time, which the police record once per offence.
    """
    rows = select_definition(victims, definition)
    rows = rows.loc[rows["financial_year"] == year]
    ordered = rows.sort_values(["offence_id", "victim_id"], kind="stable")
    offences = ordered.drop_duplicates("offence_id", keep="first").reset_index(drop=True)
    return Incidents(offences, victim_rows=len(rows), merged_rows=len(rows) - len(offences))


def definition_rows(victims: pd.DataFrame, definition: Definition, year: int) -> pd.DataFrame:
    """Victim rows (one per victim per offence) meeting ``definition`` in financial year
    ``year``."""
    rows = select_definition(victims, definition)
    return rows.loc[rows["financial_year"] == year]


# --------------------------------------------------------------------------------------------
# Rows and tables: the columns every row of a definition shares, measure ids, reconciliation
# --------------------------------------------------------------------------------------------


def definition_text(definition: Definition, settings: Settings) -> str:
    """The definition column: its label and the version of the configured definitions."""
    return f"{definition.label} (definitions {settings.definitions.version})"


def base_row(
    definition: Definition, settings: Settings, area_code: str, year: int
) -> dict[str, Any]:
    """Columns shared by every row of one definition in one year."""
    return {
        "definition_id": str(definition.id),
        "definition": definition_text(definition, settings),
        "area_code": area_code,
        "period": financial_year_label(year),
        "confidence": settings.confidence,
    }


#: Ends the label of a calendar-year period (public LSOA counts are by calendar year).
CALENDAR_YEAR_SUFFIX = " (calendar year)"


def calendar_year_label(year: int) -> str:
    """'2021 (calendar year)'."""
    return f"{year}{CALENDAR_YEAR_SUFFIX}"


def subject_of(definition: Definition, default: str) -> str:
    """What a finding talks about: ``default`` ("violence against young people"), or the short
    label of a public proxy, which names itself as one."""
    return str(definition.short_label) if is_proxy(definition) else default


def finish(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Tidy table with measure ids prefixed by their definition id ('sv_0_24_lsoa_rate')."""
    named = [{**row, "measure_id": f"{row['definition_id']}_{row['measure_id']}"} for row in rows]
    table = tidy(named)
    if "note" in table.columns:
        table["note"] = table["note"].fillna("").astype(str)
    return table


def reconciliation_rows(
    base: Mapping[str, Any], total: int, steps: Sequence[tuple[str, int]], unit: str
) -> list[dict[str, Any]]:
    """Rows that account for every victim row read: ``total`` = sum of the steps' counts."""
    accounted = sum(count for _, count in steps)
    if accounted != total:
        raise AssertionError(
            f"row reconciliation does not balance for {base.get('definition_id')}: "
            f"{total} rows read but {accounted} accounted for ({dict(steps)})"
        )
    rows = [{**base, "group": "rows read", "numerator": total, "value": float(total)}]
    rows += [
        {**base, "group": reason, "numerator": count, "value": float(count)}
        for reason, count in steps
    ]
    for row in rows:
        row.update(denominator=total, unit=unit, method="count", lower=np.nan, upper=np.nan)
    return rows


# --------------------------------------------------------------------------------------------
# Reading a table back for its findings
# --------------------------------------------------------------------------------------------


def reporting_period(table: pd.DataFrame, settings: Settings) -> str:
    """The period the findings describe: the edition, or the latest calendar year of the
    LSOA counts the table was computed from (an SNA from public data: only those tables have
    calendar-year periods)."""
    calendar = sorted({str(p) for p in table["period"] if str(p).endswith(CALENDAR_YEAR_SUFFIX)})
    return calendar[-1] if calendar else settings.edition


def edition_rows(table: pd.DataFrame, measure_id: str, settings: Settings) -> pd.DataFrame:
    """Rows of one measure in the reporting period (the edition year)."""
    period = reporting_period(table, settings)
    return table.loc[(table["measure_id"] == measure_id) & (table["period"] == period)]


def interval_status(reference: float, lower: float, upper: float) -> str:
    """'Higher'/'Similar'/'Lower' when the interval lies above/around/below ``reference``."""
    return str(fingertips_compare(float(reference), float(lower), float(upper)))


def list_phrase(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# --------------------------------------------------------------------------------------------
# Definitions derived from the configured ones
# --------------------------------------------------------------------------------------------


def school_age_definition(settings: Settings) -> Definition:
    """The serious-violence definition narrowed to school-age victims (e.g. 'sv_5_16')."""
    sv = settings.definitions.serious_violence_u25
    ages = settings.definitions.school_age
    prefix = sv.id.split("_")[0]
    return sv.narrowed(
        id=f"{prefix}_{ages.age_from}_{ages.age_to}",
        label=f"Serious violence against school-age people (aged {ages.age_from} to {ages.age_to})",
        age_from=ages.age_from,
        age_to=ages.age_to,
    )
