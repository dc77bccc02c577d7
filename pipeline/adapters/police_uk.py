"""data.police.uk street-level crime CSV -> crimes by LSOA, month and crime type for one area.

Where to get it: data.police.uk (Home Office), "Data downloads" -> choose forces and months ->
"Include crime data"; the zip holds one ``YYYY-MM-<force>-street.csv`` per force and month
(columns ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
LSOA code, LSOA name, Crime type, Last outcome category, Context``). Bulk archives of every
force and month are under "Archive".

What it produces (a documented intermediate, not a contract): ``lsoa_code, month, crime_type,
count`` for crimes located in the area's LSOAs, one row per combination with at least one
crime (a combination that is absent had none). Every other row is counted in ``excluded`` by
file, month and reason: no location (no LSOA code), located outside the area, or recorded by
another force inside the area ("Reported by" is not the area's force; ``detail`` names it).

police.uk data carry no victim details and their locations are snapped to anonymous map points.
The LSOA codes are those current when the month was published (2011 LSOAs in older files): give
``area_lsoas`` in the same vintage, or crimes in changed LSOAs count as outside the area.

Built for national files (millions of rows): only four columns are read, as dictionary
(categorical) columns, by pyarrow's multithreaded CSV reader, and rows are counted with a
pyarrow group-by before pandas sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
    "Month": "month",
    "Reported by": "reported_by",
    "LSOA code": "lsoa_code",
    "Crime type": "crime_type",
}
REASON_NO_LOCATION = "no location (no LSOA code)"
REASON_OUTSIDE = "located outside the area"
REASON_OTHER_FORCE = "recorded by another force inside the area"

#: Bytes per pyarrow CSV block: large enough for the parser threads to stay busy, small
#: enough that a national file never sits in memory whole.
BLOCK_SIZE = 1 << 26
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FORMAT = "data.police.uk street-level crime"


def read_police_uk_street(
    paths: Path | str | Iterable[Path | str],
    area_lsoas: Iterable[str],
    force: str | None = None,
) -> AdapterResult:
    """Count the area's street-level crimes by LSOA, month and crime type, from one or more files.

    ``area_lsoas`` is the area's list of LSOA codes (the list that decides "inside the area");
    ``force`` is the area's force as police.uk spells it in "Reported by" (e.g.
    "Metropolitan Police Service"); with ``None`` every force's records are kept.
    """
    area = frozenset(str(code) for code in area_lsoas)
    if not area:
        raise ValueError(
            "area_lsoas is empty: the area's LSOA list is needed to decide what is inside"
        )
    grouped = pd.concat(
        [_count_file(path, area, force) for path in as_paths(paths)], ignore_index=True
    )
    kept = grouped.loc[grouped["reason"] == ""]
    frame = (
        kept.groupby(["lsoa_code", "month", "crime_type"], as_index=False, sort=True)["rows"]
        .sum()
        .rename(columns={"rows": "count"})
    )
    frame["count"] = frame["count"].astype("int64")
    dropped = grouped.loc[grouped["reason"] != ""]
    excluded = dropped.groupby(["source", "month", "reason", "detail"], as_index=False)[
        "rows"
    ].sum()
    excluded["value"] = pd.NA
    return AdapterResult(
        frame=frame.reset_index(drop=True),
        excluded=excluded_frame(excluded.to_dict("records"), extra_columns=["month"]),
    )


def _count_file(path: Path, area: frozenset[str], force: str | None) -> pd.DataFrame:
    """Rows of one file, classified (kept, or excluded with a reason) and counted: kept rows by
    LSOA, month and crime type; excluded rows by month, reason and detail.

    The file is streamed block by block (pyarrow's streaming CSV reader, parsing in parallel
    threads); each block is classified and counted with pyarrow compute functions, so memory is
    bounded by the block size and the area's own LSOAs, not by the size of a national file.
    """
    require_columns(path, read_csv_header(path), COLUMNS, _FORMAT)
    dictionary = pa.dictionary(pa.int32(), pa.string())
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=True, block_size=BLOCK_SIZE),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(COLUMNS),
            column_types={column: dictionary for column in COLUMNS},
            strings_can_be_null=True,
        ),
    )
    area_codes = pa.array(sorted(area), pa.string())
    partial_counts: list[pa.Table] = []
    offset = 0
    for batch in reader:
        table = pa.Table.from_batches([batch])
        _check_required_values(path, table, offset)
        partial_counts.append(_classify_and_count(table, area_codes, force))
        offset += batch.num_rows
    columns = ["lsoa_code", "month", "crime_type", "reason", "detail"]
    if not partial_counts:
        return pd.DataFrame(columns=[*columns, "rows", "source"])
    combined = (
        pa.concat_tables(partial_counts)
        .group_by(columns, use_threads=False)
        .aggregate([("rows", "sum")])
        .rename_columns([*columns, "rows"])
    )
    counts = combined.to_pandas().sort_values(columns, na_position="first", kind="stable")
    counts = counts.astype({column: "object" for column in columns})
    counts = counts.where(counts.notna(), None)
    counts["rows"] = counts["rows"].astype("int64")
    counts["source"] = path.name
    return counts.reset_index(drop=True)


def _classify_and_count(table: pa.Table, area_codes: pa.Array, force: str | None) -> pa.Table:
    """One block: why each row is excluded ('' = kept) and the counts by key."""
    text = {column: table.column(column).cast(pa.string()) for column in COLUMNS}
    lsoa = text["LSOA code"]
    no_location = pc.is_null(lsoa)
    inside = pc.fill_null(pc.is_in(lsoa, value_set=area_codes), False)
    outside = pc.and_(pc.invert(no_location), pc.invert(inside))
    if force is None:
        other_force = pa.array([False] * table.num_rows, pa.bool_())
    else:
        reported = pc.utf8_lower(pc.utf8_trim_whitespace(text["Reported by"]))
        other_force = pc.and_(inside, pc.not_equal(reported, force.strip().casefold()))
    reason = pc.case_when(
        pc.make_struct(no_location, outside, other_force),
        REASON_NO_LOCATION,
        REASON_OUTSIDE,
        REASON_OTHER_FORCE,
        "",
    )
    kept = pc.equal(reason, "")
    null = pa.scalar(None, pa.string())
    keyed = pa.table(
        {
            "lsoa_code": pc.if_else(kept, lsoa, null),
            "month": text["Month"],
            "crime_type": pc.if_else(kept, text["Crime type"], null),
            "reason": reason,
            "detail": pc.if_else(other_force, text["Reported by"], ""),
        }
    )
    grouped = keyed.group_by(list(keyed.column_names), use_threads=False).aggregate(
        [([], "count_all")]
    )
    return grouped.rename_columns([*keyed.column_names, "rows"])


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
