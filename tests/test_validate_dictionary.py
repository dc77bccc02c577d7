"""The data dictionary is generated from the schemas and kept current in docs/."""

from __future__ import annotations

import re

from pipeline.validate import dictionary
from pipeline.validate.schemas import CROSS_FIELD_RULES, MODELS, keep_rules


def test_docs_data_dictionary_is_current(repo):
    committed = (repo / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == dictionary.render_markdown(), (
        "docs/data-dictionary.md is out of date: run "
        "python -m pipeline.validate.dictionary --out docs/data-dictionary.md"
    )


def test_command_writes_the_page(tmp_path):
    out = tmp_path / "dd.md"
    assert dictionary.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == dictionary.render_markdown()


def test_every_column_and_rule_is_in_the_table():
    table = dictionary.data_dictionary()
    assert list(table.columns) == [
        "input",
        "file",
        "column",
        "type",
        "required",
        "allowed_values",
        "rule",
        "kind",
        "on_failure",
    ]
    for kind, model in MODELS.items():
        rows = table[table["input"] == kind]
        assert set(model.to_schema().columns) <= set(rows["column"]), kind
        for rule in keep_rules(kind):
            match = rows[
                rows["on_failure"].str.contains(f"counted as '{rule.reason}'", regex=False)
            ]
            assert list(match["kind"]) == [rule.kind], (kind, rule.reason)
    documented_rules = set(table["rule"])
    assert {rule.rule for rule in CROSS_FIELD_RULES.values()} <= documented_rules
    assert set(table["kind"]) == {"stop", "keep", "exclude", "-"}
    # Every Stop entry says what to do about it.
    stops = table[table["kind"] == "stop"]
    assert (stops["on_failure"].str.len() > len("Stop. ")).all()


def test_dictionary_describes_the_documented_columns(repo):
    """Every schema column is named in docs/data-contracts.md, and every typed column of its
    tables has a schema."""
    contracts = (repo / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    cells = re.findall(r"^\| ([a-z_, ]+) \|", contracts, flags=re.M)
    cells += re.findall(r"`([a-z_, ]+)`", contracts)
    documented = {name.strip() for cell in cells for name in cell.split(",")}
    schema_columns = {c for m in MODELS.values() for c in m.to_schema().columns}
    for kind, model in MODELS.items():
        for column in model.to_schema().columns:
            assert column in documented, f"{kind}.{column} is not in data-contracts.md"
    typed = re.findall(r"^\| ([a-z_, ]+) \| (?:str|int|date|time|float) \|", contracts, flags=re.M)
    typed_columns = {name.strip() for cell in typed for name in cell.split(",")}
    assert len(typed_columns) > 25
    assert typed_columns <= schema_columns
