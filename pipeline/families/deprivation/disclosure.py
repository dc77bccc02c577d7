"""Deprivation: what disclosure control needs to know about the deprivation table.

The IMD deciles add up to the incidents located in an LSOA (where's count, or this table's
own "used" count when where has none); the two tables' located counts are one number; the
row reconciliation adds up; the extreme-decile rate ratio's counts are its two deciles'.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pipeline.disclosure.ledger import (
    FamilyDisclosure,
    MeasureLedger,
    default_cell_key,
    is_measure,
    is_na,
)
from pipeline.families.deprivation.measures import decile_group
from pipeline.families.reconciliation_margins import (
    ROW_RECONCILIATION,
    alias_totals,
    located_incidents,
    reconciliation_margins,
    used_totals,
)

#: The observed ratio of the extreme deciles: its counts are two deciles' counts.
EXTREME_RATIO = "extreme_decile_rate_ratio"
#: Measures whose numerator is a total that the row reconciliation also gives.
TOTAL_NUMERATORS: tuple[str, ...] = ("sii", "rii", "decile_rate_ratio")


def margins(ledger: MeasureLedger, family: str) -> None:
    """The reconciliation; IMD deciles -> the located total."""
    reconciliation_margins(ledger, family)
    located = located_incidents(ledger)
    deciles: dict[tuple[str, str], list[Hashable]] = {}
    for i, r in ledger.rows_of(family, "imd_decile_rate"):
        deciles.setdefault((str(r["definition"]), str(r["period"])), []).append(
            ledger.cell(family, i)
        )
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


def cell_key(family: str, row: Mapping[str, Any], column: str) -> Hashable:
    """The extreme-decile ratio's numerator and denominator are the two deciles' counts: one
    cell each with the decile rows, so hiding a decile's count hides the ratio too."""
    measure = str(row["measure_id"])
    if is_measure(measure, EXTREME_RATIO) and not is_na(row.get("most_decile")):
        decile = int(row["most_decile"] if column == "numerator" else row["least_decile"])
        decile_row = {
            **row,
            "measure_id": measure.removesuffix(EXTREME_RATIO) + "imd_decile_rate",
            "group": decile_group(decile),
        }
        return default_cell_key(family, decile_row, "numerator")
    return default_cell_key(family, row, column)


def _aliases(ledger: MeasureLedger, family: str) -> None:
    alias_totals(ledger, family, TOTAL_NUMERATORS)


DISCLOSURE = FamilyDisclosure(
    count_denominators=(
        "most_deprived_20_share",
        "most_deprived_20_ratio",
        EXTREME_RATIO,
        ROW_RECONCILIATION,
    ),
    cell_key=cell_key,
    aliases=_aliases,
    margins=margins,
)
