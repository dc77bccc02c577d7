# Stage 4: the resident-facing and technical reports, HTML first, then tagged PDF (PDF/UA-1).


rule record_provenance:
    input:
        raw=get_raw_inputs_of_area,
        git_state="data/processed/provenance/git-state.json",
        lock="uv.lock",
    output:
        provenance="data/processed/provenance/{area}/{edition}.json",
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


rule render_html:
    input:
        unpack(get_family_tables),
        unpack(get_family_findings),
        unpack(get_adapter_exclusions),
        monitoring=f"{MEASURES}/monitoring.csv",
        charts=CHARTS,
        provenance="data/processed/provenance/{area}/{edition}.json",
        narrative=get_narrative,
        templates=TEMPLATE_FILES,
        reconciliation=get_reconciliation_files,
    output:
        html=f"{RENDERED}/{{audience}}.html",
    log:
        "logs/render_html/{area}/{edition}/{audience}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=config,
        area=get_area,
    script:
        "../scripts/render_html.py"


rule render_pdf:
    input:
        html=f"{RENDERED}/{{audience}}.html",
    output:
        pdf=f"{RENDERED}/{{audience}}.pdf",
    log:
        "logs/render_pdf/{area}/{edition}/{audience}.log",
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        settings=config,
    script:
        "../scripts/render_pdf.py"
