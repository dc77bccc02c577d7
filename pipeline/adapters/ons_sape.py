"""ONS small-area population estimates (SAPE) by LSOA -> population contract at LSOA level.

Where to get it: Office for National Statistics, dataset "Lower layer Super Output Area
population estimates" (mid-year, by single year of age and sex; the "supporting information"
files). The layout read here is one row per LSOA with ``LSOA11CD`` (or ``LSOA21CD``) and a LAD
code column (``LAD11CD``/``LAD22CD``...), then ``<Sex>_<age>`` columns for Persons, Males and
Females: broad bands such as ``Males_0-15``, ``Males_65+`` and ``Males_All-Ages`` (the London
extracts ``london-mid2019-pop.csv``, ``london-mid2020-pop.csv`` of the jamesdamillington/
london-data repository), or single years ``Males_0`` .. ``Males_90+``.

What it produces: the population contract (``area_code`` = LSOA code, ``year``, ``sex``
Male/Female, ``age_from``, ``age_to``, ``ethnicity="All"``, ``population``). An open band
("65+") runs to 90, the contract's "90 and over". The ``All-Ages`` and ``Persons`` columns are
not output (they would double count) but are checked: each sex's All-Ages must equal the sum
of its bands and Persons must equal Males + Females, else :class:`AdapterError`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    LSOA_CODE,
    OPEN_AGE,
    AdapterResult,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
    whole_numbers,
)

SEXES: dict[str, str] = {"Males": "Male", "Females": "Female"}
_SEX_AGE = re.compile(r"^(Persons|Males|Females)_(.+)$")
_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|(\+))?$")
_ALL_AGES = "all-ages"
_LSOA_COLUMN = re.compile(r"^LSOA\d{2}CD$", re.IGNORECASE)
_LAD_COLUMN = re.compile(r"^LAD\d{2}CD$", re.IGNORECASE)
_YEAR_IN_NAME = re.compile(r"mid-?(\d{4})", re.IGNORECASE)


def read_ons_sape_lsoa(
    path: Path | str, *, year: int | None = None, area_code: str | None = None
) -> AdapterResult:
    """Read LSOA population by sex and age band; ``area_code`` (LAD) keeps one area's LSOAs."""
    path = Path(path)
    raw = read_csv_text(path, "ONS small-area population estimates")
    mid_year = year if year is not None else _year_from_name(path)
    lsoa_col = _one_column(path, raw, _LSOA_COLUMN, "LSOA code (LSOA11CD or LSOA21CD)")
    lines = csv_line_numbers(range(len(raw)))
    if area_code is not None:
        lad_col = _one_column(path, raw, _LAD_COLUMN, "local authority code (LADyyCD)")
        keep = (raw[lad_col].str.strip() == area_code).to_numpy()
        raw, lines = (
            raw.loc[keep].reset_index(drop=True),
            [n for n, k in zip(lines, keep, strict=True) if k],
        )
    codes = raw[lsoa_col].str.strip()
    bad = ~codes.str.match(LSOA_CODE.pattern)
    if bad.any():
        raise fail(
            path,
            "LSOA code must be E01/W01 + 6 digits",
            column=lsoa_col,
            rows=[lines[i] for i in bad.to_numpy().nonzero()[0]],
        )
    bands = _band_columns(path, raw.columns)
    values = {
        column: whole_numbers(raw[column], path, column, lines)
        for column in raw.columns
        if _SEX_AGE.match(column)
    }
    _check_totals(path, values, bands, lines)
    parts = []
    for column, (sex, age_from, age_to) in bands.items():
        if sex in SEXES:
            parts.append(
                pd.DataFrame(
                    {
                        "area_code": codes,
                        "sex": SEXES[sex],
                        "age_from": age_from,
                        "age_to": age_to,
                        "population": values[column],
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True).assign(year=mid_year, ethnicity="All")
    frame = frame[["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]]
    frame = frame.astype(
        {"year": "int64", "age_from": "int64", "age_to": "int64", "population": "int64"}
    )
    frame = frame.sort_values(["area_code", "sex", "age_from"]).reset_index(drop=True)
    return AdapterResult(frame=frame, excluded=excluded_frame([]))


def _year_from_name(path: Path) -> int:
    """The mid-year in a file name like 'london-mid2019-pop.csv'."""
    match = _YEAR_IN_NAME.search(path.name)
    if not match:
        raise fail(path, "no 'midYYYY' in the file name; pass year=")
    return int(match.group(1))


def _one_column(path: Path, raw: pd.DataFrame, pattern: re.Pattern[str], what: str) -> str:
    """The single column whose name matches ``pattern``."""
    found = [c for c in raw.columns if pattern.match(str(c).strip())]
    if len(found) != 1:
        raise fail(path, f"expected one {what} column, found {found}")
    return found[0]


def _band_columns(path: Path, columns: pd.Index) -> dict[str, tuple[str, int, int]]:
    """Age-band columns -> (sex, age_from, age_to), leaving out the All-Ages totals."""
    bands = {}
    for column in columns:
        match = _SEX_AGE.match(column)
        if not match or match.group(2).casefold() == _ALL_AGES:
            continue
        band = _BAND.match(match.group(2))
        if not band:
            raise fail(path, "age band must read 'A', 'A-B' or 'A+'", column=column)
        age_from = int(band.group(1))
        age_to = int(band.group(2)) if band.group(2) else (OPEN_AGE if band.group(3) else age_from)
        bands[column] = (match.group(1), age_from, age_to)
    if not any(sex in SEXES for sex, _, _ in bands.values()):
        raise fail(path, "no Males_<age> / Females_<age> columns")
    return bands


def _check_totals(
    path: Path,
    values: dict[str, pd.Series],
    bands: dict[str, tuple[str, int, int]],
    lines: list[int],
) -> None:
    """All-Ages = sum of bands for each sex, and Persons = Males + Females, where given."""
    by_sex: dict[str, pd.Series] = {}
    for column, (sex, _, _) in bands.items():
        by_sex[sex] = by_sex.get(sex, 0) + values[column]
    for sex, total in by_sex.items():
        column = f"{sex}_All-Ages"
        if column in values:
            _raise_if_differs(
                path,
                column,
                values[column],
                total,
                f"{column} is not the sum of the {sex} bands",
                lines,
            )
    if "Persons_All-Ages" in values and {"Males", "Females"} <= set(by_sex):
        both = by_sex["Males"] + by_sex["Females"]
        _raise_if_differs(
            path,
            "Persons_All-Ages",
            values["Persons_All-Ages"],
            both,
            "Persons is not Males + Females",
            lines,
        )


def _raise_if_differs(
    path: Path, column: str, given: pd.Series, computed: pd.Series, rule: str, lines: list[int]
) -> None:
    """Raise naming the rows where a published total differs from the computed one."""
    differs = (given != computed).to_numpy()
    if differs.any():
        raise fail(path, rule, column=column, rows=[lines[i] for i in differs.nonzero()[0]])
