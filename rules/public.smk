# Optional stage 0: an SNA from public data alone. For configurations with `public_sources`
# (config/public.yaml), turn the official files (MPS, ONS, MHCLG, DfE) into the data contracts
# before validation. Measures that need record-level victim data are reported as not available.

if "public_sources" in config:

    rule build_public_inputs:
        input:
            sources=get_public_source_files(),
        output:
            raw=get_public_input_files(),
        log:
            f"logs/build_public_inputs/{DATASET}.log",
        threads: 1
        resources:
            mem_mb=4000,
            runtime=15,
        params:
            settings=config,
            # Rebuilt when an official file's bytes change, whatever its modification time.
            contents=public_source_contents,
        script:
            "../scripts/build_public_inputs.py"
