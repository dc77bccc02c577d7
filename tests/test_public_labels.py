"""Public definitions' labels derived from what their counts hold (pipeline/public_definitions.py):
written out by hand here for each source, kept when given, and required outside public data."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from pipeline.config_checks import config_problems, merged
from pipeline.public_definitions import derived_label, labelled_definitions, with_derived_labels
from pipeline.settings import Settings, StageSettings

REPO = Path(__file__).resolve().parents[1]


def load(name: str) -> dict:
    return yaml.safe_load((REPO / "config" / name).read_text(encoding="utf-8"))


WEAPONS_ROLE = "a public proxy for serious violence against under-25s"


def test_the_waltham_forest_labels_come_from_the_mps_files():
    definitions = Settings.of(load("public.yaml")).definitions
    assert definitions.key_metric.label == (
        "Violence with injury offences, all ages, police recorded crime (MPS) - a public proxy "
        "for knife crime with injury among under-25s"
    )
    assert definitions.under_18_metric.short_label == (
        "possession of weapons (a public proxy, not an under-18 measure)"
    )
    # The LSOA file's stated MPS category, in sentence case.
    assert definitions.serious_violence_u25.label == (
        f"Possession of weapons offences by LSOA, all ages, police recorded crime (MPS) - "
        f"{WEAPONS_ROLE}"
    )


def test_police_uk_is_named_only_for_the_measures_it_gives():
    # Havering: neighbours' weapons series from police.uk; police.uk has no violence with injury.
    definitions = Settings.of(load("public-havering.yaml")).definitions
    assert "(MPS) -" in definitions.key_metric.label
    assert "(MPS and police.uk) -" in definitions.under_18_metric.label
    assert "(MPS) -" in definitions.serious_violence_u25.label
    # The City of London: its own series and LSOA counts from its force's files.
    city = Settings.of(load("public-city-of-london.yaml")).definitions
    assert city.key_metric.label.startswith(
        "Violence and sexual offences, all ages, police recorded crime (MPS and police.uk) - "
    )
    assert city.serious_violence_u25.label == (
        f"Possession of weapons offences by LSOA, all ages, police recorded crime (police.uk) - "
        f"{WEAPONS_ROLE}"
    )


def test_a_where_definition_of_several_categories_names_them_all():
    config = load("public.yaml")
    config["public_sources"]["mps_lsoa_crime"] = [
        {"path": "a.csv", "major_category": "Robbery"},
        {"path": "b.csv", "major_category": "Possession of Weapons"},
    ]
    assert derived_label(config, "serious_violence_u25") == {
        "label": "Robbery and possession of weapons offences by LSOA, all ages, police recorded "
        f"crime (MPS) - {WEAPONS_ROLE}",
        "short_label": f"robbery and possession of weapons ({WEAPONS_ROLE})",
    }
    # From police.uk: the types holding the offence groups, in police.uk's order of names.
    city = load("public-city-of-london.yaml")
    where = city["definitions"]["serious_violence_u25"]
    where["offence_groups"] = ["Robbery", "Possession of weapons", "Homicide",
                               "Violence with injury", "Violence without injury",
                               "Sexual offences"]  # fmt: skip
    where["age_from"], where["age_to"] = 10, 24
    assert derived_label(city, "serious_violence_u25")["label"] == (
        "Possession of weapons, robbery and violence and sexual offences by LSOA, aged 10 to 24, "
        f"police recorded crime (police.uk) - {WEAPONS_ROLE}"
    )


def test_groups_police_uk_cannot_count_get_no_label_and_the_build_says_why():
    city = load("public-city-of-london.yaml")
    city["definitions"]["serious_violence_u25"]["offence_groups"] = ["Violence with injury"]
    assert derived_label(city, "serious_violence_u25") is None
    # Left to the build, which stops on the groups in one line (test_public_police_uk_area).
    assert labelled_definitions(city)["serious_violence_u25"]["label"] is None


def test_a_label_given_is_kept_and_the_config_is_not_changed():
    config = load("public.yaml")
    original = copy.deepcopy(config)
    config["definitions"]["key_metric"]["label"] = "Violence with injury (MPS), all ages"
    resolved = with_derived_labels(config)
    key_metric = resolved["definitions"]["key_metric"]
    assert key_metric["label"] == "Violence with injury (MPS), all ages"
    assert key_metric["short_label"].startswith("violence with injury (")
    assert original["definitions"]["under_18_metric"]["label"] is None
    assert config["definitions"]["under_18_metric"]["label"] is None  # a copy was labelled


def test_a_stage_s_settings_are_labelled_before_the_rule_is_given_them():
    # The workflow labels the configuration once (rules/common.smk); a stage's part may leave
    # out public_sources, and reading its definitions must not need it.
    config = with_derived_labels(load("public.yaml"))
    stage = StageSettings("validation", config)
    assert Settings.of(stage).definitions.key_metric.label.startswith("Violence with injury")
    unlabelled = StageSettings("validation", load("public.yaml"))
    with pytest.raises(KeyError, match="public_sources"):  # why the workflow labels it first
        _ = Settings.of(unlabelled).definitions.key_metric


@pytest.mark.parametrize("name", ["label", "short_label"])
def test_outside_public_data_a_missing_label_is_a_config_problem(name):
    config = load("config.yaml")
    del config["definitions"]["key_metric"][name]
    config["definitions"]["under_18_metric"][name] = None
    problems = config_problems(config, "config/config.yaml")
    assert problems == [
        f"config/config.yaml: definitions.{key}: {name} is missing; the reports print it "
        "with the figures (only a public configuration derives it)"
        for key in ("key_metric", "under_18_metric")
    ]


@pytest.mark.parametrize(
    "name", ["public.yaml", "public-havering.yaml", "public-city-of-london.yaml"]
)
def test_labels_are_derived_under_snakemake_s_merge_over_the_demo_config(name):
    # snakemake --configfile config/public.yaml merges it over config/config.yaml: a label
    # left out would be the demo's victim-data label ("Knife crime with injury ..."); null
    # keeps it derived.
    config = merged(load("config.yaml"), load(name))
    definitions = Settings.of(with_derived_labels(config)).definitions
    for definition in definitions.metrics.values():
        assert "a public proxy" in definition.label and "police recorded crime" in definition.label
        assert "a public proxy" in definition.short_label
    assert config_problems(config, name) == []
