"""English Indices of Deprivation, File 1 (IMD rank and decile by LSOA) -> deprivation contract.

Where to get it: Ministry of Housing, Communities and Local Government (MHCLG), "English
indices of deprivation 2019" (gov.uk), "File 1: index of multiple deprivation" (xlsx, sheet
"IMD2019", 2011 LSOAs), and "English indices of deprivation 2025", "File 1: index of multiple
deprivation" (xlsx or CSV, 2021 LSOAs). File 1 has the LSOA code and name, the local authority,
the IMD rank (1 = most deprived) and the IMD decile; the IMD score is in File 5 ("scores"), so
File 1 gives no score.

What it produces: the deprivation contract ``lsoa_code, iod_edition, imd_score, imd_rank,
imd_decile`` (``imd_score`` is NaN when the file has no score column). The edition is read
from the LSOA code header ("LSOA code (2011)" -> IoD2019, "(2021)" -> IoD2025) unless given.
Every decile must equal the decile of its rank, ``ceil(10 * rank / N)`` with N the number of
LSOAs in England for that edition (the rule the published files follow), else
:class:`AdapterError`. Ranks may tie: IoD2019 gives 26 pairs of LSOAs the same rank.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.adapters._common import (
    LSOA_CODE,
    AdapterResult,
    blank_rows,
    excluded_frame,
    fail,
    read_csv_text,
    read_excel_grids,
)
from pipeline.adapters._formats import wrong_file_hint, wrong_file_hint_rows

#: LSOAs in England ranked by each edition (2011 and 2021 LSOAs).
LSOA_COUNT: dict[str, int] = {"IoD2019": 32_844, "IoD2025": 33_755}
#: The census year of the LSOAs in the code header -> edition.
EDITION_BY_LSOA_YEAR: dict[str, str] = {"2011": "IoD2019", "2021": "IoD2025"}
_HEADER_SEARCH_ROWS = 10


def imd_decile_of_rank(rank: pd.Series | np.ndarray | int, edition: str) -> np.ndarray:
    """National IMD decile (1 = most deprived 10%) of a rank: ceil(10 * rank / N)."""
    n = LSOA_COUNT[edition]
    ranks = np.asarray(rank, dtype="int64")
    return (ranks * 10 + n - 1) // n  # integer ceiling, no float rounding at band edges


def read_iod_file1(path: Path | str, *, edition: str | None = None) -> AdapterResult:
    """Read IoD File 1 (xlsx or CSV) into the deprivation contract."""
    path = Path(path)
    table, first_row = _load_table(path)
    rows = [first_row + i for i in range(len(table))]
    blank = blank_rows(table)
    excluded = (
        [{"source": path.name, "reason": "blank row", "detail": "", "rows": int(blank.sum())}]
        if blank.any()
        else []
    )
    table = table.loc[~blank.to_numpy()]
    rows = [r for r, b in zip(rows, blank, strict=True) if not b]
    columns = _identify_columns(path, table.columns)
    found_edition = _edition(path, columns["code"], edition)
    codes = table[columns["code"]].astype("str").str.strip()
    bad = ~codes.str.match(LSOA_CODE.pattern)
    if bad.any():
        raise fail(
            path,
            "LSOA code must be E01/W01 + 6 digits",
            column=columns["code"],
            rows=[rows[i] for i in bad.to_numpy().nonzero()[0]],
        )
    rank = _integers(
        path, table[columns["rank"]], columns["rank"], rows, 1, LSOA_COUNT[found_edition]
    )
    decile = _integers(path, table[columns["decile"]], columns["decile"], rows, 1, 10)
    wrong = decile.to_numpy() != imd_decile_of_rank(rank, found_edition)
    if wrong.any():
        raise fail(
            path,
            "decile is not the decile of the rank",
            column=columns["decile"],
            rows=[rows[i] for i in wrong.nonzero()[0]],
        )
    score = (
        _scores(path, table[columns["score"]], columns["score"], rows)
        if "score" in columns
        else np.nan
    )
    duplicated = codes.duplicated(keep=False)
    if duplicated.any():
        raise fail(
            path,
            "each LSOA must appear once",
            column=columns["code"],
            rows=[rows[i] for i in duplicated.to_numpy().nonzero()[0]],
        )
    frame = pd.DataFrame(
        {
            "lsoa_code": codes.to_numpy(),
            "iod_edition": found_edition,
            "imd_score": score,
            "imd_rank": rank.to_numpy(),
            "imd_decile": decile.to_numpy(),
        }
    )
    frame["imd_score"] = frame["imd_score"].astype("float64")
    frame = frame.sort_values("lsoa_code").reset_index(drop=True)
    return AdapterResult(frame=frame, excluded=excluded_frame(excluded))


def _load_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The data table and the file row number of its first data row (header found by content)."""
    if path.suffix.casefold() == ".csv":
        return read_csv_text(path, "IoD File 1"), 2
    grids = read_excel_grids(path)
    for grid in grids.values():
        for position in range(min(_HEADER_SEARCH_ROWS, len(grid))):
            if any(str(v).strip().casefold().startswith("lsoa code") for v in grid.iloc[position]):
                table = grid.iloc[position + 1 :].reset_index(drop=True)
                table.columns = [str(v).strip() for v in grid.iloc[position]]
                return table, position + 2  # Excel rows from 1, plus the header row
    tops = [
        list(grid.iloc[i])
        for grid in grids.values()
        for i in range(min(_HEADER_SEARCH_ROWS, len(grid)))
    ]
    hint = wrong_file_hint_rows(tops, "iod_file1")
    raise fail(path, f"no sheet has a header row starting 'LSOA code'{hint}")


