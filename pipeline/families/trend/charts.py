"""The trend chart: the key-metric rate by financial year, the area against similar boroughs
and the region."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from pipeline.charts.cells import (
    count_text,
    first_row,
    interval_text,
    is_na,
    neighbours_pooled,
    number_text,
    pooled_label,
    window_labels,
)
from pipeline.charts.spec import ChartInputs, ChartSpec
from pipeline.charts.style import ChartStyle
from pipeline.charts.theme import CATEGORICAL
from pipeline.families.areas_and_periods import AREA_GROUP, NEIGHBOURS_GROUP
from pipeline.families.common import is_proxy
from pipeline.families.trend.measures import COVID_YEAR
from pipeline.formatting import financial_year_label, fmt_number
from pipeline.settings import Area, Definition, Settings

#: How the charts name the pooled statistical neighbours (with how many have data).
NEIGHBOURS_LABEL = "Similar boroughs (pooled)"


def neighbours_with_data(rows: pd.DataFrame) -> list[tuple[int, int]]:
    """(neighbours pooled, neighbours listed) of each pooled row, distinct, fewest first."""
    if "note" not in rows.columns:
        return []
    notes = rows.loc[rows["group"] == NEIGHBOURS_GROUP, "note"]
    return sorted({c for c in map(neighbours_pooled, notes) if c is not None})


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The trend family's one chart."""
    return [trend_chart(inputs.tables, inputs.settings, inputs.area, inputs.style)]


def _trend_message(tables: Mapping[str, pd.DataFrame], settings: Settings, area: Area) -> str:
    """'Knife crime ... fell by about 6% a year from 2020-21 to 2024-25; in 2024-25 it was
    similar to similar boroughs' from the trend and benchmark tables."""
    key = settings.definitions.key_metric
    years = window_labels(settings)
    subject = key.short_label[:1].upper() + key.short_label[1:]
    parts = []
    trend = tables.get("trend")
    change = (
        first_row(trend, measure_id=f"{key.id}_annual_change", group=AREA_GROUP)
        if trend is not None
        else None
    )
    span = f"from {years[0]} to {years[-1]}"
    if years[0] == financial_year_label(COVID_YEAR):
        # Residents read the growth from 2020-21 here too: the pandemic caveat goes with it.
        span = f"from {years[0]} (the first year of the COVID-19 pandemic) to {years[-1]}"
    if change is not None and not is_na(change.get("value")):
        status = str(change.get("status", ""))
        size = f"{abs(float(change['value'])):.0f}%"
        how = {
            "Increasing": f"rose by about {size} a year",
            "Decreasing": f"fell by about {size} a year",
        }.get(status, "did not clearly rise or fall")
        parts.append(f"{subject} in {area.name} {how} {span}")
    else:
        parts.append(f"{subject} in {area.name}, {years[0]} to {years[-1]}")
    latest = first_row(
        tables["key_metric"],
        measure_id=f"{key.id}_rate",
        period=settings.edition,
        group=AREA_GROUP,
    )
    if latest is not None:
        word = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}.get(
            str(latest.get("comparison_95"))
        )
        if word:
            parts.append(f"in {settings.edition} it was {word} similar boroughs")
    return "; ".join(parts)


