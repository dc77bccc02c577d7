"""Rule publish_edition: the public and internal trees under reports/, and the receipt."""

from pathlib import Path

from pipeline.editions import report_variants
from pipeline.families.catalogue import edition_family_names
from pipeline.runtime import logged_step
from pipeline.settings import Settings
from pipeline.steps import publish_step

sm = snakemake  # noqa: F821 - set by Snakemake
FAMILY_NAMES = edition_family_names(Settings.of(sm.params.settings))
with logged_step(sm.log[0], "publish_edition"):
    inputs = dict(sm.input.items())
    keys = [
        v.key(fmt)
        for v in report_variants(Settings.of(sm.params.settings))
        for fmt in ("html", "pdf")
    ]
    publish_step(
        reports={key: inputs[key] for key in keys},
        tables={family: inputs[family] for family in FAMILY_NAMES},
        chart_dir=sm.input.charts,
        provenance=sm.input.provenance,
        template_dir=str(Path(sm.input.templates[0]).parent),
        receipt=sm.output.receipt,
        settings=sm.params.settings,
        area=sm.params.area,
    )
