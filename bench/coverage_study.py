"""Coverage study, run by hand (not a timed test): how often does each 95% interval contain
the planted truth?

    .venv/bin/python bench/coverage_study.py                        # 100 seeds, 2 processes
    .venv/bin/python bench/coverage_study.py --seeds 20 --jobs 4
    .venv/bin/python bench/coverage_study.py --record               # also append to
                                                                    # bench/coverage-results.md

For every seed the demo generator (``pipeline.demo.generate``, Waltham Forest preset) makes a
fresh synthetic extract with its planted truths. The extract goes through the workflow's own
glue, exactly as the Snakemake rules call it: ``pipeline.demo.write`` to a temporary folder,
``pipeline.steps.validate_step`` for every input (the real contracts; validated Parquet
files), ``check_area_step`` (cross-input checks) and ``measure_step`` for each measure family
(the families' real ``compute``; tables written as CSV and read back). Each 95% interval is
then compared with the expected value of its estimand in ``truths.json`` (see
:mod:`pipeline.demo.truths`; where the truths give the ingredients rather than the number, the
derivation is stated next to the estimand below).

Printed: one row per estimand with the number of intervals, how many contain the truth (and,
of the misses, how many lie wholly below or above it), the coverage with its own 95% Wilson
interval, the mean and median estimate and the mean truth. With 100 seeds the coverage of a
single estimand is itself uncertain by about +/-4 percentage points, so a figure just outside
93-97% is not by itself a fault: every row outside 93-97% is flagged, and the flag says
whether the coverage's own interval excludes 95% (beyond chance), with the known reason where
there is one. ``--save-intervals`` writes every interval (aggregates only) for diagnosis.

The hot-spot family runs in full (9,999 permutations, as configured: fewer would be raised
back by ``permutations_for_fdr``). Hot-spot classes have no interval, so their detection of
the planted cluster is reported separately, for the old method (conditional-permutation Gi*)
next to the new ones (Gi* with total permutation; the per-LSOA exact Poisson test with BH
that residents' "hot spot" rests on; mid-p and Empirical-Bayes variants): recall, precision
and where the false positives lie (see :mod:`bench.hotspot_scoring`).
"""

from __future__ import annotations

import os

# One thread per worker process: parallelism comes from --jobs, not from BLAS.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RESULTS_FILE = REPO / "bench" / "coverage-results.md"
CONFIG_FILE = REPO / "config" / "config.yaml"
#: Measure families with estimands; monitoring only re-reads the others' tables.
FAMILIES: tuple[str, ...] = (
    "key_metric",
    "trend",
    "disproportionality",
    "timing",
    "deprivation",
    "hotspots",
)
TARGET = (0.93, 0.97)


# --------------------------------------------------------------------------------------------
# One seed: generate, validate, compute
# --------------------------------------------------------------------------------------------


def family_tables(
    raw: Path, work: Path, config: Mapping[str, Any]
) -> tuple[dict[str, pd.DataFrame], Path]:
    """Validate one seed's inputs and compute every family with the workflow's own steps and
    path layout (as the demo preview does); each family's table read back from its CSV, and
    the validated LSOA boundaries' file."""
    from pipeline.layout import Layout
    from pipeline.render.preview import compute_measures, preview_config

    settings = preview_config(raw, config)
    layout = Layout(str(settings["dataset"]), processed=str(work))
    measures = compute_measures(settings, layout)
    boundaries = Path(layout.validated_file(settings["areas"][0]["slug"], "boundaries"))
    return {family: pd.read_csv(measures / f"{family}.csv") for family in FAMILIES}, boundaries


@dataclass
class SeedResult:
    """What one seed gives back to the parent process (aggregates only, no victim rows)."""

    seed: int
    records: list[dict[str, Any]] = field(default_factory=list)
    hotspots: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""


def run_seed(seed: int, config: dict[str, Any]) -> SeedResult:
    """Generate one seed's demo, push it through validation and the measures, and compare."""
    from bench.hotspot_scoring import score_seed
    from pipeline import demo
    from pipeline.runtime import read_parquet
    from pipeline.settings import Settings

    start = time.perf_counter()
    area = config["areas"][0]
    try:
        data = demo.generate(seed)
        with tempfile.TemporaryDirectory(prefix=f"coverage-{seed}-") as tmp:
            folder = Path(tmp)
            demo.write(data, folder / "raw")
            tables, boundaries = family_tables(folder / "raw", folder / "processed", config)
            polygons = read_parquet(str(boundaries))
        records = [{"seed": seed, **r} for r in estimands(tables, data.truths, config, area)]
        return SeedResult(
            seed,
            records,
            score_seed(tables["hotspots"], data.truths, polygons, Settings.of(config)),
            time.perf_counter() - start,
        )
    except Exception:  # noqa: BLE001 - a failing seed is a finding: report it, go on
        return SeedResult(seed, seconds=time.perf_counter() - start, error=traceback.format_exc())


