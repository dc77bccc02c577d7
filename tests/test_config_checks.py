"""The checks run before anything else (pipeline/config_checks.py): every configuration,
narrative and missing-input mistake is one line naming the file, the key (or line and column)
and the rule. Tiny files written here; the workflow-level stops are in test_workflow_stops.py."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from pipeline import config_checks as cc
from pipeline.formatting import financial_year_label

REPO = Path(__file__).resolve().parents[1]
NARRATIVE = REPO / "config/narrative/waltham-forest.yaml"


def problems_of(config: dict, file: str = "c.yaml") -> list[str]:
    """The configuration's own problems, attributed to one file."""
    return cc.config_problems(config, file)


@pytest.fixture
def config() -> dict:
    return yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def narrative() -> dict:
    return yaml.safe_load(NARRATIVE.read_text(encoding="utf-8"))


def write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- YAML ------------------------------------------------------------------------------------


def test_broken_yaml_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text("council_name: x\ndomains: [a, b\nhelp: []\n", encoding="utf-8")
    with pytest.raises(cc.ConfigError) as stop:
        cc.load_yaml(path)
    (line,) = stop.value.problems
    assert line.startswith(f"{path}, line 3, column 5: expected ',' or ']', but got ':'")
    assert "while parsing a flow sequence on line 2" in line


def test_an_impossible_unquoted_date_is_a_yaml_error_at_its_line(tmp_path):
    """PyYAML itself crashes with 'month must be in 1..12' and no file or line."""
    path = tmp_path / "c.yaml"
    path.write_text("edition: '2024-25'\npublication_date: 2025-13-45\n", encoding="utf-8")
    with pytest.raises(cc.ConfigError, match=r"c.yaml, line 2, column 19: '2025-13-45' is not a"):
        cc.load_yaml(path)


def test_a_key_given_twice_is_an_error_not_a_silent_override(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("edition: '2023-24'\nwindow: {}\nedition: '2024-25'\n", encoding="utf-8")
    with pytest.raises(cc.ConfigError, match=r"line 3, column 1: key 'edition' is given twice "
                       r"\(first on line 1\)"):  # fmt: skip
        cc.load_yaml(path)


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("just words\n", "a str"), ("", "nothing (the file is empty)")],
)
def test_a_narrative_that_is_not_a_mapping_says_what_it_is(tmp_path, text, found):
    path = tmp_path / "n.yaml"
    path.write_text(text, encoding="utf-8")
    assert cc.narrative_problems(path) == [
        f"{path}: a narrative must be a mapping of keys, found {found}"
    ]


def test_a_missing_or_undecodable_file_is_named(tmp_path):
    with pytest.raises(cc.ConfigError, match=r"nope.yaml: the file does not exist"):
        cc.load_yaml(tmp_path / "nope.yaml")
    (tmp_path / "latin1.yaml").write_bytes(b"council_name: Caf\xe9\n")
    with pytest.raises(cc.ConfigError, match=r"latin1.yaml: not UTF-8 text \(byte 17\)"):
        cc.load_yaml(tmp_path / "latin1.yaml")


# --- Narrative schema ---------------------------------------------------------------------


def test_the_shipped_narratives_pass():
    for path in sorted((REPO / "config/narrative").glob("*.yaml")):
        assert cc.narrative_problems(path) == [], path


def test_the_schema_domains_are_the_reports_domains():
    from pipeline.render.resident import DOMAINS

    assert tuple(cc.strategy_domains()) == DOMAINS


def test_narrative_schema_names_the_path_of_each_bad_key(tmp_path, narrative):
    narrative["domains"][1]["actions"][0] = 5
    del narrative["domains"][2]["aim"]
    narrative["help"][0]["detial"] = narrative["help"][0].pop("detail")
    narrative["introduction"] = "   "
    path = write(tmp_path / "n.yaml", narrative)
    assert cc.narrative_problems(path) == [
        f"{path}: domains[1].actions[0]: 5 is not of type 'string'",
        f"{path}: domains[2]: 'aim' is a required property",
        f"{path}: help[0]: 'detail' is a required property",
        f"{path}: help[0]: Additional properties are not allowed ('detial' was unexpected)",
        f"{path}: introduction: '   ' does not match '\\\\S'",
    ]


def test_each_domain_needs_exactly_one_entry(tmp_path, narrative):
    narrative["domains"][3] = copy.deepcopy(narrative["domains"][0])  # Curtail -> Strengthen
    path = write(tmp_path / "n.yaml", narrative)
    assert cc.narrative_problems(path) == [
        f"{path}: domains: each of Strengthen, Support, Treat, Curtail needs exactly one entry; "
        "given twice: ['Strengthen'], missing: ['Curtail']"
    ]
    narrative["domains"][3]["name"] = "Prevent"
    assert (
        "domains[3].name: 'Prevent' is not one of ['Strengthen', 'Support', 'Treat', "
        in (cc.narrative_problems(write(path, narrative))[0])
    )


