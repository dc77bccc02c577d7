"""What the public definitions hold, and the labels derived from it.

police.uk's crime-type vocabulary lives here (:data:`POLICE_UK_MEASURES`, :data:`TYPE_GROUPS`)
beside the labels derived from it, in a module that imports nothing else of the pipeline, so
that :class:`~pipeline.settings.Settings` resolves the labels when it reads the definitions
(every entry point, and every rule's settings, then see the same names).

A public configuration (one with ``public_sources``) may leave out a definition's ``label``
and ``short_label`` or set them to null (what a ``--configfile`` must do, see
:data:`LABEL_FIELDS`); they are then written from what the counts hold, so that changing a
definition or its source file changes the name the reports print with it:

* ``key_metric`` and ``under_18_metric`` hold their proxy measure (its id, in words) from
  the MPS borough files and, where ``police_uk_street`` or ``police_uk_api`` is given and
  police.uk has the measure, from police.uk files too (areas and neighbours outside the MPS);
* ``serious_violence_u25`` (the "where" counts) holds the MPS LSOA major categories stated
  in ``mps_lsoa_crime`` (else its offence groups) or, without that file, the police.uk crime
  types that hold its offence groups (:func:`crime_types_holding`).

Each label also states the ages, the source and what the measure stands in for
(:data:`ROLES`). A label that is given is kept, and the public build still checks that it
names what its counts hold (:func:`~pipeline.public.configuration.check_label_names`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

#: Proxy measure id -> police.uk crime types. police.uk publishes "Violence and sexual
#: offences" as one type, so it cannot give violence with injury (the MPS files' minor
#: category) or homicide; those measures stay MPS-only.
POLICE_UK_MEASURES: dict[str, tuple[str, ...]] = {
    "possession_of_weapons": ("Possession of weapons",),
    "robbery": ("Robbery",),
    "violence_and_sexual_offences": ("Violence and sexual offences",),
}

#: police.uk crime type -> the offence groups of the contract's vocabulary
#: (:data:`~pipeline.validate.rules.OFFENCE_GROUPS`) it holds, for the types a "where"
#: definition can count.
TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "Possession of weapons": ("Possession of weapons",),
    "Robbery": ("Robbery",),
    "Violence and sexual offences": (
        "Homicide", "Violence with injury", "Violence without injury", "Sexual offences",
    ),
}  # fmt: skip

#: The public definitions, and what each stands in for (its label says so after the dash).
ROLES: dict[str, str] = {
    "key_metric": "a public proxy for knife crime with injury among under-25s",
    "under_18_metric": "a public proxy, not an under-18 measure",
    "serious_violence_u25": "a public proxy for serious violence against under-25s",
}
#: The fields derived when a public definition leaves them out or sets them to null (``label:
#: null`` is how a public configuration says so under ``--configfile``: Snakemake merges it
#: over config/config.yaml, whose victim-data labels would otherwise fill a key left out).
LABEL_FIELDS = ("label", "short_label")
#: The oldest age a definition may name: 0 to it is "all ages".
OLDEST = 120
#: The optional police.uk keys of ``public_sources``.
POLICE_UK_KEY = "police_uk_street"
API_KEY = "police_uk_api"


def crime_types_holding(offence_groups: Sequence[str]) -> tuple[list[str], list[str]]:
    """The police.uk crime types that hold ``offence_groups`` (a type counts only when every
    group in it is named), and the groups that no type counted holds (sorted)."""
    wanted = {str(g).strip().casefold() for g in offence_groups}
    types = sorted(t for t, groups in TYPE_GROUPS.items()
                   if {g.casefold() for g in groups} <= wanted)  # fmt: skip
    covered = {g.casefold() for t in types for g in TYPE_GROUPS[t]}
    rest = sorted(str(g) for g in offence_groups if str(g).strip().casefold() not in covered)
    return types, rest


def listed(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def ages_text(values: Mapping[str, Any]) -> str:
    age_from, age_to = int(values["age_from"]), int(values["age_to"])
    return "all ages" if age_from == 0 and age_to >= OLDEST else f"aged {age_from} to {age_to}"


def contents_and_sources(config: Mapping[str, Any], key: str) -> tuple[list[str], list[str]] | None:
    """What definition ``key``'s counts hold and the publishers of the files they come from;
    None when police.uk cannot count its offence groups (the build stops on that itself)."""
    values = config["definitions"][key]
    sources = config.get("public_sources") or {}
    police_uk = bool((sources.get(POLICE_UK_KEY) or {}).get("paths") or sources.get(API_KEY))
    if key != "serious_violence_u25":
        measure = str(values["id"])
        # police.uk files give a series only of the measures their crime types hold.
        from_police_uk = police_uk and measure in POLICE_UK_MEASURES
        return [measure.replace("_", " ")], ["MPS", *(["police.uk"] * from_police_uk)]
    groups = [str(g) for g in values.get("offence_groups", [])]
    if sources.get("mps_lsoa_crime"):
        entries = sources["mps_lsoa_crime"]
        entries = entries if isinstance(entries, list) else [entries]
        stated = [str(e["major_category"]) for e in entries if isinstance(e, Mapping)]
        return stated or groups, ["MPS"]
    types, uncounted = crime_types_holding(groups)
    return None if uncounted or not types else (types, ["police.uk"])


def derived_label(config: Mapping[str, Any], key: str) -> dict[str, str] | None:
    """``label`` and ``short_label`` of public definition ``key`` from what it holds."""
    held_by = contents_and_sources(config, key)
    if held_by is None:
        return None
    contents, publishers = held_by
    # In sentence case: the MPS names its categories in title case ("Possession of Weapons").
    held = listed(contents).lower()
    offences = "" if held.endswith("offences") else " offences"
    where = " by LSOA" if key == "serious_violence_u25" else ""
    role = ROLES[key]
    label = (
        f"{held[0].upper()}{held[1:]}{offences}{where}, {ages_text(config['definitions'][key])}, "
        f"police recorded crime ({listed(publishers)}) - {role}"
    )
    return {"label": label, "short_label": f"{held} ({role})"}


def labelled_definitions(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """``config['definitions']``, with the derived label and short label of each public
    definition that leaves them out (a copy then); as it is outside a public configuration."""
    definitions = config["definitions"]
    missing = [
        key
        for key in ROLES
        if key in definitions and any(definitions[key].get(name) is None for name in LABEL_FIELDS)
    ]
    # Labels first: a stage's settings (already labelled) may not hold public_sources.
    if not missing or "public_sources" not in config:
        return definitions
    resolved = copy.deepcopy(dict(definitions))
    for key in missing:
        for name, text in (derived_label(config, key) or {}).items():
            if resolved[key].get(name) is None:
                resolved[key][name] = text
    return resolved


def with_derived_labels(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with :func:`labelled_definitions`: for the workflow, before each
    rule is given its part of the settings (which may leave out ``public_sources``)."""
    resolved = dict(config)
    if "definitions" in config:
        resolved["definitions"] = labelled_definitions(config)
    return resolved
