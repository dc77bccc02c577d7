"""Tests for the synthetic demo generator (pipeline.demo) and the committed data/raw/demo.

The checks read the written CSV files as plain text and recompute everything independently of
the generator's code: contract columns and vocabularies from docs/data-contracts.md, the area's
comparator series from config/config.yaml's definitions, the "mess" counts, population shares,
and the planted patterns with scipy/statsmodels tests against the values in truths.json.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from pipeline.demo import DEFAULT_SEED, generate, render, write
from pipeline.demo.__main__ import main
from pipeline.demo.output import csv_text
from pipeline.demo.presets import AFTER_SCHOOL_WINDOW, DEFINITIONS, SCHOOL_AGE

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "raw" / "demo"
AREA = "waltham-forest"
AREA_CODE = "E09000031"
REALDATA = REPO.parent / "shared" / "realdata"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())

# Columns of each contract (docs/data-contracts.md).
CONTRACT_COLUMNS = {
    "shared/comparators.csv": ["area_code", "area_name", "month", "measure", "count"],
    "shared/population_la.csv": [
        "area_code",
        "year",
        "sex",
        "age_from",
        "age_to",
        "ethnicity",
        "population",
    ],
    "shared/population_ethnicity.csv": [
        "area_code",
        "year",
        "sex",
        "age_from",
        "age_to",
        "ethnicity",
        "population",
    ],
    "shared/deprivation.csv": ["lsoa_code", "iod_edition", "imd_score", "imd_rank", "imd_decile"],
    "shared/areas.csv": ["area_code", "area_name", "region"],
    "shared/neighbours.csv": ["area_code", "neighbour_code", "neighbour_name", "rank", "source"],
    f"{AREA}/victims.csv": [
        "offence_id",
        "victim_id",
        "offence_start_date",
        "offence_start_time",
        "offence_end_date",
        "offence_end_time",
        "offence_group",
        "weapon",
        "injury",
        "domestic_abuse",
        "victim_age",
        "victim_sex",
        "victim_ethnicity",
        "lsoa_code",
        "easting",
        "northing",
    ],
    f"{AREA}/lsoas.csv": ["lsoa_code", "lsoa_name", "ward_code", "ward_name", "area_code"],
    f"{AREA}/population_lsoa.csv": [
        "area_code",
        "year",
        "sex",
        "age_from",
        "age_to",
        "ethnicity",
        "population",
    ],
    f"{AREA}/schools.csv": ["urn", "school_name", "phase", "easting", "northing"],
    f"{AREA}/school_calendar.csv": ["start_date", "end_date", "day_type"],
    f"{AREA}/actions.csv": ["domain", "action", "owner", "due_date", "status"],
}
OFFENCE_GROUPS = {
    "Homicide",
    "Violence with injury",
    "Violence without injury",
    "Robbery",
    "Sexual offences",
    "Possession of weapons",
}
WEAPONS = {"Knife or sharp instrument", "Firearm", "Other weapon", "None", "Unknown"}
ETHNICITIES = {"Asian", "Black", "Mixed", "White", "Other"}
NEIGHBOURS_APRIL_2021 = [
    "E09000010",
    "E09000014",
    "E09000008",
    "E09000005",
    "E09000011",
    "E08000025",
    "E06000032",
    "E09000009",
    "E09000023",
    "E09000024",
]
MONTHS = [f"{y}-{m:02d}" for y in range(2020, 2026) for m in range(1, 13)][3:63]  # 2020-04..2025-03


def read(relative: str, folder: Path = COMMITTED) -> pd.DataFrame:
    """A committed CSV as text exactly as written (no type guessing, empty stays empty)."""
    return pd.read_csv(folder / relative, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def demo():
    return generate()


@pytest.fixture(scope="module")
def truths() -> dict:
    return json.loads((COMMITTED / "truths.json").read_text())


@pytest.fixture(scope="module")
def victims() -> pd.DataFrame:
    return read(f"{AREA}/victims.csv")


@pytest.fixture(scope="module")
def area_lsoas() -> set[str]:
    return set(read(f"{AREA}/lsoas.csv")["lsoa_code"])


def meets(frame: pd.DataFrame, definition: dict) -> pd.Series:
    """Rows of a raw (text) victim extract meeting a config definition."""
    age = pd.to_numeric(frame["victim_age"].replace("", np.nan))
    mask = frame["offence_group"].isin(definition["offence_groups"])
    mask &= frame["weapon"].isin(definition["weapons"])
    if definition["injury"] is not None:
        mask &= frame["injury"] == ("Y" if definition["injury"] else "N")
    if definition["domestic_abuse"] is not None:
        mask &= frame["domestic_abuse"] == ("Y" if definition["domestic_abuse"] else "N")
    return mask & age.between(definition["age_from"], definition["age_to"])


def not_outside(frame: pd.DataFrame, lsoas: set[str]) -> pd.Series:
    """Rows located in the area or with no location (outside-area rows excluded)."""
    return (frame["lsoa_code"] == "") | frame["lsoa_code"].isin(lsoas)


def financial_year(dates: pd.Series) -> pd.Series:
    """Start year of the financial year of ISO dates."""
    year = dates.str.slice(0, 4).astype(int)
    return year - (dates.str.slice(5, 7).astype(int) < 4)


def school_day_set(calendar: pd.DataFrame) -> set[dt.date]:
    """School days by the contract's rule, computed here independently of the generator."""

    def expand(kind: str) -> set[dt.date]:
        days = set()
        for start, end in calendar.loc[
            calendar["day_type"] == kind, ["start_date", "end_date"]
        ].itertuples(index=False):
            day, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            while day <= last:
                days.add(day)
                day += dt.timedelta(days=1)
        return days

    closed = expand("inset") | expand("bank_holiday")
    return {d for d in expand("term") if d.weekday() < 5 and d not in closed}


