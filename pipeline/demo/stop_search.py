"""Synthetic police.uk stop-and-search files, in either published layout (for tests and a
demonstration edition; nothing here is real data).

``synthetic_rows`` draws searches from fixed value lists with a seeded generator;
``write_month`` writes them as ``<folder>/YYYY-MM/YYYY-MM-<force>-stop-and-search.csv`` with the
layout's header, so the adapter reads them exactly as it reads a download.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.adapters.police_uk_stop_search import CURRENT, OLDER, OLDER_OUTCOMES

#: Self-defined ethnicity labels as each layout writes them, with their Census 2021 group.
SELF_DEFINED_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "current": (
        ("White - English/Welsh/Scottish/Northern Irish/British", "White"),
        ("White - Any other White background", "White"),
        ("Black/African/Caribbean/Black British - African", "Black"),
        ("Black/African/Caribbean/Black British - Caribbean", "Black"),
        ("Asian/Asian British - Bangladeshi", "Asian"),
        ("Asian/Asian British - Chinese", "Asian"),
        ("Mixed/Multiple ethnic groups - White and Black Caribbean", "Mixed"),
        ("Other ethnic group - Any other ethnic group", "Other"),
        ("Other ethnic group - Not stated", "Not stated"),
        ("", "Not stated"),
    ),
    "older": (
        ("White - White British (W1)", "White"),
        ("White - Any other White ethnic background (W9)", "White"),
        ("Black or Black British - African (B2)", "Black"),
        ("Asian or Asian British - Pakistani (A2)", "Asian"),
        ("Chinese or other ethnic group - Chinese (O1)", "Asian"),
        ("Mixed - White and Asian (M3)", "Mixed"),
        ("Chinese or other ethnic group - Any other ethnic group (O9)", "Other"),
        ("Other ethnic group - Not stated (NS)", "Not stated"),
    ),
}
CURRENT_OUTCOMES: tuple[str, ...] = (
    "A no further action disposal",
    "Arrest",
    "Community resolution",
    "Penalty Notice for Disorder",
    "Summons / charged by post",
)
OBJECTS: tuple[str, ...] = ("Controlled drugs", "Offensive weapons", "Stolen goods", "Firearms")
OFFICER: tuple[str, ...] = ("Asian", "Black", "White", "Other", "")
AGES: tuple[str, ...] = ("under 10", "10-17", "18-24", "25-34", "over 34", "")


def synthetic_rows(
    month: str,
    *,
    layout: str = "current",
    rows: int = 50,
    seed: int = 0,
    points: Sequence[tuple[float, float]] = ((51.59, -0.01),),
    share_without_location: float = 0.1,
) -> pd.DataFrame:
    """``rows`` searches in ``month`` ('YYYY-MM'), as text in the layout's columns, with
    ``Date`` in UTC (+00:00) and each located search at one of ``points`` (latitude,
    longitude); about ``share_without_location`` of them have no coordinates."""
    chosen = CURRENT if layout == "current" else OLDER
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(f"{month}-01", tz="UTC")
    seconds = (start + pd.offsets.MonthBegin(1) - start).total_seconds()
    times = [start + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, int(seconds), rows)]
    labels = SELF_DEFINED_LABELS[chosen.name]
    outcomes = CURRENT_OUTCOMES if chosen is CURRENT else tuple(OLDER_OUTCOMES)
    located = rng.random(rows) >= share_without_location
    where = rng.integers(0, len(points), rows)
    at = list(zip(where, located, strict=True))
    frame = pd.DataFrame(
        {
            "Type": rng.choice(["Person search", "Person and Vehicle search"], rows),
            "Date": [t.strftime("%Y-%m-%dT%H:%M:%S+00:00") for t in times],
            "Part of a policing operation": "False",
            "Policing operation": "",
            "Latitude": [f"{points[w][0]:.6f}" if ok else "" for w, ok in at],
            "Longitude": [f"{points[w][1]:.6f}" if ok else "" for w, ok in at],
            "Gender": rng.choice(["Male", "Female", ""], rows, p=[0.85, 0.12, 0.03]),
            "Age range": rng.choice(AGES, rows),
            "Self-defined ethnicity": [labels[i][0] for i in rng.integers(0, len(labels), rows)],
            "Officer-defined ethnicity": rng.choice(OFFICER, rows),
            "Legislation": "Misuse of Drugs Act 1971 (section 23)",
            "Object of search": rng.choice(OBJECTS, rows),
            "Outcome": rng.choice(outcomes, rows),
        }
    )
    if chosen is CURRENT:
        frame["Outcome linked to object of search"] = rng.choice(["True", "False", ""], rows)
        frame["Removal of more than just outer clothing"] = rng.choice(["False", ""], rows)
    return frame[list(chosen.columns)]


def write_month(folder: Path | str, month: str, frame: pd.DataFrame, force: str = "demo") -> Path:
    """Write one month's rows in the archive layout; the file's path."""
    path = Path(folder) / month / f"{month}-{force}-stop-and-search.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(frame.itertuples(index=False, name=None))
    return path


def group_of(label: str, layout: str) -> str:
    """The Census 2021 group the generator meant for a self-defined label."""
    return dict(SELF_DEFINED_LABELS[layout])[label]
