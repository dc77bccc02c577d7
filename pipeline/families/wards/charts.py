"""Wards: the ward table of both reports' "where" sections (a table, not a chart): each
ward's count by year (periods across) for each definition, and the area's ward total."""

from __future__ import annotations

import pandas as pd

from pipeline.charts.cells import count_text, measure_rows, number_text
from pipeline.charts.spec import ChartInputs, ChartSpec
from pipeline.families.wards.findings import latest_period, short_name
from pipeline.families.wards.measures import WARD_COUNT, WARD_RATE, WARD_RATE_PER, WARD_TOTAL

#: The ward table's name (resident.py and the technical placement show it).
CHART_NAME = "ward-crime"


def _period_heading(name: str, period: str, months: int) -> str:
    part = "" if months == 12 else f", {months} months"
    return f"{name[:1].upper()}{name[1:]} {period}{part}"


def ward_table(inputs: ChartInputs) -> ChartSpec | None:
    table = inputs.tables.get("wards")
    if table is None or table.empty:
        return None
    counts = measure_rows(table, WARD_COUNT)
    totals = measure_rows(table, WARD_TOTAL)
    rates = measure_rows(table, WARD_RATE)
    if counts.empty:
        return None
    rated = set(zip(rates["definition"].astype(str), rates["period"].astype(str), strict=True))
    # (count heading, rate heading or None where the year has no rates, definition, period)
    columns: list[tuple[str, str | None, str, str]] = []
    for (definition, period), rows in totals.groupby(["definition", "period"], sort=False):
        months = int(rows["months_covered"].iloc[0])
        heading = _period_heading(short_name(str(definition)), str(period), months)
        rate_heading = f"{heading}: rate per {WARD_RATE_PER:,}"
        columns.append((heading, rate_heading if (str(definition), str(period)) in rated
                        else None, str(definition), str(period)))  # fmt: skip

    def cell_of(rows: pd.DataFrame, code: str, definition: str, period: str) -> pd.DataFrame:
        return rows.loc[(rows["group"] == code) & (rows["definition"] == definition)
                        & (rows["period"] == period)]  # fmt: skip

    names = counts.drop_duplicates("group").set_index("group")["ward_name"].astype(str).sort_index()
    out = []
    for code, name in names.items():
        record = {"Ward": name, "Ward code": str(code)}
        for heading, rate_heading, definition, period in columns:
            row = cell_of(counts, code, definition, period)
            record[heading] = (
                count_text(row["numerator"].iloc[0], bool(row["numerator_suppressed"].iloc[0]))
                if len(row)
                else ""
            )
            if rate_heading is not None:
                rate = cell_of(rates, code, definition, period)
                # A rate gives its count back (times the residents): hidden with it.
                record[rate_heading] = (
                    number_text(rate["value"].iloc[0], 1,
                                hidden=bool(rate["numerator_suppressed"].iloc[0]))
                    if len(rate) else ""
                )  # fmt: skip
        out.append(record)
    total = {"Ward": f"All wards ({inputs.area.name})", "Ward code": ""}
    for heading, rate_heading, definition, period in columns:
        row = totals.loc[(totals["definition"] == definition) & (totals["period"] == period)]
        total[heading] = count_text(
            row["numerator"].iloc[0], bool(row["numerator_suppressed"].iloc[0])
        )
        if rate_heading is not None:
            total[rate_heading] = ""
    out.append(total)
    frame = pd.DataFrame(out)  # columns in the records' order: each count, then its rate
    kinds = {"Ward": "text", "Ward code": "text"}
    for heading, rate_heading, _, _ in columns:
        kinds[heading] = "count"
        if rate_heading is not None:
            kinds[rate_heading] = "rate"
    chosen = latest_period(table)
    period = chosen[0] if chosen else ""
    title = (
        f"Police recorded crime by ward, {period}" if period else "Police recorded crime by ward"
    )
    share_note = (
        "Counts from 1 to the disclosure threshold are shown as [c], with another count hidden "
        "where the ward total would give it back."
    )
    return ChartSpec(
        name=CHART_NAME,
        title=title,
        alt=(
            f"Table of {len(names)} wards of {inputs.area.name} with police recorded "
            + " and ".join(sorted({short_name(str(d)) for _, _, d, _ in columns}))
            + " by financial year."
        ),
        chart=None,
        table=frame,
        kinds=kinds,
        caption=(
            (
                "Counts by 2022 electoral ward from the MPS ward-level files, and rates per "
                f"{WARD_RATE_PER:,} residents for full years (each ward's residents summed "
                "from its neighbourhoods' small-area estimates)."
            )
            if any(rate is not None for _, rate, _, _ in columns)
            else (
                "Counts by 2022 electoral ward from the MPS ward-level files; counts, not rates "
                "(no public file gives ward residents)."
            )
        ),
        notes=(share_note, "Source: MPS ward-level recorded crime (London Datastore)."),
    )


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    spec = ward_table(inputs)
    return [spec] if spec is not None else []
