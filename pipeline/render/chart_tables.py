"""The charts as the reports print them: each chart's SVG with its description, and the data
table under it (the published CSV's exact values, with its download link)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup

from pipeline.charts.store import RenderedChart
from pipeline.disclosure import MARKER
from pipeline.editions import ReportVariant, published_csv_path
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


def chart_table(
    chart: RenderedChart, variant: ReportVariant, words: Wording, caption: str | None = None
) -> Table:
    """The data table printed under a chart (the CSV's exact values, with its download)."""
    columns = list(chart.table.columns)
    heads = tuple(Column(c, chart.kinds.get(c, "text")) for c in columns)
    rows = []
    for record in chart.table.itertuples(index=False):
        values = list(record)
        head_text = fmt_csv_value(values[0], chart.kinds.get(columns[0], "text"))
        cells = []
        for column, value in zip(columns[1:], values[1:], strict=True):
            kind = chart.kinds.get(column, "text")
            hidden = str(value).strip() == MARKER
            cells.append(Cell(fmt_csv_value(value, kind), _cell_kind(kind), hidden))
        rows.append(Row(Cell(head_text), tuple(cells), total=str(values[0]).startswith("All ")))
    notes = list(chart.notes) if chart.svg is None else []
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


def chart_figure(chart: RenderedChart, variant: ReportVariant, words: Wording) -> Figure:
    if chart.svg is None:
        raise ValueError(f"chart {chart.name} has no SVG; use chart_table")
    return Figure(
        id=f"{chart.name}-chart",
        title=chart.title,
        alt=chart.alt,
        svg=Markup(chart.svg),
        table=chart_table(chart, variant, words),
        caption=chart.caption,
        notes=tuple(n for n in (chart.caption, *chart.notes) if n),
    )


def chart_parts(
    charts: Mapping[str, RenderedChart],
    names: Sequence[str],
    variant: ReportVariant,
    words: Wording,
) -> tuple[tuple[Figure, ...], tuple[Table, ...]]:
    """The figures of the charts ``names`` that were drawn, and the tables of those that are
    tables only (a chart the report has is never left out)."""
    figures, tables = [], []
    for name in names:
        chart = charts.get(name)
        if chart is None:
            continue
        if chart.svg is None:
            caption = words("table_only_caption", title=chart.title, caption=chart.caption)
            tables.append(chart_table(chart, variant, words, caption=caption))
        else:
            figures.append(chart_figure(chart, variant, words))
    return tuple(figures), tuple(tables)
