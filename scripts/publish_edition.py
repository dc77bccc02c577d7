"""Rule publish_edition: reports, CSVs, index page, zip and MANIFEST.json under reports/."""

from pathlib import Path

from pipeline.measures import FAMILIES
from pipeline.runtime import logged_step
from pipeline.steps import publish_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "publish_edition"):
    inputs = dict(sm.input.items())
    publish_step(
        reports={
            name: inputs[name]
            for name in ("resident_html", "resident_pdf", "technical_html", "technical_pdf")
        },
        tables={family: inputs[family] for family in FAMILIES},
        chart_dir=sm.input.charts,
        provenance=sm.input.provenance,
        template_dir=str(Path(sm.input.templates[0]).parent),
        edition_dir=str(Path(sm.output.manifest).parent),
        settings=sm.params.settings,
        area=sm.params.area,
    )
