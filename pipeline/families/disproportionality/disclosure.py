"""Who: what disclosure control needs to know about the disproportionality table.

One cell of victims (an age band, ethnic group and sex) appears as a share, a gap, ratios and
a rate: one count, one key. Ethnic groups add up to the victims of known ethnicity and sex,
and male + female to "All".
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger

#: Measure-id endings whose denominator is a count of victims (a share's total).
COUNT_DENOMINATORS: tuple[str, ...] = (
    "_victim_share",
    "_gap",
    "_share_ratio",
    "_unknown_ethnicity_share",
    "_headline_bounds",
    "_headline_share",
)


def cell_key(family: str, row: Mapping[str, Any], column: str) -> Hashable:
    """The key of a count: the victims of one cell (numerator), or the victims of known
    ethnicity and sex (or all victims) of an age band (denominator), per definition id
    (the first three parts of the measure id) and period."""
    measure = str(row["measure_id"])
    period, group = str(row["period"]), str(row["group"])
    root = measure.split("_")
    base = "_".join(root[:3]) if len(root) >= 3 else measure
    if column == "numerator" and measure.endswith("_unknown_ethnicity_share"):
        return (family, base, period, group, "unknown")
    if column == "numerator":
        return (family, base, period, group, "victims")
    age = str(row.get("age_group", ""))
    if measure.endswith(("_unknown_ethnicity_share", "_headline_bounds")):
        return (family, base, period, age, "all victims")
    return (family, base, period, age, "known victims")


def margins(ledger: MeasureLedger, family: str) -> None:
    """Ethnic groups -> victims of known ethnicity and sex; male + female -> All."""
    cells: dict[tuple[str, str, str, str], Hashable] = {}
    known: dict[str, Hashable] = {}
    for i, r in ledger.rows_of(family):
        if not str(r["measure_id"]).endswith("_victim_share"):
            continue
        ident = (
            str(r.get("age_group")),
            str(r.get("ethnicity")),
            str(r.get("sex")),
            str(r["period"]),
        )
        cells[ident] = ledger.cell(family, i)
        known[ident[0] + "|" + ident[3]] = ledger.cell(family, i, "denominator")
    for (age, ethnicity, sex, period), key in sorted(cells.items()):
        if sex == "All":
            parts = [
                cells[(age, ethnicity, s, period)]
                for s in ("Male", "Female")
                if (age, ethnicity, s, period) in cells
            ]
            ledger.relate(f"male and female {ethnicity} victims, {age}", key, parts)
    for age_period, total in sorted(known.items()):
        age, period = age_period.split("|")
        parts = [k for (a, _, s, p), k in cells.items() if a == age and p == period and s == "All"]
        ledger.relate(f"victims of known ethnicity and sex, {age}", total, parts)


DISCLOSURE = FamilyDisclosure(
    not_counts=("_population_share",),
    count_denominators=COUNT_DENOMINATORS,
    cell_key=cell_key,
    margins=margins,
)
