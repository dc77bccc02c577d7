"""Deprivation: serious violence by national IMD decile of the LSOA, SII/RII and a GLM gradient."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import (
    base_row,
    calendar_year_label,
    finish,
    reconciliation_rows,
    residents_phrase,
    select_incidents,
)
from pipeline.families.deprivation.inequality import (
    decile_gradient,
    extreme_decile_ratio,
    sii_scale_note,
    slope_index,
)
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
from pipeline.settings import Definition, Settings
from pipeline.stats import proportion_ci, rate_ci, share_ratio

DECILES = tuple(range(1, 11))
#: Deciles that make up "the most deprived 20% of LSOAs nationally".
MOST_DEPRIVED_DECILES = (1, 2)
#: phe_sii needs at least this many quantiles with a population.
SII_MIN_QUANTILES = 5
#: Newest edition first: the pipeline uses the newest IoD that covers every LSOA of the area.
IOD_PREFERENCE = ("IoD2025", "IoD2019")

METHOD = """\
**Deprivation.** The serious-violence definition ({serious_violence_u25.short_label}) in the
edition's financial year, counted as incidents (distinct offences) by the LSOA where they
happened, and grouped by the national Index of Multiple Deprivation decile of that LSOA (1 = the
most deprived 10% of LSOAs in England). The pipeline uses the newest IoD edition in the
deprivation file that covers every LSOA of the area (IoD2025 on 2021 LSOAs, otherwise IoD2019 on
2011 LSOAs); the two are not mixed. Incidents with an unknown location are counted and excluded.
Rates are per 1,000 {serious_violence_u25.residents} in the decile's LSOAs (ONS small-area
estimates), with exact Poisson limits below 10 incidents and Byar's from 10 (PHE `phe_rate`).

**Slope and relative index of inequality** as in PHEindicatormethods `phe_sii` (Low & Low 2004),
computed by `pipeline.stats.sii`: deciles ordered from most (1) to least (10) deprived, each
given the mid-point of its range in the cumulative share of the area's
{serious_violence_u25.residents} (x, 0 to 1), and the rate regressed on x by least squares
weighted by the population share (`lm(y sqrt(a) ~ sqrt(a) + x sqrt(a) - 1)`). The fitted line
runs from the most deprived end (x = 0) to the least deprived (x = 1). The SII is the fitted
rate at the most deprived end minus that at the least deprived end, and the RII their ratio
(`phe_sii` with multiplier -1, so a positive SII and an RII above 1 mean higher rates in more
deprived areas). When every decile has incidents the rates are rates (`value_type = 1`) fitted
on the log scale (`transform = TRUE`): the line is log-linear, so both ends are positive and the
RII is the ratio of two positive rates. When a decile has none its log rate is undefined, and
the rates are fitted on the rate scale (`value_type = 0`, no transform, noted in the table).
Intervals come from Monte Carlo simulation (`sii_simulations` draws, fixed seed): each decile's
(log) rate is drawn from a normal distribution with standard error from its 95% interval and the
regression refitted; the limits are the percentiles at positions round(R x (1 - c)/2) and
round(R x (1 + c)/2) (on the log scale, `phe_sii` pivots the line about its mid-point). The RII
is **not reported** (blank, with the reason in the note) where the fitted value at either end is
0 or below, or where so many simulated lines reach 0 that its interval is unbounded: a ratio to
a rate of 0 or less means nothing. `phe_sii` prints it anyway. Deciles with no residents in the
area are left out and the SII is computed on the rest (at least 5). Here the pipeline departs
from `phe_sii`, which drops the whole area instead. Leaving them out changes no rank: a decile
with no residents has no width in the cumulative population.

**Extreme deciles.** The observed rate in the area's most deprived decile (with residents)
divided by that in its least deprived decile, with the exact conditional interval for a
ratio of two Poisson rates. The resident report states the RII with its interval when it is
reported, and otherwise this ratio, and says which; it says "times the rate" only when the
whole interval is above 1 (and the gradient below says so too).

**Most deprived 20%.** The share of incidents in LSOAs of national deciles 1-2 (Wilson interval)
against those LSOAs' share of the area's {serious_violence_u25.residents}, and their ratio.

