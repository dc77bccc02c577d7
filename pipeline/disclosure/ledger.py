"""The measure ledger: every published count of the measure tables, by cell, and the margins
that tie them together; and what a family declares about its own table.

Disclosure control reads a family's table through its :class:`FamilyDisclosure` (set on its
``Family`` in ``pipeline/families/<family>/__init__.py``): which numerators and denominators
are counts, which rows repeat one count (one cell key), which totals another row also gives,
and the family's margins. This module names no family; the families' own ``disclosure.py``
modules do, using the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.disclosure.policy import Margin, sort_key

#: Where a count is shown: (family, row position in its table, column).
Position = tuple[str, int, str]


def is_measure(measure_id: Any, name: str) -> bool:
    """True when a measure id is ``name`` or ``<definition id>_<name>`` (e.g. ``sv_0_24_gini``)."""
    text = str(measure_id)
    return text == name or text.endswith("_" + name)


def is_na(value: Any) -> bool:
    """True for None and pandas' missing values (NaN, NA, NaT); False for anything else,
    including values pandas cannot test (a list)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def default_cell_key(family: str, row: Mapping[str, Any], column: str) -> tuple[str, ...]:
    """The ledger key of a count that no other row repeats: its family, measure, definition,
    period, group and column."""
    return (
        family,
        str(row["measure_id"]),
        str(row["definition"]),
        str(row["period"]),
        str(row["group"]),
        column,
    )


@dataclass
class MeasureLedger:
    """Every published count of the measure tables (``counts``, by cell key), which cell each
    (family, row, column) shows (``where``), and the margins that tie the cells together."""

    tables: Mapping[str, pd.DataFrame]
    counts: dict[Hashable, float] = field(default_factory=dict)
    where: dict[Position, Hashable] = field(default_factory=dict)
    margins: list[Margin] = field(default_factory=list)

    def rows_of(self, family: str, measure: str | None = None) -> list[tuple[int, dict[str, Any]]]:
        """(position, row) of the family's rows, or of its rows of one measure."""
        table = self.tables.get(family)
        if table is None:
            return []
        records = list(enumerate(table.to_dict("records")))
        return [
            (i, r) for i, r in records if measure is None or is_measure(r["measure_id"], measure)
        ]

    def cell(self, family: str, row: int, column: str = "numerator") -> Hashable:
        """The cell shown in ``column`` of row ``row`` of the family's table."""
        return self.where[(family, row, column)]

    def relate(self, name: str, total: Hashable | None, parts: Sequence[Hashable]) -> None:
        """Publish the margin ``total = sum(parts)``, if the data make it one: a margin with no
        total or no parts, or whose parts do not add up to the total here (a part left out),
        ties nothing."""
        parts = sorted(set(parts), key=sort_key)
        if total is None or not parts or total in parts:
            return
        total_count = self.counts[total]
        if abs(sum(self.counts[p] for p in parts) - total_count) > 1e-6 * max(1.0, total_count):
            return
        self.margins.append(Margin(name, total, tuple(parts)))


@dataclass(frozen=True)
class PublishedSums:
    """Sums of a family's rows published as a view of their own (e.g. hours in blocks):
    ``frame`` as published, one row per sum with its ``value``; for each sum, its ledger key,
    the name of the margin tying it to its rows, and the positions of the rows it adds up."""

    frame: pd.DataFrame
    keys: tuple[Hashable, ...]
    names: tuple[str, ...]
    rows: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class FamilyDisclosure:
    """What disclosure control needs to know about one family's measure table.

    ``not_counts`` and ``count_denominators`` are measure-id endings: measures whose
    numerator is not a count of people or incidents (a rank, a population share), and
    measures whose denominator is one (a share's total). ``cell_key(family, row, column)``
    gives rows that repeat one count a single key, so one decision covers every place the
    number appears. ``aliases(ledger, family)`` points totals that another row also gives at
    that row's cell; ``margins(ledger, family)`` publishes the family's margins (with
    :meth:`MeasureLedger.relate`); both run after every family's counts are in the ledger,
    aliases first. ``sums(family, table, size)`` gives sums of the table's rows published as
    a view of their own, in blocks of ``size``. A table that ``repeats_other_tables`` quotes
    numbers published elsewhere: it is left out of the ledger and its own numerators get
    primary suppression only. ``derived_columns`` are the family's own columns, beyond the
    shared ``DERIVED_COLUMNS`` of :mod:`pipeline.disclosure.tables`, from which a row's count
    can be worked back (a test's p and q, given its expected count): they are blanked with
    the count; ``bounding_columns`` narrow it down, and are blanked with it only on the rows
    ``bounding`` names. The defaults: every count its own cell, no margins, no columns of its
    own.
    """

    not_counts: tuple[str, ...] = ()
    count_denominators: tuple[str, ...] = ()
    cell_key: Callable[[str, Mapping[str, Any], str], Hashable] = default_cell_key
    aliases: Callable[[MeasureLedger, str], None] | None = None
    margins: Callable[[MeasureLedger, str], None] | None = None
    sums: Callable[[str, pd.DataFrame, int], PublishedSums] | None = None
    repeats_other_tables: bool = False
    derived_columns: tuple[str, ...] = ()
    #: Columns that bound a hidden count without giving it (a test's verdict, such as "hot
    #: spot": the count is at least the smallest that passes), and which rows' bounds would
    #: pin it: ``bounding(table, threshold)`` is a mask of the rows whose ``bounding_columns``
    #: are hidden with their count. It may read only what is published beside the count (never
    #: the count), so that hiding a verdict says nothing about it.
    bounding_columns: tuple[str, ...] = ()
    bounding: Callable[[pd.DataFrame, int], pd.Series] | None = None
