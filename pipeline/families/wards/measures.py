"""Wards: recorded crime by 2022 electoral ward, from the MPS ward-level files.

The public build (``public_sources.mps_ward_crime``) writes the area's counts by ward, public
definition and financial year (``ward_crime.csv``); this family turns them into the ward
table of both reports' "where" sections: each ward's count and its share of the area's ward
total, a rate only where ward residents are supplied (no public file gives them, so the
``note`` says so), and the reconciliation of the wards' total with the borough file's.
Definitions that count the same MPS category are given once (the "where" definition first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.adapters.mps_borough import PROXY_MEASURES
from pipeline.adapters.mps_ward_tables import financial_year_of_months
from pipeline.families.common import confidence_of, tidy
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings
from pipeline.stats import proportion_ci, rate_ci

#: Definitions in the order the ward table gives them: the "where" definition first.
DEFINITION_ORDER = ("serious_violence_u25", "key_metric", "under_18_metric")
WARD_COUNT, WARD_TOTAL, WARD_RATE, WARD_RECONCILIATION = (
    "ward_count",
    "ward_total",
    "ward_rate",
    "ward_reconciliation",
)
#: Ward rates are per this many residents, as the small-area rates.
WARD_RATE_PER = 1000
NO_POPULATION = "no ward population supplied: no public file gives ward residents"
RECONCILIATION_NOTE = (
    "ward counts need not sum exactly to the borough file: the two publications differ by a "
    "few offences in some months"
)
SOURCE = "MPS ward-level recorded crime (London Datastore)"

METHOD = """\
**Wards.** Police recorded crime by 2022 electoral ward comes from the MPS ward-level files
(London Datastore, "MPS Recorded Crime: Geographic Breakdown"), merged as the borough files
are, and is summed to financial years (April to March). Each ward's count is given with its
share of the area's ward total (Wilson interval). Rates per 1,000 residents (exact Poisson
below 10, Byar's from 10) need ward residents, which no public file gives directly: with the
ONS LSOA (2021) to ward (2022) best-fit lookup (`lsoa_ward_lookup`) each ward's residents are
the sum of its LSOAs' small-area estimates (best fit: an LSOA counts wholly in the ward with
most of its residents), each year using the latest mid-year at or before it; without the
lookup the table has counts and shares only, and its note says so. Rates are not compared
between wards. A year the files cover only in part
is shown with the months it has and is not compared. The wards' total is set beside the
borough file's for every complete year: the two publications need not agree exactly, and the
difference is printed. A definition that counts the same MPS category as another is given
once.
"""


def measure_label(measure: str) -> str:
    """What a ward count holds, from the MPS categories it sums: 'Possession of Weapons (MPS
    major category), police recorded crime by 2022 ward, all ages'."""
    level, categories = PROXY_MEASURES[measure]
    return (
        f"{' + '.join(categories)} (MPS {level} category), police recorded crime by 2022 "
        "ward, all ages"
    )


def _borough_totals(
    comparators: pd.DataFrame | None, area_code: str
) -> dict[tuple[str, int], tuple[int, int]]:
    """(measure, financial year) -> (count, months) of the area in the borough file."""
    if comparators is None or comparators.empty:
        return {}
    rows = comparators.loc[comparators["area_code"] == area_code]
    rows = rows.assign(financial_year=financial_year_of_months(rows["month"].astype(str)))
    grouped = rows.groupby(["measure", "financial_year"]).agg(
        count=("count", "sum"), months=("month", "nunique")
    )
    return {
        (str(m), int(y)): (int(r["count"]), int(r["months"])) for (m, y), r in grouped.iterrows()
    }


def chosen_definitions(ward_crime: pd.DataFrame) -> list[tuple[str, str]]:
    """(definition key, MPS measure) pairs in table order, one per MPS measure."""
    present = ward_crime[["definition", "measure"]].drop_duplicates()
    measure_of = dict(zip(present["definition"], present["measure"], strict=True))
    chosen: list[tuple[str, str]] = []
    for key in DEFINITION_ORDER:
        if key in measure_of and measure_of[key] not in {m for _, m in chosen}:
            chosen.append((key, str(measure_of[key])))
    return chosen


