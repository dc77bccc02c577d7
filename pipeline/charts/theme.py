"""The Government Analysis Function look of every chart: palettes and the Altair theme
:data:`THEME_NAME` (sans-serif type, horizontal labels, light-grey gridlines)."""

from __future__ import annotations

import altair as alt

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
