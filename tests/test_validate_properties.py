"""Property: no row is ever lost. For generated extracts mixing good rows, rows the SNA can live
with and (separately) broken rows, every row read is used or excluded with its reason, and a
broken row is always reported by its own line.

The generator decides what each row is before writing it, so the expected counts come from the
generator, not from the code under test.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.demo.victims import VICTIM_COLUMNS
from pipeline.settings import Settings
from pipeline.validate.errors import ValidationStop
from pipeline.validate.run import validate_input

AREA_LSOAS = {"E01004327", "E01004328", "E01004329", "E01004330"}
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# What a generated victim row is, and the exclusion it must get (None = used).
VICTIM_ROW_KINDS = {
    "good": None,
    "time missing": None,
    "ethnicity not stated": None,
    "location unknown": None,
    "age unknown": None,
    "outside window": "date outside the reporting window",
    "outside area": "location outside the area",
    "empty": "empty row",
}
# Broken values (Stop) and the column they are reported against.
VICTIM_BREAKS = {
    "age 130": "victim_age",
    "sex 'M'": "victim_sex",
    "date 30/02/2023": "offence_start_date",
    "lsoa 'E0100432'": "lsoa_code",
}

DATES = st.dates(
    min_value=pd.Timestamp("2020-04-01").date(), max_value=pd.Timestamp("2025-03-31").date()
)
OUTSIDE_DATES = st.one_of(
    st.dates(
        min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2020-03-31").date()
    ),
    st.dates(
        min_value=pd.Timestamp("2025-04-01").date(), max_value=pd.Timestamp("2027-12-31").date()
    ),
)


@st.composite
def victim_row(draw, kind: str, number: int, broken: str | None = None) -> dict[str, str]:
    """One victim row of the given kind (and optionally one broken value)."""
    if kind == "empty":
        return dict.fromkeys(VICTIM_COLUMNS, "")
    date = draw(OUTSIDE_DATES if kind == "outside window" else DATES)
    date_text = draw(st.sampled_from([date.isoformat(), date.strftime("%d/%m/%Y")]))
    row = {
        "offence_id": f"WF-{number:05d}",
        "victim_id": f"P{draw(st.integers(1, 30)):03d}",
        "offence_start_date": date_text,
        "offence_start_time": f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}",
        "offence_end_date": "",
        "offence_end_time": "",
        "offence_group": draw(st.sampled_from(["Robbery", "Violence with injury", "Homicide"])),
        "weapon": draw(st.sampled_from(["Knife or sharp instrument", "None", "Unknown"])),
        "injury": draw(st.sampled_from(["Y", "N"])),
        "domestic_abuse": draw(st.sampled_from(["Y", "N"])),
        "victim_age": str(draw(st.integers(0, 120))),
        "victim_sex": draw(st.sampled_from(["Male", "Female"])),
        "victim_ethnicity": draw(st.sampled_from(["Asian", "Black", "Mixed", "White", "Other"])),
        "lsoa_code": draw(st.sampled_from(sorted(AREA_LSOAS))),
        "easting": "",
        "northing": "",
    }
    if kind == "time missing":
        row["offence_start_time"] = ""
    elif kind == "ethnicity not stated":
        row["victim_ethnicity"] = "Not stated"
    elif kind == "location unknown":
        row["lsoa_code"] = ""
    elif kind == "age unknown":
        row["victim_age"] = ""
    elif kind == "outside area":
        row["lsoa_code"] = f"E0100{draw(st.integers(5000, 9999)):04d}"
    if broken == "age 130":
        row["victim_age"] = "130"
    elif broken == "sex 'M'":
        row["victim_sex"] = "M"
    elif broken == "date 30/02/2023":
        row["offence_start_date"] = "30/02/2023"
    elif broken == "lsoa 'E0100432'":
        row["lsoa_code"] = "E0100432"
    return row


@st.composite
def file_style(draw) -> dict:
    """How the file is written: encoding, line ends, column order."""
    return {
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "order": draw(st.permutations(VICTIM_COLUMNS)),
    }


def _write(rows: list[dict[str, str]], columns: list[str], path: Path, style: dict) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=style["newline"])
    writer.writerow(columns)
    writer.writerows([[row[c] for c in columns] for row in rows])
    path.write_bytes(buffer.getvalue().encode(style["encoding"]))


@PROPERTY_SETTINGS
@given(
    kinds=st.lists(st.sampled_from(sorted(VICTIM_ROW_KINDS)), min_size=1, max_size=25).filter(
        lambda ks: any(k != "empty" for k in ks)
    ),
    data=st.data(),
    style=file_style(),
)
def test_no_victim_row_is_lost(kinds, data, style, config, tmp_path):
    rows = [data.draw(victim_row(kind, i)) for i, kind in enumerate(kinds)]
    path = tmp_path / "victims.csv"
    _write(rows, list(style["order"]), path, style)
    result = validate_input(
        "victims",
        path,
        settings=Settings.of(config),
        area_lsoas=AREA_LSOAS,
        failures_path=tmp_path / "f.csv",
    )
    table = result.reconciliation.set_index("reason")["rows"]
    excluded_rows = result.reconciliation.query("category == 'excluded'")["rows"].sum()
    assert table["rows read"] == len(rows)
    assert table["rows used"] + excluded_rows == table["rows read"]
    # Every source line is accounted for exactly once (line 1 is the header).
    lines = list(result.frame["source_line"]) + list(result.excluded["source_line"])
    assert sorted(lines) == list(range(2, len(rows) + 2))
    # Each row got the fate its kind implies.
    expected = {i + 2: VICTIM_ROW_KINDS[k] for i, k in enumerate(kinds)}
    got = dict.fromkeys(result.frame["source_line"], None) | dict(
        zip(result.excluded["source_line"], result.excluded["reason"], strict=True)
    )
    assert got == expected
    kept = {
        "time missing": "time not recorded (kept)",
        "ethnicity not stated": "ethnicity not stated (kept)",
        "location unknown": "location unknown (kept)",
        "age unknown": "age not recorded (kept)",
    }
    for kind, reason in kept.items():
        assert table[reason] == kinds.count(kind)


@PROPERTY_SETTINGS
@given(
    kinds=st.lists(st.sampled_from(sorted(VICTIM_ROW_KINDS)), min_size=1, max_size=20),
    breaks=st.dictionaries(
        st.integers(0, 19), st.sampled_from(sorted(VICTIM_BREAKS)), min_size=1, max_size=5
    ),
    data=st.data(),
    style=file_style(),
)
def test_every_broken_victim_row_is_reported_by_its_line(
    kinds, breaks, data, style, config, tmp_path
):
    breaks = {i: b for i, b in breaks.items() if i < len(kinds) and kinds[i] != "empty"}
    if not breaks:
        kinds = ["good", *kinds]
        breaks = {0: "age 130"}
    rows = [data.draw(victim_row(kind, i, breaks.get(i))) for i, kind in enumerate(kinds)]
    path = tmp_path / "victims.csv"
    _write(rows, list(style["order"]), path, style)
    try:
        validate_input(
            "victims",
            path,
            settings=Settings.of(config),
            area_lsoas=AREA_LSOAS,
            failures_path=tmp_path / "f.csv",
        )
    except ValidationStop as stop:
        failures = stop.failures
    else:
        raise AssertionError("a broken extract passed validation")
    reported = set(zip(failures["source_line"].astype(int), failures["column"], strict=True))
    assert reported == {(i + 2, VICTIM_BREAKS[b]) for i, b in breaks.items()}
    assert len(failures) == len(breaks)  # each broken value reported once, under one rule
    assert len(pd.read_csv(tmp_path / "f.csv")) == len(breaks)


@PROPERTY_SETTINGS
@given(
    months=st.lists(
        st.tuples(st.integers(2017, 2027), st.integers(1, 12), st.booleans()),
        min_size=1,
        max_size=30,
        unique_by=lambda t: (t[0], t[1]),
    ),
    style=st.sampled_from([("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\r\n")]),
)
def test_no_comparator_row_is_lost(months, style, config, tmp_path):
    """Months outside April 2020 - March 2025 are excluded and counted; blank rows too."""
    lines = ["area_code,area_name,month,measure,count"]
    expected_outside = expected_empty = 0
    for year, month, blank_after in months:
        lines.append(f"E09000031,Waltham Forest,{year}-{month:02d},kcwi_1_24,{month}")
        inside = (year, month) >= (2020, 4) and (year, month) <= (2025, 3)
        expected_outside += not inside
        if blank_after:
            lines.append(",,,,")
            expected_empty += 1
    path = tmp_path / "comparators.csv"
    path.write_bytes((style[1].join(lines) + style[1]).encode(style[0]))
    result = validate_input(
        "comparators", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
    )
    table = result.reconciliation.set_index("reason")["rows"]
    assert table["rows read"] == len(lines) - 1
    assert table["month outside the reporting window"] == expected_outside
    assert table["empty row"] == expected_empty
    assert table["rows used"] == len(months) - expected_outside
    assert len(result.excluded) == expected_outside + expected_empty


@PROPERTY_SETTINGS
@given(schools=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=20))
def test_no_school_row_is_lost(schools, config, tmp_path):
    """Schools missing either coordinate are excluded and counted, the rest used."""
    lines = ["urn,school_name,phase,easting,northing"]
    for i, (has_east, has_north) in enumerate(schools):
        east = "537000" if has_east else ""
        north = "189000" if has_north else ""
        lines.append(f"{100000 + i},School {i},Primary,{east},{north}")
    path = tmp_path / "schools.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_input(
        "schools", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
    )
    table = result.reconciliation.set_index("reason")["rows"]
    located = sum(1 for e, n in schools if e and n)
    assert table["rows read"] == len(schools)
    assert table["rows used"] == located
    assert table["school without coordinates"] == len(schools) - located