def trend_chart(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec:
    """Key-metric rate by financial year: the area (with its interval band), the pooled
    statistical neighbours and the region."""
    key = settings.definitions.key_metric
    per = int(settings.statistics.rate_per)
    years = window_labels(settings)
    region = settings.region.name
    km = tables["key_metric"]
    rows = km.loc[(km["measure_id"] == f"{key.id}_rate") & km["period"].isin(years)]
    counted, unit = _trend_counted_and_unit(rows, key, per)
    pooled = pooled_label(NEIGHBOURS_LABEL, neighbours_with_data(rows))
    names = {AREA_GROUP: area.name, NEIGHBOURS_GROUP: pooled, region: region}
    order = [names[g] for g in (AREA_GROUP, NEIGHBOURS_GROUP, region) if g in set(rows["group"])]
    long = []
    table_rows = []
    for year in years:
        record: dict[str, str] = {"Year": year}
        for group in (AREA_GROUP, NEIGHBOURS_GROUP, region):
            row = first_row(rows, period=year, group=group)
            if row is None:
                continue
            hidden = bool(row.get("numerator_suppressed", False))
            label = names[group]
            long.append(
                {
                    "year": year,
                    "series": label,
                    "value": None if hidden else float(row["value"]),
                    "lower": None if hidden else float(row["lower"]),
                    "upper": None if hidden else float(row["upper"]),
                }
            )
            if group == AREA_GROUP:
                record[f"{label}: {counted}"] = count_text(row["numerator"], hidden)
            record[f"{label}: rate"] = number_text(row["value"], 1, hidden)
            # Residents see the area's interval; the technical report every series'.
            if style.detailed or group == AREA_GROUP:
                record[f"{label}: 95% interval"] = interval_text(
                    row["lower"], row["upper"], 1, hidden
                )
        table_rows.append(record)
    table = pd.DataFrame(table_rows)
    kinds = {
        c: (
            "text"
            if c == "Year"
            else "count"
            if c.endswith(f": {counted}")
            else "interval"
            if c.endswith("interval")
            else "rate"
        )
        for c in table.columns
    }
    data = pd.DataFrame(long)
    y_title = f"{counted.capitalize()} {unit}"
    base = alt.Chart(data).encode(
        x=alt.X(
            "year:N",
            title="Financial year (April to March)",
            sort=years,
            axis=alt.Axis(labelAngle=0),
        )
    )
    series_scale = {"domain": order}
    band = (
        base.transform_filter(alt.datum.series == order[0])
        .mark_area(opacity=0.18, color=CATEGORICAL[0])
        .encode(y=alt.Y("lower:Q"), y2="upper:Q")
    )
    lines = base.mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=True)),
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(**series_scale, range=list(CATEGORICAL[: len(order)])),
        ),
        strokeDash=alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(**series_scale, range=[[1, 0], [8, 4], [2, 3]][: len(order)]),
        ),
        shape=alt.Shape(
            "series:N",
            title=None,
            scale=alt.Scale(
                **series_scale, range=["circle", "square", "triangle-up"][: len(order)]
            ),
        ),
    )
    chart = (
        alt.layer(band, lines)
        .properties(width=560, height=260)
        .configure_legend(
            orient="bottom",
            direction="vertical",
            symbolStrokeWidth=2.5,
            symbolSize=120,
            labelLimit=400,
        )
    )
    alt_text = _trend_alt(data, order, years, y_title, key)
    return ChartSpec(
        name="trend",
        title=_trend_message(tables, settings, area),
        alt=alt_text,
        chart=chart,
        table=table,
        kinds=kinds,
        caption=(f"{key.label}. " if is_proxy(key) else "")
        + f"Rates are {counted} {unit}. The shaded band is the 95% confidence interval of the "
        f"{area.name} rate.",
        notes=(
            f"Similar boroughs: {settings.neighbours_source}, pooled (their {counted} added "
            f"up and divided by their residents of the same age){_neighbours_with_data(rows)}."
            + _few_neighbours_note(rows),
        ),
    )


def _neighbours_with_data(rows: pd.DataFrame) -> str:
    """'; 1 of 10 similar boroughs have figures for 2024-25' from the latest area row, so
    that a pool of one borough is never shown as "similar boroughs" without saying so."""
    if "neighbours_with_data" not in rows:
        return ""
    area = rows.loc[rows["group"] == AREA_GROUP].dropna(subset=["neighbours_with_data"])
    if area.empty:
        return ""
    latest = area.iloc[-1]
    have, listed = int(latest["neighbours_with_data"]), int(latest["neighbours_listed"])
    return f"; {have} of the {listed} similar boroughs have figures for {latest['period']}"


def _few_neighbours_note(rows: pd.DataFrame) -> str:
    """A warning when fewer than half of the listed neighbours have data in some year."""
    counts = neighbours_with_data(rows)
    if not counts or 2 * counts[0][0] >= counts[0][1]:
        return ""
    pooled, listed = counts[0]
    return (
        f" Only {pooled} of the {listed} have data, so the comparison rests on "
        f"{'one borough' if pooled == 1 else 'few boroughs'}."
    )


def _trend_counted_and_unit(rows: pd.DataFrame, key: Definition, per: int) -> tuple[str, str]:
    """What the key-metric rate counts ('victims', or 'offences' for a public proxy counted
    from police recorded crime) and its unit as the measure table gives it ('per 100,000
    residents of all ages'); the configured ages only when the table has no unit."""
    counted = (
        "offences"
        if is_proxy(key)
        or (
            "count_source" in rows
            and rows["count_source"].astype(str).str.startswith("public").any()
        )
        else "victims"
    )
    units = (
        [str(u) for u in rows["unit"].dropna().unique() if str(u).strip()] if "unit" in rows else []
    )
    if len(units) > 1:
        raise ValueError(f"key_metric: the {key.id}_rate rows give several units: {units}")
    unit = units[0] if units else f"per {per:,} residents aged {key.age_from} to {key.age_to}"
    return counted, unit


def _trend_alt(
    data: pd.DataFrame,
    order: Sequence[str],
    years: Sequence[str],
    y_title: str,
    key: Definition,
) -> str:
    parts = [f"Line chart of {key.short_label}: {y_title.lower()}, {years[0]} to {years[-1]}."]
    for series in order:
        rows = data.loc[data["series"] == series]
        values = [
            f"{r.year} {fmt_number(r.value) if not is_na(r.value) else 'hidden'}"
            for r in rows.itertuples()
        ]
        parts.append(f"{series}: " + ", ".join(values) + ".")
    return " ".join(parts)
