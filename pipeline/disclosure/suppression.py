"""Primary and secondary suppression over any cells and margins, and blanking table columns.

:func:`protect` works on any set of cells (a mapping from a hashable key to a count) and
margins, so one call can cover every table of a report: a number that appears in two tables
gets one decision. It returns the suppressed keys and an audit log saying which rule
suppressed each cell.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.disclosure.policy import (
    DisclosurePolicy,
    Margin,
    cell_label,
    determined_cells,
    sort_key,
)


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect`: suppressed keys and why each was suppressed."""

    suppressed: frozenset[Hashable]
    audit: pd.DataFrame = field(repr=False)

    def is_suppressed(self, key: Hashable) -> bool:
        return key in self.suppressed


def _check_cells(counts: Mapping[Hashable, float], margins: Sequence[Margin]) -> None:
    for key, value in counts.items():
        if value is None or not math.isfinite(float(value)) or float(value) < 0:
            raise ValueError(f"disclosure: cell {key!r} has count {value!r}; counts must be >= 0")
    for margin in margins:
        missing = [m for m in margin.members() if m not in counts]
        if missing:
            raise ValueError(
                f"disclosure: margin {margin.name!r} refers to unknown cells {missing}"
            )
        parts_sum = sum(float(counts[p]) for p in margin.parts)
        if abs(parts_sum - float(counts[margin.total])) > 1e-6 * max(1.0, parts_sum):
            raise ValueError(
                f"disclosure: margin {margin.name!r}: parts sum to {parts_sum:g} but the total "
                f"cell {margin.total!r} is {float(counts[margin.total]):g}; a published total "
                "must equal its parts"
            )


def _complement(
    margin: Margin,
    counts: Mapping[Hashable, float],
    suppressed: set[Hashable],
    by_cell: Mapping[Hashable, Sequence[Margin]],
    keep: set[Hashable] = frozenset(),  # type: ignore[assignment]
) -> Hashable | None:
    """The cell to suppress next in ``margin`` (which has a hidden cell that needs cover).

    Candidates are its published non-zero cells (a zero is never hidden: a reader would know
    it). Preferred, in order: a cell whose other margins already hold exactly one hidden cell
    (hiding it protects that margin too, building the classic rectangle of four cells) and
    that opens no new exposed margin; then the smallest value (least information lost); then
    parts before the total; then key order, for determinism.
    """
    candidates = [m for m in margin.members() if m not in suppressed and float(counts[m]) > 0]
    if not candidates:
        return None

    def score(cell: Hashable) -> tuple[int, int, float, int, str]:
        balance = 0
        for other in by_cell.get(cell, ()):
            if other is margin:
                continue
            hidden = sum(x in suppressed for x in other.members())
            balance += 1 if hidden == 0 else (-1 if hidden == 1 else 0)
        return (
            int(cell in keep),
            balance,
            float(counts[cell]),
            int(cell == margin.total),
            sort_key(cell),
        )

    return min(candidates, key=score)


def protect(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    policy: DisclosurePolicy,
    keep: Iterable[Hashable] = (),
) -> Protection:
    """Suppress every count from 1 to the threshold and enough others that none can be
    recovered from the published margins.

    ``keep`` names cells that other text already publishes (e.g. a count quoted in a
    finding); they are chosen as complements only when nothing else will do.

    Raises ``ValueError`` for a negative or missing count, or a margin whose parts do not add
    up to its total (the tables would contradict each other).
    """
    _check_cells(counts, margins)
    ordered = sorted(counts, key=sort_key)
    suppressed: set[Hashable] = set()
    audit: list[dict[str, str]] = []
    for key in ordered:
        if policy.active and policy.is_primary(float(counts[key])):
            suppressed.add(key)
            audit.append(
                {
                    "cell": cell_label(key),
                    "rule": "primary",
                    "reason": f"count from 1 to {policy.threshold}",
                }
            )
    if policy.secondary and suppressed:
        _secondary(counts, sorted(margins, key=lambda m: m.name), suppressed, audit, set(keep))
    frame = pd.DataFrame(audit, columns=["cell", "rule", "reason"])
    return Protection(frozenset(suppressed), frame)