# --------------------------------------------------------------------------------------------
# Estimands: table row <-> truth
# --------------------------------------------------------------------------------------------


def pick(table: pd.DataFrame, measure_id: str, group: str, period: str) -> pd.Series:
    """The one row of a measure table for a measure, group and period (raise if not one)."""
    rows = table.loc[
        (table["measure_id"] == measure_id)
        & (table["group"] == group)
        & (table["period"].astype(str) == period)
    ]
    if len(rows) != 1:
        raise LookupError(f"{len(rows)} rows for {measure_id} / {group} / {period}")
    return rows.iloc[0]


def record(estimand: str, row: pd.Series, truth: float) -> dict[str, Any]:
    """One interval against its truth."""
    return {
        "estimand": estimand,
        "value": float(row["value"]),
        "lower": float(row["lower"]),
        "upper": float(row["upper"]),
        "truth": float(truth),
    }


def year_labels(config: Mapping[str, Any]) -> list[str]:
    window = config["window"]
    return [
        f"{y}-{(y + 1) % 100:02d}"
        for y in range(window["first_financial_year"], window["last_financial_year"] + 1)
    ]


def key_metric_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Crude rates per 100,000 of the key metric and the under-18 metric: the area (from the
    extract) and the pooled neighbours (comparator series), edition year and every year."""
    edition = config["edition"]
    out = []
    for metric, key, ages in (("kcwi_1_24", "key_metric_growth", "1-24"),
                              ("kcwi_1_17", "under_18_growth", "1-17")):  # fmt: skip
        truth = truths[key]
        for group, expected, short in (
            ("Area", truth["area_rate_per_100k_expected"], "area"),
            ("Statistical neighbours (pooled)",
             truth["neighbours_pooled_rate_per_100k_expected"], "pooled neighbours"),
        ):  # fmt: skip
            for period in year_labels(config):
                row = pick(table, f"{metric}_rate", group, period)
                name = f"{metric} rate per 100k ({ages}), {short}"
                if period == edition:
                    out.append(record(f"{name}, {edition}", row, expected[period]))
                out.append(record(f"{name}, all {len(year_labels(config))} years", row,
                                  expected[period]))  # fmt: skip
    return out


def trend_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any], area_code: str
) -> list[dict[str, Any]]:
    """Annual % change (area, pooled neighbours, each neighbour) and the ratio of growth."""
    labels = year_labels(config)
    period = f"{labels[0]} to {labels[-1]}"
    out = []
    for metric, key in (("kcwi_1_24", "key_metric_growth"), ("kcwi_1_17", "under_18_growth")):
        truth = truths[key]
        change = f"{metric}_annual_change"
        out.append(record(f"{metric} annual % change, area", pick(table, change, "Area", period),
                          100 * (truth["area_annual_multiplier_expected"] - 1)))  # fmt: skip
        out.append(record(
            f"{metric} annual % change, pooled neighbours",
            pick(table, change, "Statistical neighbours (pooled)", period),
            100 * (truth["neighbours_pooled_annual_multiplier_expected"] - 1),
        ))  # fmt: skip
        out.append(record(
            f"{metric} ratio of growth (area x time interaction)",
            pick(table, f"{metric}_growth_ratio", "Area against statistical neighbours", period),
            truth["ratio_of_growth"],
        ))  # fmt: skip
        # Each neighbour's own series: an exact exponential with the neighbours' multiplier.
        own = table.loc[
            (table["measure_id"] == f"{change}_by_area") & (table["geography_code"] != area_code)
        ]
        for _, row in own.iterrows():
            out.append(record(f"{metric} annual % change, each neighbour's own series", row,
                              100 * (truth["neighbours_annual_multiplier"] - 1)))  # fmt: skip
    return out


def disproportionality_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Black boys among under-18 key-metric victims (the 'Under 18' group of kcwi_1_24 is the
    under-18 metric's ages 1-17), and every planted sex x ethnicity share."""
    from pipeline.demo import PLANTED

    truth = truths["black_boys_under_18"]
    edition = config["edition"]
    group = "Black Male Under 18"
    out = [
        record("black boys' share of under-18 victims (known ethnicity)",
               pick(table, "kcwi_1_24_victim_share", group, edition),
               truth["victim_share_known_ethnicity_expected"]),
        record("black boys' share ratio (victim / population share)",
               pick(table, "kcwi_1_24_share_ratio", group, edition),
               truth["share_ratio_expected"]),
        record("black boys' rate ratio vs everyone else (Katz)",
               pick(table, "kcwi_1_24_rate_ratio", group, edition),
               truth["rate_ratio_vs_everyone_else_expected"]),
        record("ethnicity not stated, share of under-18 victims",
               pick(table, "kcwi_1_24_unknown_ethnicity_share", "Not stated All Under 18",
                    edition),
               truth["ethnicity_not_stated_share_expected"]),
    ]  # fmt: skip
    for sex, ethnicity, share in PLANTED.under_18_victim_sex_ethnicity:
        row = pick(table, "kcwi_1_24_victim_share", f"{ethnicity} {sex} Under 18", edition)
        out.append(record("under-18 victim share, all 10 sex x ethnicity cells", row, share))
    return out


