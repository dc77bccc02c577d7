"""The technical report's reference sections, after the measures: definitions, data sources,
data quality (row reconciliation, in :mod:`pipeline.render.reconciliation`), disclosure
control, data dictionary, caveats and the provenance colophon. Each takes its part of the
wording (``technical.<section>``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup

from pipeline.disclosure import DisclosurePolicy
from pipeline.formatting import financial_year_label, fmt_count, fmt_percent
from pipeline.render.inputs import ProvenanceIds
from pipeline.render.model import Cell, Row, Section, Table, markdown_to_html
from pipeline.render.reconciliation import NOT_IN_FILE, quality_section
from pipeline.render.wording import Wording
from pipeline.settings import Definition, Settings

__all__ = ["NOT_IN_FILE", "quality_section"]

DEFINITION_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, "text")
    for name in ("id", "label", "offence_groups", "weapons", "injury", "domestic_abuse", "ages")
)


def _definition_row(d: Definition, words: Wording) -> Row:
    injury = words("any") if d.injury is None else words("injury_yes" if d.injury else "injury_no")
    domestic_abuse = (
        words("any")
        if d.domestic_abuse is None
        else words("domestic_abuse_only" if d.domestic_abuse else "domestic_abuse_excluded")
    )
    return Row(
        Cell(d.id, "code"),
        (
            Cell(d.label),
            Cell(", ".join(d.offence_groups)),
            Cell(", ".join(d.weapons)),
            Cell(injury),
            Cell(domestic_abuse),
            Cell(
                words("all_ages")
                if d.age_from == 0 and d.age_to >= 90
                else words("ages", age_from=d.age_from, age_to=d.age_to)
            ),
        ),
    )


def _clock(hour: int) -> str:
    return f"{hour:02d}:00"


def definitions_section(settings: Settings, words: Wording) -> Section:
    definitions = settings.definitions
    metrics = tuple(definitions.metrics.values())
    rows = tuple(_definition_row(definition, words) for definition in metrics)
    # Public proxies count offences of any victim age, so their ages are not victims' ages.
    proxies = bool(metrics) and all(d.proxy for d in metrics)
    columns = tuple(
        (("proxy_ages", kind) if proxies and name == "ages" else (name, kind))
        for name, kind in DEFINITION_COLUMNS
    )
    table = Table(
        id="definitions-table",
        caption=words("caption", version=definitions.version),
        columns=words.columns("columns", columns),
        rows=rows,
        compact=True,
    )
    groups = "; ".join(
        words("age_group", label=g.label, age_from=g.age_from, age_to=g.age_to)
        for g in definitions.age_groups
    )
    window = definitions.after_school_window
    statistics = settings.statistics
    body = (
        words(
            "versions",
            version=definitions.version,
            age_groups=groups,
            school_from=definitions.school_age.age_from,
            school_to=definitions.school_age.age_to,
            window_start=_clock(window.start_hour),
            window_end=_clock(window.end_hour),
            school_distance=f"{definitions.school_distance_m:g}",
        )
        + (" " + words("versions_proxies") if proxies else ""),
        words(
            "statistics",
            confidence=fmt_percent(statistics.confidence),
            rate_per=fmt_count(statistics.rate_per),
            permutations=statistics.hotspot_permutations,
            fdr=f"{statistics.hotspot_fdr:g}",
            seed=statistics.random_seed,
        ),
    )
    return Section(id="definitions", heading=words("heading"), body=body, tables=(table,))


def _years_of(table: pd.DataFrame | None, column: str) -> list[int]:
    """The distinct years in ``column`` of a measure table, oldest first."""
    if table is None or column not in table.columns:
        return []
    return sorted({int(y) for y in pd.to_numeric(table[column], errors="coerce").dropna()})


def _residents_of(rows: pd.DataFrame) -> list[str]:
    """Who a rate's population is ('residents aged 1-24', 'residents of all ages'), from the
    ``unit`` of its rows ('per 100,000 residents aged 1-24'), in order of appearance."""
    found: list[str] = []
    for unit in rows.get("unit", pd.Series(dtype=str)).dropna().astype(str):
        match = re.search(r"\b(residents\b.*)$", unit)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def _year_ranges(periods: Sequence[str]) -> str:
    """Financial years as runs ('2021-22 to 2024-25', '2020-21'), joined with 'and'."""
    return " and ".join(p[0] if len(p) == 1 else f"{p[0]} to {p[-1]}" for p in _runs(list(periods)))


def _runs(periods: list[str]) -> list[list[str]]:
    """Consecutive financial-year labels grouped ('2021-22', '2022-23' are consecutive)."""
    runs: list[list[str]] = []
    for label in periods:
        if runs and int(label[:4]) == int(runs[-1][-1][:4]) + 1:
            runs[-1].append(label)
        else:
            runs.append([label])
    return runs


def population_vintages(
    tables: Mapping[str, pd.DataFrame], settings: Settings, words: Wording
) -> list[str]:
    """The mid-year estimates each financial year's rates used, and whose residents they count,
    from the measure tables' ``population_year`` and ``unit`` (not from the window: where a
    mid-year is not supplied, the latest earlier one is used, and the tables say which)."""
    lines = []
    key = tables.get("key_metric")
    window = [financial_year_label(year) for year in settings.years]
    if key is not None and "population_year" in key.columns:
        rates = key.loc[key["period"].isin(window) & key["population_year"].notna()]
        used = {
            period: sorted({int(y) for y in rows["population_year"]})
            for period, rows in rates.groupby("period", sort=True)
        }
        if used:
            residents = " and ".join(_residents_of(rates))
            if all(years == [int(p[:4])] for p, years in used.items()):
                lines.append(
                    words(
                        "population",
                        first=min(y for ys in used.values() for y in ys),
                        last=max(y for ys in used.values() for y in ys),
                        residents=residents,
                    )
                )
            else:
                by_year: dict[int, list[str]] = {}
                for period, years in used.items():
                    for year in years:
                        by_year.setdefault(year, []).append(period)
                lines.append(
                    words(
                        "population_fallback",
                        years="; ".join(
                            f"mid-{year} for {_year_ranges(periods)}"
                            for year, periods in sorted(by_year.items())
                        ),
                        residents=residents,
                    )
                )
    small = [t for name in ("hotspots", "deprivation") if (t := tables.get(name)) is not None]
    small_years = sorted({y for t in small for y in _years_of(t, "population_year")})
    if small_years:
        rates = pd.concat(small).loc[lambda t: t["unit"].astype(str).str.contains(" per ")]
        lines.append(
            words(
                "population_lsoa",
                years=" and ".join(f"mid-{y}" for y in small_years),
                residents=" and ".join(_residents_of(rates)),
            )
        )
    return lines


def sources_section(
    provenance: Mapping[str, Any],
    settings: Settings,
    tables: Mapping[str, pd.DataFrame],
    words: Wording,
) -> Section:
    inputs = provenance.get("inputs", [])
    rows = [
        Row(
            Cell(str(i["path"]), "code"),
            (Cell(fmt_count(i.get("size")), "number"), Cell(str(i.get("sha256", "")), "code")),
        )
        for i in inputs
    ]
    table = Table(
        id="sources-table",
        caption=words("caption"),
        columns=words.columns(
            "columns", (("file", "text"), ("bytes", "number"), ("sha256", "text"))
        ),
        rows=tuple(rows),
        compact=True,
    )
    window = settings.window
    vintages = [
        words(
            "window",
            first=financial_year_label(window.first),
            last=financial_year_label(window.last),
            edition=settings.edition,
        ),
        words(
            "neighbours",
            neighbours=settings.neighbours_source or words("neighbours_not_stated"),
            region=settings.region.name,
            region_code=settings.region.code,
        ),
        words("ethnicity_scheme", scheme=settings.ethnicity_scheme),
    ]
    dep = tables.get("deprivation")
    if dep is not None and "iod_edition" in dep.columns and dep["iod_edition"].notna().any():
        iod_edition = sorted(dep["iod_edition"].dropna().astype(str).unique())[0]
        vintages.append(words("deprivation", iod_edition=iod_edition))
    vintages += population_vintages(tables, settings, words)
    years = _years_of(tables.get("disproportionality"), "population_year")
    if years:
        vintages.append(words("population_by_ethnicity", year=years[0]))
    return Section(id="sources", heading=words("heading"), bullets=tuple(vintages), tables=(table,))


def disclosure_section(
    policy: DisclosurePolicy, audit: pd.DataFrame, settings: Settings, words: Wording
) -> Section:
    body = [words("rule", threshold=settings.resident_threshold)]
    if policy.active:
        body.append(
            words(
                "this_report",
                threshold=policy.threshold,
                primary=int((audit["rule"] == "primary").sum()),
                secondary=int((audit["rule"] == "secondary").sum()),
            )
        )
    else:
        body.append(words("no_threshold"))
    return Section(id="disclosure-control", heading=words("heading"), body=tuple(body))


#: The inputs whose every rule the report prints (the record-level extract); the others are
#: listed by column, their rules in docs/data-dictionary.md.
DICTIONARY_IN_FULL = ("victims",)
DICTIONARY_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, "text") for name in ("column", "type", "required", "rule")
)
CHECK_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, "text") for name in ("column", "check", "on_failure")
)


def _is_column_rule(record: Mapping[str, Any]) -> bool:
    """A column's own rule (its type and values), not a check across columns or rows."""
    return str(record.get("type", "-")) != "-"


