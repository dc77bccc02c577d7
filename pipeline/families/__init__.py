"""SNA measure families, one folder each (``pipeline/families/<family>/``).

A family turns validated inputs into a tidy measure table (the columns in
:data:`pipeline.families.common.MEASURE_COLUMNS`), states its findings and carries its method
text; :mod:`pipeline.families.registry` lists the families in report order. See
``docs/architecture.md``.

A family's folder holds ``measures.py`` (``compute`` and ``METHOD``) and ``findings.py`` (its
sentences), and further modules where one would be too long. What several families use lives
beside them, never in another family: :mod:`.common` (definitions, incidents, the row/table
helpers), :mod:`.small_areas` (LSOA counts and populations), :mod:`.areas_and_periods`
(reporting periods, neighbours, comparator series) and :mod:`.rate_ratio`.
"""
