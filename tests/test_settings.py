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
