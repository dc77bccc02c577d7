"""The technical report's tables, kept to what an analyst reads in print: the rows a long
chart table prints (its CSV has them all)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.charts.store import RenderedChart
from pipeline.editions import RESIDENT, TECHNICAL_INTERNAL, TECHNICAL_PUBLIC
from pipeline.families.base import PrintedRows
from pipeline.render.chart_tables import chart_table, printed_rows
from pipeline.render.wording import Wording

REPO = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"
WORDS = Wording.read(REPO / "templates")
CHARTS = WORDS.part("charts")


def _chart(table: pd.DataFrame) -> RenderedChart:
    kinds = {c: ("text" if c in ("Hour", "Sex", "Group") else "count") for c in table.columns}
    return RenderedChart("when", "Title", "Alt", "", (), "<svg/>", table, kinds, Path("x.csv"))


GRID = pd.DataFrame(
    {
        "Hour": ["00", "01", "02", "03", "04"],
        "Monday": ["1.0", "[c]", "9.0", "2.0", "5.0"],
        "Tuesday": ["1.0", "[c]", "0.5", "2.5", "5.0"],
    }
)


def test_the_busiest_rows_are_picked_from_published_values_and_keep_their_order():
    picked = printed_rows(GRID, PrintedRows("when", 3, pick="busiest"))
    # Totals 2, 0 ([c] counts 0), 9.5, 4.5, 10: the three largest, in the table's order.
    assert list(picked["Hour"]) == ["02", "03", "04"]
    assert list(printed_rows(GRID, PrintedRows("when", 2))["Hour"]) == ["00", "01"]
    assert len(printed_rows(GRID, PrintedRows("when", 9, pick="busiest"))) == 5


def test_a_pick_keeps_the_tables_total_row():
    wards = pd.DataFrame({"Group": ["A", "B", "C", "All wards (X)"], "N": ["3", "2", "1", "6"]})
    picked = printed_rows(wards, PrintedRows("wards", 2))
    assert list(picked["Group"]) == ["A", "B", "All wards (X)"]
    table = chart_table(_chart(wards), TECHNICAL_INTERNAL, CHARTS, printed=PrintedRows("w", 2))
    assert table.rows[-1].total and "The first 2 of 3 rows" in " ".join(table.notes)


def test_a_where_pick_keeps_the_charts_rows_and_drops_its_column():
    who = pd.DataFrame(
        {"Group": ["A", "A", "B", "B"], "Sex": ["All", "Male", "All", "Male"], "N": [1, 2, 3, 4]}
    )
    table = chart_table(
        _chart(who),
        TECHNICAL_INTERNAL,
        CHARTS,
        printed=PrintedRows("who", 20, where=("Sex", "All")),
    )
    assert [r.header.text for r in table.rows] == ["A", "B"]
    assert [c.label for c in table.columns] == ["Group", "N"]
    assert "The 2 rows where sex is All, of 4" in " ".join(table.notes)


@pytest.mark.parametrize("variant", [TECHNICAL_INTERNAL, TECHNICAL_PUBLIC])
def test_a_technical_report_prints_the_pick_and_says_the_csv_has_every_row(variant):
    table = chart_table(_chart(GRID), variant, CHARTS, printed=PrintedRows("when", 2, "busiest"))
    assert [r.header.text for r in table.rows] == ["02", "04"]
    assert "The 2 of 5 rows with the most incidents" in " ".join(table.notes)
    assert table.csv_href and table.csv_href.endswith(".csv")


def test_the_resident_report_prints_every_row():
    table = chart_table(_chart(GRID), RESIDENT, CHARTS, printed=PrintedRows("when", 2))
    assert len(table.rows) == 5 and not table.notes


# --- The indicator summary ------------------------------------------------------------------


@pytest.fixture(scope="module")
def technical_html() -> str:
    from pipeline.render.preview import cached_preview

    preview = cached_preview()
    return (preview.internal / "technical-internal.html").read_text(encoding="utf-8")


def _table(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """A table's column headings and rows of cell texts (row header first)."""
    import re

    part = html[html.index(f'<table id="{table_id}"') :]
    part = part[: part.index("</table>")]
    cells = r"<t[hd](?:\s[^>]*)?>(.*?)</t[hd]>"
    head = re.findall(cells, part[part.index("<thead>") : part.index("</thead>")], re.DOTALL)
    rows = [
        re.findall(cells, row, re.DOTALL)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part[part.index("<tbody>") :], re.DOTALL)
    ]
    return head, rows


