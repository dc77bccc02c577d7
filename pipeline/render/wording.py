"""The fixed words of the reports, read from ``<template_dir>/wording.yaml``.

Each entry is a small Jinja template rendered to plain text with ``StrictUndefined`` (a value
the code does not pass is an error, never an empty string). It is not escaped here: the page
templates autoescape every string they print, so escaping here too would print ``&amp;amp;``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from pipeline.render.model import Column

WORDING_FILE = "wording.yaml"

_TEXT = Environment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Wording:
    """The entries under one key of the wording file (``part`` narrows it further)."""

    entries: Mapping[str, Any]
    where: str = WORDING_FILE

    @classmethod
    def read(cls, template_dir: str | Path) -> Wording:
        path = Path(template_dir) / WORDING_FILE
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))

    def _entry(self, key: str) -> Any:
        entry: Any = self.entries
        for part in key.split("."):
            if not isinstance(entry, Mapping) or part not in entry:
                raise KeyError(f"{self.where}: no entry {key!r}")
            entry = entry[part]
        return entry

    def part(self, key: str) -> Wording:
        """The entries under ``key`` (e.g. ``"technical.quality"``)."""
        return Wording(self._entry(key), f"{self.where}:{key}")

    def __call__(self, key: str, **values: Any) -> str:
        """Entry ``key`` with ``values`` filled in."""
        return _TEXT.from_string(str(self._entry(key))).render(**values)

    def lines(self, key: str, **values: Any) -> tuple[str, ...]:
        """A list entry, each item with ``values`` filled in."""
        return tuple(_TEXT.from_string(str(item)).render(**values) for item in self._entry(key))

    def columns(self, key: str, kinds: Sequence[tuple[str, str]]) -> tuple[Column, ...]:
        """Table column headings: entry ``key`` maps each column's name to its heading;
        ``kinds`` gives the columns in order with each one's kind (``text``, ``count``...)."""
        return tuple(Column(self(f"{key}.{name}"), kind) for name, kind in kinds)
