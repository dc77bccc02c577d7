"""The trend models: each area's log-linear slope, one quasi-Poisson dispersion estimated
across the whole panel (the area and its neighbours), and the comparison of the area's slope
with the random-effects distribution of its neighbours' slopes.

No pretest chooses the model. Five yearly points leave 3 residual degrees of freedom per
series, and a Pearson chi-square / df above 1 happens by chance under a pure Poisson about
40% of the time, so one series cannot tell its own overdispersion. The panel's residuals
together (about 30 df) can: every slope's Poisson standard error is scaled by the square
root of the panel dispersion, and intervals use t with the panel's residual df.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.lazy import scipy_optimize as _optimize
from pipeline.lazy import scipy_stats as st
from pipeline.stats.trends import dersimonian_laird


@dataclass(frozen=True)
class SlopeFit:
    """One series' Poisson maximum-likelihood slope, before the panel dispersion is applied:
    its Poisson SE, Pearson chi-square and residual df; ``reason`` says why there is none."""

    estimate: float
    poisson_se: float
    pearson_chi2: float
    df_resid: int
    note: str = ""
    reason: str = ""

    @property
    def fitted(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class TrendFit:
    """One log-scale estimate with its interval, the model text and the panel dispersion."""

    estimate: float
    se: float
    lower: float
    upper: float
    p_value: float
    model: str
    dispersion: float
    df: float

    @property
    def percent_change(self) -> tuple[float, float, float]:
        """Annual % change and its interval: 100 (e^x - 1)."""
        return tuple(100 * (_exp(v) - 1) for v in (self.estimate, self.lower, self.upper))

    @property
    def ratio(self) -> tuple[float, float, float]:
        """The estimate as a ratio e^x with its interval."""
        return tuple(_exp(v) for v in (self.estimate, self.lower, self.upper))


def _exp(value: float) -> float:
    """e^value, infinite (not an error) past the largest float: a very wide limit."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def cannot_fit(reason: str) -> TrendFit:
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
        result = _optimize.linprog(
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


NOT_IDENTIFIED = (
    "no finite estimate: the non-zero counts do not identify it (for example, events in one "
    "year only, at the start or end of the window, or none at all in one area)"
)


def series_design(years: Sequence[int], first_year: int) -> pd.DataFrame:
    """Intercept and time (years since ``first_year``) for one area's series."""
    t = np.asarray(years, dtype=float) - first_year
    return pd.DataFrame({"const": np.ones_like(t), "time": t})


def poisson_slope(frame: pd.DataFrame, first_year: int) -> SlopeFit:
    """log E[count_t] = log pop_t + a + b t by Poisson maximum likelihood: b, its Poisson SE,
    the Pearson chi-square and residual df (what the panel dispersion is estimated from)."""
    y = frame["count"].to_numpy(dtype=float)
    offset = np.log(frame["population"].to_numpy(dtype=float))
    design = series_design(frame["year"], first_year)
    if y.sum() == 0:
        return SlopeFit(*(math.nan,) * 3, 0, reason="no events in any year")
    separated = separated_rows(y, design.to_numpy(dtype=float))
    note = ""
    if separated.any():
        # Separated zeros carry no information about the slope: the fit without them is the
        # maximum likelihood of every coefficient that remains identified.
        keep = ~separated
        y, offset = y[keep], offset[keep]
        design = design.loc[keep].reset_index(drop=True)
        if design["time"].nunique() < 2:
            return SlopeFit(*(math.nan,) * 3, 0, reason=NOT_IDENTIFIED)
        note = f"; {int(separated.sum())} zero counts with no finite fit left out"
    if len(y) <= design.shape[1]:
        return SlopeFit(*(math.nan,) * 3, 0, reason="too few years with events for the model")
    # statsmodels' GLM alone, imported here (statsmodels.api is half a second of start-up).
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        # A series that follows its fitted curve exactly is not an error for a count model.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = GLM(y, design, family=Poisson(), offset=offset).fit()
    return SlopeFit(
        float(fit.params["time"]), float(fit.bse["time"]), float(fit.pearson_chi2),
        int(round(fit.df_resid)), note,
    )  # fmt: skip


@dataclass(frozen=True)
class Dispersion:
    """The quasi-Poisson dispersion of the whole panel: sum of Pearson chi-squares over sum
    of residual df of every fitted series."""

    phi: float
    chi2: float
    df: int

    @classmethod
    def of(cls, fits: Sequence[SlopeFit]) -> Dispersion:
        used = [f for f in fits if f.fitted]
        chi2, df = sum(f.pearson_chi2 for f in used), sum(f.df_resid for f in used)
        return cls(chi2 / df if df > 0 else math.nan, chi2, df)

    def text(self) -> str:
        return f"panel dispersion {self.phi:.2f} on {self.df} df"


def quasi_fit(slope: SlopeFit, dispersion: Dispersion, confidence: float) -> TrendFit:
    """The slope with SE = Poisson SE x sqrt(panel dispersion) and a t(panel df) interval."""
    if not slope.fitted:
        return cannot_fit(slope.reason)
    if not dispersion.df > 0:
        return cannot_fit("no residual degrees of freedom in the panel to estimate its dispersion")
    se = slope.poisson_se * math.sqrt(dispersion.phi)
    return _t_fit(
        slope.estimate, se, dispersion, confidence,
        f"Quasi-Poisson GLM, log population offset; {dispersion.text()}; t({dispersion.df}) "
        f"interval{slope.note}",
    )  # fmt: skip


def _t_fit(
    estimate: float, se: float, dispersion: Dispersion, confidence: float, model: str
) -> TrendFit:
    df = dispersion.df
    if se == 0:
        # A panel that follows its fitted lines exactly: the estimate is known exactly.
        return TrendFit(estimate, 0.0, estimate, estimate, math.nan, model, dispersion.phi, df)
    q = float(st.t.ppf(0.5 + confidence / 2, df))
    p = float(2 * st.t.sf(abs(estimate / se), df))
    return TrendFit(
        estimate, se, estimate - q * se, estimate + q * se, p, model, dispersion.phi, df
    )


@dataclass(frozen=True)
class Comparison:
    """The area's slope against the random-effects distribution of its neighbours' slopes."""

    difference: TrendFit  # log ratio of annual rate multipliers, area against neighbours
    neighbours: TrendFit  # the neighbours' random-effects mean slope
    tau2: float
    q: float
    k: int


def compare(
    area: TrendFit, neighbours: Sequence[TrendFit], dispersion: Dispersion, confidence: float
) -> Comparison | str:
    """g = b_area - mu, mu the DerSimonian-Laird mean of the neighbours' slopes (each with
    its quasi-Poisson variance), Var(g) = Var(b_area) + tau^2 + SE(mu)^2: the area is
    compared with the spread of similar boroughs' slopes, not only with their mean. Without
    a comparison, the reason it cannot be made."""
    fitted = [f for f in neighbours if math.isfinite(f.estimate)]
    if not math.isfinite(area.estimate):
        return area.model.removeprefix("Cannot be calculated (").removesuffix(")")
    if not fitted:
        return "no neighbour has a fitted annual change"
    if any(f.se == 0 for f in fitted) or area.se == 0:
        return "every series follows its fitted line exactly: no variance to weigh them by"
    mean = dersimonian_laird([f.estimate for f in fitted], [f.se**2 for f in fitted])
    model = (
        f"Quasi-Poisson GLM slopes ({dispersion.text()}); DerSimonian-Laird random-effects "
        f"mean of {mean.k} neighbours' slopes, tau^2 = {mean.tau2:.5f}"
    )
    mean_model = f"{model}; t({dispersion.df}) interval"
    neighbour_fit = _t_fit(mean.mean, mean.se, dispersion, confidence, mean_model)
    se = math.sqrt(area.se**2 + mean.tau2 + mean.se**2)
    difference = _t_fit(
        area.estimate - mean.mean, se, dispersion, confidence,
        f"{model}; Var(g) = Var(area slope) + tau^2 + SE(mean)^2; t({dispersion.df}) interval",
    )  # fmt: skip
    return Comparison(difference, neighbour_fit, mean.tau2, mean.q, mean.k)


@dataclass(frozen=True)
class Analysis:
    """Every area's fitted change, the panel dispersion, the comparison and the placebo
    statistics of one panel (one metric, one set of years)."""

    slopes: Mapping[str, TrendFit]
    dispersion: Dispersion
    comparison: Comparison | str  # or why there is none
    placebo: Mapping[str, float]  # each area's standardised difference from the others


def analyse(panel: pd.DataFrame, area_code: str, first_year: int, confidence: float) -> Analysis:
    """Fit every series, estimate the panel dispersion, compare the area with its neighbours
    and re-run the comparison with each neighbour in turn as the "local" area (placebo)."""
    codes = [area_code] + sorted(c for c in panel["code"].unique() if c != area_code)
    raw = {c: poisson_slope(panel.loc[panel["code"] == c], first_year) for c in codes}
    dispersion = Dispersion.of(list(raw.values()))
    slopes = {c: quasi_fit(raw[c], dispersion, confidence) for c in codes}

    def against_the_rest(code: str) -> Comparison | str:
        return compare(
            slopes[code], [slopes[c] for c in codes if c != code], dispersion, confidence
        )

    placebo = {}
    for code in codes:
        result = against_the_rest(code)
        placebo[code] = (
            result.difference.estimate / result.difference.se
            if isinstance(result, Comparison)
            else math.nan
        )
    comparison = (
        against_the_rest(area_code) if len(codes) > 1 else "no neighbour has a complete series"
    )
    return Analysis(slopes, dispersion, comparison, placebo)


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


def rank_agrees(position: int, ranked: int, faster: bool, alpha: float) -> bool:
    """True when the placebo rank backs a "faster" (or "slower") finding: its one-sided
    permutation p (rank / ranked, counted from the top for faster, from the bottom for
    slower) is at most alpha or, when the panel is too small for that, the smallest p it can
    give (1 / ranked: the area is the most extreme of all)."""
    from_the_end = position if faster else ranked - position + 1
    return from_the_end / ranked <= max(alpha, 1 / ranked) + 1e-12
