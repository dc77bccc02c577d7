"""The measure tables of the technical report: every measure of a family with its interval
and method, and the strategy monitoring tables (indicators, actions, overdue actions).
Values a disclosure-controlled table hid print as '[c]'."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.charts.cells import neighbours_pooled, pooled_label
from pipeline.disclosure import MARKER, DisclosurePolicy
from pipeline.disclosure.tables import numerator_counts_people
from pipeline.formatting import decimals_for_unit, fmt_count, fmt_interval, fmt_number, is_missing
from pipeline.render.model import Cell, Row, Table
from pipeline.render.wording import Wording

MEASURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("measure", "text"),
    ("period", "text"),
    ("group", "text"),
    ("numerator", "count"),
    ("denominator", "number"),
    ("value", "number"),
    ("interval", "interval"),
    ("unit_method", "text"),
)


def measure_rows_table(
    frame: pd.DataFrame,
    table_id: str,
    caption: str,
    words: Wording,
) -> Table:
    """A measure table as printed in the technical report: measure, period, group,
    numerator, denominator, value, interval, unit and method (suppressed values '[c]')."""
    rows = []
    for r in frame.to_dict("records"):
        num_hidden = bool(r.get("numerator_suppressed", False))
        den_hidden = bool(r.get("denominator_suppressed", False))
        hidden = num_hidden or den_hidden
        decimals = decimals_for_unit(str(r.get("unit", "")))
        value = MARKER if hidden else fmt_number(r.get("value"), decimals)
        interval = MARKER if hidden else fmt_interval(r.get("lower"), r.get("upper"), decimals)
        cells = [
            Cell(str(r["period"])),
            Cell(pooled_label(str(r["group"]), [neighbours_pooled(r.get("note"))])),
            Cell(
                MARKER if num_hidden else fmt_count(r.get("numerator")),
                # A rank (e.g. the placebo test's) is not a count of anyone.
                "count" if numerator_counts_people(r["measure_id"]) else "number",
                num_hidden,
            ),
            Cell(MARKER if den_hidden else fmt_count(r.get("denominator")), "number", den_hidden),
            Cell(value, "number", hidden),
            Cell(interval, "interval", hidden),
            Cell(
                "; ".join(
                    str(r.get(k)).strip() for k in ("unit", "method") if not is_missing(r.get(k))
                )
            ),
        ]
        rows.append(Row(Cell(str(r["measure_id"]), "code"), tuple(cells)))
    return Table(
        id=table_id,
        caption=caption,
        columns=words.columns("measure_columns", MEASURE_COLUMNS),
        rows=tuple(rows),
        compact=True,
    )


def rows_not_shown_in_charts(frame: pd.DataFrame, shown: Sequence[str]) -> pd.DataFrame:
    """The rows of a measure table other than the measures ``shown`` (``name`` or
    ``<prefix>_name``), which the family's chart tables print already."""
    ids = frame["measure_id"].astype(str)
    mask = pd.Series(True, index=frame.index)
    for name in shown:
        mask &= ~((ids == name) | ids.str.endswith("_" + name))
    return frame.loc[mask]


def _text(value: Any) -> str:
    """A table cell's text: '' for a missing value (never 'nan')."""
    return "" if is_missing(value) else str(value)


def _baseline_hidden(record: Mapping[str, Any], policy: DisclosurePolicy) -> bool:
    """A monitoring indicator's baseline is a value derived from its own count: hidden with
    it when that count is small."""
    count = record.get("baseline_numerator")
    return policy.active and not is_missing(count) and policy.is_primary(float(count))


INDICATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("domain", "text"),
    ("indicator", "text"),
    ("baseline_period", "text"),
    ("baseline", "number"),
    ("latest_period", "text"),
    ("latest", "number"),
    ("interval", "interval"),
    ("change", "interval"),
    ("status", "text"),
)
ACTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("domain_status", "text"),
    ("measure", "text"),
    ("actions", "number"),
)
OVERDUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("domain", "text"),
    ("action", "text"),
    ("owner", "text"),
    ("due", "text"),
    ("status", "text"),
)


def _indicator_row(r: Mapping[str, Any], policy: DisclosurePolicy, words: Wording) -> Row:
    hidden = bool(r.get("numerator_suppressed", False))
    baseline_hidden = _baseline_hidden(r, policy)
    decimals = decimals_for_unit(str(r.get("unit", "")))
    if hidden or baseline_hidden:
        change = MARKER
    elif is_missing(r.get("change_ratio")):
        change = ""
    else:
        change = words(
            "change",
            ratio=fmt_number(r.get("change_ratio"), 2),
            interval=fmt_interval(r.get("change_lower"), r.get("change_upper"), 2),
        )
    return Row(
        Cell(str(r["group"])),
        (
            Cell(str(r.get("indicator", r.get("definition", "")))),
            Cell(str(r.get("baseline_period", ""))),
            Cell(
                MARKER if baseline_hidden else fmt_number(r.get("baseline_value"), decimals),
                "number",
                baseline_hidden,
            ),
            Cell(str(r.get("latest_period", ""))),
            Cell(MARKER if hidden else fmt_number(r.get("value"), decimals), "number", hidden),
            Cell(
                MARKER if hidden else fmt_interval(r.get("lower"), r.get("upper"), decimals),
                "interval",
                hidden,
            ),
            Cell(change, "interval", hidden or baseline_hidden),
            Cell(str(r.get("status", "")) if not is_missing(r.get("status")) else ""),
        ),
    )


def _monitoring_table(
    name: str, rows: Sequence[Row], columns: Sequence[tuple[str, str]], words: Wording
) -> Table:
    """One monitoring table (``indicators``, ``actions`` or ``overdue``) with its caption
    and column headings."""
    return Table(
        id=f"monitoring-{name}",
        caption=words(f"{name}_caption"),
        columns=words.columns(f"{name}_columns", columns),
        rows=tuple(rows),
        compact=True,
    )


def monitoring_tables(table: pd.DataFrame, policy: DisclosurePolicy, words: Wording) -> list[Table]:
    """The monitoring family's tables; ``words``: the wording's ``technical.monitoring``."""
    ids = table["measure_id"].astype(str)
    out = []
    indicators = table.loc[ids.str.startswith("monitoring_")]
    if len(indicators):
        rows = [_indicator_row(r, policy, words) for r in indicators.to_dict("records")]
        out.append(_monitoring_table("indicators", rows, INDICATOR_COLUMNS, words))
    actions = table.loc[ids.isin(["actions_by_status", "actions_overdue"])]
    if len(actions):
        rows = [
            Row(
                Cell(str(r["group"])),
                (
                    Cell(str(r["measure_id"]).replace("_", " ")),
                    Cell(fmt_count(r.get("numerator")), "number"),
                ),
            )
            for r in actions.to_dict("records")
        ]
        out.append(_monitoring_table("actions", rows, ACTION_COLUMNS, words))
    overdue = table.loc[ids == "action_overdue"]
    if len(overdue):
        rows = [
            Row(
                Cell(_text(r.get("group"))),
                (
                    Cell(_text(r.get("action"))),
                    Cell(_text(r.get("owner"))),
                    Cell(_text(r.get("due_date"))),
                    # The action's own status (``status`` is the indicators' column).
                    Cell(_text(r.get("action_status", r.get("status")))),
                ),
            )
            for r in overdue.to_dict("records")
        ]
        out.append(_monitoring_table("overdue", rows, OVERDUE_COLUMNS, words))
    return out
