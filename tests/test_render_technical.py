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
