"""Trend against similar boroughs: annual change, ratio of growth, ranks and recent trend.

Everything here reads the public comparator series (the area's own series included, so that
the area and its neighbours are counted the same way), summed into financial years, with ONS
mid-year populations of the same age as the offset. The models are in
:mod:`pipeline.families.trend.panel`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.families.areas_and_periods import (
    AREA_GROUP,
    NEIGHBOURS_GROUP,
    area_name,
    financial_year_period,
    metric_definitions,
    neighbour_codes,
    population_with_fallback,
    series_count,
)
from pipeline.families.common import definition_text, tidy
from pipeline.families.trend.panel import Analysis, Comparison, TrendFit, analyse, rank_descending
from pipeline.findings import change_status, growth_status
from pipeline.formatting import financial_year_label
from pipeline.settings import Definition, Settings
from pipeline.stats import TREND_MIN_POINTS, chi2_linear_trend, fingertips_trend_marker

RATIO_GROUP = "Area against statistical neighbours"
#: The neighbours' growth: the random-effects mean of their own slopes (not a pooled series).
NEIGHBOURS_MEAN_GROUP = "Statistical neighbours (random-effects mean)"
#: Financial year 2020-21, the first year of the COVID-19 pandemic (lockdowns from March
#: 2020 to March 2021), and the ending of the measures that leave it out.
COVID_YEAR = 2020
WITHOUT_COVID = "_without_2020_21"
#: Fewest years a sensitivity fit needs (two parameters and at least one residual df).
MIN_YEARS = 3

METHOD = """\
**Data.** The public comparator series (monthly counts by area and measure) for the area and
each statistical neighbour, summed into financial years (April to March), for the key metric
and the under-18 metric. The area's own series is used rather than its extract so that the
area and its neighbours are counted the same way. Populations are ONS mid-year estimates of
the same ages at mid-year of each financial year's start (the latest earlier mid-year when
one is not yet published). A neighbour missing a month or a population is left out and named
in the `note` column, which also says how many neighbours have data.

**Annual change.** For every area (the area and each neighbour) a log-linear count model of
its yearly counts with the log population as offset, log E[count_t] = log pop_t + a + b t,
fitted by Poisson maximum likelihood (statsmodels GLM). Overdispersion is handled one way for
every series, with no pretest: quasi-Poisson, with one dispersion estimated across the whole
panel, phi = (sum of every series' Pearson chi-square) / (sum of their residual df) (five
years and eleven areas give 33 df, where one series alone has 3). Each slope's SE is its
Poisson SE x sqrt(phi), and intervals and p-values use t with the panel's residual df (phi
is used as estimated, below 1 as well as above: a floor would be a pretest again). The
annual % change is 100 (e^b - 1) with interval 100 (e^(b +/- t SE) - 1).

**Neighbours' growth and the ratio of growth.** The neighbours' slopes are combined by a
DerSimonian-Laird random-effects mean mu (weights 1 / (SE_j^2 + tau^2)), so that no single
large neighbour dominates and the spread between neighbours (tau^2) is estimated rather than
assumed away. The area is compared with the distribution of similar boroughs' slopes:
g = b_area - mu with Var(g) = SE_area^2 + tau^2 + SE(mu)^2, and e^g (above 1: the area is
growing faster) with its t interval. tau^2 is treated as known, as in the DerSimonian-Laird
method; with few neighbours it is poorly estimated (with one, it is 0).

**Rank among neighbours and placebo test.** The comparison is re-run with each neighbour in
turn treated as "local" (against the random-effects mean of all the others); the area's rank
among all K+1 standardised differences g / SE(g) gives the permutation p = rank / (K+1). With
10 neighbours the smallest p attainable is 1/11 = 0.09. The area's own fitted annual change is
ranked too (1 = fastest rising).

**Wording.** "Rising faster than similar boroughs" (or "more slowly") is said only when the
interval of e^g lies wholly above (below) 1 AND the placebo rank agrees: its p is at most the
significance level or, when the panel cannot give a p that small, the area is the most
extreme of all K+1 (the smallest attainable p).

