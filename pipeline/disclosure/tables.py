"""Disclosure control of the SNA measure tables: every family's table at once, one decision
per count (DESIGN.md "Disclosure control"; methods.md section 6).

Each registered family says how its table is read (:class:`FamilyDisclosure`, on its
``Family``); this module builds the ledger of every published count from them, protects it
with :func:`~pipeline.disclosure.suppression.protect` and blanks what is hidden, along with
every value derived from it. It names no family.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger, is_na
from pipeline.disclosure.policy import DisclosurePolicy, Margin
from pipeline.disclosure.suppression import Protection, protect, suppress_columns
from pipeline.families.registry import FAMILIES

#: Columns blanked with a suppressed numerator (everything computed from the count); a family
#: adds its own (``FamilyDisclosure.derived_columns``).
DERIVED_COLUMNS: tuple[str, ...] = (
    "numerator",
    "value",
    "lower",
    "upper",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "series_count",
    "series_rate",
    "eb_rate",
    "possible_numerator",
    "reference_numerator",
)
#: Columns blanked with a suppressed denominator.
DENOMINATOR_DERIVED_COLUMNS: tuple[str, ...] = ("denominator", "value", "lower", "upper")

#: How each family's table is read, by family name; a table of no registered family gets the
#: defaults (every count its own cell, no margins).
_DISCLOSURE: dict[str, FamilyDisclosure] = {f.name: f.disclosure for f in FAMILIES}
_PLAIN = FamilyDisclosure()
#: Measure-id endings of numerators that are not counts, and of denominators that are, over
#: every family (a measure id's ending decides, whichever table the row is in).
NOT_COUNTS: tuple[str, ...] = tuple(
    dict.fromkeys(s for f in FAMILIES for s in f.disclosure.not_counts)
)
COUNT_DENOMINATORS: tuple[str, ...] = tuple(
    dict.fromkeys(s for f in FAMILIES for s in f.disclosure.count_denominators)
)


@dataclass(frozen=True)
class ProtectedTables:
    """Measure tables after disclosure control, with the audit log of what was hidden.

    Each table gains ``numerator_suppressed`` and ``denominator_suppressed``; suppressed
    values (and everything derived from them) are blank. ``blocks`` are the sums a family
    publishes as a view of their own (its ``sums``), with a ``hidden`` column.
    """

    tables: dict[str, pd.DataFrame]
    protection: Protection
    policy: DisclosurePolicy
    blocks: pd.DataFrame | None = None

    @property
    def audit(self) -> pd.DataFrame:
        return self.protection.audit


def _ends(measure_id: str, suffixes: Sequence[str]) -> bool:
    return any(measure_id.endswith(s) for s in suffixes)


def numerator_counts_people(measure_id: Any) -> bool:
    """False for measures whose numerator is not a count (a rank, a population share)."""
    return not _ends(str(measure_id), NOT_COUNTS)


def _disclosure_of(family: str) -> FamilyDisclosure:
    return _DISCLOSURE.get(family, _PLAIN)


def measure_ledger(tables: Mapping[str, pd.DataFrame]) -> MeasureLedger:
    """Every published count of the SNA measure tables, the margins that tie them together,
    and which cell each (family, row, column) shows.

    Each family's table gives its counts (one key per count, however many rows repeat it);
    then every family points its repeated totals at one cell, then publishes its margins.
    """
    ledger = MeasureLedger(tables)
    for family, table in sorted(tables.items()):
        disclosure = _disclosure_of(family)
        if disclosure.repeats_other_tables:
            continue  # its numbers are other tables' numbers; see protect_measure_tables
        for i, row in enumerate(table.to_dict("records")):
            measure = str(row["measure_id"])
            columns = []
            if not _ends(measure, NOT_COUNTS) and not is_na(row.get("numerator")):
                columns.append("numerator")
            if _ends(measure, COUNT_DENOMINATORS) and not is_na(row.get("denominator")):
                columns.append("denominator")
            for column in columns:
                key = disclosure.cell_key(family, row, column)
                value = float(row[column])
                if key in ledger.counts and abs(ledger.counts[key] - value) > 1e-9:
                    raise ValueError(
                        f"disclosure: the {family} table gives {column} {value:g} in row {i} "
                        f"({measure}, {row['group']}) but {ledger.counts[key]:g} elsewhere for "
                        "the same count; the tables contradict each other"
                    )
                ledger.counts[key] = value
                ledger.where[(family, i, column)] = key
    for family in FAMILIES:
        if family.disclosure.aliases is not None and family.name in tables:
            family.disclosure.aliases(ledger, family.name)
    for family in FAMILIES:
        if family.disclosure.margins is not None and family.name in tables:
            family.disclosure.margins(ledger, family.name)
    return ledger


def _published_sums(
    ledger: MeasureLedger, tables: Mapping[str, pd.DataFrame], block_size: int
) -> tuple[pd.DataFrame, tuple[Hashable, ...]] | None:
    """Put the sums a family publishes as a view of their own in the ledger, each tied to the
    rows it adds up by a margin; the view and its keys (None when no family has one)."""
    view = None
    for family in FAMILIES:
        if family.disclosure.sums is None or family.name not in tables:
            continue
        if view is not None:
            raise ValueError("disclosure: only one family may publish sums of its rows")
        sums = family.disclosure.sums(family.name, tables[family.name], block_size)
        for key, value, name, rows in zip(
            sums.keys, sums.frame["value"], sums.names, sums.rows, strict=True
        ):
            ledger.counts[key] = value
            parts = [ledger.cell(family.name, i) for i in rows]
            if parts:
                ledger.margins.append(Margin(name, key, tuple(parts)))
        view = (sums.frame, sums.keys)
    return view


def protect_measure_tables(
    tables: Mapping[str, pd.DataFrame],
    policy: DisclosurePolicy,
    keep: Iterable[tuple[str, str, str, str]] = (),
    hours_per_block: int | None = None,
) -> ProtectedTables:
    """Apply the policy to every SNA measure table at once (one decision per count).

    ``keep`` lists (family, measure_id, period, group) rows whose numerator is quoted in a
    finding; they are hidden as complements only when nothing else will do. Rows whose
    numerator is hidden lose every value derived from it; share rows whose total is hidden
    lose the share. A table that repeats other tables' numbers (strategy monitoring) hides
    its own small counts. With ``hours_per_block``, the sums a family publishes in blocks
    (weekday x block-of-hours sums of the weekday-hour grid) are protected as well
    (returned as ``blocks`` with a ``hidden`` column), each tied to its rows by a margin.
    """
    ledger = measure_ledger(tables)
    sums = _published_sums(ledger, tables, hours_per_block) if hours_per_block else None
    keep_keys = set()
    for family, measure, period, group in keep:
        table = tables.get(family)
        if table is None:
            continue
        match = table.index[
            (table["measure_id"] == measure)
            & (table["period"] == period)
            & (table["group"] == group)
        ]
        keep_keys |= {
            ledger.where[(family, int(i), "numerator")]
            for i in match
            if (family, int(i), "numerator") in ledger.where
        }
    protection = protect(ledger.counts, ledger.margins, policy, keep=keep_keys)
    out: dict[str, pd.DataFrame] = {}
    for family, table in tables.items():
        frame = table.reset_index(drop=True)
        hidden_num, hidden_den = (
            pd.Series(
                [
                    ledger.where.get((family, i, column)) in protection.suppressed
                    for i in range(len(frame))
                ],
                index=frame.index,
            )
            for column in ("numerator", "denominator")
        )
        if _disclosure_of(family).repeats_other_tables and policy.active:
            hidden_num = (
                frame["numerator"]
                .map(lambda v: not is_na(v) and policy.is_primary(float(v)))
                .astype(bool)
            )
        own = _disclosure_of(family)
        derived = DERIVED_COLUMNS + own.derived_columns
        blanked = suppress_columns(frame, hidden_num, derived)
        if own.bounding is not None and policy.active:
            pins = own.bounding(frame, policy.threshold).reindex(frame.index).fillna(False)
            blanked = suppress_columns(
                blanked, hidden_num & pins.astype(bool), own.bounding_columns
            )
        blanked = suppress_columns(blanked, hidden_den, DENOMINATOR_DERIVED_COLUMNS)
        blanked = blanked.drop(columns=["suppressed"])
        blanked["numerator_suppressed"] = hidden_num.to_numpy()
        blanked["denominator_suppressed"] = hidden_den.to_numpy()
        out[family] = blanked
    blocks = None
    if sums is not None:
        frame, keys = sums
        blocks = frame.copy()
        blocks["hidden"] = [key in protection.suppressed for key in keys]
    return ProtectedTables(out, protection, policy, blocks)
