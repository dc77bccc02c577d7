"""Rule draw_charts: every chart of both reports as SVG, with the table behind each as CSV."""

from pipeline.families.catalogue import edition_family_names
from pipeline.runtime import logged_step
from pipeline.settings import Settings
from pipeline.steps import charts_step

sm = snakemake  # noqa: F821 - set by Snakemake
FAMILY_NAMES = edition_family_names(Settings.of(sm.params.settings))
with logged_step(sm.log[0], "draw_charts"):
    inputs = dict(sm.input.items())
    tables = {family: inputs[family] for family in FAMILY_NAMES}
    charts_step(
        tables,
        sm.input.boundaries,
        out_dir=sm.output.charts,
        settings=sm.params.settings,
        area=sm.params.area,
    )
