"""Content digests of raw inputs, so that what a file holds (not when it was last modified)
decides what re-runs.

Snakemake re-runs a job when an input is newer than its outputs, so an extract replaced by
one with an *older* modification time (copied with ``cp -p``, unpacked from an archive,
restored from a backup) would leave every figure computed from the old file. The workflow
therefore passes each raw input's sha256 to the rules that read it as a parameter: a changed
parameter re-runs the job whatever the file's timestamps say.

Hashing a national extract on every ``snakemake`` start would cost seconds, so digests are
cached by the file's identity and status-change time (``st_ctime_ns``, which no user tool can
set back: ``touch``, ``cp -p`` and ``tar`` set the modification time, and every one of them
moves ``ctime`` forward). A cached digest is reused only while size, inode, device,
modification and change times are all unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.audit.hashing import sha256_file

#: Stands in for the digest of an input that does not exist (the workflow stops on it
#: elsewhere, with the path; a digest must never be the reason a run crashes).
MISSING = "missing"


def _identity(status: os.stat_result) -> list[int]:
    return [
        status.st_size,
        status.st_ino,
        status.st_dev,
        status.st_mtime_ns,
        status.st_ctime_ns,
    ]


class ContentDigests:
    """sha256 of files, cached in a JSON file keyed by absolute path and file identity."""

    def __init__(self, cache_path: str | Path) -> None:
        self.cache_path = Path(cache_path)
        self._cache: dict[str, dict[str, object]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, dict[str, object]]:
        if self._cache is None:
            try:
                loaded = json.loads(self.cache_path.read_text(encoding="utf-8"))
                self._cache = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._cache = {}  # no cache, or a damaged one: hash again
        return self._cache

    def digest(self, path: str | Path) -> str:
        """The sha256 of ``path`` (``"missing"`` when it does not exist)."""
        resolved = Path(path).resolve()
        try:
            status = resolved.stat()
        except FileNotFoundError:
            return MISSING
        cache = self._load()
        key = str(resolved)
        identity = _identity(status)
        entry = cache.get(key)
        if isinstance(entry, dict) and entry.get("identity") == identity:
            return str(entry["sha256"])
        digest = sha256_file(resolved)
        # Record it only if the file did not change while it was read.
        if _identity(resolved.stat()) == identity:
            cache[key] = {"identity": identity, "sha256": digest}
            self._dirty = True
        return digest

    def of(self, paths: Iterable[str | Path]) -> dict[str, str]:
        """Path (as given) -> sha256, sorted by path; the cache is saved afterwards."""
        digests = {str(p): self.digest(p) for p in sorted({str(p) for p in paths})}
        self.save()
        return digests

    def save(self) -> None:
        """Write the cache if it changed (atomically: a reader never sees half a file)."""
        if not self._dirty or self._cache is None:
            return
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache_path.with_name(f".{self.cache_path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(self._cache, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.cache_path)
        self._dirty = False
