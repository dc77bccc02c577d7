"""Charts for the SNA reports: Altair specs rendered offline to SVG with vl-convert.

Every chart is a :class:`ChartSpec`: an Altair chart, a title that states its message, a text
alternative carrying the key numbers, and the table behind it (printed in the report and
written as CSV). Charts use the Government Analysis Function palettes through the Altair
theme :data:`THEME_NAME` (sans-serif type, horizontal labels, light-grey gridlines).

Rendering is offline and deterministic: :func:`render_svg` pins the Vega-Lite version, and
:func:`accessible_svg` adds what vl-convert leaves out (an SVG ``<title>`` that WeasyPrint
turns into the PDF figure's Alt text, ``role="img"`` and ``aria-labelledby`` for browsers) and
prefixes the SVG's internal ids so several charts can be inlined in one HTML page.

Entry points for the workflow:

* :func:`build_charts` (measure tables -> list of :class:`ChartSpec`, one report at one
  circulation; public charts are built from tables disclosure-controlled at the resident
  threshold),
* :func:`write_charts` (writes ``<dir>/<variant>/<name>.svg`` and ``.csv`` for every chart,
  plus ``charts.json`` listing them in report order) and :func:`read_charts` (its reverse).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from pipeline.families.common import is_proxy
from pipeline.runtime import write_csv, write_json

#: Vega-Lite version used for every chart (vl-convert bundles several; pinning it means an
#: upgrade of vl-convert cannot silently change the charts).
VL_VERSION = "6.4"
THEME_NAME = "analysis_function"
FONT = "sans-serif"

#: Analysis Function categorical palette, to be used in this order.
CATEGORICAL: tuple[str, ...] = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
#: Analysis Function sequential palette, dark to light.
SEQUENTIAL: tuple[str, ...] = ("#092135", "#12436D", "#2073BC", "#6BACE6", "#ADD1F1")
#: Focus palette: the highlighted series and everything else.
FOCUS: tuple[str, str] = ("#12436D", "#BFBFBF")
TEXT_COLOUR = "#0B0C0C"
GRID_COLOUR = "#D9D9D9"
#: Fill for a suppressed cell: a light grey the palette does not use, always with a text mark.
SUPPRESSED_FILL = "#F3F2F1"


@alt.theme.register(THEME_NAME, enable=False)
def analysis_function_theme() -> alt.theme.ThemeConfig:
    """Altair theme: AF palettes, sans-serif, horizontal labels, light-grey gridlines."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            # ARIA on every mark would give screen readers hundreds of nodes; each chart gets
            # one text alternative on its root element instead (see accessible_svg).
            "aria": False,
            "view": {"stroke": None},
            "range": {
                "category": list(CATEGORICAL),
                "ordinal": list(SEQUENTIAL),
                "ramp": list(reversed(SEQUENTIAL)),
                "heatmap": list(reversed(SEQUENTIAL)),
            },
            "title": {
                "anchor": "start",
                "fontSize": 15,
                "fontWeight": "bold",
                "color": TEXT_COLOUR,
                "font": FONT,
                "offset": 12,
            },
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "titleFontWeight": "normal",
                "labelAngle": 0,
                "gridColor": GRID_COLOUR,
                "domainColor": "#6F777B",
                "tickColor": "#6F777B",
            },
            "axisX": {"grid": False, "labelAngle": 0},
            "axisY": {
                "grid": True,
                "tickCount": 5,
                "titleAngle": 0,
                "titleAlign": "left",
                "titleY": -10,
                "titleX": 0,
                "labelAlign": "right",
            },
            "axisBand": {"grid": False},
            "legend": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "orient": "bottom",
                "direction": "horizontal",
            },
            "header": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12},
            "text": {"font": FONT, "fontSize": 12, "color": TEXT_COLOUR},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
            "bar": {"color": CATEGORICAL[0]},
        }
    }


@dataclass(frozen=True)
class ChartSpec:
    """One chart of a report, with everything needed to publish it accessibly.

    ``table`` is the data behind the chart as printed (suppressed values already ``[c]``);
    ``kinds`` gives each column's kind (``count``, ``rate``, ``share``... see
    :mod:`pipeline.render.model`). ``chart`` is None for a table shown without a chart (the
    ranked list that replaces a map when no boundaries are supplied).
    """

    name: str
    title: str
    alt: str
    chart: alt.TopLevelMixin | None = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    kinds: Mapping[str, str] = field(default_factory=dict)
    caption: str = ""
    notes: tuple[str, ...] = ()


def vegalite_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite JSON with the Analysis Function theme applied."""
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict()


def render_svg(chart: alt.TopLevelMixin) -> str:
    """Render offline to SVG with the pinned Vega-Lite version (no network, deterministic)."""
    return vlc.vegalite_to_svg(vegalite_spec(chart), vl_version=VL_VERSION)


_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
_VEGA_ARIA = re.compile(
    r'\s(?:role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*")'
)


def accessible_svg(svg: str, name: str, title: str) -> str:
    """Give a vl-convert SVG a text alternative and ids that cannot clash with another chart.

    Inserts ``<title id="<name>-title">`` as the first child of the root (WeasyPrint reads a
    figure's Alt only from a direct ``<title>`` child), marks the root ``role="img"`` with
    ``aria-labelledby`` so browsers announce the same text, and prefixes every ``id`` (and
    each reference to it) with the chart name.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ValueError(f"chart name {name!r} must be lower-case letters, digits and hyphens")
    # Vega's own ARIA roles on mark containers would be read as unlabelled images inside our
    # single labelled image; the chart's one text alternative is the <title> below.
    svg = _VEGA_ARIA.sub("", svg)
    ids = sorted(set(re.findall(r'\bid="([^"]+)"', svg)), key=len, reverse=True)
    for old in ids:
        new = f"{name}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})").replace(
            f'href="#{old}"', f'href="#{new}"'
        )
    match = _ROOT_TAG.search(svg)
    if match is None:
        raise ValueError(f"chart {name}: no <svg> root element in the rendered output")
    title_id = f"{name}-title"
    root = match.group(0)
    new_root = root[:-1] + f' role="img" aria-labelledby="{title_id}" focusable="false">'
    title_element = f'<title id="{title_id}">{escape(title, quote=False)}</title>'
    return svg[: match.start()] + new_root + title_element + svg[match.end() :]


