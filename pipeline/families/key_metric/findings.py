"""Key-metric findings: the area's rate, its change and its benchmark against neighbours and
the region."""

from __future__ import annotations

import pandas as pd

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
            f"Pooled statistical neighbours: {format_rate(row['comparator_value'], per)}; "
            "the area is "
            f"{row['comparison_95']} at 95% and {row['comparison_998']} at 99.8% "
            "(Fingertips overlapping-interval rule). "
        )
    else:
        text += "No pooled statistical-neighbour rate was available. "
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


def _resident_text(
    row: pd.Series, definition: Definition, settings: Settings, area_code: str
) -> str:
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
    if is_suppressed(count, threshold):
        sentences.append("The number is too small to work out a fair rate.")
    elif count > 0:  # for none, "no young people" says it; a rate of 0 adds nothing
        sentences.append(
            f"That is about {format_number(row['value'], 0)} in every "
            f"{settings.statistics.rate_per:,} young people of that age."
        )
    sentences.append(comparison_phrase(row["comparison_95"], subject, "similar boroughs"))
    region_status = row["region_comparison_95"]
    if region_status in ("Higher", "Lower", "Similar"):
        word = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}[
            region_status
        ]
        sentences.append(f"It was {word} {settings.region.name} as a whole.")
    return " ".join(sentences)


def _proxy_resident_text(
    row: pd.Series, definition: Definition, settings: Settings, place: str
) -> str:
    """Resident words for a public proxy: offences, named as a proxy, never as victims."""
    threshold = settings.resident_threshold
    count = int(row["numerator"])
    subject = definition.short_label
    sentences = [
        f"In {row['period']}, the police recorded {format_count(count, threshold)} offences "
        f"of {subject} in {place}."
    ]
    if is_suppressed(count, threshold):
        sentences.append("The number is too small to work out a fair rate.")
    else:
        people = "people" if "all ages" in residents_phrase(definition) else "people of that age"
        sentences.append(
            f"That is about {format_number(row['value'], 0)} in every "
            f"{settings.statistics.rate_per:,} {people}."
        )
    sentences.append(comparison_phrase(row["comparison_95"], subject, "similar boroughs"))
    region_status = row["region_comparison_95"]
    if region_status in ("Higher", "Lower", "Similar"):
        word = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}[
            region_status
        ]
        sentences.append(f"It was {word} {settings.region.name} as a whole.")
    return " ".join(sentences)


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
        out.append(
            Finding(
                id=f"{key}_benchmark",
                topic="prevalence",
                resident=_resident_text(row, definition, settings, str(row["area_code"])),
                technical=_technical_text(row, definition, settings),
                status=str(row["comparison_95"]),
                measure_ids=[measure_id],
            )
        )
    return out
