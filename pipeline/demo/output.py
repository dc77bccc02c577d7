"""The generated demo in memory (:class:`DemoData`) and its byte-stable rendering to files."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SHARED_FILES = (
    "comparators",
    "population_la",
    "population_ethnicity",
    "deprivation",
    "areas",
    "neighbours",
)
AREA_FILES = ("victims", "lsoas", "population_lsoa", "schools", "school_calendar", "actions")
BOUNDARIES_FILE = "lsoa_boundaries.geojson"
TRUTHS_FILE = "truths.json"

#: Fixed text formats for float columns (everything else is written as is).
FLOAT_FORMATS = {"easting": "{:.0f}", "northing": "{:.0f}", "imd_score": "{:.3f}"}


@dataclass(frozen=True)
class AreaFiles:
    """One area's own extracts, as they are written to ``<out>/<slug>/``."""

    code: str
    name: str
    slug: str
    frames: dict[str, pd.DataFrame]  # keyed by AREA_FILES
    boundaries: dict[str, Any]  # GeoJSON FeatureCollection

    @property
    def victims(self) -> pd.DataFrame:
        """The victim extract (contract 1)."""
        return self.frames["victims"]

    @property
    def lsoas(self) -> pd.DataFrame:
        """The area's LSOAs with names and wards."""
        return self.frames["lsoas"]

    @property
    def population_lsoa(self) -> pd.DataFrame:
        """LSOA population estimates (contract 3)."""
        return self.frames["population_lsoa"]

    @property
    def schools(self) -> pd.DataFrame:
        """Schools with their phase and location."""
        return self.frames["schools"]

    @property
    def school_calendar(self) -> pd.DataFrame:
        """Term, INSET and bank-holiday date ranges."""
        return self.frames["school_calendar"]

    @property
    def actions(self) -> pd.DataFrame:
        """The strategy's action tracker."""
        return self.frames["actions"]


@dataclass(frozen=True)
class DemoData:
    """A generated demo: shared inputs, per-area inputs and the planted truths."""

    seed: int
    preset: str
    shared: dict[str, pd.DataFrame]  # keyed by SHARED_FILES
    areas: tuple[AreaFiles, ...]
    truths: dict[str, Any] = field(default_factory=dict)

    def area(self, key: str) -> AreaFiles:
        """An area by slug or ONS code."""
        for area in self.areas:
            if key in (area.slug, area.code):
                return area
        raise KeyError(f"no area {key!r} in the {self.preset} demo")


def _cell(value: Any, fmt: str | None) -> str:
    """One CSV cell: empty for missing values, floats in their column's fixed format."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if fmt is not None:
        return fmt.format(value)
    return str(value)


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV text: header row, ``\\n`` line endings, fixed number formats."""
    text = pd.DataFrame(
        {
            column: [_cell(v, FLOAT_FORMATS.get(column)) for v in frame[column].tolist()]
            for column in frame.columns
        },
        dtype=object,
    )
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def json_text(data: Any) -> str:
    """JSON with sorted keys and a trailing newline (stable across runs)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def geojson_text(collection: dict[str, Any]) -> str:
    """GeoJSON with one feature per line, so diffs stay readable."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, separators=(",", ":"), sort_keys=True) for f in collection["features"]]
    opening = json.dumps(head, separators=(",", ":"), sort_keys=True)[:-1]
    return opening + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def render(demo: DemoData) -> dict[str, bytes]:
    """Every file of the demo, by path relative to the output folder."""
    files: dict[str, bytes] = {}
    for name in SHARED_FILES:
        files[f"shared/{name}.csv"] = csv_text(demo.shared[name]).encode("utf-8")
    for area in demo.areas:
        for name in AREA_FILES:
            files[f"{area.slug}/{name}.csv"] = csv_text(area.frames[name]).encode("utf-8")
        files[f"{area.slug}/{BOUNDARIES_FILE}"] = geojson_text(area.boundaries).encode("utf-8")
    files[TRUTHS_FILE] = json_text(demo.truths).encode("utf-8")
    return files


def write(demo: DemoData, out_dir: Path) -> list[Path]:
    """Write the demo under ``out_dir`` (created if needed); return the paths written, sorted."""
    out_dir = Path(out_dir)
    written = []
    for relative, content in sorted(render(demo).items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
