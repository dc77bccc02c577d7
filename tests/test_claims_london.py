"""The claims test on the London-wide demo (issue 14): every claim of a sample of London
areas' findings is checked against its evidence, as tests/test_claims.py does for the
single-area demo. The sample is the two areas where a walk of all 33 found an unlicensed
sentence: City of London (the smallest, where most tests have too few incidents) and
Hillingdon; ``bench/london_claims.py`` walks all 33 areas (about 2.5 min)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.layout import Layout
from pipeline.render.preview import REPO, compute_measures, preview_config
from pipeline.settings import Settings
from tests.test_claims import claim_problems, edition_findings

LONDON = yaml.safe_load((REPO / "config" / "london-demo.yaml").read_text(encoding="utf-8"))
#: City of London (smallest; "too few" sentences) and Hillingdon (the near-school sentence).
SAMPLE = ("city-of-london", "hillingdon")


def london_raw(folder: Path) -> Path:
    """The London-wide demo's inputs, generated as its workflow rule generates them."""
    from pipeline.demo import generate, write

    generator = LONDON["demo_generator"]
    raw = folder / "raw"
    write(generate(generator["seed"], generator["preset"]), raw)
    return raw


def london_area_problems(raw: Path, slug: str, out: Path) -> tuple[int, list[str]]:
    """Compute one London area's measures and findings; its claims and their problems."""
    config = preview_config(raw, LONDON, slug)
    measures = compute_measures(config, Layout(Settings.of(config).dataset, processed=str(out)))
    findings = edition_findings(measures)
    return len(findings), claim_problems(findings)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return london_raw(tmp_path_factory.mktemp("london"))


def test_every_claim_of_the_london_sample_agrees_with_its_evidence(raw, tmp_path):
    # One test (one worker) for the whole sample: the inputs are generated once.
    wrong = []
    for slug in SAMPLE:
        count, problems = london_area_problems(raw, slug, tmp_path / slug)
        assert count >= 10, slug  # the walk is not empty
        wrong += [f"{slug}: {p}" for p in problems]
    assert not wrong, "\n".join(wrong)
