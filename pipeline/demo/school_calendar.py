"""A realistic English school calendar for the demo, April 2020 to July 2025.

Terms and half terms follow the usual London pattern (six half terms a year, about 195 days
open, five INSET days, so about 190 school days); the bank holidays are the real England and
Wales bank holidays 2020-2025, including the one-off ones (VE Day moved to 8 May 2020, the
Platinum Jubilee, the State Funeral of Queen Elizabeth II and the Coronation).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: England and Wales bank holidays, 2020-2025 (substitute days where the date fell at a weekend).
BANK_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("2020-01-01", "New Year's Day"),
    ("2020-04-10", "Good Friday"),
    ("2020-04-13", "Easter Monday"),
    ("2020-05-08", "Early May bank holiday (VE Day)"),
    ("2020-05-25", "Spring bank holiday"),
    ("2020-08-31", "Summer bank holiday"),
    ("2020-12-25", "Christmas Day"),
    ("2020-12-28", "Boxing Day (substitute day)"),
    ("2021-01-01", "New Year's Day"),
    ("2021-04-02", "Good Friday"),
    ("2021-04-05", "Easter Monday"),
    ("2021-05-03", "Early May bank holiday"),
    ("2021-05-31", "Spring bank holiday"),
    ("2021-08-30", "Summer bank holiday"),
    ("2021-12-27", "Christmas Day (substitute day)"),
    ("2021-12-28", "Boxing Day (substitute day)"),
    ("2022-01-03", "New Year's Day (substitute day)"),
    ("2022-04-15", "Good Friday"),
    ("2022-04-18", "Easter Monday"),
    ("2022-05-02", "Early May bank holiday"),
    ("2022-06-02", "Spring bank holiday"),
    ("2022-06-03", "Platinum Jubilee bank holiday"),
    ("2022-08-29", "Summer bank holiday"),
    ("2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"),
    ("2022-12-26", "Boxing Day"),
    ("2022-12-27", "Christmas Day (substitute day)"),
    ("2023-01-02", "New Year's Day (substitute day)"),
    ("2023-04-07", "Good Friday"),
    ("2023-04-10", "Easter Monday"),
    ("2023-05-01", "Early May bank holiday"),
    ("2023-05-08", "Bank holiday for the coronation of King Charles III"),
    ("2023-05-29", "Spring bank holiday"),
    ("2023-08-28", "Summer bank holiday"),
    ("2023-12-25", "Christmas Day"),
    ("2023-12-26", "Boxing Day"),
    ("2024-01-01", "New Year's Day"),
    ("2024-03-29", "Good Friday"),
    ("2024-04-01", "Easter Monday"),
    ("2024-05-06", "Early May bank holiday"),
    ("2024-05-27", "Spring bank holiday"),
    ("2024-08-26", "Summer bank holiday"),
    ("2024-12-25", "Christmas Day"),
    ("2024-12-26", "Boxing Day"),
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
)

#: Half-term blocks (name, first day, last day). The gaps between them are the holidays.
TERM_BLOCKS: tuple[tuple[str, str, str], ...] = (
    ("summer1", "2020-04-20", "2020-05-22"),
    ("summer2", "2020-06-01", "2020-07-22"),
    ("autumn1", "2020-09-01", "2020-10-23"),
    ("autumn2", "2020-11-02", "2020-12-18"),
    ("spring1", "2021-01-04", "2021-02-12"),
    ("spring2", "2021-02-22", "2021-03-31"),
    ("summer1", "2021-04-19", "2021-05-28"),
    ("summer2", "2021-06-07", "2021-07-22"),
    ("autumn1", "2021-09-01", "2021-10-22"),
    ("autumn2", "2021-11-01", "2021-12-17"),
    ("spring1", "2022-01-04", "2022-02-11"),
    ("spring2", "2022-02-21", "2022-04-01"),
    ("summer1", "2022-04-19", "2022-05-27"),
    ("summer2", "2022-06-06", "2022-07-21"),
    ("autumn1", "2022-09-01", "2022-10-21"),
    ("autumn2", "2022-10-31", "2022-12-16"),
    ("spring1", "2023-01-04", "2023-02-10"),
    ("spring2", "2023-02-20", "2023-03-31"),
    ("summer1", "2023-04-17", "2023-05-26"),
    ("summer2", "2023-06-05", "2023-07-21"),
    ("autumn1", "2023-09-04", "2023-10-20"),
    ("autumn2", "2023-10-30", "2023-12-20"),
    ("spring1", "2024-01-04", "2024-02-09"),
    ("spring2", "2024-02-19", "2024-03-28"),
    ("summer1", "2024-04-15", "2024-05-24"),
    ("summer2", "2024-06-03", "2024-07-23"),
    ("autumn1", "2024-09-03", "2024-10-25"),
    ("autumn2", "2024-11-04", "2024-12-20"),
    ("spring1", "2025-01-06", "2025-02-14"),
    ("spring2", "2025-02-24", "2025-04-04"),
    ("summer1", "2025-04-22", "2025-05-23"),
    ("summer2", "2025-06-02", "2025-07-22"),
)

#: INSET (training) days per half-term block, taken from its first weekdays: five a year.
INSET_DAYS_PER_BLOCK: dict[str, int] = {"autumn1": 2, "autumn2": 1, "spring1": 1, "summer2": 1}


def _weekdays_from(start: dt.date, count: int) -> list[dt.date]:
    """The first ``count`` weekdays on or after ``start``."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def inset_days() -> list[dt.date]:
    """INSET days: the first weekdays of selected half-term blocks (five a school year)."""
    days: list[dt.date] = []
    for name, start, _ in TERM_BLOCKS:
        days.extend(_weekdays_from(dt.date.fromisoformat(start), INSET_DAYS_PER_BLOCK.get(name, 0)))
    return days


def calendar_frame() -> pd.DataFrame:
    """The school calendar in the contract: ``start_date, end_date, day_type``, sorted."""
    rows = [(start, end, "term") for _, start, end in TERM_BLOCKS]
    rows += [(d.isoformat(), d.isoformat(), "inset") for d in inset_days()]
    rows += [(d, d, "bank_holiday") for d, _ in BANK_HOLIDAYS]
    frame = pd.DataFrame(rows, columns=["start_date", "end_date", "day_type"])
    return frame.sort_values(["start_date", "day_type"], kind="stable").reset_index(drop=True)


def school_day_mask(days: np.ndarray) -> np.ndarray:
    """True for school days: weekdays inside a term block, not INSET days or bank holidays.

    ``days`` is an array of ``datetime64[D]``; the rule is the one in docs/data-contracts.md.
    """
    in_term = np.zeros(days.shape, dtype=bool)
    for _, start, end in TERM_BLOCKS:
        in_term |= (days >= np.datetime64(start)) & (days <= np.datetime64(end))
    closed = np.array(
        [np.datetime64(d.isoformat()) for d in inset_days()]
        + [np.datetime64(d) for d, _ in BANK_HOLIDAYS]
    )
    return in_term & (weekday_index(days) < 5) & ~np.isin(days, closed)


def weekday_index(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 for ``datetime64[D]`` days (1970-01-01 was a Thursday)."""
    return (days.astype("datetime64[D]").view("int64") + 3) % 7
