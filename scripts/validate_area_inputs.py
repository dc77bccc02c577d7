"""Rule validate_area_inputs: one area's inputs against their contracts and the shared inputs."""

from pipeline.runtime import logged_step
from pipeline.steps import validate_area_step

sm = snakemake  # noqa: F821 - set by Snakemake
inputs, outputs, kinds = dict(sm.input.items()), dict(sm.output.items()), sm.params.kinds
every_kind = [*kinds, *sm.params.optional_kinds]
with logged_step(sm.log[0], f"validate_area_inputs {sm.wildcards.area}"):
    validate_area_step(
        {kind: inputs[f"raw_{kind}"] for kind in kinds},
        {kind: inputs[f"shared_{kind}"] for kind in sm.params.shared_kinds},
        validated={kind: outputs[kind] for kind in every_kind},
        reconciliation={kind: outputs[f"{kind}_reconciliation"] for kind in every_kind},
        kept=sm.output.kept,
        read=sm.output.read,
        settings=sm.params.settings,
        area_code=sm.params.area["code"],
        stop_search_files=list(inputs.get("stop_search_files", [])),
    )