**COVID-19 sensitivity.** 2020-21 includes the COVID-19 lockdowns, when recorded violence
fell, which can exaggerate a rise measured from that year. Every annual change, the ratio of
growth and the placebo rank are fitted again without 2020-21 (measures ending
`_without_2020_21`). When leaving that year out changes a conclusion, the resident sentence
says so.

**Zero counts.** Some zero counts leave a slope with no finite maximum-likelihood estimate
(separation: an area with no events in any year, or a series whose only events fall in its
first or last year). Those zeros are found by linear programming (Santos Silva and Tenreyro
2010) and left out, which does not change the estimates that remain defined; a slope that
then cannot be estimated is reported as "Cannot be calculated" with the reason, never as a
huge rate of change, and that area is left out of the neighbours' mean.

**Recent trend.** The Fingertips marker: chi-square test for linear trend on the last five
financial years at the configured confidence, direction from the slope of log rate on year;
for the neighbours, on their pooled counts and populations.

**Caveats.** Five yearly points give wide intervals. Changes in police recording practice and
revisions of population estimates after Census 2021 also move rates.
"""


def annual_series(
    comparators: pd.DataFrame,
    population: pd.DataFrame,
    code: str,
    definition: Definition,
    years: Sequence[int],
) -> tuple[pd.DataFrame | None, str]:
    """One area's financial-year counts and populations, or None with the reason."""
    rows = []
    for year in years:
        period = financial_year_period(year)
        count = series_count(comparators, code, definition.id, period.months)
        if count is None:
            return None, f"no comparator series for every month of {period.label}"
        pop = population_with_fallback(
            population, code, year, definition.age_from, definition.age_to
        )
        if pop is None:
            return None, f"no population for {period.label}"
        rows.append({"code": code, "year": year, "count": count, "population": pop[0]})
    return pd.DataFrame(rows), ""


