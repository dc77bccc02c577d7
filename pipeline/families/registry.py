"""The measure families, in report order: the one list that names them.

Adding a family is a folder under ``pipeline/families/`` and one line here (see
``docs/architecture.md``). Strategy monitoring comes last: it reads the other families'
tables.
"""

from __future__ import annotations

import pandas as pd

from pipeline.families import (
    deprivation,
    disproportionality,
    hotspots,
    key_metric,
    monitoring,
    stop_search,
    timing,
    trend,
)
from pipeline.families.base import Family, FamilyInputs
from pipeline.families.common import not_available_finding, not_available_rows
from pipeline.findings import Finding
from pipeline.settings import Settings
from pipeline.validate.kinds import (
    area_kinds,
    has_victim_extract,
    optional_area_kinds,
    shared_kinds,
)

FAMILIES: tuple[Family, ...] = (
    key_metric.FAMILY,
    trend.FAMILY,
    disproportionality.FAMILY,
    hotspots.FAMILY,
    timing.FAMILY,
    deprivation.FAMILY,
    stop_search.FAMILY,
    monitoring.FAMILY,
)
#: Family names in report order (file names of the measure tables and findings).
FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES)


def edition_families(settings: Settings) -> tuple[Family, ...]:
    """The families of an edition, in report order: every family, less those whose
    ``omit_without`` input the configuration does not supply."""
    supplied = {*shared_kinds(settings), *area_kinds(settings), *optional_area_kinds(settings)}
    return tuple(f for f in FAMILIES if f.omit_without is None or f.omit_without in supplied)


def edition_family_names(settings: Settings) -> tuple[str, ...]:
    """Names of :func:`edition_families` (the measure tables the edition writes)."""
    return tuple(f.name for f in edition_families(settings))


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
