"""Published CSVs that a spreadsheet cannot run: formula injection (CSV injection) defused.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and
some also act on a leading tab or carriage return (OWASP, "CSV Injection"). Names in the data
(wards, LSOAs, areas, neighbours, action owners) reach the published tables verbatim, so a
ward called ``=HYPERLINK("http://…","W1")`` would become a live link. Every such cell, header
included, gets a leading apostrophe, which spreadsheets show as text. Numbers (``-3.2``,
``-1e-05``, ``+5``) are left as they are: they are what the figures are.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

#: Characters a spreadsheet may read as the start of a formula (OWASP).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf")


def neutralise_cell(text: str) -> str:
    """The cell as it is safe to publish: a leading apostrophe before a formula start,
    unless the whole cell is a number."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_csv_bytes(source: str | Path) -> bytes:
    """A CSV file's bytes with every cell (headers included) passed through
    :func:`neutralise_cell`; every other cell keeps its exact text."""
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")
