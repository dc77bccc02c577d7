"""The MPS ward-level crime adapter on the real Waltham Forest extract in ../shared/realdata
(read in place, never copied), checked against the csv module and the published facts of
../shared/realdata/README.md: Waltham Forest 2021-22, violence with injury 2,028 by ward and
by borough; possession of weapons 204 by ward, 207 by borough. Skips where the folder is absent
(fails with CI=true: the ``realdata`` fixture)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from pipeline.adapters import read_mps_borough_crime, read_mps_ward_crime
from pipeline.adapters.mps_ward_tables import (
    NO_POPULATION,
    reconcile_with_borough,
    ward_measures,
    ward_tables,
)
from pipeline.public.__main__ import main

pytestmark = pytest.mark.realdata

REPO = Path(__file__).resolve().parents[1]
WALTHAM_FOREST = "E09000031"
WARD_FILE = "mps-ward-crime/EXTRACT_MPS_Ward_Level_Crime_Historical_waltham-forest.csv"
BOROUGH_HISTORICAL = "mps-borough-crime/MPS Borough Level Crime (Historical).csv"
FY_2021 = [f"2021{m:02d}" for m in range(4, 13)] + [f"2022{m:02d}" for m in range(1, 4)]


@pytest.fixture(scope="module")
def ward_file(realdata: Path) -> Path:
    return realdata / WARD_FILE


@pytest.fixture(scope="module")
def ward_rows(ward_file: Path) -> list[dict[str, str]]:
    with open(ward_file, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ward_crime(ward_file: Path):
    return read_mps_ward_crime(ward_file, area_code=WALTHAM_FOREST)


@pytest.fixture(scope="module")
def public_config() -> dict:
    return yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))


def test_the_extract_is_crlf_with_a_refreshed_date_column(ward_file):
    raw = ward_file.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 600
    header = raw.split(b"\r\n", 1)[0].decode("utf-8-sig").split(",")
    assert header[:5] == ["WardName", "WardCode", "MajorText", "MinorText", "LookUp_BoroughName"]
    assert header[5] == "201004" and header[-2] == "202301" and header[-1] == "Refreshed Date"


def test_the_22_wards_of_2022_with_every_count_of_the_file(ward_crime, ward_rows):
    frame = ward_crime.frame
    wards = {row["WardCode"]: row["WardName"] for row in ward_rows}
    assert len(wards) == 22 and all(code.startswith("E0501") for code in wards)
    assert dict(frame.drop_duplicates("ward_code")[["ward_code", "ward_name"]].values) == wards
    assert set(frame["area_code"]) == {WALTHAM_FOREST}
    assert frame["month"].min() == "2010-04" and frame["month"].max() == "2023-01"
    months = [c for c in ward_rows[0] if c.isdigit()]
    assert frame["count"].sum() == sum(int(row[m]) for row in ward_rows for m in months)
    assert len(frame) == len(ward_rows) * len(months)
    assert ward_crime.rows_excluded == 0


def test_2021_22_ward_totals_are_the_published_ones(ward_crime, ward_rows, public_config):
    """2,028 violence with injury and 204 possession of weapons (README facts), also summed
    here from the file with the csv module."""
    by_csv = {
        minor: sum(int(r[m]) for r in ward_rows if r["MinorText"] == minor for m in FY_2021)
        for minor in ("VIOLENCE WITH INJURY", "POSSESSION OF WEAPONS")
    }
    assert by_csv == {"VIOLENCE WITH INJURY": 2028, "POSSESSION OF WEAPONS": 204}
    measures = ward_measures(public_config["definitions"])
    table = ward_tables(ward_crime.frame, measures)
    year = table.loc[table["period"] == "2021-22"]
    totals = year.groupby("definition")["count"].sum().to_dict()
    assert totals == {"key_metric": 2028, "under_18_metric": 204, "serious_violence_u25": 204}
    assert (year["months_covered"] == 12).all() and len(year) == 3 * 22
    assert year.groupby("definition")["share"].sum().round(12).eq(1).all()
    assert year["note"].eq(NO_POPULATION).all() and year["rate"].isna().all()


def test_reconciliation_with_the_borough_file_states_the_difference(
    ward_crime, realdata, public_config
):
    borough = read_mps_borough_crime(realdata / BOROUGH_HISTORICAL).frame
    measures = ward_measures(public_config["definitions"])
    table = reconcile_with_borough(ward_crime.frame, borough, measures)
    row = table.loc[table["period"] == "2021-22"].set_index("definition")
    compared = row[["ward_count", "borough_count", "difference"]]
    assert compared.loc["key_metric"].tolist() == [2028, 2028, 0]
    assert compared.loc["under_18_metric"].tolist() == [204, 207, -3]
    assert table["financial_year"].min() == 2010 and table["financial_year"].max() == 2022
    assert table.loc[table["financial_year"] == 2022, "months_compared"].eq(10).all()


@pytest.mark.parametrize("key", ["mps_borough_crime", "mps_lsoa_crime"])
def test_the_public_build_given_the_ward_file_stops_with_one_line_naming_its_adapter(
    key, ward_file, public_config, tmp_path, capsys
):
    config = dict(public_config)
    sources = dict(config["public_sources"])
    sources[key] = [str(ward_file)] if key == "mps_borough_crime" else str(ward_file)
    config["public_sources"] = sources
    path = tmp_path / "public.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    code = main(
        ["--config", str(path), "--root", str(REPO), "--out", str(tmp_path / "out"),
         "--log", str(tmp_path / "public.log")]
    )  # fmt: skip
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and "Traceback" not in err
    assert ward_file.name in lines[0]
    assert "read it with read_mps_ward_crime (pipeline/adapters/mps_ward.py)" in lines[0]
