"""Key-metric findings: the area's rate, its change and its benchmark against neighbours and
the region."""

from __future__ import annotations

import pandas as pd

from pipeline.claims import Evidence
from pipeline.families.areas_and_periods import (
    AREA_GROUP,
    METRIC_KEYS,
    area_name,
    metric_definitions,
)
from pipeline.families.common import is_proxy, residents_phrase
from pipeline.families.key_metric.measures import SOURCE_SERIES
from pipeline.findings import (
    Finding,
    comparison_phrase,
    format_confidence,
    format_count,
    format_interval,
    format_number,
    format_rate,
    is_suppressed,
)
from pipeline.settings import Definition, Settings, edition_start_year


def _edition_area_row(table: pd.DataFrame, measure_id: str, edition: str) -> pd.Series | None:
    rows = table.loc[
        (table["measure_id"] == measure_id)
        & (table["period"] == edition)
        & (table["group"] == AREA_GROUP)
    ]
    return rows.iloc[0] if len(rows) else None


def _technical_text(row: pd.Series, definition: Definition, settings: Settings) -> str:
    per = settings.statistics.rate_per
    conf = format_confidence(float(row["confidence"]))
    counted = (
        "offences recorded by the police (public comparator series)"
        if row.get("count_source") == SOURCE_SERIES
        else "victims (distinct victims per offence)"
    )
    text = (
        f"{definition.label}, {row['period']}: {int(row['numerator'])} {counted}, "
        f"{format_rate(row['value'], per)} {residents_phrase(definition)} ({conf} CI "
        f"{format_interval(row['lower'], row['upper'])}; 99.8% CI "
        f"{format_interval(row['lower_998'], row['upper_998'])}; {row['method']}). "
    )
    if is_proxy(definition):
        text += "This is a public proxy, not the measure it stands in for. "
    if pd.notna(row["comparator_value"]):
        text += (
            f"Pooled statistical neighbours ({_neighbours_count(row)}): "
            f"{format_rate(row['comparator_value'], per)}; the area is "
            f"{row['comparison_95']} at 95% and {row['comparison_998']} at 99.8% "
            "(Fingertips overlapping-interval rule). "
        )
    else:
        text += f"No pooled statistical-neighbour rate was available ({_neighbours_count(row)}). "
    region = settings.region.name
    if pd.notna(row["region_value"]):
        text += (
            f"{region}: {format_rate(row['region_value'], per)}; "
            f"{row['region_comparison_95']} at 95% and "
            f"{row['region_comparison_998']} at 99.8%."
        )
    if row["note"]:
        text += f" Note: {row['note']}."
    return text


def _neighbours_count(row: pd.Series) -> str:
    """'9 of 10 neighbours with data' (the pooled rate rests on those)."""
    have, listed = int(row["neighbours_with_data"]), int(row["neighbours_listed"])
    return f"{have} of {listed} neighbours with data"


#: The Fingertips benchmark outcome in words, and the strength of evidence it is.
COMPARISON_WORDS = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}


def _comparison(
    row: pd.Series, subject: str, settings: Settings
) -> tuple[list[str], list[Evidence]]:
    """The benchmark sentences (similar boroughs, then the region), each at the strength of
    its interval against the comparator's value, and the neighbours-with-data caveat."""
    sentences: list[str] = []
    evidence: list[Evidence] = []
    conf = "95%"
    area_ci = (
        f"{format_rate(row['value'], settings.statistics.rate_per)} "
        f"({conf} CI {format_interval(row['lower_95'], row['upper_95'])})"
    )
    test = f"Fingertips overlapping-interval rule: comparator value against the area's {conf} CI"
    region = settings.region.name
    for status, value, comparator, name in (
        (row["comparison_95"], row["comparator_value"], "similar boroughs", "pooled neighbours"),
        (row["region_comparison_95"], row["region_value"], region, region),
    ):
        if status in COMPARISON_WORDS:
            claim = f"{COMPARISON_WORDS[status]} {comparator}"
            sentence = (
                comparison_phrase(status, subject, comparator)
                if comparator == "similar boroughs"
                else f"It was {claim} as a whole."
            )
            evidence.append(
                Evidence(
                    claim,
                    status.lower(),
                    f"area {area_ci}; {name} {format_rate(value, settings.statistics.rate_per)}",
                    test,
                    str(row["measure_id"]),
                    value=float(row["value"]),
                    lower=float(row["lower_95"]),
                    upper=float(row["upper_95"]),
                    reference=float(value),
                )  # fmt: skip
            )
        elif comparator == "similar boroughs":
            sentence = comparison_phrase("Not compared", subject, comparator)
            evidence.append(
                Evidence(sentence.removesuffix("."), "not available", "no pooled rate", test)
            )
        else:
            continue
        sentences.append(sentence)
        if comparator == "similar boroughs":
            caveat = _neighbours_sentence(row)
            if caveat:
                sentences.append(caveat)
                evidence.append(
                    Evidence(caveat, "descriptive", _neighbours_count(row), "count of neighbours")
                )
    return sentences, evidence


