"""Assemble a demo preset: geography, populations, extracts, comparators and truths."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo import geography as geo
from pipeline.demo.actions import actions_frame
from pipeline.demo.common import stream
from pipeline.demo.comparators import derived_series, drawn_series, series_frame, window_months
from pipeline.demo.output import AreaFiles, DemoData
from pipeline.demo.population import (
    LsoaPopulation,
    ethnic_counts,
    ethnic_frame,
    la_frame,
    lsoa_population,
    single_year_population,
)
from pipeline.demo.presets import (
    DEFAULT_PRESET,
    DEFAULT_SEED,
    DEFINITIONS,
    FIRST_FINANCIAL_YEAR,
    LAST_FINANCIAL_YEAR,
    LONDON_BOROUGHS,
    LONDON_CHILDREN,
    PLANTED,
    PRESETS,
    AreaSpec,
    Preset,
    london_preset,
    slugify,
    waltham_forest_preset,
)
from pipeline.demo.school_calendar import calendar_frame
from pipeline.demo.truths import KeyMetricSeries, focus_truths, mess_counts
from pipeline.demo.victim_classes import class_expectations, key_metric_expectations
from pipeline.demo.victims import AreaDraw, draw_victims

LONDON_BBOX = (502_000.0, 154_000.0, 564_000.0, 203_000.0)
METRICS = ("key_metric", "under_18_metric")


def _preset(seed: int, name: str) -> Preset:
    """The preset's areas; the London preset's synthetic rates and mixes come from the seed."""
    if name == "waltham-forest":
        return waltham_forest_preset()
    if name == "london":
        rng = stream(seed, "london", "areas")
        rates, mixes = {}, {}
        for code, *_ in LONDON_BOROUGHS:
            rates[code] = float(np.round(rng.uniform(80, 160), 1))
            mixes[code] = tuple(np.round(rng.dirichlet(np.array(LONDON_CHILDREN) * 60), 4))
        return london_preset(rates, mixes)
    raise ValueError(f"unknown demo preset {name!r}; choose one of {', '.join(PRESETS)}")


def _area_cells(preset: Preset) -> tuple[dict[str, list], dict[str, list]]:
    """Hexagons of each extract area, and of the pretend places just outside it."""
    if preset.name == "london":
        seeds = {a.code: a.centroid for a in preset.extract_areas}
        targets = {
            a.code: max(1, round(a.population_2020 / geo.PEOPLE_PER_LSOA))
            for a in preset.extract_areas
        }
        cells = geo.grow_boroughs(seeds, targets, LONDON_BBOX)
    else:
        cells = {
            a.code: geo.borough_blob(a.centroid, round(a.population_2020 / geo.PEOPLE_PER_LSOA))
            for a in preset.extract_areas
        }
    rings = {code: geo.outer_ring(own) for code, own in cells.items()}
    return cells, rings


def _foreign_places(
    rings: dict[str, list], owner_code: dict[tuple[int, int], str]
) -> dict[str, pd.DataFrame]:
    """For each area, the LSOAs just outside it: another area's LSOA, or a pretend one."""
    pretend: dict[tuple[int, int], str] = {}
    for ring in rings.values():
        for cell in ring:
            if cell not in owner_code and cell not in pretend:
                pretend[cell] = ""
    for number, cell in enumerate(sorted(pretend, key=lambda c: (-c[1], c[0])), start=1):
        pretend[cell] = f"E0198{number:04d}"
    foreign = {}
    for code, ring in rings.items():
        cols = np.array([c for c, _ in ring])
        rows = np.array([r for _, r in ring])
        x, y = geo.cell_centre(cols, rows)
        foreign[code] = pd.DataFrame(
            {
                "lsoa_code": [owner_code.get(cell) or pretend[cell] for cell in ring],
                "x": x,
                "y": y,
            }
        )
    return foreign


