"""Reports: Jinja safety, plain English, report content, tagged PDF/UA, determinism and the
comms bundle. The demo reports are built once (pipeline.render.preview) and read here."""

from __future__ import annotations

import copy
import hashlib
import logging
import re
import subprocess
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
import textstat
import yaml
from jinja2 import UndefinedError

from pipeline.charts.build import build_charts
from pipeline.charts.store import write_charts
from pipeline.editions import RESIDENT, TECHNICAL_INTERNAL, variant_for
from pipeline.render.bundle import deterministic_zip, write_bundle
from pipeline.render.context import build_context
from pipeline.render.html import make_environment, render_report, render_template
from pipeline.render.inputs import family_caveats, family_methods
from pipeline.render.pdf import PdfRenderError, pdf_bytes, with_fixed_dates, write_pdf
from pipeline.render.preview import PREVIEW_PROVENANCE, cached_preview, load_measures
from pipeline.render.quality import prose_blocks
from pipeline.settings import Area, Settings

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"


@pytest.fixture(scope="module")
def preview():
    return cached_preview()


@pytest.fixture(scope="module")
def resident_html(preview) -> str:
    return (preview.edition / "resident.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def technical_html(preview) -> str:
    return (preview.internal / "technical-internal.html").read_text(encoding="utf-8")


def prose(html: str) -> list[str]:
    return prose_blocks(html)


# --------------------------------------------------------------------------------------------
# Jinja
# --------------------------------------------------------------------------------------------


def test_environment_is_strict_and_escapes(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>{{ name }}</p>{{ missing }}", encoding="utf-8")
    env = make_environment(tmp_path)
    assert env.autoescape is True
    with pytest.raises(UndefinedError):
        env.get_template("t.html.j2").render(name="x")
    (tmp_path / "u.html.j2").write_text("<p>{{ name }}</p>", encoding="utf-8")
    assert render_template({"name": "<b>"}, tmp_path, "u.html.j2") == "<p>&lt;b&gt;</p>"
    with pytest.raises(FileNotFoundError):
        make_environment(tmp_path / "nowhere")


def test_render_report_refuses_a_context_of_the_other_audience(preview):
    with pytest.raises(ValueError, match="built for 'technical'"):
        render_report({"audience": "technical"}, TEMPLATES, "resident")


def test_a_script_in_the_data_is_escaped_everywhere(preview, tmp_path):
    tables, findings = load_measures(preview.measures)
    evil = "Oak <script>alert(1)</script> ward"
    hot = tables["hotspots"].copy()
    hot["ward_name"] = hot["ward_name"].astype(object).where(hot["ward_name"].isna(), evil)
    tables["hotspots"] = hot
    config = copy.deepcopy(preview.config)
    area = replace(preview.area, name="Waltham <script>alert(2)</script> Forest")
    narrative = yaml.safe_load(Path(area.narrative).read_text(encoding="utf-8"))
    narrative["help"][0]["detail"] = "Call <script>alert(3)</script> now."
    charts = tmp_path / "charts"
    for audience in ("resident", "technical"):
        folder = variant_for(audience).name
        write_charts(
            build_charts(tables, None, Settings.of(config), area, audience), charts, folder
        )
        context = build_context(
            audience=audience,
            tables=tables,
            findings=findings,
            chart_dir=charts,
            template_dir=TEMPLATES,
            narrative=narrative,
            settings=Settings.of(config),
            area=area,
            provenance=PREVIEW_PROVENANCE,
            reconciliation=None,
            dictionary=None,
        )
        html = render_report(context, TEMPLATES, audience)
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html  # the area name, escaped
        if audience == "resident":
            assert "Call &lt;script&gt;alert(3)&lt;/script&gt; now." in html
        assert "Oak &lt;script&gt;alert(1)&lt;/script&gt; ward" in html  # a ward name, escaped


# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------


def test_resident_text_is_plain_english(resident_html):
    blocks = prose(resident_html)
    text = "\n".join(blocks)
    assert len(text.split()) > 400  # the whole report's prose, not a fragment
    score = textstat.flesch_reading_ease(text)
    assert score >= 60, f"Flesch reading ease {score:.1f} is below 60"


def test_resident_report_has_its_parts(resident_html, preview):
    narrative = yaml.safe_load(Path(preview.area.narrative).read_text(encoding="utf-8"))
    for heading in (
        "Summary",
        "What we found",
        "What we will do",
        "Where to get help",
        "About the data",
    ):
        assert f">{heading}</h2>" in resident_html
    for domain in ("Strengthen", "Support", "Treat", "Curtail"):
        assert f">{domain}: " in resident_html
    assert narrative["domains"][0]["actions"][0] in resident_html
    _, findings = load_measures(preview.measures)
    quoted = [
        f["resident"] for family in findings.values() for f in family if f["topic"] != "monitoring"
    ]
    import html as htmllib

    text = htmllib.unescape(resident_html)
    assert quoted and all(q in text for q in quoted)
    assert "Synthetic demonstration data" in resident_html
    assert 'lang="en-GB"' in resident_html


def test_technical_report_has_methods_caveats_quality_dictionary_and_colophon(
    technical_html, preview
):
    import html as htmllib

    from pipeline.families.registry import edition_family_names

    text = htmllib.unescape(technical_html)
    families = edition_family_names(Settings.of(preview.config))
    for family, method in family_methods().items():
        first_words = re.sub(r"[*`]", "", method.strip().split("\n")[0])[:40]
        # A family the edition leaves out (no stop-and-search input) has no method text.
        shown = first_words in re.sub(r"<[^>]+>", "", text)
        assert shown == (family in families), family
    caveats = {f: c for f, c in family_caveats().items() if f in families}
    assert set(caveats) == {"disproportionality"}  # the ethnicity caveats (MoJ, RDU, YJB)
    assert not any(c in text for c in family_caveats()["stop_search"])
    for caveat in caveats["disproportionality"]:
        assert caveat in text
    assert "rows read" in text and "Data quality and row reconciliation" in text
    assert "offence_start_date" in text  # the data dictionary
    assert PREVIEW_PROVENANCE["commit"] in text
    assert f"Definitions version {preview.config['definitions']['version']}" in text
    assert "Internal – not for publication" in text


def test_the_internal_mark_follows_the_circulation_not_the_thresholds(preview, tmp_path):
    """Internal means the internal edition: marked even when both thresholds are equal (its
    measure tables are never suppressed); a technical report for the public never is."""
    tables, findings = load_measures(preview.measures)
    config = copy.deepcopy(preview.config)
    config["disclosure"]["technical_threshold"] = config["disclosure"]["resident_threshold"]
    common = dict(
        audience="technical", tables=tables, findings=findings, narrative={},
        settings=Settings.of(config), area=preview.area, provenance=PREVIEW_PROVENANCE,
        template_dir=TEMPLATES,
    )  # fmt: skip
    internal = build_context(circulation="internal", chart_dir=preview.charts, **common)
    assert internal["internal"] is True
    assert "Internal – not for publication" in render_report(internal, TEMPLATES, "technical")
    charts = build_charts(tables, None, Settings.of(config), preview.area, "technical", "public")
    folder = tmp_path / "charts"
    write_charts(charts, folder, "technical")
    public = build_context(circulation="public", chart_dir=folder, **common)
    assert public["internal"] is False
    assert "not for publication" not in render_report(public, TEMPLATES, "technical")


def test_html_is_deterministic(preview, resident_html):
    tables, findings = load_measures(preview.measures)
    narrative = yaml.safe_load(Path(preview.area.narrative).read_text(encoding="utf-8"))
    context = build_context(
        audience="resident",
        tables=tables,
        findings=findings,
        chart_dir=preview.charts,
        template_dir=TEMPLATES,
        narrative=narrative,
        settings=Settings.of(preview.config),
        area=preview.area,
        provenance=PREVIEW_PROVENANCE,
    )
    assert render_report(context, TEMPLATES, "resident") == resident_html


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def _struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    out, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in items:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                stack.append(kid)
    return out


@pytest.mark.parametrize("variant", [RESIDENT, TECHNICAL_INTERNAL], ids=lambda v: v.name)
def test_pdf_is_tagged_pdf_ua_with_fixed_metadata(preview, variant):
    tree = preview.internal if variant.internal else preview.edition
    path = tree / variant.file_name("pdf")
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert "Serious violence" in str(pdf.docinfo["/Title"])
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20250701")
        assert str(pdf.docinfo["/ModDate"]).startswith("D:20250701")
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "pdfuaid:part" in xmp and ">1<" in xmp.replace('"1"', ">1<")
        assert len(pdf.Root.Outlines.keys()) and int(pdf.Root.Outlines.Count) != 0  # bookmarks
        width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        elements = _struct_elements(pdf)
        tags = [str(e.S) for e in elements]
        figures = [e for e in elements if str(e.S) == "/Figure"]
        assert figures and all("/Alt" in f and str(f.Alt).strip() for f in figures)
        assert "/Table" in tags and "/TH" in tags and "/H1" in tags
        pages = len(pdf.pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    per_page = text.split("\f")[:pages]
    for number, page in enumerate(per_page, start=1):
        assert "Synthetic demonstration data" in page, f"page {number} has no synthetic-data mark"
        assert f"Page {number} of {pages}" in page
        # Every page of an internal report says so; no page of a public one does.
        marked = "Internal – not for publication" in page
        assert marked == variant.internal, f"page {number}: internal mark {marked}"


def test_pdf_fails_on_any_weasyprint_error(tmp_path, preview):
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body>'
        '<img src="missing-image.png"></body></html>'
    )
    with pytest.raises(PdfRenderError, match="error"):
        write_pdf(html, tmp_path / "x.pdf", preview.settings)
    assert not (tmp_path / "x.pdf").exists()


def test_pdf_bytes_are_reproducible(preview, resident_html):
    first = pdf_bytes(resident_html, preview.settings)
    assert first == pdf_bytes(resident_html, preview.settings)
    assert first == (preview.edition / "resident.pdf").read_bytes()


def test_fixed_dates_replace_any_in_the_html():
    html = (
        '<html><head><meta name="dcterms.created" content="1999-01-01">'
        "<title>x</title></head></html>"
    )
    out = with_fixed_dates(html, pd.Timestamp("2025-07-01").date())
    assert out.count("dcterms.created") == 1 and "1999" not in out
    assert '<meta name="dcterms.modified" content="2025-07-01">' in out


# --------------------------------------------------------------------------------------------
# Bundle
# --------------------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href"]


TREES = {
    "public": ("index.html", ("resident.html", "resident.pdf")),
    "internal": ("index-internal.html", ("technical-internal.html", "technical-internal.pdf")),
}


def _tree(preview, circulation):
    return preview.internal if circulation == "internal" else preview.edition


@pytest.mark.parametrize("circulation", sorted(TREES))
def test_each_index_links_its_reports_and_every_csv(preview, circulation):
    tree = _tree(preview, circulation)
    index_file, reports = TREES[circulation]
    index = (tree / index_file).read_text(encoding="utf-8")
    # Only the internal index carries the internal banner; the public one says where the
    # technical report went.
    assert ('class="banner banner--internal"' in index) == (circulation == "internal")
    if circulation == "public":
        assert "The technical report, which shows every count, is kept for internal" in index
    parser = Links()
    parser.feed(index)
    local = [h for h in parser.hrefs if not h.startswith("#")]
    assert set(reports) <= set(local)
    assert not any("technical" in h for h in local) or circulation == "internal"
    csvs = sorted(p.relative_to(tree).as_posix() for p in (tree / "data").rglob("*.csv"))
    assert csvs and set(csvs) <= set(local)
    assert all((tree / h).exists() for h in local)
    # Each report's own CSV links resolve from its tree too.
    for report in (r for r in reports if r.endswith(".html")):
        links = Links()
        links.feed((tree / report).read_text(encoding="utf-8"))
        hrefs = [h for h in links.hrefs if h.endswith(".csv")]
        assert hrefs
        for href in hrefs:
            assert (tree / href).exists(), (report, href)


@pytest.mark.parametrize("circulation", sorted(TREES))
def test_zip_is_deterministic_and_complete(preview, tmp_path, circulation):
    from pipeline.editions import report_variants

    tree = _tree(preview, circulation)
    index_file, reports = TREES[circulation]
    zip_path = next(tree.glob("*.zip"))
    first = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    variants = [v for v in report_variants(preview.settings) if v.circulation == circulation]
    write_bundle(tree, TEMPLATES, preview.settings, preview.area, circulation, variants)
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == first
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        # Everything in the tree but the manifest (which hashes the zip) and the zip itself.
        files = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
        assert set(names) == files - {zip_path.name, next(tree.glob("MANIFEST*.json")).name}
        assert {index_file, *reports} <= set(names)
        assert all(i.date_time == (2025, 7, 1, 0, 0, 0) for i in archive.infolist())
        assert archive.read(reports[0]) == (tree / reports[0]).read_bytes()
    # The same files zipped from another folder give the same bytes.
    other = tmp_path / "copy"
    for name in names:
        (other / name).parent.mkdir(parents=True, exist_ok=True)
        (other / name).write_bytes((tree / name).read_bytes())
    deterministic_zip(
        other, tmp_path / "again.zip", list(reversed(names)), pd.Timestamp("2025-07-01").date()
    )
    assert (tmp_path / "again.zip").read_bytes() == zip_path.read_bytes()


def test_weasyprint_errors_are_not_swallowed_by_logging_config(preview, tmp_path):
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    try:
        html = (
            "<!DOCTYPE html><html><head><title>t</title></head><body><p>no lang</p></body></html>"
        )
        with pytest.raises(PdfRenderError):
            write_pdf(html, tmp_path / "y.pdf", preview.settings)
    finally:
        logging.getLogger("weasyprint").setLevel(logging.NOTSET)


def test_pdf_metadata_names_the_commit_and_configuration(preview):
    """The PDF's Keywords carry the key parts of the provenance (MANIFEST.json has the rest)."""
    with pikepdf.open(preview.internal / "technical-internal.pdf") as pdf:
        keywords = str(pdf.docinfo["/Keywords"])
    assert f"commit {PREVIEW_PROVENANCE['commit']}" in keywords
    assert "config sha256" in keywords


def test_pdf_links_stay_relative_and_bytes_do_not_depend_on_the_folder(preview):
    """Links to the CSVs must work beside the published PDF, wherever it was rendered."""
    with pikepdf.open(preview.edition / "resident.pdf") as pdf:
        uris = [
            str(annotation.A.URI)
            for page in pdf.pages
            for annotation in page.get("/Annots", [])
            if "/A" in annotation and "/URI" in annotation.A
        ]
    csv_links = [uri for uri in uris if uri.endswith(".csv")]
    assert csv_links, "the resident PDF should link to its CSV downloads"
    assert all(uri.startswith("data/") for uri in csv_links), csv_links[:3]


# --------------------------------------------------------------------------------------------
# An SNA from public data alone: "not available" in place of the who and when charts
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def not_available_reports(tmp_path_factory) -> dict[str, str]:
    """Both reports from tiny tables: who and when "not available", nothing else measured."""
    from pipeline.families.common import MEASURE_COLUMNS, not_available_rows
    from pipeline.families.disproportionality import measures as disproportionality
    from pipeline.families.registry import family_findings, family_named
    from pipeline.families.timing import measures as timing

    config = yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))
    # No wards or stop-and-search family: nothing else measured.
    config["public_sources"].pop("mps_ward_crime")
    config.pop("stop_search")
    area = config["areas"][0]
    narrative = yaml.safe_load((REPO / area["narrative"]).read_text(encoding="utf-8"))
    empty = pd.DataFrame(columns=MEASURE_COLUMNS)
    tables = {f: empty for f in ("key_metric", "trend", "hotspots", "months", "deprivation",
                                 "monitoring")}  # fmt: skip
    findings = {}
    for family, module in (("disproportionality", disproportionality), ("timing", timing)):
        tables[family] = not_available_rows(
            family,
            module.NEEDS_VICTIM_DATA,
            definition=Settings.of(config).definitions.key_metric,
            settings=Settings.of(config),
            area_code=area["code"],
        )
        findings[family] = family_findings(
            family_named(family), tables[family], Settings.of(config)
        )
    charts = tmp_path_factory.mktemp("charts")
    html = {}
    for audience in ("resident", "technical"):
        write_charts([], charts, variant_for(audience).name)
        context = build_context(
            audience=audience, tables=tables, findings=findings, chart_dir=charts,
            template_dir=TEMPLATES, narrative=narrative, settings=Settings.of(config),
            area=Area.of(area), provenance=PREVIEW_PROVENANCE,
        )  # fmt: skip
        html[audience] = render_report(context, TEMPLATES, audience)
    return html


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_resident_report_says_not_available_in_place_of_the_charts(not_available_reports):
    html = not_available_reports["resident"]
    who, when = _section(html, "who"), _section(html, "when")
    assert "We cannot say from public data who the victims are" in who
    assert (
        "victims by ethnic group and age against the people who live here is not available "
        "from public data" in who
    )
    assert "by day of the week and time of day is not available from public data" in when
    # No ethnicity caveat about numbers that are not there.
    assert "These numbers do not tell us why" not in who
    assert "<figure" not in who + when