def build_panel(
    comparators: pd.DataFrame,
    population: pd.DataFrame,
    area_code: str,
    neighbours: Sequence[tuple[str, str]],
    definition: Definition,
    years: Sequence[int],
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """The area and its neighbours with complete series: panel, names, missing neighbours."""
    area_series, reason = annual_series(comparators, population, area_code, definition, years)
    if area_series is None:
        raise ValueError(
            f"comparators/population_la: area {area_code} has {reason} for measure "
            f"{definition.id}; the trend measures need the area's own series"
        )
    frames, names, missing = [area_series], {area_code: area_code}, []
    for code, name in neighbours:
        series, reason = annual_series(comparators, population, code, definition, years)
        if series is None:
            missing.append(f"{name} ({code}): {reason}")
            continue
        frames.append(series)
        names[code] = name
    return pd.concat(frames, ignore_index=True), names, missing


def _fit_columns(fit: TrendFit) -> dict[str, Any]:
    """The model columns every fitted row carries."""
    return {
        "method": fit.model,
        "model": fit.model,
        "dispersion": fit.dispersion,
        "df": fit.df,
        "p_value": fit.p_value,
    }


def _change_row(
    base: Mapping[str, Any], measure_id: str, group: str, frame: pd.DataFrame, fit: TrendFit
) -> dict[str, Any]:
    """An annual % change row of one series (or of the neighbours' random-effects mean)."""
    value, lower, upper = fit.percent_change
    return {
        **base,
        "measure_id": measure_id,
        "group": group,
        "numerator": int(frame["count"].sum()),
        "denominator": int(frame["population"].sum()),
        "value": value,
        "lower": lower,
        "upper": upper,
        "unit": "% change per year",
        **_fit_columns(fit),
        "status": change_status(lower, upper),
    }


def _marker_row(
    base: Mapping[str, Any], metric_id: str, group: str, frame: pd.DataFrame, confidence: float
) -> dict[str, Any]:
    recent = frame.sort_values("year").tail(TREND_MIN_POINTS)
    marker = fingertips_trend_marker(
        recent["count"], recent["population"], recent["year"], confidence=confidence
    )
    stat, p = chi2_linear_trend(recent["count"], recent["population"], recent["year"])
    first, last = int(recent["year"].min()), int(recent["year"].max())
    return {
        **base,
        "measure_id": f"{metric_id}_trend_marker",
        "period": f"{financial_year_label(first)} to {financial_year_label(last)}",
        "group": group,
        "numerator": int(recent["count"].sum()),
        "denominator": int(recent["population"].sum()),
        "value": stat,
        "unit": "chi-square (1 df)",
        "method": "Fingertips recent trend: chi-square test for linear trend, last 5 points",
        "p_value": p,
        "status": marker,
    }


def period_label(years: Sequence[int]) -> str:
    """'2020-21 to 2024-25', or '2018-19 to 2024-25 without 2020-21' for a gap."""
    first, last = financial_year_label(min(years)), financial_year_label(max(years))
    gaps = [y for y in range(min(years), max(years)) if y not in years]
    return f"{first} to {last}" + "".join(f" without {financial_year_label(y)}" for y in gaps)


def _metric_rows(
    definition: Definition,
    *,
    comparators: pd.DataFrame,
    population_la: pd.DataFrame,
    neighbours: Sequence[tuple[str, str]],
    settings: Settings,
    area_code: str,
) -> list[dict[str, Any]]:
    """Every trend row of one metric."""
    years = list(settings.years)
    first = years[0]
    confidence = settings.statistics.confidence
    panel, names, missing = build_panel(
        comparators, population_la, area_code, neighbours, definition, years
    )
    names[area_code] = area_name(settings, area_code)
    note = "; ".join(
        [f"{len(names) - 1} of {len(neighbours)} neighbours with complete series"]
        + [f"missing: {m}" for m in missing]
    )
    base = {
        "measure_id": f"{definition.id}_trend",
        "definition": definition_text(definition, settings),
        "area_code": area_code,
        "period": period_label(years),
        "confidence": confidence,
        "note": note,
        "neighbours_with_data": len(names) - 1,
        "neighbours_listed": len(neighbours),
    }
    mid = definition.id
    rows = _analysis_rows(base, mid, "", panel, names, area_code, first, confidence)
    without = [y for y in years if y != COVID_YEAR]
    if len(without) < len(years) and len(without) >= MIN_YEARS:
        # The COVID-19 sensitivity: the same models without 2020-21 (slopes are per year
        # since the window's first year either way, so they are comparable).
        rows += _analysis_rows(
            {**base, "period": period_label(without)}, mid, WITHOUT_COVID,
            panel.loc[panel["year"] != COVID_YEAR], names, area_code, first, confidence,
        )  # fmt: skip
    area = panel.loc[panel["code"] == area_code]
    rows.append(_marker_row(base, mid, AREA_GROUP, area, confidence))
    others = panel.loc[panel["code"] != area_code]
    if len(others):
        pooled = others.groupby("year", as_index=False)[["count", "population"]].sum()
        rows.append(_marker_row(base, mid, NEIGHBOURS_GROUP, pooled, confidence))
    return rows


def _analysis_rows(
    base: Mapping[str, Any],
    mid: str,
    suffix: str,
    panel: pd.DataFrame,
    names: Mapping[str, str],
    area_code: str,
    first: int,
    confidence: float,
) -> list[dict[str, Any]]:
    """The area's change, the neighbours' mean change, the ratio of growth, the ranks and
    every area's own change, from one panel (``suffix`` marks the COVID sensitivity)."""
    analysis = analyse(panel, area_code, first, confidence)
    area = panel.loc[panel["code"] == area_code]
    others = panel.loc[panel["code"] != area_code]
    change_id = f"{mid}_annual_change{suffix}"
    rows = [_change_row(base, change_id, AREA_GROUP, area, analysis.slopes[area_code])]
    if not len(others):
        return rows
    comparison = analysis.comparison
    spread = (
        {"tau2": comparison.tau2, "q_statistic": comparison.q, "neighbours_compared": comparison.k}
        if isinstance(comparison, Comparison)
        else {}
    )
    if isinstance(comparison, Comparison):
        mean = _change_row(base, change_id, NEIGHBOURS_MEAN_GROUP, others, comparison.neighbours)
        rows.append({**mean, **spread})
    rows.append({**_ratio_row(base, f"{mid}_growth_ratio{suffix}", panel, comparison), **spread})
    rows += _rank_rows(base, mid, suffix, analysis, area_code)
    for code in analysis.slopes:
        series = panel.loc[panel["code"] == code]
        fit = analysis.slopes[code]
        row = _change_row(base, f"{mid}_annual_change_by_area{suffix}", names[code], series, fit)
        rows.append({**row, "geography_code": code, "placebo_statistic": analysis.placebo[code]})
    return rows


def _ratio_row(
    base: Mapping[str, Any], measure_id: str, panel: pd.DataFrame, comparison: Comparison | str
) -> dict[str, Any]:
    """e^g, the ratio of the area's annual rate multiplier to its neighbours'."""
    row = {
        **base,
        "measure_id": measure_id,
        "group": RATIO_GROUP,
        "numerator": int(panel["count"].sum()),
        "denominator": int(panel["population"].sum()),
        "unit": "ratio of annual rate multipliers",
    }
    if not isinstance(comparison, Comparison):
        model = f"Cannot be calculated ({comparison})"
        return {**row, "value": math.nan, "method": model, "model": model, "status": "Not compared"}
    fit = comparison.difference
    ratio, lower, upper = fit.ratio
    return {
        **row,
        "value": ratio,
        "lower": lower,
        "upper": upper,
        **_fit_columns(fit),
        "status": growth_status(lower, upper),
    }


def _rank_rows(
    base: Mapping[str, Any], mid: str, suffix: str, analysis: Analysis, area_code: str
) -> list[dict[str, Any]]:
    """The placebo rank of the area's standardised difference and the rank of its slope."""
    ranks = {
        "placebo_rank": (
            rank_descending(analysis.placebo, area_code),
            "Placebo ranking: the area's standardised difference g / SE(g) among every area's, "
            "each compared with the random-effects mean of all the others",
        ),
        "slope_rank": (
            rank_descending({c: f.estimate for c, f in analysis.slopes.items()}, area_code),
            "Rank of each area's own fitted annual change",
        ),
    }
    rows = []
    for name, (rank, method) in ranks.items():
        if rank is None or (name == "slope_rank" and suffix):
            continue
        position, ranked = rank
        rows.append(
            {
                **base,
                "measure_id": f"{mid}_{name}{suffix}",
                "group": RATIO_GROUP,
                "numerator": position,
                "denominator": ranked,
                "value": float(position),
                "unit": "rank (1 = fastest rising)",
                "method": method,
                "p_value": position / ranked if name == "placebo_rank" else None,
                "smallest_p": 1 / ranked if name == "placebo_rank" else None,
                "status": f"Rank {position} of {ranked}",
            }
        )
    return rows


def compute(
    *,
    comparators: pd.DataFrame,
    population_la: pd.DataFrame,
    neighbours: pd.DataFrame,
    settings: Settings,
    area_code: str,
    areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The trend table for the key metric and the under-18 metric.

    ``areas`` is accepted for a uniform call signature; names come from the neighbour list
    and the configuration.
    """
    neighbour_list = neighbour_codes(neighbours, area_code)
    rows: list[dict[str, Any]] = []
    for definition in metric_definitions(settings):
        rows += _metric_rows(
            definition,
            comparators=comparators,
            population_la=population_la,
            neighbours=neighbour_list,
            settings=settings,
            area_code=area_code,
        )
    table = tidy(rows)
    table["note"] = table["note"].fillna("").astype(str)
    return table
