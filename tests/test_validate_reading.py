"""Benign variations of a clean file give the same validated frame as the clean file.

BOM, CRLF (and old-Mac CR), UTF-16, Windows-1252 text, another column order, spaces around
names and values, day-first dates and an xlsx workbook are all ways the same extract arrives.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.settings import Settings
from pipeline.validate.errors import ValidationStop
from pipeline.validate.readers import read_table
from pipeline.validate.run import validate_input

GOOD = Path(__file__).resolve().parent / "data" / "good"
AREA_LSOAS = {"E01004327", "E01004328", "E01004329", "E01004330"}
# Inputs whose clean files hold the awkward cases: victims (dates, times, flags, empty
# cells), schools (a curly apostrophe and a quoted comma), actions (a quoted comma and a
# quoted line break), school calendar (dates only).
KINDS = ["victims", "schools", "actions", "school_calendar", "deprivation"]


def _records(kind: str) -> list[list[str]]:
    """The clean file's records (header first), as the csv module reads them."""
    text = (GOOD / f"{kind}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def _write(
    records: list[list[str]],
    path: Path,
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    pad: bool = False,
    quoting: int = csv.QUOTE_MINIMAL,
) -> Path:
    """Write records as CSV (fields quoted where needed, or as ``quoting`` says)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    for record in records:
        writer.writerow([f"  {v} " if pad else v for v in record])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _validate(kind: str, path: Path, config: dict):
    return validate_input(
        kind,
        path,
        settings=Settings.of(config),
        area_lsoas=AREA_LSOAS if kind == "victims" else None,
        failures_path=path.with_suffix(".failures.csv"),
    )


def _same(variant, clean, *, lines: bool = True) -> None:
    left, right = variant.frame, clean.frame
    if not lines:
        left, right = left.drop(columns="source_line"), right.drop(columns="source_line")
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    pd.testing.assert_frame_equal(variant.reconciliation, clean.reconciliation)


def _reorder(records: list[list[str]]) -> list[list[str]]:
    """Columns in reverse order."""
    return [list(reversed(r)) for r in records]


def _day_first(records: list[list[str]]) -> list[list[str]]:
    """ISO dates rewritten the way UK spreadsheets write them (31/01/2024)."""

    def convert(value: str) -> str:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value

    return [records[0]] + [[convert(v) for v in r] for r in records[1:]]


VARIANTS = {
    "utf-8 with BOM": lambda rs, p: _write(rs, p, encoding="utf-8-sig"),
    "CRLF line ends": lambda rs, p: _write(rs, p, newline="\r\n"),
    # With CR line ends the csv writer would not quote a field holding LF: quote them all.
    "CR line ends, every field quoted": lambda rs, p: _write(
        rs, p, newline="\r", quoting=csv.QUOTE_ALL
    ),
    "UTF-16 with BOM": lambda rs, p: _write(rs, p, encoding="utf-16"),
    "Windows-1252": lambda rs, p: _write(rs, p, encoding="cp1252", newline="\r\n"),
    "other column order": lambda rs, p: _write(_reorder(rs), p),
    "spaces around names and values": lambda rs, p: _write(rs, p, pad=True),
    "day-first dates": lambda rs, p: _write(_day_first(rs), p),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("kind", KINDS)
def test_benign_variation_gives_the_same_frame(kind, variant, config, tmp_path):
    clean = _validate(kind, GOOD / f"{kind}.csv", config)
    path = VARIANTS[variant](_records(kind), tmp_path / f"{kind}.csv")
    _same(_validate(kind, path, config), clean)


def test_windows_1252_text_is_decoded(config, tmp_path):
    """The curly apostrophe Excel writes as byte 0x92 comes back as U+2019."""
    path = VARIANTS["Windows-1252"](_records("schools"), tmp_path / "schools.csv")
    assert b"\x92" in path.read_bytes()
    result = _validate("schools", path, config)
    assert "St Mary\u2019s C of E Primary, Walthamstow" in set(result.frame["school_name"])


def _workbook(records: list[list[str]], path: Path, kind: str) -> Path:
    """The records as Excel would hold them: dates, times and numbers as typed cells."""
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    sheet = book.create_sheet(kind)
    for i, record in enumerate(records):
        sheet.append(record if i == 0 else [_excel_value(v) for v in record])
    book.save(path)
    return path


def _excel_value(value: str):
    if value == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.fromisoformat(value)
    if re.fullmatch(r"\d{2}:\d{2}", value):
        return dt.time.fromisoformat(value)
    for number in (int, float):
        try:
            return number(value)
        except ValueError:
            pass
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_gives_the_same_frame(kind, config, tmp_path):
    clean = _validate(kind, GOOD / f"{kind}.csv", config)
    path = _workbook(_records(kind), tmp_path / f"{kind}.xlsx", kind)
    variant = _validate(kind, path, config)
    # Sheet rows equal file lines except after the quoted line break of actions.csv.
    _same(variant, clean, lines=kind != "actions")
    if kind == "actions":
        assert list(variant.frame["source_line"]) == [2, 3, 4, 5]
        assert list(clean.frame["source_line"]) == [2, 3, 5, 6]


def test_source_lines_follow_physical_lines(tmp_path):
    """A record after a quoted multi-line field starts on its physical line, not row + 2."""
    path = tmp_path / "actions.csv"
    path.write_text(
        "domain,action,owner,due_date,status\r\n"
        'Treat,"Line one\r\nline two\r\nline three",Health,2025-01-31,On track\r\n'
        "\r\n"
        'Support,"a, b",VRU,2025-02-28,Complete\r\n',
        encoding="utf-8",
        newline="",
    )
    raw = read_table(path, input_name="actions")
    # Header line 1; the first record spans lines 2-4; line 5 is blank; the last is line 6.
    assert raw.lines.tolist() == [2, 5, 6]
    assert raw.frame["action"].iloc[0] == "Line one\r\nline two\r\nline three"
    assert raw.frame["action"].iloc[2] == "a, b"


def test_excel_number_artefacts_are_read(config, tmp_path):
    """'12.0' and '1,234' are whole numbers as Excel writes them."""
    path = tmp_path / "population_la.csv"
    path.write_text(
        "area_code,year,sex,age_from,age_to,ethnicity,population\n"
        'E09000031,2024.0,All,0,90.0,All,"278,450"\n',
        encoding="utf-8",
    )
    frame = validate_input(
        "population_la", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
    ).frame
    assert frame.loc[0, ["year", "age_to", "population"]].tolist() == [2024, 90, 278450]
    assert frame["population"].dtype == "int64"


def test_trailing_empty_column_is_ignored_but_a_named_one_is_not(config, tmp_path):
    """Excel's trailing comma adds a nameless, empty column: not data, so not a problem."""
    path = tmp_path / "areas.csv"
    path.write_text(
        "area_code,area_name,region,\nE09000031,Waltham Forest,London,\n", encoding="utf-8"
    )
    passed = validate_input(
        "areas", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
    )
    assert passed.frame["area_name"].tolist() == ["Waltham Forest"]
    path.write_text(
        "area_code,area_name,region,\nE09000031,Waltham Forest,London,x\n", encoding="utf-8"
    )
    with pytest.raises(
        ValidationStop,
        match=r"rule 'every column has a name' \(stop\): "
        r"column 4 has values but no name",
    ):
        validate_input(
            "areas", path, settings=Settings.of(config), failures_path=tmp_path / "f.csv"
        )


