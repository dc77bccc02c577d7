"""Stop and search: what disclosure control needs to know about the table.

One count of searches (an ethnic group, an age range, an hour) appears as a share, a rate and
a rate ratio: one count, one key. The groups of each breakdown add up to the searches where it
is stated, and those plus the not-stated add up to every search of the year, which the row
reconciliation's "used" count, the object and outcome tables also give.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger
from pipeline.families.reconciliation_margins import reconciliation_margins

#: Measure ids whose denominator is a count of searches (a share's total).
COUNT_DENOMINATORS: tuple[str, ...] = (
    "ss_officer_ethnicity_share",
    "ss_officer_ethnicity_not_stated_share",
    "ss_self_ethnicity_share",
    "ss_self_ethnicity_not_stated_share",
    "ss_age_share",
    "ss_age_not_recorded_share",
    "ss_object_share",
    "ss_outcome_share",
    "ss_outcome_linked_share",
    "ss_school_day_rate_ratio",
    "ss_hour_school_day_rate_ratio",
    "ss_row_reconciliation",
)
NOT_COUNTS: tuple[str, ...] = (
    "ss_officer_ethnicity_population_share",
    "ss_self_ethnicity_population_share",
)
#: The breakdown each measure's numerator belongs to.
_BREAKDOWN: dict[str, str] = {
    "ss_officer_ethnicity_share": "officer",
    "ss_officer_ethnicity_not_stated_share": "officer",
    "ss_officer_ethnicity_rate": "officer",
    "ss_officer_ethnicity_rate_ratio": "officer",
    "ss_self_ethnicity_share": "self",
    "ss_self_ethnicity_not_stated_share": "self",
    "ss_self_ethnicity_rate": "self",
    "ss_self_ethnicity_rate_ratio": "self",
    "ss_age_share": "age",
    "ss_age_not_recorded_share": "age",
    "ss_age_rate": "age",
    "ss_object_share": "object",
    "ss_outcome_share": "outcome",
    "ss_outcome_linked_share": "linked",
    "ss_hour_school_day_rate_ratio": "hour",
    "ss_school_day_rate_ratio": "hour",
}
_ALL = "all searches"


def cell_key(family: str, row: Mapping[str, Any], column: str) -> Hashable:
    """Searches of one group of one breakdown (numerator), or the total it is shared among
    (denominator); every search of the year is one cell wherever it appears."""
    measure, period, group = str(row["measure_id"]), str(row["period"]), str(row["group"])
    if measure == "ss_row_reconciliation":
        if column == "numerator" and group.startswith("used:"):
            return (family, period, _ALL)
        return (family, period, "reconciliation", group if column == "numerator" else "read")
    if measure in ("ss_searches", "ss_rate"):
        return (family, period, _ALL)
    breakdown = _BREAKDOWN.get(measure)
    if breakdown is None:
        return (family, measure, period, group, column)
    if column == "numerator":
        if breakdown == "hour":  # searches on school days at this hour (or all hours)
            return (family, period, "hour", group, "school days")
        return (family, period, breakdown, group)
    if breakdown == "hour":  # every search at this hour (all hours: every search)
        return (family, period, _ALL) if group == "all hours" else (family, period, "hour", group)
    if measure.endswith(
        ("_not_stated_share", "_not_recorded_share", "_object_share", "_outcome_share")
    ):
        return (family, period, _ALL)
    return (family, period, breakdown, "stated")


def margins(ledger: MeasureLedger, family: str) -> None:
    """Groups -> their stated total; stated + not stated -> all searches; school-day searches
    by hour -> all hours; searches by hour -> all searches."""
    reconciliation_margins(ledger, family)
    groups: dict[tuple[str, str], set[Hashable]] = {}
    stated: dict[tuple[str, str], Hashable] = {}
    unstated: dict[tuple[str, str], Hashable] = {}
    hours: dict[str, set[Hashable]] = {}
    for i, row in ledger.rows_of(family):
        measure, period = str(row["measure_id"]), str(row["period"])
        breakdown = _BREAKDOWN.get(measure)
        if breakdown in (None, "linked") or (family, i, "numerator") not in ledger.where:
            continue
        key = (period, breakdown)
        if measure.endswith(("_not_stated_share", "_not_recorded_share")):
            unstated[key] = ledger.cell(family, i)
        elif measure == "ss_school_day_rate_ratio":
            stated[key] = ledger.cell(family, i)
        elif measure.endswith(("_share", "_rate_ratio")):
            groups.setdefault(key, set()).add(ledger.cell(family, i))
            if (family, i, "denominator") in ledger.where and breakdown != "hour":
                stated[key] = ledger.cell(family, i, "denominator")
            if breakdown == "hour":
                hours.setdefault(period, set()).add(ledger.cell(family, i, "denominator"))
    for (period, breakdown), cells in sorted(groups.items()):
        total = stated.get((period, breakdown))
        ledger.relate(f"searches by {breakdown}", total, sorted(cells, key=str))
        if (period, breakdown) in unstated and total is not None:
            ledger.relate(
                f"searches with and without {breakdown}",
                (family, period, _ALL),
                [total, unstated[(period, breakdown)]],
            )
    for period, cells in sorted(hours.items()):
        ledger.relate("searches by hour", (family, period, _ALL), sorted(cells, key=str))


DISCLOSURE = FamilyDisclosure(
    not_counts=NOT_COUNTS,
    count_denominators=COUNT_DENOMINATORS,
    cell_key=cell_key,
    margins=margins,
)
