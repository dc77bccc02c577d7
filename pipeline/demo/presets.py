"""Parameters of the synthetic demo: areas, presets, definitions and the planted truths.

Everything the generator plants lives here, so that ``truths.json`` and the code that draws the
data read the same numbers. The definitions mirror ``config/config.yaml`` (a test checks that
they still agree), because the area's comparator series must equal what the configured
key-metric definition gives on the victim extract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SEED: int = 20250701
DEFAULT_PRESET: str = "waltham-forest"

#: Financial years April Y to March Y+1, by start year; populations use mid-Y.
FIRST_FINANCIAL_YEAR: int = 2020
LAST_FINANCIAL_YEAR: int = 2024
EDITION: str = "2024-25"

REGION_CODE: str = "E12000007"
REGION_NAME: str = "London"

ETHNIC_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")

#: Mirrors ``definitions`` in config/config.yaml (checked by tests/test_demo.py).
DEFINITIONS: dict[str, dict[str, Any]] = {
    "key_metric": {
        "id": "kcwi_1_24",
        "offence_groups": ["Homicide", "Violence with injury", "Robbery", "Sexual offences"],
        "weapons": ["Knife or sharp instrument"],
        "injury": True,
        "domestic_abuse": False,
        "age_from": 1,
        "age_to": 24,
    },
    "under_18_metric": {
        "id": "kcwi_1_17",
        "offence_groups": ["Homicide", "Violence with injury", "Robbery", "Sexual offences"],
        "weapons": ["Knife or sharp instrument"],
        "injury": True,
        "domestic_abuse": False,
        "age_from": 1,
        "age_to": 17,
    },
    "serious_violence_u25": {
        "id": "sv_0_24",
        "offence_groups": [
            "Homicide",
            "Violence with injury",
            "Violence without injury",
            "Robbery",
            "Sexual offences",
        ],
        "weapons": ["Knife or sharp instrument", "Firearm", "Other weapon", "None", "Unknown"],
        "injury": None,
        "domestic_abuse": None,
        "age_from": 0,
        "age_to": 24,
    },
}
SCHOOL_AGE: tuple[int, int] = (5, 16)
AFTER_SCHOOL_WINDOW: tuple[int, int] = (15, 17)  # hours, end exclusive


@dataclass(frozen=True)
class Planted:
    """The truths planted in the victim extract (see truths.json for their estimands)."""

    # 1. Growth of the key-metric rate (victims per resident of the same age), per year.
    area_key_metric_multiplier: float = 1.12
    area_under_18_multiplier: float = 1.18
    neighbours_key_metric_multiplier: float = 1.02
    neighbours_under_18_multiplier: float = 1.03
    #: Share of key-metric victims aged 1-17 in the first financial year (area and neighbours).
    under_18_share_first_year: float = 0.30
    # 2. Disproportionality: joint (sex, ethnicity) of under-18 key-metric victims.
    under_18_victim_sex_ethnicity: tuple[tuple[str, str, float], ...] = (
        ("Male", "Black", 0.52),
        ("Male", "White", 0.10),
        ("Male", "Asian", 0.09),
        ("Male", "Mixed", 0.08),
        ("Male", "Other", 0.03),
        ("Female", "Black", 0.06),
        ("Female", "White", 0.04),
        ("Female", "Asian", 0.03),
        ("Female", "Mixed", 0.03),
        ("Female", "Other", 0.02),
    )
    # 3. Time: school-age victims of serious violence.
    school_day_share: float = 0.70
    after_school_share_on_school_days: float = 0.30
    # 4. Hotspots: adjacent LSOAs with a higher rate of every offence located in them.
    hotspot_size: int = 6
    hotspot_rate_multiplier: float = 4.0
    # 5. Deprivation: rate multiplier per decile step towards the most deprived.
    rate_ratio_per_decile: float = 1.12
    # 6. Mess (probabilities per row; exact counts are reported from the sampled data).
    ethnicity_not_stated: float = 0.08
    missing_time: float = 0.05
    outside_area: float = 0.02
    unknown_location: float = 0.01
    repeat_victim_id_share: float = 0.05
    time_window: float = 0.08


PLANTED = Planted()


@dataclass(frozen=True)
class AreaSpec:
    """One local authority (or the region) in a preset."""

    code: str
    name: str
    region: str
    population_2020: int
    #: Ethnic composition of residents aged 0-17: Asian, Black, Mixed, White, Other.
    child_ethnicity: tuple[float, float, float, float, float]
    #: Key-metric victims per 100,000 residents aged 1-24 in the first financial year.
    key_metric_rate: float
    #: Annual population growth (a fixed trend; every age grows alike).
    population_growth: float = 0.003
    #: Approximate centre in British National Grid metres (areas that get a geography).
    centroid: tuple[float, float] | None = None


def slugify(name: str) -> str:
    """Folder name for an area: 'Waltham Forest' -> 'waltham-forest'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# Composition of London's children (0-17), used for the region and as a template.
