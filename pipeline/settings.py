"""Settings, resolved once from the validated configuration.

Everything the pipeline reads from the configuration goes through here:

* :class:`Settings` is the typed, read-only view of the validated configuration that every
  module takes (``settings.edition``, ``settings.window.years``,
  ``settings.definitions.key_metric``, ``settings.statistics.confidence``,
  ``settings.threshold(circulation)``, ...). Each section is resolved on first read, so a
  stage given only its part of the configuration still works;
* what each workflow stage may read: :data:`STAGE_KEYS` names the top-level configuration keys
  of each stage, and :func:`stage_settings` gives a rule exactly those (its ``params``), so a
  change to a key re-runs only the rules whose stage reads it. A stage that reads a key its
  rule does not pass stops with :class:`UndeclaredSetting` (also from ``.get``, which would
  otherwise return its default silently).

No other module indexes the configuration mapping (``tests/test_architecture.py`` checks);
``pipeline.config_checks`` validates the raw file before it gets here, and
``pipeline.public.configuration`` writes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.public_definitions import labelled_definitions

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
        # Optional: MPS ward files among them add the wards family (Settings.ward_crime).
        "public_sources",
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
        # Optional: its presence adds the stop-and-search table to those the charts read.
        "stop_search",
        # Optional: MPS ward files among them add the ward table (Settings.ward_crime).
        "public_sources",
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


#: The two circulations: the public edition (anything residents or the press can read) and
#: the internal one (``pipeline.editions`` lays out their trees).
PUBLIC = "public"
INTERNAL = "internal"

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


# --------------------------------------------------------------------------------------------
# The typed view
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """One configured offence definition (``definitions.<key>``): offence groups, weapons, an
    injury and a domestic-abuse flag (``None`` means "any") and an inclusive victim age
    range. ``proxy`` marks a public-data stand-in for the measure it is named after."""

    key: str
    id: str
    label: str
    short_label: str
    offence_groups: tuple[str, ...]
    weapons: tuple[str, ...]
    injury: bool | None
    domestic_abuse: bool | None
    age_from: int
    age_to: int
    proxy: bool = False

    @classmethod
    def of(cls, key: str, values: Mapping[str, Any]) -> Definition:
        def flag(name: str) -> bool | None:
            value = values.get(name)
            return None if value is None else bool(value)

        return cls(
            key=key,
            id=str(values["id"]),
            label=str(values.get("label", values["id"])),
            short_label=str(values.get("short_label", values.get("label", values["id"]))),
            # A definition read only from comparator series names no offences (the schema
            # requires them; selecting victims without them stops: select_definition).
            offence_groups=tuple(str(g) for g in values.get("offence_groups", ())),
            weapons=tuple(str(w) for w in values.get("weapons", ())),
            injury=flag("injury"),
            domestic_abuse=flag("domestic_abuse"),
            age_from=int(values["age_from"]),
            age_to=int(values["age_to"]),
            proxy=bool(values.get("proxy", False)),
        )

    def narrowed(self, *, id: str, label: str, age_from: int, age_to: int) -> Definition:
        """The same offences for a narrower age range (e.g. school-age victims)."""
        return replace(self, id=id, label=label, age_from=age_from, age_to=age_to)


@dataclass(frozen=True)
class AgeRange:
    """An inclusive age range, with the label the reports give it (may be empty)."""

    age_from: int
    age_to: int
    label: str = ""


@dataclass(frozen=True)
class HourWindow:
    """Hours of the day on the 24-hour clock, end exclusive (15 to 17: 3pm to 5pm)."""

    start_hour: int
    end_hour: int


#: The configured definitions that are offence definitions, in report order.
METRIC_KEYS: tuple[str, ...] = ("key_metric", "under_18_metric", "serious_violence_u25")


@dataclass(frozen=True)
class Definitions:
    """The versioned definitions (``definitions``); each part resolves on first read."""

    values: Mapping[str, Any] = field(repr=False)

    @cached_property
    def version(self) -> str:
        return str(self.values["version"])

    @cached_property
    def metrics(self) -> Mapping[str, Definition]:
        """Every offence definition configured, by key, in report order."""
        return {key: self.metric(key) for key in METRIC_KEYS if key in self.values}

    def metric(self, key: str) -> Definition:
        """A definition by its configuration key ('key_metric'), parsed on first read."""
        parsed = self.__dict__.setdefault("_parsed", {})
        if key not in parsed:
            if key not in self.values:
                raise KeyError(f"no offence definition {key!r} in the configuration's definitions")
            parsed[key] = Definition.of(key, self.values[key])
        return parsed[key]

    @property
    def key_metric(self) -> Definition:
        return self.metric("key_metric")

    @property
    def under_18_metric(self) -> Definition:
        return self.metric("under_18_metric")

    @property
    def serious_violence_u25(self) -> Definition:
        return self.metric("serious_violence_u25")

    @cached_property
    def age_groups(self) -> tuple[AgeRange, ...]:
        return tuple(
            AgeRange(int(g["age_from"]), int(g["age_to"]), str(g["label"]))
            for g in self.values["age_groups"]
        )

    @cached_property
    def school_age(self) -> AgeRange:
        ages = self.values["school_age"]
        return AgeRange(int(ages["age_from"]), int(ages["age_to"]))

    @cached_property
    def after_school_window(self) -> HourWindow:
        window = self.values["after_school_window"]
        return HourWindow(int(window["start_hour"]), int(window["end_hour"]))

    @cached_property
    def school_distance_m(self) -> float:
        return float(self.values["school_distance_m"])


@dataclass(frozen=True)
class Statistics:
    """Statistics settings (``statistics``); each resolves on first read."""

    values: Mapping[str, Any] = field(repr=False)

    @cached_property
    def confidence(self) -> float:
        """The headline confidence level (0.998 is always computed for benchmarking)."""
        return float(self.values["confidence"])

    @cached_property
    def rate_per(self) -> int:
        """Rates are per this many residents of the same age."""
        return int(self.values["rate_per"])

    @cached_property
    def hotspot_permutations(self) -> int:
        return int(self.values["hotspot_permutations"])

    @cached_property
    def hotspot_fdr(self) -> float:
        return float(self.values["hotspot_fdr"])

    @cached_property
    def random_seed(self) -> int:
        return int(self.values["random_seed"])

    @cached_property
    def sii_simulations(self) -> int:
        return int(self.values["sii_simulations"])


@dataclass(frozen=True)
class Region:
    """The region used as a second comparator (London)."""

    code: str
    name: str


@dataclass(frozen=True)
class Area:
    """One area the configuration builds: its code, slug, name, the folder of its own
    extracts and its narrative file."""

    code: str
    slug: str
    name: str
    inputs: str = ""
    narrative: str = ""

    @classmethod
    def of(cls, values: Mapping[str, Any] | Area) -> Area:
        if isinstance(values, Area):
            return values
        return cls(
            code=str(values["code"]),
            slug=str(values["slug"]),
            name=str(values["name"]),
            inputs=str(values.get("inputs", "")),
            narrative=str(values.get("narrative", "")),
        )


@dataclass(frozen=True)
class StopSearchFiles:
    """The optional police.uk stop-and-search input (``stop_search``): the files or folders
    to read, and whether they hold only the area's searches (every row kept, located or not;
    one area only) rather than a force's, found in the area by point in polygon."""

    files: tuple[str, ...]
    files_are_the_area: bool = False

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> StopSearchFiles:
        return cls(
            files=tuple(str(path) for path in values["files"]),
            files_are_the_area=bool(values.get("files_are_the_area", False)),
        )


