# Configuration checks, path helpers and wildcard constraints shared by every rule file.

from pathlib import Path

from snakemake.utils import validate

from pipeline.audit.git_state import refresh_git_state

validate(config, schema="../schemas/config.schema.yaml")

AREAS = {area["slug"]: area for area in config["areas"]}
EDITION = config["edition"]
DATASET = config["dataset"]
# With a police victim extract (the normal case) or, for an SNA from public data alone,
# LSOA-level recorded-crime counts instead (see config/public.yaml).
VICTIM_EXTRACT = config.get("victim_extract", True)
SHARED_KINDS = ["areas", "neighbours", "comparators", "population_la", "deprivation"]
if VICTIM_EXTRACT:
    SHARED_KINDS.append("population_ethnicity")
if VICTIM_EXTRACT:
    AREA_KINDS = [
        "lsoas",
        "victims",
        "population_lsoa",
        "schools",
        "school_calendar",
        "actions",
        "boundaries",
    ]
else:
    AREA_KINDS = ["lsoas", "population_lsoa", "boundaries", "lsoa_counts"]
RAW_FILENAMES = {kind: f"{kind}.csv" for kind in SHARED_KINDS + AREA_KINDS}
RAW_FILENAMES["boundaries"] = "lsoa_boundaries.geojson"
# Which validated inputs each measure family reads (so an edit reruns only what it affects).
FAMILY_SHARED_INPUTS = {
    "key_metric": ["comparators", "population_la", "neighbours", "areas"],
    "trend": ["comparators", "population_la", "neighbours", "areas"],
    "disproportionality": ["population_ethnicity"] if VICTIM_EXTRACT else [],
    "hotspots": [],
    "timing": [],
    "deprivation": ["deprivation"],
}
LOCATED_EVENTS = "victims" if VICTIM_EXTRACT else "lsoa_counts"
FAMILY_AREA_INPUTS = {
    "key_metric": ["victims"] if VICTIM_EXTRACT else [],
    "trend": [],
    "disproportionality": ["victims"] if VICTIM_EXTRACT else [],
    "hotspots": [LOCATED_EVENTS, "lsoas", "population_lsoa", "boundaries"]
    + (["schools"] if VICTIM_EXTRACT else []),
    "timing": ["victims", "school_calendar"] if VICTIM_EXTRACT else [],
    "deprivation": [LOCATED_EVENTS, "lsoas", "population_lsoa"],
}
FAMILIES = list(FAMILY_AREA_INPUTS)
AUDIENCES = ["resident", "technical"]
VALIDATED = f"data/processed/validated/{DATASET}"
VALIDATION_REPORTS = f"data/processed/validation/{DATASET}"
MEASURES = "data/processed/measures/{area}/{edition}"
CHARTS = "data/processed/charts/{area}/{edition}"
RENDERED = "data/processed/render/{area}/{edition}"
PUBLISHED = "reports/{area}/{edition}"
TEMPLATE_FILES = sorted(str(path) for path in Path("templates").glob("*") if path.is_file())
# Written only when the commit or the dirty flag changes, so provenance (and the colophon)
# follows the code without making every rule re-run on each commit.
refresh_git_state("data/processed/provenance/git-state.json")


wildcard_constraints:
    area="|".join(AREAS),
    edition=EDITION,
    kind="|".join(SHARED_KINDS + AREA_KINDS),
    family="|".join(FAMILIES),
    audience="|".join(AUDIENCES),
    folder="|".join(["shared", *AREAS]),


def raw_folder(folder):
    """The raw input folder for 'shared' or an area slug."""
    if folder == "shared":
        return Path(config["shared_inputs"])
    return Path(AREAS[folder]["inputs"])


def get_raw_folder_files(wildcards):
    """Every raw input file of one folder (the checksum check reads them all)."""
    kinds = SHARED_KINDS if wildcards.folder == "shared" else AREA_KINDS
    folder = raw_folder(wildcards.folder)
    return [str(folder / RAW_FILENAMES[kind]) for kind in kinds]


def get_shared_raw(wildcards):
    return str(raw_folder("shared") / RAW_FILENAMES[wildcards.kind])


def get_area_raw(wildcards):
    return str(raw_folder(wildcards.area) / RAW_FILENAMES[wildcards.kind])


def get_area_validation_inputs(wildcards):
    """Raw file of one area input, its folder's checksum check, and the area's LSOA list
    (every other area input is checked against it)."""
    files = {
        "raw": get_area_raw(wildcards),
        "checked": f"data/processed/raw-check/{DATASET}/{wildcards.area}.json",
    }
    if wildcards.kind != "lsoas":
        files["lsoas"] = f"{VALIDATED}/{wildcards.area}/lsoas.parquet"
    return files


