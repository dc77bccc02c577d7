"""The template context of each report, built from the measure tables, findings, charts,
reconciliation tables, data dictionary, provenance and the council's narrative.

Resident context: every table comes from the disclosure-controlled chart tables (the same
ones published as CSV), and every sentence is a finding's resident wording or the council's
narrative. Technical context: every measure with its interval and method, definitions,
sources, data quality, the data dictionary, caveats and the provenance colophon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from pipeline.charts.build import protect_for_report
from pipeline.charts.cells import not_available
from pipeline.charts.store import RenderedChart, read_charts
from pipeline.disclosure import MARKER, DisclosurePolicy, Margin, protect
from pipeline.disclosure.tables import numerator_counts_people
from pipeline.editions import ReportVariant, published_csv_path, variant_for
from pipeline.families.disproportionality.measures import CAVEATS
from pipeline.families.registry import FAMILIES, FAMILY_NAMES
from pipeline.findings import Finding
from pipeline.render.model import (
    Cell,
    Column,
    Figure,
    Row,
    Section,
    Table,
    contents_of,
    fmt_count,
    fmt_interval,
    fmt_number,
    is_missing,
    markdown_to_html,
)
from pipeline.render.pdf import publication_date

#: Finding topics in report order, with the resident heading of each.
RESIDENT_TOPICS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("how-much", "How much, and is it rising?", ("prevalence", "trend")),
    ("who", "Who is affected?", ("who",)),
    ("where", "Where does it happen?", ("where",)),
    ("when", "When does it happen?", ("when",)),
    ("deprivation", "Does it happen more in poorer areas?", ("deprivation",)),
)
#: Which charts each resident topic shows.
TOPIC_CHARTS: dict[str, tuple[str, ...]] = {
    "how-much": ("trend",),
    "who": ("who",),
    "where": ("where-map", "wards", "lsoas"),
    "when": ("when",),
    "deprivation": ("deprivation",),
}
DOMAINS: tuple[str, ...] = ("Strengthen", "Support", "Treat", "Curtail")
#: What each resident topic's chart shows, for the sentence that stands in its place when
#: the measures behind it are not available (an SNA from public data alone).
TOPIC_CHART_SUBJECTS: dict[str, str] = {
    "who": "A chart of victims by ethnic group and age against the people who live here",
    "when": "A chart of incidents by day of the week and time of day",
}


def not_available_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that say a measure family is not available (no victim extract)."""
    return [f for f in findings if f.id.endswith("_not_available") and f.status == "Not available"]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def family_methods() -> dict[str, str]:
    """Each measure family's method text, by family name."""
    return {family.name: family.method for family in FAMILIES}


def disproportionality_caveats() -> list[str]:
    """The standard caveats printed beside every ethnicity comparison."""
    return list(CAVEATS)


def as_findings(items: Sequence[Finding | Mapping[str, Any]]) -> list[Finding]:
    """Findings from dataclasses or their JSON form."""
    out = []
    for item in items:
        if isinstance(item, Finding):
            out.append(item)
        elif is_dataclass(item):
            out.append(Finding(**asdict(item)))  # type: ignore[arg-type]
        else:
            out.append(
                Finding(
                    **{
                        k: item[k]
                        for k in ("id", "topic", "resident", "technical", "status", "measure_ids")
                        if k in item
                    }
                )
            )
    return out


def _long_date(day: Any) -> str:
    return f"{day.day} {day:%B %Y}"


# --------------------------------------------------------------------------------------------
# Tables from charts
# --------------------------------------------------------------------------------------------

_NUMERIC_KINDS = ("count", "rate", "share", "ratio", "number", "population")


def _display(value: str, kind: str) -> tuple[str, bool]:
    """A CSV value as printed: thousands separators, the CSV's own decimals kept; '[c]'
    flagged as suppressed; '' as a dash."""
    text = str(value).strip()
    if text == MARKER:
        return MARKER, True
    if text == "":
        return "–", False
    if kind not in ("count", "population", "number", "rate", "share", "ratio"):
        return text, False
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text, False
    if math.isinf(number):
        return "no limit", False
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{number:,.{decimals}f}", False


def chart_table(chart: RenderedChart, variant: ReportVariant, caption: str | None = None) -> Table:
    """The data table printed under a chart (the CSV's exact values, with its download)."""
    columns = list(chart.table.columns)
    heads = tuple(Column(c, chart.kinds.get(c, "text")) for c in columns)
    rows = []
    for record in chart.table.itertuples(index=False):
        values = list(record)
        head_text, _ = _display(values[0], chart.kinds.get(columns[0], "text"))
        cells = []
        for column, value in zip(columns[1:], values[1:], strict=True):
            kind = chart.kinds.get(column, "text")
            text, hidden = _display(value, kind)
            cells.append(
                Cell(
                    text,
                    kind
                    if kind in _NUMERIC_KINDS or kind == "interval"
                    else ("code" if kind == "code" else "text"),
                    hidden,
                )
            )
        rows.append(Row(Cell(head_text), tuple(cells), total=str(values[0]).startswith("All ")))
    notes = list(chart.notes) if chart.svg is None else []
    return Table(
        id=f"{chart.name}-data",
        caption=caption
        or (chart.caption if chart.svg is None else f"Data for the chart: {chart.title}"),
        columns=heads,
        rows=tuple(rows),
        notes=tuple(notes),
        csv_href=published_csv_path(variant, chart.name),
        csv_label="Download this table as a spreadsheet file (CSV): "
        + chart.name.replace("-", " "),
        compact=len(columns) > 7 or len(rows) > 40,
    )


