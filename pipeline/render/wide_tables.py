"""Each family's measures in the technical report as a few wide tables (periods, measures or
groups across), read by analysts rather than dumped; every row of every measure stays in the
family's CSV. Cells and names come from :mod:`pipeline.render.indicators`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.disclosure import MARKER
from pipeline.disclosure.tables import numerator_counts_people
from pipeline.formatting import fmt_interval, fmt_number, is_missing
from pipeline.render.indicators import (
    count_cell,
    decimals_of,
    definition_label,
    group_label,
    hidden_flags,
    in_order,
    measure_label,
    measure_name,
    unit_of,
    value_interval_cell,
    value_is_the_count,
)
from pipeline.render.model import Cell, Column, Row, Table
from pipeline.render.wording import Wording
from pipeline.settings import Settings

#: A group with this many rows or more is laid out with its groups down and measures across.
PIVOT_GROUPS = 5


def series_table(
    rows: pd.DataFrame, table_id: str, settings: Settings, technical: Wording
) -> Table:
    """One measure over time: periods across; each group's count and value down."""
    words = technical.part("wide")
    measure_id = str(rows["measure_id"].iloc[0])
    periods = in_order(rows["period"])
    counts = numerator_counts_people(measure_id) and rows["numerator"].notna().any()
    out = []
    for group in in_order(rows["group"]):
        records = rows.loc[rows["group"].astype(str) == group].to_dict("records")
        label = group_label(records)
        out += _period_rows(records, periods, words, counts=counts,
                            count_label=words("count_row", group=label),
                            value_label=words("value_row", group=label))  # fmt: skip
    unit = unit_of(rows)
    return Table(
        id=table_id,
        caption=words(
            "series_caption",
            measure=measure_label(measure_id, settings, technical, rows),
            unit=f", {unit}" if unit else "",
        ),
        columns=(Column(words("group")),) + tuple(Column(p, "interval") for p in periods),
        rows=tuple(out),
        compact=True,
    )


def _period_rows(
    records: list[dict[str, Any]],
    periods: list[str],
    words: Any,
    *,
    counts: bool,
    count_label: str,
    value_label: str,
) -> list[Row]:
    """One series' rows, periods across: its counts (when they count people), then its values
    with intervals, unless the value is the count itself."""
    by_period = {str(r["period"]): r for r in records}
    blank = Cell("")
    rows = []
    if counts:
        cells = tuple(count_cell(by_period[p]) if p in by_period else blank for p in periods)
        rows.append(Row(Cell(count_label), cells))
        if value_is_the_count(records):
            return rows
    cells = tuple(
        value_interval_cell(by_period[p], words) if p in by_period else blank for p in periods
    )
    rows.append(Row(Cell(value_label), cells))
    return rows


def series_block_table(
    rows: pd.DataFrame,
    table_id: str,
    heading: str,
    definition: str,
    settings: Settings,
    technical: Wording,
) -> Table:
    """Measures of one group each over the same years: periods across, measures down."""
    words = technical.part("wide")
    periods = in_order(rows["period"])
    out = []
    for measure_id in in_order(rows["measure_id"]):
        records = rows.loc[rows["measure_id"].astype(str) == measure_id].to_dict("records")
        name = measure_name(measure_id, settings, technical)
        unit = str(records[0].get("unit") or "") if not is_missing(records[0].get("unit")) else ""
        counts = numerator_counts_people(measure_id) and any(
            not is_missing(r.get("numerator")) for r in records
        )
        out += _period_rows(records, periods, words, counts=counts,
                            count_label=words("count_row", group=name),
                            value_label=f"{name} ({unit})" if unit else name)  # fmt: skip
    return Table(
        id=table_id,
        caption=words("block_caption", heading=heading, definition=definition or "-"),
        columns=(Column(words("measure")),) + tuple(Column(p, "interval") for p in periods),
        rows=tuple(out),
        compact=True,
    )


#: Columns of a measure table whose values, when they end each group's name ('Black Male
#: Under 18'), a pivot lays across: each group once, its age groups side by side.
ACROSS_COLUMNS: tuple[str, ...] = ("age_group",)


def _across(rows: pd.DataFrame) -> tuple[str, list[str], list[str]] | None:
    """(column, its values, the group names without them) when a pivot's groups are split by
    one of :data:`ACROSS_COLUMNS` into every value for each group; else None."""
    for column in ACROSS_COLUMNS:
        if column not in rows.columns or rows[column].isna().any():
            continue
        values = in_order(rows[column])
        names = rows["group"].astype(str)
        parts = rows[column].astype(str)
        if len(values) < 2 or not all(
            n.endswith(" " + p) for n, p in zip(names, parts, strict=True)
        ):
            continue
        stems = in_order(pd.Series([n[: -len(p) - 1] for n, p in zip(names, parts, strict=True)]))
        groups = set(names)
        if all(f"{stem} {value}" in groups for stem in stems for value in values):
            return column, values, stems
    return None


