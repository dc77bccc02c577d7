"""SNA measure families, one folder each (``pipeline/families/<family>/``).

A family turns validated inputs into a tidy measure table (the columns in
:data:`pipeline.families.common.MEASURE_COLUMNS`), states its findings and carries its method
text; :mod:`pipeline.families.registry` lists the families in report order. See
``docs/architecture.md``.
"""