**Gradient per decile.** A Poisson regression (statsmodels GLM, log link) of incidents per LSOA
on its deprivation step (10 - IMD decile: 0 for the least deprived decile, 9 for the most) with
the log of its population ({serious_violence_u25.residents}) as offset gives the rate ratio per
one-decile step towards more deprived areas (above 1 when violence rises with deprivation).
Overdispersion is measured by the Pearson chi-square over its degrees of freedom; when it is
above 1 the standard errors are scaled by its square root (quasi-Poisson), so hot spots do not
make the interval too narrow. Caveats: this is an ecological association between places, not
evidence about individuals; deprivation ranks are for the IoD's reference year, and victims may
not live where the offence happened.

**SNA from public data alone.** Without a victim extract (`victim_extract: false`) the counts
are the public proxy the configuration names for `serious_violence_u25` (e.g. MPS
possession-of-weapons offences by LSOA, all ages) in the latest calendar year of
`lsoa_counts.csv`, and the rates are per 1,000 residents of the definition's ages (the latest
LSOA population estimate at or before that year). Everything above is computed for that one
year; the period and the definition of every row say so.
"""


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def lsoa_deciles(deprivation: pd.DataFrame, lsoa_codes: list[str]) -> tuple[pd.Series, str]:
    """IMD decile of each LSOA from the newest IoD edition covering all of them."""
    codes = set(lsoa_codes)
    frame = deprivation.assign(lsoa_code=deprivation["lsoa_code"].astype(str))
    editions = [e for e in IOD_PREFERENCE if e in set(frame["iod_edition"])]
    editions += sorted(set(frame["iod_edition"]) - set(editions), reverse=True)
    for edition in editions:
        rows = frame.loc[(frame["iod_edition"] == edition) & frame["lsoa_code"].isin(codes)]
        if set(rows["lsoa_code"]) == codes:
            duplicated = rows["lsoa_code"].duplicated()
            if duplicated.any():
                raise ValueError(
                    f"deprivation: LSOA(s) {rows.loc[duplicated, 'lsoa_code'].tolist()[:5]} appear "
                    f"more than once for {edition} (columns lsoa_code, iod_edition; rule: unique)"
                )
            deciles = rows.set_index("lsoa_code")["imd_decile"].astype("int64").sort_index()
            return deciles.rename("imd_decile"), edition
    missing = sorted(codes - set(frame["lsoa_code"]))[:5]
    raise ValueError(
        "deprivation: no IoD edition gives a decile for every LSOA of the area "
        f"(column imd_decile; e.g. no row at all for {missing}); rule: every LSOA of the area"
    )


# --------------------------------------------------------------------------------------------
# The family
# --------------------------------------------------------------------------------------------


def decile_group(decile: int) -> str:
    """The group label of a national decile's row: 'decile 1 (most deprived)', 'decile 5'."""
    return f"decile {decile}" + (
        " (most deprived)" if decile == 1 else " (least deprived)" if decile == 10 else ""
    )


def decile_rows(
    base: Mapping[str, Any],
    by_decile: pd.DataFrame,
    confidence: float,
    unit: str,
) -> list[dict[str, Any]]:
    """One row per national decile 1-10 (rates NaN where the area has no residents in it)."""
    rows = []
    for decile, row in by_decile.iterrows():
        entry = {
            **base,
            "measure_id": "imd_decile_rate",
            "group": decile_group(int(decile)),
            "numerator": int(row["count"]),
            "denominator": int(row["population"]),
            "value": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "unit": unit,
            "method": "not computed: no LSOAs of the area in this decile",
            "imd_decile": int(decile),
            "lsoas": int(row["lsoas"]),
        }
        if row["population"] > 0:
            ci = rate_ci(
                int(row["count"]),
                int(row["population"]),
                multiplier=SMALL_AREA_RATE_PER,
                confidence=confidence,
            )
            entry.update(
                value=float(ci["value"].iloc[0]),
                lower=float(ci["lower"].iloc[0]),
                upper=float(ci["upper"].iloc[0]),
                method=str(ci["method"].iloc[0]),
            )
        rows.append(entry)
    return rows