def test_technical_report_says_not_available_and_prints_no_nan(not_available_reports):
    html = not_available_reports["technical"]
    who = _section(html, "measures-disproportionality")
    assert "not available from public data: needs record-level victim data" in who
    assert "No chart: these measures are not available from public data" in who
    assert "Caveats for ethnicity comparisons" not in who
    assert not re.search(r">\s*nan\b|\bnan;", html)


# --------------------------------------------------------------------------------------------
# The technical report: read by analysts, not a table dump (issue 16)
# --------------------------------------------------------------------------------------------

#: A machine id such as kcwi_1_24_rate (definition id, ages, then the measure's name).
MACHINE_ID = re.compile(r"\b[a-z]+_\d+_\d+_[a-z0-9_]+")


def _words_outside_links_and_code(html: str) -> str:
    """The page's text without styles, charts, code cells, <code> and link targets."""
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<(td|th)\b[^>]*class="code"[^>]*>.*?</\1>', " ", html, flags=re.DOTALL)
    html = re.sub(r"<code>.*?</code>", " ", html, flags=re.DOTALL)
    html = re.sub(r'\s(?:href|id|aria-labelledby|aria-describedby)="[^"]*"', " ", html)
    return html


def test_the_technical_report_prints_no_machine_id(technical_html, preview):
    text = _words_outside_links_and_code(technical_html)
    found = sorted(set(MACHINE_ID.findall(text)))
    assert not found, found[:10]
    # The check can fail: the measure tables it no longer prints are full of them.
    ids = set(preview.table("key_metric")["measure_id"])
    assert any(MACHINE_ID.fullmatch(i) for i in ids)
    assert MACHINE_ID.search(_words_outside_links_and_code("<p>kcwi_1_24_rate</p>"))


