"""Where serious violence happens: LSOA and ward rates, concentration, Gi* hot spots, schools.

Also holds the incident-selection helpers the other place- and time-based families (timing,
deprivation) share: one row per offence, with every victim row that was merged or excluded
counted by reason.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st
from scipy.spatial import cKDTree

from pipeline.families.common import (
    edition_start_year,
    financial_year_label,
    has_victim_extract,
    is_proxy,
    population_total,
    require_victims_unless_public,
    residents_phrase,
    select_definition,
    tidy,
)
from pipeline.findings import (
    Finding,
    format_confidence,
    format_interval,
    format_number,
    format_percent,
    format_share,
    resident_threshold,
    sentence_case,
)
from pipeline.stats import (
    fingertips_compare,
    gini,
    proportion_ci,
    rate_ci,
    share_ratio,
    top_share,
)

#: Small-area rates are per this many residents (an LSOA has about 1,500 residents, so a rate
#: per 100,000 would read as an implausibly large number of people).
SMALL_AREA_RATE_PER = 1000
#: Fractions of LSOAs used for the "share of incidents in the top x% of LSOAs" measures.
TOP_FRACTIONS: tuple[float, ...] = (0.05, 0.10)
#: Hot-spot classes written for each LSOA.
HOT, COLD, NOT_SIGNIFICANT = "Hot spot", "Cold spot", "Not significant"

METHOD = """\
**Where: hot spots.** Serious violence against people aged under 25 (definition `sv_0_24`) in
the edition's financial year, counted as **incidents** (distinct offences with at least one
victim in the definition: an offence with two young victims is one incident at one place).
Incidents whose location is unknown are counted and excluded. Each LSOA's rate is incidents per
1,000 residents aged 0-24 (ONS small-area mid-year estimate for the start year), with exact
Poisson limits below 10 incidents and Byar's approximation from 10 (PHE `phe_rate`). Wards
aggregate their LSOAs. The key metric (knife crime with injury, victims aged 1-24, not domestic
abuse) is also counted per LSOA, as victims, per 1,000 residents aged 1-24, so that the LSOA
counts add up to the borough's key-metric count less victims whose location is unknown.

**Concentration.** The share of incidents in the top 5% and top 10% of LSOAs ranked by count
(ceil(fraction x number of LSOAs) LSOAs) and the Gini coefficient across all the borough's LSOAs
including those with none: G = 2 sum(i x_(i)) / (N sum x) - (N + 1)/N. They are descriptive and
carry no interval (the ranking is chosen from the same data).

**Getis-Ord Gi\\* hot spots** (Getis & Ord 1992; PySAL `esda.G_Local`, `star=True`, binary
weights). The variable is the Empirical-Bayes-smoothed rate per 1,000 residents aged 0-24
(`esda.smoothing.Empirical_Bayes`, global smoothing towards the borough rate), because raw rates
on a few hundred young residents are unstable and raw counts ignore population. Neighbours are
queen contiguity between LSOA polygons (`libpysal` `Queen.from_dataframe`); each LSOA is its own
neighbour (Gi\\*). Significance is by conditional permutation with a fixed seed. esda's `p_sim`
is folded (one-sided in whichever tail the statistic falls), so the pipeline computes both
one-sided pseudo p-values from the permutation distribution (`esda.significance`, "greater"
and "lesser", (M + 1)/(R + 1)) and takes the two-sided p = min(1, 2 x the smaller). The
Benjamini-Hochberg false discovery rate is then controlled across all LSOAs
(`scipy.stats.false_discovery_control`) at the configured level. An LSOA is a **hot spot** when
its adjusted q-value is within that level and the statistic is in the upper tail, a **cold
spot** in the lower tail. With R permutations the smallest two-sided p is 2/(R + 1), and the
Benjamini-Hochberg threshold for the most extreme of N LSOAs is FDR/N, so when the configured
R is too few for 2/(R + 1) <= FDR/N the pipeline raises R to the next 10^k - 1 and says so in
the table's note (e.g. 999 -> 9999 for 145 LSOAs at 5%). Absence of a hot spot is not
evidence of an even spread: the permutation pool still contains the clustered values.
Gi\\* is only computed where LSOA boundaries are supplied; otherwise the table gives the
ranked LSOA list only.

**SNA from public data alone.** Without a victim extract (`victim_extract: false`) the
located events are the public proxy the configuration names for `serious_violence_u25`
(e.g. MPS possession-of-weapons offences by LSOA, all ages), read from `lsoa_counts.csv`:
offences, not victims, in the latest calendar year the file has (the period says which), with
rates per 1,000 residents of the definition's ages (the latest LSOA population estimate at or
before that year; the note says when it is earlier). Rates, concentration and Gi\\* are
computed as above. The near-school share is not available: it needs each offence's coordinates,
which public counts do not have. Where the LSOA list uses middle-layer super output areas
(MSOA, codes E02) as the level above the LSOA, the "ward" rows are MSOAs.

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


