"""data.police.uk street-level crime CSV -> crimes by LSOA, month and crime type for one area.

Where to get it: data.police.uk (Home Office), "Data downloads" -> choose forces and months ->
"Include crime data"; the zip holds one folder per month, ``YYYY-MM/YYYY-MM-<force>-street.csv``
(columns ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
LSOA code, LSOA name, Crime type, Last outcome category, Context``). Bulk archives of every
force and month are under "Archive". The API's JSON (data.police.uk/docs/method/crime-street/)
is read by :mod:`pipeline.adapters.police_uk_api`.

Inputs: files, folders laid out as the archive (``YYYY-MM/YYYY-MM-<force>-street.csv``) or flat
folders of such files, several forces and months in one call. A folder's other files (the
archive's ``-outcomes.csv`` and ``-stop-and-search.csv``) are not read and are listed in
``excluded`` with 0 rows.

What it produces (a documented intermediate, not a contract): ``lsoa_code, month, crime_type,
count`` (with ``by_force=True`` also ``force``, the "Reported by" force) for crimes located in
the area's LSOAs, one row per combination with at least one crime (a combination that is absent
had none). Every other row is counted in ``excluded`` by file, month and reason, the first that
applies in this order:

1. :data:`REASON_BTP`: "Reported by" or "Falls within" is British Transport Police (crime on the
   railways, which the territorial forces' and the MPS's borough counts do not include);
2. :data:`REASON_NO_LOCATION`: no LSOA code;
3. :data:`REASON_OUTSIDE`: the LSOA is not in the area's list;
4. :data:`REASON_OTHER_FORCE`: "Reported by" is not the area's ``force`` (``detail`` names it);
5. :data:`REASON_SECOND_COPY_NO_ID`: a row without a Crime ID in a second file of the same name
   (the same force and month published twice): police.uk leaves anti-social behaviour without
   an ID, so such rows cannot be matched and the first copy's are the ones counted;
6. :data:`REASON_DUPLICATE`: its Crime ID was counted from an earlier file (``detail`` names
   it): a crime in two forces' files, or a month published twice, counts once. Files are read
   in the order given (a folder's files sorted by path), so list the newest download first.

Rows of one file that share a Crime ID are all counted: police.uk publishes several crimes
under one reference (the real Met and City files repeat 147 IDs within a file, 43 of them with
a different crime type or LSOA), and police.uk's own totals count rows.

police.uk data carry no victim details and their locations are snapped to anonymous map points.
The LSOA codes are those current when the month was published (2011 LSOAs in older files): give
``area_lsoas`` in the same vintage, or crimes in changed LSOAs count as outside the area.

Built for national files (millions of rows): six columns are read, the short ones as dictionary
(categorical) columns, by pyarrow's multithreaded CSV reader, and rows are counted with a
pyarrow group-by before pandas sees them; only the Crime IDs of counted rows are kept between
files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.adapters._common import (
    LSOA_CODE,
    AdapterResult,
    as_paths,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_header,
    require_columns,
)

#: Published column -> our name. Only these are read.
COLUMNS: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "LSOA code": "lsoa_code",
    "Crime type": "crime_type",
}
#: Read as dictionary (categorical) columns: few distinct values, so cheap to parse and compare.
_DICTIONARY_COLUMNS = ("Month", "Reported by", "Falls within", "LSOA code", "Crime type")
REASON_BTP = "British Transport Police (railway crime, not a territorial force's)"
REASON_NO_LOCATION = "no location (no LSOA code)"
REASON_OUTSIDE = "located outside the area"
REASON_OTHER_FORCE = "recorded by another force inside the area"
REASON_SECOND_COPY_NO_ID = "no Crime ID, in a second copy of the same force and month"
REASON_DUPLICATE = "Crime ID already counted from another file"
REASON_NOT_STREET = "not a street-level crime file (not read)"
BTP = "British Transport Police"

#: Bytes per pyarrow CSV block: large enough for the parser threads to stay busy, small
#: enough that a national file never sits in memory whole.
BLOCK_SIZE = 1 << 26
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: A street file's name in the police.uk downloads and archive.
STREET_FILE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-[a-z0-9-]+-street\.csv$", re.IGNORECASE)
_MONTH_FOLDER = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FORMAT = "data.police.uk street-level crime"
_LAYOUT = "a YYYY-MM-<force>-street.csv file, or a folder of them (YYYY-MM/ subfolders or flat)"
_KEYS = ["lsoa_code", "month", "force", "crime_type", "reason", "detail"]


def read_police_uk_street(
    paths: Path | str | Iterable[Path | str],
    area_lsoas: Iterable[str],
    force: str | None = None,
    *,
    by_force: bool = False,
) -> AdapterResult:
    """Count the area's street-level crimes by LSOA, month and crime type, from files or folders.

    ``area_lsoas`` is the area's list of LSOA codes (the list that decides "inside the area");
    ``force`` is the area's force as police.uk spells it in "Reported by" (e.g.
    "Metropolitan Police Service"); with ``None`` every territorial force's records are kept.
    ``by_force`` adds the ``force`` column ("Reported by") to the counts.
    """
    area = frozenset(str(code) for code in area_lsoas)
    if not area:
        raise ValueError(
            "area_lsoas is empty: the area's LSOA list is needed to decide what is inside"
        )
    files, skipped = street_files(paths)
    seen = _SeenCrimes()
    names = _source_names(files)
    parts = [_count_file(path, names[path], area, force, seen) for path in files]
    grouped = pd.concat(parts, ignore_index=True)
    kept = grouped.loc[grouped["reason"] == ""]
    keys = ["lsoa_code", "month", "force", "crime_type"] if by_force else [
        "lsoa_code", "month", "crime_type"]  # fmt: skip
    frame = (
        kept.groupby(keys, as_index=False, sort=True)["rows"]
        .sum()
        .rename(columns={"rows": "count"})
    )
    frame["count"] = frame["count"].astype("int64")
    dropped = grouped.loc[grouped["reason"] != ""]
    excluded = dropped.groupby(["source", "month", "reason", "detail"], as_index=False)[
        "rows"
    ].sum()
    records = [*excluded.to_dict("records"), *skipped]
    for record in records:
        record["value"] = pd.NA
    return AdapterResult(
        frame=frame.reset_index(drop=True),
        excluded=excluded_frame(records, extra_columns=["month"]),
    )


def street_files(
    paths: Path | str | Iterable[Path | str],
) -> tuple[list[Path], list[dict[str, object]]]:
    """The street-level CSV files named by ``paths`` (files, or archive-layout or flat folders),
    in the order given (a folder's files sorted), and a 0-row excluded record for every other
    file found in a folder. Raises for a path that is neither, a JSON file, or an empty folder."""
    files: list[Path] = []
    skipped: list[dict[str, object]] = []
    for path in as_paths(paths):
        if path.is_dir():
            found, others = _folder_files(path)
            files += found
            skipped += [
                {"source": other.name, "month": "", "reason": REASON_NOT_STREET,
                 "detail": other.relative_to(path).as_posix(), "rows": 0}
                for other in others
            ]  # fmt: skip
        elif path.is_file():
            _refuse_json(path)
            files.append(path)
        else:
            raise fail(path, f"not a file or a folder: expected {_LAYOUT}")
    return files, skipped


def _folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Street files directly in ``folder`` or in its YYYY-MM subfolders, and the other files."""
    candidates = [p for p in folder.iterdir() if p.is_file()]
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and _MONTH_FOLDER.match(sub.name):
            candidates += [p for p in sub.iterdir() if p.is_file()]
    candidates = sorted(candidates)
    found = [p for p in candidates if STREET_FILE.match(p.name)]
    others = [p for p in candidates if not STREET_FILE.match(p.name) and p.name != ".gitignore"]
    if not found:
        raise fail(
            folder,
            "no YYYY-MM-<force>-street.csv files in this folder or its YYYY-MM subfolders "
            f"(found {[p.name for p in others[:3]]})",
        )
    return found, others


def _refuse_json(path: Path) -> None:
    """A police.uk API answer given to the CSV reader: say which reader takes it."""
    with open(path, "rb") as handle:
        start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.casefold() == ".json" or start[:1] in (b"[", b"{"):
        raise fail(
            path,
            "this is JSON (a police.uk API answer?), not a street-level CSV: read it with "
            "pipeline.adapters.read_police_uk_api_json",
        )


def _source_names(files: list[Path]) -> dict[Path, str]:
    """How each file is named in ``excluded``: its name, or folder/name when names repeat."""
    counts: dict[str, int] = {}
    for path in files:
        counts[path.name] = counts.get(path.name, 0) + 1
    return {
        path: path.name if counts[path.name] == 1 else f"{path.parent.name}/{path.name}"
        for path in files
    }


@dataclass
class _SeenCrimes:
    """What earlier files counted: Crime ID -> file, and the file names (force and month)."""

    ids: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    _array: pa.Array | None = None

    def id_array(self) -> pa.Array:
        if self._array is None or len(self._array) != len(self.ids):
            self._array = pa.array(list(self.ids), pa.string())
        return self._array

    def add(self, ids: Iterable[str], source: str, name: str) -> None:
        for crime_id in ids:
            self.ids.setdefault(crime_id, source)
        self.names.add(name.casefold())


def _count_file(
    path: Path, source: str, area: frozenset[str], force: str | None, seen: _SeenCrimes
) -> pd.DataFrame:
    """Rows of one file, classified (kept, or excluded with a reason) and counted: kept rows by
    LSOA, month, force and crime type; excluded rows by month, reason and detail.

    The file is streamed block by block (pyarrow's streaming CSV reader, parsing in parallel
    threads); each block is classified and counted with pyarrow compute functions, so memory is
    bounded by the block size and the area's own crimes, not by the size of a national file.
    """
    require_columns(
        path, read_csv_header(path), COLUMNS, _FORMAT, expected_format="police_uk_street"
    )
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {column: dictionary for column in _DICTIONARY_COLUMNS}
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=True, block_size=BLOCK_SIZE),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(COLUMNS),
            column_types={**types, "Crime ID": pa.string()},
            strings_can_be_null=True,
        ),
    )
    context = _FileContext(
        area_codes=pa.array(sorted(area), pa.string()),
        force=force,
        seen=seen,
        second_copy=path.name.casefold() in seen.names,
    )
    partial_counts: list[pa.Table] = []
    counted_ids: list[str] = []
    offset = 0
    for batch in reader:
        table = pa.Table.from_batches([batch])
        _check_required_values(path, table, offset)
        counts, ids = _classify_and_count(table, context)
        partial_counts.append(counts)
        counted_ids += ids
        offset += batch.num_rows
    seen.add(counted_ids, source, path.name)
    if not partial_counts:
        return pd.DataFrame(columns=[*_KEYS, "rows", "source"])
    combined = (
        pa.concat_tables(partial_counts)
        .group_by(_KEYS, use_threads=False)
        .aggregate([("rows", "sum")])
        .rename_columns([*_KEYS, "rows"])
    )
    counts = combined.to_pandas().sort_values(_KEYS, na_position="first", kind="stable")
    counts = counts.astype({column: "object" for column in _KEYS})
    counts = counts.where(counts.notna(), None)
    counts["rows"] = counts["rows"].astype("int64")
    counts["source"] = source
    return counts.reset_index(drop=True)