# ---------------------------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------------------------


def test_generator_reproduces_the_committed_files_byte_for_byte(demo, tmp_path):
    write(demo, tmp_path)
    fresh = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*") if p.is_file()
    )
    assert fresh == committed
    assert len(fresh) == 14
    for relative in fresh:
        assert (tmp_path / relative).read_bytes() == (COMMITTED / relative).read_bytes(), relative


def test_command_line_writes_the_same_files(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--seed", str(DEFAULT_SEED)]) == 0
    printed = capsys.readouterr().out
    assert "wrote 14 files" in printed
    assert "CR031-" not in printed and "P031-" not in printed  # never prints records
    for relative in ("truths.json", f"{AREA}/victims.csv", "shared/comparators.csv"):
        assert (tmp_path / relative).read_bytes() == (COMMITTED / relative).read_bytes()


def test_files_are_deterministic_text_with_unix_line_endings_and_small():
    total = 0
    for path in COMMITTED.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            total += len(content)
            assert b"\r" not in content, path
            assert content.endswith(b"\n"), path
    assert total < 3_000_000


def test_three_other_seeds_generate_valid_distinct_demos():
    renders = {}
    for seed in (1, 2, 3):
        demo = generate(seed)
        files = render(demo)
        assert files == render(generate(seed))  # same seed, same bytes
        assert sorted(files) == sorted(
            p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*") if p.is_file()
        )
        victims = pd.read_csv(
            io.BytesIO(files[f"{AREA}/victims.csv"]), dtype=str, keep_default_na=False
        )
        comparators = pd.read_csv(io.BytesIO(files["shared/comparators.csv"]), dtype=str)
        lsoas = set(demo.area(AREA).lsoas["lsoa_code"])
        area_series = comparators.loc[
            (comparators["area_code"] == AREA_CODE) & (comparators["measure"] == "kcwi_1_24")
        ]
        kept = victims.loc[
            meets(victims, CONFIG["definitions"]["key_metric"]) & not_outside(victims, lsoas)
        ]
        assert area_series["count"].astype(int).sum() == len(kept)
        assert demo.truths["seed"] == seed
        assert demo.truths["mess"]["rows"] == len(victims)
        renders[seed] = files[f"{AREA}/victims.csv"]
    assert len(set(renders.values())) == 3


# ---------------------------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", sorted(CONTRACT_COLUMNS))
def test_every_file_has_the_contract_columns(relative):
    frame = read(relative)
    assert list(frame.columns) == CONTRACT_COLUMNS[relative]
    assert len(frame) > 0


def test_victim_extract_follows_its_contract(victims):
    assert set(victims["offence_group"]) == OFFENCE_GROUPS
    assert set(victims["weapon"]) == WEAPONS
    assert set(victims["injury"]) == {"Y", "N"}
    assert set(victims["domestic_abuse"]) == {"Y", "N"}
    assert set(victims["victim_sex"]) == {"Male", "Female", "Not stated"}
    assert set(victims["victim_ethnicity"]) == ETHNICITIES | {"Not stated"}
    assert not victims.duplicated(["offence_id", "victim_id"]).any()
    ages = pd.to_numeric(victims["victim_age"].replace("", np.nan))
    assert ages.dropna().between(0, 120).all() and (ages.dropna() % 1 == 0).all()
    assert victims["lsoa_code"].str.fullmatch(r"(E01\d{6})?").all()
    start = pd.to_datetime(victims["offence_start_date"], format="%Y-%m-%d")
    assert start.min() >= pd.Timestamp("2020-04-01") and start.max() <= pd.Timestamp("2025-03-31")
    assert victims["offence_start_time"].str.fullmatch(r"((0\d|1\d|2[0-3]):[0-5]\d)?").all()
    windowed = victims.loc[victims["offence_end_date"] != ""]
    begin = pd.to_datetime(windowed["offence_start_date"] + " " + windowed["offence_start_time"])
    end = pd.to_datetime(windowed["offence_end_date"] + " " + windowed["offence_end_time"])
    assert (end > begin).all() and (end - begin <= pd.Timedelta(hours=6)).all()
    located = victims["lsoa_code"] != ""
    assert ((victims["easting"] != "") == located).all()
    assert ((victims["northing"] != "") == located).all()


def test_comparators_cover_every_area_and_month(truths):
    comparators = read("shared/comparators.csv")
    assert comparators["area_code"].str.fullmatch(r"E(0[6-9]|1[0-2])\d{6}").all()
    assert not comparators.duplicated(["area_code", "month", "measure"]).any()
    assert (comparators["count"].astype(int) >= 0).all()
    expected_areas = {AREA_CODE, "E12000007", *NEIGHBOURS_APRIL_2021}
    assert set(comparators["area_code"]) == expected_areas
    for (_, measure), rows in comparators.groupby(["area_code", "measure"]):
        assert measure in {"kcwi_1_24", "kcwi_1_17"}
        assert sorted(rows["month"]) == MONTHS
    wide = comparators.pivot_table(
        index=["area_code", "month"],
        columns="measure",
        values="count",
        aggfunc=lambda s: int(s.iloc[0]),
    )
    assert (wide["kcwi_1_17"] <= wide["kcwi_1_24"]).all()


def test_area_comparator_series_equals_the_victim_extract(victims, area_lsoas):
    comparators = read("shared/comparators.csv")
    kept = victims.loc[not_outside(victims, area_lsoas)]
    for key in ("key_metric", "under_18_metric"):
        definition = CONFIG["definitions"][key]
        month = kept.loc[meets(kept, definition), "offence_start_date"].str.slice(0, 7)
        derived = month.value_counts().reindex(MONTHS, fill_value=0)
        series = comparators.loc[
            (comparators["area_code"] == AREA_CODE) & (comparators["measure"] == definition["id"])
        ]
        published = series.set_index("month")["count"].astype(int).reindex(MONTHS)
        assert (published == derived).all(), key
    # The filters matter: outside-area key-metric rows exist and are left out.
    outside = victims.loc[~not_outside(victims, area_lsoas)]
    assert meets(outside, CONFIG["definitions"]["key_metric"]).sum() > 0


def test_demo_definitions_mirror_the_config():
    for key, definition in DEFINITIONS.items():
        configured = CONFIG["definitions"][key]
        for field, value in definition.items():
            assert configured[field] == value, (key, field)
    assert tuple(CONFIG["definitions"]["school_age"].values()) == SCHOOL_AGE
    window = CONFIG["definitions"]["after_school_window"]
    assert (window["start_hour"], window["end_hour"]) == AFTER_SCHOOL_WINDOW
    assert CONFIG["edition"] == "2024-25"
    assert CONFIG["window"] == {"first_financial_year": 2020, "last_financial_year": 2024}
    assert CONFIG["areas"][0]["inputs"] == f"data/raw/demo/{AREA}"


def test_population_files_follow_their_contract(area_lsoas):
    for relative in (
        "shared/population_la.csv",
        "shared/population_ethnicity.csv",
        f"{AREA}/population_lsoa.csv",
    ):
        frame = read(relative)
        assert set(frame["sex"]) <= {"Male", "Female", "All"}
        assert set(frame["ethnicity"]) <= ETHNICITIES | {"All"}
        age_from, age_to = frame["age_from"].astype(int), frame["age_to"].astype(int)
        assert age_from.between(0, 120).all() and (age_to >= age_from).all()
        assert (frame["population"].astype(int) >= 0).all()
        key = ["area_code", "year", "sex", "age_from", "age_to", "ethnicity"]
        assert not frame.duplicated(key).any(), relative
    lsoa = read(f"{AREA}/population_lsoa.csv")
    years = lsoa.groupby("area_code")["year"].apply(lambda s: sorted(set(s)))
    assert set(years.index) == area_lsoas
    assert all(y == ["2020", "2021", "2022", "2023", "2024"] for y in years)


def test_deprivation_deciles_match_national_ranks(area_lsoas):
    deprivation = read("shared/deprivation.csv")
    assert set(deprivation["lsoa_code"]) == area_lsoas
    assert set(deprivation["iod_edition"]) == {"IoD2025"}
    rank = deprivation["imd_rank"].astype(int)
    decile = deprivation["imd_decile"].astype(int)
    assert rank.between(1, 33_755).all() and rank.is_unique
    assert (decile == np.ceil(rank * 10 / 33_755)).all()  # decile of the rank, 1 = most deprived
    score = deprivation["imd_score"].astype(float)
    assert (score >= 0).all()
    assert (
        np.diff(score.to_numpy()[np.argsort(rank.to_numpy())]) < 0
    ).all()  # score falls with rank
    counts = decile.value_counts()
    assert counts.index.nunique() >= 8  # covers most deciles
    assert counts.loc[counts.index <= 5].sum() > 0.7 * len(decile)  # skewed towards deprived


def test_areas_and_neighbours_name_every_code():
    areas = read("shared/areas.csv").set_index("area_code")
    neighbours = read("shared/neighbours.csv")
    assert list(neighbours["neighbour_code"]) == NEIGHBOURS_APRIL_2021
    assert list(neighbours["rank"].astype(int)) == list(range(1, 11))
    assert set(neighbours["area_code"]) == {AREA_CODE}
    assert (
        neighbours["neighbour_name"]
        == areas.loc[neighbours["neighbour_code"], "area_name"].to_numpy()
    ).all()
    used = set(read("shared/comparators.csv")["area_code"]) | set(
        read("shared/population_la.csv")["area_code"]
    )
    assert used == set(areas.index)
    assert areas.loc[AREA_CODE, "area_name"] == "Waltham Forest"
    assert areas.loc["E12000007", "area_name"] == "London"
    assert areas.loc["E08000025", "area_name"] == "Birmingham"
    assert areas.loc["E06000032", "area_name"] == "Luton"


def test_lsoas_are_synthetic_codes_with_ons_style_names(area_lsoas):
    lsoas = read(f"{AREA}/lsoas.csv")
    assert lsoas["lsoa_code"].str.fullmatch(r"E0199\d{4}").all()
    assert lsoas["lsoa_name"].str.fullmatch(r"Waltham Forest \d{3}[A-J]").all()
    assert lsoas["lsoa_name"].is_unique and lsoas["lsoa_code"].is_unique
    assert 18 <= lsoas["ward_code"].nunique() <= 22
    assert (lsoas["area_code"] == AREA_CODE).all()


def test_school_calendar_is_a_realistic_english_calendar():
    from dateutil.easter import easter

    calendar = read(f"{AREA}/school_calendar.csv")
    assert set(calendar["day_type"]) == {"term", "inset", "bank_holiday"}
    assert (calendar["end_date"] >= calendar["start_date"]).all()
    bank = set(calendar.loc[calendar["day_type"] == "bank_holiday", "start_date"])
    for year in range(2020, 2026):
        assert (easter(year) - dt.timedelta(days=2)).isoformat() in bank  # Good Friday
        assert (easter(year) + dt.timedelta(days=1)).isoformat() in bank  # Easter Monday
    for one_off in ("2020-05-08", "2022-06-03", "2022-09-19", "2023-05-08"):
        assert one_off in bank
    assert sum(d.startswith("2023") for d in bank) == 9
    school_days = school_day_set(calendar)
    for year in range(2020, 2025):  # academic years September to July
        days = [d for d in school_days if dt.date(year, 9, 1) <= d <= dt.date(year + 1, 8, 31)]
        assert 185 <= len(days) <= 195, year
    inset = calendar.loc[calendar["day_type"] == "inset", "start_date"]
    assert all(dt.date.fromisoformat(d).weekday() < 5 for d in inset)


def test_schools_and_actions():
    schools = read(f"{AREA}/schools.csv")
    phase = schools["phase"].value_counts()
    assert 18 <= phase["Secondary"] <= 22 and 45 <= phase["Primary"] <= 55
    assert schools["urn"].is_unique and schools["school_name"].is_unique
    actions = read(f"{AREA}/actions.csv")
    assert set(actions["domain"]) == {"Strengthen", "Support", "Treat", "Curtail"}
    assert set(actions["status"]) <= {"Not started", "On track", "At risk", "Complete"}
    assert 10 <= len(actions) <= 14
    text = " ".join(actions["action"]).lower()
    for initiative in (
        "safer routes",
        "safe spaces",
        "custody",
        "multi-agency",
        "a&e navigator",
        "cctv",
        "bleed control",
        "mentoring",
    ):
        assert initiative in text, initiative


def test_boundaries_hold_every_point_and_the_hotspot_is_one_cluster(victims, area_lsoas, truths):
    import geopandas as gpd
    import libpysal
    import shapely

    boundaries = gpd.read_file(COMMITTED / AREA / "lsoa_boundaries.geojson")
    assert boundaries.crs.to_epsg() == 27700
    assert set(boundaries["lsoa_code"]) == area_lsoas and boundaries.is_valid.all()
    polygons = boundaries.set_index("lsoa_code").geometry
    centre = shapely.union_all(polygons.to_numpy()).centroid
    assert abs(centre.x - 537_000) < 1_500 and abs(centre.y - 190_000) < 1_500
    inside = victims.loc[victims["lsoa_code"].isin(area_lsoas)]
    x, y = inside["easting"].astype(float), inside["northing"].astype(float)
    assert shapely.contains_xy(polygons.loc[inside["lsoa_code"]].to_numpy(), x, y).all()
    outside = victims.loc[~not_outside(victims, area_lsoas)]
    borough = shapely.union_all(polygons.to_numpy())
    assert not shapely.contains_xy(
        borough, outside["easting"].astype(float), outside["northing"].astype(float)
    ).any()
    schools = read(f"{AREA}/schools.csv")
    assert shapely.contains_xy(
        borough, schools["easting"].astype(float), schools["northing"].astype(float)
    ).all()

    hotspot = truths["hotspot_lsoas"]
    assert len(hotspot) == 6 and set(hotspot) <= area_lsoas
    weights = libpysal.weights.Queen.from_dataframe(
        boundaries.set_index("lsoa_code"), use_index=True
    )
    assert weights.n_components == 1
    reached, frontier = {hotspot[0]}, [hotspot[0]]
    while frontier:
        for other in weights.neighbors[frontier.pop()]:
            if other in hotspot and other not in reached:
                reached.add(other)
                frontier.append(other)
    assert reached == set(hotspot)


def test_synthetic_lsoa_codes_cannot_be_real_ones(area_lsoas):
    if not REALDATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REALDATA} is missing on CI")
        pytest.skip(f"real public data not available at {REALDATA}")
    iod = pd.read_csv(
        REALDATA / "iod2025" / "EXTRACT_File_1_IoD2025_IMD_waltham-forest.csv", dtype=str
    )
    lsoa11 = pd.read_csv(
        REALDATA / "london-lsoa" / "london-2011-2021-major-weapons.csv",
        usecols=["LSOA11CD"],
        dtype=str,
    )
    real = set(iod.iloc[:, 0]) | set(lsoa11["LSOA11CD"])
    assert len(real) > 4000
    assert not (area_lsoas & real)
    assert max(real) < min(area_lsoas)


