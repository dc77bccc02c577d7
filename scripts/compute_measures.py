"""Rule compute_measure_family: one family of SNA measures for one area and edition."""

from pipeline.runtime import logged_step
from pipeline.steps import measure_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], f"measures {sm.wildcards.family}"):
    measure_step(
        sm.wildcards.family,
        dict(sm.input.items()),
        table=sm.output.table,
        findings=sm.output.findings,
        settings=sm.params.settings,
        area_code=sm.params.area["code"],
    )
