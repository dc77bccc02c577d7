"""Months: police recorded crime month by month, and whether some months of the year see more.

Read from the comparator series (monthly counts by area and measure, the same series the
trend family sums into years) for the area itself and the two metrics that have one (the key
metric and the under-18 metric): every month of the window's financial years, each year's
total, and the calendar months pooled over the window's whole years with their rate a day.

Two tests, with the monthly counts' extra-Poisson variation allowed for:

* **Dispersion.** Under "every month of the year has its own rate, every year its own level"
  (the main-effects log-linear model of the years x calendar months table, whose fitted
  counts are row total x column total / total), a Poisson table's Pearson chi-square is about
  its df, (Y - 1) x 11. phi = X^2 / df estimates the variation beyond Poisson (police
  operations, recording changes); phi below 1 is taken as 1, so no claim is ever stronger
  than Poisson counts would allow.
* **Seasonality.** The pooled calendar-month counts against counts in proportion to the days
  in each month: X^2_s = sum (C_m - E_m)^2 / E_m with E_m = N d_m / D, and F = X^2_s /
  (11 phi) on (11, (Y - 1) x 11) df.
* **Peak month.** The month with the highest rate a day against the next highest: the rate
  ratio with a t interval on log scale, SE = sqrt(phi (1/C_1 + 1/C_2)), and the one-sided p
  doubled, because the two months were chosen from the data (the rule of the timing family's
  peak tests, :mod:`pipeline.families.timing.peaks`).

A month is named ("most often in July") only when both tests pass at the configured level
(the seasonality test gates the peak test, so the chance of a false month stays at alpha);
with fewer than two whole years, or any month's count from 1 to the resident disclosure
threshold (hidden: the tests' figures would give it back), nothing is tested and the finding
says so.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import confidence_of, tidy
from pipeline.formatting import financial_year_label
from pipeline.lazy import scipy_stats as st
from pipeline.settings import PUBLIC, Definition, Settings
from pipeline.stats import rate_ci

MONTH_COUNT, YEAR_TOTAL, CALENDAR_MONTH, WINDOW_TOTAL = (
    "month_count",
    "year_total",
    "calendar_month",
    "window_total",
)
SEASONALITY, PEAK_MONTH = "seasonality_test", "peak_month_test"
#: The metrics with a monthly series (the "where" counts are by LSOA and calendar year).
METRIC_KEYS: tuple[str, ...] = ("key_metric", "under_18_metric")
#: Calendar months in financial-year order (April first), by number.
FY_MONTHS: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
#: Fewest whole financial years the tests need (one year gives no estimate of dispersion).
MIN_YEARS = 2
SOURCE = "comparator series (monthly counts of police recorded crime)"
#: Why the tests were not run (the start of the test rows' note; findings word each one).
NOT_TESTED_YEARS = f"not tested: fewer than {MIN_YEARS} whole financial years"
NOT_TESTED_HIDDEN = "not tested: some months' counts are hidden"
NOT_TESTED_EMPTY = "not tested: a calendar month with no offences in any year"

METHOD = """\
**Data and tests.** The area's own monthly counts (the comparator series) of the key and
under-18 metrics, and the calendar months pooled over the window's whole years with their rate
a day (exact/Byar's limits); a year missing a month is left out, and named. Dispersion phi:
the Pearson chi-square of the years x months table under "each month its own rate, each year
its own level" over (Y - 1) x 11 df, at least 1. Seasonality: pooled months against their
days, F = X^2 / (11 phi) on 11 and (Y - 1) x 11 df. Peak month: the highest rate a day against
the next, log rate ratio with SE = sqrt(phi (1/C1 + 1/C2)) and a t interval, one-sided p
doubled (both months chosen from the data). A month is named only when both tests pass, the
seasonality test first; nothing is tested with fewer than two whole years or a hidden month.
"""


def month_name(month: int) -> str:
    return calendar.month_name[month]


def financial_year_of(month_text: str) -> int:
    """The financial year (its first calendar year) of 'YYYY-MM': '2025-02' -> 2024."""
    year, month = (int(p) for p in month_text.split("-"))
    return year if month >= 4 else year - 1


def days_in(month_text: str) -> int:
    year, month = (int(p) for p in month_text.split("-"))
    return calendar.monthrange(year, month)[1]


def window_months(year: int) -> list[str]:
    """'YYYY-MM' of financial year ``year`` (April ``year`` to March ``year + 1``)."""
    return [f"{year + (m < 4)}-{m:02d}" for m in FY_MONTHS]


def dispersion(table: np.ndarray) -> tuple[float, int]:
    """Pearson X^2 / df of a years x months table under independence (row x column / total),
    and its df; (nan, 0) when the table has one row or no counts."""
    years, months = table.shape
    total = table.sum()
    df = (years - 1) * (months - 1)
    if df == 0 or total == 0:
        return float("nan"), 0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    keep = expected > 0
    chi2 = float((((table - expected) ** 2)[keep] / expected[keep]).sum())
    return chi2 / df, df


def seasonality(counts: np.ndarray, days: np.ndarray, phi: float, df2: int) -> dict[str, float]:
    """The calendar months' counts against counts in proportion to their days (see the
    module doc): X^2, F on (11, df2) with phi as given (at least 1), and its p."""
    expected = counts.sum() * days / days.sum()
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    df1 = len(counts) - 1
    f_stat = chi2 / (df1 * phi)
    return {"chi2": chi2, "f": f_stat, "p": float(st.f.sf(f_stat, df1, df2))}


def peak_month(
    counts: np.ndarray, days: np.ndarray, phi: float, df2: int, confidence: float
) -> dict[str, Any]:
    """The highest rate a day against the next (positions in ``counts``), the rate ratio with
    its t interval and the doubled one-sided p (see the module doc)."""
    rates = counts / days
    # Highest rate first; a tie goes to the earlier month (the test then finds no peak).
    order = sorted(range(len(counts)), key=lambda i: (-rates[i], i))
    top, second = order[0], order[1]
    log_ratio = float(np.log(rates[top] / rates[second]))
    se = float(np.sqrt(phi * (1 / counts[top] + 1 / counts[second])))
    t_crit = float(st.t.ppf(1 - (1 - confidence) / 2, df2))
    p = min(1.0, 2 * float(st.t.sf(log_ratio / se, df2)))
    return {
        "top": top,
        "second": second,
        "value": float(np.exp(log_ratio)),
        "lower": float(np.exp(log_ratio - t_crit * se)),
        "upper": float(np.exp(log_ratio + t_crit * se)),
        "p": p,
    }


def compute(*, comparators: pd.DataFrame, settings: Settings, area_code: str) -> pd.DataFrame:
    """The months table of both metrics (see the module doc)."""
    rows: list[dict[str, Any]] = []
    own = comparators.loc[comparators["area_code"].astype(str) == area_code]
    for key in METRIC_KEYS:
        definition = settings.definitions.metric(key)
        series = own.loc[own["measure"].astype(str) == definition.id]
        counts = dict(zip(series["month"].astype(str), series["count"].astype(int), strict=True))
        rows += metric_rows(definition, key, counts, settings, area_code)
    table = tidy(rows)
    table["note"] = table["note"].fillna("").astype(str)
    return table


def metric_rows(
    definition: Definition,
    key: str,
    counts: Mapping[str, int],
    settings: Settings,
    area_code: str,
) -> list[dict[str, Any]]:
    confidence = confidence_of(settings)
    base = {
        "definition": definition.label,
        "definition_key": key,
        "area_code": area_code,
        "confidence": confidence,
        "source": SOURCE,
    }
    rows: list[dict[str, Any]] = []
    whole: list[int] = []
    for year in settings.window.years:
        months = window_months(year)
        held = [m for m in months if m in counts]
        for month in held:
            rows.append(_count_row(base, definition.id, MONTH_COUNT, month, counts[month],
                                   unit="offences", group="all months"))  # fmt: skip
        note = "" if len(held) == 12 else f"{len(held)} of 12 months in the series"
        if held:
            total = sum(counts[m] for m in held)
            rows.append(_count_row(base, definition.id, YEAR_TOTAL, financial_year_label(year),
                                   total, unit="offences", group="all months", note=note,
                                   months_covered=len(held)))  # fmt: skip
        if len(held) == 12:
            whole.append(year)
    if not whole:
        return rows
    period = _window_label(whole)
    table = np.array([[counts[m] for m in window_months(y)] for y in whole], dtype=float)
    days = np.array([[days_in(m) for m in window_months(y)] for y in whole], dtype=float)
    pooled, pooled_days = table.sum(axis=0), days.sum(axis=0)
    rates = rate_ci(pooled, pooled_days, 1, confidence)
    left_out = sorted(set(settings.window.years) - set(whole))
    note = (
        ""
        if not left_out
        else "left out (months missing): " + ", ".join(financial_year_label(y) for y in left_out)
    )
    for i, month in enumerate(FY_MONTHS):
        rows.append(
            {
                **base,
                "measure_id": f"{definition.id}_{CALENDAR_MONTH}",
                "period": period,
                "group": month_name(month),
                "numerator": int(pooled[i]),
                "denominator": float(pooled_days[i]),
                "value": float(rates["value"].iloc[i]),
                "lower": float(rates["lower"].iloc[i]),
                "upper": float(rates["upper"].iloc[i]),
                "unit": "a day",
                "method": "crude rate a day; exact Poisson (<10) or Byar's interval",
                "note": note,
            }
        )
    rows.append(_count_row(base, definition.id, WINDOW_TOTAL, period, int(pooled.sum()),
                           unit="offences", group="all months", note=note))  # fmt: skip
    rows += _test_rows(base, definition.id, period, table, pooled, pooled_days, settings, note)
    return rows


def _window_label(years: list[int]) -> str:
    first, last = financial_year_label(years[0]), financial_year_label(years[-1])
    return first if first == last else f"{first} to {last}"


def _count_row(
    base: Mapping[str, Any], definition_id: str, measure: str, period: str, count: int, *,
    unit: str, group: str, note: str = "", months_covered: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    row = {
        **base,
        "measure_id": f"{definition_id}_{measure}",
        "period": period,
        "group": group,
        "numerator": int(count),
        "denominator": np.nan,
        "value": float(count),
        "lower": np.nan,
        "upper": np.nan,
        "unit": unit,
        "method": "count",
        "note": note,
    }
    if months_covered is not None:
        row["months_covered"] = months_covered
    return row


def _test_rows(
    base: Mapping[str, Any],
    definition_id: str,
    period: str,
    table: np.ndarray,
    pooled: np.ndarray,
    pooled_days: np.ndarray,
    settings: Settings,
    note: str,
) -> list[dict[str, Any]]:
    """The seasonality and peak-month rows (blank, with the reason, when not tested)."""
    threshold = settings.threshold(PUBLIC)
    common = {**base, "period": period, "numerator": np.nan, "denominator": np.nan}
    reason = ""
    if table.shape[0] < MIN_YEARS:
        reason = NOT_TESTED_YEARS
    elif ((table >= 1) & (table <= threshold)).any():
        # Nothing of the months tested is hidden, so the tests' figures give nothing back
        # (the dispersion is a function of every month's count).
        reason = (
            f"{NOT_TESTED_HIDDEN} (from 1 to the disclosure threshold, {threshold}), and the "
            "tests' figures would give them back"
        )
    elif (pooled == 0).any():
        reason = NOT_TESTED_EMPTY
    if reason:
        return [
            {
                **common,
                "measure_id": f"{definition_id}_{name}",
                "group": "all months",
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "",
                "method": method,
                "note": reason,
            }  # fmt: skip
            for name, method in ((SEASONALITY, "F test"), (PEAK_MONTH, "rate ratio"))
        ]
    phi_estimate, df2 = dispersion(table)
    phi = max(1.0, phi_estimate)
    season = seasonality(pooled, pooled_days, phi, df2)
    peak = peak_month(pooled, pooled_days, phi, df2, confidence_of(settings))
    dispersion_note = f"dispersion {phi_estimate:.2f} (used {phi:.2f}) on {df2} df"
    top, second = month_name(FY_MONTHS[peak["top"]]), month_name(FY_MONTHS[peak["second"]])
    return [
        {
            **common,
            "measure_id": f"{definition_id}_{SEASONALITY}",
            "group": "all months",
            "value": season["f"],
            "lower": np.nan,
            "upper": np.nan,
            "unit": "F statistic",
            "method": "Pearson chi-square against days, over 11 x dispersion (F test)",
            "p_value": season["p"],
            "chi_square": season["chi2"],
            "dispersion": phi,
            "df": df2,
            "note": "; ".join(n for n in (dispersion_note, note) if n),
        },
        {
            **common,
            "measure_id": f"{definition_id}_{PEAK_MONTH}",
            "group": f"{top} against {second}",
            "value": peak["value"],
            "lower": peak["lower"],
            "upper": peak["upper"],
            "unit": "rate ratio (a day)",
            "method": "rate ratio, t interval with dispersion; one-sided p doubled",
            "p_value": peak["p"],
            "peak": top,
            "runner_up": second,
            "dispersion": phi,
            "df": df2,
            "note": "; ".join(n for n in (dispersion_note, note) if n),
        },
    ]
