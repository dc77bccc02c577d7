"""Strategy monitoring: outcome indicators for the four domains, and the action tracker.

The indicators are read from the other measure families' tables through a data-driven map
(:data:`INDICATORS`), so that changing what a domain is judged by means editing one list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.families.common import (
    describe_definitions,
    school_age_definition,
    tidy,
)
from pipeline.families.rate_ratio import poisson_rate_ratio
from pipeline.formatting import financial_year_label
from pipeline.settings import Settings
from pipeline.stats import rate_ratio_katz

#: The strategy's domains, in the order the strategy sets them out, with a plain description.
DOMAINS: dict[str, str] = {
    "Strengthen": "building the resilience of communities and young people",
    "Support": "early, targeted support for those most at risk",
    "Treat": "support to recover for those affected by violence",
    "Curtail": "preventing, disrupting and responding to violence",
}
ACTION_STATUSES: tuple[str, ...] = ("Not started", "On track", "At risk", "Complete")
#: Financial years (by the year they start) that COVID-19 made unusual as a baseline, and
#: what to tell residents about each. 2020-21 held the lockdowns of spring 2020, November 2020
#: and January-March 2021, when recorded violence fell; 2021-22 began under restrictions that
#: were lifted in July 2021. (2019-20 had only its last week in lockdown, so it is not listed.)
PANDEMIC_YEARS: dict[int, str] = {
    2020: "included the COVID-19 lockdowns, when less violence was recorded than usual",
    2021: "began under COVID-19 restrictions",
}
IMPROVING, WORSENING, NO_CLEAR_CHANGE, NO_BASELINE, NOT_AVAILABLE = (
    "Improving",
    "Worsening",
    "No clear change",
    "No baseline",
    "Not available",
)


@dataclass(frozen=True)
class Indicator:
    """An outcome indicator: which family table and row it comes from, and which way is good.

    ``measure`` may name configured definitions in braces (``{key_metric}``,
    ``{under_18_metric}``, ``{serious_violence_u25}``, ``{school_age}``), replaced by their ids.
    ``label`` may name a definition's id, short label, ages or residents
    (``{key_metric.short_label}``, ``{key_metric.residents}``; see
    :func:`~pipeline.families.common.describe_definitions`), so that a public proxy is
    labelled as itself.
    ``group`` picks one row when the measure has several (None: the measure has one row per
    period); it may use the same placeholders, and ``{under_18_group}``. ``kind`` is "rate"
    (numerator / population, compared by a Poisson rate ratio) or "share" (numerator /
    denominator, compared by a ratio of proportions).
    """

    domain: str
    label: str
    family: str
    measure: str
    group: str | None
    kind: str
    lower_is_better: bool = True


#: The default outcome indicators of each domain (edit here to change them).
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "Strengthen",
        "share of school-day incidents against school-age children that "
        "start in the after-school window",
        "timing",
        "{school_age}_after_school_share",
        None,
        "share",
    ),
    Indicator(
        "Support",
        "share of {serious_violence_u25.short_label} in the most deprived 20% of neighbourhoods",
        "deprivation",
        "{serious_violence_u25}_most_deprived_20_share",
        None,
        "share",
    ),
    Indicator(
        "Support",
        "share of victims of {key_metric.short_label} who were victims more than once in the year",
        "key_metric",
        "{key_metric}_repeat_victim_share",
        None,
        "share",
    ),
    Indicator(
        "Treat",
        "share of under-18 victims of {key_metric.short_label} who were black boys",
        "disproportionality",
        "{key_metric}_headline_share",
        "Black Male {under_18_group}",
        "share",
    ),
    Indicator(
        "Curtail",
        "rate of {key_metric.short_label} (per 100,000 {key_metric.residents})",
        "key_metric",
        "{key_metric}_rate",
        "Area",
        "rate",
    ),
    Indicator(
        "Curtail",
        "rate of {under_18_metric.short_label} (per 100,000 {under_18_metric.residents})",
        "key_metric",
        "{under_18_metric}_rate",
        "Area",
        "rate",
    ),
)

METHOD = """\
**Strategy monitoring.** The strategy's four domains (Strengthen, Support, Treat, Curtail) are
each followed by outcome indicators taken from the measure tables above (the list is kept in
`pipeline/families/monitoring/measures.py`, `INDICATORS`): Strengthen by the share of school-day
incidents against school-age children that start in the after-school window; Support by the
share of serious violence in the most deprived 20% of neighbourhoods and the share of
knife-crime victims who were repeat victims; Treat by the share of under-18 knife-crime
victims who were black boys; Curtail by the key metric and the under-18 knife-crime rate. For
each, the baseline is the first financial year of the window and the latest value the edition
year. The change is tested, not just described: for rates, the ratio latest/baseline of two
Poisson rates with the exact conditional interval; for shares, the ratio of two proportions
with the Katz log interval. An indicator is "Improving" only when the whole interval lies on
the better side of 1 (lower is better for every default indicator), "Worsening" when it lies
on the worse side, and otherwise "No clear change". An indicator with no baseline value is
shown with its latest value and "No baseline"; one whose table or row is not available is
listed as "Not available" rather than dropped. **COVID-19:** when the baseline year is
2020-21 (the lockdowns, when recorded violence fell) or 2021-22 (which began under
restrictions), a change measured from it may say more about the pandemic than about the
strategy; the resident report says so beside each domain's first comparison with that year,
and the technical text beside every one. In an SNA from public data alone
(`victim_extract: false`) the rate indicators are the configured public proxies, labelled as
such, and the indicators that need victim records are "Not available".

