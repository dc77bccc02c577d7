"""`make verify` after a one-byte change to an extract names the input and the measures it moved.

In a module of its own (with its own demo run) so that the test runners can run it beside the
other end-to-end tests: each verify re-runs the whole edition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow_runs import demo_run_copy, key_metric_victim_line, run_verify

pytestmark = pytest.mark.slow
EDITION = "2024-25"
AREA = "waltham-forest"


@pytest.fixture(scope="module")
def demo_run(repo, tmp_path_factory) -> Path:
    return demo_run_copy(repo, tmp_path_factory)


def test_verify_names_a_changed_input_and_the_measures_it_moved(demo_run):
    victims = demo_run / "data/raw/demo" / AREA / "victims.csv"
    original = victims.read_bytes()
    index, line = key_metric_victim_line(victims)
    lines = original.decode("utf-8").split("\n")
    lines[index] = line.replace(",17,", ",19,", 1)  # one byte: an under-18 victim becomes 19
    victims.write_text("\n".join(lines), encoding="utf-8")
    try:
        result = run_verify(demo_run)
        assert result.returncode == 1
        out = result.stdout
        assert f"INPUT CHANGED: data/raw/demo/{AREA}/victims.csv" in out
        assert (
            f"Measure table data/processed/measures/{AREA}/{EDITION}/key_metric.csv changed:" in out
        )
        assert "kcwi_1_17_rate" in out and "numerator" in out
    finally:
        victims.write_bytes(original)
