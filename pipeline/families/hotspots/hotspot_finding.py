"""The hot-spot finding: each claim at the strength of the test behind it.

Residents are told an LSOA is a hot spot only when its own rate is significantly high
(:mod:`.own_rate`: exact Poisson against the borough rate, Benjamini-Hochberg). Gi* clusters
(:mod:`.clusters`) are reported in the technical text as "in a cluster of high rates", and
LSOAs in such a cluster whose own rate did not pass are named as such, so that nobody reads
"next to high rates" as "high itself".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.common import edition_rows, list_phrase, subject_of
from pipeline.families.hotspots.clusters import HIGH_CLUSTER, LOW_CLUSTER
from pipeline.families.hotspots.own_rate import HOT_SPOT, OWN_RATE_MEASURE
from pipeline.findings import Finding, format_number
from pipeline.settings import Settings

#: Cluster class of a Gi* row that could not be computed (no boundaries or no incidents).
NOT_COMPUTED = "Not computed"


def _p_text(p: float) -> str:
    return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"


def _evidence(row: Mapping[str, Any]) -> str:
    """'E01000001 (O/E 3.20, p = 0.0002, q = 0.0061)': the statistic and its test's p and q."""
    return (
        f"{row['group']} (O/E {format_number(float(row['value']), 2)}, p "
        f"{_p_text(float(row['p_value']))}, q {_p_text(float(row['q_value']))})"
    )


def _cluster_text(gi: pd.DataFrame, hot: set[str]) -> str:
    """The Gi* clusters in technical words, or why they were not computed."""
    if gi.empty:
        return ""
    first = gi.iloc[0]
    if (gi["cluster_class"] == NOT_COMPUTED).all():
        return f" Clusters: {first['note']}."
    high = sorted(gi.loc[gi["cluster_class"] == HIGH_CLUSTER, "group"].astype(str))
    low = sorted(gi.loc[gi["cluster_class"] == LOW_CLUSTER, "group"].astype(str))
    text = (
        f" Clusters ({first['test']}, on Empirical-Bayes rates with binary queen "
        f"contiguity, Benjamini-Hochberg FDR across {len(gi)} LSOAs): {len(high)} LSOAs "
        f"in a cluster of high rates ({', '.join(high) if high else 'none'}), {len(low)} in a "
        "cluster of low rates."
    )
    only_cluster = [c for c in high if c not in hot]
    if only_cluster:
        text += (
            f" In a cluster of high rates but with an own rate not significantly above the "
            f"borough's (not called hot spots): {', '.join(only_cluster)}."
        )
    raised = [p for p in str(first["note"]).split("; ") if p.startswith("permutations")]
    if raised:
        text += f" Note: {raised[0]}."
    return text


def hotspot_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    """Hot spots (own rate significantly high) for residents; clusters for the technical."""
    own = edition_rows(table, f"{sv_id}_{OWN_RATE_MEASURE}", settings)
    if own.empty:
        return None
    gi = edition_rows(table, f"{sv_id}_gi_star", settings)
    first = own.iloc[0]
    hot_rows = own.loc[own["hotspot_class"] == HOT_SPOT].sort_values("group")
    hot = set(hot_rows["group"].astype(str))
    lsoa_rows = edition_rows(table, f"{sv_id}_lsoa_rate", settings).set_index("group")
    wards = sorted({str(lsoa_rows.loc[c, "ward_name"]) for c in hot if c in lsoa_rows.index})
    msoa = bool(lsoa_rows["ward_code"].astype(str).str.startswith("E02").all())
    sv = settings.definitions.serious_violence_u25
    subject = subject_of(sv, "violence against young people")
    where_more = (
        f"neighbourhoods where {subject} is much more common than across the borough as a "
        "whole, by more than chance would explain"
    )
    if hot:
        # Public data without an LSOA-to-ward lookup group LSOAs by MSOA, named as such.
        level = ("MSOA", "MSOAs") if msoa else ("ward", "wards")
        where = f" in {list_phrase(wards)} {level[len(wards) > 1]}" if wards else ""
        resident = f"We looked for hot spots: {where_more}. We found hot spots{where}."
        status = "Hot spots found"
    else:
        resident = (
            f"We looked for {where_more}. No neighbourhood stood out clearly enough to call it "
            "a hot spot."
        )
        status = "No hot spots"
    technical = (
        f"{first['definition']}, {first['period']}: each LSOA's count against the count "
        f"expected at the borough rate ({format_number(float(first['borough_rate']), 1)} per "
        f"1,000), {first['test']}, Benjamini-Hochberg FDR at {float(first['fdr']):g} across "
        f"{len(own)} LSOAs. Hot spots (own rate significantly above the borough's): "
        f"{len(hot)} LSOAs"
        + (f": {'; '.join(_evidence(r) for r in hot_rows.to_dict('records'))}." if hot else ".")
        + _cluster_text(gi, hot)
    )
    return Finding(
        id="hotspots_gi_star",
        topic="where",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_{OWN_RATE_MEASURE}", f"{sv_id}_gi_star"],
        evidence=_claims(own, hot_rows, f"{sv_id}_{OWN_RATE_MEASURE}"),
    )


def _claims(own: pd.DataFrame, hot_rows: pd.DataFrame, measure_id: str) -> list[Evidence]:
    """One claim per hot spot (its O/E, p and q against the FDR), or, with none, the LSOA that
    came closest: residents' "hot spot" is licensed by the own-rate test alone."""
    first = own.iloc[0]
    test = (
        f"{first['test']} against the borough rate, Benjamini-Hochberg FDR "
        f"{float(first['fdr']):g} across {len(own)} LSOAs"
    )

    def evidence(row: Mapping[str, Any], claim: str, strength: str) -> Evidence:
        return Evidence(
            claim=claim,
            strength=strength,
            statistic=_evidence(row),
            test=test,
            measure_id=measure_id,
            value=float(row["value"]),
            p_value=float(row["p_value"]),
            q_value=float(row["q_value"]),
            alpha=float(row["fdr"]),
        )

    if len(hot_rows):
        return [evidence(r, "hot spots", "hot spot") for r in hot_rows.to_dict("records")]
    closest = own.sort_values(["q_value", "group"]).iloc[0]
    return [evidence(closest, "a hot spot", "not a hot spot")]
