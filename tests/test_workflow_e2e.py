"""End to end: `snakemake` on the demo data, in a temporary copy of the repository, writes both
reports in both formats and the published edition, re-runs as a no-op, recovers every truth
planted by the demo generator, and gives byte-identical outputs from a second clean copy run
in another directory, time zone, locale and hash seed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from tests.workflow_runs import demo_run_copy, file_hashes, key_metric_victim_line, run_copy

pytestmark = pytest.mark.slow
EDITION = "2024-25"
AREA = "waltham-forest"


@pytest.fixture(scope="module")
def demo_run(repo, tmp_path_factory) -> Path:
    """One cold run of the demo workflow in a temporary copy of the repository."""
    return demo_run_copy(repo, tmp_path_factory)


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
    internal = demo_run / "reports" / "internal" / AREA / EDITION
    public_files = ("resident.html", "resident.pdf", "index.html", "MANIFEST.json")
    for name in (*public_files, f"{AREA}-{EDITION}-sna.zip"):
        assert (edition / name).is_file(), name
    internal_files = ("technical-internal.html", "technical-internal.pdf", "index-internal.html")
    for name in (*internal_files, "MANIFEST-internal.json", f"{AREA}-{EDITION}-internal.zip"):
        assert (internal / name).is_file(), name
    # The unsuppressed technical report is not in the public edition (the default).
    assert not list(edition.rglob("technical*")) and not (edition / "data/technical").exists()
    for pdf_path in (edition / "resident.pdf", internal / "technical-internal.pdf"):
        with pikepdf.open(pdf_path) as pdf:
            assert len(pdf.pages) >= 2
            assert "/StructTreeRoot" in pdf.Root  # tagged
        html = pdf_path.with_suffix(".html").read_text(encoding="utf-8")
        assert "synthetic demonstration data" in html.lower()
    manifest = json.loads((edition / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) >= {"resident.pdf", "index.html"}
    receipt = demo_run / "data/processed/publish" / AREA / f"{EDITION}.json"
    assert set(json.loads(receipt.read_text(encoding="utf-8"))["trees"]) == {
        f"reports/{AREA}/{EDITION}",
        f"reports/internal/{AREA}/{EDITION}",
    }


def test_second_run_has_nothing_to_do(demo_run):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "-n"],
        cwd=demo_run,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(demo_run)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_rows_are_reconciled_as_planted(demo_run, truths):
    table = pd.read_csv(
        demo_run / "data/processed/validation/demo" / AREA / "victims.reconciliation.csv"
    )
    counts = dict(zip(table["reason"], table["rows"], strict=True))
    mess = truths["mess"]
    assert counts["rows read"] == mess["rows"]
    assert counts["location outside the area"] == mess["outside_area_rows"]
    excluded = table.loc[table["category"] == "excluded", "rows"].sum()
    assert counts["rows used"] + excluded == counts["rows read"]


@pytest.mark.parametrize(
    "metric, truth_key", [("kcwi_1_24", "key_metric_growth"), ("kcwi_1_17", "under_18_growth")]
)
def test_growth_against_neighbours_is_recovered(demo_run, truths, metric, truth_key):
    truth = truths[truth_key]
    trend = measures(demo_run, "trend")
    area = one_row(trend, measure_id=f"{metric}_annual_change", group="Area")
    assert_covers(
        area, (truth["area_annual_multiplier_expected"] - 1) * 100, f"{metric} area growth"
    )
    # Every neighbour's rate grows by the same planted multiplier, so the random-effects
    # mean of their own slopes, and the ratio of growth, estimate the planted values.
    neighbours = one_row(
        trend,
        measure_id=f"{metric}_annual_change",
        group="Statistical neighbours (random-effects mean)",
    )
    assert_covers(neighbours, (truth["neighbours_annual_multiplier"] - 1) * 100, "neighbours")
    ratio = one_row(trend, measure_id=f"{metric}_growth_ratio")
    assert_covers(ratio, truth["ratio_of_growth"], f"{metric} ratio of growth")
    assert ratio["lower"] > 1  # with the placebo rank, "rising faster than similar boroughs"
    placebo = one_row(trend, measure_id=f"{metric}_placebo_rank")
    assert placebo["numerator"] == 1


def test_key_metric_rate_is_recovered(demo_run, truths):
    expected = truths["key_metric_growth"]["area_rate_per_100k_expected"][EDITION]
    row = one_row(
        measures(demo_run, "key_metric"), measure_id="kcwi_1_24_rate", period=EDITION, group="Area"
    )
    assert_covers(row, expected, "key-metric rate")


def test_black_boys_share_is_recovered(demo_run, truths):
    truth = truths["black_boys_under_18"]
    table = measures(demo_run, "disproportionality")
    share = one_row(table, measure_id="kcwi_1_24_victim_share", group="Black Male Under 18")
    assert_covers(
        share, truth["victim_share_known_ethnicity_expected"], "black boys' share of victims"
    )
    population = one_row(
        table, measure_id="kcwi_1_24_population_share", group="Black Male Under 18"
    )
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
    own = measures(demo_run, "hotspots").query("measure_id == 'sv_0_24_lsoa_exceedance'")
    hot = set(own.loc[own["hotspot_class"] == "Hot spot", "group"])
    planted = set(truths["hotspot_lsoas"])
    assert len(hot & planted) >= len(planted) // 2 + 1, (
        f"found {sorted(hot & planted)} of {sorted(planted)}"
    )
    assert len(hot - planted) <= 2, f"false hot spots: {sorted(hot - planted)}"


def test_a_clean_copy_run_through_a_cluster_executor_elsewhere_is_byte_identical(
    repo, demo_run, tmp_path_factory
):
    """Same commit and inputs, run in another directory, time zone, locale and hash seed, with
    every job submitted as a separate process through the cluster-generic executor plugin
    (profiles/local-cluster): every output is byte-identical to the local run's."""
    target = tmp_path_factory.mktemp("run-b-elsewhere") / "second-copy"
    run_copy(
        repo,
        target,
        env={"TZ": "Pacific/Auckland", "PYTHONHASHSEED": "4242", "LC_ALL": "C"},
        extra_args=("--profile", "profiles/local-cluster"),
    )
    submitted = list((target / "logs/cluster").glob("*.out"))
    # validate (shared, area), measures, charts and render go through the executor; the
    # local rules (raw checks, provenance, publish) run on the submitting machine.
    assert len(submitted) >= 5, "jobs were not submitted through the cluster executor"
    first, second = file_hashes(demo_run), file_hashes(target)
    assert sorted(first) == sorted(second)
    different = sorted(name for name in first if first[name] != second[name])
    assert different == [], f"outputs differ between the two runs: {different}"


