"""Rule check_area_inputs: checks across one area's validated inputs."""

from pipeline.runtime import logged_step
from pipeline.steps import check_area_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "check_area_inputs"):
    check_area_step(
        dict(sm.input.items()),
        sm.output.checked,
        sm.params.settings,
        sm.params.area["code"],
        sm.params.failures,
        sm.output.kept,
    )