@dataclass(frozen=True)
class _FileContext:
    """What classifying one file's rows needs besides the rows."""

    area_codes: pa.Array
    force: str | None
    seen: _SeenCrimes
    second_copy: bool


def _on_dictionary(column: pa.ChunkedArray, test: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``test`` of each row of a dictionary column, worked out once per distinct value (a
    block has a few forces and LSOAs, and a national file millions of rows); missing = False."""
    chunks = [pc.take(test(chunk.dictionary), chunk.indices) for chunk in column.chunks]
    return pc.fill_null(pa.chunked_array(chunks, pa.bool_()), False)


def _is(column: pa.ChunkedArray, name: str) -> pa.Array:
    """Case- and space-blind equality of a dictionary column with a force name."""
    wanted = name.strip().casefold()
    return _on_dictionary(
        column, lambda values: pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(values)), wanted)
    )


def _classify_and_count(table: pa.Table, context: _FileContext) -> tuple[pa.Table, list[str]]:
    """One block: why each row is excluded ('' = kept), the counts by key, and the Crime IDs
    of the rows kept."""
    text = {column: table.column(column).cast(pa.string()) for column in COLUMNS
            if column not in ("Falls within",)}  # fmt: skip
    lsoa, crime_id = text["LSOA code"], text["Crime ID"]
    false = pa.array([False] * table.num_rows, pa.bool_())
    reported = table.column("Reported by")
    btp = pc.or_(_is(reported, BTP), _is(table.column("Falls within"), BTP))
    no_location = pc.is_null(lsoa)
    inside = _on_dictionary(
        table.column("LSOA code"), lambda values: pc.is_in(values, value_set=context.area_codes)
    )
    outside = pc.and_(pc.invert(no_location), pc.invert(inside))
    other_force = false if context.force is None else pc.invert(_is(reported, context.force))
    no_id = pc.is_null(crime_id)
    second_copy_no_id = no_id if context.second_copy else false
    if context.seen.ids:
        duplicate = pc.fill_null(pc.is_in(crime_id, value_set=context.seen.id_array()), False)
    else:
        duplicate = false
    reason = pc.case_when(
        pc.make_struct(btp, no_location, outside, other_force, second_copy_no_id, duplicate),
        REASON_BTP,
        REASON_NO_LOCATION,
        REASON_OUTSIDE,
        REASON_OTHER_FORCE,
        REASON_SECOND_COPY_NO_ID,
        REASON_DUPLICATE,
        "",
    )
    kept = pc.equal(reason, "")
    is_other_force = pc.equal(reason, REASON_OTHER_FORCE)
    detail = pc.if_else(is_other_force, text["Reported by"], "")
    is_duplicate = pc.equal(reason, REASON_DUPLICATE)
    if pc.any(is_duplicate).as_py():
        first_files = [context.seen.ids[i] for i in crime_id.filter(is_duplicate).to_pylist()]
        detail = pc.replace_with_mask(
            detail.combine_chunks(), is_duplicate.combine_chunks(), pa.array(first_files)
        )
    null = pa.scalar(None, pa.string())
    keyed = pa.table(
        {
            "lsoa_code": pc.if_else(kept, lsoa, null),
            "month": text["Month"],
            "force": pc.if_else(kept, pc.utf8_trim_whitespace(text["Reported by"]), null),
            "crime_type": pc.if_else(kept, text["Crime type"], null),
            "reason": reason,
            "detail": detail,
        }
    )
    grouped = keyed.group_by(list(keyed.column_names), use_threads=False).aggregate(
        [([], "count_all")]
    )
    counted = crime_id.filter(pc.and_(kept, pc.invert(no_id))).to_pylist()
    return grouped.rename_columns([*keyed.column_names, "rows"]), counted


def _check_required_values(path: Path, table: pa.Table, offset: int = 0) -> None:
    """Month, force and crime type must be present and well formed; LSOA codes well formed.
    ``offset`` is the number of data rows before this block (for line numbers)."""
    for column in ("Month", "Reported by", "Crime type"):
        values = table.column(column)
        if values.null_count:
            rows = [offset + i for i in pc.indices_nonzero(pc.is_null(values)).to_pylist()]
            raise fail(path, "value is missing", column=column, rows=csv_line_numbers(rows))
    _check_pattern(path, table, "Month", _MONTH, "month must be YYYY-MM", offset)
    _check_pattern(
        path, table, "LSOA code", LSOA_CODE, "LSOA code must be E01/W01 + 6 digits", offset
    )


def _check_pattern(
    path: Path, table: pa.Table, column: str, pattern: re.Pattern[str], rule: str, offset: int = 0
) -> None:
    """Check each distinct value once (cheap on dictionary columns); raise naming the rows."""
    values = table.column(column)
    distinct = pc.unique(values.cast(pa.string())).drop_null().to_pylist()
    bad = [value for value in distinct if not pattern.match(value)]
    if bad:
        mask = pc.is_in(values.cast(pa.string()), value_set=pa.array(bad, pa.string()))
        rows = [offset + i for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()]
        raise fail(
            path, f"{rule}, found {sorted(bad)[:3]}", column=column, rows=csv_line_numbers(rows)
        )
