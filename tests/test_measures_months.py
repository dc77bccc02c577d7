"""The months family: its statistics against independent calculations (scipy, statsmodels),
planted seasons recovered and flat ones not claimed, the untested cases, disclosure control
and the chart's table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps
import statsmodels.api as sm
import yaml

from pipeline.charts.spec import ChartInputs
from pipeline.charts.style import RESIDENT_STYLE
from pipeline.claims import unlicensed_phrases
from pipeline.disclosure import MARKER, DisclosurePolicy
from pipeline.disclosure.tables import protect_measure_tables
from pipeline.families.months import findings as month_findings
from pipeline.families.months import measures as months
from pipeline.families.months.charts import months_chart
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings
from tests.conftest import REPO

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
SETTINGS = Settings.of(CONFIG)
AREA = SETTINGS.areas[0].code
KEY = SETTINGS.definitions.key_metric.id
U18 = SETTINGS.definitions.under_18_metric.id
YEARS = list(SETTINGS.window.years)


def month_days(year: int) -> np.ndarray:
    return np.array([months.days_in(m) for m in months.window_months(year)], dtype=float)


def comparators(counts: dict[str, np.ndarray], years=YEARS) -> pd.DataFrame:
    """Comparator rows of the area: ``counts[measure]`` is years x 12 (April first)."""
    rows = []
    for measure, table in counts.items():
        for year, values in zip(years, table, strict=True):
            for month, n in zip(months.window_months(year), values, strict=True):
                rows.append({"area_code": AREA, "area_name": "Area", "month": month,
                             "measure": measure, "count": int(n)})  # fmt: skip
    return pd.DataFrame(rows)


def simulate(seed: int, relative: np.ndarray, per_day: float = 2.0, phi: float = 1.0):
    """Years x months counts with rates a day ``per_day * relative`` (gamma-Poisson with
    dispersion ``phi`` when above 1)."""
    rng = np.random.default_rng(seed)
    out = []
    for year in YEARS:
        mean = per_day * relative * month_days(year)
        if phi > 1:
            mean = rng.gamma(mean / (phi - 1), phi - 1)
        out.append(rng.poisson(mean))
    return np.array(out)


def table_of(counts: dict[str, np.ndarray], years=YEARS) -> pd.DataFrame:
    return months.compute(comparators=comparators(counts, years), settings=SETTINGS,
                          area_code=AREA)  # fmt: skip


def row(table: pd.DataFrame, measure: str, group: str | None = None, period=None) -> pd.Series:
    rows = table.loc[table["measure_id"] == measure]
    if group is not None:
        rows = rows.loc[rows["group"] == group]
    if period is not None:
        rows = rows.loc[rows["period"] == period]
    assert len(rows) == 1, (measure, group, period)
    return rows.iloc[0]


FLAT = np.ones(12)
JULY = np.where(np.array(months.FY_MONTHS) == 7, 1.6, 1.0)


# --------------------------------------------------------------------------------------------
# The statistics against independent calculations
# --------------------------------------------------------------------------------------------


def test_the_dispersion_is_the_pearson_chi_square_of_independence_over_its_df():
    table = simulate(1, FLAT, phi=2.0).astype(float)
    chi2, _, df, _ = sps.chi2_contingency(table, correction=False)
    phi, got_df = months.dispersion(table)
    assert got_df == df == (len(YEARS) - 1) * 11
    assert phi == pytest.approx(chi2 / df, rel=1e-12)


def test_the_seasonality_statistic_is_the_goodness_of_fit_against_days():
    counts = np.array([50, 61, 40, 72, 55, 48, 66, 59, 45, 70, 38, 52], dtype=float)
    days = np.array([30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31], dtype=float) * 4
    expected = counts.sum() * days / days.sum()
    chi2 = sps.chisquare(counts, expected).statistic
    got = months.seasonality(counts, days, phi=1.7, df2=33)
    assert got["chi2"] == pytest.approx(chi2, rel=1e-12)
    assert got["f"] == pytest.approx(chi2 / (11 * 1.7))
    assert got["p"] == pytest.approx(sps.f.sf(chi2 / (11 * 1.7), 11, 33))


# Two observations and two parameters: statsmodels warns of a perfect fit, which it is.
@pytest.mark.filterwarnings("ignore")
def test_the_peak_month_ratio_matches_a_poisson_glm_with_the_same_scale():
    counts = np.array([50, 61, 40, 92, 55, 48, 66, 59, 45, 70, 38, 52], dtype=float)
    days = np.array([30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31], dtype=float) * 4
    phi, df2, confidence = 1.4, 33, 0.95
    got = months.peak_month(counts, days, phi, df2, confidence)
    assert (got["top"], got["second"]) == (3, 9)  # July (92 / 124 days), then January (70)
    # Independent: a Poisson GLM of the two months with log-days offset, scale fixed at phi.
    y = counts[[3, 9]]
    x = sm.add_constant(np.array([1.0, 0.0]))
    fit = sm.GLM(y, x, family=sm.families.Poisson(), offset=np.log(days[[3, 9]])).fit(
        scale=phi, tol=1e-13
    )
    b, se = fit.params[1], fit.bse[1]
    t = sps.t.ppf(0.975, df2)
    assert got["value"] == pytest.approx(np.exp(b), rel=1e-9)
    assert got["lower"] == pytest.approx(np.exp(b - t * se), rel=1e-9)
    assert got["upper"] == pytest.approx(np.exp(b + t * se), rel=1e-9)
    assert got["p"] == pytest.approx(2 * sps.t.sf(b / se, df2), rel=1e-9)


def test_the_table_pools_whole_years_and_gives_rates_a_day():
    key = simulate(3, JULY, per_day=3.0)
    table = table_of({KEY: key, U18: simulate(4, FLAT, per_day=1.5)})
    july = row(table, f"{KEY}_calendar_month", "July")
    assert july["numerator"] == key[:, 3].sum()
    assert july["denominator"] == 31 * len(YEARS)
    assert july["value"] == pytest.approx(key[:, 3].sum() / (31 * len(YEARS)))
    # Byar's limits on the count, a day (PHE), worked by hand.
    o, n, z = key[:, 3].sum(), 31 * len(YEARS), sps.norm.ppf(0.975)
    lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3 / n
    assert july["lower"] == pytest.approx(lower, rel=1e-9)
    assert row(table, f"{KEY}_window_total")["numerator"] == key.sum()
    first = row(table, f"{KEY}_year_total", period=financial_year_label(YEARS[0]))
    assert first["numerator"] == key[0].sum()


# --------------------------------------------------------------------------------------------
# Planted truths
# --------------------------------------------------------------------------------------------


def finding(table: pd.DataFrame, key: str = "key_metric"):
    return next(f for f in month_findings.findings(table, CONFIG) if f.id == f"{key}_months")


def test_a_planted_july_peak_is_named_and_licensed():
    table = table_of({KEY: simulate(5, JULY, per_day=3.0), U18: simulate(6, FLAT, per_day=1.5)})
    found = finding(table)
    assert found.status == "Most often"
    assert "most often in July" in found.resident
    assert unlicensed_phrases(found.resident, found.evidence) == []
    assert finding(table, "under_18_metric").status == "No clear peak"


def test_two_equal_peaks_give_a_season_but_no_month():
    both = np.where(np.isin(np.array(months.FY_MONTHS), [7, 8]), 1.6, 1.0)
    table = table_of({KEY: simulate(7, both, per_day=3.0), U18: simulate(8, FLAT, per_day=1.5)})
    found = finding(table)
    assert found.status == "Varies through the year"
    assert "no single month stood out" in found.resident
    assert "July" not in found.resident and "August" not in found.resident
    assert unlicensed_phrases(found.resident, found.evidence) == []


@pytest.mark.parametrize("phi", [1.0, 2.5])
def test_flat_months_are_rarely_called_seasonal(phi):
    # 200 flat series (Poisson, and overdispersed): the dispersion keeps false claims near 5%.
    claims = 0
    for seed in range(200):
        counts = simulate(100 + seed, FLAT, per_day=3.0, phi=phi)
        table = table_of({KEY: counts, U18: counts})
        claims += finding(table).status != "No clear peak"
    assert claims <= 20, claims  # 10% of 200: at most twice the nominal 5%


def test_without_the_dispersion_overdispersed_flat_months_would_look_seasonal():
    # Why phi is there: the same overdispersed series with phi = 1 is called seasonal often.
    false = 0
    for seed in range(100):
        counts = simulate(500 + seed, FLAT, per_day=3.0, phi=2.5).astype(float)
        days = np.array([month_days(y) for y in YEARS])
        false += months.seasonality(counts.sum(0), days.sum(0), 1.0, 33)["p"] < 0.05
    assert false > 20


# --------------------------------------------------------------------------------------------
# Not tested, part years and disclosure
# --------------------------------------------------------------------------------------------


def test_a_hidden_month_stops_the_tests_and_the_words_say_why():
    key = simulate(9, JULY, per_day=3.0)
    key[1, 5] = 4  # from 1 to the resident threshold (10): hidden in the public edition
    table = table_of({KEY: key, U18: simulate(10, FLAT, per_day=1.5)})
    season = row(table, f"{KEY}_seasonality_test")
    assert pd.isna(season["value"]) and season["note"].startswith(months.NOT_TESTED_HIDDEN)
    found = finding(table)
    assert found.status == "Descriptive"
    assert "too small to publish" in found.resident and "most often" not in found.resident


def test_a_year_missing_a_month_is_left_out_of_the_pooling_and_named():
    key = simulate(11, FLAT, per_day=3.0)
    frame = comparators({KEY: key, U18: simulate(12, FLAT, per_day=1.5)})
    dropped = months.window_months(YEARS[1])[4]
    frame = frame.loc[~((frame["measure"] == KEY) & (frame["month"] == dropped))]
    table = months.compute(comparators=frame, settings=SETTINGS, area_code=AREA)
    year = financial_year_label(YEARS[1])
    total = row(table, f"{KEY}_year_total", period=year)
    assert total["note"] == "11 of 12 months in the series"
    assert total["numerator"] == key[1].sum() - key[1, 4]
    april = row(table, f"{KEY}_calendar_month", "April")
    assert april["numerator"] == key[[i for i in range(len(YEARS)) if i != 1], 0].sum()
    assert april["note"] == f"left out (months missing): {year}"
    assert int(row(table, f"{KEY}_seasonality_test")["df"]) == (len(YEARS) - 2) * 11


def test_one_whole_year_is_not_tested():
    table = table_of({KEY: simulate(13, JULY)[:1], U18: simulate(14, FLAT)[:1]}, YEARS[:1])
    assert row(table, f"{KEY}_peak_month_test")["note"] == months.NOT_TESTED_YEARS
    assert "too few whole years" in finding(table).resident


def test_a_hidden_month_gets_a_complement_and_the_chart_shows_a_gap():
    key = simulate(15, FLAT, per_day=3.0)
    key[2, 6] = 3
    table = table_of({KEY: key, U18: simulate(16, FLAT, per_day=1.5)})
    protected = protect_measure_tables({"months": table},
                                       DisclosurePolicy(threshold=10)).tables["months"]  # fmt: skip
    counts = protected.loc[protected["measure_id"] == f"{KEY}_month_count"]
    hidden = counts.loc[counts["numerator_suppressed"].astype(bool), "period"].tolist()
    assert months.window_months(YEARS[2])[6] in hidden
    # Its year total and its pooled October are published: another month hides with it in
    # each (or the total itself), so neither margin gives it back.
    year = [m for m in hidden if m in months.window_months(YEARS[2])]
    october = [m for m in hidden if m.endswith("-10")]
    year_total = row(protected, f"{KEY}_year_total", period=financial_year_label(YEARS[2]))
    pooled = row(protected, f"{KEY}_calendar_month", "October")
    assert len(year) >= 2 or bool(year_total["numerator_suppressed"])
    assert len(october) >= 2 or bool(pooled["numerator_suppressed"])
    spec = months_chart(ChartInputs(tables={"months": protected}, settings=SETTINGS,
                                    area=SETTINGS.areas[0], style=RESIDENT_STYLE))  # fmt: skip
    table_row = spec.table.set_index("Year").loc[financial_year_label(YEARS[2])]
    assert table_row["Oct"] == MARKER
    assert spec.notes and MARKER in spec.notes[0]
    drawn = spec.chart.to_dict()["datasets"]
    values = next(iter(drawn.values()))
    assert sum(v["count"] is None for v in values) == len(hidden)
