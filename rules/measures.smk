# Stage 2: the SNA measures, one tidy table (and its findings in words) per family, all
# families of an area in one job; strategy monitoring last, from the other families' tables.


rule compute_measures:
    input:
        unpack(get_validated_inputs),
    output:
        **MEASURE_TABLES,
        **MEASURE_FINDINGS,
    log:
        "logs/compute_measures/{area}/{edition}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        settings=stage_settings(config, "measures"),
        area=get_area,
    script:
        "../scripts/compute_measures.py"
