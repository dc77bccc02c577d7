"""End to end: `snakemake` on the demo data, in a temporary copy of the repository, writes both
reports in both formats and the published edition, re-runs as a no-op, recovers every truth
planted by the demo generator, and gives byte-identical outputs from a second clean copy run
in another directory, time zone, locale and hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from tests.workflow_runs import file_hashes, run_copy

pytestmark = pytest.mark.slow
EDITION = "2024-25"
AREA = "waltham-forest"


@pytest.fixture(scope="module")
def demo_run(repo, tmp_path_factory) -> Path:
    """One cold run of the demo workflow in a temporary copy of the repository."""
    target = tmp_path_factory.mktemp("run-a") / "repo"
    run_copy(repo, target, env={"TZ": "UTC", "PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8"})
    return target


@pytest.fixture(scope="module")
def truths(repo) -> dict:
    return json.loads((repo / "data/raw/demo/truths.json").read_text(encoding="utf-8"))


def measures(run: Path, family: str) -> pd.DataFrame:
    return pd.read_csv(run / f"data/processed/measures/{AREA}/{EDITION}/{family}.csv")


def one_row(table: pd.DataFrame, **where) -> pd.Series:
    rows = table
    for column, value in where.items():
        rows = rows.loc[rows[column] == value]
    assert len(rows) == 1, f"expected one row for {where}, found {len(rows)}"
    return rows.iloc[0]


def assert_covers(row: pd.Series, truth: float, what: str) -> None:
    assert row["lower"] <= truth <= row["upper"], (
        f"{what}: planted {truth} outside the 95% interval [{row['lower']}, {row['upper']}] "
        f"(estimate {row['value']})"
    )


def test_both_reports_in_both_formats_are_published(demo_run):
    edition = demo_run / "reports" / AREA / EDITION
    for name in ("resident.html", "resident.pdf", "technical.html", "technical.pdf",
                 "index.html", "MANIFEST.json", f"{AREA}-{EDITION}-sna.zip"):
        assert (edition / name).is_file(), name
    for report in ("resident", "technical"):
        with pikepdf.open(edition / f"{report}.pdf") as pdf:
            assert len(pdf.pages) >= 2
            assert "/StructTreeRoot" in pdf.Root  # tagged
        html = (edition / f"{report}.html").read_text(encoding="utf-8")
        assert "synthetic demonstration data" in html.lower()
    manifest = json.loads((edition / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) >= {"resident.pdf", "technical.pdf", "index.html"}


def test_second_run_has_nothing_to_do(demo_run):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "-n"],
        cwd=demo_run, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(demo_run)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_rows_are_reconciled_as_planted(demo_run, truths):
    table = pd.read_csv(demo_run / "data/processed/validation/demo" / AREA / "victims.reconciliation.csv")
    counts = dict(zip(table["reason"], table["rows"], strict=True))
    mess = truths["mess"]
    assert counts["rows read"] == mess["rows"]
    assert counts["location outside the area"] == mess["outside_area_rows"]
    excluded = table.loc[table["category"] == "excluded", "rows"].sum()
    assert counts["rows used"] + excluded == counts["rows read"]


@pytest.mark.parametrize("metric, truth_key", [("kcwi_1_24", "key_metric_growth"), ("kcwi_1_17", "under_18_growth")])
def test_growth_against_neighbours_is_recovered(demo_run, truths, metric, truth_key):
    truth = truths[truth_key]
    trend = measures(demo_run, "trend")
    area = one_row(trend, measure_id=f"{metric}_annual_change", group="Area")
    assert_covers(area, (truth["area_annual_multiplier_expected"] - 1) * 100, f"{metric} area growth")
    pooled = one_row(trend, measure_id=f"{metric}_annual_change", group="Statistical neighbours (pooled)")
    assert_covers(pooled, (truth["neighbours_pooled_annual_multiplier_expected"] - 1) * 100, "neighbours")
    ratio = one_row(trend, measure_id=f"{metric}_growth_ratio")
    assert_covers(ratio, truth["ratio_of_growth_pooled_expected"], f"{metric} ratio of growth")
    assert ratio["lower"] > 1  # so the report may say "rising faster than similar boroughs"


def test_key_metric_rate_is_recovered(demo_run, truths):
    expected = truths["key_metric_growth"]["area_rate_per_100k_expected"][EDITION]
    row = one_row(measures(demo_run, "key_metric"), measure_id="kcwi_1_24_rate", period=EDITION, group="Area")
    assert_covers(row, expected, "key-metric rate")


def test_black_boys_share_is_recovered(demo_run, truths):
    truth = truths["black_boys_under_18"]
    table = measures(demo_run, "disproportionality")
    share = one_row(table, measure_id="kcwi_1_24_victim_share", group="Black Male Under 18")
    assert_covers(share, truth["victim_share_known_ethnicity_expected"], "black boys' share of victims")
    population = one_row(table, measure_id="kcwi_1_24_population_share", group="Black Male Under 18")
    assert population["value"] == pytest.approx(truth["population_share_0_17"], abs=0.002)


def test_after_school_peak_is_recovered(demo_run, truths):
    truth = truths["after_school"]
    timing = measures(demo_run, "timing")
    after = one_row(timing, measure_id="sv_5_16_after_school_share", period=EDITION)
    assert_covers(after, truth["share_on_school_days_expected"], "after-school share")
    assert after["lower"] > truth["flat_day_share"]
    school = one_row(timing, measure_id="sv_5_16_school_day_share", period=EDITION)
    assert_covers(school, truth["school_day_share_expected"], "school-day share")
    ratio = one_row(timing, measure_id="sv_5_16_school_day_rate_ratio", period=EDITION)
    expected = truth["edition_year"]["per_day_rate_ratio_school_vs_non_school_expected"]
    assert_covers(ratio, expected, "school-day rate ratio")


def test_deprivation_gradient_is_recovered(demo_run, truths):
    truth = truths["deprivation"]
    table = measures(demo_run, "deprivation")
    gradient = one_row(table, measure_id="sv_0_24_decile_rate_ratio")
    assert_covers(gradient, truth["rate_ratio_per_decile_fit_expected"], "rate ratio per decile")
    share = one_row(table, measure_id="sv_0_24_most_deprived_20_share", period=EDITION)
    assert_covers(share, truth["expected_share_in_most_deprived_20_percent"], "most deprived 20%")


def test_hotspots_are_recovered(demo_run, truths):
    gi = measures(demo_run, "hotspots").query("measure_id == 'sv_0_24_gi_star'")
    hot = set(gi.loc[gi["hotspot_class"].str.startswith("Hot"), "group"])
    planted = set(truths["hotspot_lsoas"])
    assert len(hot & planted) >= len(planted) // 2 + 1, f"found {sorted(hot & planted)} of {sorted(planted)}"
    assert len(hot - planted) <= 2, f"false hot spots: {sorted(hot - planted)}"


def test_a_clean_copy_elsewhere_gives_byte_identical_outputs(repo, demo_run, tmp_path_factory):
    """Same commit and inputs, another directory, time zone, locale and hash seed."""
    target = tmp_path_factory.mktemp("run-b-elsewhere") / "second-copy"
    run_copy(repo, target, env={"TZ": "Pacific/Auckland", "PYTHONHASHSEED": "4242", "LC_ALL": "C"})
    first, second = file_hashes(demo_run), file_hashes(target)
    assert sorted(first) == sorted(second)
    different = sorted(name for name in first if first[name] != second[name])
    assert different == [], f"outputs differ between the two runs: {different}"
