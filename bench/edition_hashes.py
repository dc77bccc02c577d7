"""Hashes of every published file of an edition, for a refactor that must change no output.

Runs a configuration in a temporary copy of the repository *without* its ``.git`` folder (so
the commit and tree state in the colophon, the PDF metadata and MANIFEST.json read "unknown"
whatever commit is checked out) and prints, or writes as JSON, the sha256 of every file under
``reports/`` and of every measure table under ``data/processed/measures/``.

    .venv/bin/python bench/edition_hashes.py demo --write bench/out/hashes-demo.json
    .venv/bin/python bench/edition_hashes.py public --compare bench/out/hashes-public.json

``demo`` is config/config.yaml, ``public`` config/public.yaml (needs ../shared/realdata) and
``london`` config/london-demo.yaml (33 areas; several minutes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.audit.verify import copy_tree, run_workflow  # noqa: E402
from tests.workflow_runs import file_hashes  # noqa: E402

CONFIGS = {
    "demo": None,
    "public": "config/public.yaml",
    "london": "config/london-demo.yaml",
}


def edition_hashes(name: str, keep: Path | None = None) -> dict[str, str]:
    """Run configuration ``name`` in a copy without git and hash what it wrote."""
    base = Path(tempfile.mkdtemp(prefix=f"sna-hashes-{name}-"))
    try:
        realdata = REPO.parent / "shared"
        if realdata.is_dir():
            (base / "shared").symlink_to(realdata, target_is_directory=True)
        copy = copy_tree(REPO, base / "repo")
        git = copy / ".git"  # a folder, or a file in a git worktree
        shutil.rmtree(git) if git.is_dir() else git.unlink()
        configfile = CONFIGS[name]
        extra = ("--configfile", configfile, "--nolock") if configfile else ()
        result = run_workflow(copy, cores=2, extra_args=extra)
        if result.returncode != 0:
            raise SystemExit(f"{name} run failed:\n{result.stderr[-6000:]}")
        hashes = file_hashes(copy, ("reports", "data/processed/measures"))
        if keep is not None:
            shutil.copytree(copy / "reports", keep / name, dirs_exist_ok=True)
        return hashes
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", choices=sorted(CONFIGS))
    parser.add_argument("--write", type=Path, help="write the hashes to this JSON file")
    parser.add_argument("--compare", type=Path, help="compare with hashes written earlier")
    parser.add_argument("--keep", type=Path, help="copy the reports here (to diff them)")
    args = parser.parse_args(argv)
    hashes = edition_hashes(args.config, args.keep)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"{len(hashes)} files hashed -> {args.write}")
    if args.compare:
        expected = json.loads(args.compare.read_text())
        names = sorted(set(expected) | set(hashes))
        different = [n for n in names if expected.get(n) != hashes.get(n)]
        for name in different:
            was, now = expected.get(name, "absent"), hashes.get(name, "absent")
            print(f"{name}: {was[:12]} -> {now[:12]}")
        print(f"{len(names) - len(different)} same, {len(different)} different")
        return 1 if different else 0
    if not args.write:
        for name, digest in sorted(hashes.items()):
            print(f"{digest}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
