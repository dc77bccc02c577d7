"""An area's own LSOA counts from police.uk street files (no MPS LSOA file), and an area outside
the MPS (the City of London) built from them.

Expected counts are worked by hand on tiny files written here, or counted with the csv module
from the files following the rules the module doc states (the area's force, whole calendar
years, a Crime ID counted once, first file first), never with the adapters.
"""

from __future__ import annotations

import copy
import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.adapters import read_lsoa_bestfit_lookup
from pipeline.demo import police_uk_area as synthetic
from pipeline.demo.police_uk_files import HEADER
from pipeline.demo.police_uk_neighbours import street_row, write_csv
from pipeline.families.hotspots import measures as hotspots
from pipeline.families.hotspots.own_rate import HOT_SPOT
from pipeline.public.build import build_public_inputs
from pipeline.public.configuration import PublicBuildError, Sources, area_codes, proxy_measures
from pipeline.public.police_uk_area import (
    REASON_OTHER_TYPE,
    REASON_PART_YEAR,
    police_uk_crime_types,
    police_uk_lsoa_counts,
)
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CITY = "E09000001"
POW = "Possession of weapons"
FORCE = "Test Police"


def sources_for(paths: list[Path], forces: dict[str, str] | None = None) -> Sources:
    unused = Path("unused")
    return Sources(
        mps_borough_crime=[], mps_lsoa_crime=[], ons_mye2=[], ons_sape_lsoa=[],
        lsoa_bestfit_lookup=unused, lsoa21_boundaries=unused, dfe_neighbours=unused,
        dfe_la_codes=unused, iod2025=None, iod2019=None, police_uk_street=paths,
        police_uk_lookup=unused, police_uk_forces=forces or {},
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Tiny files worked by hand
# --------------------------------------------------------------------------------------------

#: One unchanged LSOA (E01000010) and one 2011 LSOA (E01000020) split in 2021 into E01000021
#: and E01000022, whose residents (the split weights) are 1 : 3.
LOOKUP = pd.DataFrame(
    {
        "lsoa11_code": ["E01000010", "E01000020", "E01000020"],
        "lsoa21_code": ["E01000010", "E01000021", "E01000022"],
    }
)
WEIGHTS = pd.Series({"E01000010": 100.0, "E01000021": 100.0, "E01000022": 300.0})
LSOAS21 = ["E01000010", "E01000021", "E01000022"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """2023-01 to 2023-12 and 2024-01 of 'test' (Test Police), with a few rows of every kind."""
    root = tmp_path_factory.mktemp("tiny-street")
    serial = 0

    def row(month, lsoa, crime_type=POW, force=FORCE, crime_id=None):
        nonlocal serial
        serial += 1
        return street_row(crime_id or f"{serial:064x}", month, force, lsoa, crime_type)

    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01"]
    for month in months:
        old = month < "2023-07"  # the first half-year's files carry 2011 codes
        rows = [row(month, "E01000010"), row(month, "E01000010", "Robbery")]
        if month == "2023-01":
            rows += [row(month, "E01000020") for _ in range(4)]  # split 1:3 -> 1 and 3
        if month == "2023-08":
            rows += [row(month, "E01000022"), row(month, "E01000021")]
        rows += [
            row(month, None),  # no location
            row(month, "E01009999"),  # outside the area
            row(month, "E01000020" if old else "E01000021", force="Other Police"),
            row(month, "E01000010", force="British Transport Police"),
        ]
        write_csv(root / month / f"{month}-test-street.csv", HEADER, rows)
    # The January file published again under another name (read first: names sort before
    # 'test-street'): its crimes are counted once.
    again = root / "2023-01" / "2023-01-test-again-street.csv"
    first = list(csv.reader(open(root / "2023-01" / "2023-01-test-street.csv", encoding="utf-8")))
    write_csv(again, HEADER, first[1:])
    return root


def test_counts_by_2021_lsoa_and_whole_year_worked_by_hand(tiny):
    frame, dropped = police_uk_lsoa_counts(
        sources_for([tiny]), "E09000999", LSOAS21, LOOKUP, WEIGHTS, "pow_lsoa", [POW]
    )
    counts = {(r.lsoa_code, r.year): r.count for r in frame.itertuples()}
    # E01000010: one weapons crime a month in 2023. The split 2011 LSOA's four January crimes
    # go 1 : 3 to its children, and August adds one each on 2021 codes. 2024 holds January only.
    assert counts == {("E01000010", 2023): 12, ("E01000021", 2023): 2, ("E01000022", 2023): 4}
    assert set(frame["measure"]) == {"pow_lsoa"}
    by_reason = dropped.groupby("reason")["rows"].sum()
    assert by_reason[REASON_PART_YEAR] == 1  # the 2024-01 weapons crime
    assert dropped.loc[dropped["reason"] == REASON_PART_YEAR, "detail"].tolist() == [
        "2024: 1 of 12 months held"
    ]
    assert by_reason[REASON_OTHER_TYPE] == 13  # a robbery a month
    # One a month, and the copy's where a reason before "already counted" applies (another
    # force's crime is set aside after the Crime ID check, so January's counts once).
    assert by_reason["recorded by another force inside the area"] == 13
    assert by_reason["British Transport Police (railway crime, not a territorial force's)"] == 14
    assert by_reason["no location (no LSOA code)"] == 13 + 1
    assert by_reason["located outside the area"] == 13 + 1
    # January's crimes in both files: 1 + 4 weapons, 1 robbery and the other force's.
    assert by_reason["Crime ID already counted from another file"] == 7
    # Every row of the files is counted or set aside with its reason.
    total_rows = sum(
        sum(1 for _ in open(p, encoding="utf-8")) - 1 for p in tiny.rglob("*-street.csv")
    )
    assert int(frame["count"].sum()) + int(dropped["rows"].sum()) == total_rows


def test_a_named_force_that_has_no_files_is_one_line(tiny):
    with pytest.raises(PublicBuildError, match=r"E09000999 -> 'kent'.*forces found: test"):
        police_uk_lsoa_counts(
            sources_for([tiny], {"E09000999": "kent"}), "E09000999", LSOAS21, LOOKUP,
            WEIGHTS, "pow_lsoa", [POW],
        )  # fmt: skip


def test_files_without_a_whole_year_are_refused_in_one_line(tiny, tmp_path):
    for month in ("2023-01", "2023-02"):
        target = tmp_path / month
        target.mkdir()
        (target / f"{month}-test-street.csv").write_bytes(
            (tiny / month / f"{month}-test-street.csv").read_bytes()
        )
    with pytest.raises(PublicBuildError, match=r"no complete calendar year.*2023-01, 2023-02"):
        police_uk_lsoa_counts(
            sources_for([tmp_path]), "E09000999", LSOAS21, LOOKUP, WEIGHTS, "x", [POW]
        )


@pytest.mark.parametrize(
    "groups, types",
    [
        ([POW], [POW]),
        (["Robbery", POW], [POW, "Robbery"]),
        (
            ["Homicide", "Violence with injury", "Violence without injury", "Sexual offences"],
            ["Violence and sexual offences"],
        ),
    ],
)
def test_offence_groups_map_to_whole_police_uk_types(groups, types):
    assert police_uk_crime_types(groups, "x") == types


def test_a_group_that_is_part_of_a_police_uk_type_is_refused():
    # police.uk's violence type also holds violence without injury and sexual offences: its
    # counts must never be labelled violence with injury.
    with pytest.raises(PublicBuildError, match=r"\['Violence with injury'\] cannot be counted"):
        police_uk_crime_types(["Violence with injury"], "vwi")


# --------------------------------------------------------------------------------------------
# Which areas a public configuration can build
# --------------------------------------------------------------------------------------------

CITY_CONFIG = yaml.safe_load(
    (REPO / "config/public-city-of-london.yaml").read_text(encoding="utf-8")
)


def test_an_area_outside_the_mps_needs_police_uk_files():
    config = copy.deepcopy(CITY_CONFIG)
    assert area_codes(config) == [CITY]
    del config["public_sources"]["police_uk_street"]
    with pytest.raises(PublicBuildError, match=r"\['E09000001'\] are not London boroughs policed"):
        area_codes(config)


def test_an_area_from_police_uk_needs_a_measure_police_uk_can_give():
    config = copy.deepcopy(CITY_CONFIG)
    config["definitions"]["key_metric"]["id"] = "violence_with_injury"
    with pytest.raises(PublicBuildError, match=r"cannot give.*\['violence_with_injury'\]"):
        area_codes(config)


def test_a_region_outside_london_is_refused_with_the_reason():
    config = copy.deepcopy(CITY_CONFIG)
    config["region"] = {"code": "E12000005", "name": "West Midlands"}
    with pytest.raises(PublicBuildError, match=r"sum of the 32 MPS boroughs"):
        area_codes(config)


# --------------------------------------------------------------------------------------------
# The City of London from (synthetic) police.uk files and the real public files
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_files(realdata, tmp_path_factory) -> synthetic.AreaFiles:
    return synthetic.write_area_files(
        tmp_path_factory.mktemp("city"),
        realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv",
        *synthetic.CITY_OF_LONDON,
        boundaries=realdata / "london-lsoa" / "london-2021-lsoa-gen20.shp",
    )


@pytest.fixture(scope="module")
def city_config(city_files) -> dict:
    config = copy.deepcopy(CITY_CONFIG)
    config["public_sources"]["police_uk_street"]["paths"] = [str(city_files.street)]
    return config


@pytest.fixture(scope="module")
def city_built(city_config) -> dict[str, object]:
    built = build_public_inputs(city_config, REPO)
    return {path.name: frame for path, frame in built.items()}


def independent_lsoa_counts(street: Path, area: set[str]) -> Counter:
    """City of London Police weapons crimes by (LSOA, year), whole years only, with the csv
    module: files in path order, a Crime ID counted once."""
    seen: set[str] = set()
    months: set[str] = set()
    counts: Counter = Counter()
    for path in sorted(street.rglob("*-street.csv")):
        for row in csv.DictReader(open(path, newline="", encoding="utf-8")):
            if row["Reported by"] == "British Transport Police" or not row["LSOA code"]:
                continue
            if row["LSOA code"] not in area or row["Reported by"] != "City of London Police":
                continue
            if row["Crime ID"] and row["Crime ID"] in seen:
                continue
            seen.add(row["Crime ID"])
            months.add(row["Month"])
            if row["Crime type"] == POW:
                counts[(row["LSOA code"], int(row["Month"][:4]))] += 1
    whole = {y for y in {int(m[:4]) for m in months}
             if sum(1 for m in months if m.startswith(f"{y}-")) == 12}  # fmt: skip
    return Counter({key: n for key, n in counts.items() if key[1] in whole})


def test_the_city_lsoa_counts_equal_an_independent_count(city_built, city_files):
    counts = city_built["lsoa_counts.csv"]
    area = set(city_built["lsoas.csv"]["lsoa_code"])
    assert len(area) == 6
    expected = independent_lsoa_counts(city_files.street, area)
    got = Counter({(r.lsoa_code, r.year): r.count for r in counts.itertuples() if r.count})
    assert got == expected
    assert sorted(set(counts["year"])) == [2021, 2022, 2023, 2024]  # 2025: 3 months only
    assert len(counts) == 6 * 4  # every LSOA and year, 0 where none


def test_the_city_series_come_from_its_force_and_its_neighbours_from_the_mps(city_built):
    sources = city_built["comparator_sources.csv"].set_index(["area_code", "measure"])
    city = sources.loc[(CITY, "violence_and_sexual_offences")]
    assert city["force"] == "City of London Police"
    assert city["source"] == "police.uk street-level crime"
    camden = sources.loc[("E09000007", "violence_and_sexual_offences")]
    assert camden["force"] == "Metropolitan Police Service"
    comparators = city_built["comparators.csv"]
    mine = comparators.loc[comparators["area_code"] == CITY]
    assert set(mine["measure"]) == {"violence_and_sexual_offences", "possession_of_weapons"}
    assert len(mine) == 2 * 48  # April 2021 to March 2025


def test_the_planted_hot_spot_is_found(city_built, city_config, city_files):
    table = hotspots.compute_from_counts(
        lsoas=city_built["lsoas.csv"],
        population_lsoa=city_built["population_lsoa.csv"],
        lsoa_counts=city_built["lsoa_counts.csv"],
        settings=Settings.of(city_config),
        area_code=CITY,
        boundaries=city_built["lsoa_boundaries.geojson"],
    )
    verdicts = table.loc[table["measure_id"].str.endswith("_lsoa_exceedance")]
    hot = sorted(verdicts.loc[verdicts["hotspot_class"] == HOT_SPOT, "group"])
    assert hot == [city_files.hot_spot]


def test_the_real_city_files_hold_no_whole_year_and_say_so(realdata):
    # The three real City of London Police months at hand: refused, naming them.
    config = copy.deepcopy(CITY_CONFIG)
    config["public_sources"]["police_uk_street"]["paths"] = [
        str(p) for p in sorted((realdata / "police-uk-street").glob("*city-of-london-street.csv"))
    ]
    with pytest.raises(PublicBuildError) as raised:
        build_public_inputs(config, REPO)
    message = str(raised.value)
    assert "\n" not in message
    assert "E09000001" in message
    # Its own series stop first (the window's months are not in the files), naming the reason.
    assert "no violence_and_sexual_offences series for the area itself" in message
    assert "police.uk files do not cover every month asked for" in message
    # The LSOA counts on their own: no whole calendar year, the months held named.
    lookup = read_lsoa_bestfit_lookup(
        realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv", CITY
    )
    paths = [Path(p) for p in config["public_sources"]["police_uk_street"]["paths"]]
    with pytest.raises(PublicBuildError, match=r"City of London Police crimes in the area "
                       r"\(months held: 2017-01, 2017-02, 2018-06\)"):  # fmt: skip
        police_uk_lsoa_counts(
            sources_for(paths), CITY, sorted(lookup["lsoa21_code"]), lookup, None, "x", [POW]
        )


def test_the_generator_is_deterministic_and_says_it_is_synthetic(realdata, city_files, tmp_path):
    again = synthetic.write_area_files(
        tmp_path,
        realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv",
        *synthetic.CITY_OF_LONDON,
        boundaries=realdata / "london-lsoa" / "london-2021-lsoa-gen20.shp",
    )
    names = sorted(p.relative_to(city_files.root) for p in city_files.root.rglob("*.csv"))
    assert names == sorted(p.relative_to(again.root) for p in again.root.rglob("*.csv"))
    assert all((city_files.root / n).read_bytes() == (again.root / n).read_bytes() for n in names)
    assert "SYNTHETIC" in (again.root / "README.txt").read_text(encoding="utf-8")
    assert (again.root / ".gitignore").read_text(encoding="utf-8").rstrip().endswith("*")
    assert len(names) == 3 * len(again.months)  # the force's, the Met's and BTP's, each month


# --------------------------------------------------------------------------------------------
# Labels name what the counts hold
# --------------------------------------------------------------------------------------------


def test_a_key_metric_label_naming_another_offence_is_refused():
    config = copy.deepcopy(CITY_CONFIG)
    config["definitions"]["key_metric"]["label"] = "Robbery, all ages (police.uk)"
    with pytest.raises(PublicBuildError, match=r"key_metric.label .* does not name "
                       r"\['violence and sexual offences'\]"):  # fmt: skip
        proxy_measures(config)


def test_a_where_label_naming_another_offence_is_refused(realdata):
    # The weapons file given, the label saying robbery: refused before anything is written.
    config = yaml.safe_load((REPO / "config/public.yaml").read_text(encoding="utf-8"))
    where = config["definitions"]["serious_violence_u25"]
    where["short_label"] = "robbery (a public proxy for serious violence against under-25s)"
    with pytest.raises(PublicBuildError, match=r"serious_violence_u25.short_label .* does not "
                       r"name \['Possession of Weapons'\].*mps_lsoa_crime"):  # fmt: skip
        build_public_inputs(config, REPO)


# --------------------------------------------------------------------------------------------
# The same crimes as saved police.uk API answers (public_sources.police_uk_api)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_api_built(city_config, city_files) -> dict[str, object]:
    config = copy.deepcopy(city_config)
    config["public_sources"]["police_uk_api"] = [str(city_files.api)]
    del config["public_sources"]["police_uk_street"]
    built = build_public_inputs(config, REPO)
    return {path.name: frame for path, frame in built.items()}


def test_api_answers_give_the_counts_the_street_files_give(city_api_built, city_built, city_files):
    # The generator writes one set of crimes both ways; the street route equals an independent
    # count (above), so the API route (points in polygons, repeats across answers counted
    # once, BTP out) must give the same LSOA counts and the City's own series.
    assert city_api_built["lsoa_counts.csv"].equals(city_built["lsoa_counts.csv"])

    def own(frame):
        return frame.loc[frame["area_code"] == CITY].reset_index(drop=True)

    pd.testing.assert_frame_equal(
        own(city_api_built["comparators.csv"]), own(city_built["comparators.csv"])
    )
    sources = city_api_built["comparator_sources.csv"]
    assert set(sources.loc[sources["area_code"] == CITY, "source"]) == {
        "police.uk API street-level crimes"
    }
    excluded = city_api_built["adapter-exclusions.csv"]
    api = excluded.loc[
        excluded["step"] == f"lsoa_counts {CITY} (police.uk API street-level crimes)"
    ]
    assert api.loc[api["reason"].str.startswith("repeated in another API answer"), "rows"].sum() > 0
    btp = api.loc[api["reason"].str.startswith("British Transport Police"), "rows"].sum()
    assert btp == len(city_files.months)  # one BTP crime a month


def test_the_police_uk_builds_are_byte_identical_run_to_run(city_config, city_files):
    from pipeline.public.build import file_text

    config = copy.deepcopy(city_config)
    config["public_sources"]["police_uk_api"] = [str(city_files.api)]
    first = build_public_inputs(config, REPO)
    second = build_public_inputs(config, REPO)
    assert sorted(first) == sorted(second)
    for path in first:
        assert file_text(path, first[path]) == file_text(path, second[path]), path


@pytest.mark.parametrize("key", ["police_uk_api", "police_uk_street"])
def test_a_missing_police_uk_path_is_one_line(key, city_config, tmp_path):
    from pipeline.public.configuration import resolve_sources

    # The generated files, not the committed config's data/raw paths: a clean clone has not
    # generated them, and the street check would speak first.
    config = copy.deepcopy(city_config)
    missing = str(tmp_path / "nowhere")
    if key == "police_uk_api":
        config["public_sources"][key] = [missing]
    else:
        config["public_sources"][key]["paths"] = [missing]
    with pytest.raises(PublicBuildError, match=rf"public_sources.{key}.*nowhere does not exist"):
        resolve_sources(config, REPO)


def test_source_files_expand_the_api_folder_to_its_answers(city_config, city_files):
    from pipeline.public import source_files

    config = copy.deepcopy(city_config)
    config["public_sources"]["police_uk_api"] = [str(city_files.api)]
    listed = {Path(p) for p in source_files(config, REPO)}
    answers = {p for p in city_files.api.rglob("*.json")}
    assert answers <= listed and city_files.api not in listed
    assert len(answers) == 2 * len(city_files.months)
