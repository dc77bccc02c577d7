"""Disclosure control: primary and secondary suppression on hand-made tables.

The non-recoverability proofs do not trust the module's own linear programming: they
enumerate, by brute force, every whole-number table consistent with what is published (each
hidden count at least 1) and show each hidden cell can take at least two values.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pandas as pd
import pytest

from pipeline.disclosure import (
    MARKER,
    DisclosurePolicy,
    Margin,
    determined_cells,
    feasible_ranges,
    grid_margins,
    protect,
    suppress_columns,
)
from pipeline.disclosure.tables import protect_measure_tables
from pipeline.families.timing.disclosure import hour_blocks
from pipeline.settings import Settings

POLICY = DisclosurePolicy(threshold=10)


def brute_force_values(counts: dict, margins: list[Margin], hidden: set) -> dict[object, set[int]]:
    """Every value each hidden cell can take in some whole-number table that matches all the
    published cells and margins (hidden cells >= 1). Independent of pipeline.disclosure.

    Enumerates the hidden inner cells (cells that are no margin's total) over 1..their bound
    and derives every total from its parts, keeping the tables that agree with everything
    published.
    """
    totals = {m.total for m in margins}
    leaves = sorted((h for h in hidden if h not in totals), key=repr)
    # A hidden inner cell is at most the published total of any of its margins less the
    # published parts and 1 for every other hidden part (or the grand sum).
    cap = {h: int(sum(counts.values())) for h in leaves}
    for m in margins:
        if m.total in hidden:
            continue
        hidden_parts = [p for p in m.parts if p in hidden]
        rest = counts[m.total] - sum(counts[p] for p in m.parts if p not in hidden)
        for h in hidden_parts:
            if h in cap:
                cap[h] = min(cap[h], int(rest) - (len(hidden_parts) - 1))
    size = int(np.prod([cap[h] for h in leaves], dtype=float))
    assert size < 20_000_000, f"brute force too large ({size}); use a smaller table"
    grids = np.meshgrid(*[np.arange(1, cap[h] + 1) for h in leaves], indexing="ij")
    values: dict[object, np.ndarray] = {h: g.ravel() for h, g in zip(leaves, grids, strict=True)}
    n = grids[0].size if grids else 1
    # Derive hidden totals from their parts (repeat until every level is filled in).
    pending = [m for m in margins if m.total in hidden]
    while pending:
        ready = [m for m in pending if all(p in values or p not in hidden for p in m.parts)]
        assert ready, "margins form a cycle"
        for m in ready:
            values[m.total] = sum(values.get(p, counts[p]) for p in m.parts) * np.ones(n, int)
        pending = [m for m in pending if m not in ready]
    ok = np.ones(n, dtype=bool)
    for h in hidden:
        ok &= values[h] >= 1
    for m in margins:
        lhs = sum(values[p] if p in values else counts[p] for p in m.parts)
        rhs = values[m.total] if m.total in values else counts[m.total]
        ok &= np.asarray(lhs == rhs)
    assert ok.any(), "the true table must be among the candidates"
    return {h: set(values[h][ok].tolist()) for h in hidden}


def grid_table(inner: dict[str, list[int]], columns: str = "ABC") -> pd.DataFrame:
    """A two-way table with row totals, column totals and a grand total ('All')."""
    records = []
    for row, values in inner.items():
        records += [(row, c, v) for c, v in zip(columns, values, strict=True)]
        records.append((row, "All", sum(values)))
    for i, c in enumerate(columns):
        records.append(("All", c, sum(v[i] for v in inner.values())))
    records.append(("All", "All", sum(sum(v) for v in inner.values())))
    return pd.DataFrame(records, columns=["row", "col", "n"])


def cells_of(frame: pd.DataFrame) -> dict:
    return {(r, c): float(n) for r, c, n in frame.itertuples(index=False)}


# --------------------------------------------------------------------------------------------
# Policy and primary suppression
# --------------------------------------------------------------------------------------------


def test_policy_is_chosen_by_report_and_circulation(config):
    resident = DisclosurePolicy.for_report(Settings.of(config), "resident", "public")
    public_technical = DisclosurePolicy.for_report(Settings.of(config), "technical", "public")
    internal = DisclosurePolicy.for_report(Settings.of(config), "technical", "internal")
    assert resident.threshold == config["disclosure"]["resident_threshold"] == 10
    # A technical report in the public edition is held to the resident threshold.
    assert public_technical.threshold == 10
    assert internal.threshold == config["disclosure"]["technical_threshold"] == 0
    assert not internal.active
    with pytest.raises(ValueError, match="report must be one of"):
        DisclosurePolicy.for_report(Settings.of(config), "press", "public")
    with pytest.raises(ValueError, match="no internal resident report"):
        DisclosurePolicy.for_report(Settings.of(config), "resident", "internal")
    with pytest.raises(ValueError, match="whole number"):
        DisclosurePolicy(threshold=-1)


def test_primary_suppression_covers_one_to_threshold_only():
    counts = {f"c{v}": float(v) for v in (0, 1, 5, 10, 11, 250)}
    result = protect(counts, [], POLICY)
    # 1, 5 and 10 are in 1..10; 0 discloses nothing; 11 and 250 are above the threshold.
    assert result.suppressed == {"c1", "c5", "c10"}
    assert set(result.audit["rule"]) == {"primary"}
    assert list(result.audit["cell"]) == ["c1", "c10", "c5"]  # sorted, so deterministic
    # Fractional (aoristic) counts in (0, threshold] are small too.
    assert protect({"x": 0.4, "y": 10.5}, [], POLICY).suppressed == {"x"}
    # Threshold 0 (the technical default) suppresses nothing.
    assert protect(counts, [], DisclosurePolicy(threshold=0)).suppressed == frozenset()


# --------------------------------------------------------------------------------------------
# Secondary suppression
# --------------------------------------------------------------------------------------------


def test_one_way_table_with_total_gets_the_smallest_complement():
    # Parts 4, 30, 17, 60 and their total 111. Hiding only the 4 would let anyone compute
    # 111 - 30 - 17 - 60 = 4, so the smallest other non-zero part (17) is hidden too.
    counts = {"a": 4.0, "b": 30.0, "c": 17.0, "d": 60.0, "total": 111.0}
    margins = [Margin("parts of total", "total", ("a", "b", "c", "d"))]
    result = protect(counts, margins, POLICY)
    assert result.suppressed == {"a", "c"}
    reasons = dict(zip(result.audit["cell"], result.audit["rule"], strict=True))
    assert reasons == {"a": "primary", "c": "secondary"}
    # Published: b, d, total -> a + c = 21; a can be anything from 1 to 20.
    values = brute_force_values(counts, margins, set(result.suppressed))
    assert values["a"] == set(range(1, 21))
    assert values["c"] == set(range(1, 21))


def test_zero_cells_are_never_used_as_complements():
    # A zero would be no protection: a reader knows hidden counts are at least 1... and the
    # pipeline never hides a 0. The complement must be the 25, not the 0.
    counts = {"a": 6.0, "zero": 0.0, "b": 25.0, "total": 31.0}
    margins = [Margin("m", "total", ("a", "zero", "b"))]
    result = protect(counts, margins, POLICY)
    assert result.suppressed == {"a", "b"}


def test_two_hidden_cells_that_must_add_to_two_get_a_third():
    # Parts 1, 1, 50, total 52: both 1s are primary; published 50 and 52 say they add up to
    # 2, and as each hidden count is at least 1 both must be 1. Subtraction alone would not
    # see it; the exact check does, and hides the 50 as well.
    counts = {"a": 1.0, "b": 1.0, "c": 50.0, "total": 52.0}
    margins = [Margin("m", "total", ("a", "b", "c"))]
    assert determined_cells(counts, margins, {"a", "b"}) == ["a", "b"]
    result = protect(counts, margins, POLICY)
    assert result.suppressed == {"a", "b", "c"}
    values = brute_force_values(counts, margins, set(result.suppressed))
    assert all(len(v) >= 2 for v in values.values())


def test_two_way_table_builds_a_rectangle_and_nothing_is_recoverable():
    #        A   B   C | All
    #  R1    3  20  25 |  48
    #  R2   15  30  12 |  57
    #  R3   22  18  40 |  80
    #  All  40  68  77 | 185
    # The 3 is primary. Row R1 needs a complement (20 < 25: B); column A needs one (15 < 22:
    # R2); column B then needs one, and R2-B completes the rectangle R1/R2 x A/B, which also
    # covers row R2. Four cells, the textbook hypercube pattern.
    frame = grid_table({"R1": [3, 20, 25], "R2": [15, 30, 12], "R3": [22, 18, 40]})
    counts = cells_of(frame)
    margins = grid_margins(frame, ["row", "col"], ["row", "col"])
    assert len(margins) == 8  # 3 rows + total row, 3 columns + total column
    result = protect(counts, margins, POLICY)
    assert result.suppressed == {("R1", "A"), ("R1", "B"), ("R2", "A"), ("R2", "B")}
    # Hand-worked feasible set: R1A = t, R1B = 23 - t, R2A = 18 - t, R2B = 27 + t, t in 1..17.
    values = brute_force_values(counts, margins, set(result.suppressed))
    assert values[("R1", "A")] == set(range(1, 18))
    assert values[("R2", "B")] == set(range(28, 45))
    assert feasible_ranges(counts, margins, result.suppressed)[("R1", "A")] == (1.0, 17.0)


def test_every_published_table_protects_every_hidden_cell_random_tables():
    # Random small two-way tables with many small counts: after protection, no hidden cell
    # is pinned down (brute force), no shown count is in 1..10, and the result does not
    # depend on the order of the input.
    rng = random.Random(20250701)
    for _ in range(12):
        inner = {f"R{i}": [rng.choice([0, 2, 5, 9, 12, 14, 25]) for _ in "AB"] for i in (1, 2)}
        frame = grid_table(inner, columns="AB")
        counts = cells_of(frame)
        margins = grid_margins(frame, ["row", "col"], ["row", "col"])
        result = protect(counts, margins, POLICY)
        shown = {k: v for k, v in counts.items() if k not in result.suppressed}
        assert not any(0 < v <= 10 for v in shown.values()), shown
        if result.suppressed:
            values = brute_force_values(counts, margins, set(result.suppressed))
            exposed = {k: v for k, v in values.items() if len(v) < 2}
            assert not exposed, (inner, sorted(result.suppressed), exposed)
        shuffled = dict(rng.sample(list(counts.items()), len(counts)))
        again = protect(shuffled, list(reversed(margins)), POLICY)
        assert again.suppressed == result.suppressed


def test_determined_cells_skip_no_cell_the_full_ranges_would_pin_down():
    # determined_cells skips the programmes of a cell that solutions already spread by 1 or
    # more; it must name exactly the cells the full ranges (two programmes each) name. Random
    # grids up to 6 x 5 with random hidden sets (many cells in one linked group, as in the
    # demo's charts), fractional counts among them, and tight cases such as two 1s that
    # must add up to 2.
    rng = random.Random(20261207)
    named = 0
    for trial in range(60):
        rows, cols = rng.randint(1, 6), rng.randint(2, 5)
        columns = "ABCDE"[:cols]
        inner = {
            f"R{i}": [rng.choice([1, 1, 2, 3, 7, 12, 30]) for _ in columns] for i in range(rows)
        }
        if trial % 5 == 0:  # aoristic weights: only known to be at least 0
            inner = {row: [v + 0.5 for v in values] for row, values in inner.items()}
        frame = grid_table(inner, columns=columns)
        counts = cells_of(frame)
        margins = grid_margins(frame, ["row", "col"], ["row", "col"])
        keys = sorted(counts, key=repr)
        hidden = set(rng.sample(keys, rng.randint(1, len(keys))))
        ranges = feasible_ranges(counts, margins, hidden)
        full = sorted(
            (k for k, (lo, hi) in ranges.items() if hi - lo < 1 - 1e-7), key=lambda k: repr(k)
        )
        assert determined_cells(counts, margins, hidden) == full, (inner, sorted(hidden))
        named += bool(full)
    assert named >= 10  # the check met determined cells, not only protected ones


def test_bad_tables_are_refused_with_the_cell_named():
    with pytest.raises(ValueError, match="cell 'a' has count -1"):
        protect({"a": -1.0}, [], POLICY)
    with pytest.raises(
        ValueError, match="margin 'm': parts sum to 7 but the total cell 'total' is 8"
    ):
        protect({"a": 3.0, "b": 4.0, "total": 8.0}, [Margin("m", "total", ("a", "b"))], POLICY)
    with pytest.raises(ValueError, match="unknown cells"):
        protect({"a": 3.0}, [Margin("m", "total", ("a",))], POLICY)


# --------------------------------------------------------------------------------------------
# Tables and derived values
# --------------------------------------------------------------------------------------------


def test_grid_margins_read_total_rows_from_the_table():
    frame = pd.DataFrame(
        {
            "sex": ["Male", "Female", "All", "Male", "Female", "All"],
            "age": ["Under 18", "Under 18", "Under 18", "All", "All", "All"],
            "n": [12, 4, 16, 40, 20, 60],
        }
    )
    margins = grid_margins(frame, ["sex", "age"], ["sex", "age"], name="victims")
    by_name = {m.name: m for m in margins}
    over_sex = by_name["victims total over sex (age=Under 18)"]
    assert over_sex.total == ("All", "Under 18")
    assert set(over_sex.parts) == {("Male", "Under 18"), ("Female", "Under 18")}
    # 'age' has only one real value here (Under 18) with 'All' as its total: Male: 12 of 40.
    assert by_name["victims total over age (sex=Male)"].parts == (("Male", "Under 18"),)


def test_suppress_columns_blanks_the_count_and_everything_derived_from_it():
    frame = pd.DataFrame(
        {
            "group": ["a", "b"],
            "numerator": [4, 40],
            "value": [1.2, 12.0],
            "lower": [0.3, 8.6],
            "upper": [3.1, 16.3],
        }
    )
    out = suppress_columns(
        frame, pd.Series([True, False]), ["numerator", "value", "lower", "upper"]
    )
    assert out.loc[0, ["numerator", "value", "lower", "upper"]].isna().all()
    assert out.loc[1, "numerator"] == 40 and out.loc[1, "upper"] == 16.3
    assert list(out["suppressed"]) == [True, False]
    assert MARKER == "[c]"


def test_protection_log_explains_each_secondary_choice():
    counts = {"a": 4.0, "b": 30.0, "c": 17.0, "total": 51.0}
    result = protect(counts, [Margin("victims by group", "total", ("a", "b", "c"))], POLICY)
    secondary = result.audit.loc[result.audit["rule"] == "secondary"].iloc[0]
    assert secondary["cell"] == "c"
    assert secondary["reason"] == "stops a being worked out from victims by group"


@pytest.mark.parametrize("values", list(itertools.product([1, 11], repeat=3)))
def test_all_small_or_all_large(values):
    # Exhaustive over three parts each small (1) or large (11) with a published total.
    counts = {"p0": values[0], "p1": values[1], "p2": values[2], "t": float(sum(values))}
    margins = [Margin("m", "t", ("p0", "p1", "p2"))]
    result = protect(counts, margins, POLICY)
    small = {f"p{i}" for i, v in enumerate(values) if v == 1}
    assert small <= result.suppressed
    if result.suppressed:
        values_by_cell = brute_force_values(counts, margins, set(result.suppressed))
        assert all(len(v) >= 2 for v in values_by_cell.values())


# --------------------------------------------------------------------------------------------
# Tables without an hour x weekday grid (an SNA from public data alone)
# --------------------------------------------------------------------------------------------


def not_available_timing(config: dict) -> pd.DataFrame:
    """The timing table of an SNA without a victim extract: two "not available" rows."""
    from pipeline.families.common import not_available_rows

    return not_available_rows(
        "timing",
        {"hour of the day and day of the week": "the time of each offence",
         "school days against non-school days": "the date of each offence"},
        definition=Settings.of(config).definitions.serious_violence_u25,
        settings=Settings.of(config),
        area_code="E09000031",
    )  # fmt: skip


def test_hour_blocks_of_a_table_without_hour_rows_are_empty(config):
    blocks = hour_blocks(not_available_timing(config), 4)
    assert blocks.empty
    assert list(blocks.columns) == ["weekday_number", "weekday", "block", "value", "hours"]


def test_resident_protection_passes_a_not_available_timing_table_through(config):
    timing = not_available_timing(config)
    protected = protect_measure_tables({"timing": timing}, POLICY, hours_per_block=4)
    assert protected.blocks is not None and protected.blocks.empty
    assert "hidden" in protected.blocks.columns
    out = protected.tables["timing"]
    # Nothing to hide: the rows, their notes and their (missing) numbers come through as given.
    assert list(out["measure_id"]) == ["timing_not_available"] * 2
    assert list(out["note"]) == list(timing["note"])
    assert not out["numerator_suppressed"].any() and out["numerator"].isna().all()
    assert protected.protection.suppressed == frozenset()
