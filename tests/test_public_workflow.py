"""End to end from public data: `snakemake --configfile config/public.yaml` in a temporary copy
of the repository, with the real files of ../shared/realdata linked beside it (never copied
into the repository). Stage 0 builds the inputs from them; the run publishes both reports, and
its tables must agree with totals worked out here from the MPS files with the csv module.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.audit.verify import copy_tree, run_workflow
from tests.test_public_build import (
    OUTSIDE_LONDON,
    PROXY_ROWS,
    financial_year_total,
    mps_monthly_totals,
)

pytestmark = pytest.mark.slow
SLUG, EDITION = "waltham-forest-public", "2024-25"


MEASURE_FAMILIES = ("key_metric", "trend", "disproportionality", "hotspots", "wards", "timing",
                    "deprivation", "stop_search", "monitoring")  # fmt: skip


def snakemake(copy: Path, *targets: str):
    """Run the public configuration in ``copy`` (to ``targets``, or everything)."""
    # --configfile takes several paths: a flag after it ends the list before the targets.
    return run_workflow(
        copy, extra_args=("--configfile", "config/public.yaml", "--nolock", *targets)
    )


@pytest.fixture(scope="module")
def public_run(realdata, repo, tmp_path_factory) -> Path:
    """The workflow to every measure table (stage 0 builds the inputs) in a copy."""
    base = tmp_path_factory.mktemp("public-run")
    (base / "shared").symlink_to(realdata.parent, target_is_directory=True)
    copy = copy_tree(repo, base / "repo")
    targets = [f"data/processed/measures/{SLUG}/{EDITION}/{f}.csv" for f in MEASURE_FAMILIES]
    result = snakemake(copy, *targets)
    assert result.returncode == 0, result.stderr[-6000:]
    return copy


def test_both_reports_are_published(public_run):
    result = snakemake(public_run)
    assert result.returncode == 0, result.stderr[-6000:]
    edition = public_run / "reports" / SLUG / EDITION
    internal = public_run / "reports" / "internal" / SLUG / EDITION
    for name in ("resident.html", "resident.pdf", "index.html", "MANIFEST.json"):
        assert (edition / name).is_file(), name
    for name in ("technical-internal.html", "technical-internal.pdf", "index-internal.html",
                 "MANIFEST-internal.json"):  # fmt: skip
        assert (internal / name).is_file(), name
    resident = (edition / "resident.html").read_text(encoding="utf-8")
    assert "a public proxy for knife crime with injury among under-25s" in resident
    assert "We cannot say from public data who the victims are" in resident
    # In place of the who and when charts: why there is none.
    assert "against the people who live here is not available from public data" in resident
    assert "day of the week and time of day is not available from public data" in resident
    technical = (internal / "technical-internal.html").read_text(encoding="utf-8")
    assert "not available from public data: needs record-level victim data" in technical
    assert "No chart: these measures are not available from public data" in technical
    assert "missing: Birmingham (E08000025)" in technical
    # The data-sources section names every official file the inputs were built from, with
    # its sha256 (hashlib here), beside the contract files; so does the provenance record.
    import hashlib

    for source in ("mps-ward-crime/EXTRACT_MPS_Ward_Level_Crime_Historical_waltham-forest.csv",
                   "london-lsoa/london-mid2019-pop.csv",
                   "police-uk-stop-search/2022-09-metropolitan-stop-and-search.csv"):  # fmt: skip
        digest = hashlib.sha256((public_run / "../shared/realdata" / source).read_bytes())
        assert source in technical and digest.hexdigest() in technical, source
    assert "data/raw/public/waltham-forest-public/ward_crime.csv" in technical
    # The trend chart counts the proxy's offences in the table's own unit, never "victims
    # aged 0 to 120".
    for html in (resident, technical):
        assert "offences per 100,000 residents of all ages" in html
        assert "aged 0 to 120" not in html


def test_the_built_inputs_are_never_tracked_by_git(public_run):
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "data/raw"],
        cwd=public_run, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "data/raw/public" not in status.stdout


def table(run: Path, family: str) -> pd.DataFrame:
    return pd.read_csv(run / f"data/processed/measures/{SLUG}/{EDITION}/{family}.csv")


@pytest.mark.parametrize("measure", sorted(PROXY_ROWS))
def test_key_metric_counts_agree_with_the_mps_files(measure, public_run, realdata):
    expected = mps_monthly_totals(realdata, measure)["Waltham Forest"]
    key = table(public_run, "key_metric")
    area = key.loc[(key["measure_id"] == f"{measure}_rate") & (key["group"] == "Area")]
    for year in range(2021, 2025):
        label = f"{year}-{(year + 1) % 100:02d}"
        row = area.loc[area["period"] == label].iloc[0]
        assert int(row["numerator"]) == financial_year_total(expected, year), label


def test_missing_neighbours_are_kept_counted_and_named(public_run):
    kept = pd.read_csv(
        public_run / f"data/processed/validation/public/{SLUG}/cross-inputs.kept.csv"
    )
    detail = kept.set_index("input").loc["neighbours", "detail"]
    for code, name in OUTSIDE_LONDON.items():
        assert f"{code} ({name}, statistical neighbour)" in detail
    key = table(public_run, "key_metric")
    pooled = key.loc[(key["group"] == "Statistical neighbours (pooled)")]
    assert pooled["note"].str.contains("missing: Luton (E06000032)", regex=False).all()


def test_victim_measures_say_not_available(public_run):
    for family in ("disproportionality", "timing"):
        rows = table(public_run, family)
        assert set(rows["measure_id"]) == {f"{family}_not_available"}
        assert rows["note"].str.startswith("not available from public data").all()
    monitoring = table(public_run, "monitoring")
    assert "actions_not_supplied" in set(monitoring["measure_id"])


def test_an_official_file_replaced_by_an_older_one_rebuilds_the_inputs(public_run, realdata):
    """Content, not timestamps: an official file whose bytes change while its modification
    time goes back (a re-download unpacked with its archive's dates) rebuilds the inputs."""
    import os
    import re
    import shutil

    link = public_run.parent / "shared"
    copied = public_run.parent / "shared-copy"
    shutil.copytree(realdata, copied / "realdata")  # copy2: modification times kept
    link.unlink()
    link.symlink_to(copied, target_is_directory=True)
    try:
        unchanged = snakemake(public_run, "-n", "--quiet", "rules")
        assert unchanged.returncode == 0, unchanged.stderr[-3000:]
        assert "build_public_inputs" not in unchanged.stdout
        borough = copied / "realdata/mps-borough-crime/MPS Borough Level Crime (Historical).csv"
        stamp = borough.stat()
        data = borough.read_bytes()
        borough.write_bytes(data.replace(b",0,", b",1,", 1))
        os.utime(borough, ns=(stamp.st_atime_ns, stamp.st_mtime_ns - 10**12))
        changed = snakemake(public_run, "-n", "--quiet", "rules")
        assert changed.returncode == 0, changed.stderr[-3000:]
        planned = set(re.findall(r"^(\w+)\s+\d+$", changed.stdout, flags=re.MULTILINE))
        assert {"build_public_inputs", "validate_shared_inputs", "compute_measures"} <= planned
    finally:
        link.unlink()
        link.symlink_to(realdata.parent, target_is_directory=True)
        shutil.rmtree(copied)
