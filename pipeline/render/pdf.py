"""Tagged PDF (PDF/UA-1) from the report HTML with WeasyPrint, reproducibly.

WeasyPrint reports accessibility problems (a missing ``lang``, an image without ``alt``) as
ERROR log records rather than exceptions; :func:`write_pdf` turns any ERROR record into a
failure. The PDF's creation and modification dates come from ``config["publication_date"]``
(``dcterms.created``/``dcterms.modified`` meta tags), never from the clock, so re-running gives
the same bytes.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline.settings import Settings

PDF_VARIANT = "pdf/ua-1"
_DATE_META = re.compile(r'\s*<meta\s+name="dcterms\.(?:created|modified)"[^>]*>', re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)


class PdfRenderError(RuntimeError):
    """WeasyPrint logged an error: the PDF would be incomplete or inaccessible."""


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _errors_from_weasyprint() -> Iterator[_Collector]:
    """Collect ERROR (and worse) records of the ``weasyprint`` logger while rendering."""
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    previous = logger.level
    logger.addHandler(collector)
    if logger.getEffectiveLevel() > logging.ERROR:
        logger.setLevel(logging.ERROR)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous)


@contextmanager
def _source_date_epoch(day: date) -> Iterator[None]:
    """Pin SOURCE_DATE_EPOCH while rendering: if fonts are subset with fontTools (no
    HarfBuzz-subset), it writes this instead of the current time into the fonts."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def publication_date(settings: Settings) -> date:
    """The configured publication date (``YYYY-MM-DD``)."""
    value = settings.publication_date
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(
            f"config publication_date {value!r} is not a date in the form YYYY-MM-DD"
        ) from None


def with_fixed_dates(html: str, day: date) -> str:
    """The HTML with exactly one ``dcterms.created`` and one ``dcterms.modified`` meta tag,
    both set to ``day`` (WeasyPrint writes them as the PDF's dates)."""
    match = _HEAD.search(html)
    if match is None:
        raise ValueError("the report HTML has no <head>; cannot set the PDF dates")
    cleaned = _DATE_META.sub("", html)
    match = _HEAD.search(cleaned)
    assert match is not None
    stamp = day.isoformat()
    tags = (
        f'\n<meta name="dcterms.created" content="{stamp}">'
        f'\n<meta name="dcterms.modified" content="{stamp}">'
    )
    return cleaned[: match.end()] + tags + cleaned[match.end() :]


#: WeasyPrint's options for laying out and writing every report.
_OPTIONS = {"pdf_variant": PDF_VARIANT, "uncompressed_pdf": False}


@contextmanager
def _checked(settings: Settings) -> Iterator[None]:
    """Render with the publication date pinned; raise :class:`PdfRenderError` if WeasyPrint
    logged any ERROR record meanwhile."""
    with _errors_from_weasyprint() as collector, _source_date_epoch(publication_date(settings)):
        yield
    if collector.records:
        messages = "; ".join(record.getMessage() for record in collector.records)
        raise PdfRenderError(f"WeasyPrint reported {len(collector.records)} error(s): {messages}")


def laid_out(html: str, settings: Settings) -> Any:
    """The report laid out in pages exactly as :func:`pdf_bytes` prints it (a WeasyPrint
    ``Document``: its pages hold the layout boxes, which the page checks read).

    No base URL: the reports are self-contained (inline CSS and SVG), and without one WeasyPrint
    keeps links relative (``data/resident/trend.csv``), so they work beside the published PDF
    and the bytes do not depend on the folder the report was rendered in.
    """
    from weasyprint import HTML

    document = with_fixed_dates(html, publication_date(settings))
    with _checked(settings):
        return HTML(string=document, base_url=None).render(**_OPTIONS)


def pdf_bytes(html: str, settings: Settings) -> bytes:
    """Render the HTML to PDF/UA-1 bytes; raise :class:`PdfRenderError` on any ERROR log."""
    document = laid_out(html, settings)
    with _checked(settings):
        return bytes(document.write_pdf(**_OPTIONS))


def write_pdf(html: str, pdf_path: str | Path, settings: Settings) -> None:
    """Write the report HTML as an A4 tagged PDF (PDF/UA-1) with fixed metadata dates.

    Page size, page numbers and the synthetic-data mark come from the report's print CSS;
    bookmarks come from the headings; title and language from ``<title>`` and ``<html lang>``.
    """
    data = pdf_bytes(html, settings)
    path = Path(pdf_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
