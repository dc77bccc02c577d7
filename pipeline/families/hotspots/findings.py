"""'Where' findings: concentration, Gi* hot spots and incidents near schools."""

from __future__ import annotations

import pandas as pd

from pipeline.families.common import edition_rows, interval_status, list_phrase, subject_of
from pipeline.families.hotspots.gi_star import COLD, HOT, gi_residents
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


def _gi_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    gi = edition_rows(table, f"{sv_id}_gi_star", settings)
    if gi.empty:
        return None
    first = gi.iloc[0]
    if (gi["hotspot_class"] == "Not computed").all():
        return Finding(
            id="hotspots_gi_star",
            topic="where",
            resident="We could not look for hot spots this year, because we did not have the "
            "neighbourhood boundaries we need.",
            technical=f"{first['definition']}, {first['period']}: {first['note']}.",
            status="Not computed",
            measure_ids=[f"{sv_id}_gi_star"],
        )
    lsoa_rows = edition_rows(table, f"{sv_id}_lsoa_rate", settings).set_index("group")
    hot = gi.loc[gi["hotspot_class"] == HOT, "group"].tolist()
    cold = gi.loc[gi["hotspot_class"] == COLD, "group"].tolist()
    wards = sorted({str(lsoa_rows.loc[c, "ward_name"]) for c in hot if c in lsoa_rows.index})
    msoa = bool(lsoa_rows["ward_code"].astype(str).str.startswith("E02").all())
    stats_cfg = settings.statistics
    permutations = int(first["permutations"])
    sv = settings.definitions.serious_violence_u25
    subject = subject_of(sv, "violence against young people")
    if hot:
        level = "area" if msoa else "ward"
        where = f" in {list_phrase(wards)} {level}{'s' if len(wards) > 1 else ''}" if wards else ""
        resident = (
            f"We looked for hot spots: groups of neighbourhoods where {subject} is much more "
            f"common than chance would explain. We found hot spots{where}."
        )
        status = "Hot spots found"
    else:
        resident = (
            f"We looked for hot spots: groups of neighbourhoods where {subject} is much more "
            "common than chance would explain. No neighbourhood stood out clearly enough to "
            "call it a hot spot."
        )
        status = "No hot spots"
    technical = (
        f"{first['definition']}, {first['period']}: local Getis-Ord Gi* on Empirical-Bayes "
        f"rates per 1,000 {gi_residents(settings)}, binary queen contiguity, {permutations} "
        f"conditional permutations (seed {stats_cfg.random_seed}), two-sided p (twice the "
        "smaller one-sided permutation p), Benjamini-Hochberg FDR at "
        f"{float(stats_cfg.hotspot_fdr):g} across {len(gi)} LSOAs. Hot spots: {len(hot)} "
        f"LSOAs ({', '.join(hot) if hot else 'none'}); cold spots: {len(cold)}. The smallest "
        f"attainable two-sided p is {2 / (permutations + 1):.4f}."
    )
    raised = [part for part in str(first["note"]).split("; ") if part.startswith("permutations")]
    if raised:
        technical += f" Note: {raised[0]}."
    return Finding(
        id="hotspots_gi_star",
        topic="where",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_gi_star"],
    )


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
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """'Where' findings: concentration, Gi* hot spots and incidents near schools."""
    sv_id = str(settings.definitions.serious_violence_u25.id)
    made = [
        _concentration_finding(table, settings, sv_id),
        _gi_finding(table, settings, sv_id),
        _school_finding(table, settings, sv_id),
    ]
    return [f for f in made if f is not None]
