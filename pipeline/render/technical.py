"""The technical report's context: every measure family's findings, charts, measure table
and method, then the reference sections (:mod:`pipeline.render.reference`). Fixed wording
is ``templates/wording.yaml`` (``technical``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from pipeline.charts.build import protect_for_report
from pipeline.charts.cells import not_available
from pipeline.charts.store import RenderedChart
from pipeline.disclosure import DisclosurePolicy
from pipeline.editions import ReportVariant, measure_table_path
from pipeline.families.base import ReportPlacement
from pipeline.families.common import describe_definitions
from pipeline.families.registry import FAMILIES
from pipeline.findings import Finding
from pipeline.render.chart_tables import chart_parts
from pipeline.render.indicators import summary_tables, without_machine_ids
from pipeline.render.inputs import (
    SUMMARY_TOPICS,
    ProvenanceIds,
    common_context,
    findings_by_topic,
)
from pipeline.render.measure_tables import monitoring_tables, rows_not_shown_in_charts
from pipeline.render.model import Cell, Column, Row, Section, Table, contents_of, markdown_to_html
from pipeline.render.reference import (
    caveats_section,
    definitions_section,
    dictionary_section,
    disclosure_section,
    provenance_section,
    quality_section,
    sources_section,
)
from pipeline.render.wide_tables import family_tables
from pipeline.render.wording import Wording
from pipeline.settings import Area, Settings


def finding_text(finding: Finding, variant: ReportVariant) -> str:
    """A finding as the technical report prints it. The technical wording quotes counts as
    computed (e.g. "1/213"), so a technical report published to the public uses the resident
    wording, which is written to quote nothing the resident threshold hides."""
    return without_machine_ids(finding.technical if variant.internal else finding.resident)


def _note_key(number: int) -> str:
    """'a', 'b', ... 'z', then 'aa', 'ab', ...: the key of the ``number``-th test (from 0)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return (_note_key(number // 26 - 1) if number >= 26 else "") + letters[number % 26]


def claims_table(
    family: str, heading: str, findings: Sequence[Finding], variant: ReportVariant, words: Wording
) -> Table | None:
    """Each resident sentence of a family, across the table, and under it each claim it makes
    with its evidence (the claims audit). The statistic column, which can carry counts, is
    internal only. A test is described once, in the table's notes, and each claim names it by
    its key: several claims share a test."""
    claims = words.part("claims")
    names = ["strength", "test"]
    if variant.internal:
        names.insert(1, "statistic")
    rows = []
    tests: dict[str, str] = {}
    for finding in findings:
        rows.append(Row(Cell(without_machine_ids(finding.resident)), (), group=True))
        for item in finding.evidence or [None]:
            test = without_machine_ids(item.test) if item and item.test else ""
            if test and test not in tests:
                tests[test] = _note_key(len(tests))
            cells = {
                "strength": item.strength if item else "descriptive",
                "statistic": item.statistic if item else "",
                "test": tests.get(test, ""),
            }
            rows.append(
                Row(
                    Cell(without_machine_ids(item.claim if item else claims("no_claim"))),
                    tuple(Cell(without_machine_ids(cells[name])) for name in names),
                )
            )
    if not rows:
        return None
    return Table(
        id=f"{family.replace('_', '-')}-claims",
        caption=claims("caption", heading=heading),
        columns=(Column(claims("columns.claim")),)
        + tuple(Column(claims(f"columns.{name}")) for name in names),
        rows=tuple(rows),
        notes=tuple(claims("test_note", letter=key, test=test) for test, key in tests.items()),
        compact=True,
    )


def _proxy_preface(table: pd.DataFrame, settings: Settings, words: Wording) -> str:
    """A paragraph before a family's method naming the configured public proxies its table is
    counted from: the method text describes the victim-based definitions of an SNA with a
    police extract (its victims, knife crime with injury), which the proxies stand in for; its
    ages and labels are the configured ones (:func:`describe_definitions`)."""
    used = (
        {str(d) for d in table["definition"].dropna()} if "definition" in table.columns else set()
    )
    proxies = [
        d
        for d in settings.definitions.metrics.values()
        if d.proxy and any(text.startswith(d.label) for text in used)
    ]
    if not proxies or not_available(table):
        return ""
    return (
        words(
            "proxy_method",
            proxies="; ".join(d.label for d in proxies),
            ages=" and ".join(
                dict.fromkeys(
                    words("proxy_all_ages")
                    if d.age_from == 0 and d.age_to >= 90
                    else words("proxy_ages", age_from=d.age_from, age_to=d.age_to)
                    for d in proxies
                )
            ),
        )
        + "\n\n"
    )


def _csv_link(family: str, variant: ReportVariant, words: Wording) -> str | Markup:
    """The link to the family's full measure table (the internal edition publishes it beside
    the report); a report for the public tree, which holds no measure table, says where it is."""
    if not variant.internal:
        return words("csv_public")
    label = escape(words("csv_link", family=family.replace("_", " ")))
    return Markup(f'<a href="{escape(measure_table_path(family))}" download>{label}</a>')


def _family_section(
    family: str,
    placement: ReportPlacement,
    table: pd.DataFrame,
    methods: Mapping[str, str],
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    caveats: Sequence[str],
    policy: DisclosurePolicy,
    variant: ReportVariant,
    words: Wording,
    settings: Settings,
) -> Section:
    technical = words.part("technical")
    heading = placement.title
    figures, chart_tables = chart_parts(
        charts, placement.charts, variant, words.part("charts"), placement.printed
    )
    body = [finding_text(f, variant) for f in findings]
    unavailable = not_available(table)
    if unavailable and placement.charts and not figures and not chart_tables:
        body.append(technical("no_chart"))
    rest = rows_not_shown_in_charts(table, placement.shown_in_charts)
    tables = list(chart_tables)
    if placement.layout == "indicators":
        tables += monitoring_tables(table, policy, technical.part("monitoring"))
    else:
        tables += family_tables(rest, family, heading, settings, technical)
    audit = claims_table(family, heading, findings, variant, technical)
    if audit is not None:
        tables.append(audit)
    method = (
        markdown_to_html(
            _proxy_preface(table, settings, technical)
            + without_machine_ids(describe_definitions(methods[family], settings))
        )
        if methods.get(family)
        else None
    )
    # No ethnicity comparison is made when who the victims are is not available.
    show_caveats = bool(caveats) and not unavailable
    caveats_html = (
        markdown_to_html("\n\n".join(f"- {c}" for c in caveats)) if show_caveats else None
    )
    return Section(
        id=f"measures-{family.replace('_', '-')}",
        heading=heading,
        level=2,
        body=tuple(body),
        figures=figures,
        tables=tuple(tables),
        after=(_csv_link(family, variant, technical.part("wide")),),
        method=method,
        caveats=caveats_html,
    )


def sections_of_topics(names: Collection[str]) -> dict[str, tuple[str, str]]:
    """Each finding topic's family section among the edition's families ``names``: (its id,
    its heading). A topic two families share (hot spots and wards: "where") links to the
    first in report order; a family the edition leaves out has no section to link to."""
    sections: dict[str, tuple[str, str]] = {}
    for entry in FAMILIES:
        if entry.name not in names:
            continue
        for topic in entry.report.topics:
            sections.setdefault(
                topic, (f"measures-{entry.name.replace('_', '-')}", entry.report.title)
            )
    return sections


def _summary_bullet(finding: Finding, section: tuple[str, str] | str, words: Wording) -> Markup:
    """A topic's headline as residents read it, linked to its section (where the figures, the
    tests and the method are); the technical wording is in the section, not repeated here."""
    text = escape(without_machine_ids(finding.resident))
    if not section:
        return Markup(text)
    target, heading = section
    link = escape(words("summary.see", heading=heading))
    return Markup(f'{text} <a href="#{escape(target)}">{link}</a>')


def technical_context(
    *,
    tables: Mapping[str, pd.DataFrame],
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    methods: Mapping[str, str],
    caveats: Mapping[str, Sequence[str]],
    reconciliation: pd.DataFrame | None,
    dictionary: pd.DataFrame | str | None,
    provenance: Mapping[str, Any],
    narrative: Mapping[str, Any],
    settings: Settings,
    area: Area,
    variant: ReportVariant,
    words: Wording,
) -> dict[str, Any]:
    common = common_context(settings, area, narrative, variant)
    technical = words.part("technical")
    protected = protect_for_report(tables, settings, variant.report, variant.circulation)
    by_topic = findings_by_topic(findings)
    summary = Section(
        id="summary",
        heading=technical("summary.heading"),
        body=(technical("summary.intro"),),
        bullets=tuple(
            _summary_bullet(f, sections_of_topics(tables).get(t, ""), technical)
            for t in SUMMARY_TOPICS
            for f in by_topic.get(t, [])[:1]
        ),
    )
    indicators = Section(
        id="indicators",
        heading=technical("indicators.heading"),
        body=(technical("indicators.intro"),),
        tables=tuple(summary_tables(protected.tables, settings, technical)),
    )
    sections = [indicators, summary]
    for entry in FAMILIES:
        family = entry.name
        table = protected.tables.get(family)
        if table is None:
            continue
        family_findings = [f for t in entry.report.topics for f in by_topic.get(t, [])]
        sections.append(
            _family_section(
                family,
                entry.report,
                table,
                methods,
                family_findings,
                charts,
                caveats.get(family, ()),
                protected.policy,
                variant,
                words,
                settings,
            )
        )
    sections += [
        definitions_section(settings, technical.part("definitions")),
        sources_section(provenance, settings, tables, technical.part("sources")),
        quality_section(reconciliation, protected.policy, technical.part("quality")),
        disclosure_section(
            protected.policy, protected.audit, settings, technical.part("disclosure")
        ),
        dictionary_section(dictionary, technical.part("dictionary")),
        # No ethnicity comparison is made when who the victims are is not available.
        caveats_section(
            [
                (f"measures-{entry.name.replace('_', '-')}", entry.report.title)
                for entry in FAMILIES
                if entry.name in tables
                and caveats.get(entry.name)
                and not not_available(tables.get(entry.name))
            ],
            technical.part("caveats"),
        ),
        provenance_section(provenance, technical.part("provenance")),
    ]
    name = area.name
    edition = settings.edition
    ids = ProvenanceIds.of(provenance)
    return {
        **common,
        "title": technical("title", edition=edition, area=name),
        "description": technical("description", edition=edition, area=name),
        "service_name": technical("service_name", edition=edition),
        "heading": technical("heading", edition=edition),
        "lead": technical("lead", area=name),
        "meta_line": technical(
            "meta_line",
            version=settings.definitions.version,
            published=common["publication_date_text"],
        ),
        "sections": sections,
        "contents": contents_of(sections),
        "provenance_short": ids.commit[:12],
        "config_hash_short": ids.config_sha256[:12],
    }