# --- Reading and parsing in batches (a national extract is never held whole) ----------------

BAD = GOOD.parent / "bad"
VICTIM_FILES = sorted(p.name for p in BAD.glob("victims_*.csv"))


def _outcome(path: Path, config: dict, tmp_path: Path):
    """What validating a victim file gives: frames, or the message and failures list."""
    failures = tmp_path / "f.csv"
    try:
        result = validate_input(
            "victims",
            path,
            settings=Settings.of(config),
            area_lsoas=AREA_LSOAS,
            failures_path=failures,
        )
    except ValidationStop as stop:
        return str(stop), failures.read_bytes()
    return result.frame, result.excluded, result.reconciliation


def _same_outcome(left, right) -> None:
    assert type(left[0]) is type(right[0])
    if isinstance(left[0], str):
        assert left == right
        return
    for a, b in zip(left, right, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("name", [*VICTIM_FILES, "../good/victims.csv"])
def test_tiny_batches_and_blocks_change_nothing(name, config, tmp_path, monkeypatch):
    """Records read two at a time, the encoding checked five bytes at a time and values parsed
    three rows at a time give the same frames, messages and failures lists."""
    from pipeline.validate import checking, readers

    whole = _outcome(BAD / name, config, tmp_path)
    monkeypatch.setattr(readers, "BATCH_RECORDS", 2)
    monkeypatch.setattr(readers, "SNIFF_BLOCK", 5)
    monkeypatch.setattr(checking, "PARSE_ROWS", 3)
    _same_outcome(_outcome(BAD / name, config, tmp_path), whole)


def test_every_short_record_is_found_whatever_the_batch(tmp_path, monkeypatch):
    from pipeline.validate import readers

    monkeypatch.setattr(readers, "BATCH_RECORDS", 2)
    path = tmp_path / "areas.csv"
    rows = ["E09000031,Waltham Forest,London"] * 7
    rows[1] = rows[4] = rows[6] = "E09000031,London"
    path.write_text("area_code,area_name,region\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ValidationStop, match=r"3 rows fail, lines 3, 6, 8: values '2 fields'"):
        validate_input("areas", path, settings=Settings.of({}), failures_path=tmp_path / "f.csv")


def test_encoding_is_checked_across_block_boundaries(tmp_path, monkeypatch):
    """A two-byte UTF-8 character split between blocks is UTF-8; a byte that is no text names
    its line however far into the file it is."""
    from pipeline.validate import readers

    monkeypatch.setattr(readers, "SNIFF_BLOCK", 1)
    path = tmp_path / "areas.csv"
    path.write_bytes("area_code,area_name,region\nE09000031,Waltham Forést,London\n".encode())
    raw = read_table(path, input_name="areas")
    assert raw.encoding == "utf-8" and raw.frame["area_name"].iloc[0] == "Waltham Forést"
    monkeypatch.setattr(readers, "SNIFF_BLOCK", 8)
    path.write_bytes(
        b"area_code,area_name,region\n" + b"E09000031,Walthamstow,London\n" * 3 + b"\x81\n"
    )
    with pytest.raises(
        ValidationStop, match=r"byte 0x81 is neither UTF-8 nor Windows-1252 text \(line 5\)"
    ):
        validate_input("areas", path, settings=Settings.of({}), failures_path=tmp_path / "f.csv")
