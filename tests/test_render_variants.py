"""What changes in the technical report when it is published to the public (resident
threshold) rather than kept internal: victim row counts protected in the data-quality
tables, monitoring baselines hidden with their small counts, findings in resident wording."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.disclosure import DisclosurePolicy
from pipeline.editions import TECHNICAL_INTERNAL, TECHNICAL_PUBLIC
from pipeline.findings import Finding
from pipeline.render.measure_tables import monitoring_tables
from pipeline.render.reference import quality_section
from pipeline.render.technical import finding_text
from pipeline.render.wording import Wording

REPO = Path(__file__).resolve().parents[1]
TECHNICAL = Wording.read(REPO / "templates").part("technical")


def _quality_section(reconciliation, policy):
    return quality_section(reconciliation, policy, TECHNICAL.part("quality"))


def _monitoring_tables(table, policy):
    return monitoring_tables(table, policy, TECHNICAL.part("monitoring"))


PUBLIC = DisclosurePolicy(threshold=10)
INTERNAL = DisclosurePolicy(threshold=0)


def reconciliation(input_name: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "input": input_name,
            "category": ["read", "used", "excluded", "excluded", "kept"],
            "reason": ["rows read", "rows used", "outside the area", "bad date", "no time"],
            "rows": [500, 480, 3, 17, 40],
        }
    )


def shown(section) -> tuple[str, list[str]]:
    table = section.tables[0]
    return table.caption, [row.cells[1].text for row in table.rows]


def test_victim_row_counts_are_protected_in_a_public_report():
    section = _quality_section(reconciliation("victims"), PUBLIC)
    caption, rows = shown(section)
    assert rows[2] == "[c]"  # 3 rows: small
    # 3 would come back as the excluded total (caption) minus 17, or as 500 - 480 - 17: so
    # 17 is hidden too, or the total and one of read / used are.
    assert rows[3] == "[c]" or ("[c] excluded" in caption and "[c]" in rows[:2]), (caption, rows)
    assert rows[4] == "40"  # kept rows are in no sum with the hidden ones
    body = " ".join(str(b) for b in section.body)
    assert "Row counts of victim records from 1 to 10 are hidden" in body


def test_row_counts_are_shown_internally_and_for_inputs_that_are_not_people():
    assert "[c]" not in shown(_quality_section(reconciliation("victims"), INTERNAL))[1]
    caption, rows = shown(_quality_section(reconciliation("schools"), PUBLIC))
    assert rows == ["500", "480", "3", "17", "40"] and "[c]" not in caption
    kinds = {c.kind for r in _quality_section(reconciliation("schools"), PUBLIC).tables[0].rows
             for c in r.cells[1:]}  # fmt: skip
    assert kinds == {"number"}  # rows of schools are not counts of people


def test_a_monitoring_baseline_from_a_small_count_is_hidden_in_public():
    table = pd.DataFrame(
        [
            {
                "measure_id": "monitoring_support_1", "group": "Support", "indicator": "x",
                "baseline_period": "2020-21", "baseline_numerator": 1,
                "baseline_value": 0.005, "latest_period": "2024-25", "numerator": 40,
                "value": 0.12, "lower": 0.1, "upper": 0.14, "unit": "share",
                "change_ratio": 24.0, "change_lower": 3.0, "change_upper": 170.0,
                "status": "Worse", "numerator_suppressed": False,
            }
        ]
    )  # fmt: skip
    public = _monitoring_tables(table, PUBLIC)[0].rows[0].cells
    assert public[2].text == "[c]" and public[2].suppressed  # baseline
    assert public[6].text == "[c]"  # the change ratio is built on it
    internal = _monitoring_tables(table, INTERNAL)[0].rows[0].cells
    assert internal[2].text != "[c]" and internal[6].text != "[c]"


def test_findings_use_the_resident_wording_in_a_public_technical_report():
    finding = Finding(
        id="x", topic="who", resident="Most victims were boys.",
        technical="55 of 112 (1/213 at baseline)", status="Higher", measure_ids=("m",),
    )  # fmt: skip
    assert finding_text(finding, TECHNICAL_PUBLIC) == "Most victims were boys."
    assert finding_text(finding, TECHNICAL_INTERNAL) == "55 of 112 (1/213 at baseline)"
