"""English Indices of Deprivation, File 10 (local authority district summaries) -> one row per
district and summary measure, with its value and rank.

Where to get it: MHCLG, "English indices of deprivation 2019" (gov.uk), "File 10: local
authority district summaries" (``File_10_-_IoD2019_Local_Authority_District_Summaries__lower-
tier__.xlsx``, 317 districts of 2019), and "English indices of deprivation 2025", the same file
for IoD2025 (``File_10_IoD2025_Local_Authority_District_Summaries.xlsx``, 296 districts of 2024).
The workbook has a "Notes" sheet, then one sheet per index; this adapter reads the "IMD" sheet
(a CSV export of that sheet is read too). Its header (row 1; found by content) is
``Local Authority District code (2019)``, ``Local Authority District name (2019)`` (``(2024)``
in IoD2025) and, each followed by its rank among the districts, ``IMD - Average rank``,
``IMD - Average score``, ``IMD - Proportion of LSOAs in most deprived 10% nationally``,
``IMD 2019 - Extent`` and ``IMD 2019 - Local concentration`` (``IMD 2025 - ...``), each rank
header being the measure's with "Rank of" (``IMD - Rank of average rank``, ``IMD 2019 - Rank of
extent``...). Published measure headers end in a space; headers are compared stripped and
case-blind.

What it produces: ``la_code, la_name, vintage, measure, value, rank`` with ``measure`` one of
:data:`MEASURES` (``average_rank``, ``average_score``, ``proportion_most_deprived_10pct``,
``extent``, ``local_concentration``), ``vintage`` "IoD2019" or "IoD2025" (from the district code
year, which must agree with the Extent header's year). For every measure a larger value is more
deprived and rank 1 is the most deprived district (the average rank and local concentration
average LSOA ranks counted so that the most deprived LSOA has the highest number): ranks must
follow the values (sorted by rank, values never rise), else :class:`AdapterError`. Blank rows
are counted in ``excluded``. File 1 (LSOA ranks) given here, or this file given to
:func:`~pipeline.adapters.iod.read_iod_file1`, stops with one line naming the right adapter.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.adapters._common import (
    GSS_CODE,
    AdapterResult,
    blank_rows,
    excel_sheet_names,
    excluded_frame,
    fail,
    read_csv_text,
    read_excel_grids,
)
from pipeline.adapters._formats import wrong_file_hint, wrong_file_hint_rows
from pipeline.adapters.iod import LSOA_COUNT

_FORMAT = "IoD File 10 (local authority district summaries)"
#: The district code year in the header -> vintage; and each vintage's year in "IMD yyyy - ".
VINTAGE_BY_LAD_YEAR: dict[str, str] = {"2019": "IoD2019", "2024": "IoD2025"}
INDEX_YEAR: dict[str, str] = {"IoD2019": "2019", "IoD2025": "2025"}
#: Local authority districts in England ranked by each vintage.
DISTRICT_COUNT: dict[str, int] = {"IoD2019": 317, "IoD2025": 296}
SHEET = "IMD"
_HEADER_SEARCH_ROWS = 10
_TEN = r"10(?:%| ?percent)"
#: measure -> (value header, rank header), as patterns on stripped, case-folded headers.
MEASURES: dict[str, tuple[str, str]] = {
    "average_rank": (r"imd - average rank", r"imd - rank of average rank"),
    "average_score": (r"imd - average score", r"imd - rank of average score"),
    "proportion_most_deprived_10pct": (
        rf"imd - proportion of lsoas in most deprived {_TEN} nationally",
        rf"imd - rank of proportion of lsoas in most deprived {_TEN} nationally",
    ),
    "extent": (r"imd (\d{4}) - extent", r"imd (\d{4}) - rank of extent"),
    "local_concentration": (
        r"imd (\d{4}) - local concentration",
        r"imd (\d{4}) - rank of local concentration",
    ),
}
_CODE = re.compile(r"^local authority district code \((\d{4})\)$")
_NAME = re.compile(r"^local authority district name \((\d{4})\)$")
_LAD_CODE = re.compile(r"^E0[6-9]\d{6}$")
COLUMNS = ["la_code", "la_name", "vintage", "measure", "value", "rank"]


def _bounds(vintage: str) -> dict[str, tuple[float, float]]:
    """Each measure's published range: LSOA-rank averages within 1..N, shares within 0..1."""
    lsoas = float(LSOA_COUNT[vintage])
    return {
        "average_rank": (1.0, lsoas),
        "average_score": (0.0, 100.0),
        "proportion_most_deprived_10pct": (0.0, 1.0),
        "extent": (0.0, 1.0),
        "local_concentration": (1.0, lsoas),
    }