# The tests below change the first run's copy in place and restore it; they run last.


def _snakemake(run: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=run,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(run)},
    )


def test_a_narrative_edit_plans_only_rendering_and_publishing(demo_run):
    """Runs before the tests that touch raw inputs: it needs the first run up to date."""
    narrative = demo_run / "config/narrative/waltham-forest.yaml"
    original, stamp = narrative.read_bytes(), narrative.stat()
    narrative.write_text(
        original.decode().replace("grow up safe", "grow up safe and well"), encoding="utf-8"
    )
    try:
        result = _snakemake(demo_run, "-n", "--quiet", "rules")
        assert result.returncode == 0, result.stderr[-3000:]
        planned = re.findall(r"^(\w+)\s+\d+$", result.stdout, flags=re.MULTILINE)
        # record_provenance (render stage) re-runs too when the edit is what makes the
        # checkout differ from its commit: the colophon then says "with uncommitted changes".
        rendering = {"render_reports", "publish_edition"}
        assert rendering <= set(planned) - {"all", "total"} <= rendering | {"record_provenance"}
    finally:
        narrative.write_bytes(original)
        os.utime(narrative, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


@pytest.mark.parametrize(
    ("edit", "stays"),
    [
        # A statistics setting: validation does not read it, so it is not planned again.
        (("statistics", "hotspot_permutations", 999), {"validate_area_inputs"}),
        # The publishing option: only the rules that draw and publish read it.
        (("publish", "technical_report_in_public_edition", True), {"compute_measures"}),
    ],
)  # fmt: skip
def test_a_setting_edit_plans_only_the_rules_that_read_it(demo_run, edit, stays):
    """Each rule is given only the configuration keys its stage reads (pipeline.settings)."""
    import yaml

    config = yaml.safe_load((demo_run / "config/config.yaml").read_text(encoding="utf-8"))
    section, key, value = edit
    config[section][key] = value
    edited = yaml.safe_dump(config, sort_keys=False)  # key order is part of a param's repr
    (demo_run / "edited.yaml").write_text(edited, encoding="utf-8")
    try:
        result = _snakemake(demo_run, "-n", "--quiet", "rules", "--configfile", "edited.yaml")
        assert result.returncode == 0, result.stderr[-3000:]
        planned = set(re.findall(r"^(\w+)\s+\d+$", result.stdout, flags=re.MULTILINE))
        assert planned, result.stdout  # something reads it
        assert not planned & stays, planned
    finally:
        (demo_run / "edited.yaml").unlink()


def test_the_publish_rule_declares_no_published_file_as_output(demo_run):
    """Snakemake deletes a rule's outputs before running it: the edition must not be one."""
    result = _snakemake(demo_run, "-n", "--forcerun", "publish_edition")
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = [
        line.split(":", 1)[1].strip()
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip().startswith("output:")
    ]
    assert outputs == [f"data/processed/publish/{AREA}/{EDITION}.json"], outputs


def test_a_deleted_edition_is_published_again_byte_identical(demo_run):
    """The published trees are not Snakemake outputs; deleting them (or changing a manifest)
    drops the receipt, so the next run publishes again, and only publishes."""
    published = file_hashes(demo_run, ("reports",))
    shutil.rmtree(demo_run / "reports" / AREA)
    shutil.rmtree(demo_run / "reports" / "internal")
    plan = _snakemake(demo_run, "-n", "--quiet", "rules")
    result = _snakemake(demo_run)  # before any assertion: the later tests need the edition
    assert plan.returncode == 0, plan.stderr[-3000:]
    assert f"reports/{AREA}/{EDITION} is missing: the edition will be published again" in (
        plan.stderr
    )
    planned = re.findall(r"^(\w+)\s+\d+$", plan.stdout, flags=re.MULTILINE)
    assert set(planned) - {"all", "total"} == {"publish_edition"}, plan.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert file_hashes(demo_run, ("reports",)) == published
    again = _snakemake(demo_run, "-n")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_a_bad_extract_stops_the_run_and_keeps_the_published_edition(demo_run):
    victims = demo_run / "data/raw/demo" / AREA / "victims.csv"
    original = victims.read_bytes()
    published = file_hashes(demo_run, ("reports",))
    index, line = key_metric_victim_line(victims)
    lines = original.decode("utf-8").split("\n")
    lines[index] = line.replace(",17,", ",430,", 1)
    victims.write_text("\n".join(lines), encoding="utf-8")
    try:
        result = _snakemake(demo_run)
        assert result.returncode != 0
        message = result.stderr
        assert "victims.csv" in message and "victim_age" in message
        assert f"line {index + 1}" in message or f"lines {index + 1}" in message, message[-3000:]
        # Personal data: the message cites the line, and the value is in the failures list.
        assert "'430'" not in message and "values not shown: personal data" in message
        assert file_hashes(demo_run, ("reports",)) == published
    finally:
        victims.write_bytes(original)


def test_a_raw_checksum_manifest_stops_the_run_naming_the_changed_file(demo_run):
    from pipeline.audit.raw_manifest import write_manifest

    raw = demo_run / "data/raw/demo"
    manifest = write_manifest(raw)
    deprivation = raw / "shared/deprivation.csv"
    original = deprivation.read_bytes()
    try:
        deprivation.write_bytes(original.replace(b"IoD2025", b"IoD2O25", 1))
        result = _snakemake(demo_run)
        assert result.returncode != 0
        assert "shared/deprivation.csv" in result.stderr
        assert "checksum manifest" in result.stderr
        assert "rule check_raw_inputs" in result.stdout + result.stderr
    finally:
        deprivation.write_bytes(original)
        manifest.unlink()


def test_a_copy_of_a_clean_checkout_reads_as_clean(repo, tmp_path):
    """The copies that verify and these tests run in keep the git state of the checkout."""
    from pipeline.audit.git_state import read_git_state
    from pipeline.audit.verify import copy_tree

    copy = copy_tree(repo, tmp_path / "copy")
    assert read_git_state(copy) == read_git_state(repo)


def test_an_extract_replaced_by_an_older_file_is_recomputed_and_named(demo_run):
    """Content, not timestamps, decides what re-runs: an extract replaced by one with fewer
    rows and an older modification time (``cp -p`` of an old file) is validated again, and the
    provenance names the bytes the figures were computed from. Last: it leaves the run's
    validated inputs from the shorter file."""
    from pipeline.audit.hashing import sha256_file

    victims = demo_run / "data/raw/demo" / AREA / "victims.csv"
    original, stamp = victims.read_bytes(), victims.stat()
    lines = original.decode("utf-8").rstrip("\n").split("\n")
    shorter = "\n".join(lines[:-150]) + "\n"
    victims.write_text(shorter, encoding="utf-8")
    old = stamp.st_mtime_ns - 10 * 365 * 86_400 * 10**9  # ten years older than the outputs
    os.utime(victims, ns=(old, old))
    try:
        result = _snakemake(demo_run, "-n", "--quiet", "rules")
        assert result.returncode == 0, result.stderr[-3000:]
        planned = set(re.findall(r"^(\w+)\s+\d+$", result.stdout, flags=re.MULTILINE))
        assert {"check_raw_inputs", "validate_area_inputs", "compute_measures"} <= planned
        provenance = f"data/processed/provenance/{AREA}/{EDITION}.json"
        result = _snakemake(demo_run, provenance)
        assert result.returncode == 0, result.stderr[-3000:]
        record = json.loads((demo_run / provenance).read_text(encoding="utf-8"))
        named = {item["path"]: item["sha256"] for item in record["inputs"]}
        assert named[f"data/raw/demo/{AREA}/victims.csv"] == sha256_file(victims)
        table = pd.read_csv(
            demo_run / "data/processed/validation/demo" / AREA / "victims.reconciliation.csv"
        )
        read = table.loc[table["reason"] == "rows read", "rows"].item()
        assert read == len(lines) - 150 - 1  # the new file's rows, less its header
    finally:
        victims.write_bytes(original)
        os.utime(victims, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
