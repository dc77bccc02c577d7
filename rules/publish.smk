# Stage 5: publish an edition. Only this rule writes under reports/, and only after every
# earlier rule has succeeded. It builds the public tree (reports/<area>/<edition>/) and the
# internal tree (reports/internal/<area>/<edition>/) in hidden staging folders and puts each
# in place in one rename; its output is the receipt of what it published, never the published
# files (see pipeline/render/publish.py).


rule publish_edition:
    input:
        **RENDERED_REPORTS,
        **MEASURE_TABLES,
        charts=CHARTS,
        provenance=PROVENANCE,
        templates=TEMPLATE_FILES,
    output:
        receipt=RECEIPT,
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
