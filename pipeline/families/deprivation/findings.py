"""Deprivation findings: the gradient across deciles and the share in the most deprived areas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.common import (
    covers_all_ages,
    edition_rows,
    interval_status,
    residents_phrase,
    subject_of,
)
from pipeline.families.deprivation.la_summaries import summary_finding
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


def _three(value: float) -> str:
    return format_number(value, 3)


def _two(value: float) -> str:
    return format_number(value, 2)


def _gradient_evidence(glm: pd.Series, status: str, conf: str) -> Evidence:
    """The GLM rate ratio per decile step against 1: the gradient claim and its strength."""
    claim, strength = {
        "Higher in more deprived areas": (
            "more common in the more deprived neighbourhoods",
            "more common in more deprived areas",
        ),
        "No clear gradient": ("no clear link", "no clear gradient"),
        "Lower in more deprived areas": (
            "less common in the more deprived neighbourhoods",
            "lower",
        ),
    }[status]
    return Evidence(
        claim=claim,
        strength=strength,
        statistic=(
            f"rate ratio per decile step more deprived {_three(glm['value'])} ({conf} CI "
            f"{format_interval(glm['lower'], glm['upper'], _three)})"
        ),
        test=f"Poisson GLM (quasi-Poisson SE): {conf} CI of the rate ratio against 1",
        measure_id=str(glm["measure_id"]),
        value=float(glm["value"]),
        lower=float(glm["lower"]),
        upper=float(glm["upper"]),
        reference=1.0,
    )


def _times_sentence(
    rii: pd.Series | None, extreme: pd.Series | None, conf: str
) -> tuple[str, Evidence] | None:
    """'... times the rate ...' from the RII when it is reported, else the observed ratio of
    the extreme deciles; None unless the chosen ratio's whole interval is above 1."""
    if rii is not None and pd.notna(rii["value"]):
        chosen, which = rii, "relative index of inequality (RII, phe_sii)"
    elif extreme is not None and pd.notna(extreme["value"]):
        chosen, which = extreme, f"observed rate ratio, {extreme['group']}"
    else:
        return None
    if interval_status(1.0, chosen["lower"], chosen["upper"]) != "Higher":
        return None
    if not np.isfinite([chosen["value"], chosen["upper"]]).all():
        return None  # no incidents at the least deprived end: no number of times to give
    times = format_number(chosen["value"], 1)
    # A confidence interval is not "most likely" a range: the gloss says what the interval is.
    between = (
        f"with {conf} confidence, between {format_number(chosen['lower'], 1)} and "
        f"{format_number(chosen['upper'], 1)}"
    )
    if chosen is rii:
        claim = f"about {times} times the rate at the least deprived end"
        sentence = (
            "On a line fitted through every deprivation level, the rate at the most deprived "
            f"end was {claim} ({between} times)."
        )
    else:
        most, least = int(extreme["most_decile"]), int(extreme["least_decile"])
        claim = f"about {times} times the rate"
        sentence = (
            f"In the borough's most deprived neighbourhoods (national decile {most} of 10) the "
            f"rate was {claim} in its least deprived (decile {least}) ({between} times)."
        )
    evidence = Evidence(
        claim=claim,
        strength="higher",
        statistic=(
            f"{which} {_two(chosen['value'])} ({conf} CI "
            f"{format_interval(chosen['lower'], chosen['upper'], _two)})"
        ),
        test=f"{conf} CI of the ratio against 1",
        measure_id=str(chosen["measure_id"]),
        value=float(chosen["value"]),
        lower=float(chosen["lower"]),
        upper=float(chosen["upper"]),
        reference=1.0,
    )
    return sentence, evidence


def _first(table: pd.DataFrame, measure_id: str, settings: Settings) -> pd.Series | None:
    rows = edition_rows(table, measure_id, settings)
    return None if rows.empty else rows.iloc[0]