def test_the_indicator_summary_puts_the_compared_indicators_first(technical_html):
    head, rows = _table(technical_html, "indicator-summary")
    assert head[:3] == ["Indicator", "Count", "Value (95% interval)"] and len(head) == 8
    assert "Period" not in head  # every value is the edition's year, which the caption says
    assert any("Rate: knife crime with injury among under-25s" in r[0] for r in rows)
    # Each has a comparator or a trend; the others follow in their own table.
    assert all(r[3] != "–" or r[4] != "–" or r[7] != "–" for r in rows)
    head, others = _table(technical_html, "indicator-summary-other")
    assert head == ["Indicator", "Count", "Value (95% interval)"]
    assert len(others) >= 5 and all(len(r) == 3 for r in others)
    section = technical_html[technical_html.index('<section id="indicators"') :]
    assert section.index('id="indicator-summary"') < section.index('id="indicator-summary-other"')
    assert "Other indicators, 2024-25" in section


# --- Data quality: the inputs read in full share one table ---------------------------------


def _reconciliation(name: str, excluded: int, kept: int = 0) -> pd.DataFrame:
    rows = [
        ("read", "rows read", 100),
        ("used", "rows used", 100 - excluded),
        ("excluded", "empty row", 0),
        ("excluded", "outside the area", excluded),
    ]
    if kept:
        rows.append(("kept", "time not recorded (kept)", kept))
    return pd.DataFrame(rows, columns=["category", "reason", "rows"]).assign(input=name)


@pytest.mark.parametrize("threshold", [0, 10])
def test_inputs_read_in_full_share_a_table_and_the_others_keep_theirs(threshold):
    from pipeline.disclosure import DisclosurePolicy
    from pipeline.render.reconciliation import quality_section

    frame = pd.concat(
        [
            _reconciliation("areas", 0),
            _reconciliation("schools", 3),
            _reconciliation("lsoas", 0, kept=2),
            _reconciliation("victims", 0),
        ]
    )
    words = WORDS.part("technical").part("quality")
    section = quality_section(frame, DisclosurePolicy(threshold=threshold), words)
    ids = [t.id for t in section.tables]
    assert ids == [
        "reconciliation-in-full",
        "reconciliation-lsoas",
        "reconciliation-schools",
        "reconciliation-victims",
    ]
    full = section.tables[0]
    assert full.caption.startswith("1 input read in full")
    # Each input's balance in the words of the other inputs' captions.
    assert [(r.header.text, *(c.text for c in r.cells)) for r in full.rows] == [
        ("areas: 100 rows read = 100 used + 0 excluded (balances)", "empty row; outside the area")
    ]
    # Rows of victim records are counts of people: never in the shared table, whose rows
    # print no count cell.
    assert {c.kind for r in full.rows for c in r.cells} == {"text"}


# --- Data dictionary --------------------------------------------------------------------------


def test_the_dictionary_prints_the_extracts_rules_once_and_each_other_column_once():
    from pipeline.render.reference import dictionary_section
    from pipeline.validate.dictionary import data_dictionary

    dictionary = data_dictionary()
    section = dictionary_section(dictionary, WORDS.part("technical").part("dictionary"))
    tables = {t.id: t for t in section.tables}
    assert list(tables) == [
        "dictionary-victims",
        "dictionary-victims-checks",
        "dictionary-other-inputs",
    ]
    victims = dictionary.loc[dictionary["input"] == "victims"]
    # Every rule of the extract is printed: its columns' own, then the checks across them.
    assert len(tables["dictionary-victims"].rows) + len(
        tables["dictionary-victims-checks"].rows
    ) == len(victims)
    assert [c.label for c in tables["dictionary-victims"].columns][-1] == "Allowed values and rule"
    assert "stops the build" in tables["dictionary-victims"].notes[0]
    failures = [r.cells[-1].text for r in tables["dictionary-victims-checks"].rows]
    assert any(f.startswith("Excluded, counted as") for f in failures)
    assert any(f.startswith("Kept, counted as") for f in failures)
    for row in tables["dictionary-other-inputs"].rows:
        names = row.cells[0].text.split(", ")
        assert len(names) == len(set(names)) and "(all)" not in names, row.header.text
    schools = next(
        r for r in tables["dictionary-other-inputs"].rows if r.header.text == "schools.csv"
    )
    assert schools.cells[0].text == "urn, school_name, phase, easting, northing"


# --- The claims audit: each test described once ---------------------------------------------


