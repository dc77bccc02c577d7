"""Who: disproportionality by ethnicity, sex and age."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement, Unavailable
from pipeline.families.disproportionality import charts, disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        victims=inputs.frame("victims"),
        population_ethnicity=inputs.optional("population_ethnicity"),
        config=inputs.config,
        area_code=inputs.area_code,
    )


def _quoted_rows(config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The "black boys under 18" headline finding quotes this cell's share."""
    definitions = config["definitions"]
    under_18 = next(
        (
            group["label"]
            for group in definitions["age_groups"]
            if group["age_to"] == definitions["under_18_metric"]["age_to"]
        ),
        None,
    )
    if not under_18:
        return []
    return [
        (
            f"{definitions['key_metric']['id']}_victim_share",
            str(config["edition"]),
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
