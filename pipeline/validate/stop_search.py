"""The optional stop-and-search input: the tidy frame's contract, its data dictionary and its
validation for one area.

Unlike the other inputs, stop and search is not a contract file in the area's folder: the
edition names police.uk files (config ``stop_search.files``) and
:func:`pipeline.adapters.police_uk_stop_search.read_police_uk_stop_search` turns them into
the tidy frame, which :class:`StopSearch` checks. An edition without the key has no such input
(``pipeline.validate.kinds.optional_area_kinds``), and nothing of it appears anywhere.
The model is declarative in the style of :mod:`pipeline.validate.schemas`: its fields carry the
descriptions and allowed values that :func:`dictionary_markdown` writes into
``docs/data-dictionary.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

from pipeline.adapters.police_uk_stop_search import (
    ADAPTER,
    AGE_RANGES,
    CENSUS_GROUPS,
    GENDERS,
    LAYOUTS,
    NOT_RECORDED,
    NOT_STATED,
    OFFICER_DEFINED,
    OLDER,
    OLDER_OUTCOMES,
    REASON_NO_LOCATION,
    REASON_OUTSIDE,
    SEARCH_TYPES,
    SELF_DEFINED_TO_CENSUS,
    WEEKDAYS,
    read_police_uk_stop_search,
)
from pipeline.runtime import UserFacingError
from pipeline.settings import Settings
from pipeline.validate.result import ValidationResult

KIND = "stop_search"
_LONDON = Annotated[pd.DatetimeTZDtype, "ns", "Europe/London"]


def _one_of(values: Iterable[str], **kwargs: Any) -> Any:
    return pa.Field(isin=list(values), **kwargs)


class StopSearch(pa.DataFrameModel):
    """One row per search (person or vehicle) in the area, from police.uk stop-and-search
    files, in local time. Police activity: who was searched, not who was harmed."""

    source: Series[str] = pa.Field(description="File the search was read from.")
    source_line: Series[int] = pa.Field(ge=2, description="Line of the search in that file.")
    layout: Series[str] = _one_of(
        (layout.name for layout in LAYOUTS), description="Column layout of the file."
    )
    search_type: Series[str] = _one_of((*SEARCH_TYPES, NOT_RECORDED), description="police.uk Type.")
    datetime_local: Series[_LONDON] = pa.Field(
        coerce=True, description="police.uk Date (UTC) in Europe/London local time (BST in summer)."
    )
    date: Series[pa.DateTime] = pa.Field(coerce=True, description="Local date.")
    hour: Series[int] = pa.Field(
        in_range={"min_value": 0, "max_value": 23}, description="Local hour (0-23)."
    )
    weekday: Series[str] = _one_of(WEEKDAYS, description="Local day of the week.")
    age_range: Series[str] = _one_of((*AGE_RANGES, NOT_RECORDED), description="Age range.")
    gender: Series[str] = _one_of((*GENDERS, NOT_RECORDED), description="Gender.")
    self_defined_ethnicity: Series[str] = _one_of(
        CENSUS_GROUPS,
        description="Self-defined ethnicity as a Census 2021 high-level group (table below).",
    )
    self_defined_ethnicity_published: Series[str] = pa.Field(
        description="Self-defined ethnicity as published (empty when not given)."
    )
    officer_defined_ethnicity: Series[str] = _one_of(
        (*OFFICER_DEFINED, NOT_STATED),
        description="Officer-defined ethnicity (Not stated when empty).",
    )
    legislation: Series[str] = pa.Field(description="Power used (Not recorded when empty).")
    object_of_search: Series[str] = pa.Field(description="What was searched for.")
    outcome: Series[str] = pa.Field(
        description="Outcome in the current wording (older-layout outcomes reworded)."
    )
    outcome_published: Series[str] = pa.Field(description="Outcome as published.")
    outcome_linked: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        description="Outcome linked to object of search (empty: not said; older layout: not "
        "published).",
    )
    removal_more_than_outer: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, description="Removal of more than just outer clothing."
    )

    @pa.dataframe_check(name="hour, date and weekday are those of datetime_local")
    def _clock_agrees(cls, df: pd.DataFrame) -> pd.Series:
        local = pd.to_datetime(df["datetime_local"])
        weekday = pd.Series([WEEKDAYS[d] for d in local.dt.day_of_week], index=df.index)
        return (
            (local.dt.hour == df["hour"])
            & (local.dt.tz_localize(None).dt.normalize() == pd.to_datetime(df["date"]))
            & (weekday == df["weekday"])
        )

    @pa.dataframe_check(name="the older layout publishes no outcome link or removal flag")
    def _older_has_no_flags(cls, df: pd.DataFrame) -> pd.Series:
        older = df["layout"] == OLDER.name
        return ~older | (df["outcome_linked"].isna() & df["removal_more_than_outer"].isna())

    class Config:
        strict = True
        metadata = {
            "input": KIND,
            "file": "police.uk files named in config stop_search.files",
            "title": "Stop and search (optional)",
        }


def check_stop_search(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, checked against :class:`StopSearch`; one line per broken rule otherwise."""
    try:
        return StopSearch.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases.copy()
        # A check over whole rows is reported once, not once for every column it read.
        whole_row = cases["schema_context"] == "DataFrameSchema"
        cases.loc[whole_row, "column"] = "(row)"
        cases = cases.drop_duplicates(["column", "check", "index"])
        lines = []
        for (column, check), rows in cases.groupby(["column", "check"], dropna=False, sort=True):
            where = rows["index"].dropna().astype(int).head(3).tolist()
            at = [
                f"{frame.loc[i, 'source']} line {frame.loc[i, 'source_line']}"
                for i in where
                if i in frame.index and "source" in frame
            ]
            found = sorted({str(v) for v in rows["failure_case"].head(3)})
            # A row check's failure cases are whole rows; a missing or extra column is named.
            shown = "" if column == "(row)" and rows["index"].notna().any() else f"; found {found}"
            lines.append(
                f"stop_search (tidy frame of {ADAPTER}): column {column}: rule '{check}' "
                f"broken ({len(rows)} rows{'; ' + ', '.join(at) if at else ''}{shown})"
            )
        raise UserFacingError("\n".join(lines)) from None


