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

The modules: :mod:`~pipeline.disclosure.policy` (the policy, margins and the exact check of
what a reader can work out), :mod:`~pipeline.disclosure.suppression` (:func:`protect` over any
cells and margins, and blanking columns), :mod:`~pipeline.disclosure.ledger` (the ledger of
the measure tables' counts and what each family declares about its table, in
``pipeline/families/<family>/disclosure.py``) and :mod:`~pipeline.disclosure.tables`
(``protect_measure_tables``: every family's table at once). This package re-exports the
general machinery; ``pipeline.disclosure.tables`` is imported by name, since it reads the
family registry, whose families import the ledger from here.
"""

from pipeline.disclosure.ledger import FamilyDisclosure, MeasureLedger, is_measure, is_na
from pipeline.disclosure.policy import (
    MARKER,
    MIN_PROTECTION_WIDTH,
    DisclosurePolicy,
    Margin,
    determined_cells,
    feasible_ranges,
)
from pipeline.disclosure.suppression import Protection, grid_margins, protect, suppress_columns

__all__ = [
    "MARKER",
    "MIN_PROTECTION_WIDTH",
    "DisclosurePolicy",
    "FamilyDisclosure",
    "Margin",
    "MeasureLedger",
    "Protection",
    "determined_cells",
    "feasible_ranges",
    "grid_margins",
    "is_measure",
    "is_na",
    "protect",
    "suppress_columns",
]