def test_load_narrative_stops_with_every_problem(tmp_path, narrative):
    del narrative["council_name"], narrative["partnership_name"]
    with pytest.raises(cc.ConfigError) as stop:
        cc.load_narrative(write(tmp_path / "n.yaml", narrative))
    assert [p.split(": ", 2)[2] for p in stop.value.problems] == [
        "'council_name' is a required property",
        "'partnership_name' is a required property",
    ]


# --- Configuration --------------------------------------------------------------------------


def test_the_shipped_configurations_pass(config):
    assert problems_of(config) == []
    for name in ("london-demo.yaml", "public.yaml"):
        other = yaml.safe_load((REPO / "config" / name).read_text(encoding="utf-8"))
        assert problems_of(other) == [], name


def test_publication_date_must_be_a_real_date(config):
    config["publication_date"] = "2025-13-45"
    assert problems_of(config) == [
        "c.yaml: publication_date: '2025-13-45' is not a real date (month must be in 1..12)"
    ]
    config["publication_date"] = "2025-02-29"
    assert problems_of(config) == [
        "c.yaml: publication_date: '2025-02-29' is not a real date (day is out of range for month)"
    ]


def test_an_unquoted_date_is_asked_for_in_quotes(config):
    config["publication_date"] = dt.date(2025, 7, 1)
    assert problems_of(config) == [
        'c.yaml: publication_date: write the date in quotes ("2025-07-01"): unquoted, YAML reads '
        "2025-07-01 as a date"
    ]


def test_a_reversed_window_says_so(config):
    config["window"] = {"first_financial_year": 2024, "last_financial_year": 2020}
    config["edition"] = "2020-21"
    assert problems_of(config) == [
        "c.yaml: window: first_financial_year (2024) is after last_financial_year (2020); the "
        "window runs from its first financial year to its last (e.g. 2020 to 2024)"
    ]


def test_the_edition_must_be_the_label_of_the_windows_last_year(config):
    config["edition"] = "2023-24"  # the window ends in 2024-25
    assert problems_of(config) == [
        "c.yaml: edition: '2023-24' does not match the window, whose last financial year 2024 "
        "is '2024-25'; set edition: \"2024-25\" (it names the folder reports/<area>/<edition>/)"
    ]
    assert financial_year_label(1999) == "1999-00" and financial_year_label(2024) == "2024-25"


@pytest.mark.parametrize("edition", ["2024-25\n", "2024-25 ", "2024-2025", "24-25"])
def test_the_edition_must_match_its_pattern_exactly(config, edition):
    """JSON-schema patterns are ECMA-262, where $ is the very end: Python's re.search would
    let "2024-25\\n" through and make a folder whose name ends in a newline."""
    config["edition"] = edition
    assert problems_of(config) == [
        f"c.yaml: edition: {edition!r} does not match '^[0-9]{{4}}-[0-9]{{2}}$'"
    ]


def test_every_pattern_is_anchored_at_the_very_end(config):
    config["areas"][0]["slug"] = "waltham-forest\n"
    config["dataset"] = "demo\n"
    assert problems_of(config) == [
        "c.yaml: areas[0].slug: 'waltham-forest\\n' does not match '^[a-z0-9-]+$'",
        "c.yaml: dataset: 'demo\\n' does not match '^[a-z0-9-]+$'",
    ]


def test_two_areas_with_one_slug_would_silently_become_one(config):
    config["areas"].append({**config["areas"][0], "code": "E09000001"})
    assert problems_of(config) == [
        "c.yaml: areas[1].slug: 'waltham-forest' is also areas[0].slug; each area needs its own "
        "slug"
    ]


def test_age_ranges_and_the_after_school_window_are_ordered(config):
    config["definitions"]["age_groups"][1] = {"label": "18 to 24", "age_from": 24, "age_to": 18}
    config["definitions"]["after_school_window"] = {"start_hour": 17, "end_hour": 15}
    assert problems_of(config) == [
        "c.yaml: definitions.age_groups[1]: age_from (24) is above age_to (18)",
        "c.yaml: definitions.after_school_window: start_hour (17) must be before end_hour (15)",
    ]


def test_schema_problems_name_the_key_path(config):
    config["window"]["last_financial_year"] = "2024"
    config["typo_key"] = 1
    assert problems_of(config) == [
        "c.yaml: (top level): Additional properties are not allowed ('typo_key' was unexpected)",
        "c.yaml: window.last_financial_year: '2024' is not of type 'integer'",
    ]


