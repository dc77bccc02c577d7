"""Disproportionality: who the victims of the key metric are, against who lives in the area.

Victims of the key metric in the edition year, counted as distinct persons, by ethnic group x
sex x age group, against the Census 2021 population of the same ethnic group, sex and ages:
victims' share, population share, share ratio (Wilson), rate ratio against everyone else
(Katz), percentage-point gap and rate; the share of victims whose ethnicity is not recorded;
and the headline "black boys under 18 were X% of under-18 victims and Y% of under-18
residents" with a sensitivity bound for the unknowns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.families.areas_and_periods import financial_year_period
from pipeline.families.common import (
    definition_text,
    distinct_victims,
    population_total,
    select_definition,
    tidy,
)
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings
from pipeline.stats import proportion_ci, rate_ci, rate_ratio_katz, share_ratio

#: Census 2021 high-level ethnic groups, in the order tables list them.
ETHNIC_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")
NOT_STATED = "Not stated"
SEXES: tuple[str, ...] = ("Male", "Female", "All")
#: The group the headline is about (with the configured under-18 age group).
HEADLINE_ETHNICITY = "Black"
HEADLINE_SEX = "Male"

#: Caveats printed next to every ethnicity figure (methods.md 2.4: MoJ, RDU, YJB).
CAVEATS: list[str] = [
    "No causative links can be drawn from these summary statistics. No controls have been "
    "applied for other characteristics (such as average income, geography, offence mix or "
    "offender history). Differences observed may indicate areas worth further investigation "
    "but should not be taken as evidence of bias or as direct effects of ethnicity "
    "(after Ministry of Justice, Statistics on Ethnicity and the Criminal Justice System).",
    "Three factors affect ethnic disparities in rates: geographic clustering, population "
    "changes and the number of people who do not report their ethnicity (Race Disparity "
    "Unit). A disparity for the whole area can mislead if groups live in different parts of "
    "it; the 'where' measures show the geography.",
    "Victims whose ethnicity is not recorded are left out of the shares and rates; their "
    "proportion is stated, and the headline share is also shown with every unknown counted "
    "as in the group and as not in it.",
    "The population is the Census 2021 estimate of residents by ethnic group, sex and age; "
    "using it for later years assumes the area's ethnic make-up has not changed since.",
    "Victims are counted as distinct persons: a person hurt more than once in the year counts "
    "once, so the shares describe people, not offences.",
    "Local numbers are small, so intervals are wide; a difference that is not statistically "
    "significant is not evidence of no difference, and one that is significant is not "
    "necessarily important for policy.",
]

METHOD = """\
**Victims.** Victims of the key metric (knife crime with injury, {key_metric.ages}, not domestic
abuse) whose offence started in the edition's financial year, counted as distinct persons
(a repeat victim once, at their first offence of the year), split into the configured age
groups by age at the offence. The victim's ethnic group is the Census 2021 high-level group
(police IC codes are mapped with the documented table, which has no Mixed category: with
`ethnicity_scheme: ic_code` the Mixed group's victims are not measured, so no share, ratio or
rate is given for it, and the resident text says the codes are the officer's view).

**Shares.** A group's victim share is its victims divided by the victims of the same age
group whose ethnicity and sex are both recorded, with a Wilson score interval. Its
population share is its residents divided by all residents of the same age group, from the
Census 2021 population by ethnic group, sex and age (year in `population_year`). When the
population's age bands do not match the age group exactly, the smallest run of whole bands
that covers it is used and the `note` says so (for example, an age group that starts at 1 is
set against residents from 0, where the census band starts). Sex "All" rows add male and
female victims and residents.

**Share ratio** (representation ratio) = victim share / population share, with the Wilson
limits of the share divided by the (fixed) population share. **Rate ratio** against everyone
else = (victims in the group / residents in the group) / (other victims of known ethnicity
and sex in the age group / other residents of the age group), with the Katz log interval.
The two answer different questions: twice the share can be four times the rate of everyone
else. **Gap** = victim share - population share, in percentage points, with the share's
interval. **Rate** = victims per 100,000 residents of the group (exact/Byar's interval),
against the Census population: a rate on known-ethnicity victims only, so it understates
every group by the share of unknowns.

**Headline.** Black boys (male, Black ethnic group) in the under-18 age group: their share
of under-18 victims of known ethnicity and sex, and their share of all residents of the same
ages (black boys / all residents, both sexes and every ethnic group). The share of under-18
victims whose ethnicity is not recorded is stated. Sensitivity bounds, among all under-18
victims: lower = black boys / all under-18 victims (every unknown counted as not a black
boy); upper = victims who could be black boys (ethnicity Black or not recorded, and sex male
or not recorded) / all under-18 victims. Residents read the range in the share's sentence;
where its width would reveal a count from 1 to the resident threshold (those who could be
black boys), the upper bound counts every victim of unrecorded ethnicity or sex instead.

**Headline by year.** The headline share is also given for every financial year of the
window (`<id>_headline_share`, same definition, Wilson interval), so that strategy monitoring
can compare the first year with the edition year. Victims are counted as distinct persons
within each year; the population shares stay those of the Census.

**No victims.** An age group with no victims of known ethnicity and sex in the edition year
(as in a small area) gives 0 of 0: no share, gap or ratio is defined, so none is given and
the `note` says why; each group's rate is 0 with its exact Poisson interval.
"""


@dataclass(frozen=True)
class AgeGroup:
    """A configured age group and the population age range used for it."""

    label: str
    age_from: int
    age_to: int
    population_from: int
    population_to: int

    @property
    def band_note(self) -> str:
        """Say when the population's ages differ from the victims' ages."""
        if (self.population_from, self.population_to) == (self.age_from, self.age_to):
            return ""
        return (
            f"victims aged {self.age_from}-{self.age_to} against residents aged "
            f"{self.population_from}-{self.population_to} (the population's age bands)"
        )


def population_year(population: pd.DataFrame, area_code: str, year: int) -> int:
    """The population year to use: the latest not after ``year``, else the earliest."""
    years = sorted({int(y) for y in population.loc[population["area_code"] == area_code, "year"]})
    if not years:
        raise ValueError(f"population_ethnicity has no rows for area {area_code}")
    before = [y for y in years if y <= year]
    return before[-1] if before else years[0]


def covering_ages(
    population: pd.DataFrame, area_code: str, year: int, age_from: int, age_to: int
) -> tuple[int, int]:
    """The smallest run of whole population bands covering ages ``age_from``-``age_to``."""
    rows = population.loc[(population["area_code"] == area_code) & (population["year"] == year)]
    low = rows.loc[(rows["age_from"] <= age_from) & (rows["age_to"] >= age_from), "age_from"]
    high = rows.loc[(rows["age_from"] <= age_to) & (rows["age_to"] >= age_to), "age_to"]
    if low.empty or high.empty:
        raise ValueError(
            f"population_ethnicity: area {area_code}, year {year} has no age band covering "
            f"ages {age_from}-{age_to}"
        )
    return int(low.min()), int(high.max())


def age_groups(
    population: pd.DataFrame, area_code: str, year: int, settings: Settings
) -> list[AgeGroup]:
    """The configured age groups with the population ages that cover each."""
    groups = []
    for group in settings.definitions.age_groups:
        lo, hi = covering_ages(population, area_code, year, group.age_from, group.age_to)
        groups.append(AgeGroup(group.label, group.age_from, group.age_to, lo, hi))
    return groups


def residents(
    population: pd.DataFrame,
    area_code: str,
    year: int,
    group: AgeGroup,
    ethnicity: str | None,
    sex: str,
) -> int:
    """Residents of an age group by ethnic group (None = everyone) and sex ('All' = both).

    Uses the 'All' ethnicity rows for everyone when the file has them, else adds the groups.
    """
    kwargs = {
        "area_codes": [area_code],
        "year": year,
        "age_from": group.population_from,
        "age_to": group.population_to,
        "sex": None if sex == "All" else sex,
    }
    if ethnicity is not None:
        return population_total(population, ethnicity=ethnicity, **kwargs)
    total = population_total(population, **kwargs)
    if total == 0:
        total = sum(population_total(population, ethnicity=e, **kwargs) for e in ETHNIC_GROUPS)
    return total


def edition_victims(victims: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Distinct persons who were victims of the key metric in the edition's financial year."""
    return year_victims(victims, settings, settings.edition_year)


def year_victims(victims: pd.DataFrame, settings: Settings, year: int) -> pd.DataFrame:
    """Distinct persons who were victims of the key metric in the financial year starting in
    April of ``year``."""
    period = financial_year_period(year)
    rows = select_definition(victims, settings.definitions.key_metric)
    rows = rows.loc[period.contains(rows["offence_start_date"])]
    return distinct_victims(rows)


def in_age_group(victims: pd.DataFrame, group: AgeGroup) -> pd.DataFrame:
    """Victims whose age at the offence lies in the group's (victim) age range."""
    age = victims["victim_age"]
    mask = (age >= group.age_from) & (age <= group.age_to)
    return victims.loc[mask.fillna(False).astype(bool)]


def group_label(ethnicity: str, sex: str, group: AgeGroup) -> str:
    """'Black Male Under 18', 'White All 18 to 24'."""
    return f"{ethnicity} {sex} {group.label}"


def _measure_row(
    base: Mapping[str, Any], suffix: str, numerator: int, denominator: int, **fields: Any
) -> dict[str, Any]:
    """One tidy row of a cell: ``<metric id>_<suffix>`` with its numbers."""
    return {
        **base,
        "measure_id": f"{base['measure_id']}_{suffix}",
        "numerator": numerator,
        "denominator": denominator,
        **fields,
    }


def _interval(frame: pd.DataFrame) -> dict[str, float]:
    """value/lower/upper of the first row of a pipeline.stats result."""
    row = frame.iloc[0]
    return {
        "value": float(row["value"]),
        "lower": float(row["lower"]),
        "upper": float(row["upper"]),
    }


def _cell_rows(
    base: Mapping[str, Any],
    *,
    x: int,
    n: int,
    cell_pop: int,
    total_pop: int,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Victim share, population share, gap, share ratio, rate ratio and rate of one cell.

    With no victims of known ethnicity and sex in the age group (``n`` = 0) the shares, gap
    and ratios are not defined: the victim share is given as 0 of 0 with no value, and the
    rate as 0 with its exact Poisson interval."""
    conf = settings.statistics.confidence
    pi = cell_pop / total_pop
    if n == 0:
        return _no_victim_rows(base, cell_pop=cell_pop, total_pop=total_pop, settings=settings)
    share = _interval(proportion_ci(x, n, conf))
    rows = [
        _measure_row(
            base, "victim_share", x, n, **share,
            unit="proportion of victims with known ethnicity and sex",
            method="Wilson score interval",
        ),
        _measure_row(
            base, "population_share", cell_pop, total_pop, value=pi,
            unit="proportion of residents of the same ages",
            method="Census 2021 population share (fixed, no interval)",
        ),
        _measure_row(
            base, "gap", x, n, **{k: (v - pi) * 100 for k, v in share.items()},
            unit="percentage points",
            method="Victim share minus population share; Wilson interval of the share",
        ),
    ]  # fmt: skip
    if cell_pop == 0:
        return rows
    rows.append(
        _measure_row(
            base, "share_ratio", x, n, **_interval(share_ratio(x, n, pi, conf)),
            unit="ratio of victim share to population share",
            method="Share ratio; Wilson interval of the share over the fixed population share",
            population_share=pi,
        )
    )  # fmt: skip
    rest_victims, rest_pop = n - x, total_pop - cell_pop
    if rest_pop > 0:
        rows.append(
            _measure_row(
                base, "rate_ratio", x, cell_pop,
                **_interval(rate_ratio_katz(x, cell_pop, rest_victims, rest_pop, conf)),
                unit="ratio of rates (group against everyone else)",
                method="Rate ratio against all other residents of the age group; "
                "Katz log interval",
                reference_numerator=rest_victims,
                reference_denominator=rest_pop,
            )
        )  # fmt: skip
    rows.append(_rate_row(base, x, cell_pop, settings))
    return rows


#: Notes of an age group without victims (the reports print them).
NO_VICTIMS_NOTE = "no victims were recorded in this age group"
NO_KNOWN_VICTIMS_NOTE = "no victims of known ethnicity and sex were recorded in this age group"


def _rate_row(base: Mapping[str, Any], x: int, cell_pop: int, settings: Settings) -> dict[str, Any]:
    """Victims per ``rate_per`` residents of the group (exact Poisson limits below 10)."""
    conf = settings.statistics.confidence
    per = settings.statistics.rate_per
    rate = rate_ci(x, cell_pop, multiplier=per, confidence=conf)
    interval = "exact Poisson" if rate["method"].iloc[0] == "Exact" else "Byar's"
    return _measure_row(
        base, "rate", x, cell_pop, **_interval(rate),
        unit=f"per {per:,} residents of the group (known-ethnicity victims)",
        method=f"Crude rate; {interval} interval",
    )  # fmt: skip


def _no_victim_rows(
    base: Mapping[str, Any], *, cell_pop: int, total_pop: int, settings: Settings
) -> list[dict[str, Any]]:
    """A cell of an age group with no victims of known ethnicity and sex: 0 of 0 victims (no
    share), the residents' share, and a rate of 0 with its exact interval."""
    nan = float("nan")
    rows = [
        _measure_row(
            base, "victim_share", 0, 0, value=nan, lower=nan, upper=nan,
            unit="proportion of victims with known ethnicity and sex",
            method="not defined (no victims)",
        ),
        _measure_row(
            base, "population_share", cell_pop, total_pop, value=cell_pop / total_pop,
            unit="proportion of residents of the same ages",
            method="Census 2021 population share (fixed, no interval)",
        ),
    ]  # fmt: skip
    if cell_pop > 0:
        rows.append(_rate_row(base, 0, cell_pop, settings))
    return rows


def _age_group_rows(
    people: pd.DataFrame,
    group: AgeGroup,
    *,
    population: pd.DataFrame,
    pop_year: int,
    settings: Settings,
    area_code: str,
    base: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Unknown-ethnicity share and every ethnicity x sex cell of one age group."""
    conf = settings.statistics.confidence
    victims = in_age_group(people, group)
    known_ethnicity = victims["ethnicity_group"].isin(ETHNIC_GROUPS)
    known_sex = victims["victim_sex"].isin(["Male", "Female"])
    known = victims.loc[known_ethnicity & known_sex]
    unknown_ethnicity = int((~known_ethnicity).sum())
    unknown_sex_only = int((known_ethnicity & ~known_sex).sum())
    note_parts = [group.band_note]
    if unknown_sex_only:
        noun = "victim" if unknown_sex_only == 1 else "victims"
        note_parts.append(
            f"{unknown_sex_only} {noun} of known ethnicity but unrecorded sex left out"
        )
    note = "; ".join(p for p in note_parts if p)
    rows: list[dict[str, Any]] = []
    # With no victims in the age group the shares are 0 of 0: not defined, and said so.
    unknown = (
        proportion_ci(unknown_ethnicity, len(victims), conf).iloc[0]
        if len(victims)
        else {"value": float("nan"), "lower": float("nan"), "upper": float("nan")}
    )
    rows.append(
        {
            **base,
            "measure_id": f"{base['measure_id']}_unknown_ethnicity_share",
            "group": f"{NOT_STATED} All {group.label}",
            "ethnicity": NOT_STATED,
            "sex": "All",
            "age_group": group.label,
            "numerator": unknown_ethnicity,
            "denominator": len(victims),
            "value": unknown["value"],
            "lower": unknown["lower"],
            "upper": unknown["upper"],
            "unit": "proportion of victims",
            "method": "Wilson score interval" if len(victims) else "not defined (no victims)",
            "note": "; ".join(p for p in (note, "" if len(victims) else NO_VICTIMS_NOTE) if p),
        }  # fmt: skip
    )
    total_pop = residents(population, area_code, pop_year, group, None, "All")
    if total_pop == 0:
        return rows
    if len(known) == 0:
        note = "; ".join(p for p in (note, NO_KNOWN_VICTIMS_NOTE) if p)
    for ethnicity in ETHNIC_GROUPS:
        for sex in SEXES:
            in_cell = known["ethnicity_group"] == ethnicity
            if sex != "All":
                in_cell &= known["victim_sex"] == sex
            cell = {
                **base,
                "group": group_label(ethnicity, sex, group),
                "ethnicity": ethnicity,
                "sex": sex,
                "age_group": group.label,
                "note": note,
            }
            cell_pop = residents(population, area_code, pop_year, group, ethnicity, sex)
            if not recorded_under(settings.ethnicity_scheme, ethnicity):
                rows += _unrecorded_rows(cell, n=len(known), cell_pop=cell_pop, total_pop=total_pop)
                continue
            rows += _cell_rows(
                cell, x=int(in_cell.sum()), n=len(known), cell_pop=cell_pop,
                total_pop=total_pop, settings=settings,
            )  # fmt: skip
    return rows


#: The note of an ethnic group the police scheme cannot record (IC codes have no Mixed).
IC_NO_MIXED_NOTE = (
    "not measured: police IC codes have no Mixed category, so no victim is recorded as Mixed "
    "(people of mixed ethnicity are counted in the group the officer chose)"
)


def recorded_under(scheme: str, ethnicity: str) -> bool:
    """False for a Census group the victims' ethnicity scheme has no code for (IC: Mixed)."""
    return not (scheme == "ic_code" and ethnicity == "Mixed")


def _unrecorded_rows(
    base: Mapping[str, Any], *, n: int, cell_pop: int, total_pop: int
) -> list[dict[str, Any]]:
    """A cell the scheme cannot record: its victims are 0 by construction, not measured, so
    no share, gap, ratio or rate is given (a 0 would read as a measured absence)."""
    nan = float("nan")
    note = "; ".join(p for p in (base.get("note", ""), IC_NO_MIXED_NOTE) if p)
    return [
        _measure_row(
            {**base, "note": note}, "victim_share", 0, n, value=nan, lower=nan, upper=nan,
            unit="proportion of victims with known ethnicity and sex",
            method="not measured (no such category in the victims' ethnicity codes)",
        ),
        _measure_row(
            {**base, "note": note}, "population_share", cell_pop, total_pop,
            value=cell_pop / total_pop,
            unit="proportion of residents of the same ages",
            method="Census 2021 population share (fixed, no interval)",
        ),
    ]  # fmt: skip


def headline_group(groups: list[AgeGroup], settings: Settings) -> AgeGroup:
    """The configured age group for the under-18 headline (ending at the under-18 metric's age)."""
    age_to = settings.definitions.under_18_metric.age_to
    for group in groups:
        if group.age_to == age_to:
            return group
    raise ValueError(
        f"config definitions.age_groups has no group ending at age {age_to} (the under-18 "
        "metric's upper age); the black boys headline needs one"
    )


def _sensitivity_row(
    people: pd.DataFrame, group: AgeGroup, base: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Headline share bounds with unknown ethnicity or sex all out of / all in the group."""
    victims = in_age_group(people, group)
    if len(victims) == 0:
        return None
    eth, sex = victims["ethnicity_group"], victims["victim_sex"]
    sure = int(((eth == HEADLINE_ETHNICITY) & (sex == HEADLINE_SEX)).sum())
    possible = int(
        (eth.isin([HEADLINE_ETHNICITY, NOT_STATED]) & sex.isin([HEADLINE_SEX, NOT_STATED])).sum()
    )
    known = int((eth.isin(ETHNIC_GROUPS) & sex.isin(["Male", "Female"])).sum())
    return {
        **base,
        "measure_id": f"{base['measure_id']}_headline_bounds",
        "group": group_label(HEADLINE_ETHNICITY, HEADLINE_SEX, group),
        "ethnicity": HEADLINE_ETHNICITY,
        "sex": HEADLINE_SEX,
        "age_group": group.label,
        "numerator": sure,
        "denominator": len(victims),
        "value": sure / known if known else float("nan"),
        "lower": sure / len(victims),
        "upper": possible / len(victims),
        "unit": "proportion of victims in the age group",
        "method": (
            "Sensitivity bounds among all victims of the age group: value = share among known "
            "ethnicity and sex; lower = unknowns counted as not in the group; upper = every "
            "victim of unknown ethnicity or sex who could be in it counted in it"
        ),
        "possible_numerator": possible,
        "known_denominator": known,
    }


def headline_share_rows(
    victims: pd.DataFrame, group: AgeGroup, settings: Settings, base: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The headline share (black boys among the age group's victims of known ethnicity and
    sex) in every financial year of the window, so that its change can be followed (strategy
    monitoring compares the first year with the edition year)."""
    conf = settings.statistics.confidence
    rows = []
    for year in settings.years:
        victims_of_year = in_age_group(year_victims(victims, settings, year), group)
        eth, sex = victims_of_year["ethnicity_group"], victims_of_year["victim_sex"]
        known = int((eth.isin(ETHNIC_GROUPS) & sex.isin(["Male", "Female"])).sum())
        black_boys = int(((eth == HEADLINE_ETHNICITY) & (sex == HEADLINE_SEX)).sum())
        row = {
            **base,
            "measure_id": f"{base['measure_id']}_headline_share",
            "period": financial_year_label(year),
            "group": group_label(HEADLINE_ETHNICITY, HEADLINE_SEX, group),
            "ethnicity": HEADLINE_ETHNICITY,
            "sex": HEADLINE_SEX,
            "age_group": group.label,
            "numerator": black_boys,
            "denominator": known,
            "unit": "proportion of victims with known ethnicity and sex",
            "method": "Wilson score interval",
        }
        if known:
            row |= _interval(proportion_ci(black_boys, known, conf))
        else:
            row["note"] = NO_KNOWN_VICTIMS_NOTE
        rows.append(row)
    return rows


#: What this family shows and the victim fields each part needs (for an SNA without a victim
#: extract, where the family is reported as not available rather than estimated).
NEEDS_VICTIM_DATA: dict[str, str] = {
    "victims by ethnic group, sex and age group against residents": "the age, sex and "
    "ethnicity of each victim",
    "black boys under 18: share of victims against share of residents": "the age, sex and "
    "ethnicity of each victim",
    "victims whose ethnicity is not recorded": "each victim's recorded ethnicity",
}


def compute(
    *,
    settings: Settings,
    area_code: str,
    victims: pd.DataFrame,
    population_ethnicity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The disproportionality table for the edition year. Without a victim extract the
    registry publishes the not-available table instead (public data have no victim's age, sex
    or ethnicity)."""
    if population_ethnicity is None:
        raise ValueError(
            "disproportionality needs population_ethnicity (Census 2021 population by ethnic "
            "group, age and sex) when there is a victim extract"
        )
    edition_year = settings.edition_year
    pop_year = population_year(population_ethnicity, area_code, edition_year)
    groups = age_groups(population_ethnicity, area_code, pop_year, settings)
    people = edition_victims(victims, settings)
    definition = settings.definitions.key_metric
    base = {
        "measure_id": definition.id,
        "definition": f"{definition_text(definition, settings)}; distinct persons",
        "area_code": area_code,
        "period": settings.edition,
        "confidence": settings.statistics.confidence,
        "population_year": pop_year,
    }
    rows: list[dict[str, Any]] = []
    for group in groups:
        rows += _age_group_rows(
            people, group, population=population_ethnicity, pop_year=pop_year,
            settings=settings, area_code=area_code, base=base,
        )  # fmt: skip
    bounds = _sensitivity_row(people, headline_group(groups, settings), base)
    if bounds is not None:
        rows.append(bounds)
    rows += headline_share_rows(victims, headline_group(groups, settings), settings, base)
    table = tidy(rows)
    table["note"] = table.get("note", pd.Series(pd.NA, index=table.index)).fillna("").astype(str)
    # Counts stay whole numbers in the CSV even where most rows have none.
    counts = ["reference_numerator", "reference_denominator", "possible_numerator"]
    for column in [*counts, "known_denominator"]:
        if column in table:
            table[column] = table[column].astype("Int64")
    return table
