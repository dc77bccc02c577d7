"""Trend against similar boroughs: annual change, ratio of growth, rank and recent trend.

Everything here reads the public comparator series (the area's own series included, so that
the area and its neighbours are counted the same way), summed into financial years, with ONS
mid-year populations of the same age as the offset.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.optimize import linprog
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationWarning,
)

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
from pipeline.findings import change_status, growth_status
from pipeline.formatting import financial_year_label
from pipeline.settings import Definition, Settings
from pipeline.stats import TREND_MIN_POINTS, chi2_linear_trend, fingertips_trend_marker, z_value

RATIO_GROUP = "Area against statistical neighbours"
#: Pearson chi-square / df above this means overdispersion: negative binomial instead of Poisson.
OVERDISPERSION_LIMIT = 1.0
#: An NB2 alpha below this is at its boundary: the model has collapsed to the Poisson.
ALPHA_BOUNDARY = 1e-6

METHOD = """\
**Data.** The public comparator series (monthly counts by area and measure) for the area and
each statistical neighbour, summed into financial years (April to March), for the key metric
(victims aged 1-24) and the under-18 metric (1-17). The area's own series is used rather than
its extract so that the area and its neighbours are counted the same way. Populations are ONS
mid-year estimates of the same ages at mid-year of each financial year's start (the latest
earlier mid-year when one is not yet published). A neighbour missing a month or a population
is left out and named in the `note` column.

**Annual change.** A log-linear count model of yearly counts with the log population as
offset, log E[count_t] = log pop_t + a + b t, fitted by maximum likelihood in statsmodels.
A Poisson GLM is fitted first and its overdispersion checked (Pearson chi-square / residual
df); above 1 the model is refitted as a negative binomial (NB2, variance mu + alpha mu^2,
statsmodels `NegativeBinomial`, alpha estimated). When the NB2 cannot carry the extra
variance (its alpha estimate sits at the bound 0, or the fit does not converge) the Poisson
fit with standard errors scaled by the square root of the Pearson dispersion (quasi-Poisson)
is used instead. The annual % change is 100 (e^b - 1) with
a Wald interval 100 (e^(b +/- z SE) - 1). The `method` column says which model was used. The
pooled neighbours' change is fitted the same way to their summed counts and populations.

**Ratio of growth.** On the area plus its neighbours, log E[count_a,t] = log pop_a,t + a_a +
b t + g (t x local_a), with a fixed effect per area. e^g is the ratio of the area's annual
rate multiplier to its neighbours' (above 1: the area is growing faster), with a Wald
interval; same Poisson / NB2 choice. "Rising faster than similar boroughs" is said only when
the whole interval is above 1. Because the neighbours' b is a within-area slope, e^g is not
exactly the quotient of the two annual changes above.

**Zero counts.** Some zero counts leave a coefficient with no finite maximum-likelihood
estimate (separation: an area with no events in any year, or a series whose only events fall
in its first or last year). Those zeros are found by linear programming (Santos Silva and
Tenreyro 2010) and left out, which does not change the estimates that remain defined; a
coefficient that then cannot be estimated is reported as "Cannot be calculated" with the
reason, never as a huge rate of change. The `method` column says when zeros were left out.

**Rank among neighbours.** Each area's own fitted annual change is ranked (1 = fastest
rising). The placebo test (methods 3.2(3)) re-fits the ratio-of-growth model with each
neighbour in turn treated as "local"; the area's rank among all K+1 values of g and the
permutation p = rank / (K+1) are reported. With 10 neighbours the smallest possible p is
0.09, so the rank is more informative than the p.

**Recent trend.** The Fingertips marker: chi-square test for linear trend on the last five
financial years at the configured confidence, direction from the slope of log rate on year.

**Caveats.** Five yearly points give wide intervals. 2020-21 includes the COVID-19
lockdowns, when recorded violence fell, which can exaggerate a rise measured from that year;
no lockdown term is fitted. Changes in police recording practice and revisions of population
estimates after Census 2021 also move rates.
"""


@dataclass(frozen=True)
class TrendFit:
    """One coefficient of a log-linear count model, on the log scale, with its model."""

    estimate: float
    se: float
    lower: float
    upper: float
    p_value: float
    model: str
    dispersion: float
    alpha: float

    @property
    def percent_change(self) -> tuple[float, float, float]:
        """Annual % change and its interval: 100 (e^x - 1)."""
        return tuple(100 * (_exp(v) - 1) for v in (self.estimate, self.lower, self.upper))

    @property
    def ratio(self) -> tuple[float, float, float]:
        """The coefficient as a ratio e^x with its interval."""
        return tuple(_exp(v) for v in (self.estimate, self.lower, self.upper))


def _exp(value: float) -> float:
    """e^value, infinite (not an error) past the largest float: a very wide Wald limit."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


