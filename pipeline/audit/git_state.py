"""The commit the pipeline runs from, recorded without forcing every rule to re-run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def read_git_state(repo: str | Path = ".") -> dict[str, object]:
    """Commit hash and whether tracked files differ from it; 'unknown' outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def refresh_git_state(path: str | Path, repo: str | Path = ".") -> dict[str, object]:
    """Write the git state to ``path`` only when it changed, and return it.

    Rewriting only on change keeps the file's modification time stable, so Snakemake re-runs
    the provenance record (and what shows it) after a new commit, and not otherwise.
    """
    state = read_git_state(repo)
    target = Path(path)
    text = json.dumps(state, indent=2, sort_keys=True) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return state
