"""'Who' findings: the headline group's share of victims against its share of residents."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

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
)
from pipeline.settings import Settings
from pipeline.stats import fingertips_compare


def _pick(table: pd.DataFrame, suffix: str, group: str) -> pd.Series | None:
    measure = table["measure_id"].str.endswith(suffix)
    rows = table.loc[measure & (table["group"] == group)]
    return rows.iloc[0] if len(rows) else None


def _headline_resident(rows: Mapping[str, pd.Series], settings: Settings, place: str) -> str:
    threshold = settings.resident_threshold
    share, pop, ratio, unknown = rows["share"], rows["population"], rows["ratio"], rows["unknown"]
    x, n = int(share["numerator"]), int(share["denominator"])
    shown = format_share(x, n, threshold)
    edition = settings.edition
    sentences = []
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
        sentences.append(
            f"In {edition}, black boys were {shown} of {hurt} whose ethnic group we know."
        )
    sentences.append(
        f"Black boys make up {format_percent(pop['value'])} of all children under 18 in {place}."
    )
    if shown is not None and ratio is not None:
        status = fingertips_compare(1.0, ratio["lower"], ratio["upper"])
        if status == "Higher":
            sentences.append(
                "So black boys are hurt more often than their share of children would suggest."
            )
        elif status == "Lower":
            sentences.append(
                "So black boys are hurt less often than their share of children would suggest."
            )
        else:
            sentences.append("We cannot be sure this difference is more than chance.")
    unknown_count = int(unknown["numerator"]) if unknown is not None else 0
    if unknown_count and n > 0:
        unknown_shown = format_share(unknown_count, int(unknown["denominator"]), threshold)
        if unknown_shown is None:
            sentences.append("We do not know the ethnic group of a few of the children hurt.")
        else:
            sentences.append(
                f"We do not know the ethnic group of {unknown_shown} of the children hurt."
            )
    return " ".join(sentences)


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
    return [
        Finding(
            id="black_boys_under_18",
            topic="who",
            resident=_headline_resident(rows, settings, place),
            technical=_headline_technical(rows, group),
            status=status,
            measure_ids=[str(rows[k]["measure_id"]) for k in rows if rows[k] is not None],
        )
    ]
