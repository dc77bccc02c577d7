"""Stop and search: police activity in the area (never presented as victimisation).

Only in an edition whose configuration supplies stop-and-search files (``stop_search``): an
edition without them has no such table, section or not-available note (``omit_without`` in
:mod:`pipeline.families.catalogue`).
"""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs, ReportPlacement
from pipeline.families.stop_search import disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        stop_search=inputs.frame("stop_search"),
        population_la=inputs.optional("population_la"),
        population_ethnicity=inputs.optional("population_ethnicity"),
        school_calendar=inputs.optional("school_calendar"),
        settings=inputs.settings,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="stop_search",
    compute=_compute,
    findings=findings.findings,
    method=measures.METHOD,
    requires=("stop_search",),
    optional=("population_la", "population_ethnicity", "school_calendar"),
    disclosure=disclosure.DISCLOSURE,
    report=ReportPlacement(
        title="Police activity: stop and search",
        topics=(findings.TOPIC,),
        caveats=measures.CAVEATS,
    ),
)
