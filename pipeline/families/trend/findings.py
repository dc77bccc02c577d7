"""Trend findings: the area's annual change and Fingertips trend marker, and how its trend compares
with its statistical neighbours'."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.families.areas_and_periods import (
    AREA_GROUP,
    METRIC_KEYS,
    NEIGHBOURS_GROUP,
    area_name,
    metric_definitions,
)
from pipeline.families.common import is_proxy
from pipeline.families.trend.measures import RATIO_GROUP
from pipeline.findings import (
    Finding,
    change_phrase,
    format_confidence,
    format_interval,
    format_number,
    growth_phrase,
)
from pipeline.settings import Definition, Settings


def _row(table: pd.DataFrame, measure_id: str, group: str) -> pd.Series | None:
    rows = table.loc[(table["measure_id"] == measure_id) & (table["group"] == group)]
    return rows.iloc[0] if len(rows) else None


def _pct(value: float) -> str:
    """A signed percentage with one decimal; values that round to zero print as 0.0%."""
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{'+' if rounded > 0 else ''}{format_number(rounded, 1)}%"


def _p_value(p: float) -> str:
    """'p = 0.012', or 'p < 0.001' for smaller values."""
    return "p < 0.001" if p < 0.001 else f"p = {format_number(p, 3)}"


def _why_not(model: str) -> str:
    """The reason inside 'Cannot be calculated (<reason>)'."""
    prefix = "Cannot be calculated ("
    return model[len(prefix) : -1] if model.startswith(prefix) and model.endswith(")") else model


def _fitted(row: pd.Series | None) -> bool:
    """True when a model row has an estimate (not 'Cannot be calculated')."""
    return row is not None and not pd.isna(row["value"])


def _technical(rows: Mapping[str, pd.Series | None], definition: Definition) -> str:
    area, pooled, ratio = rows["area"], rows["pooled"], rows["ratio"]
    conf = format_confidence(float(area["confidence"]))
    parts = [f"{definition.label}, {area['period']} (comparator series, financial years)."]
    if _fitted(area):
        parts.append(
            f"Annual change in the area: {_pct(area['value'])} ({conf} CI "
            f"{format_interval(area['lower'], area['upper'], _pct)}; {area['model']}, "
            f"Pearson dispersion {format_number(area['dispersion'], 2)})."
        )
    else:
        parts.append(
            f"Annual change in the area: not calculated ({_why_not(str(area['model']))}; "
            f"{int(area['numerator'])} events in the window)."
        )
    if _fitted(pooled):
        parts.append(
            f"Pooled statistical neighbours: {_pct(pooled['value'])} ({conf} CI "
            f"{format_interval(pooled['lower'], pooled['upper'], _pct)}; {pooled['model']})."
        )
    elif pooled is not None:
        parts.append(
            f"Pooled statistical neighbours: not calculated ({_why_not(str(pooled['model']))})."
        )
    if ratio is not None and not _fitted(ratio):
        parts.append(f"Ratio of growth: not calculated ({_why_not(str(ratio['model']))}).")
    elif ratio is not None:
        parts.append(
            f"Ratio of growth (area x time interaction, area fixed effects): "
            f"{format_number(ratio['value'], 3)} ({conf} CI "
            f"{format_interval(ratio['lower'], ratio['upper'], lambda v: format_number(v, 3))}; "
            f"{_p_value(ratio['p_value'])}; {ratio['model']}, dispersion "
            f"{format_number(ratio['dispersion'], 2)})."
        )
    if rows["placebo"] is not None:
        placebo, slope = rows["placebo"], rows["slope"]
        parts.append(
            f"Placebo rank {int(placebo['numerator'])} of {int(placebo['denominator'])} "
            f"(permutation p = {format_number(placebo['p_value'], 2)}); rank of the area's own "
            f"annual change {int(slope['numerator'])} of {int(slope['denominator'])}."
        )
    marker = rows["marker"]
    parts.append(f"Fingertips recent trend ({marker['period']}): {marker['status']}.")
    parts.append(f"Note: {area['note']}.")
    return " ".join(parts)


def findings(table: pd.DataFrame, settings: Settings) -> list[Finding]:
    """Trend findings for each metric: growth against similar boroughs, hedged by its CI."""
    out: list[Finding] = []
    for key, definition in zip(METRIC_KEYS, metric_definitions(settings), strict=True):
        mid = definition.id
        rows = {
            "area": _row(table, f"{mid}_annual_change", AREA_GROUP),
            "pooled": _row(table, f"{mid}_annual_change", NEIGHBOURS_GROUP),
            "ratio": _row(table, f"{mid}_growth_ratio", RATIO_GROUP),
            "placebo": _row(table, f"{mid}_placebo_rank", RATIO_GROUP),
            "slope": _row(table, f"{mid}_slope_rank", RATIO_GROUP),
            "marker": _row(table, f"{mid}_trend_marker", AREA_GROUP),
        }
        if rows["area"] is None:
            continue
        area, ratio = rows["area"], rows["ratio"]
        status = str(ratio["status"]) if ratio is not None else "Not compared"
        subject = definition.short_label
        period = f"between {area['period'].replace(' to ', ' and ')}"
        if int(area["numerator"]) == 0:
            counted = "offences" if is_proxy(definition) else "victims"
            place = area_name(settings, str(area["area_code"]))
            resident = (
                f"No {counted} of {subject} were recorded in {place} in any year {period}, "
                "so there is no trend to describe or compare with similar boroughs."
            )
        else:
            resident = " ".join(
                [
                    growth_phrase(status, subject, "similar boroughs", float(area["value"])),
                    change_phrase(str(area["status"]), "it", float(area["value"]), period),
                ]
            )
        out.append(
            Finding(
                id=f"{key}_trend",
                topic="trend",
                resident=resident,
                technical=_technical(rows, definition),
                status=status,
                measure_ids=[
                    f"{mid}_annual_change",
                    f"{mid}_growth_ratio",
                    f"{mid}_placebo_rank",
                    f"{mid}_trend_marker",
                ],
            )
        )
    return out
