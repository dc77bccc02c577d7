"""Rule compute_monitoring: strategy domains, outcome indicators and the action tracker."""

from pipeline.runtime import logged_step
from pipeline.steps import measure_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "measures monitoring"):
    measure_step(
        "monitoring",
        dict(sm.input.items()),
        table=sm.output.table,
        findings=sm.output.findings,
        settings=sm.params.settings,
        area_code=sm.params.area["code"],
    )
