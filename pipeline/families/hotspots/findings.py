"""'Where' findings: concentration, hot spots (:mod:`.hotspot_finding`) and incidents near
schools."""

from __future__ import annotations

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.common import edition_rows, interval_status, subject_of
from pipeline.families.hotspots.hotspot_finding import hotspot_finding
from pipeline.findings import (
    Finding,
    format_confidence,
    format_interval,
    format_number,
    format_percent,
    format_share,
    sentence_case,
)
from pipeline.settings import Settings


def _concentration_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    top10 = edition_rows(table, f"{sv_id}_top_10pct_share", settings)
    top5 = edition_rows(table, f"{sv_id}_top_5pct_share", settings)
    gini_row = edition_rows(table, f"{sv_id}_gini", settings)
    if top10.empty or top5.empty or gini_row.empty:
        return None
    t10, t5, g = top10.iloc[0], top5.iloc[0], gini_row.iloc[0]
    threshold = settings.resident_threshold
    share = format_share(int(t10["numerator"]), int(t10["denominator"]), threshold)
    if int(t10["denominator"]) == 0:
        resident = "There were no incidents with a known place to look at."
    elif share is None:
        resident = "There were too few incidents to say how much they gather in a few places."
    else:
        sv = settings.definitions.serious_violence_u25
        subject = subject_of(sv, "violence against young people")
        resident = (
            f"{sentence_case(subject)} is not spread evenly across the borough. "
            f"In {t10['period']}, the 10% of neighbourhoods with the most incidents had "
            f"{share} of them."
        )
    technical = (
        f"{t10['definition']}, {t10['period']}: the top 5% of LSOAs ({int(t5['lsoas'])} of "
        f"{int(t5['lsoas_total'])}) had {int(t5['numerator'])} of {int(t5['denominator'])} "
        f"located incidents ({format_percent(t5['value'], 1)}); the top 10% "
        f"({int(t10['lsoas'])} LSOAs) had "
        f"{int(t10['numerator'])} ({format_percent(t10['value'], 1)}). Gini coefficient across "
        f"{int(g['denominator'])} LSOAs: {format_number(g['value'], 3)}. Descriptive measures "
        "(the ranking is chosen from the same data), so no interval is given."
    )
    return Finding(
        id="hotspots_concentration",
        topic="where",
        resident=resident,
        technical=technical,
        status="Descriptive",
        measure_ids=[f"{sv_id}_top_5pct_share", f"{sv_id}_top_10pct_share", f"{sv_id}_gini"],
    )


def _percent(value: float) -> str:
    return format_percent(value, 1)


def _school_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    share_rows = edition_rows(table, f"{sv_id}_near_school_share", settings)
    ratio_rows = edition_rows(table, f"{sv_id}_near_school_ratio", settings)
    if share_rows.empty or pd.isna(share_rows.iloc[0]["value"]):
        return None
    share = share_rows.iloc[0]
    distance = settings.definitions.school_distance_m
    threshold = settings.resident_threshold
    shown = format_share(int(share["numerator"]), int(share["denominator"]), threshold)
    conf = format_confidence(float(share["confidence"]))
    technical = (
        f"{share['definition']}, {share['period']}: {int(share['numerator'])} of "
        f"{int(share['denominator'])} incidents with coordinates were within {distance:g} m of "
        f"a school ({format_percent(share['value'], 1)}, {conf} CI "
        f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}; "
        "Wilson)."
    )
    if ratio_rows.empty or pd.isna(ratio_rows.iloc[0]["value"]):
        # Say so, with the reason the table records: a comparison that silently vanishes reads
        # as if none had been intended.
        status = "Not compared"
        notes = [ratio_rows.iloc[0]["note"]] if not ratio_rows.empty else []
        notes.append(share["note"])
        reason = next((str(n) for n in notes if isinstance(n, str) and n), "no expected share")
        evidence = None
        comparison = (
            " We could not compare this with how much of the borough's land is near a school."
        )
        technical += f" No comparison with the land near schools ({reason})."
    else:
        ratio = ratio_rows.iloc[0]
        expected = float(ratio["expected_share"])
        status = interval_status(expected, share["lower"], share["upper"])
        how = {
            "Higher": "more often than",
            "Similar": "about as often as",
            "Lower": "less often than",
        }[status]
        comparison = (
            f" About {format_percent(expected)} of the borough's land is that close to a school. "
            f"So incidents happened near schools {how} you would expect from the land alone."
        )
        evidence = Evidence(
            claim=f"{how} you would expect",
            strength=status.lower(),
            statistic=(
                f"share within {distance:g} m {format_percent(share['value'], 1)} ({conf} CI "
                f"{format_interval(share['lower'], share['upper'], _percent)}) against the "
                f"land's share {format_percent(expected, 1)}"
            ),
            test=f"{conf} Wilson interval of the share against the land's share",
            measure_id=f"{sv_id}_near_school_share",
            value=float(share["value"]),
            lower=float(share["lower"]),
            upper=float(share["upper"]),
            reference=expected,
        )
        technical += (
            f" Expected share if incidents were spread evenly over the borough's land: "
            f"{format_percent(expected, 1)}; ratio {format_number(ratio['value'], 2)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))}); "
            f"{status} than expected by the interval."
        )
    if shown is None:
        resident = (
            f"There were too few incidents near schools to give a figure (within "
            f"{distance:,.0f} metres)."
        )
        evidence = None  # the comparison is not printed, so it claims nothing
    else:
        resident = (
            f"In {share['period']}, {shown} of incidents happened within {distance:,.0f} metres "
            f"of a school.{comparison}"
        )
    return Finding(
        id="hotspots_schools",
        topic="where",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_near_school_share", f"{sv_id}_near_school_ratio"],
        evidence=[evidence] if evidence is not None else [],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """'Where' findings: concentration, hot spots (:mod:`.hotspot_finding`) and incidents near
    schools."""
    sv_id = str(settings.definitions.serious_violence_u25.id)
    made = [
        _concentration_finding(table, settings, sv_id),
        hotspot_finding(table, settings, sv_id),
        _school_finding(table, settings, sv_id),
    ]
    return [f for f in made if f is not None]