def _neighbours_sentence(row: pd.Series) -> str:
    """Tell residents when the pooled rate of similar boroughs rests on fewer than half."""
    have, listed = int(row["neighbours_with_data"]), int(row["neighbours_listed"])
    if listed == 0 or 2 * have >= listed:
        return ""
    if have == 0:
        return f"None of the {listed} similar boroughs has figures for {row['period']}."
    has, rests = ("has", "that one borough") if have == 1 else ("have", "those boroughs alone")
    return (
        f"Only {have} of the {listed} similar boroughs {has} figures for {row['period']}, so "
        f"this comparison rests on {rests}."
    )


def _rate_sentence(row: pd.Series, settings: Settings, people: str) -> tuple[str, Evidence]:
    count = int(row["numerator"])
    if is_suppressed(count, settings.resident_threshold):
        sentence = "The number is too small to work out a fair rate."
    else:
        sentence = (
            f"That is about {format_number(row['value'], 0)} in every "
            f"{settings.statistics.rate_per:,} {people}."
        )
    rate = (
        "rate not shown: its count is within the suppression threshold"
        if is_suppressed(count, settings.resident_threshold)
        else format_rate(row["value"], settings.statistics.rate_per)
    )
    return sentence, Evidence(
        sentence.removesuffix("."), "descriptive", rate, "crude rate", str(row["measure_id"])
    )


def _resident_text(
    row: pd.Series, definition: Definition, settings: Settings, area_code: str
) -> tuple[str, list[Evidence]]:
    threshold = settings.resident_threshold
    count = int(row["numerator"])
    subject = definition.short_label
    ages = f"aged {definition.age_from} to {definition.age_to}"
    place = area_name(settings, area_code)
    if is_proxy(definition):
        return _proxy_resident_text(row, definition, settings, place)
    if count == 0:
        first = f"In {row['period']}, no young people {ages} were hurt in knife crime in {place}."
    else:
        # Counted per offence: a person hurt twice counts twice, hence "times".
        first = (
            f"In {row['period']}, young people {ages} were hurt in knife crime "
            f"{format_count(count, threshold)} times in {place}."
        )
    sentences = [first]
    evidence = [
        Evidence(first.removesuffix("."), "descriptive",
                 f"{format_count(count, threshold)} victims", "count", str(row["measure_id"]))
    ]  # fmt: skip
    if count > 0:  # for none, "no young people" says it; a rate of 0 adds nothing
        sentence, rate = _rate_sentence(row, settings, "young people of that age")
        sentences.append(sentence)
        evidence.append(rate)
    more, more_evidence = _comparison(row, subject, settings)
    return " ".join(sentences + more), evidence + more_evidence


def _proxy_resident_text(
    row: pd.Series, definition: Definition, settings: Settings, place: str
) -> tuple[str, list[Evidence]]:
    """Resident words for a public proxy: offences, named as a proxy, never as victims."""
    threshold = settings.resident_threshold
    count = int(row["numerator"])
    subject = definition.short_label
    first = (
        f"In {row['period']}, the police recorded {format_count(count, threshold)} offences "
        f"of {subject} in {place}."
    )
    people = "people" if "all ages" in residents_phrase(definition) else "people of that age"
    sentence, rate = _rate_sentence(row, settings, people)
    evidence = [
        Evidence(first.removesuffix("."), "descriptive",
                 f"{format_count(count, threshold)} offences", "count", str(row["measure_id"])),
        rate,
    ]  # fmt: skip
    more, more_evidence = _comparison(row, subject, settings)
    return " ".join([first, sentence, *more]), evidence + more_evidence


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Prevalence findings for the edition year: each metric against neighbours and region."""
    edition = settings.edition
    edition_start_year(edition)  # raises early on a malformed edition label
    out: list[Finding] = []
    for key, definition in zip(METRIC_KEYS, metric_definitions(settings), strict=True):
        measure_id = f"{definition.id}_rate"
        row = _edition_area_row(table, measure_id, edition)
        if row is None:
            continue
        resident, evidence = _resident_text(row, definition, settings, str(row["area_code"]))
        out.append(
            Finding(
                id=f"{key}_benchmark",
                topic="prevalence",
                resident=resident,
                technical=_technical_text(row, definition, settings),
                status=str(row["comparison_95"]),
                measure_ids=[measure_id],
                evidence=evidence,
            )
        )
    return out