def chart_figure(chart: RenderedChart, variant: ReportVariant) -> Figure:
    if chart.svg is None:
        raise ValueError(f"chart {chart.name} has no SVG; use chart_table")
    return Figure(
        id=f"{chart.name}-chart",
        title=chart.title,
        alt=chart.alt,
        svg=Markup(chart.svg),
        table=chart_table(chart, variant),
        caption=chart.caption,
        notes=tuple(n for n in (chart.caption, *chart.notes) if n),
    )


def _chart_parts(
    charts: Mapping[str, RenderedChart], names: Sequence[str], variant: ReportVariant
) -> tuple[tuple[Figure, ...], tuple[Table, ...]]:
    figures, tables = [], []
    for name in names:
        chart = charts.get(name)
        if chart is None:
            continue
        if chart.svg is None:
            tables.append(chart_table(chart, variant, caption=f"{chart.title}. {chart.caption}"))
        else:
            figures.append(chart_figure(chart, variant))
    return tuple(figures), tuple(tables)


# --------------------------------------------------------------------------------------------
# Common
# --------------------------------------------------------------------------------------------


def _common(
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    narrative: Mapping[str, Any],
    variant: ReportVariant,
) -> dict[str, Any]:
    day = publication_date(config)
    resident_threshold = int(config["disclosure"]["resident_threshold"])
    technical_threshold = int(config["disclosure"]["technical_threshold"])
    return {
        "audience": variant.report,
        "variant": variant.name,
        "area_name": str(area["name"]),
        "edition": str(config["edition"]),
        "author": str(narrative.get("council_name") or area["name"]),
        "publication_date": day.isoformat(),
        "publication_date_text": _long_date(day),
        "synthetic": bool(config.get("synthetic_data", False)),
        # Everything in the internal edition carries the mark on every page, whatever the
        # thresholds: its measure tables are never suppressed.
        "internal": variant.internal,
        "resident_threshold": resident_threshold,
        "technical_threshold": technical_threshold,
        "page_class": variant.report,
    }


