"""Wards: police recorded crime by 2022 electoral ward (public data, MPS ward-level files).

Only in an edition whose public build is given the MPS ward files
(``public_sources.mps_ward_crime``): the area then has a ``ward_crime`` input, and both
reports' "where" sections give this ward table in place of the MSOAs (``omit_without`` in
:mod:`pipeline.families.catalogue`).
"""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.wards import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        ward_crime=inputs.frame("ward_crime"),
        comparators=inputs.optional("comparators"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="wards",
    compute=_compute,
    findings=findings.findings,
    method=measures.METHOD,
    requires=("ward_crime",),
    optional=("comparators",),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
    report=ReportPlacement(
        title="Where: police recorded crime by ward",
        topics=(findings.TOPIC,),
        charts=(charts.CHART_NAME,),
        shown_in_charts=(measures.WARD_COUNT, measures.WARD_TOTAL),
    ),
)
