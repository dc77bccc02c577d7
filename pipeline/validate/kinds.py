"""Which inputs a configuration reads: those shared by every area (validated once) and those
each area supplies, and the raw file name of each. The workflow and the demo preview both
read these lists, so an input kind is added in one place."""

from __future__ import annotations

from pipeline.settings import Settings

#: Inputs shared by every area, validated once per run.
_SHARED = ("areas", "neighbours", "comparators", "population_la", "deprivation")
#: With a police victim extract (the normal case): victims and what they are read against.
_AREA_WITH_VICTIMS = (
    "lsoas",
    "victims",
    "population_lsoa",
    "schools",
    "school_calendar",
    "actions",
    "boundaries",
)
#: An SNA from public data alone: LSOA recorded-crime counts stand in for the victim extract.
_AREA_PUBLIC = ("lsoas", "population_lsoa", "boundaries", "lsoa_counts")


def has_victim_extract(settings: Settings) -> bool:
    """True unless the configuration says ``victim_extract: false`` (public data alone)."""
    return settings.victim_extract


def shared_kinds(settings: Settings) -> tuple[str, ...]:
    """Input kinds read once for all areas, in validation order."""
    if has_victim_extract(settings):
        return (*_SHARED, "population_ethnicity")
    # IoD File 10 summaries, written by the public build when it is given the file.
    return (*_SHARED, "deprivation_la") if settings.iod_la_summaries else _SHARED


def area_kinds(settings: Settings) -> tuple[str, ...]:
    """Input kinds each area supplies; ``lsoas`` comes first because every other area input
    is checked against the area's LSOA list."""
    if has_victim_extract(settings):
        return _AREA_WITH_VICTIMS
    # MPS ward-level counts, written by the public build when it is given the ward files.
    return (*_AREA_PUBLIC, "ward_crime") if settings.ward_crime else _AREA_PUBLIC


def optional_area_kinds(settings: Settings) -> tuple[str, ...]:
    """Area inputs an edition may add, validated with the others but read from the files its
    configuration names rather than from the area's folder: stop and search (police.uk files,
    config ``stop_search``). An edition without the key has none, and is built as if the kind
    did not exist."""
    return ("stop_search",) if settings.stop_search is not None else ()


def raw_filename(kind: str) -> str:
    """The file name an input kind has in its raw folder."""
    return "lsoa_boundaries.geojson" if kind == "boundaries" else f"{kind}.csv"
