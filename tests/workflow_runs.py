"""Helpers for tests that run the whole workflow in a temporary copy of the repository."""

from __future__ import annotations

import os
import subprocess
import sys
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


def demo_run_copy(repo: Path, tmp_path_factory) -> Path:
    """One cold run of the demo workflow in a temporary copy of the repository (a test
    module's fixture: each module that changes its copy in place has its own)."""
    target = tmp_path_factory.mktemp("run-a") / "repo"
    run_copy(repo, target, env={"TZ": "UTC", "PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8"})
    return target


def run_verify(run: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.audit.verify"],
        cwd=run,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(run)},
    )


def key_metric_victim_line(victims_csv: Path) -> tuple[int, str]:
    """A key-metric victim aged 17 in the edition year: (line index, line text)."""
    lines = victims_csv.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    column = {name: i for i, name in enumerate(header)}
    for index, line in enumerate(lines[1:], start=1):
        fields = line.split(",")
        if (
            len(fields) == len(header)
            and fields[column["victim_age"]] == "17"
            and fields[column["weapon"]] == "Knife or sharp instrument"
            and fields[column["injury"]] == "Y"
            and fields[column["domestic_abuse"]] == "N"
            and fields[column["offence_group"]] == "Violence with injury"
            and fields[column["offence_start_date"]] >= "2024-04-01"
        ):
            return index, line
    raise AssertionError("no key-metric victim aged 17 in the demo extract")
