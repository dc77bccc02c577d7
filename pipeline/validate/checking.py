"""Checking one input against its contract: header, value types, pandera rules, keep rules.

The steps, each reporting by source line:

1. header: every contract column present once, no unknown column (Stop);
2. blank records: excluded as 'empty row' (counted); an input with no other rows stops;
3. value types: numbers, dates, times and Y/N flags parsed here (Stop on unreadable values);
4. pandera, lazily: field rules, uniqueness and cross-field rules (Stop);
5. keep-and-count rules: rows excluded with a reason, or kept under a counted category.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.settings import Settings
from pipeline.validate import rules as r
from pipeline.validate.errors import Problem, ProblemsFound
from pipeline.validate.readers import RawTable, RecordText
from pipeline.validate.schemas import (
    EMPTY_ROW_REASON,
    MODELS,
    input_metadata,
    keep_rules,
    lookup_cross_field_rule,
    personal_inputs,
)


@dataclass
class Checked:
    """An input that passed every Stop rule, split into used and excluded rows."""

    used: pd.DataFrame  # typed contract columns, index = position in the raw table
    excluded: pd.DataFrame  # source_line, reason, contract columns as read (text)
    reconciliation: pd.DataFrame  # input, category, reason, rows
    lines: np.ndarray  # source line of every raw record, by position (int64)


#: Rows parsed at a time (see _parse_in_slices).
PARSE_ROWS = 200_000


# --- Contract metadata ------------------------------------------------------------------------


def contract_columns(kind: str) -> list[str]:
    """The contract columns of an input, in contract order."""
    return list(MODELS[kind].to_schema().columns)


def column_meta(kind: str, column: str) -> dict[str, Any]:
    """The metadata a contract column carries (format, rule, fix, ...)."""
    return dict(MODELS[kind].to_schema().columns[column].metadata or {})


def runtime_schema(kind: str, settings: Settings) -> pa.DataFrameSchema:
    """The input's pandera schema with the value lists that come from config filled in."""
    schema = MODELS[kind].to_schema()
    if kind == "victims":
        vocabulary = r.ethnicity_vocabulary(settings.ethnicity_scheme)
        schema = schema.update_column("victim_ethnicity", checks=[pa.Check.isin(vocabulary)])
    elif kind in ("comparators", "lsoa_counts"):
        schema = schema.update_column("measure", checks=[pa.Check.isin(r.measure_ids(settings))])
    return schema


def runtime_fix(kind: str, column: str, settings: Settings) -> str | None:
    """What to do about a bad value, worded with the config in force."""
    if kind == "victims" and column == "victim_ethnicity":
        scheme = settings.ethnicity_scheme
        allowed = ", ".join(r.ethnicity_vocabulary(scheme))
        other = "ic_code" if scheme == "census2021" else "census2021"
        return (
            f"victim_ethnicity must be one of: {allowed} (config ethnicity_scheme: {scheme}; "
            f"set it to {other} if the extract uses the other coding)."
        )
    if kind in ("comparators", "lsoa_counts") and column == "measure":
        return (
            "measure must be one of the measure ids defined in config: "
            + ", ".join(r.measure_ids(settings))
            + "."
        )
    return column_meta(kind, column).get("fix")


def human_date_formats(date_formats: list[str]) -> str:
    """strftime patterns as people write them: '%d/%m/%Y' -> 'DD/MM/YYYY'."""
    swaps = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%y": "YY"}
    shown = []
    for date_format in date_formats:
        for code, text in swaps.items():
            date_format = date_format.replace(code, text)
        shown.append(date_format)
    return " or ".join(shown)


# --- 1. Header --------------------------------------------------------------------------------


