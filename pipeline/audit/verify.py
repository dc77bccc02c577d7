"""``make verify``: check a published edition's bytes, then re-run it in a temporary copy and
compare the re-run with its manifests.

For each area's edition it (1) hashes every file of the public tree and of the internal tree
(``reports/<area>/<edition>/``, ``reports/internal/<area>/<edition>/``) and every entry of
each tree's zip against the tree's manifest, names every changed, missing and extra file, and
stops there (exit 1) on any difference; (2) re-hashes the raw inputs and names any that
changed since the manifest was written; (3) copies the working tree to a temporary directory,
runs the whole workflow there, compares every output with the manifests and, where a measure
table differs, names the rows and values that changed. It prints a table (file, expected,
got, result) at each step and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline.audit.hashing import sha256_file
from pipeline.audit.manifest import output_hashes, zip_entry_hashes
from pipeline.audit.raw_manifest import MANIFEST_NAME as RAW_MANIFEST_NAME
from pipeline.audit.raw_manifest import write_manifest
from pipeline.editions import CIRCULATIONS, edition_folder, manifest_name
from pipeline.runtime import read_json
from pipeline.settings import Settings

#: Never copied into the re-run: environments, caches and every generated file.
IGNORED = {
    ".venv",
    ".tools",
    ".snakemake",
    "logs",
    ".pytest_cache",
    ".hypothesis",
    "__pycache__",
    ".ruff_cache",
}
GENERATED = ("data/processed", "reports", "bench/out")


def copy_tree(source: Path, target: Path) -> Path:
    """Copy the working tree (with .git, so the commit reads the same) without generated files."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).resolve().relative_to(source.resolve()).as_posix()
        skipped = {n for n in names if n in IGNORED}
        for generated in GENERATED:
            parent, _, leaf = generated.rpartition("/")
            if relative == (parent or "."):
                skipped |= {leaf} & set(names)
        return skipped

    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    for generated in GENERATED:
        (target / generated).mkdir(parents=True, exist_ok=True)
        keep = source / generated / ".gitkeep"  # tracked: without it the copy reads as dirty
        if keep.exists():
            shutil.copyfile(keep, target / generated / ".gitkeep")
    return target


def run_workflow(
    workdir: Path,
    *,
    cores: int = 2,
    configfile: str | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run Snakemake in ``workdir`` with this environment's interpreter, importing the
    ``pipeline`` package from ``workdir`` (not from the checkout that started it)."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "rules"]  # noqa: E501
    if configfile:
        command += ["--configfile", configfile]
    command += list(extra_args)
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(workdir)}
    return subprocess.run(
        command, cwd=workdir, env=environment, capture_output=True, text=True, check=False
    )


def changed_inputs(manifest: Mapping[str, Any], root: Path) -> list[dict[str, str]]:
    """Inputs whose bytes differ from the manifest (or that are missing)."""
    changes = []
    for record in manifest["provenance"]["inputs"]:
        path = root / record["path"]
        got = sha256_file(path) if path.exists() else "missing"
        if got != record["sha256"]:
            changes.append({"path": record["path"], "expected": record["sha256"], "got": got})
    return changes


def compare_outputs(expected: Mapping[str, str], folder: Path) -> pd.DataFrame:
    """One row per file: expected and re-computed sha256 and whether they are the same."""
    rows = []
    for name, digest in sorted(expected.items()):
        path = folder / name
        got = sha256_file(path) if path.exists() else "missing"
        rows.append(
            {
                "file": name,
                "expected": digest,
                "got": got,
                "result": "same" if got == digest else "different",
            }
        )
    return pd.DataFrame(rows)


def _differences(
    expected: Mapping[str, str], got: Mapping[str, str], prefix: str = ""
) -> list[dict[str, str]]:
    """One row per name in either mapping: same, changed, missing (expected, not there) or
    extra (there, not expected)."""
    rows = []
    for name in sorted(set(expected) | set(got)):
        want, have = expected.get(name), got.get(name)
        result = (
            "missing"
            if have is None
            else "extra"
            if want is None
            else ("same" if want == have else "changed")
        )
        rows.append(
            {
                "file": prefix + name,
                "expected": want or "-",
                "got": have or "-",
                "result": result,
            }
        )
    return rows


def check_published(tree: Path, manifest: Mapping[str, Any], manifest_file: str) -> pd.DataFrame:
    """Every file of a published tree, and every entry of its zip (``<zip>:<entry>``), against
    its manifest: one row each, result same / changed / missing / extra."""
    rows = _differences(manifest["outputs"], output_hashes(tree, manifest_file))
    for zip_file, entries in sorted(manifest.get("zip_entries", {}).items()):
        path = tree / zip_file
        try:
            got = zip_entry_hashes(path) if path.is_file() else {}
        except zipfile.BadZipFile:
            got = {}
        rows += _differences(entries, got, prefix=f"{zip_file}:")
    return pd.DataFrame(rows, columns=["file", "expected", "got", "result"])


