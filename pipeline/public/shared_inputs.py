"""The inputs every area shares, from the public files: statistical neighbours, comparator
series, population by local authority, and area names."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.adapters import (
    mps_comparator_series,
    read_dfe_la_codes,
    read_dfe_statistical_neighbours,
    read_mps_borough_crime,
    read_ons_mye2,
)
from pipeline.adapters._common import fail, reading, require_columns
from pipeline.adapters.mps_borough import LONDON_BOROUGHS, LONDON_CODE, LONDON_NAME, MPS_BOROUGHS
from pipeline.public.configuration import PublicBuildError, Sources
from pipeline.public.exclusions import exclusions
from pipeline.public.police_uk_area import ApiCrimes, api_comparators
from pipeline.public.police_uk_inputs import comparator_sources, police_uk_comparators
from pipeline.settings import Settings

_REGION_COLUMNS = ["time_period", "geographic_level", "new_la_code", "region_name"]


def la_regions(path: Path) -> dict[str, str]:
    """ONS LA code -> region name from the DfE population file (latest year of each LA)."""
    latest: dict[str, tuple[int, str]] = {}
    what = "DfE EES population estimates"
    with (
        reading(path, f"{what} (CSV, UTF-8)"),
        open(path, newline="", encoding="utf-8-sig") as handle,
    ):
        reader = csv.DictReader(handle)
        require_columns(path, reader.fieldnames or [], _REGION_COLUMNS, what)
        for line, row in enumerate(reader, start=2):
            if row["geographic_level"].strip() != "Local authority":
                continue
            code, year = row["new_la_code"].strip(), row["time_period"].strip()
            if not year.isdigit():
                raise fail(
                    path, "time_period must be a year YYYY", column="time_period", rows=[line]
                )
            if code not in latest or int(year) >= latest[code][0]:
                latest[code] = (int(year), row["region_name"].strip())
    # DfE splits London into Inner and Outer London; the ONS region is London.
    london = {"Inner London", "Outer London"}
    return {
        code: (LONDON_NAME if region in london else region) for code, (_, region) in latest.items()
    }


def build_neighbours(
    sources: Sources, codes: Sequence[str], config: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every DfE statistical neighbour of the areas, and the exclusions."""
    la_codes = read_dfe_la_codes(sources.dfe_la_codes)
    result = read_dfe_statistical_neighbours(sources.dfe_neighbours, la_codes)
    own = result.frame.loc[result.frame["area_code"].isin(codes)].reset_index(drop=True)
    missing = sorted(set(codes) - set(own["area_code"]))
    if missing:
        raise PublicBuildError(
            f"{sources.dfe_neighbours.name}: no statistical neighbours for {missing}"
        )
    labels = sorted(set(own["source"]))
    if labels != [Settings.of(config).neighbours_source]:
        raise PublicBuildError(
            f"neighbours_source in the config is {Settings.of(config).neighbours_source!r} but "
            f"{sources.dfe_neighbours.name} is {labels}: set neighbours_source to match the file"
        )
    # Other LAs' rows of the file are not this build's (not an exclusion: they are other areas).
    return own, exclusions("neighbours (DfE statistical neighbours)", result)


