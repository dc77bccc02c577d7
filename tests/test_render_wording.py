"""The reports' fixed wording (templates/wording.yaml): every value it needs must be passed,
every entry asked for must exist, and it is plain text that the page escapes once."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from pipeline.render.html import render_template
from pipeline.render.wording import Wording

REPO = Path(__file__).resolve().parents[1]
WORDS = Wording.read(REPO / "templates")


def test_a_value_the_code_does_not_pass_is_an_error():
    with pytest.raises(UndefinedError):
        WORDS("resident.title", area="Hackney")  # no edition


def test_an_entry_that_does_not_exist_is_an_error_naming_the_file():
    with pytest.raises(KeyError, match="wording.yaml: no entry 'resident.nothing'"):
        WORDS("resident.nothing")
    with pytest.raises(KeyError, match="technical.quality"):
        WORDS.part("technical.quality")("nothing")


def test_folded_entries_are_one_paragraph_with_the_values_filled_in():
    text = WORDS.part("resident.about")("privacy", threshold=10)
    assert text.startswith("To protect people's privacy, we never show a number from 1 to 10.")
    assert "\n" not in text and "  " not in text


def test_wording_is_plain_text_that_the_page_escapes_once(tmp_path):
    title = WORDS("resident.title", area="Barking & Dagenham", edition="2024-25")
    assert title == "Serious violence in Barking & Dagenham: what the data tells us (2024-25)"
    (tmp_path / "t.html.j2").write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    html = render_template({"title": title}, tmp_path, "t.html.j2")
    assert (
        html
        == "<h1>Serious violence in Barking &amp; Dagenham: what the data tells us (2024-25)</h1>"
    )


def test_column_headings_follow_the_order_and_kinds_the_code_gives():
    columns = WORDS.part("technical.sources").columns(
        "columns", (("file", "text"), ("bytes", "number"))
    )
    assert [(c.label, c.kind) for c in columns] == [("File", "text"), ("Bytes", "number")]
