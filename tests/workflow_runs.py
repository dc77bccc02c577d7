"""Helpers for tests that run the whole workflow in a temporary copy of the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.audit.verify import copy_tree, run_workflow


def run_copy(
    repo: Path,
    target: Path,
    *,
    env: dict[str, str] | None = None,
    configfile: str | None = None,
    extra_args: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Copy the repository to ``target`` and run the workflow there; fail loudly on error."""
    copy = copy_tree(repo, target)
    result = run_workflow(copy, cores=2, env=env, configfile=configfile, extra_args=extra_args)
    if result.returncode != 0:
        raise AssertionError(
            f"workflow failed in {copy}:\nSTDOUT:\n{result.stdout[-4000:]}"
            f"\nSTDERR:\n{result.stderr[-8000:]}"
        )
    return result


def file_hashes(
    root: Path, folders: tuple[str, ...] = ("reports", "data/processed")
) -> dict[str, str]:
    """sha256 of every file under the given folders of a run."""
    from pipeline.audit.hashing import sha256_file

    hashes = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                hashes[path.relative_to(root).as_posix()] = sha256_file(path)
    return hashes
