"""Deprivation: what disclosure control needs to know about the deprivation table.

The IMD deciles add up to the incidents located in an LSOA (where's count, or this table's
own "used" count when where has none); the two tables' located counts are one number; the
row reconciliation adds up; the extreme-decile rate ratio's events are its two deciles'.
"""

from __future__ import annotations

from collections.abc import Hashable

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger, is_na
from pipeline.families.reconciliation_margins import (
    ROW_RECONCILIATION,
    alias_totals,
    located_incidents,
    reconciliation_margins,
    used_totals,
)

#: Measures whose numerator is a total that the row reconciliation also gives.
TOTAL_NUMERATORS: tuple[str, ...] = ("sii", "rii", "decile_rate_ratio")


def margins(ledger: MeasureLedger, family: str) -> None:
    """The reconciliation; IMD deciles -> the located total; the extreme-decile ratio's
    events -> its two deciles."""
    reconciliation_margins(ledger, family)
    located = located_incidents(ledger)
    deciles: dict[tuple[str, str], list[Hashable]] = {}
    decile_cells: dict[tuple[str, str, int], Hashable] = {}
    for i, r in ledger.rows_of(family, "imd_decile_rate"):
        ident = (str(r["definition"]), str(r["period"]))
        deciles.setdefault(ident, []).append(ledger.cell(family, i))
        decile_cells[(*ident, int(r["imd_decile"]))] = ledger.cell(family, i)
    for i, r in ledger.rows_of(family, "extreme_decile_rate_ratio"):
        if (family, i, "numerator") not in ledger.where or is_na(r.get("most_decile")):
            continue
        ident = (str(r["definition"]), str(r["period"]))
        ends = [decile_cells.get((*ident, int(r[c]))) for c in ("most_decile", "least_decile")]
        if None not in ends:
            ledger.relate(f"extreme deciles ({ident[0]} {ident[1]})", ledger.cell(family, i), ends)
    used = used_totals(ledger, family)
    for ident, parts in sorted(deciles.items()):
        total = located.get(ident) or used.get(ident)
        ledger.relate(f"IMD deciles ({ident[0]} {ident[1]})", total, parts)
        if ident in used and ident in located:
            ledger.relate(
                f"located incidents ({ident[0]} {ident[1]}) in two tables",
                located[ident],
                [used[ident]],
            )


def _aliases(ledger: MeasureLedger, family: str) -> None:
    alias_totals(ledger, family, TOTAL_NUMERATORS)


DISCLOSURE = FamilyDisclosure(
    count_denominators=("most_deprived_20_share", "most_deprived_20_ratio", ROW_RECONCILIATION),
    aliases=_aliases,
    margins=margins,
)
