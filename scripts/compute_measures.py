"""Rule compute_measures: every SNA measure family for one area and edition."""

from pipeline.families.catalogue import edition_family_names
from pipeline.runtime import logged_step
from pipeline.settings import Settings
from pipeline.steps import measures_step

sm = snakemake  # noqa: F821 - set by Snakemake
FAMILY_NAMES = edition_family_names(Settings.of(sm.params.settings))
outputs = dict(sm.output.items())
with logged_step(sm.log[0], f"compute_measures {sm.wildcards.area}"):
    measures_step(
        dict(sm.input.items()),
        tables={family: outputs[family] for family in FAMILY_NAMES},
        findings={family: outputs[f"{family}_findings"] for family in FAMILY_NAMES},
        settings=sm.params.settings,
        area_code=sm.params.area["code"],
    )
