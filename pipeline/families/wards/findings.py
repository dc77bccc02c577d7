"""Wards: what the ward table lets residents be told (descriptive: counts, and rates where ward
residents are supplied, with no ranking of wards, which no test here supports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.wards.measures import (
    WARD_COUNT,
    WARD_RATE,
    WARD_RATE_PER,
    WARD_RECONCILIATION,
    WARD_TOTAL,
)
from pipeline.findings import Finding
from pipeline.settings import Settings

TOPIC = "where"


def short_name(label: str) -> str:
    """'Possession of Weapons (MPS major ...' -> 'possession of weapons'."""
    return label.split(" (MPS", 1)[0].lower()


def latest_period(table: pd.DataFrame) -> tuple[str, bool] | None:
    """The period the findings describe: the latest full year of the ward files in the
    window (True), else the latest year they hold in part (False)."""
    totals = table.loc[table["measure_id"].astype(str).str.endswith(f"_{WARD_TOTAL}")]
    if totals.empty:
        return None
    full = totals.loc[totals["months_covered"].astype(int) == 12, "period"]
    if len(full):
        return str(sorted(full)[-1]), True
    return str(sorted(totals["period"])[-1]), False


def findings(table: pd.DataFrame, settings: Mapping[str, Any]) -> list[Finding]:
    typed = Settings.of(settings)
    chosen = latest_period(table) if len(table) else None
    if chosen is None:
        return [
            Finding(
                id="wards_counts",
                topic=TOPIC,
                resident=(
                    "The ward files supplied hold no month of the years this assessment "
                    "covers, so there is no table by ward."
                ),
                technical="No ward-level counts in the window.",
                status="Not available",
                measure_ids=[],
            )
        ]
    period, full = chosen
    totals = table.loc[
        table["measure_id"].astype(str).str.endswith(f"_{WARD_TOTAL}") & (table["period"] == period)
    ]
    names = [short_name(str(d)) for d in totals["definition"]]
    wards = table.loc[
        table["measure_id"].astype(str).str.endswith(f"_{WARD_COUNT}") & (table["period"] == period)
    ]
    count = wards["group"].nunique()
    edition = typed.edition
    coverage = (
        ""
        if period == edition
        else f" The ward files supplied do not cover {edition}: {period} is the latest "
        + ("full year they hold." if full else "year they hold, and only in part.")
    )
    rates = table.loc[
        table["measure_id"].astype(str).str.endswith(f"_{WARD_RATE}") & (table["period"] == period)
    ]
    if len(rates):
        years = sorted({int(y) for y in rates["population_year"].dropna()})
        mid = " and ".join(f"mid-{y}" for y in years)
        rate_text = (
            f" Each ward's rate is per {WARD_RATE_PER:,} residents ({mid}, summed from the "
            "estimates for its neighbourhoods). The rates describe each ward; this report does "
            "not test whether one ward's rate is higher than another's."
        )
    else:
        rate_text = (
            " These are counts, not rates: no public file gives the residents of each ward, "
            "and a ward with more residents can have more offences for that reason alone."
        )
    resident = (
        f"The table by ward gives police recorded {' and '.join(names)} in each of the "
        f"{count} wards in {period}.{coverage}{rate_text}"
    )
    reconciliation = table.loc[
        table["measure_id"].astype(str).str.endswith(f"_{WARD_RECONCILIATION}")
        & (table["period"] == period)
    ]
    differences = [
        f"{short_name(str(r['definition']))}: wards {int(r['numerator'])}, borough file "
        + (
            f"{int(r['denominator'])} (difference {int(r['value']):+d})"
            if pd.notna(r["value"])
            else f"not compared ({r['note']})"
        )
        for r in reconciliation.to_dict("records")
    ]
    technical = (
        f"{period}{'' if full else ' (part year)'}: {count} wards (2022 boundaries). "
        + "; ".join(differences)
        + "."
    )
    return [
        Finding(
            id="wards_counts",
            topic=TOPIC,
            resident=resident,
            technical=technical,
            status="Descriptive",
            measure_ids=sorted(
                set(wards["measure_id"].astype(str)) | set(rates["measure_id"].astype(str))
            ),
            evidence=[
                Evidence(
                    claim="counts and rates, no ranking" if len(rates) else "counts, not rates",
                    strength="descriptive",
                    statistic=f"{len(wards)} ward counts, {len(rates)} ward rates, {period}",
                    test="none: counts as recorded, rates with their intervals, not compared",
                )
            ],
        )
    ]
