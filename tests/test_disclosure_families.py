"""The shared disclosure layer reads families only through their declarations.

Each family says in ``pipeline/families/<family>/disclosure.py`` (set on its ``Family``) how
its table is read; ``pipeline/disclosure/`` loops over the registry and names no family and no
measure id.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.disclosure import FamilyDisclosure
from pipeline.disclosure.tables import COUNT_DENOMINATORS, NOT_COUNTS, numerator_counts_people
from pipeline.families.registry import FAMILIES, FAMILY_NAMES

SHARED = Path(__file__).resolve().parents[1] / "pipeline" / "disclosure"


def _string_literals(path: Path) -> set[str]:
    return set(re.findall(r"\"([^\"\n]*)\"", path.read_text(encoding="utf-8")))


def test_the_shared_layer_names_no_family_and_no_measure():
    declared = {s.strip("_") for s in (*NOT_COUNTS, *COUNT_DENOMINATORS)}
    names = set(FAMILY_NAMES) | declared | {"row_reconciliation", "hour_weekday", "lsoa_rate"}
    for module in sorted(SHARED.glob("*.py")):
        literals = _string_literals(module)
        assert not literals & names, f"{module.name} names {sorted(literals & names)}"


def test_every_family_has_a_disclosure_declaration():
    assert all(isinstance(f.disclosure, FamilyDisclosure) for f in FAMILIES)


def test_count_measures_come_from_the_families_declarations():
    for family in FAMILIES:
        assert set(family.disclosure.not_counts) <= set(NOT_COUNTS)
        assert set(family.disclosure.count_denominators) <= set(COUNT_DENOMINATORS)
    assert not numerator_counts_people("sv_0_24_slope_rank")
    assert numerator_counts_people("sv_0_24_rate")
