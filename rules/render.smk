# Stage 4: the resident-facing and technical reports, each as HTML and as tagged PDF (PDF/UA-1).
# Only this stage reads the narrative, so editing the narrative re-runs rendering alone.


rule record_provenance:
    input:
        read=get_inputs_read_of_area,
        git_state=LAYOUT.git_state,
        lock="uv.lock",
    output:
        provenance=PROVENANCE,
    log:
        "logs/record_provenance/{area}/{edition}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        settings=config,
    script:
        "../scripts/record_provenance.py"


rule render_reports:
    input:
        unpack(get_adapter_exclusions),
        **MEASURE_TABLES,
        **MEASURE_FINDINGS,
        charts=CHARTS,
        provenance=PROVENANCE,
        narrative=get_narrative,
        templates=TEMPLATE_FILES,
        reconciliation=get_reconciliation_files,
    output:
        **RENDERED_REPORTS,
    log:
        "logs/render_reports/{area}/{edition}.log",
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    params:
        settings=config,
        area=get_area,
    script:
        "../scripts/render_reports.py"
