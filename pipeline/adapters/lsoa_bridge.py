"""ONS LSOA (2011) to LSOA (2021) best-fit lookup, and the bridge that moves data across it.

Where to get it: Office for National Statistics, Open Geography Portal, "LSOA (2011) to LSOA
(2021) to Local Authority District (2022) Best Fit Lookup for EW (V2)" (CSV). Columns
``LSOA11CD, LSOA11NM, LSOA21CD, LSOA21NM, CHGIND, LAD22CD, LAD22NM`` (extra columns, like the
London extract's census populations, are ignored). ``CHGIND``: U unchanged, S an LSOA11 split
into several LSOA21, M several LSOA11 merged into one LSOA21, X an irregular change.

What it produces: :func:`read_lsoa_bestfit_lookup` -> ``lsoa11_code, lsoa21_code, change,
lad_code`` (one row per pair), and :func:`bridge_lsoa11_to_lsoa21`, which moves a table keyed
by 2011 LSOAs onto 2021 LSOAs:

* **Counts** (a frame with ``lsoa_code`` and ``count``; every other column is a key such as
  ``year`` or ``month`` and is kept). U and M are exact: an LSOA21 gets the sum of its parents.
  A split parent's count is shared among its children in proportion to ``split_weights``
  (a value per LSOA21, e.g. Census 2021 residents; equal shares when not given), rounded to
  whole numbers by the largest-remainder method so that each parent's total is kept exactly.
  X rows follow the same rule. The area total never changes.
* **Deprivation** (a frame in the deprivation contract, IoD2019 on 2011 LSOAs). A split child
  inherits its parent's score, rank and decile: the parent was measured as a whole and the
  child is part of it. A merged child takes the values of its most deprived parent (lowest
  rank; ties by code), so that merging never hides deprivation; the other parents are counted
  in ``excluded``. ``iod_edition`` stays "IoD2019": these are IoD2019 values on 2021 LSOAs, and
  ranks keep their national meaning among the 32,844 LSOA11.

Rows whose LSOA11 is not in the lookup are counted in ``excluded`` (with their count).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.adapters._common import (
    LSOA_CODE,
    AdapterError,
    AdapterResult,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
    require_columns,
)

CHANGE_CODES = {"U", "S", "M", "X"}
REASON_NOT_IN_LOOKUP = "LSOA11 not in the best-fit lookup"
REASON_MERGED = "merged (M/X): the LSOA21 takes its most deprived parent's values"
_FORMAT = "ONS LSOA11 to LSOA21 best-fit lookup"
_DEPRIVATION_COLUMNS = ["lsoa_code", "iod_edition", "imd_score", "imd_rank", "imd_decile"]


def read_lsoa_bestfit_lookup(path: Path | str, area_code: str | None = None) -> pd.DataFrame:
    """Read the best-fit lookup; ``area_code`` (LAD22) keeps one area's pairs."""
    path = Path(path)
    raw = read_csv_text(path, _FORMAT)
    require_columns(
        path,
        raw.columns,
        ["LSOA11CD", "LSOA21CD", "CHGIND"],
        _FORMAT,
        expected_format="lsoa_bestfit",
    )
    lines = csv_line_numbers(range(len(raw)))
    for column in ("LSOA11CD", "LSOA21CD"):
        bad = ~raw[column].str.strip().str.match(LSOA_CODE.pattern)
        if bad.any():
            rows = [lines[i] for i in bad.to_numpy().nonzero()[0]]
            raise fail(path, "LSOA code must be E01/W01 + 6 digits", column=column, rows=rows)
    change = raw["CHGIND"].str.strip().str.upper()
    bad = ~change.isin(CHANGE_CODES)
    if bad.any():
        rows = [lines[i] for i in bad.to_numpy().nonzero()[0]]
        raise fail(
            path, f"CHGIND must be one of {sorted(CHANGE_CODES)}", column="CHGIND", rows=rows
        )
    lad = raw["LAD22CD"].str.strip() if "LAD22CD" in raw.columns else pd.Series("", index=raw.index)
    lookup = pd.DataFrame(
        {
            "lsoa11_code": raw["LSOA11CD"].str.strip(),
            "lsoa21_code": raw["LSOA21CD"].str.strip(),
            "change": change,
            "lad_code": lad,
        }
    )
    duplicated = lookup.duplicated(["lsoa11_code", "lsoa21_code"], keep=False)
    if duplicated.any():
        rows = [lines[i] for i in duplicated.to_numpy().nonzero()[0]]
        raise fail(path, "the same LSOA11 -> LSOA21 pair appears more than once", rows=rows)
    if area_code is not None:
        lookup = lookup.loc[lookup["lad_code"] == area_code]
    return lookup.sort_values(["lsoa11_code", "lsoa21_code"]).reset_index(drop=True)


def bridge_lsoa11_to_lsoa21(
    frame: pd.DataFrame,
    lookup: pd.DataFrame,
    split_weights: Mapping[str, float] | pd.Series | None = None,
) -> AdapterResult:
    """Move counts or IoD2019 deprivation from 2011 LSOAs to 2021 LSOAs (see module doc)."""
    if "imd_rank" in frame.columns:
        return _bridge_deprivation(frame, lookup)
    if "count" in frame.columns:
        return _bridge_counts(frame, lookup, split_weights)
    raise ValueError(
        "bridge needs a counts frame (lsoa_code, count, ...) or a deprivation frame (imd_rank)"
    )


