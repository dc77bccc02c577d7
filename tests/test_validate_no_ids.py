"""No offence or victim id reaches the console or the logs (issue 12, point 7).

Victim extracts with distinctive ids ('OFF-SECRET-...', 'VIC-SECRET-...') break every rule of
the victim contract, one rule per line. The rules come from the data dictionary (the catalogue
of rules in pipeline/validate), so a rule added to the contract is planted here too, or the test
fails asking for a way to break it. Each extract is validated as the workflow's area job runs it
(``logged_step`` around ``validate_area_step``); the console (stdout and stderr, at the file
descriptors) and the job's log file must hold no id, the message must name every broken line,
and the failures CSV under data/processed/validation must hold the ids.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.runtime import logged_step
from pipeline.settings import Settings
from pipeline.steps import validate_area_step, validate_shared_step, validate_step
from pipeline.validate.checking import column_meta
from pipeline.validate.dictionary import column_entries, rule_entries
from pipeline.validate.kinds import area_kinds, raw_filename, shared_kinds
from pipeline.validate.rules import FORMAT_HELP
from pipeline.validate.schemas import (
    CROSS_FIELD_RULES,
    EMPTY_ROW_REASON,
    MODELS,
    input_metadata,
    keep_rules,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
AREA_CODE = "E09000031"
SECRET = "SECRET"

#: A value of each format that cannot be read as one.
UNREADABLE = {
    "whole number": "twelve",
    "number": "far",
    "date": "31/02/2024",
    "time": "25:00",
    "Y/N": "Yes",
}
#: How to break each cross-field rule of the victim contract (cells to set on one row).
CROSS_FIELD_BREAKERS = {
    "offence end not before start": {
        "offence_start_date": "2023-06-02",
        "offence_end_date": "2023-06-01",
    },
    "end time needs an end date": {"offence_end_time": "23:00"},
    "easting and northing given together": {"northing": ""},
}
#: How to trigger each keep-and-count rule of the victim contract, by its reason.
KEEP_BREAKERS = {
    EMPTY_ROW_REASON: None,  # every cell empty
    "date outside the reporting window": {"offence_start_date": "2019-04-01"},
    "location outside the area": {"lsoa_code": "E01000001"},
    "location unknown (kept)": {"lsoa_code": "", "easting": "", "northing": ""},
    "time not recorded (kept)": {"offence_start_time": ""},
    "age not recorded (kept)": {"victim_age": ""},
    "sex not stated (kept)": {"victim_sex": "Not stated"},
    "ethnicity not stated (kept)": {"victim_ethnicity": "Not stated"},
}


def _field_breaker(column: str, rule: str) -> dict[str, str]:
    """Cells that break one rule of a column, from the column's contract."""
    meta = column_meta("victims", column)
    if rule == "value required":
        return {column: ""}
    if rule == f"is {FORMAT_HELP[meta['format']]}":
        return {column: UNREADABLE[meta["format"]]}
    if rule == meta.get("rule"):
        (check,) = MODELS["victims"].to_schema().columns[column].checks
        stats = check.statistics
        bad = {
            "isin": "NOT-IN-THE-LIST",
            "str_matches": "NOT-A-CODE",
            "in_range": str(stats.get("max_value", 0) + 1),
            "greater_than_or_equal_to": str(stats.get("min_value", 0) - 1),
        }
        if check.name in bad:
            return {column: bad[check.name]}
    raise AssertionError(f"no way to break victims.{column} rule {rule!r}: add one to this test")


def stop_breakers() -> list[tuple[str, dict[str, str] | str]]:
    """(column, cells to set) for every stop rule of the victim contract in the catalogue;
    the unique key's entry is ("<key column>", "duplicate")."""
    meta = input_metadata("victims")
    key = MODELS["victims"].to_schema().unique
    breakers: list[tuple[str, dict[str, str] | str]] = []
    for entry in column_entries("victims"):
        breakers += [
            (entry.column, _field_breaker(entry.column, r)) for r in entry.rule.split("; ")
        ]
    for entry in rule_entries("victims"):
        if entry.kind != "stop":
            continue
        if entry.rule == f"{meta['unique_rule']} ({', '.join(key)})":
            breakers.append((entry.column, "duplicate"))
        elif entry.rule in CROSS_FIELD_RULES:
            assert entry.rule in CROSS_FIELD_BREAKERS, f"add a way to break {entry.rule!r}"
            breakers.append((entry.column, CROSS_FIELD_BREAKERS[entry.rule]))
        else:
            raise AssertionError(f"unknown victims stop rule {entry.rule!r}: add it to this test")
    return breakers


