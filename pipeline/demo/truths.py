"""``truths.json``: the planted truths, with the expected value of each estimand.

Expected values come from the generator's expected counts (never from the sampled data), so a
coverage study can ask how often the pipeline's interval contains them. Where an estimand is a
model fit (a Poisson log-linear trend), the expected value is the fit to the expected counts,
i.e. the value the estimator converges to. The "mess" counts are the exception: they are exact
counts from the sampled rows, so validation can reconcile rows read, used and excluded.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.demo.common import rounded
from pipeline.demo.comparators import derived_series
from pipeline.demo.geography import AreaGeography
from pipeline.demo.population import LA_BANDS, LsoaPopulation
from pipeline.demo.presets import (
    AFTER_SCHOOL_WINDOW,
    DEFINITIONS,
    EDITION,
    ETHNIC_GROUPS,
    PLANTED,
    SCHOOL_AGE,
    AreaSpec,
)
from pipeline.demo.school_calendar import school_day_mask
from pipeline.demo.victim_classes import (
    CLASSES,
    HOUR_PROFILE,
    financial_year_days,
    location_probabilities,
)


@dataclass
class KeyMetricSeries:
    """An area's expected key-metric victims per year and the matching populations."""

    spec: AreaSpec
    under_18: np.ndarray
    young_adult: np.ndarray
    population_1_24: np.ndarray
    population_1_17: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Expected victims aged 1-24."""
        return self.under_18 + self.young_adult


def _glm_poisson(counts: np.ndarray, design: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Coefficients of a Poisson GLM with a log-population offset (statsmodels).

    Fitted to *expected* counts, which an exact log-linear model reproduces perfectly; the
    perfect-fit warning that statsmodels gives then is expected and silenced.
    """
    import statsmodels.api as sm  # imported here: only truths need it
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(counts, design, family=sm.families.Poisson(), offset=np.log(population)).fit()
    return np.asarray(fit.params)


def _poisson_trend(counts: np.ndarray, population: np.ndarray) -> float:
    """Annual rate multiplier e^beta of a Poisson log-linear fit with a population offset."""
    t = np.arange(counts.size, dtype=float)
    design = np.column_stack([np.ones(t.size), t])
    return float(np.exp(_glm_poisson(counts, design, population)[1]))


def _interaction(
    area: np.ndarray, area_pop: np.ndarray, pooled: np.ndarray, pooled_pop: np.ndarray
) -> float:
    """e^gamma of log mu = ln P + alpha_a + beta t + gamma t L (area against pooled neighbours)."""
    t = np.arange(area.size, dtype=float)
    local = np.r_[np.ones(area.size), np.zeros(area.size)]
    design = np.column_stack([np.ones(2 * area.size), local, np.r_[t, t], np.r_[t, t] * local])
    params = _glm_poisson(np.r_[area, pooled], design, np.r_[area_pop, pooled_pop])
    return float(np.exp(params[3]))


def _growth_truth(
    area: KeyMetricSeries,
    neighbours: list[KeyMetricSeries],
    years: list[int],
    under_18: bool,
) -> dict[str, Any]:
    """Expected growth of the area's key-metric rate against its pooled neighbours."""
    pick = (lambda s: s.under_18) if under_18 else (lambda s: s.total)
    pop = (lambda s: s.population_1_17) if under_18 else (lambda s: s.population_1_24)
    area_mult = PLANTED.area_under_18_multiplier if under_18 else PLANTED.area_key_metric_multiplier
    nb_mult = (
        PLANTED.neighbours_under_18_multiplier
        if under_18
        else PLANTED.neighbours_key_metric_multiplier
    )
    pooled = np.sum([pick(s) for s in neighbours], axis=0)
    pooled_pop = np.sum([pop(s) for s in neighbours], axis=0)
    labels = [f"{y}-{(y + 1) % 100:02d}" for y in years]
    last_rates = {s.spec.code: pick(s)[-1] / pop(s)[-1] for s in [area, *neighbours]}
    ranked = sorted(last_rates, key=lambda code: (-last_rates[code], code))
    return {
        "measure": DEFINITIONS["under_18_metric" if under_18 else "key_metric"]["id"],
        "ages": [1, 17] if under_18 else [1, 24],
        "area_annual_multiplier": area_mult,
        "neighbours_annual_multiplier": nb_mult,
        "ratio_of_growth": rounded(area_mult / nb_mult),
        "area_annual_multiplier_expected": rounded(_poisson_trend(pick(area), pop(area))),
        "neighbours_pooled_annual_multiplier_expected": rounded(_poisson_trend(pooled, pooled_pop)),
        "ratio_of_growth_pooled_expected": rounded(
            _interaction(pick(area), pop(area), pooled, pooled_pop)
        ),
        "area_expected_count": {
            lab: rounded(v, 3) for lab, v in zip(labels, pick(area), strict=True)
        },
        "area_rate_per_100k_expected": {
            lab: rounded(1e5 * v / p, 4)
            for lab, v, p in zip(labels, pick(area), pop(area), strict=True)
        },
        "neighbours_pooled_rate_per_100k_expected": {
            lab: rounded(1e5 * v / p, 4)
            for lab, v, p in zip(labels, pooled, pooled_pop, strict=True)
        },
        "area_rank_in_edition_year_expected": ranked.index(area.spec.code) + 1,
        "areas_ranked": len(ranked),
        "description": (
            "Rates are victims per resident of the same age, by financial year. The area's rate "
            "and every neighbour's rate are exact exponentials (multipliers above), so a Poisson "
            "model with a population offset and one intercept per area recovers them and the "
            "ratio_of_growth exactly. With the neighbours pooled into one series (sum of counts "
            "over sum of populations) the expected values are the *_pooled_* fits. Rank 1 = "
            "highest expected rate in the edition year among the area and its neighbours."
        ),
    }


