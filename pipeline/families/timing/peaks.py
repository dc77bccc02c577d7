"""When is violence most common? The tests behind naming a day, an hour or a window.

A busiest day or hour is only the largest of several noisy counts; naming it says it stands
out from the rest. So the timing family names a day or an hour only when a test separates it
from the next, names a window of hours only when its excess over a flat day survives having
been chosen from the data, and compares weekdays with weekends only per day and by a test.
Every test counts whole incidents at their recorded start (as the after-school share does):
an aoristic weight is not an incident, and a binomial or Poisson model needs whole counts.

- **Peak against runner-up** (day of the week; hour of the day). Given their total k + m,
  the peak's count k is binomial with p0 = d1 / (d1 + d2) when both have the same rate per
  day (d = how many of that weekday the year has; hours all have every day). The peak and
  runner-up are picked from the data: when the two are truly equal, the peak is whichever
  came out larger, so the one-sided P(K >= k) is doubled (a two-sided test). Simulation
  bears this out: two equal days, one-sided 5% names a false peak 9% of the time, doubled
  3%; seven or 24 equal ones, well under 1%.
- **Window of hours.** The contiguous run of 2 to 12 hours (it may cross midnight) most
  unlike a flat day by Kulldorff's Poisson likelihood ratio (the SaTScan temporal scan),
  only where it has more than its share. Its p-value is the scan statistic's: the largest
  ratio over every candidate window in each of 9,999 draws of the same number of incidents
  spread evenly over the 24 hours (multinomial, fixed seed), so choosing the window from the
  data is accounted for. The binomial test of the window alone is reported beside it.
- **Weekdays against weekends.** Incidents per weekday / incidents per weekend day, with the
  exact conditional (Clopper-Pearson) interval and two-sided p-value.
- **Multiplicity.** The four tests (peak day, peak hour, window, weekdays against weekends)
  are one family of claims about one sentence: Holm's step-down adjustment controls the
  chance of any false claim at alpha = 1 - confidence, and a claim is made when its adjusted
  p (q) is below alpha.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.rate_ratio import poisson_rate_ratio
from pipeline.formatting import WEEKDAYS
from pipeline.lazy import scipy_stats as st
from pipeline.settings import Settings
from pipeline.stats import proportion_ci

#: Shortest and longest window of hours the scan considers (12 = half the day, SaTScan's
#: default largest window).
WINDOW_HOURS: tuple[int, int] = (2, 12)
#: Draws under a flat day for the scan statistic's p-value.
SCAN_REPLICATES = 9_999
#: The measures holding each test, in the order Holm's adjustment lists them.
TESTS: tuple[str, ...] = (
    "peak_day_test",
    "peak_hour_test",
    "busiest_window",
    "weekday_weekend_rate_ratio",
)


def hour_label(start: int, end: int) -> str:
    """'15:00-24:00', '22:00-02:00' (end exclusive; a window can cross midnight)."""
    return f"{start:02d}:00-{(end if end == 24 else end % 24):02d}:00"


def peak_test(
    counts: Sequence[int], exposures: Sequence[float], labels: Sequence[str]
) -> dict[str, Any] | None:
    """The highest rate against the next: counts, exposures, rate ratio with its exact
    conditional interval, and the doubled one-sided conditional binomial p-value."""
    counts = [int(c) for c in counts]
    if sum(counts) == 0:
        return None
    rates = [c / e for c, e in zip(counts, exposures, strict=True)]
    # Highest rate first; a tie goes to the earlier label (the test then finds no peak).
    order = sorted(range(len(counts)), key=lambda i: (-rates[i], i))
    top, second = order[0], order[1]
    k, m = counts[top], counts[second]
    p0 = exposures[top] / (exposures[top] + exposures[second])
    one_sided = float(st.binomtest(k, k + m, p0, alternative="greater").pvalue) if k + m else 1.0
    return {
        "peak": labels[top],
        "runner_up": labels[second],
        "peak_count": k,
        "runner_up_count": m,
        "peak_exposure": float(exposures[top]),
        "runner_up_exposure": float(exposures[second]),
        "expected_share": p0,
        "p_value": min(1.0, 2 * one_sided),
    }


def _window_counts(hours: np.ndarray, lengths: range) -> np.ndarray:
    """Counts in every circular window: shape (..., len(lengths), 24), [length, start]."""
    doubled = np.concatenate([hours, hours], axis=-1)
    zero = np.zeros((*hours.shape[:-1], 1), dtype=float)
    cum = np.concatenate([zero, np.cumsum(doubled, axis=-1)], axis=-1)
    starts = np.arange(24)
    return np.stack([cum[..., starts + n] - cum[..., starts] for n in lengths], axis=-2)


def _likelihood_ratio(inside: np.ndarray, total: float, share: np.ndarray) -> np.ndarray:
    """Kulldorff's Poisson log likelihood ratio of a window against a flat day (0 where the
    window has no more than its share)."""
    expected = total * share
    with np.errstate(divide="ignore", invalid="ignore"):
        outside = total - inside
        term_in = np.where(inside > 0, inside * np.log(inside / expected), 0.0)
        term_out = np.where(outside > 0, outside * np.log(outside / (total - expected)), 0.0)
    return np.where(inside > expected, term_in + term_out, 0.0)


def busiest_window(
    hours: Sequence[int], seed: int, replicates: int = SCAN_REPLICATES
) -> dict[str, Any] | None:
    """The window of hours most unlike a flat day, its count and the scan p-value."""
    counts = np.asarray(hours, dtype=float)
    total = float(counts.sum())
    if total == 0:
        return None
    lengths = range(WINDOW_HOURS[0], WINDOW_HOURS[1] + 1)
    share = (np.array(list(lengths), dtype=float) / 24)[:, None]
    ratio = _likelihood_ratio(_window_counts(counts, lengths), total, share)
    # Largest ratio; ties go to the shorter window, then the earlier start.
    best = max((ratio[i, s], -i, -s) for i in range(len(lengths)) for s in range(24))
    length_index, start = -best[1], -best[2]
    length = lengths[length_index]
    inside = int(_window_counts(counts, lengths)[length_index, start])
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(int(total), np.full(24, 1 / 24), size=replicates).astype(float)
    simulated = _likelihood_ratio(_window_counts(draws, lengths), total, share[None]).max(
        axis=(-2, -1)
    )
    observed = float(ratio[length_index, start])
    exceed = int((simulated >= observed - 1e-9).sum())
    return {
        "start": start,
        "hours": length,
        "count": inside,
        "total": int(total),
        "expected_share": length / 24,
        "likelihood_ratio": observed,
        # A window with nothing above its share has no excess to test.
        "p_value": (1 + exceed) / (1 + replicates) if observed > 0 else 1.0,
        "binomial_p_value": float(
            st.binomtest(inside, int(total), length / 24, alternative="greater").pvalue
        ),
        "replicates": replicates,
    }


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count)."""
    present = [(p, i) for i, p in enumerate(p_values) if p is not None and not np.isnan(p)]
    adjusted = [float("nan")] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted


