"""The synthetic victim extract: one row per victim per offence, with planted truths and mess.

Rows come from offence *classes*. Each class has an expected count per financial year (a rate
per 100,000 residents of an age range, or the planted key-metric growth) and its own mix of
offence group, weapon, injury and domestic-abuse flag, ages, sex and ethnicity. Counts are
Poisson. Only the two key-metric classes meet the key-metric definition; the others (knife
crime that is domestic abuse, knife crime without injury, adult victims, other weapons, unknown
age, possession of weapons) are there so that the definition's filters matter.

The planted truths (see :mod:`pipeline.demo.truths`) are: key-metric growth, the share of black
boys among under-18 victims, the school-day and after-school timing of violence against
school-age victims, a hotspot cluster of LSOAs and a deprivation gradient. Then comes the mess
of a real extract: ethnicity "Not stated", missing times, rows located outside the area, rows
with no location, repeat victims and offences known only within a time window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo.common import normalise
from pipeline.demo.geography import sample_points
from pipeline.demo.population import LsoaPopulation, band_total, ethnic_composition
from pipeline.demo.presets import (
    AFTER_SCHOOL_WINDOW,
    ETHNIC_GROUPS,
    PLANTED,
    SCHOOL_AGE,
    AreaSpec,
    Planted,
)
from pipeline.demo.school_calendar import school_day_mask, weekday_index

KNIFE = "Knife or sharp instrument"
VICTIM_COLUMNS = [
    "offence_id",
    "victim_id",
    "offence_start_date",
    "offence_start_time",
    "offence_end_date",
    "offence_end_time",
    "offence_group",
    "weapon",
    "injury",
    "domestic_abuse",
    "victim_age",
    "victim_sex",
    "victim_ethnicity",
    "lsoa_code",
    "easting",
    "northing",
]

#: Relative frequency of offences by hour of day (0-23): quiet mornings, evening peak.
HOUR_PROFILE = normalise(
    np.array(
        [
            3.0,
            2.4,
            2.0,
            1.5,
            1.0,
            0.7,
            0.6,
            0.8,
            1.2,
            1.5,
            1.8,
            2.2,
            2.6,
            2.8,
            3.0,
            3.4,
            3.8,
            4.2,
            4.6,
            5.0,
            5.2,
            5.0,
            4.5,
            3.8,
        ]
    )
)
#: Relative frequency by weekday (Monday first) for victims outside the school-age rule.
WEEKDAY_PROFILE = np.array([0.90, 0.90, 0.95, 1.00, 1.15, 1.25, 1.10])

Mix = tuple[tuple[str, str, str, str, float], ...]  # (offence group, weapon, injury, DA, share)

KEY_METRIC_MIX: Mix = (
    ("Violence with injury", KNIFE, "Y", "N", 0.74),
    ("Robbery", KNIFE, "Y", "N", 0.22),
    ("Sexual offences", KNIFE, "Y", "N", 0.03),
    ("Homicide", KNIFE, "Y", "N", 0.01),
)


@dataclass(frozen=True)
class VictimClass:
    """A kind of victim row: how many there are, what offence, who the victim is."""

    name: str
    ages: tuple[int, int] | None  # None = age not recorded
    age_shape: str  # how ages are weighted inside the range (see _age_weights)
    mix: Mix
    rate: float  # per 100,000 residents of ``rate_ages`` (not used by key-metric classes)
    rate_ages: tuple[int, int]
    location_ages: tuple[int, int]  # residents whose LSOA distribution places the offence
    male_share: float
    black_risk: float  # relative risk for black victims against the population mix
    sex_not_stated: float = 0.0


CLASSES: tuple[VictimClass, ...] = (
    VictimClass(
        "key_metric_under_18", (1, 17), "teen", KEY_METRIC_MIX, 0.0, (1, 17), (0, 24), 0.82, 1.0
    ),
    VictimClass(
        "key_metric_18_24",
        (18, 24),
        "young_adult",
        KEY_METRIC_MIX,
        0.0,
        (18, 24),
        (0, 24),
        0.85,
        2.5,
    ),
    VictimClass(
        "knife_domestic_abuse_u25",
        (16, 24),
        "flat",
        (
            ("Violence with injury", KNIFE, "Y", "Y", 0.90),
            ("Sexual offences", KNIFE, "Y", "Y", 0.08),
            ("Homicide", KNIFE, "Y", "Y", 0.02),
        ),
        25.0,
        (1, 24),
        (0, 24),
        0.35,
        1.5,
    ),
    VictimClass(
        "knife_no_injury_u25",
        (12, 24),
        "teen_peak",
        (
            ("Robbery", KNIFE, "N", "N", 0.60),
            ("Violence without injury", KNIFE, "N", "N", 0.35),
            ("Sexual offences", KNIFE, "N", "N", 0.05),
        ),
        120.0,
        (1, 24),
        (0, 24),
        0.80,
        1.8,
    ),
    VictimClass(
        "knife_injury_adult",
        (25, 70),
        "adult",
        (
            ("Violence with injury", KNIFE, "Y", "N", 0.70),
            ("Violence with injury", KNIFE, "Y", "Y", 0.15),
            ("Robbery", KNIFE, "Y", "N", 0.13),
            ("Homicide", KNIFE, "Y", "N", 0.02),
        ),
        60.0,
        (25, 90),
        (25, 90),
        0.80,
        1.8,
    ),
    VictimClass(
        "other_violence_u25",
        (0, 24),
        "young",
        (
            ("Violence with injury", "None", "Y", "N", 0.20),
            ("Violence with injury", "Other weapon", "Y", "N", 0.07),
            ("Violence with injury", "Unknown", "Y", "N", 0.03),
            ("Violence with injury", "Firearm", "Y", "N", 0.01),
            ("Violence with injury", "None", "Y", "Y", 0.07),
            ("Violence without injury", "None", "N", "N", 0.25),
            ("Violence without injury", "None", "N", "Y", 0.10),
            ("Violence without injury", "Unknown", "N", "N", 0.03),
            ("Robbery", "None", "N", "N", 0.10),
            ("Robbery", "Other weapon", "N", "N", 0.02),
            ("Robbery", "Firearm", "N", "N", 0.01),
            ("Robbery", "None", "Y", "N", 0.02),
            ("Sexual offences", "None", "N", "N", 0.06),
            ("Sexual offences", "None", "N", "Y", 0.02),
            ("Sexual offences", "None", "Y", "N", 0.01),
        ),
        900.0,
        (0, 24),
        (0, 24),
        0.55,
        1.3,
    ),
    VictimClass(
        "other_violence_adult",
        (25, 85),
        "older",
        (
            ("Violence with injury", "None", "Y", "N", 0.18),
            ("Violence with injury", "None", "Y", "Y", 0.15),
            ("Violence with injury", "Other weapon", "Y", "N", 0.05),
            ("Violence with injury", "Unknown", "Y", "N", 0.02),
            ("Violence with injury", "Firearm", "Y", "N", 0.005),
            ("Violence without injury", "None", "N", "N", 0.22),
            ("Violence without injury", "None", "N", "Y", 0.18),
            ("Violence without injury", "Unknown", "N", "N", 0.03),
            ("Robbery", "None", "N", "N", 0.08),
            ("Robbery", "Other weapon", "N", "N", 0.015),
            ("Robbery", "None", "Y", "N", 0.02),
            ("Sexual offences", "None", "N", "N", 0.03),
            ("Sexual offences", "None", "N", "Y", 0.02),
        ),
        350.0,
        (25, 90),
        (25, 90),
        0.50,
        1.2,
    ),
    VictimClass(
        "unknown_age",
        None,
        "none",
        (
            ("Violence with injury", KNIFE, "Y", "N", 0.15),
            ("Violence with injury", "None", "Y", "N", 0.30),
            ("Violence without injury", "None", "N", "N", 0.35),
            ("Robbery", "None", "N", "N", 0.15),
            ("Sexual offences", "None", "N", "N", 0.05),
        ),
        20.0,
        (0, 90),
        (0, 90),
        0.60,
        1.3,
        sex_not_stated=0.25,
    ),
    VictimClass(
        "possession_of_weapons",
        (14, 40),
        "possession",
        (
            ("Possession of weapons", KNIFE, "N", "N", 0.70),
            ("Possession of weapons", "Other weapon", "N", "N", 0.22),
            ("Possession of weapons", "Firearm", "N", "N", 0.08),
        ),
        30.0,
        (0, 90),
        (0, 90),
        0.90,
        2.0,
    ),
)
CLASS_INDEX = {c.name: i for i, c in enumerate(CLASSES)}


def _age_weights(shape: str, ages: np.ndarray) -> np.ndarray:
    """Relative frequency of each age inside a class's range."""
    if shape == "teen":  # under-18 knife victims are mostly 14-17
        table = {10: 0.3, 11: 0.6, 12: 1.2, 13: 2.5, 14: 4.5, 15: 6.5, 16: 8.0, 17: 9.0}
        return np.array([table.get(int(a), 0.05) for a in ages])
    if shape == "young_adult":
        return 9.0 - 0.5 * (ages - 18)
    if shape == "teen_peak":
        return np.maximum(1.0, 8.0 - np.abs(ages - 17.0))
    if shape == "young":
        return np.select([ages < 5, ages < 10, ages < 13], [0.4, 0.8, 2.0], 5.0)
    if shape == "adult":
        return np.exp(-(ages - 25) / 15)
    if shape == "older":
        return np.exp(-(ages - 25) / 20)
    if shape == "possession":
        return np.exp(-(ages - 14) / 10)
    return np.ones(ages.size)


