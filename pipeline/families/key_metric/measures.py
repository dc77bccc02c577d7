"""Key metric and benchmark: knife crime with injury among under-25s (and under-18s).

For every financial year of the window and the rolling 12 months, the area's count of victims
from its own extract and its crude rate per 100,000 residents of the same age, with PHE
intervals (exact below 10 events, Byar's from 10) at the configured confidence and at 99.8%;
the pooled statistical-neighbour rate and the region's rate from the public comparator series;
and the Fingertips "higher / similar / lower" benchmark of the area against each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.families.areas_and_periods import (
    AREA_GROUP,
    NEIGHBOURS_GROUP,
    Period,
    financial_year_period,
    metric_definitions,
    neighbour_codes,
    population_with_fallback,
    series_count,
)
from pipeline.families.common import (
    definition_text,
    residents_phrase,
    select_definition,
    tidy,
)
from pipeline.settings import Definition, Settings
from pipeline.stats import fingertips_compare, proportion_ci, rate_ci

#: The two benchmark levels Fingertips uses (about 2 and 3 standard deviations).
BENCHMARK_LEVELS: tuple[float, float] = (0.95, 0.998)

METHOD = """\
**Definition.** The key metric is the MOPAC headline measure, knife crime with injury (KCWI):
victims {key_metric.ages} of a homicide, violence-with-injury, robbery or sexual offence in which a
knife or sharp instrument was used and an injury recorded, excluding domestic abuse. The
under-18 metric is the same with victims {under_18_metric.ages}. The exact filters are the versioned
definitions in the configuration. Victims are counted as distinct victims per offence: each
offence counts each of its victims once, and a repeat victim is counted once for every
offence against them (the police and MOPAC counting unit). Rows whose location is unknown are
kept, because the extract is the area's own; rows located in another area were excluded
before this step and are reported in the data-quality section.

