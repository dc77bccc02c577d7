"""Robust reading of the raw extracts, keeping the source line where each record starts.

Accepted without complaint (benign variations): UTF-8 with or without a byte-order mark,
UTF-16 with a byte-order mark (Excel "Unicode text"), Windows-1252 (Excel "CSV" on Windows),
CRLF / LF / CR line ends, quoted fields holding commas, quotes or line breaks, any column order,
and whitespace around names and values. xlsx workbooks are read from the sheet named after the
input, or else the first sheet; their source location is the sheet row.

Everything is read as text: typing is done by :mod:`pipeline.validate.rules` so that a value
that is not a number or a date is reported against its own line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.validate.errors import Problem, ProblemsFound

#: Spreadsheet files read as workbooks rather than text.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}

_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
#: Bytes read at a time while checking a file's encoding.
SNIFF_BLOCK = 16 * 1024 * 1024
#: Records held as Python strings at a time before they become Arrow columns.
BATCH_RECORDS = 50_000


@dataclass
class RawTable:
    """An input as text: one row per record, the header names and where each record starts."""

    frame: pd.DataFrame  # text columns, '' for empty cells, RangeIndex
    lines: np.ndarray  # source location (1-based) where each record starts (int64)
    header: list[str]
    unit: str  # 'line' for text files, 'sheet row' for workbooks
    encoding: str


class RecordText:
    """The text of the records checked (blank records left out), as read, by row position.

    A column of text format is not held twice: its typed value is its text with empty cells
    missing, so its text is rebuilt from the typed frame when a message or the excluded rows
    need it. Only the parsed columns (numbers, dates, ...) keep their text.
    """

    def __init__(self, text: pd.DataFrame, typed: pd.DataFrame, *, formats: dict[str, str]):
        self.columns = list(text.columns)
        self.typed = typed
        self.parsed = text[[c for c in self.columns if formats[c] != "text"]]

    def __contains__(self, column: object) -> bool:
        return column in self.columns

    def value(self, column: str, position: int) -> str:
        """The text of one cell."""
        if column in self.parsed:
            return self.parsed[column].iloc[position]
        value = self.typed[column].iloc[position]
        return "" if pd.isna(value) else value

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """The text of the records at ``positions``, every column, with a new RangeIndex."""
        columns = {}
        for column in self.columns:
            if column in self.parsed:
                values = self.parsed[column].iloc[positions]
            else:
                values = self.typed[column].iloc[positions].fillna("")
            columns[column] = values.reset_index(drop=True)
        return pd.DataFrame(columns, index=pd.RangeIndex(len(positions)))


def display_name(path: Path) -> str:
    """The file as named in messages: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_table(path: Path, *, input_name: str) -> RawTable:
    """Read a CSV or xlsx extract as text, or raise ProblemsFound naming what is unreadable."""
    path = Path(path)
    file = display_name(path)
    if not path.is_file():
        _unreadable(input_name, file, "the file does not exist", "Check the path in the config.")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook(path, input_name=input_name, file=file)
    if path.suffix.lower() == ".xls":
        _unreadable(
            input_name,
            file,
            "legacy .xls workbooks are not read",
            "Save the sheet as .xlsx or as CSV UTF-8.",
        )
    return _read_csv(path, input_name=input_name, file=file)


def _unreadable(
    input_name: str, file: str, detail: str, fix: str, line: int | None = None
) -> NoReturn:
    """Raise a Stop problem for a file that cannot be read at all."""
    problem = Problem(
        input=input_name,
        file=file,
        rule="readable CSV or xlsx file",
        fix=fix,
        lines=[line] if line else [],
        values=[detail] if line else [],
        detail=(f"{detail} (line {line})" if line else detail),
    )
    raise ProblemsFound([problem])


def _blocks(path: Path) -> Iterator[bytes]:
    """The file's bytes in blocks of SNIFF_BLOCK (a national extract is never read whole)."""
    with open(path, "rb") as handle:
        while block := handle.read(SNIFF_BLOCK):
            yield block


