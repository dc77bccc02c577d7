"""Data contracts for the SNA inputs: clear errors on bad extracts, and no row ever lost.

Public interface:

* :func:`validate_input` - check one raw input against its contract; returns a
  :class:`ValidationResult` (rows used, rows excluded, reconciliation) or raises
  :class:`ValidationStop` after writing the failures CSV;
* :func:`check_cross_inputs` - check that one area's validated inputs fit together;
* :data:`INPUT_KINDS` - the input kinds, whose models live in :mod:`pipeline.validate.schemas`;
* ``python -m pipeline.validate.run`` and ``python -m pipeline.validate.dictionary``.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use, so that ``python -m pipeline.validate.run`` does not import its own
# module twice (runpy warns when the package has already imported it).
_EXPORTS = {
    "INPUT_KINDS": "pipeline.validate.run",
    "ValidationResult": "pipeline.validate.run",
    "validate_input": "pipeline.validate.run",
    "ValidationStop": "pipeline.validate.errors",
    "check_cross_inputs": "pipeline.validate.cross",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipeline.validate' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
