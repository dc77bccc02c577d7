"""Synthetic geography: hexagonal LSOAs, wards, names, deprivation, hotspots and schools.

LSOAs are pointy-top hexagons 540 m across (about 0.25 km2, the size of a London LSOA) on one
British National Grid (EPSG:27700) lattice, so neighbouring LSOAs share exact vertices and
contiguity-based statistics (Getis-Ord Gi*) see a clean map. Codes are ``E0199`` + 4 digits
(``E0198`` for the pretend LSOAs just outside the area), far above any real LSOA code
(real 2021 codes stop at E0103xxxx), so they can never be mistaken for real ones.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.demo.common import apportion, normalise
from pipeline.demo.presets import PLANTED, AreaSpec

HEX_HALF_WIDTH = 270.0  # metres from centre to a vertical edge
HEX_SIZE = 2 * HEX_HALF_WIDTH / math.sqrt(3)  # centre to vertex
ROW_STEP = 1.5 * HEX_SIZE
ORIGIN = (537000.0, 190000.0)
PEOPLE_PER_LSOA = 1850
LSOAS_PER_WARD = 7.25
LSOAS_PER_MSOA = 5
NATIONAL_LSOAS_2025 = 33_755

WARD_NAMES = (
    "Ashgrove",
    "Beacon Hill",
    "Brookfield",
    "Castle Green",
    "Church End",
    "Elmstead",
    "Fairmead",
    "Forest Rise",
    "Hollow Pond",
    "Kingsmead",
    "Larkfield",
    "Marshside",
    "Millfield",
    "Oakhurst",
    "Parkside",
    "Riverside",
    "St Mary's",
    "Thornbury",
    "Warren Hill",
    "Woodside",
    "Alder Park",
    "Bridge End",
    "Cedar Vale",
    "Greenway",
    "Hazel Bank",
    "Lower Green",
    "Northcote",
    "Upper Heath",
)
SCHOOL_WORDS = (
    "Alder",
    "Ashfield",
    "Beechwood",
    "Belmont",
    "Birchwood",
    "Bramley",
    "Briar",
    "Brookside",
    "Cedars",
    "Chestnut",
    "Clayton",
    "Coppice",
    "Cranbrook",
    "Dene",
    "Elmhurst",
    "Fairfield",
    "Fernbank",
    "Gladstone",
    "Glebe",
    "Greenleaf",
    "Hawthorn",
    "Hazelwood",
    "Heathcote",
    "Hillside",
    "Hollybush",
    "Juniper",
    "Kestrel",
    "Larchwood",
    "Laurel",
    "Linden",
    "Maple",
    "Meadow",
    "Millbrook",
    "Northgate",
    "Oakfield",
    "Orchard",
    "Parkfield",
    "Poplar Grove",
    "Queensbridge",
    "Redwood",
    "Riverside",
    "Rosemary",
    "Rowan",
    "Sandringham",
    "Silverdale",
    "Southfield",
    "Springfield",
    "Stonebridge",
    "Sycamore",
    "Thornhill",
    "Valley",
    "Warren",
    "Waterside",
    "Westbrook",
    "Willow",
    "Windmill",
    "Woodland",
    "Yew Tree",
    "Hornbeam",
    "Lime Tree",
    "Mulberry",
    "Kingfisher",
    "Heron",
    "Skylark",
    "Foxglove",
    "Bluebell",
    "Primrose",
    "Clover",
    "Marigold",
    "Lavender",
    "Acorn",
    "Bramble",
    "Copperfield",
    "Daisy Hill",
    "Evergreen",
    "Fieldway",
    "Goldcrest",
    "Harebell",
    "Ivydale",
    "Jubilee",
)
SECONDARY_SUFFIXES = ("Academy", "High School", "School", "Community School", "College")

Cell = tuple[int, int]  # (col, row) in "odd-r" offset coordinates


def cell_centre(col: np.ndarray | int, row: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """Centre of a hexagon: odd rows are shifted half a hexagon east."""
    col = np.asarray(col)
    row = np.asarray(row)
    x = ORIGIN[0] + (2 * col + (row & 1)) * HEX_HALF_WIDTH
    y = ORIGIN[1] + row * ROW_STEP
    return x, y


def cell_ring(col: int, row: int) -> list[list[float]]:
    """Closed, counter-clockwise ring of a hexagon's vertices.

    Vertices are computed from integer lattice indices, so two hexagons that share a vertex
    give it exactly the same coordinates.
    """
    kx, ky = 2 * col + (row & 1), 3 * row
    corners = [
        (kx, ky + 2),
        (kx - 1, ky + 1),
        (kx - 1, ky - 1),
        (kx, ky - 2),
        (kx + 1, ky - 1),
        (kx + 1, ky + 1),
    ]
    ring = [
        [ORIGIN[0] + i * HEX_HALF_WIDTH, round(ORIGIN[1] + j * HEX_SIZE / 2, 2)] for i, j in corners
    ]
    return ring + [ring[0]]


def cell_neighbours(cell: Cell) -> list[Cell]:
    """The six hexagons sharing an edge with ``cell``."""
    col, row = cell
    shift = row & 1
    return [
        (col - 1, row),
        (col + 1, row),
        (col - 1 + shift, row - 1),
        (col + shift, row - 1),
        (col - 1 + shift, row + 1),
        (col + shift, row + 1),
    ]


def inside_cell(dx: np.ndarray, dy: np.ndarray, margin: float) -> np.ndarray:
    """True where an offset from a hexagon's centre lies inside it, at least ``margin`` m in."""
    ax, ay = np.abs(dx), np.abs(dy)
    return (ax <= HEX_HALF_WIDTH - margin) & (
        ay + ax / math.sqrt(3) <= HEX_SIZE - 2 * margin / math.sqrt(3)
    )