def timing_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """School-day and after-school measures for school-age victims (sv_5_16)."""
    truth = truths["after_school"]
    edition = config["edition"]
    window = "{:02d}:00-{:02d}:00".format(*truth["window"])
    after_group = f"school-day incidents starting {window}"
    out = []
    for period in year_labels(config):
        share = pick(table, "sv_5_16_school_day_share", "incidents on school days", period)
        after = pick(table, "sv_5_16_after_school_share", after_group, period)
        years = f"all {len(year_labels(config))} years"
        out.append(record(f"school-day share, {years}", share, truth["school_day_share_expected"]))
        out.append(record(f"after-school share on school days, {years}", after,
                          truth["share_on_school_days_expected"]))  # fmt: skip
        if period != edition:
            continue
        out.append(record("school-day share", share, truth["school_day_share_expected"]))
        out.append(record("after-school share on school days", after,
                          truth["share_on_school_days_expected"]))  # fmt: skip
        # Derived: the planted window share over the flat-day share (2 of 24 hours).
        out.append(record(
            "after-school share / flat-day share",
            pick(table, "sv_5_16_after_school_ratio", after_group, period),
            truth["share_on_school_days_expected"] / truth["flat_day_share"],
        ))  # fmt: skip
        out.append(record(
            "per-day rate ratio, school vs non-school days",
            pick(table, "sv_5_16_school_day_rate_ratio", "school days vs non-school days", period),
            truth["edition_year"]["per_day_rate_ratio_school_vs_non_school_expected"],
        ))  # fmt: skip
        # Non-school weekdays have the weekends' per-day rate in the generator, so the
        # same-hours ratio against non-school weekdays estimates the planted window ratio.
        out.append(record(
            "after-school window per-day rate ratio",
            pick(table, "sv_5_16_after_school_rate_ratio",
                 f"{window} on school days vs non-school weekdays", period),
            truth["edition_year"]["after_school_window_per_day_rate_ratio_expected"],
        ))  # fmt: skip
    return out


def sii_truth(rates: np.ndarray, population: np.ndarray) -> tuple[float, float]:
    """SII (most minus least deprived) and RII (most / least) of the *expected* decile rates:
    weighted least squares on population-weighted mid-point ranks (deciles most deprived
    first), written out with numpy so the truth does not come from the code under study."""
    share = population / population.sum()
    rank = np.cumsum(share) - share / 2
    weight = np.sqrt(share)
    design = np.column_stack([weight, rank * weight])
    (intercept, slope), *_ = np.linalg.lstsq(design, rates * weight, rcond=None)
    return float(-slope), float(intercept / (intercept + slope))