def check_header(raw: RawTable, kind: str, file: str) -> list[str]:
    """Stop on missing, unknown or repeated columns; return the contract columns present."""
    columns = contract_columns(kind)
    header = raw.header
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise ProblemsFound(
            [
                Problem(
                    input=kind,
                    file=file,
                    rule="values separated by commas",
                    lines=[1],
                    values=[header[0]],
                    detail="the header (line 1) is one column: the file does "
                    "not use commas between values",
                    fix="Save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
                )
            ]
        )
    if kind in personal_inputs() and not any(c in columns or _closest(c, columns) for c in header):
        raise ProblemsFound([_not_a_header(kind, file, header, columns)])
    problems: list[Problem] = []
    for name in sorted({c for c in header if c and header.count(c) > 1}):
        problems.append(
            Problem(
                input=kind,
                file=file,
                column=name,
                rule="each column appears once",
                lines=[1],
                values=[name],
                detail=f"the header (line 1) names it {header.count(name)} times",
                fix="Remove or rename the repeated column.",
            )
        )
    for position, name in enumerate(header):
        if name == "" and (raw.frame.iloc[:, position] != "").any():
            problems.append(
                Problem(
                    input=kind,
                    file=file,
                    rule="every column has a name",
                    lines=[1],
                    values=[f"column {position + 1}"],
                    detail=f"column {position + 1} has values but no name in the header (line 1)",
                    fix="Name the column or delete it.",
                )
            )
    missing = [
        c for c in columns if c not in header and not column_meta(kind, c).get("optional_column")
    ]
    unknown = [c for c in header if c and c not in columns]
    for name in unknown:
        guess = _closest(name, missing)
        problems.append(
            Problem(
                input=kind,
                file=file,
                column=name,
                rule="no unknown columns",
                lines=[1],
                values=[name],
                detail="the header (line 1) has a column the contract does not define",
                fix=(
                    f"Rename it to '{guess}'."
                    if guess
                    else "Remove it, or rename it to a contract column: " + ", ".join(columns) + "."
                ),
            )
        )
    for name in missing:
        guess = _closest(name, unknown)
        problems.append(
            Problem(
                input=kind,
                file=file,
                column=name,
                rule="required column present",
                lines=[1],
                values=[name],
                detail=f"the header (line 1) has no column '{name}'",
                fix=(
                    f"Is '{guess}' meant to be '{name}'? Rename it."
                    if guess
                    else "Add the column (its cells may be empty where values are optional)."
                ),
            )
        )
    if problems:
        raise ProblemsFound(problems)
    return [c for c in columns if c in header]


def _not_a_header(kind: str, file: str, header: list[str], columns: list[str]) -> Problem:
    """Line 1 names none of the contract columns, not even misspelt: it is probably a record.
    Its values are not echoed (they may be ids); the failures CSV holds them."""
    return Problem(
        input=kind,
        file=file,
        rule="column names on line 1",
        lines=[1],
        values=[",".join(header)],
        detail="line 1 names none of the contract columns: is it a data row, or another "
        "input's file? (its values are not shown: personal data)",
        fix="The first line must hold the column names: " + ", ".join(columns) + ".",
    )


def _closest(name: str, candidates: list[str]) -> str | None:
    """The candidate a misspelt or re-cased column name most likely means."""

    def normal(text: str) -> str:
        return text.strip().lower().replace(" ", "_").replace("-", "_")

    lookup = {normal(c): c for c in candidates}
    match = difflib.get_close_matches(normal(name), list(lookup), n=1, cutoff=0.75)
    return lookup[match[0]] if match else None


# --- 3. Value types ---------------------------------------------------------------------------


def parse_columns(
    text: pd.DataFrame,
    lines: np.ndarray,
    kind: str,
    file: str,
    unit: str,
    settings: Settings,
) -> tuple[pd.DataFrame, list[Problem], dict[str, pd.Series]]:
    """Typed frame, Stop problems for unreadable values, and the unreadable masks by column."""
    date_formats = list(settings.date_formats)
    typed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    unreadable: dict[str, pd.Series] = {}
    for column in contract_columns(kind):
        fmt = column_meta(kind, column)["format"]
        raw = text[column] if column in text else pd.Series("", index=text.index, dtype="str")
        values, bad = _parse_in_slices(raw, fmt, date_formats)
        typed[column] = values
        unreadable[column] = bad
        if bad.any():
            rule, fix = _type_rule(kind, column, fmt, date_formats)
            problems.append(
                Problem(
                    input=kind,
                    file=file,
                    column=column,
                    rule=rule,
                    fix=fix,
                    unit=unit,
                    lines=[int(x) for x in lines[bad.to_numpy()]],
                    values=list(raw[bad]),
                )
            )
    return pd.DataFrame(typed, index=text.index), problems, unreadable


