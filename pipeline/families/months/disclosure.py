"""Months: what disclosure control needs to know about the months table.

Every count is its own cell. The months of a financial year add up to its total; the same
calendar month over the window's whole years adds up to its pooled count; the pooled
calendar months add up to the window total. Those are the family's margins, so a hidden
month gets a hidden complement in each. The tests' rows hold no count (an F statistic and a
rate ratio) and are computed only when no month of them is hidden.
"""

from __future__ import annotations

from collections.abc import Hashable

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger, is_measure
from pipeline.families.months.measures import (
    CALENDAR_MONTH,
    MONTH_COUNT,
    PEAK_MONTH,
    SEASONALITY,
    WINDOW_TOTAL,
    YEAR_TOTAL,
    financial_year_of,
    month_name,
)
from pipeline.formatting import financial_year_label


def margins(ledger: MeasureLedger, family: str) -> None:
    shown = [
        (i, row) for i, row in ledger.rows_of(family) if (family, i, "numerator") in ledger.where
    ]
    years: dict[tuple[str, str], list[Hashable]] = {}
    months: dict[tuple[str, str], list[tuple[str, Hashable]]] = {}
    totals: dict[tuple[str, str, str], Hashable] = {}
    for i, row in shown:
        definition, measure, period = str(row["definition"]), str(row["measure_id"]), row["period"]
        cell = ledger.cell(family, i)
        if is_measure(measure, MONTH_COUNT):
            year = financial_year_label(financial_year_of(str(period)))
            years.setdefault((definition, year), []).append(cell)
            name = month_name(int(str(period).split("-")[1]))
            months.setdefault((definition, name), []).append((year, cell))
        elif is_measure(measure, YEAR_TOTAL):
            totals[(definition, YEAR_TOTAL, str(period))] = cell
        elif is_measure(measure, CALENDAR_MONTH):
            totals[(definition, CALENDAR_MONTH, str(row["group"]))] = cell
        elif is_measure(measure, WINDOW_TOTAL):
            totals[(definition, WINDOW_TOTAL, "")] = cell
    for (definition, year), cells in sorted(years.items()):
        ledger.relate(f"months of {definition} {year}", totals.get((definition, YEAR_TOTAL, year)),
                      cells)  # fmt: skip
    for (definition, name), cells in sorted(months.items()):
        # Pooled over whole years only: a year the series holds in part is not in it.
        in_pool = [c for year, c in cells if len(years.get((definition, year), [])) == 12]
        ledger.relate(f"{name} of {definition}", totals.get((definition, CALENDAR_MONTH, name)),
                      in_pool)  # fmt: skip
    for definition in sorted({d for d, _, _ in totals}):
        pooled = [c for (d, kind, _), c in sorted(totals.items(), key=lambda kv: kv[0])
                  if d == definition and kind == CALENDAR_MONTH]  # fmt: skip
        ledger.relate(f"calendar months of {definition}",
                      totals.get((definition, WINDOW_TOTAL, "")), pooled)  # fmt: skip


DISCLOSURE = FamilyDisclosure(
    # An F statistic and a rate ratio: not counts.
    not_counts=(SEASONALITY, PEAK_MONTH),
    margins=margins,
)
