"""Statistical disclosure control for published tables: primary and secondary suppression.

Policy (DESIGN.md "Disclosure control"; methods.md section 6):

* **Primary suppression**: a count greater than 0 and at most ``threshold`` is never shown.
  Zero is shown (it discloses nothing about a person).
* **Secondary suppression**: where a table also publishes totals (margins), a suppressed
  cell could be worked out by subtraction. More cells are suppressed until no suppressed cell
  can be pinned down by *any* combination of the published totals, checked exactly with
  linear programming: for every suppressed cell the smallest and largest values consistent
  with everything published (and with every suppressed count being at least 1) must differ
  by at least 1.
* **Derived values**: rates, shares, intervals and ratios computed from a suppressed count,
  or a share whose total is suppressed, are suppressed with it.

:func:`protect` works on any set of cells (a mapping from a hashable key to a count) and
margins (``total = sum(parts)``), so one call can cover every table of a report: a number
that appears in two tables gets one decision. It returns the suppressed keys and an audit
log saying which rule suppressed each cell. :func:`protect_measure_tables` applies it to the
tidy measure tables of the SNA.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from pipeline.editions import threshold, variant_for

#: Symbol printed for a suppressed value (GSS guidance on symbols: "[c]" = confidential).
MARKER = "[c]"
#: A suppressed cell is protected when its feasible range is at least this wide.
MIN_PROTECTION_WIDTH = 1.0
_TOL = 1e-7


@dataclass(frozen=True)
class DisclosurePolicy:
    """Who may see what: counts from 1 to ``threshold`` are suppressed."""

    threshold: int
    secondary: bool = True
    marker: str = MARKER

    def __post_init__(self) -> None:
        if int(self.threshold) != self.threshold or self.threshold < 0:
            raise ValueError(
                f"disclosure threshold must be a whole number >= 0, got {self.threshold!r}"
            )

    @classmethod
    def for_report(
        cls, config: Mapping[str, Any], report: str, circulation: str
    ) -> DisclosurePolicy:
        """The policy of ``report`` ("resident" or "technical") published at ``circulation``
        ("public" or "internal"): anything public is held to the resident threshold, whatever
        the report; the internal edition to the technical threshold."""
        variant = variant_for(report, circulation)  # refuses a resident report kept internal
        return cls(threshold=threshold(config, variant.circulation))

    @property
    def active(self) -> bool:
        """False when nothing can be suppressed (threshold 0)."""
        return self.threshold > 0

    def is_primary(self, count: float) -> bool:
        """True for a count in (0, threshold]: shown, it could identify someone."""
        return bool(0 < count <= self.threshold)


@dataclass(frozen=True)
class Margin:
    """A published additive relation: the cell ``total`` equals the sum of ``parts``."""

    name: str
    total: Hashable
    parts: tuple[Hashable, ...]

    def members(self) -> tuple[Hashable, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect`: suppressed keys and why each was suppressed."""

    suppressed: frozenset[Hashable]
    audit: pd.DataFrame = field(repr=False)

    def is_suppressed(self, key: Hashable) -> bool:
        return key in self.suppressed


def _sort_key(key: Hashable) -> str:
    """Keys of mixed types sort by their text, so results never depend on set order."""
    return repr(key)


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


