"""Who: disproportionality by ethnicity, sex and age."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import (
    Family,
    FamilyInputs,
    PrintedRows,
    ReportPlacement,
    Unavailable,
)
from pipeline.families.disproportionality import charts, disclosure, findings, measures
from pipeline.settings import Settings


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        victims=inputs.frame("victims"),
        population_ethnicity=inputs.optional("population_ethnicity"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


def _quoted_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """The "black boys under 18" headline finding quotes this cell's share."""
    definitions = settings.definitions
    under_18 = next(
        (
            group.label
            for group in definitions.age_groups
            if group.age_to == definitions.under_18_metric.age_to
        ),
        None,
    )
    if not under_18:
        return []
    return [
        (
            f"{definitions.key_metric.id}_victim_share",
            settings.edition,
            f"Black Male {under_18}",
        )
    ]


FAMILY = Family(
    name="disproportionality",
    compute=_compute,
    report=ReportPlacement(
        title="Who is affected: disproportionality",
        topics=("who",),
        charts=("who",),
        shown_in_charts=("victim_share", "population_share", "share_ratio", "rate_ratio"),
        caveats=tuple(measures.CAVEATS),
        # The groups the chart draws (both sexes together); by sex in the CSV.
        printed=(PrintedRows("who", 20, where=("Sex", "All")),),
    ),
    findings=findings.findings,
    method=measures.METHOD,
    requires=(),
    optional=("victims", "population_ethnicity"),
    disclosure=disclosure.DISCLOSURE,
    unavailable=Unavailable(
        without="victims",
        measures=measures.NEEDS_VICTIM_DATA,
        definition="key_metric",
        topic="who",
        resident="We cannot say from public data who the victims are, such as their age, "
        "sex or ethnic group. That needs police records about each victim, which are not "
        "published.",
    ),
    quoted_rows=_quoted_rows,
    charts=charts.charts,
)
