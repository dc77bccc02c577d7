"""The school calendar and the days of a financial year: which days are school days.

Shared by the families that compare school days with other days (timing, stop and search).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A school calendar must reach within this many days of each end of the financial year.
CALENDAR_SLACK_DAYS = 31


def financial_year_days(year: int) -> pd.DatetimeIndex:
    """Every date from 1 April ``year`` to 31 March ``year + 1``."""
    return pd.date_range(f"{year}-04-01", f"{year + 1}-03-31", freq="D")


class CalendarGap(ValueError):
    """The school calendar does not cover the year asked about."""


def school_day_flags(calendar: pd.DataFrame, days: pd.DatetimeIndex) -> pd.Series:
    """True for weekdays inside a term range and outside every INSET or bank-holiday range.

    Raises ValueError when the calendar does not span the days asked about (uncovered
    months would otherwise count silently as non-school days).
    """
    starts = pd.to_datetime(calendar["start_date"]).dt.normalize()
    ends = pd.to_datetime(calendar["end_date"]).dt.normalize()
    terms = calendar["day_type"] == "term"
    if not terms.any():
        raise ValueError("school_calendar: no rows with day_type 'term' (column day_type)")
    first_needed = days.min() + pd.Timedelta(days=CALENDAR_SLACK_DAYS)
    last_needed = days.max() - pd.Timedelta(days=CALENDAR_SLACK_DAYS)
    if starts.min() > first_needed or ends.max() < last_needed:
        raise CalendarGap(
            f"school_calendar: its dates run from {starts.min().date()} to {ends.max().date()} "
            f"but the year analysed runs from {days.min().date()} to {days.max().date()} "
            "(columns start_date/end_date; rule: the calendar covers the whole financial year)"
        )
    values = days.to_numpy()[:, None]

    def inside(mask: pd.Series) -> np.ndarray:
        lo, hi = starts[mask].to_numpy()[None, :], ends[mask].to_numpy()[None, :]
        return ((values >= lo) & (values <= hi)).any(axis=1)

    in_term = inside(terms)
    closed = inside(calendar["day_type"].isin(["inset", "bank_holiday"]))
    weekday = days.day_of_week < 5
    return pd.Series(in_term & ~closed & weekday, index=days, name="school_day")
