"""Where serious violence happens: LSOA and ward rates, concentration, hot spots, schools.

The hot-spot rows (own-rate test and Gi* clusters) are in :mod:`.gi_star`, the near-school
shares in :mod:`.schools` and the sentences in :mod:`.findings`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import (
    base_row,
    calendar_year_label,
    definition_rows,
    finish,
    reconciliation_rows,
    residents_phrase,
    select_incidents,
)
from pipeline.families.hotspots.gi_star import gi_star_rows
from pipeline.families.hotspots.own_rate import METHOD as OWN_RATE_METHOD
from pipeline.families.hotspots.schools import school_rows
from pipeline.families.small_areas import (
    SMALL_AREA_RATE_PER,
    check_lsoas_known,
    count_by_lsoa,
    located_counts,
    located_reconciliation,
    lsoa_population,
    population_note,
    population_year_at_or_before,
)
from pipeline.settings import Settings
from pipeline.stats import gini, rate_ci, top_share

#: Fractions of LSOAs used for the "share of incidents in the top x% of LSOAs" measures.
TOP_FRACTIONS: tuple[float, ...] = (0.05, 0.10)

METHOD = (
    """\
**Where: hot spots.** The serious-violence definition ({serious_violence_u25.short_label})
in the edition's financial year, counted as **incidents** (distinct offences with at least one
victim in the definition: an offence with two young victims is one incident at one place).
Incidents whose location is unknown are counted and excluded. Each LSOA's rate is incidents per
1,000 {serious_violence_u25.residents} (ONS small-area mid-year estimate for the start year),
with exact Poisson limits below 10 incidents and Byar's approximation from 10 (PHE `phe_rate`).
Wards aggregate their LSOAs. The key metric (knife crime with injury, victims {key_metric.ages},
not domestic abuse) is also counted per LSOA, as victims, per 1,000 {key_metric.residents}, so
that the LSOA counts add up to the borough's key-metric count less victims whose location is
unknown.

**Concentration.** The share of incidents in the top 5% and top 10% of LSOAs ranked by count
(ceil(fraction x number of LSOAs) LSOAs) and the Gini coefficient across all the borough's LSOAs
including those with none: G = 2 sum(i x_(i)) / (N sum x) - (N + 1)/N. They are descriptive and
carry no interval (the ranking is chosen from the same data).

"""
    + OWN_RATE_METHOD
    + """
**Getis-Ord Gi\\* clusters** (Getis & Ord 1992; PySAL `esda.G_Local`,
`star=True`, binary weights), reported in the technical report as LSOAs **in a cluster of high
(or low) rates**: Gi\\* asks whether an LSOA *together with its neighbours* is high, so it is
not what residents are told is a hot spot. The variable is the Empirical-Bayes-smoothed rate per
1,000 {serious_violence_u25.residents} (`esda.smoothing.Empirical_Bayes`, global smoothing
towards the borough rate), because raw rates on a few hundred young residents are unstable and
raw counts ignore population. Neighbours are queen contiguity between LSOA polygons (`libpysal`
`Queen.from_dataframe`); each LSOA is its own neighbour (Gi\\*). Significance is by **total
permutation** with a fixed seed: every LSOA's value, its own included, is permuted (esda's
conditional permutation holds the LSOA's own value fixed and so tests little more than its
neighbours: on the demo generator it found only 50-60% of planted 4x LSOAs). Both one-sided
pseudo p-values, (M + 1)/(R + 1), come from the permutation distribution, and the two-sided p =
min(1, 2 x the smaller). The Benjamini-Hochberg false discovery rate is then controlled across
all LSOAs (`scipy.stats.false_discovery_control`) at the configured level; the upper tail gives
a cluster of high rates, the lower tail one of low rates. With R permutations the smallest
two-sided p is 2/(R + 1), and the Benjamini-Hochberg threshold for the most extreme of N LSOAs
is FDR/N, so when the configured R is too few for 2/(R + 1) <= FDR/N the pipeline raises R to
the next 10^k - 1 and says so in the table's note (e.g. 999 -> 9999 for 145 LSOAs at 5%). A lone
high LSOA among ordinary neighbours is no cluster (under total permutation its p is at least its
neighbours + 1 over the number of LSOAs); the own-rate test finds it. Gi\\* is only computed
where LSOA boundaries are supplied.

