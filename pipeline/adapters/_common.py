"""Shared plumbing for the adapters: the result type, clear errors and small parsers.

Every adapter returns an :class:`AdapterResult`: ``frame`` holds the rows in a data contract
(docs/data-contracts.md) or a documented intermediate, and ``excluded`` counts every source
row the adapter could not map, by reason, so that nothing is dropped silently.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlrd

from pipeline.adapters._formats import wrong_file_hint
from pipeline.runtime import UserFacingError

#: Columns of every ``excluded`` table. ``detail`` narrows the reason (a borough name, a month,
#: a code); ``rows`` counts source rows; ``value`` is what those rows held (crimes, residents)
#: where that is meaningful, else missing. Some adapters add key columns (e.g. ``month``).
EXCLUDED_COLUMNS: list[str] = ["source", "reason", "detail", "rows", "value"]

#: ONS GSS code: a letter for the country, two digits for the entity, six for the instance.
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
#: Lower-layer super output area code (England E01, Wales W01).
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
#: ONS age tables stop at a single open-ended year: 90 means "90 and over" (the contract's rule).
OPEN_AGE = 90
#: How many rows an error message lists before saying "and N more".
_ROWS_SHOWN = 10


class AdapterError(UserFacingError, ValueError):
    """A public file does not match its published format; the message says where and why."""


def fail(
    source: Path | str,
    rule: str,
    *,
    column: str | None = None,
    rows: Sequence[int] | None = None,
) -> AdapterError:
    """Build an error naming the file, the rows (as numbered in the file), the column and rule."""
    parts = [f"{Path(source).name}"]
    if rows is not None and len(rows) > 0:
        parts.append(describe_rows(rows))
    if column is not None:
        parts.append(f"column {column!r}")
    return AdapterError(", ".join(parts) + f": {rule}")


def describe_rows(rows: Sequence[int]) -> str:
    """'row 5' or 'rows 3, 9, 12 and 40 more (43 rows)'."""
    ordered = sorted(int(r) for r in rows)
    if len(ordered) == 1:
        return f"row {ordered[0]}"
    shown = ", ".join(str(r) for r in ordered[:_ROWS_SHOWN])
    more = len(ordered) - _ROWS_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    return f"rows {shown}{tail} ({len(ordered)} rows)"


def csv_line_numbers(positions: Iterable[int]) -> list[int]:
    """File line numbers of 0-based data-row positions in a CSV with one header line."""
    return [int(p) + 2 for p in positions]


@dataclass(frozen=True)
class AdapterResult:
    """What an adapter read: rows in the contract, and the rows it could not map, by reason."""

    frame: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def rows_excluded(self) -> int:
        """Total number of source rows reported in ``excluded``."""
        return int(self.excluded["rows"].sum())


def excluded_frame(
    records: Iterable[Mapping[str, object]], extra_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """The ``excluded`` table from dicts, with the standard columns and a stable row order."""
    columns = ["source", *extra_columns, *EXCLUDED_COLUMNS[1:]]
    frame = pd.DataFrame(list(records), columns=columns)
    frame["detail"] = frame["detail"].fillna("").astype(str)
    frame["rows"] = frame["rows"].astype("int64")
    frame["value"] = frame["value"].astype("Int64")
    keys = ["source", *extra_columns, "reason", "detail"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _what_was_found(error: Exception) -> str | None:
    """What a file that cannot be parsed at all turned out to be, from the error its reader
    raised; None for any other error (a bug, reported as one)."""
    if isinstance(error, UnicodeDecodeError):
        return "bytes that are not UTF-8 text"
    if isinstance(error, pd.errors.EmptyDataError):
        return "an empty file"
    if isinstance(error, pd.errors.ParserError | csv.Error):
        return f"malformed CSV ({' '.join(str(error).split())})"
    if isinstance(error, xlrd.XLRDError):
        return f"a file that is not an .xls workbook ({error})"
    if isinstance(error, zipfile.BadZipFile):
        return "a file that is not an .xlsx workbook (not a zip archive)"
    if type(error).__name__ == "InvalidFileException":  # openpyxl's (not imported until read)
        return "a file that is not an Excel workbook (by its name)"
    if type(error).__module__.startswith("pyogrio"):  # DataSourceError, DataLayerError, ...
        return f"a file GDAL cannot read ({' '.join(str(error).split())})"
    if isinstance(error, OSError):
        return f"a file that cannot be opened ({error.strerror or type(error).__name__})"
    return None


@contextmanager
def reading(path: Path | str, what: str) -> Iterator[None]:
    """Turn a failure to parse ``path`` at all (not text, not CSV, not a workbook, not a
    shapefile...) into an AdapterError naming the file, what was expected and what was found."""
    try:
        yield
    except AdapterError:
        raise
    except Exception as error:
        found = _what_was_found(error)
        if found is None:
            raise
        raise fail(path, f"expected {what}, found {found}") from None


def read_csv_text(path: Path | str, what: str) -> pd.DataFrame:
    """A CSV file's cells as text (nothing parsed, a UTF-8 byte-order mark ignored)."""
    with reading(path, f"{what} (CSV, UTF-8)"):
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_csv_header(path: Path) -> list[str]:
    """The header row of a CSV file (a UTF-8 byte-order mark is ignored)."""
    with reading(path, "CSV (UTF-8)"), open(path, newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f), [])


