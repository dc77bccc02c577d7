"""When: day of week, hour and school times."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import (
    Family,
    FamilyInputs,
    PrintedRows,
    ReportPlacement,
    Unavailable,
)
from pipeline.families.timing import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        victims=inputs.frame("victims"),
        school_calendar=inputs.optional("school_calendar"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="timing",
    compute=_compute,
    report=ReportPlacement(
        title="When: time of day, school days and after school",
        topics=("when",),
        charts=("when",),
        shown_in_charts=("hour_weekday",),
        # The heat map labels every cell: its table prints the busiest hours.
        printed=(PrintedRows("when", 8, pick="busiest"),),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=(),
    optional=("victims", "school_calendar"),
    disclosure=disclosure.DISCLOSURE,
    unavailable=Unavailable(
        without="victims",
        measures=measures.NEEDS_VICTIM_DATA,
        definition="serious_violence_u25",
        topic="when",
        resident="We cannot say from public data what time of day or which days violence "
        "happens, or how it relates to school days. That needs police records about each "
        "offence and victim, which are not published.",
    ),
    charts=charts.charts,
)