NAN_FIT = TrendFit(*(math.nan,) * 5, "Cannot be calculated", math.nan, math.nan)


def _cannot_fit(reason: str) -> TrendFit:
    """No estimate, with the reason in the model text (printed in the method column)."""
    return TrendFit(*(math.nan,) * 5, f"Cannot be calculated ({reason})", math.nan, math.nan)


def separated_rows(counts: np.ndarray, design: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """Zero counts whose fitted mean goes to 0 at the Poisson maximum likelihood, so that no
    finite estimate exists while they are in (Santos Silva and Tenreyro 2010; Correia,
    Guimaraes and Zylkin 2019): rows a direction d of the coefficients can push towards
    -infinity on the log scale (X_i d < 0) while every positive count's linear predictor stays
    put (X_i d = 0) and no other row rises. Found by linear programming, repeated on what is
    left until no row is separated; e.g. an area with no victims in any year, or a series
    whose only non-zero year is its first or last."""
    x = np.asarray(design, dtype=float)
    y = np.asarray(counts, dtype=float)
    separated = np.zeros(len(y), dtype=bool)
    while True:
        zero = (y == 0) & ~separated
        positive = (y > 0) & ~separated
        if not zero.any():
            return separated
        # minimise sum(X_zero d) subject to -1 <= X_zero d <= 0 and X_positive d = 0.
        result = linprog(
            x[zero].sum(axis=0),
            A_ub=np.vstack([x[zero], -x[zero]]),
            b_ub=np.concatenate([np.zeros(zero.sum()), np.ones(zero.sum())]),
            A_eq=x[positive] if positive.any() else None,
            b_eq=np.zeros(positive.sum()) if positive.any() else None,
            bounds=[(None, None)] * x.shape[1],
            method="highs",
        )
        if result.status != 0 or result.fun > -tolerance:
            return separated
        pushed = x[zero] @ result.x < -tolerance
        separated[np.flatnonzero(zero)[pushed]] = True


def _negative_binomial(
    y: np.ndarray, x: pd.DataFrame, offset: np.ndarray, start: np.ndarray
) -> tuple[Any | None, str]:
    """NB2 maximum-likelihood fit, or None with the reason it cannot be used.

    Tries Newton, then BFGS, then Nelder-Mead. An alpha estimate at its lower bound 0 means
    the negative binomial has collapsed to the Poisson (its standard errors are then not
    defined); that is reported as the reason rather than used.
    """
    model = NegativeBinomial(y, x, loglike_method="nb2", offset=offset)
    start_params = np.append(start, 0.1)
    for method, maxiter in (("newton", 100), ("bfgs", 1000), ("nm", 5000)):
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", (ConvergenceWarning, HessianInversionWarning, RuntimeWarning)
            )
            try:
                result = model.fit(
                    start_params=start_params, method=method, maxiter=maxiter, disp=0
                )
            except (np.linalg.LinAlgError, ValueError):
                continue
        params = np.asarray(result.params, dtype=float)
        if not np.all(np.isfinite(params)):
            continue
        if 0 <= result.params["alpha"] < ALPHA_BOUNDARY:
            # The likelihood still rises as alpha falls to 0: its maximum is on the boundary,
            # where the optimiser's zero-gradient test cannot pass (so "not converged" here
            # is expected), and a slower optimiser would only find the same boundary.
            return None, "NB2 alpha estimate at its lower bound 0"
        if not result.mle_retvals.get("converged", False):
            continue
        if np.all(np.isfinite(np.asarray(result.bse, dtype=float))):
            return result, ""
    return None, "NB2 did not converge"


