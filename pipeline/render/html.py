"""HTML rendering: a Jinja environment that fails on any missing value and escapes everything.

Templates are read from a directory the caller passes in (the workflow declares the template
files as inputs), never from a path baked into the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

AUDIENCES: tuple[str, ...] = ("resident", "technical")


def make_environment(template_dir: str | Path) -> Environment:
    """Jinja environment over ``template_dir``: ``StrictUndefined`` (a missing value is an
    error, not an empty string) and autoescape on for every template (all are HTML)."""
    folder = Path(template_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"template folder {folder} does not exist")
    return Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(context: Mapping[str, Any], template_dir: str | Path, name: str) -> str:
    """Render one template of ``template_dir`` with ``context``."""
    return make_environment(template_dir).get_template(name).render(**context)


def render_report(context: Mapping[str, Any], template_dir: str | Path, audience: str) -> str:
    """The report for ``audience`` ("resident" or "technical") as one self-contained HTML page."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    if context.get("audience") != audience:
        raise ValueError(
            f"the context was built for {context.get('audience')!r}, not {audience!r}; "
            "build it with the same audience (disclosure control depends on it)"
        )
    return render_template(context, template_dir, f"{audience}.html.j2")
