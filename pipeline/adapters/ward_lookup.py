"""ONS LSOA (2021) to electoral ward (2022) lookup -> ``lsoa_code, ward_code, ward_name``.

Where to get it: ONS Open Geography Portal (geoportal.statistics.gov.uk), "LSOA (2021) to
Electoral Ward (2022) to LAD (2022) Best Fit Lookup in EW" (CSV; columns ``LSOA21CD, LSOA21NM,
WD22CD, WD22NM, LAD22CD, LAD22NM``, with an ``ObjectId``). Columns are found by pattern
(``LSOAyyCD``, ``WDyyCD``, ``WDyyNM``), so a later vintage reads the same way.

The public build sums each ward's residents from its LSOAs' small-area estimates
(:func:`~pipeline.adapters.mps_ward_tables.ward_population_from_lsoas`), giving the ward table
its rates. Best fit means each LSOA is put wholly in the ward holding most of its residents,
so a ward's residents are those of its LSOAs (stated in the method text). Errors, one line
each: a column missing, an LSOA in more than one ward, an LSOA of the area not in the lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import fail, read_csv_text
from pipeline.adapters._formats import wrong_file_hint

_LSOA = re.compile(r"^LSOA\d{2}CD$", re.IGNORECASE)
_WARD = re.compile(r"^WD\d{2}CD$", re.IGNORECASE)
_WARD_NAME = re.compile(r"^WD\d{2}NM$", re.IGNORECASE)
_WHAT = "ONS LSOA (2021) to electoral ward (2022) best-fit lookup"


def read_lsoa_ward_lookup(path: Path | str, area_lsoas: Iterable[str]) -> pd.DataFrame:
    """The ward of each of the area's LSOAs (sorted by LSOA), from the ONS best-fit lookup."""
    path = Path(path)
    table = read_csv_text(path, _WHAT)
    fields = [str(c) for c in table.columns]
    lsoa = [f for f in fields if _LSOA.match(f.strip())]
    ward = [f for f in fields if _WARD.match(f.strip())]
    name = [f for f in fields if _WARD_NAME.match(f.strip())]
    if len(lsoa) != 1 or len(ward) != 1:
        raise fail(path, f"{_WHAT}: expected one LSOAyyCD and one WDyyCD column, found {fields}"
                   + wrong_file_hint(fields, "lsoa_ward"))  # fmt: skip
    lookup = pd.DataFrame(
        {
            "lsoa_code": table[lsoa[0]].str.strip(),
            "ward_code": table[ward[0]].str.strip(),
            "ward_name": table[name[0]].str.strip() if name else "",
        }
    ).drop_duplicates()
    wanted = sorted({str(code) for code in area_lsoas})
    mine = lookup.loc[lookup["lsoa_code"].isin(wanted)]
    repeated = mine.loc[mine["lsoa_code"].duplicated(keep=False)]
    if len(repeated):
        lines = [int(i) + 2 for i in repeated.index[:5]]
        raise fail(path, f"LSOA(s) {sorted(set(repeated['lsoa_code']))[:3]} are in more than "
                   "one ward (a best-fit lookup puts each LSOA in one)", column=ward[0],
                   rows=lines)  # fmt: skip
    missing = sorted(set(wanted) - set(mine["lsoa_code"]))
    if missing:
        raise fail(path, f"{len(missing)} LSOA(s) of the area are not in the lookup, e.g. "
                   f"{missing[:3]} (a lookup of 2021 LSOAs is needed)", column=lsoa[0])  # fmt: skip
    return mine.sort_values("lsoa_code").reset_index(drop=True)
