"""When: what disclosure control needs to know about the timing table.

The weekday-hour cells add up to the incidents with a start time (the reconciliation's "used"
count); the row reconciliation adds up; the weekday x block-of-hours view of the grid is a
set of sums of its cells, protected with them.
"""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger, PublishedSums, is_measure
from pipeline.families.reconciliation_margins import (
    ROW_RECONCILIATION,
    alias_totals,
    reconciliation_margins,
)

#: Measure-id endings whose denominator is a count of incidents (a share's total).
COUNT_DENOMINATORS: tuple[str, ...] = (
    "school_day_rate_ratio",
    "school_day_share",
    "after_school_share",
    "after_school_ratio",
    "after_school_rate_ratio",
    # The timing tests: busiest + next, and the incidents with a start time.
    "peak_day_test",
    "peak_hour_test",
    "busiest_window",
    "weekday_weekend_rate_ratio",
    ROW_RECONCILIATION,
)


def margins(ledger: MeasureLedger, family: str) -> None:
    """The reconciliation; weekday-hour cells -> incidents with a start time."""
    reconciliation_margins(ledger, family)
    hours = ledger.rows_of(family, "hour_weekday")
    if hours:
        used = next(
            (
                ledger.cell(family, i)
                for i, r in ledger.rows_of(family, ROW_RECONCILIATION)
                if str(r["group"]).startswith("used:")
                and str(r["definition"]) == str(hours[0][1]["definition"])
                and str(r["period"]) == str(hours[0][1]["period"])
            ),
            None,
        )
        ledger.relate("weekday-hour cells", used, [ledger.cell(family, i) for i, _ in hours])


def hour_blocks(timing: pd.DataFrame, hours_per_block: int) -> pd.DataFrame:
    """Weekday x block-of-hours sums of the weekday-hour grid (a coarser published view):
    columns ``weekday, block, value, hours`` (the hour cells' row positions)."""
    if 24 % hours_per_block:
        raise ValueError(f"hours_per_block must divide 24, got {hours_per_block}")
    grid = timing.reset_index(drop=True)
    grid = grid.loc[grid["measure_id"].map(lambda m: is_measure(m, "hour_weekday"))]
    if grid.empty:
        # No grid (a not-available timing table, or no incident with a start time): no
        # blocks, rather than grouping by columns such a table does not have.
        return pd.DataFrame(columns=["weekday_number", "weekday", "block", "value", "hours"])
    out = []
    for (day, weekday), rows in grid.groupby(["weekday_number", "weekday"], sort=True):
        for start in range(0, 24, hours_per_block):
            inside = rows.loc[
                (rows["hour"].astype(int) >= start)
                & (rows["hour"].astype(int) < start + hours_per_block)
            ]
            out.append(
                {
                    "weekday_number": int(day),
                    "weekday": str(weekday),
                    "block": f"{start:02d}:00-{start + hours_per_block:02d}:00",
                    "value": float(pd.to_numeric(inside["numerator"]).sum()),
                    "hours": tuple(int(i) for i in inside.index),
                }
            )
    return pd.DataFrame(out)


def block_sums(family: str, timing: pd.DataFrame, hours_per_block: int) -> PublishedSums:
    """The hour blocks as published sums, each of its hours."""
    blocks = hour_blocks(timing, hours_per_block)
    return PublishedSums(
        frame=blocks.drop(columns=["hours"]),
        keys=tuple(
            (family, "block", w, b) for w, b in zip(blocks["weekday"], blocks["block"], strict=True)
        ),
        names=tuple(
            f"hours of {w} {b}" for w, b in zip(blocks["weekday"], blocks["block"], strict=True)
        ),
        rows=tuple(blocks["hours"]),
    )


def _aliases(ledger: MeasureLedger, family: str) -> None:
    # Shares of the incidents with a start time (or of all incidents) show that total's cell.
    alias_totals(ledger, family, ())


DISCLOSURE = FamilyDisclosure(
    count_denominators=COUNT_DENOMINATORS,
    aliases=_aliases,
    margins=margins,
    sums=block_sums,
)
