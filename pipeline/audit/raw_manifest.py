"""Checksum manifests for raw inputs (``MANIFEST.sha256`` in the ``sha256sum`` format).

Where a raw folder (or a folder above it, up to the first one without a manifest) carries a
manifest, the pipeline's first rule checks every input against it and stops, naming each
changed file, before anything is computed. ``python -m pipeline.audit.raw_manifest --write
DIR`` writes one after a deliberate change.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from pipeline.audit.hashing import sha256_file

MANIFEST_NAME = "MANIFEST.sha256"


class RawInputChanged(Exception):
    """A raw input no longer matches its checksum manifest."""


def find_manifest(folder: str | Path) -> Path | None:
    """The manifest covering ``folder``: its own, or the nearest one in a parent folder."""
    current = Path(folder).resolve()
    for candidate in [current, *current.parents]:
        manifest = candidate / MANIFEST_NAME
        if manifest.is_file():
            return manifest
        if candidate.name in ("raw", "") or (candidate / ".git").exists():
            break
    return None


def read_manifest(manifest: Path) -> dict[str, str]:
    """Relative path -> sha256 from a ``sha256sum``-format file."""
    entries: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ValueError(f"{manifest}: line {number} is not '<sha256>  <path>'")
        entries[name] = digest
    return entries


def write_manifest(folder: str | Path) -> Path:
    """Write ``MANIFEST.sha256`` for every file under ``folder`` (sorted, relative paths)."""
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)
    lines = [f"{sha256_file(p)}  {p.relative_to(root).as_posix()}" for p in files]
    manifest = root / MANIFEST_NAME
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def check_files(files: Iterable[str | Path]) -> dict[str, object]:
    """Check each file against the manifest that covers it; raise naming every changed file.

    Returns a record of what was checked (for the log and the provenance), with the files
    that no manifest covers listed as such.
    """
    checked: list[dict[str, str]] = []
    problems: list[str] = []
    for file in sorted(str(f) for f in files):
        path = Path(file)
        manifest = find_manifest(path.parent)
        digest = sha256_file(path)
        if manifest is None:
            checked.append({"path": file, "sha256": digest, "manifest": "none"})
            continue
        relative = path.resolve().relative_to(manifest.parent).as_posix()
        expected = read_manifest(manifest).get(relative)
        if expected is None:
            problems.append(f"{file}: not listed in {manifest}")
        elif expected != digest:
            problems.append(
                f"{file}: contents changed since {manifest} was written "
                f"(expected sha256 {expected[:12]}…, found {digest[:12]}…)"
            )
        checked.append({"path": file, "sha256": digest, "manifest": str(manifest.name)})
    if problems:
        raise RawInputChanged(
            "Raw inputs do not match their checksum manifest:\n  - "
            + "\n  - ".join(problems)
            + "\nIf the change is deliberate (a new extract), rewrite the manifest with "
            "`python -m pipeline.audit.raw_manifest --write <folder>`."
        )
    return {"files": checked}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", metavar="DIR", help="write MANIFEST.sha256 for DIR")
    parser.add_argument("--check", metavar="DIR", help="check every file under DIR")
    args = parser.parse_args(argv)
    if args.write:
        print(f"wrote {write_manifest(args.write)}")
    if args.check:
        root = Path(args.check)
        files = [p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_NAME]
        check_files(files)
        print(f"{len(files)} files match {find_manifest(root)}")


if __name__ == "__main__":
    main()
