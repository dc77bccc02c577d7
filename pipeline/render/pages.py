"""Where a laid-out report's tables and sections fall on its pages (read from WeasyPrint's
layout boxes, :func:`pipeline.render.pdf.laid_out`): which pages each table's body rows are
on, the tables that leave a row alone on a page, and the pages each section spans. The tests
check the demo reports with it; ``python -m pipeline.render.pages <report.html>`` prints
where a report's pages go."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TablePart:
    """The part of one table on one page: its body rows there (0: only its caption or
    header rows)."""

    table: str
    page: int
    rows: int


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)


def table_parts(document: Any) -> list[TablePart]:
    """Every table's part on each page it is on, in page order (pages count from 1)."""
    from weasyprint.formatting_structure import boxes

    parts = []
    for number, page in enumerate(document.pages, start=1):
        for box in _boxes(page._page_box):
            if not isinstance(box, boxes.TableBox):
                continue
            rows = sum(
                len(group.children)
                for group in box.children
                if isinstance(group, boxes.TableRowGroupBox) and group.element_tag == "tbody"
            )
            name = box.element.get("id") if box.element is not None else None
            parts.append(TablePart(name or f"table on page {number}", number, rows))
    return parts


def too_wide(document: Any) -> list[str]:
    """The tables wider than their page's text (cut off at its right edge in print), by id."""
    from weasyprint.formatting_structure import boxes

    wide = []
    for page in document.pages:
        width = page._page_box.width
        for box in _boxes(page._page_box):
            if isinstance(box, boxes.TableBox) and box.margin_width() > width + 0.5:
                name = box.element.get("id") if box.element is not None else None
                wide.append(name or "a table")
    return list(dict.fromkeys(wide))


def lone_rows(document: Any) -> list[TablePart]:
    """The parts of tables split over pages that hold one body row or none: a lone row at
    the top or foot of a page, or a caption and header with no row under them."""
    parts = table_parts(document)
    pages: dict[str, int] = {}
    for part in parts:
        pages[part.table] = pages.get(part.table, 0) + 1
    return [p for p in parts if pages[p.table] > 1 and p.rows <= 1]


def _sections(box: Any, inside: bool = False) -> Iterator[tuple[str, bool]]:
    """The id of every report section box under ``box``, and whether it is inside another."""
    element = getattr(box, "element", None)
    is_section = (
        getattr(box, "element_tag", None) == "section"
        and element is not None
        and "report-section" in element.get("class", "")
        and element.get("id") is not None
    )
    if is_section:
        yield element.get("id"), inside
    for child in getattr(box, "children", ()) or ():
        yield from _sections(child, inside or is_section)


def section_pages(document: Any) -> dict[str, tuple[int, int]]:
    """The first and last page of each top-level report section, by id, in report order."""
    spans: dict[str, tuple[int, int]] = {}
    for number, page in enumerate(document.pages, start=1):
        for name, inside in _sections(page._page_box):
            if not inside:
                spans[name] = (spans.get(name, (number, number))[0], number)
    return spans


def main(argv: list[str] | None = None) -> int:
    from pipeline.render.pdf import laid_out
    from pipeline.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m pipeline.render.pages", description=__doc__)
    parser.add_argument("html", type=Path, help="a rendered report (HTML)")
    args = parser.parse_args(argv)
    html = args.html.read_text(encoding="utf-8")
    # The report's own publication date (its dcterms.created), as its PDF was written with.
    date = re.search(r'name="dcterms.created" content="([^"]+)"', html)
    document = laid_out(html, Settings.of({"publication_date": date.group(1) if date else ""}))
    print(f"{len(document.pages)} pages")
    for name, (first, last) in section_pages(document).items():
        print(f"  {name}: pages {first}-{last}")
    parts = table_parts(document)
    for name in dict.fromkeys(p.table for p in parts):
        mine = [p for p in parts if p.table == name]
        where = ", ".join(f"p{p.page}: {p.rows}" for p in mine)
        print(f"  table {name}: {sum(p.rows for p in mine)} rows ({where})")
    lone = lone_rows(document)
    print(f"{len(lone)} lone rows" + "".join(f"\n  {p}" for p in lone))
    wide = too_wide(document)
    print(f"{len(wide)} tables wider than the page" + "".join(f"\n  {t}" for t in wide))
    return 1 if lone or wide else 0


if __name__ == "__main__":
    sys.exit(main())
