"""Peak memory of this process, for the benchmarks and the memory tests.

``resource.getrusage(...).ru_maxrss`` is not used: on Linux a process started with
fork + exec keeps its parent's high-water mark in ``ru_maxrss``, so a measurement taken in a
subprocess of a large process (pytest after hundreds of tests, say) reports the parent's
size. ``VmHWM`` in ``/proc/self/status`` belongs to the new program's memory alone.
"""

from __future__ import annotations

from pathlib import Path


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("/proc/self/status has no VmHWM line (the benchmarks need Linux)")
