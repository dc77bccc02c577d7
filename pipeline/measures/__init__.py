"""SNA measures: each module turns validated inputs into a tidy measure table.

Every table has the columns in :data:`pipeline.measures.common.MEASURE_COLUMNS` so that the
reports, the tests and auditors read the same numbers.
"""

#: Measure families in report order. Each is the module ``pipeline.measures.<family>`` with
#: ``compute`` (a tidy table), ``findings`` and ``METHOD``. Strategy monitoring comes last: it
#: reads the other families' tables.
FAMILIES: tuple[str, ...] = (
    "key_metric",
    "trend",
    "disproportionality",
    "hotspots",
    "timing",
    "deprivation",
    "monitoring",
)
MONITORING = "monitoring"
