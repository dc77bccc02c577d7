"""Trend: rate growth against similar boroughs."""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure
from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.trend import charts, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        comparators=inputs.frame("comparators"),
        population_la=inputs.frame("population_la"),
        neighbours=inputs.frame("neighbours"),
        areas=inputs.optional("areas"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="trend",
    compute=_compute,
    report=ReportPlacement(
        title="Trend against similar boroughs",
        topics=("trend",),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=("comparators", "population_la", "neighbours"),
    optional=("areas",),
    # Ranks are not counts of people.
    disclosure=FamilyDisclosure(
        not_counts=("_placebo_rank", "_slope_rank", "_placebo_rank_without_2020_21")
    ),
    charts=charts.charts,
)