def keep_reasons() -> list[str]:
    """The reason of every keep-and-count rule of the victim contract in the catalogue."""
    by_condition = {rule.when: rule.reason for rule in keep_rules("victims")}
    reasons = []
    for entry in rule_entries("victims"):
        if entry.kind in ("keep", "exclude"):
            reason = EMPTY_ROW_REASON if entry.column == "(all)" else by_condition[entry.rule]
            assert reason in KEEP_BREAKERS, f"add a way to trigger {reason!r} to this test"
            reasons.append(reason)
    return reasons


def clean_rows(count: int) -> list[dict[str, str]]:
    """Demo victim rows that trip no rule at all, with distinctive ids, and no offence end."""
    with open(DEMO / "waltham-forest" / "victims.csv", encoding="utf-8", newline="") as handle:
        demo = list(csv.DictReader(handle))
    rows = []
    for row in demo:
        if all(row[c] for c in ("offence_start_time", "victim_age", "lsoa_code", "easting")) and (
            "Not stated" not in (row["victim_sex"], row["victim_ethnicity"])
        ):
            number = len(rows) + 1
            rows.append(
                {
                    **row,
                    "offence_id": f"OFF-SECRET-{number:03d}",
                    "victim_id": f"VIC-SECRET-{number:03d}",
                    "offence_end_date": "",
                    "offence_end_time": "",
                }
            )
        if len(rows) == count:
            return rows
    raise AssertionError("the demo has too few clean rows")


def write_rows(rows: list[dict[str, str]], path: Path) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shared(tmp_path_factory, config) -> dict[str, str]:
    """The demo's shared inputs, validated once (the area job reads them)."""
    folder = tmp_path_factory.mktemp("shared")
    kinds = shared_kinds(Settings.of(config))
    validated = {k: str(folder / f"{k}.parquet") for k in kinds}
    validate_shared_step(
        {k: str(DEMO / "shared" / raw_filename(k)) for k in kinds},
        validated=validated,
        reconciliation={k: str(folder / f"{k}.reconciliation.csv") for k in kinds},
        read=str(folder / "inputs-read.json"),
        settings=config,
    )
    return validated


def run_area_job(victims: Path, shared: dict[str, str], config: dict, out: Path, capfd):
    """The area's validation job as the workflow runs it; (exit status, console, log)."""
    kinds = area_kinds(Settings.of(config))
    raw = {k: str(DEMO / "waltham-forest" / raw_filename(k)) for k in kinds} | {
        "victims": str(victims)
    }
    log = out / "validate_area_inputs.log"
    status = 0
    try:
        with logged_step(log, "validate_area_inputs waltham-forest"):
            validate_area_step(
                raw,
                shared,
                validated={k: str(out / "validated" / f"{k}.parquet") for k in kinds},
                reconciliation={
                    k: str(out / "validation" / f"{k}.reconciliation.csv") for k in kinds
                },
                kept=str(out / "validation" / "cross-inputs.reconciliation.csv"),
                read=str(out / "validation" / "inputs-read.json"),
                settings=config,
                area_code=AREA_CODE,
            )
    except SystemExit as stop:
        status = stop.code
    captured = capfd.readouterr()
    return status, captured.out + captured.err, log.read_text(encoding="utf-8")


def _cited_lines(message: str, column: str) -> set[int]:
    """Lines the message cites for a column, over all its paragraphs."""
    lines: set[int] = set()
    for paragraph in message.split("\n\n"):
        if f"column '{column}'" in paragraph:
            found = re.search(r"fails?, lines? ([\d, ]+)", paragraph)
            lines |= {int(n) for n in found.group(1).split(", ")} if found else set()
    return lines


def test_every_stop_rule_names_lines_and_no_id(shared, config, tmp_path, capfd):
    breakers = stop_breakers()
    rows = clean_rows(len(breakers) + 3)
    expected: set[tuple[int, str]] = set()
    planted: set[str] = set()  # the bad values written
    for number, (column, cells) in enumerate(breakers):
        line = number + 2  # line 1 is the header
        if cells == "duplicate":  # the same ids as the last clean row
            rows[number]["offence_id"] = rows[-1]["offence_id"]
            rows[number]["victim_id"] = rows[-1]["victim_id"]
            expected |= {(line, column), (len(rows) + 1, column)}
            duplicated = rows[-1]["offence_id"]
        else:
            rows[number].update(cells)
            expected.add((line, column))
            planted |= {value for value in cells.values() if value}
    status, console, log = run_area_job(
        write_rows(rows, tmp_path / "victims.csv"), shared, config, tmp_path, capfd
    )
    assert status == 1
    assert "victims.csv: column 'victim_age'" in console and "victims.csv: column" in log
    assert SECRET not in console
    assert SECRET not in log
    for value in planted:  # nor any other value of a victim's row
        assert f"'{value}'" not in console + log, value
    failures = pd.read_csv(
        tmp_path / "validation" / "victims.failures.csv", dtype="str", keep_default_na=False
    )
    found = {
        (int(line), column)
        for line, column in zip(failures["source_line"], failures["column"], strict=True)
    }
    assert expected <= found  # every broken rule reported, by line
    assert {line for line, _ in found} <= {line for line, _ in expected}  # and nothing else
    for line, column in expected:
        assert line in _cited_lines(console, column), (line, column)
    assert duplicated in set(failures["value"])  # the failures CSV holds the rows' ids


