"""An area's own recorded crime by LSOA from police.uk, for the "where" and deprivation
measures (``lsoa_counts.csv``), when ``public_sources`` gives police.uk street files
(``police_uk_street``) or saved API answers (``police_uk_api``) and no MPS LSOA file
(``mps_lsoa_crime``): the source every force in England and Wales publishes, so an area outside
the MPS can have an SNA. With API answers the area's own comparator series come from them too
(:func:`api_comparators`); the street files' series are built by
:mod:`~pipeline.public.police_uk_inputs`.

What is counted, and what is set aside (every set-aside crime is listed in
``adapter-exclusions.csv`` with its reason):

* the police.uk crime types that hold the "where" definition's offence groups
  (``serious_violence_u25.offence_groups``, :data:`TYPE_GROUPS`): crimes of other types are
  listed as :data:`REASON_OTHER_TYPE` by type;
* the area's force only: its named force (``police_uk_street.forces``) or the force with most
  crimes in it (the rule of :mod:`pipeline.adapters.police_uk_la`); other forces' crimes inside
  it are :data:`~pipeline.adapters.police_uk.REASON_OTHER_FORCE`;
* whole calendar years only: the contract is one count per LSOA and calendar year, and a year
  of the files with fewer than 12 months of the force's crimes in the area would read as a
  quiet year. Its crimes are :data:`REASON_PART_YEAR`, with the months held;
* the street reader's own exclusions (British Transport Police, no location, outside the area,
  a Crime ID counted already), as :func:`~pipeline.adapters.read_police_uk_street` states; or,
  for API answers, :func:`~pipeline.adapters.read_police_uk_api_json`'s (a crime repeated in
  another answer, BTP, no location, a point outside the area's polygons). The API does not say
  which force recorded a crime, so every crime in the polygons counts (:data:`API_FORCE`).

**LSOA vintages.** police.uk gives the LSOA current when the month was published: 2011 codes
in older files, 2021 codes in newer ones. A crime whose code is a 2021 LSOA of the area is
counted there; one with a 2011 code of the area that is not a 2021 code (an LSOA split or
merged in 2021) is moved to 2021 LSOAs by the best-fit lookup, splits shared by residents as
the MPS LSOA counts are (:func:`~pipeline.adapters.bridge_lsoa11_to_lsoa21`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.adapters import (
    AdapterResult,
    bridge_lsoa11_to_lsoa21,
    police_uk_comparator_series,
    read_lsoa_boundaries,
    read_police_uk_api_json,
    read_police_uk_street,
)
from pipeline.adapters.police_uk import REASON_OTHER_FORCE, street_files
from pipeline.adapters.police_uk_api import json_files
from pipeline.adapters.police_uk_la import POLICE_UK_MEASURES, months_text, series_forces
from pipeline.public.configuration import POLICE_UK_KEY, PublicBuildError, Sources
from pipeline.public.exclusions import exclusions
from pipeline.public.police_uk_inputs import (
    REASON_NO_CRIME_TYPE,
    SOURCE_COLUMNS,
    files_text,
    force_names,
    month_in_detail,
    named_forces,
)
from pipeline.public_definitions import TYPE_GROUPS, crime_types_holding

SOURCE = "police.uk street-level crime"
REASON_OTHER_TYPE = "crime type not in the 'where' definition (not counted)"
REASON_PART_YEAR = "calendar year not complete in the police.uk files supplied"


def police_uk_crime_types(offence_groups: Sequence[str], definition_id: str) -> list[str]:
    """The police.uk crime types that hold exactly the definition's offence groups: a type is
    counted only when the definition names every group in it, so that its counts never carry a
    narrower label ('Violence with injury' alone cannot be counted from police.uk, whose type
    also holds violence without injury and sexual offences). One line otherwise."""
    types, rest = crime_types_holding(offence_groups)
    if rest or not types:
        raise PublicBuildError(
            f"definitions.serious_violence_u25 ({definition_id}): offence_groups {rest} cannot be "
            "counted from police.uk street files, whose crime types hold "
            + "; ".join(f"{t}: {', '.join(g)}" for t, g in TYPE_GROUPS.items())
            + " (a type is counted only with every group it holds)"
        )
    return types


def police_uk_lsoa_counts(
    sources: Sources,
    area_code: str,
    lsoas21: Sequence[str],
    lookup: pd.DataFrame,
    weights: pd.Series | None,
    measure: str,
    crime_types: Sequence[str],
    api: ApiCrimes | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``lsoa_code, year, measure, count`` for every 2021 LSOA of the area and every complete
    calendar year of the files (0 where none), and the exclusions (see the module doc). With
    saved API answers (``police_uk_api``) the crimes are ``api``'s (:func:`read_area_api`)."""
    codes21 = sorted(set(lsoas21))
    codes11 = sorted(set(lookup["lsoa11_code"]) - set(codes21))
    counts, step, dropped, force = area_crimes(sources, area_code, [*codes21, *codes11], api)
    what = "answers" if sources.police_uk_api else "street files"
    others = counts.loc[counts["force"] != force]
    own = counts.loc[counts["force"] == force]
    dropped.append(_grouped(step, others, REASON_OTHER_FORCE, others["force"]))
    covered = sorted(set(own["month"]))
    years = _complete_years(covered)
    if not years:
        raise PublicBuildError(
            f"{area_code}: the police.uk {what} hold no complete calendar year of "
            f"{force} crimes in the area (months held: {months_text(covered) or 'none'}); the "
            "LSOA counts are by calendar year, so supply all 12 months of at least one year"
        )
    wanted = own["crime_type"].isin(set(crime_types))
    other_types = own.loc[~wanted]
    dropped.append(_grouped(step, other_types, REASON_OTHER_TYPE, other_types["crime_type"]))
    mine = own.loc[wanted].assign(year=own["month"].str[:4].astype(int))
    part = mine.loc[~mine["year"].isin(years)]
    held = {y: [m for m in covered if int(m[:4]) == y] for y in sorted(set(part["year"]))}
    detail = part["year"].map(lambda y: f"{y}: {len(held[y])} of 12 months held")
    dropped.append(_grouped(step, part, REASON_PART_YEAR, detail))
    annual = (
        mine.loc[mine["year"].isin(years)]
        .groupby(["lsoa_code", "year"], as_index=False)["count"]
        .sum()
    )
    direct = annual.loc[annual["lsoa_code"].isin(codes21)]
    bridged = bridge_lsoa11_to_lsoa21(
        annual.loc[~annual["lsoa_code"].isin(codes21)], lookup, weights
    )
    dropped.append(exclusions(f"lsoa_counts {area_code} (bridge LSOA11 -> LSOA21)", bridged))
    total = pd.concat([direct, bridged.frame], ignore_index=True)
    total = total.groupby(["lsoa_code", "year"])["count"].sum()
    index = pd.MultiIndex.from_product([codes21, years], names=["lsoa_code", "year"])
    frame = total.reindex(index, fill_value=0).astype("int64").reset_index()
    frame = frame.assign(measure=measure)[["lsoa_code", "year", "measure", "count"]]
    return frame, pd.concat(dropped, ignore_index=True)


