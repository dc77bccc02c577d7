# Stage 3: charts as offline SVG (vl-convert), each with the table behind it as CSV.


rule draw_charts:
    input:
        **MEASURE_TABLES,
        boundaries=LAYOUT.validated_file("{area}", "boundaries"),
    output:
        charts=directory(CHARTS),
    log:
        "logs/draw_charts/{area}/{edition}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        settings=stage_settings(config, "charts"),
        area=get_area,
    script:
        "../scripts/draw_charts.py"
