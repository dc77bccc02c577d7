"""Where: what disclosure control needs to know about the small-area table.

An LSOA's rate, its own-rate test and its Gi* repeat one count (one cell). LSOAs add up to
their ward and to the incidents located in an LSOA; wards add up to that total too; the row
reconciliation adds up. The tests' p and q (and Gi*'s permutation z) are hidden with the
count: the own-rate p is P(X >= O | E) with E = residents x the borough rate, both published,
so p gives O back exactly, and q (BH, mostly p x N / rank) gives p back. The classes those
tests decide (hot spot or not, Gi* cluster) are hidden too: "hot spot" beside a hidden count
with E published says the count is at least the smallest that passes the test, which can
leave a one- or two-value range.
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
from pipeline.families.hotspots.own_rate import OWN_RATE_MEASURE
from pipeline.families.reconciliation_margins import (
    ROW_RECONCILIATION,
    alias_totals,
    reconciliation_margins,
    used_totals,
)

#: Columns of the hot-spot rows, beyond the shared derived columns, that give the count back.
DERIVED_FROM_THE_COUNT: tuple[str, ...] = (
    "p_value",
    "q_value",
    "gi_z_sim",
    "hotspot_class",
    "cluster_class",
)


def cell_key(family: str, row: Mapping[str, Any], column: str) -> Hashable:
    """An LSOA's rate, own-rate test and Gi* rows show the same count: one cell per LSOA."""
    measure = str(row["measure_id"])
    if any(is_measure(measure, m) for m in ("lsoa_rate", OWN_RATE_MEASURE, "gi_star")):
        return (family, str(row["definition"]), str(row["period"]), str(row["group"]), "lsoa")
    return default_cell_key(family, row, column)


def margins(ledger: MeasureLedger, family: str) -> None:
    """The reconciliation; LSOAs -> wards -> the located total."""
    reconciliation_margins(ledger, family)
    located = used_totals(ledger, family)
    wards = {
        (str(r["definition"]), str(r["period"]), str(r["group"])): ledger.cell(family, i)
        for i, r in ledger.rows_of(family, "ward_rate")
    }
    by_ward: dict[tuple[str, str, str], list[Hashable]] = {}
    by_total: dict[tuple[str, str], list[Hashable]] = {}
    for i, r in ledger.rows_of(family, "lsoa_rate"):
        key = ledger.cell(family, i)
        by_total.setdefault((str(r["definition"]), str(r["period"])), []).append(key)
        if not is_na(r.get("ward_code")):
            by_ward.setdefault(
                (str(r["definition"]), str(r["period"]), str(r["ward_code"])), []
            ).append(key)
    for ident, parts in sorted(by_ward.items()):
        ledger.relate(f"LSOAs of ward {ident[2]} ({ident[0]} {ident[1]})", wards.get(ident), parts)
    for ident, parts in sorted(by_total.items()):
        ledger.relate(f"LSOAs of the area ({ident[0]} {ident[1]})", located.get(ident), parts)
    ward_parts: dict[tuple[str, str], list[Hashable]] = {}
    for (definition, period, _), key in wards.items():
        ward_parts.setdefault((definition, period), []).append(key)
    for ident, parts in sorted(ward_parts.items()):
        ledger.relate(f"wards of the area ({ident[0]} {ident[1]})", located.get(ident), parts)


def _aliases(ledger: MeasureLedger, family: str) -> None:
    # A Gini's numerator is the events it spreads over the LSOAs: the located total.
    alias_totals(ledger, family, ("gini",))


DISCLOSURE = FamilyDisclosure(
    count_denominators=("pct_share", "near_school_share", "near_school_ratio", ROW_RECONCILIATION),
    cell_key=cell_key,
    aliases=_aliases,
    margins=margins,
    derived_columns=DERIVED_FROM_THE_COUNT,
)