def feasible_ranges(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    suppressed: Iterable[Hashable],
) -> dict[Hashable, tuple[float, float]]:
    """Smallest and largest value each suppressed cell could take, given what is published.

    A reader knows every published cell, every margin equation and that a suppressed count
    is at least 1 (never a 0: zeros are not hidden); a fractional count (an aoristic weight)
    is only known to be at least 0. The ranges come from two linear programmes per cell
    (scipy's HiGHS), solved within each group of cells linked by margins; ``inf`` means
    unbounded.
    """
    hidden = sorted(set(suppressed), key=_sort_key)
    if not hidden:
        return {}
    index = {key: i for i, key in enumerate(hidden)}
    equations: list[tuple[dict[int, float], float]] = []
    for margin in margins:
        coefficients: dict[int, float] = {}
        known = 0.0
        for key, sign in [(p, 1.0) for p in margin.parts] + [(margin.total, -1.0)]:
            if key in index:
                coefficients[index[key]] = coefficients.get(index[key], 0.0) + sign
            else:
                known += sign * float(counts[key])
        coefficients = {i: c for i, c in coefficients.items() if c != 0}
        if coefficients:
            equations.append((coefficients, -known))
    lower_bounds = [1.0 if float(counts[k]).is_integer() else 0.0 for k in hidden]
    ranges: dict[Hashable, tuple[float, float]] = {}
    for members, rows in _components(len(hidden), equations):
        if not rows:
            for i in members:
                ranges[hidden[i]] = (lower_bounds[i], math.inf)
            continue
        local = {i: j for j, i in enumerate(members)}
        matrix = np.zeros((len(rows), len(members)))
        rhs = np.zeros(len(rows))
        for r, (coefficients, value) in enumerate(rows):
            for i, c in coefficients.items():
                matrix[r, local[i]] = c
            rhs[r] = value
        bounds = [(lower_bounds[i], None) for i in members]
        for i in members:
            ranges[hidden[i]] = (
                _optimise(local[i], 1.0, matrix, rhs, bounds),
                -_optimise(local[i], -1.0, matrix, rhs, bounds),
            )
    return ranges