def peak_rows(
    base: Mapping[str, Any], timed: pd.DataFrame, days: pd.DatetimeIndex, settings: Settings
) -> list[dict[str, Any]]:
    """The four timing tests of one year's incidents with a start time (see the module)."""
    if timed.empty:
        return []
    confidence = settings.confidence
    weekday = pd.to_datetime(timed["offence_start_date"]).dt.day_of_week.to_numpy()
    hour = timed["offence_start_time"].astype(str).str.slice(0, 2).astype(int).to_numpy()
    by_day = np.bincount(weekday, minlength=7)
    by_hour = np.bincount(hour, minlength=24)
    day_exposure = np.bincount(days.day_of_week, minlength=7).astype(float)
    n = len(timed)
    rows = []
    tests = [
        (
            "peak_day_test",
            peak_test(by_day, day_exposure, WEEKDAYS),
            "ratio of incidents per day (busiest weekday against the next)",
        ),
        (
            "peak_hour_test",
            peak_test(by_hour, [1.0] * 24, [hour_label(h, h + 1) for h in range(24)]),
            "ratio of incidents (busiest hour against the next)",
        ),
    ]
    for measure, test, unit in tests:
        if test is None:
            continue
        ratio = poisson_rate_ratio(
            test["peak_count"],
            test["peak_exposure"],
            test["runner_up_count"],
            test["runner_up_exposure"],
            confidence,
        )
        rows.append(
            {
                **base,
                "measure_id": measure,
                "group": f"{test['peak']} vs {test['runner_up']}",
                "numerator": test["peak_count"],
                "denominator": test["peak_count"] + test["runner_up_count"],
                "value": ratio["value"],
                "lower": ratio["lower"],
                "upper": ratio["upper"],
                "p_value": test["p_value"],
                "unit": unit,
                "method": "conditional binomial test of the busiest against the next, "
                "one-sided p doubled because both were picked from the data; exact "
                "conditional (Clopper-Pearson) interval of the ratio",
                "expected_share": test["expected_share"],
                "peak": test["peak"],
                "runner_up": test["runner_up"],
                "peak_days": test["peak_exposure"],
                "runner_up_days": test["runner_up_exposure"],
            }
        )
    window = busiest_window(by_hour, settings.statistics.random_seed)
    if window is not None:
        share = proportion_ci(window["count"], n, confidence).iloc[0]
        end = window["start"] + window["hours"]
        rows.append(
            {
                **base,
                "measure_id": "busiest_window",
                "group": hour_label(window["start"], end),
                "numerator": window["count"],
                "denominator": n,
                "value": float(share["value"]),
                "lower": float(share["lower"]),
                "upper": float(share["upper"]),
                "p_value": window["p_value"],
                "unit": "share of incidents with a start time",
                "method": f"Kulldorff Poisson scan over windows of {WINDOW_HOURS[0]} to "
                f"{WINDOW_HOURS[1]} hours against a flat day; Monte Carlo p from "
                f"{window['replicates']:,} multinomial draws; Wilson interval of the share",
                "expected_share": window["expected_share"],
                "binomial_p_value": window["binomial_p_value"],
                "window_start": window["start"],
                "window_hours": window["hours"],
            }
        )
    on_weekday = int((weekday < 5).sum())
    weekdays, weekend_days = float(day_exposure[:5].sum()), float(day_exposure[5:].sum())
    ratio = poisson_rate_ratio(on_weekday, weekdays, n - on_weekday, weekend_days, confidence)
    rows.append(
        {
            **base,
            "measure_id": "weekday_weekend_rate_ratio",
            "group": "weekdays vs weekend days",
            "numerator": on_weekday,
            "denominator": n,
            "value": ratio["value"],
            "lower": ratio["lower"],
            "upper": ratio["upper"],
            "p_value": ratio["p_value"],
            "unit": "ratio of incidents per day",
            "method": "exact conditional (Clopper-Pearson) interval for a ratio of Poisson "
            "rates; two-sided exact binomial p",
            "weekday_days": weekdays,
            "weekend_days": weekend_days,
        }
    )
    measures = [r["measure_id"] for r in rows]
    for row, q in zip(rows, holm([r["p_value"] for r in rows]), strict=True):
        row["q_value"] = q
        row["holm_family"] = ", ".join(m for m in TESTS if m in measures)
    return rows


@dataclass(frozen=True)
class TimingClaims:
    """What the timing tests let the reports say (rows of the edition year's table)."""

    alpha: float
    day: pd.Series | None
    hour: pd.Series | None
    window: pd.Series | None
    week: pd.Series | None

    def separated(self, row: pd.Series | None) -> bool:
        """True when the row's Holm-adjusted p is below alpha."""
        return row is not None and pd.notna(row.get("q_value")) and row["q_value"] < self.alpha


def timing_claims(rows: pd.DataFrame, alpha: float) -> TimingClaims:
    """The edition year's test rows, by claim (each None when the table has none)."""

    def pick(measure: str) -> pd.Series | None:
        found = rows.loc[rows["measure_id"].astype(str).str.endswith(measure)]
        return found.iloc[0] if len(found) else None

    return TimingClaims(
        alpha=alpha,
        day=pick("peak_day_test"),
        hour=pick("peak_hour_test"),
        window=pick("busiest_window"),
        week=pick("weekday_weekend_rate_ratio"),
    )
