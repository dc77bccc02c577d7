"""The where charts: the hot-spot map of neighbourhoods (LSOAs), wards ranked by rate and,
in the technical report, every neighbourhood ranked by rate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from pipeline.charts.cells import (
    LIMIT_COLUMNS,
    RATE_COLUMN,
    count_text,
    interval_text,
    is_na,
    measure_rows,
    number_text,
    rate_labels,
    ward_level,
)
from pipeline.charts.spec import ChartInputs, ChartSpec, drawn
from pipeline.charts.style import ChartStyle
from pipeline.charts.theme import CATEGORICAL, TEXT_COLOUR
from pipeline.disclosure import MARKER
from pipeline.families.hotspots.own_rate import (
    HOT_SPOT,
    NOT_HOT_SPOT,
    OWN_RATE_MEASURE,
    WITHHELD,
)
from pipeline.settings import Area, Settings

#: The classes of a neighbourhood on the residents' map (its own-rate test), legend order.
HOTSPOT_CLASSES: tuple[str, ...] = (HOT_SPOT, NOT_HOT_SPOT)
#: Fill and marker of each class: a hot spot is marked by a triangle, a withheld result by a
#: cross, so colour is never the only signal.
CLASS_FILL = {HOT_SPOT: CATEGORICAL[2], NOT_HOT_SPOT: "#DEDEDE", WITHHELD: "#F5F5F5"}
CLASS_MARKER = {HOT_SPOT: "triangle-up", WITHHELD: "cross"}


def charts(inputs: ChartInputs) -> list[ChartSpec]:
    """The map (when boundaries are supplied), the wards table and, in the technical report,
    the ranked neighbourhoods (which stand in for the map when there are no boundaries)."""
    t, settings, area, style = inputs.tables, inputs.settings, inputs.area, inputs.style
    return drawn(
        where_map(t, inputs.boundaries, settings, area, style),
        # With the MPS ward files the wards family gives the real wards' table instead of
        # this one (whose "wards" are MSOAs in a public build).
        wards_table(t, settings, area, style) if "wards" not in t else None,
        lsoa_table(t, settings, area, style) if style.detailed else None,
    )


def _map_features(
    boundaries: Any, classes: Mapping[str, str], tolerance: float = 8.0
) -> list[dict[str, Any]]:
    """LSOA polygons as GeoJSON features in British National Grid metres, simplified and
    rounded to the metre (smaller, deterministic SVG), with each LSOA's hot-spot class."""
    import shapely

    features = []
    frame = boundaries.sort_values("lsoa_code", kind="stable")
    for code, geometry in zip(frame["lsoa_code"].astype(str), frame.geometry, strict=True):
        if code not in classes:
            continue
        shape = shapely.set_precision(shapely.simplify(geometry, tolerance), 1.0)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shape),
                "properties": {"lsoa_code": code, "hotspot_class": classes[code]},
            }
        )
    return features


