"""The comms bundle of an edition: the published CSVs, an ``index.html`` linking both reports
and every CSV, and one zip of the lot that is byte-identical on every run (fixed timestamps,
fixed permissions, sorted entries)."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.render.html import render_template
from pipeline.render.pdf import publication_date

REPORT_FILES: tuple[str, ...] = ("resident.html", "resident.pdf", "technical.html", "technical.pdf")
#: Written after the bundle (it hashes it), so never inside it.
EXCLUDED_FROM_ZIP: frozenset[str] = frozenset({"MANIFEST.json"})
DATA_FOLDER = "data"


def published_csv_path(audience: str, name: str) -> str:
    """Where a CSV is published, relative to the edition folder (and so to each report)."""
    return f"{DATA_FOLDER}/{audience}/{name}.csv"


def zip_name(area_slug: str, edition: str) -> str:
    return f"{area_slug}-{edition}-sna.zip"


def write_published_data(
    edition_dir: str | Path,
    chart_dir: str | Path,
    technical_tables: Mapping[str, str | Path] | None = None,
) -> list[Path]:
    """Copy the chart CSVs of both audiences (resident ones are already disclosure-controlled)
    and the technical measure tables into ``edition_dir/data/<audience>/``."""
    edition = Path(edition_dir)
    written = []
    for audience in ("resident", "technical"):
        for csv in sorted((Path(chart_dir) / audience).glob("*.csv")):
            target = edition / published_csv_path(audience, csv.stem)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(csv, target)
            written.append(target)
    for family, path in sorted((technical_tables or {}).items()):
        target = edition / published_csv_path("technical", f"measures-{family}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


@dataclass(frozen=True)
class BundleFile:
    """A file listed on the index page."""

    path: str
    label: str
    size: str


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _csv_label(relative: str) -> str:
    stem = PurePosixPath(relative).stem
    return stem.replace("measures-", "measure table: ").replace("-", " ")


def index_context(
    edition_dir: Path, config: Mapping[str, Any], area: Mapping[str, Any]
) -> dict[str, Any]:
    """What the index page lists: both reports in both formats, every CSV and the zip."""
    missing = [name for name in REPORT_FILES if not (edition_dir / name).exists()]
    if missing:
        raise FileNotFoundError(f"{edition_dir}: reports missing before bundling: {missing}")
    reports = {name: BundleFile(name, name, _size(edition_dir / name)) for name in REPORT_FILES}
    csvs: dict[str, list[BundleFile]] = {}
    for audience in ("resident", "technical"):
        files = sorted((edition_dir / DATA_FOLDER / audience).glob("*.csv"))
        csvs[audience] = [
            BundleFile(
                f.relative_to(edition_dir).as_posix(),
                _csv_label(f.relative_to(edition_dir).as_posix()),
                _size(f),
            )
            for f in files
        ]
    technical_threshold = int(config["disclosure"]["technical_threshold"])
    return {
        "area_name": area["name"],
        "edition": config["edition"],
        "publication_date": publication_date(config).isoformat(),
        "publication_date_text": _long_date(publication_date(config)),
        "synthetic": bool(config.get("synthetic_data", False)),
        # The index itself shows nothing small; it says which report is internal.
        "internal": False,
        "technical_internal": technical_threshold < int(config["disclosure"]["resident_threshold"]),
        "technical_threshold": technical_threshold,
        "resident_threshold": int(config["disclosure"]["resident_threshold"]),
        "reports": reports,
        "csvs": csvs,
        "zip": zip_name(area["slug"], config["edition"]),
    }


def _long_date(day: Any) -> str:
    return f"{day.day} {day:%B %Y}"


def deterministic_zip(
    source_dir: str | Path, zip_path: str | Path, files: list[str], day: Any
) -> None:
    """Zip ``files`` (paths relative to ``source_dir``) in sorted order, every entry dated
    ``day`` at midnight with mode 0644, so the archive's bytes depend only on the contents."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    target = Path(zip_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, (Path(source_dir) / name).read_bytes(), compresslevel=9)


def write_bundle(
    edition_dir: str | Path,
    template_dir: str | Path,
    config: Mapping[str, Any],
    area: Mapping[str, Any],
) -> Path:
    """Write ``index.html`` (linking both reports, every CSV under ``data/`` and the zip) and
    the deterministic zip of the reports, the index and the CSVs. Returns the zip's path.

    Call it after the four reports and :func:`write_published_data`; MANIFEST.json is left
    out of the zip because it is written afterwards and hashes it.
    """
    edition = Path(edition_dir)
    context = index_context(edition, config, area)
    html = render_template(context, template_dir, "index.html.j2")
    (edition / "index.html").write_text(html, encoding="utf-8")
    name = context["zip"]
    files = [
        p.relative_to(edition).as_posix()
        for p in sorted(edition.rglob("*"))
        if p.is_file()
        and p.name != name
        and p.name not in EXCLUDED_FROM_ZIP
        and not p.name.endswith(".zip")
    ]
    zip_path = edition / name
    deterministic_zip(edition, zip_path, files, publication_date(config))
    return zip_path
