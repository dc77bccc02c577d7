"""The wards family on tiny hand-made frames: shares, totals, partial years, the reconciliation
with the borough file, one table per MPS category, disclosure control and the words."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from pipeline.charts.spec import ChartInputs
from pipeline.charts.style import RESIDENT_STYLE
from pipeline.disclosure import MARKER, DisclosurePolicy
from pipeline.disclosure.tables import protect_measure_tables
from pipeline.families.wards import findings as ward_findings
from pipeline.families.wards import measures as wards
from pipeline.families.wards.charts import ward_table
from pipeline.settings import Settings
from pipeline.validate.kinds import area_kinds
from tests.conftest import REPO

PUBLIC = yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))
AREA = "E09000031"


def ward_rows(year: int, counts: dict[str, int], months: int = 12, measure="possession_of_weapons",
              definitions=("serious_violence_u25", "under_18_metric")) -> list[dict]:  # fmt: skip
    return [
        {
            "ward_code": code,
            "ward_name": f"Ward {code[-2:]}",
            "definition": d,
            "measure": measure,
            "financial_year": year,
            "months_covered": months,
            "count": n,
            "population": float("nan"),
            "population_year": pd.NA,
        }  # fmt: skip
        for d in definitions
        for code, n in counts.items()
    ]


def borough(year: int, total: int, months: int = 12, measure="possession_of_weapons"):
    month_list = [f"{year + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)][:months]
    per = [total // months] * months
    per[0] += total - sum(per)
    return pd.DataFrame({"area_code": AREA, "area_name": "Waltham Forest", "month": month_list,
                         "measure": measure, "count": per})  # fmt: skip


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.of(PUBLIC)


@pytest.fixture(scope="module")
def table(settings) -> pd.DataFrame:
    frame = pd.DataFrame(
        ward_rows(2021, {"E05000001": 30, "E05000002": 5, "E05000003": 15})
        + ward_rows(2022, {"E05000001": 20, "E05000002": 12, "E05000003": 0}, months=10)
    )
    comparators = pd.concat([borough(2021, 53), borough(2022, 40, months=12)])
    return wards.compute(ward_crime=frame, comparators=comparators, settings=settings,
                         area_code=AREA)  # fmt: skip


def rows(table, name, period):
    return table.loc[(table["measure_id"] == f"possession_of_weapons_{name}")
                     & (table["period"] == period)].set_index("group")  # fmt: skip


def test_shares_of_the_ward_total_with_wilson_limits(table):
    counts = rows(table, "ward_count", "2021-22")
    assert counts["numerator"].to_dict() == {"E05000001": 30, "E05000002": 5, "E05000003": 15}
    assert (counts["denominator"] == 50).all()
    assert counts.loc["E05000001", "value"] == pytest.approx(0.6)
    # Wilson 95% for 30/50 (z = 1.959964): (0.4618, 0.7239)
    assert counts.loc["E05000001", "lower"] == pytest.approx(0.4618, abs=5e-4)
    assert counts.loc["E05000001", "upper"] == pytest.approx(0.7239, abs=5e-4)
    assert counts["note"].str.contains("no ward population").all()
    assert rows(table, "ward_total", "2021-22")["numerator"].tolist() == [50]


def test_one_table_per_mps_category(table):
    # serious_violence_u25 and under_18_metric both count possession of weapons: given once.
    assert set(table["definition_key"]) == {"serious_violence_u25"}
    assert table["definition"].str.startswith("Possession of Weapons (MPS major category)").all()


def test_the_reconciliation_compares_full_years_only(table):
    full = rows(table, "ward_reconciliation", "2021-22").iloc[0]
    assert (full["numerator"], full["denominator"], full["value"]) == (50, 53, -3)
    partial = rows(table, "ward_reconciliation", "2022-23").iloc[0]
    assert pd.isna(partial["value"]) and "10 and the borough file 12" in partial["note"]
    assert "partial year: 10 of 12" in rows(table, "ward_count", "2022-23")["note"].iloc[0]


def test_years_outside_the_window_are_left_out(settings):
    frame = pd.DataFrame(ward_rows(2015, {"E05000001": 3}) + ward_rows(2021, {"E05000001": 3}))
    table = wards.compute(ward_crime=frame, comparators=None, settings=settings, area_code=AREA)
    assert set(table["period"]) == {"2021-22"}
    note = rows(table, "ward_reconciliation", "2021-22")["note"].iloc[0]
    assert "no series" in note


def test_a_small_ward_count_is_hidden_with_a_complement(table, settings):
    protected = protect_measure_tables({"wards": table},
                                       DisclosurePolicy(threshold=10)).tables["wards"]  # fmt: skip
    counts = protected.loc[(protected["measure_id"] == "possession_of_weapons_ward_count")
                           & (protected["period"] == "2021-22")].set_index("group")  # fmt: skip
    hidden = counts.index[counts["numerator_suppressed"].astype(bool)].tolist()
    assert "E05000002" in hidden and len(hidden) >= 2  # 5 and a complement: 50 is published
    assert counts.loc["E05000002", ["value", "lower", "upper"]].isna().all()
    spec = ward_table(ChartInputs(tables={"wards": protected}, settings=settings,
                                  area=settings.areas[0], style=RESIDENT_STYLE))  # fmt: skip
    row = spec.table.set_index("Ward code").loc["E05000002"]
    assert row["Possession of weapons 2021-22"] == MARKER
    assert "Possession of weapons 2022-23, 10 months" in spec.table.columns
    assert spec.table.iloc[-1]["Possession of weapons 2021-22"] == "50"


def test_the_words_say_counts_not_rates_and_which_year(table, settings):
    (finding,) = ward_findings.findings(table, settings)
    assert "in each of the 3 wards in 2021-22" in finding.resident
    assert "do not cover 2024-25: 2021-22 is the latest full year they hold" in finding.resident
    assert "counts, not rates" in finding.resident
    assert "wards 50, borough file 53 (difference -3)" in finding.technical


def test_no_year_in_the_window_is_said(settings):
    frame = pd.DataFrame(ward_rows(2012, {"E05000001": 3}))
    table = wards.compute(ward_crime=frame, comparators=None, settings=settings, area_code=AREA)
    (finding,) = ward_findings.findings(table, settings)
    assert finding.status == "Not available" and "no month" in finding.resident


def test_the_wards_family_is_in_an_edition_only_with_ward_files():
    from pipeline.families.catalogue import edition_family_names

    without = copy.deepcopy(PUBLIC)
    without["public_sources"].pop("mps_ward_crime")
    assert "wards" in edition_family_names(Settings.of(PUBLIC))
    assert "wards" not in edition_family_names(Settings.of(without))
    assert "ward_crime" not in area_kinds(Settings.of(without))
    assert "ward_crime" in area_kinds(Settings.of(PUBLIC))


# --------------------------------------------------------------------------------------------
# Ward residents supplied (public_sources.lsoa_ward_lookup): rates
# --------------------------------------------------------------------------------------------

RESIDENTS = {"E05000001": 12_000.0, "E05000002": 8_000.0, "E05000003": 10_000.0}


@pytest.fixture(scope="module")
def rated(settings) -> pd.DataFrame:
    frame = pd.DataFrame(
        ward_rows(2021, {"E05000001": 30, "E05000002": 5, "E05000003": 15})
        + ward_rows(2022, {"E05000001": 20, "E05000002": 12, "E05000003": 0}, months=10)
    )
    frame["population"] = frame["ward_code"].map(RESIDENTS)
    frame["population_year"] = 2020
    return wards.compute(ward_crime=frame, comparators=None, settings=settings, area_code=AREA)


def test_ward_rates_per_1000_with_exact_and_byars_limits(rated):
    from scipy import stats

    rates = rows(rated, "ward_rate", "2021-22")
    assert rates["value"].to_dict() == pytest.approx(
        {"E05000001": 2.5, "E05000002": 0.625, "E05000003": 1.5}
    )
    # 5 offences: exact Poisson limits (chi-square form), per 1,000 of 8,000 residents.
    lower = stats.chi2.ppf(0.025, 10) / 2 / 8_000 * 1000
    upper = stats.chi2.ppf(0.975, 12) / 2 / 8_000 * 1000
    assert rates.loc["E05000002", "lower"] == pytest.approx(lower, rel=1e-6)
    assert rates.loc["E05000002", "upper"] == pytest.approx(upper, rel=1e-6)
    assert rows(rated, "ward_rate", "2022-23").empty  # a part year has no rates


def test_a_hidden_count_hides_its_rate_and_the_words_make_no_ranking(rated, settings):
    protected = protect_measure_tables({"wards": rated},
                                       DisclosurePolicy(threshold=10)).tables["wards"]  # fmt: skip
    spec = ward_table(ChartInputs(tables={"wards": protected}, settings=settings,
                                  area=settings.areas[0], style=RESIDENT_STYLE))  # fmt: skip
    by_code = spec.table.set_index("Ward code")
    heading = "Possession of weapons 2021-22: rate per 1,000"
    assert by_code.loc["E05000002", "Possession of weapons 2021-22"] == MARKER
    assert by_code.loc["E05000002", heading] == MARKER  # 5 = rate x residents
    assert by_code.loc["E05000001", heading] == "2.5"
    assert list(spec.table.columns) == [
        "Ward", "Ward code", "Possession of weapons 2021-22", heading,
        "Possession of weapons 2022-23, 10 months",
    ]  # fmt: skip
    assert "Possession of weapons 2022-23, 10 months: rate per 1,000" not in spec.table.columns
    assert "rates per 1,000 residents for full years" in spec.caption
    (finding,) = ward_findings.findings(rated, settings)
    assert "counts, not rates" not in finding.resident
    assert "per 1,000 residents (mid-2020" in finding.resident
    assert "does not test whether one ward's rate is higher" in finding.resident
