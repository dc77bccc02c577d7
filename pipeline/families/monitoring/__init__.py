"""Strategy monitoring: indicators against their baselines and actions."""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure
from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.monitoring import findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        tables=inputs.tables,
        actions=inputs.optional("actions"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="monitoring",
    compute=_compute,
    report=ReportPlacement(
        title="Strategy monitoring",
        topics=("monitoring",),
        layout="indicators",
    ),
    findings=findings.findings,
    method=measures.METHOD,
    optional=("actions",),
    reads_families=True,
    # Indicators quote other families' rows.
    disclosure=FamilyDisclosure(repeats_other_tables=True),
)