@pytest.mark.parametrize("variant", [TECHNICAL_INTERNAL, TECHNICAL_PUBLIC])
def test_each_claims_test_is_described_once_and_named_by_its_key(variant):
    from pipeline.claims import Evidence
    from pipeline.findings import Finding
    from pipeline.render.technical import claims_table

    interval = "95% interval wholly above 1"
    findings = [
        Finding(
            id=f"f{n}",
            topic="trend",
            resident=f"Sentence {n}.",
            technical=f"Technical {n}.",
            status="ok",
            evidence=[
                Evidence("rising faster", "higher", f"ratio 1.{n}", interval),
                Evidence("went up", "higher", f"+{n}%", "t interval against 0"),
            ],
        )
        for n in (1, 2)
    ] + [Finding(id="f3", topic="trend", resident="Counted.", technical="T.", status="ok")]
    words = WORDS.part("technical")
    table = claims_table("trend", "Trend", findings, variant, words)
    assert table is not None
    # Each sentence heads a group (across the table), its claims under it.
    assert [(r.group, r.header.text) for r in table.rows] == [
        (True, "Sentence 1."),
        (False, "rising faster"),
        (False, "went up"),
        (True, "Sentence 2."),
        (False, "rising faster"),
        (False, "went up"),
        (True, "Counted."),
        (False, "No comparison claimed (stated as counted)"),
    ]
    claims = [r for r in table.rows if not r.group]
    assert [r.cells[-1].text for r in claims] == ["a", "b", "a", "b", ""]
    assert table.notes == (f"Test a: {interval}.", "Test b: t interval against 0.")
    headings = [c.label for c in table.columns]
    assert headings[0] == "Claim" and ("Statistic" in headings) == variant.internal


def test_a_grouped_table_prints_each_group_in_its_own_tbody():
    from pipeline.render.html import make_environment
    from pipeline.render.model import Cell, Column, Row, Table

    table = Table(
        "g",
        "Groups",
        (Column("Claim"), Column("Test")),
        (
            Row(Cell("Sentence one."), (), group=True),
            Row(Cell("claim 1"), (Cell("a"),)),
            Row(Cell("Sentence two."), (), group=True),
            Row(Cell("claim 2"), (Cell("b"),)),
        ),
    )
    env = make_environment(REPO / "templates")
    html = env.from_string('{% from "_macros.html.j2" import data_table %}{{ data_table(t) }}')
    out = html.render(t=table)
    assert out.count("<tbody>") == 2
    assert '<th scope="row" colspan="2">Sentence two.</th>' in out
    assert '<th scope="row"' in out


# --- Wide tables: the action tracker, and counts printed once -------------------------------


def test_the_action_tracker_has_its_statuses_across_and_a_row_per_domain():
    from pipeline.disclosure import DisclosurePolicy
    from pipeline.render.measure_tables import monitoring_tables

    rows = [
        {"measure_id": "actions_by_status", "group": f"{d}: {s}", "numerator": n,
         "domain": d, "action_status": s}
        for d, s, n in (("Strengthen", "On track", 2), ("Strengthen", "At risk", 1),
                        ("Support", "On track", 0), ("Support", "At risk", 3))
    ] + [{"measure_id": "actions_overdue", "group": "Support", "numerator": 1}]  # fmt: skip
    words = WORDS.part("technical").part("monitoring")
    (table,) = monitoring_tables(pd.DataFrame(rows), DisclosurePolicy(threshold=0), words)
    assert [c.label for c in table.columns] == [
        "Domain",
        "On track",
        "At risk",
        "Overdue (due, not complete)",
    ]
    assert [(r.header.text, *(c.text for c in r.cells)) for r in table.rows] == [
        ("Strengthen", "2", "1", ""),
        ("Support", "0", "3", "1"),
    ]


def test_a_count_is_printed_once_not_again_as_its_value(config):
    from pipeline.render.wide_tables import list_table, series_table
    from pipeline.settings import Settings

    rows = pd.DataFrame(
        {
            "measure_id": ["sv_0_24_row_reconciliation"] * 2 + ["sv_0_24_share"] * 2,
            "period": ["2023-24", "2024-25"] * 2,
            "group": ["rows read", "rows read", "Area", "Area"],
            "numerator": [100, 120, 10, 12],
            "value": [100.0, 120.0, 0.1, 0.12],
            "lower": [None, None, 0.05, 0.06],
            "upper": [None, None, 0.2, 0.22],
            "unit": ["victim rows"] * 2 + ["share"] * 2,
        }
    )
    settings = Settings.of(config)
    technical = WORDS.part("technical")
    counted = series_table(rows.iloc[:2], "t", settings, technical)
    assert [r.header.text for r in counted.rows] == ["rows read: count"]
    share = series_table(rows.iloc[2:], "t", settings, technical)
    assert [r.header.text for r in share.rows][-1] == "Area: value (95% interval)"
    # In a list, the count column has it and the value column says so.
    listed = list_table(rows.iloc[[1, 3]], "l", "List", settings, technical)
    assert [[c.text for c in r.cells][2:4] for r in listed.rows] == [["120", "–"], ["12", "0.120"]]


