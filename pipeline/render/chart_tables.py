"""The charts as the reports print them: each chart's SVG with its description, and the data
table under it (the published CSV's exact values, with its download link)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from markupsafe import Markup

from pipeline.charts.store import RenderedChart
from pipeline.disclosure import MARKER
from pipeline.editions import ReportVariant, published_csv_path
from pipeline.families.base import PrintedRows
from pipeline.formatting import fmt_csv_value
from pipeline.render.model import Cell, Column, Figure, Row, Table
from pipeline.render.wording import Wording

#: The rows of a chart table the technical report prints (the CSV has every row).
MAX_PRINTED_ROWS = 35
_NUMERIC_KINDS = ("count", "rate", "share", "ratio", "number", "population")


def _cell_kind(kind: str) -> str:
    """A chart table column's kind as a table cell's (free text is 'text')."""
    if kind in _NUMERIC_KINDS or kind in ("interval", "code"):
        return kind
    return "text"


def _published_total(record: Sequence[object]) -> float:
    """A row's total of the numbers it publishes (a hidden value, or text, counts 0): rows are
    picked from what the table shows, so the pick tells nothing a hidden value would."""
    total = 0.0
    for value in record:
        try:
            total += float(str(value).replace(",", ""))
        except ValueError:
            continue
    return total


def _is_total(first_cell: object) -> bool:
    """A table's total row ('All wards (Waltham Forest)'), printed in bold."""
    return str(first_cell).startswith("All ")


def printed_rows(table: pd.DataFrame, printed: PrintedRows) -> pd.DataFrame:
    """The rows of a chart's table the technical report prints (see :class:`PrintedRows`);
    a total row is always printed, and is not one of the ``limit``."""
    if printed.where is not None:
        column, value = printed.where
        if column in table.columns:
            table = table.loc[table[column].astype(str) == value]
    totals = table.iloc[:, 0].map(_is_total) if len(table.columns) else pd.Series(dtype=bool)
    rows = table.loc[~totals]
    if len(rows) <= printed.limit:
        return table
    if printed.pick == "busiest":
        sums = pd.Series(
            [_published_total(r[1:]) for r in rows.itertuples(index=False)], index=rows.index
        )
        # The largest totals; ties in the table's order. Printed in the table's order.
        keep = sums.sort_values(ascending=False, kind="stable").index[: printed.limit]
    else:
        keep = rows.index[: printed.limit]
    return table.loc[table.index.isin(keep) | totals]


def _printed_note(printed: PrintedRows, shown: int, total: int, words: Wording) -> str:
    if printed.where is not None and printed.pick == "first" and shown < printed.limit:
        column, value = printed.where
        return words("printed.where", shown=shown, total=total, column=column, value=value)
    return words(f"printed.{printed.pick}", shown=shown, total=total)


def chart_table(
    chart: RenderedChart,
    variant: ReportVariant,
    words: Wording,
    caption: str | None = None,
    printed: PrintedRows | None = None,
) -> Table:
    """The data table printed under a chart (the CSV's exact values, with its download);
    ``printed`` picks the rows a technical report prints of a long one."""
    source = chart.table
    if printed is not None and variant.report == "technical":
        source = printed_rows(chart.table, printed)
        if printed.where is not None and printed.where[0] in source.columns:
            # One value left in the column: the note says it.
            source = source.drop(columns=printed.where[0])
    columns = list(source.columns)
    heads = tuple(Column(c, chart.kinds.get(c, "text")) for c in columns)
    rows = []
    for record in source.itertuples(index=False):
        values = list(record)
        head_text = fmt_csv_value(values[0], chart.kinds.get(columns[0], "text"))
        cells = []
        for column, value in zip(columns[1:], values[1:], strict=True):
            kind = chart.kinds.get(column, "text")
            hidden = str(value).strip() == MARKER
            cells.append(Cell(fmt_csv_value(value, kind), _cell_kind(kind), hidden))
        rows.append(Row(Cell(head_text), tuple(cells), total=_is_total(values[0])))
    notes = list(chart.notes) if chart.svg is None else []
    if len(source) < len(chart.table):
        assert printed is not None
        # The rows counted are those the pick chose from (a total row is printed as well).
        shown = int((~source.iloc[:, 0].map(_is_total)).sum())
        every = int((~chart.table.iloc[:, 0].map(_is_total)).sum())
        notes.append(_printed_note(printed, shown, every, words))
    if variant.report == "technical" and len(rows) > MAX_PRINTED_ROWS:
        # A ranked list of every LSOA runs to pages: its CSV carries the whole of it.
        notes.append(words("first_rows", shown=MAX_PRINTED_ROWS, total=len(rows)))
        rows = rows[:MAX_PRINTED_ROWS]
    if not caption:
        caption = chart.caption if chart.svg is None else words("table_caption", title=chart.title)
    return Table(
        id=f"{chart.name}-data",
        caption=caption,
        columns=heads,
        rows=tuple(rows),
        notes=tuple(notes),
        csv_href=published_csv_path(variant, chart.name),
        csv_label=words("csv_label", name=chart.name.replace("-", " ")),
        compact=len(columns) > 7 or len(rows) > 40,
    )


def chart_figure(
    chart: RenderedChart,
    variant: ReportVariant,
    words: Wording,
    printed: PrintedRows | None = None,
) -> Figure:
    if chart.svg is None:
        raise ValueError(f"chart {chart.name} has no SVG; use chart_table")
    return Figure(
        id=f"{chart.name}-chart",
        title=chart.title,
        alt=chart.alt,
        svg=Markup(chart.svg),
        table=chart_table(chart, variant, words, printed=printed),
        caption=chart.caption,
        notes=tuple(n for n in (chart.caption, *chart.notes) if n),
    )


def chart_parts(
    charts: Mapping[str, RenderedChart],
    names: Sequence[str],
    variant: ReportVariant,
    words: Wording,
    printed: Sequence[PrintedRows] = (),
) -> tuple[tuple[Figure, ...], tuple[Table, ...]]:
    """The figures of the charts ``names`` that were drawn, and the tables of those that are
    tables only (a chart the report has is never left out); ``printed`` says which rows of
    each long table a technical report prints."""
    picks = {p.chart: p for p in printed}
    figures, tables = [], []
    for name in names:
        chart = charts.get(name)
        if chart is None:
            continue
        if chart.svg is None:
            caption = words("table_only_caption", title=chart.title, caption=chart.caption)
            tables.append(
                chart_table(chart, variant, words, caption=caption, printed=picks.get(name))
            )
        else:
            figures.append(chart_figure(chart, variant, words, printed=picks.get(name)))
    return tuple(figures), tuple(tables)
