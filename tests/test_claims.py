"""Every published sentence as strong as its test (issue 14): each claim of the demo's and the
public-data edition's findings is checked against its evidence, and no resident sentence
makes a strong claim ("higher", "rising faster", "hot spot", "most often") that no evidence
licenses. The strengths are worked out again here from the evidence's own numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.claims import STRENGTHS, Evidence, unlicensed_phrases
from pipeline.findings import Finding
from pipeline.render.preview import cached_preview

#: Strengths an interval against a reference can allow, by where the interval lies.
INTERVAL_STRENGTHS = {
    "above": {"higher", "rising faster", "rising", "more common in more deprived areas"},
    "below": {"lower", "rising more slowly", "falling"},
    "around": {"similar", "no clear difference", "no clear change", "no clear gradient"},
}
SIGNIFICANT = {"hot spot", "most often", "window", "higher", "lower", "rising faster",
               "rising more slowly", "more common in more deprived areas",
               "varies through the year"}  # fmt: skip


def strength_agrees(evidence: Evidence) -> bool:
    """True when the evidence's numbers allow its strength (independent of pipeline code)."""
    e = evidence
    if None not in (e.lower, e.upper, e.reference):
        where = "above" if e.lower > e.reference else "below" if e.upper < e.reference else "around"
        return e.strength in INTERVAL_STRENGTHS[where] or e.strength not in set().union(
            *INTERVAL_STRENGTHS.values()
        )
    p = e.q_value if e.q_value is not None else e.p_value
    if p is not None and e.alpha is not None:
        return (p < e.alpha) == (e.strength in SIGNIFICANT)
    # Without numbers only the weak strengths can stand.
    return e.strength not in SIGNIFICANT


def edition_findings(measures: Path) -> list[Finding]:
    return [
        Finding(**item)
        for path in sorted(measures.glob("*.findings.json"))
        for item in json.loads(path.read_text(encoding="utf-8"))
    ]


@pytest.fixture(scope="module")
def demo_findings() -> list[Finding]:
    return edition_findings(cached_preview(pdf=False).measures)


def test_the_checker_catches_a_claim_its_numbers_do_not_allow():
    higher = dict(claim="higher than London", statistic="s", test="t", reference=1.0)
    assert strength_agrees(Evidence(strength="higher", lower=1.1, upper=1.5, **higher))
    assert not strength_agrees(Evidence(strength="higher", lower=0.9, upper=1.5, **higher))
    spot = dict(claim="hot spot", statistic="s", test="t", alpha=0.05)
    assert strength_agrees(Evidence(strength="hot spot", q_value=0.01, **spot))
    assert not strength_agrees(Evidence(strength="hot spot", q_value=0.2, **spot))
    assert not strength_agrees(Evidence(claim="x", strength="most often", statistic="", test=""))
    assert unlicensed_phrases("It was higher than London.", []) != []
    assert unlicensed_phrases("There is no clear evidence that it is rising faster.", []) == []
    assert set(STRENGTHS) >= set().union(*INTERVAL_STRENGTHS.values())


def claim_problems(findings: list[Finding]) -> list[str]:
    """Every strong phrase without licensing evidence, every claim whose numbers do not allow
    its strength, and every claim residents do not read."""
    wrong = [
        f"{f.id}: {problem}"
        for f in findings
        for problem in unlicensed_phrases(f.resident, f.evidence)
    ]
    for finding in findings:
        for evidence in finding.evidence:
            if not strength_agrees(evidence):
                wrong.append(f"{finding.id}: {evidence.claim!r} is {evidence.strength!r}")
            if evidence.strength not in ("descriptive", "not available") and (
                evidence.claim.lower() not in finding.resident.lower()
            ):
                wrong.append(f"{finding.id}: {evidence.claim!r} is not in the resident text")
    return wrong


def test_no_resident_sentence_claims_more_than_its_evidence(demo_findings):
    stray = [
        f"{f.id}: {problem}"
        for f in demo_findings
        for problem in unlicensed_phrases(f.resident, f.evidence)
    ]
    assert not stray, "\n".join(stray)


def test_every_claim_agrees_with_its_numbers_and_is_what_residents_read(demo_findings):
    wrong = claim_problems(demo_findings)
    assert not wrong, "\n".join(wrong)