**SNA from public data alone.** Without a victim extract (`victim_extract: false`) the
located events are the public proxy the configuration names for `serious_violence_u25`
(e.g. MPS possession-of-weapons offences by LSOA, all ages), read from `lsoa_counts.csv`:
offences, not victims, in the latest calendar year the file has (the period says which), with
rates per 1,000 residents of the definition's ages (the latest LSOA population estimate at or
before that year; the note says when it is earlier). Rates, concentration, the own-rate test
and Gi\\* are computed as above. The near-school share is not available: it needs each
offence's coordinates, which public counts do not have. Where the LSOA list uses middle-layer
super output areas (MSOA, codes E02) as the level above the LSOA, the "ward" rows are MSOAs.

**Near schools.** An incident is near a school when its offence coordinates lie within the
configured distance (straight line) of any school in the schools list (DfE GIAS). Incidents
without coordinates are counted and excluded. The observed share (Wilson interval) is compared
with the share expected if incidents were spread evenly over the borough's land: the share of
the borough's area (union of its LSOA polygons) that lies within the same distance of a school.
The ratio of the two takes the expected share as fixed and divides the Wilson limits by it.
Caveats: an even spread over land is a crude baseline, because people, streets and town centres
cluster near schools too; a ratio above 1 says incidents are nearer schools than land is, not
that schools cause violence. Police coordinates may be snapped to nearby map points.
"""
)


# --------------------------------------------------------------------------------------------
# Counts and rates
# --------------------------------------------------------------------------------------------


def rate_rows(
    base: Mapping[str, Any],
    counts: pd.Series,
    population: pd.Series,
    confidence: float,
    extra: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One tidy row per unit: count, population and rate per 1,000 with its interval."""
    ci = rate_ci(
        counts.to_numpy(),
        population.to_numpy(),
        multiplier=SMALL_AREA_RATE_PER,
        confidence=confidence,
    )
    order = pd.DataFrame({"count": counts.to_numpy(), "code": counts.index}).sort_values(
        ["count", "code"], ascending=[False, True], kind="stable"
    )
    rank = pd.Series(np.arange(1, len(order) + 1), index=order.index).sort_index()
    rows = []
    for i, code in enumerate(counts.index):
        row = {
            **base,
            "group": code,
            "numerator": int(counts.iloc[i]),
            "denominator": int(population.iloc[i]),
            "value": float(ci["value"].iloc[i]),
            "lower": float(ci["lower"].iloc[i]),
            "upper": float(ci["upper"].iloc[i]),
            "method": str(ci["method"].iloc[i]),
            "rank": int(rank.iloc[i]),
        }
        if extra is not None:
            row.update(extra.loc[code].to_dict())
        rows.append(row)
    return rows


def concentration_rows(base: Mapping[str, Any], counts: pd.Series) -> list[dict[str, Any]]:
    """Share of incidents in the top 5% and 10% of LSOAs, and the Gini coefficient."""
    total = int(counts.sum())
    n_units = len(counts)
    rows = []
    for fraction in TOP_FRACTIONS:
        # the number of LSOAs pipeline.stats.top_share takes, for the table
        k = max(1, math.ceil(round(fraction * n_units, 9)))
        share = top_share(counts.to_numpy(), fraction) if total else np.nan
        top = int(round(share * total)) if total else 0
        rows.append(
            {
                **base,
                "measure_id": f"top_{round(fraction * 100)}pct_share",
                "group": f"top {round(fraction * 100)}% of LSOAs",
                "lsoas": k,
                "lsoas_total": n_units,
                "numerator": top,
                "denominator": total,
                "value": share,
                "unit": "share of incidents",
                "method": "top-x% share: incidents in the ceil(x N) LSOAs with most "
                "incidents / all incidents",
            }
        )
    rows.append(
        {
            **base,
            "measure_id": "gini",
            "group": f"all LSOAs ({n_units})",
            "numerator": total,
            "denominator": n_units,
            "value": gini(counts.to_numpy()) if total else np.nan,
            "unit": "Gini coefficient (0 = even, 1 = all in one LSOA)",
            "method": "Gini: 2 sum(i x_(i)) / (N sum x) - (N + 1) / N over all LSOAs",
        }
    )
    for row in rows:
        row.update(lower=np.nan, upper=np.nan)
    return rows


# --------------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------------