def verify_published(repo: Path, area_slug: str, edition: str) -> dict[str, dict[str, Any]] | None:
    """Check the published bytes of both trees; print each table. Returns the manifests by
    circulation when every file matches, None otherwise."""
    manifests = {}
    good = True
    for circulation in CIRCULATIONS:
        folder = edition_folder(area_slug, edition, circulation)
        name = manifest_name(circulation)
        path = repo / folder / name
        if not path.is_file():
            print(f"{folder}/{name}: no manifest. Build the edition first (make report).")
            good = False
            continue
        manifest = read_json(path)
        table = check_published(repo / folder, manifest, name)
        print(f"\nPublished files of {folder} against {name}:")
        _print_table(table)
        bad = table.loc[table["result"] != "same"]
        for _, row in bad.iterrows():
            print(f"PUBLISHED FILE {row['result'].upper()}: {folder}/{row['file']}")
        good = good and bad.empty
        manifests[circulation] = manifest
    if not good:
        print(
            f"\n{area_slug} {edition}: DIFFERENT, the published files are not the ones their "
            "manifest lists (re-run comparison skipped)"
        )
        return None
    return manifests


def measure_changes(before: Path, after: Path, *, limit: int = 20) -> list[str]:
    """Rows and values that differ between two versions of one measure table."""
    old, new = pd.read_csv(before), pd.read_csv(after)
    keys = [
        c
        for c in ("measure_id", "area_code", "period", "group")
        if c in old.columns and c in new.columns
    ]
    merged = old.merge(new, on=keys, how="outer", suffixes=("_was", "_now"), indicator=True)
    lines = []
    for _, row in merged.iterrows():
        label = ", ".join(f"{k}={row[k]}" for k in keys)
        if row["_merge"] != "both":
            lines.append(f"{label}: {'removed' if row['_merge'] == 'left_only' else 'added'}")
            continue
        for column in ("numerator", "denominator", "value", "lower", "upper"):
            was, now = row.get(f"{column}_was"), row.get(f"{column}_now")
            if not (pd.isna(was) and pd.isna(now)) and was != now:
                lines.append(f"{label}: {column} {was} -> {now}")
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def verify_edition(
    repo: Path, area_slug: str, edition: str, *, configfile: str | None, cores: int, keep: bool
) -> bool:
    """Check the published bytes, then re-run one edition and report; True when every
    published file matches its manifest and every re-run output matches too."""
    manifests = verify_published(repo, area_slug, edition)
    if manifests is None:
        return False
    manifest = manifests["public"]
    inputs_changed = changed_inputs(manifest, repo)
    for change in inputs_changed:
        print(
            f"INPUT CHANGED: {change['path']} "
            f"(manifest {change['expected'][:12]}…, now {change['got'][:12]}…)"
        )
    workdir = Path(tempfile.mkdtemp(prefix="sna-verify-"))
    try:
        copy = copy_tree(repo, workdir / "repo")
        if inputs_changed:
            # Let the re-run use the changed inputs so it can show which measures they move.
            for raw_manifest in copy.glob(f"data/raw/**/{RAW_MANIFEST_NAME}"):
                write_manifest(raw_manifest.parent)
        print(f"\nRe-running the workflow in {copy} ...", flush=True)
        result = run_workflow(copy, cores=cores, configfile=configfile)
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-5000:], sep="\n")
            print("The re-run failed; nothing to compare.")
            return False
        tables = [
            compare_outputs(manifests[c]["outputs"], copy / edition_folder(area_slug, edition, c))
            for c in CIRCULATIONS
        ]
        recorded = {k: v for c in CIRCULATIONS for k, v in manifests[c]["measure_tables"].items()}
        measures = compare_outputs(recorded, copy)
        _print_table(pd.concat([*tables, measures], ignore_index=True))
        for _, row in measures.loc[measures["result"] == "different"].iterrows():
            before = repo / row["file"]
            print(f"\nMeasure table {row['file']} changed:")
            if before.exists():
                for line in measure_changes(before, copy / row["file"]):
                    print(f"  {line}")
            else:
                print("  (no local copy of the earlier table to compare rows with)")
        same = not inputs_changed and all(
            bool((table["result"] == "same").all()) for table in [*tables, measures]
        )
        print(
            f"\n{area_slug} {edition}: "
            + ("VERIFIED, every output is byte-identical" if same else "DIFFERENT")
        )
        return same
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _print_table(table: pd.DataFrame) -> None:
    width = max([len("file"), *table["file"].str.len()])
    print(f"{'file':<{width}}  {'expected':<12}  {'got':<12}  result")
    for _, row in table.iterrows():
        print(
            f"{row['file']:<{width}}  {row['expected'][:12]:<12}  "
            f"{row['got'][:12]:<12}  {row['result']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--configfile", default="config/config.yaml")
    parser.add_argument("--area", help="area slug (default: every area in the config)")
    parser.add_argument("--edition", help="edition (default: the config's edition)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary re-run")
    args = parser.parse_args(argv)
    repo = Path.cwd()
    settings = Settings.of(yaml.safe_load((repo / args.configfile).read_text(encoding="utf-8")))
    areas = [args.area] if args.area else [a.slug for a in settings.areas]
    edition = args.edition or settings.edition
    configfile = None if args.configfile == "config/config.yaml" else args.configfile
    results = [
        verify_edition(repo, slug, edition, configfile=configfile, cores=args.cores, keep=args.keep)
        for slug in areas
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
