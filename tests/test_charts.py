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

from pipeline.charts.build import build_charts
from pipeline.charts.cells import not_available
from pipeline.charts.spec import ChartSpec
from pipeline.charts.store import read_charts, write_charts
from pipeline.charts.style import RESIDENT_STYLE, TECHNICAL_STYLE, style_for
from pipeline.charts.svg import VL_VERSION, accessible_svg, chart_svg, vegalite_spec
from pipeline.charts.theme import CATEGORICAL, FOCUS, SEQUENTIAL, THEME_NAME
from pipeline.families.deprivation.charts import deprivation_chart
from pipeline.families.disproportionality.charts import who_chart
from pipeline.families.timing.charts import when_chart
from pipeline.families.timing.measures import WEEKDAYS
from pipeline.families.trend.charts import trend_chart
from pipeline.render.preview import cached_preview
from pipeline.settings import Area, Settings

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
    return {c.name: c for c in read_charts(preview.charts, "technical-internal")}


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
    area = preview.area.name
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


def test_trend_message_carries_the_pandemic_caveat_and_the_neighbours_with_data(preview, resident):
    chart = resident["trend"]
    # Residents read growth "from 2020-21" in the chart's message: the caveat goes with it.
    assert "from 2020-21 (the first year of the COVID-19 pandemic) to 2024-25" in chart.title
    km = preview.table("key_metric")
    row = km.loc[
        (km["measure_id"] == "kcwi_1_24_rate")
        & (km["period"] == "2024-25")
        & (km["group"] == "Area")
    ].iloc[0]
    have, listed = int(row["neighbours_with_data"]), int(row["neighbours_listed"])
    assert f"{have} of the {listed} similar boroughs have figures for 2024-25" in chart.notes[0]


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
    built = build_charts(tables, None, Settings.of(preview.config), preview.area, "resident")
    names = [c.name for c in built]
    assert "where-map" not in names and "wards" in names


# --------------------------------------------------------------------------------------------
# Edge cases on tiny hand-made tables: public data (proxies, "not available") and small areas
# --------------------------------------------------------------------------------------------

AREA = Area(code="E09000031", slug="waltham-forest", name="Waltham Forest")


@pytest.fixture(scope="module")
def public_config() -> dict:
    import yaml

    from pipeline.render.preview import REPO

    return yaml.safe_load((REPO / "config" / "public.yaml").read_text(encoding="utf-8"))


def unsuppressed(table: pd.DataFrame) -> pd.DataFrame:
    """A measure table as the charts get it after disclosure control that hid nothing."""
    return table.assign(numerator_suppressed=False, denominator_suppressed=False)


def test_who_and_when_charts_skip_a_not_available_table(public_config):
    from pipeline.families.common import not_available_rows

    tables = {
        family: unsuppressed(
            not_available_rows(
                family,
                {"something": "record-level victim data"},
                definition=Settings.of(public_config).definitions.key_metric,
                settings=Settings.of(public_config),
                area_code=AREA.code,
            )
        )
        for family in ("disproportionality", "timing")
    }
    empty_blocks = pd.DataFrame(columns=["weekday", "block", "value", "hidden"])
    for audience in ("resident", "technical"):
        assert who_chart(tables, Settings.of(public_config), AREA, style_for(audience)) is None
        assert (
            when_chart(tables, Settings.of(public_config), AREA, style_for(audience), empty_blocks)
            is None
        )
    assert not_available(tables["timing"])
    assert not not_available(pd.DataFrame({"measure_id": ["sv_0_24_hour_weekday"]}))


def proxy_key_metric() -> pd.DataFrame:
    """Violence with injury (a public proxy) for the area, four financial years."""
    counts = {"2021-22": 2028, "2022-23": 2035, "2023-24": 1986, "2024-25": 1615}
    rows = []
    for year, count in counts.items():
        rate = count / 278_050 * 100_000
        rows.append(
            {
                "measure_id": "violence_with_injury_rate",
                "period": year,
                "group": "Area",
                "numerator": count,
                "denominator": 278_050,
                "value": rate,
                "lower": rate * 0.95,
                "upper": rate * 1.05,
                "unit": "per 100,000 residents of all ages",
                "count_source": "public comparator series (no victim extract)",
            }
        )
    return unsuppressed(pd.DataFrame(rows))


