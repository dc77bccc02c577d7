"""Rule validate_shared_inputs: every input shared by the areas, against its contract."""

from pipeline.runtime import logged_step
from pipeline.steps import validate_shared_step

sm = snakemake  # noqa: F821 - set by Snakemake
inputs, outputs = dict(sm.input.items()), dict(sm.output.items())
with logged_step(sm.log[0], "validate_shared_inputs"):
    validate_shared_step(
        {kind: inputs[f"raw_{kind}"] for kind in sm.params.kinds},
        validated={kind: outputs[kind] for kind in sm.params.kinds},
        reconciliation={kind: outputs[f"{kind}_reconciliation"] for kind in sm.params.kinds},
        read=sm.output.read,
        settings=sm.params.settings,
    )
