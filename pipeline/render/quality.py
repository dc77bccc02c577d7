"""Checks a person would make of a rendered report: the prose a resident reads."""

from __future__ import annotations

from html.parser import HTMLParser

#: Elements whose text is not running prose (data, charts, styling).
_SKIP = ("table", "figure", "svg", "style", "nav")


class _Prose(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = {tag: 0 for tag in ("main", *_SKIP)}
        self.open: list[str] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.depth:
            self.depth[tag] += 1
        if tag in ("p", "li") and self.depth["main"] and not any(self.depth[t] for t in _SKIP):
            self.open.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.depth:
            self.depth[tag] -= 1
        if tag in ("p", "li") and self.open:
            text = " ".join(self.open.pop().split())
            if text:
                self.blocks.append(text)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1] += data


def prose_blocks(html: str) -> list[str]:
    """Paragraphs and list items of ``<main>``, outside tables, figures, SVG and navigation,
    in document order (entities decoded)."""
    parser = _Prose()
    parser.feed(html)
    return parser.blocks
