"""Vocabularies, value parsers and keep-and-count rules shared by the input schemas.

Parsing is done here, before pandera, so that a value that is not a number, a date or a time is
reported against its own source line (pandera reports a failed coercion without row numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from pipeline.settings import Settings

# --- Vocabularies (docs/data-contracts.md) -------------------------------------------------

OFFENCE_GROUPS = [
    "Homicide",
    "Violence with injury",
    "Violence without injury",
    "Robbery",
    "Sexual offences",
    "Possession of weapons",
]
WEAPONS = ["Knife or sharp instrument", "Firearm", "Other weapon", "None", "Unknown"]
VICTIM_SEXES = ["Male", "Female", "Not stated"]
NOT_STATED = "Not stated"
#: Census 2021 high-level ethnic groups.
ETHNIC_GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
VICTIM_ETHNICITIES = [*ETHNIC_GROUPS, NOT_STATED]
#: Police officer-defined IC codes -> Census 2021 high-level group (docs/data-contracts.md).
#: IC codes have no Mixed category, so rates by ethnicity from IC-coded extracts carry a caveat.
IC_CODE_TO_GROUP: dict[str, str] = {
    "IC1": "White",  # White North European
    "IC2": "White",  # White South European
    "IC3": "Black",
    "IC4": "Asian",
    "IC5": "Asian",  # Chinese, Japanese or South East Asian
    "IC6": "Other",  # Arab or North African
    "IC9": NOT_STATED,  # unknown
    "IC0": NOT_STATED,  # unknown
}
IC_CODE_LABELS: dict[str, str] = {
    "IC1": "White North European",
    "IC2": "White South European",
    "IC3": "Black",
    "IC4": "Asian",
    "IC5": "Chinese, Japanese or South East Asian",
    "IC6": "Arab or North African",
    "IC9": "Unknown",
    "IC0": "Unknown",
}
ETHNICITY_SCHEMES = ("census2021", "ic_code")
POPULATION_SEXES = ["Male", "Female", "All"]
POPULATION_ETHNICITIES = ["All", *ETHNIC_GROUPS]
#: Number of LSOAs ranked in each Indices of Deprivation edition (rank 1 = most deprived).
IMD_LSOA_COUNT: dict[str, int] = {"IoD2019": 32844, "IoD2025": 33755}
DAY_TYPES = ["term", "inset", "bank_holiday"]
STRATEGY_DOMAINS = ["Strengthen", "Support", "Treat", "Curtail"]
ACTION_STATUSES = ["Not started", "On track", "At risk", "Complete"]
#: DfE Get Information About Schools "PhaseOfEducation (name)" values.
SCHOOL_PHASES = [
    "Nursery",
    "Primary",
    "Middle deemed primary",
    "Middle deemed secondary",
    "Secondary",
    "All-through",
    "16 plus",
    "Not applicable",
]

# --- Code patterns ----------------------------------------------------------------------------

#: ONS GSS codes of local authorities (E06-E09), counties (E10, E11) and regions (E12).
LA_CODE = r"^E(0[6-9]|1[0-2])\d{6}$"
LSOA_CODE = r"^E01\d{6}$"
#: Electoral ward (E05), or MSOA (E02) where a public build has no ward lookup and uses the
#: middle-layer super output area as the level above the LSOA (config/public.yaml).
WARD_CODE = r"^E0[25]\d{6}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

# --- Value formats --------------------------------------------------------------------------

Format = Literal["text", "whole number", "number", "date", "time", "Y/N"]
FORMAT_HELP: dict[str, str] = {
    "text": "text",
    "whole number": "a whole number",
    "number": "a number",
    "date": "a date written YYYY-MM-DD or in a day-first format set in config",
    "time": "a time written HH:MM (24-hour clock)",
    "Y/N": "Y or N",
}

_WHOLE = r"^[+-]?\d+(\.0+)?$"
_THOUSANDS = r"^\d{1,3}(,\d{3})+(\.0+)?$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_TIME = r"^([01]?\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$"


def parse_values(
    raw: pd.Series, fmt: Format, *, date_formats: Iterable[str]
) -> tuple[pd.Series, pd.Series]:
    """Typed values of a text column and a mask of non-empty values that could not be read.

    Empty cells become missing values (never failures: whether a value is required is a rule
    of the schema). Dates are tried in the order of ``date_formats``; times become ``HH:MM``.
    """
    text = raw.astype("str")
    empty = text.isna() | (text == "")
    present = text.where(~empty)
    if fmt == "text":
        return present.astype("str"), pd.Series(False, index=raw.index)
    if fmt == "whole number":
        typed = _parse_whole(present)
    elif fmt == "number":
        typed = _parse_number(present)
    elif fmt == "date":
        typed = parse_dates(present, date_formats)
    elif fmt == "time":
        typed = _parse_time(present)
    elif fmt == "Y/N":
        typed = present.map({"Y": True, "N": False}).astype("boolean")
    else:
        raise ValueError(f"unknown value format {fmt!r}")
    bad = ~empty & typed.isna()
    return typed, bad


def _parse_whole(present: pd.Series) -> pd.Series:
    """Whole numbers; Excel artefacts '12.0' and '1,234' are read as 12 and 1234."""
    ok = present.str.fullmatch(_WHOLE, na=False) | present.str.fullmatch(_THOUSANDS, na=False)
    cleaned = present.where(ok).str.replace(",", "", regex=False)
    return pd.to_numeric(cleaned, errors="coerce").astype("Int64")


def _parse_number(present: pd.Series) -> pd.Series:
    """Finite decimal numbers ('nan' and 'inf' are not numbers here)."""
    ok = present.str.fullmatch(_NUMBER, na=False) | present.str.fullmatch(_THOUSANDS, na=False)
    cleaned = present.where(ok).str.replace(",", "", regex=False)
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def parse_dates(present: pd.Series, date_formats: Iterable[str]) -> pd.Series:
    """Dates in the first of ``date_formats`` each value matches exactly (NaT otherwise)."""
    result = pd.Series(pd.NaT, index=present.index, dtype="datetime64[ns]")
    for date_format in date_formats:
        todo = result.isna() & present.notna()
        if not todo.any():
            break
        parsed = pd.to_datetime(present[todo], format=date_format, errors="coerce")
        result.loc[todo] = parsed.astype("datetime64[ns]")
    return result


def _parse_time(present: pd.Series) -> pd.Series:
    """Times as zero-padded 'HH:MM' (seconds, which Excel adds, are dropped)."""
    parts = present.str.extract(_TIME)
    hours = pd.to_numeric(parts[0], errors="coerce").astype("Int64")
    minutes = parts[1]
    formatted = hours.astype("str").str.zfill(2) + ":" + minutes
    return formatted.where(hours.notna()).astype("str")


def decile_of_rank(rank: pd.Series | np.ndarray | int, lsoa_count: int) -> Any:
    """IMD decile of a rank (1 = most deprived): ceil(10 * rank / number of LSOAs ranked).

    This is MHCLG's "ten equal groups" rule; it reproduces every decile of the IoD2019 File 1
    (checked in tests against the published file).
    """
    return (np.asarray(rank, dtype="int64") * 10 + lsoa_count - 1) // lsoa_count


# --- The reporting window ---------------------------------------------------------------------


def window_bounds(settings: Settings) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the reporting window (1 April of the first financial year to
    31 March after the last)."""
    window = settings.window
    first = pd.Timestamp(year=window.first, month=4, day=1)
    last = pd.Timestamp(year=window.last + 1, month=3, day=31)
    return first, last