def _multipliers(focus: bool) -> tuple[float, float]:
    """Planted annual multipliers (key metric, under-18s): the focus area's or a neighbour's."""
    if focus:
        return PLANTED.area_key_metric_multiplier, PLANTED.area_under_18_multiplier
    return PLANTED.neighbours_key_metric_multiplier, PLANTED.neighbours_under_18_multiplier


def _key_metric_series(
    spec: AreaSpec, single: np.ndarray, years: list[int], focus: bool
) -> KeyMetricSeries:
    """Expected key-metric victims of an area (planted growth for the focus area)."""
    under_18, young_adult = key_metric_expectations(spec, single, years, *_multipliers(focus))
    residents = single.sum(axis=1)  # years x ages, both sexes
    return KeyMetricSeries(
        spec=spec,
        under_18=under_18,
        young_adult=young_adult,
        population_1_24=residents[:, 1:25].sum(axis=1).astype(float),
        population_1_17=residents[:, 1:18].sum(axis=1).astype(float),
    )


def _geographies(
    seed: int, spec_set: Preset, cells: dict[str, list]
) -> dict[str, geo.AreaGeography]:
    """Every extract area's LSOAs, wards, deprivation, hotspot and schools (codes in order)."""
    geographies: dict[str, geo.AreaGeography] = {}
    next_lsoa, next_ward = 1, 1
    for index, spec in enumerate(sorted(spec_set.extract_areas, key=lambda a: a.code)):
        # The focus area keeps its fixed, deprived-leaning decile mix; others get a random one.
        mean_decile = (
            None
            if spec.code == spec_set.focus_code
            else float(stream(seed, "deprivation", spec.code).uniform(2.5, 7.5))
        )
        geography = geo.build_area_geography(
            spec,
            cells[spec.code],
            stream(seed, "geography", spec.code),
            next_lsoa,
            next_ward,
            mean_decile,
            school_urn_base=900_000 + 1_000 * index,
        )
        next_lsoa += len(geography.lsoas)
        next_ward += geography.lsoas["ward_code"].nunique()
        geographies[spec.code] = geography
    return geographies


@dataclass
class _Extract:
    """One generated extract area and what the shared files and truths need from it."""

    spec: AreaSpec
    geography: geo.AreaGeography
    single: np.ndarray
    expected: np.ndarray
    lsoa_population: LsoaPopulation
    series: KeyMetricSeries
    files: AreaFiles
    mess: dict


def _extract(
    seed: int,
    spec: AreaSpec,
    focus: bool,
    geography: geo.AreaGeography,
    foreign: pd.DataFrame,
    years: list[int],
    months: list[str],
    other_violence_scale: float,
) -> _Extract:
    """Populations, victim extract and per-area files of one area."""
    single = single_year_population(spec, years, stream(seed, "population", spec.code))
    lsoa_pop = lsoa_population(
        geography.lsoas, years, single, stream(seed, "lsoa-population", spec.code)
    )
    expected = class_expectations(spec, single, years, _multipliers(focus), other_violence_scale)
    draw = AreaDraw(
        spec=spec,
        years=years,
        expected=expected,
        lsoas=geography.lsoas,
        lsoa_population=lsoa_pop,
        foreign=foreign,
        id_prefix=f"CR{spec.code[-3:]}",
    )
    victims = draw_victims(draw, stream(seed, "victims", spec.code))
    files = AreaFiles(
        code=spec.code,
        name=spec.name,
        slug=slugify(spec.name),
        frames={
            "victims": victims,
            "lsoas": geography.lsoas[
                ["lsoa_code", "lsoa_name", "ward_code", "ward_name", "area_code"]
            ],
            "population_lsoa": lsoa_pop.frame(),
            "schools": geography.schools,
            "school_calendar": calendar_frame(),
            "actions": actions_frame(),
        },
        boundaries=geo.boundaries_geojson(geography.lsoas),
    )
    return _Extract(
        spec=spec,
        geography=geography,
        single=single,
        expected=expected,
        lsoa_population=lsoa_pop,
        series=_key_metric_series(spec, single, years, focus),
        files=files,
        mess=mess_counts(victims, set(geography.lsoas["lsoa_code"]), months),
    )


