"""Deprivation: the gradient across deprivation deciles."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.deprivation import charts, disclosure, findings, la_summaries, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    table = measures.compute(
        lsoas=inputs.frame("lsoas"),
        population_lsoa=inputs.frame("population_lsoa"),
        deprivation=inputs.frame("deprivation"),
        victims=inputs.optional("victims"),
        lsoa_counts=inputs.optional("lsoa_counts"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )
    # The borough among England's districts (IoD File 10), where it is supplied.
    extra = la_summaries.summary_rows(
        inputs.optional("deprivation_la"), inputs.area_code, inputs.settings.confidence
    )
    if not extra:
        return table
    return pd.concat([table, pd.DataFrame(extra)], ignore_index=True)


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
    method=measures.METHOD + "\n" + la_summaries.METHOD,
    requires=("lsoas", "population_lsoa", "deprivation"),
    optional=("victims", "lsoa_counts", "deprivation_la"),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
)
