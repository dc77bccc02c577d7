# Stage 5: publish an edition. Only this rule writes under reports/, and only after every
# earlier rule has succeeded, so a failed run leaves the last published edition untouched.


rule publish_edition:
    input:
        **RENDERED_REPORTS,
        **MEASURE_TABLES,
        charts=CHARTS,
        provenance="data/processed/provenance/{area}/{edition}.json",
        raw=get_raw_inputs_of_area,
        templates=TEMPLATE_FILES,
    output:
        resident_html=f"{PUBLISHED}/resident.html",
        resident_pdf=f"{PUBLISHED}/resident.pdf",
        technical_html=f"{PUBLISHED}/technical.html",
        technical_pdf=f"{PUBLISHED}/technical.pdf",
        index=f"{PUBLISHED}/index.html",
        data=directory(f"{PUBLISHED}/data"),
        bundle=f"{PUBLISHED}/{{area}}-{{edition}}-sna.zip",
        manifest=f"{PUBLISHED}/MANIFEST.json",
    log:
        "logs/publish_edition/{area}/{edition}.log",
    localrule: True
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        settings=config,
        area=get_area,
    script:
        "../scripts/publish_edition.py"
