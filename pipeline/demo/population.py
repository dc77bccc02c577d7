"""Synthetic populations: mid-year estimates by age and sex, LSOA estimates, Census ethnicity.

Every area gets single-year-of-age counts (0 to 90, 90 = 90 and over) for each sex and year
from a London-like age profile. Files carry single years 0-24 (so any age range the measures
use, e.g. 1-17 or 1-24, is exact) and five-year bands above. LSOA estimates split the area's
totals exactly (largest remainder), so LSOAs always add up to the area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo.common import apportion, normalise
from pipeline.demo.presets import ETHNIC_GROUPS, AreaSpec

AGES = np.arange(91)
SEXES = ("Male", "Female")
#: Age rows of the LA and ethnicity files: single years 0-24, five-year bands, then 90+.
LA_BANDS: tuple[tuple[int, int], ...] = (
    tuple((a, a) for a in range(25)) + tuple((a, a + 4) for a in range(25, 90, 5)) + ((90, 90),)
)
#: Age rows of the LSOA file: enough for 0-24, 1-24, 1-17, 18-24 and all ages, kept small.
LSOA_BANDS: tuple[tuple[int, int], ...] = ((0, 0), (1, 17), (18, 24), (25, 90))
#: Adult ethnic composition that each area's children are blended with for older ages.
ADULT_REFERENCE = np.array([0.12, 0.10, 0.03, 0.70, 0.05])


def age_profile() -> np.ndarray:
    """Relative size of each single year of age 0..90 (90 = 90+) in a London borough."""
    weights = np.empty(91)
    weights[0:5] = 1.30
    weights[5:18] = 1.25
    weights[18:20] = 1.05
    weights[20:25] = 1.15
    for start, value in (
        (25, 1.75),
        (30, 1.85),
        (35, 1.85),
        (40, 1.60),
        (45, 1.40),
        (50, 1.30),
        (55, 1.15),
        (60, 0.95),
        (65, 0.75),
        (70, 0.60),
        (75, 0.45),
        (80, 0.30),
        (85, 0.18),
    ):
        weights[start : start + 5] = value
    weights[90] = 0.35
    return normalise(weights)


def male_share(ages: np.ndarray) -> np.ndarray:
    """Share of each age who are male (more boys than girls; more older women)."""
    return np.where(ages < 18, 0.512, np.where(ages < 65, 0.493, 0.445))


def single_year_population(
    spec: AreaSpec, years: list[int], rng: np.random.Generator
) -> np.ndarray:
    """Residents by year x sex (Male, Female) x single year of age 0..90, as integers."""
    base = spec.population_2020 * age_profile()
    shares = male_share(AGES)
    by_sex = np.stack([base * shares, base * (1 - shares)])
    by_sex = by_sex * np.exp(0.02 * rng.standard_normal(by_sex.shape))  # area-specific texture
    out = np.empty((len(years), 2, AGES.size), dtype=np.int64)
    for k, year in enumerate(years):
        trend = (1 + spec.population_growth) ** (year - years[0])
        wobble = np.exp(0.003 * rng.standard_normal(by_sex.shape))
        out[k] = np.round(by_sex * trend * wobble).astype(np.int64)
    return out


def band_total(single: np.ndarray, age_from: int, age_to: int) -> np.ndarray:
    """Sum a (..., 91) single-year array over an inclusive age range."""
    return single[..., age_from : age_to + 1].sum(axis=-1)


def la_frame(area_code: str, years: list[int], single: np.ndarray) -> pd.DataFrame:
    """Population rows (contract 3) for one LA or region: by year, sex and LA_BANDS."""
    rows = []
    for k, year in enumerate(years):
        for s, sex in enumerate(SEXES):
            for age_from, age_to in LA_BANDS:
                rows.append(
                    (
                        area_code,
                        year,
                        sex,
                        age_from,
                        age_to,
                        "All",
                        int(band_total(single[k, s], age_from, age_to)),
                    )
                )
    return pd.DataFrame(
        rows, columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]
    )


@dataclass
class LsoaPopulation:
    """Residents by year x LSOA x LSOA_BANDS (both sexes), adding up to the area exactly."""

    codes: list[str]
    years: list[int]
    counts: np.ndarray  # (years, lsoas, bands)

    def base(self, year: int, age_from: int, age_to: int) -> np.ndarray:
        """Residents of each LSOA in an age range made of whole LSOA_BANDS."""
        picks = [b for b, (lo, hi) in enumerate(LSOA_BANDS) if lo >= age_from and hi <= age_to]
        covered = sum(LSOA_BANDS[b][1] - LSOA_BANDS[b][0] + 1 for b in picks)
        if covered != age_to - age_from + 1:
            raise ValueError(f"ages {age_from}-{age_to} are not whole LSOA bands")
        return self.counts[self.years.index(year)][:, picks].sum(axis=1)

    def frame(self) -> pd.DataFrame:
        """Population rows (contract 3) for every LSOA, year and band, sex All."""
        rows = []
        for k, year in enumerate(self.years):
            for i, code in enumerate(self.codes):
                for b, (age_from, age_to) in enumerate(LSOA_BANDS):
                    rows.append(
                        (code, year, "All", age_from, age_to, "All", int(self.counts[k, i, b]))
                    )
        return pd.DataFrame(
            rows,
            columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"],
        )


def lsoa_population(
    lsoas: pd.DataFrame, years: list[int], single: np.ndarray, rng: np.random.Generator
) -> LsoaPopulation:
    """Split the area's residents over its LSOAs.

    Each LSOA has a fixed size (about 1,500-2,200 people) and more deprived LSOAs hold a few
    more children, as in London.
    """
    n = len(lsoas)
    size = np.clip(1 + 0.12 * rng.standard_normal(n), 0.7, 1.3)
    tilt_by_band = {0: 0.06, 1: 0.06, 2: 0.03, 3: 0.0}
    deprivation = (5.5 - lsoas["imd_decile"].to_numpy()) / 4.5
    counts = np.empty((len(years), n, len(LSOA_BANDS)), dtype=np.int64)
    for k in range(len(years)):
        both_sexes = single[k].sum(axis=0)
        for b, (age_from, age_to) in enumerate(LSOA_BANDS):
            weights = size * (1 + tilt_by_band[b] * deprivation)
            counts[k, :, b] = apportion(int(band_total(both_sexes, age_from, age_to)), weights)
    return LsoaPopulation(codes=lsoas["lsoa_code"].tolist(), years=years, counts=counts)


def ethnic_composition(child: tuple[float, ...], ages: np.ndarray) -> np.ndarray:
    """Composition (ages x ETHNIC_GROUPS) by age: children as given, adults nearer the
    reference mix, older people nearer still (younger Londoners are more diverse)."""
    child_mix = normalise(np.array(child))
    adult = normalise(0.7 * child_mix + 0.3 * ADULT_REFERENCE)
    older = normalise(0.35 * child_mix + 0.65 * ADULT_REFERENCE)
    young_adult = normalise(0.5 * child_mix + 0.5 * adult)
    out = np.empty((ages.size, len(ETHNIC_GROUPS)))
    out[ages < 18] = child_mix
    out[(ages >= 18) & (ages < 25)] = young_adult
    out[(ages >= 25) & (ages < 65)] = adult
    out[ages >= 65] = older
    return out


def ethnic_counts(child: tuple[float, ...], single_2021: np.ndarray) -> np.ndarray:
    """Census 2021 residents by sex x LA_BANDS x ETHNIC_GROUPS, adding up to the MYE row."""
    out = np.empty((2, len(LA_BANDS), len(ETHNIC_GROUPS)), dtype=np.int64)
    for s in range(2):
        for b, (age_from, age_to) in enumerate(LA_BANDS):
            total = int(band_total(single_2021[s], age_from, age_to))
            mix = ethnic_composition(child, np.array([age_from]))[0]
            out[s, b] = apportion(total, mix)
    return out


def ethnic_frame(area_code: str, counts: np.ndarray, year: int = 2021) -> pd.DataFrame:
    """Population rows (contract 3) by sex, LA_BANDS and ethnic group for one area."""
    rows = []
    for s, sex in enumerate(SEXES):
        for b, (age_from, age_to) in enumerate(LA_BANDS):
            for e, group in enumerate(ETHNIC_GROUPS):
                rows.append((area_code, year, sex, age_from, age_to, group, int(counts[s, b, e])))
    return pd.DataFrame(
        rows, columns=["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]
    )