def test_the_technical_report_opens_with_the_indicator_summary(technical_html, preview):
    import html as htmllib

    parser = Links()
    parser.feed(technical_html)
    first = technical_html.index('<section id="indicators"')
    assert first < technical_html.index('<section id="summary"')
    summary = htmllib.unescape(_section(technical_html, "indicators"))
    km = preview.table("key_metric")
    area = km.loc[
        (km["measure_id"] == "kcwi_1_24_rate")
        & (km["period"] == preview.config["edition"])
        & (km["group"] == "Area")
    ].iloc[0]
    # The row's value, interval, count, comparators and comparison, from the measure table.
    assert f"{area['value']:.1f} ({area['lower']:.1f} to {area['upper']:.1f})" in summary
    assert f">{int(area['numerator'])}<" in summary
    neighbours = km.loc[
        (km["measure_id"] == "kcwi_1_24_rate")
        & (km["period"] == preview.config["edition"])
        & (km["group"] == "Statistical neighbours (pooled)")
    ].iloc[0]
    assert f"{neighbours['value']:.1f} (" in summary
    comparison = f"{area['comparison_95'].lower()} / {area['comparison_998'].lower()}"
    assert comparison in summary
    # Colour is never the only signal: a tinted cell says its comparison in words.
    for cell in re.findall(r'<td class="tone tone--(\w+)"[^>]*>([^<]*)</td>', summary):
        assert cell[0] in cell[1].split(" / ")[-1], cell
    assert "Rate: knife crime with injury among under-25s" in summary


