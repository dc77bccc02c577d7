"""Strategy-monitoring findings: each outcome indicator's change and the action tracker."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.common import list_phrase
from pipeline.families.monitoring.measures import (
    ACTION_STATUSES,
    IMPROVING,
    NO_BASELINE,
    NO_CLEAR_CHANGE,
    NOT_AVAILABLE,
    NOTHING_TO_MEASURE,
    PANDEMIC_YEARS,
    WORSENING,
    none_in_either,
)
from pipeline.findings import (
    Finding,
    format_confidence,
    format_interval,
    format_number,
    format_percent,
    is_suppressed,
)
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings


def _two_decimals(value: float) -> str:
    return format_number(value, 2)


def _value_text(value: float, kind: str) -> str:
    return format_percent(value) if kind == "share" else format_number(value, 0)


def _fmt_for(kind: str) -> Any:
    """Technical number format of an indicator's values."""
    if kind == "share":
        return lambda v: format_percent(v, 1)
    return lambda v: format_number(v, 1)


def pandemic_caveat(settings: Settings) -> tuple[str, str] | None:
    """Resident and technical caveats when the baseline year was shaped by COVID-19."""
    baseline_year = settings.years[0]
    what = PANDEMIC_YEARS.get(baseline_year)
    if what is None:
        return None
    period = financial_year_label(baseline_year)
    return (
        f"{period}, the starting year, {what}, so it may not be a typical year to compare with.",
        f"Baseline {period} {what}: the change from it may reflect the pandemic as much as "
        "the strategy.",
    )


def _change_evidence(row: pd.Series, claim: str) -> Evidence:
    """The ratio latest/baseline against 1: which way the indicator moved, if clearly."""
    lower, upper = float(row["change_lower"]), float(row["change_upper"])
    if none_in_either(row) or any(pd.isna(v) for v in (lower, upper)):
        strength = "no clear change"
    elif lower > 1:
        strength = "rising"
    elif upper < 1:
        strength = "falling"
    else:
        strength = "no clear change"
    conf = format_confidence(float(row["confidence"]))
    statistic = (
        f"ratio latest/baseline {format_number(row['change_ratio'], 2)} ({conf} CI "
        f"{format_interval(lower, upper, _two_decimals)})"
        if not none_in_either(row)
        else "none in either year"
    )
    return Evidence(
        claim=claim,
        strength=strength,
        statistic=statistic,
        test=f"{row['method']}: {conf} CI against 1" if row["method"] else "counts compared",
        measure_id=str(row["measure_id"]),
        value=None if none_in_either(row) else float(row["change_ratio"]),
        lower=None if none_in_either(row) else lower,
        upper=None if none_in_either(row) else upper,
        reference=None if none_in_either(row) else 1.0,
    )


