"""What a chart is (:class:`ChartSpec`) and what a family draws its charts from
(:class:`ChartInputs`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from pipeline.charts.style import ChartStyle
from pipeline.settings import Area, Settings


@dataclass(frozen=True)
class ChartSpec:
    """One chart of a report, with everything needed to publish it accessibly.

    ``table`` is the data behind the chart as printed (suppressed values already ``[c]``);
    ``kinds`` gives each column's kind (``count``, ``rate``, ``share``... see
    :mod:`pipeline.render.model`). ``chart`` is None for a table shown without a chart (the
    ranked list that replaces a map when no boundaries are supplied).
    """

    name: str
    title: str
    alt: str
    chart: alt.TopLevelMixin | None = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    kinds: Mapping[str, str] = field(default_factory=dict)
    caption: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartInputs:
    """What a family's ``charts`` draws from, for one report at one circulation.

    ``tables`` are the measure tables by family, disclosure-controlled for that report;
    ``hour_blocks`` the weekday x block-of-hours sums protected with them (None when the
    style draws every hour). ``boundaries`` (GeoDataFrame, EPSG:27700, or None) are the LSOA
    boundaries a map needs.
    """

    tables: Mapping[str, pd.DataFrame]
    settings: Settings
    area: Area
    style: ChartStyle
    boundaries: Any = None
    hour_blocks: pd.DataFrame | None = None


def drawn(*charts: ChartSpec | None) -> list[ChartSpec]:
    """The charts that were drawn, in order (a chart function gives None when its table has
    nothing to draw)."""
    return [chart for chart in charts if chart is not None]