def test_definitions_listing_the_same_measures_share_one_table_side_by_side(config):
    from pipeline.render.wide_tables import family_tables
    from pipeline.settings import Settings

    settings = Settings.of(config)
    ids = [d.id for d in settings.definitions.metrics.values()][:2]
    frame = pd.DataFrame(
        [
            {"measure_id": f"{i}_{m}", "period": "2020-21 to 2024-25", "group": "Area",
             "numerator": n, "value": v, "lower": v - 1, "upper": v + 1, "unit": "% a year"}
            for i, n in zip(ids, (100, 40), strict=True)
            for m, v in (("annual_change", 10.0), ("growth_ratio", 1.1))
        ]
    )  # fmt: skip
    (table,) = family_tables(frame, "trend", "Trend", settings, WORDS.part("technical"))
    labels = [settings.definitions.metric(k).short_label for k in settings.definitions.metrics]
    assert [c.label for c in table.columns][3:] == [
        f"{labels[0]}: count",
        f"{labels[0]}: value (95% interval)",
        f"{labels[1]}: count",
        f"{labels[1]}: value (95% interval)",
    ]
    # (An interval's words are joined by no-break spaces: a narrow cell breaks before it.)
    assert [(r.header.text, *(c.text.replace(NBSP, "~") for c in r.cells)) for r in table.rows] == [
        ("Annual change in the rate (% a year)", "Area", "2020-21 to 2024-25", "100",
         "10.0 (9.0~to~11.0)", "40", "10.0 (9.0~to~11.0)"),
        ("Growth ratio against neighbours (% a year)", "Area", "2020-21 to 2024-25", "100",
         "1.1 (0.1~to~2.1)", "40", "1.1 (0.1~to~2.1)"),
    ]  # fmt: skip
    assert table.columns[2].nowrap  # the period stays on one line
    # Measures that differ between definitions keep a table each.
    one = frame.iloc[[0, 1, 2]]
    assert len(family_tables(one, "trend", "Trend", settings, WORDS.part("technical"))) == 2


# --- Said once: the summary's headlines, the ethnicity caveats ------------------------------


def _section_html(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    end = html.find('<section id="', html.index(">", start))
    return html[start:end]


def test_the_summary_gives_each_topics_headline_linked_to_its_section(technical_html):
    import html as htmllib
    import json

    from pipeline.render.preview import cached_preview

    summary = htmllib.unescape(_section_html(technical_html, "summary"))
    measures = cached_preview().measures
    findings = [
        f for path in sorted(measures.glob("*.findings.json")) for f in json.loads(path.read_text())
    ]
    key = next(f for f in findings if f["topic"] == "prevalence")
    assert key["resident"] in summary and key["technical"] not in summary
    assert 'href="#measures-key-metric"' in summary and "(see Key metric and benchmark)" in summary
    # The technical wording is in the section, once.
    assert htmllib.unescape(technical_html).count(key["technical"]) == 1


def test_the_ethnicity_caveats_are_printed_once_with_the_comparison(technical_html):
    import html as htmllib

    from pipeline.render.inputs import family_caveats

    text = htmllib.unescape(technical_html)
    for caveat in family_caveats()["disproportionality"]:
        assert text.count(caveat) == 1, caveat
        assert caveat in htmllib.unescape(
            _section_html(technical_html, "measures-disproportionality")
        )
    where = _section_html(technical_html, "caveats-ethnicity")
    assert 'href="#measures-disproportionality"' in where


def test_a_pivot_split_by_age_group_lays_the_age_groups_across(config):
    from pipeline.render.wide_tables import pivot_table
    from pipeline.settings import Settings

    settings = Settings.of(config)
    kid = settings.definitions.key_metric.id
    rows = pd.DataFrame(
        [
            {"measure_id": f"{kid}_{m}", "period": "2024-25", "group": f"{e} {a}",
             "age_group": a, "value": v, "lower": v - 1, "upper": v + 1, "unit": "x"}
            for e in ("Asian All", "Black Male")
            for a in ("Under 18", "18 to 24")
            for m, v in (("gap", 2.0), ("rate", 100.0))
        ]
    )  # fmt: skip
    table = pivot_table(rows, "p", "Who", settings, WORDS.part("technical"))
    assert [r.header.text for r in table.rows] == ["Asian All", "Black Male"]
    assert [c.label for c in table.columns][1:] == [
        "Under 18: Gap between victim share and population share",
        "Under 18: Rate",
        "18 to 24: Gap between victim share and population share",
        "18 to 24: Rate",
    ]
    assert len(table.rows[0].cells) == 4
    # Without the split in every group's name, groups stay down as they are.
    rows.loc[0, "group"] = "Asian All"
    assert len(pivot_table(rows, "p", "Who", settings, WORDS.part("technical")).rows) > 2
