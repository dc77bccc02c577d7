"""Ward residents and rates from an LSOA (2021) to ward (2022) lookup
(``public_sources.lsoa_ward_lookup``).

No real lookup is in ../shared/realdata, so the public build test writes a SYNTHETIC one (the
real Waltham Forest LSOAs of the boundaries and the real ward codes of the MPS ward extract,
LSOAs dealt out to wards in turn) in a temporary folder; the ward residents are summed here
with the csv module from the built LSOA population, and the rates worked from them.
"""

from __future__ import annotations

import copy
import csv
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.adapters import AdapterError
from pipeline.adapters.ward_lookup import read_lsoa_ward_lookup
from pipeline.public.build import write_public_inputs
from pipeline.public.configuration import PublicBuildError

REPO = Path(__file__).resolve().parents[1]
HEADER = ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM", "ObjectId"]


def write_lookup(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, (lsoa, ward, name) in enumerate(rows, start=1):
            writer.writerow([lsoa, f"LSOA {lsoa}", ward, name, "E09000031", "Waltham Forest", i])
    return path


def test_the_lookup_gives_each_lsoa_its_ward(tmp_path):
    path = write_lookup(
        tmp_path / "lookup.csv",
        [("E01000002", "E05000001", "North"), ("E01000001", "E05000002", "South"),
         ("E01009999", "E05000009", "Elsewhere")],
    )  # fmt: skip
    lookup = read_lsoa_ward_lookup(path, ["E01000001", "E01000002"])
    assert lookup.to_dict("list") == {
        "lsoa_code": ["E01000001", "E01000002"],
        "ward_code": ["E05000002", "E05000001"],
        "ward_name": ["South", "North"],
    }


def test_an_lsoa_in_two_wards_names_the_rows(tmp_path):
    path = write_lookup(
        tmp_path / "lookup.csv",
        [("E01000001", "E05000001", "North"), ("E01000001", "E05000002", "South")],
    )
    with pytest.raises(AdapterError, match=r"lookup.csv, rows 2, 3 .*column 'WD22CD'.*one ward"):
        read_lsoa_ward_lookup(path, ["E01000001"])


def test_an_lsoa_of_the_area_missing_from_the_lookup_is_one_line(tmp_path):
    path = write_lookup(tmp_path / "lookup.csv", [("E01000001", "E05000001", "North")])
    with pytest.raises(
        AdapterError, match=r"1 LSOA\(s\) of the area are not in the lookup.*E01000002"
    ):
        read_lsoa_ward_lookup(path, ["E01000001", "E01000002"])


def test_the_lsoa11_to_lsoa21_lookup_is_named_as_the_wrong_file(realdata):
    path = realdata / "london-lsoa" / "merge_bestfit_lsoa11_lsoa21_london.csv"
    with pytest.raises(AdapterError) as raised:
        read_lsoa_ward_lookup(path, ["E01000001"])
    assert "expected one LSOAyyCD and one WDyyCD column" in str(raised.value)
    assert "read it with read_lsoa_bestfit_lookup" in str(raised.value)


# --------------------------------------------------------------------------------------------
# The Waltham Forest public build with a (synthetic) ward lookup
# --------------------------------------------------------------------------------------------


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def with_lookup(realdata, tmp_path_factory) -> tuple[Path, dict, dict[str, str]]:
    """config/public.yaml plus a synthetic lookup, built under a temporary folder."""
    config = yaml.safe_load((REPO / "config/public.yaml").read_text(encoding="utf-8"))
    base = tmp_path_factory.mktemp("ward-rates")
    plain = base / "plain"
    write_public_inputs(config, root=REPO, out=plain)
    area = plain / config["areas"][0]["inputs"]
    lsoas = sorted({r["lsoa_code"] for r in rows_of(area / "lsoas.csv")})
    wards = sorted({(r["ward_code"], r["ward_name"]) for r in rows_of(area / "ward_crime.csv")})
    ward_of = {lsoa: wards[i % len(wards)] for i, lsoa in enumerate(lsoas)}
    lookup = write_lookup(base / "lsoa-ward.csv", [(code, *w) for code, w in ward_of.items()])
    config = copy.deepcopy(config)
    config["public_sources"]["lsoa_ward_lookup"] = str(lookup)
    out = base / "rated"
    write_public_inputs(config, root=REPO, out=out)
    return out / config["areas"][0]["inputs"], config, {code: w[0] for code, w in ward_of.items()}


def test_ward_residents_are_their_lsoas_and_rates_follow(with_lookup):
    area, _, ward_of = with_lookup
    residents: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows_of(area / "population_lsoa.csv"):
        residents[(ward_of[row["area_code"]], int(row["year"]))] += int(row["population"])
    table = pd.read_csv(area / "ward_crime.csv", dtype={"ward_code": str})
    latest = max(year for _, year in residents)
    full = table.loc[table["financial_year"] >= latest]
    assert len(full) and full["population"].notna().all()
    for row in full.itertuples():
        assert row.population_year == latest  # mid-2020: the latest at or before each year
        assert row.population == residents[(row.ward_code, latest)]
    before = table.loc[table["financial_year"] < min(year for _, year in residents)]
    assert before["population"].isna().all()  # no mid-year at or before them


def test_a_lookup_without_the_ward_files_is_one_line(with_lookup, tmp_path):
    _, config, _ = with_lookup
    config = copy.deepcopy(config)
    del config["public_sources"]["mps_ward_crime"]
    with pytest.raises(PublicBuildError, match=r"lsoa_ward_lookup .* needs the MPS ward files"):
        write_public_inputs(config, root=REPO, out=tmp_path)


def test_a_lookup_of_other_wards_is_one_line(with_lookup, tmp_path):
    _, config, ward_of = with_lookup
    config = copy.deepcopy(config)
    lookup = write_lookup(
        tmp_path / "other.csv", [(code, "E05099999", "Nowhere") for code in ward_of]
    )
    config["public_sources"]["lsoa_ward_lookup"] = str(lookup)
    with pytest.raises(
        PublicBuildError, match=r"no LSOA of E09000031 is in ward\(s\) \['E05013882'"
    ):
        write_public_inputs(config, root=REPO, out=tmp_path / "out")