def read_iod_la_summaries(path: Path | str, *, vintage: str | None = None) -> AdapterResult:
    """Read IoD File 10's IMD sheet (xlsx, xls or a CSV export) into district x measure rows."""
    path = Path(path)
    table, first_row = _load_table(path)
    rows = np.array([first_row + i for i in range(len(table))])
    blank = blank_rows(table)
    excluded = (
        [{"source": path.name, "reason": "blank row", "detail": "", "rows": int(blank.sum())}]
        if blank.any()
        else []
    )
    table, rows = table.loc[~blank.to_numpy()].reset_index(drop=True), rows[~blank.to_numpy()]
    columns, found_vintage = _identify_columns(path, list(table.columns), vintage)
    codes = table[columns["code"]].astype("str").str.strip()
    bad = ~codes.str.match(_LAD_CODE.pattern) | ~codes.str.match(GSS_CODE.pattern)
    if bad.any():
        raise fail(
            path,
            "a local authority district code must be E06/E07/E08/E09 + 6 digits",
            column=columns["code"],
            rows=rows[bad.to_numpy()].tolist(),
        )
    repeated = codes.duplicated(keep=False)
    if repeated.any():
        raise fail(
            path,
            "each district must appear once",
            column=columns["code"],
            rows=rows[repeated.to_numpy()].tolist(),
        )
    bounds = _bounds(found_vintage)
    parts = []
    for measure in MEASURES:
        value_column, rank_column = columns[measure]
        value = _numbers(path, table[value_column], value_column, rows, *bounds[measure])
        rank = _ranks(path, table[rank_column], rank_column, rows, DISTRICT_COUNT[found_vintage])
        _check_rank_order(path, value, rank, rank_column, rows)
        parts.append(
            pd.DataFrame(
                {
                    "la_code": codes.to_numpy(),
                    "la_name": table[columns["name"]].astype("str").str.strip().to_numpy(),
                    "vintage": found_vintage,
                    "measure": measure,
                    "value": value,
                    "rank": rank,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    order = {m: i for i, m in enumerate(MEASURES)}
    frame = frame.assign(_order=frame["measure"].map(order)).sort_values(["la_code", "_order"])
    return AdapterResult(
        frame=frame[COLUMNS].reset_index(drop=True), excluded=excluded_frame(excluded)
    )


def _load_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The IMD sheet's table and the file row number of its first data row."""
    if path.suffix.casefold() == ".csv":
        table = read_csv_text(path, _FORMAT)
        table.columns = [str(c).strip() for c in table.columns]
        return table, 2
    sheets = excel_sheet_names(path)
    imd = [s for s in sheets if s.strip().casefold() == SHEET.casefold()]
    if not imd:
        grids = read_excel_grids(path)
        hint = wrong_file_hint_rows(_top_rows(grids), "iod_file10")
        raise fail(path, f"not an {_FORMAT}: no sheet {SHEET!r} (sheets: {sheets}){hint}")
    grid = read_excel_grids(path, keep=lambda name: name == imd[0])[imd[0]]
    for position in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        cells = [str(v).strip().casefold() for v in grid.iloc[position] if v is not None]
        if any(_CODE.match(c) for c in cells):
            table = grid.iloc[position + 1 :].reset_index(drop=True)
            table.columns = [str(v).strip() for v in grid.iloc[position]]
            return table, position + 2  # Excel rows from 1, plus the header row
    hint = wrong_file_hint_rows(_top_rows({imd[0]: grid}), "iod_file10")
    raise fail(
        path,
        f"not an {_FORMAT}: sheet {imd[0]!r} has no header row starting "
        f"'Local Authority District code (yyyy)'{hint}",
    )


def _top_rows(grids: dict[str, pd.DataFrame]) -> list[list[object]]:
    """The first rows of every sheet, where a header would be."""
    return [
        list(grid.iloc[i])
        for grid in grids.values()
        for i in range(min(_HEADER_SEARCH_ROWS, len(grid)))
    ]


def _identify_columns(
    path: Path, headers: list[str], given: str | None
) -> tuple[dict[str, object], str]:
    """The code, name and each measure's value and rank column; the vintage they show."""
    folded = {h: " ".join(str(h).split()).casefold() for h in headers}
    found: dict[str, object] = {}
    years: dict[str, str] = {}
    for header, text in folded.items():
        if match := _CODE.match(text):
            found.setdefault("code", header)
            years["district code"] = match.group(1)
        elif _NAME.match(text):
            found.setdefault("name", header)
    for measure, patterns in MEASURES.items():
        pair = []
        for pattern in patterns:
            hits = [(h, re.fullmatch(pattern, t)) for h, t in folded.items()]
            hits = [(h, m) for h, m in hits if m]
            if hits:
                pair.append(hits[0][0])
                if hits[0][1].groups():
                    years[f"{measure} index"] = hits[0][1].group(1)
        if len(pair) == 2:
            found[measure] = tuple(pair)
    missing = [k for k in ("code", "name", *MEASURES) if k not in found]
    if missing:
        hint = wrong_file_hint(headers, "iod_file10")
        shown = hint or f" (headers: {headers[:6]}...)"
        raise fail(path, f"not an {_FORMAT}: no column(s) for {missing}{shown}")
    vintage = VINTAGE_BY_LAD_YEAR.get(years["district code"])
    index_years = {years[k] for k in years if k.endswith("index")}
    if vintage is None or index_years != {INDEX_YEAR[vintage]}:
        raise fail(
            path,
            f"cannot tell the vintage: district codes of {years['district code']} and IMD "
            f"{sorted(index_years)} headers (IoD2019: 2019 and 2019; IoD2025: 2024 and 2025)",
            column=str(found["code"]),
        )
    if given is not None and given != vintage:
        raise fail(path, f"vintage {given} was asked for, but the headers are {vintage}")
    return found, vintage


def _numbers(
    path: Path, values: pd.Series, column: str, rows: np.ndarray, low: float, high: float
) -> np.ndarray:
    """Numbers within [low, high]; raise naming the rows that are not."""
    numbers = pd.to_numeric(values.astype("str").str.strip(), errors="coerce")
    bad = (numbers.isna() | (numbers < low) | (numbers > high)).to_numpy()
    if bad.any():
        raise fail(
            path,
            f"must be a number from {low:g} to {high:g}",
            column=column,
            rows=rows[bad].tolist(),
        )
    return numbers.to_numpy(dtype="float64")


def _ranks(path: Path, values: pd.Series, column: str, rows: np.ndarray, count: int) -> np.ndarray:
    """Whole numbers from 1 to the number of districts ranked."""
    numbers = pd.to_numeric(values.astype("str").str.strip(), errors="coerce")
    bad = (numbers.isna() | (numbers % 1 != 0) | (numbers < 1) | (numbers > count)).to_numpy()
    if bad.any():
        raise fail(
            path,
            f"a rank must be a whole number from 1 to {count} (the districts ranked)",
            column=column,
            rows=rows[bad].tolist(),
        )
    return numbers.to_numpy().astype("int64")


def _check_rank_order(
    path: Path, value: np.ndarray, rank: np.ndarray, column: str, rows: np.ndarray
) -> None:
    """Rank 1 is the largest value: in rank order, no value is above the one before it."""
    order = np.lexsort((-value, rank))
    rises = np.flatnonzero(np.diff(value[order]) > 1e-9 * max(1.0, float(np.abs(value).max())))
    if rises.size:
        at = order[rises + 1]
        raise fail(
            path,
            "ranks must follow the values (rank 1 = the largest, most deprived)",
            column=column,
            rows=rows[at].tolist(),
        )
