"""police.uk street files in the public-data build (``public_sources.police_uk_street``).

The neighbour series are checked against counts made here with the csv module from the
SYNTHETIC files of pipeline.demo.police_uk_neighbours, following the rules the adapters' module
docs state (BTP and unlocated rows out, a Crime ID counted once, first file first, the LA's
named force only), not with the adapters. Tests that need the MPS and DfE files read them from
../shared/realdata (the ``realdata`` fixture skips them where it is absent).
"""

from __future__ import annotations

import copy
import csv
import hashlib
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import config_checks as cc
from pipeline.adapters import mps_comparator_series, read_mps_borough_crime
from pipeline.adapters.police_uk_la import read_lsoa_la_lookup
from pipeline.demo import police_uk_neighbours as synthetic
from pipeline.public import output_paths, source_files
from pipeline.public.configuration import (
    COMPARATOR_SOURCES_FILE,
    PublicBuildError,
    proxy_measures,
    resolve_sources,
)
from pipeline.public.police_uk_inputs import MPS_SOURCE, REASON_NO_CRIME_TYPE
from pipeline.public.shared_inputs import build_comparators
from pipeline.settings import Settings
from pipeline.validate.cross import (
    REASON_NEIGHBOUR_WITHOUT_MEASURE,
    comparators_complete,
    neighbours_without_series,
)
from pipeline.validate.rules import window_months

REPO = Path(__file__).resolve().parents[1]
HAVERING, BEXLEY, LONDON = "E09000016", "E09000004", "E12000007"
OUTSIDE = sorted(synthetic.NEIGHBOURS)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> synthetic.NeighbourFiles:
    return synthetic.write_neighbour_files(tmp_path_factory.mktemp("neighbours"))


@pytest.fixture(scope="module")
def havering(files) -> dict:
    """config/public-havering.yaml with its police.uk paths at the generated files."""
    config = yaml.safe_load((REPO / "config/public-havering.yaml").read_text(encoding="utf-8"))
    section = config["public_sources"]["police_uk_street"]
    section["paths"] = [str(files.street)]
    section["lsoa_la_lookup"] = str(files.lookup)
    return config


@pytest.fixture(scope="module")
def built(realdata, havering):
    """build_comparators for Havering, its DfE neighbours and London, over the window."""
    sources = resolve_sources(havering, REPO)
    wanted = sorted({HAVERING, BEXLEY, *OUTSIDE, LONDON})
    months = window_months(Settings.of(havering))
    return build_comparators(sources, proxy_measures(havering), wanted, months)


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def expected_counts(files: synthetic.NeighbourFiles, crime_type: str) -> Counter:
    """(LA, month) -> crimes of ``crime_type`` recorded by the LA's own force, counted from the
    CSVs by the documented rules."""
    la_of = {row["LSOA21CD"]: row["UTLA22CD"] for row in rows_of(files.lookup)}
    force_of = {code: force for code, (_, force, _, _) in synthetic.NEIGHBOURS.items()}
    seen: set[str] = set()
    counts: Counter = Counter()
    for path in sorted(files.street.glob("*/*-street.csv")):  # a folder is read sorted by path
        counted = set()
        for row in rows_of(path):
            if "British Transport Police" in (row["Reported by"], row["Falls within"]):
                continue
            if not row["LSOA code"] or (row["Crime ID"] and row["Crime ID"] in seen):
                continue
            if row["Crime ID"]:
                counted.add(row["Crime ID"])
            la = la_of[row["LSOA code"]]
            if row["Reported by"] == force_of[la] and row["Crime type"] == crime_type:
                counts[la, row["Month"]] += 1
        seen |= counted
    return counts


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


def test_the_generator_writes_every_force_month_and_says_it_is_synthetic(files, tmp_path):
    months = synthetic.months()
    assert (months[0], months[-1], len(months)) == ("2021-04", "2025-03", 48)
    slugs = {slug for _, _, slug, _ in synthetic.NEIGHBOURS.values()} | {"btp"}
    for month in months:
        names = {p.name for p in (files.street / month).iterdir()}
        assert names == {f"{month}-{slug}-street.csv" for slug in slugs}
    lookup = rows_of(files.lookup)
    assert Counter(row["UTLA22CD"] for row in lookup) == {
        code: synthetic.LSOAS_PER_AREA for code in synthetic.NEIGHBOURS
    }
    assert all(row["LSOA21CD"].startswith("E0197") for row in lookup)
    assert "SYNTHETIC" in (files.root / "README.txt").read_text(encoding="utf-8")
    assert (files.root / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    again = synthetic.write_neighbour_files(tmp_path / "again")

    def digest(root: Path) -> str:
        paths = sorted(p for p in root.rglob("*") if p.is_file())
        return hashlib.sha256(
            b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes() for p in paths)
        ).hexdigest()

    assert digest(again.root) == digest(files.root)


