"""The building blocks of the input models: :func:`field` for a contract column and
:func:`cross_field_rule` for a Stop rule over several columns of a row.

Two kinds of rule, recorded in the models themselves:

* **stop** - every field check (``metadata["kind"] == "stop"``) and every cross-field check
  (:data:`CROSS_FIELD_RULES`): a broken rule stops the run with a message naming file, column,
  rule and lines.
* **keep** / **exclude** - :class:`~pipeline.validate.rules.KeepRule` objects listed in each
  model's ``Config.metadata["keep_rules"]``: the row is kept under a counted category, or
  excluded with a counted reason.

:data:`CROSS_FIELD_RULES` fills as the model modules are defined; read it through
:mod:`pipeline.validate.schemas`, which imports every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline.validate import rules as r


@dataclass(frozen=True)
class CrossFieldRule:
    """A Stop rule over several columns of a row, reported against ``column``."""

    rule: str
    column: str
    fix: str
    kind: str = "stop"


#: Every cross-field rule by name (the pandera check name).
CROSS_FIELD_RULES: dict[str, CrossFieldRule] = {}
#: The same rules by the name of their check function: pandera 0.35 sometimes reports an
#: inherited dataframe check under its function name.
_RULES_BY_FUNCTION: dict[str, CrossFieldRule] = {}


def cross_field_rule(rule: str, *, column: str, fix: str) -> Any:
    """Declare a Stop rule over a row: a pandera dataframe check reported against ``column``."""
    if rule in CROSS_FIELD_RULES:
        raise ValueError(f"cross-field rule {rule!r} declared twice")
    declared = CrossFieldRule(rule=rule, column=column, fix=fix)
    CROSS_FIELD_RULES[rule] = declared

    def decorate(check_fn: Any) -> Any:
        _RULES_BY_FUNCTION[check_fn.__name__] = declared
        return pa.dataframe_check(name=rule, description=fix)(check_fn)

    return decorate


def lookup_cross_field_rule(check_name: str) -> CrossFieldRule:
    """The cross-field rule behind a pandera check name (or its function name)."""
    return CROSS_FIELD_RULES.get(check_name) or _RULES_BY_FUNCTION[check_name]


def field(
    description: str,
    fmt: r.Format,
    *,
    value_required: bool = True,
    rule: str | None = None,
    fix: str | None = None,
    allowed: str | None = None,
    optional_column: bool = False,
    **checks: Any,
) -> Any:
    """A contract column: pandera checks plus the metadata the messages and dictionary use.

    ``rule`` names the field's value check in messages, ``fix`` tells the user what a good value
    looks like, ``allowed`` overrides the allowed-values text of the dictionary (for values that
    come from config), and ``optional_column`` lets the column be absent from the file.
    """
    metadata = {
        "format": fmt,
        "kind": "stop",
        "rule": rule,
        "fix": fix,
        "allowed": allowed,
        "optional_column": optional_column,
    }
    return pa.Field(
        description=description, nullable=not value_required, metadata=metadata, **checks
    )


def not_before(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """True where ``later`` is missing, ``earlier`` is missing, or later >= earlier."""
    return (later.isna() | earlier.isna() | (later >= earlier)).fillna(True).astype(bool)


#: British National Grid ranges of England, for easting and northing columns.
ENGLAND_EASTING = {"min_value": 0, "max_value": 700000}
ENGLAND_NORTHING = {"min_value": 0, "max_value": 1300000}
