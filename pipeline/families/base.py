"""The Family protocol: what every measure family provides, behind one object.

A family is a folder under ``pipeline/families/`` whose ``__init__.py`` defines ``FAMILY``, a
:class:`Family`. The registry (:mod:`pipeline.families.registry`) lists them in report order;
the measures step, the charts, disclosure control and the reports reach a family only through
it, with plain imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure
from pipeline.findings import Finding
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.charts.spec import ChartInputs, ChartSpec


@dataclass(frozen=True)
class FamilyInputs:
    """What a family's ``compute`` reads: validated inputs by kind, the settings, the area and
    (for a family that reads others, such as strategy monitoring) the other families' tables
    as written."""

    frames: Mapping[str, Any]
    settings: Settings
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


def no_charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The default ``charts``: a family the reports give in text and tables only."""
    return []


def no_quoted_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """The default ``quoted_rows``: a family whose findings quote no count."""
    return []


@dataclass(frozen=True)
class Unavailable:
    """What a family publishes when an input it cannot do without is not supplied (public
    crime counts carry no victim's age, sex or ethnicity, nor the time of day).

    ``without`` is that input's kind; ``measures`` maps each measure it would show to the
    fields it needs; ``definition`` names the configured definition the table is labelled
    with; ``topic`` and ``resident`` are the finding's topic and the sentence residents read.
    The registry decides, in one place, when this applies and writes it in one form.
    """

    without: str
    measures: Mapping[str, str]
    definition: str
    topic: str
    resident: str


@dataclass(frozen=True)
class PrintedRows:
    """Which rows of one chart's table the technical report prints under the chart: a long
    table's full list is its CSV, linked under it.

    ``pick``: ``first`` (the table's own order, a ranking: the top ``limit``) or ``busiest``
    (for a table of incidents: the ``limit`` rows with the largest total of the values the
    table publishes, a hidden value counting 0, printed in the table's order). ``where``
    keeps only the rows whose ``column`` has ``value`` (the groups the chart draws, e.g. both
    sexes together), and the column is left out."""

    chart: str
    limit: int
    pick: str = "first"
    where: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.pick not in ("first", "busiest"):
            raise ValueError(f"PrintedRows.pick must be 'first' or 'busiest', not {self.pick!r}")


@dataclass(frozen=True)
class ReportPlacement:
    """A family's section of the technical report: its heading, the finding topics and the
    charts it shows, the measures shown in those charts' tables rather than again in its
    measure table, and the caveats that go with its figures."""

    title: str
    topics: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()
    shown_in_charts: tuple[str, ...] = ()
    #: Printed beside the family's figures and in the report's caveats section (unless its
    #: measures are not available).
    caveats: tuple[str, ...] = ()
    #: How its table is laid out: ``measures`` (one row per measure) or ``indicators`` (the
    #: strategy's indicators against their baselines, and the action tracker).
    layout: str = "measures"
    #: The chart tables the technical report prints in part (:class:`PrintedRows`).
    printed: tuple[PrintedRows, ...] = ()
    #: Whether its series over the years go into the indicator summary that opens the
    #: technical report (False for a family whose yearly rows repeat another's counts).
    in_summary: bool = True


@dataclass(frozen=True)
class Family:
    """One measure family.

    ``requires`` are the validated input kinds it cannot be computed without, ``optional``
    those it uses when supplied; ``reads_families`` is true for a family computed from the
    other families' tables (it then runs after them). ``compute`` returns the tidy table,
    ``findings`` the sentences it licenses, ``method`` the method and caveat text.
    ``report`` places it in the technical report (:class:`ReportPlacement`).
    ``unavailable`` says what it publishes when an input it cannot do without is missing
    (see :class:`Unavailable`); the registry then does not call ``compute``.
    ``disclosure`` tells disclosure control how to read the table (its margins, the rows
    that repeat one count); by default every count stands alone.
    ``charts`` draws its charts (and chart-like tables) for one report, in report order.
    ``quoted_rows`` are the (measure_id, period, group) rows whose count a finding quotes:
    disclosure control keeps them published unless nothing else can protect another cell.
    Whether an edition includes the family at all is the catalogue's
    (:mod:`pipeline.families.catalogue`, ``omit_without``).
    """

    name: str
    compute: Callable[[FamilyInputs], pd.DataFrame]
    findings: Callable[[pd.DataFrame, Mapping[str, Any]], list[Finding]]
    method: str
    requires: Sequence[str] = ()
    optional: Sequence[str] = ()
    reads_families: bool = False
    report: ReportPlacement = ReportPlacement(title="")
    unavailable: Unavailable | None = None
    disclosure: FamilyDisclosure = FamilyDisclosure()
    charts: Callable[[ChartInputs], list[ChartSpec]] = no_charts
    quoted_rows: Callable[[Mapping[str, Any]], list[tuple[str, str, str]]] = no_quoted_rows
