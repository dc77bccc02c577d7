"""The tidy stop-and-search frame's pandera model refuses known-bad frames with one line per
rule, and the area's validation reconciles every row read."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.adapters.police_uk_stop_search import read_police_uk_stop_search
from pipeline.demo.stop_search import synthetic_rows, write_month
from pipeline.runtime import UserFacingError
from pipeline.settings import Settings
from pipeline.validate.stop_search import StopSearch, check_stop_search, validate_stop_search
from tests.test_adapters_stop_search import INSIDE, OUTSIDE, _square_area


@pytest.fixture
def good(tmp_path) -> pd.DataFrame:
    frame = synthetic_rows("2024-03", rows=30, seed=9, points=(INSIDE,))
    path = write_month(tmp_path, "2024-03", frame)
    return read_police_uk_stop_search(path, files_are_the_area=True).frame


def test_the_adapters_frame_passes(good):
    assert len(check_stop_search(good)) == 30
    assert list(good.columns) == list(StopSearch.to_schema().columns)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.assign(hour=(f["hour"] + 1) % 24), "hour, date and weekday are those of"),
        (lambda f: f.assign(self_defined_ethnicity="Martian"), "column self_defined_ethnicity"),
        (lambda f: f.assign(officer_defined_ethnicity="IC3"), "column officer_defined_ethnicity"),
        (lambda f: f.assign(layout="older"), "the older layout publishes no outcome link"),
        (lambda f: f.assign(hour=25), "column hour"),
        (lambda f: f.assign(extra=1), "extra"),
        (lambda f: f.drop(columns=["outcome"]), "outcome"),
    ],
)
def test_known_bad_frames_are_refused(good, change, expected):
    bad = change(good.copy())
    if "outcome_linked" in bad and (bad["layout"] == "older").all():
        bad.loc[bad.index[0], "outcome_linked"] = True  # the older layout has no such flag
    with pytest.raises(UserFacingError) as error:
        check_stop_search(bad)
    assert expected in str(error.value)
    assert "stop_search (tidy frame of pipeline.adapters.police_uk_stop_search)" in str(error.value)


def test_validation_reconciles_rows_read_used_and_excluded(tmp_path):
    frame = synthetic_rows("2024-03", rows=60, seed=4, points=(INSIDE, OUTSIDE))
    write_month(tmp_path, "2024-03", frame)
    settings = Settings.of({"stop_search": {"files": [str(tmp_path)]}})
    result = validate_stop_search([tmp_path], boundaries=_square_area(), settings=settings)
    counts = result.reconciliation.set_index("reason")["rows"]
    excluded = counts["no location (no coordinates)"] + counts["located outside the area"]
    assert counts["rows read"] == 60
    assert counts["rows used"] + excluded == 60
    assert (
        counts["rows used"]
        == len(result.frame)
        == int((frame["Latitude"] == f"{INSIDE[0]:.6f}").sum())
    )
    assert counts["no location (no coordinates)"] == int((frame["Latitude"] == "").sum())


def test_the_config_key_is_optional_checked_and_adds_the_input(config):
    from pipeline.config_checks import config_problems
    from pipeline.validate.kinds import optional_area_kinds

    assert "stop_search" not in config and optional_area_kinds(Settings.of(config)) == ()
    with_files = {**config, "stop_search": {"files": ["downloads/"]}}
    assert config_problems(with_files, "c.yaml") == []
    assert optional_area_kinds(Settings.of(with_files)) == ("stop_search",)
    typo = {**config, "stop_search": {"file": ["downloads/"]}}
    assert any("stop_search" in p for p in config_problems(typo, "c.yaml"))
    two = {
        **with_files,
        "areas": [*config["areas"], {**config["areas"][0], "slug": "b", "code": "E09000001"}],
    }
    two["stop_search"] = {"files": ["downloads/"], "files_are_the_area": True}
    assert any(
        "files_are_the_area: true needs exactly one area" in p
        for p in config_problems(two, "c.yaml")
    )