def pivot_table(
    rows: pd.DataFrame, table_id: str, heading: str, settings: Settings, technical: Wording
) -> Table:
    """Measures of one period that share their groups: groups down, measures across."""
    words = technical.part("wide")
    ids = in_order(rows["measure_id"])
    definitions = {definition_label(m, settings, rows) for m in ids}
    shared = len(definitions) == 1
    heads = [
        measure_name(m, settings, technical) if shared else measure_label(m, settings, technical)
        for m in ids
    ]
    split = _across(rows)
    # Groups down (without the split's part of their name), the split's values across.
    stems = in_order(rows["group"]) if split is None else split[2]
    parts = [""] if split is None else split[1]
    out = []
    for stem in stems:
        cells = []
        for part in parts:
            group = f"{stem} {part}" if part else stem
            here = rows.loc[rows["group"].astype(str) == group]
            by_id = {str(r["measure_id"]): r for r in here.to_dict("records")}
            cells += [
                Cell("")
                if m not in by_id
                # A count (rows read, used and excluded) prints as one, not as a decimal value.
                else count_cell(by_id[m])
                if value_is_the_count([by_id[m]])
                else value_interval_cell(by_id[m], words)
                for m in ids
            ]
        label = stem if split else group_label(rows.loc[rows["group"] == stem].to_dict("records"))
        out.append(Row(Cell(label), tuple(cells)))
    if split is not None:
        heads = [f"{part}: {head}" for part in parts for head in heads]
    period = ", ".join(in_order(rows["period"]))
    measures = "; ".join(dict.fromkeys(h.split(": ", 1)[-1].lower() for h in heads))
    if shared and next(iter(definitions)):
        measures += f" ({next(iter(definitions))})"
    return Table(
        id=table_id,
        caption=words("pivot_caption", heading=heading, measures=measures, period=period),
        columns=(Column(words("group")),) + tuple(Column(h, "interval") for h in heads),
        rows=tuple(out),
        compact=True,
    )


LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("measure", "text"),
    ("group", "text"),
    ("period", "text"),
    ("count", "count"),
    ("value", "number"),
    ("interval", "interval"),
)


def list_table(
    rows: pd.DataFrame, table_id: str, caption: str, settings: Settings, technical: Wording
) -> Table:
    """The remaining measures of one definition, one row each, named in words."""
    words = technical.part("wide")
    out = []
    for r in rows.to_dict("records"):
        _, hidden = hidden_flags(r)
        decimals = decimals_of(r)
        name = measure_name(str(r["measure_id"]), settings, technical)
        unit = str(r.get("unit") or "").strip() if not is_missing(r.get("unit")) else ""
        # A value that is the count itself (rows read, used and excluded) is not printed again.
        value = "–" if value_is_the_count([r]) else fmt_number(r.get("value"), decimals)
        out.append(
            Row(
                Cell(f"{name} ({unit})" if unit else name),
                (
                    Cell(group_label([r])),
                    Cell(str(r["period"])),
                    count_cell(r),
                    Cell(MARKER if hidden else value, "number", hidden),
                    Cell(
                        MARKER
                        if hidden
                        else fmt_interval(r.get("lower"), r.get("upper"), decimals),
                        "interval",
                        hidden,
                    ),
                ),
            )
        )
    return Table(
        id=table_id,
        caption=caption,
        columns=tuple(
            Column(c.label, c.kind, nowrap=name == "period")
            for c, (name, _) in zip(
                words.columns("list_columns", LIST_COLUMNS), LIST_COLUMNS, strict=True
            )
        ),
        rows=tuple(out),
        compact=True,
    )


def _list_key(record: Mapping[str, Any], settings: Settings, technical: Wording) -> tuple:
    """A listed measure's row, whatever its definition: (name with unit, group, period)."""
    name = measure_name(str(record["measure_id"]), settings, technical)
    unit = "" if is_missing(record.get("unit")) else str(record.get("unit") or "").strip()
    return (f"{name} ({unit})" if unit else name, group_label([record]), str(record["period"]))


def list_keys(rows: pd.DataFrame, settings: Settings, technical: Wording) -> list[tuple]:
    return [_list_key(r, settings, technical) for r in rows.to_dict("records")]


