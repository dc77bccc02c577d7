"""MPS borough-level recorded crime (wide monthly CSV) -> long counts and comparator series.

Where to get it: London Datastore, dataset "MPS Recorded Crime: Geographic Breakdown"
(Metropolitan Police Service; data.london.gov.uk/dataset/recorded_crime_summary), files
"MPS Borough Level Crime (most recent 24 months).csv" and "MPS Borough Level Crime
(Historical).csv". Columns: ``MajorText, MinorText, BoroughName`` then one column per month
``YYYYMM``.

What it produces:

* :func:`read_mps_borough_crime` -> ``area_code, area_name, month (YYYY-MM), major_category,
  minor_category, count``, one row per borough, category and month, from one or both files.
  Borough names become ONS codes with :data:`LONDON_BOROUGHS` (32 boroughs plus the City of
  London, which the MPS does not police but which is mapped where present) and
  :data:`BOROUGH_NAME_VARIANTS`. Rows that are not a borough ("London Heathrow and London City
  Airports", "Unknown") are reported in ``excluded`` with their crime totals. When files share
  months, those months must agree cell by cell, or :class:`AdapterError` says where they differ.
* :func:`mps_comparator_series` -> the comparator contract (``area_code, area_name, month,
  measure, count``) for one proxy measure in :data:`PROXY_MEASURES`, for every borough (or the
  codes asked for) and London (E12000007) as the sum of the 32 boroughs. Codes asked for that
  the MPS does not cover (neighbours outside London) are reported in ``excluded``.

The publisher leaves out a borough x category row when every month in the file is zero; for a
borough present in the file such a category therefore counts 0 in each month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.adapters._common import (
    AdapterError,
    AdapterResult,
    as_paths,
    csv_line_numbers,
    excluded_frame,
    fail,
    read_csv_text,
)
from pipeline.adapters._formats import wrong_file_hint
from pipeline.adapters._mps_wide import (
    SOURCE,
    check_distinct_names,
    combine_files,
    melt_months,
    month_columns,
    month_counts,
)

#: ONS codes and official names of the London boroughs (LAD 2022; unchanged since 1965 codes).
LONDON_BOROUGHS: dict[str, str] = {
    "E09000001": "City of London",
    "E09000002": "Barking and Dagenham",
    "E09000003": "Barnet",
    "E09000004": "Bexley",
    "E09000005": "Brent",
    "E09000006": "Bromley",
    "E09000007": "Camden",
    "E09000008": "Croydon",
    "E09000009": "Ealing",
    "E09000010": "Enfield",
    "E09000011": "Greenwich",
    "E09000012": "Hackney",
    "E09000013": "Hammersmith and Fulham",
    "E09000014": "Haringey",
    "E09000015": "Harrow",
    "E09000016": "Havering",
    "E09000017": "Hillingdon",
    "E09000018": "Hounslow",
    "E09000019": "Islington",
    "E09000020": "Kensington and Chelsea",
    "E09000021": "Kingston upon Thames",
    "E09000022": "Lambeth",
    "E09000023": "Lewisham",
    "E09000024": "Merton",
    "E09000025": "Newham",
    "E09000026": "Redbridge",
    "E09000027": "Richmond upon Thames",
    "E09000028": "Southwark",
    "E09000029": "Sutton",
    "E09000030": "Tower Hamlets",
    "E09000031": "Waltham Forest",
    "E09000032": "Wandsworth",
    "E09000033": "Westminster",
}
#: Other spellings seen in police and GLA files (compared after :func:`normalise_borough_name`,
#: which already folds "&" to "and", hyphens, case and "London Borough of"/"Royal Borough of").
BOROUGH_NAME_VARIANTS: dict[str, str] = {
    "city of westminster": "E09000033",
    "kingston": "E09000021",
    "richmond": "E09000027",
    "barking": "E09000002",
    "hammersmith": "E09000013",
    "kensington": "E09000020",
}
#: The 32 boroughs the Metropolitan Police covers (all but the City of London).
MPS_BOROUGHS: tuple[str, ...] = tuple(code for code in LONDON_BOROUGHS if code != "E09000001")
LONDON_CODE = "E12000007"
LONDON_NAME = "London"

#: Proxy measures available from this file: (level, category names), compared case-blind.
PROXY_MEASURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "violence_with_injury": ("minor", ("Violence with Injury",)),
    "violence_without_injury": ("minor", ("Violence without Injury",)),
    "homicide": ("minor", ("Homicide",)),
    "possession_of_weapons": ("major", ("Possession of Weapons",)),
    "robbery": ("major", ("Robbery",)),
    "robbery_of_personal_property": ("minor", ("Robbery of Personal Property",)),
    "sexual_offences": ("major", ("Sexual Offences",)),
    "violence_against_the_person": ("major", ("Violence Against the Person",)),
    # police.uk's "Violence and sexual offences" type in MPS categories: comparable series for
    # areas built from police.uk files (their MPS neighbours and London).
    "violence_and_sexual_offences": ("major", ("Violence Against the Person", "Sexual Offences")),
}

REASON_NOT_BOROUGH = "not a London borough (airports or unknown location)"
REASON_NOT_COVERED = "no MPS data for this area (outside the Metropolitan Police area)"
_TEXT_COLUMNS = {
    "MajorText": "major_category",
    "MinorText": "minor_category",
    "BoroughName": "borough",
}
_FORMAT = "MPS borough-level crime"
_KEY = ["area_code", "major_category", "minor_category"]


def normalise_borough_name(name: str) -> str:
    """Fold case, '&', hyphens, spacing and 'London/Royal Borough of' so variants compare equal."""
    text = str(name).casefold().replace("&", " and ").replace("-", " ")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^(the )?(london borough of|royal borough of) ", "", text)


_NAME_TO_CODE: dict[str, str] = {
    **{normalise_borough_name(name): code for code, name in LONDON_BOROUGHS.items()},
    **BOROUGH_NAME_VARIANTS,
}


def borough_code(name: str) -> str | None:
    """ONS code of a London borough name in any common spelling, else None."""
    return _NAME_TO_CODE.get(normalise_borough_name(name))


def read_mps_borough_crime(paths: Path | str | Iterable[Path | str]) -> AdapterResult:
    """Read one or more MPS borough files into long monthly counts by borough and category."""
    files = as_paths(paths)
    check_distinct_names(files, "MPS")
    parts, excluded = [], []
    for path in files:
        frame, dropped = _read_one(path)
        parts.append(frame.assign(**{SOURCE: path.name}))
        excluded.extend(dropped)
    combined = _combine(parts)
    return AdapterResult(frame=combined, excluded=excluded_frame(excluded))


def _read_one(path: Path) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """One wide file -> long rows for the boroughs, plus the non-borough rows it left out."""
    raw = read_csv_text(path, _FORMAT)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in _TEXT_COLUMNS if c not in raw.columns]
    if missing:
        hint = wrong_file_hint(raw.columns, "mps_borough")
        raise fail(
            path, f"not a {_FORMAT} file: missing column(s) {missing}{hint}", column=missing[0]
        )
    months = month_columns(path, list(raw.columns), list(_TEXT_COLUMNS))
    lines = csv_line_numbers(range(len(raw)))
    counts = month_counts(raw, path, months)
    text = raw[list(_TEXT_COLUMNS)].rename(columns=_TEXT_COLUMNS)
    for column in text.columns:
        text[column] = text[column].str.strip()
    text["area_code"] = text["borough"].map(borough_code)
    text["line"] = lines
    _check_unique_rows(path, text)
    mapped = text["area_code"].notna()
    dropped = [
        {
            "source": path.name,
            "reason": REASON_NOT_BOROUGH,
            "detail": name,
            "rows": int(len(group)),
            "value": int(counts.loc[group.index].to_numpy().sum()),
        }
        for name, group in text.loc[~mapped].groupby("borough", sort=True)
    ]
    wide = pd.concat([text.loc[mapped, _KEY], counts.loc[mapped]], axis=1)
    long = melt_months(wide, _KEY)
    long["area_name"] = long["area_code"].map(LONDON_BOROUGHS)
    return long, dropped


def _check_unique_rows(path: Path, text: pd.DataFrame) -> None:
    """A borough x category must appear once in a file, or its months would double count."""
    duplicated = text.duplicated(["borough", "major_category", "minor_category"], keep=False)
    if duplicated.any():
        raise fail(
            path,
            "the same borough and category appear more than once",
            column="BoroughName",
            rows=text.loc[duplicated, "line"].tolist(),
        )


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack files; months present in more than one file must agree, then are kept once."""
    kept = combine_files(parts, _KEY)
    columns = ["area_code", "area_name", "month", "major_category", "minor_category", "count"]
    kept = kept[columns].sort_values(["area_code", "month", "major_category", "minor_category"])
    kept["count"] = kept["count"].astype("int64")
    return kept.reset_index(drop=True)


