"""Claims with their evidence: what licenses each strong word a resident reads.

A finding's resident sentence may say "higher", "rising faster", "hot spot" or "most often"
only when a test says so. Each family attaches to its :class:`~pipeline.findings.Finding` one
:class:`Evidence` per claim: the phrase as printed, the statistic and the test behind it, and
the strength that test allows. The technical report prints them beside the sentence (the
claims audit), and :func:`unlicensed_phrases` finds a strong phrase that no evidence licenses
(the reports refuse such a finding; ``tests/test_claims.py`` walks every claim of the demo and
public editions and checks each against its numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: The strengths a test can allow, strongest wording first within each kind of claim.
STRENGTHS: tuple[str, ...] = (
    # An interval against a reference value (Fingertips' overlapping-CI comparison).
    "higher",
    "lower",
    "similar",
    # A growth ratio against comparators, and an area's own change.
    "rising faster",
    "rising more slowly",
    "no clear difference",
    "rising",
    "falling",
    "no clear change",
    # A small area's own rate against the borough's, after a false-discovery-rate control.
    "hot spot",
    "not a hot spot",
    # A peak separated from the next by a test, or a window whose excess is tested.
    "most often",
    "window",
    "no clear peak",
    # Months of the year that differ by more than chance (the months family's F test).
    "varies through the year",
    # A gradient across deprivation.
    "more common in more deprived areas",
    "no clear gradient",
    # A count or share stated as it is, with no comparison claimed.
    "descriptive",
    "not available",
)

#: Strong phrases a resident may read, and the strengths that license each. A phrase in a
#: resident sentence needs an evidence of one of these strengths in the same finding.
LICENSES: Mapping[str, frozenset[str]] = {
    r"\bhigher than\b": frozenset({"higher"}),
    r"\blower than\b": frozenset({"lower"}),
    r"\brising faster\b|\bfalling more slowly\b": frozenset({"rising faster"}),
    r"\brising more slowly\b|\bfalling faster\b": frozenset({"rising more slowly"}),
    r"\bwent up\b": frozenset({"rising"}),
    r"\bwent down\b": frozenset({"falling"}),
    r"\bhot spots?\b(?! analysis)": frozenset({"hot spot"}),
    r"\bmost often\b|\bpeak(?:ed|s)?\b": frozenset({"most often"}),
    r"\bsome months of the year see more\b": frozenset({"varies through the year", "most often"}),
    r"\bmore common in (?:the )?more deprived\b|\bmore deprived (?:the )?area\b": frozenset(
        {"more common in more deprived areas"}
    ),
    r"\btimes the rate\b": frozenset({"more common in more deprived areas", "higher"}),
    r"\bmore than (?:their|its) share\b|\bover-represented\b": frozenset({"higher"}),
    r"\bless than (?:their|its) share\b|\bunder-represented\b": frozenset({"lower"}),
    r"\bmore often than\b": frozenset({"higher"}),
    r"\bless often than\b": frozenset({"lower"}),
}

#: Phrases that deny a claim ("no neighbourhood stood out as a hot spot") license themselves.
NEGATIONS = re.compile(
    r"\b(no|not|never|nothing|none|could not|cannot|no clear evidence that|too few)\b[^.]*$",
    re.I,
)


@dataclass(frozen=True)
class Evidence:
    """The evidence behind one claim of a finding.

    ``claim`` is the phrase as residents read it ("higher than similar boroughs");
    ``strength`` one of :data:`STRENGTHS`, the strongest the test allows; ``statistic`` the
    figure with its interval as the technical report prints it; ``test`` how it was judged
    ("95% confidence intervals do not overlap (Fingertips)"). The numbers, where the test has
    them, let anyone check the strength again: the ``value`` and its ``lower``-``upper``
    interval against ``reference``, or ``p_value``/``q_value`` against ``alpha``.
    """

    claim: str
    strength: str
    statistic: str
    test: str
    measure_id: str = ""
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    reference: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    alpha: float | None = None

    def __post_init__(self) -> None:
        if self.strength not in STRENGTHS:
            raise ValueError(f"evidence strength {self.strength!r} is not one of {STRENGTHS}")
        for name in ("value", "lower", "upper", "reference", "p_value", "q_value", "alpha"):
            number = getattr(self, name)
            if number is not None and not isinstance(number, int | float):
                raise TypeError(f"evidence {name} must be a number or None, got {number!r}")
            if isinstance(number, float) and math.isnan(number):
                object.__setattr__(self, name, None)  # NaN and "no number" are the same here

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, item: Evidence | Mapping[str, Any]) -> Evidence:
        """From itself or its JSON form (findings are written as JSON between rules)."""
        return item if isinstance(item, Evidence) else cls(**dict(item))


def _strong_phrases(sentence: str) -> list[str]:
    """The license patterns a sentence's strong wording needs (a negated claim needs none)."""
    needed = []
    for pattern in LICENSES:
        for match in re.finditer(pattern, sentence, re.I):
            if not NEGATIONS.search(sentence[: match.start()]):
                needed.append(pattern)
                break
    return needed


def sentences(text: str) -> list[str]:
    """A resident text split into sentences (at '. ' and the end)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def unlicensed_phrases(
    resident: str, evidence: Iterable[Evidence | Mapping[str, Any]]
) -> list[str]:
    """Each strong phrase of ``resident`` that no evidence of a licensing strength backs."""
    strengths = {Evidence.of(e).strength for e in evidence}
    missing = []
    for sentence in sentences(resident):
        for pattern in _strong_phrases(sentence):
            if not strengths & LICENSES[pattern]:
                missing.append(f"{sentence!r} needs evidence of {sorted(LICENSES[pattern])}")
    return missing