def population_in(single: np.ndarray, years: list[int], year: int, ages: tuple[int, int]) -> int:
    """Residents (both sexes) of an age range in a mid-year, from a single-year array."""
    return int(band_total(single[years.index(year)].sum(axis=0), ages[0], ages[1]))


def key_metric_expectations(
    spec: AreaSpec,
    single: np.ndarray,
    years: list[int],
    multiplier: float,
    under_18_multiplier: float,
    planted: Planted = PLANTED,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected key-metric victims per year: (aged 1-17, aged 18-24).

    The 1-24 rate is ``key_metric_rate`` x multiplier^t and the 1-17 rate grows by its own
    multiplier from ``under_18_share_first_year`` of the first year's victims; 18-24 is the
    difference, so both planted rates are exact exponentials in t.
    """
    p_1_24 = np.array([population_in(single, years, y, (1, 24)) for y in years], dtype=float)
    p_1_17 = np.array([population_in(single, years, y, (1, 17)) for y in years], dtype=float)
    t = np.arange(len(years))
    total = spec.key_metric_rate / 1e5 * multiplier**t * p_1_24
    under_18_rate = planted.under_18_share_first_year * total[0] / p_1_17[0]
    under_18 = under_18_rate * under_18_multiplier**t * p_1_17
    young_adult = total - under_18
    if (young_adult <= 0).any():
        raise ValueError(f"{spec.name}: under-18 growth outpaces the key metric")
    return under_18, young_adult


def class_expectations(
    spec: AreaSpec,
    single: np.ndarray,
    years: list[int],
    multipliers: tuple[float, float],
    other_violence_scale: float,
) -> np.ndarray:
    """Expected rows located in the area (classes x years), before rows outside the area."""
    under_18, young_adult = key_metric_expectations(spec, single, years, *multipliers)
    out = np.empty((len(CLASSES), len(years)))
    for c, cls in enumerate(CLASSES):
        if cls.name == "key_metric_under_18":
            out[c] = under_18
        elif cls.name == "key_metric_18_24":
            out[c] = young_adult
        else:
            base = np.array([population_in(single, years, y, cls.rate_ages) for y in years])
            out[c] = cls.rate / 1e5 * base * other_violence_scale  # never the key metric
    return out


def location_probabilities(
    lsoas: pd.DataFrame,
    population: LsoaPopulation,
    year: int,
    ages: tuple[int, int],
    planted: Planted = PLANTED,
) -> np.ndarray:
    """Probability that an offence against a victim of ``ages`` falls in each LSOA.

    Each LSOA's rate (per resident of ``ages``) is the deprivation gradient of its decile times
    the hotspot multiplier, rescaled within the decile so that every decile's overall rate
    follows the gradient exactly: hotspot LSOAs then have ``hotspot_rate_multiplier`` times
    the rate of the other LSOAs of their decile, and the decile pattern stays clean.
    """
    residents = population.base(year, *ages).astype(float)
    decile = lsoas["imd_decile"].to_numpy()
    hotspot = np.where(lsoas["hotspot"].to_numpy(), planted.hotspot_rate_multiplier, 1.0)
    within = np.ones(decile.size)
    for d in np.unique(decile):
        members = decile == d
        within[members] = (residents[members] * hotspot[members]).sum() / residents[members].sum()
    rate = planted.rate_ratio_per_decile ** (10 - decile) * hotspot / within
    return normalise(residents * rate)


@dataclass
class AreaDraw:
    """Everything needed to draw one area's extract."""

    spec: AreaSpec
    years: list[int]
    expected: np.ndarray  # classes x years, located in the area
    lsoas: pd.DataFrame
    lsoa_population: LsoaPopulation
    foreign: pd.DataFrame  # lsoa_code, x, y of places just outside the area
    id_prefix: str


def financial_year_days(year: int) -> np.ndarray:
    """Every day of financial year April ``year`` to March ``year + 1``."""
    return np.arange(np.datetime64(f"{year}-04-01"), np.datetime64(f"{year + 1}-04-01"))


def _choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row from a rows x categories probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(probabilities.shape[0])[:, None] * cumulative[:, -1:]
    return (u >= cumulative).sum(axis=1)


def draw_victims(
    area: AreaDraw, rng: np.random.Generator, planted: Planted = PLANTED
) -> pd.DataFrame:
    """Draw one area's victim extract (see the module docstring for what it holds)."""
    outside_odds = planted.outside_area / (1 - planted.outside_area)
    cls_idx, fy, outside = [], [], []
    for c in range(len(CLASSES)):
        for k, year in enumerate(area.years):
            n_in = rng.poisson(area.expected[c, k])
            n_out = rng.poisson(area.expected[c, k] * outside_odds)
            cls_idx.append(np.full(n_in + n_out, c))
            fy.append(np.full(n_in + n_out, year))
            outside.append(np.r_[np.zeros(n_in, bool), np.ones(n_out, bool)])
    cls_idx, fy, outside = np.concatenate(cls_idx), np.concatenate(fy), np.concatenate(outside)
    n = cls_idx.size

    age = np.full(n, -1, dtype=np.int64)
    group = np.empty(n, dtype=object)
    weapon = np.empty(n, dtype=object)
    injury = np.empty(n, dtype=object)
    domestic = np.empty(n, dtype=object)
    sex = np.empty(n, dtype=object)
    ethnicity = np.empty(n, dtype=object)
    for c, cls in enumerate(CLASSES):
        rows = np.flatnonzero(cls_idx == c)
        if rows.size == 0:
            continue
        if cls.ages is not None:
            ages = np.arange(cls.ages[0], cls.ages[1] + 1)
            age[rows] = rng.choice(
                ages, size=rows.size, p=normalise(_age_weights(cls.age_shape, ages))
            )
        pick = rng.choice(
            len(cls.mix), size=rows.size, p=normalise(np.array([m[4] for m in cls.mix]))
        )
        group[rows] = np.array([m[0] for m in cls.mix], dtype=object)[pick]
        weapon[rows] = np.array([m[1] for m in cls.mix], dtype=object)[pick]
        injury[rows] = np.array([m[2] for m in cls.mix], dtype=object)[pick]
        domestic[rows] = np.array([m[3] for m in cls.mix], dtype=object)[pick]
        sex[rows], ethnicity[rows] = _sex_and_ethnicity(cls, age[rows], area, rng, planted)

    school_age_violence = (
        (age >= SCHOOL_AGE[0]) & (age <= SCHOOL_AGE[1]) & (group != "Possession of weapons")
    )
    day, on_school_day = _dates(fy, school_age_violence, rng, planted)
    minutes = _times(school_age_violence & on_school_day, rng, planted)
    lsoa, east, north = _locations(area, cls_idx, fy, outside, rng, planted)

    person = _link_repeat_victims(sex, ethnicity, age, day, rng, planted)
    ethnicity = np.where(rng.random(n) < planted.ethnicity_not_stated, "Not stated", ethnicity)
    has_time = rng.random(n) >= planted.missing_time
    window = has_time & ~school_age_violence & (rng.random(n) < planted.time_window)
    duration = rng.integers(4, 25, size=n) * 15  # one to six hours, in quarter hours
    tiebreak = rng.random(n)

    start = day.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    end = start + duration.astype("timedelta64[m]")
    order = np.lexsort((tiebreak, np.where(has_time, minutes, 10_000), day))
    frame = pd.DataFrame(
        {
            "offence_start_date": np.datetime_as_string(day, unit="D"),
            "offence_start_time": np.where(has_time, _hhmm(start), None),
            "offence_end_date": np.where(window, np.datetime_as_string(end, unit="D"), None),
            "offence_end_time": np.where(window, _hhmm(end), None),
            "offence_group": group.astype(str),
            "weapon": weapon.astype(str),
            "injury": injury.astype(str),
            "domestic_abuse": domestic.astype(str),
            "victim_age": pd.array(np.where(age >= 0, age, 0), dtype="Int64"),
            "victim_sex": sex.astype(str),
            "victim_ethnicity": ethnicity.astype(str),
            "lsoa_code": lsoa,
            "easting": east,
            "northing": north,
        }
    )
    frame.loc[age < 0, "victim_age"] = pd.NA
    frame = frame.iloc[order].reset_index(drop=True)
    person = person[order]
    frame.insert(0, "offence_id", [f"{area.id_prefix}-{i:06d}" for i in range(1, n + 1)])
    first_seen: dict[int, int] = {}
    for p in person:
        first_seen.setdefault(int(p), len(first_seen) + 1)
    code = area.spec.code[-3:]
    frame.insert(1, "victim_id", [f"P{code}-{first_seen[int(p)]:06d}" for p in person])
    for column in ("offence_start_time", "offence_end_date", "offence_end_time", "lsoa_code"):
        frame[column] = frame[column].astype("str")
    return frame[VICTIM_COLUMNS]


def _hhmm(moments: np.ndarray) -> np.ndarray:
    """'HH:MM' of datetime64[m] values."""
    minute_of_day = (moments - moments.astype("datetime64[D]")).astype(np.int64)
    return np.char.add(
        np.char.add(np.char.zfill((minute_of_day // 60).astype(str), 2), ":"),
        np.char.zfill((minute_of_day % 60).astype(str), 2),
    ).astype(object)


def _sex_and_ethnicity(
    cls: VictimClass, ages: np.ndarray, area: AreaDraw, rng: np.random.Generator, planted: Planted
) -> tuple[np.ndarray, np.ndarray]:
    """Victims' sex and (true) ethnicity for one class."""
    n = ages.size
    if cls.name == "key_metric_under_18":
        table = planted.under_18_victim_sex_ethnicity
        pick = rng.choice(len(table), size=n, p=normalise(np.array([t[2] for t in table])))
        return (
            np.array([t[0] for t in table], dtype=object)[pick],
            np.array([t[1] for t in table], dtype=object)[pick],
        )
    u = rng.random(n)
    sex = np.where(
        u < cls.sex_not_stated,
        "Not stated",
        np.where(
            u < cls.sex_not_stated + (1 - cls.sex_not_stated) * cls.male_share, "Male", "Female"
        ),
    ).astype(object)
    risk = np.array([1.0, cls.black_risk, 1.2 if cls.black_risk > 1 else 1.0, 1.0, 1.0])
    mix = ethnic_composition(area.spec.child_ethnicity, np.where(ages >= 0, ages, 30)) * risk
    ethnicity = np.array(ETHNIC_GROUPS, dtype=object)[_choose(rng, mix)]
    return sex, ethnicity


def _dates(
    fy: np.ndarray, school_age_violence: np.ndarray, rng: np.random.Generator, planted: Planted
) -> tuple[np.ndarray, np.ndarray]:
    """Offence dates: school-age violence on school days with the planted probability."""
    day = np.empty(fy.size, dtype="datetime64[D]")
    for year in np.unique(fy):
        days = financial_year_days(int(year))
        school = school_day_mask(days)
        school_days, other_days = days[school], days[~school]
        rows = np.flatnonzero((fy == year) & school_age_violence)
        on_school = rng.random(rows.size) < planted.school_day_share
        day[rows[on_school]] = school_days[rng.integers(0, school_days.size, on_school.sum())]
        day[rows[~on_school]] = other_days[rng.integers(0, other_days.size, (~on_school).sum())]
        rows = np.flatnonzero((fy == year) & ~school_age_violence)
        weights = normalise(WEEKDAY_PROFILE[weekday_index(days)])
        day[rows] = days[rng.choice(days.size, size=rows.size, p=weights)]
    return day, school_day_mask(day)


def after_school_hours_share(planted: Planted = PLANTED) -> np.ndarray:
    """Hour probabilities for school-age victims on school days (planted window share)."""
    in_window = np.zeros(24, dtype=bool)
    in_window[AFTER_SCHOOL_WINDOW[0] : AFTER_SCHOOL_WINDOW[1]] = True
    inside = normalise(np.where(in_window, HOUR_PROFILE, 0.0))
    outside = normalise(np.where(in_window, 0.0, HOUR_PROFILE))
    share = planted.after_school_share_on_school_days
    return share * inside + (1 - share) * outside


def _times(after_school_rule: np.ndarray, rng: np.random.Generator, planted: Planted) -> np.ndarray:
    """Minute of the day each offence started (evening-heavy; the after-school rule applies)."""
    hour = rng.choice(24, size=after_school_rule.size, p=HOUR_PROFILE)
    rows = np.flatnonzero(after_school_rule)
    hour[rows] = rng.choice(24, size=rows.size, p=after_school_hours_share(planted))
    return hour * 60 + rng.integers(0, 60, size=hour.size)


def _locations(
    area: AreaDraw,
    cls_idx: np.ndarray,
    fy: np.ndarray,
    outside: np.ndarray,
    rng: np.random.Generator,
    planted: Planted,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LSOA code and point of each offence: in the area, outside it, or unknown."""
    n = cls_idx.size
    code = np.full(n, None, dtype=object)
    cx, cy = np.full(n, np.nan), np.full(n, np.nan)
    unknown = ~outside & (rng.random(n) < planted.unknown_location)
    lsoa_x, lsoa_y = area.lsoas["x"].to_numpy(), area.lsoas["y"].to_numpy()
    lsoa_codes = area.lsoas["lsoa_code"].to_numpy(dtype=object)
    for c, cls in enumerate(CLASSES):
        for year in area.years:
            rows = np.flatnonzero((cls_idx == c) & (fy == year) & ~outside & ~unknown)
            if rows.size:
                p = location_probabilities(
                    area.lsoas, area.lsoa_population, year, cls.location_ages
                )
                pick = rng.choice(p.size, size=rows.size, p=p)
                code[rows], cx[rows], cy[rows] = lsoa_codes[pick], lsoa_x[pick], lsoa_y[pick]
    rows = np.flatnonzero(outside)
    pick = rng.integers(0, len(area.foreign), size=rows.size)
    code[rows] = area.foreign["lsoa_code"].to_numpy(dtype=object)[pick]
    cx[rows], cy[rows] = area.foreign["x"].to_numpy()[pick], area.foreign["y"].to_numpy()[pick]
    east, north = np.full(n, np.nan), np.full(n, np.nan)
    located = ~np.isnan(cx)
    east[located], north[located] = sample_points(cx[located], cy[located], rng)
    return code, east, north


def _link_repeat_victims(
    sex: np.ndarray,
    ethnicity: np.ndarray,
    age: np.ndarray,
    day: np.ndarray,
    rng: np.random.Generator,
    planted: Planted,
) -> np.ndarray:
    """Person number of each row: some pairs of rows become the same person.

    Rows can only be one person when sex and ethnicity agree and their ages fit their dates
    (same calendar year of the offence minus age, i.e. a birthday on 1 January works), so a
    repeat victim is always consistent. Pairs are chosen at random among such rows, which leaves
    every planted row-level pattern unchanged.
    """
    n = sex.size
    person = np.arange(n)
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    known = np.flatnonzero(age >= 0)
    cohort = np.char.add(
        np.char.add(sex[known].astype(str), "|" + ethnicity[known].astype(str)),
        "|" + (year[known] - age[known]).astype(str),
    )
    shuffled = rng.permutation(known.size)
    order = shuffled[np.argsort(cohort[shuffled], kind="stable")]
    rows, keys = known[order], cohort[order]
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    sizes = np.diff(np.r_[starts, keys.size])
    position = np.arange(keys.size) - np.repeat(starts, sizes)
    last = np.repeat(starts + sizes, sizes)
    first_of_pair = np.flatnonzero((position % 2 == 0) & (np.arange(keys.size) + 1 < last))
    wanted = planted.repeat_victim_id_share / (1 + planted.repeat_victim_id_share) * n
    chance = min(1.0, wanted / max(1, first_of_pair.size))
    linked = first_of_pair[rng.random(first_of_pair.size) < chance]
    person[rows[linked + 1]] = rows[linked]
    return person