**Action tracker.** The council's action file (`actions.csv`: domain, action, owner, due date,
status) is counted by domain and status. An action is overdue when its due date is before
the publication date and its status is not Complete. Outcome indicators describe the
borough, not the effect of any one action: a change cannot be credited to the strategy
without a comparison group.
"""


# --------------------------------------------------------------------------------------------
# Outcome indicators
# --------------------------------------------------------------------------------------------


def resolve_measure(template: str, settings: Settings) -> str:
    """Replace ``{definition_key}`` placeholders with the configured definition ids, and
    ``{under_18_group}`` with the label of the configured age group the under-18 metric ends
    with (e.g. 'Under 18')."""
    definitions = settings.definitions
    ids = {key: definition.id for key, definition in definitions.metrics.items()}
    ids["school_age"] = school_age_definition(settings).id
    under_18_to = definitions.under_18_metric.age_to
    labels = [g.label for g in definitions.age_groups if g.age_to == under_18_to]
    if labels:
        ids["under_18_group"] = str(labels[0])

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in ids:
            raise ValueError(f"monitoring indicator {template!r}: unknown definition {key!r}")
        return ids[key]

    return re.sub(r"\{(\w+)\}", replace, template)


def resolve_label(template: str, settings: Settings) -> str:
    """An indicator label with its definitions' placeholders filled in
    (:func:`~pipeline.families.common.describe_definitions`)."""
    return describe_definitions(template, settings)


def indicator_row(
    tables: Mapping[str, pd.DataFrame],
    family: str,
    measure_id: str,
    group: str | None,
    period: str,
) -> tuple[pd.Series | None, str]:
    """The table row of an indicator in one period, or None and the reason it is missing."""
    table = tables.get(family)
    if table is None:
        return None, f"no {family} table"
    rows = table.loc[(table["measure_id"] == measure_id) & (table["period"] == period)]
    if group is not None:
        rows = rows.loc[rows["group"] == group]
    if rows.empty:
        which = f" ({group})" if group is not None else ""
        return None, f"{measure_id}{which} not in the {family} table for {period}"
    if len(rows) > 1:
        raise ValueError(
            f"monitoring: {len(rows)} rows of {measure_id} in the {family} table for "
            f"{period}; the indicator needs a group to pick one"
        )
    row = rows.iloc[0]
    if not pd.isna(row["denominator"]) and float(row["denominator"]) == 0:
        return None, f"{measure_id}: {NOTHING_TO_MEASURE} in {period}"
    if pd.isna(row["value"]) or pd.isna(row["numerator"]) or pd.isna(row["denominator"]):
        return None, f"{measure_id} not computed for {period}"
    return row, ""


#: Why an indicator has no value in a year with nothing to count (a share of 0 of 0).
NOTHING_TO_MEASURE = "nothing to measure (0 of 0)"


def change_ratio(
    latest: pd.Series, baseline: pd.Series, kind: str, confidence: float
) -> dict[str, float]:
    """Ratio latest/baseline with its interval (Poisson rates or proportions)."""
    x1, n1 = float(latest["numerator"]), float(latest["denominator"])
    x0, n0 = float(baseline["numerator"]), float(baseline["denominator"])
    if kind == "rate":
        result = poisson_rate_ratio(int(x1), n1, int(x0), n0, confidence)
        return {k: result[k] for k in ("value", "lower", "upper")}
    if kind == "share":
        if n1 <= 0 or n0 <= 0:
            return {"value": np.nan, "lower": np.nan, "upper": np.nan}
        ratio = rate_ratio_katz(x1, n1, x0, n0, confidence)
        return {k: float(ratio[k].iloc[0]) for k in ("value", "lower", "upper")}
    raise ValueError(f"monitoring indicator kind {kind!r} is not 'rate' or 'share'")


NONE_IN_EITHER_YEAR = "none in either year: no change, and the ratio 0/0 is not defined"


def none_in_either(row: Mapping[str, Any]) -> bool:
    """True when an indicator counted nothing in the baseline year and nothing in the latest."""
    counts = (row.get("numerator"), row.get("baseline_numerator"))
    return all(not pd.isna(c) and float(c) == 0 for c in counts)


def change_status(lower: float, upper: float, lower_is_better: bool) -> str:
    """Improving / Worsening only when the whole interval of the ratio is on one side of 1."""
    if any(pd.isna(v) for v in (lower, upper)):
        return NOT_AVAILABLE
    if upper < 1:
        return IMPROVING if lower_is_better else WORSENING
    if lower > 1:
        return WORSENING if lower_is_better else IMPROVING
    return NO_CLEAR_CHANGE


def slug(text: str) -> str:
    """A short id from text: 'Curtail' -> 'curtail'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def indicator_rows(
    tables: Mapping[str, pd.DataFrame],
    indicators: Sequence[Indicator],
    settings: Settings,
    area_code: str,
) -> list[dict[str, Any]]:
    """One row per indicator: latest value and interval, baseline, change and status."""
    confidence = settings.confidence
    baseline_period = financial_year_label(settings.years[0])
    latest_period = financial_year_label(settings.edition_year)
    rows = []
    numbers: dict[str, int] = {}
    for indicator in indicators:
        numbers[indicator.domain] = number = numbers.get(indicator.domain, 0) + 1
        measure_id = resolve_measure(indicator.measure, settings)
        label = resolve_label(indicator.label, settings)
        try:
            group = (
                resolve_measure(indicator.group, settings) if indicator.group is not None else None
            )
        except ValueError as unresolved:
            # e.g. {under_18_group} when no configured age group ends at the under-18
            # metric's age (a public proxy of all ages): listed as not available, with why.
            group, unresolved_reason = indicator.group, str(unresolved)
        else:
            unresolved_reason = ""
        if unresolved_reason:
            latest, latest_reason = None, unresolved_reason
            baseline, baseline_reason = None, unresolved_reason
        else:
            latest, latest_reason = indicator_row(
                tables, indicator.family, measure_id, group, latest_period
            )
            baseline, baseline_reason = indicator_row(
                tables, indicator.family, measure_id, group, baseline_period
            )
        row: dict[str, Any] = {
            "measure_id": f"monitoring_{slug(indicator.domain)}_{number}",
            "definition": label,
            "area_code": area_code,
            "period": f"{baseline_period} to {latest_period}",
            "group": indicator.domain,
            "numerator": np.nan,
            "denominator": np.nan,
            "value": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "unit": "",
            "method": "",
            "confidence": confidence,
            "indicator": label,
            "source_family": indicator.family,
            "source_measure_id": measure_id,
            "source_group": group if group is not None else "",
            "kind": indicator.kind,
            "direction": "lower is better" if indicator.lower_is_better else "higher is better",
            "latest_period": latest_period,
            "baseline_period": baseline_period,
            "baseline_numerator": np.nan,
            "baseline_denominator": np.nan,
            "baseline_value": np.nan,
            "baseline_lower": np.nan,
            "baseline_upper": np.nan,
            "change_ratio": np.nan,
            "change_lower": np.nan,
            "change_upper": np.nan,
            "status": NOT_AVAILABLE,
            "note": "",
        }
        if latest is not None:
            row.update(
                numerator=latest["numerator"],
                denominator=latest["denominator"],
                value=float(latest["value"]),
                lower=float(latest["lower"]),
                upper=float(latest["upper"]),
                unit=str(latest["unit"]),
            )
        if baseline is not None:
            row.update(
                baseline_numerator=baseline["numerator"],
                baseline_denominator=baseline["denominator"],
                baseline_value=float(baseline["value"]),
                baseline_lower=float(baseline["lower"]),
                baseline_upper=float(baseline["upper"]),
            )
        if latest is None or baseline is None:
            reasons = [r for r in (latest_reason, baseline_reason) if r]
            row["note"] = "; ".join(dict.fromkeys(reasons))
            if latest is not None:
                row["status"] = NO_BASELINE
        else:
            change = change_ratio(latest, baseline, indicator.kind, confidence)
            row.update(
                change_ratio=change["value"],
                change_lower=change["lower"],
                change_upper=change["upper"],
                status=change_status(change["lower"], change["upper"], indicator.lower_is_better),
            )
            row["method"] = (
                "ratio of Poisson rates latest/baseline, exact conditional interval"
                if indicator.kind == "rate"
                else "ratio of proportions latest/baseline, Katz log interval"
            )
            if none_in_either(row):
                # 0 then and 0 now: no change, though the ratio 0/0 is not defined.
                row["status"] = NO_CLEAR_CHANGE
                row["note"] = NONE_IN_EITHER_YEAR
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# Action tracker
# --------------------------------------------------------------------------------------------


