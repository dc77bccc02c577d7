"""The measure families, in report order, loaded from :mod:`pipeline.families.catalogue`
(the one list that names them), and what the registry decides once for every family: when a
family publishes its not-available table instead of computing.

Adding a family is a folder under ``pipeline/families/``, one line in the catalogue and one
here, in the same place (checked at import; see ``docs/architecture.md``).
"""

from __future__ import annotations

import pandas as pd

from pipeline.families import (
    deprivation,
    disproportionality,
    hotspots,
    key_metric,
    monitoring,
    months,
    stop_search,
    timing,
    trend,
    wards,
)
from pipeline.families.base import Family, FamilyInputs
from pipeline.families.catalogue import FAMILY_NAMES, edition_family_names
from pipeline.families.common import not_available_finding, not_available_rows
from pipeline.findings import Finding
from pipeline.settings import Settings
from pipeline.validate.kinds import has_victim_extract

FAMILIES: tuple[Family, ...] = (
    key_metric.FAMILY,
    trend.FAMILY,
    disproportionality.FAMILY,
    hotspots.FAMILY,
    wards.FAMILY,
    timing.FAMILY,
    months.FAMILY,
    deprivation.FAMILY,
    stop_search.FAMILY,
    monitoring.FAMILY,
)
# The catalogue names the families and their order; this tuple must follow it exactly.
if tuple(family.name for family in FAMILIES) != FAMILY_NAMES:
    raise ImportError(
        f"pipeline.families.registry lists {[f.name for f in FAMILIES]}, but the catalogue "
        f"(pipeline/families/catalogue.py) names {list(FAMILY_NAMES)}: keep them in step"
    )
__all__ = ["FAMILIES", "FAMILY_NAMES", "edition_families", "edition_family_names"]


def edition_families(settings: Settings) -> tuple[Family, ...]:
    """The families of an edition, in report order (:func:`edition_family_names`)."""
    names = set(edition_family_names(settings))
    return tuple(f for f in FAMILIES if f.name in names)


def family_named(name: str) -> Family:
    """The registered family called ``name``."""
    for family in FAMILIES:
        if family.name == name:
            return family
    raise KeyError(f"no measure family called {name!r}; the families are {FAMILY_NAMES}")


def _uses_victims(family: Family) -> bool:
    kinds = (*family.requires, *family.optional)
    return "victims" in kinds or (
        family.unavailable is not None and family.unavailable.without == "victims"
    )


def compute_table(family: Family, inputs: FamilyInputs) -> pd.DataFrame:
    """A family's measure table. Decided here, once for every family:

    * a configuration with a victim extract must pass it: a missing extract is an error, never
      a silent switch to the public-data measures;
    * a family that cannot be computed without an input that is not supplied publishes its
      not-available table (one row per measure it would show, saying what it needs); nothing
      is estimated from another source.
    """
    no_victims = inputs.optional("victims") is None
    if no_victims and _uses_victims(family) and has_victim_extract(inputs.settings):
        raise ValueError(
            f"{family.name}: no victims given, but the configuration has victim_extract: "
            "true (set victim_extract: false for an SNA from public data alone)"
        )
    unavailable = family.unavailable
    if unavailable is not None and inputs.optional(unavailable.without) is None:
        return not_available_rows(
            family.name,
            unavailable.measures,
            definition=inputs.settings.definitions.metric(unavailable.definition),
            settings=inputs.settings,
            area_code=inputs.area_code,
        )
    return family.compute(inputs)


def family_findings(family: Family, table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """A family's findings from its table: the one not-available finding when
    :func:`compute_table` published the not-available table, else the family's own."""
    if family.unavailable is not None:
        unavailable = not_available_finding(
            table,
            family=family.name,
            topic=family.unavailable.topic,
            resident=family.unavailable.resident,
        )
        if unavailable is not None:
            return [unavailable]
    return family.findings(table, settings)