def require_columns(
    path: Path,
    present: Iterable[str],
    required: Iterable[str],
    what: str,
    *,
    expected_format: str | None = None,
) -> None:
    """Raise naming the missing columns when a file lacks ones its format must have, and the
    adapter that reads the file when it is another known public format (``expected_format``:
    this adapter's key in :data:`~pipeline.adapters._formats.KNOWN_FORMATS`, if listed)."""
    have = list(present)
    missing = [c for c in required if c not in set(have)]
    if missing:
        hint = wrong_file_hint(have, expected_format)
        raise fail(
            path,
            f"not a {what} file: missing column(s) {missing}{hint}",
            column=missing[0],
        )


def blank_rows(table: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty: missing (None, NaN; pandas 3 turns None into NaN on
    ``astype(str)``), or text that is blank or reads 'nan'/'None'."""
    empty = table.apply(
        lambda column: column.isna() | column.astype("str").str.strip().isin(["", "nan", "None"])
    )
    return empty.all(axis=1)


def as_paths(paths: Path | str | Iterable[Path | str]) -> list[Path]:
    """One path or many, as a list of Paths in the order given."""
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    result = [Path(p) for p in paths]
    if not result:
        raise ValueError("no input files given")
    return result


def whole_numbers(
    values: pd.Series,
    path: Path,
    column: str,
    row_numbers: Sequence[int],
    *,
    allow_missing: bool = False,
) -> pd.Series:
    """Parse counts that must be whole numbers >= 0 ('5' or '5.0'); raise naming the bad rows."""
    text = values.astype("str").str.strip()
    missing = text.isin(["", "nan", "<NA>", "None"]) | values.isna()
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = (~missing & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))).to_numpy()
    if bad.any():
        rows = [row_numbers[i] for i in bad.nonzero()[0]]
        examples = sorted(set(text[bad].head(3)))
        raise fail(
            path, f"counts must be whole numbers >= 0, found {examples}", column=column, rows=rows
        )
    if missing.any() and not allow_missing:
        rows = [row_numbers[i] for i in missing.to_numpy().nonzero()[0]]
        raise fail(path, "a count is missing", column=column, rows=rows)
    return numbers.astype("Int64" if allow_missing else "int64")


def read_excel_grids(
    path: Path, keep: Callable[[str], bool] = lambda name: True
) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a grid of raw cells (no header; position i = Excel row i+1).

    ``.xls`` is read with xlrd and ``.xlsx`` with openpyxl (read-only) directly: pandas 3
    deprecates its xlrd engine, and a sheet's header row is found by content, not offset.
    """
    with reading(path, "Excel workbook (.xls or .xlsx)"):
        return _excel_grids(path, keep)


def _excel_grids(path: Path, keep: Callable[[str], bool]) -> dict[str, pd.DataFrame]:
    if Path(path).suffix.casefold() == ".xls":
        book = xlrd.open_workbook(path, on_demand=True)
        try:
            grids = {}
            for name in filter(keep, book.sheet_names()):
                sheet = book.sheet_by_name(name)
                rows = [
                    [None if v == "" else v for v in sheet.row_values(i)]
                    for i in range(sheet.nrows)
                ]
                grids[name] = pd.DataFrame(rows, dtype=object)
                book.unload_sheet(name)
            return grids
        finally:
            book.release_resources()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            name: pd.DataFrame(
                list(book[name].iter_rows(min_row=1, values_only=True)), dtype=object
            )
            for name in filter(keep, book.sheetnames)
        }
    finally:
        book.close()


def excel_sheet_names(path: Path) -> list[str]:
    """Sheet names of a workbook (.xls via xlrd, .xlsx via openpyxl), without reading cells."""
    with reading(path, "Excel workbook (.xls or .xlsx)"):
        return _sheet_names(path)


def _sheet_names(path: Path) -> list[str]:
    if Path(path).suffix.casefold() == ".xls":
        book = xlrd.open_workbook(path, on_demand=True)
        try:
            return list(book.sheet_names())
        finally:
            book.release_resources()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()
