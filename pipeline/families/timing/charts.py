"""The when chart: a weekday by time-of-day heat map of serious violence against under-25s."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from pipeline.charts.cells import HIDDEN_NOTE, measure_rows, not_available
from pipeline.charts.spec import ChartInputs, ChartSpec, drawn
from pipeline.charts.style import ChartStyle
from pipeline.charts.theme import SEQUENTIAL, SUPPRESSED_FILL, TEXT_COLOUR
from pipeline.disclosure import MARKER
from pipeline.families.timing.measures import WEEKDAYS
from pipeline.families.timing.peaks import TimingClaims, timing_claims
from pipeline.settings import Area, Settings


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The when chart, when the victim extract gives one."""
    return drawn(
        when_chart(inputs.tables, inputs.settings, inputs.area, inputs.style, inputs.hour_blocks)
    )


def when_chart(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
    blocks: pd.DataFrame | None = None,
) -> ChartSpec | None:
    """Weekday by time-of-day heat map of serious violence against under-25s (aoristic
    counts): every hour, or blocks of hours (disclosure-controlled as cells), as the style
    says. Each cell also shows its number, so the colour is never the only cue."""
    timing = tables.get("timing")
    if timing is None or not_available(timing):
        return None
    grid = measure_rows(timing, "hour_weekday").copy()
    if grid.empty:
        return None
    sv = settings.definitions.serious_violence_u25
    hourly = style.hourly
    if hourly:
        cells = pd.DataFrame(
            {
                "weekday": grid["weekday"].astype(str),
                "slot": grid["hour"].astype(int).map(lambda h: f"{h:02d}"),
                "value": pd.to_numeric(grid["numerator"], errors="coerce"),
                "hidden": grid["numerator_suppressed"].astype(bool),
            }
        )
        slots = [f"{h:02d}" for h in range(24)]
        slot_title = "Hour of the day (start of each hour)"
        decimals = 1
    else:
        if blocks is None:
            raise ValueError("a time-of-day chart in blocks of hours needs the protected blocks")
        cells = blocks.rename(columns={"block": "slot"})[["weekday", "slot", "value", "hidden"]]
        slots = list(dict.fromkeys(blocks["block"]))
        slot_title = "Time of day"
        decimals = 0
    cells["label"] = [
        MARKER if h else f"{v:.{decimals}f}"
        for v, h in zip(cells["value"], cells["hidden"], strict=True)
    ]
    cells["shown"] = cells["value"].where(~cells["hidden"])
    top = float(cells["shown"].max()) if cells["shown"].notna().any() else 1.0
    top = top if top > 0 else 1.0
    # Five equal classes from 0 to the largest cell, lightest first; the three darkest get
    # white text, the two lightest black (each pair keeps at least 4.5:1 contrast).
    cells["dark"] = cells["shown"] >= top * 2 / len(SEQUENTIAL)
    table = cells.pivot(index="slot", columns="weekday", values="label").reindex(
        index=slots, columns=list(WEEKDAYS)
    )
    table = table.reset_index().rename(columns={"slot": "Hour" if hourly else "Time of day"})
    kinds = {c: ("text" if c in ("Time of day", "Hour") else "count") for c in table.columns}
    width = 680 if hourly else 520
    base = alt.Chart(cells).encode(
        x=alt.X("slot:O", title=slot_title, sort=slots, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("weekday:O", title=None, sort=list(WEEKDAYS)),
    )
    heat = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "shown:Q",
            title="Incidents",
            scale=alt.Scale(
                type="quantize", domain=[0, top], nice=False, range=list(reversed(SEQUENTIAL))
            ),
            legend=alt.Legend(
                orient="bottom",
                direction="horizontal",
                format=".0f",
                symbolType="square",
                symbolSize=200,
            ),
        ),
    )
    hidden = base.transform_filter(~alt.expr.isValid(alt.datum.shown)).mark_rect(
        color=SUPPRESSED_FILL, stroke="white", strokeWidth=1
    )
    text = base.mark_text(fontSize=9 if hourly else 12).encode(
        text="label:N",
        color=alt.condition(alt.datum.dark, alt.value("white"), alt.value(TEXT_COLOUR)),
    )
    chart = alt.layer(heat, hidden, text).properties(width=width, height=220)
    busiest = (
        cells.loc[cells["shown"] > 0]
        .sort_values(["shown", "weekday"], ascending=[False, True])
        .head(3)
    )
    peak = ", ".join(
        f"{r.weekday} {r.slot}{':00' if hourly else ''} ({r.label})" for r in busiest.itertuples()
    ) or ("none shown" if cells["hidden"].any() else "none (no incidents)")
    claims = timing_claims(timing, round(1 - settings.confidence, 10))
    message = _when_message(cells, hourly, claims)
    alt_text = (
        f"Heat map of {sv.short_label} in {settings.edition} by day of the week and "
        f"{'hour' if hourly else 'time of day'}; darker cells had more incidents, and each "
        "cell is "
        f"labelled with its number. Busiest: {peak}."
    )
    hidden_note = HIDDEN_NOTE if cells["hidden"].any() else ""
    return ChartSpec(
        name="when",
        title=message,
        alt=alt_text,
        chart=chart,
        table=table,
        kinds=kinds,
        caption="Incidents whose time was recorded as a range are shared across the hours of "
        "the range (aoristic weights), so cells can hold fractions of an incident.",
        notes=tuple(n for n in (hidden_note,) if n),
    )


def _when_message(cells: pd.DataFrame, hourly: bool, claims: TimingClaims) -> str:
    """The chart's title: what the timing tests allow (as the finding words it), never the
    largest cell on its own (a largest count is not a peak until a test separates it)."""
    shown = cells.loc[cells["shown"].notna()]
    if not cells["hidden"].any() and not (cells["value"] > 0).any():
        return "No incidents were recorded"
    # Only zeros shown (every incident in a hidden cell): no busiest time can be named.
    if shown.empty or not (shown["shown"] > 0).any():
        return "Numbers by time of day are too small to show"
    if all(row is None for row in (claims.day, claims.hour, claims.window, claims.week)):
        return "Incidents by day of the week and time of day"  # no tests: no claim
    if claims.separated(claims.hour):
        start = int(str(claims.hour["peak"])[:2])
        when = f"Incidents happened most often between {start:02d}:00 and {start + 1:02d}:00"
    elif claims.separated(claims.window):
        start = int(claims.window["window_start"])
        end = start + int(claims.window["window_hours"])
        when = f"Incidents were concentrated between {start:02d}:00 and {end % 24:02d}:00"
        when = when.replace("and 00:00", "and midnight")
    else:
        when = "No time of day stood out"
    if claims.separated(claims.day):
        days = f"most often on {claims.day['peak']}s"
    elif claims.separated(claims.week):
        days = (
            "more a day on weekdays than at weekends"
            if float(claims.week["value"]) > 1
            else "more a day at weekends than on weekdays"
        )
    else:
        days = "no day of the week stood out"
    return f"{when}, and {days}"
