"""`snakemake` stops clearly: configuration, narrative and missing-input mistakes before any
job runs (parse time), and a job's stop repeated as the run's last lines. Each run is a real
`snakemake` in one temporary copy of the repository holding a stand-in published edition;
every stop leaves it byte-identical, prints no traceback and ends with the same last line.

Parse-time runs take about 3 s each here; the one job stop (a broken shared input) about 15 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from pipeline.audit.verify import copy_tree, run_workflow
from pipeline.runtime import UNTOUCHED
from tests.workflow_runs import file_hashes

AREA, EDITION = "waltham-forest", "2024-25"
PUBLISHED = Path("reports") / AREA / EDITION


@pytest.fixture(scope="module")
def copy(repo, tmp_path_factory) -> Path:
    """The repository, with a stand-in for last year's published edition."""
    target = copy_tree(repo, tmp_path_factory.mktemp("stops") / "repo")
    (target / PUBLISHED / "data").mkdir(parents=True)
    for name in ("resident.html", "technical.pdf", "MANIFEST.json", "data/key_metric.csv"):
        (target / PUBLISHED / name).write_text(f"published {name}\n", encoding="utf-8")
    return target


def run(copy: Path, configfile: dict | str | None = None) -> subprocess.CompletedProcess[str]:
    """`snakemake` in the copy (a dict is written as a --configfile extending the default)."""
    if isinstance(configfile, dict):
        (copy / "mine.yaml").write_text(yaml.safe_dump(configfile), encoding="utf-8")
        configfile = "mine.yaml"
    return run_workflow(copy, cores=2, configfile=configfile)


@contextmanager
def edition_untouched(copy: Path) -> Iterator[None]:
    before = file_hashes(copy, ("reports",))
    yield
    assert file_hashes(copy, ("reports",)) == before


@contextmanager
def moved_away(*paths: Path) -> Iterator[None]:
    for path in paths:
        path.rename(path.with_name(path.name + ".away"))
    try:
        yield
    finally:
        for path in paths:
            path.with_name(path.name + ".away").rename(path)


def stop_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The stop's lines (stderr), after checking what every stop shares."""
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1] == UNTOUCHED, result.stderr[-3000:]
    return lines


def parse_time_stop(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The problems a parse-time stop lists (nothing ran: no job was started)."""
    lines = stop_lines(result)
    assert "Building DAG of jobs" not in result.stdout + result.stderr
    start = next(i for i, line in enumerate(lines) if line.startswith("Stopped before running"))
    assert lines[start] == f"Stopped before running anything ({len(lines) - start - 2} problem" + (
        "s):" if len(lines) - start - 2 > 1 else "):"
    )
    return [line.strip() for line in lines[start + 1 : -1]]


def test_missing_extracts_stop_before_anything_runs(copy):
    raw = copy / "data/raw/demo"
    with edition_untouched(copy), moved_away(raw / AREA / "victims.csv", raw / "shared/areas.csv"):
        problems = parse_time_stop(run(copy))
    assert problems == [
        "data/raw/demo/shared/areas.csv: missing: the 'areas' input of the shared inputs "
        "(shared_inputs in config/config.yaml)",
        f"data/raw/demo/{AREA}/victims.csv: missing: the 'victims' input of area '{AREA}' "
        "(areas[0].inputs in config/config.yaml)",
    ]


def test_configuration_mistakes_are_listed_together(copy, config):
    """A missing folder and narrative, an impossible date and an edition that is not the
    window's: one run names all four, and no 2023-24 folder is made."""
    area = {**config["areas"][0], "inputs": "data/raw/nowhere", "narrative": "config/n/x.yaml"}
    mine = {"edition": "2023-24", "publication_date": "2025-13-45", "areas": [area]}
    with edition_untouched(copy):
        problems = parse_time_stop(run(copy, mine))
    assert problems == [
        "mine.yaml: publication_date: '2025-13-45' is not a real date (month must be in 1..12)",
        "mine.yaml: edition: '2023-24' does not match the window, whose last financial year "
        "2024 is '2024-25'; set edition: \"2024-25\" (it names the folder "
        "reports/<area>/<edition>/)",
        f"config/n/x.yaml: missing: the narrative of {AREA} (areas[].narrative in mine.yaml)",
        f"data/raw/nowhere/: the input folder of area '{AREA}' does not exist (areas[0].inputs "
        "in mine.yaml)",
    ]
    assert not (copy / "reports" / AREA / "2023-24").exists()


@pytest.mark.parametrize(
    ("mine", "problem"),
    [
        ({"edition": "2024-25\n"}, "mine.yaml: edition: '2024-25\\n' does not match "),
        (
            {"window": {"first_financial_year": 2024, "last_financial_year": 2020}},
            "mine.yaml: window: first_financial_year (2024) is after last_financial_year (2020)",
        ),
    ],
    ids=["edition-with-newline", "reversed-window"],
)
def test_edition_and_window_mistakes_stop(copy, mine, problem):
    with edition_untouched(copy):
        (line, *others) = parse_time_stop(run(copy, mine))
    assert line.startswith(problem)
    assert all("edition" in other for other in others)  # reversed: 2024-25 is not 2020-21


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- just\n- a list\n", "a narrative must be a mapping of keys, found a list"),
        ("council_name: x\ndomains: [\n", "line 3, column 1: expected the node content"),
    ],
    ids=["not-a-mapping", "broken-yaml"],
)
def test_narrative_mistakes_stop_naming_the_file(copy, config, text, problem):
    (copy / "config/narrative/mine.yaml").write_text(text, encoding="utf-8")
    area = {**config["areas"][0], "narrative": "config/narrative/mine.yaml"}
    with edition_untouched(copy):
        (line,) = parse_time_stop(run(copy, {"areas": [area]}))
    assert line.startswith(f"config/narrative/mine.yaml{':' if 'mapping' in problem else ','} ")
    assert problem in line


