"""Rule render_reports: the resident and technical reports as HTML and tagged PDF."""

from pathlib import Path

from pipeline.families.catalogue import edition_family_names
from pipeline.runtime import logged_step
from pipeline.settings import Settings
from pipeline.steps import render_reports_step

sm = snakemake  # noqa: F821 - set by Snakemake
FAMILY_NAMES = edition_family_names(Settings.of(sm.params.settings))
inputs = dict(sm.input.items())
with logged_step(sm.log[0], f"render_reports {sm.wildcards.area}"):
    render_reports_step(
        reports=dict(sm.output.items()),
        tables={family: inputs[family] for family in FAMILY_NAMES},
        findings={family: inputs[f"{family}_findings"] for family in FAMILY_NAMES},
        chart_dir=sm.input.charts,
        narrative=sm.input.narrative,
        provenance=sm.input.provenance,
        reconciliation=list(sm.input.reconciliation),
        template_dir=str(Path(sm.input.templates[0]).parent),
        settings=sm.params.settings,
        area=sm.params.area,
        adapter_exclusions=inputs.get("adapter_exclusions"),
    )