def deprivation_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Decile rate ratio, share in the most deprived 20%, decile rates, SII and RII."""
    truth = truths["deprivation"]
    edition = config["edition"]
    group20 = "LSOAs in national deciles 1-2 (most deprived 20%)"
    share = truth["expected_share_in_most_deprived_20_percent"]
    ratio_row = pick(table, "sv_0_24_most_deprived_20_ratio", group20, edition)
    out = [
        record("deprivation rate ratio per decile step (GLM)",
               pick(table, "sv_0_24_decile_rate_ratio", "per decile step more deprived", edition),
               truth["rate_ratio_per_decile_fit_expected"]),
        record("share of incidents in most deprived 20%",
               pick(table, "sv_0_24_most_deprived_20_share", group20, edition), share),
        # Derived: the expected share over the (fixed) population share the row used.
        record("most deprived 20%: incident share / population share", ratio_row,
               share / float(ratio_row["population_share"])),
    ]  # fmt: skip
    deciles = table.loc[
        (table["measure_id"] == "sv_0_24_imd_decile_rate")
        & (table["period"] == edition)
        & (table["denominator"] > 0)
    ].sort_values("imd_decile")
    expected_per_1000 = {int(k): v / 100 for k, v in truth["expected_rate_by_decile"].items()}
    for _, row in deciles.iterrows():  # truths.json gives rates per 100,000; the table per 1,000
        out.append(record("decile rate per 1,000 aged 0-24, each decile", row,
                          expected_per_1000[int(row["imd_decile"])]))  # fmt: skip
    rates = np.array([expected_per_1000[int(d)] for d in deciles["imd_decile"]])
    sii, rii = sii_truth(rates, deciles["denominator"].to_numpy(dtype=float))
    sii_group = "most vs least deprived"
    out.append(record("SII (most - least deprived, per 1,000)",
                      pick(table, "sv_0_24_sii", sii_group, edition), sii))  # fmt: skip
    out.append(record("RII (most / least deprived)",
                      pick(table, "sv_0_24_rii", sii_group, edition), rii))  # fmt: skip
    return out


def hotspot_records(
    table: pd.DataFrame, truths: Mapping[str, Any], config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """LSOA and ward rates of serious violence (0-24) against the expected counts by LSOA."""
    expected = truths["hotspots"]["expected_count_by_lsoa"]
    edition = config["edition"]
    out = []
    lsoas = table.loc[(table["measure_id"] == "sv_0_24_lsoa_rate") & (table["period"] == edition)]
    ward_count: dict[str, float] = {}
    for _, row in lsoas.iterrows():
        count = expected[row["group"]]
        ward_count[row["ward_code"]] = ward_count.get(row["ward_code"], 0.0) + count
        truth = 1000 * count / row["denominator"]
        out.append(record("LSOA rate per 1,000 aged 0-24, each LSOA", row, truth))
        # Split by the *expected* count (never the observed one, which would condition on
        # the outcome): exact Poisson limits dominate below 10, Byar's above.
        size = "< 10" if count < 10 else ">= 10"
        out.append(record(f"LSOA rate, each LSOA expecting {size} incidents", row, truth))
    wards = table.loc[(table["measure_id"] == "sv_0_24_ward_rate") & (table["period"] == edition)]
    for _, row in wards.iterrows():
        out.append(record("ward rate per 1,000 aged 0-24, each ward", row,
                          1000 * ward_count[row["group"]] / row["denominator"]))  # fmt: skip
    return out


def estimands(
    tables: Mapping[str, pd.DataFrame],
    truths: Mapping[str, Any],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Every interval of the study with its truth."""
    return [
        *key_metric_records(tables["key_metric"], truths, config),
        *trend_records(tables["trend"], truths, config, area["code"]),
        *disproportionality_records(tables["disproportionality"], truths, config),
        *timing_records(tables["timing"], truths, config),
        *deprivation_records(tables["deprivation"], truths, config),
        *hotspot_records(tables["hotspots"], truths, config),
    ]


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------

