"""Where: what disclosure control needs to know about the small-area table.

An LSOA's rate, its own-rate test and its Gi* repeat one count (one cell). LSOAs add up to
their ward and to the incidents located in an LSOA; wards add up to that total too; the row
reconciliation adds up. The tests' p and q (and Gi*'s permutation z) are hidden with the
count: the own-rate p is P(X >= O | E) with E = residents x the borough rate, both published,
so p gives O back exactly, and q (BH, mostly p x N / rank) gives p back. The own-rate
verdict bounds the count without giving it: "hot spot" (q <= FDR, so p <= FDR) says O is at
least the smallest count that passes at E, and "not significant" (q > FDR, so p > FDR / N)
that it is below the smallest that passes at FDR / N. The verdict is hidden with the count
where either bound would leave fewer than :data:`MIN_HIDDEN_RANGE` values of the hidden
range 1..threshold, worked out from E, the FDR, N and the threshold only, never the count,
so that a hidden verdict says nothing about which verdict it was. (The Gi* cluster class
turns on the neighbours' rates as much as the LSOA's own and is left as it is.)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

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
from pipeline.stats.exceedance import poisson_upper_p

#: Columns of the hot-spot rows, beyond the shared derived columns, that give the count back.
DERIVED_FROM_THE_COUNT: tuple[str, ...] = ("p_value", "q_value", "gi_z_sim")
#: The verdict of the own-rate test, hidden with a count only where it would pin it down.
BOUNDING_COLUMNS: tuple[str, ...] = ("hotspot_class",)
#: A verdict may stand beside a hidden count while it leaves at least this many values.
MIN_HIDDEN_RANGE = 3


def _smallest_passing(p_values: np.ndarray, alpha: float) -> int:
    """The smallest count o with P(X >= o | E) <= alpha, from the p of o = 1, 2, ...
    (one past the last if none passes)."""
    passing = np.flatnonzero(p_values <= alpha)
    return int(passing[0]) + 1 if len(passing) else len(p_values) + 1


def verdict_pins_count(table: pd.DataFrame, threshold: int) -> pd.Series:
    """Own-rate rows whose verdict, beside a count hidden in 1..threshold, would narrow it to
    fewer than MIN_HIDDEN_RANGE values (from the published E, FDR and number of LSOAs)."""
    pins = pd.Series(False, index=table.index)
    own = table["measure_id"].astype(str).map(lambda m: is_measure(m, OWN_RATE_MEASURE))
    rows = table.loc[own]
    if rows.empty:
        return pins
    tested = rows.groupby(["definition", "period"])["group"].transform("count")
    counts = np.arange(1, threshold + 2)
    for i, row in rows.iterrows():
        expected, fdr = float(row["expected"]), float(row["fdr"])
        if not (expected > 0 and fdr > 0):
            continue
        # The exact p the own-rate test uses, for each count the hidden range could hold.
        p = poisson_upper_p(counts, np.full(len(counts), expected))
        first_hot = _smallest_passing(p, fdr)
        hot_range = threshold - max(1, first_hot) + 1  # hot spot: first_hot .. threshold
        first_any = _smallest_passing(p, fdr / float(tested[i]))
        cold_range = min(threshold, first_any - 1)  # not significant: 1 .. first_any - 1
        pins[i] = 0 < hot_range < MIN_HIDDEN_RANGE or 0 < cold_range < MIN_HIDDEN_RANGE
    return pins


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
    bounding_columns=BOUNDING_COLUMNS,
    bounding=verdict_pins_count,
)