def _parse_in_slices(
    raw: pd.Series, fmt: str, date_formats: list[str]
) -> tuple[pd.Series, pd.Series]:
    """:func:`~pipeline.validate.rules.parse_values` over PARSE_ROWS rows at a time: parsing
    times and dates goes through Python objects, which would cost gigabytes for a national
    extract parsed at once. Every value is parsed on its own, so slicing changes nothing."""
    if len(raw) <= PARSE_ROWS:
        return r.parse_values(raw, fmt, date_formats=date_formats)
    parts = [
        r.parse_values(raw.iloc[start : start + PARSE_ROWS], fmt, date_formats=date_formats)
        for start in range(0, len(raw), PARSE_ROWS)
    ]
    return pd.concat([values for values, _ in parts]), pd.concat([bad for _, bad in parts])


def _type_rule(kind: str, column: str, fmt: str, date_formats: list[str]) -> tuple[str, str]:
    """Rule name and fix for a value that is not of its column's type."""
    field_fix = column_meta(kind, column).get("fix")
    if fmt == "date":
        return (
            "date in an accepted format",
            f"{column} must be a real date written {human_date_formats(date_formats)} "
            "(formats set in config input_formats.date_formats).",
        )
    if fmt == "time":
        return (
            "time written HH:MM",
            f"{column} must be a time on the 24-hour clock written HH:MM (e.g. 14:05).",
        )
    if fmt == "whole number":
        return "whole number", field_fix or f"{column} must be a whole number."
    if fmt == "number":
        return "number", field_fix or f"{column} must be a number."
    if fmt == "Y/N":
        return "Y or N", field_fix or f"{column} must be Y or N."
    raise ValueError(f"no type rule for format {fmt!r}")


# --- 4. pandera rules -------------------------------------------------------------------------


def pandera_problems(
    typed: pd.DataFrame,
    text: RecordText,
    lines: np.ndarray,
    kind: str,
    file: str,
    unit: str,
    settings: Settings,
    unreadable: dict[str, pd.Series],
) -> list[Problem]:
    """Run the schema lazily and turn its failure cases into problems by source line.

    ``typed`` must have a RangeIndex (pandera 0.35 mis-reports rows of other indexes); the
    failure index is a position, mapped back to the source line through ``lines``.
    """
    try:
        runtime_schema(kind, settings).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return []
    # Victim rows are personal data: the failures CSV holds the named column's value only
    # (and messages no value at all, see errors.Problem).
    personal = kind in personal_inputs()
    unique_key = list(MODELS[kind].to_schema().unique or [])
    grouped: dict[tuple[str | None, str], dict[int | None, str | None]] = {}
    fixes: dict[tuple[str | None, str], str] = {}
    for case in cases.itertuples(index=False):
        column, rule, fix = _describe_case(case, kind, settings)
        position = None if pd.isna(case.index) else int(case.index)
        if rule == "value required" and position is not None and column in unreadable:
            if bool(unreadable[column].iloc[position]):
                continue  # already reported as an unreadable value
        key = (column, rule)
        fixes[key] = fix
        value = None
        if (
            position is not None
            and str(case.check) == "multiple_fields_uniqueness"
            and not personal
        ):
            value = " / ".join(text.value(c, position) for c in unique_key)
        elif position is not None and column in text:
            value = text.value(column, position)
        elif position is None:
            value = str(case.failure_case)
        grouped.setdefault(key, {})[position] = value
    problems = []
    for (column, rule), found in grouped.items():
        positions = sorted(found, key=lambda p: -1 if p is None else p)
        problems.append(
            Problem(
                input=kind,
                file=file,
                column=column,
                rule=rule,
                fix=fixes[(column, rule)],
                unit=unit,
                lines=[None if p is None else int(lines[p]) for p in positions],
                values=[found[p] for p in positions],
            )
        )
    return problems


