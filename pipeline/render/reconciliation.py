"""The technical report's data-quality section: every input's rows read = used + excluded,
by reason (the row reconciliation the validation step writes). Row counts of victim records
are disclosure-controlled in a public report; the inputs read in full (every row used, none
excluded) share one table, with the reasons they were checked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from pipeline.disclosure import MARKER, DisclosurePolicy, Margin, protect
from pipeline.formatting import fmt_count
from pipeline.render.model import Cell, Row, Section, Table
from pipeline.render.wording import Wording

#: Inputs whose rows are people (victim records): in a public report their row counts are
#: disclosure-controlled like any other count of people. Other inputs' rows (schools, LSOAs,
#: actions, comparator months) are shown as they are.
PERSON_LEVEL_INPUTS: frozenset[str] = frozenset({"victims"})


def _hidden_row_counts(rows: pd.DataFrame, policy: DisclosurePolicy) -> set[Any]:
    """Which rows of one input's reconciliation (by index, plus "excluded" for the excluded
    total in the caption) a public report hides: small counts, and enough others that
    rows read = rows used + rows excluded cannot give them back."""
    counts: dict[Any, float] = {i: float(n) for i, n in rows["rows"].items()}
    excluded = [i for i in rows.index if rows.at[i, "category"] == "excluded"]
    counts["excluded"] = float(sum(counts[i] for i in excluded))
    margins = [Margin("excluded rows", "excluded", tuple(excluded))] if excluded else []
    read, used = _only_row(rows, "read"), _only_row(rows, "used")
    if read is not None and used is not None:
        if counts[read] == counts[used] + counts["excluded"]:
            margins.append(Margin("rows read", read, (used, "excluded")))
    return set(protect(counts, margins, policy).suppressed)


def _only_row(rows: pd.DataFrame, category: str) -> Any:
    """The index of the one row of ``category`` (None if there is not exactly one)."""
    matches = rows.index[rows["category"] == category]
    return matches[0] if len(matches) == 1 else None


def _set_aside_only(rows: pd.DataFrame) -> bool:
    """Whether an input's rows are only what a public-data adapter set aside (the rows of
    ``adapter-exclusions.csv``, which name the built input in ``built``), with no rows read
    or used to sum."""
    return (
        "built" in rows.columns
        and rows["built"].notna().all()
        and not rows["category"].isin(["read", "used"]).any()
    )


def _slug(name: str) -> str:
    """An HTML id part from an input name: kind names as they are ('population_la'), a public
    file's name without spaces or punctuation ('public file: a b.csv' -> 'public-file-a-b-csv')."""
    if all(c.isalnum() or c in "_-" for c in name):
        return name
    return "-".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())


#: Category of a public-file entry that names an area the file has no data for (a neighbour
#: outside the MPS area, an area missing from the MYE): not a source row, so not excluded.
NOT_IN_FILE = "not in the file"


RECONCILIATION_COLUMNS: tuple[tuple[str, str], ...] = (("category", "text"), ("reason", "text"))


