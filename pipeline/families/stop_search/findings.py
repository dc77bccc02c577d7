"""Stop-and-search findings: how many searches, who was searched against who lives in the
area, and what came of the searches. Worded as police activity, never as harm."""

from __future__ import annotations

import pandas as pd

from pipeline.families.common import interval_status, list_phrase
from pipeline.findings import (
    Finding,
    format_confidence,
    format_count,
    format_interval,
    format_number,
    format_share,
)
from pipeline.formatting import month_label
from pipeline.settings import Settings

TOPIC = "police_activity"


def _rows(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    return table.loc[table["measure_id"] == measure]


def coverage(row: pd.Series, settings: Settings) -> str:
    """The year the figures describe, with the months the files hold when not all of it:
    '2024-25', or '2022-23 (the files supplied hold September 2022 only, not 2024-25)'."""
    period = str(row["period"])
    months = int(row["months_covered"])
    if months == 12 and period == settings.edition:
        return period
    if months == 0:
        return f"{period} (the files supplied hold no search of it)"
    first, last = month_label(str(row["first_month"])), month_label(str(row["last_month"]))
    held = f"{first} only" if first == last else f"{months} of its 12 months, {first} to {last}"
    other = "" if period == settings.edition else f", not {settings.edition}"
    return f"{period} (the files supplied hold {held}{other})"


def _volume(table: pd.DataFrame, settings: Settings) -> Finding | None:
    total = _rows(table, "ss_searches")
    if total.empty:
        return None
    count = int(total["numerator"].iloc[0])
    threshold = settings.resident_threshold
    rate = _rows(table, "ss_rate")
    rate_text = ""
    if not rate.empty:
        r = rate.iloc[0]
        rate_text = (
            f", {format_number(r['value'])} per 1,000 residents "
            f"({format_confidence(r['confidence'])} CI "
            f"{format_interval(r['lower'], r['upper'])})"
        )
    when = coverage(total.iloc[0], settings)
    return Finding(
        id="ss_searches",
        topic=TOPIC,
        resident=f"The police carried out {format_count(count, threshold)} stop and searches in "
        f"the area in {when}. This is police activity: it counts searches, not people harmed.",
        technical=f"{count:,} searches in {when}{rate_text}; police.uk "
        "stop-and-search records located in the area (police activity, not victimisation).",
        status="Not compared",
        measure_ids=["ss_searches", "ss_rate"],
    )


def _ethnicity(table: pd.DataFrame, stem: str, words: str) -> Finding | None:
    ratios = _rows(table, f"{stem}_rate_ratio").dropna(subset=["lower", "upper"])
    if ratios.empty:
        return None
    higher = [
        r
        for r in ratios.to_dict("records")
        if interval_status(1.0, r["lower"], r["upper"]) == "Higher"
    ]
    details = "; ".join(
        f"{r['group']} {format_number(r['value'], 2)} ({format_interval(r['lower'], r['upper'])})"
        for r in ratios.to_dict("records")
    )
    confidence = format_confidence(float(ratios["confidence"].iloc[0]))
    if higher:
        names = list_phrase([str(r["group"]) for r in higher])
        resident = (
            f"By {words}, people recorded as {names} were searched more often than "
            "everyone else, for the number of residents in those groups. This describes "
            "police searches, not who was harmed, and is not on its own evidence of bias."
        )
        status = "Higher"
    else:
        resident = (
            f"By {words}, no group was searched clearly more often than everyone else "
            "for its number of residents."
        )
        status = "Similar"
    return Finding(
        id=f"{stem}_rate_ratio",
        topic=TOPIC,
        resident=resident,
        technical=f"Search rate ratios against everyone else by {words} ({confidence} exact "
        f"conditional CI): {details}. Census 2021 residents of all ages; searches whose "
        "ethnicity is not stated left out.",
        status=status,
        measure_ids=[f"{stem}_rate_ratio", f"{stem}_share", f"{stem}_population_share"],
    )


def _outcome(table: pd.DataFrame, settings: Settings) -> Finding | None:
    outcomes = _rows(table, "ss_outcome_share")
    if outcomes.empty:
        return None
    top = outcomes.iloc[0]
    threshold = settings.resident_threshold
    share = format_share(int(top["numerator"]), int(top["denominator"]), threshold)
    if share is None:
        return None
    return Finding(
        id="ss_outcome_share",
        topic=TOPIC,
        resident=f"The most common outcome of a search was '{top['group']}' ({share} of searches).",
        technical=f"Most common outcome: {top['group']}, {int(top['numerator']):,} of "
        f"{int(top['denominator']):,} searches ({format_number(top['value'] * 100)}%, "
        f"Wilson CI {format_interval(top['lower'] * 100, top['upper'] * 100)}%).",
        status="Not compared",
        measure_ids=["ss_outcome_share"],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """The stop-and-search findings the table licenses."""
    found = [
        _volume(table, settings),
        _ethnicity(table, "ss_officer_ethnicity", "officer-defined ethnicity"),
        _ethnicity(table, "ss_self_ethnicity", "self-defined ethnicity"),
        _outcome(table, settings),
    ]
    return [f for f in found if f is not None]
