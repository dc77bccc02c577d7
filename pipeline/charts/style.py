"""How each report draws its charts: the one place the resident and technical reports differ.

The resident report shows plain numbers and blocks of hours; the technical report adds the
detail an analyst checks (confidence limits, breakdowns by sex, ratios, test statistics, the
full ranked list of neighbourhoods) and the hour-by-hour grid.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Hours per block in the resident time-of-day chart (finer cells would mostly be suppressed).
RESIDENT_BLOCK_HOURS = 4


@dataclass(frozen=True)
class ChartStyle:
    """The chart detail of one report (``resident`` or ``technical``; see
    :mod:`pipeline.editions`).

    ``detailed`` adds confidence limits, breakdowns by sex, ratios and test statistics to the
    tables, and the full ranked neighbourhood list. ``hours_per_block`` groups the
    time-of-day grid (each block disclosure-controlled as one cell); None draws it hour by
    hour.
    """

    report: str
    detailed: bool
    hours_per_block: int | None

    @property
    def hourly(self) -> bool:
        """True when the time-of-day chart shows every hour."""
        return self.hours_per_block is None


RESIDENT_STYLE = ChartStyle("resident", detailed=False, hours_per_block=RESIDENT_BLOCK_HOURS)
TECHNICAL_STYLE = ChartStyle("technical", detailed=True, hours_per_block=None)
_STYLES = {style.report: style for style in (RESIDENT_STYLE, TECHNICAL_STYLE)}


def style_for(report: str) -> ChartStyle:
    """The chart style of ``report``."""
    if report not in _STYLES:
        raise ValueError(f"report must be one of {tuple(_STYLES)}, got {report!r}")
    return _STYLES[report]
