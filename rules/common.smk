# Configuration checks, path helpers and wildcard constraints shared by every rule file.

import sys
from dataclasses import asdict
from pathlib import Path

from pipeline.audit.digests import ContentDigests
from pipeline.audit.git_state import refresh_git_state
from pipeline.config_checks import check_workflow_configuration, generated_inputs
from pipeline.editions import rendered_files
from pipeline.families.catalogue import edition_family_names
from pipeline.layout import Layout
from pipeline.public_definitions import with_derived_labels
from pipeline.render.publish import drop_stale_receipt
from pipeline.settings import Settings, stage_settings
from pipeline.validate.kinds import area_kinds, optional_area_kinds, raw_filename, shared_kinds

# Before anything runs: the configuration against schemas/config.schema.yaml and the rules the
# schema cannot state (real dates, window and edition, one area per slug), every area's
# narrative against schemas/narrative.schema.yaml, and every raw input no rule of this
# configuration writes must exist. One line per problem, then the run stops (nothing touched).
check_workflow_configuration(config, workflow.overwrite_configfiles)
# A public configuration's definitions without labels get them from what their counts hold
# (pipeline/public/labels.py), before any rule is given its settings.
config.update(with_derived_labels(config))

# The configuration, typed and resolved once (pipeline/settings.py).
SETTINGS = Settings.of(config)
# Each area as a dict: Snakemake compares dict params, so an edit to an area re-runs its rules.
AREAS = {area.slug: asdict(area) for area in SETTINGS.areas}
EDITION = SETTINGS.edition
DATASET = SETTINGS.dataset
# Which inputs are read: with a police victim extract (the normal case) or, for an SNA from
# public data alone, LSOA-level recorded-crime counts instead (see config/public.yaml).
SHARED_KINDS = list(shared_kinds(SETTINGS))
AREA_KINDS = list(area_kinds(SETTINGS))
# Area inputs read from files the configuration names (stop and search: config stop_search),
# validated with the others; none unless the configuration has the key.
OPTIONAL_AREA_KINDS = list(optional_area_kinds(SETTINGS))
# Where each stage writes (pipeline/layout.py; the preview uses the same layout).
LAYOUT = Layout(DATASET)
MEASURES = LAYOUT.measures
CHARTS = LAYOUT.charts
RENDERED = LAYOUT.rendered
PROVENANCE = LAYOUT.provenance
RECEIPT = LAYOUT.receipt
# Every measure family's table and its findings in words, by family (``<family>_findings``):
# the edition's families (one whose optional input is not supplied is left out altogether).
FAMILY_NAMES = edition_family_names(SETTINGS)
MEASURE_TABLES = {family: LAYOUT.measure_table(family) for family in FAMILY_NAMES}
MEASURE_FINDINGS = {
    f"{family}_findings": LAYOUT.measure_findings(family) for family in FAMILY_NAMES
}
# Every report variant as HTML and PDF (resident_html, technical_internal_pdf, ...; see
# pipeline/editions.py), named like the published files.
RENDERED_REPORTS = rendered_files(SETTINGS, RENDERED)
TEMPLATE_FILES = sorted(str(path) for path in Path("templates").glob("*") if path.is_file())
# Written only when the commit or the dirty flag changes, so provenance (and the colophon)
# follows the code without making every rule re-run on each commit.
refresh_git_state(LAYOUT.git_state)
# A published tree deleted or replaced since its receipt was written (e.g. reports/ removed):
# drop the receipt so that publish_edition runs again.
for _area in AREAS:
    _dropped = drop_stale_receipt(RECEIPT.format(area=_area, edition=EDITION))
    if _dropped:
        print(_dropped, file=sys.stderr)


wildcard_constraints:
    area="|".join(AREAS),
    edition=EDITION,
    folder="|".join(["shared", *AREAS]),


def raw_folder(folder):
    """The raw input folder for 'shared' or an area slug."""
    if folder == "shared":
        return SETTINGS.shared_inputs
    return Path(SETTINGS.area_named(folder).inputs)


def raw_file(folder, kind):
    """The raw file of one input kind in the 'shared' folder or an area's."""
    return str(raw_folder(folder) / raw_filename(kind))


def get_raw_folder_files(wildcards):
    """Every raw input file of one folder (the checksum check reads them all)."""
    kinds = SHARED_KINDS if wildcards.folder == "shared" else AREA_KINDS
    return [raw_file(wildcards.folder, kind) for kind in kinds]


def validated_files(folder, kinds):
    """The validated table of each input kind in ``folder`` ('shared' or an area), by kind."""
    return {kind: LAYOUT.validated_file(folder, kind) for kind in kinds}


def reconciliation_files(folder, kinds):
    """The row reconciliation of each input kind in ``folder``, keyed ``<kind>_reconciliation``."""
    return {f"{kind}_reconciliation": LAYOUT.reconciliation_file(folder, kind) for kind in kinds}