def _reconciliation_table(
    name: str, rows: pd.DataFrame, policy: DisclosurePolicy, words: Wording
) -> Table:
    rows = rows.reset_index(drop=True)
    hidden = (
        _hidden_row_counts(rows, policy) if policy.active and name in PERSON_LEVEL_INPUTS else set()
    )

    def shown(key: Any, value: Any) -> str:
        return MARKER if key in hidden else fmt_count(value)

    # Rows of victim records count people; rows of other inputs (schools, LSOAs) do not.
    kind = "count" if name in PERSON_LEVEL_INPUTS else "number"

    read = rows.loc[rows["category"] == "read", "rows"].sum()
    used = rows.loc[rows["category"] == "used", "rows"].sum()
    excluded = rows.loc[rows["category"] == "excluded", "rows"].sum()
    table_rows = tuple(
        Row(
            Cell(str(r["category"])),
            (Cell(str(r["reason"])), Cell(shown(i, r["rows"]), kind, i in hidden)),
        )
        for i, r in zip(rows.index, rows.to_dict("records"), strict=True)
    )
    if _set_aside_only(rows):
        # A public file's set-aside rows: its rows read and used are not listed, so no sum is
        # claimed; the built input they feed has its own balanced reconciliation.
        caption = words(
            "set_aside_caption",
            input=name,
            excluded=shown("excluded", excluded),
            missing=rows.loc[rows["category"] == NOT_IN_FILE, "reason"].nunique(),
            built=", ".join(sorted(set(rows["built"].dropna().astype(str)))),
        )
    else:
        caption = words(
            "caption",
            input=name,
            read=shown(_only_row(rows, "read"), read),
            used=shown(_only_row(rows, "used"), used),
            excluded=shown("excluded", excluded),
            balanced=int(read) == int(used) + int(excluded),
        )
    return Table(
        id=f"reconciliation-{_slug(name)}",
        caption=caption,
        columns=words.columns("columns", (*RECONCILIATION_COLUMNS, ("rows", kind))),
        rows=table_rows,
        compact=True,
    )


def read_in_full(name: str, rows: pd.DataFrame) -> bool:
    """Whether an input's every row read was used and none excluded or kept aside: it then
    goes in the shared table of inputs read in full. Victim records never do (their row
    counts are disclosure-controlled in their own table), nor a public file's rows set aside."""
    if name in PERSON_LEVEL_INPUTS or _set_aside_only(rows):
        return False
    if not rows["category"].isin(["read", "used", "excluded"]).all():
        return False
    read, used = _only_row(rows, "read"), _only_row(rows, "used")
    excluded = rows.loc[rows["category"] == "excluded", "rows"]
    return (
        read is not None
        and used is not None
        and int(rows.at[read, "rows"]) == int(rows.at[used, "rows"])
        and not (excluded != 0).any()
    )


def _in_full_table(inputs: Sequence[tuple[str, pd.DataFrame]], words: Wording) -> Table:
    """One row per input read in full: its balance, as each other input's table gives it in
    its caption ('areas: 12 rows read = 12 used + 0 excluded (balances)'), and the exclusions
    it was checked for (each with no row)."""
    out = []
    for name, rows in inputs:
        read = fmt_count(rows.loc[rows["category"] == "read", "rows"].sum())
        reasons = rows.loc[rows["category"] == "excluded", "reason"].astype(str)
        balance = words("caption", input=name, read=read, used=read, excluded="0", balanced=True)
        checked = "; ".join(reasons) if len(reasons) else words("in_full_no_checks")
        out.append(Row(Cell(balance), (Cell(checked),)))
    return Table(
        id="reconciliation-in-full",
        caption=words("in_full_caption", inputs=len(out)),
        columns=words.columns("in_full_columns", (("input", "text"), ("checked", "text"))),
        rows=tuple(out),
        compact=True,
    )


def quality_section(
    reconciliation: pd.DataFrame | None, policy: DisclosurePolicy, words: Wording
) -> Section:
    """Each input's reconciliation, by input: one table for the inputs read in full, then a
    table for each of the others (rows read, used, excluded and kept, by reason)."""
    body = [words("intro")]
    if policy.active:
        body.append(words("hidden", threshold=policy.threshold))
    tables = []
    if reconciliation is not None and len(reconciliation):
        inputs = [
            (str(name), rows.reset_index(drop=True))
            for name, rows in reconciliation.groupby("input", sort=True)
        ]
        full = [(name, rows) for name, rows in inputs if read_in_full(name, rows)]
        if full:
            tables.append(_in_full_table(full, words))
        tables += [
            _reconciliation_table(name, rows, policy, words)
            for name, rows in inputs
            if not read_in_full(name, rows)
        ]
    return Section(
        id="data-quality", heading=words("heading"), body=tuple(body), tables=tuple(tables)
    )
