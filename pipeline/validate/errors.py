"""Stop problems: the exception raised on bad input, its message and the failures CSV.

A Stop problem halts the run. The message names the file, the column, the rule and the first
few offending source lines, with the offending value of that column only. Messages about an
input of personal data (the victim extract) give line numbers and never values: they reach the
console and the logs, and a value may be an offence or victim id. The full list, values
included, goes to a failures CSV under data/processed/, which is never published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.validate.schemas import personal_inputs

#: Columns of every failures CSV, in this order.
FAILURE_COLUMNS: list[str] = ["input", "source_line", "column", "rule", "value"]

#: How many offending lines a message lists before "and N more".
LINES_SHOWN = 5

#: What a message says instead of the values of an input of personal data.
VALUES_WITHHELD = "values not shown: personal data"

#: Where failures CSVs go unless the caller names a path.
DEFAULT_FAILURES_DIR = Path("data/processed/validation")


@dataclass
class Problem:
    """One broken rule in one file, with every offending line and value."""

    input: str
    file: str
    rule: str
    fix: str
    column: str | None = None
    lines: list[int | None] = field(default_factory=list)
    values: list[str | None] = field(default_factory=list)
    unit: str = "line"
    detail: str | None = None
    #: False when ``values`` describe the lines (e.g. '17 fields') rather than hold cells.
    values_are_cells: bool = True

    def failure_rows(self) -> list[dict[str, object]]:
        """Rows for the failures CSV: one per offending line (or one if none)."""
        pairs = list(zip(self.lines, self.values, strict=True)) or [(None, self.detail)]
        return [
            {
                "input": self.input,
                "source_line": line,
                "column": self.column,
                "rule": self.rule,
                "value": value,
            }
            for line, value in pairs
        ]

    def paragraph(self, failures_path: Path | None) -> str:
        """The human message for this problem: file, column, rule, lines, values, fix."""
        where = f"column '{self.column}', " if self.column else ""
        text = f"{self.file}: {where}rule '{self.rule}' (stop): {self.detail or self._counts()}."
        if self.fix:
            text += f" {self.fix}"
        if failures_path is not None:
            text += f" Full list: {failures_path}"
        return text

    def _counts(self) -> str:
        """'2 rows fail, lines 14, 27: values '-3', '430'' (first few lines only; the values
        withheld for an input of personal data)."""
        n = len(self.lines)
        thing = "feature" if self.unit == "feature" else "row"
        noun = f"{thing} fails" if n == 1 else f"{thing}s fail"
        shown = [i for i, line in enumerate(self.lines) if line is not None][:LINES_SHOWN]
        text = f"{n} {noun}"
        withheld = self.values_are_cells and self.input in personal_inputs()
        if shown:
            units = self.unit if len(shown) == 1 else _plural(self.unit)
            text += f", {units} " + ", ".join(str(self.lines[i]) for i in shown)
            if n > len(shown):
                text += f" and {n - len(shown)} more"
            if withheld:
                return f"{text} ({VALUES_WITHHELD})"
            values = ", ".join(_quote(self.values[i]) for i in shown)
            text += f": {'value' if len(shown) == 1 else 'values'} {values}"
        elif withheld:
            return f"{n} {'value fails' if n == 1 else 'values fail'} ({VALUES_WITHHELD})"
        else:
            text = f"{n} {'value fails' if n == 1 else 'values fail'}: " + ", ".join(
                _quote(v) for v in self.values[:LINES_SHOWN]
            )
            if n > LINES_SHOWN:
                text += f" and {n - LINES_SHOWN} more"
        return text


def _plural(unit: str) -> str:
    """Plural of a source-location unit ('line' -> 'lines', 'sheet row' -> 'sheet rows')."""
    return unit + "s"


def _quote(value: str | None) -> str:
    """A value as shown in a message; empty values say so."""
    if value is None or value == "":
        return "(empty)"
    text = str(value)
    if len(text) > 60:  # a mis-parsed line can hold a whole record; keep messages short
        text = text[:57] + "..."
    return f"'{text}'"


class ValidationStop(Exception):
    """Raised when an input breaks a Stop rule; ``str()`` is the full human message."""

    def __init__(self, problems: Sequence[Problem], failures_path: Path | None = None):
        self.problems = list(problems)
        self.failures_path = failures_path
        super().__init__("\n\n".join(problem.paragraph(failures_path) for problem in self.problems))

    @property
    def failures(self) -> pd.DataFrame:
        """Every offending line of every problem, in the failures-CSV layout."""
        return failures_frame(self.problems)


def failures_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The failures table (input, source_line, column, rule, value), sorted for determinism."""
    rows = [row for problem in problems for row in problem.failure_rows()]
    frame = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    frame["source_line"] = frame["source_line"].astype("Int64")
    for name in ["input", "column", "rule", "value"]:
        frame[name] = frame[name].astype("str")
    return frame.sort_values(
        ["input", "source_line", "column", "rule"], na_position="first", kind="stable"
    ).reset_index(drop=True)


def write_failures(problems: Iterable[Problem], path: Path) -> None:
    """Write the failures CSV (header only when there are none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    failures_frame(problems).to_csv(path, index=False, lineterminator="\n")


def raise_stop(problems: Sequence[Problem], failures_path: Path) -> None:
    """Write the full failures list, then stop the run with the human message."""
    write_failures(problems, failures_path)
    raise ValidationStop(problems, failures_path)


class ProblemsFound(Exception):
    """Internal: a reader or checker found Stop problems; the caller adds the failures path."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} stop problem(s)")
