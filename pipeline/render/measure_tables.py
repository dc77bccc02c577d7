"""The strategy monitoring tables of the technical report (indicators, actions, overdue
actions), and the rows of a family's table its charts do not show. Values a
disclosure-controlled table hid print as '[c]'."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.disclosure import MARKER, DisclosurePolicy
from pipeline.formatting import decimals_for_unit, fmt_count, fmt_interval, fmt_number, is_missing
from pipeline.render.indicators import without_machine_ids
from pipeline.render.model import Cell, Column, Row, Table
from pipeline.render.wording import Wording


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
            Cell(without_machine_ids(str(r.get("indicator", r.get("definition", ""))))),
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


def _split_group(record: Mapping[str, Any]) -> tuple[str, str]:
    """(domain, status) of an action-tracker row: its own columns, else its group
    ('Strengthen: On track'); an overdue row's group is its domain."""
    group = _text(record.get("group"))
    domain = _text(record.get("domain")) or group.split(": ", 1)[0]
    status = _text(record.get("action_status")) or (group.split(": ", 1) + [""])[1]
    return domain, status


def _actions_table(actions: pd.DataFrame, words: Wording) -> Table:
    """The action tracker: each domain's actions by status, and its overdue actions, across."""
    counts: dict[str, dict[str, str]] = {}
    statuses: list[str] = []
    overdue = words("actions_overdue")
    for r in actions.to_dict("records"):
        domain, status = _split_group(r)
        if str(r["measure_id"]) == "actions_overdue":
            status = overdue
        elif status not in statuses:
            statuses.append(status)
        counts.setdefault(domain, {})[status] = fmt_count(r.get("numerator"))
    heads = [*statuses, overdue] if any(overdue in c for c in counts.values()) else statuses
    return Table(
        id="monitoring-actions",
        caption=words("actions_caption"),
        columns=(Column(words("actions_domain")),) + tuple(Column(h, "number") for h in heads),
        rows=tuple(
            Row(Cell(domain), tuple(Cell(by.get(h, ""), "number") for h in heads))
            for domain, by in counts.items()
        ),
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
        out.append(_actions_table(actions, words))
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