def validate_stop_search(
    files: Sequence[str | Path],
    *,
    boundaries: Any | None,
    settings: Settings,
) -> ValidationResult:
    """The area's searches from the configured police.uk files (kept by point in polygon with
    the area's validated LSOA boundaries, or all of them when ``settings.stop_search`` says the
    files are the area's), the rows excluded and the reconciliation: rows read = rows used +
    rows excluded by reason."""
    options = settings.stop_search
    if options is None:
        raise ValueError("validate_stop_search: the configuration has no stop_search key")
    result = read_police_uk_stop_search(
        files, area=boundaries, files_are_the_area=options.files_are_the_area
    )
    frame = check_stop_search(result.frame)
    excluded = result.excluded
    by_reason = excluded.groupby("reason")["rows"].sum()
    counts = [
        ("excluded", reason, int(by_reason.get(reason, 0)))
        for reason in (REASON_NO_LOCATION, REASON_OUTSIDE)
    ]
    older = int((frame["layout"] == OLDER.name).sum())
    rows_read = len(frame) + sum(count for _, _, count in counts)
    table = pd.DataFrame(
        [
            (KIND, "read", "rows read", rows_read),
            (KIND, "used", "rows used", len(frame)),
            *((KIND, category, reason, count) for category, reason, count in counts),
            (KIND, "kept", "older layout: outcomes reworded, no outcome link", older),
        ],
        columns=["input", "category", "reason", "rows"],
    )
    table["rows"] = table["rows"].astype("int64")
    return ValidationResult(frame=frame, reconciliation=table, excluded=excluded)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def dictionary_markdown(number: int) -> str:
    """The data dictionary's section on the stop-and-search frame, from :class:`StopSearch`
    and the adapter's mapping tables."""
    schema = StopSearch.to_schema()
    meta: Mapping[str, str] = StopSearch.__config__.metadata or {}
    out = [
        f"## {number}. {meta['title']}: {meta['file']} (input `{KIND}`)\n",
        " ".join((StopSearch.__doc__ or "").split())
        + f" Read by `{ADAPTER}`; the edition has this input only when its configuration "
        "has the `stop_search` key.\n",
        _row(["column", "type", "required", "allowed values", "description"]),
        "|---|---|---|---|---|",
    ]
    for name, column in schema.columns.items():
        allowed = "; ".join(
            ", ".join(map(str, check.statistics.get("allowed_values", ())))
            or (
                f"{check.statistics['min_value']} to {check.statistics['max_value']}"
                if "min_value" in check.statistics and "max_value" in check.statistics
                else f"{check.statistics.get('min_value', '')} or more"
            )
            for check in column.checks
        )
        required = "no (may be empty)" if column.nullable else "yes"
        dtype = "text" if "str" in str(column.dtype) else str(column.dtype)
        out.append(_row([f"`{name}`", dtype, required, allowed, column.description or ""]))
    out.append("")
    out.append("Rules across columns (stop): " + "; ".join(c.name for c in schema.checks) + ".\n")
    out.append(
        f"Excluded and counted: '{REASON_NO_LOCATION}' and '{REASON_OUTSIDE}' (unless "
        "`stop_search.files_are_the_area`). Every other rule broken stops the run naming "
        "the file, its lines, the column and the layout.\n"
    )
    out.append(
        "Self-defined ethnicity -> Census 2021 high-level group, by the text before "
        "' - ' (a 'Not stated' category or an empty cell is Not stated; a Chinese "
        "category is Asian):\n"
    )
    out += [_row(["published group", "Census 2021 group"]), "|---|---|"]
    out += [_row([k, v]) for k, v in SELF_DEFINED_TO_CENSUS.items()]
    out.append("")
    out.append("Older-layout outcomes in the current wording:\n")
    out += [_row(["older layout", "current wording"]), "|---|---|"]
    out += [_row([k, v]) for k, v in OLDER_OUTCOMES.items()]
    return "\n".join(out) + "\n"
