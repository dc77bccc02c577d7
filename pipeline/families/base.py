"""The Family protocol: what every measure family provides, behind one object.

A family is a folder under ``pipeline/families/`` whose ``__init__.py`` defines ``FAMILY``, a
:class:`Family`. The registry (:mod:`pipeline.families.registry`) lists them in report order;
the measures step, the charts, disclosure control and the reports reach a family only through
it, with plain imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure
from pipeline.findings import Finding


@dataclass(frozen=True)
class FamilyInputs:
    """What a family's ``compute`` reads: validated inputs by kind, the settings, the area and
    (for a family that reads others, such as strategy monitoring) the other families' tables
    as written."""

    frames: Mapping[str, Any]
    config: Mapping[str, Any]
    area_code: str
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def frame(self, kind: str) -> Any:
        """A required input; a missing one is a wiring mistake, named."""
        if kind not in self.frames:
            raise KeyError(f"the measures step was given no validated '{kind}' input")
        return self.frames[kind]

    def optional(self, kind: str) -> Any | None:
        """An input the family can do without (None when this edition has none)."""
        return self.frames.get(kind)


@dataclass(frozen=True)
class Family:
    """One measure family.

    ``requires`` are the validated input kinds it cannot be computed without, ``optional``
    those it uses when supplied; ``reads_families`` is true for a family computed from the
    other families' tables (it then runs after them). ``compute`` returns the tidy table,
    ``findings`` the sentences it licenses, ``method`` the method and caveat text.
    ``disclosure`` tells disclosure control how to read the table (its margins, the rows
    that repeat one count); by default every count stands alone.
    """

    name: str
    compute: Callable[[FamilyInputs], pd.DataFrame]
    findings: Callable[[pd.DataFrame, Mapping[str, Any]], list[Finding]]
    method: str
    requires: Sequence[str] = ()
    optional: Sequence[str] = ()
    reads_families: bool = False
    disclosure: FamilyDisclosure = FamilyDisclosure()
