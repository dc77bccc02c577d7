"""ONS mid-year population estimates, MYE2 tables -> population contract by single year of age.

Where to get it: Office for National Statistics, dataset "Estimates of the population for the
UK, England, Wales, Scotland and Northern Ireland" (mid-year estimates), file e.g.
``ukpopestimatesmid2021on2021geographyfinal.xls`` (or the ``.xlsx`` of later years). The sheets
"MYE2 - Males" and "MYE2 - Females" hold one row per area (``Code, Name, Geography, All ages,
0, 1, ..., 89, 90+``) under a few banner rows; the header row is found by its content, not by
a fixed offset, and the year is read from the title ("... mid-2021").

What it produces: the population contract (``area_code, year, sex, age_from, age_to,
ethnicity, population``) with ``sex`` Male/Female, single years 0..89 (``age_from = age_to``)
and 90 meaning 90 and over, ``ethnicity = "All"``, for every area in the file (countries,
regions, counties, local authorities) or those asked for. Each row's "All ages" must equal the
sum of its single years, else :class:`AdapterError`. Rows below the header that are not areas
(notes, blanks) are counted in ``excluded``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    GSS_CODE,
    OPEN_AGE,
    AdapterResult,
    excel_sheet_names,
    excluded_frame,
    fail,
    read_excel_grids,
)

#: Contract sex -> pattern of the MYE2 sheet name for it.
SHEETS: dict[str, re.Pattern[str]] = {
    "Male": re.compile(r"^MYE\s*2\s*-?\s*Males?$", re.IGNORECASE),
    "Female": re.compile(r"^MYE\s*2\s*-?\s*Females?$", re.IGNORECASE),
}
REASON_NOT_AREA = "not an area row (note or blank)"
_AGE = re.compile(r"^(\d{1,3})(\+?)$")
_YEAR_IN_TITLE = re.compile(r"mid-?(\d{4})", re.IGNORECASE)
_HEADER_SEARCH_ROWS = 30


def read_ons_mye2(
    path: Path | str,
    *,
    year: int | None = None,
    area_codes: Iterable[str] | None = None,
) -> AdapterResult:
    """Read MYE2 males and females by single year of age into the population contract."""
    path = Path(path)
    sheets = _find_sheets(path)
    grids = read_excel_grids(path, keep=lambda name: name in sheets.values())
    wanted = None if area_codes is None else set(area_codes)
    frames, excluded = [], []
    for sex, sheet in sheets.items():
        grid = grids[sheet]
        frame, dropped = _read_sheet(path, sheet, grid, sex, year)
        if wanted is not None:
            frame = frame.loc[frame["area_code"].isin(wanted)]
        frames.append(frame)
        excluded.extend(dropped)
    population = pd.concat(frames, ignore_index=True)
    population = population.sort_values(["area_code", "year", "sex", "age_from"]).reset_index(
        drop=True
    )
    return AdapterResult(frame=population, excluded=excluded_frame(excluded))


def _find_sheets(path: Path) -> dict[str, str]:
    """The males and females MYE2 sheet names, matched by pattern."""
    names = excel_sheet_names(path)
    found = {}
    for sex, pattern in SHEETS.items():
        matches = [name for name in names if pattern.match(str(name).strip())]
        if not matches:
            raise fail(path, f"no MYE2 {sex.lower()}s sheet (sheets: {names})")
        found[sex] = matches[0]
    return found


def _header_row(path: Path, sheet: str, grid: pd.DataFrame) -> int:
    """Position of the row with 'Code', 'All ages' and the age columns."""
    for position in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        cells = {_cell_text(v).casefold() for v in grid.iloc[position]}
        if {"code", "all ages", "0"} <= cells:
            return position
    raise fail(
        path,
        f"sheet {sheet!r}: no header row with 'Code', 'All ages' and '0' "
        f"in the first {_HEADER_SEARCH_ROWS} rows",
    )


def _cell_text(value: object) -> str:
    """A cell as text; whole floats (0.0 from Excel) lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if pd.isna(value) else str(value).strip()


