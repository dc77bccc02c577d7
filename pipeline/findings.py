"""Findings in words: the sentences the reports print, worded from the statistics.

Every measure family turns its table into a list of :class:`Finding`. A finding carries two
texts: ``resident`` (plain English, short sentences, no jargon, never a small count) and
``technical`` (values, intervals, method and confidence). The wording rules live here, in one
place, so that every family hedges the same way: a difference is called "higher" only when
the comparison behind it says so, and a trend "rising faster" only when its interval says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.claims import Evidence

#: The report sections a finding can belong to.
TOPICS: tuple[str, ...] = (
    "prevalence",
    "trend",
    "who",
    "where",
    "when",
    # Months of the year (the months family), shown in the resident "when" section.
    "months",
    "deprivation",
    "monitoring",
    # Police activity (stop and search): an edition has it only when it supplies the input.
    "police_activity",
)

#: Benchmark outcomes of the Fingertips "single overlapping CIs" comparison.
COMPARISON_STATUSES: tuple[str, ...] = ("Higher", "Similar", "Lower", "Not compared")

#: Outcomes of comparing an area's growth with its comparators (ratio of growth and its CI).
GROWTH_STATUSES: tuple[str, ...] = ("Faster", "Slower", "No significant difference", "Not compared")


@dataclass(frozen=True)
class Finding:
    """One finding, in resident and technical words, with the measures it rests on and the
    evidence behind each claim its resident text makes (:mod:`pipeline.claims`)."""

    id: str
    topic: str
    resident: str
    technical: str
    status: str
    measure_ids: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", [Evidence.of(e) for e in self.evidence])
        if self.topic not in TOPICS:
            raise ValueError(f"finding {self.id!r}: topic {self.topic!r} is not one of {TOPICS}")
        if not self.resident.strip() or not self.technical.strip():
            raise ValueError(f"finding {self.id!r}: resident and technical texts must not be empty")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON), fields in declaration order."""
        return asdict(self)