# --------------------------------------------------------------------------------------------
# Shared selection helpers (used by the timing and deprivation families too)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incidents:
    """Offences meeting a definition in one financial year, one row per offence."""

    offences: pd.DataFrame
    victim_rows: int
    merged_rows: int


def edition_year(config: Mapping[str, Any]) -> int:
    """Start year of the configured edition ('2024-25' -> 2024)."""
    return edition_start_year(str(config["edition"]))


def confidence_of(config: Mapping[str, Any]) -> float:
    """The configured headline confidence level."""
    return float(config["statistics"]["confidence"])


def select_incidents(victims: pd.DataFrame, definition: Mapping[str, Any], year: int) -> Incidents:
    """Offences with at least one victim meeting ``definition`` in financial year ``year``.

    Victim rows of the same offence are merged (one incident); the first by victim id gives
    the offence's place and time, which the police record once per offence.
    """
    rows = select_definition(victims, definition)
    rows = rows.loc[rows["financial_year"] == year]
    ordered = rows.sort_values(["offence_id", "victim_id"], kind="stable")
    offences = ordered.drop_duplicates("offence_id", keep="first").reset_index(drop=True)
    return Incidents(offences, victim_rows=len(rows), merged_rows=len(rows) - len(offences))


def definition_rows(
    victims: pd.DataFrame, definition: Mapping[str, Any], year: int
) -> pd.DataFrame:
    """Victim rows (one per victim per offence) meeting ``definition`` in financial year
    ``year``."""
    rows = select_definition(victims, definition)
    return rows.loc[rows["financial_year"] == year]