def _not_in_lookup(
    frame: pd.DataFrame, lookup: pd.DataFrame, value: str | None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Split off rows whose LSOA11 the lookup does not know, as an excluded record."""
    known = frame["lsoa_code"].isin(set(lookup["lsoa11_code"]))
    unknown = frame.loc[~known]
    records = []
    if len(unknown):
        records.append(
            {
                "source": "bridge LSOA11 -> LSOA21",
                "reason": REASON_NOT_IN_LOOKUP,
                "detail": "",
                "rows": len(unknown),
                "value": int(unknown[value].sum()) if value else pd.NA,
            }
        )
    return frame.loc[known], records


def _bridge_counts(
    frame: pd.DataFrame, lookup: pd.DataFrame, split_weights: Mapping[str, float] | pd.Series | None
) -> AdapterResult:
    """Counts: children sum their parents; split parents shared by weight, whole numbers kept."""
    keys = [c for c in frame.columns if c not in ("lsoa_code", "count")]
    known, excluded = _not_in_lookup(frame, lookup, "count")
    pairs = lookup[["lsoa11_code", "lsoa21_code"]].copy()
    weights = pd.Series(split_weights, dtype="float64") if split_weights is not None else None
    if weights is None:
        pairs["weight"] = 1.0
    else:
        pairs["weight"] = pairs["lsoa21_code"].map(weights)
        missing = pairs.loc[pairs["weight"].isna() | (pairs["weight"] < 0), "lsoa21_code"]
        if len(missing):
            raise AdapterError(
                f"best-fit lookup: the split weights (residents) have no value >= 0 for "
                f"LSOA21 {sorted(missing.unique())[:5]}"
            )
    pairs["share"] = pairs["weight"] / pairs.groupby("lsoa11_code")["weight"].transform("sum")
    if pairs["share"].isna().any():
        zero = sorted(pairs.loc[pairs["share"].isna(), "lsoa11_code"].unique())[:5]
        raise AdapterError(
            f"best-fit lookup: the split weights are all zero for the children of LSOA11 {zero}"
        )
    known = known.groupby(["lsoa_code", *keys], as_index=False, sort=True, dropna=False)[
        "count"
    ].sum()
    spread = known.merge(pairs, left_on="lsoa_code", right_on="lsoa11_code", how="inner")
    spread = spread.reset_index(drop=True)
    spread["count"] = _largest_remainder(spread, ["lsoa11_code", *keys])
    result = (
        spread.groupby(["lsoa21_code", *keys], as_index=False, sort=True, dropna=False)["count"]
        .sum()
        .rename(columns={"lsoa21_code": "lsoa_code"})
    )
    result = result[["lsoa_code", *keys, "count"]].astype({"count": "int64"})
    if int(result["count"].sum()) != int(known["count"].sum()):  # the method's promise
        raise RuntimeError("bridging changed the total count; please report this as a bug")
    return AdapterResult(frame=result.reset_index(drop=True), excluded=excluded_frame(excluded))


def _largest_remainder(spread: pd.DataFrame, group: list[str]) -> np.ndarray:
    """Whole-number shares of each parent's count that add up to it exactly (Hamilton's method).

    Each child first gets floor(count * share); the units left over go one each to the children
    with the largest remainders (ties to the lower LSOA21 code), so no count is invented or lost.
    """
    exact = spread["count"].to_numpy(dtype="float64") * spread["share"].to_numpy()
    floor = np.floor(exact + 1e-9)  # 1e-9: a share like 1/3 * 3 must not floor to 0.999...
    work = spread[[*group, "lsoa21_code", "count"]].assign(_floor=floor, _rest=floor - exact)
    by_parent = work.groupby(group, sort=False, dropna=False)
    left = work["count"].to_numpy() - by_parent["_floor"].transform("sum").to_numpy()
    ordered = work.sort_values([*group, "_rest", "lsoa21_code"], kind="stable")
    position = ordered.groupby(group, sort=False, dropna=False).cumcount().reindex(work.index)
    return (floor + (position.to_numpy() < left)).astype("int64")


def _bridge_deprivation(frame: pd.DataFrame, lookup: pd.DataFrame) -> AdapterResult:
    """Deprivation: split children inherit; merged children take the most deprived parent."""
    missing = [c for c in _DEPRIVATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"deprivation frame lacks column(s) {missing}")
    editions = set(frame["iod_edition"])
    if editions != {"IoD2019"}:
        raise ValueError(
            f"only IoD2019 (2011 LSOAs) is bridged to 2021 LSOAs, got {sorted(editions)}"
        )
    known, excluded = _not_in_lookup(frame, lookup, None)
    joined = known.merge(lookup, left_on="lsoa_code", right_on="lsoa11_code", how="inner")
    joined = joined.sort_values(["lsoa21_code", "imd_rank", "lsoa11_code"], kind="stable")
    chosen = joined.drop_duplicates("lsoa21_code", keep="first")
    passed_over = joined.loc[~joined.index.isin(chosen.index)]
    if len(passed_over):
        excluded.append(
            {
                "source": "bridge LSOA11 -> LSOA21",
                "reason": REASON_MERGED,
                "detail": "",
                "rows": len(passed_over),
            }
        )
    result = chosen.assign(lsoa_code=chosen["lsoa21_code"])[_DEPRIVATION_COLUMNS]
    return AdapterResult(frame=result.reset_index(drop=True), excluded=excluded_frame(excluded))