def _indicator_finding(row: pd.Series, settings: Settings, caveat: bool = False) -> Finding:
    """Resident and technical words for one indicator that has a latest value; ``caveat``
    adds the COVID-19 baseline caveat to the resident text (the technical text always has
    it when the baseline year needs it)."""
    threshold = settings.resident_threshold
    domain, label, kind, status = (str(row[c]) for c in ("group", "indicator", "kind", "status"))
    conf = format_confidence(float(row["confidence"]))
    fmt = _fmt_for(kind)
    latest = (
        f"{row['latest_period']} {fmt(row['value'])} ({conf} CI "
        f"{format_interval(row['lower'], row['upper'], fmt)}; "
        f"{int(row['numerator'])}/{int(row['denominator'])})"
    )
    pandemic = pandemic_caveat(settings)
    if status == NO_BASELINE:
        small = is_suppressed(row["numerator"], threshold)
        shown = "too small to show" if small else _value_text(row["value"], kind)
        resident = (
            f"{domain}: the {label} was {shown} in {row['latest_period']}. We do not have a "
            f"figure for {row['baseline_period']} to compare it with."
        )
        technical = (
            f"{domain} - {label} ({row['source_measure_id']}): {latest}; no baseline "
            f"({row['note']})."
        )
        evidence = Evidence(
            claim="we do not have a figure",
            strength="not available",
            statistic=f"latest {fmt(row['value'])}; no baseline",
            test="no comparison",
            measure_id=str(row["measure_id"]),
        )
    else:
        change = {
            IMPROVING: "That is a clear improvement.",
            WORSENING: "That is a clear change for the worse.",
            NO_CLEAR_CHANGE: "That is not a clear change.",
        }[status]
        small = is_suppressed(row["numerator"], threshold) or is_suppressed(
            row["baseline_numerator"], threshold
        )
        clear = status in (IMPROVING, WORSENING)
        went = "went up" if float(row["change_ratio"]) > 1 else "went down"
        if none_in_either(row):
            claim = "stayed at"
            resident = (
                f"{domain}: there were none in {row['baseline_period']} or in "
                f"{row['latest_period']}, so the {label} stayed at {_value_text(0.0, kind)}."
            )
        elif small:
            claim = change.removeprefix("That is ").rstrip(".")
            resident = f"{domain}: the numbers behind the {label} are too small to show. {change}"
        elif clear:
            claim = went
            resident = (
                f"{domain}: the {label} {went} from "
                f"{_value_text(row['baseline_value'], kind)} in {row['baseline_period']} to "
                f"{_value_text(row['value'], kind)} in {row['latest_period']}. {change}"
            )
        else:
            claim = change.removeprefix("That is ").rstrip(".")
            resident = (
                f"{domain}: the {label} was {_value_text(row['value'], kind)} in "
                f"{row['latest_period']}, compared with "
                f"{_value_text(row['baseline_value'], kind)} in {row['baseline_period']}. "
                f"{change}"
            )
        if caveat and pandemic is not None:
            resident += " " + pandemic[0]
        ratio = (
            f"Ratio not defined ({row['note']})"
            if none_in_either(row)
            else f"Ratio {format_number(row['change_ratio'], 2)} ({conf} CI "
            f"{format_interval(row['change_lower'], row['change_upper'], _two_decimals)}; "
            f"{row['method']}; {row['direction']})"
        )
        technical = (
            f"{domain} - {label} ({row['source_measure_id']}): {latest} against baseline "
            f"{row['baseline_period']} {fmt(row['baseline_value'])} ({conf} CI "
            f"{format_interval(row['baseline_lower'], row['baseline_upper'], fmt)}; "
            f"{int(row['baseline_numerator'])}/{int(row['baseline_denominator'])}). "
            f"{ratio}: {status}."
        )
        if pandemic is not None:
            technical += " " + pandemic[1]
        evidence = _change_evidence(row, claim)
    return Finding(
        id=str(row["measure_id"]),
        topic="monitoring",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[str(row["measure_id"]), str(row["source_measure_id"])],
        evidence=[evidence],
    )


def _unavailable_finding(rows: pd.DataFrame) -> Finding:
    """One finding listing the indicators that could not be measured, and why."""
    empty = rows["note"].fillna("").astype(str).str.contains(NOTHING_TO_MEASURE, regex=False)
    sentences = []
    if (~empty).any():
        labels = [f"the {label}" for label in rows.loc[~empty, "indicator"]]
        sentences.append(
            f"Some measures of the strategy are not available yet: {list_phrase(labels)}."
        )
    if empty.any():
        labels = [f"the {label}" for label in rows.loc[empty, "indicator"]]
        sentences.append(
            f"There was nothing to count for {list_phrase(labels)}, so "
            f"{'they cannot be given' if len(labels) > 1 else 'it cannot be given'}."
        )
    resident = " ".join(sentences)
    technical = (
        "Indicators not available: "
        + "; ".join(
            f"{r['group']} - {r['indicator']} ({r['source_measure_id']}: {r['note']})"
            for _, r in rows.iterrows()
        )
        + "."
    )
    return Finding(
        id="monitoring_not_available",
        topic="monitoring",
        resident=resident,
        technical=technical,
        status=NOT_AVAILABLE,
        measure_ids=[str(m) for m in rows["measure_id"]],
        evidence=[
            Evidence(
                claim="not available",
                strength="not available",
                statistic=f"{len(rows)} indicator(s) without a value",
                test="no comparison",
            )
        ],
    )