# --- Missing inputs and narratives -----------------------------------------------------------


def in_tmp_repo(tmp_path: Path, monkeypatch) -> Path:
    """A working folder with the demo inputs and narratives (paths in config are relative)."""
    import shutil

    shutil.copytree(REPO / "data/raw/demo", tmp_path / "data/raw/demo")
    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_missing_input_is_named_with_the_key_that_points_at_it(config, tmp_path, monkeypatch):
    root = in_tmp_repo(tmp_path, monkeypatch)
    assert cc.configuration_problems(config) == []
    (root / "data/raw/demo/waltham-forest/victims.csv").unlink()
    (root / "data/raw/demo/shared/deprivation.csv").unlink()
    (root / "config/narrative/waltham-forest.yaml").unlink()
    assert cc.configuration_problems(config) == [
        "config/narrative/waltham-forest.yaml: missing: the narrative of waltham-forest "
        "(areas[].narrative in config/config.yaml)",
        "data/raw/demo/shared/deprivation.csv: missing: the 'deprivation' input of the shared "
        "inputs (shared_inputs in config/config.yaml)",
        "data/raw/demo/waltham-forest/victims.csv: missing: the 'victims' input of area "
        "'waltham-forest' (areas[0].inputs in config/config.yaml)",
    ]


def test_a_missing_folder_is_one_problem_from_the_file_that_set_it(config, tmp_path, monkeypatch):
    in_tmp_repo(tmp_path, monkeypatch)
    override = {"areas": [{**config["areas"][0], "inputs": "data/raw/elsewhere"}]}
    write(tmp_path / "mine.yaml", override)
    merged = cc.merged(config, override)
    assert cc.configuration_problems(merged, ["config/config.yaml", "mine.yaml"]) == [
        "data/raw/elsewhere/: the input folder of area 'waltham-forest' does not exist "
        "(areas[0].inputs in mine.yaml)"
    ]


def test_inputs_a_stage_0_rule_writes_are_not_demanded(tmp_path, monkeypatch):
    """The London demo generates its inputs: no folder exists before the run, and that is not
    a problem; without its generator, every folder is one."""
    monkeypatch.chdir(REPO)
    london = yaml.safe_load((REPO / "config/london-demo.yaml").read_text(encoding="utf-8"))
    london["demo_generator"]["out"] = london["shared_inputs"] = str(tmp_path / "nothing")
    london["areas"] = [{**a, "inputs": str(tmp_path / a["slug"])} for a in london["areas"]]
    assert cc.missing_inputs(london, lambda _path: "london.yaml") == []
    del london["demo_generator"]
    assert len(cc.missing_inputs(london, lambda _path: "london.yaml")) == 1 + 33


def test_public_sources_must_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the ../shared/realdata paths do not resolve from here
    public = yaml.safe_load((REPO / "config/public.yaml").read_text(encoding="utf-8"))
    problems = cc.missing_inputs(public, lambda _p: "config/public.yaml")
    # 11 keys, two with two files, and the stop-and-search file; the contract files are built
    assert len(problems) == 14
    assert (
        "../shared/realdata/dfe/ons_mid-year_population_estimates_2012_to_2024.csv: missing: "
        "public_sources.dfe_la_codes in config/public.yaml (download it as described in "
        "docs/public-data.md, or correct the path)"
    ) in problems


def test_the_command_line_check_names_a_broken_configfile_line(tmp_path, monkeypatch, capsys):
    in_tmp_repo(tmp_path, monkeypatch)
    (tmp_path / "broken.yaml").write_text("edition: '2024-25'\nwindow: [2020,\n", encoding="utf-8")
    assert cc.main(["--configfile", "broken.yaml"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Stopped before running anything (1 problem):"
    assert err[1].startswith("  broken.yaml, line 3, column 1: expected the node content")
    assert err[-1] == "The last published edition is untouched."
    assert cc.main([]) == 0
    assert "config/config.yaml: configuration, narratives and inputs pass" in (
        capsys.readouterr().out
    )


def test_a_narrative_shared_by_many_areas_is_named_once(monkeypatch):
    monkeypatch.chdir(REPO)
    london = yaml.safe_load((REPO / "config/london-demo.yaml").read_text(encoding="utf-8"))
    london["areas"] = [{**a, "narrative": "config/narrative/gone.yaml"} for a in london["areas"]]
    files = ["config/config.yaml", "config/london-demo.yaml"]
    assert cc.configuration_problems(london, files) == [
        "config/narrative/gone.yaml: missing: the narrative of 33 areas (city-of-london, ...) "
        "(areas[].narrative in config/london-demo.yaml)"
    ]