def _dictionary_row(r: Mapping[str, Any]) -> Row:
    rule = " ".join(
        x for x in (str(r.get("allowed_values", "")), str(r.get("rule", ""))) if x and x != "-"
    )
    if not _is_column_rule(r):
        return Row(Cell(str(r["column"]), "code"), (Cell(rule), Cell(str(r.get("on_failure", "")))))
    return Row(
        Cell(str(r["column"]), "code"),
        (Cell(str(r.get("type", ""))), Cell(str(r.get("required", ""))), Cell(rule)),
    )


def _in_full(name: str, file: str, rows: pd.DataFrame, words: Wording) -> list[Table]:
    """An input's columns with their rules (a value that breaks one stops the build, which the
    note says once), then its checks across columns and rows with what each failure does."""
    records = rows.to_dict("records")
    columns = [r for r in records if _is_column_rule(r)]
    checks = [r for r in records if not _is_column_rule(r)]
    tables = [
        Table(
            id=f"dictionary-{name}",
            caption=words("columns_caption", file=file),
            columns=words.columns("columns", DICTIONARY_COLUMNS),
            rows=tuple(_dictionary_row(r) for r in columns),
            notes=(words("columns_note"),),
            compact=True,
        )
    ]
    if checks:
        tables.append(
            Table(
                id=f"dictionary-{name}-checks",
                caption=words("checks_caption", file=file),
                columns=words.columns("check_columns", CHECK_COLUMNS),
                rows=tuple(_dictionary_row(r) for r in checks),
                compact=True,
            )
        )
    return tables