def _hotspot_rows(tables: Mapping[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    hot = tables["hotspots"]
    sv_id = str(settings.definitions.serious_violence_u25.id)
    gi = measure_rows(hot, OWN_RATE_MEASURE, sv_id).copy()
    lsoa = measure_rows(hot, "lsoa_rate", sv_id)
    names = lsoa.set_index("group")[["lsoa_name", "ward_name"]] if "lsoa_name" in lsoa else None
    if names is not None:
        gi = gi.drop(columns=[c for c in names.columns if c in gi.columns]).join(names, on="group")
    # Disclosure control hides the verdict with a count it would pin down (hotspots.
    # disclosure): the map and its table say "withheld", never "not significant", there.
    gi["hotspot_class"] = (
        gi["hotspot_class"].astype("object").where(gi["hotspot_class"].notna(), WITHHELD)
    )
    return gi


def where_map(
    tables: Mapping[str, pd.DataFrame],
    boundaries: Any,
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec | None:
    """LSOA map of hot spots: neighbourhoods whose own rate is significantly above the
    borough's (the own-rate test; boundaries supplied).

    The map shows classes only, never counts; hot spots carry a triangle marker as well as a
    colour."""
    if boundaries is None or "hotspots" not in tables:
        return None
    gi = _hotspot_rows(tables, settings)
    if gi.empty:
        return None
    import shapely

    classes = dict(zip(gi["group"].astype(str), gi["hotspot_class"].astype(str), strict=True))
    features = _map_features(boundaries, classes)
    frame = boundaries.loc[boundaries["lsoa_code"].astype(str).isin(classes)].sort_values(
        "lsoa_code"
    )
    points = pd.DataFrame(
        {
            "lsoa_code": frame["lsoa_code"].astype(str).to_numpy(),
            "x": [round(p.x) for p in shapely.point_on_surface(frame.geometry.to_numpy())],
            "y": [round(p.y) for p in shapely.point_on_surface(frame.geometry.to_numpy())],
        }
    )
    points["hotspot_class"] = points["lsoa_code"].map(classes)
    marked = points.loc[points["hotspot_class"].isin(list(CLASS_MARKER))]
    domain = list(HOTSPOT_CLASSES) + ([WITHHELD] if WITHHELD in classes.values() else [])
    shapes = [c for c in CLASS_MARKER if c in set(marked["hotspot_class"])]
    polygons = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                "properties.hotspot_class:N",
                title="Neighbourhood",
                scale=alt.Scale(domain=domain, range=[CLASS_FILL[c] for c in domain]),
                legend=alt.Legend(
                    orient="bottom", direction="horizontal", symbolType="square", symbolSize=200
                ),
            ),
        )
    )
    layers = [polygons]
    if not marked.empty:
        layers.append(
            alt.Chart(marked)
            .mark_point(filled=True, size=70, stroke="white", strokeWidth=1)
            .encode(
                longitude="x:Q",
                latitude="y:Q",
                shape=alt.Shape(
                    "hotspot_class:N",
                    title="Marker",
                    scale=alt.Scale(domain=shapes, range=[CLASS_MARKER[c] for c in shapes]),
                    legend=alt.Legend(orient="bottom", direction="horizontal"),
                ),
                color=alt.value(TEXT_COLOUR),
            )
        )
    chart = (
        alt.layer(*layers).project(type="identity", reflectY=True).properties(width=460, height=520)
    )
    hot = gi.loc[gi["hotspot_class"] == HOT_SPOT]
    sv = settings.definitions.serious_violence_u25

    def label(r: Mapping[str, Any]) -> str:
        if "lsoa_name" in r and not is_na(r.get("lsoa_name")):
            return f"{r['lsoa_name']} ({r['ward_name']})"
        return str(r["group"])

    hot_names = [label(r) for r in hot.sort_values("group").to_dict("records")]
    withheld = int((gi["hotspot_class"] == WITHHELD).sum())
    if hot_names:
        title = (
            f"{len(hot_names)} neighbourhood{'s' if len(hot_names) != 1 else ''} stood out as "
            f"{'hot spots' if len(hot_names) != 1 else 'a hot spot'} of {sv.short_label}"
        )
    elif withheld:
        # A withheld result may be a hot spot: "no neighbourhood" would claim it is not.
        title = (
            "No neighbourhood whose result can be shown stood out as a hot spot of "
            f"{sv.short_label}"
        )
    else:
        title = f"No neighbourhood stood out as a hot spot of {sv.short_label}"
    if withheld:
        title += f" (results withheld for {withheld})"
    alt_text = (
        f"Map of the {len(classes)} neighbourhoods (LSOAs) of {area.name} coloured by "
        f"hot-spot analysis of {sv.short_label} in {rate_labels(gi, settings).period}. "
        + (
            f"Hot spots (dark pink, upward triangle): {', '.join(hot_names)}."
            if hot_names
            else "No hot spots."
        )
        + (
            f" Result withheld (pale grey, cross) for {withheld} neighbourhood"
            f"{'s' if withheld != 1 else ''} whose count is too small to publish."
            if withheld
            else ""
        )
    )
    # The table lists the hot spots (the full LSOA list, with each LSOA's tests, is the
    # technical report's ranked table).
    rows = gi.loc[gi["hotspot_class"] == HOT_SPOT].sort_values("group").to_dict("records")
    out = []
    for r in rows:
        out.append(
            {
                "Neighbourhood (LSOA)": str(r.get("lsoa_name") or r["group"]),
                "LSOA code": str(r["group"]),
                "Ward": str(r.get("ward_name") or ""),
                "Result": str(r["hotspot_class"]),
            }
        )
    if not out:
        out.append(
            {
                "Neighbourhood (LSOA)": "No neighbourhood",
                "LSOA code": "",
                "Ward": "",
                "Result": "No hot spots",
            }
        )
    kinds = {"Neighbourhood (LSOA)": "text", "LSOA code": "text", "Ward": "text", "Result": "text"}
    table, kinds = ward_level(measure_rows(tables["hotspots"], "ward_rate", sv.id)["group"]).named(
        pd.DataFrame(out), kinds
    )
    return ChartSpec(
        name="where-map",
        title=title,
        alt=alt_text,
        chart=chart,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption="A hot spot is a neighbourhood whose own rate was higher than the borough's by "
        "more than chance would explain (after allowing for testing every neighbourhood).",
        notes=("Contains boundary data for each neighbourhood (LSOA).",)
        + (
            (
                "A neighbourhood whose count is too small to publish is marked 'withheld': "
                "whether it is a hot spot would say roughly how many incidents it had.",
            )
            if withheld
            else ()
        ),
    )