def test_trend_chart_of_a_proxy_counts_offences_in_the_tables_unit(public_config):
    chart = trend_chart(
        {"key_metric": proxy_key_metric()}, Settings.of(public_config), AREA, RESIDENT_STYLE
    )
    table = chart.table.set_index("Year")
    # 1,615 offences / 278,050 residents x 100,000 = 580.8.
    assert table.loc["2024-25", "Waltham Forest: offences"] == "1615"
    assert table.loc["2024-25", "Waltham Forest: rate"] == "580.8"
    assert chart.kinds["Waltham Forest: offences"] == "count"
    assert not any("victims" in c for c in table.columns)
    y_title = vegalite_spec(chart.chart)["layer"][1]["encoding"]["y"]["title"]
    assert y_title == "Offences per 100,000 residents of all ages"
    assert "offences per 100,000 residents of all ages" in chart.alt
    assert chart.caption.startswith(Settings.of(public_config).definitions.key_metric.label)
    for text in (chart.alt, chart.caption, y_title, *chart.notes):
        assert "aged 0 to 120" not in text and "victims" not in text.lower()


def test_deprivation_chart_uses_the_tables_own_period_and_unit(public_config):
    # Public LSOA counts come by calendar year: the only period is "2021 (calendar year)".
    rows = [
        {
            "measure_id": "possession_of_weapons_lsoa_imd_decile_rate",
            "period": "2021 (calendar year)",
            "group": f"IMD decile {d}",
            "imd_decile": d,
            "lsoas": 1 if d <= 2 else 0,
            "numerator": {1: 30, 2: 12}.get(d, 0),
            "denominator": {1: 20_000, 2: 15_000}.get(d, 0),
            "value": {1: 1.5, 2: 0.8}.get(d),
            "lower": {1: 1.0, 2: 0.4}.get(d),
            "upper": {1: 2.1, 2: 1.4}.get(d),
            "unit": "offences per 1,000 residents of all ages",
            "iod_edition": "IoD2025",
        }
        for d in range(1, 11)
    ]
    chart = deprivation_chart(
        {"deprivation": unsuppressed(pd.DataFrame(rows))},
        Settings.of(public_config),
        AREA,
        RESIDENT_STYLE,
    )
    assert chart is not None
    assert list(chart.table.columns) == [
        "IMD decile", "Neighbourhoods (LSOAs)", "Offences", "Residents of all ages",
        "Rate per 1,000",
    ]  # fmt: skip
    # 30 offences / 20,000 residents x 1,000 = 1.5.
    assert chart.table.iloc[0]["Rate per 1,000"] == "1.5"
    assert "per 1,000 residents of all ages in 2021 (calendar year)" in chart.alt
    assert "decile 3: no neighbourhoods" in chart.alt and "0 to 24" not in chart.alt


def test_who_chart_with_no_victims_shows_residents_and_says_none():
    from pipeline.families.disproportionality import measures as dp
    from tests.test_measures_disproportionality import CONFIG, make_population, person

    # One victim, in the year before the edition: none in 2024-25.
    victims = pd.DataFrame([person("X2", "Black", "Male", 15, date="2024-03-31")])
    victims["victim_age"] = victims["victim_age"].astype("Int64")
    table = dp.compute(
        victims=victims,
        population_ethnicity=make_population(),
        settings=Settings.of(CONFIG),
        area_code=AREA.code,
    )
    config = {**CONFIG, "edition": "2024-25"}
    for audience in ("resident", "technical"):
        chart = who_chart(
            {"disproportionality": unsuppressed(table)},
            Settings.of(config),
            AREA,
            style_for(audience),
        )
        assert chart.title.startswith("No victims of knife crime with injury among under-25s")
        assert set(chart.table["Victims"]) == {"0"}
        # No share of 0 victims, not even 100% on the "All" row.
        assert set(chart.table["Share of victims (%)"]) == {""}
        black_boys = chart.table.loc[
            (chart.table["Ethnic group"] == "Black") & (chart.table["Age group"] == "Under 18")
        ].iloc[0]
        # Both sexes (the first row): 2,000 black residents aged 0-17 of 10,000 = 20.0%.
        assert black_boys["Share of residents (%)"] == "20.0"
        assert "Black: no victims recorded, 20% of residents" in chart.alt
        svg = chart_svg(chart)
        assert "no victims recorded" in svg and "[c]" not in svg
        assert "0 of 0" in " ".join(chart.notes)


def hour_grid(values: dict[tuple[str, int], float]) -> pd.DataFrame:
    """The timing table's 168 weekday x hour cells, zero unless given."""
    rows = [
        {
            "measure_id": "sv_0_24_hour_weekday",
            "definition": "Serious violence against people aged under 25",
            "period": "2024-25",
            "group": f"{day} {hour:02d}:00",
            "weekday": day,
            "weekday_number": number,
            "hour": hour,
            "numerator": values.get((day, hour), 0.0),
        }
        for number, day in enumerate(WEEKDAYS)
        for hour in range(24)
    ]
    return unsuppressed(pd.DataFrame(rows))


def test_when_chart_names_no_busiest_time_without_incidents(config):
    chart = when_chart({"timing": hour_grid({})}, Settings.of(config), AREA, TECHNICAL_STYLE)
    assert chart.title == "No incidents were recorded"
    assert chart.alt.endswith("Busiest: none (no incidents).")