def sample_points(
    cx: np.ndarray, cy: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in whole metres inside the hexagons centred at (cx, cy)."""
    cx, cy = np.asarray(cx, dtype=float), np.asarray(cy, dtype=float)
    east, north = np.empty(cx.size), np.empty(cx.size)
    todo = np.arange(cx.size)
    while todo.size:
        px = np.round(cx[todo] + rng.uniform(-HEX_HALF_WIDTH, HEX_HALF_WIDTH, todo.size))
        py = np.round(cy[todo] + rng.uniform(-HEX_SIZE, HEX_SIZE, todo.size))
        ok = inside_cell(px - cx[todo], py - cy[todo], margin=2.0)
        east[todo[ok]], north[todo[ok]] = px[ok], py[ok]
        todo = todo[~ok]
    return east, north


def nearest_cell(x: float, y: float) -> Cell:
    """The hexagon whose centre is nearest a point."""
    row0 = int(round((y - ORIGIN[1]) / ROW_STEP))
    best: tuple[float, int, int] | None = None
    for row in (row0 - 1, row0, row0 + 1):
        col0 = int(round(((x - ORIGIN[0]) / HEX_HALF_WIDTH - (row & 1)) / 2))
        for col in (col0 - 1, col0, col0 + 1):
            cx, cy = cell_centre(col, row)
            candidate = (float((cx - x) ** 2 + (cy - y) ** 2), row, col)
            best = candidate if best is None or candidate < best else best
    assert best is not None
    return best[2], best[1]


def borough_blob(centre: tuple[float, float], count: int) -> list[Cell]:
    """``count`` contiguous hexagons forming a borough-like shape, taller than wide.

    Cells are ranked by an elliptical distance from the centre with a gentle wobble on the
    boundary (so the outline is not a perfect ellipse) and the nearest ``count`` are kept.
    """
    c0 = nearest_cell(*centre)
    span = int(math.sqrt(count)) * 3
    cells = [
        (c0[0] + dc, c0[1] + dr) for dr in range(-span, span + 1) for dc in range(-span, span + 1)
    ]
    cols = np.array([c for c, _ in cells])
    rows = np.array([r for _, r in cells])
    x, y = cell_centre(cols, rows)
    dx, dy = (x - centre[0]) / 1.0, (y - centre[1]) / 1.9
    theta = np.arctan2(dy, dx)
    distance = np.hypot(dx, dy) * (1 + 0.10 * np.sin(3 * theta + 0.5) + 0.06 * np.cos(5 * theta))
    order = np.lexsort((cols, rows, np.round(distance, 6)))
    chosen = [cells[i] for i in order[:count]]
    _check_connected(chosen)
    return chosen


def _check_connected(cells: list[Cell]) -> None:
    """Raise if the cells do not form one edge-connected region."""
    members = set(cells)
    seen = {cells[0]}
    frontier = [cells[0]]
    while frontier:
        for other in cell_neighbours(frontier.pop()):
            if other in members and other not in seen:
                seen.add(other)
                frontier.append(other)
    if len(seen) != len(members):
        raise RuntimeError(f"synthetic area is not contiguous ({len(seen)} of {len(members)})")


def outer_ring(cells: list[Cell], depth: int = 2) -> list[Cell]:
    """Hexagons within ``depth`` steps outside a region (pretend LSOAs of other areas)."""
    inside = set(cells)
    ring: set[Cell] = set()
    frontier = set(cells)
    for _ in range(depth):
        frontier = {n for c in frontier for n in cell_neighbours(c)} - inside - ring
        ring |= frontier
    return sorted(ring, key=lambda c: (-c[1], c[0]))


def grow_boroughs(
    seeds: dict[str, tuple[float, float]],
    targets: dict[str, int],
    bbox: tuple[float, float, float, float],
) -> dict[str, list[Cell]]:
    """Tile a region into contiguous boroughs grown from their centres.

    Boroughs take turns claiming the unclaimed neighbouring hexagon nearest their seed, the one
    furthest behind its target (claimed / target) going next, until each reaches its target or
    is hemmed in. Deterministic: ties go to the lower code, then to the lower row and column.
    """
    xmin, ymin, xmax, ymax = bbox
    owner: dict[Cell, str] = {}
    claimed: dict[str, list[Cell]] = {code: [] for code in seeds}
    frontier: dict[str, list[tuple[float, int, int]]] = {}
    for code, (sx, sy) in sorted(seeds.items()):
        frontier[code] = [(0.0, *reversed(nearest_cell(sx, sy)))]
    turns = [(0.0, code) for code in sorted(seeds)]
    heapq.heapify(turns)
    while turns:
        _, code = heapq.heappop(turns)
        sx, sy = seeds[code]
        heap = frontier[code]
        while heap:
            _, row, col = heapq.heappop(heap)
            if (col, row) not in owner:
                break
        else:
            continue  # hemmed in: this borough stops growing
        owner[(col, row)] = code
        claimed[code].append((col, row))
        for ncol, nrow in cell_neighbours((col, row)):
            nx, ny = cell_centre(ncol, nrow)
            if (ncol, nrow) not in owner and xmin <= nx <= xmax and ymin <= ny <= ymax:
                heapq.heappush(heap, (round(float((nx - sx) ** 2 + (ny - sy) ** 2), 3), nrow, ncol))
        if len(claimed[code]) < targets[code]:
            heapq.heappush(turns, (len(claimed[code]) / targets[code], code))
    return claimed


def _bisect(index: np.ndarray, x: np.ndarray, y: np.ndarray, groups: int) -> list[np.ndarray]:
    """Split points into ``groups`` compact groups of near-equal size (recursive bisection)."""
    if groups <= 1 or index.size <= 1:
        return [index]
    px, py = x[index], y[index]
    if np.ptp(px) >= np.ptp(py):
        order = index[np.lexsort((py, px))]
    else:
        order = index[np.lexsort((px, py))]
    left_groups = groups // 2
    cut = int(round(index.size * left_groups / groups))
    return _bisect(order[:cut], x, y, left_groups) + _bisect(
        order[cut:], x, y, groups - left_groups
    )


def _north_first(groups: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Groups ordered north to south (then west to east) by their centroid, as ONS numbers MSOAs."""
    keys = [(-round(float(y[g].mean()), 3), round(float(x[g].mean()), 3)) for g in groups]
    return [groups[i] for i in sorted(range(len(groups)), key=lambda i: keys[i])]


@dataclass
class AreaGeography:
    """An area's LSOAs with names, wards, deprivation and hotspot flags, plus its schools."""

    spec: AreaSpec
    #: One row per LSOA: lsoa_code, lsoa_name, ward_code, ward_name, area_code, col, row, x, y,
    #: imd_decile, imd_rank, imd_score, hotspot.
    lsoas: pd.DataFrame
    schools: pd.DataFrame

    @property
    def hotspot_codes(self) -> list[str]:
        """Codes of the planted hotspot LSOAs, sorted."""
        return sorted(self.lsoas.loc[self.lsoas["hotspot"], "lsoa_code"].tolist())


def _deciles(n: int, mean_decile: float | None) -> np.ndarray:
    """How many of ``n`` LSOAs fall in each national decile (skewed towards deprived ones)."""
    if mean_decile is None:  # the Waltham Forest shape: deprived-leaning, most deciles present
        shares = np.array([0.03, 0.13, 0.19, 0.23, 0.17, 0.11, 0.08, 0.03, 0.015, 0.015])
    else:
        d = np.arange(1, 11)
        shares = np.exp(-((d - mean_decile) ** 2) / (2 * 2.2**2))
    return apportion(n, normalise(shares))


def imd_score(rank: np.ndarray) -> np.ndarray:
    """A plausible IMD score falling with rank (rank 1 ~ 85, the median ~ 17)."""
    return np.round(0.5 + 85.0 * np.exp(-3.3 * np.asarray(rank) / NATIONAL_LSOAS_2025), 3)


def decile_rank_range(decile: int) -> tuple[int, int]:
    """National ranks of an IoD2025 decile, kept 20 ranks clear of its edges.

    A decile holds ranks ceil((d-1) N / 10) .. floor(d N / 10); staying clear of the edges means
    any reasonable rounding of the boundary gives the same decile.
    """
    low = math.ceil((decile - 1) * NATIONAL_LSOAS_2025 / 10) + 20
    high = math.floor(decile * NATIONAL_LSOAS_2025 / 10) - 20
    return low, high


def build_area_geography(
    spec: AreaSpec,
    cells: list[Cell],
    rng: np.random.Generator,
    first_lsoa: int,
    first_ward: int,
    mean_decile: float | None,
    school_urn_base: int,
) -> AreaGeography:
    """Name, code and describe an area's hexagons; plant deprivation, hotspot and schools."""
    cols = np.array([c for c, _ in cells])
    rows = np.array([r for _, r in cells])
    x, y = cell_centre(cols, rows)
    n = len(cells)
    everything = np.arange(n)

    msoas = _north_first(_bisect(everything, x, y, max(1, round(n / LSOAS_PER_MSOA))), x, y)
    names = np.empty(n, dtype=object)
    for number, members in enumerate(msoas, start=1):
        for letter, i in zip(
            "ABCDEFGHIJ", sorted(members, key=lambda i: (-y[i], x[i])), strict=False
        ):
            names[i] = f"{spec.name} {number:03d}{letter}"
    by_name = np.argsort(names.astype(str), kind="stable")
    codes = np.empty(n, dtype=object)
    for offset, i in enumerate(by_name):
        codes[i] = f"E0199{first_lsoa + offset:04d}"

    wards = _north_first(_bisect(everything, x, y, max(1, round(n / LSOAS_PER_WARD))), x, y)
    ward_code = np.empty(n, dtype=object)
    ward_name = np.empty(n, dtype=object)
    for k, members in enumerate(wards):
        ward_code[members] = f"E0599{first_ward + k:04d}"
        ward_name[members] = WARD_NAMES[k % len(WARD_NAMES)]

    # Deprivation: the south of an area is more deprived, with local noise.
    latent = -(y - y.mean()) / (y.std() or 1.0) + 0.6 * rng.standard_normal(n)
    deprived_first = np.lexsort((codes.astype(str), -latent))
    counts = _deciles(n, mean_decile)
    decile = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    position = 0
    for d, k in enumerate(counts, start=1):
        members = deprived_first[position : position + k]
        low, high = decile_rank_range(d)
        decile[members] = d
        rank[members] = np.sort(rng.choice(np.arange(low, high + 1), size=k, replace=False))
        position += k

    hotspot = np.zeros(n, dtype=bool)
    size = min(PLANTED.hotspot_size, max(1, n // 10))
    centre_x = x.mean()
    centre_y = y.mean() - 0.2 * np.ptp(y)
    first = int(
        np.lexsort((codes.astype(str), np.round(np.hypot(x - centre_x, y - centre_y), 3)))[0]
    )
    near_first = np.lexsort((codes.astype(str), np.round(np.hypot(x - x[first], y - y[first]), 3)))
    hotspot[near_first[:size]] = True

    lsoas = (
        pd.DataFrame(
            {
                "lsoa_code": codes.astype(str),
                "lsoa_name": names.astype(str),
                "ward_code": ward_code.astype(str),
                "ward_name": ward_name.astype(str),
                "area_code": spec.code,
                "col": cols,
                "row": rows,
                "x": x,
                "y": y,
                "imd_decile": decile,
                "imd_rank": rank,
                "imd_score": imd_score(rank),
                "hotspot": hotspot,
            }
        )
        .sort_values("lsoa_code", kind="stable")
        .reset_index(drop=True)
    )
    schools = _schools(spec, lsoas, rng, school_urn_base)
    return AreaGeography(spec=spec, lsoas=lsoas, schools=schools)


def _schools(
    spec: AreaSpec, lsoas: pd.DataFrame, rng: np.random.Generator, urn_base: int
) -> pd.DataFrame:
    """Secondary (~1 per 13,500 residents) and primary (~1 per 5,400) schools in the area.

    The first two secondary schools sit in hotspot LSOAs: violence "around and between
    schools" is one of the findings the demo should let the pipeline show.
    """
    n_secondary = max(1, round(spec.population_2020 / 13_500))
    n_primary = max(1, round(spec.population_2020 / 5_400))
    hot = np.flatnonzero(lsoas["hotspot"].to_numpy())
    cells = rng.integers(0, len(lsoas), size=n_secondary + n_primary)
    cells[: min(2, n_secondary, hot.size)] = hot[: min(2, n_secondary, hot.size)]
    east, north = sample_points(lsoas["x"].to_numpy()[cells], lsoas["y"].to_numpy()[cells], rng)
    secondary_words = rng.choice(len(SCHOOL_WORDS), size=n_secondary, replace=False)
    suffixes = rng.integers(0, len(SECONDARY_SUFFIXES), size=n_secondary)
    primary_words = rng.choice(len(SCHOOL_WORDS), size=n_primary, replace=False)
    names = [
        f"{SCHOOL_WORDS[w]} {SECONDARY_SUFFIXES[s]}"
        for w, s in zip(secondary_words, suffixes, strict=True)
    ]
    names += [f"{SCHOOL_WORDS[w]} Primary School" for w in primary_words]
    schools = pd.DataFrame(
        {
            "urn": urn_base + np.arange(1, n_secondary + n_primary + 1),
            "school_name": names,
            "phase": ["Secondary"] * n_secondary + ["Primary"] * n_primary,
            "easting": east,
            "northing": north,
        }
    )
    return schools.sort_values("urn", kind="stable").reset_index(drop=True)


def boundaries_geojson(lsoas: pd.DataFrame) -> dict:
    """The LSOA polygons as GeoJSON (EPSG:27700 named in the legacy ``crs`` member)."""
    features = [
        {
            "type": "Feature",
            "properties": {"lsoa_code": code, "lsoa_name": name},
            "geometry": {"type": "Polygon", "coordinates": [cell_ring(int(col), int(row))]},
        }
        for code, name, col, row in lsoas[["lsoa_code", "lsoa_name", "col", "row"]]
        .sort_values("lsoa_code")
        .itertuples(index=False)
    ]
    return {
        "type": "FeatureCollection",
        "name": "lsoa_boundaries",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