def sii_rows(
    base: Mapping[str, Any], by_decile: pd.DataFrame, settings: Settings, unit: str
) -> list[dict[str, Any]]:
    """SII and RII rows (or rows saying why they were not computed)."""
    stats_cfg = settings.statistics
    used = by_decile.loc[by_decile["population"] > 0]
    common = {
        **base,
        "group": "most vs least deprived",
        "numerator": int(used["count"].sum()),
        "denominator": int(used["population"].sum()),
        "method": "phe_sii (not computed)",
    }
    rii_unit = "ratio (most / least deprived)"
    if len(used) < SII_MIN_QUANTILES or used["count"].sum() == 0:
        note = (
            f"not computed: {len(used)} deciles with residents (phe_sii needs "
            f"{SII_MIN_QUANTILES}) or no incidents"
        )
        return [
            {**common, "measure_id": m, "value": np.nan, "lower": np.nan, "upper": np.nan,
             "unit": u, "note": note}
            for m, u in (("sii", unit), ("rii", rii_unit))
        ]  # fmt: skip
    estimate = slope_index(
        used["count"].to_numpy(),
        used["population"].to_numpy(),
        used.index.to_numpy(),
        multiplier=-1,
        simulations=int(stats_cfg.sii_simulations),
        seed=int(stats_cfg.random_seed),
        confidence=settings.confidence,
    )
    # keep the row's own note (e.g. which population year was used) beside the scale
    note = "; ".join(n for n in (sii_scale_note(estimate), str(base.get("note") or "")) if n)
    common["method"] = estimate.method
    rii = {
        **common,
        "measure_id": "rii",
        "value": estimate.rii,
        "lower": estimate.rii_lower,
        "upper": estimate.rii_upper,
        "unit": rii_unit,
        "note": note if estimate.rii_reason is None else f"{note}; {estimate.rii_reason}",
    }
    sii = {
        **common,
        "measure_id": "sii",
        "value": estimate.sii,
        "lower": estimate.sii_lower,
        "upper": estimate.sii_upper,
        "unit": unit,
        "note": note,
    }
    return [sii, rii]


def extreme_decile_row(
    base: Mapping[str, Any], by_decile: pd.DataFrame, confidence: float
) -> dict[str, Any]:
    """Observed rate ratio of the area's most and least deprived deciles with residents.

    The numerator is the most deprived decile's incidents and the denominator the least
    deprived's (the decile rows' own counts: disclosure control hides the ratio with either).
    """
    used = by_decile.loc[by_decile["population"] > 0]
    row = {
        **base,
        "measure_id": "extreme_decile_rate_ratio",
        "group": "most vs least deprived decile",
        "unit": "rate ratio (most / least deprived decile)",
        "method": "ratio of two Poisson rates, exact conditional interval; numerator and "
        "denominator: incidents in the most and in the least deprived decile",
        "numerator": np.nan,
        "denominator": np.nan,
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
    }
    if len(used) < 2:
        return {**row, "note": "not computed: fewer than two deciles with residents"}
    extremes = used.loc[[used.index.min(), used.index.max()]]
    row.update(
        numerator=int(extremes["count"].iloc[0]),
        denominator=int(extremes["count"].iloc[1]),
        most_decile=int(extremes.index[0]),
        least_decile=int(extremes.index[1]),
    )
    if extremes["count"].sum() == 0:
        return {**row, "note": "not computed: no incidents in either decile"}
    ratio = extreme_decile_ratio(
        extremes["count"].to_numpy(),
        extremes["population"].to_numpy(),
        extremes.index.to_numpy(),
        confidence,
    )
    most, least = ratio.pop("most_decile"), ratio.pop("least_decile")
    return {**row, **ratio, "group": f"decile {most} vs decile {least}"}


