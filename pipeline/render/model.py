"""What the report templates print: sections, tables, figures, each already worded and
formatted, so the templates only lay them out (and autoescape every string).

Numbers in tables carry their kind (``count``, ``rate``, ``share``, ...) into the HTML as
``data-kind``, so a test can find every published count and check its disclosure control.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

#: Kinds of table cell. ``count`` cells are the ones disclosure control protects.
CELL_KINDS: frozenset[str] = frozenset(
    {"text", "count", "rate", "share", "ratio", "number", "interval", "population", "code"}
)


@dataclass(frozen=True)
class Cell:
    """One table cell: its display text, kind, and whether it was suppressed. ``tone``
    colours a comparison cell ('higher', 'similar', 'lower'); the words in the cell always
    say the same, so colour is never the only signal."""

    text: str
    kind: str = "text"
    suppressed: bool = False
    tone: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CELL_KINDS:
            raise ValueError(f"cell kind {self.kind!r} is not one of {sorted(CELL_KINDS)}")

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "code")


@dataclass(frozen=True)
class Column:
    """A column heading; numeric columns are right-aligned. A ``nowrap`` column's cells stay
    on one line (a period such as '2020-21 to 2024-25')."""

    label: str
    kind: str = "text"
    nowrap: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "code")


@dataclass(frozen=True)
class Row:
    """A table row: a header cell (``th scope="row"``) and data cells. A ``group`` row is a
    header alone, across the table (``th scope="row" colspan``), over the rows under it up to
    the next group row; each group is its own ``tbody``. (Scope ``rowgroup`` has no PDF/UA
    equivalent: a tagged PDF's header cells are Row, Column or Both.)"""

    header: Cell
    cells: tuple[Cell, ...]
    total: bool = False
    group: bool = False


@dataclass(frozen=True)
class Table:
    """A data table with caption, column headings (the first heads the row headers) and
    notes; ``csv_href`` links its CSV download when there is one."""

    id: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    csv_href: str | None = None
    csv_label: str | None = None
    compact: bool = False

    def __post_init__(self) -> None:
        width = len(self.columns) - 1
        for row in self.rows:
            if row.group and not row.cells:
                continue
            if len(row.cells) != width:
                raise ValueError(
                    f"table {self.id}: row {row.header.text!r} has {len(row.cells)} cells, "
                    f"the headings give {width}"
                )


@dataclass(frozen=True)
class Figure:
    """A chart: inline SVG (with its own ``<title>``), its message and text alternative, and
    the data table printed under it."""

    id: str
    title: str
    alt: str
    svg: Markup
    table: Table
    caption: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A report section. ``level`` is the heading level (2 or 3...); ``body`` holds
    paragraphs (plain strings are escaped; :class:`Markup` is trusted HTML from
    :func:`markdown_to_html`); ``bullets`` a list; then figures, tables, the paragraphs
    ``after``, the method and caveats, and subsections."""

    id: str
    heading: str
    level: int = 2
    body: tuple[str | Markup, ...] = ()
    bullets: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    subsections: tuple[Section, ...] = ()
    after: tuple[str | Markup, ...] = ()
    css_class: str = ""
    #: A measure family's method and its caveats (:func:`markdown_to_html`), printed after
    #: everything else under their own headings.
    method: Markup | None = None
    caveats: Markup | None = None


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Contents:
    """Table of contents entries (top-level sections)."""

    entries: tuple[Link, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# Method text
# --------------------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape, then turn **bold** and `code` into HTML."""
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return html.replace("\\*", "*").replace("\\_", "_")


def markdown_to_html(text: str) -> Markup:
    """The small Markdown subset the method texts use, as safe HTML.

    Blank lines separate paragraphs; lines starting with ``- `` or ``* `` make a bullet list;
    ``**bold**`` and ```code``` inline. Everything else is escaped, so the result is safe to
    insert as :class:`Markup`.
    """
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    out: list[str] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.splitlines()]
        if all(re.match(r"\s*[-*] ", line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                if re.match(r"\s*[-*] ", line):
                    items.append(re.sub(r"^\s*[-*] ", "", line))
                elif items:
                    items[-1] += " " + line.strip()
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return Markup("\n".join(out))


def slug(text: str) -> str:
    """An id-safe slug: 'Who is affected?' -> 'who-is-affected'."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value or "section"


def contents_of(sections: Sequence[Section]) -> Contents:
    return Contents(tuple(Link(f"#{s.id}", s.heading) for s in sections))
