"""The who chart: each ethnic group's share of victims against its share of residents of the
same age, one panel per age group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from pipeline.charts.cells import (
    count_text,
    first_row,
    interval_text,
    is_na,
    not_available,
    number_text,
)
from pipeline.charts.spec import ChartInputs, ChartSpec, drawn
from pipeline.charts.style import ChartStyle
from pipeline.charts.theme import CATEGORICAL, SEQUENTIAL, TEXT_COLOUR
from pipeline.disclosure import MARKER
from pipeline.families.disproportionality.measures import ETHNIC_GROUPS, recorded_under
from pipeline.settings import Area, Settings


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The who chart, when the victim extract gives one."""
    return drawn(who_chart(inputs.tables, inputs.settings, inputs.area, inputs.style))


def who_chart(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec | None:
    """Victims' share against residents' share by ethnic group, for each age group."""
    table = tables.get("disproportionality")
    if table is None or table.empty or not_available(table):
        return None
    kid = settings.definitions.key_metric.id
    # The technical report breaks each group down by sex as well.
    sexes = ("All", "Male", "Female") if style.detailed else ("All",)
    age_groups = [g.label for g in settings.definitions.age_groups]
    long, out = [], []
    for age in age_groups:
        for ethnicity in ETHNIC_GROUPS:
            for sex in sexes:
                share = first_row(
                    table,
                    measure_id=f"{kid}_victim_share",
                    ethnicity=ethnicity,
                    sex=sex,
                    age_group=age,
                )
                pop = first_row(
                    table,
                    measure_id=f"{kid}_population_share",
                    ethnicity=ethnicity,
                    sex=sex,
                    age_group=age,
                )
                if share is None or pop is None:
                    continue
                hidden = bool(share["numerator_suppressed"]) or bool(
                    share["denominator_suppressed"]
                )
                # No victims of known ethnicity and sex in the age group: 0 of 0, no share.
                none = not hidden and _no_victims(share)
                # A group the police codes cannot record (IC codes: Mixed): not a measured 0.
                unrecorded = not recorded_under(settings.ethnicity_scheme, ethnicity)
                record = {"Age group": age, "Ethnic group": ethnicity}
                if style.detailed:
                    record["Sex"] = sex
                record["Victims"] = (
                    NOT_RECORDED
                    if unrecorded
                    else count_text(share["numerator"], bool(share["numerator_suppressed"]))
                )
                record["Share of victims (%)"] = (
                    NOT_RECORDED if unrecorded else number_text(share["value"], 1, hidden, 100)
                )
                if style.detailed:
                    record["Share of victims: lower 95% limit (%)"] = number_text(
                        share["lower"], 1, hidden, 100
                    )
                    record["Share of victims: upper 95% limit (%)"] = number_text(
                        share["upper"], 1, hidden, 100
                    )
                record["Share of residents (%)"] = number_text(pop["value"], 1, False, 100)
                if style.detailed:
                    record.update(_ratio_columns(table, kid, ethnicity, sex, age))
                out.append(record)
                gone = hidden or none or unrecorded
                if sex == "All":
                    long.append(
                        {
                            "age": age,
                            "ethnicity": ethnicity,
                            "measure": "Share of residents",
                            "value": float(pop["value"]) * 100,
                            "lower": None,
                            "upper": None,
                            "note": "",
                        }
                    )
                    long.append(
                        {
                            "age": age,
                            "ethnicity": ethnicity,
                            "measure": "Share of victims",
                            "value": None if gone else float(share["value"]) * 100,
                            "lower": None if gone else float(share["lower"]) * 100,
                            "upper": None if gone else float(share["upper"]) * 100,
                            "note": WHO_UNRECORDED
                            if unrecorded
                            else WHO_HIDDEN
                            if hidden
                            else WHO_NONE
                            if none
                            else "",
                        }
                    )
        known = first_row(
            table,
            measure_id=f"{kid}_victim_share",
            ethnicity=ETHNIC_GROUPS[0],
            sex="All",
            age_group=age,
        )
        if known is not None:
            record = {"Age group": age, "Ethnic group": "All (ethnicity and sex recorded)"}
            if style.detailed:
                record["Sex"] = "All"
            record["Victims"] = count_text(
                known["denominator"], bool(known["denominator_suppressed"])
            )
            record["Share of victims (%)"] = (
                "" if bool(known["denominator_suppressed"]) or _no_victims(known) else "100.0"
            )
            for column in list(out[-1].keys()) if out else []:
                record.setdefault(column, "")
            record["Share of residents (%)"] = "100.0"
            out.append(record)
    if not long:
        return None
    frame = pd.DataFrame(out).fillna("")
    kinds = {}
    for column in frame.columns:
        kinds[column] = (
            "text"
            if column in ("Age group", "Ethnic group", "Sex")
            else "count"
            if column == "Victims"
            else "interval"
            if "interval" in column
            else "ratio"
            if "ratio" in column.lower()
            # Residents' shares come from the census, not from victim counts.
            else "population"
            if column.startswith("Share of residents")
            else "share"
        )
    data = pd.DataFrame(long)
    chart = _who_layers(data, age_groups)
    notes = [
        "Shares of victims leave out victims whose ethnicity or sex was not recorded.",
        "Residents: Census 2021, same ages.",
    ]
    if (data["note"] == WHO_UNRECORDED).any():
        notes.append(
            "The police recorded each victim's ethnic group as the officer saw it (IC codes), "
            "which has no Mixed group: no victim can be recorded as Mixed, so no share of "
            "victims is given for it, and people of mixed ethnicity are counted in another group."
        )
    if (data["note"] == WHO_NONE).any():
        notes.append(
            "No share of victims is given for an age group with no victims of recorded "
            "ethnicity and sex (0 of 0)."
        )
    return ChartSpec(
        name="who",
        title=_who_message(data, settings),
        alt=_who_alt(data, age_groups, settings),
        chart=chart,
        table=frame,
        kinds=kinds,
        caption="Bars show each group's share of residents of the same age; dots show its "
        "share of victims, with a line for the 95% confidence interval.",
        notes=tuple(notes),
    )


#: Why a victims' share is not drawn: hidden (small number) or none (no victims, 0 of 0).
WHO_HIDDEN = f"victims: {MARKER} hidden to protect privacy"
WHO_NONE = "no victims recorded"
WHO_UNRECORDED = "not recorded: police IC codes have no Mixed group"
#: What the chart's table shows for a group the police codes cannot record.
NOT_RECORDED = "not recorded"


def _ratio_columns(
    table: pd.DataFrame, kid: str, ethnicity: str, sex: str, age: str
) -> dict[str, str]:
    """The technical report's share ratio and rate ratio of one group, each with its 95%
    interval ('' when the table has no such ratio)."""
    columns = {}
    for suffix, label in (
        ("share_ratio", "Share ratio"),
        ("rate_ratio", "Rate ratio against everyone else"),
    ):
        ratio = first_row(
            table, measure_id=f"{kid}_{suffix}", ethnicity=ethnicity, sex=sex, age_group=age
        )
        if ratio is None:
            columns[label] = columns[f"{label}: 95% interval"] = ""
            continue
        hidden = bool(ratio["numerator_suppressed"]) or bool(ratio["denominator_suppressed"])
        columns[label] = number_text(ratio["value"], 2, hidden)
        columns[f"{label}: 95% interval"] = interval_text(ratio["lower"], ratio["upper"], 2, hidden)
    return columns


def _no_victims(share: Mapping[str, Any]) -> bool:
    """True for a victim-share row of 0 of 0 (no victims of known ethnicity and sex)."""
    denominator = share.get("denominator")
    return not is_na(denominator) and float(denominator) == 0


def _who_layers(data: pd.DataFrame, age_groups: Sequence[str]) -> alt.TopLevelMixin:
    """One panel per age group: residents' share as a bar, victims' share as a dot with its
    interval; the legend shows a square for bars and a circle for dots (not colour alone)."""
    measures = ["Share of residents", "Share of victims"]
    colour = alt.Scale(domain=measures, range=[SEQUENTIAL[4], CATEGORICAL[0]])
    shape = alt.Scale(domain=measures, range=["square", "circle"])
    residents_share = data.loc[
        data["measure"] == "Share of residents", ["age", "ethnicity", "value"]
    ]
    data = data.merge(
        residents_share.rename(columns={"value": "residents"}), on=["age", "ethnicity"]
    )
    panels = []
    for age in age_groups:
        subset = data.loc[data["age"] == age]
        base = alt.Chart(subset).encode(
            y=alt.Y(
                "ethnicity:N",
                title=None,
                sort=list(ETHNIC_GROUPS),
                axis=alt.Axis(labelAlign="right", labelAngle=0),
            ),
        )
        residents = (
            base.transform_filter(alt.datum.measure == measures[0])
            .mark_bar(stroke=SEQUENTIAL[2], strokeWidth=1, height=18)
            .encode(
                x=alt.X("value:Q", title="Per cent", scale=alt.Scale(domain=[0, 100])),
                color=alt.Color(
                    "measure:N",
                    title=None,
                    scale=colour,
                    legend=alt.Legend(
                        orient="bottom",
                        direction="vertical",
                        symbolSize=150,
                        labelExpr="datum.label == 'Share of victims' ? "
                        "'Share of victims (dot; line: 95% interval)' : "
                        "'Share of residents of the same age (bar)'",
                        labelLimit=400,
                    ),
                ),
            )
        )
        victims = base.transform_filter(
            (alt.datum.measure == measures[1]) & alt.expr.isValid(alt.datum.value)
        )
        rules = victims.mark_rule(color=CATEGORICAL[0], strokeWidth=2).encode(
            x="lower:Q", x2="upper:Q"
        )
        points = victims.mark_point(filled=True, size=90, opacity=1).encode(
            x="value:Q",
            color=alt.Color("measure:N", scale=colour, title=None),
            shape=alt.Shape("measure:N", scale=shape, title=None),
        )
        hidden = (
            base.transform_filter(
                (alt.datum.measure == measures[1]) & ~alt.expr.isValid(alt.datum.value)
            )
            .mark_text(align="left", dx=6, fontSize=11, color=TEXT_COLOUR)
            .encode(x="residents:Q", text="note:N")
        )
        panels.append(
            alt.layer(residents, rules, points, hidden).properties(
                width=460,
                height=150,
                title=alt.TitleParams(f"Victims and residents: {age}", fontSize=13),
            )
        )
    return alt.vconcat(*panels, spacing=18).resolve_scale(color="shared", shape="shared")


def _who_message(data: pd.DataFrame, settings: Settings) -> str:
    """Name the group whose share of victims is furthest above its share of residents (only
    when the whole interval is above it)."""
    victims = data.loc[(data["measure"] == "Share of victims") & data["value"].notna()]
    shares = data.loc[data["measure"] == "Share of victims"]
    if len(shares) and shares["note"].isin([WHO_NONE, WHO_UNRECORDED]).all():
        key = settings.definitions.key_metric
        return (
            f"No victims of {key.short_label} with a recorded ethnic group and sex in "
            f"{settings.edition}"
        )
    best = None
    for row in victims.itertuples():
        pop = data.loc[
            (data["measure"] == "Share of residents")
            & (data["age"] == row.age)
            & (data["ethnicity"] == row.ethnicity),
            "value",
        ].iloc[0]
        if pop > 0 and row.lower > pop:
            ratio = row.value / pop
            if best is None or ratio > best[0]:
                best = (ratio, row, pop)
    if best is None:
        return "No ethnic group's share of victims was clearly above its share of residents"
    _, row, pop = best
    people = "children" if str(row.age).lower().startswith("under 18") else "young people"
    return (
        f"{row.ethnicity} {people} ({str(row.age).lower()}) were {row.value:.0f}% of victims "
        f"of that age but {pop:.0f}% of residents of that age"
    )


def _who_alt(data: pd.DataFrame, age_groups: Sequence[str], settings: Settings) -> str:
    parts = [
        "Dot and bar chart comparing each ethnic group's share of victims with its share of "
        "residents."
    ]
    for age in age_groups:
        items = []
        for ethnicity in ETHNIC_GROUPS:
            rows = data.loc[(data["age"] == age) & (data["ethnicity"] == ethnicity)]
            if rows.empty:
                continue
            victim = rows.loc[rows["measure"] == "Share of victims"].iloc[0]
            p = rows.loc[rows["measure"] == "Share of residents", "value"].iloc[0]
            if victim["note"] == WHO_NONE:
                items.append(f"{ethnicity}: no victims recorded, {p:.0f}% of residents")
                continue
            if victim["note"] == WHO_UNRECORDED:
                items.append(f"{ethnicity}: {WHO_UNRECORDED}, {p:.0f}% of residents")
                continue
            v = victim["value"]
            victims = "hidden" if is_na(v) else f"{v:.0f}%"
            items.append(f"{ethnicity} {victims} of victims and {p:.0f}% of residents")
        parts.append(f"{age}: " + "; ".join(items) + ".")
    return " ".join(parts)
