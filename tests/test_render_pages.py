"""Page breaks of the demo PDFs, read from WeasyPrint's layout boxes (the document the PDF is
written from): no table leaves a lone row, or a caption and header with no row, at the foot
or the top of a page. The print CSS asks for it (tests/test_render.py checks the rules are
there); this checks the pages it gives."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from pipeline.render.pages import TablePart, lone_rows, section_pages, table_parts, too_wide
from pipeline.render.pdf import laid_out
from pipeline.render.preview import cached_preview
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings.of({"publication_date": "2025-07-01"})
CSS = (REPO / "templates" / "report.css").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def preview():
    return cached_preview()


def _report(preview, name: str) -> Path:
    tree = preview.internal if "internal" in name else preview.edition
    return tree / name


REPORTS = ("resident", "technical-internal")


@pytest.fixture(scope="module")
def documents(preview) -> dict:
    """Each demo report laid out as its PDF was written, by name."""
    return {
        name: laid_out(
            _report(preview, f"{name}.html").read_text(encoding="utf-8"), preview.settings
        )
        for name in REPORTS
    }


@pytest.mark.parametrize("name", REPORTS)
def test_no_table_leaves_a_lone_row_on_a_page(preview, documents, name):
    document = documents[name]
    # The layout checked is the published PDF's.
    with pikepdf.open(_report(preview, f"{name}.pdf")) as pdf:
        assert len(document.pages) == len(pdf.pages)
    parts = table_parts(document)
    assert len({p.table for p in parts}) >= 5
    assert any(p.page > 1 for p in parts)
    assert lone_rows(document) == [], [
        f"table {p.table}: {p.rows} row(s) on page {p.page}" for p in lone_rows(document)
    ]


@pytest.mark.parametrize("name", REPORTS)
def test_no_table_runs_off_the_page(documents, name):
    # Before issue 16 the key metric's tables of six periods ran 45 mm past the right edge.
    assert too_wide(documents[name]) == []


def test_the_check_finds_a_table_wider_than_the_page():
    cells = "".join(f"<td>{'x' * 30}</td>" for _ in range(8))
    html = _rows_html(1, "td { white-space: nowrap; }").replace("<td>0</td>", cells)
    assert too_wide(laid_out(html, SETTINGS)) == ["t"]


def _rows_html(rows: int, css: str) -> str:
    """A table of ``rows`` body rows of 9.5 mm on 100 mm pages (7 rows to a page)."""
    body = "".join(f"<tr><th scope='row'>{i}</th><td>{i}</td></tr>" for i in range(rows))
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>t</title>"
        f"<style>@page {{ size: 100mm 100mm; margin: 10mm; }} {css} "
        "html, body { margin: 0; font-size: 8pt; } th, td { padding: 0; } "
        "tr { height: 9.5mm; }</style>"
        f"</head><body><main><table id='t'><tbody>{body}</tbody></table></main></body></html>"
    )


def test_the_check_finds_a_lone_row_and_the_print_rules_prevent_it():
    # 8 rows: 7 fit on the first page, the eighth would be alone on the second.
    bare = laid_out(_rows_html(8, ""), SETTINGS)
    assert [(p.page, p.rows) for p in table_parts(bare)] == [(1, 7), (2, 1)]
    assert lone_rows(bare) == [TablePart("t", 2, 1)]
    # With the report's print rules the last rows go over together.
    printed = CSS[CSS.index("@media print") :]
    rules = printed[printed.index("{") + 1 : printed.rindex("}")]
    kept = laid_out(_rows_html(8, rules), SETTINGS)
    assert [p.page for p in table_parts(kept)] == [1, 2]
    assert sum(p.rows for p in table_parts(kept)) == 8
    assert lone_rows(kept) == []


def test_sections_are_found_at_the_top_level_only(documents):
    spans = section_pages(documents["technical-internal"])
    assert list(spans)[:2] == ["indicators", "summary"]
    assert "caveats-ethnicity" not in spans and "caveats" in spans
    assert all(first <= last for first, last in spans.values())


def test_the_technical_pdf_is_byte_identical_when_rendered_again(preview):
    from pipeline.render.pdf import pdf_bytes

    path = preview.internal / "technical-internal.html"
    again = pdf_bytes(path.read_text(encoding="utf-8"), preview.settings)
    assert again == path.with_suffix(".pdf").read_bytes()
