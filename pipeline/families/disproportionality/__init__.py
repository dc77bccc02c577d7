"""Who: disproportionality by ethnicity, sex and age."""

from __future__ import annotations

import pandas as pd

from pipeline.families.base import Family, FamilyInputs
from pipeline.families.disproportionality import disclosure, findings, measures


def _compute(inputs: FamilyInputs) -> pd.DataFrame:
    return measures.compute(
        victims=inputs.optional("victims"),
        population_ethnicity=inputs.optional("population_ethnicity"),
        config=inputs.config,
        area_code=inputs.area_code,
    )


FAMILY = Family(
    name="disproportionality",
    compute=_compute,
    findings=findings.findings,
    method=measures.METHOD,
    requires=(),
    optional=("victims", "population_ethnicity"),
    disclosure=disclosure.DISCLOSURE,
)
