"""How the reports print numbers, intervals, dates and financial years: one set of formatters
for every table and sentence the render stage writes.

Missing values print as a dash ('–') in tables; infinity (an interval with no upper limit)
as 'no limit'.
"""

from __future__ import annotations

import math
from datetime import date

#: What a missing value prints as in a table.
DASH = "–"


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA and empty strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() in ("nan", "<na>", "none")
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_count(value: object) -> str:
    """A whole number with thousands separators ('1,234'); a dash when missing."""
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    if not number.is_integer():
        return f"{number:,.1f}"
    return f"{int(number):,}"


def fmt_number(value: object, decimals: int = 1) -> str:
    """A number with fixed decimals and thousands separators; 'no limit' for infinity."""
    if is_missing(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return "no limit"
    return f"{number:,.{decimals}f}"


def fmt_percent(value: object, decimals: int = 0) -> str:
    """A proportion (0-1) as a percentage."""
    if is_missing(value):
        return DASH
    return f"{float(value):.{decimals}%}"  # type: ignore[arg-type]


def fmt_interval(lower: object, upper: object, decimals: int = 1, percent: bool = False) -> str:
    """'12.3 to 45.6' (or percentages); a dash when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return DASH
    if percent:
        return f"{fmt_percent(lower, decimals)} to {fmt_percent(upper, decimals)}"
    return f"{fmt_number(lower, decimals)} to {fmt_number(upper, decimals)}"


def decimals_for_unit(unit: str) -> int:
    """How many decimals a measure's value is printed with, from its unit: proportions 3,
    ratios and test statistics 2, rates and everything else 1."""
    unit = unit.lower()
    if "proportion" in unit or "share" in unit:
        return 3
    if "ratio" in unit or "z-score" in unit or "chi-square" in unit or "gini" in unit:
        return 2
    return 1


def fmt_csv_value(value: str, kind: str) -> str:
    """A value of a published CSV as a report table prints it: thousands separators for the
    numeric kinds, with the CSV's own decimals kept; a dash for ''; 'no limit' for infinity;
    any other text (and the '[c]' of a hidden value) as it is."""
    text = str(value).strip()
    if text == "":
        return DASH
    if kind not in ("count", "population", "number", "rate", "share", "ratio"):
        return text
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text
    if math.isinf(number):
        return "no limit"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{number:,.{decimals}f}"


def fmt_file_size(size: int) -> str:
    """A file's size in bytes as the index pages print it: '512 bytes', '14 KB', '2.3 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def long_date(day: date) -> str:
    """A date as the reports print it: '1 March 2025'."""
    return f"{day.day} {day:%B %Y}"


def month_label(month: str) -> str:
    """A 'YYYY-MM' month as the reports print it: '2022-09' -> 'September 2022'."""
    return f"{date(int(month[:4]), int(month[5:7]), 1):%B %Y}"


def financial_year_label(start_year: int) -> str:
    """Label a financial year by its start year: 2024 -> '2024-25'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


#: The days of the week, Monday first (pandas' day_of_week order).
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