def most_deprived_rows(
    base: Mapping[str, Any],
    by_decile: pd.DataFrame,
    confidence: float,
    residents: str = "residents aged 0-24",
) -> list[dict[str, Any]]:
    """Share of incidents in national deciles 1-2 against their share of young residents."""
    inside = by_decile.loc[list(MOST_DEPRIVED_DECILES)]
    x, n = int(inside["count"].sum()), int(by_decile["count"].sum())
    pop_share = float(inside["population"].sum() / by_decile["population"].sum())
    group = "LSOAs in national deciles 1-2 (most deprived 20%)"
    common = {
        **base,
        "group": group,
        "numerator": x,
        "denominator": n,
        "population_share": pop_share,
        "lsoas": int(inside["lsoas"].sum()),
    }
    if n == 0:
        return [
            {
                **common,
                "measure_id": m,
                "value": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "unit": u,
                "method": "not computed",
                "note": "no incidents",
            }
            for m, u in (
                ("most_deprived_20_share", "share of incidents"),
                ("most_deprived_20_ratio", "ratio of shares"),
            )
        ]
    share = proportion_ci(x, n, confidence)
    rows = [
        {
            **common,
            "measure_id": "most_deprived_20_share",
            "value": float(share["value"].iloc[0]),
            "lower": float(share["lower"].iloc[0]),
            "upper": float(share["upper"].iloc[0]),
            "unit": "share of incidents",
            "method": "Wilson score interval",
        }
    ]
    ratio = {
        **common,
        "measure_id": "most_deprived_20_ratio",
        "unit": "ratio of shares",
        "method": f"share of incidents / share of {residents} (fixed); Wilson limits",
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
    }
    if pop_share > 0:
        r = share_ratio(x, n, pop_share, confidence)
        ratio.update(
            value=float(r["value"].iloc[0]),
            lower=float(r["lower"].iloc[0]),
            upper=float(r["upper"].iloc[0]),
        )
    else:
        ratio["note"] = "not computed: no residents of the area in deciles 1-2"
    rows.append(ratio)
    return rows


def lsoa_table(
    victims: pd.DataFrame,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    deciles: pd.Series,
    definition: Definition,
    year: int,
) -> tuple[pd.DataFrame, list[tuple[str, int]], int]:
    """Incidents, young residents and IMD decile per LSOA in one year.

    Also returns the reconciliation steps and the number of victim rows read.
    """
    codes = sorted(lsoas["lsoa_code"].astype(str))
    selected = select_incidents(victims, definition, year)
    check_lsoas_known(selected.offences, codes)
    located = selected.offences.loc[selected.offences["lsoa_code"].notna()]
    per_lsoa = pd.DataFrame(
        {
            "count": count_by_lsoa(located, lsoas),
            "population": lsoa_population(
                population_lsoa,
                codes,
                year=year,
                age_from=int(definition.age_from),
                age_to=int(definition.age_to),
            ),
            "imd_decile": deciles,
        }
    )
    steps = [
        ("merged: further victims of the same offence", selected.merged_rows),
        ("excluded: location unknown", len(selected.offences) - len(located)),
        ("used: incidents located in an LSOA", len(located)),
    ]
    return per_lsoa, steps, selected.victim_rows


def decile_table(per_lsoa: pd.DataFrame) -> pd.DataFrame:
    """Incidents, residents and LSOAs per national decile 1-10 (zeros where none)."""
    return (
        per_lsoa.groupby("imd_decile")
        .agg(count=("count", "sum"), population=("population", "sum"), lsoas=("count", "size"))
        .reindex(list(DECILES), fill_value=0)
    )


def gradient_row(
    base: Mapping[str, Any], per_lsoa: pd.DataFrame, confidence: float
) -> dict[str, Any]:
    """The Poisson GLM rate ratio per decile step (or a row saying why not)."""
    row = {
        **base,
        "measure_id": "decile_rate_ratio",
        "group": "per decile step more deprived",
        "numerator": int(per_lsoa["count"].sum()),
        "denominator": int(per_lsoa["population"].sum()),
        "unit": "rate ratio per decile step",
        "method": "Poisson GLM (log link, log-population offset) of LSOA incidents on IMD "
        "step (10 - decile); SE scaled by sqrt(Pearson dispersion) when above 1",
    }
    if per_lsoa["count"].sum() > 0 and per_lsoa["imd_decile"].nunique() > 1:
        return {
            **row,
            **decile_gradient(
                per_lsoa["count"].to_numpy(),
                per_lsoa["population"].to_numpy(),
                per_lsoa["imd_decile"].to_numpy(),
                confidence,
            ),
        }
    return {
        **row,
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
        "note": "not computed: no incidents or a single decile",
    }


