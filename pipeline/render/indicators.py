"""The names and cells of the technical report's measures, and the indicator summary that
opens it (the Fingertips layout: value with interval, neighbours, London, the comparison at
95% and 99.8% and the trend). The report prints human names, never machine ids; every value
is read from the tables disclosure control protected for this report, so a value built on a
hidden count prints '[c]'. Each family's own wide tables are in
:mod:`pipeline.render.wide_tables`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.charts.cells import neighbours_pooled, pooled_label
from pipeline.disclosure import MARKER
from pipeline.disclosure.tables import numerator_counts_people
from pipeline.families.registry import FAMILIES
from pipeline.formatting import decimals_for_unit, fmt_count, fmt_interval, fmt_number, is_missing
from pipeline.render.model import Cell, Column, Row, Table
from pipeline.render.wording import Wording
from pipeline.settings import Settings

_DERIVED_ID = re.compile(r"^([a-z]+_\d+_\d+)_(.+)$")
_WITHOUT_YEAR = re.compile(r"^(.*)_without_(\d{4})_(\d{2})$")
#: A machine id in parentheses inside a sentence (e.g. "(kcwi_1_24_rate)").
_ID_IN_PARENTHESES = re.compile(r"\s*\([a-z][a-z0-9]*(?:_[a-z0-9]+)+\)")


def without_machine_ids(text: str) -> str:
    """A sentence without the machine ids some family texts quote in parentheses."""
    return _ID_IN_PARENTHESES.sub("", text)


def split_measure_id(measure_id: str, settings: Settings) -> tuple[str | None, str]:
    """(definition key, measure name): ``kcwi_1_24_rate`` -> ('key_metric', 'rate'); the
    longest configured definition id that prefixes the measure id wins."""
    metrics = sorted(settings.definitions.metrics.values(), key=lambda d: -len(d.id))
    for definition in metrics:
        if measure_id.startswith(definition.id + "_"):
            return definition.key, measure_id[len(definition.id) + 1 :]
    # A definition derived from a configured one (the school-age sv_5_16 of timing).
    derived = _DERIVED_ID.match(measure_id)
    return (None, derived.group(2)) if derived else (None, measure_id)


def measure_name(measure_id: str, settings: Settings, words: Wording) -> str:
    """The human name of a measure without its definition ('Rate ratio')."""
    _, name = split_measure_id(measure_id, settings)
    names = words.entries.get("measure_names", {})
    match = _WITHOUT_YEAR.match(name)
    base = match.group(1) if match else name
    label = str(names.get(base, base.replace("_", " ").capitalize()))
    if match:
        label = words("without_year", name=label, year=f"{match.group(2)}-{match.group(3)}")
    return label


def definition_label(measure_id: str, settings: Settings, frame: pd.DataFrame | None = None) -> str:
    """The short label of the measure's definition; for a derived one, the ``definition``
    text of its rows in ``frame`` without the version ('' when there is none)."""
    key, _ = split_measure_id(measure_id, settings)
    if key:
        return settings.definitions.metric(key).short_label
    if frame is None or "definition" not in frame:
        return ""
    texts = frame.loc[frame["measure_id"].astype(str) == measure_id, "definition"].dropna()
    return re.sub(r"\s*\(definitions [^)]*\)$", "", str(texts.iloc[0])) if len(texts) else ""


def hidden_flags(record: Mapping[str, Any]) -> tuple[bool, bool]:
    """(count hidden, value hidden): a value built on a hidden count is hidden with it."""
    count = bool(record.get("numerator_suppressed", False))
    return count, count or bool(record.get("denominator_suppressed", False))


def decimals_of(record: Mapping[str, Any]) -> int:
    return decimals_for_unit(str(record.get("unit", "")))


def count_cell(record: Mapping[str, Any]) -> Cell:
    hidden, _ = hidden_flags(record)
    kind = "count" if numerator_counts_people(record["measure_id"]) else "number"
    return Cell(MARKER if hidden else fmt_count(record.get("numerator")), kind, hidden)


#: Between the words of an interval ('359.8 to 450.0'): a narrow column breaks a cell only
#: between its value and its interval.
NO_BREAK = "\u00a0"


def value_interval_cell(record: Mapping[str, Any], words: Wording, together: bool = True) -> Cell:
    """'403.1 (359.8 to 450.0)', or the value alone when it has no interval; ``together``
    keeps the interval on one line (no-break spaces) where a wide table wraps the cell."""
    _, hidden = hidden_flags(record)
    if hidden:
        return Cell(MARKER, "interval", True)
    decimals = decimals_of(record)
    value = fmt_number(record.get("value"), decimals)
    if is_missing(record.get("lower")) or is_missing(record.get("upper")):
        return Cell(value, "interval")
    interval = fmt_interval(record.get("lower"), record.get("upper"), decimals)
    if together:
        interval = interval.replace(" ", NO_BREAK)
    return Cell(words("value_interval", value=value, interval=interval), "interval")


def value_is_the_count(records: Sequence[Mapping[str, Any]]) -> bool:
    """Whether each record's value is its count, with no interval (rows read, used and
    excluded): its value row would repeat the count row."""
    return all(
        not is_missing(r.get("numerator"))
        and not is_missing(r.get("value"))
        and float(r["value"]) == float(r["numerator"])
        and is_missing(r.get("lower"))
        and is_missing(r.get("upper"))
        for r in records
    )


def group_label(records: Sequence[Mapping[str, Any]]) -> str:
    return pooled_label(
        str(records[0]["group"]), [neighbours_pooled(r.get("note")) for r in records]
    )


def in_order(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def measure_label(
    measure_id: str, settings: Settings, technical: Wording, frame: pd.DataFrame | None = None
) -> str:
    """'Rate: knife crime with injury among under-25s'."""
    name = measure_name(measure_id, settings, technical)
    definition = definition_label(measure_id, settings, frame)
    return f"{name}: {definition}" if definition else name


def unit_of(rows: pd.DataFrame) -> str:
    units = rows["unit"].dropna().astype(str) if "unit" in rows else pd.Series(dtype=str)
    units = units[units.str.strip() != ""]
    return str(units.iloc[0]) if len(units) else ""


SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("count", "count"),
    ("value", "interval"),
    ("neighbours", "interval"),
    ("london", "interval"),
    ("against_neighbours", "text"),
    ("against_london", "text"),
    ("trend", "text"),
)
#: The indicators with no comparator (no neighbours, no region, no trend test).
OTHER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("count", "count"),
    ("value", "interval"),
)
#: The comparison words a cell may carry, and the tone (colour) that repeats each.
TONES = {"higher": "higher", "similar": "similar", "lower": "lower"}


def _comparison(record: Mapping[str, Any], prefix: str, words: Wording) -> Cell:
    at_95, at_998 = (record.get(f"{prefix}comparison_{level}") for level in ("95", "998"))
    if is_missing(at_95) or is_missing(at_998):
        return Cell(words("not_compared"))
    text = words("comparison", at_95=str(at_95).lower(), at_998=str(at_998).lower())
    return Cell(text, tone=TONES.get(str(at_998).lower(), ""))


def _trend_status(trend: pd.DataFrame | None, definition_id: str, group: str) -> str:
    if trend is None or trend.empty:
        return ""
    rows = trend.loc[
        (trend["measure_id"].astype(str) == f"{definition_id}_trend_marker")
        & (trend["group"].astype(str) == group)
    ]
    if rows.empty or "status" not in rows or is_missing(rows["status"].iloc[0]):
        return ""
    return str(rows["status"].iloc[0])


def _summary_row(
    rows: Mapping[str, Mapping[str, Any] | None],
    trend: str,
    label: str,
    technical: Wording,
) -> tuple[Row, bool]:
    """One indicator: the area's count and value, its comparators and its trend; and whether
    it has a comparator (else its row has the count and value alone)."""
    words, wide = technical.part("indicators"), technical.part("wide")
    area = rows["area"]
    assert area is not None
    _, hidden = hidden_flags(area)
    if rows["neighbours"] is None and rows["region"] is None and not trend:
        return Row(Cell(label), (count_cell(area), value_interval_cell(area, wide, False))), False
    dash = Cell("–")
    comparators = tuple(
        value_interval_cell(rows[k], wide, False) if rows[k] is not None else dash  # type: ignore[arg-type]
        for k in ("neighbours", "region")
    )
    row = Row(
        Cell(label),
        (
            count_cell(area),
            value_interval_cell(area, wide, False),
            *comparators,
            Cell(MARKER, suppressed=True) if hidden else _comparison(area, "", words),
            Cell(MARKER, suppressed=True) if hidden else _comparison(area, "region_", words),
            Cell(trend or "–"),
        ),
    )
    return row, True


def _first(frame: pd.DataFrame, group: str) -> Mapping[str, Any] | None:
    rows = frame.loc[frame["group"].astype(str) == group]
    return rows.to_dict("records")[0] if len(rows) else None


def summary_rows(
    tables: Mapping[str, pd.DataFrame], settings: Settings, technical: Wording
) -> list[tuple[Row, bool]]:
    """The summary's indicators, read from the protected tables: every key metric measure
    (with its neighbours, London and trend), then each other family's measure that has a
    series over the years and one group (its value in the edition's year). Each row comes
    with whether it has a comparator."""
    edition = settings.edition
    region = settings.region.name
    out = []
    trend = tables.get("trend")
    left_out = {f.name for f in FAMILIES if not f.report.in_summary}
    for family, table in tables.items():
        if table is None or table.empty or family == "monitoring" or family in left_out:
            continue
        ids = table["measure_id"].astype(str)
        for measure_id in in_order(ids):
            rows = table.loc[(ids == measure_id) & (table["period"].astype(str) == edition)]
            if rows.empty or measure_id.endswith("_row_reconciliation"):
                continue
            key, _ = split_measure_id(measure_id, settings)
            label = measure_label(measure_id, settings, technical, table)
            unit = unit_of(rows)
            if family == "key_metric":
                area = _first(rows, "Area")
                if area is None:
                    continue
                pooled = [g for g in in_order(rows["group"]) if "(pooled)" in g]
                status = (
                    _trend_status(trend, settings.definitions.metric(key).id, "Area") if key else ""
                )
                parts = {
                    "area": area,
                    "neighbours": _first(rows, pooled[0]) if pooled else None,
                    "region": _first(rows, region),
                }
            elif (
                table.loc[ids == measure_id, "period"].astype(str).nunique() > 1
                and rows["group"].nunique() == 1
            ):
                parts = {"area": rows.to_dict("records")[0], "neighbours": None, "region": None}
                status = ""
                group = str(rows["group"].iloc[0])
                if group != "Area":
                    label = f"{label} ({group})"
            else:
                continue
            if unit:
                label = f"{label}, {unit}"
            out.append(_summary_row(parts, status, label, technical))
    return out


def summary_tables(
    tables: Mapping[str, pd.DataFrame], settings: Settings, technical: Wording
) -> list[Table]:
    """The indicator summary that opens the technical report: the indicators with
    comparators in the Fingertips layout, then the others with their count and value (none
    with nothing to show). Every value is for the edition's year, which the captions say."""
    words = technical.part("indicators")
    rows = summary_rows(tables, settings, technical)
    region = settings.region.name
    out = []
    for compared, table_id, names in (
        (True, "indicator-summary", SUMMARY_COLUMNS),
        (False, "indicator-summary-other", OTHER_COLUMNS),
    ):
        picked = tuple(row for row, has in rows if has == compared)
        if not picked:
            continue
        out.append(
            Table(
                id=table_id,
                caption=words("caption" if compared else "other_caption", period=settings.edition),
                # A value and its interval on one line, as Fingertips prints them.
                columns=tuple(
                    Column(words(f"columns.{name}", region=region), kind, kind == "interval")
                    for name, kind in names
                ),
                rows=picked,
                compact=True,
            )
        )
    return out
