"""The measure families, in report order: the one list that names them.

Adding a family is a folder under ``pipeline/families/`` and one line here (see
``docs/architecture.md``). Strategy monitoring comes last: it reads the other families'
tables.
"""

from __future__ import annotations

from pipeline.families import (
    deprivation,
    disproportionality,
    hotspots,
    key_metric,
    monitoring,
    timing,
    trend,
)
from pipeline.families.base import Family

FAMILIES: tuple[Family, ...] = (
    key_metric.FAMILY,
    trend.FAMILY,
    disproportionality.FAMILY,
    hotspots.FAMILY,
    timing.FAMILY,
    deprivation.FAMILY,
    monitoring.FAMILY,
)
#: Family names in report order (file names of the measure tables and findings).
FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES)


def family_named(name: str) -> Family:
    """The registered family called ``name``."""
    for family in FAMILIES:
        if family.name == name:
            return family
    raise KeyError(f"no measure family called {name!r}; the families are {FAMILY_NAMES}")
