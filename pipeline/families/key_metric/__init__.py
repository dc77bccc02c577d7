"""The key metric: knife crime with injury among under-25s against statistical neighbours."""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure
from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.key_metric import findings, measures
from pipeline.settings import Settings


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        comparators=inputs.frame("comparators"),
        population_la=inputs.frame("population_la"),
        neighbours=inputs.frame("neighbours"),
        victims=inputs.optional("victims"),
        areas=inputs.optional("areas"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


def _quoted_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """The area's key-metric and under-18 rates in the edition year: the findings quote
    their counts."""
    return [
        (f"{settings.definitions.metric(key).id}_rate", settings.edition, measures.AREA_GROUP)
        for key in ("key_metric", "under_18_metric")
    ]


FAMILY = Family(
    name="key_metric",
    compute=_compute,
    report=ReportPlacement(
        title="Key metric and benchmark",
        topics=("prevalence",),
        charts=("trend",),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=("comparators", "population_la", "neighbours"),
    optional=("victims", "areas"),
    # The repeat-victim share's total is the distinct victims.
    disclosure=FamilyDisclosure(count_denominators=("_repeat_victim_share",)),
    quoted_rows=_quoted_rows,
)
