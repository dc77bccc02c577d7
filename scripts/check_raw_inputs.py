"""Rule check_raw_inputs: stop if a raw input differs from its checksum manifest."""

from pipeline.runtime import logged_step
from pipeline.steps import check_raw_inputs_step

with logged_step(snakemake.log[0], "check_raw_inputs"):  # noqa: F821 - set by Snakemake
    check_raw_inputs_step(list(snakemake.input.files), snakemake.output.checked)  # noqa: F821