def _identify_columns(path: Path, columns: pd.Index) -> dict[str, str]:
    """The LSOA code, IMD rank, IMD decile and (if any) IMD score columns, by their headers."""
    found: dict[str, str] = {}
    for column in columns:
        text = str(column).casefold()
        if text.startswith("lsoa code"):
            found.setdefault("code", column)
        elif "index of multiple deprivation" in text or text.startswith("imd"):
            for key in ("rank", "decile", "score"):
                if key in text:
                    found.setdefault(key, column)
    missing = [key for key in ("code", "rank", "decile") if key not in found]
    if missing:
        hint = wrong_file_hint(columns, "iod_file1")
        raise fail(
            path,
            f"not an IoD File 1: no IMD {missing} column (headers: {list(columns)[:8]}){hint}",
        )
    return found


def _edition(path: Path, code_header: str, given: str | None) -> str:
    """The edition from the LSOA code header's year, or as given (must then agree)."""
    match = re.search(r"\((\d{4})\)", str(code_header))
    from_header = EDITION_BY_LSOA_YEAR.get(match.group(1)) if match else None
    if given is not None:
        if given not in LSOA_COUNT:
            raise ValueError(f"edition must be one of {sorted(LSOA_COUNT)}, not {given!r}")
        if from_header is not None and from_header != given:
            raise fail(
                path,
                f"edition {given} does not match the header {code_header!r} ({from_header})",
                column=code_header,
            )
        return given
    if from_header is None:
        raise fail(
            path,
            "cannot tell the edition from the LSOA code header; pass edition=",
            column=code_header,
        )
    return from_header


def _integers(
    path: Path, values: pd.Series, column: str, rows: list[int], low: int, high: int
) -> pd.Series:
    """Whole numbers within [low, high]; raise naming the rows that are not."""
    numbers = pd.to_numeric(values.astype("str").str.strip(), errors="coerce")
    bad = (numbers.isna() | (numbers % 1 != 0) | (numbers < low) | (numbers > high)).to_numpy()
    if bad.any():
        raise fail(
            path,
            f"must be a whole number from {low} to {high}",
            column=column,
            rows=[rows[i] for i in bad.nonzero()[0]],
        )
    return numbers.astype("int64")


def _scores(path: Path, values: pd.Series, column: str, rows: list[int]) -> np.ndarray:
    """IMD scores: numbers >= 0; raise naming the rows that are not."""
    numbers = pd.to_numeric(values.astype("str").str.strip(), errors="coerce")
    bad = (numbers.isna() | (numbers < 0)).to_numpy()
    if bad.any():
        raise fail(
            path,
            "IMD score must be a number >= 0",
            column=column,
            rows=[rows[i] for i in bad.nonzero()[0]],
        )
    return numbers.to_numpy(dtype="float64")