def _actions_finding(table: pd.DataFrame, settings: Settings) -> Finding | None:
    counts = table.loc[table["measure_id"] == "actions_by_status"]
    if counts.empty or counts["numerator"].sum() == 0:
        return None
    overdue = table.loc[table["measure_id"] == "actions_overdue"]
    late_total = int(overdue["numerator"].sum())
    total = int(counts["numerator"].sum())
    by_status = counts.groupby("action_status")["numerator"].sum()
    late = overdue.loc[overdue["numerator"] > 0]
    late_domains = late["group"].tolist()
    late_detail = ", ".join(
        f"{g} {int(n)}" for g, n in zip(late["group"], late["numerator"], strict=True)
    )
    if late_total == 0:
        resident = "Every action in the strategy's plan is complete or not yet due."
        status = "No overdue actions"
    else:
        resident = (
            "Some actions in the strategy's plan are late: they were due before this report "
            f"and are not finished. They are in the {list_phrase(late_domains)} part"
            f"{'s' if len(late_domains) > 1 else ''} of the plan."
        )
        status = "Overdue actions"
    technical = (
        f"Action tracker at {pd.Timestamp(settings.publication_date).date().isoformat()}: "
        f"{total} actions; "
        + ", ".join(f"{s} {int(by_status.get(s, 0))}" for s in ACTION_STATUSES)
        + f". Overdue (due before publication, not Complete): {late_total}"
        + (f" ({late_detail})" if late_total else "")
        + "."
    )
    return Finding(
        id="monitoring_actions",
        topic="monitoring",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=["actions_by_status", "actions_overdue", "action_overdue"],
        evidence=[
            Evidence(
                claim="late" if late_total else "complete or not yet due",
                strength="descriptive",
                statistic=f"{late_total} of {total} actions overdue",
                test="count of the council's action tracker (no inference)",
                measure_id="actions_overdue",
            )
        ],
    )


def _no_tracker_finding(table: pd.DataFrame) -> Finding | None:
    rows = table.loc[table["measure_id"] == "actions_not_supplied"]
    if rows.empty:
        return None
    return Finding(
        id="monitoring_actions",
        topic="monitoring",
        resident="The council's list of actions was not part of this report, so it does not "
        "say which actions are on track.",
        technical=f"Action tracker: {rows.iloc[0]['note']}.",
        status="Not supplied",
        measure_ids=["actions_not_supplied"],
        evidence=[
            Evidence(
                claim="not part of this report",
                strength="not available",
                statistic="no action tracker",
                test="no comparison",
                measure_id="actions_not_supplied",
            )
        ],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """One finding per outcome indicator (domain order), then the action tracker."""
    indicators = table.loc[table["measure_id"].str.startswith("monitoring_")]
    available = indicators["status"] != NOT_AVAILABLE
    out: list[Finding] = []
    caveated: set[str] = set()
    for _, row in indicators.loc[available].iterrows():
        # the COVID-19 caveat once per domain paragraph, beside its first comparison
        compares = row["status"] != NO_BASELINE
        out.append(
            _indicator_finding(row, settings, caveat=compares and row["group"] not in caveated)
        )
        if compares:
            caveated.add(row["group"])
    if (~available).any():
        out.append(_unavailable_finding(indicators.loc[~available]))
    actions = _actions_finding(table, settings) or _no_tracker_finding(table)
    return out + ([actions] if actions is not None else [])
