"""scipy's modules, imported on first use, so that a job pays only for the libraries it calls.

scipy takes most of a second of start-up; the chart and report jobs import every family (for
its charts, findings and method text) but compute nothing, so the statistics modules name
scipy through the stand-ins here (``from pipeline.lazy import scipy_stats as st``), and it
loads when a job first computes. Each stand-in imports its module with a plain import
statement in a function (no import by name).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any


class _LazyModule:
    """Stands for a module until an attribute is first read, then imports it with ``load``."""

    def __init__(self, name: str, load: Callable[[], ModuleType]) -> None:
        self._name = name
        self._load = load
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = self._load()
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def _load_stats() -> ModuleType:
    from scipy import stats

    return stats


def _load_optimize() -> ModuleType:
    from scipy import optimize

    return optimize


#: ``scipy.stats``, imported when first used.
scipy_stats: Any = _LazyModule("scipy.stats", _load_stats)
#: ``scipy.optimize``, imported when first used.
scipy_optimize: Any = _LazyModule("scipy.optimize", _load_optimize)