def _components(
    n: int, equations: list[tuple[dict[int, float], float]]
) -> list[tuple[list[int], list[tuple[dict[int, float], float]]]]:
    """Group hidden cells that share an equation (union-find), with their equations."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefficients, _ in equations:
        first, *rest = coefficients
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, tuple[list[int], list[tuple[dict[int, float], float]]]] = {}
    for i in range(n):
        groups.setdefault(find(i), ([], []))[0].append(i)
    for equation in equations:
        groups[find(next(iter(equation[0])))][1].append(equation)
    return [groups[root] for root in sorted(groups)]


def _optimise(
    i: int, sign: float, matrix: np.ndarray, rhs: np.ndarray, bounds: list[tuple[float, None]]
) -> float:
    """min (sign * x_i) subject to the margin equations and the lower bounds."""
    objective = np.zeros(matrix.shape[1])
    objective[i] = sign
    result = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
    if result.status == 3:  # unbounded
        return -math.inf
    if result.status != 0:
        raise RuntimeError(f"disclosure: feasibility check failed ({result.message})")
    return float(result.fun)


def determined_cells(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    suppressed: Iterable[Hashable],
) -> list[Hashable]:
    """Suppressed cells a reader could pin down to a range narrower than 1 (sorted)."""
    ranges = feasible_ranges(counts, margins, suppressed)
    return sorted(
        (k for k, (lo, hi) in ranges.items() if hi - lo < MIN_PROTECTION_WIDTH - _TOL),
        key=_sort_key,
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
            _sort_key(cell),
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
    ordered = sorted(counts, key=_sort_key)
    suppressed: set[Hashable] = set()
    audit: list[dict[str, str]] = []
    for key in ordered:
        if policy.active and policy.is_primary(float(counts[key])):
            suppressed.add(key)
            audit.append(
                {
                    "cell": _label(key),
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
                "cell": _label(cell),
                "rule": "secondary",
                "reason": f"stops {_label(protected)} being worked out from {margin.name}",
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


def _label(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " | ".join(str(k) for k in key)
    return str(key)


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


# --------------------------------------------------------------------------------------------
# The SNA measure tables
# --------------------------------------------------------------------------------------------

#: Columns blanked with a suppressed numerator (everything computed from the count).
DERIVED_COLUMNS: tuple[str, ...] = (
    "numerator",
    "value",
    "lower",
    "upper",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "series_count",
    "series_rate",
    "eb_rate",
    "possible_numerator",
    "reference_numerator",
)
#: Measures whose numerator is not a count of people or incidents (ranks, populations).
NOT_COUNTS: tuple[str, ...] = ("_population_share", "_placebo_rank", "_slope_rank")
#: Measures whose denominator is itself a count of people or incidents (a share's total).
COUNT_DENOMINATORS: tuple[str, ...] = (
    "_victim_share",
    "_gap",
    "_share_ratio",
    "_unknown_ethnicity_share",
    "_headline_bounds",
    "_headline_share",
    "pct_share",
    "near_school_share",
    "near_school_ratio",
    "school_day_rate_ratio",
    "school_day_share",
    "after_school_share",
    "after_school_ratio",
    "after_school_rate_ratio",
    "most_deprived_20_share",
    "most_deprived_20_ratio",
    "row_reconciliation",
)


@dataclass(frozen=True)
class ProtectedTables:
    """Measure tables after disclosure control, with the audit log of what was hidden.

    Each table gains ``numerator_suppressed`` and ``denominator_suppressed``; suppressed
    values (and everything derived from them) are blank.
    """

    tables: dict[str, pd.DataFrame]
    protection: Protection
    policy: DisclosurePolicy
    blocks: pd.DataFrame | None = None

    @property
    def audit(self) -> pd.DataFrame:
        return self.protection.audit


def _ends(measure_id: str, suffixes: Sequence[str]) -> bool:
    return any(measure_id.endswith(s) for s in suffixes)


def numerator_counts_people(measure_id: Any) -> bool:
    """False for measures whose numerator is not a count (a rank, a population share)."""
    return not _ends(str(measure_id), NOT_COUNTS)


def is_measure(measure_id: Any, name: str) -> bool:
    """True when a measure id is ``name`` or ``<definition id>_<name>`` (e.g. ``sv_0_24_gini``)."""
    text = str(measure_id)
    return text == name or text.endswith("_" + name)


def _cell_key(family: str, row: Mapping[str, Any], column: str) -> tuple[str, ...]:
    """The ledger key of a count in a measure row. Rows that repeat the same count (a
    disproportionality cell's share, gap, ratios and rate; an LSOA's rate and Gi*) share one
    key, so one decision covers every place the number appears."""
    measure = str(row["measure_id"])
    definition, period, group = str(row["definition"]), str(row["period"]), str(row["group"])
    if family == "disproportionality":
        root = measure.split("_")
        base = "_".join(root[:3]) if len(root) >= 3 else measure
        if column == "numerator" and measure.endswith("_unknown_ethnicity_share"):
            return (family, base, period, group, "unknown")
        if column == "numerator":
            return (family, base, period, group, "victims")
        age = str(row.get("age_group", ""))
        if measure.endswith(("_unknown_ethnicity_share", "_headline_bounds")):
            return (family, base, period, age, "all victims")
        return (family, base, period, age, "known victims")
    if family == "hotspots" and (
        is_measure(measure, "lsoa_rate") or is_measure(measure, "gi_star")
    ):
        return (family, definition, period, group, "lsoa")
    return (family, measure, definition, period, group, column)


def measure_ledger(
    tables: Mapping[str, pd.DataFrame],
) -> tuple[dict[Hashable, float], list[Margin], dict[tuple[str, int, str], Hashable]]:
    """Every published count of the SNA measure tables, the margins that tie them together,
    and which cell each (family, row, column) shows.

    Margins: LSOAs add up to their ward and to the located total; wards and IMD deciles add
    up to the located total; disproportionality groups add up to the victims of known
    ethnicity and sex, and male + female to "All"; weekday-hour cells add up to the incidents
    with a start time; every row reconciliation adds up to the rows read.
    """
    counts: dict[Hashable, float] = {}
    where: dict[tuple[str, int, str], Hashable] = {}
    for family, table in sorted(tables.items()):
        if family == "monitoring":
            continue  # indicators repeat other tables' numbers; handled in apply
        for i, row in enumerate(table.to_dict("records")):
            measure = str(row["measure_id"])
            columns = []
            if not _ends(measure, NOT_COUNTS) and not _missing(row.get("numerator")):
                columns.append("numerator")
            if _ends(measure, COUNT_DENOMINATORS) and not _missing(row.get("denominator")):
                columns.append("denominator")
            for column in columns:
                key = _cell_key(family, row, column)
                value = float(row[column])
                if key in counts and abs(counts[key] - value) > 1e-9:
                    raise ValueError(
                        f"disclosure: the {family} table gives {column} {value:g} in row {i} "
                        f"({measure}, {row['group']}) but {counts[key]:g} elsewhere for the "
                        "same count; the tables contradict each other"
                    )
                counts[key] = value
                where[(family, i, column)] = key
    _alias_totals(tables, counts, where)
    margins = _sna_margins(tables, where, counts)
    return counts, margins, where


#: Measures whose numerator is a total that a row reconciliation also gives.
TOTAL_NUMERATORS: tuple[str, ...] = ("gini", "sii", "rii", "decile_rate_ratio")


def _alias_totals(
    tables: Mapping[str, pd.DataFrame],
    counts: dict[Hashable, float],
    where: dict[tuple[str, int, str], Hashable],
) -> None:
    """Point repeated totals at one cell: a share's total (or a Gini's event count) that
    equals a row reconciliation's "rows read" or "used" count for the same definition and
    period is that count, so it must be hidden whenever that count is."""
    for family in ("hotspots", "timing", "deprivation"):
        table = tables.get(family)
        if table is None:
            continue
        records = table.to_dict("records")
        totals: dict[tuple[str, str, float], Hashable] = {}
        for i, r in enumerate(records):
            group = str(r["group"])
            if is_measure(r["measure_id"], "row_reconciliation") and (
                group == "rows read" or group.startswith("used:")
            ):
                key = where[(family, i, "numerator")]
                totals.setdefault((str(r["definition"]), str(r["period"]), counts[key]), key)
        for i, r in enumerate(records):
            for column in ("numerator", "denominator"):
                key = where.get((family, i, column))
                if key is None:
                    continue
                is_total = column == "denominator" or any(
                    is_measure(r["measure_id"], m) for m in TOTAL_NUMERATORS
                )
                target = totals.get((str(r["definition"]), str(r["period"]), counts[key]))
                if is_total and target is not None and target != key:
                    where[(family, i, column)] = target
                    if key not in where.values():
                        counts.pop(key, None)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sna_margins(
    tables: Mapping[str, pd.DataFrame],
    where: Mapping[tuple[str, int, str], Hashable],
    counts: Mapping[Hashable, float],
) -> list[Margin]:
    margins: list[Margin] = []

    def rows_of(family: str, measure: str | None = None) -> list[tuple[int, dict[str, Any]]]:
        table = tables.get(family)
        if table is None:
            return []
        records = list(enumerate(table.to_dict("records")))
        return [
            (i, r) for i, r in records if measure is None or is_measure(r["measure_id"], measure)
        ]

    def add(name: str, total: Hashable | None, parts: list[Hashable]) -> None:
        parts = sorted(set(parts), key=_sort_key)
        if total is None or not parts or total in parts:
            return
        if abs(sum(counts[p] for p in parts) - counts[total]) > 1e-6 * max(1.0, counts[total]):
            return  # not an additive relation in this data (e.g. a part left out); no margin
        margins.append(Margin(name, total, tuple(parts)))

    # Row reconciliations: rows read = sum of the steps (per family, definition and period).
    for family in ("hotspots", "timing", "deprivation"):
        groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        for i, r in rows_of(family, "row_reconciliation"):
            groups.setdefault((str(r["definition"]), str(r["period"])), []).append((i, r))
        for (definition, period), rows in sorted(groups.items()):
            total = next(
                (where.get((family, i, "numerator")) for i, r in rows if r["group"] == "rows read"),
                None,
            )
            steps = [
                where[(family, i, "numerator")]
                for i, r in rows
                if r["group"] != "rows read"
                and str(r["group"]).split(":")[0] in ("merged", "excluded", "used")
                and "only" not in str(r["group"])
            ]
            add(f"{family} {definition} {period} row reconciliation", total, steps)

    # Where: LSOAs -> wards -> located total; IMD deciles -> located total.
    located: dict[tuple[str, str], Hashable] = {}
    for i, r in rows_of("hotspots", "row_reconciliation"):
        if str(r["group"]).startswith("used:"):
            located[(str(r["definition"]), str(r["period"]))] = where[("hotspots", i, "numerator")]
    lsoas = rows_of("hotspots", "lsoa_rate")
    wards = {
        (str(r["definition"]), str(r["period"]), str(r["group"])): where[
            ("hotspots", i, "numerator")
        ]
        for i, r in rows_of("hotspots", "ward_rate")
    }
    by_ward: dict[tuple[str, str, str], list[Hashable]] = {}
    by_total: dict[tuple[str, str], list[Hashable]] = {}
    for i, r in lsoas:
        key = where[("hotspots", i, "numerator")]
        by_total.setdefault((str(r["definition"]), str(r["period"])), []).append(key)
        if not _missing(r.get("ward_code")):
            by_ward.setdefault(
                (str(r["definition"]), str(r["period"]), str(r["ward_code"])), []
            ).append(key)
    for ident, parts in sorted(by_ward.items()):
        add(f"LSOAs of ward {ident[2]} ({ident[0]} {ident[1]})", wards.get(ident), parts)
    for ident, parts in sorted(by_total.items()):
        add(f"LSOAs of the area ({ident[0]} {ident[1]})", located.get(ident), parts)
    ward_parts: dict[tuple[str, str], list[Hashable]] = {}
    for (definition, period, _), key in wards.items():
        ward_parts.setdefault((definition, period), []).append(key)
    for ident, parts in sorted(ward_parts.items()):
        add(f"wards of the area ({ident[0]} {ident[1]})", located.get(ident), parts)
    deciles: dict[tuple[str, str], list[Hashable]] = {}
    for i, r in rows_of("deprivation", "imd_decile_rate"):
        deciles.setdefault((str(r["definition"]), str(r["period"])), []).append(
            where[("deprivation", i, "numerator")]
        )
    dep_used = {
        (str(r["definition"]), str(r["period"])): where[("deprivation", i, "numerator")]
        for i, r in rows_of("deprivation", "row_reconciliation")
        if str(r["group"]).startswith("used:")
    }
    for ident, parts in sorted(deciles.items()):
        total = located.get(ident) or dep_used.get(ident)
        add(f"IMD deciles ({ident[0]} {ident[1]})", total, parts)
        if ident in dep_used and ident in located:
            add(
                f"located incidents ({ident[0]} {ident[1]}) in two tables",
                located[ident],
                [dep_used[ident]],
            )

    # Who: ethnic groups -> victims of known ethnicity and sex; male + female -> All.
    cells: dict[tuple[str, str, str, str], Hashable] = {}
    known: dict[str, Hashable] = {}
    for i, r in rows_of("disproportionality"):
        if not str(r["measure_id"]).endswith("_victim_share"):
            continue
        ident = (
            str(r.get("age_group")),
            str(r.get("ethnicity")),
            str(r.get("sex")),
            str(r["period"]),
        )
        cells[ident] = where[("disproportionality", i, "numerator")]
        known[ident[0] + "|" + ident[3]] = where[("disproportionality", i, "denominator")]
    for (age, ethnicity, sex, period), key in sorted(cells.items()):
        if sex == "All":
            parts = [
                cells[(age, ethnicity, s, period)]
                for s in ("Male", "Female")
                if (age, ethnicity, s, period) in cells
            ]
            add(f"male and female {ethnicity} victims, {age}", key, parts)
    for age_period, total in sorted(known.items()):
        age, period = age_period.split("|")
        parts = [k for (a, _, s, p), k in cells.items() if a == age and p == period and s == "All"]
        add(f"victims of known ethnicity and sex, {age}", total, parts)

    # When: weekday-hour cells -> incidents with a start time.
    hours = rows_of("timing", "hour_weekday")
    if hours:
        used = next(
            (
                where[("timing", i, "numerator")]
                for i, r in rows_of("timing", "row_reconciliation")
                if str(r["group"]).startswith("used:")
                and str(r["definition"]) == str(hours[0][1]["definition"])
                and str(r["period"]) == str(hours[0][1]["period"])
            ),
            None,
        )
        add("weekday-hour cells", used, [where[("timing", i, "numerator")] for i, _ in hours])
    return margins


def hour_blocks(timing: pd.DataFrame, hours_per_block: int) -> pd.DataFrame:
    """Weekday x block-of-hours sums of the weekday-hour grid (a coarser published view):
    columns ``weekday, block, value, hours`` (the hour cells' row positions)."""
    if 24 % hours_per_block:
        raise ValueError(f"hours_per_block must divide 24, got {hours_per_block}")
    grid = timing.reset_index(drop=True)
    grid = grid.loc[grid["measure_id"].map(lambda m: is_measure(m, "hour_weekday"))]
    if grid.empty:
        # No grid (a not-available timing table, or no incident with a start time): no
        # blocks, rather than grouping by columns such a table does not have.
        return pd.DataFrame(columns=["weekday_number", "weekday", "block", "value", "hours"])
    out = []
    for (day, weekday), rows in grid.groupby(["weekday_number", "weekday"], sort=True):
        for start in range(0, 24, hours_per_block):
            inside = rows.loc[
                (rows["hour"].astype(int) >= start)
                & (rows["hour"].astype(int) < start + hours_per_block)
            ]
            out.append(
                {
                    "weekday_number": int(day),
                    "weekday": str(weekday),
                    "block": f"{start:02d}:00-{start + hours_per_block:02d}:00",
                    "value": float(pd.to_numeric(inside["numerator"]).sum()),
                    "hours": tuple(int(i) for i in inside.index),
                }
            )
    return pd.DataFrame(out)


def protect_measure_tables(
    tables: Mapping[str, pd.DataFrame],
    policy: DisclosurePolicy,
    keep: Iterable[tuple[str, str, str, str]] = (),
    hours_per_block: int | None = None,
) -> ProtectedTables:
    """Apply the policy to every SNA measure table at once (one decision per count).

    ``keep`` lists (family, measure_id, period, group) rows whose numerator is quoted in a
    finding; they are hidden as complements only when nothing else will do. Rows whose
    numerator is hidden lose every value derived from it; share rows whose total is hidden
    lose the share. Monitoring indicators follow the row they quote. With
    ``hours_per_block``, weekday x block-of-hours sums of the timing grid are protected as
    well (returned as ``blocks`` with a ``hidden`` column), each tied to its hours by a margin.
    """
    counts, margins, where = measure_ledger(tables)
    blocks = None
    if hours_per_block and "timing" in tables:
        blocks = hour_blocks(tables["timing"], hours_per_block)
        for block in blocks.itertuples():
            key = ("timing", "block", block.weekday, block.block)
            counts[key] = block.value
            parts = [where[("timing", i, "numerator")] for i in block.hours]
            if parts:
                margins.append(Margin(f"hours of {block.weekday} {block.block}", key, tuple(parts)))
    keep_keys = set()
    for family, measure, period, group in keep:
        table = tables.get(family)
        if table is None:
            continue
        match = table.index[
            (table["measure_id"] == measure)
            & (table["period"] == period)
            & (table["group"] == group)
        ]
        keep_keys |= {
            where[(family, int(i), "numerator")]
            for i in match
            if (family, int(i), "numerator") in where
        }
    protection = protect(counts, margins, policy, keep=keep_keys)
    out: dict[str, pd.DataFrame] = {}
    for family, table in tables.items():
        frame = table.reset_index(drop=True)
        hidden_num = pd.Series(
            [
                where.get((family, i, "numerator")) in protection.suppressed
                for i in range(len(frame))
            ],
            index=frame.index,
        )
        hidden_den = pd.Series(
            [
                where.get((family, i, "denominator")) in protection.suppressed
                for i in range(len(frame))
            ],
            index=frame.index,
        )
        if family == "monitoring" and policy.active:
            hidden_num = (
                frame["numerator"]
                .map(lambda v: not _missing(v) and policy.is_primary(float(v)))
                .astype(bool)
            )
        blanked = suppress_columns(frame, hidden_num, DERIVED_COLUMNS)
        blanked = suppress_columns(blanked, hidden_den, ("denominator", "value", "lower", "upper"))
        blanked = blanked.drop(columns=["suppressed"])
        blanked["numerator_suppressed"] = hidden_num.to_numpy()
        blanked["denominator_suppressed"] = hidden_den.to_numpy()
        out[family] = blanked
    if blocks is not None:
        blocks = blocks.drop(columns=["hours"])
        blocks["hidden"] = [
            ("timing", "block", w, b) in protection.suppressed
            for w, b in zip(blocks["weekday"], blocks["block"], strict=True)
        ]
    return ProtectedTables(out, protection, policy, blocks)