def test_each_family_section_links_its_full_measure_table(technical_html, preview):
    from pipeline.editions import measure_table_path
    from pipeline.families.registry import edition_family_names

    for family in edition_family_names(Settings.of(preview.config)):
        section = _section(technical_html, f"measures-{family.replace('_', '-')}")
        href = measure_table_path(family)
        assert f'href="{href}"' in section, family
        assert (preview.internal / href).is_file()


def test_the_demo_technical_pdf_reads_well(preview):
    with pikepdf.open(preview.internal / "technical-internal.pdf") as pdf:
        pages = len(pdf.pages)
    assert pages <= 45, pages  # 76 before the redesign; see the target below


def test_the_demo_technical_pdf_is_at_most_30_pages(preview):
    # Issue 16: 41 pages before long tables moved to their CSVs (29 after).
    with pikepdf.open(preview.internal / "technical-internal.pdf") as pdf:
        assert len(pdf.pages) <= 30, len(pdf.pages)


def test_print_rules_repeat_headers_and_keep_headings_and_rows_together():
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    assert "thead { display: table-header-group; }" in printed
    assert re.search(r"h2, h3, h4, caption[^{]*\{[^}]*break-after: avoid", printed)
    # Neither the first nor the last row of a table is left alone on a page.
    first_rows = r"tbody tr:first-child, tbody tr:nth-child\(2\) \{ break-before: avoid"
    assert re.search(first_rows, printed)
    assert re.search(r"tbody tr:last-child[^{]*\{ break-before: avoid", printed)