# ---------------------------------------------------------------------------------------------
# Truths: the mess counts reconcile, and the planted patterns are in the data
# ---------------------------------------------------------------------------------------------


def test_mess_counts_in_truths_match_the_files(victims, area_lsoas, truths):
    mess = truths["mess"]
    per_victim = victims["victim_id"].value_counts()
    comparators = read("shared/comparators.csv")
    area_series = comparators.loc[comparators["area_code"] == AREA_CODE]
    assert mess["rows"] == len(victims)
    assert mess["ethnicity_not_stated_rows"] == (victims["victim_ethnicity"] == "Not stated").sum()
    assert mess["sex_not_stated_rows"] == (victims["victim_sex"] == "Not stated").sum()
    assert mess["unknown_age_rows"] == (victims["victim_age"] == "").sum()
    assert mess["missing_time_rows"] == (victims["offence_start_time"] == "").sum()
    assert mess["time_window_rows"] == (victims["offence_end_date"] != "").sum()
    assert mess["outside_area_rows"] == (~not_outside(victims, area_lsoas)).sum()
    assert mess["unknown_location_rows"] == (victims["lsoa_code"] == "").sum()
    assert mess["distinct_victim_ids"] == per_victim.size
    assert mess["repeat_victim_ids"] == (per_victim >= 2).sum()
    assert mess["rows_of_repeat_victims"] == per_victim[per_victim >= 2].sum()
    assert (
        mess["key_metric_rows_in_area"]
        == area_series.loc[area_series["measure"] == "kcwi_1_24", "count"].astype(int).sum()
    )
    assert (
        mess["under_18_key_metric_rows_in_area"]
        == area_series.loc[area_series["measure"] == "kcwi_1_17", "count"].astype(int).sum()
    )
    # The proportions are near the planted ones (about 8%, 5%, 2%, 1%, 5%).
    rows = mess["rows"]
    assert 0.06 < mess["ethnicity_not_stated_rows"] / rows < 0.10
    assert 0.035 < mess["missing_time_rows"] / rows < 0.065
    assert 0.012 < mess["outside_area_rows"] / rows < 0.03
    assert 0.004 < mess["unknown_location_rows"] / rows < 0.016
    assert 0.035 < mess["repeat_victim_ids"] / mess["distinct_victim_ids"] < 0.065
    assert mess["time_window_rows"] > 0


