"""``MANIFEST.json`` of a published edition: provenance plus the sha256 of every output."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.audit.hashing import sha256_file

MANIFEST_NAME = "MANIFEST.json"


def output_hashes(edition_dir: str | Path) -> dict[str, str]:
    """Relative path -> sha256 of every published file except the manifest itself."""
    root = Path(edition_dir)
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST_NAME
    }


def build_manifest(
    *,
    area: Mapping[str, Any],
    edition: str,
    edition_dir: str | Path,
    provenance: Mapping[str, Any],
    intermediate: Iterable[str | Path],
) -> dict[str, Any]:
    """The manifest an auditor checks a re-run against.

    ``intermediate`` are the measure tables behind the reports (under ``data/processed``);
    their hashes let ``make verify`` say which measures moved, not only which files differ.
    """
    return {
        "area": {"code": area["code"], "name": area["name"], "slug": area["slug"]},
        "edition": edition,
        "provenance": dict(provenance),
        "outputs": output_hashes(edition_dir),
        "measure_tables": {
            Path(p).as_posix(): sha256_file(p) for p in sorted(str(p) for p in intermediate)
        },
    }