def get_validated_inputs(wildcards):
    """Validated inputs of one area: its own and the shared ones, by kind."""
    files = {kind: f"{VALIDATED}/shared/{kind}.parquet" for kind in SHARED_KINDS}
    for kind in AREA_KINDS:
        files[kind] = f"{VALIDATED}/{wildcards.area}/{kind}.parquet"
    return files


def get_family_inputs(wildcards):
    """Validated inputs one measure family reads, plus the area's cross-input check."""
    files = {
        kind: f"{VALIDATED}/shared/{kind}.parquet"
        for kind in FAMILY_SHARED_INPUTS[wildcards.family]
    }
    for kind in FAMILY_AREA_INPUTS[wildcards.family]:
        files[kind] = f"{VALIDATED}/{wildcards.area}/{kind}.parquet"
    files["checked"] = f"{VALIDATED}/{wildcards.area}/cross-checks.ok"
    return files


def get_family_tables(wildcards):
    """Every measure family's table for one area and edition, by family."""
    return {
        family: f"{MEASURES}/{family}.csv".format(area=wildcards.area, edition=wildcards.edition)
        for family in FAMILIES
    }


def get_family_findings(wildcards):
    """Every family's findings in words, keyed ``<family>_findings``."""
    return {
        f"{family}_findings": f"{MEASURES}/{family}.findings.json".format(
            area=wildcards.area, edition=wildcards.edition
        )
        for family in FAMILIES + ["monitoring"]
    }


def get_reconciliations(wildcards):
    """Row reconciliation tables for every input of one area, by kind."""
    files = {
        kind: f"{VALIDATION_REPORTS}/shared/{kind}.reconciliation.csv" for kind in SHARED_KINDS
    }
    for kind in AREA_KINDS:
        files[kind] = f"{VALIDATION_REPORTS}/{wildcards.area}/{kind}.reconciliation.csv"
    return files


def get_reconciliation_files(wildcards):
    """Every reconciliation table of one area: its inputs' and the cross-input checks'."""
    cross = f"{VALIDATION_REPORTS}/{wildcards.area}/cross-inputs.reconciliation.csv"
    return list(get_reconciliations(wildcards).values()) + [cross]


def get_adapter_exclusions(wildcards):
    """Rows the public-data adapters could not map (public-data configurations only)."""
    if "public_sources" not in config:
        return {}
    from pipeline.public.build import EXCLUSIONS_FILE

    return {"adapter_exclusions": str(Path(config["shared_inputs"]).parent / EXCLUSIONS_FILE)}


def get_rendered_reports(wildcards):
    """Both audiences' rendered HTML and PDF, named like the published files."""
    folder = RENDERED.format(area=wildcards.area, edition=wildcards.edition)
    return {
        f"{audience}_{fmt}": f"{folder}/{audience}.{fmt}"
        for audience in AUDIENCES
        for fmt in ("html", "pdf")
    }


def get_action_tracker(wildcards):
    """The council's action tracker, where the configuration has one."""
    if "actions" in AREA_KINDS:
        return {"actions": f"{VALIDATED}/{wildcards.area}/actions.parquet"}
    return {}


def get_narrative(wildcards):
    return AREAS[wildcards.area]["narrative"]


def get_area(wildcards):
    return AREAS[wildcards.area]


def get_raw_inputs_of_area(wildcards):
    """Raw files one area's edition is built from (hashed into the provenance record)."""
    shared = [str(raw_folder("shared") / RAW_FILENAMES[kind]) for kind in SHARED_KINDS]
    own = [str(raw_folder(wildcards.area) / RAW_FILENAMES[kind]) for kind in AREA_KINDS]
    return shared + own


def get_generated_raw_files():
    """Every raw file the demo generator writes for this configuration's areas."""
    files = [str(raw_folder("shared") / RAW_FILENAMES[kind]) for kind in SHARED_KINDS]
    for area in AREAS:
        files += [str(raw_folder(area) / RAW_FILENAMES[kind]) for kind in AREA_KINDS]
    return files


def get_public_source_files():
    """Every official file the public-data build reads (shapefile parts included)."""
    from pipeline.public.build import source_files

    return [str(path) for path in source_files(config)]


def get_public_input_files():
    """The contract files the public-data build writes."""
    from pipeline.public.build import output_paths

    return [str(path) for path in output_paths(config)]


def get_final_outputs():
    """Everything `snakemake` builds by default: each area's published edition."""
    outputs = []
    for area in AREAS:
        folder = PUBLISHED.format(area=area, edition=EDITION)
        outputs += [f"{folder}/{name}" for name in PUBLISHED_FILES]
    return outputs


PUBLISHED_FILES = [
    "resident.html",
    "resident.pdf",
    "technical.html",
    "technical.pdf",
    "index.html",
    "MANIFEST.json",
]
