# Stage 1: check raw inputs against their checksum manifest, then validate each against its
# pandera contract. A Stop problem ends the run here, before anything is computed.


rule check_raw_inputs:
    input:
        files=get_raw_folder_files,
    output:
        checked=f"data/processed/raw-check/{DATASET}/{{folder}}.json",
    log:
        f"logs/check_raw_inputs/{DATASET}/{{folder}}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/check_raw_inputs.py"


rule validate_shared_input:
    input:
        raw=get_shared_raw,
        checked=f"data/processed/raw-check/{DATASET}/shared.json",
    output:
        validated=f"{VALIDATED}/shared/{{kind}}.parquet",
        reconciliation=f"{VALIDATION_REPORTS}/shared/{{kind}}.reconciliation.csv",
    log:
        f"logs/validate_shared_input/{DATASET}/{{kind}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=config,
        failures=f"{VALIDATION_REPORTS}/shared/{{kind}}.failures.csv",
    script:
        "../scripts/validate_input.py"


rule validate_area_input:
    input:
        unpack(get_area_validation_inputs),
    output:
        validated=f"{VALIDATED}/{{area}}/{{kind}}.parquet",
        reconciliation=f"{VALIDATION_REPORTS}/{{area}}/{{kind}}.reconciliation.csv",
    log:
        f"logs/validate_area_input/{DATASET}/{{area}}/{{kind}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=config,
        failures=f"{VALIDATION_REPORTS}/{{area}}/{{kind}}.failures.csv",
    script:
        "../scripts/validate_input.py"


rule check_area_inputs:
    input:
        unpack(get_validated_inputs),
    output:
        checked=f"{VALIDATED}/{{area}}/cross-checks.ok",
        kept=f"{VALIDATION_REPORTS}/{{area}}/cross-inputs.reconciliation.csv",
    log:
        f"logs/check_area_inputs/{DATASET}/{{area}}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=config,
        area=get_area,
        failures=f"{VALIDATION_REPORTS}/{{area}}/cross-inputs.failures.csv",
    script:
        "../scripts/check_area_inputs.py"