#: Why an estimand may sit outside 93-97% (printed only for flagged rows).
EXPLANATIONS: dict[str, str] = {
    "LSOA rate per 1,000 aged 0-24, each LSOA": (
        "most LSOAs expect fewer than 10 incidents, where the interval is the exact (Garwood) "
        "Poisson interval, which is conservative by construction (coverage >= 95%)."
    ),
    "ward rate per 1,000 aged 0-24, each ward": (
        "exact Poisson limits below 10 incidents and Byar's above: slightly conservative."
    ),
    "deprivation rate ratio per decile step (GLM)": (
        "the GLM is fitted to LSOA counts and its SE scaled by the Pearson dispersion; the "
        "planted hot spots (4x within their decile) make the LSOA counts look overdispersed "
        "although, given the fixed LSOA means, the counts are Poisson: the scaled interval is "
        "wider than the estimator's sampling spread (conservative)."
    ),
    "SII (most - least deprived, per 1,000)": (
        "phe_sii Monte Carlo limits from each decile's 95% rate interval; small deciles "
        "(decile 1, 8-10 hold a handful of LSOAs) get wide Byar's/exact limits."
    ),
    "LSOA rate, each LSOA expecting < 10 incidents": (
        "exact (Garwood) Poisson limits are used below 10 observed incidents; they are "
        "conservative by construction (coverage >= 95%, more for small means)."
    ),
    "after-school window per-day rate ratio": (
        "its reference count (school-age incidents starting 15:00-17:00 on the ~70 non-school "
        "weekdays) expects only a few events a year: the exact conditional (Clopper-Pearson) "
        "interval is conservative for such small counts, and the ratio's mean is pulled up by "
        "seeds with 0-2 reference events (compare the median)."
    ),
    "RII (most / least deprived)": (
        "as the SII; also the RII is a ratio, so its expected value is only approximately the "
        "RII of the expected rates."
    ),
}
for _metric in ("kcwi_1_24", "kcwi_1_17"):
    EXPLANATIONS[f"{_metric} annual % change, area"] = (
        "the counts are Poisson, but the model is picked by the Pearson dispersion of five "
        "yearly points (3 residual df): at or below 1 the Poisson interval is kept, above 1 "
        "(about 40% of Poisson series, P(chi2_3 > 3)) the NB2 or quasi-Poisson interval is "
        "wider. The Poisson interval is right for these counts, and the wider one is used in "
        "about 40% of seeds, so the procedure is conservative."
    )
    EXPLANATIONS[f"{_metric} annual % change, pooled neighbours"] = EXPLANATIONS[
        f"{_metric} annual % change, area"
    ]
    EXPLANATIONS[f"{_metric} annual % change, each neighbour's own series"] = EXPLANATIONS[
        f"{_metric} annual % change, area"
    ]
    EXPLANATIONS[f"{_metric} ratio of growth (area x time interaction)"] = (
        "a panel of the area and 10 neighbours over five years (43 residual df), with the same "
        "Poisson / NB2 / quasi-Poisson choice by Pearson dispersion (wider than Poisson when "
        "the dispersion is above 1)."
    )


