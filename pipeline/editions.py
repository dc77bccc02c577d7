"""Which reports an edition holds, who may read them, and where each is published.

An edition is published as two trees:

* the **public** edition, ``reports/<area>/<edition>/``: what comms upload. Every file in it,
  and in its zip, is disclosure-controlled at the resident threshold: the resident report
  and, when ``publish.technical_report_in_public_edition`` is true, a technical report drawn
  at the resident threshold too;
* the **internal** edition, ``reports/internal/<area>/<edition>/``: the technical report at
  the technical threshold (often 0, every count shown) and the measure tables. Every file
  name in it ends in ``-internal`` and every page carries the internal mark.

A report *variant* is one report (its layout and contents: ``resident`` or ``technical``) at
one *circulation* (``public`` or ``internal``, which decides the disclosure threshold). Its
name is the stem of its files everywhere: the chart folder, the rendered file and the
published file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The two circulations are defined with the thresholds that belong to them.
from pipeline.settings import INTERNAL, PUBLIC, Settings

__all__ = ["INTERNAL", "PUBLIC"]
CIRCULATIONS: tuple[str, ...] = (PUBLIC, INTERNAL)
#: The folder under ``reports/`` that holds every internal edition (an area slug may not take
#: this name: the config schema refuses it).
INTERNAL_FOLDER = "internal"
#: Appended to the stem of every internal file, so a file on its own says what it is.
INTERNAL_SUFFIX = "-internal"
REPORTS_ROOT = "reports"
REPORTS: tuple[str, ...] = ("resident", "technical")
FORMATS: tuple[str, ...] = ("html", "pdf")
MEASURES_PREFIX = "measures-"


@dataclass(frozen=True)
class ReportVariant:
    """One report at one circulation; ``name`` is the stem of all its files."""

    name: str
    report: str
    circulation: str

    @property
    def internal(self) -> bool:
        return self.circulation == INTERNAL

    def key(self, fmt: str) -> str:
        """Its rendered file's key in rule inputs and outputs (a Python name)."""
        return f"{self.name.replace('-', '_')}_{fmt}"

    def file_name(self, fmt: str) -> str:
        return f"{self.name}.{fmt}"


RESIDENT = ReportVariant("resident", "resident", PUBLIC)
TECHNICAL_PUBLIC = ReportVariant("technical", "technical", PUBLIC)
TECHNICAL_INTERNAL = ReportVariant(f"technical{INTERNAL_SUFFIX}", "technical", INTERNAL)
VARIANTS: tuple[ReportVariant, ...] = (RESIDENT, TECHNICAL_PUBLIC, TECHNICAL_INTERNAL)


def technical_report_in_public_edition(settings: Settings) -> bool:
    """``publish.technical_report_in_public_edition`` (default false)."""
    return settings.technical_report_in_public_edition


def report_variants(settings: Settings) -> tuple[ReportVariant, ...]:
    """The variants this configuration renders and publishes, in report order. The public
    technical report is rendered only when the configuration asks for it."""
    if technical_report_in_public_edition(settings):
        return (RESIDENT, TECHNICAL_PUBLIC, TECHNICAL_INTERNAL)
    return (RESIDENT, TECHNICAL_INTERNAL)


def variant_named(name: str) -> ReportVariant:
    for variant in VARIANTS:
        if variant.name == name:
            return variant
    raise ValueError(f"unknown report variant {name!r}; one of {[v.name for v in VARIANTS]}")


def variant_for(report: str, circulation: str | None = None) -> ReportVariant:
    """The variant of ``report`` at ``circulation`` (default: the resident report is public,
    the technical report internal)."""
    if report not in REPORTS:
        raise ValueError(f"report must be one of {REPORTS}, got {report!r}")
    if circulation is None:
        circulation = PUBLIC if report == "resident" else INTERNAL
    for variant in VARIANTS:
        if variant.report == report and variant.circulation == circulation:
            return variant
    raise ValueError(f"there is no {circulation} {report} report")


# ---- where things are published ------------------------------------------------------------


def edition_folder(area_slug: str, edition: str, circulation: str) -> str:
    """The published tree of one circulation, relative to the repository."""
    if circulation == PUBLIC:
        return f"{REPORTS_ROOT}/{area_slug}/{edition}"
    if circulation == INTERNAL:
        return f"{REPORTS_ROOT}/{INTERNAL_FOLDER}/{area_slug}/{edition}"
    raise ValueError(f"circulation must be one of {CIRCULATIONS}, got {circulation!r}")


def _marked(stem: str, circulation: str) -> str:
    return stem + (INTERNAL_SUFFIX if circulation == INTERNAL else "")


def manifest_name(circulation: str) -> str:
    return f"{_marked('MANIFEST', circulation)}.json"


def index_name(circulation: str) -> str:
    return f"{_marked('index', circulation)}.html"


def zip_name(area_slug: str, edition: str, circulation: str) -> str:
    if circulation == INTERNAL:
        return f"{area_slug}-{edition}{INTERNAL_SUFFIX}.zip"
    return f"{area_slug}-{edition}-sna.zip"


def csv_folder(variant: ReportVariant) -> str:
    """The folder of a report's CSVs, relative to its tree."""
    return f"data/{INTERNAL_FOLDER}" if variant.internal else f"data/{variant.report}"


def published_csv_path(variant: ReportVariant, chart: str) -> str:
    """Where the table behind one chart of a report is published, relative to its tree (and
    so to the report, which links it)."""
    suffix = INTERNAL_SUFFIX if variant.internal else ""
    return f"{csv_folder(variant)}/{chart}{suffix}.csv"


def measure_table_path(family: str) -> str:
    """Where a measure table is published: the internal edition only (they are unsuppressed)."""
    return f"data/{INTERNAL_FOLDER}/{MEASURES_PREFIX}{family}{INTERNAL_SUFFIX}.csv"


def rendered_files(settings: Settings, folder: str) -> dict[str, str]:
    """Every rendered report of the configuration under ``folder``, by key (``resident_html``,
    ``technical_internal_pdf``, ...)."""
    return {
        variant.key(fmt): str(Path(folder) / variant.file_name(fmt))
        for variant in report_variants(settings)
        for fmt in FORMATS
    }
