"""Is a neighbourhood's own rate significantly high? The test behind the word "hot spot".

Residents read "hot spot" as "this neighbourhood has a high rate". Gi* (see :mod:`.clusters`)
answers another question, whether an LSOA *together with its neighbours* is a cluster of high
rates, and it can call an LSOA a hot spot whose own rate is below the borough's. So an LSOA is
a hot spot here only when its own count is significantly above the count expected at the
borough's rate: a one-sided exact Poisson test per LSOA (:mod:`pipeline.stats.exceedance`),
with the Benjamini-Hochberg false discovery rate across the borough's LSOAs. Each row carries
the evidence behind its class (statistic, p, q and the test's name) so a sentence can claim
no more than that evidence supports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.small_areas import SMALL_AREA_RATE_PER
from pipeline.stats import rate_ci
from pipeline.stats.exceedance import exceedance_test

#: The classes residents read: an LSOA's own rate is significantly high, or it is not.
HOT_SPOT, NOT_HOT_SPOT = "Hot spot", "Not significant"
#: What a published map or table says where disclosure control hid the LSOA's count: its class
#: is hidden with it, since "hot spot" with E published bounds the count from below.
WITHHELD = "Withheld (small count)"

#: The measure id (before the definition prefix) of the per-LSOA test rows.
OWN_RATE_MEASURE = "lsoa_exceedance"

METHOD = """\
**Hot spots: each neighbourhood's own rate.** An LSOA is called a **hot spot** only when its
own count is significantly higher than the count expected if it had the borough's rate: the
expected count is E = the LSOA's residents x (the borough's located incidents / its
residents), and the test is the one-sided exact Poisson p = P(X >= O | E)
(`scipy.stats.poisson`), the ratio O/E given with exact (O < 10) or Byar's (O >= 10) limits
divided by E. The Benjamini-Hochberg false discovery rate is controlled across all the
borough's LSOAs at the configured level: an LSOA is a hot spot when its q-value is within it.
The exact p, not the mid-p, is used because it is a valid p-value (never smaller than chance
would give), which the false-discovery guarantee assumes, and the claim it licenses is
printed to residents. The borough rate includes every LSOA, hot spots too, which makes the
test a little conservative. Small LSOAs need a large excess to pass: absence of a hot spot
is not evidence that a neighbourhood's rate is at the borough's level.
"""


def own_rate_rows(
    base: Mapping[str, Any],
    counts: pd.Series,
    population: pd.Series,
    *,
    fdr: float,
    confidence: float,
) -> list[dict[str, Any]]:
    """One row per LSOA: O/E against the borough rate, exact Poisson p, BH q and class."""
    tested = exceedance_test(counts.to_numpy(), population.to_numpy(), fdr=fdr)
    total, residents = int(counts.sum()), float(population.sum())
    borough_rate = total / residents * SMALL_AREA_RATE_PER
    if total:
        limits = rate_ci(counts.to_numpy(), tested["expected"].to_numpy(), 1, confidence)
    else:
        limits = pd.DataFrame({c: np.full(len(counts), np.nan) for c in ("lower", "upper")})
    method = (
        f"O/E against the borough rate ({total} incidents / {residents:,.0f} residents); "
        f"{tested['test'].iloc[0] if len(tested) else 'exact Poisson'}; Benjamini-Hochberg "
        f"FDR {fdr:g} across {len(counts)} LSOAs"
    )
    rows = []
    for i, code in enumerate(counts.index):
        exceeds = bool(tested["exceeds"].iloc[i])
        rows.append(
            {
                **base,
                "measure_id": OWN_RATE_MEASURE,
                "group": code,
                "numerator": int(counts.iloc[i]),
                "denominator": int(population.iloc[i]),
                "value": float(tested["ratio"].iloc[i]),
                "lower": float(limits["lower"].iloc[i]),
                "upper": float(limits["upper"].iloc[i]),
                "unit": "ratio of incidents to those expected at the borough rate (O/E)",
                "method": method,
                "expected": float(tested["expected"].iloc[i]),
                "borough_rate": borough_rate,
                "p_value": float(tested["p_value"].iloc[i]),
                "q_value": float(tested["q_value"].iloc[i]),
                "fdr": float(fdr),
                "test": str(tested["test"].iloc[i]),
                "hotspot_class": HOT_SPOT if exceeds else NOT_HOT_SPOT,
            }
        )
    return rows
