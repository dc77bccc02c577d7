"""police.uk crimes by LSOA -> local-authority comparator series (monthly and financial year).

The street-level files (:mod:`pipeline.adapters.police_uk`) and the API answers
(:mod:`pipeline.adapters.police_uk_api`) give crimes by LSOA, month and crime type. This module
adds them up to local authorities through an LSOA-to-LA lookup, giving the comparator contract
(``area_code, area_name, month, measure, count``, docs/data-contracts.md) for the proxy
measures police.uk can give (:data:`POLICE_UK_MEASURES`), so that a borough's statistical
neighbours policed by other forces have series when those forces' files are supplied. The
frame has the columns of :func:`~pipeline.adapters.mps_comparator_series`'s, so the two concat.

* :func:`read_lsoa_la_lookup` -> ``lsoa_code, la_code, la_name`` from the ONS best-fit lookup
  (``LSOA11CD`` and ``LSOA21CD`` both become ``lsoa_code``, so files of either vintage match)
  or an LSOA boundary file's attribute table (``LSOAyyCD``, ``LADyyCD``, ``LADyyNM``). A lookup
  with an upper-tier column (``UTLAyyCD``, ``UTLAyyNM``) is read by it instead of ``LADyyCD``:
  DfE statistical neighbours are upper-tier LAs (counties such as Kent), which districts
  cannot give.
* :func:`police_uk_comparator_series` -> one measure's monthly counts per LA.
* :func:`financial_year_totals` -> the same series summed to financial years (April-March).

**Which force counts for an LA.** A force's file also holds a few crimes located just over its
boundary (the City of London Police's files have crimes in Camden LSOAs), so an LA's series uses
one force: ``la_forces[code]`` where given, else the force with most crimes (all types) in the
LA, provided it has crimes in at least :data:`MIN_LSOA_SHARE` of the LA's LSOAs (a force's own
LA has crimes in nearly all its LSOAs; boundary spill-over in few). An LA without such a force
is listed in ``excluded`` (:data:`REASON_NO_FORCE_FILE`), never given a near-zero series. Other
forces' crimes in the LA are listed as :data:`~pipeline.adapters.police_uk.REASON_OTHER_FORCE`.
Counts without a ``force`` column (the API's) count as one force.

**Months.** An LA-month is covered when its force has any crime in the LA that month (so its
file for that month was supplied). The series has every month asked for (``months``; default:
every month from the first to the last in the counts), zero where the LA's force recorded
none of the measure; an LA whose force misses any of them is excluded whole
(:data:`REASON_MONTHS_MISSING`: the contract needs every month). A month's file that holds
only part of the force's crimes cannot be told apart from a quiet month: supply whole files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyogrio

from pipeline.adapters._common import (
    AdapterError,
    AdapterResult,
    excluded_frame,
    fail,
    read_csv_text,
    reading,
)
from pipeline.adapters.police_uk import REASON_OTHER_FORCE
from pipeline.formatting import financial_year_label
from pipeline.public_definitions import POLICE_UK_MEASURES

#: Share of an LA's LSOAs its force must have crimes in (over the months given) to be taken
#: as the LA's force when ``la_forces`` does not name one.
MIN_LSOA_SHARE = 0.5
REASON_NOT_IN_LOOKUP = "LSOA not in the LSOA-to-LA lookup"
REASON_NOT_IN_LOOKUP_AREA = "area not in the LSOA-to-LA lookup"
REASON_NO_FORCE_FILE = "no police.uk file of this area's force was supplied"
REASON_MONTHS_MISSING = "police.uk files do not cover every month asked for"
REASON_PART_YEAR = "financial year not complete (fewer than 12 months)"
SOURCE = "police.uk street-level crime"
_LSOA = re.compile(r"^LSOA\d{2}CD$", re.IGNORECASE)
_LAD = re.compile(r"^LAD\d{2}CD$", re.IGNORECASE)
_LAD_NAME = re.compile(r"^LAD\d{2}NM$", re.IGNORECASE)
_UTLA = re.compile(r"^UTLA\d{2}CD$", re.IGNORECASE)
_UTLA_NAME = re.compile(r"^UTLA\d{2}NM$", re.IGNORECASE)
_WHAT = (
    "LSOA-to-LA lookup (ONS best-fit lookup CSV, or LSOA boundaries with LADyyCD; UTLAyyCD "
    "for upper-tier LAs)"
)


def read_lsoa_la_lookup(path: Path | str) -> pd.DataFrame:
    """``lsoa_code, la_code, la_name`` (sorted) from a best-fit lookup CSV or boundary file."""
    path = Path(path)
    if path.suffix.casefold() == ".csv":
        table = read_csv_text(path, _WHAT)
    else:
        with reading(path, _WHAT):
            table = pyogrio.read_dataframe(path, read_geometry=False)
    fields = [str(c) for c in table.columns]
    lsoa = [f for f in fields if _LSOA.match(f)]
    # An upper-tier column wins: DfE statistical neighbours are upper-tier LAs (Kent, Essex),
    # which a lower-tier (district) column cannot give.
    upper = [f for f in fields if _UTLA.match(f)]
    lad = upper or [f for f in fields if _LAD.match(f)]
    names = [f for f in fields if (_UTLA_NAME if upper else _LAD_NAME).match(f)]
    if not lsoa or len(lad) != 1:
        raise fail(path, f"expected LSOAyyCD column(s) and one UTLAyyCD or LADyyCD, found {fields}")
    parts = [
        pd.DataFrame(
            {
                "lsoa_code": table[column].astype(str).str.strip(),
                "la_code": table[lad[0]].astype(str).str.strip(),
                "la_name": table[names[0]].astype(str).str.strip() if names else "",
            }
        )
        for column in lsoa
    ]
    lookup = pd.concat(parts, ignore_index=True).drop_duplicates()
    conflicting = lookup.loc[lookup["lsoa_code"].duplicated(keep=False)]
    if len(conflicting):
        examples = sorted(set(conflicting["lsoa_code"]))[:3]
        raise fail(path, f"LSOA(s) {examples} are in more than one LA", column=lad[0])
    return lookup.sort_values("lsoa_code").reset_index(drop=True)


def police_uk_comparator_series(
    counts: pd.DataFrame,
    lookup: pd.DataFrame,
    measure: str,
    area_codes: Iterable[str] | None = None,
    *,
    months: Iterable[str] | None = None,
    la_forces: Mapping[str, str] | None = None,
) -> AdapterResult:
    """Monthly counts of one measure per LA, in the comparator contract (see module doc).

    ``counts``: ``lsoa_code, month, crime_type, count`` and optionally ``force`` (e.g.
    ``read_police_uk_street(paths, lookup["lsoa_code"], by_force=True).frame``); ``lookup``:
    :func:`read_lsoa_la_lookup`; ``area_codes``: the LAs wanted (default: every LA with a force).
    """
    if measure not in POLICE_UK_MEASURES:
        raise AdapterError(
            f"{SOURCE}: no police.uk crime type gives measure {measure!r} (police.uk publishes "
            f"'Violence and sexual offences' whole); available: {sorted(POLICE_UK_MEASURES)}"
        )
    crimes = counts if "force" in counts.columns else counts.assign(force="(one force)")
    located = crimes.merge(lookup[["lsoa_code", "la_code"]], on="lsoa_code", how="left")
    types = set(POLICE_UK_MEASURES[measure])
    is_measure = located["crime_type"].isin(types)
    records: list[dict[str, object]] = []
    unknown = located.loc[located["la_code"].isna() & is_measure]
    records += _records(unknown, "month", REASON_NOT_IN_LOOKUP, unknown["lsoa_code"])
    located = located.loc[located["la_code"].notna()]
    wanted = sorted(set(area_codes) if area_codes is not None else set(located["la_code"]))
    known = set(lookup["la_code"])
    records += [_area_record(code, REASON_NOT_IN_LOOKUP_AREA, "") for code in wanted
                if code not in known]  # fmt: skip
    asked = sorted(set(months)) if months is not None else _month_range(crimes["month"])
    forces = _la_forces(located, lookup, [c for c in wanted if c in known], la_forces or {})
    series, names = [], lookup.drop_duplicates("la_code").set_index("la_code")["la_name"]
    for code in wanted:
        if code not in known:
            continue
        force, why = forces[code]
        if force is None:
            records.append(_area_record(code, REASON_NO_FORCE_FILE, why))
            continue
        in_la = located.loc[located["la_code"] == code]
        own = in_la.loc[in_la["force"] == force]
        missing = sorted(set(asked) - set(own["month"]))
        if missing:
            detail = f"{code} {force}: no crimes in {months_text(missing)}"
            records.append(_area_record(code, REASON_MONTHS_MISSING, detail))
            continue
        others = in_la.loc[(in_la["force"] != force) & in_la["crime_type"].isin(types)]
        others = others.loc[others["month"].isin(asked)]
        records += _records(others, "month", REASON_OTHER_FORCE, code + " " + others["force"])
        chosen = own.loc[own["crime_type"].isin(types) & own["month"].isin(asked)]
        monthly = chosen.groupby("month")["count"].sum().reindex(asked, fill_value=0)
        series.append(
            pd.DataFrame(
                {
                    "area_code": code,
                    "area_name": names.get(code, ""),
                    "month": asked,
                    "measure": measure,
                    "count": monthly.to_numpy(),
                }
            )  # fmt: skip
        )
    columns = ["area_code", "area_name", "month", "measure", "count"]
    frame = pd.concat(series, ignore_index=True) if series else pd.DataFrame(columns=columns)
    frame["count"] = frame["count"].astype("int64")
    frame = frame[columns].sort_values(["area_code", "month"]).reset_index(drop=True)
    return AdapterResult(frame=frame, excluded=excluded_frame(records, extra_columns=["month"]))


def series_forces(
    counts: pd.DataFrame,
    lookup: pd.DataFrame,
    area_codes: Iterable[str],
    la_forces: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """The force whose crimes make each LA's series (None: no such force), by the rule of
    :func:`police_uk_comparator_series`: for saying where each series came from."""
    crimes = counts if "force" in counts.columns else counts.assign(force="(one force)")
    located = crimes.merge(lookup[["lsoa_code", "la_code"]], on="lsoa_code", how="inner")
    known = set(lookup["la_code"])
    codes = [code for code in sorted(set(area_codes)) if code in known]
    return {code: force for code, (force, _) in
            _la_forces(located, lookup, codes, la_forces or {}).items()}  # fmt: skip


def _la_forces(
    located: pd.DataFrame, lookup: pd.DataFrame, codes: list[str], given: Mapping[str, str]
) -> dict[str, tuple[str | None, str]]:
    """Each LA's force (or None) and, when None, why: named, or inferred (see module doc)."""
    lsoas_per_la = lookup.groupby("la_code")["lsoa_code"].nunique()
    result: dict[str, tuple[str | None, str]] = {}
    for code in codes:
        if code in given:
            result[code] = (given[code], "")
            continue
        in_la = located.loc[located["la_code"] == code]
        if in_la.empty:
            result[code] = (None, f"{code}: no crimes located in it")
            continue
        totals = in_la.groupby("force")["count"].sum()
        force = sorted(totals.index, key=lambda f: (-int(totals[f]), str(f)))[0]
        covered = in_la.loc[in_la["force"] == force, "lsoa_code"].nunique()
        share = covered / int(lsoas_per_la[code])
        if share < MIN_LSOA_SHARE:
            result[code] = (
                None,
                f"{code}: crimes in only {covered} of its {int(lsoas_per_la[code])} LSOAs "
                f"(most from {force}: near its boundary?)",
            )
        else:
            result[code] = (str(force), "")
    return result


