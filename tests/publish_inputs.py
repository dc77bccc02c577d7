"""Tiny, hand-made inputs for the publish step (rendered reports, chart tables, measure
tables, provenance), so publishing can be tested at the step level in milliseconds."""

from __future__ import annotations

import copy
import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

from pipeline.editions import FORMATS, report_variants
from pipeline.runtime import write_json
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
AREA = "waltham-forest"
EDITION = "2024-25"


def settings(technical_in_public: bool = False) -> dict[str, Any]:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    config = copy.deepcopy(config)
    config["publish"] = {"technical_report_in_public_edition": technical_in_public}
    return config


def area_of(config: dict[str, Any]) -> dict[str, Any]:
    return dict(config["areas"][0])


def _filler(seed: str, size: int) -> bytes:
    """Deterministic bytes (a report stand-in): ``size`` bytes derived from ``seed``."""
    out = b""
    block = seed.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:size]


def make_inputs(
    folder: Path, version: str, config: dict[str, Any], report_size: int = 20_000
) -> dict[str, Any]:
    """Inputs of one publish under ``folder``; ``version`` changes every byte, so an old and a
    new edition differ in every file. Returns publish_editions' keyword arguments (minus root)."""
    rendered = folder / "render"
    rendered.mkdir(parents=True)
    reports = {}
    for variant in report_variants(Settings.of(config)):
        for fmt in FORMATS:
            path = rendered / variant.file_name(fmt)
            head = f"<!-- {variant.name} {version} -->".encode()
            path.write_bytes(head + _filler(f"{variant.name}.{fmt}.{version}", report_size))
            reports[variant.key(fmt)] = str(path)
    charts = folder / "charts"
    for variant in report_variants(Settings.of(config)):
        (charts / variant.name).mkdir(parents=True)
        (charts / variant.name / "wards.csv").write_text(
            f"Ward,Incidents,Rate per 1000\nParkside {version},131,28.4\nOakhurst,[c],[c]\n",
            encoding="utf-8",
        )
        (charts / variant.name / "trend.csv").write_text(
            f"Year,Victims,Change\n2023-24,214,-3.2\n2024-25,{version.count('x') + 300},+5\n",
            encoding="utf-8",
        )
    tables = {}
    for family in ("key_metric", "trend"):
        path = folder / "measures" / f"{family}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"measure_id,group,numerator\n{family}_rate,Area {version},7\n", encoding="utf-8"
        )
        tables[family] = str(path)
    provenance = folder / "provenance.json"
    write_json({"commit": f"test-{version}", "inputs": []}, provenance)
    return {
        "reports": reports,
        "tables": tables,
        "chart_dir": str(charts),
        "provenance": str(provenance),
        "template_dir": str(TEMPLATES),
        "settings": Settings.of(config),
        "area": Settings.of(config).areas[0],
    }


def tree_hashes(folder: Path) -> dict[str, str] | None:
    """sha256 of every file under ``folder`` (None if it does not exist)."""
    if not folder.is_dir():
        return None
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def hidden_entries(parent: Path) -> list[str]:
    """Names beside the edition folder that a publish left (staging, previous)."""
    return sorted(n for n in os.listdir(parent) if n.startswith(".")) if parent.is_dir() else []
