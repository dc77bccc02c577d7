"""Settings resolved once (pipeline.settings): derived values and each stage's keys."""

from __future__ import annotations

import pickle

import pytest

from pipeline.settings import (
    STAGE_KEYS,
    UndeclaredSetting,
    disclosure_threshold,
    edition_start_year,
    edition_year,
    resident_threshold,
    stage_settings,
    window_of,
)


def test_a_stage_gets_only_its_keys_and_reading_another_stops(config):
    measures = stage_settings(config, "measures")
    assert set(measures) == set(STAGE_KEYS["measures"]) & set(config)
    assert measures["statistics"] == config["statistics"]
    for read in (lambda: measures["publish"], lambda: measures.get("publish"),
                 lambda: "publish" in measures):  # fmt: skip
        with pytest.raises(
            UndeclaredSetting, match="measures stage read configuration key 'publish'"
        ):
            read()
    # A declared key that the configuration leaves out reads as absent, as in a dict.
    assert measures.get("publication_date") == config.get("publication_date")


def test_stage_settings_are_compared_by_snakemake_as_a_dict(config):
    """Snakemake ignores params of other types when deciding whether to re-run a rule."""
    charts = stage_settings(config, "charts")
    assert isinstance(charts, dict)
    assert repr(charts) == repr({k: config[k] for k in STAGE_KEYS["charts"] if k in config})
    again = pickle.loads(pickle.dumps(charts))  # how the script directive hands params on
    assert again == charts and again.stage == "charts"
    with pytest.raises(UndeclaredSetting):
        again["areas"]


def test_derived_values(config):
    window = window_of(config)
    assert window.years == (2020, 2021, 2022, 2023, 2024)
    assert edition_start_year("2024-25") == 2024 == edition_year(config)
    assert disclosure_threshold(config, "public") == resident_threshold(config) == 10
    assert disclosure_threshold(config, "internal") == 0
    with pytest.raises(ValueError, match="circulation must be one of"):
        disclosure_threshold(config, "press")


def test_the_typed_view_reads_every_section_of_the_demo_configuration(config):
    from pipeline.settings import Settings

    settings = Settings.of(config)
    assert Settings.of(settings) is settings
    assert (settings.edition, settings.edition_year, settings.years[0]) == ("2024-25", 2024, 2020)
    key = settings.definitions.key_metric
    assert (key.id, key.age_from, key.age_to, key.injury, key.domestic_abuse) == (
        "kcwi_1_24", 1, 24, True, False,
    )  # fmt: skip
    assert key.offence_groups == tuple(config["definitions"]["key_metric"]["offence_groups"])
    assert list(settings.definitions.metrics) == [
        "key_metric", "under_18_metric", "serious_violence_u25",
    ]  # fmt: skip
    assert [g.label for g in settings.definitions.age_groups] == ["Under 18", "18 to 24"]
    assert settings.definitions.after_school_window.start_hour == 15
    assert settings.statistics.rate_per == 100000 and settings.confidence == 0.95
    assert (settings.region.code, settings.region.name) == ("E12000007", "London")
    assert settings.area_named("waltham-forest").code == "E09000031"
    assert settings.threshold("public") == settings.resident_threshold == 10
    assert settings.threshold("internal") == 0
    assert settings.victim_extract and not settings.technical_report_in_public_edition
    with pytest.raises(KeyError, match="no offence definition 'knife'"):
        settings.definitions.metric("knife")
    with pytest.raises(KeyError, match="no area with slug"):
        settings.area_named("atlantis")


def test_a_stage_reads_its_sections_typed_and_another_section_stops(config):
    from pipeline.settings import Settings

    measures = Settings.of(stage_settings(config, "measures"))
    assert measures.statistics.hotspot_permutations == 9999  # declared: read on demand
    with pytest.raises(UndeclaredSetting, match="'dataset'"):
        measures.dataset  # noqa: B018 - the read is the test


def test_selecting_victims_with_a_definition_that_names_no_offences_stops():
    import pandas as pd

    from pipeline.families.common import select_definition
    from pipeline.settings import Definition

    series_only = Definition.of("key_metric", {"id": "x", "age_from": 0, "age_to": 120})
    assert series_only.label == "x" and series_only.offence_groups == ()
    with pytest.raises(ValueError, match="names no offence groups"):
        select_definition(pd.DataFrame(), series_only)


def test_the_optional_stop_search_files_are_typed_and_read_by_each_stage_that_needs_them(config):
    from pipeline.families.registry import edition_family_names
    from pipeline.settings import Settings, StopSearchFiles

    assert "stop_search" not in config and Settings.of(config).stop_search is None
    given = {**config, "stop_search": {"files": ["a/", "b.csv"], "files_are_the_area": True}}
    assert Settings.of(given).stop_search == StopSearchFiles(("a/", "b.csv"), True)
    assert Settings.of({"stop_search": {"files": ["a/"]}}).stop_search == StopSearchFiles(("a/",))
    # Validation reads the files, the measures and charts which tables the edition has: each
    # stage's rule passes the key, so a change to it re-runs only those stages (and later).
    for stage in ("validation", "measures", "charts"):
        typed = Settings.of(stage_settings(given, stage))
        assert typed.stop_search == StopSearchFiles(("a/", "b.csv"), True), stage
        assert Settings.of(stage_settings(config, stage)).stop_search is None, stage
    for stage in ("measures", "charts"):
        names = edition_family_names(Settings.of(stage_settings(given, stage)))
        assert "stop_search" in names, stage
