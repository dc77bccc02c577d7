"""Which adapter reads a file, from its header: so that a public file given where another is
expected (the ward-level crime file where the borough file goes, IoD File 10 where File 1 goes)
stops with one line naming the adapter and configuration key that read it, not only with the
columns it lacks.

Only header names are looked at (case and surrounding spaces ignored); nothing is imported from
the adapters, which import this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFormat:
    """A public file format: what it is, how its header is recognised, who reads it."""

    key: str
    name: str
    adapter: str
    #: Where the public-data build takes it from ('' when the build does not read it yet).
    config_key: str
    matches: Callable[[set[str]], bool]


def _has(*names: str) -> Callable[[set[str]], bool]:
    wanted = {n.casefold() for n in names}
    return lambda header: wanted <= header


def _matching(*patterns: str) -> Callable[[set[str]], bool]:
    """Every pattern matches some header name in full (vintage-free codes: 'wd\\d{2}cd')."""
    compiled = [re.compile(p) for p in patterns]
    return lambda header: all(any(c.fullmatch(h) for h in header) for c in compiled)


def _starts(*prefixes: str) -> Callable[[set[str]], bool]:
    return lambda header: all(any(h.startswith(p) for h in header) for p in prefixes)


KNOWN_FORMATS: tuple[KnownFormat, ...] = (
    KnownFormat(
        "mps_ward",
        "an MPS ward-level crime file",
        "read_mps_ward_crime (pipeline/adapters/mps_ward.py)",
        "public_sources.mps_ward_crime",
        _has("WardCode", "MajorText", "MinorText"),
    ),
    KnownFormat(
        "mps_borough",
        "an MPS borough-level crime file",
        "read_mps_borough_crime (pipeline/adapters/mps_borough.py)",
        "public_sources.mps_borough_crime",
        _has("BoroughName", "MajorText", "MinorText"),
    ),
    KnownFormat(
        "lsoa_bestfit",
        "the ONS LSOA (2011) to LSOA (2021) best-fit lookup",
        "read_lsoa_bestfit_lookup (pipeline/adapters/lsoa_bridge.py)",
        "public_sources.lsoa_bestfit_lookup",
        _has("LSOA11CD", "LSOA21CD", "CHGIND"),
    ),
    KnownFormat(
        "lsoa_ward",
        "an ONS LSOA to electoral ward lookup",
        "read_lsoa_ward_lookup (pipeline/adapters/ward_lookup.py)",
        "public_sources.lsoa_ward_lookup",
        _matching(r"lsoa\d{2}cd", r"wd\d{2}cd"),
    ),
    KnownFormat(
        "police_uk_street",
        "a police.uk street-level crime CSV",
        "read_police_uk_street (pipeline/adapters/police_uk.py)",
        "public_sources.police_uk_street.paths",
        _has("Crime ID", "Reported by", "Crime type"),
    ),
    KnownFormat(
        "police_uk_stop_search",
        "a police.uk stop-and-search CSV",
        "read_police_uk_stop_search (pipeline/adapters/police_uk_stop_search.py)",
        "stop_search.files",
        _has("Type", "Date", "Officer-defined ethnicity", "Object of search"),
    ),
    KnownFormat(
        "mps_lsoa",
        "an MPS annual crime by LSOA file",
        "read_mps_lsoa_annual (pipeline/adapters/mps_lsoa.py)",
        "public_sources.mps_lsoa_crime",
        _has("LSOA11CD", "LAD11CD"),
    ),
    KnownFormat(
        "iod_file10",
        "IoD File 10 (local authority district summaries)",
        "read_iod_la_summaries (pipeline/adapters/iod_summaries.py)",
        "public_sources.iod_la_summaries",
        _starts("local authority district code (", "imd - average rank", "imd - average score"),
    ),
    KnownFormat(
        "iod_file1",
        "IoD File 1 (IMD rank and decile by LSOA)",
        "read_iod_file1 (pipeline/adapters/iod.py)",
        "public_sources.iod2019 or iod2025",
        _starts("lsoa code (", "index of multiple deprivation (imd) rank"),
    ),
)


def known_format(header: Iterable[object]) -> KnownFormat | None:
    """The known format whose header this is, or None."""
    names = {str(h).strip().casefold() for h in header if h is not None}
    return next((f for f in KNOWN_FORMATS if f.matches(names)), None)


def wrong_file_hint(header: Iterable[object], expected: str | None) -> str:
    """'; this is an MPS ward-level crime file, read by ... (...)' when the header is a known
    format other than ``expected`` (a :attr:`KnownFormat.key`; None for an adapter of a format
    not listed here), else ''."""
    if expected is not None and expected not in {f.key for f in KNOWN_FORMATS}:
        raise ValueError(f"unknown format key {expected!r}")
    found = known_format(header)
    if found is None or found.key == expected:
        return ""
    where = (
        f", configuration key {found.config_key}"
        if found.config_key
        else ", which the public-data build does not read yet"
    )
    return f"; this is {found.name}: read it with {found.adapter}{where}"


def wrong_file_hint_rows(rows: Iterable[Iterable[object]], expected: str | None) -> str:
    """:func:`wrong_file_hint` for the first row (of a spreadsheet's top rows, say) that is
    the header of a known format other than ``expected``; '' when none is."""
    for row in rows:
        hint = wrong_file_hint(row, expected)
        if hint:
            return hint
    return ""