def shared_raw_files():
    """Raw file of each shared input, keyed ``raw_<kind>``."""
    return {f"raw_{kind}": raw_file("shared", kind) for kind in SHARED_KINDS}


inputs_read_file = LAYOUT.inputs_read_file


def get_inputs_read_of_area(wildcards):
    """The read records of every input one area's edition is computed from (and, for a
    public-data edition, of every official file its inputs were built from)."""
    records = [inputs_read_file("shared"), inputs_read_file(wildcards.area)]
    if "public_sources" in config:
        from pipeline.public.configuration import SOURCES_READ_FILE

        records.append(str(SETTINGS.shared_inputs.parent / SOURCES_READ_FILE))
    return records


# Raw inputs are re-read when their bytes change, whatever their modification times say: each
# rule that reads them gets their sha256 as a parameter (Snakemake re-runs a job whose
# parameters changed). Files a stage-0 rule of this configuration writes are left to
# Snakemake's own tracking of that rule.
CONTENT_DIGESTS = ContentDigests(".snakemake/sna-content-digests.json")
GENERATED_INPUTS = generated_inputs(config)


def raw_contents(wildcards):
    """sha256 of every user-supplied raw file of the job's folder ('shared', or the area of
    the job), by path. A function of the wildcards only: Snakemake records (and compares)
    only parameters that are not derived from a job's input files."""
    folder = wildcards.get("folder") or wildcards.get("area") or "shared"
    kinds = SHARED_KINDS if folder == "shared" else AREA_KINDS
    files = [raw_file(folder, kind) for kind in kinds]
    if folder != "shared":
        files += get_stop_search_files()
    return CONTENT_DIGESTS.of(f for f in files if Path(f) not in GENERATED_INPUTS)


def get_stop_search_files():
    """The police.uk stop-and-search files config ``stop_search.files`` names (folders
    expanded to their CSV files); none without the key."""
    if SETTINGS.stop_search is None:
        return []
    from pipeline.adapters.police_uk_stop_search import stop_search_files

    return [str(path) for path in stop_search_files(SETTINGS.stop_search.files)]


def public_source_contents(wildcards):
    """sha256 of every official file the public-data build reads, by path."""
    return CONTENT_DIGESTS.of(get_public_source_files())


def get_area_validation_inputs(wildcards):
    """One area's raw files (``raw_<kind>``), its folder's checksum check, and the validated
    shared inputs (``shared_<kind>``) its inputs are cross-checked against."""
    files = {f"raw_{kind}": raw_file(wildcards.area, kind) for kind in AREA_KINDS}
    files |= {
        f"shared_{kind}": path for kind, path in validated_files("shared", SHARED_KINDS).items()
    }
    files["checked"] = LAYOUT.raw_check_file(wildcards.area)
    if OPTIONAL_AREA_KINDS:
        files["stop_search_files"] = get_stop_search_files()
    return files


def get_validated_inputs(wildcards):
    """Validated inputs of one area: its own and the shared ones, by kind."""
    return validated_files("shared", SHARED_KINDS) | validated_files(
        wildcards.area, AREA_KINDS + OPTIONAL_AREA_KINDS
    )


def get_reconciliation_files(wildcards):
    """Every reconciliation table of one area: its inputs', the shared inputs' and the
    cross-input checks'."""
    shared = reconciliation_files("shared", SHARED_KINDS)
    own = reconciliation_files(wildcards.area, AREA_KINDS + OPTIONAL_AREA_KINDS)
    cross = LAYOUT.cross_inputs_file(wildcards.area)
    return list(shared.values()) + list(own.values()) + [cross]


def get_adapter_exclusions(wildcards):
    """Rows the public-data adapters could not map (public-data configurations only)."""
    if "public_sources" not in config:
        return {}
    from pipeline.public.configuration import EXCLUSIONS_FILE

    return {"adapter_exclusions": str(SETTINGS.shared_inputs.parent / EXCLUSIONS_FILE)}


def get_narrative(wildcards):
    return SETTINGS.area_named(wildcards.area).narrative


def get_area(wildcards):
    return AREAS[wildcards.area]


def get_generated_raw_files():
    """Every raw file the demo generator writes for this configuration's areas."""
    files = [raw_file("shared", kind) for kind in SHARED_KINDS]
    for area in AREAS:
        files += [raw_file(area, kind) for kind in AREA_KINDS]
    return files


def get_public_source_files():
    """Every official file the public-data build reads (shapefile parts included)."""
    from pipeline.public.configuration import source_files

    return [str(path) for path in source_files(config)]


def get_public_input_files():
    """The contract files the public-data build writes."""
    from pipeline.public.configuration import output_paths

    return [str(path) for path in output_paths(config)]


def get_final_outputs():
    """Everything `snakemake` builds by default: each area's published edition (its receipt)."""
    return [RECEIPT.format(area=area, edition=EDITION) for area in AREAS]
