"""Residents by area from the population contract: one area at a time and many at once.

``population_totals`` is the one-pass form the small-area rates use; it must give, for every
area, what ``population_total`` gives for that area alone, including the choice between an
area's "All" sex rows and its Male plus Female rows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.families.common import population_total, population_totals
from pipeline.families.small_areas import lsoa_population


def _rows(area, sex, age_from, age_to, population, year=2024, ethnicity="All"):
    return {
        "area_code": area, "year": year, "sex": sex, "age_from": age_from, "age_to": age_to,
        "ethnicity": ethnicity, "population": population,
    }  # fmt: skip


FRAME = pd.DataFrame(
    [
        # A: "All" rows beside Male/Female rows: the "All" rows are used (10 + 20 in 0-24).
        _rows("A", "All", 0, 9, 10),
        _rows("A", "All", 10, 24, 20),
        _rows("A", "All", 25, 90, 99),
        _rows("A", "Male", 0, 24, 1000),
        # B: only Male and Female rows: both together (3 + 4 + 5).
        _rows("B", "Male", 0, 9, 3),
        _rows("B", "Female", 0, 9, 4),
        _rows("B", "Male", 10, 24, 5),
        # C: another year and another ethnicity only: nothing in 2024 for "All".
        _rows("C", "All", 0, 24, 7, year=2023),
        _rows("C", "All", 0, 24, 8, ethnicity="Black"),
    ]  # fmt: skip
)


def test_each_area_gets_what_population_total_gives_it_alone():
    got = population_totals(FRAME, area_codes=["B", "A", "C"], year=2024, age_from=0, age_to=24)
    assert got.to_dict() == {"B": 12, "A": 30, "C": 0}
    for code in ("A", "B", "C"):
        alone = population_total(FRAME, area_codes=[code], year=2024, age_from=0, age_to=24)
        assert got[code] == alone
    assert list(got.index) == ["B", "A", "C"]


def test_a_band_straddling_the_range_raises_in_both_forms():
    with pytest.raises(ValueError, match="straddle ages 0-15"):
        population_totals(FRAME, area_codes=["A"], year=2024, age_from=0, age_to=15)
    with pytest.raises(ValueError, match="straddle ages 0-15"):
        population_total(FRAME, area_codes=["A"], year=2024, age_from=0, age_to=15)


def test_lsoa_population_names_the_lsoas_without_residents():
    with pytest.raises(ValueError, match=r"1 LSOA\(s\) of the area, e.g. \['C'\]"):
        lsoa_population(FRAME, ["A", "B", "C"], year=2024, age_from=0, age_to=24)
    got = lsoa_population(FRAME, ["A", "B"], year=2024, age_from=0, age_to=24)
    assert got.to_dict() == {"A": 30, "B": 12}
    assert got.name == "population"