def dictionary_section(dictionary: pd.DataFrame | str | None, words: Wording) -> Section:
    if dictionary is None:
        return Section(
            id="data-dictionary", heading=words("heading"), body=(words("not_supplied"),)
        )
    if isinstance(dictionary, str):
        return Section(
            id="data-dictionary", heading=words("heading"), body=(markdown_to_html(dictionary),)
        )
    tables = []
    others = []
    for name, rows in dictionary.groupby("input", sort=False):
        file = str(rows["file"].iloc[0]) if "file" in rows else str(name)
        if name in DICTIONARY_IN_FULL:
            tables += _in_full(str(name), file, rows, words)
            continue
        # Each column once (a check across columns or rows names its column again).
        named = [str(r["column"]) for r in rows.to_dict("records") if _is_column_rule(r)]
        others.append(Row(Cell(file), (Cell(", ".join(dict.fromkeys(named)), "code"),)))
    if others:
        tables.append(
            Table(
                id="dictionary-other-inputs",
                caption=words("others_caption"),
                columns=words.columns("others_columns", (("file", "text"), ("columns", "code"))),
                rows=tuple(others),
                compact=True,
            )
        )
    return Section(
        id="data-dictionary",
        heading=words("heading"),
        body=(words("intro"),),
        tables=tuple(tables),
    )


def caveats_section(printed_with: Sequence[tuple[str, str]], words: Wording) -> Section:
    """The general caveats; then, when a comparison by ethnicity is made, where its caveats
    are: printed with it, in each family section of ``printed_with`` (its id and heading)."""
    links = Markup(", ").join(
        Markup('<a href="#{}">{}</a>').format(target, heading) for target, heading in printed_with
    )
    return Section(
        id="caveats",
        heading=words("heading"),
        bullets=words.lines("general"),
        subsections=(
            Section(
                id="caveats-ethnicity",
                heading=words("ethnicity_heading"),
                level=3,
                body=(Markup("<p>{} {}.</p>").format(words("ethnicity_printed_with"), links),),
            ),
        )
        if printed_with
        else (),
    )


def _versions_table(
    table_id: str, versions: Mapping[str, Any], words: Wording, name: str, key: str
) -> Table:
    """Packages or libraries with their versions, by name."""
    return Table(
        id=table_id,
        caption=words(f"{key}_caption"),
        columns=words.columns(f"{key}_columns", ((name, "text"), ("version", "text"))),
        rows=tuple(Row(Cell(str(k), "code"), (Cell(str(v)),)) for k, v in sorted(versions.items())),
        compact=True,
    )


def provenance_section(provenance: Mapping[str, Any], words: Wording) -> Section:
    ids = ProvenanceIds.of(provenance)
    items = [
        (words("commit"), words("commit_value", commit=ids.commit, dirty=bool(ids.dirty))),
        (words("config"), ids.config_sha256),
    ]
    if provenance.get("lock_sha256"):
        items.append((words("lock"), str(provenance["lock_sha256"])))
    if provenance.get("python"):
        items.append((words("python"), str(provenance["python"])))
    tables = [
        Table(
            id="colophon",
            caption=words("code_caption"),
            columns=words.columns("code_columns", (("item", "text"), ("value", "text"))),
            rows=tuple(Row(Cell(k), (Cell(v, "code"),)) for k, v in items),
            compact=True,
        )
    ]
    packages = provenance.get("packages", {})
    if packages:
        tables.append(_versions_table("colophon-packages", packages, words, "package", "packages"))
    system = provenance.get("system", {})
    if system:
        tables.append(_versions_table("colophon-system", system, words, "library", "system"))
    return Section(
        id="provenance", heading=words("heading"), body=(words("intro"),), tables=tuple(tables)
    )
