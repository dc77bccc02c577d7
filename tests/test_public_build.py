"""An SNA from public data alone: config/public.yaml built from the real files in
../shared/realdata (read in place, never copied into the repository).

The inputs are built once into a temporary folder. Every check compares them, or the measure
tables computed from them, with totals worked out here independently from the source files
with the csv module and xlrd. The ``realdata`` fixture skips these tests where the folder is
absent (and fails them under CI=true).
"""

from __future__ import annotations

import copy
import csv
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import xlrd
import yaml
from snakemake.utils import validate as validate_config

from pipeline.families.areas_and_periods import NEIGHBOURS_GROUP
from pipeline.families.base import FamilyInputs
from pipeline.families.hotspots import measures as hotspots
from pipeline.families.key_metric import measures as key_metric
from pipeline.families.key_metric.findings import findings as key_metric_findings
from pipeline.families.registry import compute_table, family_findings, family_named
from pipeline.public import output_paths, source_files, write_public_inputs
from pipeline.public.__main__ import main
from pipeline.public.configuration import (
    EXCLUSIONS_FILE,
    PublicBuildError,
    area_codes,
    config_for_borough,
    proxy_measures,
    resolve_sources,
)
from pipeline.settings import Settings
from pipeline.validate.cross import check_cross_inputs
from pipeline.validate.run import validate_input

AREA = "E09000031"
AREA_NAME = "Waltham Forest"
LONDON = "E12000007"
#: The April 2021 DfE neighbours of Waltham Forest (realdata README), by rank.
DFE_NEIGHBOURS = ["Enfield", "Haringey", "Croydon", "Brent", "Greenwich", "Birmingham", "Luton",
                  "Ealing", "Lewisham", "Merton"]  # fmt: skip
OUTSIDE_LONDON = {"E08000025": "Birmingham", "E06000032": "Luton"}
#: Rows of the MPS files that are not one of the 32 MPS boroughs.
NOT_MPS_BOROUGHS = {"London Heathrow and London City Airports", "Unknown", "City of London"}
MPS_FILES = ["MPS Borough Level Crime (Historical).csv",
             "MPS Borough Level Crime (most recent 24 months).csv"]  # fmt: skip
#: How each proxy is picked out of the MPS files: (column, category), compared case-blind.
PROXY_ROWS = {
    "violence_with_injury": ("MinorText", "violence with injury"),
    "possession_of_weapons": ("MajorText", "possession of weapons"),
}