def fit_log_linear(
    counts: Sequence[float],
    design: pd.DataFrame,
    population: Sequence[float],
    coefficient: str,
    confidence: float,
) -> TrendFit:
    """Fit counts ~ design + offset(log population); return ``coefficient`` with its CI.

    Poisson GLM first; if Pearson chi-square / df exceeds 1, negative binomial NB2 with alpha
    estimated. If the NB2 fit does not converge, or its alpha sits at the bound 0 (the NB2
    has collapsed to the Poisson and cannot carry the extra variance), the Poisson fit with
    standard errors scaled by the square root of the Pearson dispersion (quasi-Poisson) is
    used, and ``model`` says which and why.
    """
    y = np.asarray(counts, dtype=float)
    offset = np.log(np.asarray(population, dtype=float))
    if y.sum() == 0:
        return _cannot_fit("no events in any year")
    separated = separated_rows(y, design.to_numpy(dtype=float))
    dropped = ""
    if separated.any():
        # Separated zeros carry no information about the other coefficients; the fit without
        # them is the maximum likelihood of every coefficient that remains identified.
        keep = ~separated
        y, offset = y[keep], offset[keep]
        design = design.loc[keep].reset_index(drop=True)
        design = design.loc[:, (design != 0).any(axis=0)]
        dropped = f"; {int(separated.sum())} zero counts with no finite fit left out"
        full = np.linalg.matrix_rank(design.to_numpy())
        without = (
            np.linalg.matrix_rank(design.drop(columns=coefficient).to_numpy())
            if coefficient in design
            else full
        )
        if coefficient not in design or without == full or full < design.shape[1]:
            return _cannot_fit(
                "no finite estimate: the non-zero counts do not identify it (for example, "
                "events in one year only, at the start or end of the window, or none at all "
                "in one area)"
            )
    if len(y) <= design.shape[1]:
        return _cannot_fit("too few years with events for the model")
    with warnings.catch_warnings():
        # A series that follows its fitted curve exactly is not an error for a count model.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
    z = z_value(confidence)
    if not dispersion > OVERDISPERSION_LIMIT:
        est, se = float(poisson.params[coefficient]), float(poisson.bse[coefficient])
        p = float(poisson.pvalues[coefficient])
        return TrendFit(
            est, se, est - z * se, est + z * se, p, f"Poisson GLM{dropped}", dispersion, math.nan
        )
    nb, reason = _negative_binomial(y, design, offset, np.asarray(poisson.params, dtype=float))
    if nb is not None:
        est, se = float(nb.params[coefficient]), float(nb.bse[coefficient])
        return TrendFit(
            est, se, est - z * se, est + z * se, float(nb.pvalues[coefficient]),
            f"Negative binomial (NB2){dropped}", dispersion, float(nb.params["alpha"]),
        )  # fmt: skip
    quasi = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    est, se = float(quasi.params[coefficient]), float(quasi.bse[coefficient])
    return TrendFit(
        est, se, est - z * se, est + z * se, float(quasi.pvalues[coefficient]),
        f"Quasi-Poisson ({reason}){dropped}", dispersion, math.nan,
    )  # fmt: skip


def single_series_design(years: Sequence[int], first_year: int) -> pd.DataFrame:
    """Intercept and time (years since ``first_year``) for one area's series."""
    t = np.asarray(years, dtype=float) - first_year
    return pd.DataFrame({"const": np.ones_like(t), "time": t})


def interaction_design(panel: pd.DataFrame, local_code: str, first_year: int) -> pd.DataFrame:
    """Area fixed effects, common time slope and the local area's extra slope."""
    codes = sorted(panel["code"].unique())
    design = pd.DataFrame(
        {f"area_{c}": (panel["code"] == c).astype(float).to_numpy() for c in codes}
    )
    t = panel["year"].to_numpy(dtype=float) - first_year
    design["time"] = t
    design["time_x_local"] = t * (panel["code"] == local_code).to_numpy(dtype=float)
    return design


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


def fit_series(frame: pd.DataFrame, first_year: int, confidence: float) -> TrendFit:
    """Annual change model of one (possibly pooled) yearly series."""
    design = single_series_design(frame["year"], first_year)
    return fit_log_linear(frame["count"], design, frame["population"], "time", confidence)


def fit_interaction(
    panel: pd.DataFrame, local_code: str, first_year: int, confidence: float
) -> TrendFit:
    """Ratio-of-growth model with ``local_code`` as the local area."""
    design = interaction_design(panel, local_code, first_year)
    return fit_log_linear(panel["count"], design, panel["population"], "time_x_local", confidence)