def _title_year(path: Path, sheet: str, grid: pd.DataFrame, header: int) -> int:
    """The mid-year named in the banner rows above the header ('... mid-2021')."""
    for position in range(header):
        for value in grid.iloc[position]:
            match = _YEAR_IN_TITLE.search(_cell_text(value))
            if match:
                return int(match.group(1))
    raise fail(path, f"sheet {sheet!r}: no 'mid-YYYY' in the title rows; pass year=")


def _read_sheet(
    path: Path, sheet: str, grid: pd.DataFrame, sex: str, year: int | None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """One MYE2 sheet -> contract rows, plus the non-area rows below the header."""
    header = _header_row(path, sheet, grid)
    labels = [_cell_text(v) for v in grid.iloc[header]]
    mid_year = year if year is not None else _title_year(path, sheet, grid, header)
    code_col = labels.index(next(label for label in labels if label.casefold() == "code"))
    total_col = labels.index(next(label for label in labels if label.casefold() == "all ages"))
    ages = {i: _parse_age(label) for i, label in enumerate(labels) if _AGE.match(label)}
    expected = list(range(0, OPEN_AGE + 1))
    if sorted(ages.values()) != expected:
        raise fail(path, f"sheet {sheet!r}: age columns must be 0..89 and 90+, found {len(ages)}")
    body = grid.iloc[header + 1 :]
    codes = body.iloc[:, code_col].map(_cell_text)
    is_area = codes.str.match(GSS_CODE.pattern)
    sheet_rows = [int(p) + 1 for p in body.index]  # Excel numbers rows from 1
    dropped = []
    if (~is_area).any():
        dropped.append(
            {
                "source": f"{path.name} [{sheet}]",
                "reason": REASON_NOT_AREA,
                "detail": "",
                "rows": int((~is_area).sum()),
            }
        )
    areas = body.loc[is_area.to_numpy()]
    area_rows = [r for r, keep in zip(sheet_rows, is_area, strict=True) if keep]
    values = _numbers(path, sheet, areas, list(ages) + [total_col], labels, area_rows)
    single = values[list(ages)]
    mismatch = (single.sum(axis=1) != values[total_col]).to_numpy()
    if mismatch.any():
        rows = [area_rows[i] for i in mismatch.nonzero()[0]]
        raise fail(
            path,
            f"sheet {sheet!r}: 'All ages' is not the sum of the single years",
            column="All ages",
            rows=rows,
        )
    single.columns = [ages[i] for i in single.columns]
    single.insert(0, "area_code", codes.loc[areas.index].to_numpy())
    long = single.melt(id_vars="area_code", var_name="age_from", value_name="population")
    long["age_from"] = long["age_from"].astype("int64")
    long = long.assign(year=mid_year, sex=sex, age_to=long["age_from"], ethnicity="All")
    long = long[["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]]
    return long, dropped


def _parse_age(label: str) -> int:
    """'0' -> 0, '90+' -> 90 (the open top age)."""
    match = _AGE.match(label)
    assert match is not None
    return int(match.group(1))


def _numbers(
    path: Path,
    sheet: str,
    areas: pd.DataFrame,
    columns: list[int],
    labels: list[str],
    rows: list[int],
) -> pd.DataFrame:
    """The numeric cells of the area rows; raise naming the first column with a bad value."""
    result = {}
    for column in columns:
        numbers = pd.to_numeric(areas.iloc[:, column], errors="coerce")
        bad = (numbers.isna() | (numbers < 0) | (numbers % 1 != 0)).to_numpy()
        if bad.any():
            bad_rows = [rows[i] for i in bad.nonzero()[0]]
            raise fail(
                path,
                f"sheet {sheet!r}: population must be a whole number >= 0",
                column=labels[column],
                rows=bad_rows,
            )
        result[column] = numbers.astype("int64").to_numpy()
    return pd.DataFrame(result)