def _findings_by_topic(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    by_topic: dict[str, list[Finding]] = {}
    for finding in findings:
        by_topic.setdefault(finding.topic, []).append(finding)
    return by_topic


# --------------------------------------------------------------------------------------------
# Resident report
# --------------------------------------------------------------------------------------------


def _first_sentences(text: str, count: int = 2) -> str:
    parts = [p.strip() for p in text.replace("\n", " ").split(". ") if p.strip()]
    picked = ". ".join(parts[:count])
    return picked if picked.endswith(".") else picked + "."


def _resident_context(
    *,
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    narrative: Mapping[str, Any],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
) -> dict[str, Any]:
    common = _common(config, area, narrative, variant_for("resident"))
    by_topic = _findings_by_topic(findings)
    name = str(area["name"])
    summary = []
    for topic in ("prevalence", "trend", "who", "where", "when", "deprivation"):
        items = by_topic.get(topic, [])
        if items:
            summary.append(_first_sentences(items[0].resident, 2))
    sections = [
        Section(id="summary", heading="Summary", bullets=tuple(summary), css_class="summary-box")
    ]
    found = []
    for section_id, heading, topics in RESIDENT_TOPICS:
        topic_findings = [f for t in topics for f in by_topic.get(t, [])]
        body = tuple(f.resident for f in topic_findings)
        figures, tables = _chart_parts(charts, TOPIC_CHARTS[section_id], variant_for("resident"))
        after: tuple[str, ...] = ()
        unavailable = not_available_findings(topic_findings)
        if unavailable and not figures and not tables:
            # In the chart's place, say why there is none (never an empty section).
            subject = TOPIC_CHART_SUBJECTS.get(section_id, "This chart")
            body += (
                f"{subject} is not available from public data: it needs police records "
                "about each victim.",
            )
        elif section_id == "who":
            after = (
                "These numbers do not tell us why some groups are hurt more than others. They do "
                "not show that anyone's ethnic group causes violence. Many things play a part, "
                "such as where people live and how much money families have.",
            )
        found.append(
            Section(
                id=section_id,
                heading=heading,
                level=3,
                body=body,
                figures=figures,
                tables=tables,
                after=after,
            )
        )
    sections.append(
        Section(
            id="what-we-found",
            heading="What we found",
            body=(
                f"This part shows what the numbers say about serious violence against young "
                f"people in {name}.",
            ),
            subsections=tuple(found),
        )
    )
    sections.append(_domains_section(narrative, by_topic.get("monitoring", [])))
    help_items = tuple(f"{h['name']}: {h['detail']}" for h in narrative.get("help", []))
    sections.append(
        Section(
            id="help",
            heading="Where to get help",
            bullets=help_items,
            body=("If you or someone you know is affected by violence, help is available.",),
        )
    )
    sections.append(_about_section(config))
    edition = str(config["edition"])
    context = {
        **common,
        "title": f"Serious violence in {name}: what the data tells us ({edition})",
        "description": "A summary for residents of the serious violence needs assessment "
        f"for {name}, {edition}.",
        "service_name": f"Serious violence needs assessment {edition}",
        "heading": f"Serious violence in {name}: what the data tells us",
        "lead": str(narrative.get("introduction", "")).strip(),
        "meta_line": f"{edition} (April {edition[:4]} to March 20{edition[-2:]}). "
        f"Published {common['publication_date_text']}.",
        "sections": sections,
        "contents": contents_of(sections),
    }
    return context


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _domains_section(narrative: Mapping[str, Any], monitoring: Sequence[Finding]) -> Section:
    """The four domains of the strategy with the council's words and their measures."""
    domains = {d["name"]: d for d in narrative.get("domains", [])}
    missing = [d for d in DOMAINS if d not in domains]
    if missing:
        raise ValueError(f"narrative: the strategy domains {missing} have no text (key 'domains')")
    subsections = []
    for name in DOMAINS:
        domain = domains[name]
        measures = tuple(
            _capitalise(f.resident.split(": ", 1)[1])
            if f.resident.startswith(f"{name}: ")
            else f.resident
            for f in monitoring
            if f.resident.startswith(f"{name}:")
        )
        subsections.append(
            Section(
                id=f"domain-{name.lower()}",
                heading=f"{name}: {domain['aim']}",
                level=3,
                body=("What you can expect:",),
                bullets=tuple(domain.get("actions", [])),
                after=(("How we will know if it is working: " + " ".join(measures)),)
                if measures
                else (),
                css_class="domain",
            )
        )
    actions = [
        f.resident for f in monitoring if not any(f.resident.startswith(f"{d}:") for d in DOMAINS)
    ]
    partnership = narrative.get("partnership_name", "the partnership")
    return Section(
        id="what-we-will-do",
        heading="What we will do",
        body=(
            f"Our plan has four parts. This is what {partnership} will do in each part.",
            *actions,
        ),
        subsections=tuple(subsections),
    )


def _about_section(config: Mapping[str, Any]) -> Section:
    threshold = int(config["disclosure"]["resident_threshold"])
    body: list[str] = [
        "The numbers come from crimes the police recorded, the number of people who live in "
        "the area (Office for National Statistics), and how deprived each neighbourhood is "
        "(Index of Multiple Deprivation).",
        f"To protect people's privacy, we never show a number from 1 to {threshold}. We also hide "
        "any number that would let someone work one out. A hidden number is shown as [c].",
        "A technical report gives every figure with its margin of error, the methods and the "
        "data checks.",
    ]
    if config.get("synthetic_data"):
        body.insert(
            0,
            "This edition uses made-up (synthetic) data to show how the report "
            "works. The figures do not describe real people or places.",
        )
    body.append(
        "Every table in this report can be downloaded as a spreadsheet file (CSV) "
        "from the link under it."
    )
    return Section(id="about-the-data", heading="About the data", body=tuple(body))


# --------------------------------------------------------------------------------------------
# Technical report
# --------------------------------------------------------------------------------------------


def _num(value: Any, decimals: int = 1) -> str:
    return fmt_number(value, decimals)


def _decimals_for(unit: str) -> int:
    unit = unit.lower()
    if "proportion" in unit or "share" in unit:
        return 3
    if "ratio" in unit or "z-score" in unit or "chi-square" in unit or "gini" in unit:
        return 2
    return 1


def measure_rows_table(
    frame: pd.DataFrame,
    table_id: str,
    caption: str,
    extra: Sequence[tuple[str, str]] = (),
) -> Table:
    """A measure table as printed in the technical report: measure, period, group,
    numerator, denominator, value, interval, unit and method (suppressed values '[c]')."""
    columns = [
        Column("Measure"),
        Column("Period"),
        Column("Group"),
        Column("Numerator", "count"),
        Column("Denominator", "number"),
        Column("Value", "number"),
        Column("95% interval", "interval"),
        Column("Unit and method"),
    ]
    columns += [Column(label, "text") for _, label in extra]
    rows = []
    for r in frame.to_dict("records"):
        num_hidden = bool(r.get("numerator_suppressed", False))
        den_hidden = bool(r.get("denominator_suppressed", False))
        hidden = num_hidden or den_hidden
        decimals = _decimals_for(str(r.get("unit", "")))
        value = MARKER if hidden else _num(r.get("value"), decimals)
        interval = MARKER if hidden else fmt_interval(r.get("lower"), r.get("upper"), decimals)
        cells = [
            Cell(str(r["period"])),
            Cell(str(r["group"])),
            Cell(
                MARKER if num_hidden else fmt_count(r.get("numerator")),
                # A rank (e.g. the placebo test's) is not a count of anyone.
                "count" if numerator_counts_people(r["measure_id"]) else "number",
                num_hidden,
            ),
            Cell(MARKER if den_hidden else fmt_count(r.get("denominator")), "number", den_hidden),
            Cell(value, "number", hidden),
            Cell(interval, "interval", hidden),
            Cell(
                "; ".join(
                    str(r.get(k)).strip() for k in ("unit", "method") if not is_missing(r.get(k))
                )
            ),
        ]
        for key, _ in extra:
            cells.append(Cell("" if is_missing(r.get(key)) else str(r.get(key))))
        rows.append(Row(Cell(str(r["measure_id"]), "code"), tuple(cells)))
    return Table(
        id=table_id, caption=caption, columns=tuple(columns), rows=tuple(rows), compact=True
    )


def _select(frame: pd.DataFrame, exclude: Sequence[str]) -> pd.DataFrame:
    ids = frame["measure_id"].astype(str)
    mask = pd.Series(True, index=frame.index)
    for name in exclude:
        mask &= ~((ids == name) | ids.str.endswith("_" + name))
    return frame.loc[mask]


#: Rows shown in their chart tables rather than again in the family's measure table.
SHOWN_IN_CHARTS: dict[str, tuple[str, ...]] = {
    "disproportionality": ("victim_share", "population_share", "share_ratio", "rate_ratio"),
    "hotspots": ("lsoa_rate", "gi_star", "ward_rate"),
    "timing": ("hour_weekday",),
    "deprivation": ("imd_decile_rate",),
}
FAMILY_HEADINGS: dict[str, str] = {
    "key_metric": "Key metric and benchmark",
    "trend": "Trend against similar boroughs",
    "disproportionality": "Who is affected: disproportionality",
    "hotspots": "Where: hot spots and concentration",
    "timing": "When: time of day, school days and after school",
    "deprivation": "Deprivation",
    "monitoring": "Strategy monitoring",
}
FAMILY_TOPICS: dict[str, tuple[str, ...]] = {
    "key_metric": ("prevalence",),
    "trend": ("trend",),
    "disproportionality": ("who",),
    "hotspots": ("where",),
    "timing": ("when",),
    "deprivation": ("deprivation",),
    "monitoring": ("monitoring",),
}
FAMILY_CHARTS: dict[str, tuple[str, ...]] = {
    "key_metric": ("trend",),
    "disproportionality": ("who",),
    "hotspots": ("where-map", "wards", "lsoas"),
    "timing": ("when",),
    "deprivation": ("deprivation",),
}


def finding_text(finding: Finding, variant: ReportVariant) -> str:
    """A finding as the technical report prints it. The technical wording quotes counts as
    computed (e.g. "1/213"), so a technical report published to the public uses the resident
    wording, which is written to quote nothing the resident threshold hides."""
    return finding.technical if variant.internal else finding.resident


def _family_section(
    family: str,
    table: pd.DataFrame,
    methods: Mapping[str, str],
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    caveats: Sequence[str],
    policy: DisclosurePolicy,
    variant: ReportVariant,
) -> Section:
    figures, chart_tables = _chart_parts(charts, FAMILY_CHARTS.get(family, ()), variant)
    body: list[str | Markup] = [finding_text(f, variant) for f in findings]
    unavailable = not_available(table)
    if unavailable and FAMILY_CHARTS.get(family) and not figures and not chart_tables:
        body.append(
            "No chart: these measures are not available from public data (they need "
            "record-level victim data), so none is drawn or estimated."
        )
    rest = _select(table, SHOWN_IN_CHARTS.get(family, ()))
    tables = list(chart_tables)
    if family == "monitoring":
        tables += _monitoring_tables(table, policy)
    elif len(rest):
        tables.append(
            measure_rows_table(
                rest,
                f"{family}-measures",
                f"{FAMILY_HEADINGS[family]}: every measure with its interval and method",
            )
        )
    after: list[str | Markup] = []
    if methods.get(family):
        after.append(Markup("<h3>Method</h3>") + markdown_to_html(methods[family]))
    if family == "disproportionality" and caveats and not unavailable:
        after.append(
            Markup('<div class="caveat"><h3>Caveats for ethnicity comparisons</h3>')
            + markdown_to_html("\n\n".join(f"- {c}" for c in caveats))
            + Markup("</div>")
        )
    return Section(
        id=f"measures-{family.replace('_', '-')}",
        heading=FAMILY_HEADINGS[family],
        level=2,
        body=tuple(body),
        figures=figures,
        tables=tuple(tables),
        after=tuple(after),
    )


def _text(value: Any) -> str:
    """A table cell's text: '' for a missing value (never 'nan')."""
    return "" if is_missing(value) else str(value)


def _baseline_hidden(record: Mapping[str, Any], policy: DisclosurePolicy) -> bool:
    """A monitoring indicator's baseline is a value derived from its own count: hidden with
    it when that count is small."""
    count = record.get("baseline_numerator")
    return policy.active and not is_missing(count) and policy.is_primary(float(count))


def _monitoring_tables(table: pd.DataFrame, policy: DisclosurePolicy) -> list[Table]:
    indicators = table.loc[table["measure_id"].astype(str).str.startswith("monitoring_")]
    out = []
    if len(indicators):
        rows = []
        for r in indicators.to_dict("records"):
            hidden = bool(r.get("numerator_suppressed", False))
            baseline_hidden = _baseline_hidden(r, policy)
            decimals = _decimals_for(str(r.get("unit", "")))
            rows.append(
                Row(
                    Cell(str(r["group"])),
                    (
                        Cell(str(r.get("indicator", r.get("definition", "")))),
                        Cell(str(r.get("baseline_period", ""))),
                        Cell(
                            MARKER if baseline_hidden else _num(r.get("baseline_value"), decimals),
                            "number",
                            baseline_hidden,
                        ),
                        Cell(str(r.get("latest_period", ""))),
                        Cell(
                            MARKER if hidden else _num(r.get("value"), decimals), "number", hidden
                        ),
                        Cell(
                            MARKER
                            if hidden
                            else fmt_interval(r.get("lower"), r.get("upper"), decimals),
                            "interval",
                            hidden,
                        ),
                        Cell(
                            MARKER
                            if hidden or baseline_hidden
                            else ""
                            if is_missing(r.get("change_ratio"))
                            else f"{_num(r.get('change_ratio'), 2)} "
                            f"({fmt_interval(r.get('change_lower'), r.get('change_upper'), 2)})",
                            "interval",
                            hidden or baseline_hidden,
                        ),
                        Cell(str(r.get("status", "")) if not is_missing(r.get("status")) else ""),
                    ),
                )
            )
        out.append(
            Table(
                id="monitoring-indicators",
                caption="Outcome indicators by strategy domain: baseline and latest",
                columns=(
                    Column("Domain"),
                    Column("Indicator"),
                    Column("Baseline period"),
                    Column("Baseline", "number"),
                    Column("Latest period"),
                    Column("Latest", "number"),
                    Column("95% interval", "interval"),
                    Column("Change ratio (95% interval)", "interval"),
                    Column("Status"),
                ),
                rows=tuple(rows),
                compact=True,
            )
        )
    actions = table.loc[
        table["measure_id"].astype(str).isin(["actions_by_status", "actions_overdue"])
    ]
    if len(actions):
        rows = [
            Row(
                Cell(str(r["group"])),
                (
                    Cell(str(r["measure_id"]).replace("_", " ")),
                    Cell(fmt_count(r.get("numerator")), "number"),
                ),
            )
            for r in actions.to_dict("records")
        ]
        out.append(
            Table(
                id="monitoring-actions",
                caption="Action tracker: actions by domain and status",
                columns=(
                    Column("Domain and status"),
                    Column("Measure"),
                    Column("Actions", "number"),
                ),
                rows=tuple(rows),
                compact=True,
            )
        )
    overdue = table.loc[table["measure_id"].astype(str) == "action_overdue"]
    if len(overdue):
        rows = [
            Row(
                Cell(_text(r.get("group"))),
                (
                    Cell(_text(r.get("action"))),
                    Cell(_text(r.get("owner"))),
                    Cell(_text(r.get("due_date"))),
                    # The action's own status (``status`` is the indicators' column).
                    Cell(_text(r.get("action_status", r.get("status")))),
                ),
            )
            for r in overdue.to_dict("records")
        ]
        out.append(
            Table(
                id="monitoring-overdue",
                caption="Actions past their due date and not complete",
                columns=(
                    Column("Domain"),
                    Column("Action"),
                    Column("Owner"),
                    Column("Due"),
                    Column("Status"),
                ),
                rows=tuple(rows),
                compact=True,
            )
        )
    return out


def _definitions_section(config: Mapping[str, Any]) -> Section:
    definitions = config["definitions"]
    rows = []
    for key in ("key_metric", "under_18_metric", "serious_violence_u25"):
        d = definitions.get(key)
        if not d:
            continue
        rows.append(
            Row(
                Cell(str(d["id"]), "code"),
                (
                    Cell(str(d["label"])),
                    Cell(", ".join(d["offence_groups"])),
                    Cell(", ".join(d["weapons"])),
                    Cell("any" if d.get("injury") is None else ("yes" if d["injury"] else "no")),
                    Cell(
                        "any"
                        if d.get("domestic_abuse") is None
                        else ("included only" if d["domestic_abuse"] else "excluded")
                    ),
                    Cell(f"{d['age_from']} to {d['age_to']}"),
                ),
            )
        )
    table = Table(
        id="definitions-table",
        caption=f"Offence definitions, version {definitions['version']}",
        columns=(
            Column("Id"),
            Column("Label"),
            Column("Offence groups"),
            Column("Weapons"),
            Column("Injury"),
            Column("Domestic abuse"),
            Column("Victim ages"),
        ),
        rows=tuple(rows),
        compact=True,
    )
    groups = "; ".join(
        f"{g['label']} ({g['age_from']} to {g['age_to']})" for g in definitions["age_groups"]
    )
    window = definitions["after_school_window"]
    body = (
        f"Definitions version {definitions['version']}. Age groups: {groups}. School age: "
        f"{definitions['school_age']['age_from']} to {definitions['school_age']['age_to']}. "
        f"After-school window: {window['start_hour']:02d}:00 to {window['end_hour']:02d}:00. "
        "Near a school: within "
        f"{definitions['school_distance_m']} metres.",
        f"Statistics: confidence {config['statistics']['confidence']:.0%} "
        "(99.8% also for benchmarks); "
        f"rates per {int(config['statistics']['rate_per']):,}; Gi* with "
        f"{config['statistics']['hotspot_permutations']} permutations and false discovery rate "
        f"{config['statistics']['hotspot_fdr']}; random seed "
        f"{config['statistics']['random_seed']}.",
    )
    return Section(
        id="definitions", heading="Definitions and their versions", body=body, tables=(table,)
    )


def _fy(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _sources_section(
    provenance: Mapping[str, Any], config: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]
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
        caption="Input files of this edition (sha256 of each file)",
        columns=(Column("File"), Column("Bytes", "number"), Column("sha256")),
        rows=tuple(rows),
        compact=True,
    )
    window = config["window"]
    vintages = [
        f"Reporting window: financial years {_fy(window['first_financial_year'])} to "
        f"{_fy(window['last_financial_year'])}; edition {config['edition']}.",
        f"Statistical neighbours: {config.get('neighbours_source', 'not stated')}. "
        "Region comparator: "
        f"{config['region']['name']} ({config['region']['code']}).",
        f"Victim ethnicity scheme: {config.get('ethnicity_scheme', 'census2021')}.",
    ]
    dep = tables.get("deprivation")
    if dep is not None and "iod_edition" in dep.columns and dep["iod_edition"].notna().any():
        vintages.append(
            f"Deprivation: {sorted(dep['iod_edition'].dropna().astype(str).unique())[0]} "
            "(Indices of Deprivation, MHCLG), national deciles of the LSOA."
        )
    km = tables.get("key_metric")
    if km is not None and "population_year" in km.columns:
        years = sorted(
            {int(y) for y in pd.to_numeric(km["population_year"], errors="coerce").dropna()}
        )
        if years:
            vintages.append(
                f"Population: ONS mid-year estimates for mid-{years[0]} to mid-{years[-1]}."
            )
    disp = tables.get("disproportionality")
    if disp is not None and "population_year" in disp.columns:
        years = sorted(
            {int(y) for y in pd.to_numeric(disp["population_year"], errors="coerce").dropna()}
        )
        if years:
            vintages.append(f"Population by ethnic group: Census {years[0]}.")
    return Section(
        id="sources", heading="Data sources and vintages", bullets=tuple(vintages), tables=(table,)
    )


#: Inputs whose rows are people (victim records): in a public report their row counts are
#: disclosure-controlled like any other count of people. Other inputs' rows (schools, LSOAs,
#: actions, comparator months) are shown as they are.
PERSON_LEVEL_INPUTS: frozenset[str] = frozenset({"victims"})


def _hidden_row_counts(rows: pd.DataFrame, policy: DisclosurePolicy) -> set[Any]:
    """Which rows of one input's reconciliation (by index, plus "excluded" for the excluded
    total in the caption) a public report hides: small counts, and enough others that
    rows read = rows used + rows excluded cannot give them back."""
    counts: dict[Any, float] = {i: float(n) for i, n in rows["rows"].items()}
    excluded = [i for i in rows.index if rows.at[i, "category"] == "excluded"]
    counts["excluded"] = float(sum(counts[i] for i in excluded))
    margins = [Margin("excluded rows", "excluded", tuple(excluded))] if excluded else []
    read, used = _only_row(rows, "read"), _only_row(rows, "used")
    if read is not None and used is not None:
        if counts[read] == counts[used] + counts["excluded"]:
            margins.append(Margin("rows read", read, (used, "excluded")))
    return set(protect(counts, margins, policy).suppressed)


def _only_row(rows: pd.DataFrame, category: str) -> Any:
    """The index of the one row of ``category`` (None if there is not exactly one)."""
    matches = rows.index[rows["category"] == category]
    return matches[0] if len(matches) == 1 else None


def _reconciliation_table(name: str, rows: pd.DataFrame, policy: DisclosurePolicy) -> Table:
    rows = rows.reset_index(drop=True)
    hidden = (
        _hidden_row_counts(rows, policy) if policy.active and name in PERSON_LEVEL_INPUTS else set()
    )

    def shown(key: Any, value: Any) -> str:
        return MARKER if key in hidden else fmt_count(value)

    # Rows of victim records count people; rows of other inputs (schools, LSOAs) do not.
    kind = "count" if name in PERSON_LEVEL_INPUTS else "number"

    read = rows.loc[rows["category"] == "read", "rows"].sum()
    used = rows.loc[rows["category"] == "used", "rows"].sum()
    excluded = rows.loc[rows["category"] == "excluded", "rows"].sum()
    balanced = int(read) == int(used) + int(excluded)
    table_rows = tuple(
        Row(
            Cell(str(r["category"])),
            (Cell(str(r["reason"])), Cell(shown(i, r["rows"]), kind, i in hidden)),
        )
        for i, r in zip(rows.index, rows.to_dict("records"), strict=True)
    )
    return Table(
        id=f"reconciliation-{name}",
        caption=f"{name}: {shown(_only_row(rows, 'read'), read)} rows read = "
        f"{shown(_only_row(rows, 'used'), used)} used + {shown('excluded', excluded)} excluded "
        f"({'balances' if balanced else 'DOES NOT BALANCE'})",
        columns=(Column("Category"), Column("Reason"), Column("Rows", kind)),
        rows=table_rows,
        compact=True,
    )


def _quality_section(reconciliation: pd.DataFrame | None, policy: DisclosurePolicy) -> Section:
    body = [
        "Every input's rows are accounted for: rows read = rows used + rows excluded, by "
        "reason. Rows kept with a missing value are counted too."
    ]
    if policy.active:
        body.append(
            f"Row counts of victim records from 1 to {policy.threshold} are hidden ([c]), "
            "with enough others that none can be worked out."
        )
    tables = []
    if reconciliation is not None and len(reconciliation):
        tables = [
            _reconciliation_table(str(name), rows, policy)
            for name, rows in reconciliation.groupby("input", sort=True)
        ]
    return Section(
        id="data-quality",
        heading="Data quality and row reconciliation",
        body=tuple(body),
        tables=tuple(tables),
    )


def _disclosure_section(
    policy: DisclosurePolicy, audit: pd.DataFrame, config: Mapping[str, Any]
) -> Section:
    resident = int(config["disclosure"]["resident_threshold"])
    body = [
        f"Resident outputs never show a count from 1 to {resident}, or a number from which one "
        "could be worked out: further cells are hidden until no hidden count can be recovered "
        "from published totals (checked exactly, by linear programming, with every hidden count "
        "at least 1), and rates, shares and intervals built on a hidden count are hidden too. "
        "Hidden values are shown as [c].",
    ]
    if policy.active:
        primary = int((audit["rule"] == "primary").sum())
        secondary = int((audit["rule"] == "secondary").sum())
        body.append(
            f"This report uses a threshold of {policy.threshold}: {primary} counts were "
            f"hidden as small and {secondary} more to protect them."
        )
    else:
        body.append(
            "This technical report uses no threshold: it shows every count and is for "
            "internal circulation only."
        )
    return Section(id="disclosure-control", heading="Disclosure control", body=tuple(body))


def _dictionary_section(dictionary: pd.DataFrame | str | None) -> Section:
    if dictionary is None:
        return Section(
            id="data-dictionary",
            heading="Data dictionary",
            body=("The data dictionary was not supplied to this build.",),
        )
    if isinstance(dictionary, str):
        return Section(
            id="data-dictionary", heading="Data dictionary", body=(markdown_to_html(dictionary),)
        )
    tables = []
    for name, rows in dictionary.groupby("input", sort=False):
        entries = tuple(
            Row(
                Cell(str(r["column"]), "code"),
                (
                    Cell(str(r.get("type", ""))),
                    Cell(str(r.get("required", ""))),
                    Cell(
                        " ".join(
                            x
                            for x in (str(r.get("allowed_values", "")), str(r.get("rule", "")))
                            if x and x != "-"
                        )
                    ),
                    Cell(str(r.get("on_failure", ""))),
                ),
            )
            for r in rows.to_dict("records")
        )
        file = str(rows["file"].iloc[0]) if "file" in rows else str(name)
        tables.append(
            Table(
                id=f"dictionary-{name}",
                caption=f"{file}",
                columns=(
                    Column("Column"),
                    Column("Type"),
                    Column("Required"),
                    Column("Allowed values and rule"),
                    Column("If it fails"),
                ),
                rows=entries,
                compact=True,
            )
        )
    return Section(
        id="data-dictionary",
        heading="Data dictionary",
        body=("Generated from the pandera schemas that validate each input.",),
        tables=tuple(tables),
    )


GENERAL_CAVEATS: tuple[str, ...] = (
    "Police recorded crime depends on what is reported and how it is recorded; changes in "
    "recording practice can look like changes in crime.",
    "Small numbers give wide intervals. Overlapping intervals are not a test, and a "
    "statistically significant difference is not necessarily an important one.",
    "Rates are crude (not age-standardised) and use the population of the same ages.",
    "Locations may be approximate: police coordinates can be moved to nearby map points.",
)


def _caveats_section(caveats: Sequence[str]) -> Section:
    return Section(
        id="caveats",
        heading="Caveats",
        bullets=GENERAL_CAVEATS,
        subsections=(
            Section(
                id="caveats-ethnicity",
                heading="Ethnicity comparisons",
                level=3,
                bullets=tuple(caveats),
            ),
        )
        if caveats
        else (),
    )


def _provenance_section(provenance: Mapping[str, Any]) -> Section:
    commit = str(provenance.get("commit") or "unknown")
    dirty = provenance.get("dirty", provenance.get("uncommitted_changes"))
    config_sha = str(provenance.get("config_hash") or provenance.get("config_sha256") or "unknown")
    items = [
        ("Commit", commit + (" (with uncommitted changes)" if dirty else "")),
        ("Configuration sha256", config_sha),
    ]
    if provenance.get("lock_sha256"):
        items.append(("uv.lock sha256", str(provenance["lock_sha256"])))
    if provenance.get("python"):
        items.append(("Python", str(provenance["python"])))
    packages = provenance.get("packages", {})
    system = provenance.get("system", {})
    rows = tuple(Row(Cell(k), (Cell(v, "code"),)) for k, v in items)
    tables = [
        Table(
            id="colophon",
            caption="Code and configuration",
            columns=(Column("Item"), Column("Value")),
            rows=rows,
            compact=True,
        )
    ]
    if packages:
        tables.append(
            Table(
                id="colophon-packages",
                caption="Python packages",
                columns=(Column("Package"), Column("Version")),
                rows=tuple(
                    Row(Cell(str(k), "code"), (Cell(str(v)),)) for k, v in sorted(packages.items())
                ),
                compact=True,
            )
        )
    if system:
        tables.append(
            Table(
                id="colophon-system",
                caption="System libraries behind the PDF",
                columns=(Column("Library"), Column("Version")),
                rows=tuple(
                    Row(Cell(str(k), "code"), (Cell(str(v)),)) for k, v in sorted(system.items())
                ),
                compact=True,
            )
        )
    return Section(
        id="provenance",
        heading="Provenance colophon",
        body=(
            "Re-running this commit with this configuration and these inputs gives the "
            "same figures, byte for byte; the manifest of each edition (MANIFEST.json, "
            "and MANIFEST-internal.json for the internal edition) lists every file's hash.",
        ),
        tables=tuple(tables),
    )


def _technical_context(
    *,
    tables: Mapping[str, pd.DataFrame],
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    methods: Mapping[str, str],
    caveats: Sequence[str],
    reconciliation: pd.DataFrame | None,
    dictionary: pd.DataFrame | str | None,
    provenance: Mapping[str, Any],
    narrative: Mapping[str, Any],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    variant: ReportVariant,
) -> dict[str, Any]:
    common = _common(config, area, narrative, variant)
    protected = protect_for_report(tables, config, variant.report, variant.circulation)
    by_topic = _findings_by_topic(findings)
    summary = Section(
        id="summary",
        heading="Summary of findings",
        bullets=tuple(
            finding_text(f, variant)
            for t in ("prevalence", "trend", "who", "where", "when", "deprivation")
            for f in by_topic.get(t, [])[:1]
        ),
    )
    sections = [summary]
    for family in FAMILY_NAMES:
        table = protected.tables.get(family)
        if table is None:
            continue
        family_findings = [f for t in FAMILY_TOPICS[family] for f in by_topic.get(t, [])]
        sections.append(
            _family_section(
                family,
                table,
                methods,
                family_findings,
                charts,
                caveats if family == "disproportionality" else (),
                protected.policy,
                variant,
            )
        )
    sections += [
        _definitions_section(config),
        _sources_section(provenance, config, tables),
        _quality_section(reconciliation, protected.policy),
        _disclosure_section(protected.policy, protected.audit, config),
        _dictionary_section(dictionary),
        # No ethnicity comparison is made when who the victims are is not available.
        _caveats_section(() if not_available(tables.get("disproportionality")) else caveats),
        _provenance_section(provenance),
    ]
    name = str(area["name"])
    edition = str(config["edition"])
    commit = str(provenance.get("commit") or "unknown")
    config_sha = str(provenance.get("config_hash") or provenance.get("config_sha256") or "unknown")
    return {
        **common,
        "title": f"Serious violence strategic needs assessment {edition}: {name}, technical report",
        "description": "Technical report of the serious violence strategic needs assessment "
        f"for {name}, {edition}: measures, methods, data quality and provenance.",
        "service_name": f"Serious violence needs assessment {edition}: technical report",
        "heading": f"Serious violence strategic needs assessment {edition}: technical report",
        "lead": f"{name}. Every measure with its interval and method, the definitions, data "
        "sources, data quality checks, data dictionary, caveats and provenance.",
        "meta_line": f"Definitions version {config['definitions']['version']}. "
        f"Published {common['publication_date_text']}.",
        "sections": sections,
        "contents": contents_of(sections),
        "provenance_short": commit[:12],
        "config_hash_short": config_sha[:12],
    }


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def build_context(
    *,
    audience: str,
    circulation: str | None = None,
    tables: Mapping[str, pd.DataFrame],
    findings: Mapping[str, Sequence[Finding | Mapping[str, Any]]]
    | Sequence[Finding | Mapping[str, Any]],
    chart_dir: str | Path,
    narrative: Mapping[str, Any],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    provenance: Mapping[str, Any] | None = None,
    reconciliation: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
    dictionary: pd.DataFrame | str | None = None,
    methods: Mapping[str, str] | None = None,
    caveats: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The template context of one report: ``audience`` ("resident" or "technical") at
    ``circulation`` ("public" or "internal"; default: the resident report public, the
    technical report internal), which decides its disclosure threshold and internal mark.

    ``tables``: measure tables by family (``key_metric``, ``trend``, ``disproportionality``,
    ``hotspots``, ``timing``, ``deprivation``, ``monitoring``); ``findings``: by family or one
    list (dataclasses or their JSON form); ``chart_dir``: the charts step's output folder
    (``<chart_dir>/<variant>/charts.json``, see :mod:`pipeline.editions`); ``narrative``:
    the council's YAML; ``provenance``, ``reconciliation`` (columns input, category, reason,
    rows), ``dictionary`` (rows of :func:`pipeline.validate.dictionary.data_dictionary` or
    Markdown), ``methods`` (family -> METHOD; default: read from the family modules) and
    ``caveats`` (default: the disproportionality CAVEATS) are used by the technical report.
    """
    if audience not in ("resident", "technical"):
        raise ValueError(f"audience must be 'resident' or 'technical', got {audience!r}")
    variant = variant_for(audience, circulation)
    missing = [f for f in FAMILY_NAMES if f not in tables]
    if missing:
        raise ValueError(f"build_context: measure tables missing for families {missing}")
    if isinstance(findings, Mapping):
        items = [f for family in FAMILY_NAMES for f in findings.get(family, [])]
    else:
        items = list(findings)
    all_findings = as_findings(items)
    charts = {c.name: c for c in read_charts(chart_dir, variant.name)}
    if audience == "resident":
        context = _resident_context(
            findings=all_findings, charts=charts, narrative=narrative, config=config, area=area
        )
        return {**context, "keywords": provenance_keywords(provenance or {})}
    if isinstance(reconciliation, Sequence) and not isinstance(reconciliation, pd.DataFrame):
        reconciliation = (
            pd.concat(list(reconciliation), ignore_index=True) if reconciliation else None
        )
    context = _technical_context(
        tables=tables,
        findings=all_findings,
        charts=charts,
        methods=methods if methods is not None else family_methods(),
        caveats=caveats if caveats is not None else disproportionality_caveats(),
        reconciliation=reconciliation,
        dictionary=dictionary,
        provenance=provenance or {},
        narrative=narrative,
        config=config,
        area=area,
        variant=variant,
    )
    return {**context, "keywords": provenance_keywords(provenance or {})}


def provenance_keywords(provenance: Mapping[str, Any]) -> str:
    """The key parts of the edition's provenance, for the PDF's Keywords metadata, so a PDF
    found on its own still says which code and configuration made it."""
    commit = str(provenance.get("commit") or "unknown")
    dirty = provenance.get("uncommitted_changes", provenance.get("dirty"))
    config_sha = str(provenance.get("config_sha256") or provenance.get("config_hash") or "unknown")
    state = {True: "with uncommitted changes", False: "clean tree"}.get(dirty, "tree state unknown")
    return f"SNA; commit {commit} ({state}); config sha256 {config_sha}"
