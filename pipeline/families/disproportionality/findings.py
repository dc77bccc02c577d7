"""'Who' findings: the headline group's share of victims against its share of residents."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.areas_and_periods import area_name
from pipeline.families.disproportionality.measures import (
    HEADLINE_ETHNICITY,
    HEADLINE_SEX,
    NOT_STATED,
)
from pipeline.findings import (
    Finding,
    format_confidence,
    format_count,
    format_interval,
    format_number,
    format_percent,
    format_share,
    is_suppressed,
)
from pipeline.settings import Settings
from pipeline.stats import fingertips_compare


def _pick(table: pd.DataFrame, suffix: str, group: str) -> pd.Series | None:
    measure = table["measure_id"].str.endswith(suffix)
    rows = table.loc[measure & (table["group"] == group)]
    return rows.iloc[0] if len(rows) else None


#: What the IC-code scheme cannot tell residents, said where they read the share.
IC_CODE_CAVEAT = (
    "The police recorded each ethnic group as the officer saw it (IC codes), which has no "
    "Mixed group, so these figures are not the same as how people describe themselves."
)


def unknown_range(bounds: pd.Series | None, threshold: int) -> tuple[float, float, str] | None:
    """The headline share's range over what the unrecorded ethnic groups (and sexes) could be,
    among all victims of the age group, and what the range assumes; None when nothing is
    unrecorded.

    The sharp range counts as black boys only those who could be (unrecorded ethnicity and
    male or unrecorded sex). Its width tells a reader how many of them there were: when that
    count is from 1 to the disclosure threshold, the range counts every victim of unrecorded
    ethnicity or sex instead (wider, still true, and it shows nothing the unknown share does
    not)."""
    if bounds is None or int(bounds["denominator"]) == 0:
        return None
    total, sure = int(bounds["denominator"]), int(bounds["numerator"])
    known = int(bounds["known_denominator"])
    possible = int(bounds["possible_numerator"])
    if known == total:
        return None
    if is_suppressed(possible - sure, threshold):
        return sure / total, (sure + total - known) / total, "ethnic group and sex"
    return sure / total, possible / total, "ethnic group"


def _headline_resident(
    rows: Mapping[str, pd.Series], settings: Settings, place: str
) -> tuple[str, list[Evidence]]:
    threshold = settings.resident_threshold
    share, pop, ratio, unknown = rows["share"], rows["population"], rows["ratio"], rows["unknown"]
    x, n = int(share["numerator"]), int(share["denominator"])
    shown = format_share(x, n, threshold)
    edition = settings.edition
    sentences = []
    evidence = []
    hurt = "the children under 18 hurt in knife crime"
    all_victims = int(unknown["denominator"]) if unknown is not None else n
    if n == 0 and all_victims == 0:
        sentences.append(
            f"In {edition}, no children under 18 were recorded as hurt in knife crime in {place}."
        )
    elif n == 0:
        sentences.append(f"In {edition}, we do not know the ethnic group of any of {hurt}.")
    elif x == 0:
        sentences.append(
            f"In {edition}, none of {hurt} whose ethnic group we know were black boys."
        )
    elif shown is None:
        sentences.append(
            f"In {edition}, {format_count(x, threshold)} of {hurt} were black boys. "
            "This number is too small to show as a share."
        )
    else:
        # With IC codes the summary (a finding's first sentences) must not lose the caveat.
        know = (
            "whose ethnic group the police recorded (as the officer saw it)"
            if settings.ethnicity_scheme == "ic_code"
            else "whose ethnic group we know"
        )
        first = f"In {edition}, black boys were {shown} of {hurt} {know}"
        evidence.append(
            Evidence(
                claim=f"black boys were {shown} of {hurt} {know}",
                strength="descriptive",
                statistic=f"{x} of {n} ({_pct(share['value'])}; Wilson CI "
                f"{format_interval(share['lower'], share['upper'], _pct)})",
                test="none: a share stated as it is",
                measure_id=str(share["measure_id"]),
                value=float(share["value"]),
            )
        )
        span = unknown_range(rows["bounds"], threshold)
        low, high = (format_percent(v) for v in span[:2]) if span else ("", "")
        if span and low != high:
            # The range goes in the same sentence, so the summary (which quotes a finding's
            # first sentences) never gives the share without it.
            claim = f"between {low} and {high} of all the children hurt"
            first += f", and {claim}, whatever the {span[2]} of the others"
            evidence.append(
                Evidence(
                    claim=claim,
                    strength="descriptive",
                    statistic=f"{_pct(span[0])} to {_pct(span[1])} of all "
                    f"{int(rows['bounds']['denominator'])} victims in the age group",
                    test="bounds: every victim of unrecorded "
                    f"{span[2]} counted as not a black boy, and as one where they could be",
                    measure_id=str(rows["bounds"]["measure_id"]),
                    lower=span[0],
                    upper=span[1],
                )
            )
        sentences.append(first + ".")
    sentences.append(
        f"Black boys make up {format_percent(pop['value'])} of all children under 18 in {place}."
    )
    if shown is not None and ratio is not None:
        status = fingertips_compare(1.0, ratio["lower"], ratio["upper"])
        claim, strength = {
            "Higher": ("hurt more often than their share of children would suggest", "higher"),
            "Lower": ("hurt less often than their share of children would suggest", "lower"),
        }.get(status, ("We cannot be sure this difference is more than chance", "similar"))
        sentences.append(f"So black boys are {claim}." if strength != "similar" else f"{claim}.")
        conf = format_confidence(float(ratio["confidence"]))
        evidence.append(
            Evidence(
                claim=claim,
                strength=strength,
                statistic=f"share ratio {format_number(ratio['value'], 2)} ({conf} CI "
                f"{format_interval(ratio['lower'], ratio['upper'], _two_decimals)})",
                test="Wilson interval of the victim share over the population share, against 1",
                measure_id=str(ratio["measure_id"]),
                value=float(ratio["value"]),
                lower=float(ratio["lower"]),
                upper=float(ratio["upper"]),
                reference=1.0,
            )
        )
    unknown_count = int(unknown["numerator"]) if unknown is not None else 0
    if unknown_count and n > 0:
        unknown_shown = format_share(unknown_count, int(unknown["denominator"]), threshold)
        if unknown_shown is None:
            sentences.append("We do not know the ethnic group of a few of the children hurt.")
        else:
            sentences.append(
                f"We do not know the ethnic group of {unknown_shown} of the children hurt."
            )
    if settings.ethnicity_scheme == "ic_code" and n > 0:
        sentences.append(IC_CODE_CAVEAT)
        evidence.append(
            Evidence(
                claim=IC_CODE_CAVEAT,
                strength="descriptive",
                statistic="ethnicity_scheme: ic_code",
                test="none: a caveat",
            )
        )
    return " ".join(sentences), evidence


def _two_decimals(value: float) -> str:
    return format_number(value, 2)


def _pct(value: float) -> str:
    return format_percent(value, 1)


def _headline_technical(rows: Mapping[str, pd.Series], group: str) -> str:
    share, pop, ratio, rr, gap = (rows[k] for k in ("share", "population", "ratio", "rr", "gap"))
    unknown, bounds = rows["unknown"], rows["bounds"]
    conf = format_confidence(float(share["confidence"]))
    if int(share["denominator"]) == 0:
        total = int(unknown["denominator"]) if unknown is not None else 0
        text = (
            f"No victims of knife crime with injury in the {share['age_group']} group had "
            f"recorded ethnicity and sex in {share['period']} ({total} victims in the group "
            "in all), so the victim share, gap and ratios are not defined. Black boys are "
            f"{_pct(pop['value'])} of residents of the same ages (black boys / all residents, "
            f"{int(pop['numerator']):,} of {int(pop['denominator']):,}; population year "
            f"{int(pop['population_year'])})."
        )
        return text + (f" Note: {share['note']}." if share["note"] else "")
    text = (
        f"Black boys (male, Black ethnic group) in the {share['age_group']} group were "
        f"{_pct(share['value'])} of the group's victims of knife crime with injury with recorded "
        f"ethnicity and sex in {share['period']} ({int(share['numerator'])} of "
        f"{int(share['denominator'])}; {conf} Wilson CI "
        f"{format_interval(share['lower'], share['upper'], _pct)}), "
        f"against {_pct(pop['value'])} of residents of the same ages (black boys / all residents, "
        f"{int(pop['numerator']):,} of {int(pop['denominator']):,}; population year "
        f"{int(pop['population_year'])})."
    )
    if share["note"]:
        text += f" Note: {share['note']}."
    if ratio is not None:
        text += (
            f" Share ratio {format_number(ratio['value'], 2)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 2))})"
        )
    if rr is not None:
        text += (
            f"; rate ratio against all other residents of the age group "
            f"{format_number(rr['value'], 2)} (Katz {conf} CI "
            f"{format_interval(rr['lower'], rr['upper'], lambda v: format_number(v, 2))})"
        )
    text += f"; gap {format_number(gap['value'], 1)} percentage points."
    if unknown is not None:
        text += (
            f" Ethnicity not recorded for {_pct(unknown['value'])} of the group's victims "
            f"({int(unknown['numerator'])} of {int(unknown['denominator'])})."
        )
    if bounds is not None:
        text += (
            f" Counting every victim of unknown ethnicity or sex as not a black boy gives "
            f"{_pct(bounds['lower'])} of all {int(bounds['denominator'])} victims in the group; "
            f"counting every one who could be a black boy as one gives {_pct(bounds['upper'])}."
        )
    return text


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """The black boys headline, worded from the table with small numbers suppressed."""
    under_18_to = settings.definitions.under_18_metric.age_to
    labels = [g.label for g in settings.definitions.age_groups if g.age_to == under_18_to]
    if not labels:
        return []
    label = labels[0]
    group = f"{HEADLINE_ETHNICITY} {HEADLINE_SEX} {label}"
    rows = {
        "share": _pick(table, "_victim_share", group),
        "population": _pick(table, "_population_share", group),
        "ratio": _pick(table, "_share_ratio", group),
        "rr": _pick(table, "_rate_ratio", group),
        "gap": _pick(table, "_gap", group),
        "unknown": _pick(table, "_unknown_ethnicity_share", f"{NOT_STATED} All {label}"),
        "bounds": _pick(table, "_headline_bounds", group),
    }
    if rows["share"] is None or rows["population"] is None:
        return []
    ratio = rows["ratio"]
    status = (
        str(fingertips_compare(1.0, ratio["lower"], ratio["upper"]))
        if ratio is not None
        else "Not compared"
    )
    place = area_name(settings, str(rows["share"]["area_code"]))
    resident, evidence = _headline_resident(rows, settings, place)
    return [
        Finding(
            id="black_boys_under_18",
            topic="who",
            resident=resident,
            technical=_headline_technical(rows, group),
            status=status,
            measure_ids=[str(rows[k]["measure_id"]) for k in rows if rows[k] is not None],
            evidence=evidence,
        )
    ]