def _describe_case(case: Any, kind: str, settings: Settings) -> tuple[str | None, str, str]:
    """Column, rule name and fix of one pandera failure case."""
    check = str(case.check)
    column = None if pd.isna(case.column) else str(case.column)
    if check == "not_nullable":
        return column, "value required", f"{column} must not be empty."
    if check == "field_uniqueness":
        return column, f"each {column} appears once", f"Each {column} may appear only once."
    if check == "multiple_fields_uniqueness":
        meta = input_metadata(kind)
        key = MODELS[kind].to_schema().unique
        return key[0], meta["unique_rule"] + f" ({', '.join(key)})", meta["unique_fix"]
    if case.schema_context == "DataFrameSchema":
        try:
            declared = lookup_cross_field_rule(check)
        except KeyError:
            return column, check, "The rows break this rule of the contract."
        return declared.column, declared.rule, declared.fix
    meta = column_meta(kind, column) if column in contract_columns(kind) else {}
    rule = meta.get("rule") or check
    return column, rule, runtime_fix(kind, column, settings) or f"{column} breaks '{check}'."


# --- The whole check --------------------------------------------------------------------------


def check_rows(
    kind: str,
    raw: RawTable,
    file: str,
    *,
    settings: Settings,
    area_lsoas: set[str] | frozenset[str] | None,
    extra_problems: list[Problem] | None = None,
    blank_rows_allowed: bool = True,
) -> Checked:
    """Run every rule of the input's contract over its raw rows (raises ProblemsFound).

    Records blank in every column are excluded as 'empty row' unless ``blank_rows_allowed`` is
    false (a boundary feature with no properties still has a polygon: it must be named).
    """
    present = check_header(raw, kind, file)
    lines_all = np.asarray(raw.lines, dtype="int64")
    text_all = raw.frame.loc[:, ~raw.frame.columns.duplicated()]
    text_all = text_all[[c for c in text_all.columns if c in present]]
    unit = raw.unit
    del raw  # the caller passes its only reference: the text is released once parsed
    blank = (text_all == "").all(axis=1).to_numpy()
    if len(blank) == 0 or (blank.all() and blank_rows_allowed):
        raise ProblemsFound(
            [
                Problem(
                    input=kind,
                    file=file,
                    rule="at least one data row",
                    detail=f"the file has no data {unit}s"
                    + (" after its column names" if unit != "feature" else ""),
                    fix="Export the extract again with its rows.",
                )
            ]
        )
    if not blank_rows_allowed:
        blank = np.zeros(len(blank), dtype=bool)
    positions = np.flatnonzero(~blank)
    # Without blank records the rows to check are the rows read: no copy of the text.
    text = text_all.iloc[positions] if blank.any() else text_all
    text = text.reset_index(drop=True)
    del text_all
    lines = lines_all[positions]
    typed, problems, unreadable = parse_columns(text, lines, kind, file, unit, settings)
    text = RecordText(text, typed, formats={c: column_meta(kind, c)["format"] for c in text})
    problems += pandera_problems(typed, text, lines, kind, file, unit, settings, unreadable)
    problems += extra_problems or []
    if problems:
        raise ProblemsFound(_in_contract_order(problems, kind))
    reasons = apply_exclusions(kind, typed, settings=settings, area_lsoas=area_lsoas)
    excluded = _excluded_rows(text, lines_all, blank, positions, reasons)
    del text
    used = _rows_used(typed, reasons.isna().to_numpy(), positions)
    reconciliation = reconcile(
        kind,
        rows_read=len(lines_all),
        used=used,
        excluded=excluded,
        settings=settings,
        area_lsoas=area_lsoas,
    )
    return Checked(used=used, excluded=excluded, reconciliation=reconciliation, lines=lines_all)


def _rows_used(typed: pd.DataFrame, used: np.ndarray, positions: np.ndarray) -> pd.DataFrame:
    """The typed rows used, indexed by their position in the raw table. Filtered column by
    column, each typed column let go once copied, so a national extract is never held twice
    (the caller's ``typed`` is emptied)."""
    index = positions[used]
    if used.all():
        return typed.set_axis(index)
    rows = np.flatnonzero(used)
    columns = {column: typed.pop(column).take(rows).set_axis(index) for column in list(typed)}
    return pd.DataFrame(columns, index=index, copy=False)


def _in_contract_order(problems: list[Problem], kind: str) -> list[Problem]:
    """Problems ordered by the contract's column order, then by rule (deterministic)."""
    order = {c: i for i, c in enumerate(contract_columns(kind))}
    return sorted(problems, key=lambda p: (order.get(p.column or "", len(order)), p.rule))


