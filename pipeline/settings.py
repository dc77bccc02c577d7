"""Settings, resolved once from the validated configuration.

Two things live here, and nowhere else:

* the values derived from the configuration: the window's financial years
  (:func:`window_of`), the edition's start year (:func:`edition_year`) and the disclosure
  threshold of a circulation (:func:`disclosure_threshold`);
* what each workflow stage may read: :data:`STAGE_KEYS` names the top-level configuration keys
  of each stage, and :func:`stage_settings` gives a rule exactly those (its ``params``), so a
  change to a key re-runs only the rules whose stage reads it. A stage that reads a key its
  rule does not pass stops with :class:`UndeclaredSetting` (also from ``.get``, which would
  otherwise return its default silently).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.editions import INTERNAL, PUBLIC

#: Top-level configuration keys each stage reads (found by running the demo and public
#: editions with nothing else passed). Rendering, provenance (which records the whole
#: configuration) and publishing take the whole configuration.
STAGE_KEYS: Mapping[str, tuple[str, ...]] = {
    "validation": (
        "definitions",
        "edition",
        "ethnicity_scheme",
        "input_formats",
        "region",
        # Optional: police.uk stop-and-search files and whether they hold only the area's.
        "stop_search",
        "victim_extract",
        "window",
    ),
    "measures": (
        # Area names, by code, for the tables' group labels.
        "areas",
        "definitions",
        # The findings quote counts only at or above the resident threshold.
        "disclosure",
        "edition",
        "ethnicity_scheme",
        "publication_date",
        "region",
        "statistics",
        # Optional: its presence adds the stop-and-search family (registry.edition_families).
        "stop_search",
        "victim_extract",
        "window",
    ),
    "charts": (
        "definitions",
        "disclosure",
        "edition",
        "ethnicity_scheme",
        # The trend chart's caption names where the statistical neighbours come from.
        "neighbours_source",
        "publish",
        "region",
        "statistics",
        "victim_extract",
        "window",
    ),
}


class UndeclaredSetting(KeyError):
    """A stage read a configuration key that its rule does not pass."""


class StageSettings(dict):  # type: ignore[type-arg]
    """The configuration keys of one stage, read-only; reading any other key stops.

    A ``dict`` so that Snakemake compares it, as a rule's params, by its repr: it re-runs a
    rule when its stage's part of the configuration changes, and ignores params of other
    types.
    """

    def __init__(self, stage: str, values: Mapping[str, Any]) -> None:
        super().__init__((key, values[key]) for key in STAGE_KEYS[stage] if key in values)
        self.stage = stage

    def _check(self, key: object) -> None:
        if key not in STAGE_KEYS[self.stage]:
            raise UndeclaredSetting(
                f"the {self.stage} stage read configuration key {key!r}, which its rule does "
                f"not pass; add it to STAGE_KEYS[{self.stage!r}] in pipeline/settings.py"
            )

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._check(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._check(key)
        return super().__contains__(key)

    def __reduce__(self) -> tuple[Any, ...]:
        return (StageSettings, (self.stage, dict(self)))


def stage_settings(config: Mapping[str, Any], stage: str) -> StageSettings:
    """The part of the configuration that ``stage`` reads (a rule's ``params``)."""
    return StageSettings(stage, config)


def edition_start_year(edition: str) -> int:
    """The first calendar year of an edition label: '2024-25' -> 2024."""
    return int(str(edition).split("-")[0])


def edition_year(config: Mapping[str, Any]) -> int:
    """Start year of the configured edition ('2024-25' -> 2024)."""
    return edition_start_year(str(config["edition"]))


@dataclass(frozen=True)
class Window:
    """The reporting window, in financial years named by their first calendar year."""

    first: int
    last: int

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))


def window_of(config: Mapping[str, Any]) -> Window:
    window = config["window"]
    return Window(int(window["first_financial_year"]), int(window["last_financial_year"]))


#: The disclosure threshold key of each circulation.
THRESHOLD_KEYS: Mapping[str, str] = {
    PUBLIC: "resident_threshold",
    INTERNAL: "technical_threshold",
}


def disclosure_threshold(config: Mapping[str, Any], circulation: str) -> int:
    """The disclosure threshold of a circulation: the resident threshold for anything public,
    the technical threshold for the internal edition."""
    if circulation not in THRESHOLD_KEYS:
        raise ValueError(f"circulation must be one of {tuple(THRESHOLD_KEYS)}, got {circulation!r}")
    return int(config["disclosure"][THRESHOLD_KEYS[circulation]])


def resident_threshold(config: Mapping[str, Any]) -> int:
    """The resident-report disclosure threshold: counts from 1 to it are never shown."""
    return disclosure_threshold(config, PUBLIC)
