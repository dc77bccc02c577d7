"""Memory a validation job needs, from the size of the files it reads.

A job's peak resident memory grows with its inputs: MB of peak per MiB of input, plus a floor
for the interpreter and its libraries. The figures come from ``python -m bench.validate_memory
--calibrate`` (recorded in ``bench/results.md``), with headroom added:

* victim extract (``victims.csv``): the area's job peaks at 1,478 MB for 2,000,000 rows
  (249 MiB), 5.0 MB per MiB above the demo's job (4.8 for 500,000 rows, 4.5 for 1,000,000);
  declared 6 per MiB;
* other tables: a 1,000,000-row population file (35 MiB) validated alone adds 8.8 MB per MiB
  (short numeric fields cost more per byte than the victim extract's text); declared 12;
* validated Parquet files, read whole for the cross-input checks: that population table,
  validated (1.7 MiB of Parquet), adds 189 MB when read back, 112 MB per MiB; declared 140;
* floor: the demo area's job peaks at 230-250 MB, the shared inputs' at 175 MB; declared 300.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.validate.kinds import raw_filename

#: The interpreter with pandas, pandera, pyarrow and geopandas imported, and small inputs.
FLOOR_MB = 300
#: MB of peak per MiB of the raw victim extract.
VICTIM_EXTRACT_MB_PER_MIB = 6.0
#: MB of peak per MiB of any other raw input (CSV tables, GeoJSON boundaries).
OTHER_INPUT_MB_PER_MIB = 12.0
#: MB of peak per MiB of a validated Parquet input (compressed on disk).
PARQUET_MB_PER_MIB = 140.0
#: Declared memory is rounded up to a multiple of this.
STEP_MB = 100


def validation_mem_mb(paths: Iterable[str | os.PathLike[str]]) -> int:
    """mem_mb to declare for a validation job that reads ``paths``.

    Raises FileNotFoundError for a file not yet made (Snakemake then evaluates the resource
    again once the job's inputs exist).
    """
    needed = float(FLOOR_MB)
    for path in map(Path, paths):
        size_mib = os.path.getsize(path) / 1024 / 1024
        if path.name == raw_filename("victims"):
            needed += VICTIM_EXTRACT_MB_PER_MIB * size_mib
        elif path.suffix == ".parquet":
            needed += PARQUET_MB_PER_MIB * size_mib
        else:
            needed += OTHER_INPUT_MB_PER_MIB * size_mib
    return int(math.ceil(needed / STEP_MB) * STEP_MB)


def mem_mb_of_inputs(wildcards: Any, input: Iterable[str]) -> int:
    """A validate rule's ``mem_mb``: Snakemake calls it with the job's inputs, again once they
    all exist (a missing one makes the value "to be determined" until then)."""
    return validation_mem_mb(input)