#: The "force" of API answers, which do not say which force recorded each crime.
API_FORCE = "police.uk API (force not stated)"
API_SOURCE = "police.uk API street-level crimes"


def area_crimes(
    sources: Sources,
    area_code: str,
    codes: Sequence[str],
    api: ApiCrimes | None,
) -> tuple[pd.DataFrame, str, list[pd.DataFrame], str]:
    """The area's police.uk crimes (``lsoa_code, month, force, crime_type, count``), the step
    their exclusions go under, those exclusions and the area's force: from the saved API
    answers when given (every crime in the area's polygons, one "force"), else the street
    files (the area's force: named, or the one with most crimes in it)."""
    if sources.police_uk_api:
        if api is None:
            raise ValueError("with police_uk_api, give the area's answers (read_area_api)")
        step = f"lsoa_counts {area_code} ({API_SOURCE})"
        counts = api.read.frame.assign(force=API_FORCE)
        return counts, step, [exclusions(step, month_in_detail(api.read.excluded))], API_FORCE
    step = f"lsoa_counts {area_code} (police.uk street-level crime)"
    read = read_police_uk_street(sources.police_uk_street, codes, by_force=True)
    force = _area_force(sources, area_code, read.frame, codes)
    return read.frame, step, [exclusions(step, month_in_detail(read.excluded))], force


