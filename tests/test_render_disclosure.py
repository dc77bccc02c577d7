"""Proof that the resident outputs (HTML, PDF, CSV, chart SVG) publish no count from 1 to the
threshold and nothing from which one can be recovered.

Every number is read back from the published files, not from the code that wrote them:

1. every count (HTML cells marked ``data-kind="count"``, CSV count columns, numbers drawn as
   data labels in the charts) is hidden ``[c]``, zero, or above the threshold;
2. in a row whose count is hidden, every share, rate, ratio and interval is hidden too;
3. for every published total, the hidden cells it covers can each take at least two values
   (brute-force enumeration of all whole-number tables matching what is published, with each
   hidden count at least 1);
4. every whole number from 1 to the threshold in the report's prose is an age, a date, a
   time, a percentage or the threshold itself, never a count;
5. the PDF contains no number that the HTML (text and charts) does not.
"""

from __future__ import annotations

import html as htmllib
import itertools
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd
import pytest

from pipeline.render.preview import cached_preview
from pipeline.render.quality import prose_blocks

DERIVED_KINDS = {"share", "rate", "ratio", "interval"}
HIDDEN = "[c]"


class Tables(HTMLParser):
    """Every <table>: id, caption, column kinds (from th/td classes) and rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cell: dict | None = None
        self.row: list[dict] | None = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"id": a.get("id"), "caption": "", "rows": [], "head": []})
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = {
                "text": "",
                "kind": a.get("data-kind", "text"),
                "suppressed": a.get("data-suppressed") == "true",
                "tag": tag,
                "scope": a.get("scope"),
            }

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.cell["text"] = self.cell["text"].strip()
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if all(c["scope"] == "col" for c in self.row):
                self.tables[-1]["head"] = [c["text"] for c in self.row]
            else:
                self.tables[-1]["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
        elif self.in_caption and self.tables:
            self.tables[-1]["caption"] += data


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def preview():
    return cached_preview()


@pytest.fixture(scope="module")
def threshold(preview) -> int:
    return int(preview.config["disclosure"]["resident_threshold"])


@pytest.fixture(scope="module")
def resident_html(preview) -> str:
    return (preview.edition / "resident.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(resident_html) -> dict[str, dict]:
    parser = Tables()
    parser.feed(resident_html)
    return {t["id"]: t for t in parser.tables}


def test_the_demo_has_something_to_protect(tables):
    # Without hidden cells the proof below would be empty.
    hidden = [c for t in tables.values() for r in t["rows"] for c in r if c["text"] == HIDDEN]
    assert len(hidden) >= 5


def test_every_published_count_is_zero_hidden_or_above_the_threshold(tables, threshold):
    counts = 0
    for table in tables.values():
        for row in table["rows"]:
            for cell in row:
                if cell["kind"] != "count" or cell["text"] in (HIDDEN, "–"):
                    continue
                counts += 1
                value = number(cell["text"])
                assert value == 0 or value > threshold, (table["id"], row[0]["text"], cell["text"])
                assert not cell["suppressed"]
            assert all(c["suppressed"] == (c["text"] == HIDDEN) for c in row)
    assert counts > 50


def test_values_derived_from_a_hidden_count_are_hidden(tables):
    for table in tables.values():
        for row in table["rows"]:
            if any(c["kind"] == "count" and c["text"] == HIDDEN for c in row):
                derived = [c for c in row if c["kind"] in DERIVED_KINDS]
                assert all(c["text"] in (HIDDEN, "–") for c in derived), (
                    table["id"],
                    [c["text"] for c in row],
                )


def published_totals(tables: dict[str, dict]) -> tuple[list[tuple[list[str], str]], dict[str, str]]:
    """Each published total as (parts, total) over cell names, and every cell's printed text.
    The totals are read from the pages: the "All ..." rows, and the deprivation deciles, which
    count the same located incidents as the wards."""
    equations: list[tuple[list[str], str]] = []
    cells: dict[str, str] = {}

    def count_column(table: dict) -> int:
        return [c["kind"] for c in table["rows"][0]].index("count")

    who = tables["who-data"]
    col = count_column(who)
    by_age: dict[str, list[list[dict]]] = {}
    for row in who["rows"]:
        by_age.setdefault(row[0]["text"], []).append(row)
    for age, rows in by_age.items():
        parts = []
        for r in rows:
            name = f"who/{age}/{'All' if r[1]['text'].startswith('All') else r[1]['text']}"
            cells[name] = r[col]["text"]
            if not name.endswith("/All"):
                parts.append(name)
        equations.append((parts, f"who/{age}/All"))
    wards = tables["wards-data"]
    col = count_column(wards)
    parts = []
    for r in wards["rows"]:
        name = "wards/All" if r[0]["text"].startswith("All") else f"wards/{r[0]['text']}"
        cells[name] = r[col]["text"]
        if name != "wards/All":
            parts.append(name)
    equations.append((parts, "wards/All"))
    dep = tables["deprivation-data"]
    col = count_column(dep)
    for r in dep["rows"]:
        cells[f"decile/{r[0]['text']}"] = r[col]["text"]
    equations.append(([f"decile/{r[0]['text']}" for r in dep["rows"]], "wards/All"))
    return equations, cells


def brute_force(
    equations: list[tuple[list[str], str]], cells: dict[str, str]
) -> dict[str, set[int]]:
    """All values each hidden cell can take: enumerate hidden parts (>= 1) jointly with every
    equation they appear in; hidden totals are derived from their parts."""
    hidden = sorted(k for k, v in cells.items() if v == HIDDEN)
    totals = {t for _, t in equations}
    leaves = [h for h in hidden if h not in totals]
    cap = {}
    for h in leaves:
        bounds = []
        for parts, total in equations:
            if h in parts and cells[total] != HIDDEN:
                known = sum(number(cells[p]) for p in parts if cells[p] != HIDDEN)
                others = sum(1 for p in parts if cells[p] == HIDDEN) - 1
                bounds.append(int(number(cells[total]) - known) - others)
        cap[h] = min(bounds) if bounds else 200
    size = 1
    for h in leaves:
        size *= max(cap[h], 1)
    assert size < 5_000_000, f"too many candidate tables ({size})"
    seen: dict[str, set[int]] = {h: set() for h in hidden}
    for values in itertools.product(*[range(1, cap[h] + 1) for h in leaves]):
        assign: dict[str, float] = dict(zip(leaves, values, strict=True))
        ok = True
        for parts, total in equations:
            part_sum = sum(number(cells[p]) if cells[p] != HIDDEN else assign[p] for p in parts)
            if cells[total] == HIDDEN:
                if total in assign and assign[total] != part_sum:
                    ok = False
                assign.setdefault(total, part_sum)
                if part_sum < 1:
                    ok = False
            elif part_sum != number(cells[total]):
                ok = False
        if ok:
            for h in hidden:
                seen[h].add(int(assign[h]))
    return seen


def test_no_hidden_count_can_be_recovered_from_published_totals(tables, preview):
    equations, cells = published_totals(tables)
    hidden = [k for k, v in cells.items() if v == HIDDEN]
    assert hidden, "the tables with totals hide nothing: nothing to prove"
    # The totals are real: in the unsuppressed measure tables the parts add up to them.
    disp = preview.table("disproportionality")
    shares = disp.loc[disp["measure_id"].str.endswith("_victim_share") & (disp["sex"] == "All")]
    for age, rows in shares.groupby("age_group"):
        assert rows["numerator"].sum() == rows["denominator"].iloc[0], age
    # Equations that share no hidden cell are independent: enumerate each group on its own.
    groups: list[tuple[set[str], list]] = []
    for parts, total in equations:
        unknown = {c for c in [*parts, total] if cells[c] == HIDDEN}
        if not unknown:
            continue
        linked = [g for g in groups if g[0] & unknown]
        merged = (
            unknown.union(*[g[0] for g in linked]),
            [(parts, total)] + [e for g in linked for e in g[1]],
        )
        groups = [g for g in groups if g not in linked] + [merged]
    feasible: dict[str, set[int]] = {}
    for _, group_equations in groups:
        names = {c for parts, total in group_equations for c in [*parts, total]}
        feasible |= brute_force(group_equations, {c: cells[c] for c in names})
    for cell in hidden:
        assert len(feasible[cell]) >= 2, f"{cell} can be worked out: {sorted(feasible[cell])}"


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ALLOWED_CONTEXTS = [
    r"\d+(?:\.\d+)?%",  # a percentage
    r"\d+\.\d+",  # a rate or ratio with decimals
    r"\b\d{1,2}(?:am|pm)\b",
    r"\b\d{1,2}:\d{2}\b",  # times of day
    r"\baged \d+ to \d+\b",
    r"\(\d+ to \d+\)",
    r"\b\d+-\d+\b",  # age ranges, periods
    r"\b\d{1,2} (?:" + MONTHS + r") \d{4}\b",  # dates
    r"\bfrom 1 to \d+\b",  # the disclosure threshold statement
    r"\bunder-?\d+s?\b",  # under-18s
    r"\b\d{1,2} hours\b",  # the length of a window of the day
]


def test_small_whole_numbers_in_the_prose_are_never_counts(resident_html, threshold):
    for block in prose_blocks(resident_html):
        stripped = block
        for pattern in ALLOWED_CONTEXTS:
            stripped = re.sub(pattern, " ", stripped, flags=re.IGNORECASE)
        for token in re.findall(r"\d[\d,]*", stripped):
            value = number(token)
            assert not 1 <= value <= threshold, f"{token!r} in: {block}"


def test_resident_csvs_match_the_page_and_hide_the_same_cells(preview, tables, threshold):
    index = json.loads((preview.charts / "resident" / "charts.json").read_text(encoding="utf-8"))
    for item in index["charts"]:
        csv = pd.read_csv(
            preview.edition / "data" / "resident" / item["csv"], dtype=str, keep_default_na=False
        )
        page = tables[f"{item['name']}-data"]
        assert len(page["rows"]) == len(csv)
        for column, kind in item["kinds"].items():
            position = list(csv.columns).index(column)
            for row, value in zip(page["rows"], csv[column], strict=True):
                shown = row[position]["text"]
                if kind == "count" and value not in (HIDDEN, ""):
                    assert number(value) == 0 or number(value) > threshold, (
                        item["name"],
                        column,
                        value,
                    )
                if value == HIDDEN or shown == HIDDEN:
                    assert value == shown == HIDDEN, (item["name"], column, value, shown)
                elif kind in ("count", "rate", "share", "population", "number") and value:
                    assert number(shown) == pytest.approx(number(value)), (item["name"], column)


def _svg_data_labels(svg: str) -> list[str]:
    """Text drawn by data marks (not axes or legends) in a Vega SVG."""
    root = ET.fromstring(svg)
    labels = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if "role-mark" in group.attrib.get("class", "") and "mark-text" in group.attrib.get(
            "class", ""
        ):
            labels += [
                "".join(t.itertext()) for t in group.iter("{http://www.w3.org/2000/svg}text")
            ]
    return labels


def test_numbers_drawn_in_the_charts_are_protected(preview, threshold):
    labels = []
    for svg in sorted((preview.charts / "resident").glob("*.svg")):
        labels += _svg_data_labels(svg.read_text(encoding="utf-8"))
    numeric = [t for t in labels if re.fullmatch(r"[\d,.]+", t.strip())]
    assert len(numeric) > 20  # the heat map labels its cells
    for text in numeric:
        assert number(text) == 0 or number(text) > threshold, text


def _tokens(text: str) -> set[str]:
    return {t.replace(",", "") for t in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def test_the_pdf_publishes_no_number_the_html_does_not(preview, resident_html):
    body = re.sub(r"<style.*?</style>", " ", resident_html, flags=re.DOTALL)
    page_text = htmllib.unescape(re.sub(r"<[^>]+>", " ", body))
    allowed = _tokens(page_text)
    pdf = preview.edition / "resident.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.count("\f")
    allowed |= {str(n) for n in range(1, pages + 2)}  # "Page n of N"
    extra = _tokens(text) - allowed
    assert not extra, f"numbers in the PDF that the HTML does not publish: {sorted(extra)[:20]}"