def list_across_table(
    lists: Sequence[tuple[str, pd.DataFrame]],
    table_id: str,
    heading: str,
    settings: Settings,
    technical: Wording,
) -> Table:
    """The remaining measures of several definitions that list the same measures, groups and
    periods: one row each, the definitions across (each its count and its value with
    interval)."""
    words = technical.part("wide")
    by_key = [
        {_list_key(r, settings, technical): r for r in rows.to_dict("records")} for _, rows in lists
    ]
    out = []
    for key in list_keys(lists[0][1], settings, technical):
        cells: list[Cell] = [Cell(key[1]), Cell(key[2])]
        for records in by_key:
            record = records[key]
            cells.append(count_cell(record))
            cells.append(
                count_cell(record)
                if value_is_the_count([record])
                else value_interval_cell(record, words)
            )
        out.append(Row(Cell(key[0]), tuple(cells)))
    columns = [Column(words("list_columns.measure")), Column(words("list_columns.group"))]
    columns.append(Column(words("list_columns.period"), nowrap=True))
    for definition, _ in lists:
        columns.append(Column(words("across_count", definition=definition), "count"))
        columns.append(Column(words("across_value", definition=definition), "interval"))
    return Table(
        id=table_id,
        caption=words(
            "list_across_caption",
            heading=heading,
            definitions=" and ".join(d or "-" for d, _ in lists),
        ),
        columns=tuple(columns),
        rows=tuple(out),
        compact=True,
    )


def not_available_table(rows: pd.DataFrame, table_id: str, heading: str, words: Wording) -> Table:
    """What a family could not measure in this edition, and why."""
    return Table(
        id=table_id,
        caption=words("not_available_caption", heading=heading),
        columns=words.columns("not_available_columns", (("measure", "text"), ("why", "text"))),
        rows=tuple(
            Row(Cell(str(r["group"])), (Cell("" if is_missing(r.get("note")) else str(r["note"])),))
            for r in rows.to_dict("records")
        ),
        compact=True,
    )


def family_tables(
    frame: pd.DataFrame, family: str, heading: str, settings: Settings, technical: Wording
) -> list[Table]:
    """A family's measures (those its charts do not show) as wide tables: each measure with
    more than one period over time; measures of one period sharing many groups side by side;
    the rest listed by definition."""
    stem = family.replace("_", "-")
    if frame.empty:
        return []
    ids = frame["measure_id"].astype(str)
    if ids.str.endswith("_not_available").all():
        return [
            not_available_table(frame, f"{stem}-not-available", heading, technical.part("wide"))
        ]
    tables: list[Table] = []
    singles = []
    blocks: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for measure_id in in_order(ids):
        rows = frame.loc[ids == measure_id]
        if rows["period"].astype(str).nunique() <= 1:
            singles.append(measure_id)
        elif rows["group"].astype(str).nunique() == 1:
            # One group each: measures of a definition over the same years share a table.
            key = (definition_label(measure_id, settings, frame), tuple(in_order(rows["period"])))
            blocks.setdefault(key, []).append(measure_id)
        else:
            tables.append(series_table(rows, f"{stem}-{len(tables) + 1}", settings, technical))
    for (definition, _), measure_ids in blocks.items():
        rows = frame.loc[ids.isin(measure_ids)]
        table_id = f"{stem}-{len(tables) + 1}"
        if len(measure_ids) == 1:
            tables.append(series_table(rows, table_id, settings, technical))
        else:
            tables.append(
                series_block_table(rows, table_id, heading, definition, settings, technical)
            )
    groups: dict[tuple[str, ...], list[str]] = {}
    listed = []
    for measure_id in singles:
        key = tuple(in_order(frame.loc[ids == measure_id, "group"]))
        if len(key) >= PIVOT_GROUPS:
            groups.setdefault(key, []).append(measure_id)
        else:
            listed.append(measure_id)
    for measure_ids in groups.values():
        rows = frame.loc[ids.isin(measure_ids)]
        tables.append(pivot_table(rows, f"{stem}-{len(tables) + 1}", heading, settings, technical))
    by_definition: dict[str, list[str]] = {}
    for measure_id in listed:
        definition = definition_label(measure_id, settings, frame)
        by_definition.setdefault(definition, []).append(measure_id)
    # Definitions that list the same measures, groups and periods share one table, across.
    lists: dict[tuple, list[tuple[str, pd.DataFrame]]] = {}
    for definition, measure_ids in by_definition.items():
        rows = frame.loc[ids.isin(measure_ids)]
        keys = list_keys(rows, settings, technical)
        shared = tuple(keys) if len(set(keys)) == len(keys) else (definition,)
        lists.setdefault(shared, []).append((definition, rows))
    for listed_together in lists.values():
        table_id = f"{stem}-{len(tables) + 1}"
        if len(listed_together) > 1:
            tables.append(
                list_across_table(listed_together, table_id, heading, settings, technical)
            )
            continue
        definition, rows = listed_together[0]
        caption = technical("wide.list_caption", heading=heading, definition=definition or "-")
        tables.append(list_table(rows, table_id, caption, settings, technical))
    return tables
