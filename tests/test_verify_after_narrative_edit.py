"""`make verify` after a narrative edit names only the report files.

In a module of its own (with its own demo run) so that the test runners can run it beside the
other end-to-end tests: each verify re-runs the whole edition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow_runs import demo_run_copy, run_verify

pytestmark = pytest.mark.slow
EDITION = "2024-25"
AREA = "waltham-forest"


@pytest.fixture(scope="module")
def demo_run(repo, tmp_path_factory) -> Path:
    return demo_run_copy(repo, tmp_path_factory)


def test_verify_reports_only_the_report_files_after_a_narrative_edit(demo_run):
    narrative = demo_run / "config/narrative/waltham-forest.yaml"
    original = narrative.read_bytes()
    narrative.write_text(
        original.decode().replace("grow up safe", "grow up safe and well"), encoding="utf-8"
    )
    try:
        result = run_verify(demo_run)
        assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
        rows = [
            line.split()
            for line in result.stdout.splitlines()
            if line.endswith(("same", "different"))
        ]
        different = {row[0] for row in rows if row[-1] == "different"}
        assert different, result.stdout
        assert all(
            name.startswith(("resident.", "technical-internal.", "index.html", "index-internal."))
            or name.endswith(".zip")
            for name in different
        ), different
        assert "PUBLISHED FILE" not in result.stdout  # the published bytes were untouched
        assert not any(name.startswith("data/processed/measures") for name in different)
        assert "INPUT CHANGED" not in result.stdout
    finally:
        narrative.write_bytes(original)
