"""What changes in the technical report when it is published to the public (resident
threshold) rather than kept internal: victim row counts protected in the data-quality
tables, monitoring baselines hidden with their small counts, findings in resident wording."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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


# --- Public-data mode: reconciliation, population years, proxy definitions ------------------


def test_a_public_files_set_aside_rows_claim_no_sum(tmp_path):
    """adapter-exclusions.csv lists only rows set aside, not rows read: no '0 rows read' and no
    'DOES NOT BALANCE'; an entry of 0 rows (an area the file lacks) is not an excluded row."""
    from pipeline.steps import adapter_reconciliation

    path = tmp_path / "adapter-exclusions.csv"
    pd.DataFrame(
        {
            "step": ["comparators (MPS borough-level crime)"] * 2
            + ["comparators: violence_with_injury", "population_la (ONS MYE2)"],
            "source": ["a.csv", "a.csv", "MPS borough-level crime", "b.xls"],
            "reason": ["not a London borough", "not a London borough", "no MPS data",
                       "not in London's total"],
            "detail": ["Unknown", "Airports", "E06000032", ""],
            "rows": [32, 28, 0, 182],
            "value": [1, 2, None, 3],
        }
    ).to_csv(path, index=False)  # fmt: skip
    rows = adapter_reconciliation(str(path))
    section = _quality_section(rows, INTERNAL)
    captions = {t.id: t.caption for t in section.tables}
    assert captions == {
        "reconciliation-public-file-a-csv": "public file: a.csv: 60 source rows set aside, by "
        "reason; the rows used are reconciled under comparators",
        "reconciliation-public-file-b-xls": "public file: b.xls: 182 source rows set aside, by "
        "reason; the rows used are reconciled under population_la",
        "reconciliation-public-file-mps-borough-level-crime": "public file: MPS borough-level "
        "crime: 0 source rows set aside and 1 area with no data in the file, by reason; the rows "
        "used are reconciled under comparators",
    }
    categories = {t.id: [r.header.text for r in t.rows] for t in section.tables}
    assert categories["reconciliation-public-file-mps-borough-level-crime"] == ["not in the file"]
    # A validated input's reconciliation keeps its balance check.
    both = _quality_section(pd.concat([rows, reconciliation("schools")]), INTERNAL)
    assert "schools: 500 rows read = 480 used + 20 excluded (balances)" in [
        t.caption for t in both.tables
    ]


SOURCES = TECHNICAL.part("sources")


def key_metric_rows(years_used: dict[str, int], unit: str) -> pd.DataFrame:
    """Area, pooled and region rate rows by financial year with the mid-year each used."""
    return pd.DataFrame(
        [
            {"measure_id": "m_rate", "period": period, "group": group, "population_year": year,
             "unit": unit}
            for period, year in years_used.items()
            for group in ("Area", "Statistical neighbours (pooled)", "London")
        ]
        + [{"measure_id": "m_rate", "period": "12 months to 2025-03", "group": "Area",
            "population_year": 2024, "unit": unit}]
    )  # fmt: skip


def test_the_population_sentence_names_the_mid_years_the_rates_used(config):
    from pipeline.render.reference import population_vintages
    from pipeline.settings import Settings

    settings = Settings.of({**config, "window": {"first_financial_year": 2021,
                                                 "last_financial_year": 2024}})  # fmt: skip
    years = ["2021-22", "2022-23", "2023-24", "2024-25"]
    own = key_metric_rows(dict(zip(years, range(2021, 2025), strict=True)),
                          "per 100,000 residents aged 1-24")  # fmt: skip
    assert population_vintages({"key_metric": own}, settings, SOURCES) == [
        "Population: ONS mid-year estimates for mid-2021 to mid-2024 (each financial year uses "
        "the mid-year it starts in), residents aged 1-24."
    ]
    only_2021 = key_metric_rows(dict.fromkeys(years, 2021), "per 100,000 residents of all ages")
    assert population_vintages({"key_metric": only_2021}, settings, SOURCES) == [
        "Population: ONS mid-year estimates, mid-2021 for 2021-22 to 2024-25 (the latest "
        "mid-year supplied at or before each year's own), residents of all ages."
    ]
    mixed = key_metric_rows(
        {"2021-22": 2021, "2022-23": 2022, "2023-24": 2022, "2024-25": 2022},
        "per 100,000 residents of all ages",
    )
    small = pd.DataFrame(
        {"population_year": [2020, None], "unit": ["offences per 1,000 residents of all ages", "x"]}
    )
    assert population_vintages({"key_metric": mixed, "hotspots": small}, settings, SOURCES) == [
        "Population: ONS mid-year estimates, mid-2021 for 2021-22; mid-2022 for 2022-23 to "
        "2024-25 (the latest mid-year supplied at or before each year's own), residents of all "
        "ages.",
        "Small-area population (where and deprivation): ONS small-area estimates for mid-2020, "
        "residents of all ages, by LSOA.",
    ]


@pytest.fixture(scope="module")
def public_settings():
    import yaml

    from pipeline.settings import Settings

    return Settings.of(yaml.safe_load((REPO / "config/public.yaml").read_text(encoding="utf-8")))


def test_proxy_definitions_are_worded_as_all_ages_not_victim_ages(public_settings, config):
    from pipeline.render.reference import definitions_section
    from pipeline.settings import Settings

    words = TECHNICAL.part("definitions")
    section = definitions_section(public_settings, words)
    table = section.tables[0]
    assert table.columns[-1].label.startswith("Ages (public proxies count offences")
    assert {r.cells[-1].text for r in table.rows} == {"all ages"}
    assert "used only by measures that need a police victim extract" in section.body[0]
    demo = definitions_section(Settings.of(config), words)
    assert demo.tables[0].columns[-1].label == "Victim ages"
    assert "1 to 24" in {r.cells[-1].text for r in demo.tables[0].rows}
    assert "used only by measures" not in demo.body[0]


def test_a_proxy_familys_method_starts_by_naming_its_proxies(public_settings, config):
    from pipeline.render.technical import _proxy_preface
    from pipeline.settings import Settings

    sv = public_settings.definitions.serious_violence_u25
    table = pd.DataFrame({"measure_id": ["x_lsoa_rate"],
                          "definition": [f"{sv.label} (definitions 2025.1-public)"]})  # fmt: skip
    preface = _proxy_preface(table, public_settings, TECHNICAL)
    assert preface.startswith("**In this edition** the measures of this section are counted")
    assert sv.label in preface and "of all ages" in preface
    assert public_settings.definitions.key_metric.label not in preface  # not this table's
    unavailable = table.assign(measure_id="timing_not_available")
    assert _proxy_preface(unavailable, public_settings, TECHNICAL) == ""
    demo = Settings.of(config).definitions.key_metric
    own = pd.DataFrame({"measure_id": ["k"], "definition": [demo.label]})
    assert _proxy_preface(own, Settings.of(config), TECHNICAL) == ""
