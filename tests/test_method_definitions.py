"""Method texts and indicator labels describe the definitions actually configured: a public
all-ages proxy is never described as "victims aged 1-24", and a council's own age range is
printed, not the demo's."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from pipeline.families.common import describe_definitions
from pipeline.families.monitoring import measures as monitoring
from pipeline.families.registry import FAMILIES
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEMO = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
PUBLIC = yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))
#: An age range written out in a text (1-24, 0-24, 1 to 24, aged 5-16, ...).
_AGE_RANGE = re.compile(
    r"\b(?:aged|residents|victims)\s+\d{1,2}\s*(?:-|to)\s*\d{1,2}\b|\b0-24\b|\b1-24\b"
)


def _methods(settings: Settings) -> dict[str, str]:
    # Whitespace is normalised: the texts are wrapped for the source, not for the reader.
    return {
        f.name: " ".join(describe_definitions(f.method, settings).split())
        for f in FAMILIES
        if f.method
    }


def test_no_method_text_writes_an_age_range_or_definition_id_of_its_own():
    for family in FAMILIES:
        text = family.method or ""
        assert not _AGE_RANGE.search(text), (family.name, _AGE_RANGE.search(text))
        assert "sv_0_24" not in text and "kcwi_1_24" not in text, family.name


def test_the_demo_methods_name_the_demo_ages():
    methods = _methods(Settings.of(DEMO))
    assert "victims aged 1 to 24 of a homicide" in methods["key_metric"]
    assert "the same with victims aged 1 to 17." in methods["key_metric"]
    assert "per 1,000 residents aged 0-24" in methods["hotspots"]
    assert "(serious violence against under-25s)" in methods["deprivation"]
    assert not any("{" in text for text in methods.values())


def test_public_methods_say_all_ages_and_name_the_proxy():
    methods = _methods(Settings.of(PUBLIC))
    for name in ("hotspots", "deprivation"):
        assert "per 1,000 residents of all ages" in methods[name], name
        assert "aged 0" not in methods[name]
    assert "victims of all ages of a homicide" in methods["key_metric"]
    assert "(possession of weapons (a public proxy for serious violence" in methods["timing"]


def test_a_councils_own_age_range_is_printed():
    config = copy.deepcopy(DEMO)
    config["definitions"]["key_metric"]["age_from"] = 0
    config["definitions"]["key_metric"]["age_to"] = 25
    methods = _methods(Settings.of(config))
    assert "victims aged 0 to 25 of a homicide" in methods["key_metric"]
    assert "per 1,000 residents aged 0-25, so" in methods["hotspots"]


def test_an_unknown_placeholder_is_an_error():
    with pytest.raises(ValueError, match=r"unknown placeholder \{key_metric\.colour\}"):
        describe_definitions("rate of {key_metric.colour}", Settings.of(DEMO))
    with pytest.raises(ValueError, match=r"unknown placeholder \{nothing\.ages\}"):
        describe_definitions("victims {nothing.ages}", Settings.of(DEMO))


def test_monitoring_labels_follow_the_definitions():
    demo = [monitoring.resolve_label(i.label, Settings.of(DEMO)) for i in monitoring.INDICATORS]
    public = [monitoring.resolve_label(i.label, Settings.of(PUBLIC)) for i in monitoring.INDICATORS]
    assert (
        "share of victims of knife crime with injury among under-25s who were victims more "
        "than once in the year"
    ) in demo
    rate = "rate of knife crime with injury among under-25s (per 100,000 residents aged 1-24)"
    assert rate in demo
    assert not any("knife-crime" in label for label in demo + public)
    assert not any("1-24" in label or "1-17" in label for label in public)
    assert any("(per 100,000 residents of all ages)" in label for label in public)