LONDON_CHILDREN = (0.23, 0.17, 0.11, 0.42, 0.07)

WALTHAM_FOREST = AreaSpec(
    code="E09000031",
    name="Waltham Forest",
    region="London",
    population_2020=268_500,
    # Black children of both sexes ~20% of 0-17s, so black boys ~10%.
    child_ethnicity=(0.24, 0.20, 0.14, 0.36, 0.06),
    key_metric_rate=250.0,
    centroid=(537000.0, 190000.0),
)

#: DfE children's services statistical neighbours of Waltham Forest (April 2021 groupings),
#: in rank order, at realistic sizes; key-metric rates are synthetic.
WALTHAM_FOREST_NEIGHBOURS: tuple[AreaSpec, ...] = (
    AreaSpec("E09000010", "Enfield", "London", 333_000, (0.12, 0.20, 0.10, 0.48, 0.10), 230.0),
    AreaSpec("E09000014", "Haringey", "London", 266_000, (0.10, 0.20, 0.13, 0.47, 0.10), 245.0),
    AreaSpec("E09000008", "Croydon", "London", 388_000, (0.20, 0.27, 0.13, 0.34, 0.06), 225.0),
    AreaSpec("E09000005", "Brent", "London", 338_000, (0.34, 0.21, 0.10, 0.22, 0.13), 215.0),
    AreaSpec("E09000011", "Greenwich", "London", 287_000, (0.17, 0.27, 0.12, 0.39, 0.05), 210.0),
    AreaSpec(
        "E08000025", "Birmingham", "West Midlands", 1_145_000, (0.40, 0.12, 0.09, 0.33, 0.06), 190.0
    ),
    AreaSpec(
        "E06000032", "Luton", "East of England", 224_000, (0.44, 0.11, 0.09, 0.31, 0.05), 170.0
    ),
    AreaSpec("E09000009", "Ealing", "London", 366_000, (0.33, 0.12, 0.10, 0.32, 0.13), 200.0),
    AreaSpec("E09000023", "Lewisham", "London", 299_000, (0.10, 0.30, 0.17, 0.37, 0.06), 235.0),
    AreaSpec("E09000024", "Merton", "London", 215_000, (0.22, 0.14, 0.11, 0.47, 0.06), 160.0),
)

LONDON_REGION = AreaSpec(
    code=REGION_CODE,
    name=REGION_NAME,
    region="London",
    population_2020=8_900_000,
    child_ethnicity=LONDON_CHILDREN,
    key_metric_rate=215.0,
)

#: The 33 London local authorities: code, name, mid-2020 population (rounded, realistic) and an
#: approximate centre (BNG metres) used to lay out the synthetic boroughs.
LONDON_BOROUGHS: tuple[tuple[str, str, int, tuple[float, float]], ...] = (
    ("E09000001", "City of London", 8_600, (532400.0, 181300.0)),
    ("E09000002", "Barking and Dagenham", 216_000, (547500.0, 185000.0)),
    ("E09000003", "Barnet", 388_000, (524000.0, 192500.0)),
    ("E09000004", "Bexley", 246_000, (549000.0, 174500.0)),
    ("E09000005", "Brent", 338_000, (520500.0, 185500.0)),
    ("E09000006", "Bromley", 330_000, (542500.0, 166500.0)),
    ("E09000007", "Camden", 210_000, (528500.0, 184500.0)),
    ("E09000008", "Croydon", 388_000, (533500.0, 163500.0)),
    ("E09000009", "Ealing", 366_000, (516500.0, 181000.0)),
    ("E09000010", "Enfield", 333_000, (532500.0, 197500.0)),
    ("E09000011", "Greenwich", 287_000, (542500.0, 176500.0)),
    ("E09000012", "Hackney", 259_000, (534800.0, 185400.0)),
    ("E09000013", "Hammersmith and Fulham", 183_000, (523500.0, 178300.0)),
    ("E09000014", "Haringey", 266_000, (531500.0, 189500.0)),
    ("E09000015", "Harrow", 261_000, (515500.0, 189500.0)),
    ("E09000016", "Havering", 261_000, (554500.0, 187500.0)),
    ("E09000017", "Hillingdon", 305_000, (508000.0, 183500.0)),
    ("E09000018", "Hounslow", 288_000, (512500.0, 175000.0)),
    ("E09000019", "Islington", 216_000, (531300.0, 184800.0)),
    ("E09000020", "Kensington and Chelsea", 143_000, (526000.0, 179500.0)),
    ("E09000021", "Kingston upon Thames", 168_000, (519500.0, 167000.0)),
    ("E09000022", "Lambeth", 317_000, (530800.0, 175200.0)),
    ("E09000023", "Lewisham", 299_000, (537500.0, 173200.0)),
    ("E09000024", "Merton", 215_000, (525500.0, 169500.0)),
    ("E09000025", "Newham", 351_000, (541000.0, 183000.0)),
    ("E09000026", "Redbridge", 309_000, (544000.0, 189000.0)),
    ("E09000027", "Richmond upon Thames", 195_000, (517500.0, 172500.0)),
    ("E09000028", "Southwark", 307_000, (533500.0, 176500.0)),
    ("E09000029", "Sutton", 209_000, (526500.0, 163000.0)),
    ("E09000030", "Tower Hamlets", 310_000, (536000.0, 181700.0)),
    ("E09000031", "Waltham Forest", 268_500, (537000.0, 190000.0)),
    ("E09000032", "Wandsworth", 328_000, (525800.0, 174000.0)),
    ("E09000033", "Westminster", 204_000, (528500.0, 180500.0)),
)

