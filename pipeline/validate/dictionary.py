"""The data dictionary, generated from the pandera schemas (never written by hand).

``python -m pipeline.validate.dictionary --out docs/data-dictionary.md`` writes the Markdown
page; :func:`data_dictionary` gives the same content as a tidy table for the technical report.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import pandas as pd

from pipeline.validate import rules as r
from pipeline.validate.cross import CROSS_INPUT_CHECKS, CROSS_INPUT_NOTES
from pipeline.validate.schemas import (
    EMPTY_ROW_REASON,
    MODELS,
    input_metadata,
    keep_rules,
    lookup_cross_field_rule,
)
from pipeline.validate.stop_search import dictionary_markdown as stop_search_dictionary

#: Validated dtype of each value format (whole numbers are Int64 where a value may be empty).
_DTYPES = {
    "text": "str",
    "whole number": "int64",
    "number": "float64",
    "date": "datetime64",
    "time": "str",
    "Y/N": "bool",
}


@dataclass(frozen=True)
class Entry:
    """One line of the data dictionary: a column's rule and what happens when it fails."""

    input: str
    file: str
    column: str
    type: str
    required: str
    allowed_values: str
    rule: str
    kind: str
    on_failure: str


def _allowed(check_stats: dict, name: str) -> str:
    """Allowed values of one pandera built-in check, in words."""
    if "allowed_values" in check_stats:
        return ", ".join(map(str, check_stats["allowed_values"]))
    if name == "in_range":
        return f"{check_stats['min_value']} to {check_stats['max_value']}"
    if name == "greater_than_or_equal_to":
        return f"{check_stats['min_value']} or more"
    if "pattern" in check_stats:
        return f"`{check_stats['pattern']}`"
    return ""


def column_entries(kind: str) -> list[Entry]:
    """One entry per contract column: type, whether required, allowed values and its rules."""
    schema = MODELS[kind].to_schema()
    file = str(input_metadata(kind)["file"])
    entries = []
    for name, column in schema.columns.items():
        meta = column.metadata or {}
        fmt = meta["format"]
        dtype = "Int64" if fmt == "whole number" and column.nullable else _DTYPES[fmt]
        allowed = meta.get("allowed") or "; ".join(
            a for a in (_allowed(c.statistics or {}, c.name) for c in column.checks) if a
        )
        rules = [f"is {r.FORMAT_HELP[fmt]}"] if fmt != "text" else []
        if meta.get("rule"):
            rules.append(meta["rule"])
        if column.unique:
            rules.append(f"each {name} appears once")
        if not column.nullable:
            rules.append("value required")
        required = "yes" if not column.nullable else "no (may be empty)"
        if meta.get("optional_column"):
            required = "no (column optional)"
        fix = meta.get("fix") or _generic_fix(name, fmt, nullable=column.nullable)
        entries.append(
            Entry(
                input=kind,
                file=file,
                column=name,
                type=f"{fmt} ({dtype})",
                required=required,
                allowed_values=allowed,
                rule="; ".join(rules) or "-",
                kind="stop" if rules else "-",
                on_failure=f"Stop. {fix}".strip() if fix else "-",
            )
        )
    return entries


def _generic_fix(name: str, fmt: str, *, nullable: bool) -> str:
    """What a good value looks like, for a column that declares no fix of its own."""
    if fmt == "text":
        return "" if nullable else f"{name} must not be empty."
    return f"{name} must be {r.FORMAT_HELP[fmt]}" + (", or empty." if nullable else ".")


def rule_entries(kind: str) -> list[Entry]:
    """Entries for the input's unique key, cross-field rules and keep-and-count rules."""
    schema = MODELS[kind].to_schema()
    meta = input_metadata(kind)
    file = str(meta["file"])
    entries = []
    if schema.unique:
        key = ", ".join(schema.unique)
        entries.append(
            Entry(
                kind,
                file,
                schema.unique[0],
                "-",
                "-",
                "-",
                f"{meta['unique_rule']} ({key})",
                "stop",
                f"Stop. {meta['unique_fix']}",
            )
        )
    for check in schema.checks:
        declared = lookup_cross_field_rule(check.name)
        entries.append(
            Entry(
                kind,
                file,
                declared.column,
                "-",
                "-",
                "-",
                declared.rule,
                declared.kind,
                f"Stop. {declared.fix}",
            )
        )
    for column, rule, fix in meta.get("geometry_rules", ()):
        entries.append(Entry(kind, file, column, "-", "-", "-", rule, "stop", f"Stop. {fix}"))
    if kind != "boundaries":
        entries.append(
            Entry(
                kind,
                file,
                "(all)",
                "-",
                "-",
                "-",
                "row not blank",
                "exclude",
                f"Excluded, counted as '{EMPTY_ROW_REASON}'.",
            )
        )
    for rule in keep_rules(kind):
        outcome = "Kept" if rule.kind == "keep" else "Excluded"
        entries.append(
            Entry(
                kind,
                file,
                rule.column,
                "-",
                "-",
                "-",
                rule.when,
                rule.kind,
                f"{outcome}, counted as '{rule.reason}'.",
            )
        )
    return entries