def chart_svg(spec: ChartSpec) -> str:
    """The finished, accessible SVG of one chart (its text alternative is ``spec.alt``)."""
    return accessible_svg(render_svg(spec.chart), spec.name, spec.alt)


def write_chart(chart: ChartSpec, svg_path: str | Path | None, csv_path: str | Path) -> None:
    """Write a chart's SVG (unless it is a table only) and the table behind it as CSV."""
    if chart.chart is not None:
        if svg_path is None:
            raise ValueError(f"chart {chart.name} needs an SVG path")
        svg_path = Path(svg_path)
        svg_path.parent.mkdir(parents=True, exist_ok=True)
        svg_path.write_text(chart_svg(chart) + "\n", encoding="utf-8")
    write_csv(chart.table, csv_path)


def write_charts(charts: Sequence[ChartSpec], out_dir: str | Path, variant: str) -> Path:
    """Write every chart of one report variant (``resident``, ``technical-internal``, ...; see
    :mod:`pipeline.editions`) to ``out_dir/<variant>/`` with a ``charts.json`` index (name,
    title, alt, caption, notes, file names) in report order."""
    folder = Path(out_dir) / variant
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for chart in charts:
        svg = f"{chart.name}.svg" if chart.chart is not None else None
        write_chart(chart, folder / svg if svg else None, folder / f"{chart.name}.csv")
        missing = [c for c in chart.table.columns if c not in chart.kinds]
        if missing:
            raise ValueError(f"chart {chart.name}: no kind given for columns {missing}")
        index.append(
            {
                "name": chart.name,
                "title": chart.title,
                "alt": chart.alt,
                "caption": chart.caption,
                "notes": list(chart.notes),
                "svg": svg,
                "csv": f"{chart.name}.csv",
                "kinds": {c: chart.kinds[c] for c in chart.table.columns},
            }
        )
    write_json({"variant": variant, "charts": index}, folder / "charts.json")
    return folder


@dataclass(frozen=True)
class RenderedChart:
    """A chart as read back from disk for the report templates."""

    name: str
    title: str
    alt: str
    caption: str
    notes: tuple[str, ...]
    svg: str | None
    table: pd.DataFrame
    kinds: dict[str, str]
    csv_path: Path


def read_charts(chart_dir: str | Path, variant: str) -> list[RenderedChart]:
    """Read the charts :func:`write_charts` wrote for one report variant, in report order."""
    folder = Path(chart_dir) / variant
    index_path = folder / "charts.json"
    if not index_path.exists():
        raise FileNotFoundError(f"{index_path}: no chart index; run the charts step first")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    charts = []
    for item in index["charts"]:
        csv_path = folder / item["csv"]
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        charts.append(
            RenderedChart(
                name=item["name"],
                title=item["title"],
                alt=item["alt"],
                caption=item["caption"],
                notes=tuple(item["notes"]),
                svg=(folder / item["svg"]).read_text(encoding="utf-8").strip()
                if item["svg"]
                else None,
                table=table,
                kinds=dict(item["kinds"]),
                csv_path=csv_path,
            )
        )
    return charts


# --------------------------------------------------------------------------------------------
# The SNA charts
# --------------------------------------------------------------------------------------------

#: Hours per block in the resident time-of-day chart (finer cells would mostly be suppressed).
RESIDENT_BLOCK_HOURS = 4
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
ETHNIC_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")
HOTSPOT_CLASSES: tuple[str, ...] = ("Hot spot", "Not significant", "Cold spot")
AREA_GROUP = "Area"
NEIGHBOURS_GROUP = "Statistical neighbours (pooled)"
NEIGHBOURS_LABEL = "Similar boroughs (pooled)"
SUPPRESSED_TEXT = MARKER = "[c]"