**Periods.** Financial years (April to March) of the window, labelled by start year
("2024-25"), and the rolling 12 months ending with the last month of the window ("12 months to
YYYY-MM"). Under the demonstration configuration the rolling 12 months coincide with the last
financial year.

**Rate.** Crude rate = victims / residents of the same age x 100,000, with ONS mid-year
population estimates (single years of age) for mid-year of the period's start (mid-Y for
April Y to March Y+1; for other 12-month periods, the mid-year nearest the period's centre).
When that mid-year is not yet published, the latest earlier one is used and the table's note
says so. Confidence intervals follow PHEindicatormethods `phe_rate`: exact Poisson limits
below 10 events, Byar's approximation from 10 (Breslow and Day 1987), at the configured level
and at 99.8%.

**Repeat victims.** For the key metric in each period, the share of its victims (distinct
people by `victim_id`) who were victims of two or more of its offences in that period
(`<id>_repeat_victim_share`; numerator those people, denominator all distinct victims), with a
Wilson score interval. It relies on the force linking a person's records under one
`victim_id`; a victim recorded under two ids is counted as two people, so the share is a lower
bound. It has no comparator: the public series count offences, not people.

**Comparators.** The pooled statistical-neighbour rate is the sum of the neighbours' counts
divided by the sum of their populations of the same age (never a mean of rates), from the
public comparator series (monthly counts by area, summed over the period's months). A
neighbour missing any month of the period, or its population, is left out of the pool and
named in the `note` column; the area's row says how many neighbours the pool rests on
(`neighbours_with_data` of `neighbours_listed`), and residents are told when it is fewer
than half. The region (London) rate comes from the same series. The area's
own rate from that series (`series_count`, `series_rate`) is a cross-check on the extract:
the two sources differ in recording date and in how repeat and unknown-age victims are
handled.

**Benchmark.** Fingertips "single overlapping confidence interval" rule: the area is
"Similar" when the comparator value lies inside the area's interval, "Higher" when the whole
interval is above it and "Lower" when it is below. It is applied with the 95% interval
(`comparison_95`) and the 99.8% interval (`comparison_998`); findings use the 95% result.

**SNA from public data alone.** When the configuration has no victim extract
(`victim_extract: false`), the metrics are the public proxies the configuration names (flagged
`proxy`, e.g. MPS violence with injury for all ages in place of knife crime with injury among
under-25s): every row's definition says which. The area's count then comes from the same
public comparator series as its neighbours' (`count_source`), counted as offences recorded by
the police in the period's months, and its rate uses residents of the definition's ages.

**Caveats.** Small counts give wide intervals, and a year-on-year change in a crude rate is
not a trend test (see the trend measures). Police recorded crime depends on reporting and
recording practice. The rates are not age-standardised: they compare people of the same age
band, and a borough with more young adults than children within the band can differ for that
reason.
"""


def rolling_period(end_month: str) -> Period:
    """The 12 months ending with ``end_month`` ('YYYY-MM').

    Its population year is the year of its sixth month, which is the mid-year (30 June)
    nearest the period's centre.
    """
    end = pd.Period(end_month, freq="M")
    start = end - 11
    return Period(
        label=f"12 months to {end_month}",
        start=start,
        end=end,
        population_year=(start + 5).year,
    )


def reporting_periods(settings: Settings) -> list[Period]:
    """Every financial year of the window, oldest first, then the rolling 12 months."""
    years = settings.years
    last_month = f"{years[-1] + 1}-03"
    return [financial_year_period(y) for y in years] + [rolling_period(last_month)]


def count_victims(victims: pd.DataFrame, definition: Definition, period: Period) -> int:
    """Distinct victims per offence meeting ``definition`` with an offence start in ``period``."""
    rows = select_definition(victims, definition)
    rows = rows.loc[period.contains(rows["offence_start_date"])]
    return int(len(rows[["offence_id", "victim_id"]].drop_duplicates()))


def repeat_victim_row(
    victims: pd.DataFrame,
    definition: Definition,
    period: Period,
    settings: Settings,
    area_code: str,
) -> dict[str, Any]:
    """Share of the period's victims (distinct ``victim_id``) of ``definition`` who were
    victims of two or more of its offences in that period, with a Wilson interval."""
    rows = select_definition(victims, definition)
    rows = rows.loc[period.contains(rows["offence_start_date"])]
    offences_per_victim = rows[["offence_id", "victim_id"]].drop_duplicates()["victim_id"]
    per_victim = offences_per_victim.value_counts()
    people, repeat = int(per_victim.size), int((per_victim >= 2).sum())
    confidence = settings.statistics.confidence
    row: dict[str, Any] = {
        "measure_id": f"{definition.id}_repeat_victim_share",
        "definition": definition_text(definition, settings),
        "area_code": area_code,
        "period": period.label,
        "group": AREA_GROUP,
        "numerator": repeat,
        "denominator": people,
        "unit": "share of victims (distinct people)",
        "method": "Wilson score interval",
        "confidence": confidence,
        "count_source": SOURCE_EXTRACT,
    }
    if people == 0:
        return {**row, "note": "no victims in the period"}
    share = proportion_ci(repeat, people, confidence)
    return {
        **row,
        "value": float(share["value"].iloc[0]),
        "lower": float(share["lower"].iloc[0]),
        "upper": float(share["upper"].iloc[0]),
    }


def pooled_neighbours(
    comparators: pd.DataFrame,
    population: pd.DataFrame,
    neighbours: Sequence[tuple[str, str]],
    definition: Definition,
    period: Period,
) -> tuple[int, int, list[str], list[str]]:
    """Sum of neighbours' counts and populations over a period (never a mean of rates).

    Returns (count, population, included codes, missing descriptions); a neighbour with a
    month or its population missing is left out and described in the last list.
    """
    count = pop = 0
    included: list[str] = []
    missing: list[str] = []
    for code, name in neighbours:
        n = series_count(comparators, code, definition.id, period.months)
        p = population_with_fallback(
            population, code, period.population_year, definition.age_from, definition.age_to
        )
        if n is None:
            missing.append(f"{name} ({code}): no comparator series for every month")
        elif p is None:
            missing.append(f"{name} ({code}): no population")
        else:
            count += n
            pop += p[0]
            included.append(code)
    return count, pop, included, missing


def _rate_columns(count: int, population: int, settings: Settings) -> dict[str, Any]:
    """Rate, interval at the configured confidence, and both benchmark-level intervals."""
    stats_cfg = settings.statistics
    per = stats_cfg.rate_per
    main = rate_ci(count, population, multiplier=per, confidence=stats_cfg.confidence)
    b95 = rate_ci(count, population, multiplier=per, confidence=BENCHMARK_LEVELS[0])
    b998 = rate_ci(count, population, multiplier=per, confidence=BENCHMARK_LEVELS[1])
    exact = main["method"].iloc[0] == "Exact"
    return {
        "numerator": count,
        "denominator": population,
        "value": float(main["value"].iloc[0]),
        "lower": float(main["lower"].iloc[0]),
        "upper": float(main["upper"].iloc[0]),
        "method": "Crude rate; exact Poisson interval (fewer than 10 events)"
        if exact
        else "Crude rate; Byar's interval",
        "confidence": float(stats_cfg.confidence),
        "lower_95": float(b95["lower"].iloc[0]),
        "upper_95": float(b95["upper"].iloc[0]),
        "lower_998": float(b998["lower"].iloc[0]),
        "upper_998": float(b998["upper"].iloc[0]),
    }


def _benchmark(area: Mapping[str, Any], comparator_rate: float | None) -> tuple[str, str]:
    """Fingertips comparison of the area's 95% and 99.8% intervals with a comparator rate."""
    if comparator_rate is None:
        return "Not compared", "Not compared"
    c95 = fingertips_compare(comparator_rate, area["lower_95"], area["upper_95"])
    c998 = fingertips_compare(comparator_rate, area["lower_998"], area["upper_998"])
    return str(c95), str(c998)


def _unit(definition: Definition, settings: Settings) -> str:
    per = settings.statistics.rate_per
    return f"per {per:,} {residents_phrase(definition)}"


#: Where the area's own count comes from (column ``count_source``).
SOURCE_EXTRACT = "victim extract"
SOURCE_SERIES = "public comparator series (no victim extract)"


def area_count(
    victims: pd.DataFrame | None,
    comparators: pd.DataFrame,
    definition: Definition,
    period: Period,
    area_code: str,
) -> tuple[int, str]:
    """The area's count in a period and where it comes from: its victim extract, or (without
    one) its own public comparator series, which must have every month of the period."""
    if victims is not None:
        return count_victims(victims, definition, period), SOURCE_EXTRACT
    count = series_count(comparators, area_code, definition.id, period.months)
    if count is None:
        raise ValueError(
            f"comparators: area {area_code} has no {definition.id} count for every month of "
            f"{period.label} ({period.months[0]} to {period.months[-1]}; column month); without "
            "a victim extract the area's own series gives its count"
        )
    return count, SOURCE_SERIES


def _population_note(period: Period, year_used: int) -> str:
    if year_used == period.population_year:
        return ""
    return f"mid-{period.population_year} population not available; mid-{year_used} used"


def _metric_rows(
    definition: Definition,
    period: Period,
    *,
    victims: pd.DataFrame | None,
    comparators: pd.DataFrame,
    population_la: pd.DataFrame,
    neighbours: Sequence[tuple[str, str]],
    settings: Settings,
    area_code: str,
) -> list[dict[str, Any]]:
    """The area, pooled-neighbour and region rows of one metric in one period."""
    base = {
        "measure_id": f"{definition.id}_rate",
        "definition": definition_text(definition, settings),
        "area_code": area_code,
        "period": period.label,
        "unit": _unit(definition, settings),
        "population_year": period.population_year,
    }
    ages = (definition.age_from, definition.age_to)
    area_pop = population_with_fallback(population_la, area_code, period.population_year, *ages)
    if area_pop is None:
        raise ValueError(
            f"population_la has no population for area {area_code} aged {ages[0]}-{ages[1]} "
            f"at or before mid-{period.population_year}; the {definition.id} rate needs it"
        )
    count, source = area_count(victims, comparators, definition, period, area_code)
    area = {**base, "group": AREA_GROUP, **_rate_columns(count, area_pop[0], settings)}
    area["count_source"] = source
    area["population_year"] = area_pop[1]
    notes = [_population_note(period, area_pop[1])]

    own_series = series_count(comparators, area_code, definition.id, period.months)
    area["series_count"] = own_series
    area["series_rate"] = (
        own_series / area_pop[0] * settings.statistics.rate_per if own_series is not None else None
    )

    rows = [area]
    n_count, n_pop, included, missing = pooled_neighbours(
        comparators, population_la, neighbours, definition, period
    )
    neighbour_rate = None
    if included:
        pooled = {**base, "group": NEIGHBOURS_GROUP, **_rate_columns(n_count, n_pop, settings)}
        # The mid-year the pooled residents are from, like the area's and the region's rows
        # (the latest earlier mid-year when the period's own is not supplied; the latest of
        # the neighbours' mid-years if they differ).
        pooled["population_year"] = max(
            population_with_fallback(population_la, code, period.population_year, *ages)[1]
            for code in included
        )
        neighbour_rate = pooled["value"]
        pooled["note"] = "; ".join(
            [f"pooled over {len(included)} of {len(neighbours)} neighbours: {', '.join(included)}"]
            + [f"missing: {m}" for m in missing]
        )
        rows.append(pooled)
    else:
        notes.append("no statistical neighbour has data for this period")
    notes += [f"neighbour missing: {m}" for m in missing]
    area["comparator_value"] = neighbour_rate
    # How many of the listed neighbours the pooled rate rests on (it can be one borough).
    area["neighbours_with_data"] = len(included)
    area["neighbours_listed"] = len(neighbours)
    area["comparison_95"], area["comparison_998"] = _benchmark(area, neighbour_rate)

    region = settings.region
    region_count = series_count(comparators, region.code, definition.id, period.months)
    region_pop = population_with_fallback(population_la, region.code, period.population_year, *ages)
    region_rate = None
    if region_count is not None and region_pop is not None:
        region_row = {
            **base,
            "group": region.name,
            **_rate_columns(region_count, region_pop[0], settings),
        }
        region_row["population_year"] = region_pop[1]
        region_row["note"] = _population_note(period, region_pop[1])
        region_rate = region_row["value"]
        rows.append(region_row)
    else:
        notes.append(f"{region.name} ({region.code}) has no comparator series or population")
    area["region_value"] = region_rate
    area["region_comparison_95"], area["region_comparison_998"] = _benchmark(area, region_rate)
    area["note"] = "; ".join(n for n in notes if n)
    return rows


def compute(
    *,
    comparators: pd.DataFrame,
    population_la: pd.DataFrame,
    neighbours: pd.DataFrame,
    settings: Settings,
    area_code: str,
    victims: pd.DataFrame | None = None,
    areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The key-metric table: area, pooled neighbours and region, per metric and period.

    Without a victim extract (``victims=None``, an SNA from public data) the area's counts
    come from its own comparator series. ``areas`` is accepted for a uniform call signature;
    names come from the neighbour list and the configuration.
    """
    neighbour_list = neighbour_codes(neighbours, area_code)
    rows: list[dict[str, Any]] = []
    for definition in metric_definitions(settings):
        for period in reporting_periods(settings):
            rows += _metric_rows(
                definition,
                period,
                victims=victims,
                comparators=comparators,
                population_la=population_la,
                neighbours=neighbour_list,
                settings=settings,
                area_code=area_code,
            )
    if victims is not None:
        key = settings.definitions.key_metric
        rows += [
            repeat_victim_row(victims, key, period, settings, area_code)
            for period in reporting_periods(settings)
        ]
    table = tidy(rows)
    table["note"] = table["note"].fillna("").astype(str)
    # Counts stay whole numbers in the CSV even where some rows have none.
    table["series_count"] = table["series_count"].astype("Int64")
    return table
