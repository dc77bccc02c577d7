"""Rules across inputs: the inputs of one area must fit together.

Stop rules:

* every LSOA of the area (lsoas.csv) belongs to the area, and has a population for every year
  of the LSOA population file, a deprivation value, (when boundaries are given) a polygon and
  (when LSOA counts are given) a count for every year and measure of that file;
* the area and the region appear in the comparator series, and every comparator area has every
  measure for every month of the window;
* every comparator area has a mid-year population for every financial year of the window, or
  for an earlier year when the year's estimate is later than the newest one supplied;
* the Census ethnic population covers the area;
* every area code used anywhere has a name in areas.csv.

Kept and counted (never silently dropped): statistical neighbours with no comparator series at
all (e.g. neighbours outside the Metropolitan Police area in an SNA from MPS data), which the
measures list as missing; and financial years later than an area's newest mid-year estimate,
which use that estimate. :func:`check_cross_inputs` returns them as a table (``input,
category, reason, rows, detail``) and writes it beside the failures CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.settings import Settings
from pipeline.validate import rules as r
from pipeline.validate.errors import DEFAULT_FAILURES_DIR, Problem, ValidationStop, write_failures
from pipeline.validate.schemas import input_metadata

Frames = Mapping[str, pd.DataFrame]
CrossCheck = Callable[[Frames, Mapping[str, Any], str], list[Problem]]
#: A row of the kept-and-counted table: input, category ("kept"), reason, rows, detail.
Kept = dict[str, Any]
CrossNote = Callable[[Frames, Mapping[str, Any], str], list[Kept]]
#: Columns of the kept-and-counted table of the cross-input checks.
KEPT_COLUMNS: list[str] = ["input", "category", "reason", "rows", "detail"]
REASON_NEIGHBOUR_WITHOUT_SERIES = (
    "statistical neighbour without comparator series (kept in the neighbour list, shown as "
    "missing, left out of the pooled neighbours)"
)
REASON_LATEST_EARLIER_POPULATION = (
    "financial year after the newest mid-year estimate supplied (the newest earlier estimate "
    "is used, and the measure tables say so)"
)


def _file(kind: str) -> str:
    """The contract file name of an input, as named in cross-input messages."""
    return str(input_metadata(kind)["file"])


def _lsoa_lines(lsoas: pd.DataFrame, codes: list[str]) -> list[int | None]:
    """Line of each LSOA code in lsoas.csv (when the frame carries source lines)."""
    if "source_line" not in lsoas:
        return [None] * len(codes)
    line_of = dict(zip(lsoas["lsoa_code"], lsoas["source_line"], strict=True))
    return [int(line_of[c]) if c in line_of else None for c in codes]


def _area_lsoa_problem(
    lsoas: pd.DataFrame, missing: dict[str, str], *, kind: str, column: str, rule: str, fix: str
) -> list[Problem]:
    """A problem listing area LSOAs (by lsoas.csv line) that another input lacks."""
    if not missing:
        return []
    codes = sorted(missing)
    return [
        Problem(
            input=kind,
            file=_file(kind),
            column=column,
            rule=rule,
            fix=fix,
            unit="lsoas.csv line",
            lines=_lsoa_lines(lsoas, codes),
            values=[missing[c] for c in codes],
        )
    ]


def lsoas_in_area(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """Every row of lsoas.csv names the area being built."""
    lsoas = frames.get("lsoas")
    if lsoas is None:
        return []
    wrong = lsoas[lsoas["area_code"] != area_code]
    if wrong.empty:
        return []
    return [
        Problem(
            input="lsoas",
            file=_file("lsoas"),
            column="area_code",
            rule="every LSOA belongs to the area",
            fix=f"lsoas.csv must list only the LSOAs of {area_code}, the area being built.",
            lines=[int(x) for x in wrong["source_line"]]
            if "source_line" in wrong
            else [None] * len(wrong),
            values=list(wrong["area_code"]),
        )
    ]


def lsoas_have_population(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """Every LSOA of the area has a population for every year of the LSOA population file."""
    lsoas, population = frames.get("lsoas"), frames.get("population_lsoa")
    if lsoas is None or population is None:
        return []
    years = sorted(int(y) for y in population["year"].unique())
    have = set(zip(population["area_code"], population["year"].astype(int), strict=True))
    missing = {}
    for code in lsoas["lsoa_code"]:
        lacking = [y for y in years if (code, y) not in have]
        if lacking:
            missing[code] = f"{code} (no population for {', '.join(map(str, lacking))})"
    return _area_lsoa_problem(
        lsoas,
        missing,
        kind="population_lsoa",
        column="area_code",
        rule="every LSOA of the area has a population for every year",
        fix="Add population rows for these LSOAs of lsoas.csv, for every year of the file.",
    )


def lsoas_have_deprivation(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """Every LSOA of the area has a deprivation value (in at least one IoD edition)."""
    lsoas, deprivation = frames.get("lsoas"), frames.get("deprivation")
    if lsoas is None or deprivation is None:
        return []
    known = set(deprivation["lsoa_code"])
    missing = {c: c for c in lsoas["lsoa_code"] if c not in known}
    return _area_lsoa_problem(
        lsoas,
        missing,
        kind="deprivation",
        column="lsoa_code",
        rule="every LSOA of the area has a deprivation value",
        fix="Add the IMD rank, decile and score of these LSOAs (IoD2025 for 2021 LSOAs, or "
        "IoD2019 bridged with the ONS best-fit lookup).",
    )


def lsoas_have_boundaries(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """When boundaries are given, every LSOA of the area has a polygon."""
    lsoas, boundaries = frames.get("lsoas"), frames.get("boundaries")
    if lsoas is None or boundaries is None:
        return []
    known = set(boundaries["lsoa_code"])
    missing = {c: c for c in lsoas["lsoa_code"] if c not in known}
    return _area_lsoa_problem(
        lsoas,
        missing,
        kind="boundaries",
        column="lsoa_code",
        rule="every LSOA of the area has a boundary",
        fix="Add the polygons of these LSOAs to the boundaries file (or remove the file to get "
        "a ranked table instead of a map).",
    )


def lsoas_have_counts(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """When LSOA counts are given, every LSOA of the area has a count (0 if none) for every
    year and measure of that file."""
    lsoas, counts = frames.get("lsoas"), frames.get("lsoa_counts")
    if lsoas is None or counts is None:
        return []
    pairs = sorted(
        {(int(y), str(m)) for y, m in zip(counts["year"], counts["measure"], strict=True)}
    )
    have = set(zip(counts["lsoa_code"], counts["year"].astype(int), counts["measure"], strict=True))
    missing = {}
    for code in lsoas["lsoa_code"]:
        lacking = [f"{m} {y}" for y, m in pairs if (code, y, m) not in have]
        if lacking:
            missing[code] = f"{code} (no count for {', '.join(lacking)})"
    return _area_lsoa_problem(
        lsoas,
        missing,
        kind="lsoa_counts",
        column="lsoa_code",
        rule="every LSOA of the area has a count for every year and measure",
        fix="Add a row (count 0 if there were none) for these LSOAs of lsoas.csv, for every "
        "year and measure of the file.",
    )


def _comparator_codes(frames: Frames, settings: Settings, area_code: str) -> dict[str, str]:
    """Codes the comparisons need (area, its neighbours, the region) with a label for each."""
    codes = {area_code: f"{area_code} (the area)"}
    neighbours = frames.get("neighbours")
    if neighbours is not None:
        own = neighbours[neighbours["area_code"] == area_code].sort_values("rank")
        for code, name in zip(own["neighbour_code"], own["neighbour_name"], strict=True):
            codes.setdefault(code, f"{code} ({name}, statistical neighbour)")
    region = settings.region
    codes.setdefault(region.code, f"{region.code} ({region.name})")
    return codes


def area_has_neighbours(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """The neighbour list names at least one neighbour of the area."""
    neighbours = frames.get("neighbours")
    if neighbours is None or (neighbours["area_code"] == area_code).any():
        return []
    return [
        Problem(
            input="neighbours",
            file=_file("neighbours"),
            column="area_code",
            rule="the area has statistical neighbours",
            lines=[None],
            values=[area_code],
            fix=f"neighbours.csv must list the statistical neighbours of {area_code}.",
            detail=f"no row has area_code '{area_code}'",
        )
    ]


def _neighbour_codes(frames: Frames, area_code: str) -> set[str]:
    """Codes of the area's statistical neighbours (empty without a neighbour list)."""
    neighbours = frames.get("neighbours")
    if neighbours is None:
        return set()
    return set(neighbours.loc[neighbours["area_code"] == area_code, "neighbour_code"])