def test_repeat_victims_are_consistent_people(victims):
    repeated = victims.loc[victims["victim_id"].duplicated(keep=False)].copy()
    repeated["age"] = pd.to_numeric(repeated["victim_age"].replace("", np.nan))
    repeated["when"] = pd.to_datetime(repeated["offence_start_date"])
    for _, rows in repeated.groupby("victim_id"):
        assert rows["victim_sex"].nunique() == 1
        assert rows["age"].notna().all()
        first, last = rows.sort_values("when").iloc[[0, -1]].itertuples(index=False)
        elapsed = (last.when - first.when).days / 365.25
        assert abs((last.age - first.age) - elapsed) < 1.0 + 1e-9
        assert rows["offence_id"].is_unique


def test_key_metric_victims_a_year_are_in_the_hundreds(victims, area_lsoas):
    rows = victims.loc[
        meets(victims, CONFIG["definitions"]["key_metric"]) & not_outside(victims, area_lsoas)
    ]
    per_year = financial_year(rows["offence_start_date"]).value_counts().sort_index()
    assert list(per_year.index) == [2020, 2021, 2022, 2023, 2024]
    assert per_year.between(150, 600).all()
    assert per_year.iloc[-1] > per_year.iloc[0]
    # The filters matter: many more rows of violence than key-metric rows.
    assert len(victims) > 5 * len(rows)


