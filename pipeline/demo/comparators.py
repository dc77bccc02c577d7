"""Monthly comparator series (contract 2) for the demo.

An area with a victim extract gets the series its extract gives: victim rows meeting the
definition, located in the area or with no recorded location (rows located in another area are
left out, as a borough's own figures would be), by month of ``offence_start_date``. Areas without
an extract get Poisson draws around their expected counts, split over months by days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import select_definition
from pipeline.settings import Definition


def window_months(years: list[int]) -> list[str]:
    """'YYYY-MM' of every month of the financial years (April to March)."""
    months = np.arange(np.datetime64(f"{years[0]}-04"), np.datetime64(f"{years[-1] + 1}-04"))
    return [str(m) for m in months]


def _as_validated(victims: pd.DataFrame) -> pd.DataFrame:
    """The raw extract's flags and ages in the types the validated extract uses."""
    return pd.DataFrame(
        {
            "offence_group": victims["offence_group"],
            "weapon": victims["weapon"],
            "injury": victims["injury"] == "Y",
            "domestic_abuse": victims["domestic_abuse"] == "Y",
            "victim_age": victims["victim_age"].astype("Float64"),
        }
    )


def derived_series(
    victims: pd.DataFrame,
    area_lsoas: Iterable[str],
    definitions: Mapping[str, Mapping[str, Any]],
    months: list[str],
) -> dict[str, np.ndarray]:
    """Monthly counts of victim rows meeting each definition, outside-area rows excluded."""
    inside = set(area_lsoas)
    located_elsewhere = victims["lsoa_code"].notna() & ~victims["lsoa_code"].isin(inside)
    kept = victims.loc[~located_elsewhere]
    month = kept["offence_start_date"].str.slice(0, 7)
    series = {}
    for key, values in definitions.items():
        definition = Definition.of(key, values)
        chosen = select_definition(_as_validated(kept), definition)
        counts = month.loc[chosen.index].value_counts()
        series[definition.id] = np.array([int(counts.get(m, 0)) for m in months])
    return series


def drawn_series(
    under_18: np.ndarray,
    young_adult: np.ndarray,
    years: list[int],
    months: list[str],
    rng: np.random.Generator,
    ids: tuple[str, str],
) -> dict[str, np.ndarray]:
    """Poisson monthly counts from expected yearly counts aged 1-17 and 18-24.

    The 1-24 series is the 1-17 draw plus the 18-24 draw, so it is never below the 1-17 one.
    """
    month_days = np.array(
        [
            (np.datetime64(m, "M") + 1).astype("datetime64[D]")
            - np.datetime64(m, "M").astype("datetime64[D]")
            for m in months
        ]
    ).astype(float)
    year_of_month = np.repeat(np.arange(len(years)), 12)
    share = month_days / np.array([month_days[year_of_month == k].sum() for k in year_of_month])
    u18 = rng.poisson(under_18[year_of_month] * share)
    older = rng.poisson(young_adult[year_of_month] * share)
    key_id, under_18_id = ids
    return {key_id: u18 + older, under_18_id: u18}


def series_frame(
    area_code: str, area_name: str, months: list[str], series: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """Comparator rows for one area."""
    frames = [
        pd.DataFrame(
            {
                "area_code": area_code,
                "area_name": area_name,
                "month": months,
                "measure": measure,
                "count": counts.astype(np.int64),
            }
        )
        for measure, counts in series.items()
    ]
    return pd.concat(frames, ignore_index=True)