def _area_force(
    sources: Sources, area_code: str, counts: pd.DataFrame, codes: Sequence[str]
) -> str:
    """The area's force as its files spell it: named in ``forces``, else the force with most
    crimes in it (one line when the files hold no force of the area)."""
    if area_code in sources.police_uk_forces:
        names = force_names(street_files(sources.police_uk_street)[0])
        return named_forces(sources, names, [area_code])[area_code]
    lookup = pd.DataFrame({"lsoa_code": sorted(set(codes)), "la_code": area_code, "la_name": ""})
    force = series_forces(counts, lookup, [area_code]).get(area_code)
    if force is None:
        raise PublicBuildError(
            f"{area_code}: no police.uk street file of the area's force is among "
            f"public_sources.{POLICE_UK_KEY}.paths (the files hold crimes in few or none of "
            "its LSOAs); add its force's monthly files, or name the force under "
            f"{POLICE_UK_KEY}.forces"
        )
    return force


def _complete_years(months: Sequence[str]) -> list[int]:
    """Calendar years with all 12 months among ``months`` ('YYYY-MM')."""
    per_year: dict[int, set[str]] = {}
    for month in months:
        per_year.setdefault(int(month[:4]), set()).add(month)
    return sorted(year for year, held in per_year.items() if len(held) == 12)


def _grouped(step: str, rows: pd.DataFrame, reason: str, detail: pd.Series) -> pd.DataFrame:
    """Crimes set aside, one exclusion row per detail (rows = crimes)."""
    if rows.empty:
        return exclusions(step, pd.DataFrame(columns=["source", "reason", "detail", "rows"]))
    totals = rows.assign(detail=detail.to_numpy()).groupby("detail")["count"].sum()
    records = [{"source": SOURCE, "reason": reason, "detail": str(text), "rows": int(n)}
               for text, n in totals.items()]  # fmt: skip
    return exclusions(step, pd.DataFrame(records))


@dataclass(frozen=True)
class ApiCrimes:
    """An area's saved API answers, read once (its series and its LSOA counts both use them):
    the crimes in its LSOA polygons and the area's 2021 LSOAs."""

    read: AdapterResult
    lsoas: list[str]


def read_area_api(sources: Sources, code: str) -> ApiCrimes:
    """The saved API answers' crimes in the area's 2021 LSOA polygons."""
    boundaries = read_lsoa_boundaries(sources.lsoa21_boundaries, code)
    read = read_police_uk_api_json(sources.police_uk_api, boundaries)
    return ApiCrimes(read=read, lsoas=sorted(set(boundaries["lsoa_code"])))


def api_comparators(
    sources: Sources,
    measures: Sequence[str],
    code: str,
    name: str,
    months: Sequence[str],
    api: ApiCrimes,
) -> tuple[pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
    """An area's own monthly series of ``measures`` over ``months`` from its saved API
    answers, the exclusions, and its source rows (:data:`SOURCE_COLUMNS`)."""
    step = f"comparators ({API_SOURCE})"
    lookup = pd.DataFrame({"lsoa_code": api.lsoas, "la_code": code, "la_name": name})
    dropped = [exclusions(step, month_in_detail(api.read.excluded))]
    parts, rows = [], []
    names = files_text(sorted(p.name for p in json_files(sources.police_uk_api)))
    for measure in measures:
        if measure not in POLICE_UK_MEASURES:
            record = {"source": API_SOURCE, "reason": REASON_NO_CRIME_TYPE,
                      "detail": f"{code} {measure}", "rows": 0}  # fmt: skip
            dropped.append(exclusions(f"comparators: {measure}", pd.DataFrame([record])))
            continue
        series = police_uk_comparator_series(api.read.frame, lookup, measure, [code], months=months)
        dropped.append(exclusions(f"comparators: {measure}", month_in_detail(series.excluded)))
        if len(series.frame):
            parts.append(series.frame)
            rows.append({"area_code": code, "area_name": name, "measure": measure,
                         "source": API_SOURCE, "force": API_FORCE, "files": names})  # fmt: skip
    columns = ["area_code", "area_name", "month", "measure", "count"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return frame, dropped, pd.DataFrame(rows, columns=SOURCE_COLUMNS)
