"""Census 2021 ethnic group by local authority -> residents in the 5 high-level groups.

Where to get it (Office for National Statistics, Census 2021):

* "Ethnic group, England and Wales: Census 2021" bulletin, Figure 3 data download
  (``ethnic2021.xlsx``: one row per local authority, ``Area code, Area name``, then each of the
  19 detailed groups as "(number)" and "(percent)" columns under a few banner rows);
* an ONS "create a custom dataset" download of "Ethnic group (20 categories)" by local or
  upper-tier authority (``ons-ethnic-population-la.csv``: ``... Code, ... , Ethnic group (20
  categories) Code, Ethnic group (20 categories), Observation``; the 20th category is
  "Does not apply").

What it produces: the population contract with ``year=2021, sex="All", age_from=0,
age_to=90`` (all ages, 90 = 90 and over) and ``ethnicity`` one of Asian, Black, Mixed, White,
Other, summed from the detailed groups by their published prefix (:data:`GROUP_BY_PREFIX`).
These files have **no age or sex breakdown**, so they cannot give an age- or sex-specific
denominator such as black boys under 18 (that needs the Census 2021 table of ethnic group by
age and sex, e.g. RM032 or a custom dataset with age and sex). "Does not apply" and rows that
are not areas are counted in ``excluded``; the percent columns are not read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    GSS_CODE,
    OPEN_AGE,
    AdapterResult,
    excluded_frame,
    fail,
    read_csv_text,
    read_excel_grids,
)

#: Census 2021 detailed group prefix (text before the colon) -> high-level group.
GROUP_BY_PREFIX: dict[str, str] = {
    "asian, asian british or asian welsh": "Asian",
    "black, black british, black welsh, caribbean or african": "Black",
    "mixed or multiple ethnic groups": "Mixed",
    "white": "White",
    "other ethnic group": "Other",
}
GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
CENSUS_YEAR = 2021
NOT_APPLICABLE = "does not apply"
REASON_NOT_APPLICABLE = "category 'Does not apply'"
REASON_NOT_AREA = "not an area row (note or blank)"
_HEADER_SEARCH_ROWS = 20


def high_level_group(category: str) -> str | None:
    """'Black, Black British, ...: African' -> 'Black'; None for an unknown prefix."""
    prefix = str(category).split(":", 1)[0].strip().casefold()
    return GROUP_BY_PREFIX.get(prefix)


def read_census_ethnicity_la(path: Path | str) -> AdapterResult:
    """Read either layout (Figure 3 xlsx or custom-dataset CSV) into 5 groups per area."""
    path = Path(path)
    if path.suffix.casefold() == ".csv":
        long, excluded = _read_custom_dataset(path)
    else:
        long, excluded = _read_figure_workbook(path)
    long["ethnicity"] = long["category"].map(high_level_group)
    unknown = long.loc[long["ethnicity"].isna(), "category"].unique()
    if len(unknown):
        raise fail(path, f"ethnic group(s) with no high-level group: {sorted(unknown)[:3]}")
    totals = long.groupby(["area_code", "ethnicity"], as_index=False)["population"].sum()
    frame = totals.assign(year=CENSUS_YEAR, sex="All", age_from=0, age_to=OPEN_AGE)
    frame = frame[["area_code", "year", "sex", "age_from", "age_to", "ethnicity", "population"]]
    frame = frame.astype({"population": "int64"}).sort_values(["area_code", "ethnicity"])
    return AdapterResult(frame=frame.reset_index(drop=True), excluded=excluded_frame(excluded))


def _read_custom_dataset(path: Path) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Long CSV: area code, area name, category code, category, Observation."""
    raw = read_csv_text(path, "ONS custom-dataset ethnic group")
    columns = list(raw.columns)
    area = next(
        (c for c in columns if c.casefold().endswith(" code") and "ethnic" not in c.casefold()),
        None,
    )
    category = next(
        (
            c
            for c in columns
            if "ethnic group" in c.casefold() and not c.casefold().endswith("code")
        ),
        None,
    )
    if area is None or category is None or "Observation" not in columns:
        raise fail(path, f"not an ONS custom-dataset ethnic group file (columns {columns})")
    lines = list(range(2, len(raw) + 2))
    population = pd.to_numeric(raw["Observation"], errors="coerce")
    bad = (population.isna() | (population < 0) | (population % 1 != 0)).to_numpy()
    if bad.any():
        raise fail(
            path,
            "Observation must be a whole number >= 0",
            column="Observation",
            rows=[lines[i] for i in bad.nonzero()[0]],
        )
    long = pd.DataFrame(
        {
            "area_code": raw[area].str.strip(),
            "category": raw[category].str.strip(),
            "population": population,
        }
    )
    bad_code = ~long["area_code"].str.match(GSS_CODE.pattern)
    if bad_code.any():
        raise fail(
            path,
            "area code must be an ONS GSS code",
            column=area,
            rows=[lines[i] for i in bad_code.to_numpy().nonzero()[0]],
        )
    not_applicable = long["category"].str.casefold() == NOT_APPLICABLE
    excluded = []
    if not_applicable.any():
        excluded.append(
            {
                "source": path.name,
                "reason": REASON_NOT_APPLICABLE,
                "detail": "",
                "rows": int(not_applicable.sum()),
                "value": int(long.loc[not_applicable, "population"].sum()),
            }
        )
    return long.loc[~not_applicable].reset_index(drop=True), excluded


def _read_figure_workbook(path: Path) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Wide workbook: 'Area code', 'Area name', then '<group>\\n(number)' columns."""
    sheet, grid, header = _find_header(path)
    labels = [str(v).strip() if pd.notna(v) else "" for v in grid.iloc[header]]
    number_columns = {
        i: label.rsplit("(", 1)[0].strip()
        for i, label in enumerate(labels)
        if label.casefold().endswith("(number)")
    }
    if not number_columns:
        raise fail(path, f"sheet {sheet!r}: no '(number)' columns")
    body = grid.iloc[header + 1 :]
    codes = body.iloc[:, 0].map(lambda v: "" if pd.isna(v) else str(v).strip())
    is_area = codes.str.match(GSS_CODE.pattern).to_numpy()
    excluded = []
    if (~is_area).any():
        excluded.append(
            {
                "source": f"{path.name} [{sheet}]",
                "reason": REASON_NOT_AREA,
                "detail": "",
                "rows": int((~is_area).sum()),
            }
        )
    areas = body.loc[is_area]
    sheet_rows = [int(p) + 1 for p in areas.index]
    parts = []
    for column, category in number_columns.items():
        population = pd.to_numeric(areas.iloc[:, column], errors="coerce")
        bad = (population.isna() | (population < 0) | (population % 1 != 0)).to_numpy()
        if bad.any():
            raise fail(
                path,
                f"sheet {sheet!r}: count must be a whole number >= 0",
                column=labels[column].replace("\n", " "),
                rows=[sheet_rows[i] for i in bad.nonzero()[0]],
            )
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes.loc[areas.index].to_numpy(),
                    "category": category,
                    "population": population.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True), excluded


def _find_header(path: Path) -> tuple[str, pd.DataFrame, int]:
    """The sheet and row holding 'Area code' as the first cell."""
    for sheet, grid in read_excel_grids(path).items():
        for position in range(min(_HEADER_SEARCH_ROWS, len(grid))):
            if str(grid.iat[position, 0]).strip().casefold() == "area code":
                return str(sheet), grid, position
    raise fail(path, "no sheet has a header row starting 'Area code'")
