"""Wards: what disclosure control needs to know about the ward table.

A ward's count is one cell (its count row and its rate row show it); the area's ward total is
the denominator of every ward's share, the total row and the reconciliation's numerator: one
cell. The wards of a definition and year add up to that total (a published margin), so a
hidden ward count gets a hidden complement.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pipeline.disclosure.ledger import (
    FamilyDisclosure,
    MeasureLedger,
    default_cell_key,
    is_measure,
)
from pipeline.families.wards.measures import (
    WARD_COUNT,
    WARD_RATE,
    WARD_RECONCILIATION,
    WARD_TOTAL,
)


def _kind(measure_id: str) -> str | None:
    kinds = (WARD_COUNT, WARD_RATE, WARD_TOTAL, WARD_RECONCILIATION)
    return next((kind for kind in kinds if is_measure(measure_id, kind)), None)


def cell_key(family: str, row: Mapping[str, Any], column: str) -> Hashable:
    kind = _kind(str(row["measure_id"]))
    key = (family, str(row["definition"]), str(row["period"]))
    if kind in (WARD_COUNT, WARD_RATE) and column == "numerator":
        return (*key, str(row["group"]))
    if (kind == WARD_COUNT and column == "denominator") or (
        kind in (WARD_TOTAL, WARD_RECONCILIATION) and column == "numerator"
    ):
        return (*key, "all wards")
    return default_cell_key(family, row, column)


def margins(ledger: MeasureLedger, family: str) -> None:
    """The wards of each definition and year -> the area's ward total."""
    parts: dict[tuple[str, str], list[Hashable]] = {}
    totals: dict[tuple[str, str], Hashable] = {}
    for i, row in ledger.rows_of(family):
        kind = _kind(str(row["measure_id"]))
        key = (str(row["definition"]), str(row["period"]))
        if kind == WARD_COUNT and (family, i, "numerator") in ledger.where:
            parts.setdefault(key, []).append(ledger.cell(family, i))
        elif kind == WARD_TOTAL and (family, i, "numerator") in ledger.where:
            totals[key] = ledger.cell(family, i)
    for key, cells in sorted(parts.items()):
        ledger.relate(f"wards of {key[0]} {key[1]}", totals.get(key), cells)


DISCLOSURE = FamilyDisclosure(
    # A share's denominator is the ward total and the reconciliation's the borough file's
    # total: counts (a rate's denominator is residents).
    count_denominators=(WARD_COUNT, WARD_RECONCILIATION),
    cell_key=cell_key,
    margins=margins,
)
