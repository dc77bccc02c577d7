"""Months: what the months table lets residents be told. A month is named only when the
seasonality test and then the peak test pass (:mod:`pipeline.families.months.measures`);
otherwise the sentence says less, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.months.measures import (
    CALENDAR_MONTH,
    METRIC_KEYS,
    MONTH_COUNT,
    NOT_TESTED_EMPTY,
    NOT_TESTED_HIDDEN,
    NOT_TESTED_YEARS,
    PEAK_MONTH,
    SEASONALITY,
    month_name,
)
from pipeline.findings import Finding
from pipeline.settings import Settings

TOPIC = "months"


@dataclass(frozen=True)
class MonthClaims:
    """One metric's tests as the table holds them (None where not tested) and the verdicts."""

    seasonality: Mapping[str, Any] | None
    peak: Mapping[str, Any] | None
    alpha: float
    reason: str = ""

    @property
    def seasonal(self) -> bool:
        return self.seasonality is not None and float(self.seasonality["p_value"]) < self.alpha

    @property
    def peaked(self) -> bool:
        """The peak month is named: seasonality passes first (a gate), then the peak test."""
        return self.seasonal and self.peak is not None and float(self.peak["p_value"]) < self.alpha


def _row(table: pd.DataFrame, measure_id: str) -> Mapping[str, Any] | None:
    rows = table.loc[table["measure_id"].astype(str) == measure_id]
    return None if rows.empty else rows.iloc[0].to_dict()


def month_claims(table: pd.DataFrame, definition_id: str, alpha: float) -> MonthClaims | None:
    """The tests of one metric (None when the table has no pooled months for it)."""
    season = _row(table, f"{definition_id}_{SEASONALITY}")
    peak = _row(table, f"{definition_id}_{PEAK_MONTH}")
    if season is None:
        return None
    tested = pd.notna(season["value"])
    return MonthClaims(
        seasonality=season if tested else None,
        peak=peak if tested and peak is not None else None,
        alpha=alpha,
        reason="" if tested else str(season["note"]),
    )


def findings(table: pd.DataFrame, settings: Mapping[str, Any]) -> list[Finding]:
    typed = Settings.of(settings)
    alpha = round(1 - typed.confidence, 10)
    out: list[Finding] = []
    for key in METRIC_KEYS:
        definition = typed.definitions.metric(key)
        months = table.loc[table["measure_id"].astype(str) == f"{definition.id}_{MONTH_COUNT}"]
        if months.empty:
            continue
        claims = month_claims(table, definition.id, alpha)
        first, last = sorted(months["period"].astype(str))[0], sorted(months["period"])[-1]
        out.append(_finding(key, definition.short_label, definition.id, claims, first, last))
    return out


def _finding(
    key: str, name: str, definition_id: str, claims: MonthClaims | None, first: str, last: str
) -> Finding:
    span = f"from {_month_text(first)} to {_month_text(last)}"
    shown = (
        f"The chart shows {name} recorded each month {span}."
        if key == METRIC_KEYS[0]  # the chart draws the key metric (months/charts.py)
        else f"{name[:1].upper()}{name[1:]} was also counted month by month, {span}."
    )
    ids = [f"{definition_id}_{MONTH_COUNT}"]
    if claims is None or claims.seasonality is None:
        why = claims.reason if claims is not None else NOT_TESTED_YEARS
        return Finding(
            id=f"{key}_months",
            topic=TOPIC,
            resident=f"{shown} {_untested_sentence(why)}",
            technical=f"Months of the year {why.split(' (')[0]}.",
            status="Descriptive",
            measure_ids=ids,
            evidence=[
                Evidence(
                    claim="counts by month",
                    strength="descriptive",
                    statistic=f"monthly counts {span}",
                    test=why,
                )
            ],  # fmt: skip
        )
    season, peak = claims.seasonality, claims.peak
    assert peak is not None  # tested together
    ids += [f"{definition_id}_{CALENDAR_MONTH}", str(season["measure_id"]), str(peak["measure_id"])]
    season_text = (
        f"F = {float(season['value']):.2f} on 11 and {int(season['df'])} df, p = "
        f"{float(season['p_value']):.3g} (dispersion {float(season['dispersion']):.2f})"
    )
    peak_text = (
        f"{peak['peak']} against {peak['runner_up']}: rate ratio {float(peak['value']):.2f} "
        f"({float(peak['lower']):.2f} to {float(peak['upper']):.2f}), p = "
        f"{float(peak['p_value']):.3g}"
    )
    season_claim = "some months of the year see more than others"
    season_evidence = Evidence(
        claim=season_claim if claims.seasonal else "the months of the year did not differ clearly",
        strength="varies through the year" if claims.seasonal else "no clear peak",
        statistic=season_text,
        test="calendar months against their days, F test with the series' dispersion",
        measure_id=str(season["measure_id"]),
        value=float(season["value"]),
        p_value=float(season["p_value"]),
        alpha=claims.alpha,
    )

    def peak_evidence(claim: str) -> Evidence:
        return Evidence(
            claim=claim,
            strength="most often" if claims.peaked else "no clear peak",
            statistic=peak_text,
            test="busiest month against the next, doubled one-sided t test on the log rate "
            "ratio with the series' dispersion, only after the seasonality test passes",
            measure_id=str(peak["measure_id"]),
            value=float(peak["value"]),
            lower=float(peak["lower"]),
            upper=float(peak["upper"]),
            reference=1.0,
            p_value=float(peak["p_value"]),
            alpha=claims.alpha,
        )

    if claims.peaked:
        most = f"most often in {peak['peak']}"
        resident = (
            f"{shown} {season_claim[:1].upper()}{season_claim[1:]}: {name} was recorded {most} "
            f"(for the days in it), more than in {peak['runner_up']}, the next highest month."
        )
        status, evidence = "Most often", [season_evidence, peak_evidence(most)]
    elif claims.seasonal:
        none_stood_out = "no single month stood out from the next highest"
        resident = (
            f"{shown} {season_claim[:1].upper()}{season_claim[1:]}, more than chance alone "
            f"would explain, but {none_stood_out}."
        )
        status = "Varies through the year"
        evidence = [season_evidence, peak_evidence(none_stood_out)]
    else:
        # The peak test is gated by the seasonality test: it is not a claim here.
        resident = (
            f"{shown} The months of the year did not differ clearly: the counts varied from "
            "month to month no more than chance would allow."
        )
        status, evidence = "No clear peak", [season_evidence]
    return Finding(
        id=f"{key}_months",
        topic=TOPIC,
        resident=resident,
        technical=f"Seasonality: {season_text}. Peak month: {peak_text}.",
        status=status,
        measure_ids=ids,
        evidence=evidence,
    )


def _untested_sentence(why: str) -> str:
    """Why no month of the year is compared, as residents read it."""
    if why.startswith(NOT_TESTED_HIDDEN):
        return (
            "Some months' numbers are too small to publish, so this report does not test "
            "whether some months of the year see more than others."
        )
    if why.startswith(NOT_TESTED_EMPTY):
        return (
            "Some months of the year had none recorded in any year, too few to test whether "
            "some months see more than others."
        )
    return (
        "The series holds too few whole years to test whether some months of the year see "
        "more than others."
    )


def _month_text(month: str) -> str:
    """'2021-04' -> 'April 2021'."""
    year, number = month.split("-")
    return f"{month_name(int(number))} {year}"