def proxy_rows(crime: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rows of ``crime`` (``major_category``/``minor_category`` columns, borough or ward)
    that make up one proxy measure of :data:`PROXY_MEASURES`, compared case-blind."""
    if measure not in PROXY_MEASURES:
        raise ValueError(f"unknown MPS proxy measure {measure!r}; known: {sorted(PROXY_MEASURES)}")
    level, names = PROXY_MEASURES[measure]
    wanted = {name.casefold() for name in names}
    return crime.loc[crime[f"{level}_category"].str.casefold().isin(wanted)]


def mps_comparator_series(
    crime: pd.DataFrame,
    measure: str,
    area_codes: Iterable[str] | None = None,
    *,
    include_london: bool = True,
) -> AdapterResult:
    """Monthly counts of one proxy measure per borough (and London) in the comparator contract.

    ``crime`` is :func:`read_mps_borough_crime`'s frame. ``area_codes`` limits the output to
    those boroughs (e.g. the area and its statistical neighbours); codes without MPS data are
    reported in ``excluded``. London (E12000007) is the sum of the 32 MPS boroughs, so it
    leaves out the City of London, the airports and crimes of unknown borough.
    """
    chosen = proxy_rows(crime, measure)
    months = _full_month_range(crime)
    level, names = PROXY_MEASURES[measure]
    if chosen.empty:
        raise AdapterError(
            f"MPS borough-level crime: no rows of {level} category {names} for measure {measure!r}"
        )
    present = sorted(crime["area_code"].unique())
    index = pd.MultiIndex.from_product([present, months], names=["area_code", "month"])
    series = chosen.groupby(["area_code", "month"])["count"].sum().reindex(index, fill_value=0)
    series = series.reset_index()
    parts = [series]
    if include_london:
        parts.append(_london_total(series, present))
    result = pd.concat(parts, ignore_index=True)
    excluded: list[dict[str, object]] = []
    if area_codes is not None:
        asked = sorted(set(area_codes))
        excluded = [
            {
                "source": "MPS borough-level crime",
                "reason": REASON_NOT_COVERED,
                "detail": code,
                "rows": 0,
            }
            for code in asked
            if code not in present and code != LONDON_CODE
        ]
        result = result.loc[result["area_code"].isin(set(asked) | {LONDON_CODE})]
    names_by_code = {**LONDON_BOROUGHS, LONDON_CODE: LONDON_NAME}
    result = result.assign(area_name=result["area_code"].map(names_by_code), measure=measure)
    result["count"] = result["count"].astype("int64")
    result = result[["area_code", "area_name", "month", "measure", "count"]]
    result = result.sort_values(["area_code", "month"]).reset_index(drop=True)
    return AdapterResult(frame=result, excluded=excluded_frame(excluded))


def _full_month_range(crime: pd.DataFrame) -> list[str]:
    """Every month from the first to the last in the data; raise if any month is missing."""
    present = sorted(crime["month"].unique())
    periods = pd.period_range(present[0], present[-1], freq="M")
    expected = [str(p) for p in periods]
    gaps = sorted(set(expected) - set(present))
    if gaps:
        raise AdapterError(
            f"MPS borough-level crime: no rows for month(s) {gaps[:6]} "
            f"inside {expected[0]}..{expected[-1]}"
        )
    return expected


def _london_total(series: pd.DataFrame, present: list[str]) -> pd.DataFrame:
    """London as the sum of the 32 MPS boroughs; all must be present or the sum is short."""
    absent = sorted(set(MPS_BOROUGHS) - set(present))
    if absent:
        raise AdapterError(
            f"MPS borough-level crime: cannot total London: borough(s) {absent} are missing"
        )
    boroughs = series.loc[series["area_code"].isin(MPS_BOROUGHS)]
    total = boroughs.groupby("month", as_index=False)["count"].sum()
    return total.assign(area_code=LONDON_CODE)[["area_code", "month", "count"]]
