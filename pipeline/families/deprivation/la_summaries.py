"""The borough among England's local authority districts: IoD File 10 summaries (optional;
public build with ``public_sources.iod_la_summaries``).

File 10 ranks every district on five summaries of its LSOAs' deprivation (average rank and
score, the share of LSOAs in the most deprived 10%, extent, local concentration). These are
the figures councils quote; they describe the borough's residents' neighbourhoods, not crime,
and are given as published (no interval: they are not estimates from a sample).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.areas_and_periods import area_name
from pipeline.families.common import list_phrase
from pipeline.findings import Finding
from pipeline.settings import Settings

MEASURE_PREFIX = "imd_la_"
DEFINITION = "English Indices of Deprivation, File 10: local authority district summaries"
#: Measure -> what the resident sentence calls it (the three councils quote most).
QUOTED = {
    "average_rank": "the average deprivation of its neighbourhoods (rank of average rank)",
    "extent": "how many of its residents live in highly deprived areas (extent)",
    "local_concentration": "how deprived its most deprived areas are (local concentration)",
}
METHOD = """\
**The borough among districts (IoD File 10).** Where the local authority district summaries
of the English Indices of Deprivation are supplied, the borough's five summary measures are
given with its rank among England's districts (1 = most deprived; 317 districts in IoD2019,
296 in IoD2025): rank of average rank, average score, the proportion of its LSOAs in the most
deprived 10% nationally, extent (the share of residents in the most deprived areas, weighted)
and local concentration (the average rank of the most deprived LSOAs holding 10% of its
residents). They are published figures, not estimates, and have no interval.
"""


def ordinal(number: int) -> str:
    """1 -> '1st', 22 -> '22nd', 113 -> '113th'."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def summary_rows(
    summaries: pd.DataFrame | None, area_code: str, confidence: float
) -> list[dict[str, Any]]:
    """One row per vintage and measure of the area's File 10 rows (none without them)."""
    if summaries is None:
        return []
    own = summaries.loc[summaries["la_code"] == area_code].sort_values(["vintage", "measure"])
    return [
        {
            "measure_id": f"{MEASURE_PREFIX}{r['measure']}",
            "definition": DEFINITION,
            "area_code": area_code,
            "period": str(r["vintage"]),
            "group": area_code,
            "numerator": np.nan,
            "denominator": np.nan,
            "value": float(r["value"]),
            "lower": np.nan,
            "upper": np.nan,
            "unit": "IoD File 10 summary (larger = more deprived)",
            "method": "as published",
            "confidence": confidence,
            "rank": int(r["rank"]),
            "districts": int(r["districts"]),
            "note": f"rank {int(r['rank'])} of {int(r['districts'])} districts (1 = most deprived)",
        }
        for r in own.to_dict("records")
    ]


def summary_finding(table: pd.DataFrame, settings: Settings) -> Finding | None:
    """The borough's rank among districts on the three quoted summaries, latest vintage."""
    rows = table.loc[table["measure_id"].astype(str).str.startswith(MEASURE_PREFIX)]
    if rows.empty:
        return None
    name = area_name(settings, str(rows["area_code"].iloc[0]))
    vintage = sorted(set(rows["period"].astype(str)))[-1]
    latest = rows.loc[rows["period"] == vintage].set_index("measure_id")
    districts = int(latest["districts"].iloc[0])
    ranked = [
        f"{ordinal(int(latest.loc[MEASURE_PREFIX + m, 'rank']))} on {words}"
        for m, words in QUOTED.items()
        if MEASURE_PREFIX + m in latest.index
    ]
    if not ranked:
        return None
    technical = "; ".join(
        f"{str(i).removeprefix(MEASURE_PREFIX)} {float(r['value']):.3f} (rank {int(r['rank'])} "
        f"of {districts})"
        for i, r in latest.iterrows()
    )
    return Finding(
        id="deprivation_la_rank",
        topic="deprivation",
        resident=(
            f"Among England's {districts} local authority districts ({vintage}, 1 = most "
            f"deprived), {name} ranked {list_phrase(ranked)}."
        ),
        technical=f"IoD File 10, {vintage}: {technical}.",
        status="Descriptive",
        measure_ids=sorted(latest.index),
    )
