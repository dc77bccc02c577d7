# Stage 2: the SNA measures, one tidy table (and its findings in words) per family.


rule compute_measure_family:
    input:
        unpack(get_family_inputs),
    output:
        table=f"{MEASURES}/{{family}}.csv",
        findings=f"{MEASURES}/{{family}}.findings.json",
    log:
        "logs/compute_measure_family/{area}/{edition}/{family}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        settings=config,
        area=get_area,
    script:
        "../scripts/compute_measures.py"


rule compute_monitoring:
    input:
        unpack(get_family_tables),
        unpack(get_action_tracker),
    output:
        table=f"{MEASURES}/monitoring.csv",
        findings=f"{MEASURES}/monitoring.findings.json",
    log:
        "logs/compute_monitoring/{area}/{edition}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        settings=config,
        area=get_area,
    script:
        "../scripts/compute_monitoring.py"
