"""What comms upload is safe: every file of the demo's public edition, and of its zip, passes
disclosure control at the resident threshold, and nothing of the internal edition is in it;
with `publish.technical_report_in_public_edition`, the technical report published there is
drawn at the resident threshold too.

Numbers are read back from the published files (HTML tables, CSV cells, PDF text), as in
tests/test_render_disclosure.py, whose table parser this reuses.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.charts.build import build_charts
from pipeline.charts.store import write_charts
from pipeline.editions import RESIDENT, TECHNICAL_PUBLIC, published_csv_path
from pipeline.render.context import build_context
from pipeline.render.html import render_report
from pipeline.render.pdf import write_pdf
from pipeline.render.preview import PREVIEW_PROVENANCE, cached_preview, load_measures
from pipeline.render.publish import publish_editions, tree_paths
from pipeline.settings import Settings
from pipeline.validate.dictionary import data_dictionary
from tests.test_render_disclosure import DERIVED_KINDS, HIDDEN, Tables, _tokens, number

REPO = Path(__file__).resolve().parents[1]
#: Columns whose cells count people or incidents even where the report marks them "number"
#: (a share's denominator); every other count is a cell the report marks "count".
COUNT_HEADINGS = {"Denominator", "Victims", "Incidents"}


@pytest.fixture(scope="module")
def preview():
    return cached_preview()


@pytest.fixture(scope="module")
def threshold(preview) -> int:
    return int(preview.config["disclosure"]["resident_threshold"])


def tree_files(tree: Path) -> dict[str, bytes]:
    """Every file of a tree and every entry of its zip (as ``<zip>:<entry>``), by name."""
    files = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    for name in [n for n in files if n.endswith(".zip")]:
        with zipfile.ZipFile(tree / name) as archive:
            files |= {f"{name}:{entry}": archive.read(entry) for entry in archive.namelist()}
    return files


def small_counts_in_html(html: str, threshold: int) -> list[tuple]:
    """Table cells that show a count from 1 to ``threshold``, or a value derived from a
    hidden count."""
    parser = Tables()
    parser.feed(html)
    found = []
    for table in parser.tables:
        head = table["head"]
        for row in table["rows"]:
            hidden_count = False
            for position, cell in enumerate(row):
                heading = head[position] if position < len(head) else ""
                if cell["kind"] != "count" and heading not in COUNT_HEADINGS:
                    continue
                if cell["text"] == HIDDEN:
                    hidden_count = hidden_count or cell["kind"] == "count"
                    continue
                try:
                    value = number(cell["text"])
                except ValueError:
                    continue
                if 0 < value <= threshold:
                    found.append((table["id"], row[0]["text"], heading, cell["text"]))
            if hidden_count:
                for cell in row:
                    if cell["kind"] in DERIVED_KINDS and cell["text"] not in (HIDDEN, "–", ""):
                        found.append((table["id"], row[0]["text"], "derived", cell["text"]))
    return found


def small_counts_in_csv(data: bytes, kinds: dict[str, str], threshold: int) -> list[tuple]:
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    found = []
    for column, kind in kinds.items():
        if kind != "count" and column not in COUNT_HEADINGS:
            continue
        for value in frame[column]:
            if value not in (HIDDEN, "") and 0 < number(value) <= threshold:
                found.append((column, value))
    return found


def chart_kinds(chart_dir: Path, variant: str) -> dict[str, dict[str, str]]:
    """Column kinds of every chart table of a variant, by CSV stem."""
    index = json.loads((chart_dir / variant / "charts.json").read_text(encoding="utf-8"))
    return {Path(item["csv"]).stem: item["kinds"] for item in index["charts"]}


def assert_public_tree_is_safe(tree: Path, internal: Path, chart_dir: Path, threshold: int):
    files = tree_files(tree)
    kinds = {
        published_csv_path(v, stem): table_kinds
        for v in (RESIDENT, TECHNICAL_PUBLIC)
        if (chart_dir / v.name).is_dir()
        for stem, table_kinds in chart_kinds(chart_dir, v.name).items()
    }
    checked = 0
    for name, data in sorted(files.items()):
        entry = name.split(":", 1)[-1]
        assert "internal" not in entry, name
        if entry.endswith(".csv"):
            # Every CSV is a chart table of a public report: nothing else may be published.
            assert entry in kinds, f"{name}: not a table of a public report"
            assert small_counts_in_csv(data, kinds[entry], threshold) == [], name
            checked += 1
        elif entry.endswith(".html"):
            assert small_counts_in_html(data.decode("utf-8"), threshold) == [], name
            checked += 1
    assert checked >= 10
    # The zip holds exactly the tree's files (so checking the files checks the zip).
    zipped = {n.split(":", 1)[1]: d for n, d in files.items() if ":" in n}
    assert zipped == {
        n: d for n, d in files.items() if ":" not in n and not n.endswith((".zip", ".json"))
    }
    # No file of the internal tree under any name: its report, index, zip, manifest, measure
    # tables, and each chart table that shows a small count (a chart table without counts,
    # such as the hot-spot list, may read the same in both).
    internal_kinds = chart_kinds(chart_dir, "technical-internal")
    disclosive = set()
    for name, data in tree_files(internal).items():
        entry = name.split(":", 1)[-1]  # a file, or an entry of the zip
        stem = Path(entry).stem.removesuffix("-internal")
        if entry.startswith("data/internal/") and stem in internal_kinds:
            if not small_counts_in_csv(data, internal_kinds[stem], threshold):
                continue
        disclosive.add(hashlib.sha256(data).hexdigest())
    assert len(disclosive) > 10
    assert not {hashlib.sha256(d).hexdigest() for d in files.values()} & disclosive


def test_the_public_edition_holds_no_small_count_and_nothing_internal(preview, threshold):
    assert_public_tree_is_safe(preview.edition, preview.internal, preview.charts, threshold)
    names = {p.relative_to(preview.edition).as_posix() for p in preview.edition.rglob("*")}
    assert not any(n.startswith(("technical", "data/technical")) for n in names)
    assert all("internal" in p.name for p in preview.internal.rglob("*") if p.is_file())


def test_the_check_finds_small_counts_in_the_internal_report(preview, threshold):
    """The walker is not vacuous: it finds what the internal edition shows."""
    html = (preview.internal / "technical-internal.html").read_text(encoding="utf-8")
    assert len(small_counts_in_html(html, threshold)) > 20
    kinds = chart_kinds(preview.charts, "technical-internal")
    csv = (preview.internal / "data/internal/who-internal.csv").read_bytes()
    assert small_counts_in_csv(csv, kinds["who"], threshold)


@pytest.fixture(scope="module")
def with_public_technical(preview, tmp_path_factory) -> dict:
    """The demo published with technical_report_in_public_edition: the technical report drawn
    and rendered again at the resident threshold, both trees published."""
    base = tmp_path_factory.mktemp("public-technical")
    config = {**preview.config, "publish": {"technical_report_in_public_edition": True}}
    tables, findings = load_measures(preview.measures)
    charts = base / "charts"
    shutil.copytree(preview.charts, charts)
    variant = TECHNICAL_PUBLIC
    built = build_charts(
        tables, None, Settings.of(config), preview.area, variant.report, variant.circulation
    )
    write_charts(built, charts, variant.name)
    reconciliation = pd.concat(
        [
            pd.read_csv(p)
            for p in sorted((preview.measures.parents[2] / "validation").rglob("*.csv"))
            if p.name.endswith(".reconciliation.csv")
        ]
    )
    narrative = yaml.safe_load(Path(preview.area.narrative).read_text(encoding="utf-8"))
    context = build_context(
        audience=variant.report, circulation=variant.circulation, tables=tables,
        findings=findings, chart_dir=charts, template_dir=REPO / "templates",
        narrative=narrative, settings=Settings.of(config),
        area=preview.area, provenance=PREVIEW_PROVENANCE, reconciliation=reconciliation,
        dictionary=data_dictionary(),
    )  # fmt: skip
    html = render_report(context, REPO / "templates", variant.report)
    reports = {key: str(path) for key, path in preview.rendered.items()}
    for fmt in ("html", "pdf"):
        reports[variant.key(fmt)] = str(base / variant.file_name(fmt))
    Path(reports[variant.key("html")]).write_text(html, encoding="utf-8")
    write_pdf(html, reports[variant.key("pdf")], Settings.of(config))
    publish_editions(
        reports=reports,
        tables={f: str(preview.measures / f"{f}.csv") for f in tables},
        chart_dir=str(charts),
        provenance=str(preview.provenance),
        template_dir=str(REPO / "templates"),
        root=base,
        settings=Settings.of(config),
        area=preview.area,
    )
    trees = tree_paths(base, preview.area.slug, str(config["edition"]))
    return {"trees": trees, "charts": charts, "findings": findings, "html": html}


def test_a_technical_report_in_the_public_edition_is_disclosure_controlled(
    with_public_technical, threshold
):
    trees, charts = with_public_technical["trees"], with_public_technical["charts"]
    public = trees["public"]
    for name in ("technical.html", "technical.pdf"):
        assert (public / name).is_file()
    assert list((public / "data" / "technical").glob("*.csv"))
    assert_public_tree_is_safe(public, trees["internal"], charts, threshold)
    html = with_public_technical["html"]
    assert "not for publication" not in html
    assert f"This report uses a threshold of {threshold}" in html
    # The technical wording of the findings quotes counts as computed: not published here.
    findings = with_public_technical["findings"]
    quoted = [f["technical"] for family in findings.values() for f in family]
    assert quoted and not any(q in html for q in quoted)
    # The PDF prints no number the HTML does not.
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.DOTALL)
    allowed = _tokens(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))
    text = subprocess.run(
        ["pdftotext", "-layout", str(public / "technical.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    allowed |= {str(n) for n in range(1, text.count("\f") + 2)}  # "Page n of N"
    assert not _tokens(text) - allowed
    index = (public / "index.html").read_text(encoding="utf-8")
    assert 'href="technical.pdf"' in index and "kept for internal circulation" not in index


def test_the_public_technical_pdf_leaves_no_lone_row_on_a_page(preview, with_public_technical):
    from pipeline.render.pages import lone_rows, table_parts
    from pipeline.render.pdf import laid_out

    document = laid_out(with_public_technical["html"], preview.settings)
    assert len({p.table for p in table_parts(document)}) >= 5
    assert lone_rows(document) == []
    assert len(document.pages) <= 30  # issue 16, as the internal one