def definition_text(definition: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The definition column: its label and the version of the configured definitions."""
    return f"{definition['label']} (definitions {config['definitions']['version']})"


def base_row(
    definition: Mapping[str, Any], config: Mapping[str, Any], area_code: str, year: int
) -> dict[str, Any]:
    """Columns shared by every row of one definition in one year."""
    return {
        "definition_id": str(definition["id"]),
        "definition": definition_text(definition, config),
        "area_code": area_code,
        "period": financial_year_label(year),
        "confidence": confidence_of(config),
    }


#: Ends the label of a calendar-year period (public LSOA counts are by calendar year).
CALENDAR_YEAR_SUFFIX = " (calendar year)"


def calendar_year_label(year: int) -> str:
    """'2021 (calendar year)'."""
    return f"{year}{CALENDAR_YEAR_SUFFIX}"


def population_year_at_or_before(population: pd.DataFrame, year: int, what: str) -> int:
    """The latest mid-year in ``population`` not after ``year`` (estimates are published
    late); raise naming the input when there is none."""
    years = sorted({int(y) for y in population["year"] if int(y) <= year})
    if not years:
        raise ValueError(
            f"{what}: no mid-year estimate at or before {year} (column year; years supplied: "
            f"{sorted({int(y) for y in population['year']})})"
        )
    return years[-1]


def population_note(used: int, wanted: int) -> str:
    """Note for a rate whose population is from an earlier mid-year than its period."""
    if used == wanted:
        return ""
    return f"mid-{wanted} LSOA population not supplied; mid-{used} used"


@dataclass(frozen=True)
class LocatedCounts:
    """Public LSOA counts of one measure in its latest year, with what was not used."""

    counts: pd.Series  # by LSOA code, every LSOA of the area
    year: int
    total: int  # every count in lsoa_counts.csv (all measures and years)
    steps: list[tuple[str, int]]  # reconciliation of ``total``


def located_counts(
    lsoa_counts: pd.DataFrame, definition: Mapping[str, Any], lsoas: pd.DataFrame
) -> LocatedCounts:
    """Counts of ``definition`` per LSOA in the latest calendar year of the public LSOA counts.

    Every count in the file is accounted for: other measures and earlier years are counted as
    not used.
    """
    measure = str(definition["id"])
    codes = sorted(lsoas["lsoa_code"].astype(str))
    rows = lsoa_counts.loc[lsoa_counts["measure"] == measure]
    if rows.empty:
        raise ValueError(
            f"lsoa_counts: no rows for measure {measure!r} (column measure; measures present: "
            f"{sorted(set(lsoa_counts['measure']))}); rule: the serious_violence_u25 "
            "definition's id names the LSOA counts to use"
        )
    check_lsoas_known(rows, codes, what="lsoa_counts")
    year = int(rows["year"].max())
    latest = rows.loc[rows["year"] == year]
    counts = latest.groupby(latest["lsoa_code"].astype(str))["count"].sum()
    counts = counts.reindex(codes, fill_value=0).astype("int64").rename("count")
    other_measures = lsoa_counts.loc[lsoa_counts["measure"] != measure, "count"]
    earlier_years = rows.loc[rows["year"] < year, "count"]
    steps = [
        ("not used: other measures", int(other_measures.sum())),
        (f"not used: years before {year} (the latest year is analysed)", int(earlier_years.sum())),
        (f"used: offences located in an LSOA of the area in {year}", int(counts.sum())),
    ]
    total = int(lsoa_counts["count"].sum())
    return LocatedCounts(counts=counts, year=year, total=total, steps=steps)


def subject_of(definition: Mapping[str, Any], default: str) -> str:
    """What a finding talks about: ``default`` ("violence against young people"), or the short
    label of a public proxy, which names itself as one."""
    return str(definition["short_label"]) if is_proxy(definition) else default


def finish(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Tidy table with measure ids prefixed by their definition id ('sv_0_24_lsoa_rate')."""
    named = [{**row, "measure_id": f"{row['definition_id']}_{row['measure_id']}"} for row in rows]
    table = tidy(named)
    if "note" in table.columns:
        table["note"] = table["note"].fillna("").astype(str)
    return table


def reconciliation_rows(
    base: Mapping[str, Any], total: int, steps: Sequence[tuple[str, int]], unit: str
) -> list[dict[str, Any]]:
    """Rows that account for every victim row read: ``total`` = sum of the steps' counts."""
    accounted = sum(count for _, count in steps)
    if accounted != total:
        raise AssertionError(
            f"row reconciliation does not balance for {base.get('definition_id')}: "
            f"{total} rows read but {accounted} accounted for ({dict(steps)})"
        )
    rows = [{**base, "group": "rows read", "numerator": total, "value": float(total)}]
    rows += [
        {**base, "group": reason, "numerator": count, "value": float(count)}
        for reason, count in steps
    ]
    for row in rows:
        row.update(denominator=total, unit=unit, method="count", lower=np.nan, upper=np.nan)
    return rows


def lsoa_population(
    population_lsoa: pd.DataFrame,
    lsoa_codes: Sequence[str],
    *,
    year: int,
    age_from: int,
    age_to: int,
) -> pd.Series:
    """Residents of each LSOA in an inclusive age range at mid-``year``, indexed by LSOA code.

    Raises ValueError naming the LSOAs with no population (a rate would divide by zero).
    """
    values = {
        code: population_total(
            population_lsoa, area_codes=[code], year=year, age_from=age_from, age_to=age_to
        )
        for code in lsoa_codes
    }
    series = pd.Series(values, name="population", dtype="int64")
    empty = series.index[series <= 0].tolist()
    if empty:
        raise ValueError(
            f"population_lsoa: no residents aged {age_from}-{age_to} in mid-{year} for "
            f"{len(empty)} LSOA(s) of the area, e.g. {empty[:5]} (column population, rule: every "
            "LSOA of the area has a population for every year)"
        )
    return series


def check_lsoas_known(
    frame: pd.DataFrame, lsoa_codes: Sequence[str], what: str = "victims"
) -> None:
    """Raise if rows located 'in area' carry an LSOA outside the area's LSOA list."""
    located = frame["lsoa_code"].notna()
    unknown = located & ~frame["lsoa_code"].isin(set(lsoa_codes))
    if unknown.any():
        codes = sorted(frame.loc[unknown, "lsoa_code"].astype(str).unique())[:5]
        raise ValueError(
            f"{what}: {int(unknown.sum())} row(s) (index {frame.index[unknown].tolist()[:5]}) have "
            f"an lsoa_code outside the area's LSOA list (e.g. {codes}); rule: rows outside the "
            "area are excluded by validation before measures run"
        )


# --------------------------------------------------------------------------------------------
# Counts and rates
# --------------------------------------------------------------------------------------------


def count_by_lsoa(located: pd.DataFrame, lsoas: pd.DataFrame) -> pd.Series:
    """Rows per LSOA for every LSOA of the area (zeros included), indexed by LSOA code."""
    codes = sorted(lsoas["lsoa_code"].astype(str))
    counts = located["lsoa_code"].astype(str).value_counts()
    return counts.reindex(codes, fill_value=0).astype("int64").rename("count")


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
# Getis-Ord Gi*
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


def empirical_bayes_rates(counts: pd.Series, population: pd.Series) -> pd.Series:
    """Global Empirical-Bayes-smoothed rates per 1,000 (``esda.smoothing.Empirical_Bayes``).

    When the rates vary less than Poisson chance alone would make them, Marshall's (1991)
    between-area variance is negative; esda does not clip it (it divides by zero or gives
    weights outside 0-1), so it is set to 0 here, as Marshall does: every area then gets the
    global rate.
    """
    from esda.smoothing import Empirical_Bayes

    e = counts.to_numpy(dtype=float)
    n = population.to_numpy(dtype=float)
    global_rate = e.sum() / n.sum()
    between = np.sum(n * (e / n - global_rate) ** 2) / n.sum() - global_rate / n.mean()
    if between <= 0:
        rates = np.full(len(e), global_rate)
    else:
        rates = np.asarray(Empirical_Bayes(e.reshape(-1, 1), n.reshape(-1, 1)).r).ravel()
    return pd.Series(rates * SMALL_AREA_RATE_PER, index=counts.index, name="eb_rate")


def getis_ord_hotspots(
    values: pd.Series,
    polygons: Any,
    *,
    permutations: int,
    seed: int,
    fdr: float,
) -> pd.DataFrame:
    """Local Gi* per unit with two-sided permutation p, BH q-value and a hot/cold class.

    ``values`` is indexed by ``lsoa_code`` in the same order as ``polygons``. Returns columns
    ``gi_z`` (analytical z of Gi*), ``gi_z_sim`` (z against the permutation distribution),
    ``p_value`` (two-sided), ``q_value`` (Benjamini-Hochberg), ``hotspot_class``, ``neighbours``.
    """
    from esda.getisord import G_Local
    from esda.significance import calculate_significance
    from libpysal.weights import Queen

    if list(values.index) != list(polygons["lsoa_code"]):
        raise ValueError(
            "getis_ord_hotspots: values and polygons must list the same LSOAs in order"
        )
    with warnings.catch_warnings():
        # Islands (LSOAs with no contiguous neighbour) are allowed; they are reported below.
        warnings.simplefilter("ignore")
        weights = Queen.from_dataframe(polygons, use_index=False)
        local = G_Local(
            values.to_numpy(dtype=float),
            weights,
            transform="B",
            permutations=permutations,
            star=True,
            keep_simulations=True,
            n_jobs=1,
            seed=seed,
        )
    simulated = np.asarray(local.rGs)
    p_greater = np.atleast_1d(calculate_significance(local.Gs, simulated, alternative="greater"))
    p_lesser = np.atleast_1d(calculate_significance(local.Gs, simulated, alternative="lesser"))
    p_two = np.minimum(1.0, 2.0 * np.minimum(p_greater, p_lesser))
    q_values = st.false_discovery_control(p_two, method="bh")
    significant = q_values <= fdr
    upper_tail = p_greater <= p_lesser
    classes = np.where(significant & upper_tail, HOT, np.where(significant, COLD, NOT_SIGNIFICANT))
    neighbours = np.array([weights.cardinalities[i] for i in range(len(values))])
    return pd.DataFrame(
        {
            "gi_z": np.asarray(local.Zs, dtype=float),
            "gi_z_sim": np.asarray(local.z_sim, dtype=float),
            "p_value": p_two,
            "q_value": q_values,
            "hotspot_class": classes,
            "neighbours": neighbours,
        },
        index=values.index,
    )


def permutations_for_fdr(configured: int, units: int, fdr: float) -> int:
    """Permutations to use: the configured number, raised (to 10^k - 1) when it is too few
    for even the most extreme LSOA to pass the FDR threshold.

    With R permutations the smallest two-sided p is 2/(R + 1); Benjamini-Hochberg needs the
    smallest p to be at most fdr/units for anything to be significant.
    """
    needed = math.ceil(2 * units / fdr) - 1
    if configured >= needed:
        return configured
    return 10 ** math.ceil(math.log10(needed + 1)) - 1


def _gi_residents(config: Mapping[str, Any]) -> str:
    """'residents aged 0-24' (the demo definition), or 'residents of all ages' (a proxy)."""
    return residents_phrase(config["definitions"]["serious_violence_u25"])


def gi_star_rows(
    base: Mapping[str, Any],
    counts: pd.Series,
    population: pd.Series,
    polygons: Any | None,
    config: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Tidy Gi* rows per LSOA, or one row saying why Gi* was not computed."""
    stats_cfg = config["statistics"]
    configured = int(stats_cfg["hotspot_permutations"])
    fdr = float(stats_cfg["hotspot_fdr"])
    permutations = permutations_for_fdr(configured, len(counts), fdr)
    raised = (
        f"permutations raised from the configured {configured} to {permutations}: with "
        f"{configured} the smallest two-sided p, {2 / (configured + 1):.4f}, cannot pass "
        f"FDR {fdr:g} across {len(counts)} LSOAs"
        if permutations != configured
        else ""
    )
    method = (
        f"Getis-Ord Gi* (esda.G_Local, star=True, binary queen contiguity) on Empirical-Bayes "
        f"rates per 1,000 {_gi_residents(config)}; {permutations} conditional permutations (seed "
        f"{stats_cfg['random_seed']}); two-sided p = 2 x min one-sided; Benjamini-Hochberg "
        f"FDR {fdr:g}"
    )
    reason = None
    if polygons is None:
        reason = "Gi* not computed: no LSOA boundaries supplied (ranked table only)"
    elif int(counts.sum()) == 0:
        reason = "Gi* not computed: no incidents with a known location"
    if reason:
        return [
            {
                **base,
                "measure_id": "gi_star",
                "group": "all LSOAs",
                "numerator": int(counts.sum()),
                "denominator": len(counts),
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "Gi* z-score",
                "method": method,
                "hotspot_class": "Not computed",
                "note": reason,
            }
        ]
    smoothed = empirical_bayes_rates(counts, population)
    result = getis_ord_hotspots(
        smoothed, polygons, permutations=permutations, seed=int(stats_cfg["random_seed"]), fdr=fdr
    )
    rows = []
    for code in counts.index:
        res = result.loc[code]
        rows.append(
            {
                **base,
                "measure_id": "gi_star",
                "group": code,
                "numerator": int(counts.loc[code]),
                "denominator": int(population.loc[code]),
                "value": float(res["gi_z"]),
                "lower": np.nan,
                "upper": np.nan,
                "unit": "Gi* z-score",
                "method": method,
                "eb_rate": float(smoothed.loc[code]),
                "gi_z_sim": float(res["gi_z_sim"]),
                "p_value": float(res["p_value"]),
                "q_value": float(res["q_value"]),
                "hotspot_class": str(res["hotspot_class"]),
                "neighbours": int(res["neighbours"]),
                "permutations": permutations,
                "note": "; ".join(
                    n
                    for n in (
                        "island: no contiguous neighbour" if int(res["neighbours"]) == 0 else "",
                        raised,
                    )
                    if n
                ),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------------------------


def near_school_flags(points: pd.DataFrame, schools: pd.DataFrame, distance_m: float) -> np.ndarray:
    """True where a point (easting, northing) lies within ``distance_m`` of any school."""
    if points.empty or schools.empty:
        return np.zeros(len(points), dtype=bool)
    tree = cKDTree(schools[["easting", "northing"]].to_numpy(dtype=float))
    nearest, _ = tree.query(points[["easting", "northing"]].to_numpy(dtype=float), k=1)
    return nearest <= distance_m


def area_share_near_schools(polygons: Any, schools: pd.DataFrame, distance_m: float) -> float:
    """Share of the area's land (union of its polygons) within ``distance_m`` of a school."""
    import shapely

    area = shapely.union_all(polygons.geometry.to_numpy())
    if schools.empty:
        return 0.0
    points = shapely.points(schools[["easting", "northing"]].to_numpy(dtype=float))
    buffers = shapely.union_all(shapely.buffer(points, distance_m, quad_segs=32))
    return float(shapely.intersection(area, buffers).area / area.area)


def school_rows(
    base: Mapping[str, Any],
    located: pd.DataFrame,
    schools: pd.DataFrame | None,
    polygons: Any | None,
    distance_m: float,
    confidence: float,
) -> tuple[list[dict[str, Any]], int]:
    """Observed share of incidents near a school, expected share and their ratio.

    Returns the rows and the number of incidents excluded for lacking coordinates.
    """
    has_xy = located["easting"].notna() & located["northing"].notna()
    no_xy = int((~has_xy).sum())
    points = located.loc[has_xy]
    n = len(points)
    group = f"within {distance_m:g} m of a school"
    common = {**base, "group": group, "denominator": n, "note": ""}
    if schools is None:
        return [
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": 0,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "share of incidents",
                "method": "not computed",
                "note": "no schools list supplied",
            }
        ], no_xy
    near = int(near_school_flags(points, schools, distance_m).sum())
    rows = []
    share_method = f"Wilson score interval; straight-line distance <= {distance_m:g} m"
    if n:
        ci = proportion_ci(near, n, confidence)
        rows.append(
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": near,
                "value": float(ci["value"].iloc[0]),
                "lower": float(ci["lower"].iloc[0]),
                "upper": float(ci["upper"].iloc[0]),
                "unit": "share of incidents",
                "method": share_method,
            }
        )
    else:
        rows.append(
            {
                **common,
                "measure_id": "near_school_share",
                "numerator": 0,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "share of incidents",
                "method": share_method,
                "note": "no incidents with coordinates",
            }
        )
    if polygons is None:
        rows[0]["note"] = "expected share not computed: no LSOA boundaries supplied"
        return rows, no_xy
    expected = area_share_near_schools(polygons, schools, distance_m)
    rows[0]["expected_share"] = expected
    ratio_row = {
        **common,
        "measure_id": "near_school_ratio",
        "numerator": near,
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
        "unit": "ratio of observed to expected share",
        "method": "observed share / share of the area's land within the distance; Wilson limits "
        "divided by the (fixed) expected share",
        "expected_share": expected,
    }
    if n and expected > 0:
        ratio = share_ratio(near, n, expected, confidence)
        ratio_row.update(
            value=float(ratio["value"].iloc[0]),
            lower=float(ratio["lower"].iloc[0]),
            upper=float(ratio["upper"].iloc[0]),
        )
    else:
        ratio_row["note"] = "not computed: no incidents with coordinates or no land near schools"
    rows.append(ratio_row)
    return rows, no_xy


