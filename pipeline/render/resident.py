"""The resident report's context: which findings, charts and narrative each section shows.
Every table comes from the disclosure-controlled chart tables (the same ones published as
CSV), and every sentence is a finding's resident wording, the council's narrative or the
fixed wording of ``templates/wording.yaml`` (``resident``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.charts.store import RenderedChart
from pipeline.editions import variant_for
from pipeline.findings import Finding, sentence_case
from pipeline.render.chart_tables import chart_parts
from pipeline.render.inputs import (
    SUMMARY_TOPICS,
    common_context,
    findings_by_topic,
    not_available_findings,
)
from pipeline.render.model import Section, contents_of
from pipeline.render.wording import Wording
from pipeline.settings import Area, Settings

#: The sections of "What we found", in report order: each one's finding topics and charts.
RESIDENT_TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("how-much", ("prevalence", "trend"), ("trend",)),
    ("who", ("who",), ("who",)),
    ("where", ("where",), ("where-map", "wards", "ward-crime", "lsoas")),
    ("when", ("when", "months"), ("when", "months")),
    ("deprivation", ("deprivation",), ("deprivation",)),
)
#: The four domains of the strategy, in the order the plan presents them.
DOMAINS: tuple[str, ...] = ("Strengthen", "Support", "Treat", "Curtail")


def _first_sentences(text: str, count: int = 2) -> str:
    parts = [p.strip() for p in text.replace("\n", " ").split(". ") if p.strip()]
    picked = ". ".join(parts[:count])
    return picked if picked.endswith(".") else picked + "."


def _topic_section(
    section_id: str,
    topic_findings: Sequence[Finding],
    chart_names: Sequence[str],
    charts: Mapping[str, RenderedChart],
    words: Wording,
) -> Section:
    body = tuple(f.resident for f in topic_findings)
    figures, tables = chart_parts(
        charts, chart_names, variant_for("resident"), words.part("charts")
    )
    after: tuple[str, ...] = ()
    resident = words.part("resident")
    # The section's own chart (its first) missing: a later one (the months chart under
    # "when") does not stand in for it.
    own_chart_missing = not chart_names or chart_names[0] not in charts
    if not_available_findings(topic_findings) and own_chart_missing:
        # In the chart's place, say why there is none (never an empty section).
        subjects = resident.part("chart_subjects")
        subject = subjects(section_id if section_id in subjects.entries else "other")
        body += (resident("chart_not_available", subject=subject),)
    elif section_id == "who":
        after = (resident("who_caution"),)
    return Section(
        id=section_id,
        heading=resident(f"topics.{section_id}"),
        level=3,
        body=body,
        figures=figures,
        tables=tables,
        after=after,
    )


def _domains_section(
    narrative: Mapping[str, Any], monitoring: Sequence[Finding], words: Wording
) -> Section:
    """The four domains of the strategy with the council's words and their measures;
    ``words``: the wording's ``resident.plan``."""
    domains = {d["name"]: d for d in narrative.get("domains", [])}
    missing = [d for d in DOMAINS if d not in domains]
    if missing:
        raise ValueError(f"narrative: the strategy domains {missing} have no text (key 'domains')")
    subsections = []
    for name in DOMAINS:
        domain = domains[name]
        measures = tuple(
            sentence_case(f.resident.split(": ", 1)[1])
            if f.resident.startswith(f"{name}: ")
            else f.resident
            for f in monitoring
            if f.resident.startswith(f"{name}:")
        )
        subsections.append(
            Section(
                id=f"domain-{name.lower()}",
                heading=words("domain_heading", domain=name, aim=domain["aim"]),
                level=3,
                body=(words("domain_intro"),),
                bullets=tuple(domain.get("actions", [])),
                after=(words("domain_measures", measures=" ".join(measures)),) if measures else (),
                css_class="domain",
            )
        )
    actions = [
        f.resident for f in monitoring if not any(f.resident.startswith(f"{d}:") for d in DOMAINS)
    ]
    partnership = narrative.get("partnership_name", words("default_partnership"))
    return Section(
        id="what-we-will-do",
        heading=words("heading"),
        body=(words("intro", partnership=partnership), *actions),
        subsections=tuple(subsections),
    )


def _about_section(settings: Settings, words: Wording) -> Section:
    """Where the numbers come from and how they are protected; ``words``: the wording's
    ``resident.about``."""
    body = [
        *((words("synthetic"),) if settings.synthetic_data else ()),
        words("sources"),
        words("privacy", threshold=settings.resident_threshold),
        words("technical_report"),
        words("downloads"),
    ]
    return Section(id="about-the-data", heading=words("heading"), body=tuple(body))


def resident_context(
    *,
    findings: Sequence[Finding],
    charts: Mapping[str, RenderedChart],
    narrative: Mapping[str, Any],
    settings: Settings,
    area: Area,
    words: Wording,
) -> dict[str, Any]:
    common = common_context(settings, area, narrative, variant_for("resident"))
    by_topic = findings_by_topic(findings)
    resident = words.part("resident")
    name = area.name
    summary = tuple(
        _first_sentences(by_topic[topic][0].resident, 2)
        for topic in SUMMARY_TOPICS
        if by_topic.get(topic)
    )
    found = tuple(
        _topic_section(
            section_id, [f for t in topics for f in by_topic.get(t, [])], names, charts, words
        )
        for section_id, topics, names in RESIDENT_TOPICS
    )
    help_items = tuple(
        resident("help.item", name=h["name"], detail=h["detail"]) for h in narrative.get("help", [])
    )
    sections = [
        Section(
            id="summary",
            heading=resident("summary.heading"),
            bullets=summary,
            css_class="summary-box",
        ),
        Section(
            id="what-we-found",
            heading=resident("what_we_found.heading"),
            body=(resident("what_we_found.intro", area=name),),
            subsections=found,
        ),
        _domains_section(narrative, by_topic.get("monitoring", []), resident.part("plan")),
        Section(
            id="help",
            heading=resident("help.heading"),
            bullets=help_items,
            body=(resident("help.intro"),),
        ),
        _about_section(settings, resident.part("about")),
    ]
    edition = settings.edition
    return {
        **common,
        "title": resident("title", area=name, edition=edition),
        "description": resident("description", area=name, edition=edition),
        "service_name": resident("service_name", edition=edition),
        "heading": resident("heading", area=name),
        "lead": str(narrative.get("introduction", "")).strip(),
        "meta_line": resident(
            "meta_line",
            edition=edition,
            first_year=edition[:4],
            last_year=f"20{edition[-2:]}",
            published=common["publication_date_text"],
        ),
        "sections": sections,
        "contents": contents_of(sections),
    }