def test_lsoa_count_and_population_are_borough_sized(area_lsoas):
    assert 140 <= len(area_lsoas) <= 150
    la = read("shared/population_la.csv")
    la = la.loc[la["area_code"] == AREA_CODE]
    lsoa = read(f"{AREA}/population_lsoa.csv")
    for year in ("2020", "2024"):
        total = la.loc[la["year"] == year, "population"].astype(int).sum()
        assert 260_000 <= total <= 285_000
        assert lsoa.loc[lsoa["year"] == year, "population"].astype(int).sum() == total
    # LSOA bands add up to the LA's single years, band by band (1-17 here).
    la_1_17 = (
        la.loc[(la["year"] == "2024") & la["age_from"].astype(int).between(1, 17), "population"]
        .astype(int)
        .sum()
    )
    lsoa_1_17 = (
        lsoa.loc[
            (lsoa["year"] == "2024") & (lsoa["age_from"] == "1") & (lsoa["age_to"] == "17"),
            "population",
        ]
        .astype(int)
        .sum()
    )
    assert la_1_17 == lsoa_1_17
    sizes = {
        "E08000025": (1_050_000, 1_250_000),
        "E06000032": (200_000, 250_000),
        "E12000007": (8_500_000, 9_300_000),
        "E09000010": (200_000, 400_000),
    }
    all_la = read("shared/population_la.csv")
    for code, (low, high) in sizes.items():
        total = (
            all_la.loc[(all_la["area_code"] == code) & (all_la["year"] == "2022"), "population"]
            .astype(int)
            .sum()
        )
        assert low <= total <= high, code


