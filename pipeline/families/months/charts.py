"""Months: the month-by-month chart of the key metric and its table (financial years down,
months across).

The under-18 metric's months are in the CSV and its finding: a second panel and table ran the
technical report past its 30 pages (issue 16)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline.charts.cells import HIDDEN_NOTE, count_text, measure_rows
from pipeline.charts.spec import ChartInputs, ChartSpec
from pipeline.charts.theme import CATEGORICAL
from pipeline.families.months.findings import month_claims
from pipeline.families.months.measures import (
    FY_MONTHS,
    METRIC_KEYS,
    MONTH_COUNT,
    financial_year_of,
    month_name,
)
from pipeline.formatting import financial_year_label

#: The chart's name (resident.py's "when" section and the technical placement show it).
CHART_NAME = "months"
#: The table's month columns: 'Apr' to 'Mar'.
SHORT_MONTHS: tuple[str, ...] = tuple(month_name(m)[:3] for m in FY_MONTHS)


def _table(months: pd.DataFrame) -> pd.DataFrame:
    """Financial years down, months across (every cell a count; the pooled rates a day are in
    the measure table's CSV)."""
    records: dict[str, dict[str, str]] = {}
    for row in months.to_dict("records"):
        year = financial_year_label(financial_year_of(str(row["period"])))
        column = month_name(int(str(row["period"]).split("-")[1]))[:3]
        records.setdefault(year, {})[column] = count_text(
            row["numerator"], bool(row["numerator_suppressed"])
        )
    out = [{"Year": year, **values} for year, values in sorted(records.items())]
    return pd.DataFrame(out, columns=["Year", *SHORT_MONTHS]).fillna("")


def months_chart(inputs: ChartInputs) -> ChartSpec | None:
    table = inputs.tables.get("months")
    if table is None or table.empty:
        return None
    key = inputs.settings.definitions.metric(METRIC_KEYS[0])
    months = measure_rows(table, MONTH_COUNT, key.id)
    if months.empty:
        return None
    hidden = months["numerator_suppressed"].astype(bool)
    frame = pd.DataFrame(
        {
            # Dates as text read in UTC (the scale's type): the same SVG in any time zone.
            "month": months["period"].astype(str) + "-01",
            # A hidden month is a gap in the line, never a point.
            "count": pd.to_numeric(months["numerator"], errors="coerce").where(~hidden),
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_line(point=True, color=CATEGORICAL[0])
        .encode(
            x=alt.X(
                "month:T",
                title=None,
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b %Y", labelAngle=0),
            ),
            y=alt.Y("count:Q", title="Offences a month", scale=alt.Scale(zero=True)),
        )
        .properties(width=620, height=120)
    )
    data = _table(months)
    claims = month_claims(table, key.id, round(1 - inputs.settings.confidence, 10))
    name = key.short_label.split(" (")[0]
    if claims is not None and claims.peaked and claims.peak is not None:
        title = f"{name[:1].upper()}{name[1:]} was recorded most often in {claims.peak['peak']}"
    else:
        title = f"{name[:1].upper()}{name[1:]} month by month"
    return ChartSpec(
        name=CHART_NAME,
        title=title,
        alt=(
            f"Line chart of {name} recorded in {inputs.area.name} each month; the table gives "
            "every month's count by financial year."
        ),
        chart=chart,
        table=data,
        kinds={"Year": "text", **{m: "count" for m in SHORT_MONTHS}},
        caption=(
            "Offences recorded each month (the comparator series). Months have different "
            "numbers of days: the tests compare rates a day (the measure table's CSV)."
        ),
        notes=(HIDDEN_NOTE,) if hidden.any() else (),
    )


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    spec = months_chart(inputs)
    return [spec] if spec is not None else []
