"""The offence classes the synthetic victim extract is drawn from: what each class holds, how
many rows it has a year, and when and where its offences happen (the hour and weekday profiles,
and each LSOA's share, with the planted hotspots and deprivation gradient)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo.common import normalise
from pipeline.demo.population import LsoaPopulation, band_total
from pipeline.demo.presets import PLANTED, AreaSpec, Planted

KNIFE = "Knife or sharp instrument"

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
    age_shape: str  # how ages are weighted inside the range (see age_weights)
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


def age_weights(shape: str, ages: np.ndarray) -> np.ndarray:
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


def financial_year_days(year: int) -> np.ndarray:
    """Every day of financial year April ``year`` to March ``year + 1``."""
    return np.arange(np.datetime64(f"{year}-04-01"), np.datetime64(f"{year + 1}-04-01"))
