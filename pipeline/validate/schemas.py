"""The data contracts as pandera models: one ``DataFrameModel`` per input, listed in
:data:`MODELS`.

These models are the executable form of ``docs/data-contracts.md`` and the source of the data
dictionary (``python -m pipeline.validate.dictionary``). Each describes the *typed* frame: text
is parsed into numbers, dates and Y/N flags by :func:`pipeline.validate.rules.parse_values`
before the model is checked, so that unreadable values are reported by source line.

The models themselves are in :mod:`~pipeline.validate.victim_models`,
:mod:`~pipeline.validate.statistics_models` and :mod:`~pipeline.validate.context_models`, built
from :mod:`~pipeline.validate.fields`. Importing this module defines them all, so the
cross-field rules read from here are complete.
"""

from __future__ import annotations

import functools
from typing import Any

import pandera.pandas as pa

from pipeline.validate.context_models import (
    Actions,
    Areas,
    Boundaries,
    Lsoas,
    Neighbours,
    SchoolCalendar,
    Schools,
)
from pipeline.validate.fields import CROSS_FIELD_RULES, lookup_cross_field_rule
from pipeline.validate.rules import KeepRule
from pipeline.validate.statistics_models import (
    Comparators,
    Deprivation,
    DeprivationLA,
    PopulationEthnicity,
    PopulationLA,
    PopulationLSOA,
)
from pipeline.validate.victim_models import LsoaCounts, Victims, WardCrime

__all__ = [
    "CROSS_FIELD_RULES",
    "EMPTY_ROW_REASON",
    "MODELS",
    "input_metadata",
    "keep_rules",
    "lookup_cross_field_rule",
    "personal_inputs",
]

#: The model of every input kind, in the order the data dictionary lists them.
MODELS: dict[str, type[pa.DataFrameModel]] = {
    "victims": Victims,
    "comparators": Comparators,
    "population_la": PopulationLA,
    "population_lsoa": PopulationLSOA,
    "population_ethnicity": PopulationEthnicity,
    "deprivation": Deprivation,
    "deprivation_la": DeprivationLA,
    "lsoas": Lsoas,
    "neighbours": Neighbours,
    "areas": Areas,
    "schools": Schools,
    "school_calendar": SchoolCalendar,
    "actions": Actions,
    "boundaries": Boundaries,
    "lsoa_counts": LsoaCounts,
    "ward_crime": WardCrime,
}

#: Rows that are blank in every column are excluded from every input under this reason.
EMPTY_ROW_REASON = "empty row"


def input_metadata(kind: str) -> dict[str, Any]:
    """The model-level metadata of an input (file name, title, keep rules, unique rule)."""
    return dict(MODELS[kind].__config__.metadata or {})


@functools.cache
def personal_inputs() -> frozenset[str]:
    """Inputs of personal data (``personal_data`` in their metadata): the victim extract. Their
    messages never show values, and a header that is not one is never echoed."""
    return frozenset(kind for kind in MODELS if input_metadata(kind).get("personal_data"))


def keep_rules(kind: str) -> tuple[KeepRule, ...]:
    """The keep-and-count rules of an input, exclusions first as they are applied."""
    return tuple(input_metadata(kind).get("keep_rules", ()))