def test_every_kept_or_excluded_row_is_counted_and_no_id_logged(shared, config, tmp_path, capfd):
    reasons = keep_reasons()
    rows = clean_rows(len(reasons) + 3)
    for row, reason in zip(rows, reasons, strict=False):  # the last rows stay clean
        if KEEP_BREAKERS[reason] is None:
            row.update(dict.fromkeys(row, ""))
        else:
            row.update(KEEP_BREAKERS[reason])
    status, console, log = run_area_job(
        write_rows(rows, tmp_path / "victims.csv"), shared, config, tmp_path, capfd
    )
    assert status == 0, console
    assert "INFO pipeline: victims: " in log  # the reconciliation is logged
    assert SECRET not in console
    assert SECRET not in log
    table = pd.read_csv(tmp_path / "validation" / "victims.reconciliation.csv")
    counts = table.set_index("reason")["rows"]
    assert {reason: int(counts[reason]) for reason in reasons} == dict.fromkeys(reasons, 1)
    used = int(counts["rows used"])
    assert (
        counts["rows read"]
        == len(rows)
        == used + table.loc[table["category"] == "excluded", "rows"].sum()
    )


def _records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _text(records: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(records)
    return buffer.getvalue()


def _swap_names(text: str, first: str, second: str) -> str:
    """The header with two column names swapped (the values stay where they are)."""
    header, *rows = _records(text)
    i, j = header.index(first), header.index(second)
    header[i], header[j] = header[j], header[i]
    return _text([header, *rows])


def _drop_column(text: str, name: str) -> str:
    header, *rows = _records(text)
    i = header.index(name)
    return _text([[v for k, v in enumerate(r) if k != i] for r in [header, *rows]])


def _add_column(text: str, name: str, value: str) -> str:
    header, *rows = _records(text)
    return _text([[*header, name], *[[*r, f"{value}-{n}"] for n, r in enumerate(rows)]])


#: Files the reader or the header check stops, each made from a clean extract with ids
#: (``<0x81>`` stands for that byte, which is neither UTF-8 nor Windows-1252 text).
READ_STOPS = {
    "no header": lambda text: text.split("\n", 1)[1],
    "ids under another column's name": lambda text: _swap_names(text, "offence_id", "victim_sex"),
    "missing column": lambda text: _drop_column(text, "victim_age"),
    "unknown column": lambda text: _add_column(text, "victim_name", "VIC-SECRET-NAME"),
    "unnamed column with values": lambda text: _add_column(text, "", "OFF-SECRET-NOTE"),
    "repeated column": lambda text: _add_column(text, "victim_id", "VIC-SECRET-AGAIN"),
    "record with an extra field": lambda text: text.replace(
        "\nOFF-SECRET-002,", "\nOFF-SECRET-002,x,"
    ),
    "unclosed quote": lambda text: text.replace("\nOFF-SECRET-002,", '\n"OFF-SECRET-002,'),
    "semicolons": lambda text: text.replace(",", ";"),
    "not text": lambda text: text.replace("OFF-SECRET-002", "OFF-SECRET-<0x81>"),
}


@pytest.mark.parametrize("case", list(READ_STOPS))
def test_read_and_header_stops_show_no_id(case, config, tmp_path, capfd):
    text = (write_rows(clean_rows(3), tmp_path / "clean.csv")).read_text(encoding="utf-8")
    path = tmp_path / "victims.csv"
    path.write_bytes(READ_STOPS[case](text).encode("utf-8").replace(b"<0x81>", b"\x81"))
    log = tmp_path / "validate.log"
    with pytest.raises(SystemExit), logged_step(log, "validate victims"):
        validate_step(
            "victims",
            str(path),
            validated=str(tmp_path / "victims.parquet"),
            reconciliation=str(tmp_path / "victims.reconciliation.csv"),
            settings=config,
            area_lsoas={"E01990001"},
        )
    captured = capfd.readouterr()
    console = captured.out + captured.err
    assert "victims.csv: " in console and "(stop)" in console
    assert SECRET not in console
    assert SECRET not in log.read_text(encoding="utf-8")
    assert (tmp_path / "victims.failures.csv").is_file()
