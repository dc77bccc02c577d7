"""The measure families by name, in report order, and which of them an edition includes.

This is the one list that names the families. It imports nothing heavy, so that the workflow
(``rules/common.smk``) and the job scripts can name an edition's tables without importing
every family's statistics (scipy, statsmodels, altair); a no-op ``snakemake`` run reads only
this. :mod:`pipeline.families.registry` imports each family's package from this list and
checks that its ``FAMILY`` carries the same name.

``omit_without`` names an optional input kind without which a family is left out of the
edition altogether (no table, no section, no not-available note): an edition that does not
supply it is built exactly as if the family did not exist. Strategy monitoring comes last: it
reads the other families' tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import Settings
from pipeline.validate.kinds import area_kinds, optional_area_kinds, shared_kinds


@dataclass(frozen=True)
class CatalogueEntry:
    """A family's name (its package under ``pipeline/families/``) and the optional input it
    needs to be in an edition at all (None: always in)."""

    name: str
    omit_without: str | None = None


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("key_metric"),
    CatalogueEntry("trend"),
    CatalogueEntry("disproportionality"),
    CatalogueEntry("hotspots"),
    CatalogueEntry("wards", omit_without="ward_crime"),
    CatalogueEntry("timing"),
    CatalogueEntry("months"),
    CatalogueEntry("deprivation"),
    CatalogueEntry("stop_search", omit_without="stop_search"),
    CatalogueEntry("monitoring"),
)
#: Family names in report order (file names of the measure tables and findings).
FAMILY_NAMES: tuple[str, ...] = tuple(entry.name for entry in CATALOGUE)
#: The families every edition has (none of them waits on an optional input).
ALWAYS_INCLUDED: tuple[str, ...] = tuple(e.name for e in CATALOGUE if e.omit_without is None)


def supplied_kinds(settings: Settings) -> set[str]:
    """Every input kind the configuration supplies (shared, area and optional area)."""
    return {*shared_kinds(settings), *area_kinds(settings), *optional_area_kinds(settings)}


def edition_family_names(settings: Settings) -> tuple[str, ...]:
    """The names of the edition's families, in report order: every family, less those whose
    ``omit_without`` input the configuration does not supply."""
    supplied = supplied_kinds(settings)
    return tuple(e.name for e in CATALOGUE if e.omit_without is None or e.omit_without in supplied)
