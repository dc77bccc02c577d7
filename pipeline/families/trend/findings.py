"""Trend findings: the area's annual change and Fingertips trend marker, and how its trend
compares with its statistical neighbours', each claim worded at the strength its evidence
allows (:mod:`pipeline.claims`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.areas_and_periods import (
    AREA_GROUP,
    METRIC_KEYS,
    area_name,
    metric_definitions,
)
from pipeline.families.common import is_proxy
from pipeline.families.trend.measures import (
    COVID_YEAR,
    NEIGHBOURS_MEAN_GROUP,
    RATIO_GROUP,
    WITHOUT_COVID,
)
from pipeline.families.trend.panel import rank_agrees
from pipeline.findings import (
    Finding,
    format_confidence,
    format_interval,
    format_number,
    format_percent,
    sentence_case,
)
from pipeline.formatting import financial_year_label
from pipeline.settings import Definition, Settings

#: The growth statuses (pipeline.findings.GROWTH_STATUSES) of each growth strength.
GROWTH_STATUS = {
    "rising faster": "Faster",
    "rising more slowly": "Slower",
    "no clear difference": "No significant difference",
    "not available": "Not compared",
}
#: The strength of an annual change by its status (pipeline.findings.change_status).
CHANGE_STRENGTH = {
    "Increasing": "rising",
    "Decreasing": "falling",
    "No significant change": "no clear change",
    "Cannot be calculated": "not available",
}
COVID_LABEL = financial_year_label(COVID_YEAR)
PANDEMIC = f"without {COVID_LABEL}, the first year of the pandemic,"


def _row(table: pd.DataFrame, measure_id: str, group: str) -> pd.Series | None:
    rows = table.loc[(table["measure_id"] == measure_id) & (table["group"] == group)]
    return rows.iloc[0] if len(rows) else None


def _pct(value: float) -> str:
    """A signed percentage with one decimal; values that round to zero print as 0.0%."""
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{'+' if rounded > 0 else ''}{format_number(rounded, 1)}%"


def _p_value(p: float) -> str:
    """'p = 0.012', or 'p < 0.001' for smaller values."""
    return "p < 0.001" if p < 0.001 else f"p = {format_number(p, 3)}"


def _ratio_text(value: float) -> str:
    return format_number(value, 3)


def _why_not(model: str) -> str:
    """The reason inside 'Cannot be calculated (<reason>)'."""
    prefix = "Cannot be calculated ("
    return model[len(prefix) : -1] if model.startswith(prefix) and model.endswith(")") else model


def _fitted(row: pd.Series | None) -> bool:
    """True when a model row has an estimate (not 'Cannot be calculated')."""
    return row is not None and not pd.isna(row["value"])


@dataclass(frozen=True)
class Growth:
    """The growth comparison of one panel: the strength the interval and the placebo rank
    allow together, and the evidence behind it."""

    strength: str
    ratio: pd.Series | None
    placebo: pd.Series | None
    rank_decides: bool  # the interval excludes 1 but the rank does not agree

    @classmethod
    def of(cls, ratio: pd.Series | None, placebo: pd.Series | None, alpha: float) -> Growth:
        if not _fitted(ratio):
            return cls("not available", ratio, placebo, False)
        status = str(ratio["status"])
        if status not in ("Faster", "Slower"):
            return cls("no clear difference", ratio, placebo, False)
        faster = status == "Faster"
        agrees = placebo is not None and rank_agrees(
            int(placebo["numerator"]), int(placebo["denominator"]), faster, alpha
        )
        if not agrees:
            return cls("no clear difference", ratio, placebo, True)
        return cls("rising faster" if faster else "rising more slowly", ratio, placebo, False)

    def rank_text(self) -> str:
        if self.placebo is None:
            return "no placebo rank"
        p = self.placebo
        return (
            f"placebo rank {int(p['numerator'])} of {int(p['denominator'])} (permutation p = "
            f"{format_number(p['p_value'], 2)}; the smallest attainable with "
            f"{int(p['denominator']) - 1} neighbours is {format_number(p['smallest_p'], 2)})"
        )

    def evidence(self, claim: str, alpha: float, conf: str) -> Evidence:
        r = self.ratio
        test = (
            f"{conf} interval of the ratio of growth wholly above (below) 1 and the placebo "
            f"rank agreeing (one-sided permutation p at most {format_number(alpha, 3)}, or the "
            "most extreme rank when the panel cannot give a p that small)"
        )
        if not _fitted(r):
            return Evidence(claim, self.strength, "ratio of growth not calculated", test)
        statistic = (
            f"ratio of growth {_ratio_text(r['value'])} ({conf} CI "
            f"{format_interval(r['lower'], r['upper'], _ratio_text)}); {self.rank_text()}"
        )
        numbers: dict[str, float] = {"value": float(r["value"])}
        if self.rank_decides:
            # The interval excludes 1 but the rank does not agree: the rank decides, so its
            # one-sided p and the level it had to reach are the numbers.
            p, n = self.placebo, int(self.placebo["denominator"])
            position = int(p["numerator"])
            from_end = position if str(r["status"]) == "Faster" else n - position + 1
            numbers.update(p_value=from_end / n, alpha=max(alpha, 1 / n))
        else:
            numbers.update(lower=float(r["lower"]), upper=float(r["upper"]), reference=1.0)
        return Evidence(
            claim, self.strength, statistic, test, str(r["measure_id"]), **numbers
        )  # fmt: skip


def _growth_clause(strength: str, subject: str, rising: bool) -> str:
    """The growth comparison in words, at exactly ``strength``."""
    if strength == "rising faster":
        return f"{'rising faster' if rising else 'falling more slowly'} than in similar boroughs"
    if strength == "rising more slowly":
        return f"{'rising more slowly' if rising else 'falling faster'} than in similar boroughs"
    if strength == "no clear difference":
        return f"no clear evidence that the trend in {subject} differs from similar boroughs"
    return f"could not compare the trend in {subject} with similar boroughs"


def _change_clause(strength: str, change_percent: float) -> str:
    size = format_percent(abs(change_percent) / 100) if strength in ("rising", "falling") else ""
    return {
        "rising": f"went up by about {size} a year",
        "falling": f"went down by about {size} a year",
        "no clear change": "did not clearly go up or down",
    }.get(strength, "")


def _change_evidence(row: pd.Series, claim: str, strength: str, conf: str) -> Evidence:
    statistic = (
        f"annual change {_pct(row['value'])} ({conf} CI "
        f"{format_interval(row['lower'], row['upper'], _pct)}), {row['period']}"
        if _fitted(row)
        else f"annual change not calculated ({_why_not(str(row['model']))})"
    )
    numbers = (
        {"value": float(row["value"]), "lower": float(row["lower"]),
         "upper": float(row["upper"]), "reference": 0.0}
        if _fitted(row) else {}
    )  # fmt: skip
    test = f"{conf} t interval of the annual % change (quasi-Poisson, panel dispersion) against 0"
    return Evidence(claim, strength, statistic, test, str(row["measure_id"]), **numbers)


def _technical(
    rows: Mapping[str, pd.Series | None],
    growth: Growth,
    no_covid: Growth | None,
    definition: Definition,
) -> str:
    area, mean, ratio = rows["area"], rows["mean"], rows["ratio"]
    conf = format_confidence(float(area["confidence"]))
    parts = [f"{definition.label}, {area['period']} (comparator series, financial years)."]
    if _fitted(area):
        parts.append(
            f"Annual change in the area: {_pct(area['value'])} ({conf} CI "
            f"{format_interval(area['lower'], area['upper'], _pct)}; {area['model']})."
        )
    else:
        parts.append(
            f"Annual change in the area: not calculated ({_why_not(str(area['model']))}; "
            f"{int(area['numerator'])} events in the window)."
        )
    if _fitted(mean):
        parts.append(
            f"Statistical neighbours, random-effects mean of their own annual changes: "
            f"{_pct(mean['value'])} ({conf} CI "
            f"{format_interval(mean['lower'], mean['upper'], _pct)}; "
            f"{int(mean['neighbours_compared'])} neighbours, between-neighbour variance "
            f"tau^2 = {format_number(mean['tau2'], 5)}, Cochran's Q = "
            f"{format_number(mean['q_statistic'], 2)})."
        )
    if ratio is not None and not _fitted(ratio):
        parts.append(f"Ratio of growth: not calculated ({_why_not(str(ratio['model']))}).")
    elif ratio is not None:
        parts.append(
            f"Ratio of growth, the area's annual rate multiplier over the neighbours' "
            f"random-effects mean (SE including tau^2): {_ratio_text(ratio['value'])} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], _ratio_text)}; "
            f"{_p_value(ratio['p_value'])}); {growth.rank_text()}."
        )
        verdict = {
            "rising faster": "the interval and the rank agree: faster",
            "rising more slowly": "the interval and the rank agree: slower",
        }.get(growth.strength)
        if verdict is None:
            verdict = (
                "the interval excludes 1 but the rank does not agree, so no clear difference"
                if growth.rank_decides
                else "no clear difference"
            )
        parts.append(f"Wording: {verdict}.")
    if rows["slope"] is not None:
        slope = rows["slope"]
        parts.append(
            f"Rank of the area's own annual change: {int(slope['numerator'])} of "
            f"{int(slope['denominator'])}."
        )
    parts += _covid_technical(rows, no_covid, conf)
    marker = rows["marker"]
    parts.append(f"Fingertips recent trend ({marker['period']}): {marker['status']}.")
    parts.append(f"Note: {area['note']}.")
    return " ".join(parts)


def _covid_technical(
    rows: Mapping[str, pd.Series | None], no_covid: Growth | None, conf: str
) -> list[str]:
    area = rows["area_nc"]
    if area is None:
        return []
    parts = [f"COVID-19 sensitivity, without {COVID_LABEL} ({area['period']}):"]
    if _fitted(area):
        parts.append(
            f"annual change in the area {_pct(area['value'])} ({conf} CI "
            f"{format_interval(area['lower'], area['upper'], _pct)});"
        )
    ratio = rows["ratio_nc"]
    if no_covid is not None and _fitted(ratio):
        parts.append(
            f"ratio of growth {_ratio_text(ratio['value'])} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], _ratio_text)}); "
            f"{no_covid.rank_text()}; {no_covid.strength}."
        )
    else:
        parts.append("ratio of growth not calculated.")
    return parts


def _neighbours_sentence(area: pd.Series) -> str:
    """Tell residents when fewer than half of the similar boroughs have data."""
    have, listed = int(area["neighbours_with_data"]), int(area["neighbours_listed"])
    if listed == 0 or 2 * have >= listed:
        return ""
    if have == 0:
        return f"None of the {listed} similar boroughs has figures for every year."
    rests = "that one borough" if have == 1 else "those boroughs alone"
    has = "has" if have == 1 else "have"
    return (
        f"Only {have} of the {listed} similar boroughs {has} figures for every year, so the "
        f"comparison rests on {rests}."
    )


def _metric_finding(
    key: str, definition: Definition, table: pd.DataFrame, settings: Settings
) -> Finding | None:
    mid = definition.id
    rows = {
        "area": _row(table, f"{mid}_annual_change", AREA_GROUP),
        "mean": _row(table, f"{mid}_annual_change", NEIGHBOURS_MEAN_GROUP),
        "ratio": _row(table, f"{mid}_growth_ratio", RATIO_GROUP),
        "placebo": _row(table, f"{mid}_placebo_rank", RATIO_GROUP),
        "slope": _row(table, f"{mid}_slope_rank", RATIO_GROUP),
        "marker": _row(table, f"{mid}_trend_marker", AREA_GROUP),
        "area_nc": _row(table, f"{mid}_annual_change{WITHOUT_COVID}", AREA_GROUP),
        "ratio_nc": _row(table, f"{mid}_growth_ratio{WITHOUT_COVID}", RATIO_GROUP),
        "placebo_nc": _row(table, f"{mid}_placebo_rank{WITHOUT_COVID}", RATIO_GROUP),
    }
    area = rows["area"]
    if area is None:
        return None
    confidence = float(area["confidence"])
    alpha, conf = 1 - confidence, format_confidence(confidence)
    growth = Growth.of(rows["ratio"], rows["placebo"], alpha)
    no_covid = (
        Growth.of(rows["ratio_nc"], rows["placebo_nc"], alpha)
        if rows["ratio_nc"] is not None
        else None
    )
    subject = definition.short_label
    period = f"between {area['period'].replace(' to ', ' and ')}"
    if int(area["numerator"]) == 0:
        counted = "offences" if is_proxy(definition) else "victims"
        place = area_name(settings, str(area["area_code"]))
        claim = f"No {counted} of {subject} were recorded in {place} in any year {period}"
        resident = f"{claim}, so there is no trend to describe or compare with similar boroughs."
        evidence = [Evidence(claim, "descriptive", "0 events in the window", "count")]
        status = "Not compared"
    else:
        resident, evidence = _resident(rows, growth, no_covid, subject, period, conf, alpha)
        status = GROWTH_STATUS[growth.strength]
    return Finding(
        id=f"{key}_trend",
        topic="trend",
        resident=resident,
        technical=_technical(rows, growth, no_covid, definition),
        status=status,
        measure_ids=[
            f"{mid}_annual_change",
            f"{mid}_growth_ratio",
            f"{mid}_placebo_rank",
            f"{mid}_trend_marker",
        ],
        evidence=evidence,
    )


def _resident(
    rows: Mapping[str, pd.Series | None],
    growth: Growth,
    no_covid: Growth | None,
    subject: str,
    period: str,
    conf: str,
    alpha: float,
) -> tuple[str, list[Evidence]]:
    """The resident sentences, each chosen from the strength of its evidence, with the
    COVID-19 hedge where a conclusion depends on 2020-21."""
    area, area_nc = rows["area"], rows["area_nc"]
    rising = _fitted(area) and float(area["value"]) > 0
    evidence: list[Evidence] = []
    # 1. The growth comparison.
    claim = _growth_clause(growth.strength, subject, rising)
    first = {
        "rising faster": f"{sentence_case(subject)} is {claim}",
        "rising more slowly": f"{sentence_case(subject)} is {claim}",
        "no clear difference": f"There is {claim}",
    }.get(growth.strength, f"We {claim}")
    evidence.append(growth.evidence(claim, alpha, conf))
    hedged = False
    if (
        no_covid is not None
        and growth.strength != "not available"
        and no_covid.strength not in (growth.strength, "not available")
    ):
        hedge = (
            f"{PANDEMIC} the difference is not clear"
            if no_covid.strength == "no clear difference"
            else f"{PANDEMIC} it is {_growth_clause(no_covid.strength, subject, rising)}"
        )
        first += f"; {hedge}"
        evidence.append(no_covid.evidence(hedge, alpha, conf))
        hedged = True
    sentences = [first + "."]
    # 2. The area's own change.
    strength = CHANGE_STRENGTH[str(area["status"])]
    if strength == "not available":
        claim = f"could not work out the trend in {subject} {period}"
        second = f"We {claim}"
    else:
        claim = _change_clause(strength, float(area["value"]))
        second = f"It {claim} {period}"
    evidence.append(_change_evidence(area, claim, strength, conf))
    if area_nc is not None and strength != "not available":
        strength_nc = CHANGE_STRENGTH[str(area_nc["status"])]
        if strength_nc not in (strength, "not available"):
            what = {"rising": "rise", "falling": "fall"}.get(strength)
            hedge = (
                f"{PANDEMIC} the {what} is not clear"
                if strength_nc == "no clear change" and what
                else f"{PANDEMIC} it {_change_clause(strength_nc, float(area_nc['value']))}"
            )
            second += f"; {hedge}"
            evidence.append(_change_evidence(area_nc, hedge, strength_nc, conf))
            hedged = True
    sentences.append(second + ".")
    # 3. The pandemic caveat where residents read growth from 2020-21.
    if area_nc is not None and not hedged:
        same = "leaving that year out does not change these conclusions"
        sentences.append(
            f"{COVID_LABEL} was the first year of the COVID-19 pandemic, when less violence "
            f"was recorded; {same}."
        )
        # The sensitivity's own evidence: the same strengths without 2020-21.
        if no_covid is not None and no_covid.strength != "not available":
            evidence.append(no_covid.evidence(same, alpha, conf))
        strength_nc = CHANGE_STRENGTH[str(area_nc["status"])]
        if strength_nc != "not available":
            evidence.append(_change_evidence(area_nc, same, strength_nc, conf))
    elif area_nc is None and str(area["period"]).startswith(COVID_LABEL):
        sentences.append(
            f"{COVID_LABEL} was the first year of the COVID-19 pandemic, when less violence "
            "was recorded, which can make a change measured from that year look larger."
        )
    neighbours = _neighbours_sentence(area)
    if neighbours:
        sentences.append(neighbours)
        evidence.append(
            Evidence(
                neighbours,
                "descriptive",
                f"{int(area['neighbours_with_data'])} of {int(area['neighbours_listed'])} "
                "neighbours with complete series",
                "count of neighbours with data",
                str(area["measure_id"]),
            )  # fmt: skip
        )
    return " ".join(sentences), evidence


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Trend findings for each metric: growth against similar boroughs, hedged by its
    interval, its placebo rank and the COVID-19 sensitivity."""
    out: list[Finding] = []
    for key, definition in zip(METRIC_KEYS, metric_definitions(settings), strict=True):
        finding = _metric_finding(key, definition, table, settings)
        if finding is not None:
            out.append(finding)
    return out
