"""What a public-data configuration names: its public files (``public_sources``), its areas
(London boroughs) and proxy measures, the files the build reads and writes, and a copy of it for
another borough."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.adapters.mps_borough import LONDON_BOROUGHS, LONDON_CODE, MPS_BOROUGHS, PROXY_MEASURES
from pipeline.public_definitions import API_KEY, POLICE_UK_KEY, POLICE_UK_MEASURES
from pipeline.runtime import UserFacingError
from pipeline.settings import Definition, Settings

#: Where every source row the build could not use is listed, beside the shared folder.
EXCLUSIONS_FILE = "adapter-exclusions.csv"
BOUNDARIES_FILE = "lsoa_boundaries.geojson"
#: An area's ward counts, written only when MPS ward files are configured (``mps_ward_crime``).
WARD_CRIME_FILE = "ward_crime.csv"
#: Path, size and sha256 of every public file the build read, beside the shared folder: the
#: edition's provenance and its data-sources section name them.
SOURCES_READ_FILE = "public-sources-read.json"
#: The areas' and neighbours' IoD File 10 rows, written only with ``iod_la_summaries``.
DEPRIVATION_LA_FILE = "deprivation_la.csv"
#: Where each comparator series came from (MPS or police.uk, and the force), in the shared
#: folder; written only when police.uk files are configured (``police_uk_street``).
COMPARATOR_SOURCES_FILE = "comparator_sources.csv"


class PublicBuildError(UserFacingError, ValueError):
    """The configuration or the public files cannot give the SNA inputs; the message says why."""


@dataclass(frozen=True)
class Sources:
    """Resolved paths of the public files named in ``public_sources``."""

    mps_borough_crime: list[Path]
    #: MPS annual LSOA files, one per major category, with the category each holds (the
    #: file has no category column: its configuration entry names it). Empty: the areas' LSOA
    #: counts come from the police.uk street files.
    mps_lsoa_crime: list[tuple[Path, str | None]]
    ons_mye2: list[Path]
    #: One file per mid-year (each year's LSOA rates use the latest at or before it).
    ons_sape_lsoa: list[Path]
    lsoa_bestfit_lookup: Path
    lsoa21_boundaries: Path
    dfe_neighbours: Path
    dfe_la_codes: Path
    iod2025: Path | None
    iod2019: Path | None
    #: police.uk street-level files or folders (``police_uk_street.paths``), the LSOA-to-LA
    #: lookup that adds them up to local authorities, and the force (file-name slug) of an LA
    #: where named (``forces``). Empty/None without ``police_uk_street``.
    police_uk_street: list[Path] = field(default_factory=list)
    police_uk_lookup: Path | None = None
    police_uk_forces: Mapping[str, str] = field(default_factory=dict)
    #: MPS ward-level files (``mps_ward_crime``); empty without the key.
    mps_ward_crime: list[Path] = field(default_factory=list)
    #: IoD File 10 workbooks (``iod_la_summaries``, one per vintage); empty without the key.
    iod_la_summaries: list[Path] = field(default_factory=list)
    #: ONS LSOA (2021) to ward (2022) best-fit lookup (``lsoa_ward_lookup``): ward residents,
    #: so the ward table has rates. None without the key.
    lsoa_ward_lookup: Path | None = None
    #: Saved police.uk API street-crime answers (JSON files or folders, ``police_uk_api``): the
    #: areas' own crimes, put into their LSOAs by point in polygon. Empty without the key.
    police_uk_api: list[Path] = field(default_factory=list)


# The optional police.uk keys of ``public_sources`` (POLICE_UK_KEY: the street section;
# API_KEY: saved API answers, the areas' own crimes) are named in pipeline.public_definitions.


def resolve_sources(config: Mapping[str, Any], root: Path) -> Sources:
    """The public files of ``config['public_sources']``, relative to ``root``; each must exist."""
    if "public_sources" not in config:
        raise PublicBuildError("config has no public_sources: see config/public.yaml")
    given = dict(config["public_sources"])

    def existing(key: str, value: object) -> Path:
        path = root / str(value)
        if not path.is_file():
            raise PublicBuildError(
                f"public_sources.{key}: {path} does not exist (download it as described in "
                "docs/public-data.md, or correct the path in the config)"
            )
        return path

    def one(key: str) -> Path:
        return existing(key, given[key])

    def many(key: str) -> list[Path]:
        values = given[key] if isinstance(given[key], list) else [given[key]]
        return [existing(key, value) for value in values]

    if not given.get("iod2025") and not given.get("iod2019"):
        raise PublicBuildError("public_sources needs iod2025 or iod2019 (deprivation)")

    def present(key: str, values: list[Any], what: str) -> list[Path]:
        """Files or folders (which need only exist), each one line when it does not."""
        paths = [root / str(value) for value in values]
        for path in paths:
            if not path.exists():
                raise PublicBuildError(
                    f"public_sources.{key}: {path} does not exist ({what}: docs/public-data.md)"
                )
        return paths

    police_uk = dict(given.get(POLICE_UK_KEY) or {})
    street = present(f"{POLICE_UK_KEY}.paths", police_uk.get("paths", []),
                     "a police.uk street-level CSV or a folder of them")  # fmt: skip
    api = present(API_KEY, given.get(API_KEY) or [],
                  "saved police.uk API answers: JSON files or a folder of them")  # fmt: skip
    if not given.get("mps_lsoa_crime") and not street and not api:
        raise PublicBuildError(
            "public_sources needs mps_lsoa_crime (MPS boroughs), police_uk_street or "
            "police_uk_api (any force): the LSOA counts of the 'where' and deprivation measures "
            "come from one of them"
        )
    lookup = police_uk.get("lsoa_la_lookup")
    return Sources(
        mps_borough_crime=many("mps_borough_crime"),
        mps_lsoa_crime=(
            lsoa_files(given["mps_lsoa_crime"], existing) if given.get("mps_lsoa_crime") else []
        ),
        ons_mye2=many("ons_mye2"),
        ons_sape_lsoa=many("ons_sape_lsoa"),
        lsoa_bestfit_lookup=one("lsoa_bestfit_lookup"),
        lsoa21_boundaries=one("lsoa21_boundaries"),
        dfe_neighbours=one("dfe_neighbours"),
        dfe_la_codes=one("dfe_la_codes"),
        iod2025=one("iod2025") if given.get("iod2025") else None,
        iod2019=one("iod2019") if given.get("iod2019") else None,
        police_uk_street=street,
        police_uk_lookup=(
            existing(f"{POLICE_UK_KEY}.lsoa_la_lookup", lookup) if lookup is not None else None
        ),
        police_uk_forces={str(k): str(v) for k, v in (police_uk.get("forces") or {}).items()},
        mps_ward_crime=many("mps_ward_crime") if given.get("mps_ward_crime") else [],
        iod_la_summaries=many("iod_la_summaries") if given.get("iod_la_summaries") else [],
        lsoa_ward_lookup=one("lsoa_ward_lookup") if given.get("lsoa_ward_lookup") else None,
        police_uk_api=api,
    )


def lsoa_files(value: Any, existing: Any) -> list[tuple[Path, str | None]]:
    """``mps_lsoa_crime`` as (path, MPS major category) pairs: a path, or a list of paths or of
    ``{path, major_category}`` entries (a bare path's category is not stated)."""
    entries = value if isinstance(value, list) else [value]
    out: list[tuple[Path, str | None]] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            out.append((existing("mps_lsoa_crime", entry["path"]), str(entry["major_category"])))
        else:
            out.append((existing("mps_lsoa_crime", entry), None))
    return out


def check_lsoa_categories(
    files: list[tuple[Path, str | None]], offence_groups: list[str], definition_id: str
) -> None:
    """The LSOA files must hold what the "where" definition says it counts: every stated
    category one of its offence groups, each group in one file, and no category twice (its
    offences would be counted twice). Otherwise the reports would label one offence group's
    counts with another's name."""
    from pipeline.adapters.mps_borough import PROXY_MEASURES

    majors = sorted({c for level, cs in PROXY_MEASURES.values() if level == "major" for c in cs})
    stated = [c for _, c in files if c is not None]
    folded = Counter(c.casefold() for c in stated)
    unknown = [c for c in stated if c.casefold() not in {m.casefold() for m in majors}]
    if unknown:
        raise PublicBuildError(
            f"public_sources.mps_lsoa_crime: {unknown} are not MPS major categories; use "
            + ", ".join(majors)
        )
    repeated = sorted({c for c in stated if folded[c.casefold()] > 1})
    if repeated:
        raise PublicBuildError(
            f"public_sources.mps_lsoa_crime: {repeated} given in more than one file (counted twice)"
        )
    if len(files) > 1 and len(stated) < len(files):
        raise PublicBuildError(
            "public_sources.mps_lsoa_crime: with several files, name each one's "
            "major_category ({path: ..., major_category: Robbery})"
        )
    if stated and set(folded) != {g.casefold() for g in offence_groups}:
        raise PublicBuildError(
            f"public_sources.mps_lsoa_crime holds {sorted(stated)} but definitions."
            f"serious_violence_u25 ({definition_id}) counts offence_groups "
            f"{sorted(offence_groups)}: the reports would label one with the other's name; "
            "make them the same"
        )


# --------------------------------------------------------------------------------------------
# Configuration checks
# --------------------------------------------------------------------------------------------


def area_codes(config: Mapping[str, Any]) -> list[str]:
    """Codes of the configured areas: London boroughs policed by the MPS or, with police.uk
    street files and no MPS LSOA file, any London area (the City of London, policed by the
    City of London Police), its series and LSOA counts from its force's files."""
    codes = [str(area["code"]) for area in config["areas"]]
    outside = [code for code in codes if code not in MPS_BOROUGHS]
    sources = config.get("public_sources") or {}
    from_police_uk = bool(sources.get(POLICE_UK_KEY) or sources.get(API_KEY)) and not sources.get(
        "mps_lsoa_crime"
    )
    if outside and not from_police_uk:
        raise PublicBuildError(
            f"areas: {outside} are not London boroughs policed by the Metropolitan Police, and "
            f"the MPS files cover those only; choose from {', '.join(MPS_BOROUGHS)}, or build "
            f"from the area's force's police.uk files (public_sources.{POLICE_UK_KEY} or "
            f"{API_KEY}, without mps_lsoa_crime: docs/public-data.md)"
        )
    if outside:
        measures = [str(config["definitions"][k]["id"]) for k in ("key_metric", "under_18_metric")]
        cannot = [m for m in measures if m not in POLICE_UK_MEASURES]
        if cannot:
            raise PublicBuildError(
                f"areas {outside} are built from police.uk files, which cannot give "
                f"definitions key_metric/under_18_metric {cannot} (police.uk publishes "
                f"'Violence and sexual offences' as one type); use {sorted(POLICE_UK_MEASURES)}"
            )
    if config["region"]["code"] != LONDON_CODE:
        raise PublicBuildError(
            f"region.code must be {LONDON_CODE} (London), not {config['region']['code']}: the "
            "region's series is the sum of the 32 MPS boroughs, and a region outside London "
            "would need every one of its forces' files (not built)"
        )
    return codes


def proxy_measures(config: Mapping[str, Any]) -> list[str]:
    """The borough-level proxy measures: the ids of key_metric and under_18_metric."""
    definitions = config["definitions"]
    ids = [str(definitions[key]["id"]) for key in ("key_metric", "under_18_metric")]
    unknown = [i for i in ids if i not in PROXY_MEASURES]
    if unknown:
        raise PublicBuildError(
            f"definitions key_metric/under_18_metric: ids {unknown} are not MPS proxy measures; "
            f"use one of {sorted(PROXY_MEASURES)}"
        )
    typed = Settings.of(config).definitions
    for key, measure in zip(("key_metric", "under_18_metric"), ids, strict=True):
        check_label_names(typed.metric(key), [measure.replace("_", " ")], "its proxy measure id")
    return list(dict.fromkeys(ids))


def check_label_names(definition: Definition, contents: list[str], source: str) -> None:
    """A public definition's label and short label must name what its counts hold (each of
    ``contents``, case-blind), so that the reports never print one offence's counts under
    another's name (pointing a file at violence counts while the label says weapons)."""

    def folded(text: str) -> str:
        return " ".join(str(text).replace("_", " ").split()).casefold()

    for field_name in ("label", "short_label"):
        text = getattr(definition, field_name)
        missing = [c for c in contents if folded(c) not in folded(text)]
        if missing:
            raise PublicBuildError(
                f"definitions.{definition.key}.{field_name} {text!r} does not name {missing}, "
                f"which its counts hold ({source}): the reports would print them under another "
                "name; name them in label and short_label"
            )


#: Files a shapefile is read with (besides the .shp itself), where present.
SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg")


def source_files(config: Mapping[str, Any], root: Path | str = ".") -> list[Path]:
    """Every public file the build reads (relative to ``root``), shapefile parts included:
    for a workflow rule's inputs and the provenance record."""
    given = dict(config["public_sources"])
    police_uk = dict(given.pop(POLICE_UK_KEY, None) or {})
    api = [Path(v) for v in given.pop(API_KEY, None) or []]
    paths: list[Path] = []
    for value in given.values():
        for v in value if isinstance(value, list) else [value]:
            paths.append(Path(v["path"] if isinstance(v, Mapping) else v))
    paths += police_uk_files(police_uk, Path(root))
    paths += api_files(api, Path(root))
    for path in list(paths):
        if path.suffix.casefold() == ".shp":
            paths += [
                path.with_suffix(part)
                for part in SHAPEFILE_PARTS
                if (Path(root) / path.with_suffix(part)).is_file()
            ]
    return sorted(set(paths))


def police_uk_files(section: Mapping[str, Any], root: Path) -> list[Path]:
    """The files of a ``police_uk_street`` section (relative to ``root``): its lookup, and its
    folders expanded to the street CSVs the reader takes (a folder's other files are not
    read). A path not there yet is listed as given, so the workflow reports it missing."""
    from pipeline.adapters import AdapterError
    from pipeline.adapters.police_uk import street_files

    if not section:
        return []
    files: list[Path] = []
    for value in section.get("paths", []):
        path = Path(value)
        try:
            found = street_files(root / path)[0] if (root / path).is_dir() else []
        except AdapterError:  # no street files in it: the build says so in one line
            found = []
        files += [path / p.relative_to(root / path) for p in found] or [path]
    lookup = section.get("lsoa_la_lookup")
    if lookup is not None:
        files.append(Path(lookup))
    return files


def api_files(paths: list[Path], root: Path) -> list[Path]:
    """The saved API answers of ``police_uk_api`` (relative to ``root``), folders expanded to
    the JSON files the reader takes; a path not there yet (or an empty folder) is listed as
    given, so the workflow reports it."""
    from pipeline.adapters import AdapterError
    from pipeline.adapters.police_uk_api import json_files

    files: list[Path] = []
    for path in paths:
        try:
            found = json_files(root / path) if (root / path).is_dir() else []
        except AdapterError:  # no answers in it: the build says so in one line
            found = []
        files += [path / f.relative_to(root / path) for f in found] or [path]
    return files


def output_paths(config: Mapping[str, Any]) -> list[Path]:
    """The files :func:`write_public_inputs` writes (for a workflow rule's outputs)."""
    shared = Path(config["shared_inputs"])
    paths = [shared / f"{kind}.csv" for kind in
             ("comparators", "population_la", "neighbours", "areas", "deprivation")]  # fmt: skip
    for area in config["areas"]:
        folder = Path(area["inputs"])
        paths += [folder / f"{kind}.csv" for kind in ("lsoas", "population_lsoa", "lsoa_counts")]
        if (config["public_sources"] or {}).get("mps_ward_crime"):
            paths.append(folder / WARD_CRIME_FILE)
        paths.append(folder / BOUNDARIES_FILE)
    if (config["public_sources"] or {}).get("iod_la_summaries"):
        paths.append(shared / DEPRIVATION_LA_FILE)
    paths.append(shared.parent / EXCLUSIONS_FILE)
    paths.append(shared.parent / SOURCES_READ_FILE)
    if (config["public_sources"] or {}).get(POLICE_UK_KEY) or (config["public_sources"] or {}).get(
        API_KEY
    ):
        paths.append(shared / COMPARATOR_SOURCES_FILE)
    return sorted(paths)


# --------------------------------------------------------------------------------------------
# Another borough
# --------------------------------------------------------------------------------------------

#: The council's own text for the resident report, when building a borough other than the
#: configured one (generic wording, to be replaced by the council's).
GENERIC_NARRATIVE = "config/narrative/demo-generic.yaml"


def borough_slug(name: str) -> str:
    """Folder name of a public build: 'Waltham Forest' -> 'waltham-forest-public'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + "-public"


def config_for_borough(
    config: Mapping[str, Any], code: str, narrative: str = GENERIC_NARRATIVE
) -> dict[str, Any]:
    """A copy of ``config`` that builds the London borough ``code`` instead of its areas."""
    if code not in MPS_BOROUGHS:
        raise PublicBuildError(
            f"{code} is not a London borough policed by the Metropolitan Police; choose from "
            + ", ".join(f"{c} {LONDON_BOROUGHS[c]}" for c in MPS_BOROUGHS)
        )
    name = LONDON_BOROUGHS[code]
    slug = borough_slug(name)
    # Its own folders and dataset, so that it never overwrites another borough's inputs.
    dataset = f"public-{slug.removesuffix('-public')}"
    root = Path(config["shared_inputs"]).parent.parent / dataset
    copied = dict(config)
    copied["dataset"] = dataset
    copied["shared_inputs"] = (root / "shared").as_posix()
    copied["areas"] = [
        {
            "code": code,
            "slug": slug,
            "name": name,
            "inputs": (root / slug).as_posix(),
            "narrative": narrative,
        }
    ]
    return copied
