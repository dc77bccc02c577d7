"""Deprivation findings: the gradient across deciles and the share in the most deprived areas."""

from __future__ import annotations

import pandas as pd

from pipeline.families.common import (
    covers_all_ages,
    edition_rows,
    interval_status,
    residents_phrase,
    subject_of,
)
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

#: Resident-facing statuses of the deprivation gradient.
GRADIENT_STATUS = {
    "Higher": "Higher in more deprived areas",  # rate rises with each step to more deprived
    "Similar": "No clear gradient",
    "Lower": "Lower in more deprived areas",
    "Not compared": "Not compared",
}


def _gradient_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    glm_rows = edition_rows(table, f"{sv_id}_decile_rate_ratio", settings)
    if glm_rows.empty or pd.isna(glm_rows.iloc[0]["value"]):
        return None
    glm = glm_rows.iloc[0]
    status = GRADIENT_STATUS[interval_status(1.0, glm["lower"], glm["upper"])]
    conf = format_confidence(float(glm["confidence"]))
    sv = settings.definitions.serious_violence_u25
    subject = subject_of(sv, "violence against young people")
    rii_rows = edition_rows(table, f"{sv_id}_rii", settings)
    sii_rows_ = edition_rows(table, f"{sv_id}_sii", settings)
    resident = {
        "Higher in more deprived areas": (
            f"{sentence_case(subject)} was more common in the more deprived "
            "neighbourhoods of the borough."
        ),
        "No clear gradient": (
            "We found no clear link between how deprived a neighbourhood is and how much "
            f"{subject} happens there."
        ),
        "Lower in more deprived areas": (
            f"{sentence_case(subject)} was less common in the more deprived "
            "neighbourhoods of the borough."
        ),
    }[status]
    technical = (
        f"{glm['definition']}, {glm['period']} ({glm['iod_edition']} national deciles): rate "
        f"ratio per one-decile step towards more deprived LSOAs "
        f"{format_number(glm['value'], 3)} ({conf} CI "
        f"{format_interval(glm['lower'], glm['upper'], lambda v: format_number(v, 3))}; Poisson "
        f"GLM with log-population offset, Pearson dispersion "
        f"{format_number(glm['dispersion'], 2)}, quasi-Poisson variance scale "
        f"{format_number(glm['scale'], 2)})."
    )
    if not rii_rows.empty and pd.notna(rii_rows.iloc[0]["value"]):
        rii, sii = rii_rows.iloc[0], sii_rows_.iloc[0]
        technical += (
            f" Slope index of inequality (most minus least deprived) "
            f"{format_number(sii['value'], 2)} per 1,000 ({conf} CI "
            f"{format_interval(sii['lower'], sii['upper'], lambda v: format_number(v, 2))}); "
            f"relative index {format_number(rii['value'], 2)} ({conf} CI "
            f"{format_interval(rii['lower'], rii['upper'], lambda v: format_number(v, 2))}); "
            f"phe_sii method, {sii['note']}."
        )
        rii_status = interval_status(1.0, rii["lower"], rii["upper"])
        if status == "Higher in more deprived areas" and rii_status == "Higher":
            resident += (
                f" The rate at the most deprived end was about "
                f"{format_number(rii['value'], 1)} times the rate at the least deprived end."
            )
    return Finding(
        id="deprivation_gradient",
        topic="deprivation",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[
            f"{sv_id}_decile_rate_ratio",
            f"{sv_id}_sii",
            f"{sv_id}_rii",
            f"{sv_id}_imd_decile_rate",
        ],
    )


def _most_deprived_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    rows = edition_rows(table, f"{sv_id}_most_deprived_20_share", settings)
    if rows.empty or pd.isna(rows.iloc[0]["value"]):
        return None
    share = rows.iloc[0]
    population_share = float(share["population_share"])
    if population_share <= 0:
        return None
    status = interval_status(population_share, share["lower"], share["upper"])
    conf = format_confidence(float(share["confidence"]))
    shown = format_share(
        int(share["numerator"]), int(share["denominator"]), settings.resident_threshold
    )
    how = {
        "Higher": "more than their share",
        "Similar": "about their share",
        "Lower": "less than their share",
    }[status]
    if shown is None:
        resident = (
            "There were too few incidents to say how many happened in the most "
            "deprived neighbourhoods."
        )
    else:
        sv = settings.definitions.serious_violence_u25
        people = "residents" if covers_all_ages(sv) else "young people"
        resident = (
            f"{shown} of incidents happened in the most deprived fifth of neighbourhoods in "
            f"England. {format_percent(population_share)} of the borough's {people} live "
            f"there, so these neighbourhoods had {how} of incidents."
        )
    ratio_rows = edition_rows(table, f"{sv_id}_most_deprived_20_ratio", settings)
    technical = (
        f"{share['definition']}, {share['period']}: {int(share['numerator'])} of "
        f"{int(share['denominator'])} located incidents were in LSOAs of national IMD deciles "
        f"1-2 ({format_percent(share['value'], 1)}, {conf} CI "
        f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}, "
        f"Wilson), where {format_percent(population_share, 1)} of "
        f"{residents_phrase(settings.definitions.serious_violence_u25)} live: "
        f"{status}."
    )
    if not ratio_rows.empty and pd.notna(ratio_rows.iloc[0]["value"]):
        ratio = ratio_rows.iloc[0]
        technical += (
            f" Ratio of shares {format_number(ratio['value'], 2)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))})."
        )
    return Finding(
        id="deprivation_most_deprived",
        topic="deprivation",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_most_deprived_20_share", f"{sv_id}_most_deprived_20_ratio"],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Deprivation findings: the gradient across deciles and the most deprived 20%."""
    sv_id = str(settings.definitions.serious_violence_u25.id)
    made = [
        _gradient_finding(table, settings, sv_id),
        _most_deprived_finding(table, settings, sv_id),
    ]
    return [f for f in made if f is not None]