def test_black_boys_population_share_matches_truth(truths):
    ethnic = read("shared/population_ethnicity.csv")
    ethnic = ethnic.loc[(ethnic["area_code"] == AREA_CODE) & (ethnic["age_to"].astype(int) <= 17)]
    population = ethnic["population"].astype(int)
    black = ethnic["ethnicity"] == "Black"
    boys = black & (ethnic["sex"] == "Male")
    share = population[boys].sum() / population.sum()
    truth = truths["black_boys_under_18"]
    assert share == pytest.approx(truth["population_share_0_17"], abs=1e-6)
    assert 0.09 <= share <= 0.11
    assert population[black].sum() / population.sum() == pytest.approx(0.20, abs=0.01)
    assert truth["victim_share_known_ethnicity_expected"] == 0.52
    # share ratio and rate ratio (odds form, methods.md 2.1) from the 1-17 population share
    pi = truth["population_share_1_17"]
    assert truth["share_ratio_expected"] == pytest.approx(0.52 / pi, rel=1e-5)
    assert truth["rate_ratio_vs_everyone_else_expected"] == pytest.approx(
        (0.52 / 0.48) / (pi / (1 - pi)), rel=1e-5
    )


def test_black_boys_share_of_under_18_victims_is_as_planted(victims, area_lsoas, truths):
    rows = victims.loc[
        meets(victims, CONFIG["definitions"]["under_18_metric"]) & not_outside(victims, area_lsoas)
    ]
    people = rows.sort_values(["offence_start_date", "offence_id"]).drop_duplicates("victim_id")
    known = people.loc[people["victim_ethnicity"] != "Not stated"]
    black_boys = ((known["victim_sex"] == "Male") & (known["victim_ethnicity"] == "Black")).sum()
    expected = truths["black_boys_under_18"]["victim_share_known_ethnicity_expected"]
    assert stats.binomtest(int(black_boys), len(known), expected).pvalue > 0.001
    assert black_boys / len(known) > 3 * truths["black_boys_under_18"]["population_share_1_17"]