def test_an_upper_tier_lookup_gives_the_county_codes(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text(
        "LSOA21CD,LAD22CD,LAD22NM,UTLA22CD,UTLA22NM\nE01024000,E07000105,Ashford,E10000016,Kent\n",
        encoding="utf-8",
    )
    assert read_lsoa_la_lookup(path).to_dict("records") == [
        {"lsoa_code": "E01024000", "la_code": "E10000016", "la_name": "Kent"}
    ]


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def test_neighbour_series_equal_independent_counts(built, files):
    frame, _, _ = built
    expected = expected_counts(files, "Possession of weapons")
    months = synthetic.months()
    weapons = frame.loc[frame["measure"] == "possession_of_weapons"]
    for code in OUTSIDE:
        mine = weapons.loc[weapons["area_code"] == code].set_index("month")["count"]
        assert list(mine.index) == months, code
        assert mine.to_dict() == {m: expected[code, m] for m in months}, code
        assert mine.sum() > 0
    # Kent's series leaves out the Essex Police crime located in Kent and the crime also in
    # the Essex file (read first); both are in the files every month.
    names = dict(zip(frame["area_code"], frame["area_name"], strict=False))
    assert names["E10000016"] == "Kent" and names["E06000035"] == "Medway"


def test_a_measure_police_uk_cannot_give_is_missing_with_its_reason(built):
    frame, dropped, _ = built
    injury = frame.loc[frame["measure"] == "violence_with_injury"]
    assert set(injury["area_code"]) == {HAVERING, BEXLEY, LONDON}
    reasons = dropped.loc[dropped["reason"] == REASON_NO_CRIME_TYPE]
    assert sorted(reasons["detail"]) == [f"{code} violence_with_injury" for code in OUTSIDE]
    assert set(reasons["step"]) == {"comparators: violence_with_injury"}


def test_every_series_says_where_it_came_from(built):
    frame, _, sources = built
    assert sorted(zip(sources["area_code"], sources["measure"], strict=True)) == sorted(
        set(zip(frame["area_code"], frame["measure"], strict=True))
    )
    by_code = sources.drop_duplicates("area_code").set_index("area_code")
    for code, (_, force, slug, _) in synthetic.NEIGHBOURS.items():
        assert by_code.loc[code, "source"] == "police.uk street-level crime"
        assert by_code.loc[code, "force"] == force
        assert by_code.loc[code, "files"] == (
            f"48 files, 2021-04-{slug}-street.csv to 2025-03-{slug}-street.csv"
        )
    for code in (HAVERING, BEXLEY, LONDON):
        assert by_code.loc[code, "source"] == MPS_SOURCE
        assert by_code.loc[code, "force"].startswith("Metropolitan Police Service")


def test_without_the_key_the_comparators_are_the_mps_series_alone(realdata, havering):
    config = copy.deepcopy(havering)
    del config["public_sources"]["police_uk_street"]
    sources = resolve_sources(config, REPO)
    wanted = sorted({HAVERING, BEXLEY, *OUTSIDE, LONDON})
    frame, _, provenance = build_comparators(sources, proxy_measures(config), wanted)
    assert provenance is None
    crime = read_mps_borough_crime(sources.mps_borough_crime).frame
    direct = pd.concat(
        [mps_comparator_series(crime, m, wanted).frame for m in proxy_measures(config)]
    ).sort_values(["area_code", "measure", "month"], ignore_index=True)
    pd.testing.assert_frame_equal(frame, direct)
    assert COMPARATOR_SOURCES_FILE not in {p.name for p in output_paths(config)}
    assert COMPARATOR_SOURCES_FILE in {p.name for p in output_paths(havering)}


def test_source_files_expand_the_folder_to_the_street_files(havering, files):
    listed = source_files(havering, REPO)
    street = sorted(files.street.glob("*/*-street.csv"))
    assert [p for p in listed if p.name.endswith("-street.csv")] == street
    assert files.lookup in listed
    assert not any(p.name == "README.txt" for p in listed)


def test_a_force_slug_without_files_is_one_line(realdata, havering):
    config = copy.deepcopy(havering)
    config["public_sources"]["police_uk_street"]["forces"]["E06000035"] = "kentish"
    sources = resolve_sources(config, REPO)
    with pytest.raises(PublicBuildError) as stop:
        build_comparators(sources, ["possession_of_weapons"], ["E06000035"], ["2021-04"])
    message = str(stop.value)
    assert "\n" not in message
    assert message.startswith("public_sources.police_uk_street.forces: E06000035 -> 'kentish'")
    assert "forces found: btp, essex, greater-manchester, kent" in message


# --------------------------------------------------------------------------------------------
# Configuration checks
# --------------------------------------------------------------------------------------------


def schema_lines(config: dict) -> list[str]:
    return cc.schema_problems(config, cc.CONFIG_SCHEMA, "config/public-havering.yaml")


def test_the_havering_configuration_passes_the_schema():
    config = yaml.safe_load((REPO / "config/public-havering.yaml").read_text(encoding="utf-8"))
    assert schema_lines(config) == []
    assert config["synthetic_data"] is True


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda s: s.pop("lsoa_la_lookup"), "lsoa_la_lookup"),
        (lambda s: s.update(paths=[]), "paths"),
        (lambda s: s["forces"].update({"E06000035": "Kent Police"}), "E06000035"),
        (lambda s: s.update(force="kent"), "force"),
    ],
)
def test_a_wrong_police_uk_section_is_one_line_each(change, key):
    config = yaml.safe_load((REPO / "config/public-havering.yaml").read_text(encoding="utf-8"))
    change(config["public_sources"]["police_uk_street"])
    problems = schema_lines(config)
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    assert "public_sources.police_uk_street" in problems[0] and key in problems[0]


