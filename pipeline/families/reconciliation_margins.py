"""Disclosure relations of the row reconciliations, which where, when and deprivation each
publish: rows read = the sum of the steps, and totals that other rows repeat.

A reconciliation's "rows read" and "used: ..." counts are totals that other rows of the same
table give again (a share's denominator, a Gini's event count); those rows show that one
cell. The "used" count of where's reconciliation is the incidents located in an LSOA, which
other area tables (the deprivation deciles) add up to as well.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from pipeline.disclosure.ledger import MeasureLedger, is_measure

#: The measure id of a reconciliation row; its denominator is a count (the rows read).
ROW_RECONCILIATION = "row_reconciliation"
#: The family whose reconciliation's "used" count is the incidents located in an LSOA.
LOCATING_FAMILY = "hotspots"
#: Reconciliation groups that make up the rows read ("only" steps are side notes).
_STEPS = ("merged", "excluded", "used")

Period = tuple[str, str]  # (definition, period)


def _period(row: dict) -> Period:
    return (str(row["definition"]), str(row["period"]))


def used_totals(ledger: MeasureLedger, family: str) -> dict[Period, Hashable]:
    """The cell of the family's "used: ..." reconciliation count, by definition and period."""
    return {
        _period(r): ledger.cell(family, i)
        for i, r in ledger.rows_of(family, ROW_RECONCILIATION)
        if str(r["group"]).startswith("used:")
    }


def located_incidents(ledger: MeasureLedger) -> dict[Period, Hashable]:
    """The cell of the incidents located in an LSOA, by definition and period."""
    return used_totals(ledger, LOCATING_FAMILY)


def reconciliation_margins(ledger: MeasureLedger, family: str) -> None:
    """Rows read = the sum of the steps, per definition and period."""
    groups: dict[Period, list[tuple[int, dict]]] = {}
    for i, r in ledger.rows_of(family, ROW_RECONCILIATION):
        groups.setdefault(_period(r), []).append((i, r))
    for (definition, period), rows in sorted(groups.items()):
        total = next(
            (
                ledger.where.get((family, i, "numerator"))
                for i, r in rows
                if r["group"] == "rows read"
            ),
            None,
        )
        steps = [
            ledger.cell(family, i)
            for i, r in rows
            if r["group"] != "rows read"
            and str(r["group"]).split(":")[0] in _STEPS
            and "only" not in str(r["group"])
        ]
        ledger.relate(f"{family} {definition} {period} row reconciliation", total, steps)


def alias_totals(ledger: MeasureLedger, family: str, total_numerators: Sequence[str]) -> None:
    """Point repeated totals at one cell: a share's total (or the event count of a measure in
    ``total_numerators``) that equals a row reconciliation's "rows read" or "used" count for
    the same definition and period is that count, so it must be hidden whenever that count
    is."""
    records = ledger.tables[family].to_dict("records")
    counts, where = ledger.counts, ledger.where
    totals: dict[tuple[str, str, float], Hashable] = {}
    for i, r in enumerate(records):
        group = str(r["group"])
        if is_measure(r["measure_id"], ROW_RECONCILIATION) and (
            group == "rows read" or group.startswith("used:")
        ):
            key = where[(family, i, "numerator")]
            totals.setdefault((*_period(r), counts[key]), key)
    for i, r in enumerate(records):
        for column in ("numerator", "denominator"):
            key = where.get((family, i, column))
            if key is None:
                continue
            is_total = column == "denominator" or any(
                is_measure(r["measure_id"], m) for m in total_numerators
            )
            target = totals.get((*_period(r), counts[key]))
            if is_total and target is not None and target != key:
                where[(family, i, column)] = target
                if key not in where.values():
                    counts.pop(key, None)