def _comparators(
    seed: int,
    spec_set: Preset,
    extracts: dict[str, _Extract],
    singles: dict[str, np.ndarray],
    years: list[int],
    months: list[str],
) -> pd.DataFrame:
    """Monthly series: derived from each extract, drawn for the others, region summed or drawn."""
    metric_definitions = {k: DEFINITIONS[k] for k in METRICS}
    ids = (DEFINITIONS["key_metric"]["id"], DEFINITIONS["under_18_metric"]["id"])
    frames = []
    for code, e in extracts.items():
        lsoas = set(e.geography.lsoas["lsoa_code"])
        counts = derived_series(e.files.victims, lsoas, metric_definitions, months)
        frames.append(series_frame(code, e.spec.name, months, counts))
    for spec in spec_set.comparator_areas:
        s = _key_metric_series(spec, singles[spec.code], years, focus=False)
        rng = stream(seed, "comparators", spec.code)
        counts = drawn_series(s.under_18, s.young_adult, years, months, rng, ids)
        frames.append(series_frame(spec.code, spec.name, months, counts))
    region = spec_set.region
    if spec_set.region_is_sum:
        counts = {
            m: np.sum([f.loc[f["measure"] == m, "count"].to_numpy() for f in frames], axis=0)
            for m in ids
        }
    else:
        s = _key_metric_series(region, singles[region.code], years, focus=False)
        rng = stream(seed, "comparators", region.code)
        counts = drawn_series(s.under_18, s.young_adult, years, months, rng, ids)
    frames.append(series_frame(region.code, region.name, months, counts))
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["area_code", "month", "measure"], kind="stable")
        .reset_index(drop=True)
    )


def _ethnic_counts(
    spec_set: Preset, singles: dict[str, np.ndarray], years: list[int]
) -> dict[str, np.ndarray]:
    """Census 2021 residents by sex x age x ethnic group of every area and the region."""
    year = years.index(2021)
    region = spec_set.region
    specs = [*spec_set.extract_areas, *spec_set.comparator_areas]
    ethnic = {s.code: ethnic_counts(s.child_ethnicity, singles[s.code][year]) for s in specs}
    if spec_set.region_is_sum:
        ethnic[region.code] = np.sum(list(ethnic.values()), axis=0)
    else:
        ethnic[region.code] = ethnic_counts(region.child_ethnicity, singles[region.code][year])
    return ethnic


