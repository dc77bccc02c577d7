"""Charts: Analysis Function theme, offline deterministic SVG with a text alternative, and the
tables behind the demo charts checked against the measure tables."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from pipeline import charts
from pipeline.charts import (
    CATEGORICAL,
    FOCUS,
    SEQUENTIAL,
    THEME_NAME,
    VL_VERSION,
    ChartSpec,
    accessible_svg,
    chart_svg,
    read_charts,
    vegalite_spec,
    write_charts,
)
from pipeline.render.preview import cached_preview

SVG = "{http://www.w3.org/2000/svg}"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance, written out from the definition."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def small_chart(name: str = "demo") -> ChartSpec:
    frame = pd.DataFrame({"year": ["2023-24", "2024-25"], "rate": [12.5, 14.0]})
    chart = alt.Chart(frame).mark_line(point=True).encode(x="year:N", y="rate:Q")
    return ChartSpec(
        name=name,
        title="Rate rose",
        alt="Line chart: 12.5 in 2023-24, 14.0 in 2024-25.",
        chart=chart,
        table=frame.astype(str),
        kinds={"year": "text", "rate": "rate"},
    )


# --------------------------------------------------------------------------------------------
# Theme
# --------------------------------------------------------------------------------------------


def test_theme_carries_the_analysis_function_palettes():
    assert CATEGORICAL == ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
    assert SEQUENTIAL == ("#092135", "#12436D", "#2073BC", "#6BACE6", "#ADD1F1")
    assert FOCUS == ("#12436D", "#BFBFBF")
    assert THEME_NAME in alt.theme.names()
    config = vegalite_spec(small_chart().chart)["config"]
    assert config["range"]["category"] == list(CATEGORICAL)
    assert config["font"] == "sans-serif"
    assert config["axis"]["labelAngle"] == 0  # horizontal labels
    assert config["axisY"]["grid"] is True and config["axisX"]["grid"] is False
    # Light-grey gridlines: much lighter than the text, but visible on white.
    assert 1.2 < contrast(config["axis"]["gridColor"], "#FFFFFF") < 2
    # Using the theme does not leave it switched on for other code.
    assert alt.theme.active != THEME_NAME


def test_main_palette_colours_meet_the_graphical_contrast_minimum():
    # WCAG 2.2 SC 1.4.11: graphical objects need 3:1 against the white background. The
    # first four AF categorical colours, the highlight colour and the darker sequential
    # shades are used for data marks.
    for colour in (*CATEGORICAL[:4], FOCUS[0], *SEQUENTIAL[:3]):
        assert contrast(colour, "#FFFFFF") >= 3.0, colour
    # Dark blue on white is far above the text minimum of 4.5:1 (it is also used for text).
    assert contrast("#12436D", "#FFFFFF") > 10


# --------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------


def test_svg_is_offline_pinned_and_deterministic():
    assert VL_VERSION in vlc.get_vegalite_versions()
    spec = small_chart()
    first, second = chart_svg(spec), chart_svg(spec)
    assert first == second
    assert "http://" not in first.replace("http://www.w3.org/2000/svg", "").replace(
        "http://www.w3.org/1999/xlink", ""
    )


def test_svg_gets_a_title_role_and_unique_ids():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        '<clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)" '
        'role="graphics-object" aria-roledescription="group"><text>x</text></g></svg>'
    )
    out = accessible_svg(raw, "trend", "Rate <rose> & fell")
    root = ET.fromstring(out)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "trend-title"
    first = list(root)[0]
    assert first.tag == f"{SVG}title" and first.attrib["id"] == "trend-title"
    assert first.text == "Rate <rose> & fell"  # escaped in the markup, intact once parsed
    assert 'id="trend-clip1"' in out and "url(#trend-clip1)" in out and 'id="clip1"' not in out
    assert "graphics-object" not in out and "aria-roledescription" not in out
    with pytest.raises(ValueError, match="lower-case"):
        accessible_svg(raw, "Bad Name", "t")


def test_two_inlined_charts_share_no_id():
    one = chart_svg(small_chart("one"))
    two = chart_svg(small_chart("two"))
    ids_one = set(re.findall(r'\bid="([^"]+)"', one))
    ids_two = set(re.findall(r'\bid="([^"]+)"', two))
    assert ids_one and ids_two and not ids_one & ids_two


def test_write_and_read_charts_round_trip(tmp_path):
    spec = small_chart()
    folder = write_charts([spec], tmp_path, "resident")
    index = json.loads((folder / "charts.json").read_text())
    assert index["charts"][0]["kinds"] == {"year": "text", "rate": "rate"}
    back = read_charts(tmp_path, "resident")[0]
    assert back.title == "Rate rose" and back.svg.startswith("<svg")
    assert back.table["rate"].tolist() == ["12.5", "14.0"]
    with pytest.raises(ValueError, match="no kind"):
        write_charts(
            [ChartSpec("x", "t", "a", None, pd.DataFrame({"a": ["1"]}), {})], tmp_path, "technical"
        )


# --------------------------------------------------------------------------------------------
# The demo charts
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def preview():
    return cached_preview()


@pytest.fixture(scope="module")
def resident(preview):
    return {c.name: c for c in read_charts(preview.charts, "resident")}


@pytest.fixture(scope="module")
def technical(preview):
    return {c.name: c for c in read_charts(preview.charts, "technical")}


def test_every_chart_has_message_alt_table_and_svg_title(resident, technical):
    assert {"trend", "who", "where-map", "wards", "when", "deprivation"} <= set(resident)
    assert "lsoas" in technical
    for chart in [*resident.values(), *technical.values()]:
        assert chart.title and chart.alt and len(chart.table)
        if chart.svg is not None:
            root = ET.fromstring(chart.svg)
            assert list(root)[0].tag == f"{SVG}title"
            assert list(root)[0].text == chart.alt


def test_trend_table_matches_rates_worked_from_counts(preview, resident):
    km = preview.table("key_metric")
    area = preview.area["name"]
    row = km.loc[
        (km["measure_id"] == "kcwi_1_24_rate")
        & (km["period"] == "2024-25")
        & (km["group"] == "Area")
    ].iloc[0]
    # Independent: victims / residents aged 1-24 x 100,000.
    expected = row["numerator"] / row["denominator"] * 100_000
    table = resident["trend"].table.set_index("Year")
    assert float(table.loc["2024-25", f"{area}: rate"]) == pytest.approx(expected, abs=0.05)
    assert table.loc["2024-25", f"{area}: victims"] == str(int(row["numerator"]))
    assert f"2024-25 {expected:,.1f}" in resident["trend"].alt


def test_resident_time_blocks_add_up_the_hours(preview, resident):
    timing = preview.table("timing")
    hours = timing.loc[timing["measure_id"].str.endswith("hour_weekday")]
    friday_evening = hours.loc[
        (hours["weekday"] == "Friday") & hours["hour"].between(20, 23), "numerator"
    ].sum()
    table = resident["when"].table.set_index("Time of day")
    shown = table.loc["20:00-24:00", "Friday"]
    assert shown == "[c]" or float(shown) == pytest.approx(round(friday_evening), abs=0.5)


def test_who_shares_are_victims_over_known_victims(preview, technical):
    disp = preview.table("disproportionality")
    row = disp.loc[
        (disp["measure_id"] == "kcwi_1_24_victim_share")
        & (disp["ethnicity"] == "Black")
        & (disp["sex"] == "All")
        & (disp["age_group"] == "Under 18")
    ].iloc[0]
    table = technical["who"].table
    shown = table.loc[
        (table["Ethnic group"] == "Black")
        & (table["Sex"] == "All")
        & (table["Age group"] == "Under 18")
    ].iloc[0]
    assert float(shown["Share of victims (%)"]) == pytest.approx(
        row["numerator"] / row["denominator"] * 100, abs=0.05
    )


def test_resident_chart_tables_never_show_a_small_count(resident, preview):
    threshold = preview.config["disclosure"]["resident_threshold"]
    for chart in resident.values():
        for column, kind in chart.kinds.items():
            if kind != "count":
                continue
            for value in chart.table[column]:
                if value in ("[c]", ""):
                    continue
                assert not 0 < float(value) <= threshold, (chart.name, column, value)


def test_a_map_needs_boundaries(preview):
    from pipeline.render.preview import load_measures

    tables, _ = load_measures(preview.measures)
    built = charts.build_charts(tables, None, preview.config, preview.area, "resident")
    names = [c.name for c in built]
    assert "where-map" not in names and "wards" in names