def test_when_chart_names_no_busiest_time_when_every_incident_is_hidden(config):
    # Three incidents on Friday night: the resident blocks hide them, and the zeros shown
    # elsewhere must not be called the busiest time.
    from pipeline.disclosure import DisclosurePolicy
    from pipeline.disclosure.tables import protect_measure_tables

    timing = hour_grid({("Friday", 22): 2.0, ("Friday", 23): 1.0})
    protected = protect_measure_tables(
        {"timing": timing.drop(columns=["numerator_suppressed", "denominator_suppressed"])},
        DisclosurePolicy(threshold=10),
        hours_per_block=4,
    )
    chart = when_chart(
        protected.tables, Settings.of(config), AREA, RESIDENT_STYLE, protected.blocks
    )
    assert chart.table.set_index("Time of day").loc["20:00-24:00", "Friday"] == "[c]"
    assert chart.title == "Numbers by time of day are too small to show"
    assert chart.alt.endswith("Busiest: none shown.")


def test_when_chart_claims_no_busiest_time_without_the_tests(config):
    # One incident at 01:00 on Monday and one at 17:00 on Saturday, and no test rows: the
    # title names no hour and no kind of day (a largest count is not a peak).
    timing = hour_grid({("Monday", 1): 1.0, ("Saturday", 17): 1.0})
    chart = when_chart({"timing": timing}, Settings.of(config), AREA, TECHNICAL_STYLE)
    assert chart.title == "Incidents by day of the week and time of day"


def test_when_chart_says_what_the_timing_tests_allow(config):
    from pipeline.families.timing import measures as timing_measures
    from tests.test_measures_hotspots import victims
    from tests.test_measures_timing import calendar_2024

    # 60 incidents at 21:00-23:00 on June 2024 days, 12 spread over the other hours: no hour
    # stands out from the next (21:00 and 22:00 are level), the evening window does; no day.
    days = pd.date_range("2024-06-01", periods=30, freq="D")
    rows = [
        {"offence_start_date": d, "offence_start_time": f"{21 + i % 2}:10"}
        for i, d in enumerate(list(days) * 2)
    ] + [
        {"offence_start_date": d, "offence_start_time": f"{2 * i:02d}:40"}
        for i, d in enumerate(days[:10])
    ]
    settings = Settings.of(config)
    table = timing_measures.compute(
        victims=victims(rows), school_calendar=calendar_2024(), settings=settings,
        area_code=str(AREA.code),
    )  # fmt: skip
    chart = when_chart({"timing": unsuppressed(table)}, settings, AREA, TECHNICAL_STYLE)
    assert chart.title.startswith("Incidents were concentrated between 21:00 and 23:00")
    assert chart.title.endswith("and no day of the week stood out")


# --------------------------------------------------------------------------------------------
# Report styles and the counts the findings quote
# --------------------------------------------------------------------------------------------


def test_each_report_has_one_chart_style():
    assert style_for("resident") == RESIDENT_STYLE and not RESIDENT_STYLE.detailed
    assert RESIDENT_STYLE.hours_per_block == 4 and not RESIDENT_STYLE.hourly
    assert style_for("technical") == TECHNICAL_STYLE and TECHNICAL_STYLE.detailed
    assert TECHNICAL_STYLE.hourly
    with pytest.raises(ValueError, match="report must be one of"):
        style_for("comms")


def test_disclosure_keeps_the_counts_the_headline_findings_quote(config):
    from pipeline.families.registry import FAMILIES

    quoted = {
        (family.name, *row)
        for family in FAMILIES
        for row in family.quoted_rows(Settings.of(config))
    }
    assert quoted == {
        ("key_metric", "kcwi_1_24_rate", "2024-25", "Area"),
        ("key_metric", "kcwi_1_17_rate", "2024-25", "Area"),
        ("disproportionality", "kcwi_1_24_victim_share", "2024-25", "Black Male Under 18"),
    }


# --- Public-mode labels: MSOAs are not wards; how many neighbours the pool has ---------------


def test_ward_codes_that_are_all_msoas_are_called_msoas():
    from pipeline.charts.cells import MSOAS, WARDS, ward_level

    assert ward_level(["E02000895", "E02000896"]) is MSOAS
    assert ward_level(["E02000895", "E05013888"]) is WARDS  # one real ward: wards
    assert ward_level(["E05013888"]) is WARDS and ward_level([]) is WARDS
    table, kinds = MSOAS.named(pd.DataFrame({"Ward": ["x"], "Rate": ["1"]}), {"Ward": "text"})
    assert list(table.columns) == ["MSOA", "Rate"] and kinds == {"MSOA": "text"}


