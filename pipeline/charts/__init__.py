"""Charts for the SNA reports: Altair specs rendered offline to SVG with vl-convert.

Every chart is a :class:`~pipeline.charts.spec.ChartSpec`: an Altair chart, a title that
states its message, a text alternative carrying the key numbers, and the table behind it
(printed in the report and written as CSV). Each measure family draws its own charts
(``pipeline/families/<family>/charts.py``, reached through ``Family.charts``); this package
holds what they share:

* :mod:`~pipeline.charts.theme`: the Government Analysis Function palettes and Altair theme;
* :mod:`~pipeline.charts.style`: how the resident and technical reports differ;
* :mod:`~pipeline.charts.spec`: a chart, and what a family draws it from;
* :mod:`~pipeline.charts.cells`: table cells and measure rows shared by the families' charts;
* :mod:`~pipeline.charts.svg`: offline, deterministic, accessible SVG;
* :mod:`~pipeline.charts.store`: :func:`~pipeline.charts.store.write_charts` (every chart of
  one report variant, with a ``charts.json`` index in report order) and its reverse,
  :func:`~pipeline.charts.store.read_charts`;
* :mod:`~pipeline.charts.build`: :func:`~pipeline.charts.build.build_charts` (measure tables
  -> every chart of one report at one circulation, disclosure-controlled for it).
"""
