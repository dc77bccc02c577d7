"""Wording rules shared by every measure family (pipeline/findings.py)."""

from __future__ import annotations

import math

import pytest

from pipeline.findings import (
    Finding,
    change_phrase,
    change_status,
    comparison_phrase,
    format_confidence,
    format_count,
    format_interval,
    format_percent,
    format_rate,
    format_share,
    growth_phrase,
    growth_status,
    is_suppressed,
)
from pipeline.settings import resident_threshold


def test_finding_rejects_unknown_topic_and_empty_text():
    with pytest.raises(ValueError, match="topic 'weather'"):
        Finding("x", "weather", "Some text.", "Tech.", "Similar", ["m"])
    with pytest.raises(ValueError, match="must not be empty"):
        Finding("x", "trend", "  ", "Tech.", "Similar", ["m"])


def test_finding_to_dict_keeps_field_order():
    finding = Finding("kcwi", "prevalence", "Plain.", "Tech.", "Higher", ["kcwi_1_24_rate"])
    assert list(finding.to_dict()) == [
        "id",
        "topic",
        "resident",
        "technical",
        "status",
        "measure_ids",
        "evidence",
    ]
    assert finding.to_dict()["measure_ids"] == ["kcwi_1_24_rate"]
    assert finding.to_dict()["evidence"] == []


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, False), (1, True), (10, True), (11, False), (None, True), (float("nan"), True)],
)
def test_is_suppressed_covers_one_to_threshold_inclusive(count, expected):
    assert is_suppressed(count, 10) is expected


def test_format_count_suppresses_small_counts_and_separates_thousands():
    assert format_count(0, 10) == "0"
    assert format_count(1, 10) == "10 or fewer"
    assert format_count(10, 10) == "10 or fewer"  # "fewer than 10" would be untrue here
    assert format_count(11, 10) == "11"
    assert format_count(1234, 10) == "1,234"
    assert format_count(4, 3) == "4"


def test_resident_threshold_reads_config():
    assert resident_threshold({"disclosure": {"resident_threshold": 7}}) == 7


def test_format_rate_and_interval():
    assert format_rate(45.2345) == "45.2 per 100,000"
    assert format_rate(1234.56, per=1000, decimals=0) == "1,235 per 1,000"
    assert format_interval(1.234, 5.678) == "1.2 to 5.7"
    assert format_rate(float("nan")) == "not available per 100,000"


def test_format_percent_never_rounds_to_none_or_all():
    assert format_percent(0.523) == "52%"
    assert format_percent(0.2) == "20%"
    assert format_percent(0.004) == "less than 1%"
    assert format_percent(0.996) == "more than 99%"
    assert format_percent(0.0) == "0%"
    assert format_percent(1.0) == "100%"
    assert format_percent(0.1234, decimals=1) == "12.3%"
    assert format_percent(float("nan")) == "not available"


def test_format_share_suppresses_when_numerator_is_small():
    # 12 of 20 = 60%; 5 of 20 has a numerator within 1..10, so no percentage is shown.
    assert format_share(12, 20, 10) == "60%"
    assert format_share(5, 20, 10) is None
    assert format_share(0, 20, 10) == "0%"
    assert format_share(3, 0, 10) is None


def test_format_confidence():
    assert format_confidence(0.95) == "95%"
    assert format_confidence(0.998) == "99.8%"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Higher", "Knife crime was higher than similar boroughs."),
        ("Lower", "Knife crime was lower than similar boroughs."),
        ("Similar", "Knife crime was similar to similar boroughs."),
        ("Not compared", "We could not compare knife crime with similar boroughs."),
    ],
)
def test_comparison_phrase_follows_the_status(status, expected):
    assert comparison_phrase(status, "knife crime", "similar boroughs") == expected


def test_comparison_phrase_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown comparison status"):
        comparison_phrase("Worse", "knife crime", "London")


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (1.01, 1.5, "Faster"),
        (0.5, 0.99, "Slower"),
        (0.9, 1.2, "No significant difference"),
        (1.0, 1.3, "No significant difference"),  # touching 1 is not excluding it
        (float("nan"), 1.2, "Not compared"),
    ],
)
def test_growth_status_needs_the_interval_to_exclude_one(lower, upper, expected):
    assert growth_status(lower, upper) == expected


def test_growth_phrase_only_says_rising_faster_when_faster_and_rising():
    subject, comparator = "knife crime", "similar boroughs"
    assert growth_phrase("Faster", subject, comparator, 8.0) == (
        "Knife crime is rising faster than in similar boroughs."
    )
    assert growth_phrase("Faster", subject, comparator, -3.0) == (
        "Knife crime is falling more slowly than in similar boroughs."
    )
    assert growth_phrase("Slower", subject, comparator, -3.0) == (
        "Knife crime is falling faster than in similar boroughs."
    )
    assert growth_phrase("Slower", subject, comparator, 2.0) == (
        "Knife crime is rising more slowly than in similar boroughs."
    )
    text = growth_phrase("No significant difference", subject, comparator, 12.0)
    assert (
        text
        == "There is no clear evidence that knife crime is rising faster than in similar boroughs."
    )
    with pytest.raises(ValueError):
        growth_phrase("Higher", subject, comparator, 1.0)


def test_change_status_and_phrase():
    assert change_status(1.0, 9.0) == "Increasing"
    assert change_status(-9.0, -1.0) == "Decreasing"
    assert change_status(-1.0, 9.0) == "No significant change"
    assert change_status(math.nan, 9.0) == "Cannot be calculated"
    period = "from 2020-21 to 2024-25"
    assert change_phrase("Increasing", "knife crime", 8.4, period) == (
        "Knife crime went up by about 8% a year from 2020-21 to 2024-25."
    )
    assert change_phrase("Decreasing", "knife crime", -12.6, period) == (
        "Knife crime went down by about 13% a year from 2020-21 to 2024-25."
    )
    assert "did not clearly go up or down" in change_phrase(
        "No significant change", "knife crime", 3.0, period
    )
