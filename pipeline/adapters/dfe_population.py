"""DfE explore-education-statistics (EES) layout of ONS mid-year estimates of children 0-17.

Where to get it: Department for Education, explore-education-statistics.service.gov.uk, the
ONS mid-year population estimates of children aged 0 to 17 by local authority used by the
"Children's social care" publications (e.g. ``ons_mid-year_population_estimates_2012_to_2024.csv``
in the DfE CSC outcomes and enablers dashboard). Columns ``time_period, time_identifier,
geographic_level, country_code, country_name, region_code, region_name, old_la_code,
new_la_code, la_name, age_group, population_estimate``.

What it produces:

* :func:`read_dfe_children_population` -> the population contract (``area_code, year,
  sex="All", age_from=0, age_to=17, ethnicity="All", population``) for England, the regions
  (including Inner/Outer London) and the local authorities. Values the publisher did not give
  (``x``) are counted in ``excluded`` with the area and year.
* :func:`read_dfe_la_codes` -> ``old_la_code, area_code, area_name``: DfE's old three-digit LA
  numbers and the ONS code each maps to in the latest year the number appears (a county that
  became a unitary, such as North Yorkshire 815, gets its current code). Used to turn DfE
  statistical-neighbour lists into ONS codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    GSS_CODE,
    AdapterResult,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
    require_columns,
)

COLUMNS = [
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
]
#: The EES geographic level -> the column that holds that level's ONS code.
LEVEL_CODE_COLUMN: dict[str, str] = {
    "National": "country_code",
    "Regional": "region_code",
    "Local authority": "new_la_code",
}
#: EES symbols for a value that is not published (x: not available; c: confidential; z: n/a).
NOT_PUBLISHED = {"x", "c", "z", "u", ":", ""}
REASON_NOT_PUBLISHED = "population not published (EES symbol)"
_AGE_GROUP = re.compile(r"aged (\d+) to (\d+)", re.IGNORECASE)
_FORMAT = "DfE EES population estimates"


def _read(path: Path) -> pd.DataFrame:
    """The file as text columns, checked for the EES columns."""
    raw = read_csv_text(path, _FORMAT)
    require_columns(path, raw.columns, COLUMNS, _FORMAT)
    return raw.apply(lambda column: column.str.strip())


def read_dfe_children_population(
    path: Path | str, *, area_codes: Iterable[str] | None = None
) -> AdapterResult:
    """Children's population by area and mid-year, in the population contract.

    ``area_codes`` keeps only those areas (the file also has England, E92000001, and Inner and
    Outer London, E13000001/2, which the LA population contract does not take).
    """
    path = Path(path)
    raw = _read(path)
    lines = csv_line_numbers(range(len(raw)))
    unknown_level = ~raw["geographic_level"].isin(LEVEL_CODE_COLUMN)
    if unknown_level.any():
        rows = [lines[i] for i in unknown_level.to_numpy().nonzero()[0]]
        raise fail(
            path,
            f"geographic_level must be one of {sorted(LEVEL_CODE_COLUMN)}",
            column="geographic_level",
            rows=rows,
        )
    code = pd.Series("", index=raw.index, dtype="str")
    for level, column in LEVEL_CODE_COLUMN.items():
        code = code.mask(raw["geographic_level"] == level, raw[column])
    _check_codes(path, code, lines)
    ages = raw["age_group"].str.extract(_AGE_GROUP)
    if ages.isna().any().any():
        rows = [lines[i] for i in ages.isna().any(axis=1).to_numpy().nonzero()[0]]
        raise fail(path, "age_group must read 'aged A to B'", column="age_group", rows=rows)
    value = raw["population_estimate"]
    unpublished = value.str.casefold().isin(NOT_PUBLISHED)
    numbers = pd.to_numeric(value.where(~unpublished), errors="coerce")
    bad = ~unpublished & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))
    if bad.any():
        rows = [lines[i] for i in bad.to_numpy().nonzero()[0]]
        raise fail(
            path,
            "population must be a whole number >= 0 or an EES symbol",
            column="population_estimate",
            rows=rows,
        )
    not_year = ~raw["time_period"].str.fullmatch(r"(19|20)\d{2}")
    if not_year.any():
        rows = [lines[i] for i in not_year.to_numpy().nonzero()[0]]
        raise fail(path, "time_period must be a mid-year YYYY", column="time_period", rows=rows)
    frame = pd.DataFrame(
        {
            "area_code": code,
            "year": raw["time_period"].astype("int64"),
            "sex": "All",
            "age_from": ages[0].astype("int64"),
            "age_to": ages[1].astype("int64"),
            "ethnicity": "All",
            "population": numbers,
        }
    )
    _check_unique(path, frame, lines)
    if area_codes is not None:
        wanted = frame["area_code"].isin(set(area_codes)).to_numpy()
        frame, unpublished = frame.loc[wanted], unpublished.loc[wanted]
    excluded = [
        {
            "source": path.name,
            "reason": REASON_NOT_PUBLISHED,
            "detail": f"{row.area_code} {row.year}",
            "rows": 1,
        }
        for row in frame.loc[unpublished.to_numpy()].itertuples()
    ]
    frame = frame.loc[~unpublished.to_numpy()].astype({"population": "int64"})
    frame = frame.sort_values(["area_code", "year"]).reset_index(drop=True)
    return AdapterResult(frame=frame, excluded=excluded_frame(excluded))


def _check_codes(path: Path, code: pd.Series, lines: list[int]) -> None:
    """Every row must carry the ONS code of its level."""
    bad = ~code.str.match(GSS_CODE.pattern)
    if bad.any():
        rows = [lines[i] for i in bad.to_numpy().nonzero()[0]]
        raise fail(
            path, "the ONS code for the row's geographic level is missing or malformed", rows=rows
        )


def _check_unique(path: Path, frame: pd.DataFrame, lines: list[int]) -> None:
    """One estimate per area, year and age group."""
    duplicated = frame.duplicated(["area_code", "year", "age_from", "age_to"], keep=False)
    if duplicated.any():
        rows = [lines[i] for i in duplicated.to_numpy().nonzero()[0]]
        raise fail(path, "more than one estimate for the same area, year and age group", rows=rows)


def read_dfe_la_codes(path: Path | str) -> pd.DataFrame:
    """Old DfE LA number -> ONS code and name, from the latest year each number appears."""
    path = Path(path)
    raw = _read(path)
    las = raw.loc[raw["geographic_level"] == "Local authority"]
    las = las.assign(year=pd.to_numeric(las["time_period"]))
    latest = las.sort_values(["old_la_code", "year"]).drop_duplicates("old_la_code", keep="last")
    lookup = latest.rename(columns={"new_la_code": "area_code", "la_name": "area_name"})
    lookup = lookup[["old_la_code", "area_code", "area_name"]]
    return lookup.sort_values("old_la_code").reset_index(drop=True)