def area_boundaries(boundaries: Any, lsoa_codes: Sequence[str]) -> Any:
    """The area's LSOA polygons, one per LSOA, sorted by code (GeoDataFrame, EPSG:27700)."""
    codes = sorted(set(lsoa_codes))
    present = boundaries["lsoa_code"].astype(str)
    missing = sorted(set(codes) - set(present))
    if missing:
        raise ValueError(
            f"boundaries: {len(missing)} LSOA(s) of the area have no polygon (column lsoa_code), "
            f"e.g. {missing[:5]}; rule: the boundaries cover every LSOA of the area"
        )
    duplicated = present[present.duplicated() & present.isin(codes)]
    if not duplicated.empty:
        raise ValueError(
            f"boundaries: LSOA(s) {sorted(duplicated.unique())[:5]} have more than one polygon "
            "(column lsoa_code, rule: unique)"
        )
    subset = boundaries.loc[present.isin(codes), ["lsoa_code", "geometry"]].copy()
    subset["lsoa_code"] = subset["lsoa_code"].astype(str)
    # Distances and areas are in metres: polygons in another CRS are projected to British
    # National Grid (the contract's CRS) rather than measured in degrees.
    if subset.crs is not None and subset.crs.to_epsg() != 27700:
        subset = subset.to_crs(27700)
    return subset.sort_values("lsoa_code", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The family
# --------------------------------------------------------------------------------------------


def compute(
    *,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    settings: Settings,
    area_code: str,
    victims: pd.DataFrame | None = None,
    lsoa_counts: pd.DataFrame | None = None,
    boundaries: Any | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hot-spot measures for one area and the edition year (see :data:`METHOD`), or, without a
    victim extract, for the latest year of the public LSOA counts."""
    if victims is None:
        if lsoa_counts is None:
            raise ValueError(
                "hotspots needs the victim extract or, for an SNA from public data, lsoa_counts"
            )
        return compute_from_counts(
            lsoas=lsoas,
            population_lsoa=population_lsoa,
            lsoa_counts=lsoa_counts,
            settings=settings,
            area_code=area_code,
            boundaries=boundaries,
        )
    year = settings.edition_year
    confidence = settings.confidence
    sv = settings.definitions.serious_violence_u25
    codes = sorted(lsoas["lsoa_code"].astype(str))
    base = base_row(sv, settings, area_code, year)

    selected = select_incidents(victims, sv, year)
    offences = selected.offences
    check_lsoas_known(offences, codes)
    located = offences.loc[offences["lsoa_code"].notna()]
    unknown_location = len(offences) - len(located)
    counts = count_by_lsoa(located, lsoas)
    population = lsoa_population(
        population_lsoa, codes, year=year, age_from=int(sv.age_from), age_to=int(sv.age_to)
    )
    unit = f"incidents per {SMALL_AREA_RATE_PER:,} residents aged {sv.age_from}-{sv.age_to}"

    rows: list[dict[str, Any]] = []
    rows += area_rate_rows(base, counts, population, lsoas, confidence, unit)
    rows += concentration_rows(base, counts)

    polygons = area_boundaries(boundaries, codes) if boundaries is not None else None
    rows += gi_star_rows(base, counts, population, polygons, settings)
    school_part, no_xy = school_rows(
        base, located, schools, polygons, settings.definitions.school_distance_m, confidence
    )
    rows += school_part
    rows += reconciliation_rows(
        {**base, "measure_id": "row_reconciliation"},
        selected.victim_rows,
        [
            ("merged: further victims of the same offence", selected.merged_rows),
            ("excluded: location unknown", unknown_location),
            ("used: incidents located in an LSOA", len(located)),
        ],
        unit="victim rows",
    )
    rows.append(
        {
            **base,
            "measure_id": "row_reconciliation",
            "group": "excluded from the near-school share only: no coordinates",
            "numerator": no_xy,
            "denominator": len(located),
            "value": float(no_xy),
            "lower": np.nan,
            "upper": np.nan,
            "unit": "incidents",
            "method": "count",
        }
    )
    rows += key_metric_rows(victims, lsoas, population_lsoa, settings, area_code)
    return finish(rows)


def area_rate_rows(
    base: Mapping[str, Any],
    counts: pd.Series,
    population: pd.Series,
    lsoas: pd.DataFrame,
    confidence: float,
    unit: str,
) -> list[dict[str, Any]]:
    """LSOA and ward (or MSOA) rate rows of one count per LSOA."""
    names = lsoas.assign(lsoa_code=lsoas["lsoa_code"].astype(str)).set_index("lsoa_code")
    rows = [
        {**r, "measure_id": "lsoa_rate", "unit": unit}
        for r in rate_rows(
            base, counts, population, confidence, names[["lsoa_name", "ward_code", "ward_name"]]
        )
    ]
    ward_of = names["ward_code"]
    ward_counts = counts.groupby(ward_of.reindex(counts.index)).sum().sort_index()
    ward_population = population.groupby(ward_of.reindex(population.index)).sum().sort_index()
    ward_names = names.drop_duplicates("ward_code").set_index("ward_code")[["ward_name"]]
    msoa = bool(ward_of.astype(str).str.startswith("E02").all())
    rows += [
        {
            **r,
            "measure_id": "ward_rate",
            "unit": unit,
            "note": "; ".join(
                n
                for n in (
                    r.get("note", ""),
                    "MSOA (middle-layer super output area) used as the ward level" if msoa else "",
                )
                if n
            ),
        }
        for r in rate_rows(base, ward_counts, ward_population, confidence, ward_names)
    ]
    return rows


def compute_from_counts(
    *,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    lsoa_counts: pd.DataFrame,
    settings: Settings,
    area_code: str,
    boundaries: Any | None = None,
) -> pd.DataFrame:
    """Hot spots from public LSOA counts (no victim extract): rates, concentration, Gi*."""
    confidence = settings.confidence
    sv = settings.definitions.serious_violence_u25
    codes = sorted(lsoas["lsoa_code"].astype(str))
    located = located_counts(lsoa_counts, sv, lsoas)
    pop_year = population_year_at_or_before(population_lsoa, located.year, "population_lsoa")
    population = lsoa_population(
        population_lsoa,
        codes,
        year=pop_year,
        age_from=int(sv.age_from),
        age_to=int(sv.age_to),
    )
    base = {
        **base_row(sv, settings, area_code, located.year),
        "period": calendar_year_label(located.year),
        "population_year": pop_year,
        "note": population_note(pop_year, located.year),
    }
    unit = f"offences per {SMALL_AREA_RATE_PER:,} {residents_phrase(sv)}"
    rows = area_rate_rows(base, located.counts, population, lsoas, confidence, unit)
    rows += concentration_rows(base, located.counts)
    polygons = area_boundaries(boundaries, codes) if boundaries is not None else None
    rows += gi_star_rows(base, located.counts, population, polygons, settings)
    rows.append(
        {
            **base,
            "measure_id": "near_school_share",
            "group": f"within {settings.definitions.school_distance_m:g} m of a school",
            "numerator": np.nan,
            "denominator": np.nan,
            "value": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "unit": "share of offences",
            "method": "not computed",
            "note": "not available from public data: needs record-level data (the coordinates "
            "of each offence); LSOA counts have no location within the LSOA",
        }
    )
    rows += located_reconciliation(base, located)
    return finish(rows)


def key_metric_rows(
    victims: pd.DataFrame,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    settings: Settings,
    area_code: str,
) -> list[dict[str, Any]]:
    """Key-metric victims per LSOA (edition year), with rates per 1,000 of the same age."""
    year = settings.edition_year
    confidence = settings.confidence
    key = settings.definitions.key_metric
    codes = sorted(lsoas["lsoa_code"].astype(str))
    base = base_row(key, settings, area_code, year)
    rows_in = definition_rows(victims, key, year)
    check_lsoas_known(rows_in, codes)
    located = rows_in.loc[rows_in["lsoa_code"].notna()]
    counts = count_by_lsoa(located, lsoas)
    population = lsoa_population(
        population_lsoa, codes, year=year, age_from=int(key.age_from), age_to=int(key.age_to)
    )
    unit = f"victims per {SMALL_AREA_RATE_PER:,} residents aged {key.age_from}-{key.age_to}"
    rows = [
        {**r, "measure_id": "lsoa_rate", "unit": unit}
        for r in rate_rows(base, counts, population, confidence)
    ]
    rows += reconciliation_rows(
        {**base, "measure_id": "row_reconciliation"},
        len(rows_in),
        [
            ("excluded: location unknown", len(rows_in) - len(located)),
            ("used: victims located in an LSOA", len(located)),
        ],
        unit="victim rows",
    )
    return rows