def test_school_age_violence_timing_is_as_planted(victims, truths):
    after = truths["after_school"]
    sv = CONFIG["definitions"]["serious_violence_u25"]
    ages = pd.to_numeric(victims["victim_age"].replace("", np.nan))
    rows = victims.loc[meets(victims, sv) & ages.between(*after["school_age"])]
    school_days = school_day_set(read(f"{AREA}/school_calendar.csv"))
    on_school_day = rows["offence_start_date"].map(
        lambda d: dt.date.fromisoformat(d) in school_days
    )
    assert (
        stats.binomtest(
            int(on_school_day.sum()), len(rows), after["school_day_share_expected"]
        ).pvalue
        > 0.001
    )
    timed = rows.loc[on_school_day & (rows["offence_start_time"] != "")]
    hour = timed["offence_start_time"].str.slice(0, 2).astype(int)
    in_window = hour.between(after["window"][0], after["window"][1] - 1)
    assert (
        stats.binomtest(
            int(in_window.sum()), len(timed), after["share_on_school_days_expected"]
        ).pvalue
        > 0.001
    )
    assert in_window.mean() > 3 * after["flat_day_share"]
    # Day counts in truths agree with the calendar file (independent count here).
    edition = [d for d in school_days if dt.date(2024, 4, 1) <= d <= dt.date(2025, 3, 31)]
    assert after["edition_year"]["school_days"] == len(edition)
    assert after["edition_year"]["non_school_days"] == 365 - len(edition)
    ratio = (0.7 / len(edition)) / (0.3 / (365 - len(edition)))
    assert after["edition_year"][
        "per_day_rate_ratio_school_vs_non_school_expected"
    ] == pytest.approx(ratio, rel=1e-5)


def test_key_metric_growth_is_as_planted(victims, area_lsoas, truths):
    import statsmodels.api as sm

    growth = truths["key_metric_growth"]
    assert growth["ratio_of_growth"] == pytest.approx(1.12 / 1.02, abs=1e-6)
    rows = victims.loc[
        meets(victims, CONFIG["definitions"]["key_metric"]) & not_outside(victims, area_lsoas)
    ]
    counts = financial_year(rows["offence_start_date"]).value_counts().sort_index()
    la = read("shared/population_la.csv")
    la = la.loc[(la["area_code"] == AREA_CODE) & la["age_from"].astype(int).between(1, 24)]
    population = la.groupby(la["year"].astype(int))["population"].apply(
        lambda s: s.astype(int).sum()
    )
    t = np.arange(5.0)
    fit = sm.GLM(
        counts.to_numpy(),
        sm.add_constant(t),
        family=sm.families.Poisson(),
        offset=np.log(population.loc[counts.index].to_numpy(float)),
    ).fit()
    low, high = np.exp(fit.conf_int(alpha=0.002)[1])
    assert low < growth["area_annual_multiplier"] < high
    # Expected rates in truths are the planted exponential of the first year's rate.
    rates = list(growth["area_rate_per_100k_expected"].values())
    assert rates == pytest.approx([250.0 * 1.12**k for k in range(5)], rel=1e-6)