def _secondary(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    suppressed: set[Hashable],
    audit: list[dict[str, str]],
    keep: set[Hashable],
) -> None:
    """Add complementary suppressions until no suppressed cell is determined."""
    by_cell: dict[Hashable, list[Margin]] = {}
    for margin in margins:
        for member in margin.members():
            by_cell.setdefault(member, []).append(margin)

    def add(cell: Hashable, margin: Margin, protected: Hashable) -> None:
        suppressed.add(cell)
        audit.append(
            {
                "cell": cell_label(cell),
                "rule": "secondary",
                "reason": f"stops {cell_label(protected)} being worked out from {margin.name}",
            }
        )

    while True:
        # Fast pass: a margin with exactly one hidden member gives it away by subtraction.
        changed = True
        while changed:
            changed = False
            for margin in margins:
                hidden = [m for m in margin.members() if m in suppressed]
                if len(hidden) == 1:
                    cell = _complement(margin, counts, suppressed, by_cell, keep)
                    if cell is not None:
                        add(cell, margin, hidden[0])
                        changed = True
        # Exact pass: combinations of margins (and the "at least 1" bound) can still pin
        # a cell down, e.g. two hidden cells that must add up to 2.
        exposed = determined_cells(counts, margins, suppressed)
        if not exposed:
            return
        progress = False
        for cell in exposed:
            options = sorted(
                by_cell.get(cell, []),
                key=lambda m: (sum(x in suppressed for x in m.members()), m.name),
            )
            for margin in options:
                complement = _complement(margin, counts, suppressed, by_cell, keep)
                if complement is not None:
                    add(complement, margin, cell)
                    progress = True
                    break
            if progress:
                break
        if not progress:
            # Every cell of every margin around it is hidden already; nothing left to hide.
            return


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def grid_margins(
    frame: pd.DataFrame,
    dims: Sequence[str],
    key_columns: Sequence[str],
    total_label: str = "All",
    name: str = "",
) -> list[Margin]:
    """Margins of a table laid out as a grid with total rows.

    ``dims`` are the classifying columns; a row whose value in a dimension is ``total_label``
    is the total over that dimension. For every dimension and every combination of the other
    dimensions' values, the rows with a real value form the parts and the ``total_label`` row
    (if the table has it) the total. Cells are keyed by the values of ``key_columns``.
    """
    margins: list[Margin] = []
    keys = [tuple(row) for row in frame[list(key_columns)].itertuples(index=False)]
    positions = {
        tuple(row): keys[i] for i, row in enumerate(frame[list(dims)].itertuples(index=False))
    }
    for d, dim in enumerate(dims):
        others = [x for x in range(len(dims)) if x != d]
        groups: dict[tuple, list[tuple]] = {}
        for position in positions:
            groups.setdefault(tuple(position[x] for x in others), []).append(position)
        for other_values, members in sorted(groups.items(), key=lambda kv: repr(kv[0])):
            totals = [p for p in members if p[d] == total_label]
            parts = [p for p in members if p[d] != total_label]
            if len(totals) == 1 and parts:
                label = (
                    ", ".join(f"{dims[x]}={v}" for x, v in zip(others, other_values, strict=True))
                    or "all"
                )
                margins.append(
                    Margin(
                        name=f"{name} total over {dim} ({label})".strip(),
                        total=positions[totals[0]],
                        parts=tuple(positions[p] for p in sorted(parts, key=repr)),
                    )
                )
    return margins


def suppress_columns(
    frame: pd.DataFrame,
    hidden: pd.Series,
    columns: Sequence[str],
) -> pd.DataFrame:
    """Blank (set to NA) ``columns`` where ``hidden`` is true; adds a ``suppressed`` flag."""
    out = frame.copy()
    mask = hidden.reindex(out.index).fillna(False).astype(bool)
    for column in columns:
        if column in out.columns:
            out[column] = out[column].astype("object").where(~mask, None)
    out["suppressed"] = mask.to_numpy() | (
        out["suppressed"].astype(bool).to_numpy() if "suppressed" in frame.columns else False
    )
    return out