def check_actions(actions: pd.DataFrame) -> None:
    """Raise if an action names a domain or status outside the contract."""
    for column, allowed in (("domain", tuple(DOMAINS)), ("status", ACTION_STATUSES)):
        bad = ~actions[column].isin(allowed)
        if bad.any():
            raise ValueError(
                f"actions: row(s) {actions.index[bad].tolist()[:5]} have a {column} outside "
                f"{list(allowed)} (e.g. {actions.loc[bad, column].astype(str).tolist()[:3]})"
            )


def overdue_mask(actions: pd.DataFrame, publication_date: pd.Timestamp) -> pd.Series:
    """Actions due before the publication date that are not Complete."""
    due = pd.to_datetime(actions["due_date"])
    return (due < publication_date) & (actions["status"] != "Complete")


def action_rows(actions: pd.DataFrame, settings: Settings, area_code: str) -> list[dict[str, Any]]:
    """Counts by domain and status (every combination), overdue counts and overdue actions."""
    check_actions(actions)
    published = pd.Timestamp(settings.publication_date)
    period = f"at {published.date().isoformat()}"
    overdue = overdue_mask(actions, published)
    base = {
        "definition": "Strategy action tracker (council-maintained actions.csv)",
        "area_code": area_code,
        "period": period,
        "lower": np.nan,
        "upper": np.nan,
        "confidence": np.nan,
    }
    rows = []
    for domain in DOMAINS:
        in_domain = actions["domain"] == domain
        total = int(in_domain.sum())
        for status in ACTION_STATUSES:
            count = int((in_domain & (actions["status"] == status)).sum())
            rows.append(
                {
                    **base,
                    "measure_id": "actions_by_status",
                    "group": f"{domain}: {status}",
                    "numerator": count,
                    "denominator": total,
                    "value": float(count),
                    "unit": "actions",
                    "method": "count",
                    "domain": domain,
                    "action_status": status,
                }
            )
        late = int((in_domain & overdue).sum())
        rows.append(
            {
                **base,
                "measure_id": "actions_overdue",
                "group": domain,
                "numerator": late,
                "denominator": total,
                "value": float(late),
                "unit": "actions",
                "domain": domain,
                "method": "count of actions due before the publication date and not Complete",
            }
        )
    listed = actions.loc[overdue].assign(due=pd.to_datetime(actions.loc[overdue, "due_date"]))
    order = {d: i for i, d in enumerate(DOMAINS)}
    listed = listed.assign(order=listed["domain"].map(order)).sort_values(
        ["order", "due", "action"], kind="stable"
    )
    for item in listed.to_dict("records"):
        rows.append(
            {
                **base,
                "measure_id": "action_overdue",
                "group": item["domain"],
                "numerator": 1,
                "denominator": 1,
                "value": 1.0,
                "unit": "action",
                "method": "due before the publication date and not Complete",
                "domain": item["domain"],
                "action": str(item["action"]),
                "owner": str(item["owner"]),
                "due_date": item["due"].date().isoformat(),
                "action_status": str(item["status"]),
            }
        )
    return rows


