"""Where: small-area rates, concentration and hot spots."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, PrintedRows, ReportPlacement
from pipeline.families.hotspots import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        lsoas=inputs.frame("lsoas"),
        population_lsoa=inputs.frame("population_lsoa"),
        victims=inputs.optional("victims"),
        lsoa_counts=inputs.optional("lsoa_counts"),
        boundaries=inputs.optional("boundaries"),
        schools=inputs.optional("schools"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="hotspots",
    compute=_compute,
    report=ReportPlacement(
        title="Where: hot spots and concentration",
        topics=("where",),
        charts=("where-map", "wards", "lsoas"),
        shown_in_charts=("lsoa_rate", "lsoa_exceedance", "gi_star", "ward_rate"),
        # The wards and LSOAs with the highest rates (the tables are ranked); every hot spot
        # and cluster is in the map's table above them.
        printed=(PrintedRows("wards", 10), PrintedRows("lsoas", 10)),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=("lsoas", "population_lsoa"),
    optional=("victims", "lsoa_counts", "boundaries", "schools"),
    disclosure=disclosure.DISCLOSURE,
    charts=charts.charts,
)