def _gradient_finding(table: pd.DataFrame, settings: Settings, sv_id: str) -> Finding | None:
    glm = _first(table, f"{sv_id}_decile_rate_ratio", settings)
    if glm is None or pd.isna(glm["value"]):
        return None
    status = GRADIENT_STATUS[interval_status(1.0, glm["lower"], glm["upper"])]
    conf = format_confidence(float(glm["confidence"]))
    sv = settings.definitions.serious_violence_u25
    subject = subject_of(sv, "violence against young people")
    rii = _first(table, f"{sv_id}_rii", settings)
    sii = _first(table, f"{sv_id}_sii", settings)
    extreme = _first(table, f"{sv_id}_extreme_decile_rate_ratio", settings)
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
    evidence = [_gradient_evidence(glm, status, conf)]
    technical = (
        f"{glm['definition']}, {glm['period']} ({glm['iod_edition']} national deciles): rate "
        f"ratio per one-decile step towards more deprived LSOAs "
        f"{_three(glm['value'])} ({conf} CI {format_interval(glm['lower'], glm['upper'], _three)}"
        f"; Poisson GLM with log-population offset, Pearson dispersion "
        f"{format_number(glm['dispersion'], 2)}, quasi-Poisson variance scale "
        f"{format_number(glm['scale'], 2)})."
    )
    if sii is not None and pd.notna(sii["value"]):
        technical += (
            f" Slope index of inequality (most minus least deprived) {_two(sii['value'])} per "
            f"1,000 ({conf} CI {format_interval(sii['lower'], sii['upper'], _two)}); "
        )
        if rii is not None and pd.notna(rii["value"]):
            technical += (
                f"relative index {_two(rii['value'])} ({conf} CI "
                f"{format_interval(rii['lower'], rii['upper'], _two)}); "
            )
        else:
            technical += f"relative index not reported ({rii['note']}); " if rii is not None else ""
        technical += f"phe_sii method, {sii['note']}."
    if extreme is not None and pd.notna(extreme["value"]):
        technical += (
            f" Observed rate ratio, {extreme['group']}: {_two(extreme['value'])} ({conf} CI "
            f"{format_interval(extreme['lower'], extreme['upper'], _two)}; exact conditional)."
        )
    if status == "Higher in more deprived areas":
        times = _times_sentence(rii, extreme, conf)
        if times is not None:
            resident += " " + times[0]
            evidence.append(times[1])
            technical += f" The resident report quotes the {times[1].statistic.split(' (')[0]}."
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
            f"{sv_id}_extreme_decile_rate_ratio",
            f"{sv_id}_imd_decile_rate",
        ],
        evidence=evidence,
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
    if shown is None:
        evidence = Evidence(
            claim="too few incidents",
            strength="not available",
            statistic="share of incidents suppressed (a count of 1 to the threshold)",
            test="disclosure control",
            measure_id=str(share["measure_id"]),
        )
    else:
        evidence = Evidence(
            claim=how,
            strength={"Higher": "higher", "Similar": "similar", "Lower": "lower"}[status],
            statistic=(
                f"share of incidents {format_percent(share['value'], 1)} ({conf} CI "
                f"{format_interval(share['lower'], share['upper'], lambda v: format_percent(v, 1))}"
                f") against {format_percent(population_share, 1)} of residents"
            ),
            test=f"{conf} Wilson CI of the share against the population share (Fingertips)",
            measure_id=str(share["measure_id"]),
            value=float(share["value"]),
            lower=float(share["lower"]),
            upper=float(share["upper"]),
            reference=population_share,
        )
    return Finding(
        id="deprivation_most_deprived",
        topic="deprivation",
        resident=resident,
        technical=technical,
        status=status,
        measure_ids=[f"{sv_id}_most_deprived_20_share", f"{sv_id}_most_deprived_20_ratio"],
        evidence=[evidence],
    )


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Deprivation findings: the gradient across deciles and the most deprived 20%."""
    sv_id = str(settings.definitions.serious_violence_u25.id)
    made = [
        _gradient_finding(table, settings, sv_id),
        _most_deprived_finding(table, settings, sv_id),
        summary_finding(table, settings),
    ]
    return [f for f in made if f is not None]