def compute(
    *,
    ward_crime: pd.DataFrame,
    comparators: pd.DataFrame | None,
    settings: Settings,
    area_code: str,
) -> pd.DataFrame:
    """The ward table: counts, shares, rates where residents are given, reconciliation."""
    confidence = confidence_of(settings)
    years = set(settings.window.years)
    borough = _borough_totals(comparators, area_code)
    rows: list[dict[str, Any]] = []
    for key, measure in chosen_definitions(ward_crime):
        label = measure_label(measure)
        of_definition = ward_crime.loc[ward_crime["definition"] == key]
        for year, wards in sorted(of_definition.groupby("financial_year")):
            if int(year) not in years:
                continue
            wards = wards.sort_values("ward_code")
            base = {
                "definition_id": measure,
                "definition": label,
                "definition_key": key,
                "area_code": area_code,
                "period": financial_year_label(int(year)),
                "confidence": confidence,
                "months_covered": int(wards["months_covered"].iloc[0]),
                "source": SOURCE,
            }
            rows += _ward_rows(base, wards, confidence)
            rows += _reconciliation_row(
                base, int(wards["count"].sum()), borough.get((measure, int(year)))
            )
    table = tidy([{**r, "measure_id": f"{r['definition_id']}_{r['measure_id']}"} for r in rows])
    if "note" in table.columns:
        table["note"] = table["note"].fillna("").astype(str)
    return table


def _partial_note(months: int) -> str:
    return "" if months == 12 else f"partial year: {months} of 12 months in the ward files"


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _ward_rows(
    base: Mapping[str, Any], wards: pd.DataFrame, confidence: float
) -> list[dict[str, Any]]:
    counts = wards["count"].astype("int64").to_numpy()
    total = int(counts.sum())
    months = int(base["months_covered"])
    partial = _partial_note(months)
    rows: list[dict[str, Any]] = []
    shares = proportion_ci(counts, total, confidence) if total > 0 else None
    population = pd.to_numeric(wards["population"], errors="coerce").to_numpy(dtype=float)
    rated = months == 12 and np.isfinite(population).all() and (population > 0).all()
    rates = rate_ci(counts, population, WARD_RATE_PER, confidence) if rated else None
    for i, ward in enumerate(wards.to_dict("records")):
        common = {**base, "group": str(ward["ward_code"]), "ward_name": str(ward["ward_name"])}
        rows.append(
            {
                **common,
                "measure_id": WARD_COUNT,
                "numerator": int(counts[i]),
                "denominator": total,
                "value": float(shares["value"].iloc[i]) if shares is not None else np.nan,
                "lower": float(shares["lower"].iloc[i]) if shares is not None else np.nan,
                "upper": float(shares["upper"].iloc[i]) if shares is not None else np.nan,
                "unit": "share of the area's ward total",
                "method": "count; share with Wilson interval",
                "note": _join(partial, "" if rated else NO_POPULATION),
            }
        )
        if rates is not None:
            rows.append(
                {
                    **common,
                    "measure_id": WARD_RATE,
                    "numerator": int(counts[i]),
                    "denominator": float(population[i]),
                    "value": float(rates["value"].iloc[i]),
                    "lower": float(rates["lower"].iloc[i]),
                    "upper": float(rates["upper"].iloc[i]),
                    "unit": f"per {WARD_RATE_PER:,} residents",
                    "method": "crude rate; exact Poisson (<10) or Byar's interval",
                    "population_year": ward.get("population_year"),
                    "note": "",
                }
            )
    rows.append(
        {
            **base,
            "measure_id": WARD_TOTAL,
            "group": "all wards",
            "ward_name": "All wards",
            "numerator": total,
            "denominator": np.nan,
            "value": float(total),
            "lower": np.nan,
            "upper": np.nan,
            "unit": "offences",
            "method": "count",
            "note": partial,
        }
    )
    return rows


def _reconciliation_row(
    base: Mapping[str, Any], ward_total: int, borough: tuple[int, int] | None
) -> list[dict[str, Any]]:
    """The wards' total beside the borough file's, for a year both hold in full."""
    months = int(base["months_covered"])
    if borough is None:
        note, value, borough_count = (
            "the borough file has no series for this category",
            np.nan,
            np.nan,
        )
    elif months < 12 or borough[1] < 12:
        note = (
            f"not compared: the ward files hold {months} and the borough file {borough[1]} "
            "of 12 months"
        )
        value, borough_count = np.nan, float(borough[0])
    else:
        note, value, borough_count = (
            RECONCILIATION_NOTE,
            float(ward_total - borough[0]),
            float(borough[0]),
        )
    return [
        {
            **base,
            "measure_id": WARD_RECONCILIATION,
            "group": "wards - borough file",
            "ward_name": "",
            "numerator": ward_total,
            "denominator": borough_count,
            "value": value,
            "lower": np.nan,
            "upper": np.nan,
            "unit": "offences (wards' total minus the borough file's)",
            "method": "difference of counts",
            "note": note,
        }
    ]
