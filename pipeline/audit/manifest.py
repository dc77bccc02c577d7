"""The manifest of a published tree (``MANIFEST.json``, ``MANIFEST-internal.json``):
provenance, the sha256 of every file in the tree and of every entry of its zip, and of the
measure tables behind them."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.audit.hashing import sha256_file
from pipeline.settings import Area

MANIFEST_NAME = "MANIFEST.json"


def output_hashes(tree_dir: str | Path, manifest: str = MANIFEST_NAME) -> dict[str, str]:
    """Relative path -> sha256 of every file in the tree except its manifest."""
    root = Path(tree_dir)
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() != manifest
    }


def zip_entry_hashes(zip_path: str | Path) -> dict[str, str]:
    """Entry name -> sha256 of its uncompressed bytes, for every entry of a zip."""
    with zipfile.ZipFile(zip_path) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in sorted(archive.namelist())
        }


def build_manifest(
    *,
    area: Area,
    edition: str,
    edition_dir: str | Path,
    provenance: Mapping[str, Any],
    intermediate: Iterable[str | Path],
    circulation: str = "public",
    manifest: str = MANIFEST_NAME,
    zip_file: str | None = None,
) -> dict[str, Any]:
    """The manifest an auditor checks the published tree and a re-run against.

    ``intermediate`` are the measure tables behind the reports (under ``data/processed``);
    their hashes let ``make verify`` say which measures moved, not only which files differ.
    ``zip_file`` (relative to the tree) is the tree's zip, whose entries are listed too.
    """
    root = Path(edition_dir)
    return {
        "area": {"code": area.code, "name": area.name, "slug": area.slug},
        "edition": edition,
        "circulation": circulation,
        "provenance": dict(provenance),
        "outputs": output_hashes(root, manifest),
        "zip_entries": {zip_file: zip_entry_hashes(root / zip_file)} if zip_file else {},
        "measure_tables": {
            Path(p).as_posix(): sha256_file(p) for p in sorted(str(p) for p in intermediate)
        },
    }
