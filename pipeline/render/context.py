"""The template context of each report, built from the measure tables, findings, charts,
reconciliation tables, data dictionary, provenance, the council's narrative and the fixed
wording of ``templates/wording.yaml``.

Resident context (:mod:`pipeline.render.resident`): every table comes from the
disclosure-controlled chart tables (the same ones published as CSV), and every sentence is a
finding's resident wording, the council's narrative or the fixed wording. Technical context
(:mod:`pipeline.render.technical`): every measure with its interval and method, definitions,
sources, data quality, the data dictionary, caveats and the provenance colophon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.charts.store import read_charts
from pipeline.editions import variant_for
from pipeline.families.catalogue import edition_family_names
from pipeline.findings import Finding
from pipeline.render.inputs import (
    as_findings,
    family_caveats,
    family_methods,
    provenance_keywords,
)
from pipeline.render.resident import resident_context
from pipeline.render.technical import technical_context
from pipeline.render.wording import Wording
from pipeline.settings import Area, Settings


def build_context(
    *,
    audience: str,
    circulation: str | None = None,
    tables: Mapping[str, pd.DataFrame],
    findings: Mapping[str, Sequence[Finding | Mapping[str, Any]]]
    | Sequence[Finding | Mapping[str, Any]],
    chart_dir: str | Path,
    template_dir: str | Path,
    narrative: Mapping[str, Any],
    settings: Settings,
    area: Area,
    provenance: Mapping[str, Any] | None = None,
    reconciliation: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
    dictionary: pd.DataFrame | str | None = None,
    methods: Mapping[str, str] | None = None,
    caveats: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The template context of one report: ``audience`` ("resident" or "technical") at
    ``circulation`` ("public" or "internal"; default: the resident report public, the
    technical report internal), which decides its disclosure threshold and internal mark.

    ``tables``: measure tables by family (``key_metric``, ``trend``, ``disproportionality``,
    ``hotspots``, ``timing``, ``deprivation``, ``monitoring``); ``findings``: by family or one
    list (dataclasses or their JSON form); ``chart_dir``: the charts step's output folder
    (``<chart_dir>/<variant>/charts.json``, see :mod:`pipeline.editions`); ``template_dir``:
    the templates folder, whose ``wording.yaml`` holds the fixed wording; ``narrative``:
    the council's YAML; ``provenance``, ``reconciliation`` (columns input, category, reason,
    rows), ``dictionary`` (rows of :func:`pipeline.validate.dictionary.data_dictionary` or
    Markdown), ``methods`` (family -> METHOD; default: read from the family modules) and
    ``caveats`` (family -> caveats; default: each family's own) are used by the technical report.
    """
    if audience not in ("resident", "technical"):
        raise ValueError(f"audience must be 'resident' or 'technical', got {audience!r}")
    variant = variant_for(audience, circulation)
    families = edition_family_names(settings)
    missing = [f for f in families if f not in tables]
    if missing:
        raise ValueError(f"build_context: measure tables missing for families {missing}")
    if isinstance(findings, Mapping):
        items = [f for family in families for f in findings.get(family, [])]
    else:
        items = list(findings)
    all_findings = as_findings(items)
    charts = {c.name: c for c in read_charts(chart_dir, variant.name)}
    words = Wording.read(template_dir)
    if audience == "resident":
        context = resident_context(
            findings=all_findings,
            charts=charts,
            narrative=narrative,
            settings=settings,
            area=area,
            words=words,
        )
        return {
            **context,
            "keywords": provenance_keywords(provenance or {}, words.part("keywords")),
        }
    if isinstance(reconciliation, Sequence) and not isinstance(reconciliation, pd.DataFrame):
        reconciliation = (
            pd.concat(list(reconciliation), ignore_index=True) if reconciliation else None
        )
    context = technical_context(
        tables=tables,
        findings=all_findings,
        charts=charts,
        methods=methods if methods is not None else family_methods(),
        caveats=caveats if caveats is not None else family_caveats(),
        reconciliation=reconciliation,
        dictionary=dictionary,
        provenance=provenance or {},
        narrative=narrative,
        settings=settings,
        area=area,
        variant=variant,
        words=words,
    )
    return {**context, "keywords": provenance_keywords(provenance or {}, words.part("keywords"))}