def no_tracker_row(settings: Settings, area_code: str) -> dict[str, Any]:
    """The row saying that no action tracker was supplied (e.g. an SNA from public data)."""
    published = pd.Timestamp(settings.publication_date).date().isoformat()
    return {
        "measure_id": "actions_not_supplied",
        "definition": "Strategy action tracker (council-maintained actions.csv)",
        "area_code": area_code,
        "period": f"at {published}",
        "group": "all domains",
        "numerator": np.nan,
        "denominator": np.nan,
        "value": np.nan,
        "lower": np.nan,
        "upper": np.nan,
        "unit": "actions",
        "method": "not computed",
        "confidence": np.nan,
        "note": "no action tracker supplied (actions.csv is the council's own file)",
    }


def compute(
    *,
    tables: Mapping[str, pd.DataFrame],
    settings: Settings,
    area_code: str,
    actions: pd.DataFrame | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> pd.DataFrame:
    """Monitoring table: outcome indicators by domain, then the action tracker (or a row
    saying none was supplied)."""
    rows = indicator_rows(tables, indicators, settings, area_code)
    if actions is None:
        rows.append(no_tracker_row(settings, area_code))
    else:
        rows += action_rows(actions, settings, area_code)
    table = tidy(rows)
    for column in ("note", "status", "action_status", "action", "owner", "due_date", "domain"):
        if column in table.columns:
            table[column] = table[column].fillna("").astype(str)
    return table
