"""SNA measures: each module turns validated inputs into a tidy measure table.

Every table has the columns in :data:`pipeline.measures.common.MEASURE_COLUMNS` so that the
reports, the tests and auditors read the same numbers.
"""
