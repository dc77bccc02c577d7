"""Rule render_html: one audience's report as a self-contained, accessible HTML page."""

from pathlib import Path

from pipeline.runtime import logged_step
from pipeline.steps import FAMILY_MODULES, render_html_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], f"render_html {sm.wildcards.audience}"):
    inputs = dict(sm.input.items())
    render_html_step(
        audience=sm.wildcards.audience,
        tables={family: inputs[family] for family in FAMILY_MODULES},
        findings={family: inputs[f"{family}_findings"] for family in FAMILY_MODULES},
        chart_dir=sm.input.charts,
        narrative=sm.input.narrative,
        provenance=sm.input.provenance,
        reconciliation=list(sm.input.reconciliation),
        template_dir=str(Path(sm.input.templates[0]).parent),
        html=sm.output.html,
        settings=sm.params.settings,
        area=sm.params.area,
        adapter_exclusions=inputs.get("adapter_exclusions"),
    )
