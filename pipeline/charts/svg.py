"""Offline, deterministic SVG with a text alternative.

:func:`render_svg` pins the Vega-Lite version, and :func:`accessible_svg` adds what
vl-convert leaves out (an SVG ``<title>`` that WeasyPrint turns into the PDF figure's Alt
text, ``role="img"`` and ``aria-labelledby`` for browsers) and prefixes the SVG's internal
ids so several charts can be inlined in one HTML page.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import altair as alt
import vl_convert as vlc

from pipeline.charts.spec import ChartSpec
from pipeline.charts.theme import THEME_NAME

#: Vega-Lite version used for every chart (vl-convert bundles several; pinning it means an
#: upgrade of vl-convert cannot silently change the charts).
VL_VERSION = "6.4"


def vegalite_spec(chart: alt.TopLevelMixin, validate: bool = True) -> dict[str, Any]:
    """The chart's Vega-Lite JSON with the Analysis Function theme applied; ``validate``
    checks it against the Vega-Lite JSON schema (Altair's check)."""
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict(validate=validate)


def render_svg(chart: alt.TopLevelMixin) -> str:
    """Render offline to SVG with the pinned Vega-Lite version (no network, deterministic).

    The spec is not schema-checked here: that check is most of a second per edition, and the
    specs come from this code, not from input, so the tests check every chart of the demo and
    a public build instead (``tests/test_charts.py``); vl-convert still refuses a spec it
    cannot compile."""
    return vlc.vegalite_to_svg(vegalite_spec(chart, validate=False), vl_version=VL_VERSION)


_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
_VEGA_ARIA = re.compile(
    r'\s(?:role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*")'
)


def accessible_svg(svg: str, name: str, title: str) -> str:
    """Give a vl-convert SVG a text alternative and ids that cannot clash with another chart.

    Inserts ``<title id="<name>-title">`` as the first child of the root (WeasyPrint reads a
    figure's Alt only from a direct ``<title>`` child), marks the root ``role="img"`` with
    ``aria-labelledby`` so browsers announce the same text, and prefixes every ``id`` (and
    each reference to it) with the chart name.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ValueError(f"chart name {name!r} must be lower-case letters, digits and hyphens")
    # Vega's own ARIA roles on mark containers would be read as unlabelled images inside our
    # single labelled image; the chart's one text alternative is the <title> below.
    svg = _VEGA_ARIA.sub("", svg)
    ids = sorted(set(re.findall(r'\bid="([^"]+)"', svg)), key=len, reverse=True)
    for old in ids:
        new = f"{name}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})").replace(
            f'href="#{old}"', f'href="#{new}"'
        )
    match = _ROOT_TAG.search(svg)
    if match is None:
        raise ValueError(f"chart {name}: no <svg> root element in the rendered output")
    title_id = f"{name}-title"
    root = match.group(0)
    new_root = root[:-1] + f' role="img" aria-labelledby="{title_id}" focusable="false">'
    title_element = f'<title id="{title_id}">{escape(title, quote=False)}</title>'
    return svg[: match.start()] + new_root + title_element + svg[match.end() :]


def chart_svg(spec: ChartSpec) -> str:
    """The finished, accessible SVG of one chart (its text alternative is ``spec.alt``)."""
    return accessible_svg(render_svg(spec.chart), spec.name, spec.alt)
