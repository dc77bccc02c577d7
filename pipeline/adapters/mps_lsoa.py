"""MPS recorded crime by LSOA, annual (wide years) -> long counts by LSOA and year.

Where to get it: London Datastore, dataset "MPS Recorded Crime: Geographic Breakdown"
(Metropolitan Police Service; data.london.gov.uk/dataset/recorded_crime_summary), LSOA-level
files, which are monthly by major and minor category. The layout read here is those counts for
one major category summed to calendar years, as in ``london-2011-2021-major-weapons.csv`` of
the jamesdamillington/london-data repository: columns ``LSOA11CD, LSOA11NM, MSOA11CD,
MSOA11NM, LAD11CD, LAD11NM`` then one column per year (``2011 .. 2021``; counts may be written
``5.0`` but must be whole).

What it produces (a documented intermediate): ``lsoa_code, area_code, year, count`` where
``lsoa_code`` is the 2011 LSOA code and ``area_code`` the local authority (LAD11). The MPS does
not allocate every offence to an LSOA, so these counts are a little lower than the
borough-level file's. Use :func:`pipeline.adapters.lsoa_bridge.bridge_lsoa11_to_lsoa21` to move
them to 2021 LSOAs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    LSOA_CODE,
    AdapterResult,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
    require_columns,
    whole_numbers,
)

_YEAR_COLUMN = re.compile(r"^(19|20)\d{2}$")
_FORMAT = "MPS annual crime by LSOA"


def read_mps_lsoa_annual(path: Path | str, area_code: str | None = None) -> AdapterResult:
    """Read the annual LSOA table; ``area_code`` (LAD code) keeps one borough's LSOAs."""
    path = Path(path)
    raw = read_csv_text(path, _FORMAT)
    require_columns(path, raw.columns, ["LSOA11CD", "LAD11CD"], _FORMAT, expected_format="mps_lsoa")
    years = [c for c in raw.columns if _YEAR_COLUMN.match(str(c))]
    if not years:
        raise fail(path, "no year columns (YYYY) found")
    lines = csv_line_numbers(range(len(raw)))
    codes = raw["LSOA11CD"].str.strip()
    bad = ~codes.str.match(LSOA_CODE.pattern)
    if bad.any():
        rows = [lines[i] for i in bad.to_numpy().nonzero()[0]]
        raise fail(path, "LSOA code must be E01/W01 + 6 digits", column="LSOA11CD", rows=rows)
    duplicated = codes.duplicated(keep=False)
    if duplicated.any():
        rows = [lines[i] for i in duplicated.to_numpy().nonzero()[0]]
        raise fail(path, "each LSOA must appear once", column="LSOA11CD", rows=rows)
    counts = {year: whole_numbers(raw[year], path, year, lines) for year in years}
    wide = pd.DataFrame({"lsoa_code": codes, "area_code": raw["LAD11CD"].str.strip(), **counts})
    if area_code is not None:
        wide = wide.loc[wide["area_code"] == area_code]
    long = wide.melt(id_vars=["lsoa_code", "area_code"], var_name="year", value_name="count")
    long["year"] = long["year"].astype("int64")
    long["count"] = long["count"].astype("int64")
    long = long.sort_values(["lsoa_code", "year"]).reset_index(drop=True)
    return AdapterResult(frame=long, excluded=excluded_frame([]))
