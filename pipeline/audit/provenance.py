"""Provenance record of one edition: code, configuration, inputs and software versions."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tomllib
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.audit.hashing import sha256_file, sha256_text

#: Packages whose versions the colophon prints (every locked package is in the record).
KEY_PACKAGES = [
    "snakemake",
    "pandas",
    "numpy",
    "pandera",
    "scipy",
    "statsmodels",
    "esda",
    "libpysal",
    "geopandas",
    "altair",
    "vl-convert-python",
    "jinja2",
    "weasyprint",
]
#: Debian packages that decide how PDFs are laid out and subset.
SYSTEM_PACKAGES = [
    "libpango-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "libfontconfig1",
    "fonts-dejavu-core",
]


def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 of the configuration as canonical JSON (key order and layout do not matter)."""
    return sha256_text(json.dumps(config, sort_keys=True, separators=(",", ":")))


def locked_versions(lock_path: str | Path) -> dict[str, str]:
    """Package -> version from ``uv.lock``."""
    lock = tomllib.loads(Path(lock_path).read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in lock.get("package", []) if "version" in p}


def installed_mismatches(locked: Mapping[str, str]) -> dict[str, str]:
    """Locked packages whose installed version differs (should be empty)."""
    mismatches = {}
    for name in KEY_PACKAGES:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if locked.get(name) not in (None, installed):
            mismatches[name] = f"locked {locked[name]}, installed {installed}"
    return mismatches


def system_versions() -> dict[str, str]:
    """Versions of the system libraries behind the PDFs (Debian packages)."""
    versions = {}
    for package in SYSTEM_PACKAGES:
        try:
            result = subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", package],
                capture_output=True,
                text=True,
                check=False,
            )
            versions[package] = result.stdout.strip() or "not installed"
        except OSError:
            versions[package] = "unknown"
    debian = Path("/etc/debian_version")
    versions["debian"] = debian.read_text().strip() if debian.exists() else "not Debian"
    return versions


def input_records(paths: Iterable[str | Path], root: str | Path = ".") -> list[dict[str, Any]]:
    """Path (relative to the repository), size and sha256 of each input, sorted by path."""
    # Absolute, not resolved: a symlinked input folder (../shared pointing elsewhere) is
    # recorded as configured, so the record does not depend on where the link points.
    base = Path(os.path.abspath(root))
    records = []
    for path in sorted({Path(p) for p in paths}):
        resolved = Path(os.path.abspath(path))
        try:
            shown = resolved.relative_to(base).as_posix()
        except ValueError:
            shown = Path(*_relative_parts(resolved, base)).as_posix()
        records.append(
            {"path": shown, "size": resolved.stat().st_size, "sha256": sha256_file(resolved)}
        )
    return records


def _relative_parts(path: Path, base: Path) -> list[str]:
    """``path`` relative to ``base`` with ``..`` steps (inputs kept beside the repository)."""
    common = Path(*[a for a, b in zip(path.parts, base.parts, strict=False) if a == b])
    ups = [".."] * (len(base.parts) - len(common.parts))
    return ups + list(path.parts[len(common.parts) :])


def read_records(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The inputs of an edition from the validation steps' read records (path, size and
    sha256 of the bytes each input was validated from), one per path, sorted by path.

    Provenance is taken from these records, never by hashing the raw files again when it is
    written: a file replaced after validation must not be named as the source of figures
    computed from its predecessor."""
    by_path: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = {key: record[key] for key in ("path", "size", "sha256")}
        if by_path.setdefault(entry["path"], entry) != entry:
            raise ValueError(
                f"{entry['path']}: validated twice from different bytes in one edition "
                "(the file changed during the run); run the workflow again"
            )
    return [by_path[path] for path in sorted(by_path, key=PurePosixPath)]


def build_provenance(
    *,
    git_state: Mapping[str, Any],
    config: Mapping[str, Any],
    inputs: Iterable[Mapping[str, Any]],
    lock_path: str | Path,
) -> dict[str, Any]:
    """Everything an auditor needs to know went into an edition (no timestamps). ``inputs``
    are the validation steps' read records (see :func:`read_records`)."""
    import vl_convert

    locked = locked_versions(lock_path)
    return {
        "commit": git_state.get("commit"),
        "uncommitted_changes": git_state.get("dirty"),
        "config_sha256": config_hash(config),
        "config": dict(config),
        "inputs": read_records(inputs),
        "lock_sha256": sha256_file(lock_path),
        "python": platform.python_version(),
        "packages": {name: locked.get(name, "not locked") for name in KEY_PACKAGES},
        "all_locked_packages": locked,
        "installed_differs_from_lock": installed_mismatches(locked),
        "system": system_versions(),
        "vl_convert": getattr(vl_convert, "__version__", "unknown"),
    }