def _class_text(row: Mapping[str, Any] | None, column: str) -> str:
    """A test's class for the LSOA table: blank without the test, the marker where
    disclosure control hid it (the class is then missing)."""
    if row is None:
        return ""
    return MARKER if is_na(row.get(column)) else str(row.get(column))


def _highest_rate_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Rate rows, highest rate first (ties by code; rates not available last)."""
    rows = rows.assign(_rate=pd.to_numeric(rows["value"], errors="coerce"))
    return rows.sort_values(["_rate", "group"], ascending=[False, True], na_position="last")


def wards_table(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec | None:
    """Wards ranked by rate, with the located total (a table, not a chart)."""
    hot = tables.get("hotspots")
    if hot is None:
        return None
    sv_id = str(settings.definitions.serious_violence_u25.id)
    wards = measure_rows(hot, "ward_rate", sv_id).copy()
    if wards.empty:
        return None
    words = rate_labels(wards, settings)
    level = ward_level(wards["group"])
    wards = _highest_rate_first(wards)
    out = []
    for r in wards.to_dict("records"):
        ward = str(r.get("ward_name") or r["group"])
        out.append({"Ward": ward, **words.cells(r, limits=style.detailed)})
    used = measure_rows(hot, "row_reconciliation", sv_id)
    used = used.loc[used["group"].astype(str).str.startswith("used:")]
    if len(used):
        u = used.iloc[0]
        total = {
            "Ward": f"All {level.plural} ({area.name})",
            words.count_column: count_text(u["numerator"], bool(u["numerator_suppressed"])),
            words.residents_column: count_text(pd.to_numeric(wards["denominator"]).sum()),
            RATE_COLUMN: "",
        }
        if not bool(u["numerator_suppressed"]):
            total[RATE_COLUMN] = number_text(
                float(u["numerator"]) / float(pd.to_numeric(wards["denominator"]).sum()) * 1000, 1
            )
        if style.detailed:
            total.update(dict.fromkeys(LIMIT_COLUMNS, ""))
        out.append(total)
    table, kinds = level.named(pd.DataFrame(out), {"Ward": "text", **words.kinds})
    top = [r for r in out[:-1] if r[RATE_COLUMN] not in ("", MARKER)][:3]
    sv = settings.definitions.serious_violence_u25
    title = (
        f"{level.column}s with the highest rates: {', '.join(r['Ward'] for r in top)}"
        if top
        else f"Rates by {level.singular}"
    )
    notes = [f"{words.count_column} with an unknown location are not included."]
    if (table[words.count_column] == MARKER).any():
        notes.append(
            f"{MARKER}: hidden to protect privacy (a number from 1 to the disclosure threshold, "
            "or a number that would let one be worked out)."
        )
    return ChartSpec(
        name="wards",
        title=title,
        alt=f"Table of {sv.short_label} by {level.singular} in {words.period}, highest rate first.",
        chart=None,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption=f"{sv.label}, {words.period}: {words.counted} and rate per 1,000 "
        f"{words.residents}, by {level.described}.",
        notes=tuple(notes),
    )


def lsoa_table(
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area: Area,
    style: ChartStyle,
) -> ChartSpec | None:
    """Every LSOA ranked by rate (the technical report's full list; it replaces the map
    when no boundaries are supplied)."""
    hot = tables.get("hotspots")
    if hot is None:
        return None
    sv_id = str(settings.definitions.serious_violence_u25.id)
    rows = measure_rows(hot, "lsoa_rate", sv_id).copy()
    if rows.empty:
        return None
    rows = _highest_rate_first(rows)
    words = rate_labels(rows, settings)
    gi = {str(g["group"]): g for g in measure_rows(hot, "gi_star", sv_id).to_dict("records")}
    own = {
        str(g["group"]): g for g in measure_rows(hot, OWN_RATE_MEASURE, sv_id).to_dict("records")
    }
    out = []
    for rank, r in enumerate(rows.to_dict("records"), start=1):
        hidden = bool(r["numerator_suppressed"])
        record = {
            "Rank": str(rank),
            "Neighbourhood (LSOA)": str(r.get("lsoa_name") or r["group"]),
            "LSOA code": str(r["group"]),
            "Ward": str(r.get("ward_name") or ""),
            **words.cells(r),
        }
        if style.detailed:
            record["95% interval"] = interval_text(r["lower"], r["upper"], 1, hidden)
            g, o = gi.get(str(r["group"])), own.get(str(r["group"]))
            # The tests' q-values give the count back: disclosure control blanks them with
            # it (hotspots' DERIVED_FROM_THE_COUNT); the cell says so.
            q_own = None if o is None else o.get("q_value")
            record["Own-rate q-value"] = number_text(q_own, 3, hidden and o is not None)
            # A verdict that would pin a hidden count down is hidden with it.
            record["Hot spot result"] = _class_text(o, "hotspot_class")
            q_gi = None if g is None else g.get("q_value")
            record["Gi* q-value"] = number_text(q_gi, 3, hidden and g is not None)
            record["Gi* cluster"] = _class_text(g, "cluster_class")
        out.append(record)
    table = pd.DataFrame(out)
    kinds = {
        "Rank": "number",
        "Neighbourhood (LSOA)": "text",
        "LSOA code": "text",
        "Ward": "text",
        **words.kinds,
        "95% interval": "interval",
        "Own-rate q-value": "number",
        "Hot spot result": "text",
        "Gi* q-value": "number",
        "Gi* cluster": "text",
    }
    first = out[0]
    level = ward_level(measure_rows(hot, "ward_rate", sv_id)["group"])
    named, named_kinds = level.named(table, kinds)
    return ChartSpec(
        name="lsoas",
        title=f"Neighbourhoods ranked by rate: highest {first['Neighbourhood (LSOA)']}",
        alt="Table of every neighbourhood (LSOA) ranked by rate.",
        chart=None,
        table=named,
        kinds={c: named_kinds[c] for c in named.columns},
        caption=f"Every neighbourhood (LSOA), {words.period}, ranked by {words.counted} per "
        f"1,000 {words.residents}.",
        notes=(
            "Rates on a few hundred residents are unstable: the ranking is a guide, not a "
            "league table.",
        ),
    )