def _black_boys_truth(ethnic: np.ndarray) -> dict[str, Any]:
    """Planted share of black boys among under-18 victims against their population share."""
    black = ETHNIC_GROUPS.index("Black")
    ages_0_17 = np.array([hi <= 17 for _, hi in LA_BANDS])
    ages_1_17 = np.array([lo >= 1 and hi <= 17 for lo, hi in LA_BANDS])
    pi_0_17 = ethnic[0, ages_0_17, black].sum() / ethnic[:, ages_0_17, :].sum()
    pi_1_17 = ethnic[0, ages_1_17, black].sum() / ethnic[:, ages_1_17, :].sum()
    children = ethnic[:, ages_0_17, black].sum() / ethnic[:, ages_0_17, :].sum()
    share = dict(((s, e), p) for s, e, p in PLANTED.under_18_victim_sex_ethnicity)[
        ("Male", "Black")
    ]
    return {
        "measure": DEFINITIONS["under_18_metric"]["id"],
        "victim_share_known_ethnicity_expected": share,
        "population_share_0_17": rounded(pi_0_17),
        "population_share_1_17": rounded(pi_1_17),
        "black_children_population_share_0_17": rounded(children),
        "share_ratio_expected": rounded(share / pi_1_17),
        "rate_ratio_vs_everyone_else_expected": rounded(
            (share / (1 - share)) / (pi_1_17 / (1 - pi_1_17))
        ),
        "ethnicity_not_stated_share_expected": PLANTED.ethnicity_not_stated,
        "population": "Census 2021 (population_ethnicity.csv, year 2021), males aged 1-17 of "
        "Black ethnicity over all residents aged 1-17 (0-17 also given)",
        "period": "edition financial year (the planted share is the same in every year)",
        "description": (
            "Share of distinct under-18 key-metric victims (ages 1-17, rows located outside the "
            "area excluded) with a stated ethnicity who are Male and Black. Ethnicity 'Not "
            "stated' is assigned at random, so it does not bias the share. share_ratio = share / "
            "population share (1-17); rate ratio against everyone else = odds(share) / "
            "odds(population share)."
        ),
    }