def window_months(settings: Settings) -> list[str]:
    """Every month of the window as 'YYYY-MM', oldest first."""
    first, last = window_bounds(settings)
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def financial_year(dates: pd.Series) -> pd.Series:
    """Financial year (April-March) of each date, by the calendar year it starts in."""
    years = dates.dt.year.astype("Int64")
    return years.where(dates.dt.month >= 4, years - 1)


def measure_ids(settings: Settings) -> list[str]:
    """Measure ids defined in config (``definitions.<name>.id``), sorted."""
    return sorted(definition.id for definition in settings.definitions.metrics.values())


def ethnicity_vocabulary(scheme: str) -> list[str]:
    """The values a victim's ethnicity may take under the configured scheme."""
    if scheme == "census2021":
        return list(VICTIM_ETHNICITIES)
    if scheme == "ic_code":
        return list(IC_CODE_TO_GROUP)
    raise ValueError(f"ethnicity_scheme must be one of {ETHNICITY_SCHEMES}, not {scheme!r}")


def ethnicity_group(values: pd.Series, scheme: str) -> pd.Series:
    """Census 2021 high-level group of each recorded ethnicity (IC codes mapped)."""
    if scheme == "ic_code":
        return values.map(IC_CODE_TO_GROUP).astype("str")
    return values.astype("str")


# --- Keep-and-count rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class RuleContext:
    """What keep-and-count rules need to know beyond the rows themselves."""

    window_start: pd.Timestamp
    window_end: pd.Timestamp
    window_months: frozenset[str]
    area_lsoas: frozenset[str] | None
    ethnicity_scheme: str


Mask = Callable[[pd.DataFrame, RuleContext], pd.Series]


@dataclass(frozen=True)
class KeepRule:
    """A problem the SNA can live with: the row is kept under a category, or excluded.

    ``kind`` is ``"keep"`` (row used, counted under ``reason``) or ``"exclude"`` (row left out
    of the analysis, listed in the excluded rows with ``reason``). Exclusions are applied in
    order and the first that matches gives a row its reason.
    """

    column: str
    reason: str
    kind: Literal["keep", "exclude"]
    when: str
    applies: Mask
    needs_area: bool = False


def outside_window(column: str) -> Mask:
    """Rows whose date in ``column`` falls outside the reporting window."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        dates = frame[column]
        return dates.notna() & ((dates < ctx.window_start) | (dates > ctx.window_end))

    return mask


def month_outside_window(column: str) -> Mask:
    """Rows whose 'YYYY-MM' month in ``column`` is not a month of the window."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        return frame[column].notna() & ~frame[column].isin(ctx.window_months)

    return mask


def outside_area(column: str) -> Mask:
    """Rows with an LSOA that is not one of the area's LSOAs (only when the area is known)."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        if ctx.area_lsoas is None:
            return pd.Series(False, index=frame.index)
        return frame[column].notna() & ~frame[column].isin(ctx.area_lsoas)

    return mask


def is_missing(column: str) -> Mask:
    """Rows where ``column`` is empty."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        return frame[column].isna()

    return mask


def any_missing(*columns: str) -> Mask:
    """Rows where any of ``columns`` is empty."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        return frame[list(columns)].isna().any(axis=1)

    return mask


def equals(column: str, value: str) -> Mask:
    """Rows where ``column`` holds ``value``."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        return (frame[column] == value).fillna(False).astype(bool)

    return mask


def ethnicity_not_stated(column: str) -> Mask:
    """Rows whose ethnicity maps to 'Not stated' under the configured scheme."""

    def mask(frame: pd.DataFrame, ctx: RuleContext) -> pd.Series:
        groups = ethnicity_group(frame[column], ctx.ethnicity_scheme)
        return (groups == NOT_STATED).fillna(False).astype(bool)

    return mask
