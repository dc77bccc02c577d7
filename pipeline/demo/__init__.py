"""Deterministic synthetic demo data for the SNA pipeline, in the data contracts.

``python -m pipeline.demo --out data/raw/demo`` writes the Waltham Forest demo (the committed
one); ``--preset london`` writes all 33 London boroughs. From Python::

    demo = generate(seed=20250701, preset="waltham-forest")   # frames + truths, in memory
    write(demo, Path("data/raw/demo"))

The same seed and preset always give byte-identical files. What is planted, and the expected
value of each estimand, is recorded in ``truths.json`` (see :mod:`pipeline.demo.truths`).
Everything is synthetic: no real person is described.
"""

from pipeline.demo.build import generate
from pipeline.demo.output import AreaFiles, DemoData, render, write
from pipeline.demo.presets import DEFAULT_PRESET, DEFAULT_SEED, PLANTED, PRESETS

__all__ = [
    "DEFAULT_PRESET",
    "DEFAULT_SEED",
    "PLANTED",
    "PRESETS",
    "AreaFiles",
    "DemoData",
    "generate",
    "render",
    "write",
]
