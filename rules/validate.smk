# Stage 1: check raw inputs against their checksum manifest, then validate each against its
# pandera contract: the shared inputs once, then each area's inputs and how they fit the shared
# ones. A Stop problem ends the run here, before anything is computed. Validation jobs declare
# their memory from the size of the files they read (calibrated in bench/results.md).

from pipeline.validate.memory import mem_mb_of_inputs


rule check_raw_inputs:
    input:
        files=get_raw_folder_files,
    output:
        checked=LAYOUT.raw_check_file("{folder}"),
    log:
        f"logs/check_raw_inputs/{DATASET}/{{folder}}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        contents=raw_contents,
    script:
        "../scripts/check_raw_inputs.py"


rule validate_shared_inputs:
    input:
        **shared_raw_files(),
        checked=LAYOUT.raw_check_file("shared"),
    output:
        **validated_files("shared", SHARED_KINDS),
        **reconciliation_files("shared", SHARED_KINDS),
        read=inputs_read_file("shared"),
    log:
        f"logs/validate_shared_inputs/{DATASET}.log",
    threads: 1
    resources:
        mem_mb=mem_mb_of_inputs,
        runtime=10,
    params:
        settings=stage_settings(config, "validation"),
        kinds=SHARED_KINDS,
        contents=raw_contents,
    script:
        "../scripts/validate_shared_inputs.py"


# One job per area (not per input): each job is a Python process, and starting one costs about
# as much as validating a borough's extract.
rule validate_area_inputs:
    input:
        unpack(get_area_validation_inputs),
    output:
        **validated_files("{area}", AREA_KINDS + OPTIONAL_AREA_KINDS),
        **reconciliation_files("{area}", AREA_KINDS + OPTIONAL_AREA_KINDS),
        kept=LAYOUT.cross_inputs_file("{area}"),
        read=inputs_read_file("{area}"),
    log:
        f"logs/validate_area_inputs/{DATASET}/{{area}}.log",
    threads: 1
    resources:
        mem_mb=mem_mb_of_inputs,
        runtime=10,
    params:
        settings=stage_settings(config, "validation"),
        area=get_area,
        kinds=AREA_KINDS,
        optional_kinds=OPTIONAL_AREA_KINDS,
        shared_kinds=SHARED_KINDS,
        contents=raw_contents,
    script:
        "../scripts/validate_area_inputs.py"