# --------------------------------------------------------------------------------------------
# The family
# --------------------------------------------------------------------------------------------


def compute(
    *,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    config: Mapping[str, Any],
    area_code: str,
    victims: pd.DataFrame | None = None,
    lsoa_counts: pd.DataFrame | None = None,
    boundaries: Any | None = None,
    schools: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hot-spot measures for one area and the edition year (see :data:`METHOD`), or, without a
    victim extract, for the latest year of the public LSOA counts."""
    require_victims_unless_public(victims, config, "hotspots")
    if victims is None:
        if lsoa_counts is None:
            raise ValueError(
                "hotspots needs the victim extract or, for an SNA from public data, lsoa_counts"
            )
        return compute_from_counts(
            lsoas=lsoas,
            population_lsoa=population_lsoa,
            lsoa_counts=lsoa_counts,
            config=config,
            area_code=area_code,
            boundaries=boundaries,
        )
    year = edition_year(config)
    confidence = confidence_of(config)
    definitions = config["definitions"]
    sv = definitions["serious_violence_u25"]
    codes = sorted(lsoas["lsoa_code"].astype(str))
    base = base_row(sv, config, area_code, year)

    selected = select_incidents(victims, sv, year)
    offences = selected.offences
    check_lsoas_known(offences, codes)
    located = offences.loc[offences["lsoa_code"].notna()]
    unknown_location = len(offences) - len(located)
    counts = count_by_lsoa(located, lsoas)
    population = lsoa_population(
        population_lsoa, codes, year=year, age_from=int(sv["age_from"]), age_to=int(sv["age_to"])
    )
    unit = f"incidents per {SMALL_AREA_RATE_PER:,} residents aged {sv['age_from']}-{sv['age_to']}"

    rows: list[dict[str, Any]] = []
    rows += area_rate_rows(base, counts, population, lsoas, confidence, unit)
    rows += concentration_rows(base, counts)

    polygons = area_boundaries(boundaries, codes) if boundaries is not None else None
    rows += gi_star_rows(base, counts, population, polygons, config)
    school_part, no_xy = school_rows(
        base, located, schools, polygons, float(definitions["school_distance_m"]), confidence
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
    rows += key_metric_rows(victims, lsoas, population_lsoa, config, area_code)
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
    config: Mapping[str, Any],
    area_code: str,
    boundaries: Any | None = None,
) -> pd.DataFrame:
    """Hot spots from public LSOA counts (no victim extract): rates, concentration, Gi*."""
    confidence = confidence_of(config)
    sv = config["definitions"]["serious_violence_u25"]
    codes = sorted(lsoas["lsoa_code"].astype(str))
    located = located_counts(lsoa_counts, sv, lsoas)
    pop_year = population_year_at_or_before(population_lsoa, located.year, "population_lsoa")
    population = lsoa_population(
        population_lsoa,
        codes,
        year=pop_year,
        age_from=int(sv["age_from"]),
        age_to=int(sv["age_to"]),
    )
    base = {
        **base_row(sv, config, area_code, located.year),
        "period": calendar_year_label(located.year),
        "population_year": pop_year,
        "note": population_note(pop_year, located.year),
    }
    unit = f"offences per {SMALL_AREA_RATE_PER:,} {residents_phrase(sv)}"
    rows = area_rate_rows(base, located.counts, population, lsoas, confidence, unit)
    rows += concentration_rows(base, located.counts)
    polygons = area_boundaries(boundaries, codes) if boundaries is not None else None
    rows += gi_star_rows(base, located.counts, population, polygons, config)
    rows.append(
        {
            **base,
            "measure_id": "near_school_share",
            "group": f"within {float(config['definitions']['school_distance_m']):g} m of a school",
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
    rows += reconciliation_rows(
        {**base, "measure_id": "row_reconciliation"},
        located.total,
        located.steps,
        unit="offences in lsoa_counts.csv",
    )
    return finish(rows)


def key_metric_rows(
    victims: pd.DataFrame,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    config: Mapping[str, Any],
    area_code: str,
) -> list[dict[str, Any]]:
    """Key-metric victims per LSOA (edition year), with rates per 1,000 of the same age."""
    year = edition_year(config)
    confidence = confidence_of(config)
    key = config["definitions"]["key_metric"]
    codes = sorted(lsoas["lsoa_code"].astype(str))
    base = base_row(key, config, area_code, year)
    rows_in = definition_rows(victims, key, year)
    check_lsoas_known(rows_in, codes)
    located = rows_in.loc[rows_in["lsoa_code"].notna()]
    counts = count_by_lsoa(located, lsoas)
    population = lsoa_population(
        population_lsoa, codes, year=year, age_from=int(key["age_from"]), age_to=int(key["age_to"])
    )
    unit = f"victims per {SMALL_AREA_RATE_PER:,} residents aged {key['age_from']}-{key['age_to']}"
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


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


def reporting_period(table: pd.DataFrame, config: Mapping[str, Any]) -> str:
    """The period the findings describe: the edition, or (an SNA from public data) the latest
    calendar year of the LSOA counts the table was computed from."""
    if has_victim_extract(config):
        return str(config["edition"])
    calendar = sorted({str(p) for p in table["period"] if str(p).endswith(CALENDAR_YEAR_SUFFIX)})
    return calendar[-1] if calendar else str(config["edition"])


def edition_rows(table: pd.DataFrame, measure_id: str, config: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of one measure in the reporting period (the edition year)."""
    period = reporting_period(table, config)
    return table.loc[(table["measure_id"] == measure_id) & (table["period"] == period)]


def interval_status(reference: float, lower: float, upper: float) -> str:
    """'Higher'/'Similar'/'Lower' when the interval lies above/around/below ``reference``."""
    return str(fingertips_compare(float(reference), float(lower), float(upper)))


def list_phrase(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _concentration_finding(
    table: pd.DataFrame, config: Mapping[str, Any], sv_id: str
) -> Finding | None:
    top10 = edition_rows(table, f"{sv_id}_top_10pct_share", config)
    top5 = edition_rows(table, f"{sv_id}_top_5pct_share", config)
    gini_row = edition_rows(table, f"{sv_id}_gini", config)
    if top10.empty or top5.empty or gini_row.empty:
        return None
    t10, t5, g = top10.iloc[0], top5.iloc[0], gini_row.iloc[0]
    threshold = resident_threshold(config)
    share = format_share(int(t10["numerator"]), int(t10["denominator"]), threshold)
    if int(t10["denominator"]) == 0:
        resident = "There were no incidents with a known place to look at."
    elif share is None:
        resident = "There were too few incidents to say how much they gather in a few places."
    else:
        sv = config["definitions"]["serious_violence_u25"]
        subject = subject_of(sv, "violence against young people")
        resident = (
            f"{sentence_case(subject)} is not spread evenly across the borough. "
            f"In {t10['period']}, the 10% of neighbourhoods with the most incidents had "
            f"{share} of them."
        )
    technical = (
        f"{t10['definition']}, {t10['period']}: the top 5% of LSOAs ({int(t5['lsoas'])} of "
        f"{int(t5['lsoas_total'])}) had {int(t5['numerator'])} of {int(t5['denominator'])} "
        f"located incidents ({format_percent(t5['value'], 1)}); the top 10% "
        f"({int(t10['lsoas'])} LSOAs) had "
        f"{int(t10['numerator'])} ({format_percent(t10['value'], 1)}). Gini coefficient across "
        f"{int(g['denominator'])} LSOAs: {format_number(g['value'], 3)}. Descriptive measures "
        "(the ranking is chosen from the same data), so no interval is given."
    )
    return Finding(
        id="hotspots_concentration",
        topic="where",
        resident=resident,
        technical=technical,
        status="Descriptive",
        measure_ids=[f"{sv_id}_top_5pct_share", f"{sv_id}_top_10pct_share", f"{sv_id}_gini"],
    )


def _gi_finding(table: pd.DataFrame, config: Mapping[str, Any], sv_id: str) -> Finding | None:
    gi = edition_rows(table, f"{sv_id}_gi_star", config)
    if gi.empty:
        return None
    first = gi.iloc[0]
    if (gi["hotspot_class"] == "Not computed").all():
        return Finding(
            id="hotspots_gi_star",
            topic="where",
            resident="We could not look for hot spots this year, because we did not have the "
            "neighbourhood boundaries we need.",
            technical=f"{first['definition']}, {first['period']}: {first['note']}.",
            status="Not computed",
            measure_ids=[f"{sv_id}_gi_star"],
        )
    lsoa_rows = edition_rows(table, f"{sv_id}_lsoa_rate", config).set_index("group")
    hot = gi.loc[gi["hotspot_class"] == HOT, "group"].tolist()
    cold = gi.loc[gi["hotspot_class"] == COLD, "group"].tolist()
    wards = sorted({str(lsoa_rows.loc[c, "ward_name"]) for c in hot if c in lsoa_rows.index})
    msoa = bool(lsoa_rows["ward_code"].astype(str).str.startswith("E02").all())
    stats_cfg = config["statistics"]
    permutations = int(first["permutations"])
    sv = config["definitions"]["serious_violence_u25"]
    subject = subject_of(sv, "violence against young people")
    if hot:
        level = "area" if msoa else "ward"
        where = f" in {list_phrase(wards)} {level}{'s' if len(wards) > 1 else ''}" if wards else ""
        resident = (
            f"We looked for hot spots: groups of neighbourhoods where {subject} is much more "
            f"common than chance would explain. We found hot spots{where}."
        )
        status = "Hot spots found"
    else:
        resident = (
            f"We looked for hot spots: groups of neighbourhoods where {subject} is much more "
            "common than chance would explain. No neighbourhood stood out clearly enough to "
            "call it a hot spot."
        )
        status = "No hot spots"
    technical = (
        f"{first['definition']}, {first['period']}: local Getis-Ord Gi* on Empirical-Bayes "
        f"rates per 1,000 {_gi_residents(config)}, binary queen contiguity, {permutations} "
        f"conditional permutations (seed {stats_cfg['random_seed']}), two-sided p (twice the "
        "smaller one-sided permutation p), Benjamini-Hochberg FDR at "
        f"{float(stats_cfg['hotspot_fdr']):g} across {len(gi)} LSOAs. Hot spots: {len(hot)} "
        f"LSOAs ({', '.join(hot) if hot else 'none'}); cold spots: {len(cold)}. The smallest "
        f"attainable two-sided p is {2 / (permutations + 1):.4f}."
    )
    raised = [part for part in str(first["note"]).split("; ") if part.startswith("permutations")]
    if raised:
        technical += f" Note: {raised[0]}."
    return Finding(
        id="hotspots_gi_star",
        topic="where",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_gi_star"],
    )


def _school_finding(table: pd.DataFrame, config: Mapping[str, Any], sv_id: str) -> Finding | None:
    share_rows = edition_rows(table, f"{sv_id}_near_school_share", config)
    ratio_rows = edition_rows(table, f"{sv_id}_near_school_ratio", config)
    if share_rows.empty or pd.isna(share_rows.iloc[0]["value"]):
        return None
    share = share_rows.iloc[0]
    distance = float(config["definitions"]["school_distance_m"])
    threshold = resident_threshold(config)
    shown = format_share(int(share["numerator"]), int(share["denominator"]), threshold)
    conf = format_confidence(float(share["confidence"]))
    technical = (
        f"{share['definition']}, {share['period']}: {int(share['numerator'])} of "
        f"{int(share['denominator'])} incidents with coordinates were within {distance:g} m of "
        f"a school ({format_percent(share['value'], 1)}, {conf} CI "
        f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}; "
        "Wilson)."
    )
    if ratio_rows.empty or pd.isna(ratio_rows.iloc[0]["value"]):
        # Say so, with the reason the table records: a comparison that silently vanishes reads
        # as if none had been intended.
        status = "Not compared"
        notes = [ratio_rows.iloc[0]["note"]] if not ratio_rows.empty else []
        notes.append(share["note"])
        reason = next((str(n) for n in notes if isinstance(n, str) and n), "no expected share")
        comparison = (
            " We could not compare this with how much of the borough's land is near a school."
        )
        technical += f" No comparison with the land near schools ({reason})."
    else:
        ratio = ratio_rows.iloc[0]
        expected = float(ratio["expected_share"])
        status = interval_status(expected, share["lower"], share["upper"])
        how = {
            "Higher": "more often than",
            "Similar": "about as often as",
            "Lower": "less often than",
        }[status]
        comparison = (
            f" About {format_percent(expected)} of the borough's land is that close to a school. "
            f"So incidents happened near schools {how} you would expect from the land alone."
        )
        technical += (
            f" Expected share if incidents were spread evenly over the borough's land: "
            f"{format_percent(expected, 1)}; ratio {format_number(ratio['value'], 2)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))}); "
            f"{status} than expected by the interval."
        )
    if shown is None:
        resident = (
            f"There were too few incidents near schools to give a figure (within "
            f"{distance:,.0f} metres)."
        )
    else:
        resident = (
            f"In {share['period']}, {shown} of incidents happened within {distance:,.0f} metres "
            f"of a school.{comparison}"
        )
    return Finding(
        id="hotspots_schools",
        topic="where",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_near_school_share", f"{sv_id}_near_school_ratio"],
    )


def findings(table: pd.DataFrame, config: Mapping[str, Any]) -> list[Finding]:
    """'Where' findings: concentration, Gi* hot spots and incidents near schools."""
    sv_id = str(config["definitions"]["serious_violence_u25"]["id"])
    made = [
        _concentration_finding(table, config, sv_id),
        _gi_finding(table, config, sv_id),
        _school_finding(table, config, sv_id),
    ]
    return [f for f in made if f is not None]