def test_hotspots_and_deprivation_are_in_the_data(victims, area_lsoas, truths):
    sv = CONFIG["definitions"]["serious_violence_u25"]
    rows = victims.loc[
        meets(victims, sv)
        & victims["lsoa_code"].isin(area_lsoas)
        & (financial_year(victims["offence_start_date"]) == 2024)
    ]
    expected = pd.Series(truths["hotspots"]["expected_count_by_lsoa"])
    assert set(expected.index) == area_lsoas
    observed = rows["lsoa_code"].value_counts().reindex(expected.index, fill_value=0)
    hot = expected.index.isin(truths["hotspot_lsoas"])
    share = expected[hot].sum() / expected.sum()
    assert stats.binomtest(int(observed[hot].sum()), int(observed.sum()), share).pvalue > 0.001
    # Rate ratio hotspot vs rest, per resident aged 0-24, is near 4 in expectation.
    assert 3.0 < truths["hotspots"]["expected_rate_ratio_hotspot_vs_rest"] < 5.0

    deprivation = read("shared/deprivation.csv").set_index("lsoa_code")["imd_decile"].astype(int)
    by_decile_observed = observed.groupby(deprivation.loc[observed.index].to_numpy()).sum()
    by_decile_expected = expected.groupby(deprivation.loc[expected.index].to_numpy()).sum()
    scaled = by_decile_expected / by_decile_expected.sum() * by_decile_observed.sum()
    assert stats.chisquare(by_decile_observed, scaled).pvalue > 0.001
    # Expected rates fall by the planted 12% per decile, checked against the population file.
    lsoa_pop = read(f"{AREA}/population_lsoa.csv")
    young = lsoa_pop.loc[(lsoa_pop["year"] == "2024") & (lsoa_pop["age_to"].astype(int) <= 24)]
    residents = young.groupby("area_code")["population"].apply(lambda s: s.astype(int).sum())
    residents_by_decile = residents.groupby(deprivation.loc[residents.index].to_numpy()).sum()
    rate = by_decile_expected / residents_by_decile
    # (expected counts are rounded to 4 decimals in truths.json, hence rel=1e-4)
    assert (rate.to_numpy()[:-1] / rate.to_numpy()[1:]) == pytest.approx(1.12, rel=1e-4)
    published = pd.Series(truths["deprivation"]["expected_rate_by_decile"])
    published = published.set_axis(published.index.astype(int)).sort_index()
    assert list(published.index) == list(rate.index)
    assert published.to_numpy() == pytest.approx(1e5 * rate.to_numpy(), rel=1e-4)


# ---------------------------------------------------------------------------------------------
# The London preset (generated at run time, not committed)
# ---------------------------------------------------------------------------------------------


def test_london_preset_covers_every_borough():
    london = generate(preset="london")
    codes = [f"E090000{k:02d}" for k in range(1, 34)]
    assert sorted(a.code for a in london.areas) == codes
    slugs = [a.slug for a in london.areas]
    assert len(set(slugs)) == 33 and "waltham-forest" in slugs and "city-of-london" in slugs
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)
    comparators = london.shared["comparators"]
    assert set(comparators["area_code"]) == {*codes, "E12000007"}
    assert len(comparators) == 34 * 2 * 60
    boroughs = comparators.loc[comparators["area_code"] != "E12000007"]
    region = comparators.loc[comparators["area_code"] == "E12000007"].set_index(
        ["month", "measure"]
    )["count"]
    total = boroughs.groupby(["month", "measure"])["count"].sum()
    assert (total.reindex(region.index) == region).all()
    neighbours = london.shared["neighbours"]
    assert (neighbours.groupby("area_code").size() == 10).all() and len(neighbours) == 330
    assert not (neighbours["area_code"] == neighbours["neighbour_code"]).any()
    assert set(neighbours["neighbour_code"]) <= set(codes)
    all_lsoas = pd.concat([a.lsoas for a in london.areas])
    assert all_lsoas["lsoa_code"].is_unique
    assert set(london.shared["deprivation"]["lsoa_code"]) == set(all_lsoas["lsoa_code"])
    assert set(london.shared["population_la"]["area_code"]) == {*codes, "E12000007"}
    for area in london.areas:
        frame = pd.read_csv(io.StringIO(csv_text(area.victims)), dtype=str, keep_default_na=False)
        lsoas = set(area.lsoas["lsoa_code"])
        counted = meets(frame, CONFIG["definitions"]["key_metric"]) & not_outside(frame, lsoas)
        published = comparators.loc[
            (comparators["area_code"] == area.code) & (comparators["measure"] == "kcwi_1_24"),
            "count",
        ].sum()
        assert counted.sum() == published, area.slug
        assert math.isclose(
            area.population_lsoa["population"].sum() / 5,
            london.shared["population_la"].query("area_code == @area.code")["population"].sum() / 5,
        )
    size = sum(len(v) for v in render(london).values())
    assert size < 20_000_000
    assert london.truths["area_code"] == AREA_CODE and len(london.truths["areas"]) == 33
