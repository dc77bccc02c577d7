"""When: day of week, hour and school times."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs
from pipeline.families.timing import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        victims=inputs.optional("victims"),
        school_calendar=inputs.optional("school_calendar"),
        config=inputs.config,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="timing",
    compute=_compute,
    findings=findings.findings,
    method=measures.METHOD,
    requires=(),
    optional=("victims", "school_calendar"),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
)
