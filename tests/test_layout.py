"""One path layout for the rules and the preview (pipeline/layout.py)."""

from __future__ import annotations

from pathlib import Path

from pipeline.layout import Layout

REPO = Path(__file__).resolve().parents[1]


def test_the_workflow_layout_is_under_data_processed():
    layout = Layout("demo")
    assert (
        layout.validated_file("shared", "lsoas")
        == "data/processed/validated/demo/shared/lsoas.parquet"
    )
    assert layout.reconciliation_file("area-a", "victims") == (
        "data/processed/validation/demo/area-a/victims.reconciliation.csv"
    )
    assert layout.measure_table("trend") == "data/processed/measures/{area}/{edition}/trend.csv"
    assert Layout.of(layout.receipt, "area-a", "2024-25") == (
        "data/processed/publish/area-a/2024-25.json"
    )


def test_a_preview_moves_the_whole_layout_to_its_folder(tmp_path):
    layout = Layout("demo", processed=str(tmp_path))
    assert Layout.of(layout.charts, "a", "2024-25") == f"{tmp_path}/charts/a/2024-25"


def test_the_rules_and_the_preview_take_their_paths_from_the_layout():
    common = (REPO / "rules/common.smk").read_text(encoding="utf-8")
    preview = (REPO / "pipeline/render/preview.py").read_text(encoding="utf-8")
    assert "Layout(" in common and "Layout(" in preview
    assert "data/processed" not in common
    for folder in ("validated", "validation", "measures", "charts", "render", "provenance"):
        assert f'/ "{folder}"' not in preview, folder
