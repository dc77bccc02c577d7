"""Months: police recorded crime month by month, and whether some months of the year see
more (tested, with the series' extra variation allowed for)."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.months import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        comparators=inputs.frame("comparators"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="months",
    compute=_compute,
    findings=findings.findings,
    method=measures.METHOD,
    requires=("comparators",),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
    report=ReportPlacement(
        title="When in the year: month by month",
        topics=(findings.TOPIC,),
        charts=(charts.CHART_NAME,),
        # Its year totals are the key metric's counts again (kept as disclosure margins).
        in_summary=False,
        shown_in_charts=(
            measures.MONTH_COUNT,
            measures.CALENDAR_MONTH,
            measures.YEAR_TOTAL,
            measures.WINDOW_TOTAL,
            # The tests' figures are in the claims audit's statistics (and the CSV).
            measures.SEASONALITY,
            measures.PEAK_MONTH,
        ),
    ),
)