def is_suppressed(count: float | int | None, threshold: int) -> bool:
    """True when a count must not be shown: from 1 up to and including ``threshold``.

    A missing count is suppressed too (it cannot be checked). Zero is safe to show.
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return True
    return 0 < count <= threshold


def format_count(count: float | int, threshold: int) -> str:
    """A count for residents: '1,234', or '10 or fewer' when it lies in 1..threshold.

    'Fewer than 10' would be untrue for a count of exactly 10 when the threshold is 10,
    so the suppressed form names the threshold inclusively.
    """
    if is_suppressed(count, threshold):
        return f"{threshold} or fewer"
    return f"{int(round(count)):,}"


def format_number(value: float, decimals: int = 1) -> str:
    """A number with thousands separators and fixed decimals: 1234.56 -> '1,234.6'."""
    if value is None or math.isnan(value):
        return "not available"
    if math.isinf(value):
        return "infinity"
    return f"{value:,.{decimals}f}"


def format_rate(value: float, per: int = 100_000, decimals: int = 1) -> str:
    """A rate with its base: 45.23 -> '45.2 per 100,000'."""
    return f"{format_number(value, decimals)} per {per:,}"


def format_percent(proportion: float, decimals: int = 0) -> str:
    """A proportion (0-1) as a percentage: 0.523 -> '52%'.

    Values that would round to 0% or 100% while not being exactly 0 or 1 are shown as
    'less than 1%' / 'more than 99%' (at 0 decimals) so that a reader is never told
    "none" or "all" when that is untrue.
    """
    if proportion is None or math.isnan(proportion):
        return "not available"
    pct = proportion * 100
    step = 10**-decimals
    if 0 < pct < step / 2:
        return f"less than {format_number(step, decimals)}%"
    if 100 - step / 2 <= pct < 100:
        return f"more than {format_number(100 - step, decimals)}%"
    return f"{pct:.{decimals}f}%"


def format_share(numerator: int, denominator: int, threshold: int, decimals: int = 0) -> str | None:
    """A percentage for residents, or None when its numerator is a suppressed count.

    A share built on a count from 1 to the threshold would let a reader work the count out
    (with the total), so it is suppressed with the count.
    """
    if denominator <= 0 or is_suppressed(numerator, threshold):
        return None
    return format_percent(numerator / denominator, decimals)


def format_interval(
    lower: float, upper: float, formatter: Callable[[float], str] = format_number
) -> str:
    """An interval for technical text: '12.3 to 45.6'."""
    return f"{formatter(lower)} to {formatter(upper)}"


def format_confidence(confidence: float) -> str:
    """A confidence level as people write it: 0.95 -> '95%', 0.998 -> '99.8%'."""
    return f"{confidence * 100:g}%"


def sentence_case(text: str) -> str:
    """Capitalise the first letter only (keeps 'London', 'ONS' and the like intact)."""
    return text[:1].upper() + text[1:] if text else text


def comparison_phrase(status: str, subject: str, comparator: str) -> str:
    """A resident sentence for a Fingertips comparison.

    ``comparison_phrase("Higher", "knife crime with injury among under-25s", "similar
    boroughs")`` -> 'Knife crime with injury among under-25s was higher than similar boroughs.'
    "Higher"/"Lower" are used only for those statuses; "Similar" means the comparator value
    lies inside the area's interval, which is worded as "similar to".
    """
    wording = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}
    if status in wording:
        return f"{sentence_case(subject)} was {wording[status]} {comparator}."
    if status == "Not compared":
        return f"We could not compare {subject} with {comparator}."
    raise ValueError(f"unknown comparison status {status!r}; expected one of {COMPARISON_STATUSES}")


def growth_status(ratio_lower: float, ratio_upper: float) -> str:
    """Classify a ratio of growth (area against comparators) by its confidence interval.

    'Faster' only when the whole interval is above 1, 'Slower' only when it is below 1;
    otherwise 'No significant difference' ('Not compared' when the interval is missing).
    """
    if any(v is None or math.isnan(v) for v in (ratio_lower, ratio_upper)):
        return "Not compared"
    if ratio_lower > 1:
        return "Faster"
    if ratio_upper < 1:
        return "Slower"
    return "No significant difference"


def growth_phrase(status: str, subject: str, comparator: str, area_change_percent: float) -> str:
    """A resident sentence comparing an area's trend with its comparators.

    "Rising faster" is said only for status 'Faster' with a rising area; a significantly
    higher growth ratio while the area is falling is "falling more slowly". Without a
    significant difference the sentence says there is no clear evidence.
    """
    subject_cap = sentence_case(subject)
    rising = area_change_percent is not None and area_change_percent > 0
    if status == "Faster":
        how = "rising faster than" if rising else "falling more slowly than"
        return f"{subject_cap} is {how} in {comparator}."
    if status == "Slower":
        how = "rising more slowly than" if rising else "falling faster than"
        return f"{subject_cap} is {how} in {comparator}."
    if status == "No significant difference":
        return f"There is no clear evidence that {subject} is rising faster than in {comparator}."
    if status == "Not compared":
        return f"We could not compare the trend in {subject} with {comparator}."
    raise ValueError(f"unknown growth status {status!r}; expected one of {GROWTH_STATUSES}")


def change_status(lower_percent: float, upper_percent: float) -> str:
    """Classify an annual % change by its interval: 'Increasing', 'Decreasing' or no change."""
    if any(v is None or math.isnan(v) for v in (lower_percent, upper_percent)):
        return "Cannot be calculated"
    if lower_percent > 0:
        return "Increasing"
    if upper_percent < 0:
        return "Decreasing"
    return "No significant change"


def change_phrase(status: str, subject: str, change_percent: float, period: str) -> str:
    """A resident sentence for an area's own annual change, hedged by its interval."""
    subject_cap = sentence_case(subject)
    size = format_percent(abs(change_percent) / 100)
    if status == "Increasing":
        return f"{subject_cap} went up by about {size} a year {period}."
    if status == "Decreasing":
        return f"{subject_cap} went down by about {size} a year {period}."
    if status == "No significant change":
        return f"{subject_cap} did not clearly go up or down {period}."
    if status == "Cannot be calculated":
        return f"We could not work out the trend in {subject} {period}."
    raise ValueError(f"unknown change status {status!r}")