def rank_descending(
    values: Mapping[str, float], code: str, tolerance: float = 1e-9
) -> tuple[int, int] | None:
    """Rank of ``values[code]`` among the finite values (1 = largest) and how many were ranked.

    Values within ``tolerance`` of the area's count as ties and share its (best) rank, so
    that rounding noise in equal fits never decides a rank. None when the area's own value is
    not finite.
    """
    finite = [v for v in values.values() if math.isfinite(v)]
    own = values[code]
    if not math.isfinite(own):
        return None
    return 1 + sum(1 for v in finite if v > own + tolerance), len(finite)


def _change_row(
    base: Mapping[str, Any], measure_id: str, group: str, frame: pd.DataFrame, fit: TrendFit
) -> dict[str, Any]:
    """An annual % change row of one (possibly pooled) series."""
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
        "method": fit.model
        if math.isnan(fit.estimate)
        else f"{fit.model}, log population offset; Wald interval",
        "model": fit.model,
        "dispersion": fit.dispersion,
        "alpha": fit.alpha,
        "p_value": fit.p_value,
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
    years = settings.years
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
        "period": f"{financial_year_label(years[0])} to {financial_year_label(years[-1])}",
        "confidence": confidence,
        "note": note,
    }
    area = panel.loc[panel["code"] == area_code]
    others = panel.loc[panel["code"] != area_code]
    pooled = others.groupby("year", as_index=False)[["count", "population"]].sum()

    change_id = f"{definition.id}_annual_change"
    rows = [_change_row(base, change_id, AREA_GROUP, area, fit_series(area, first, confidence))]
    if len(others):
        pooled_fit = fit_series(pooled, first, confidence)
        rows.append(_change_row(base, change_id, NEIGHBOURS_GROUP, pooled, pooled_fit))
        rows += _comparison_rows(base, definition, panel, names, area_code, first, confidence)
    rows.append(_marker_row(base, definition.id, AREA_GROUP, area, confidence))
    if len(others):
        rows.append(_marker_row(base, definition.id, NEIGHBOURS_GROUP, pooled, confidence))
    return rows


def _comparison_rows(
    base: Mapping[str, Any],
    definition: Definition,
    panel: pd.DataFrame,
    names: Mapping[str, str],
    area_code: str,
    first: int,
    confidence: float,
) -> list[dict[str, Any]]:
    """Ratio of growth, placebo rank, own-slope rank and every area's own annual change."""
    mid = definition.id
    codes = [area_code] + sorted(c for c in names if c != area_code)
    fit = fit_interaction(panel, area_code, first, confidence)
    ratio, lower, upper = fit.ratio
    rows = [
        {
            **base,
            "measure_id": f"{mid}_growth_ratio",
            "group": RATIO_GROUP,
            "numerator": int(panel["count"].sum()),
            "denominator": int(panel["population"].sum()),
            "value": ratio,
            "lower": lower,
            "upper": upper,
            "unit": "ratio of annual rate multipliers",
            "method": fit.model
            if math.isnan(fit.estimate)
            else f"{fit.model}: area x time interaction with area fixed effects; Wald interval",
            "model": fit.model,
            "dispersion": fit.dispersion,
            "alpha": fit.alpha,
            "p_value": fit.p_value,
            "status": growth_status(lower, upper),
        }
    ]
    placebo = {area_code: fit.estimate}
    placebo.update({c: fit_interaction(panel, c, first, confidence).estimate for c in codes[1:]})
    slopes = {c: fit_series(panel.loc[panel["code"] == c], first, confidence) for c in codes}
    ranks = {
        "placebo_rank": (
            rank_descending(placebo, area_code),
            "Placebo ranking: area x time interaction re-fitted with each area as local",
        ),
        "slope_rank": (
            rank_descending({c: f.estimate for c, f in slopes.items()}, area_code),
            "Rank of each area's own fitted annual change",
        ),
    }
    for name, (rank, method) in ranks.items():
        if rank is None:
            continue
        position, ranked = rank
        rows.append(
            {
                **base,
                "measure_id": f"{mid}_{name}",
                "group": RATIO_GROUP,
                "numerator": position,
                "denominator": ranked,
                "value": float(position),
                "unit": "rank (1 = fastest rising)",
                "method": method,
                "p_value": position / ranked if name == "placebo_rank" else None,
                "status": f"Rank {position} of {ranked}",
            }
        )
    for code in codes:
        series = panel.loc[panel["code"] == code]
        row = _change_row(base, f"{mid}_annual_change_by_area", names[code], series, slopes[code])
        rows.append({**row, "geography_code": code, "placebo_log_ratio": placebo[code]})
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