def wilson(x: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of a coverage figure (pipeline.stats.proportion_ci)."""
    from pipeline.stats import proportion_ci

    ci = proportion_ci(x, n, 0.95).iloc[0]
    return float(ci["lower"]), float(ci["upper"])


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """Coverage per estimand, in the order estimands were first met."""
    valid = records.dropna(subset=["lower", "upper"])
    covered = (valid["lower"] <= valid["truth"]) & (valid["truth"] <= valid["upper"])
    valid = valid.assign(
        covered=covered,
        below=valid["truth"] < valid["lower"],
        above=valid["truth"] > valid["upper"],
    )
    order = list(dict.fromkeys(records["estimand"]))
    rows = []
    for name in order:
        part = valid.loc[valid["estimand"] == name]
        n, x = len(part), int(part["covered"].sum())
        lo, hi = wilson(x, n) if n else (math.nan, math.nan)
        rows.append(
            {
                "estimand": name,
                "intervals": n,
                "not_computed": int((records["estimand"] == name).sum()) - n,
                "covered": x,
                "truth_below": int(part["below"].sum()),
                "truth_above": int(part["above"].sum()),
                "coverage": x / n if n else math.nan,
                "coverage_lower": lo,
                "coverage_upper": hi,
                "mean_estimate": float(part["value"].mean()),
                "median_estimate": float(part["value"].median()),
                "mean_truth": float(part["truth"].mean()),
                "truth_varies": bool(
                    part["truth"].max() - part["truth"].min()
                    > 1e-9 * max(1.0, abs(part["truth"].mean()))
                ),
            }  # fmt: skip
        )
    return pd.DataFrame(rows)


def number(value: float) -> str:
    """Compact fixed-precision text for the table."""
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def report(
    summary: pd.DataFrame,
    results: list[SeedResult],
    seeds: list[int],
    jobs: int,
    elapsed: float,
) -> list[str]:
    """The printed figures, as Markdown lines."""
    ok = [r for r in results if not r.error]
    failed = [r for r in results if r.error]
    per_seed = np.array([r.seconds for r in ok]) if ok else np.array([math.nan])
    lines = [
        f"Seeds {seeds[0]}-{seeds[-1]} ({len(seeds)} seeds, {len(ok)} completed, "
        f"{len(failed)} failed), preset waltham-forest, {jobs} processes: "
        f"{elapsed:.0f} s in all, {np.median(per_seed):.1f} s per seed (median; max "
        f"{per_seed.max():.1f} s).",
        "",
        "| estimand | intervals | covered | truth below / above | coverage % | "
        "95% CI of coverage | mean estimate | median estimate | truth | flag |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _, row in summary.iterrows():
        cov = row["coverage"]
        flag = ""
        if math.isfinite(cov) and not TARGET[0] <= cov <= TARGET[1]:
            significant = not row["coverage_lower"] <= 0.95 <= row["coverage_upper"]
            flag = "outside 93-97%" + (" (CI excludes 95%)" if significant else "")
        truth = number(row["mean_truth"]) + (" (mean)" if row["truth_varies"] else "")
        skipped = f" ({row['not_computed']} not computed)" if row["not_computed"] else ""
        lines.append(
            f"| {row['estimand']} | {row['intervals']}{skipped} | {row['covered']} | "
            f"{row['truth_below']} / {row['truth_above']} | {100 * cov:.1f} | "
            f"{100 * row['coverage_lower']:.1f}-{100 * row['coverage_upper']:.1f} | "
            f"{number(row['mean_estimate'])} | {number(row['median_estimate'])} | {truth} | "
            f"{flag} |"
        )
    lines += [
        "",
        "'truth below / above': misses where the truth lies below the interval's lower limit "
        "/ above its upper limit. '(mean)': the truth depends on the seed's synthetic "
        "populations or geography; the mean over seeds is shown. Rows named 'each ...' or "
        "'all 5 years' pool several intervals per seed.",
    ]
    flagged = summary.loc[~summary["coverage"].between(*TARGET)]
    if len(flagged):
        lines += ["", "Outside 93-97%:"]
        for _, row in flagged.iterrows():
            chance = row["coverage_lower"] <= 0.95 <= row["coverage_upper"]
            why = [
                f"within chance for {row['intervals']} intervals (the coverage's 95% CI, "
                f"{100 * row['coverage_lower']:.1f}-{100 * row['coverage_upper']:.1f}%, "
                "includes 95%)."
                if chance
                else "beyond chance (the coverage's 95% CI excludes 95%)."
            ]
            if row["estimand"] in EXPLANATIONS:
                why.append(("Known reason: " if not chance else "Also: ")
                           + EXPLANATIONS[row["estimand"]])  # fmt: skip
            lines.append(f"- {row['estimand']} ({100 * row['coverage']:.1f}%): {' '.join(why)}")
    if ok and ok[0].hotspots:
        from bench.hotspot_scoring import hotspot_lines

        lines += ["", *hotspot_lines([r.hotspots for r in ok])]
    if failed:
        lines += ["", "Failed seeds:"]
        for r in failed:
            last = r.error.strip().splitlines()[-1]
            lines.append(f"- seed {r.seed}: {last}")
    return lines


def machine_line() -> str:
    """The machine the figures come from (bench/run_benchmarks.py's description)."""
    from bench.run_benchmarks import machine

    return machine()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=100, help="how many seeds (default 100)")
    parser.add_argument("--first-seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--record", action="store_true", help="append the figures to bench/coverage-results.md"
    )
    parser.add_argument(
        "--save-intervals",
        type=Path,
        help="also write every interval (seed, estimand, value, limits, truth) to this CSV",
    )
    args = parser.parse_args()
    os.chdir(REPO)  # validation messages name files relative to the repository
    config = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    start = time.perf_counter()
    results: list[SeedResult] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        futures = [pool.submit(run_seed, seed, config) for seed in seeds]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            status = "FAILED" if result.error else f"{result.seconds:.1f} s"
            print(f"[{done}/{len(seeds)}] seed {result.seed}: {status}", file=sys.stderr,
                  flush=True)  # fmt: skip
    elapsed = time.perf_counter() - start
    results.sort(key=lambda r: r.seed)
    records = pd.DataFrame([rec for r in results for rec in r.records])
    summary = summarise(records) if len(records) else pd.DataFrame(columns=["coverage"])
    if args.save_intervals is not None:
        records.to_csv(args.save_intervals, index=False, lineterminator="\n")
    lines = [f"machine: {machine_line()}", "", *report(summary, results, seeds, args.jobs, elapsed)]
    print("\n".join(lines))
    if args.record:
        with open(RESULTS_FILE, "a", encoding="utf-8") as handle:
            heading = f"## {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}), {args.jobs} processes"
            handle.write(f"\n{heading}\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