@dataclass(frozen=True)
class Settings:
    """The validated configuration, typed and read-only (see the module docstring).

    Sections resolve on first read; a section whose key the stage was not given raises
    :class:`UndeclaredSetting` then, not before.
    """

    config: Mapping[str, Any] = field(repr=False)

    @classmethod
    def of(cls, config: Mapping[str, Any] | Settings) -> Settings:
        """The typed view of ``config`` (given a Settings, that Settings)."""
        return config if isinstance(config, Settings) else cls(config)

    def _section(self, key: str) -> Any:
        return self.config[key]

    def _public_source_given(self, key: str) -> bool:
        """Whether the public build is given the optional ``public_sources`` file ``key``."""
        return bool((self.config.get("public_sources") or {}).get(key))

    @cached_property
    def edition(self) -> str:
        """The edition label, '2024-25'."""
        return str(self._section("edition"))

    @cached_property
    def edition_year(self) -> int:
        """The edition's first calendar year, 2024 for '2024-25'."""
        return edition_start_year(self.edition)

    @cached_property
    def window(self) -> Window:
        return window_of(self.config)

    @cached_property
    def years(self) -> list[int]:
        """Start years of every financial year in the window, oldest first."""
        return list(self.window.years)

    @cached_property
    def publication_date(self) -> str:
        """The configured publication date, as written ('2025-07-01')."""
        return str(self._section("publication_date"))

    @cached_property
    def definitions(self) -> Definitions:
        # A public configuration's definitions without labels get them from what their
        # counts hold (pipeline/public_definitions.py).
        return Definitions(labelled_definitions(self.config))

    @cached_property
    def statistics(self) -> Statistics:
        return Statistics(self._section("statistics"))

    @property
    def confidence(self) -> float:
        """The headline confidence level."""
        return self.statistics.confidence

    @cached_property
    def region(self) -> Region:
        region = self._section("region")
        return Region(code=str(region["code"]), name=str(region["name"]))

    @cached_property
    def areas(self) -> tuple[Area, ...]:
        return tuple(Area.of(area) for area in self._section("areas"))

    def area_named(self, slug: str) -> Area:
        """The configured area with this slug."""
        for area in self.areas:
            if area.slug == slug:
                return area
        raise KeyError(f"no area with slug {slug!r} in the configuration")

    @cached_property
    def ethnicity_scheme(self) -> str:
        return str(self.config.get("ethnicity_scheme", "census2021"))

    @cached_property
    def neighbours_source(self) -> str | None:
        value = self.config.get("neighbours_source")
        return None if value is None else str(value)

    @cached_property
    def synthetic_data(self) -> bool:
        return bool(self.config.get("synthetic_data", False))

    @cached_property
    def victim_extract(self) -> bool:
        """False for an SNA from public data alone (no record-level victim extract)."""
        return bool(self.config.get("victim_extract", True))

    @cached_property
    def stop_search(self) -> StopSearchFiles | None:
        """The stop-and-search files, or None for an edition without them (it then has no
        stop-and-search input or family)."""
        values = self.config.get("stop_search")
        return None if values is None else StopSearchFiles.of(values)

    @cached_property
    def ward_crime(self) -> bool:
        """True when the public build is given MPS ward-level files
        (``public_sources.mps_ward_crime``): the area then has a ``ward_crime`` input and
        the edition a wards family."""
        return self._public_source_given("mps_ward_crime")

    @cached_property
    def iod_la_summaries(self) -> bool:
        """True when the public build is given IoD File 10 (``public_sources.
        iod_la_summaries``): the shared inputs then have ``deprivation_la``."""
        return self._public_source_given("iod_la_summaries")

    @cached_property
    def dataset(self) -> str:
        return str(self._section("dataset"))

    @cached_property
    def shared_inputs(self) -> Path:
        return Path(self._section("shared_inputs"))

    @cached_property
    def date_formats(self) -> tuple[str, ...]:
        return tuple(str(f) for f in self._section("input_formats")["date_formats"])

    def threshold(self, circulation: str) -> int:
        """The disclosure threshold of a circulation (:func:`disclosure_threshold`)."""
        return disclosure_threshold(self.config, circulation)

    @property
    def resident_threshold(self) -> int:
        """Counts from 1 to this are never shown in anything public."""
        return self.threshold(PUBLIC)

    @cached_property
    def technical_report_in_public_edition(self) -> bool:
        publish = self.config.get("publish") or {}
        return bool(publish.get("technical_report_in_public_edition", False))
