"""Rule record_provenance: commit, configuration, input hashes and software versions."""

from pipeline.audit.provenance import build_provenance
from pipeline.runtime import logged_step, read_json, write_json

sm = snakemake  # noqa: F821 - set by Snakemake
with logged_step(sm.log[0], "record_provenance"):
    record = build_provenance(
        git_state=read_json(sm.input.git_state),
        config=sm.params.settings,
        inputs=[record for path in sm.input.read for record in read_json(path)],
        lock_path=sm.input.lock,
    )
    write_json(record, sm.output.provenance)