def test_a_missing_police_uk_folder_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = yaml.safe_load((REPO / "config/public-havering.yaml").read_text(encoding="utf-8"))
    problems = [p for p in cc.missing_inputs(config, lambda _p: "config/public-havering.yaml")
                if "police_uk_street" in p]  # fmt: skip
    assert problems == [
        "data/raw/synthetic-police-uk-havering/street: missing: public_sources.police_uk_street"
        ".paths in config/public-havering.yaml (download it as described in "
        "docs/public-data.md, or correct the path)",
        "data/raw/synthetic-police-uk-havering/lsoa-utla-lookup.csv: missing: public_sources."
        "police_uk_street.lsoa_la_lookup in config/public-havering.yaml (download it as "
        "described in docs/public-data.md, or correct the path)",
    ]


def test_resolving_a_missing_police_uk_path_is_one_line(havering, tmp_path):
    config = copy.deepcopy(havering)
    config["public_sources"]["police_uk_street"]["paths"] = [str(tmp_path / "gone")]
    # The other sources resolve first, so point them at files that exist.
    given = config["public_sources"]
    for key, value in list(given.items()):
        if key != "police_uk_street":
            given[key] = [__file__] if isinstance(value, list) else __file__
    with pytest.raises(PublicBuildError, match=r"^public_sources\.police_uk_street\.paths: .*gone"):
        resolve_sources(config, REPO)


# --------------------------------------------------------------------------------------------
# Validation: a neighbour with one measure's series and not the other's
# --------------------------------------------------------------------------------------------


def test_a_neighbour_without_one_measure_is_kept_not_a_stop():
    settings = Settings({"window": {"first_financial_year": 2024, "last_financial_year": 2024},
                         "region": {"code": LONDON, "name": "London"}})  # fmt: skip
    months = window_months(settings)
    rows = [(code, measure, month) for code in (HAVERING, LONDON, BEXLEY)
            for measure in ("a", "b") for month in months]  # fmt: skip
    rows += [("E06000035", "a", month) for month in months]
    comparators = pd.DataFrame(rows, columns=["area_code", "measure", "month"]).assign(count=1)
    neighbours = pd.DataFrame(
        {"area_code": HAVERING, "neighbour_code": [BEXLEY, "E06000035"],
         "neighbour_name": ["Bexley", "Medway"], "rank": [1, 2]}
    )  # fmt: skip
    frames = {"comparators": comparators, "neighbours": neighbours}
    assert comparators_complete(frames, settings, HAVERING) == []
    kept = neighbours_without_series(frames, settings, HAVERING)
    assert [(k["reason"], k["rows"]) for k in kept] == [(REASON_NEIGHBOUR_WITHOUT_MEASURE, 1)]
    assert kept[0]["detail"].endswith(": b") and "E06000035" in kept[0]["detail"]
    # Some months of a measure, not all: still a stop.
    gappy = {**frames, "comparators": comparators.iloc[:-1]}
    problems = comparators_complete(gappy, settings, HAVERING)
    assert len(problems) == 1 and "E06000035 a: 1 month missing" in problems[0].detail
