"""The workflow's step functions (pipeline.steps) on the committed demo inputs: one validation
step per folder reports every broken input of that folder in one run, not just the first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.runtime import UserFacingError
from pipeline.settings import Settings
from pipeline.steps import validate_area_step, validate_shared_step
from pipeline.validate.errors import ValidationStop
from pipeline.validate.kinds import area_kinds, raw_filename, shared_kinds

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
AREA = "waltham-forest"


@pytest.fixture()
def settings() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def _layout(tmp: Path, folder: str, kinds: tuple[str, ...]) -> dict[str, dict[str, str]]:
    raw = tmp / "raw" / folder
    return {
        "raw": {kind: str(raw / raw_filename(kind)) for kind in kinds},
        "validated": {kind: str(tmp / "validated" / folder / f"{kind}.parquet") for kind in kinds},
        "reconciliation": {
            kind: str(tmp / "validation" / folder / f"{kind}.reconciliation.csv") for kind in kinds
        },
    }


def _break_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` once in 1-based line ``line`` of a CSV file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_every_broken_area_input_is_named_in_one_run(tmp_path, settings):
    shutil.copytree(DEMO / "shared", tmp_path / "raw" / "shared")
    shutil.copytree(DEMO / AREA, tmp_path / "raw" / AREA)
    _break_line(tmp_path / "raw" / AREA / "schools.csv", 3, ",Secondary,", ",Sixth form college,")
    _break_line(tmp_path / "raw" / AREA / "victims.csv", 2, ",21,", ",430,")
    shared = _layout(tmp_path, "shared", shared_kinds(Settings.of(settings)))
    validate_shared_step(
        shared["raw"],
        validated=shared["validated"],
        reconciliation=shared["reconciliation"],
        read=str(tmp_path / "validation" / "shared" / "inputs-read.json"),
        settings=settings,
    )
    own = _layout(tmp_path, AREA, area_kinds(Settings.of(settings)))
    with pytest.raises(UserFacingError) as stop:
        validate_area_step(
            own["raw"],
            shared["validated"],
            validated=own["validated"],
            reconciliation=own["reconciliation"],
            kept=str(tmp_path / "validation" / AREA / "cross-inputs.reconciliation.csv"),
            read=str(tmp_path / "validation" / AREA / "inputs-read.json"),
            settings=settings,
            area_code="E09000031",
        )
    message = str(stop.value)
    assert message.startswith("2 inputs break stop rules.")
    assert "victims.csv: column 'victim_age'" in message and "line 2 (values not shown" in message
    assert "'430'" not in message  # the victim extract is personal data: lines, not values
    assert "schools.csv: column 'phase'" in message and "'Sixth form college'" in message
    # Each broken input has its failures list beside its reconciliation; the inputs between
    # and after them were still validated.
    folder = tmp_path / "validation" / AREA
    assert (folder / "victims.failures.csv").is_file()
    assert (folder / "schools.failures.csv").is_file()
    assert Path(own["validated"]["school_calendar"]).is_file()
    assert Path(own["validated"]["boundaries"]).is_file()


def test_one_broken_shared_input_stops_with_its_own_message(tmp_path, settings):
    shutil.copytree(DEMO / "shared", tmp_path / "raw" / "shared")
    _break_line(tmp_path / "raw" / "shared" / "neighbours.csv", 2, ",1,", ",one,")
    shared = _layout(tmp_path, "shared", shared_kinds(Settings.of(settings)))
    with pytest.raises(ValidationStop) as stop:
        validate_shared_step(
            shared["raw"],
            validated=shared["validated"],
            reconciliation=shared["reconciliation"],
            read=str(tmp_path / "validation" / "shared" / "inputs-read.json"),
            settings=settings,
        )
    assert "neighbours.csv: column 'rank'" in str(stop.value)
    assert "line 2" in str(stop.value) and "'one'" in str(stop.value)


def test_the_render_step_checks_the_narrative_it_reads(tmp_path, settings):
    """The narrative is checked at parse time and again here: edited mid-run to a list, it
    stops the step with the file named, before anything is rendered."""
    from pipeline.config_checks import ConfigError
    from pipeline.steps import render_html_step

    narrative = tmp_path / "narrative.yaml"
    narrative.write_text("- not\n- a mapping\n", encoding="utf-8")
    html = tmp_path / "resident.html"
    with pytest.raises(ConfigError, match="narrative.yaml: a narrative must be a mapping of keys"):
        render_html_step(
            variant="resident", tables={}, findings={}, chart_dir=str(tmp_path),
            narrative=str(narrative), provenance=str(tmp_path / "p.json"), reconciliation=[],
            template_dir=str(REPO / "templates"), html=str(html), settings=settings,
            area=settings["areas"][0],
        )  # fmt: skip
    assert not html.exists()