def _isna(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _txt_count(value: Any, hidden: bool = False, decimals: int = 0) -> str:
    """A count for the CSV: '[c]' when hidden, '' when not available, else a plain number."""
    if hidden:
        return MARKER
    if _isna(value):
        return ""
    return f"{float(value):.{decimals}f}"


def _txt_num(value: Any, decimals: int = 1, hidden: bool = False, scale: float = 1.0) -> str:
    if hidden:
        return MARKER
    if _isna(value):
        return ""
    number = float(value) * scale
    if number == float("inf"):
        return "inf"
    return f"{number:.{decimals}f}"


def _fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _window_years(config: Mapping[str, Any]) -> list[str]:
    window = config["window"]
    return [
        _fy_label(y)
        for y in range(window["first_financial_year"], window["last_financial_year"] + 1)
    ]


def _per(config: Mapping[str, Any]) -> int:
    return int(config["statistics"]["rate_per"])


def _fmt(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}"


def _measure(table: pd.DataFrame, name: str, definition_id: str | None = None) -> pd.DataFrame:
    """Rows of measure ``<definition id>_<name>`` (or any definition's ``name``)."""
    ids = table["measure_id"].astype(str)
    if definition_id is not None:
        return table.loc[ids == f"{definition_id}_{name}"]
    return table.loc[(ids == name) | ids.str.endswith("_" + name)]


def not_available(table: pd.DataFrame | None) -> bool:
    """True for a family's "not available" table (``<family>_not_available`` rows only: an
    SNA without a victim extract), which has nothing to draw."""
    if table is None or table.empty:
        return False
    return bool(table["measure_id"].astype(str).str.endswith("_not_available").all())


def _row(table: pd.DataFrame, **where: Any) -> pd.Series | None:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column].astype(str) == str(value)
    rows = table.loc[mask]
    return rows.iloc[0] if len(rows) else None


@dataclass(frozen=True)
class RateLabels:
    """How a per-LSOA rate table words its counts: what is counted ('incidents', or
    'offences' for a public proxy), who the residents are ('residents aged 0-24',
    'residents of all ages') and the period the rows cover."""

    counted: str
    residents: str
    period: str

    @property
    def count_column(self) -> str:
        return self.counted[:1].upper() + self.counted[1:]

    @property
    def residents_column(self) -> str:
        return self.residents[:1].upper() + self.residents[1:]


def rate_labels(rows: pd.DataFrame, config: Mapping[str, Any]) -> RateLabels:
    """Labels from the rows' ``unit`` ('offences per 1,000 residents of all ages') and
    ``period``; without a unit, the serious-violence definition's ages and the edition."""
    units = sorted({str(u) for u in rows.get("unit", pd.Series(dtype=str)).dropna() if str(u)})
    periods = sorted({str(p) for p in rows.get("period", pd.Series(dtype=str)).dropna()})
    period = periods[-1] if len(periods) == 1 else str(config["edition"])
    match = re.fullmatch(r"(\w+) per [\d,]+ (residents.*)", units[0]) if len(units) == 1 else None
    if match:
        return RateLabels(match.group(1), match.group(2), period)
    sv = config["definitions"]["serious_violence_u25"]
    return RateLabels("incidents", f"residents aged {sv['age_from']}-{sv['age_to']}", period)


# ---- trend ---------------------------------------------------------------------------------


def _trend_message(
    tables: Mapping[str, pd.DataFrame], config: Mapping[str, Any], area: Mapping[str, Any]
) -> str:
    """'Knife crime ... fell by about 6% a year from 2020-21 to 2024-25; in 2024-25 it was
    similar to similar boroughs' from the trend and benchmark tables."""
    key = config["definitions"]["key_metric"]
    years = _window_years(config)
    subject = key["short_label"][:1].upper() + key["short_label"][1:]
    parts = []
    trend = tables.get("trend")
    change = (
        _row(trend, measure_id=f"{key['id']}_annual_change", group=AREA_GROUP)
        if trend is not None
        else None
    )
    span = f"from {years[0]} to {years[-1]}"
    if change is not None and not _isna(change.get("value")):
        status = str(change.get("status", ""))
        size = f"{abs(float(change['value'])):.0f}%"
        how = {
            "Increasing": f"rose by about {size} a year",
            "Decreasing": f"fell by about {size} a year",
        }.get(status, "did not clearly rise or fall")
        parts.append(f"{subject} in {area['name']} {how} {span}")
    else:
        parts.append(f"{subject} in {area['name']}, {years[0]} to {years[-1]}")
    latest = _row(
        tables["key_metric"],
        measure_id=f"{key['id']}_rate",
        period=config["edition"],
        group=AREA_GROUP,
    )
    if latest is not None:
        word = {"Higher": "higher than", "Lower": "lower than", "Similar": "similar to"}.get(
            str(latest.get("comparison_95"))
        )
        if word:
            parts.append(f"in {config['edition']} it was {word} similar boroughs")
    return "; ".join(parts)