def _after_school_truth(years: list[int]) -> dict[str, Any]:
    """Planted school-day and after-school shares and the per-day rate ratios they imply."""
    start, end = AFTER_SCHOOL_WINDOW
    school_share = PLANTED.school_day_share
    window_share = PLANTED.after_school_share_on_school_days
    non_school_window = float(HOUR_PROFILE[start:end].sum())

    def days(year_list: list[int]) -> tuple[int, int]:
        all_days = np.concatenate([financial_year_days(y) for y in year_list])
        school = int(school_day_mask(all_days).sum())
        return school, all_days.size - school

    edition_year = years[-1]
    ed_school, ed_other = days([edition_year])
    win_school, win_other = days(years)
    return {
        "measure": DEFINITIONS["serious_violence_u25"]["id"],
        "school_age": list(SCHOOL_AGE),
        "window": [start, end],
        "school_day_share_expected": school_share,
        "share_on_school_days_expected": window_share,
        "flat_day_share": rounded((end - start) / 24),
        "share_on_non_school_days_expected": rounded(non_school_window),
        "edition_year": {
            "school_days": ed_school,
            "non_school_days": ed_other,
            "per_day_rate_ratio_school_vs_non_school_expected": rounded(
                (school_share / ed_school) / ((1 - school_share) / ed_other)
            ),
            "after_school_window_per_day_rate_ratio_expected": rounded(
                (school_share * window_share / ed_school)
                / ((1 - school_share) * non_school_window / ed_other)
            ),
        },
        "whole_window": {
            "school_days": win_school,
            "non_school_days": win_other,
            "per_day_rate_ratio_school_vs_non_school_expected": rounded(
                (school_share / win_school) / ((1 - school_share) / win_other)
            ),
        },
        "description": (
            "Rows (victim per offence) of serious violence against victims aged 5-16. A share "
            "school_day_share_expected falls on school days (weekdays in term, not INSET or bank "
            "holidays, per school_calendar.csv), spread evenly over them; the rest spread evenly "
            "over non-school days (weekends included), so non-school weekdays and weekends have "
            "the same per-day rate. On school days share_on_school_days_expected of start times "
            "fall in the window (end hour exclusive); elsewhere the evening-heavy hour profile "
            "applies. Hour shares use offence_start_time; missing times are missing at random. "
            "These rows never carry a time window, so aoristic and start-time shares agree."
        ),
    }


