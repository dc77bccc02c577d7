"""The comms bundle of each published tree (see :mod:`pipeline.editions`): its CSVs, an index
page linking its reports and every CSV, and one zip of the lot that is byte-identical on every
run (fixed timestamps, fixed permissions, sorted entries).

Every file is written with :func:`pipeline.atomic.write_durably` (fsynced), and every CSV goes
through :func:`pipeline.safe_csv.safe_csv_bytes` (no cell a spreadsheet would run).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.atomic import write_durably
from pipeline.editions import (
    FORMATS,
    INTERNAL,
    INTERNAL_SUFFIX,
    MEASURES_PREFIX,
    PUBLIC,
    ReportVariant,
    csv_folder,
    index_name,
    manifest_name,
    measure_table_path,
    published_csv_path,
    zip_name,
)
from pipeline.formatting import fmt_file_size, long_date
from pipeline.render.html import render_template
from pipeline.render.pdf import publication_date
from pipeline.render.wording import Wording
from pipeline.safe_csv import safe_csv_bytes
from pipeline.settings import Area, Settings


def write_published_data(
    tree_dir: str | Path,
    chart_dir: str | Path,
    variants: Sequence[ReportVariant],
    measure_tables: Mapping[str, str | Path] | None = None,
) -> list[Path]:
    """Write the table behind every chart of ``variants`` (each already disclosure-controlled
    for its circulation) and, for the internal tree, the measure tables, as safe CSVs."""
    tree = Path(tree_dir)
    written = []
    for variant in variants:
        for csv in sorted((Path(chart_dir) / variant.name).glob("*.csv")):
            target = tree / published_csv_path(variant, csv.stem)
            write_durably(target, safe_csv_bytes(csv))
            written.append(target)
    for family, path in sorted((measure_tables or {}).items()):
        target = tree / measure_table_path(family)
        write_durably(target, safe_csv_bytes(path))
        written.append(target)
    return written


@dataclass(frozen=True)
class BundleFile:
    """A file listed on the index page."""

    path: str
    label: str
    size: str


def _csv_label(relative: str) -> str:
    stem = PurePosixPath(relative).stem.removesuffix(INTERNAL_SUFFIX).removeprefix(MEASURES_PREFIX)
    return stem.replace("-", " ").replace("_", " ")


def _report_title(variant: ReportVariant, area_name: str, words: Wording) -> str:
    if variant.report == "resident":
        return words("report_titles.resident", area=area_name)
    return words(
        "report_titles.technical_internal" if variant.internal else "report_titles.technical_public"
    )


def _csv_groups(
    tree: Path, variants: Sequence[ReportVariant], words: Wording
) -> list[dict[str, Any]]:
    """The CSVs of each report of the tree, then (internal tree) the measure tables."""
    groups = []
    for variant in variants:
        files = sorted(
            p
            for p in (tree / csv_folder(variant)).glob("*.csv")
            if not p.name.startswith(MEASURES_PREFIX)
        )
        report = words(f"reports.{variant.report}")
        groups.append(
            {
                "heading": words("report_data_heading", report=report),
                "prefix": words("report_data_prefix", report=report),
                "hidden": not variant.internal,
                "files": [_listed(tree, f) for f in files],
            }
        )
    if any(v.internal for v in variants):
        measures = sorted((tree / measure_table_path("x")).parent.glob(f"{MEASURES_PREFIX}*.csv"))
        groups.append(
            {
                "heading": words("measures_heading"),
                "prefix": words("measures_prefix"),
                "hidden": False,
                "files": [_listed(tree, f) for f in measures],
            }
        )
    return groups


def _listed(tree: Path, path: Path) -> BundleFile:
    relative = path.relative_to(tree).as_posix()
    return BundleFile(relative, _csv_label(relative), fmt_file_size(path.stat().st_size))


def index_context(
    tree_dir: Path,
    settings: Settings,
    area: Area,
    circulation: str,
    variants: Sequence[ReportVariant],
    words: Wording,
) -> dict[str, Any]:
    """What one tree's index page lists: its reports in both formats, every CSV and the zip;
    ``words``: the wording's ``index``."""
    reports = []
    for variant in variants:
        for fmt in FORMATS:
            name = variant.file_name(fmt)
            if not (tree_dir / name).exists():
                raise FileNotFoundError(f"{tree_dir}: report {name} missing before bundling")
            title = _report_title(variant, area.name, words)
            label = words("report", title=title, format=words(f"formats.{fmt}"))
            reports.append(BundleFile(name, label, fmt_file_size((tree_dir / name).stat().st_size)))
    internal = circulation == INTERNAL
    day = publication_date(settings)
    return {
        "area_name": area.name,
        "edition": settings.edition,
        "publication_date": day.isoformat(),
        "publication_date_text": long_date(day),
        "synthetic": bool(settings.synthetic_data),
        "internal": internal,
        "technical_in_public_edition": any(v.report == "technical" for v in variants)
        and not internal,
        "technical_threshold": settings.threshold(INTERNAL),
        "resident_threshold": settings.threshold(PUBLIC),
        "reports": reports,
        "csv_groups": _csv_groups(tree_dir, variants, words),
        "zip": zip_name(area.slug, settings.edition, circulation),
    }


def deterministic_zip_bytes(source_dir: str | Path, files: list[str], day: Any) -> bytes:
    """Zip ``files`` (paths relative to ``source_dir``) in sorted order, every entry dated
    ``day`` at midnight with mode 0644, so the archive's bytes depend only on the contents."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, (Path(source_dir) / name).read_bytes(), compresslevel=9)
    return buffer.getvalue()


def deterministic_zip(
    source_dir: str | Path, zip_path: str | Path, files: list[str], day: Any
) -> None:
    """:func:`deterministic_zip_bytes` written to ``zip_path``."""
    write_durably(zip_path, deterministic_zip_bytes(source_dir, files, day))


def write_bundle(
    tree_dir: str | Path,
    template_dir: str | Path,
    settings: Settings,
    area: Area,
    circulation: str,
    variants: Sequence[ReportVariant],
) -> Path:
    """Write the tree's index page (linking its reports, every CSV under ``data/`` and the
    zip) and the deterministic zip of the reports, the index and the CSVs. Returns the zip's
    path. Call it after the reports and :func:`write_published_data`; the manifest is left
    out of the zip because it is written afterwards and hashes it."""
    tree = Path(tree_dir)
    words = Wording.read(template_dir).part("index")
    context = index_context(tree, settings, area, circulation, variants, words)
    html = render_template(context, template_dir, "index.html.j2")
    write_durably(tree / index_name(circulation), html.encode("utf-8"))
    name = context["zip"]
    files = [
        p.relative_to(tree).as_posix()
        for p in sorted(tree.rglob("*"))
        if p.is_file() and p.name not in (name, manifest_name(circulation))
    ]
    zip_path = tree / name
    deterministic_zip(tree, zip_path, files, publication_date(settings))
    return zip_path