def rule_context(settings: Settings, area_lsoas: set[str] | frozenset[str] | None) -> r.RuleContext:
    """The window, area and ethnicity scheme the keep-and-count rules need."""
    start, end = r.window_bounds(settings)
    return r.RuleContext(
        window_start=start,
        window_end=end,
        window_months=frozenset(r.window_months(settings)),
        area_lsoas=None if area_lsoas is None else frozenset(area_lsoas),
        ethnicity_scheme=str(settings.ethnicity_scheme),
    )


def active_rules(kind: str, area_lsoas: Any) -> list[r.KeepRule]:
    """The input's keep-and-count rules that apply (area rules only when the area is known)."""
    return [rule for rule in keep_rules(kind) if area_lsoas is not None or not rule.needs_area]


def apply_exclusions(
    kind: str, typed: pd.DataFrame, *, settings: Settings, area_lsoas: Any
) -> pd.Series:
    """The exclusion reason of each row (missing for rows used); first matching rule wins."""
    ctx = rule_context(settings, area_lsoas)
    reasons = pd.Series(pd.NA, index=typed.index, dtype="str")
    for rule in active_rules(kind, area_lsoas):
        if rule.kind != "exclude":
            continue
        hit = rule.applies(typed, ctx).fillna(False).astype(bool) & reasons.isna()
        reasons.loc[hit] = rule.reason
    return reasons


def _excluded_rows(
    text: RecordText,
    lines_all: np.ndarray,
    blank: np.ndarray,
    positions: np.ndarray,
    reasons: pd.Series,
) -> pd.DataFrame:
    """Excluded rows as read, with their source line and reason, in file order.

    ``text`` holds the records that are not blank (record ``positions[i]`` is row ``i``); a
    blank record is empty in every column, so its text is rebuilt rather than kept.
    """
    keep = blank.copy()
    keep[positions[reasons.notna().to_numpy()]] = True
    row_in_text = np.full(len(lines_all), -1, dtype="int64")
    row_in_text[positions] = np.arange(len(positions))
    rows = row_in_text[keep]
    read = rows >= 0
    excluded = text.rows(np.maximum(rows, 0))
    reason = pd.Series(EMPTY_ROW_REASON, index=excluded.index, dtype="str")
    if not read.all():
        excluded.loc[~read, :] = ""
    reason[read] = reasons.iloc[rows[read]].to_numpy()
    excluded.insert(0, "reason", reason)
    excluded.insert(0, "source_line", lines_all[keep])
    return excluded


def reconcile(
    kind: str,
    *,
    rows_read: int,
    used: pd.DataFrame,
    excluded: pd.DataFrame,
    settings: Settings,
    area_lsoas: Any,
) -> pd.DataFrame:
    """Rows read = rows used + rows excluded (by reason), plus counts of rows kept by category.

    Every declared reason is listed, with 0 where no row had it, so that the table has the same
    shape every year.
    """
    ctx = rule_context(settings, area_lsoas)
    rows: list[tuple[str, str, str, int]] = [
        (kind, "read", "rows read", rows_read),
        (kind, "used", "rows used", len(used)),
    ]
    exclusion_counts = excluded["reason"].value_counts()
    reasons = [EMPTY_ROW_REASON] + [
        rule.reason for rule in active_rules(kind, area_lsoas) if rule.kind == "exclude"
    ]
    for reason in reasons:
        rows.append((kind, "excluded", reason, int(exclusion_counts.get(reason, 0))))
    for rule in active_rules(kind, area_lsoas):
        if rule.kind == "keep":
            count = int(rule.applies(used, ctx).fillna(False).astype(bool).sum())
            rows.append((kind, "kept", rule.reason, count))
    table = pd.DataFrame(rows, columns=["input", "category", "reason", "rows"])
    for name in ["input", "category", "reason"]:
        table[name] = table[name].astype("str")
    table["rows"] = table["rows"].astype("int64")
    accounted = len(used) + int(table.loc[table["category"] == "excluded", "rows"].sum())
    if accounted != rows_read:  # a row lost or counted twice is a bug, never a data problem
        raise RuntimeError(
            f"{kind}: reconciliation does not add up: read {rows_read}, used {len(used)}, "
            f"excluded {accounted - len(used)}"
        )
    return table
