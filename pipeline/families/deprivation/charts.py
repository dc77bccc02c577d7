"""The deprivation chart: the rate by national deprivation decile of the neighbourhood."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from pipeline.charts.cells import (
    HIDDEN_NOTE,
    count_text,
    is_na,
    measure_rows,
    rate_labels,
)
from pipeline.charts.spec import ChartInputs, ChartSpec, drawn
from pipeline.charts.style import ChartStyle
from pipeline.charts.theme import CATEGORICAL, TEXT_COLOUR
from pipeline.disclosure import MARKER
from pipeline.formatting import fmt_number
from pipeline.settings import Area, Settings


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The deprivation chart, when the table has the edition's deciles."""
    return drawn(deprivation_chart(inputs.tables, inputs.settings, inputs.area, inputs.style))


def _edition_rows(rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The rows of the edition year; when the table has another single period only (public
    LSOA counts come by calendar year), that period's rows."""
    periods = set(rows["period"].astype(str))
    if settings.edition in periods or len(periods) != 1:
        return rows.loc[rows["period"].astype(str) == settings.edition].copy()
    return rows.copy()


def deprivation_chart(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec | None:
    """Rate by national IMD decile of the LSOA, with 95% intervals."""
    dep = tables.get("deprivation")
    if dep is None:
        return None
    rows = _edition_rows(measure_rows(dep, "imd_decile_rate"), settings)
    if rows.empty:
        return None
    rows["decile"] = pd.to_numeric(rows["imd_decile"]).astype(int)
    rows = rows.sort_values("decile")
    words = rate_labels(rows, settings)
    out, long = [], []
    for r in rows.to_dict("records"):
        hidden = bool(r["numerator_suppressed"])
        label = f"{r['decile']}" + (
            " (most deprived)"
            if r["decile"] == 1
            else " (least deprived)"
            if r["decile"] == 10
            else ""
        )
        out.append(
            {
                "IMD decile": label,
                "Neighbourhoods (LSOAs)": count_text(r.get("lsoas")),
                **words.cells(r, limits=style.detailed),
            }
        )
        long.append(
            {
                "decile": str(r["decile"]),
                "value": None if hidden or is_na(r["value"]) else float(r["value"]),
                "lower": None if hidden else r["lower"],
                "upper": None if hidden else r["upper"],
                "note": MARKER if hidden else ("none" if int(r.get("lsoas") or 0) == 0 else ""),
            }
        )
    table = pd.DataFrame(out)
    kinds = {"IMD decile": "text", "Neighbourhoods (LSOAs)": "number", **words.kinds}
    data = pd.DataFrame(long)
    order = [str(d) for d in range(1, 11)]
    base = alt.Chart(data).encode(
        x=alt.X(
            "decile:O",
            sort=order,
            scale=alt.Scale(domain=order),
            title="National deprivation decile of the neighbourhood (1 = most deprived 10%)",
            axis=alt.Axis(labelAngle=0),
        )
    )
    bars = base.mark_bar(color=CATEGORICAL[0], width=26).encode(
        y=alt.Y(
            "value:Q",
            title=f"{words.count_column} per 1,000 {words.residents}",
            scale=alt.Scale(zero=True),
        )
    )
    errors = base.mark_rule(color=TEXT_COLOUR, strokeWidth=1.5).encode(y="lower:Q", y2="upper:Q")
    notes = (
        base.transform_filter(alt.datum.note != "")
        .mark_text(dy=-8, fontSize=11, color=TEXT_COLOUR)
        .encode(y=alt.datum(0), text="note:N")
    )
    chart = alt.layer(bars, errors, notes).properties(width=560, height=240)
    sv = settings.definitions.serious_violence_u25

    def described(r: Mapping[str, Any]) -> str:
        if r["note"] == MARKER:
            return "hidden"
        if r["note"] == "none":
            return "no neighbourhoods"
        return "not available" if is_na(r["value"]) else fmt_number(r["value"])

    values = "; ".join(f"decile {r['decile']}: {described(r)}" for r in long)
    notes_text = [
        "Deciles rank every neighbourhood (LSOA) in England by the Index of Multiple "
        f"Deprivation ({rows['iod_edition'].iloc[0] if 'iod_edition' in rows else 'IoD'})."
    ]
    if table[words.count_column].eq(MARKER).any():
        notes_text.append(HIDDEN_NOTE)
    return ChartSpec(
        name="deprivation",
        title=_deprivation_message(dep),
        alt=f"Bar chart of {sv.short_label} per 1,000 {words.residents} in "
        f"{words.period}, "
        f"by national deprivation decile, with 95% confidence intervals. {values}.",
        chart=chart,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption="Lines show the 95% confidence interval of each rate.",
        notes=tuple(notes_text),
    )


def _deprivation_message(dep: pd.DataFrame) -> str:
    rows = measure_rows(dep, "decile_rate_ratio")
    row = rows.iloc[0] if len(rows) else None
    if row is None or is_na(row.get("lower")) or bool(row.get("numerator_suppressed", False)):
        return "Rates by how deprived the neighbourhood is"
    towards_more = "more deprived" in str(row.get("group", ""))
    rising, falling = float(row["lower"]) > 1, float(row["upper"]) < 1
    if (rising and towards_more) or (falling and not towards_more):
        return "Rates were higher in more deprived neighbourhoods"
    if rising or falling:
        return "Rates were higher in less deprived neighbourhoods"
    return "There was no clear link between rates and how deprived the neighbourhood is"
