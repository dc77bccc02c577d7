"""Every chart of one report: disclosure control for that report, then each family's charts
in report order (the registry's order).

A family draws its charts through ``Family.charts``; the cells its findings quote
(``Family.quoted_rows``) stay published unless nothing else can protect another cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.charts.spec import ChartInputs, ChartSpec
from pipeline.charts.style import style_for
from pipeline.disclosure import DisclosurePolicy
from pipeline.disclosure.tables import protect_measure_tables
from pipeline.editions import variant_for
from pipeline.families.registry import FAMILIES
from pipeline.settings import Area, Settings

if TYPE_CHECKING:
    from pipeline.disclosure.tables import ProtectedTables


def build_charts(
    tables: Mapping[str, pd.DataFrame],
    boundaries: Any,
    settings: Settings,
    area: Area,
    audience: str = "resident",
    circulation: str | None = None,
) -> list[ChartSpec]:
    """Every chart (and chart-like table) of one report, in report order.

    ``audience`` is the report ("resident" or "technical": which charts, with which detail;
    see :mod:`pipeline.charts.style`); ``circulation`` ("public" or "internal"; default: the
    resident report is public, the technical report internal) decides the disclosure
    threshold. ``tables`` are the raw measure tables by family; they are disclosure-controlled
    here for that report (:func:`protect_for_report`), so a public chart never draws or lists
    a suppressed number. ``boundaries`` (GeoDataFrame, EPSG:27700, or None) gives the
    hot-spot map; without it the ranked tables stand in for the map.
    """
    protected = protect_for_report(tables, settings, audience, circulation)
    inputs = ChartInputs(
        tables=protected.tables,
        settings=settings,
        area=area,
        style=style_for(audience),
        boundaries=boundaries,
        hour_blocks=protected.blocks,
    )
    return [chart for family in FAMILIES for chart in family.charts(inputs)]


def protect_for_report(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    report: str,
    circulation: str | None = None,
) -> ProtectedTables:
    """Disclosure control of one report at one circulation over every measure table, keeping
    published the counts that the findings quote (same call in the charts and the report, so
    both make the same decisions)."""
    variant = variant_for(report, circulation)
    policy = DisclosurePolicy.for_report(settings, variant.report, variant.circulation)
    keep = [
        (family.name, measure_id, period, group)
        for family in FAMILIES
        for measure_id, period, group in family.quoted_rows(settings)
    ]
    return protect_measure_tables(
        tables,
        policy,
        keep=keep,
        # The technical report shows the hour-by-hour grid (protected cell by cell at a public
        # threshold); the resident report blocks of hours.
        hours_per_block=style_for(report).hours_per_block,
    )