def _names_and_neighbours(spec_set: Preset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """areas.csv (every code used) and neighbours.csv."""
    specs = [*spec_set.extract_areas, *spec_set.comparator_areas, spec_set.region]
    names = {spec.code: (spec.name, spec.region) for spec in specs}
    areas = pd.DataFrame(
        [(code, n, r) for code, (n, r) in sorted(names.items())],
        columns=["area_code", "area_name", "region"],
    )
    neighbours = pd.DataFrame(
        [
            (code, other, names[other][0], rank, spec_set.neighbours_source)
            for code in sorted(spec_set.neighbours)
            for rank, other in enumerate(spec_set.neighbours[code], start=1)
        ],
        columns=["area_code", "neighbour_code", "neighbour_name", "rank", "source"],
    )
    return areas, neighbours


def _deprivation(extracts: dict[str, _Extract]) -> pd.DataFrame:
    """deprivation.csv: IoD2025 rank, score and decile of every extract area's LSOAs."""
    lsoas = pd.concat([e.geography.lsoas for e in extracts.values()], ignore_index=True)
    return (
        lsoas.assign(iod_edition="IoD2025")[
            ["lsoa_code", "iod_edition", "imd_score", "imd_rank", "imd_decile"]
        ]
        .sort_values("lsoa_code", kind="stable")
        .reset_index(drop=True)
    )


def _truths(
    seed: int,
    spec_set: Preset,
    extracts: dict[str, _Extract],
    singles: dict[str, np.ndarray],
    ethnic: dict[str, np.ndarray],
    years: list[int],
) -> dict:
    """truths.json: the focus area in full, plus a short entry per area in multi-area presets."""
    focus = extracts[spec_set.focus_code]
    neighbour_series = [
        extracts[code].series
        if code in extracts
        else _key_metric_series(
            next(s for s in spec_set.comparator_areas if s.code == code),
            singles[code],
            years,
            focus=False,
        )
        for code in spec_set.neighbours[spec_set.focus_code]
    ]
    truths = focus_truths(
        seed=seed,
        preset=spec_set.name,
        years=years,
        area=focus.series,
        neighbours=neighbour_series,
        ethnic=ethnic[focus.spec.code],
        geography=focus.geography,
        population=focus.lsoa_population,
        expected=focus.expected,
        mess=focus.mess,
    )
    if len(extracts) > 1:
        truths["areas"] = {}
        for code, e in sorted(extracts.items()):
            key_metric, under_18 = _multipliers(code == spec_set.focus_code)
            truths["areas"][code] = {
                "name": e.spec.name,
                "slug": e.files.slug,
                "key_metric_annual_multiplier": key_metric,
                "under_18_annual_multiplier": under_18,
                "hotspot_lsoas": e.geography.hotspot_codes,
                "mess": e.mess,
            }
    return truths


def generate(seed: int = DEFAULT_SEED, preset: str = DEFAULT_PRESET) -> DemoData:
    """Generate a demo preset deterministically from ``seed`` (frames and truths in memory)."""
    spec_set = _preset(seed, preset)
    years = list(range(FIRST_FINANCIAL_YEAR, LAST_FINANCIAL_YEAR + 1))
    months = window_months(years)
    cells, rings = _area_cells(spec_set)
    geographies = _geographies(seed, spec_set, cells)
    owner_code = {
        (int(col), int(row)): code
        for g in geographies.values()
        for code, col, row in g.lsoas[["lsoa_code", "col", "row"]].itertuples(index=False)
    }
    foreign = _foreign_places(rings, owner_code)
    extracts = {
        code: _extract(
            seed,
            g.spec,
            code == spec_set.focus_code,
            g,
            foreign[code],
            years,
            months,
            spec_set.other_violence_scale,
        )
        for code, g in sorted(geographies.items())
    }

    singles = {code: e.single for code, e in extracts.items()}
    for spec in spec_set.comparator_areas:
        singles[spec.code] = single_year_population(
            spec, years, stream(seed, "population", spec.code)
        )
    region = spec_set.region
    singles[region.code] = (
        np.sum([e.single for e in extracts.values()], axis=0)
        if spec_set.region_is_sum
        else single_year_population(region, years, stream(seed, "population", region.code))
    )
    ethnic = _ethnic_counts(spec_set, singles, years)
    areas, neighbours = _names_and_neighbours(spec_set)
    shared = {
        "comparators": _comparators(seed, spec_set, extracts, singles, years, months),
        "population_la": pd.concat(
            [la_frame(code, years, singles[code]) for code in sorted(singles)],
            ignore_index=True,
        ),
        "population_ethnicity": pd.concat(
            [ethnic_frame(code, ethnic[code]) for code in sorted(ethnic)], ignore_index=True
        ),
        "deprivation": _deprivation(extracts),
        "areas": areas,
        "neighbours": neighbours,
    }
    return DemoData(
        seed=seed,
        preset=preset,
        shared=shared,
        areas=tuple(e.files for _, e in sorted(extracts.items())),
        truths=_truths(seed, spec_set, extracts, singles, ethnic, years),
    )