def _records(
    rows: pd.DataFrame, month_column: str, reason: str, detail: pd.Series
) -> list[dict[str, object]]:
    """Excluded crimes grouped by month and detail (rows = crimes)."""
    if rows.empty:
        return []
    grouped = rows.assign(detail=detail.to_numpy()).groupby([month_column, "detail"])["count"].sum()
    return [
        {"source": SOURCE, "month": month, "reason": reason, "detail": text, "rows": int(n)}
        for (month, text), n in grouped.items()
    ]


def _area_record(code: str, reason: str, detail: str) -> dict[str, object]:
    """An LA left out of the series (0 rows: what is missing is the area's data)."""
    return {"source": SOURCE, "month": "", "reason": reason, "detail": detail or code, "rows": 0}


def _month_range(months: pd.Series) -> list[str]:
    """Every month from the first to the last present (a gap is a missing month, not zero)."""
    if months.empty:
        return []
    return [str(p) for p in pd.period_range(months.min(), months.max(), freq="M")]


def months_text(months: list[str]) -> str:
    shown = ", ".join(months[:3])
    return shown + (f" and {len(months) - 3} more" if len(months) > 3 else "")


def financial_year_totals(series: pd.DataFrame) -> AdapterResult:
    """Monthly comparator rows summed to financial years (``financial_year`` as '2023-24');
    a year with fewer than 12 months is left out and listed in ``excluded``."""
    period = pd.PeriodIndex(series["month"], freq="M")
    start = period.year - (period.month < 4).astype(int)
    frame = series.assign(financial_year=[financial_year_label(int(y)) for y in start])
    keys = ["area_code", "area_name", "measure", "financial_year"]
    totals = frame.groupby(keys, as_index=False).agg(
        count=("count", "sum"), months=("month", "nunique")
    )
    complete = totals["months"] == 12
    records = [
        {"source": SOURCE, "month": "", "reason": REASON_PART_YEAR,
         "detail": f"{r.area_code} {r.measure} {r.financial_year}: {r.months} months",
         "rows": 0}
        for r in totals.loc[~complete].itertuples()
    ]  # fmt: skip
    kept = totals.loc[complete, [*keys, "count"]].astype({"count": "int64"})
    kept = kept.sort_values(["area_code", "measure", "financial_year"]).reset_index(drop=True)
    return AdapterResult(frame=kept, excluded=excluded_frame(records, extra_columns=["month"]))