def comparators_cover_areas(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """The area and the region have comparator series (a neighbour without any series is kept
    and counted, not a stop: see :func:`neighbours_without_series`)."""
    comparators = frames.get("comparators")
    if comparators is None:
        return []
    present = set(comparators["area_code"])
    neighbours = _neighbour_codes(frames, area_code) - {area_code}
    missing = [
        label
        for code, label in _comparator_codes(frames, settings, area_code).items()
        if code not in present and code not in neighbours
    ]
    if not missing:
        return []
    return [
        Problem(
            input="comparators",
            file=_file("comparators"),
            column="area_code",
            rule="the area and the region have comparator series",
            lines=[None] * len(missing),
            values=missing,
            detail=f"{len(missing)} area{'s' if len(missing) > 1 else ''} without a series: "
            + ", ".join(missing),
            fix="Add their monthly counts for every measure to comparators.csv.",
        )
    ]


def neighbours_without_series(frames: Frames, settings: Settings, area_code: str) -> list[Kept]:
    """Statistical neighbours with no comparator series at all: kept in the neighbour list,
    counted here and listed as missing by the measures (never silently dropped)."""
    comparators = frames.get("comparators")
    if comparators is None:
        return []
    present = set(comparators["area_code"])
    labels = _comparator_codes(frames, settings, area_code)
    missing = sorted(code for code in _neighbour_codes(frames, area_code) if code not in present)
    if not missing:
        return []
    return [
        {
            "input": "neighbours",
            "category": "kept",
            "reason": REASON_NEIGHBOUR_WITHOUT_SERIES,
            "rows": len(missing),
            "detail": "; ".join(labels.get(code, code) for code in missing),
        }
    ]


def comparators_complete(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """Every comparator area has every measure for every month of the window."""
    comparators = frames.get("comparators")
    if comparators is None:
        return []
    months = r.window_months(settings)
    areas = sorted(comparators["area_code"].unique())
    measures = sorted(comparators["measure"].unique())
    grid = pd.MultiIndex.from_product([areas, measures, months], names=["a", "m", "month"])
    have = pd.MultiIndex.from_frame(
        comparators[["area_code", "measure", "month"]].set_axis(["a", "m", "month"], axis=1)
    )
    missing = grid.difference(have).to_frame(index=False).sort_values(["a", "m", "month"])
    if missing.empty:
        return []
    values = [f"{a} {m} {month}" for a, m, month in missing.itertuples(index=False)]
    series = missing.groupby(["a", "m"], sort=True)["month"].agg(["size", "min"])
    summaries = [
        f"{a} {m}: {n} month{'s' if n > 1 else ''} missing, first {first}"
        for (a, m), (n, first) in series.iterrows()
    ]
    shown = "; ".join(summaries[:5]) + (
        f"; and {len(summaries) - 5} more" if len(summaries) > 5 else ""
    )
    return [
        Problem(
            input="comparators",
            file=_file("comparators"),
            column="month",
            rule="every comparator area has every month of the window",
            lines=[None] * len(values),
            values=values,
            detail=f"{len(summaries)} series incomplete: {shown}",
            fix=f"Every area must have a count (0 if none) for every measure and every month from "
            f"{months[0]} to {months[-1]}.",
        )
    ]


def _population_years(population: pd.DataFrame) -> dict[str, set[int]]:
    """Mid-years supplied for each area code."""
    years: dict[str, set[int]] = {}
    for code, year in zip(population["area_code"], population["year"].astype(int), strict=True):
        years.setdefault(str(code), set()).add(int(year))
    return years


def comparators_have_population(
    frames: Frames, settings: Settings, area_code: str
) -> list[Problem]:
    """Every comparator area has a mid-year population for every financial year of the window
    (a year after the newest estimate supplied uses that estimate, kept and counted: mid-year
    estimates are published a year or more late)."""
    comparators, population = frames.get("comparators"), frames.get("population_la")
    if comparators is None or population is None:
        return []
    supplied = _population_years(population)
    missing = []
    for code in sorted(comparators["area_code"].unique()):
        have = supplied.get(code, set())
        newest = max(have, default=None)
        lacking = [
            y for y in settings.window.years if y not in have and (newest is None or y < newest)
        ]
        if lacking:
            missing.append(f"{code} (no population for {', '.join(map(str, lacking))})")
    if not missing:
        return []
    return [
        Problem(
            input="population_la",
            file=_file("population_la"),
            column="area_code",
            rule="every comparator area has a population for every year of the window",
            lines=[None] * len(missing),
            values=missing,
            fix="Add the mid-year estimates of these areas (a financial year April Y to March Y+1 "
            "uses mid-Y; only years after the newest estimate supplied may use an earlier one).",
        )
    ]


def populations_carried_forward(frames: Frames, settings: Settings, area_code: str) -> list[Kept]:
    """Financial years after a comparator area's newest mid-year estimate: the newest earlier
    estimate is used (kept and counted, by the estimate used)."""
    comparators, population = frames.get("comparators"), frames.get("population_la")
    if comparators is None or population is None:
        return []
    supplied = _population_years(population)
    by_estimate: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for code in sorted(comparators["area_code"].unique()):
        have = supplied.get(code, set())
        if not have:
            continue
        newest = max(have)
        later = tuple(y for y in settings.window.years if y > newest)
        if later:
            by_estimate.setdefault((newest, later), []).append(code)
    return [
        {
            "input": "population_la",
            "category": "kept",
            "reason": REASON_LATEST_EARLIER_POPULATION,
            "rows": len(codes) * len(later),
            "detail": f"mid-{newest} used for {', '.join(map(str, later))} by {len(codes)} "
            f"area{'s' if len(codes) > 1 else ''}: {', '.join(codes)}",
        }
        for (newest, later), codes in sorted(by_estimate.items())
    ]


def ethnicity_covers_area(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """The Census ethnic population has rows for the area."""
    population = frames.get("population_ethnicity")
    if population is None or (population["area_code"] == area_code).any():
        return []
    return [
        Problem(
            input="population_ethnicity",
            file=_file("population_ethnicity"),
            column="area_code",
            rule="the area has a population by ethnic group",
            lines=[None],
            values=[area_code],
            detail=f"no row has area_code '{area_code}'",
            fix="Add the Census 2021 population of the area by ethnic group, age and sex.",
        )
    ]


def codes_have_names(frames: Frames, settings: Settings, area_code: str) -> list[Problem]:
    """Every area code used by any input has a name in areas.csv."""
    areas = frames.get("areas")
    if areas is None:
        return []
    used = {area_code}
    used.add(settings.region.code)
    sources = {
        "comparators": ["area_code"],
        "neighbours": ["area_code", "neighbour_code"],
        "population_la": ["area_code"],
        "population_ethnicity": ["area_code"],
    }
    for kind, columns in sources.items():
        if kind in frames:
            for column in columns:
                used.update(frames[kind][column].unique())
    missing = sorted(used - set(areas["area_code"]))
    if not missing:
        return []
    return [
        Problem(
            input="areas",
            file=_file("areas"),
            column="area_code",
            rule="every area code used has a name",
            lines=[None] * len(missing),
            values=missing,
            fix="Add a row with the name of each of these codes to areas.csv.",
        )
    ]


#: Every cross-input rule, in the order problems are reported.
CROSS_INPUT_CHECKS: tuple[CrossCheck, ...] = (
    lsoas_in_area,
    lsoas_have_population,
    lsoas_have_deprivation,
    lsoas_have_boundaries,
    lsoas_have_counts,
    area_has_neighbours,
    comparators_cover_areas,
    comparators_complete,
    comparators_have_population,
    ethnicity_covers_area,
    codes_have_names,
)

#: Every kept-and-counted note across inputs, in the order they are listed.
CROSS_INPUT_NOTES: tuple[CrossNote, ...] = (
    neighbours_without_series,
    populations_carried_forward,
)


def kept_path_for(failures_path: Path) -> Path:
    """Where the kept-and-counted table goes: beside the failures CSV, 'failures' -> 'kept'
    (``cross-inputs.failures.csv`` -> ``cross-inputs.kept.csv``)."""
    name = failures_path.name
    if "failures" in name:
        return failures_path.with_name(name.replace("failures", "kept"))
    return failures_path.with_name(f"{failures_path.stem}.kept.csv")


def kept_notes(frames: Frames, settings: Settings, area_code: str) -> pd.DataFrame:
    """What the cross-input checks keep and count, as a table (header only when nothing)."""
    notes = [note for rule in CROSS_INPUT_NOTES for note in rule(frames, settings, area_code)]
    table = pd.DataFrame(notes, columns=KEPT_COLUMNS)
    return table.astype({"rows": "int64"})


def check_cross_inputs(
    frames: dict[str, pd.DataFrame],
    *,
    settings: dict,
    area_code: str,
    failures_path: Path | None = None,
) -> pd.DataFrame:
    """Check that one area's validated inputs fit together; raise ValidationStop if not.

    ``frames`` maps input kinds (as in ``validate_input``) to their validated frames; rules
    whose inputs are absent are skipped. On failure the full list goes to ``failures_path``
    (default ``data/processed/validation/cross_inputs.<area_code>.failures.csv``). Returns what
    was kept and counted (:func:`kept_notes`); with ``failures_path`` it is also written beside
    it (:func:`kept_path_for`).
    """
    problems = [p for check in CROSS_INPUT_CHECKS for p in check(frames, settings, area_code)]
    if not problems:
        kept = kept_notes(frames, settings, area_code)
        if failures_path is not None:
            write_failures([], Path(failures_path))
            kept.to_csv(kept_path_for(Path(failures_path)), index=False, lineterminator="\n")
        return kept
    target = (
        Path(failures_path)
        if failures_path is not None
        else (DEFAULT_FAILURES_DIR / f"cross_inputs.{area_code}.failures.csv")
    )
    write_failures(problems, target)
    raise ValidationStop(problems, target)