def msoa_ward_rows(public_config) -> pd.DataFrame:
    """Two MSOAs standing in for wards (E02 codes), 30 and 12 offences, and the located total."""
    sv = Settings.of(public_config).definitions.serious_violence_u25.id
    base = {"period": "2021 (calendar year)", "unit": "offences per 1,000 residents of all ages",
            "numerator_suppressed": False, "lower": 0.0, "upper": 0.0}  # fmt: skip
    rows = [
        {**base, "measure_id": f"{sv}_ward_rate", "group": code, "ward_name": name,
         "numerator": n, "denominator": 10_000, "value": n / 10}
        for code, name, n in (("E02000895", "Waltham Forest 001", 30),
                              ("E02000896", "Waltham Forest 002", 12))
    ]  # fmt: skip
    rows.append({**base, "measure_id": f"{sv}_row_reconciliation", "group": "used: located",
                 "numerator": 42, "denominator": None, "value": None})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_wards_table_of_msoas_says_msoa(public_config):
    from pipeline.families.hotspots.charts import wards_table

    chart = wards_table(
        {"hotspots": msoa_ward_rows(public_config)}, Settings.of(public_config), AREA,
        RESIDENT_STYLE,
    )  # fmt: skip
    assert chart.title == "MSOAs with the highest rates: Waltham Forest 001, Waltham Forest 002"
    assert chart.table.columns[0] == "MSOA" and "Ward" not in chart.kinds
    assert chart.table["MSOA"].iloc[-1] == f"All MSOAs ({AREA.name})"
    assert "by MSOA (middle-layer super output area" in chart.caption
    for text in (chart.title, chart.caption, chart.alt, *chart.table["MSOA"]):
        assert "ward" not in text.casefold().replace("lsoa-to-ward", "")


def test_pooled_label_says_how_many_neighbours_have_data():
    from pipeline.charts.cells import neighbours_pooled, pooled_label

    assert neighbours_pooled("pooled over 8 of 10 neighbours: E09000010; missing: x") == (8, 10)
    assert neighbours_pooled("8 of 10 neighbours with complete series; missing: x") == (8, 10)
    assert neighbours_pooled("neighbour missing: Luton (E06000032)") is None
    assert neighbours_pooled(None) is None
    label = "Similar boroughs (pooled)"
    assert pooled_label(label, [(8, 10)]) == "Similar boroughs (pooled, 8 of 10 with data)"
    assert pooled_label(label, [(10, 10)]) == "Similar boroughs (pooled, all 10 with data)"
    assert pooled_label(label, [(7, 10), (8, 10), None]) == (
        "Similar boroughs (pooled, 7 to 8 of 10 with data)"
    )
    assert pooled_label(label, [None]) == label


def test_trend_chart_names_the_neighbours_with_data_and_warns_when_few(public_config):
    area = proxy_key_metric()
    pooled = area.assign(
        group="Statistical neighbours (pooled)",
        note="pooled over 1 of 10 neighbours: E09000010; missing: Luton (E06000032): no series",
    )
    chart = trend_chart(
        {"key_metric": pd.concat([area, pooled], ignore_index=True)},
        Settings.of(public_config), AREA, RESIDENT_STYLE,
    )  # fmt: skip
    assert "Similar boroughs (pooled, 1 of 10 with data): rate" in chart.table.columns
    assert "Similar boroughs (pooled, 1 of 10 with data): " in chart.alt
    assert chart.notes[0].endswith("Only 1 of the 10 have data, so the comparison rests on one "
                                   "borough.")  # fmt: skip
    half = pooled.assign(note="pooled over 5 of 10 neighbours: E09000010")
    chart = trend_chart(
        {"key_metric": pd.concat([area, half], ignore_index=True)},
        Settings.of(public_config), AREA, RESIDENT_STYLE,
    )  # fmt: skip
    assert "Only" not in chart.notes[0]  # half is not fewer than half


def test_every_chart_spec_of_the_demo_passes_the_vega_lite_schema(preview):
    # render_svg skips Altair's schema check (most of a second per edition); this is where
    # every chart of both reports, the map included, is checked against it.
    from pipeline.render.preview import load_measures
    from pipeline.runtime import read_parquet

    tables, _ = load_measures(preview.measures)
    boundaries = read_parquet(next(preview.measures.parents[3].rglob("boundaries.parquet")))
    settings = Settings.of(preview.config)
    checked = 0
    for report in ("resident", "technical"):
        for chart in build_charts(tables, boundaries, settings, preview.area, report):
            if chart.chart is not None:
                vegalite_spec(chart.chart, validate=True)  # raises on an invalid spec
                checked += 1
    assert checked >= 10


def test_the_schema_check_refuses_an_invalid_spec():
    broken = alt.Chart(pd.DataFrame({"a": [1]}), mark="no-such-mark")
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        vegalite_spec(broken, validate=True)
    assert vegalite_spec(broken, validate=False)["mark"] == {"type": "no-such-mark"}
