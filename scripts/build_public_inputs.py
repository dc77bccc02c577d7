"""Rule build_public_inputs: the data contracts built from the official public files."""

from pipeline.public.build import write_public_inputs
from pipeline.runtime import logged_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "build_public_inputs") as log:
    written = write_public_inputs(sm.params.settings, ".")
    log.info("wrote %d files", len(written))
