"""Deprivation: the gradient across deprivation deciles."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.deprivation import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        lsoas=inputs.frame("lsoas"),
        population_lsoa=inputs.frame("population_lsoa"),
        deprivation=inputs.frame("deprivation"),
        victims=inputs.optional("victims"),
        lsoa_counts=inputs.optional("lsoa_counts"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="deprivation",
    compute=_compute,
    report=ReportPlacement(
        title="Deprivation",
        topics=("deprivation",),
        charts=("deprivation",),
        shown_in_charts=("imd_decile_rate",),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=("lsoas", "population_lsoa", "deprivation"),
    optional=("victims", "lsoa_counts"),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
)
