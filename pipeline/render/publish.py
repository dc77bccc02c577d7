"""Publish an edition: build the public and the internal tree (see :mod:`pipeline.editions`)
each in a fresh hidden staging folder, then put each in place in one rename
(:func:`pipeline.atomic.swap_in`).

What is guaranteed: at every instant, ``reports/<area>/<edition>/`` holds either the complete
previous public edition or the complete new one, and the same for
``reports/internal/<area>/<edition>/``. The two trees are replaced one after the other
(internal, then public): a crash between the two leaves the new internal and the old public
edition, each complete, and no receipt, so the next run publishes again. A failure while
building (disk full, a stray file, an error) leaves both previous trees byte-identical.

The publish rule's output is a *receipt* under ``data/processed/publish/`` (the sha256 of each
tree's manifest and its file list), never the published files: Snakemake deletes a rule's
outputs before running it, which would delete the previous edition first.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.atomic import discard, new_staging_dir, recover_leftovers, swap_in, write_durably
from pipeline.audit.hashing import sha256_file
from pipeline.audit.manifest import build_manifest
from pipeline.editions import (
    CIRCULATIONS,
    FORMATS,
    INTERNAL,
    PUBLIC,
    ReportVariant,
    edition_folder,
    manifest_name,
    report_variants,
)
from pipeline.render.bundle import write_bundle, write_published_data
from pipeline.runtime import LOGGER, UserFacingError, json_bytes, read_json
from pipeline.settings import Area, Settings

#: Trees are swapped in this order (see the module docstring).
SWAP_ORDER: tuple[str, ...] = (INTERNAL, PUBLIC)


class PublishError(UserFacingError):
    """Publishing failed (disk full, permissions, ...); the message says what is published."""


def _failure(error: OSError, root: Path, targets: Mapping[str, Path], done: list[str]) -> str:
    where = f" ({error.filename})" if error.filename else ""
    reason = f"{error.strerror or error}{where}"
    folders = {c: Path(targets[c]).relative_to(root).as_posix() for c in targets}
    if not done:
        return (
            f"could not publish {folders[PUBLIC]}: {reason}. Nothing was replaced: the "
            "previous edition is as it was."
        )
    kept = [folders[c] for c in SWAP_ORDER if c not in done]
    return (
        f"could not publish {folders[PUBLIC]}: {reason}. {', '.join(folders[c] for c in done)} "
        f"holds the new edition; {', '.join(kept)} still holds the previous one, complete. "
        "Run the workflow again to publish it."
    )


def tree_variants(settings: Settings) -> dict[str, tuple[ReportVariant, ...]]:
    """The report variants each tree holds, by circulation."""
    variants = report_variants(settings)
    return {c: tuple(v for v in variants if v.circulation == c) for c in CIRCULATIONS}


def tree_paths(root: str | Path, area_slug: str, edition: str) -> dict[str, Path]:
    """Each tree's folder under ``root`` (the repository), by circulation."""
    return {c: Path(root) / edition_folder(area_slug, edition, c) for c in CIRCULATIONS}


def assemble_tree(
    tree: Path,
    *,
    circulation: str,
    variants: Sequence[ReportVariant],
    reports: Mapping[str, str],
    tables: Mapping[str, str],
    chart_dir: str,
    provenance: Mapping[str, Any],
    template_dir: str,
    settings: Settings,
    area: Area,
) -> dict[str, Any]:
    """Write one complete tree into the empty folder ``tree``; return its manifest."""
    for variant in variants:
        for fmt in FORMATS:
            source = Path(reports[variant.key(fmt)])
            write_durably(tree / variant.file_name(fmt), source.read_bytes())
    internal = circulation == INTERNAL
    write_published_data(tree, chart_dir, variants, measure_tables=tables if internal else None)
    zip_path = write_bundle(tree, template_dir, settings, area, circulation, variants)
    manifest = build_manifest(
        area=area,
        edition=settings.edition,
        edition_dir=tree,
        provenance=provenance,
        intermediate=tables.values(),
        circulation=circulation,
        manifest=manifest_name(circulation),
        zip_file=zip_path.name,
    )
    write_durably(tree / manifest_name(circulation), json_bytes(manifest))
    return manifest