def trend_chart(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec:
    """Key-metric rate by financial year: the area (with its interval band), the pooled
    statistical neighbours and the region."""
    key = config["definitions"]["key_metric"]
    per = _per(config)
    years = _window_years(config)
    region = config["region"]["name"]
    km = tables["key_metric"]
    rows = km.loc[(km["measure_id"] == f"{key['id']}_rate") & km["period"].isin(years)]
    counted, unit = _trend_counted_and_unit(rows, key, per)
    names = {AREA_GROUP: str(area["name"]), NEIGHBOURS_GROUP: NEIGHBOURS_LABEL, region: region}
    order = [names[g] for g in (AREA_GROUP, NEIGHBOURS_GROUP, region) if g in set(rows["group"])]
    long = []
    table_rows = []
    technical = audience == "technical"
    for year in years:
        record: dict[str, str] = {"Year": year}
        for group in (AREA_GROUP, NEIGHBOURS_GROUP, region):
            row = _row(rows, period=year, group=group)
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
                record[f"{label}: {counted}"] = _txt_count(row["numerator"], hidden)
            record[f"{label}: rate"] = _txt_num(row["value"], 1, hidden)
            if technical or group == AREA_GROUP:
                record[f"{label}: 95% interval"] = (
                    MARKER
                    if hidden
                    else f"{_txt_num(row['lower'], 1)} to {_txt_num(row['upper'], 1)}"
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
        title=_trend_message(tables, config, area),
        alt=alt_text,
        chart=chart,
        table=table,
        kinds=kinds,
        caption=(f"{key['label']}. " if is_proxy(key) else "")
        + f"Rates are {counted} {unit}. The shaded band is the 95% confidence interval of the "
        f"{area['name']} rate.",
        notes=(
            f"Similar boroughs: {config['neighbours_source']}, pooled (their {counted} added "
            "up and divided by their residents of the same age).",
        ),
    )


def _trend_counted_and_unit(
    rows: pd.DataFrame, key: Mapping[str, Any], per: int
) -> tuple[str, str]:
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
        raise ValueError(f"key_metric: the {key['id']}_rate rows give several units: {units}")
    unit = units[0] if units else f"per {per:,} residents aged {key['age_from']} to {key['age_to']}"
    return counted, unit


def _trend_alt(
    data: pd.DataFrame,
    order: Sequence[str],
    years: Sequence[str],
    y_title: str,
    key: Mapping[str, Any],
) -> str:
    parts = [f"Line chart of {key['short_label']}: {y_title.lower()}, {years[0]} to {years[-1]}."]
    for series in order:
        rows = data.loc[data["series"] == series]
        values = [
            f"{r.year} {_fmt(r.value) if not _isna(r.value) else 'hidden'}"
            for r in rows.itertuples()
        ]
        parts.append(f"{series}: " + ", ".join(values) + ".")
    return " ".join(parts)


# ---- who -----------------------------------------------------------------------------------


def who_chart(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec | None:
    """Victims' share against residents' share by ethnic group, for each age group."""
    table = tables.get("disproportionality")
    if table is None or table.empty or not_available(table):
        return None
    kid = config["definitions"]["key_metric"]["id"]
    technical = audience == "technical"
    age_groups = [g["label"] for g in config["definitions"]["age_groups"]]
    long, out = [], []
    for age in age_groups:
        for ethnicity in ETHNIC_GROUPS:
            for sex in ("All", "Male", "Female") if technical else ("All",):
                share = _row(
                    table,
                    measure_id=f"{kid}_victim_share",
                    ethnicity=ethnicity,
                    sex=sex,
                    age_group=age,
                )
                pop = _row(
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
                record = {"Age group": age, "Ethnic group": ethnicity}
                if technical:
                    record["Sex"] = sex
                record["Victims"] = _txt_count(
                    share["numerator"], bool(share["numerator_suppressed"])
                )
                record["Share of victims (%)"] = _txt_num(share["value"], 1, hidden, 100)
                if technical:
                    record["Share of victims: lower 95% limit (%)"] = _txt_num(
                        share["lower"], 1, hidden, 100
                    )
                    record["Share of victims: upper 95% limit (%)"] = _txt_num(
                        share["upper"], 1, hidden, 100
                    )
                record["Share of residents (%)"] = _txt_num(pop["value"], 1, False, 100)
                if technical:
                    for suffix, label in (
                        ("share_ratio", "Share ratio"),
                        ("rate_ratio", "Rate ratio against everyone else"),
                    ):
                        ratio = _row(
                            table,
                            measure_id=f"{kid}_{suffix}",
                            ethnicity=ethnicity,
                            sex=sex,
                            age_group=age,
                        )
                        r_hidden = (
                            ratio is None
                            or bool(ratio["numerator_suppressed"])
                            or bool(ratio["denominator_suppressed"])
                        )
                        record[label] = _txt_num(
                            None if ratio is None else ratio["value"],
                            2,
                            r_hidden and ratio is not None,
                        )
                        record[f"{label}: 95% interval"] = (
                            MARKER
                            if (r_hidden and ratio is not None)
                            else ""
                            if ratio is None
                            else f"{_txt_num(ratio['lower'], 2)} to {_txt_num(ratio['upper'], 2)}"
                        )
                out.append(record)
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
                            "value": None if hidden or none else float(share["value"]) * 100,
                            "lower": None if hidden or none else float(share["lower"]) * 100,
                            "upper": None if hidden or none else float(share["upper"]) * 100,
                            "note": WHO_HIDDEN if hidden else WHO_NONE if none else "",
                        }
                    )
        known = _row(
            table,
            measure_id=f"{kid}_victim_share",
            ethnicity=ETHNIC_GROUPS[0],
            sex="All",
            age_group=age,
        )
        if known is not None:
            record = {"Age group": age, "Ethnic group": "All (ethnicity and sex recorded)"}
            if technical:
                record["Sex"] = "All"
            record["Victims"] = _txt_count(
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
    if (data["note"] == WHO_NONE).any():
        notes.append(
            "No share of victims is given for an age group with no victims of recorded "
            "ethnicity and sex (0 of 0)."
        )
    return ChartSpec(
        name="who",
        title=_who_message(data, config),
        alt=_who_alt(data, age_groups, config),
        chart=chart,
        table=frame,
        kinds=kinds,
        caption="Bars show each group's share of residents of the same age; dots show its "
        "share of victims, with a line for the 95% confidence interval.",
        notes=tuple(notes),
    )


#: Why a victims' share is not drawn: hidden (small number) or none (no victims, 0 of 0).
WHO_HIDDEN = "victims: [c] hidden to protect privacy"
WHO_NONE = "no victims recorded"


def _no_victims(share: Mapping[str, Any]) -> bool:
    """True for a victim-share row of 0 of 0 (no victims of known ethnicity and sex)."""
    denominator = share.get("denominator")
    return not _isna(denominator) and float(denominator) == 0


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


def _who_message(data: pd.DataFrame, config: Mapping[str, Any]) -> str:
    """Name the group whose share of victims is furthest above its share of residents (only
    when the whole interval is above it)."""
    victims = data.loc[(data["measure"] == "Share of victims") & data["value"].notna()]
    shares = data.loc[data["measure"] == "Share of victims"]
    if len(shares) and (shares["note"] == WHO_NONE).all():
        key = config["definitions"]["key_metric"]
        return (
            f"No victims of {key['short_label']} with a recorded ethnic group and sex in "
            f"{config['edition']}"
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


def _who_alt(data: pd.DataFrame, age_groups: Sequence[str], config: Mapping[str, Any]) -> str:
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
            v = victim["value"]
            victims = "hidden" if _isna(v) else f"{v:.0f}%"
            items.append(f"{ethnicity} {victims} of victims and {p:.0f}% of residents")
        parts.append(f"{age}: " + "; ".join(items) + ".")
    return " ".join(parts)


# ---- when ----------------------------------------------------------------------------------


def when_chart(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
    blocks: pd.DataFrame | None = None,
) -> ChartSpec | None:
    """Weekday by time-of-day heat map of serious violence against under-25s (aoristic
    counts): hours for the technical report, blocks of hours (disclosure-controlled) for
    residents. Each cell also shows its number, so the colour is never the only cue."""
    timing = tables.get("timing")
    if timing is None or not_available(timing):
        return None
    grid = _measure(timing, "hour_weekday").copy()
    if grid.empty:
        return None
    sv = config["definitions"]["serious_violence_u25"]
    technical = audience == "technical"
    if technical:
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
            raise ValueError("resident time-of-day chart needs the protected hour blocks")
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
    table = table.reset_index().rename(columns={"slot": "Time of day" if not technical else "Hour"})
    kinds = {c: ("text" if c in ("Time of day", "Hour") else "count") for c in table.columns}
    width = 680 if technical else 520
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
    text = base.mark_text(fontSize=9 if technical else 12).encode(
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
        f"{r.weekday} {r.slot}{':00' if technical else ''} ({r.label})"
        for r in busiest.itertuples()
    ) or ("none shown" if cells["hidden"].any() else "none (no incidents)")
    message = _when_message(cells, technical)
    alt_text = (
        f"Heat map of {sv['short_label']} in {config['edition']} by day of the week and "
        f"{'hour' if technical else 'time of day'}; darker cells had more incidents, and each "
        "cell is "
        f"labelled with its number. Busiest: {peak}."
    )
    hidden_note = (
        "[c]: a number from 1 to the disclosure threshold, hidden to protect privacy."
        if cells["hidden"].any()
        else ""
    )
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


def _when_message(cells: pd.DataFrame, technical: bool) -> str:
    shown = cells.loc[cells["shown"].notna()]
    if not cells["hidden"].any() and not (cells["value"] > 0).any():
        return "No incidents were recorded"
    # Only zeros shown (every incident in a hidden cell): no busiest time can be named.
    if shown.empty or not (shown["shown"] > 0).any():
        return "Numbers by time of day are too small to show"
    by_slot = shown.groupby("slot")["shown"].sum()
    weekend = shown.loc[shown["weekday"].isin(["Saturday", "Sunday"]), "shown"].sum() / 2
    weekday = shown.loc[~shown["weekday"].isin(["Saturday", "Sunday"]), "shown"].sum() / 5
    top = by_slot.loc[by_slot == by_slot.max()]
    if len(top) > 1:
        # A tie (as with a handful of incidents) has no "busiest" time to name.
        first = f"No single {'hour' if technical else 'time of day'} had the most incidents"
    else:
        busiest = str(top.index[0])
        when = (
            f"{busiest}:00 and {int(busiest) + 1:02d}:00"
            if technical
            else busiest.replace("-", " and ")
        )
        first = f"Most incidents happened between {when}"
    if abs(weekday - weekend) < 1e-9:
        return f"{first}, and as many a day on weekdays as on weekend days"
    days = "weekdays" if weekday > weekend else "weekend days"
    other = "weekend days" if days == "weekdays" else "weekdays"
    return f"{first}, and more on {days} than on {other}"


# ---- deprivation ---------------------------------------------------------------------------


def _edition_rows(rows: pd.DataFrame, config: Mapping[str, Any]) -> pd.DataFrame:
    """The rows of the edition year; when the table has another single period only (public
    LSOA counts come by calendar year), that period's rows."""
    periods = set(rows["period"].astype(str))
    if str(config["edition"]) in periods or len(periods) != 1:
        return rows.loc[rows["period"].astype(str) == str(config["edition"])].copy()
    return rows.copy()


def deprivation_chart(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec | None:
    """Rate by national IMD decile of the LSOA, with 95% intervals."""
    dep = tables.get("deprivation")
    if dep is None:
        return None
    rows = _edition_rows(_measure(dep, "imd_decile_rate"), config)
    if rows.empty:
        return None
    rows["decile"] = pd.to_numeric(rows["imd_decile"]).astype(int)
    rows = rows.sort_values("decile")
    technical = audience == "technical"
    words = rate_labels(rows, config)
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
        record = {
            "IMD decile": label,
            "Neighbourhoods (LSOAs)": _txt_count(r.get("lsoas")),
            words.count_column: _txt_count(r["numerator"], hidden),
            words.residents_column: _txt_count(r["denominator"]),
            "Rate per 1,000": _txt_num(r["value"], 1, hidden),
        }
        if technical:
            record["Lower 95% limit"] = _txt_num(r["lower"], 1, hidden)
            record["Upper 95% limit"] = _txt_num(r["upper"], 1, hidden)
        out.append(record)
        long.append(
            {
                "decile": str(r["decile"]),
                "value": None if hidden or _isna(r["value"]) else float(r["value"]),
                "lower": None if hidden else r["lower"],
                "upper": None if hidden else r["upper"],
                "note": MARKER if hidden else ("none" if int(r.get("lsoas") or 0) == 0 else ""),
            }
        )
    table = pd.DataFrame(out)
    kinds = {
        "IMD decile": "text",
        "Neighbourhoods (LSOAs)": "number",
        words.count_column: "count",
        words.residents_column: "population",
        "Rate per 1,000": "rate",
        "Lower 95% limit": "rate",
        "Upper 95% limit": "rate",
    }
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
    sv = config["definitions"]["serious_violence_u25"]

    def described(r: Mapping[str, Any]) -> str:
        if r["note"] == MARKER:
            return "hidden"
        if r["note"] == "none":
            return "no neighbourhoods"
        return "not available" if _isna(r["value"]) else _fmt(r["value"])

    values = "; ".join(f"decile {r['decile']}: {described(r)}" for r in long)
    notes_text = [
        "Deciles rank every neighbourhood (LSOA) in England by the Index of Multiple "
        f"Deprivation ({rows['iod_edition'].iloc[0] if 'iod_edition' in rows else 'IoD'})."
    ]
    if table[words.count_column].eq(MARKER).any():
        notes_text.append(
            "[c]: a number from 1 to the disclosure threshold, hidden to protect privacy."
        )
    return ChartSpec(
        name="deprivation",
        title=_deprivation_message(dep),
        alt=f"Bar chart of {sv['short_label']} per 1,000 {words.residents} in "
        f"{words.period}, "
        f"by national deprivation decile, with 95% confidence intervals. {values}.",
        chart=chart,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption="Lines show the 95% confidence interval of each rate.",
        notes=tuple(notes_text),
    )


def _deprivation_message(dep: pd.DataFrame) -> str:
    rows = _measure(dep, "decile_rate_ratio")
    row = rows.iloc[0] if len(rows) else None
    if row is None or _isna(row.get("lower")) or bool(row.get("numerator_suppressed", False)):
        return "Rates by how deprived the neighbourhood is"
    towards_more = "more deprived" in str(row.get("group", ""))
    rising, falling = float(row["lower"]) > 1, float(row["upper"]) < 1
    if (rising and towards_more) or (falling and not towards_more):
        return "Rates were higher in more deprived neighbourhoods"
    if rising or falling:
        return "Rates were higher in less deprived neighbourhoods"
    return "There was no clear link between rates and how deprived the neighbourhood is"


# ---- where ---------------------------------------------------------------------------------


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


def _hotspot_rows(tables: Mapping[str, pd.DataFrame], config: Mapping[str, Any]) -> pd.DataFrame:
    hot = tables["hotspots"]
    sv_id = str(config["definitions"]["serious_violence_u25"]["id"])
    gi = _measure(hot, "gi_star", sv_id)
    lsoa = _measure(hot, "lsoa_rate", sv_id)
    names = lsoa.set_index("group")[["lsoa_name", "ward_name"]] if "lsoa_name" in lsoa else None
    gi = gi.loc[gi["group"] != "all LSOAs"].copy()
    if names is not None:
        gi = gi.drop(columns=[c for c in names.columns if c in gi.columns]).join(names, on="group")
    return gi


def where_map(
    tables: Mapping[str, pd.DataFrame],
    boundaries: Any,
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec | None:
    """LSOA map of Getis-Ord Gi* hot and cold spots (boundaries supplied and Gi* computed).

    The map shows classes only, never counts; hot and cold spots carry a triangle marker as
    well as a colour."""
    if boundaries is None or "hotspots" not in tables:
        return None
    gi = _hotspot_rows(tables, config)
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
    marked = points.loc[points["hotspot_class"].isin(["Hot spot", "Cold spot"])]
    domain = list(HOTSPOT_CLASSES)
    polygons = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                "properties.hotspot_class:N",
                title="Neighbourhood",
                scale=alt.Scale(domain=domain, range=[CATEGORICAL[2], "#DEDEDE", CATEGORICAL[0]]),
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
                    scale=alt.Scale(
                        domain=["Hot spot", "Cold spot"], range=["triangle-up", "triangle-down"]
                    ),
                    legend=alt.Legend(orient="bottom", direction="horizontal"),
                ),
                color=alt.value("white" if False else TEXT_COLOUR),
            )
        )
    chart = (
        alt.layer(*layers).project(type="identity", reflectY=True).properties(width=460, height=520)
    )
    hot = gi.loc[gi["hotspot_class"] == "Hot spot"]
    cold = gi.loc[gi["hotspot_class"] == "Cold spot"]
    sv = config["definitions"]["serious_violence_u25"]

    def label(r: Mapping[str, Any]) -> str:
        if "lsoa_name" in r and not _isna(r.get("lsoa_name")):
            return f"{r['lsoa_name']} ({r['ward_name']})"
        return str(r["group"])

    hot_names = [label(r) for r in hot.sort_values("group").to_dict("records")]
    cold_names = [label(r) for r in cold.sort_values("group").to_dict("records")]
    if hot_names:
        title = (
            f"{len(hot_names)} neighbourhood{'s' if len(hot_names) != 1 else ''} stood out as "
            f"{'hot spots' if len(hot_names) != 1 else 'a hot spot'} of {sv['short_label']}"
        )
    else:
        title = f"No neighbourhood stood out as a hot spot of {sv['short_label']}"
    alt_text = (
        f"Map of the {len(classes)} neighbourhoods (LSOAs) of {area['name']} coloured by "
        f"hot-spot analysis of {sv['short_label']} in {rate_labels(gi, config).period}. "
        + (
            f"Hot spots (dark pink, upward triangle): {', '.join(hot_names)}. "
            if hot_names
            else "No hot spots. "
        )
        + (
            f"Cold spots (dark blue, downward triangle): {', '.join(cold_names)}."
            if cold_names
            else "No cold spots."
        )
    )
    # The table lists the hot and cold spots (the full LSOA list, with Gi* for each, is the
    # technical report's ranked table).
    rows = (
        gi.loc[gi["hotspot_class"].isin(["Hot spot", "Cold spot"])]
        .sort_values(["hotspot_class", "group"], ascending=[False, True])
        .to_dict("records")
    )
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
                "Result": "No hot or cold spots",
            }
        )
    table = pd.DataFrame(out)
    kinds = {"Neighbourhood (LSOA)": "text", "LSOA code": "text", "Ward": "text", "Result": "text"}
    return ChartSpec(
        name="where-map",
        title=title,
        alt=alt_text,
        chart=chart,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption="A hot spot is a neighbourhood that, with its neighbours, had a higher rate than "
        "chance would explain (Getis-Ord Gi*, after allowing for testing every neighbourhood).",
        notes=("Contains boundary data for each neighbourhood (LSOA).",),
    )