def _place_truth(
    geography: AreaGeography,
    population: LsoaPopulation,
    expected: np.ndarray,
    year: int,
    year_index: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Expected serious violence (0-24) by LSOA in the edition year: hotspots and deprivation."""
    lsoas = geography.lsoas
    u25 = [
        c
        for c, cls in enumerate(CLASSES)
        if cls.ages is not None and cls.ages[1] <= 24 and cls.location_ages == (0, 24)
    ]
    located = expected[u25, year_index].sum() * (1 - PLANTED.unknown_location)
    counts = located * location_probabilities(lsoas, population, year, (0, 24))
    residents = population.base(year, 0, 24).astype(float)
    hot = lsoas["hotspot"].to_numpy()
    hot_rate = counts[hot].sum() / residents[hot].sum()
    rest_rate = counts[~hot].sum() / residents[~hot].sum()
    hotspots = {
        "lsoas": geography.hotspot_codes,
        "rate_multiplier": PLANTED.hotspot_rate_multiplier,
        "expected_rate_per_100k_hotspot": rounded(1e5 * hot_rate, 4),
        "expected_rate_per_100k_rest": rounded(1e5 * rest_rate, 4),
        "expected_rate_ratio_hotspot_vs_rest": rounded(hot_rate / rest_rate),
        "expected_count_by_lsoa": {
            code: rounded(v, 4) for code, v in zip(lsoas["lsoa_code"], counts, strict=True)
        },
        "description": (
            "Adjacent LSOAs whose rate of every offence located in them is rate_multiplier times "
            "that of the other LSOAs of the same deprivation decile (each decile's overall rate "
            "is kept on the deprivation gradient). Expected values: serious violence against "
            "0-24s (sv_0_24) in the edition year, located rows, per resident aged 0-24; the key "
            "metric has the same spatial pattern."
        ),
    }
    by_decile = (
        pd.DataFrame(
            {"decile": lsoas["imd_decile"].to_numpy(), "count": counts, "residents": residents}
        )
        .groupby("decile")
        .sum()
    )
    decile = by_decile.index.to_numpy(float)
    slope = _glm_poisson(
        by_decile["count"].to_numpy(),
        np.column_stack([np.ones(decile.size), decile]),
        by_decile["residents"].to_numpy(),
    )[1]
    deprivation = {
        "iod_edition": "IoD2025",
        "rate_ratio_per_decile_towards_most_deprived": PLANTED.rate_ratio_per_decile,
        "rate_ratio_per_decile_fit_expected": rounded(float(np.exp(-slope))),
        "expected_rate_by_decile": {
            str(d): rounded(1e5 * r["count"] / r["residents"], 4) for d, r in by_decile.iterrows()
        },
        "lsoas_by_decile": {
            str(d): int(k) for d, k in lsoas["imd_decile"].value_counts().sort_index().items()
        },
        "expected_share_in_most_deprived_20_percent": rounded(
            by_decile.loc[by_decile.index <= 2, "count"].sum() / by_decile["count"].sum()
        ),
        "description": (
            "Serious violence against 0-24s (sv_0_24), edition year, located rows, per 100,000 "
            "residents aged 0-24 of the LSOAs in each national IMD decile (1 = most deprived). "
            "Each step towards the most deprived decile multiplies the decile's rate by "
            "rate_ratio_per_decile_towards_most_deprived (hotspots are balanced within their "
            "decile), so the Poisson fit of rate on decile (expected counts, population offset) "
            "gives rate_ratio_per_decile_fit_expected."
        ),
    }
    return hotspots, deprivation


def mess_counts(frame: pd.DataFrame, area_lsoas: set[str], months: list[str]) -> dict[str, int]:
    """Exact counts of the extract's imperfections, from the sampled rows."""
    located_elsewhere = frame["lsoa_code"].notna() & ~frame["lsoa_code"].isin(area_lsoas)
    per_victim = frame["victim_id"].value_counts()
    series = derived_series(
        frame, area_lsoas, {k: DEFINITIONS[k] for k in ("key_metric", "under_18_metric")}, months
    )
    return {
        "rows": int(len(frame)),
        "ethnicity_not_stated_rows": int((frame["victim_ethnicity"] == "Not stated").sum()),
        "sex_not_stated_rows": int((frame["victim_sex"] == "Not stated").sum()),
        "unknown_age_rows": int(frame["victim_age"].isna().sum()),
        "missing_time_rows": int(frame["offence_start_time"].isna().sum()),
        "time_window_rows": int(frame["offence_end_date"].notna().sum()),
        "outside_area_rows": int(located_elsewhere.sum()),
        "unknown_location_rows": int(frame["lsoa_code"].isna().sum()),
        "distinct_victim_ids": int(per_victim.size),
        "repeat_victim_ids": int((per_victim >= 2).sum()),
        "rows_of_repeat_victims": int(per_victim[per_victim >= 2].sum()),
        "key_metric_rows_in_area": int(series[DEFINITIONS["key_metric"]["id"]].sum()),
        "under_18_key_metric_rows_in_area": int(series[DEFINITIONS["under_18_metric"]["id"]].sum()),
    }


MESS_DESCRIPTION = (
    "Exact counts from the sampled victims.csv. outside_area_rows have the LSOA code of another "
    "area (kept in the file, excluded from area measures); unknown_location_rows have an empty "
    "lsoa_code and no coordinates (counted in the area's totals, not in LSOA measures). "
    "key_metric_rows_in_area = rows meeting definitions.key_metric not located outside the area "
    "(equals the area's kcwi_1_24 comparator series summed over the window)."
)


def mess_parameters() -> dict[str, float]:
    """The per-row probabilities behind the mess."""
    return {
        "ethnicity_not_stated": PLANTED.ethnicity_not_stated,
        "missing_time": PLANTED.missing_time,
        "outside_area": PLANTED.outside_area,
        "unknown_location": PLANTED.unknown_location,
        "repeat_victim_id_share": PLANTED.repeat_victim_id_share,
        "time_window": PLANTED.time_window,
    }


def focus_truths(
    *,
    seed: int,
    preset: str,
    years: list[int],
    area: KeyMetricSeries,
    neighbours: list[KeyMetricSeries],
    ethnic: np.ndarray,
    geography: AreaGeography,
    population: LsoaPopulation,
    expected: np.ndarray,
    mess: Mapping[str, int],
) -> dict[str, Any]:
    """truths.json for the focus area (Waltham Forest)."""
    hotspots, deprivation = _place_truth(geography, population, expected, years[-1], len(years) - 1)
    return {
        "seed": seed,
        "preset": preset,
        "area_code": area.spec.code,
        "area_name": area.spec.name,
        "edition": EDITION,
        "window": {"first_financial_year": years[0], "last_financial_year": years[-1]},
        "synthetic": True,
        "count_model": (
            "Every (offence class, financial year) count of victim rows is Poisson (no "
            "overdispersion); neighbours' and London's monthly comparator counts are Poisson "
            "around expected counts spread over months by days."
        ),
        "comparator_rule": (
            "The area's comparator series = victim rows meeting the definition whose lsoa_code "
            "is an LSOA of the area or empty, by month of offence_start_date."
        ),
        "key_metric_growth": _growth_truth(area, neighbours, years, under_18=False),
        "under_18_growth": _growth_truth(area, neighbours, years, under_18=True),
        "black_boys_under_18": _black_boys_truth(ethnic),
        "after_school": _after_school_truth(years),
        "hotspot_lsoas": geography.hotspot_codes,
        "hotspots": hotspots,
        "deprivation": deprivation,
        "mess": {**mess, "parameters": mess_parameters(), "description": MESS_DESCRIPTION},
    }