def data_dictionary() -> pd.DataFrame:
    """Every column and rule of every input, as a tidy table (one row per entry)."""
    rows = [astuple(e) for kind in MODELS for e in column_entries(kind) + rule_entries(kind)]
    frame = pd.DataFrame(rows, columns=[f.name for f in fields(Entry)])
    return frame.astype("str")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


_PREAMBLE = """\
# Data dictionary

Generated from the pandera schemas in `pipeline/validate/schemas.py` by
`python -m pipeline.validate.dictionary --out docs/data-dictionary.md`; do not edit it by hand
(a test fails when it is out of date). The contracts themselves are described in
`docs/data-contracts.md`.

## How the files are read

- CSV text in UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
  Windows-1252 (what Excel writes on Windows); LF, CRLF or CR line ends.
- Quoted fields may hold commas, quotes (doubled) and line breaks. Messages give the line on
  which a record starts in the file, so a record after a multi-line field keeps its true line.
- Columns may come in any order; spaces around names and values are ignored.
- Dates are `YYYY-MM-DD` or one of the formats in config `input_formats.date_formats`
  (day first, as UK spreadsheets write them). Times are `HH:MM` on the 24-hour clock (seconds,
  which Excel adds, are dropped). Whole numbers may be written `12.0` or `1,234` (Excel).
- `.xlsx` workbooks are read from the sheet named after the input (e.g. `victims`), or the
  first sheet; messages then give the sheet row.
- The LSOA boundaries are GeoJSON; messages give the feature number.

## What happens when a rule fails

- **stop**: the run stops with a non-zero exit status and a message naming the file, the
  column, the rule and the first few offending lines with the offending value of that column
  (never other columns). Messages about the victim extract give the lines and no values at all:
  victim records are personal data, and the messages reach the console and the logs. The full
  list, values included, is written to `data/processed/validation/<input>.failures.csv`
  (columns `input, source_line, column, rule, value`), which is never published. Every input
  also stops when the file cannot be read, when a contract column is missing or an unknown
  column is present, when a record has more or fewer fields than the header, or when it has no
  data rows. The victim extract also stops when line 1 names none of its columns, not even
  misspelt (a record, not a header), and the message does not repeat it.
- **keep**: the row is used, and counted under the named category.
- **exclude**: the row is left out of the analysis, and counted under the named reason.

Every input gets a reconciliation table: rows read = rows used + rows excluded (by reason),
with the counts of rows kept under each category.
"""


def render_markdown() -> str:
    """The whole data dictionary as Markdown."""
    out = [_PREAMBLE]
    for number, kind in enumerate(MODELS, start=1):
        meta = input_metadata(kind)
        out.append(f"## {number}. {meta['title']}: `{meta['file']}` (input `{kind}`)\n")
        out.append(" ".join((MODELS[kind].__doc__ or "").split()) + "\n")
        out += _table(
            ["column", "type", "required", "allowed values", "description"],
            [
                [
                    f"`{e.column}`",
                    e.type,
                    e.required,
                    e.allowed_values,
                    _description(kind, e.column),
                ]
                for e in column_entries(kind)
            ],
        )
        out.append("")
        out += _table(
            ["column", "rule", "kind", "when it fails"],
            [
                [f"`{e.column}`" if e.column != "(all)" else e.column, e.rule, e.kind, e.on_failure]
                for e in column_entries(kind) + rule_entries(kind)
            ],
        )
        out.append("")
    # The optional stop-and-search input is not a contract file: its section comes from its
    # own model (the report's table, data_dictionary(), lists the contract files only).
    out.append(stop_search_dictionary(len(MODELS) + 1))
    out.append("## Police IC codes\n")
    out.append(
        "With `ethnicity_scheme: ic_code`, `victim_ethnicity` holds officer-defined IC "
        "codes, mapped to Census 2021 high-level groups (`ethnicity_group`) with this "
        "table. IC codes have no Mixed category: rates by ethnicity from IC-coded "
        "extracts carry that caveat.\n"
    )
    out += _table(
        ["IC code", "meaning", "Census 2021 group"],
        [[code, r.IC_CODE_LABELS[code], group] for code, group in r.IC_CODE_TO_GROUP.items()],
    )
    out.append("")
    out.append("## Rules across inputs (stop)\n")
    out.append(
        "Checked for each area once its inputs have passed their own rules "
        "(`check_cross_inputs`):\n"
    )
    out += [f"- {' '.join((check.__doc__ or '').split())}" for check in CROSS_INPUT_CHECKS]
    out.append("")
    out.append("## Kept and counted across inputs\n")
    out.append(
        "Listed in `cross-inputs.kept.csv` beside the area's failures CSV (columns `input, "
        "category, reason, rows, detail`), never dropped silently:\n"
    )
    out += [f"- {' '.join((note.__doc__ or '').split())}" for note in CROSS_INPUT_NOTES]
    return "\n".join(out) + "\n"


def _description(kind: str, column: str) -> str:
    """The description a contract column declares."""
    return str(MODELS[kind].to_schema().columns[column].description or "")


def main(argv: Sequence[str] | None = None) -> int:
    """Write the data dictionary to --out (or print it)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.validate.dictionary")
    parser.add_argument("--out", type=Path, help="Markdown file to write")
    args = parser.parse_args(argv)
    text = render_markdown()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
