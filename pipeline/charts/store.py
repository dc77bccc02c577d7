"""The chart store: :func:`write_charts` writes ``<dir>/<variant>/<name>.svg`` and ``.csv``
for every chart of one report variant, plus ``charts.json`` listing them in report order;
:func:`read_charts` reads them back for the report templates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.charts.spec import ChartSpec
from pipeline.charts.svg import chart_svg
from pipeline.runtime import write_csv, write_json


def write_chart(chart: ChartSpec, svg_path: str | Path | None, csv_path: str | Path) -> None:
    """Write a chart's SVG (unless it is a table only) and the table behind it as CSV."""
    if chart.chart is not None:
        if svg_path is None:
            raise ValueError(f"chart {chart.name} needs an SVG path")
        svg_path = Path(svg_path)
        svg_path.parent.mkdir(parents=True, exist_ok=True)
        svg_path.write_text(chart_svg(chart) + "\n", encoding="utf-8")
    write_csv(chart.table, csv_path)


def write_charts(charts: Sequence[ChartSpec], out_dir: str | Path, variant: str) -> Path:
    """Write every chart of one report variant (``resident``, ``technical-internal``, ...; see
    :mod:`pipeline.editions`) to ``out_dir/<variant>/`` with a ``charts.json`` index (name,
    title, alt, caption, notes, file names) in report order."""
    folder = Path(out_dir) / variant
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for chart in charts:
        svg = f"{chart.name}.svg" if chart.chart is not None else None
        write_chart(chart, folder / svg if svg else None, folder / f"{chart.name}.csv")
        missing = [c for c in chart.table.columns if c not in chart.kinds]
        if missing:
            raise ValueError(f"chart {chart.name}: no kind given for columns {missing}")
        index.append(
            {
                "name": chart.name,
                "title": chart.title,
                "alt": chart.alt,
                "caption": chart.caption,
                "notes": list(chart.notes),
                "svg": svg,
                "csv": f"{chart.name}.csv",
                "kinds": {c: chart.kinds[c] for c in chart.table.columns},
            }
        )
    write_json({"variant": variant, "charts": index}, folder / "charts.json")
    return folder


@dataclass(frozen=True)
class RenderedChart:
    """A chart as read back from disk for the report templates."""

    name: str
    title: str
    alt: str
    caption: str
    notes: tuple[str, ...]
    svg: str | None
    table: pd.DataFrame
    kinds: dict[str, str]
    csv_path: Path


def read_charts(chart_dir: str | Path, variant: str) -> list[RenderedChart]:
    """Read the charts :func:`write_charts` wrote for one report variant, in report order."""
    folder = Path(chart_dir) / variant
    index_path = folder / "charts.json"
    if not index_path.exists():
        raise FileNotFoundError(f"{index_path}: no chart index; run the charts step first")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    charts = []
    for item in index["charts"]:
        csv_path = folder / item["csv"]
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        charts.append(
            RenderedChart(
                name=item["name"],
                title=item["title"],
                alt=item["alt"],
                caption=item["caption"],
                notes=tuple(item["notes"]),
                svg=(folder / item["svg"]).read_text(encoding="utf-8").strip()
                if item["svg"]
                else None,
                table=table,
                kinds=dict(item["kinds"]),
                csv_path=csv_path,
            )
        )
    return charts