def test_a_broken_default_configuration_names_its_line(copy):
    default = copy / "config/config.yaml"
    original = default.read_bytes()
    default.write_bytes(original.replace(b'edition: "2024-25"', b'edition: "2024-25', 1))
    try:
        with edition_untouched(copy):
            (line,) = parse_time_stop(run(copy))
    finally:
        default.write_bytes(original)
    # The unclosed quote on line 11 runs on to the next quote, on line 20.
    assert line == (
        "config/config.yaml, line 20, column 14: expected <block end>, but found '<scalar>' "
        "(while parsing a block mapping on line 11)"
    )


def test_what_snakemake_prints_for_a_broken_configfile(copy):
    """Snakemake reads --configfile before the Snakefile: for broken YAML it names neither file
    nor line, for a missing file or an impossible unquoted date it prints a traceback. The
    README says so and points to python -m pipeline.config_checks, which names the file (and
    the line) of each."""
    (copy / "broken.yaml").write_text("edition: [2024-25\n", encoding="utf-8")
    result = run_workflow(copy, cores=2, configfile="broken.yaml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "WorkflowError:\nConfig file is not valid JSON or YAML." in result.stderr
    assert "broken.yaml" not in result.stderr
    result = run_workflow(copy, cores=2, configfile="absent.yaml")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "FileNotFoundError" in result.stderr
    (copy / "date.yaml").write_text("publication_date: 2025-13-45\n", encoding="utf-8")
    result = run_workflow(copy, cores=2, configfile="date.yaml")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ValueError: month must be in 1..12" in result.stderr
    for name, problem in [
        ("broken.yaml", ", line 2, column 1: expected ',' or ']', but got '<stream end>' (while "
         "parsing a flow sequence on line 1)"),
        ("absent.yaml", ": the file does not exist"),
        ("date.yaml", ", line 1, column 19: '2025-13-45' is not a real date (month must be in "
         "1..12)"),
    ]:  # fmt: skip
        check = subprocess.run(
            [sys.executable, "-m", "pipeline.config_checks", "--configfile", name],
            cwd=copy,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(copy)},
            check=False,
        )
        assert check.returncode == 1 and "Traceback" not in check.stderr
        assert check.stderr.splitlines()[1] == f"  {name}{problem}"


def test_a_job_that_stops_is_repeated_as_the_last_lines(copy):
    """A broken shared input stops validate_shared_inputs: under Snakemake's own error blocks
    the run ends with the job's reason, and the edition is untouched."""
    areas = copy / "data/raw/demo/shared/areas.csv"
    original = areas.read_bytes()
    lines = original.decode("utf-8").splitlines(keepends=True)
    areas.write_text("".join([*lines, lines[1]]), encoding="utf-8")  # a duplicate area
    stale = copy / "logs/stops/an_earlier_run.txt"  # onstart clears what earlier runs left
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("draw_charts: from an earlier run\n", encoding="utf-8")
    try:
        with edition_untouched(copy):
            result = run(copy)
    finally:
        areas.write_bytes(original)
    lines = stop_lines(result)
    assert "from an earlier run" not in result.stderr
    assert lines[-4] == "The run stopped (1 job):"
    assert lines[-3].startswith("  validate_shared_inputs: data/raw/demo/shared/areas.csv: ")
    assert lines[-2].startswith("Snakemake's log of this run: .snakemake/log/")
    (kept,) = (copy / "logs/stops").iterdir()
    assert kept.name == "validate_shared_inputs__demo.txt"
