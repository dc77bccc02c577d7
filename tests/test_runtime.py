"""How a rule script fails (pipeline.runtime.logged_step): one message, never a traceback, on
the console; the reason kept for the end-of-run summary the Snakefile's onerror prints."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.runtime import (
    UNTOUCHED,
    clear_stop_reasons,
    report_stop_reasons,
    stop_reason_path,
    stop_summary,
)

REPO = Path(__file__).resolve().parents[1]


def run_step(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` inside logged_step in a new Python process, as a rule script does."""
    script = "\n".join(
        [
            "from pipeline.runtime import logged_step, UserFacingError",
            'with logged_step("logs/compute_measures/area-a/2024-25.log", '
            '"compute_measures area-a"):',
            textwrap.indent(body, "    "),
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


def test_a_user_facing_stop_is_one_message_and_its_reason_is_kept(tmp_path):
    result = run_step(tmp_path, 'raise UserFacingError("victims.csv: line 4 is wrong")')
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip() == "compute_measures area-a: victims.csv: line 4 is wrong"
    kept = tmp_path / "logs/stops/compute_measures__area-a__2024-25.txt"
    assert kept.read_text(encoding="utf-8") == (
        "compute_measures area-a: victims.csv: line 4 is wrong\n"
    )


def test_an_internal_error_is_one_line_naming_the_log_that_holds_the_traceback(tmp_path):
    result = run_step(tmp_path, 'values = {}\nvalues["victim P0042"]')
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip() == (
        "compute_measures area-a: internal error (KeyError), not a problem with the inputs; "
        "the traceback is in logs/compute_measures/area-a/2024-25.log"
    )
    assert "P0042" not in result.stderr  # an error's text may quote data: only its type is shown
    log = (tmp_path / "logs/compute_measures/area-a/2024-25.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "KeyError" in log
    assert (tmp_path / "logs/stops/compute_measures__area-a__2024-25.txt").is_file()


def test_every_job_has_its_own_stop_reason_file():
    assert stop_reason_path("logs/validate_area_inputs/demo/barnet.log") == Path(
        "logs/stops/validate_area_inputs__demo__barnet.txt"
    )
    assert stop_reason_path("logs/draw_charts/barnet/2024-25.log") != stop_reason_path(
        "logs/draw_charts/bexley/2024-25.log"
    )
    assert stop_reason_path("/tmp/x/step.log") == Path("/tmp/x/stops/step.txt")


def test_the_summary_repeats_every_reason_then_says_the_edition_is_untouched(tmp_path):
    stops = tmp_path / "stops"
    stops.mkdir()
    (stops / "b.txt").write_text("validate_area_inputs barnet: two\n\nparagraphs\n")
    (stops / "a.txt").write_text("validate_shared_inputs: areas.csv: line 3\n")
    lines = stop_summary(".snakemake/log/run.log", stops).splitlines()
    assert lines == [
        "",
        "The run stopped (2 jobs):",
        "  validate_shared_inputs: areas.csv: line 3",
        "  validate_area_inputs barnet: two",
        "",
        "    paragraphs",
        "Snakemake's log of this run: .snakemake/log/run.log",
        UNTOUCHED,
    ]
    clear_stop_reasons(stops)
    assert list(stops.iterdir()) == []
    summary = stop_summary(["/elsewhere/run.log"], stops)
    assert "a job failed without a reason of its own" in summary
    assert summary.endswith(f"Snakemake's log of this run: /elsewhere/run.log\n{UNTOUCHED}")


def test_onerror_exits_so_that_the_summary_stays_last(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        report_stop_reasons(None, tmp_path)
    assert stop.value.code == 1
    assert capsys.readouterr().err.rstrip().endswith(UNTOUCHED)