def build_comparators(
    sources: Sources,
    measures: Sequence[str],
    wanted: Sequence[str],
    months: Sequence[str] = (),
    areas: Mapping[str, str] | None = None,
    api: Mapping[str, ApiCrimes] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Monthly MPS counts of each proxy measure for the wanted codes and London; with
    police.uk files (``sources.police_uk_street``), police.uk series over ``months`` (the
    window's) for the wanted codes the MPS files do not cover
    (:mod:`~pipeline.public.police_uk_inputs`); with saved API answers (``police_uk_api``),
    the configured ``areas`` (code -> name) not covered take theirs from ``api``, each area's
    answers as read once (:func:`~pipeline.public.police_uk_area.read_area_api`). Returns
    the series, the exclusions and, with police.uk files only, where each series came from
    (else None)."""
    areas, api = dict(areas or {}), dict(api or {})
    crime = read_mps_borough_crime(sources.mps_borough_crime)
    parts, dropped = [], [exclusions("comparators (MPS borough-level crime)", crime)]
    for measure in measures:
        series = mps_comparator_series(crime.frame, measure, wanted)
        parts.append(series.frame)
        dropped.append(exclusions(f"comparators: {measure}", series))
    mps = pd.concat(parts, ignore_index=True)
    provenance = None
    if sources.police_uk_street or sources.police_uk_api:
        uncovered = sorted(set(wanted) - set(mps["area_code"]) - {LONDON_CODE})
        # Areas with saved API answers take their own series from them; the rest from the
        # street files.
        from_api = [c for c in uncovered if c in api]
        police_uk, police_dropped, police_sources = police_uk_comparators(
            sources, measures, [c for c in uncovered if c not in from_api], months
        )
        found, sourced = [police_uk], [police_sources]
        for code in from_api:
            series, api_dropped, api_sources = api_comparators(
                sources, measures, code, areas.get(code, ""), months, api[code]
            )
            found.append(series)
            sourced.append(api_sources)
            police_dropped += api_dropped
        parts += [f for f in found if len(f)]
        dropped += police_dropped
        provenance = comparator_sources(
            mps, sources.mps_borough_crime, pd.concat(sourced, ignore_index=True)
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["area_code", "measure", "month"]).reset_index(drop=True)
    return frame, pd.concat(dropped, ignore_index=True), provenance


def build_population_la(
    sources: Sources, wanted: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ONS MYE2 single-year populations of the wanted codes (all MYE files given), and London.

    London (E12000007) is the sum of the 32 MPS boroughs, like its comparator series, so that
    a rate's residents and offences cover the same place: the ONS London row also counts the
    City of London, which the MPS does not police (its residents are listed as excluded).
    """
    city = "E09000001"
    read_codes = sorted({*wanted, *MPS_BOROUGHS, city} - {LONDON_CODE})
    frames, dropped = [], []
    for path in sources.ons_mye2:
        result = read_ons_mye2(path, area_codes=read_codes)
        frames.append(result.frame)
        dropped.append(exclusions("population_la (ONS MYE2)", result))
    frame = pd.concat(frames, ignore_index=True)
    duplicated = frame.duplicated(["area_code", "year", "sex", "age_from"], keep=False)
    if duplicated.any():
        years = sorted(set(frame.loc[duplicated, "year"]))
        raise PublicBuildError(f"public_sources.ons_mye2: mid-year {years} given more than once")
    source = ", ".join(p.name for p in sources.ons_mye2)
    boroughs = frame.loc[frame["area_code"].isin(MPS_BOROUGHS)]
    if boroughs["area_code"].nunique() != len(MPS_BOROUGHS):
        raise PublicBuildError(f"{source}: the 32 London boroughs are needed to total London")
    keys = ["year", "sex", "age_from", "age_to", "ethnicity"]
    london = (
        boroughs.groupby(keys, as_index=False)["population"].sum().assign(area_code=LONDON_CODE)
    )
    city_rows = frame.loc[frame["area_code"] == city]
    records = [
        {
            "source": source,
            "reason": "not in London's total: the City of London is not policed by the MPS",
            "detail": f"{city} mid-{year}",
            "rows": len(rows),
            "value": int(rows["population"].sum()),
        }
        for year, rows in city_rows.groupby("year")
    ]
    records += [
        {
            "source": source,
            "reason": "area not in the mid-year estimates",
            "detail": code,
            "rows": 0,
        }
        for code in sorted(set(wanted) - set(frame["area_code"]) - {LONDON_CODE})
    ]
    if records:
        dropped.append(exclusions("population_la (ONS MYE2)", pd.DataFrame(records)))
    kept = frame.loc[frame["area_code"].isin(set(wanted))]
    frame = pd.concat([kept, london[kept.columns]], ignore_index=True)
    frame = frame.sort_values(["area_code", "year", "sex", "age_from"]).reset_index(drop=True)
    return frame, pd.concat(dropped, ignore_index=True)


def build_areas(
    config: Mapping[str, Any],
    neighbours: pd.DataFrame,
    codes: Iterable[str],
    regions: Mapping[str, str],
) -> pd.DataFrame:
    """Names (and regions) of every code used: areas, neighbours, London."""
    names = {
        str(row["neighbour_code"]): str(row["neighbour_name"]) for _, row in neighbours.iterrows()
    }
    names.update(LONDON_BOROUGHS)
    names.update({a.code: a.name for a in Settings.of(config).areas})
    rows = [
        {"area_code": code, "area_name": names[code], "region": regions.get(code, "")}
        for code in sorted(set(codes) - {LONDON_CODE})
    ]
    rows.append({"area_code": LONDON_CODE, "area_name": LONDON_NAME, "region": ""})
    return pd.DataFrame(rows).sort_values("area_code").reset_index(drop=True)


def build_deprivation_la(
    sources: Sources, wanted: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IoD File 10 rows of the areas and their neighbours (``deprivation_la``), with how many
    districts each vintage ranks; one file per vintage."""
    from pipeline.adapters.iod_summaries import DISTRICT_COUNT, read_iod_la_summaries

    frames, dropped, vintages = [], [], {}
    for path in sources.iod_la_summaries:
        result = read_iod_la_summaries(path)
        for vintage in sorted(set(result.frame["vintage"])):
            if vintage in vintages:
                raise PublicBuildError(
                    f"public_sources.iod_la_summaries: {vintages[vintage].name} and {path.name} "
                    f"are both {vintage}; give one File 10 per vintage"
                )
            vintages[vintage] = path
        rows = result.frame.loc[result.frame["la_code"].isin(set(wanted))]
        frames.append(rows.assign(districts=rows["vintage"].map(DISTRICT_COUNT)))
        dropped.append(exclusions("deprivation_la (IoD File 10)", result))
    table = pd.concat(frames, ignore_index=True).sort_values(["la_code", "vintage", "measure"])
    return table.reset_index(drop=True), pd.concat(dropped, ignore_index=True)
