"""Rule generate_demo_data: synthetic inputs for a demonstration configuration."""

from pathlib import Path

from pipeline.demo import generate, write
from pipeline.runtime import logged_step

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "generate_demo_data") as log:
    settings = sm.params.generator
    written = write(generate(settings["seed"], settings["preset"]), Path(settings["out"]))
    log.info("wrote %d files to %s", len(written), settings["out"])
