"""Disclosure policy, published margins and the exact check of what a reader can work out.

A count greater than 0 and at most the policy's ``threshold`` is never shown (primary
suppression). A :class:`Margin` is a published additive relation (``total = sum(parts)``);
:func:`feasible_ranges` finds, by linear programming, the smallest and largest value every
suppressed cell could take given everything published, so secondary suppression
(:mod:`pipeline.disclosure.suppression`) can stop as soon as no hidden cell is pinned down.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.editions import variant_for
from pipeline.lazy import scipy_optimize as _optimize
from pipeline.settings import Settings

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
    def for_report(cls, settings: Settings, report: str, circulation: str) -> DisclosurePolicy:
        """The policy of ``report`` ("resident" or "technical") published at ``circulation``
        ("public" or "internal"): anything public is held to the resident threshold, whatever
        the report; the internal edition to the technical threshold."""
        variant = variant_for(report, circulation)  # refuses a resident report kept internal
        return cls(threshold=settings.threshold(variant.circulation))

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


def sort_key(key: Hashable) -> str:
    """Keys of mixed types sort by their text, so results never depend on set order."""
    return repr(key)


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
    ranges: dict[Hashable, tuple[float, float]] = {}
    for problem in _problems(counts, margins, suppressed):
        for j, key in enumerate(problem.keys):
            ranges[key] = (problem.solve(j, 1.0)[0], -problem.solve(j, -1.0)[0])
    return ranges


def determined_cells(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    suppressed: Iterable[Hashable],
) -> list[Hashable]:
    """Suppressed cells a reader could pin down to a range narrower than 1 (sorted).

    The same cells as :func:`feasible_ranges` would give, with far fewer programmes. Every
    solution of a group's equations is a set of values the table allows, so a cell that two
    solutions set at least 1 apart cannot be pinned down. Two programmes per group find such
    solutions for most cells at once: one that lifts as many cells as it can a little over 1
    above their lower bounds, and one that keeps them as low as it can (the sum of the
    group's cells at its minimum). Only the cells left unproven get their own two
    programmes, whose solutions widen the others' spreads too. In the demo's charts this is
    32 programmes instead of 934.
    """
    determined: list[Hashable] = []
    for problem in _problems(counts, margins, suppressed):
        if problem.matrix is None:
            continue  # no equation: unbounded above, never determined
        low = np.full(len(problem.keys), np.inf)
        high = np.full(len(problem.keys), -np.inf)
        _widen(low, high, problem.lifted())
        _widen(low, high, problem.lowest())
        for j, key in enumerate(problem.keys):
            if high[j] - low[j] >= MIN_PROTECTION_WIDTH + _WITNESS_MARGIN:
                continue
            smallest, point = problem.solve(j, 1.0)
            _widen(low, high, point)
            largest, point = problem.solve(j, -1.0)
            _widen(low, high, point)
            if -largest - smallest < MIN_PROTECTION_WIDTH - _TOL:
                determined.append(key)
    return sorted(determined, key=sort_key)


#: A spread seen in solutions proves a cell protected only this far past the width, so that
#: the solver's own tolerance (about 1e-7) can never turn a determined cell into a spared one.
_WITNESS_MARGIN = 1e-4


def _widen(low: np.ndarray, high: np.ndarray, point: np.ndarray | None) -> None:
    if point is not None:
        np.minimum(low, point, out=low)
        np.maximum(high, point, out=high)


@dataclass(frozen=True)
class _Problem:
    """One group of hidden cells linked by margins: ``matrix @ x == rhs``, ``x >= lower``
    (no matrix: the cells are in no equation together)."""

    keys: tuple[Hashable, ...]
    matrix: np.ndarray | None
    rhs: np.ndarray | None
    lower: tuple[float, ...]

    def solve(self, j: int, sign: float) -> tuple[float, np.ndarray | None]:
        """min (sign * x_j), and the solution (None when unbounded)."""
        if self.matrix is None:
            return (self.lower[j], None) if sign > 0 else (-math.inf, None)
        objective = np.zeros(len(self.keys))
        objective[j] = sign
        return self._minimise(objective)

    def lowest(self) -> np.ndarray | None:
        """A solution with the smallest sum of the group's cells."""
        return self._minimise(np.ones(len(self.keys)))[1]

    def lifted(self) -> np.ndarray | None:
        """A solution that lifts as many cells as it can by a little over 1 above their lower
        bounds: maximise the sum of t_j, with 0 <= t_j <= 1 + 2 * margin and t_j <= x_j - l_j."""
        assert self.matrix is not None
        n = len(self.keys)
        lift = MIN_PROTECTION_WIDTH + 2 * _WITNESS_MARGIN
        result = _optimize.linprog(
            np.concatenate([np.zeros(n), -np.ones(n)]),
            A_ub=np.hstack([-np.eye(n), np.eye(n)]),
            b_ub=-np.asarray(self.lower),
            A_eq=np.hstack([self.matrix, np.zeros((self.matrix.shape[0], n))]),
            b_eq=self.rhs,
            bounds=[(low, None) for low in self.lower] + [(0.0, lift)] * n,
            method="highs",
        )
        if result.status != 0:
            raise RuntimeError(f"disclosure: feasibility check failed ({result.message})")
        return np.asarray(result.x[:n], dtype=float)

    def _minimise(self, objective: np.ndarray) -> tuple[float, np.ndarray | None]:
        result = _optimize.linprog(
            objective,
            A_eq=self.matrix,
            b_eq=self.rhs,
            bounds=[(low, None) for low in self.lower],
            method="highs",
        )
        if result.status == 3:  # unbounded
            return -math.inf, None
        if result.status != 0:
            raise RuntimeError(f"disclosure: feasibility check failed ({result.message})")
        return float(result.fun), np.asarray(result.x, dtype=float)


def _problems(
    counts: Mapping[Hashable, float],
    margins: Sequence[Margin],
    suppressed: Iterable[Hashable],
) -> list[_Problem]:
    """The hidden cells' equations (what is published, moved to the right-hand side), one
    problem per group of cells that share an equation."""
    hidden = sorted(set(suppressed), key=sort_key)
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
    problems = []
    for members, rows in _components(len(hidden), equations):
        keys = tuple(hidden[i] for i in members)
        lower = tuple(lower_bounds[i] for i in members)
        if not rows:
            problems.append(_Problem(keys, None, None, lower))
            continue
        local = {i: j for j, i in enumerate(members)}
        matrix = np.zeros((len(rows), len(members)))
        rhs = np.zeros(len(rows))
        for r, (coefficients, value) in enumerate(rows):
            for i, c in coefficients.items():
                matrix[r, local[i]] = c
            rhs[r] = value
        problems.append(_Problem(keys, matrix, rhs, lower))
    return problems


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


def cell_label(key: Hashable) -> str:
    """A cell key as the audit log names it (a tuple's parts joined by " | ")."""
    if isinstance(key, tuple):
        return " | ".join(str(k) for k in key)
    return str(key)