def _decode_error(path: Path, codec: str) -> tuple[UnicodeDecodeError, int] | None:
    """The first error decoding the whole file as ``codec`` (and how many line feeds come
    before it), or None when it decodes. Decoded block by block, keeping nothing."""
    decoder = codecs.getincrementaldecoder(codec)()
    newlines = 0
    for block in _blocks(path):
        try:
            decoder.decode(block, final=False)
        except UnicodeDecodeError as err:
            return err, newlines + block[: max(err.start, 0)].count(b"\n")
        newlines += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        return err, newlines
    return None


def sniff_encoding(path: Path, *, input_name: str, file: str) -> tuple[str, str]:
    """The codec to open a CSV file with and the encoding's name: UTF-16 (with BOM), UTF-8 (BOM
    optional) or Windows-1252. The whole file must decode; it is read in blocks."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if all(not block.strip() for block in _blocks(path)):
        _unreadable(
            input_name,
            file,
            "the file is empty (no header, no rows)",
            "Export the extract again: the first line must be the column names.",
        )
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        _unreadable(
            input_name,
            file,
            "this is an Excel workbook, not a CSV text file",
            "Give it the .xlsx extension, or save it from Excel as CSV UTF-8.",
        )
    if head.startswith(_BOM_UTF16):
        failed = _decode_error(path, "utf-16")
        if failed is not None:
            _unreadable(
                input_name,
                file,
                f"broken UTF-16 text ({failed[0].reason})",
                "Save it from Excel as CSV UTF-8.",
            )
        return "utf-16", "utf-16"
    if _decode_error(path, "utf-8-sig") is None:
        return "utf-8-sig", "utf-8"
    failed = _decode_error(path, "cp1252")
    if failed is not None:
        err, newlines = failed
        _unreadable(
            input_name,
            file,
            f"byte 0x{err.object[err.start]:02x} is neither UTF-8 nor Windows-1252 text",
            "Save the file from Excel as CSV UTF-8 (Comma delimited).",
            newlines + 1,
        )
    return "cp1252", "cp1252"


def _read_csv(path: Path, *, input_name: str, file: str) -> RawTable:
    """Parse CSV text, recording the physical line on which each record starts.

    Records are turned into Arrow string columns BATCH_RECORDS at a time: a record as a list of
    Python strings costs about ten times its bytes, so a national extract held that way would
    need several gigabytes.
    """
    codec, encoding = sniff_encoding(path, input_name=input_name, file=file)
    with open(path, encoding=codec, newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header: list[str] | None = None
        columns: list[list[pa.Array]] = []
        batch: list[list[str]] = []
        lines = array("q")
        bad: list[tuple[int, int]] = []  # (line, fields) of records of the wrong width
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                _unreadable(
                    input_name,
                    file,
                    _csv_error_text(err, start),
                    "Check the quotes on that line: a value with a comma or line break "
                    'must be wrapped in double quotes, and a quote inside it doubled ("").',
                    start,
                )
            record = [value.strip() for value in record]
            if header is None:
                header = record
                columns = [[] for _ in header]
                continue
            lines.append(start)
            if len(record) != len(header):
                if any(record):  # an all-blank record is an empty row
                    bad.append((start, len(record)))
                record = [""] * len(header)
            if bad or not any(header):
                continue  # the read will stop: only the remaining problems are wanted
            batch.append(record)
            if len(batch) == BATCH_RECORDS:
                _add_batch(columns, batch)
                batch = []
    if header is None:
        _unreadable(
            input_name,
            file,
            "the file is empty (no header, no rows)",
            "Export the extract again: the first line must be the column names.",
        )
    if not any(header):
        _unreadable(
            input_name,
            file,
            "the first line is empty",
            "The first line must hold the column names.",
            1,
        )
    if bad:
        _field_count_problem(bad, header, input_name=input_name, file=file)
    _add_batch(columns, batch)
    frame = pd.DataFrame(
        {
            position: pd.Series(pa.chunked_array(chunks, type=pa.large_string()), dtype="str")
            for position, chunks in enumerate(columns)
        },
        index=pd.RangeIndex(len(lines)),
    )
    frame.columns = header
    return RawTable(
        frame=frame,
        lines=np.frombuffer(lines, dtype="int64").copy(),
        header=list(header),
        unit="line",
        encoding=encoding,
    )


def _add_batch(columns: list[list[pa.Array]], batch: list[list[str]]) -> None:
    """Append a batch of records, column by column, as Arrow strings."""
    for position, chunks in enumerate(columns):
        chunks.append(pa.array([record[position] for record in batch], type=pa.large_string()))


def _csv_error_text(err: csv.Error, start: int) -> str:
    """Plain-English reason for a csv module parsing error."""
    message = str(err)
    if "unexpected end of data" in message:
        return "a double quote opened in the record starting on this line is never closed"
    if "NUL" in message:
        return "the file holds NUL bytes (it is probably not a text file)"
    return f"malformed quoting ({message})"


def _field_count_problem(
    bad: list[tuple[int, int]], header: list[str], *, input_name: str, file: str
) -> NoReturn:
    """Stop when records have more or fewer fields than the header (a stray comma)."""
    separator_hint = ""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator_hint = " The file seems to use ';' or tabs between values, not commas."
    problem = Problem(
        input=input_name,
        file=file,
        rule=f"every record has the header's {len(header)} fields",
        fix="A value holding a comma must be wrapped in double quotes." + separator_hint,
        lines=[line for line, _ in bad],
        values=[f"{count} fields" for _, count in bad],
        values_are_cells=False,
    )
    raise ProblemsFound([problem])


def _as_table(header, rows, lines, *, unit: str, encoding: str) -> RawTable:
    """Build the text frame of a workbook's rows; blank records become rows of empty strings
    (counted later)."""
    width = len(header)
    padded = [row if len(row) == width else [""] * width for row in rows]
    columns = {i: [row[i] for row in padded] for i in range(width)}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), dtype="str")
    frame.columns = header
    return RawTable(
        frame=frame,
        lines=np.asarray(lines, dtype="int64"),
        header=list(header),
        unit=unit,
        encoding=encoding,
    )


def _read_workbook(path: Path, *, input_name: str, file: str) -> RawTable:
    """Read an xlsx sheet as text; the source location of a record is its sheet row."""
    import openpyxl  # imported here: only workbook inputs need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for damaged files
        _unreadable(
            input_name,
            file,
            f"the workbook cannot be opened ({type(err).__name__})",
            "Open it in Excel and save it again as .xlsx.",
        )
    try:
        sheet = book[input_name] if input_name in book.sheetnames else book.worksheets[0]
        cells = [
            [_cell_text(v) for v in row] for row in sheet.iter_rows(min_row=1, values_only=True)
        ]
    finally:
        book.close()
    while cells and not any(cells[-1]):  # Excel's used range often ends in blank rows
        cells.pop()
    if not cells or not any(cells[0]):
        _unreadable(
            input_name,
            file,
            f"sheet '{sheet.title}' has no column names in row 1",
            "Row 1 of the sheet must hold the column names.",
        )
    width = max(i + 1 for i, value in enumerate(cells[0]) if value)
    for row in cells[1:]:  # widen to the last non-blank cell of any row
        width = max(width, max((i + 1 for i, v in enumerate(row) if v), default=0))
    table = [(row + [""] * width)[:width] for row in cells]
    header, *rows = table
    lines = list(range(2, len(rows) + 2))
    return _as_table(header, rows, lines, unit="sheet row", encoding="xlsx")


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores whole numbers as floats
    return str(value).strip()