def year_rows(
    base: Mapping[str, Any], per_lsoa: pd.DataFrame, settings: Settings, unit: str
) -> list[dict[str, Any]]:
    """Decile rates, SII/RII and the GLM gradient of one year's incidents per LSOA."""
    by_decile = decile_table(per_lsoa)
    rows = decile_rows(base, by_decile, settings.confidence, unit)
    rows += sii_rows(base, by_decile, settings, unit)
    rows.append(extreme_decile_row(base, by_decile, settings.confidence))
    rows.append(gradient_row(base, per_lsoa, settings.confidence))
    return rows


def compute_from_counts(
    *,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    deprivation: pd.DataFrame,
    lsoa_counts: pd.DataFrame,
    settings: Settings,
    area_code: str,
) -> pd.DataFrame:
    """Deprivation measures from public LSOA counts (no victim extract), latest year only."""
    sv = settings.definitions.serious_violence_u25
    codes = sorted(lsoas["lsoa_code"].astype(str))
    deciles, iod_edition = lsoa_deciles(deprivation, codes)
    located = located_counts(lsoa_counts, sv, lsoas)
    pop_year = population_year_at_or_before(population_lsoa, located.year, "population_lsoa")
    per_lsoa = pd.DataFrame(
        {
            "count": located.counts,
            "population": lsoa_population(
                population_lsoa,
                codes,
                year=pop_year,
                age_from=int(sv.age_from),
                age_to=int(sv.age_to),
            ),
            "imd_decile": deciles,
        }
    )
    base = {
        **base_row(sv, settings, area_code, located.year),
        "period": calendar_year_label(located.year),
        "iod_edition": iod_edition,
        "population_year": pop_year,
        "note": population_note(pop_year, located.year),
    }
    unit = f"offences per {SMALL_AREA_RATE_PER:,} {residents_phrase(sv)}"
    rows = year_rows(base, per_lsoa, settings, unit)
    rows += most_deprived_rows(
        base, decile_table(per_lsoa), settings.confidence, residents_phrase(sv)
    )
    rows += located_reconciliation(base, located)
    return finish(rows)


def compute(
    *,
    lsoas: pd.DataFrame,
    population_lsoa: pd.DataFrame,
    deprivation: pd.DataFrame,
    settings: Settings,
    area_code: str,
    victims: pd.DataFrame | None = None,
    lsoa_counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Deprivation measures for one area (see :data:`METHOD`).

    Everything is for the edition year; the most-deprived-20% share is also given for every
    year of the window (the strategy's baseline), on the same IoD edition. Without a victim
    extract, the latest year of the public LSOA counts is used instead.
    """
    if victims is None:
        if lsoa_counts is None:
            raise ValueError(
                "deprivation needs the victim extract or, for an SNA from public data, lsoa_counts"
            )
        return compute_from_counts(
            lsoas=lsoas,
            population_lsoa=population_lsoa,
            deprivation=deprivation,
            lsoa_counts=lsoa_counts,
            settings=settings,
            area_code=area_code,
        )
    edition = settings.edition_year
    confidence = settings.confidence
    sv = settings.definitions.serious_violence_u25
    codes = sorted(lsoas["lsoa_code"].astype(str))
    deciles, iod_edition = lsoa_deciles(deprivation, codes)
    unit = f"incidents per {SMALL_AREA_RATE_PER:,} residents aged {sv.age_from}-{sv.age_to}"

    rows: list[dict[str, Any]] = []
    for year in settings.years:
        base = {**base_row(sv, settings, area_code, year), "iod_edition": iod_edition}
        per_lsoa, steps, read = lsoa_table(victims, lsoas, population_lsoa, deciles, sv, year)
        by_decile = decile_table(per_lsoa)
        if year == edition:
            rows += year_rows(base, per_lsoa, settings, unit)
        rows += most_deprived_rows(base, by_decile, confidence)
        rows += reconciliation_rows(
            {**base, "measure_id": "row_reconciliation"}, read, steps, unit="victim rows"
        )
    return finish(rows)