@pytest.fixture(scope="module")
def public_config(repo) -> dict:
    return yaml.safe_load((repo / "config" / "public.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(realdata, repo, public_config, tmp_path_factory) -> Path:
    """config/public.yaml's inputs, written under a temporary folder."""
    out = tmp_path_factory.mktemp("public")
    write_public_inputs(public_config, root=repo, out=out)
    return out


@pytest.fixture(scope="module")
def validated(built, public_config, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every built input through its contract, as the workflow validates it."""
    reports = tmp_path_factory.mktemp("validation")
    shared = built / public_config["shared_inputs"]
    area = built / public_config["areas"][0]["inputs"]
    lsoas = validate_input("lsoas", area / "lsoas.csv", settings=Settings.of(public_config))
    codes = set(lsoas.frame["lsoa_code"])
    frames = {"lsoas": lsoas.frame}
    for kind in ("areas", "neighbours", "comparators", "population_la", "deprivation"):
        frames[kind] = validate_input(
            kind, shared / f"{kind}.csv", settings=Settings.of(public_config),
            failures_path=reports / f"{kind}.failures.csv",
        ).frame  # fmt: skip
    for kind, name in (("population_lsoa", "population_lsoa.csv"),
                       ("lsoa_counts", "lsoa_counts.csv"),
                       ("boundaries", "lsoa_boundaries.geojson")):  # fmt: skip
        frames[kind] = validate_input(
            kind, area / name, settings=Settings.of(public_config), area_lsoas=codes,
            failures_path=reports / f"{kind}.failures.csv",
        ).frame  # fmt: skip
    frames["ward_crime"] = validate_input(
        "ward_crime", area / "ward_crime.csv", settings=Settings.of(public_config),
        failures_path=reports / "ward_crime.failures.csv",
    ).frame  # fmt: skip
    from pipeline.validate.stop_search import validate_stop_search

    repo = Path(__file__).resolve().parents[1]
    frames["stop_search"] = validate_stop_search(
        [repo / f for f in public_config["stop_search"]["files"]],
        boundaries=frames["boundaries"], settings=Settings.of(public_config),
    ).frame  # fmt: skip
    return frames


@pytest.fixture(scope="module")
def key_metric_table(validated, public_config) -> pd.DataFrame:
    return key_metric.compute(
        comparators=validated["comparators"],
        population_la=validated["population_la"],
        neighbours=validated["neighbours"],
        settings=Settings.of(public_config),
        area_code=AREA,
    )


def mps_monthly_totals(realdata: Path, measure: str) -> dict[str, dict[str, int]]:
    """Borough name -> month (YYYY-MM) -> count of one proxy, read with the csv module."""
    column, category = PROXY_ROWS[measure]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name in MPS_FILES:
        with open(realdata / "mps-borough-crime" / name, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                if row[column].strip().casefold() != category:
                    continue
                for key, value in row.items():
                    if key.isdigit() and len(key) == 6:
                        totals[row["BoroughName"].strip()][f"{key[:4]}-{key[4:]}"] += int(value)
    return totals


def financial_year_total(months: dict[str, int], start_year: int) -> int:
    """April of ``start_year`` to March of the next year."""
    wanted = [f"{start_year}-{m:02d}" for m in range(4, 13)]
    wanted += [f"{start_year + 1}-{m:02d}" for m in range(1, 4)]
    return sum(months.get(month, 0) for month in wanted)


# --- The inputs pass their contracts --------------------------------------------------------


def test_every_output_is_written_and_git_ignored(built, public_config):
    for relative in output_paths(public_config):
        assert (built / relative).is_file(), relative
    root = built / Path(public_config["shared_inputs"]).parent
    for folder in (root, root / "shared", root / "waltham-forest-public"):
        assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_built_inputs_validate_and_fit_together(validated, public_config, tmp_path):
    """No Stop anywhere; the cross-input checks keep and count what public data lack."""
    failures = tmp_path / "cross-inputs.failures.csv"
    kept = check_cross_inputs(validated, settings=Settings.of(public_config), area_code=AREA,
                              failures_path=failures)  # fmt: skip
    assert pd.read_csv(failures).empty
    rows = kept.set_index("input")
    assert rows.loc["neighbours", "rows"] == 2
    assert "E06000032 (Luton" in rows.loc["neighbours", "detail"]
    assert "E08000025 (Birmingham" in rows.loc["neighbours", "detail"]
    # Only mid-2021 is supplied: 2022-24 use it, for the area, 8 London neighbours and London.
    assert rows.loc["population_la", "detail"].startswith(
        "mid-2021 used for 2022, 2023, 2024 by 10"
    )
    assert len(validated["lsoas"]) == 146  # Waltham Forest's LSOA21 (realdata README)
    assert validated["lsoas"]["ward_code"].str.startswith("E02").all()  # MSOAs as "wards"


def test_every_public_file_read_is_recorded_with_its_hash(built, repo, public_config):
    import hashlib
    import json

    path = built / Path(public_config["shared_inputs"]).parent / "public-sources-read.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    assert [r["path"] for r in records] == [p.as_posix() for p in source_files(public_config, repo)]
    for record in records:
        data = (repo / record["path"]).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest() and record["size"] == len(data)


def test_building_is_deterministic(built, repo, public_config, tmp_path):
    again = tmp_path / "again"
    written = write_public_inputs(public_config, root=repo, out=again)
    for relative in written:
        assert (again / relative).read_bytes() == (built / relative).read_bytes(), relative


# --- Comparators agree with the MPS files -----------------------------------------------------


@pytest.mark.parametrize("measure", sorted(PROXY_ROWS))
def test_area_counts_per_financial_year_match_the_mps_files(
    measure, realdata, built, public_config, key_metric_table
):
    expected = mps_monthly_totals(realdata, measure)[AREA_NAME]
    comparators = pd.read_csv(built / public_config["shared_inputs"] / "comparators.csv")
    own = comparators.loc[(comparators["area_code"] == AREA) & (comparators["measure"] == measure)]
    by_month = dict(zip(own["month"], own["count"], strict=True))
    assert by_month == dict(expected)  # every month of both files, 2010-04 to 2025-11
    for year in range(2021, 2025):
        label = f"{year}-{(year + 1) % 100:02d}"
        row = key_metric_table.loc[
            (key_metric_table["measure_id"] == f"{measure}_rate")
            & (key_metric_table["period"] == label)
            & (key_metric_table["group"] == "Area")
        ].iloc[0]
        assert int(row["numerator"]) == financial_year_total(expected, year), label
        assert row["count_source"] == key_metric.SOURCE_SERIES


@pytest.mark.parametrize("measure", sorted(PROXY_ROWS))
def test_london_is_the_sum_of_the_32_boroughs(measure, realdata, built, public_config,
                                              key_metric_table):  # fmt: skip
    totals = mps_monthly_totals(realdata, measure)
    boroughs = sorted(set(totals) - NOT_MPS_BOROUGHS)
    assert len(boroughs) == 32
    london: dict[str, int] = defaultdict(int)
    for name in boroughs:
        for month, count in totals[name].items():
            london[month] += count
    comparators = pd.read_csv(built / public_config["shared_inputs"] / "comparators.csv")
    rows = comparators.loc[
        (comparators["area_code"] == LONDON) & (comparators["measure"] == measure)
    ]
    assert dict(zip(rows["month"], rows["count"], strict=True)) == dict(london)
    edition = key_metric_table.loc[
        (key_metric_table["measure_id"] == f"{measure}_rate")
        & (key_metric_table["period"] == "2024-25")
        & (key_metric_table["group"] == "London")
    ].iloc[0]
    assert int(edition["numerator"]) == financial_year_total(london, 2024)


def mye_persons(realdata: Path) -> dict[str, int]:
    """ONS code -> 'All ages' of MYE2 'Persons' (a sheet the adapter does not read), by xlrd."""
    book = xlrd.open_workbook(
        realdata / "ons-mye" / "ukpopestimatesmid2021on2021geographyfinal.xls"
    )
    sheet = book.sheet_by_name("MYE2 - Persons")
    header = next(i for i in range(30) if "Code" in sheet.row_values(i))
    labels = sheet.row_values(header)
    code, total = labels.index("Code"), labels.index("All ages")
    return {
        str(sheet.cell_value(i, code)): int(sheet.cell_value(i, total))
        for i in range(header + 1, sheet.nrows)
        if str(sheet.cell_value(i, code)).startswith("E")
    }


def test_rates_use_the_ons_persons_totals(realdata, key_metric_table):
    """The area's residents are MYE2 'Persons'; London's are the 32 MPS boroughs' (the City of
    London, which the MPS does not police, is left out, as it is from London's offences)."""
    persons = mye_persons(realdata)
    boroughs = [f"E09{n:06d}" for n in range(2, 34)]
    area_rows = key_metric_table.loc[key_metric_table["group"] == "Area"]
    assert set(area_rows["denominator"].astype(int)) == {persons[AREA]}
    assert set(area_rows["population_year"]) == {2021}
    london_rows = key_metric_table.loc[key_metric_table["group"] == "London"]
    london = sum(persons[code] for code in boroughs)
    assert set(london_rows["denominator"].astype(int)) == {london}
    assert london == persons[LONDON] - persons["E09000001"]
    # Each later year says that it uses mid-2021.
    later = area_rows.loc[area_rows["period"] == "2024-25", "note"].iloc[0]
    assert "mid-2024 population not available; mid-2021 used" in later


# --- Neighbours: all ten, those outside London listed as missing --------------------------


def test_all_ten_dfe_neighbours_with_those_outside_london_missing(
    built, public_config, key_metric_table
):
    shared = built / public_config["shared_inputs"]
    neighbours = pd.read_csv(shared / "neighbours.csv")
    assert neighbours["neighbour_name"].tolist() == DFE_NEIGHBOURS
    assert neighbours["rank"].tolist() == list(range(1, 11))
    comparators = pd.read_csv(shared / "comparators.csv")
    assert not set(OUTSIDE_LONDON) & set(comparators["area_code"])  # no MPS data for them
    exclusions = pd.read_csv(built / Path(public_config["shared_inputs"]).parent / EXCLUSIONS_FILE)
    missing = exclusions.loc[exclusions["reason"].str.startswith("no MPS data for this area")]
    assert sorted(set(missing["detail"])) == sorted(OUTSIDE_LONDON)
    pooled = key_metric_table.loc[
        (key_metric_table["group"] == NEIGHBOURS_GROUP) & (key_metric_table["period"] == "2024-25")
    ]
    for note in pooled["note"]:
        assert note.startswith("pooled over 8 of 10 neighbours")
        for code, name in OUTSIDE_LONDON.items():
            assert f"missing: {name} ({code})" in note
    area_note = key_metric_table.loc[
        (key_metric_table["group"] == "Area") & (key_metric_table["period"] == "2024-25"), "note"
    ].iloc[0]
    assert "neighbour missing: Birmingham (E08000025)" in area_note


# --- LSOA level: bridging keeps every offence and resident -----------------------------------


def test_lsoa_counts_total_the_weapons_file_for_the_area(realdata, validated, public_config):
    expected: dict[int, int] = defaultdict(int)
    path = realdata / "london-lsoa" / "london-2011-2021-major-weapons.csv"
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["LAD11CD"] == AREA:
                for year in range(2011, 2022):
                    expected[year] += int(float(row[str(year)]))
    counts = validated["lsoa_counts"]
    assert counts.groupby("year")["count"].sum().to_dict() == dict(expected)
    assert set(counts["measure"]) == {"possession_of_weapons_lsoa"}
    # The "where" measures use the latest year, 2021, and account for every offence.
    table = hotspots.compute(
        lsoas=validated["lsoas"], population_lsoa=validated["population_lsoa"],
        lsoa_counts=counts, settings=Settings.of(public_config), area_code=AREA,
    )  # fmt: skip
    rates = table.loc[table["measure_id"] == "possession_of_weapons_lsoa_lsoa_rate"]
    assert set(rates["period"]) == {"2021 (calendar year)"}
    assert int(rates["numerator"].sum()) == expected[2021]
    recon = table.loc[table["measure_id"] == "possession_of_weapons_lsoa_row_reconciliation"]
    assert recon.set_index("group").loc["rows read", "numerator"] == sum(expected.values())


def test_lsoa_population_totals_the_small_area_estimates(realdata, validated):
    """One file per mid-year (mid-2019 and mid-2020): each year's residents, bridged to 2021
    LSOAs, total the file's (csv module)."""
    population = validated["population_lsoa"]
    for year in (2019, 2020):
        expected = 0
        with open(realdata / "london-lsoa" / f"london-mid{year}-pop.csv", newline="",
                  encoding="utf-8-sig") as handle:  # fmt: skip
            for row in csv.DictReader(handle):
                if row["LAD11CD"] == AREA:
                    expected += int(row["Males_All-Ages"]) + int(row["Females_All-Ages"])
        of_year = population.loc[population["year"] == year]
        assert int(of_year["population"].sum()) == expected, year
        assert of_year["area_code"].nunique() == 146
    assert set(population["year"]) == {2019, 2020}


def test_two_small_area_files_of_one_mid_year_are_one_message(realdata, repo, public_config,
                                                              tmp_path, capsys):  # fmt: skip
    config = copy.deepcopy(public_config)
    same = config["public_sources"]["ons_sape_lsoa"][-1]
    config["public_sources"]["ons_sape_lsoa"] = [same, same]
    path = tmp_path / "public.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    status = main(["--config", str(path), "--root", str(repo), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "london-mid2020-pop.csv and london-mid2020-pop.csv are both mid-2020" in err


def test_deprivation_is_iod2025_for_every_lsoa(realdata, validated):
    path = realdata / "iod2025" / "EXTRACT_File_1_IoD2025_IMD_waltham-forest.csv"
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rank = next(i for i, h in enumerate(header) if "Rank" in h)
        expected = {row[0]: int(row[rank]) for row in reader}
    deprivation = validated["deprivation"]
    assert set(deprivation["iod_edition"]) == {"IoD2025"}
    assert dict(zip(deprivation["lsoa_code"], deprivation["imd_rank"], strict=True)) == expected


# --- What public data cannot give ------------------------------------------------------------


def test_victim_measures_are_not_available(public_config):
    for family in ("disproportionality", "timing"):
        table = compute_table(
            family_named(family), FamilyInputs({}, Settings.of(public_config), AREA)
        )
        assert set(table["measure_id"]) == {f"{family}_not_available"}
        assert table["value"].isna().all() and table["numerator"].isna().all()
        assert (
            table["note"]
            .str.startswith("not available from public data: needs record-level victim data (")
            .all()
        )
        (finding,) = family_findings(family_named(family), table, Settings.of(public_config))
        assert finding.status == "Not available"
        assert "public data" in finding.resident


def test_proxies_are_named_as_proxies(public_config, key_metric_table):
    for finding in key_metric_findings(key_metric_table, Settings.of(public_config)):
        assert "a public proxy" in finding.resident
        assert "a public proxy" in finding.technical
        assert "victim" not in finding.resident and "hurt" not in finding.resident


# --- Another borough by its code ----------------------------------------------------------


def test_another_london_borough_by_code(realdata, repo, tmp_path, capsys):
    """Hackney (no IoD2025 rows in the extract): its own configuration, folders and dataset,
    and IoD2019 bridged to its 2021 LSOAs."""
    written = tmp_path / "public-hackney.yaml"
    # The ward file here is Waltham Forest's rows only: without it (the next test has it).
    given = yaml.safe_load((repo / "config" / "public.yaml").read_text(encoding="utf-8"))
    given["public_sources"].pop("mps_ward_crime")
    base = tmp_path / "public.yaml"
    base.write_text(yaml.safe_dump(given), encoding="utf-8")
    status = main(["--config", str(base), "--root", str(repo),
                   "--out", str(tmp_path), "--borough", "E09000012",
                   "--write-config", str(written)])  # fmt: skip
    assert status == 0, capsys.readouterr().err
    config = yaml.safe_load(written.read_text(encoding="utf-8"))
    validate_config(config, str(repo / "schemas" / "config.schema.yaml"))
    assert config["areas"] == [
        {"code": "E09000012", "slug": "hackney-public", "name": "Hackney",
         "inputs": "data/raw/public-hackney/hackney-public",
         "narrative": "config/narrative/demo-generic.yaml"}
    ]  # fmt: skip
    assert (config["dataset"], config["shared_inputs"]) == (
        "public-hackney", "data/raw/public-hackney/shared",
    )  # fmt: skip
    shared = tmp_path / config["shared_inputs"]
    lsoas = pd.read_csv(tmp_path / config["areas"][0]["inputs"] / "lsoas.csv")
    deprivation = pd.read_csv(shared / "deprivation.csv")
    assert set(deprivation["lsoa_code"]) == set(lsoas["lsoa_code"])
    assert set(deprivation["iod_edition"]) == {"IoD2019"}
    neighbours = pd.read_csv(shared / "neighbours.csv")
    assert (neighbours["area_code"] == "E09000012").all() and len(neighbours) == 10
    assert not (tmp_path / "data" / "raw" / "public").exists()  # Waltham Forest's untouched


def test_a_ward_file_without_the_boroughs_wards_is_one_message(realdata, repo, tmp_path, capsys):
    status = main(["--config", str(repo / "config" / "public.yaml"), "--root", str(repo),
                   "--out", str(tmp_path), "--borough", "E09000012",
                   "--write-config", str(tmp_path / "hackney.yaml")])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert status == 1 and "Traceback" not in err
    assert "public_sources.mps_ward_crime" in err and "no ward of E09000012" in err
    assert "remove the key to build without wards" in err


def test_source_files_are_every_file_read(realdata, repo, public_config):
    files = source_files(public_config, repo)
    assert all((repo / f).is_file() for f in files)
    names = {f.name for f in files}
    assert {"london-2021-lsoa-gen20.shp", "london-2021-lsoa-gen20.dbf"} <= names
    assert len(files) == 17  # 11 keys, three lists of two and one, four shapefile parts
    assert "EXTRACT_MPS_Ward_Level_Crime_Historical_waltham-forest.csv" in names


# --- Clear errors for configurations public data cannot serve (no real files needed) --------


def test_only_mps_london_boroughs_can_be_built(public_config):
    with pytest.raises(PublicBuildError, match="E09000001 is not a London borough policed by"):
        config_for_borough(public_config, "E09000001")  # the City of London Police's area
    outside = {**public_config, "areas": [{**public_config["areas"][0], "code": "E08000025"}]}
    with pytest.raises(PublicBuildError, match=r"areas: \['E08000025'\] are not London boroughs"):
        area_codes(outside)


def test_proxy_ids_must_be_mps_measures(public_config):
    config = copy.deepcopy(public_config)
    config["definitions"]["key_metric"]["id"] = "kcwi_1_24"
    with pytest.raises(PublicBuildError, match=r"ids \['kcwi_1_24'\] are not MPS proxy measures"):
        proxy_measures(config)


def test_a_missing_public_file_is_named(public_config, tmp_path):
    with pytest.raises(PublicBuildError, match=r"public_sources.mps_borough_crime: .* does not"):
        resolve_sources(public_config, tmp_path)  # nothing is downloaded under tmp_path


# --- The command line: one message, never a traceback (no real files needed) ---------------


def run_public(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline.public`` in ``tmp_path``, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.public", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )


def hand_made_sources(public_config: dict, tmp_path: Path, content: bytes = b"") -> Path:
    """A copy of config/public.yaml whose public files are tiny files in ``tmp_path``."""
    config = copy.deepcopy(public_config)
    for key, value in config["public_sources"].items():
        entries = value if isinstance(value, list) else [value]
        names = [Path(v["path"] if isinstance(v, dict) else v).name for v in entries]
        for name in names:
            (tmp_path / name).write_bytes(content)
        renamed = [
            {**v, "path": n} if isinstance(v, dict) else n
            for v, n in zip(entries, names, strict=True)
        ]
        config["public_sources"][key] = renamed if isinstance(value, list) else renamed[0]
    path = tmp_path / "public.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def assert_one_message(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip() == f"python -m pipeline.public: {expected}"


DFE_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "an empty file"),
        (b"time_period,geographic_level\n2024,Caf\xe9\n", "bytes that are not UTF-8 text"),
    ],
)
def test_an_unreadable_public_file_is_one_message(public_config, tmp_path, content, found):
    config = hand_made_sources(public_config, tmp_path, content)
    result = run_public(tmp_path, "--config", config.name)
    assert_one_message(
        result, f"{DFE_FILE}: expected DfE EES population estimates (CSV, UTF-8), found {found}"
    )


def test_a_public_file_in_another_format_is_one_message(public_config, tmp_path):
    config = hand_made_sources(public_config, tmp_path, b"a,b\n1,2\n")
    result = run_public(tmp_path, "--config", config.name)
    assert_one_message(
        result,
        f"{DFE_FILE}, column 'time_period': not a DfE EES population estimates file: missing "
        "column(s) ['time_period', 'geographic_level', 'country_code', 'region_code', "
        "'old_la_code', 'new_la_code', 'la_name', 'age_group', 'population_estimate']",
    )


def test_configuration_mistakes_are_one_message(public_config, tmp_path):
    (tmp_path / "broken.yaml").write_text("edition: [2024-25\n", encoding="utf-8")
    assert_one_message(
        run_public(tmp_path, "--config", "broken.yaml"),
        "broken.yaml, line 2, column 1: expected ',' or ']', but got '<stream end>' (while "
        "parsing a flow sequence on line 1)",
    )
    assert_one_message(
        run_public(tmp_path, "--config", "absent.yaml"), "absent.yaml: the file does not exist"
    )
    config = hand_made_sources(public_config, tmp_path)
    wrong = yaml.safe_load(config.read_text(encoding="utf-8"))
    wrong["edition"] = "2023-24"
    config.write_text(yaml.safe_dump(wrong), encoding="utf-8")
    result = run_public(tmp_path, "--config", config.name)
    assert_one_message(
        result,
        "public.yaml: edition: '2023-24' does not match the window, whose last financial year "
        "2024 is '2024-25'; set edition: \"2024-25\" (it names the folder "
        "reports/<area>/<edition>/)",
    )
    (tmp_path / DFE_FILE).unlink()
    config.write_text(yaml.safe_dump({**wrong, "edition": "2024-25"}), encoding="utf-8")
    result = run_public(tmp_path, "--config", config.name)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"public_sources.dfe_la_codes: {DFE_FILE} does not exist" in result.stderr


def test_a_wrong_command_line_exits_with_status_2(tmp_path):
    result = run_public(tmp_path, "--borough", "E09000012")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--borough needs --write-config" in result.stderr


def test_an_internal_error_is_one_line_naming_the_log(public_config, tmp_path):
    """A bug (here: the build raising a RuntimeError) is not blamed on the inputs."""
    config = hand_made_sources(public_config, tmp_path)
    script = (
        "import sys, pipeline.public.__main__ as cli\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('bug')\n"
        "cli.write_public_inputs = broken\n"
        f"sys.exit(cli.main(['--config', '{config.name}']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )
    assert_one_message(
        result,
        "internal error (RuntimeError), not a problem with the inputs; the traceback is in "
        "logs/pipeline.public.log",
    )
    log = (tmp_path / "logs/pipeline.public.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "RuntimeError: bug" in log


def test_every_public_claim_is_licensed_by_its_evidence(validated, public_config, tmp_path):
    """The public-data edition's findings, computed as the workflow computes them, make no
    claim their evidence does not allow (issue 14; the demo's are in tests/test_claims.py)."""
    from pipeline.families.registry import edition_family_names
    from pipeline.runtime import write_parquet
    from pipeline.steps import measures_step
    from tests.test_claims import claim_problems, edition_findings

    paths = {}
    for kind, frame in validated.items():
        paths[kind] = str(tmp_path / f"{kind}.parquet")
        write_parquet(frame, paths[kind])
    names = edition_family_names(Settings.of(public_config))
    out = tmp_path / "measures"
    measures_step(
        paths,
        tables={f: str(out / f"{f}.csv") for f in names},
        findings={f: str(out / f"{f}.findings.json") for f in names},
        settings=public_config,
        area_code=AREA,
    )
    findings = edition_findings(out)
    assert len(findings) >= len(names)
    assert not claim_problems(findings), "\n".join(claim_problems(findings))


# --- The reports' words on the real public build ---------------------------------------------


@pytest.fixture(scope="module")
def public_reports(built, repo, public_config, tmp_path_factory) -> dict[str, str]:
    """Both reports of config/public.yaml rendered (HTML) from the built inputs, with the
    workflow's own steps (validation, measures, charts, context), as the preview does."""
    from pipeline.charts.build import build_charts
    from pipeline.charts.store import write_charts
    from pipeline.config_checks import load_narrative
    from pipeline.editions import report_variants
    from pipeline.layout import Layout
    from pipeline.render.context import build_context
    from pipeline.render.html import render_report
    from pipeline.render.preview import PREVIEW_PROVENANCE, compute_measures, load_measures
    from pipeline.runtime import read_parquet
    from pipeline.steps import adapter_reconciliation
    from pipeline.validate.dictionary import data_dictionary

    config = copy.deepcopy(public_config)
    config["shared_inputs"] = str(built / public_config["shared_inputs"])
    config["areas"] = [{**config["areas"][0], "inputs": str(built / config["areas"][0]["inputs"]),
                        "narrative": str(repo / config["areas"][0]["narrative"])}]  # fmt: skip
    settings = Settings.of(config)
    area = settings.areas[0]
    out = tmp_path_factory.mktemp("public-reports")
    layout = Layout(settings.dataset, processed=str(out / "processed"))
    from pipeline.families.catalogue import edition_family_names

    names = edition_family_names(settings)
    assert "wards" in names  # config/public.yaml gives the MPS ward file
    tables, findings = load_measures(compute_measures(config, layout), names)
    shapes = read_parquet(layout.validated_file(area.slug, "boundaries"))
    reconciliation = [
        pd.read_csv(p)
        for p in sorted(Path(layout.validation_reports).rglob("*.reconciliation.csv"))
    ]
    exclusions = built / Path(public_config["shared_inputs"]).parent / EXCLUSIONS_FILE
    reconciliation.append(adapter_reconciliation(str(exclusions)))  # fmt: skip
    html = {}
    for variant in report_variants(settings):
        charts = out / "charts"
        built_charts = build_charts(tables, shapes, settings, area, variant.report,
                                    variant.circulation)  # fmt: skip
        write_charts(built_charts, charts, variant.name)
        context = build_context(
            audience=variant.report, circulation=variant.circulation, tables=tables,
            findings=findings, chart_dir=charts, template_dir=repo / "templates",
            narrative=load_narrative(area.narrative), settings=settings, area=area,
            provenance=PREVIEW_PROVENANCE, reconciliation=reconciliation,
            dictionary=data_dictionary(),
        )  # fmt: skip
        html[variant.report] = render_report(context, repo / "templates", variant.report)
    return html


def visible_text(html: str) -> str:
    """The page's text, one space between words (styles, SVG and tags removed)."""
    import html as htmllib
    import re

    text = re.sub(r"<style.*?</style>|<svg.*?</svg>", " ", html, flags=re.DOTALL)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", text)).split())


WARD_FILE = "mps-ward-crime/EXTRACT_MPS_Ward_Level_Crime_Historical_waltham-forest.csv"


def ward_file_counts(realdata: Path, column: str, category: str, start_year: int) -> dict:
    """Counts by ward code of one MPS category over a financial year, with the csv module."""
    months = [f"{start_year + (m < 4)}{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
    counts: dict[str, int] = defaultdict(int)
    with open(realdata / WARD_FILE, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row[column].casefold() == category.casefold():  # the file is upper case
                counts[row["WardCode"]] += sum(int(row[m] or 0) for m in months)
    return dict(counts)


def test_the_where_sections_give_the_real_wards_and_call_msoas_msoas(public_reports, validated):
    """With the MPS ward file (config/public.yaml) the ward table is by 2022 ward (E05); the
    LSOA list's parents are MSOAs (E02), still named as such where hot spots are placed."""
    assert validated["lsoas"]["ward_code"].str.startswith("E02").all()
    for audience, html in public_reports.items():
        text = visible_text(html)
        assert "MSOAs with the highest rates:" not in text, audience  # replaced by the wards
        assert "Police recorded crime by ward, 2021-22" in text, audience
        assert f"All wards ({AREA_NAME})" in text, audience
        assert len(set(re.findall(r"\bE05\d{6}\b", text))) == 22, audience
        assert re.search(r"We found hot spots in [^.]* MSOAs?\.", text), audience
        assert "The ward files supplied do not cover 2024-25" in text, audience


def test_ward_counts_and_their_reconciliation_match_the_ward_file(realdata, validated,
                                                                  public_config):  # fmt: skip
    from pipeline.families.wards import measures as wards

    table = wards.compute(
        ward_crime=validated["ward_crime"], comparators=validated["comparators"],
        settings=Settings.of(public_config), area_code=AREA,
    )  # fmt: skip
    for measure, (column, category) in (
        ("possession_of_weapons", ("MajorText", "Possession of Weapons")),
        ("violence_with_injury", ("MinorText", "Violence with Injury")),
    ):
        expected = ward_file_counts(realdata, column, category, 2021)
        rows = table.loc[(table["measure_id"] == f"{measure}_ward_count")
                         & (table["period"] == "2021-22")]  # fmt: skip
        assert dict(zip(rows["group"], rows["numerator"].astype(int), strict=True)) == {
            code: expected.get(code, 0) for code in rows["group"]
        }
        assert len(rows) == 22 and (rows["denominator"] == sum(expected.values())).all()
    is_reconciliation = table["measure_id"].str.endswith("_ward_reconciliation")
    reconciliation = table.loc[is_reconciliation & (table["period"] == "2021-22")]
    reconciliation = reconciliation.set_index("definition_id")
    # The published 2021-22 totals: weapons 204 by ward, 207 by borough; violence with injury
    # 2,028 in both (docs/public-data.md).
    assert reconciliation.loc["possession_of_weapons", ["numerator", "denominator", "value"]
                              ].tolist() == [204, 207, -3]  # fmt: skip
    assert reconciliation.loc["violence_with_injury", "value"] == 0
    partial = table.loc[is_reconciliation & (table["period"] == "2022-23")]
    assert partial["value"].isna().all() and partial["note"].str.contains("10").all()
    assert "2023-24" not in set(table["period"])  # the file ends in January 2023


STOP_SEARCH_FILE = "police-uk-stop-search/2022-09-metropolitan-stop-and-search.csv"


def test_stop_and_search_counts_the_searches_inside_the_borough(realdata, validated, public_config,
                                                                public_reports):  # fmt: skip
    """The September 2022 Metropolitan file: the searches whose point lies in a Waltham Forest
    LSOA (shapely, the boundaries read with pyogrio), and the words say which month it is."""
    import pyogrio
    import shapely

    shapes = pyogrio.read_dataframe(realdata / "london-lsoa" / "london-2021-lsoa-gen20.shp")
    lad = next(c for c in shapes.columns if re.fullmatch(r"LAD\d\dCD", c, re.I))
    borough = shapely.union_all(shapes.loc[shapes[lad] == AREA].to_crs(27700).geometry.to_numpy())
    inside = 0
    with open(realdata / STOP_SEARCH_FILE, newline="", encoding="utf-8-sig") as handle:
        points = [(float(r["Longitude"]), float(r["Latitude"])) for r in csv.DictReader(handle)
                  if r["Longitude"] and r["Latitude"]]  # fmt: skip
    import pyproj

    to_grid = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)
    for lon, lat in points:
        inside += borough.covers(shapely.Point(*to_grid.transform(lon, lat)))
    assert len(validated["stop_search"]) == inside > 100
    said = (f"The police carried out {inside} stop and searches in the area in 2022-23 (the "
            "files supplied hold September 2022 only, not 2024-25).")  # fmt: skip
    assert said in visible_text(public_reports["technical"])


def test_the_population_sentence_names_mid_2021_for_every_year(public_reports):
    """Only mid-2021 is configured (ons_mye2), and the LSOA estimates are mid-2020."""
    text = visible_text(public_reports["technical"])
    assert (
        "Population: ONS mid-year estimates, mid-2021 for 2021-22 to 2024-25 (the latest mid-year "
        "supplied at or before each year's own), residents of all ages." in text
    )
    assert "mid-2024" not in text.split("Data sources and vintages")[1].split("Data quality")[0]
    assert ("Small-area population (where and deprivation): ONS small-area estimates for "
            "mid-2020, residents of all ages, by LSOA.") in text  # fmt: skip


def test_the_definitions_and_methods_name_the_proxies_ages(public_reports, public_config):
    text = visible_text(public_reports["technical"])
    definitions = text.split("Definitions and their versions")[-1].split("Data sources")[0]
    assert "0 to 120" not in definitions and definitions.count("all ages") >= 3
    assert "Ages (public proxies count offences against victims of any age)" in definitions
    # Each section counted from a proxy names it before the method that names victims.
    for key in ("key_metric", "serious_violence_u25"):
        label = Settings.of(public_config).definitions.metric(key).label
        assert f"victim extract: {label}" in text, key
    # key metric, trend, where, deprivation and months (from the proxies' monthly series)
    assert text.count("In this edition the measures of this section are counted") == 5


def test_pooled_neighbours_say_how_many_have_data(public_reports):
    """8 of the 10 DfE neighbours are MPS boroughs (Birmingham and Luton are not)."""
    with_data = len(set(DFE_NEIGHBOURS) - set(OUTSIDE_LONDON.values()))
    label = f"Similar boroughs (pooled, {with_data} of {len(DFE_NEIGHBOURS)} with data)"
    for audience, html in public_reports.items():
        text = visible_text(html)
        assert f"{label}: rate" in text, audience
        assert "Similar boroughs (pooled):" not in text, audience
    technical = visible_text(public_reports["technical"])
    assert f"Statistical neighbours (pooled, {with_data} of 10 with data)" in technical


def test_every_public_input_reconciles_in_the_technical_report(public_reports, built,
                                                               public_config):  # fmt: skip
    """No 'DOES NOT BALANCE'; each validated input balances; each public file's set-aside
    rows are the sum of its rows in adapter-exclusions.csv (read here with the csv module)."""
    text = visible_text(public_reports["technical"])
    assert "DOES NOT BALANCE" not in text and " 0 rows read" not in text
    path = built / Path(public_config["shared_inputs"]).parent / EXCLUSIONS_FILE
    set_aside: dict[str, int] = defaultdict(int)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            set_aside[row["source"]] += int(row["rows"])
    for source, rows in set_aside.items():
        assert f"public file: {source}: {rows:,} source rows set aside" in text, source
    # Every input's reconciliation is one sentence, whether rows were excluded or not.
    for kind in ("areas", "boundaries", "comparators", "deprivation", "lsoa_counts", "lsoas",
                 "neighbours", "population_la", "population_lsoa", "ward_crime",
                 "stop_search"):  # fmt: skip
        match = re.search(rf"\b{kind}: ([\d,]+) rows read = ([\d,]+) used \+ ([\d,]+) excluded "
                          r"\(balances\)", text)  # fmt: skip
        assert match, kind
        read, used, excluded = (int(g.replace(",", "")) for g in match.groups())
        assert read == used + excluded > 0, kind


# --- Definitions from several MPS LSOA files -----------------------------------------------

WEAPONS_LSOA = "london-lsoa/london-2011-2021-major-weapons.csv"


def _with_lsoa_files(public_config: dict, files: list, groups: list[str]) -> dict:
    config = copy.deepcopy(public_config)
    config["public_sources"]["mps_lsoa_crime"] = files
    config["definitions"]["serious_violence_u25"]["offence_groups"] = groups
    return config


def test_a_definition_of_two_major_categories_adds_their_files(realdata, repo, public_config,
                                                               tmp_path, built):  # fmt: skip
    # A second file in the same layout (the weapons counts again, named Robbery here): the
    # LSOA counts are the two files' sum, twice the weapons counts.
    second = tmp_path / "robbery.csv"
    second.write_bytes((realdata / WEAPONS_LSOA).read_bytes())
    config = _with_lsoa_files(
        public_config,
        [{"path": f"../shared/realdata/{WEAPONS_LSOA}", "major_category": "Possession of Weapons"},
         {"path": str(second), "major_category": "Robbery"}],
        ["Possession of weapons", "Robbery"],
    )  # fmt: skip
    where = config["definitions"]["serious_violence_u25"]
    where["label"] = where["short_label"] = "Possession of weapons and robbery by LSOA (MPS)"
    out = tmp_path / "out"
    write_public_inputs(config, root=repo, out=out)
    area = public_config["areas"][0]["inputs"]
    doubled = pd.read_csv(out / area / "lsoa_counts.csv")
    single = pd.read_csv(built / area / "lsoa_counts.csv")
    merged = single.merge(doubled, on=["lsoa_code", "year", "measure"], suffixes=("", "_two"))
    assert len(merged) == len(single) == len(doubled)
    # The bridge to 2021 LSOAs conserves each year's total (a split LSOA's share is rounded).
    totals = merged.groupby("year")[["count", "count_two"]].sum()
    assert (totals["count_two"] == 2 * totals["count"]).all() and totals["count"].sum() > 0
    assert (merged["count_two"] - 2 * merged["count"]).abs().max() <= 1


@pytest.mark.parametrize(
    ("files", "groups", "message"),
    [
        ([{"path": WEAPONS_LSOA, "major_category": "Violence Against the Person"}],
         ["Possession of weapons"],
         "holds ['Violence Against the Person'] but definitions.serious_violence_u25"),
        ([{"path": WEAPONS_LSOA, "major_category": "Possession of Weapons"}, WEAPONS_LSOA],
         ["Possession of weapons"], "with several files, name each one's major_category"),
        ([{"path": WEAPONS_LSOA, "major_category": "Robbery"},
          {"path": WEAPONS_LSOA, "major_category": "robbery"}],
         ["Robbery"], "given in more than one file (counted twice)"),
        ([{"path": WEAPONS_LSOA, "major_category": "Knives"}], ["Possession of weapons"],
         "['Knives'] are not MPS major categories"),
    ],
)  # fmt: skip
def test_lsoa_files_that_do_not_hold_the_definition_are_one_message(
    realdata, repo, public_config, tmp_path, capsys, files, groups, message
):
    given = [
        {**f, "path": f"../shared/realdata/{f['path']}"}
        if isinstance(f, dict)
        else f"../shared/realdata/{f}"
        for f in files
    ]
    path = tmp_path / "public.yaml"
    path.write_text(yaml.safe_dump(_with_lsoa_files(public_config, given, groups)), "utf-8")
    status = main(["--config", str(path), "--root", str(repo), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and message in err, err
