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

The classes, their expected counts and their hour, weekday and place profiles are in
:mod:`pipeline.demo.victim_classes`; this module draws the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo.common import normalise
from pipeline.demo.geography import sample_points
from pipeline.demo.population import LsoaPopulation, ethnic_composition
from pipeline.demo.presets import (
    AFTER_SCHOOL_WINDOW,
    ETHNIC_GROUPS,
    PLANTED,
    SCHOOL_AGE,
    AreaSpec,
    Planted,
)
from pipeline.demo.school_calendar import school_day_mask, weekday_index
from pipeline.demo.victim_classes import (
    CLASSES,
    HOUR_PROFILE,
    WEEKDAY_PROFILE,
    VictimClass,
    age_weights,
    financial_year_days,
    location_probabilities,
)

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
                ages, size=rows.size, p=normalise(age_weights(cls.age_shape, ages))
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
