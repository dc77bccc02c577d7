"""Rules validate_shared_input / validate_area_input: one raw input against its contract."""

from pipeline.runtime import logged_step
from pipeline.steps import validate_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], f"validate {sm.wildcards.kind}"):
    validate_step(
        sm.wildcards.kind,
        sm.input.raw,
        validated=sm.output.validated,
        reconciliation=sm.output.reconciliation,
        failures=sm.params.failures,
        settings=sm.params.settings,
        lsoas=dict(sm.input.items()).get("lsoas"),
    )
