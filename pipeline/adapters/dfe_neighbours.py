"""DfE children's services statistical neighbours (wide, old LA numbers) -> neighbours contract.

Where to get it: Department for Education, "Children's services statistical neighbour
benchmarking tool" (gov.uk): the April 2021 groupings (``New_Statistical_Neighbour_Groupings_
April_2021.csv``: ``LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, ..., SN10, SNP``) and the
2025 model (``sn_model_2025_wide.csv``: ``old_la_code, la_name, region_ind, region_name,
SN_1, SN_1P, ..., SN_10, SN_10P``); both are in DfE's CSC outcomes and enablers repository.
Neighbours are given by DfE's old three-digit LA numbers; these become ONS codes with
:func:`pipeline.adapters.dfe_population.read_dfe_la_codes` (the old_la_code/new_la_code pairs
of the DfE EES population file).

What it produces: the neighbours contract ``area_code, neighbour_code, neighbour_name, rank,
source`` (rank 1 = closest), for every LA in the file. Rows that are not LAs are counted in
``excluded``: blank rows, the "Old SNs:" heading and the superseded LAs listed under it (pre-2019
Dorset, Poole, Bournemouth and Northamptonshire), and neighbours whose LA number has no ONS
code (with the number in ``detail``), as are LAs whose own number has no ONS code.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import AdapterResult, excluded_frame, fail, reading

#: Source labels printed with the neighbours (the first matches config's neighbours_source).
SOURCE_APRIL_2021 = "DfE children's services statistical neighbours (April 2021 groupings)"
SOURCE_MODEL_2025 = "DfE children's services statistical neighbours (2025 model)"
REASON_BLANK = "blank row"
REASON_OLD_SECTION = "superseded LA ('Old SNs' section)"
REASON_UNMAPPED = "neighbour's LA number has no ONS code in the LA lookup"
REASON_UNMAPPED_LA = "LA number has no ONS code in the LA lookup"
REASON_NOT_LA = "first column is not a three-digit LA number"
_LA_NUMBER = re.compile(r"^\d{3}$")
_NEIGHBOUR = re.compile(r"^SN_?(\d{1,2})$")


def read_dfe_statistical_neighbours(
    path: Path | str, la_codes: pd.DataFrame, *, source: str | None = None
) -> AdapterResult:
    """Read a DfE statistical-neighbour file (April 2021 or 2025 layout) into the contract.

    ``la_codes`` is :func:`read_dfe_la_codes`'s table (``old_la_code, area_code, area_name``).
    """
    path = Path(path)
    what = "DfE statistical neighbours (CSV, UTF-8)"
    with reading(path, what), open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise fail(path, "file is empty")
    header = [h.strip() for h in rows[0]]
    rank_columns = {i: int(m.group(1)) for i, h in enumerate(header) if (m := _NEIGHBOUR.match(h))}
    if not rank_columns:
        raise fail(
            path, "no SN1..SN10 (or SN_1..SN_10) columns: not a DfE statistical neighbour file"
        )
    label = source or (SOURCE_MODEL_2025 if "SN_1" in header else SOURCE_APRIL_2021)
    codes = dict(zip(la_codes["old_la_code"], la_codes["area_code"], strict=True))
    names = dict(zip(la_codes["old_la_code"], la_codes["area_name"], strict=True))
    records, excluded = [], []
    in_old_section = False
    for line, row in enumerate(rows[1:], start=2):
        first = row[0].strip() if row else ""
        if not any(cell.strip() for cell in row):
            excluded.append(
                {"source": path.name, "reason": REASON_BLANK, "detail": f"line {line}", "rows": 1}
            )
            continue
        if any(cell.strip().casefold().startswith("old sns") for cell in row):
            in_old_section = True
            excluded.append(
                {"source": path.name, "reason": REASON_OLD_SECTION, "detail": "heading", "rows": 1}
            )
            continue
        if in_old_section:
            excluded.append(
                {"source": path.name, "reason": REASON_OLD_SECTION, "detail": first, "rows": 1}
            )
            continue
        if not _LA_NUMBER.match(first):
            excluded.append(
                {"source": path.name, "reason": REASON_NOT_LA, "detail": f"line {line}", "rows": 1}
            )
            continue
        if first not in codes:
            excluded.append(
                {"source": path.name, "reason": REASON_UNMAPPED_LA, "detail": first, "rows": 1}
            )
            continue
        for position, rank in sorted(rank_columns.items(), key=lambda item: item[1]):
            neighbour = row[position].strip() if position < len(row) else ""
            if neighbour not in codes:
                excluded.append(
                    {
                        "source": path.name,
                        "reason": REASON_UNMAPPED,
                        "detail": f"{first}->{neighbour!r}",
                        "rows": 1,
                    }
                )
                continue
            records.append(
                {
                    "area_code": codes[first],
                    "neighbour_code": codes[neighbour],
                    "neighbour_name": names[neighbour],
                    "rank": rank,
                    "source": label,
                }
            )
    frame = pd.DataFrame(
        records, columns=["area_code", "neighbour_code", "neighbour_name", "rank", "source"]
    )
    frame = (
        frame.astype({"rank": "int64"}).sort_values(["area_code", "rank"]).reset_index(drop=True)
    )
    _check_unique(path, frame)
    return AdapterResult(frame=frame, excluded=excluded_frame(excluded))


def _check_unique(path: Path, frame: pd.DataFrame) -> None:
    """An LA must list each rank once and each neighbour once."""
    for key in (["area_code", "rank"], ["area_code", "neighbour_code"]):
        duplicated = frame.duplicated(key, keep=False)
        if duplicated.any():
            example = frame.loc[duplicated].head(2).to_dict("records")
            raise fail(
                path, f"duplicate {key} after mapping LA numbers to ONS codes, e.g. {example}"
            )
