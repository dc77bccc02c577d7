# Optional stage 0: generate synthetic inputs with the demo generator, for configurations that
# name a `demo_generator` (the London-wide demo). The single-area demo's inputs are committed.

if "demo_generator" in config:

    rule generate_demo_data:
        output:
            raw=get_generated_raw_files(),
        log:
            f"logs/generate_demo_data/{DATASET}.log",
        threads: 1
        resources:
            mem_mb=3000,
            runtime=10,
        params:
            generator=config["demo_generator"],
        script:
            "../scripts/generate_demo_data.py"