def wards_table(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec | None:
    """Wards ranked by rate, with the located total (a table, not a chart)."""
    hot = tables.get("hotspots")
    if hot is None:
        return None
    sv_id = str(config["definitions"]["serious_violence_u25"]["id"])
    wards = _measure(hot, "ward_rate", sv_id).copy()
    if wards.empty:
        return None
    technical = audience == "technical"
    words = rate_labels(wards, config)
    wards["_rate"] = pd.to_numeric(wards["value"], errors="coerce")
    wards = wards.sort_values(["_rate", "group"], ascending=[False, True], na_position="last")
    out = []
    for r in wards.to_dict("records"):
        hidden = bool(r["numerator_suppressed"])
        record = {
            "Ward": str(r.get("ward_name") or r["group"]),
            words.count_column: _txt_count(r["numerator"], hidden),
            words.residents_column: _txt_count(r["denominator"]),
            "Rate per 1,000": _txt_num(r["value"], 1, hidden),
        }
        if technical:
            record["Lower 95% limit"] = _txt_num(r["lower"], 1, hidden)
            record["Upper 95% limit"] = _txt_num(r["upper"], 1, hidden)
        out.append(record)
    used = _measure(hot, "row_reconciliation", sv_id)
    used = used.loc[used["group"].astype(str).str.startswith("used:")]
    if len(used):
        u = used.iloc[0]
        total = {
            "Ward": f"All wards ({area['name']})",
            words.count_column: _txt_count(u["numerator"], bool(u["numerator_suppressed"])),
            words.residents_column: _txt_count(pd.to_numeric(wards["denominator"]).sum()),
            "Rate per 1,000": "",
        }
        if not bool(u["numerator_suppressed"]):
            total["Rate per 1,000"] = _txt_num(
                float(u["numerator"]) / float(pd.to_numeric(wards["denominator"]).sum()) * 1000, 1
            )
        if technical:
            total["Lower 95% limit"] = ""
            total["Upper 95% limit"] = ""
        out.append(total)
    table = pd.DataFrame(out)
    kinds = {
        "Ward": "text",
        words.count_column: "count",
        words.residents_column: "population",
        "Rate per 1,000": "rate",
        "Lower 95% limit": "rate",
        "Upper 95% limit": "rate",
    }
    top = [r for r in out[:-1] if r["Rate per 1,000"] not in ("", MARKER)][:3]
    sv = config["definitions"]["serious_violence_u25"]
    title = (
        f"Wards with the highest rates: {', '.join(r['Ward'] for r in top)}"
        if top
        else "Rates by ward"
    )
    notes = [f"{words.count_column} with an unknown location are not included."]
    if (table[words.count_column] == MARKER).any():
        notes.append(
            "[c]: hidden to protect privacy (a number from 1 to the disclosure threshold, "
            "or a number that would let one be worked out)."
        )
    return ChartSpec(
        name="wards",
        title=title,
        alt=f"Table of {sv['short_label']} by ward in {words.period}, highest rate first.",
        chart=None,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption=f"{sv['label']}, {words.period}: {words.counted} and rate per 1,000 "
        f"{words.residents}, by ward.",
        notes=tuple(notes),
    )


def lsoa_table(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str,
) -> ChartSpec | None:
    """Every LSOA ranked by rate (the technical report's full list; it replaces the map
    when no boundaries are supplied)."""
    hot = tables.get("hotspots")
    if hot is None:
        return None
    sv_id = str(config["definitions"]["serious_violence_u25"]["id"])
    rows = _measure(hot, "lsoa_rate", sv_id).copy()
    if rows.empty:
        return None
    rows["_rate"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.sort_values(["_rate", "group"], ascending=[False, True], na_position="last")
    technical = audience == "technical"
    words = rate_labels(rows, config)
    gi_rows = _measure(hot, "gi_star", sv_id)
    gi = {str(g["group"]): g for g in gi_rows.to_dict("records")}
    out = []
    for rank, r in enumerate(rows.to_dict("records"), start=1):
        hidden = bool(r["numerator_suppressed"])
        record = {
            "Rank": str(rank),
            "Neighbourhood (LSOA)": str(r.get("lsoa_name") or r["group"]),
            "LSOA code": str(r["group"]),
            "Ward": str(r.get("ward_name") or ""),
            words.count_column: _txt_count(r["numerator"], hidden),
            words.residents_column: _txt_count(r["denominator"]),
            "Rate per 1,000": _txt_num(r["value"], 1, hidden),
        }
        if technical:
            record["95% interval"] = (
                MARKER if hidden else f"{_txt_num(r['lower'], 1)} to {_txt_num(r['upper'], 1)}"
            )
            g = gi.get(str(r["group"]))
            record["Gi* z"] = _txt_num(None if g is None else g.get("value"), 2)
            record["q-value"] = _txt_num(None if g is None else g.get("q_value"), 3)
            record["Hot spot result"] = "" if g is None else str(g.get("hotspot_class", ""))
        out.append(record)
    table = pd.DataFrame(out)
    kinds = {
        "Rank": "number",
        "Neighbourhood (LSOA)": "text",
        "LSOA code": "text",
        "Ward": "text",
        words.count_column: "count",
        words.residents_column: "population",
        "Rate per 1,000": "rate",
        "95% interval": "interval",
        "Gi* z": "number",
        "q-value": "number",
        "Hot spot result": "text",
    }
    first = out[0]
    return ChartSpec(
        name="lsoas",
        title=f"Neighbourhoods ranked by rate: highest {first['Neighbourhood (LSOA)']}",
        alt="Table of every neighbourhood (LSOA) ranked by rate.",
        chart=None,
        table=table,
        kinds={c: kinds[c] for c in table.columns},
        caption=f"Every neighbourhood (LSOA), {words.period}, ranked by {words.counted} per "
        f"1,000 {words.residents}.",
        notes=(
            "Rates on a few hundred residents are unstable: the ranking is a guide, not a "
            "league table.",
        ),
    )


# ---- all charts ----------------------------------------------------------------------------


def build_charts(
    tables: Mapping[str, pd.DataFrame],
    boundaries: Any,
    config: Mapping[str, Any],
    area: Mapping[str, Any],
    audience: str = "resident",
    circulation: str | None = None,
) -> list[ChartSpec]:
    """Every chart (and chart-like table) of one report, in report order.

    ``audience`` is the report ("resident" or "technical": which charts, with which detail);
    ``circulation`` ("public" or "internal"; default: the resident report is public, the
    technical report internal) decides the disclosure threshold. ``tables`` are the raw
    measure tables by family; they are disclosure-controlled here for that report
    (:func:`protect_for_report`), so a public chart never draws or lists a suppressed number.
    ``boundaries`` (GeoDataFrame, EPSG:27700, or None) gives the hot-spot map; without it the
    ranked tables stand in for the map.
    """
    protected = protect_for_report(tables, config, audience, circulation)
    t = protected.tables
    charts: list[ChartSpec | None] = [
        trend_chart(t, config, area, audience),
        who_chart(t, config, area, audience),
        where_map(t, boundaries, config, area, audience),
        wards_table(t, config, area, audience),
    ]
    if audience == "technical" or boundaries is None:
        charts.append(lsoa_table(t, config, area, audience) if audience == "technical" else None)
    charts += [
        when_chart(t, config, area, audience, protected.blocks),
        deprivation_chart(t, config, area, audience),
    ]
    return [c for c in charts if c is not None]


def protect_for_report(
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    report: str,
    circulation: str | None = None,
) -> Any:
    """Disclosure control of one report at one circulation over every measure table, keeping
    published the key-metric counts that the findings quote (same call in the charts and the
    report, so both make the same decisions)."""
    from pipeline.disclosure import DisclosurePolicy
    from pipeline.disclosure.tables import protect_measure_tables
    from pipeline.editions import variant_for

    variant = variant_for(report, circulation)
    policy = DisclosurePolicy.for_report(config, variant.report, variant.circulation)
    edition = str(config["edition"])
    keep = [
        ("key_metric", f"{config['definitions'][k]['id']}_rate", edition, AREA_GROUP)
        for k in ("key_metric", "under_18_metric")
    ]
    # The "black boys under 18" headline finding quotes this cell's share.
    under_18 = next(
        (
            g["label"]
            for g in config["definitions"]["age_groups"]
            if g["age_to"] == config["definitions"]["under_18_metric"]["age_to"]
        ),
        None,
    )
    if under_18:
        keep.append(
            (
                "disproportionality",
                f"{config['definitions']['key_metric']['id']}_victim_share",
                edition,
                f"Black Male {under_18}",
            )
        )
    return protect_measure_tables(
        tables,
        policy,
        keep=keep,
        # The technical report shows the hour-by-hour grid (protected cell by cell at a public
        # threshold); the resident report blocks of hours.
        hours_per_block=None if report == "technical" else RESIDENT_BLOCK_HOURS,
    )