#: How many nearest boroughs the London preset lists as neighbours.
LONDON_NEIGHBOUR_COUNT: int = 10
LONDON_NEIGHBOURS_SOURCE: str = (
    "Synthetic demo rule: the 10 other London boroughs nearest by distance between borough "
    "centres (ties broken by code)"
)
DFE_NEIGHBOURS_SOURCE: str = "DfE children's services statistical neighbours (April 2021 groupings)"


@dataclass(frozen=True)
class Preset:
    """A set of areas to generate.

    ``extract_areas`` get a per-area folder (victims, LSOAs, boundaries...); every area in
    ``comparator_areas`` gets comparator series and populations only.
    """

    name: str
    focus_code: str
    extract_areas: tuple[AreaSpec, ...]
    comparator_areas: tuple[AreaSpec, ...]
    region: AreaSpec
    #: Region totals are the sum of the extract areas (True) or drawn on their own (False).
    region_is_sum: bool
    neighbours: dict[str, tuple[str, ...]] = field(default_factory=dict)
    neighbours_source: str = DFE_NEIGHBOURS_SOURCE
    #: Scales every victim class except the key metric (keeps the London preset small).
    other_violence_scale: float = 1.0


def _nearest_neighbours(codes_xy: dict[str, tuple[float, float]], count: int) -> dict:
    """For every code, the ``count`` other codes nearest by centre distance (ties by code)."""
    result: dict[str, tuple[str, ...]] = {}
    for code, (x, y) in codes_xy.items():
        others = sorted(
            (
                ((ox - x) ** 2 + (oy - y) ** 2, other)
                for other, (ox, oy) in codes_xy.items()
                if other != code
            )
        )
        result[code] = tuple(other for _, other in others[:count])
    return result


def waltham_forest_preset() -> Preset:
    """Waltham Forest with its 10 DfE statistical neighbours and London."""
    return Preset(
        name="waltham-forest",
        focus_code=WALTHAM_FOREST.code,
        extract_areas=(WALTHAM_FOREST,),
        comparator_areas=WALTHAM_FOREST_NEIGHBOURS,
        region=LONDON_REGION,
        region_is_sum=False,
        neighbours={WALTHAM_FOREST.code: tuple(a.code for a in WALTHAM_FOREST_NEIGHBOURS)},
        neighbours_source=DFE_NEIGHBOURS_SOURCE,
        other_violence_scale=1.0,
    )


def london_preset(key_metric_rates: dict[str, float], child_ethnicity: dict) -> Preset:
    """All 33 London boroughs, each with its own extract; London is their sum.

    Key-metric rates (80-160 per 100,000 aged 1-24, nearer real London levels) and child
    ethnic mixes for boroughs other than Waltham Forest are drawn by the caller from the seed.
    Waltham Forest keeps its Waltham Forest preset parameters and planted growth; every other
    borough grows like a statistical neighbour. Every victim class except the key metric is
    scaled to a tenth, to keep the 33 extracts to a few MB.
    """
    areas = []
    for code, name, population, centre in LONDON_BOROUGHS:
        if code == WALTHAM_FOREST.code:
            areas.append(WALTHAM_FOREST)
            continue
        areas.append(
            AreaSpec(
                code=code,
                name=name,
                region="London",
                population_2020=population,
                child_ethnicity=child_ethnicity[code],
                key_metric_rate=key_metric_rates[code],
                centroid=centre,
            )
        )
    neighbours = _nearest_neighbours(
        {code: centre for code, _, _, centre in LONDON_BOROUGHS}, LONDON_NEIGHBOUR_COUNT
    )
    return Preset(
        name="london",
        focus_code=WALTHAM_FOREST.code,
        extract_areas=tuple(areas),
        comparator_areas=(),
        region=LONDON_REGION,
        region_is_sum=True,
        neighbours=neighbours,
        neighbours_source=LONDON_NEIGHBOURS_SOURCE,
        other_violence_scale=0.10,
    )


PRESETS: tuple[str, ...] = ("waltham-forest", "london")