def publish_editions(
    *,
    reports: Mapping[str, str],
    tables: Mapping[str, str],
    chart_dir: str,
    provenance: str,
    template_dir: str,
    root: str | Path,
    settings: Settings,
    area: Area,
) -> dict[str, Any]:
    """Publish both trees of one area's edition under ``root``; return the receipt.

    ``reports`` maps each variant's ``<name>_<fmt>`` key (:meth:`ReportVariant.key`) to its
    rendered file; ``tables`` each measure family to its table.
    """
    targets = tree_paths(root, area.slug, settings.edition)
    record = read_json(provenance)
    staged: dict[str, Path] = {}
    done: list[str] = []
    try:
        for target in targets.values():
            for note in recover_leftovers(target):
                LOGGER.info("left by an interrupted publish: %s", note)
        for circulation, variants in tree_variants(settings).items():
            staged[circulation] = new_staging_dir(targets[circulation])
            assemble_tree(
                staged[circulation],
                circulation=circulation,
                variants=variants,
                reports=reports,
                tables=tables,
                chart_dir=chart_dir,
                provenance=record,
                template_dir=template_dir,
                settings=settings,
                area=area,
            )
        for circulation in SWAP_ORDER:
            old = swap_in(staged[circulation], targets[circulation])
            done.append(circulation)
            LOGGER.info("published %s", targets[circulation])
            discard(old, targets[circulation])
    except BaseException as error:
        # Free the space now (a full disk is a likely cause). A staging path holds either a
        # new tree not swapped in or, after a swap, the old one: neither is needed. A kill
        # leaves them to recover_leftovers on the next publish.
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise PublishError(_failure(error, Path(root), targets, done)) from error
        raise
    return receipt(root, targets)


def receipt(root: str | Path, targets: Mapping[str, Path]) -> dict[str, Any]:
    """What was published: each tree's manifest sha256 and file list (paths relative to
    ``root``), so the workflow can tell when a published tree is missing or replaced."""
    trees = {}
    for circulation, folder in sorted(targets.items()):
        name = manifest_name(circulation)
        trees[Path(folder).relative_to(root).as_posix()] = {
            "circulation": circulation,
            "manifest": name,
            "manifest_sha256": sha256_file(Path(folder) / name),
            "files": sorted(
                p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file()
            ),
        }
    return {"trees": trees}


def stale_receipt_reason(receipt_path: str | Path, root: str | Path = ".") -> str | None:
    """Why a receipt no longer describes what is published (None if it still does): a tree
    missing, its manifest missing or changed, or the receipt unreadable."""
    try:
        trees = read_json(receipt_path)["trees"]
        # The public tree first: it is the one users look at.
        entries = sorted(
            (CIRCULATIONS.index(e["circulation"]), folder, e["manifest"], e["manifest_sha256"])
            for folder, e in trees.items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"{receipt_path} is unreadable"
    for _, folder, name, digest in entries:
        if not (Path(root) / folder).is_dir():
            return f"{folder} is missing"
        manifest = Path(root) / folder / name
        if not manifest.is_file():
            return f"{folder}/{name} is missing"
        if sha256_file(manifest) != digest:
            return f"{folder}/{name} has changed since it was published"
    return None


def drop_stale_receipt(receipt_path: str | Path, root: str | Path = ".") -> str | None:
    """Delete a receipt that no longer describes what is published, so the workflow publishes
    the edition again; return the one-line reason (None if the receipt is kept or absent)."""
    path = Path(receipt_path)
    if not path.exists():
        return None
    reason = stale_receipt_reason(path, root)
    if reason is None:
        return None
    path.unlink()
    return f"{reason}: the edition will be published again."
