"""Publishing never costs an edition: the publish step (pipeline.render.publish) under injected
faults (disk full at every write, a real full tmpfs, stray files and folders, kill -9 at every
step and at random moments, a filesystem without RENAME_EXCHANGE).

After every fault, each published tree (public and internal) is byte for byte either the
previous edition or the complete new one, never a mix, never half-written; a fault before the
first swap leaves both previous trees byte-identical; and the next publish succeeds and
leaves nothing hidden behind.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import atomic
from pipeline.editions import CIRCULATIONS, INTERNAL_FOLDER
from pipeline.render.publish import (
    PublishError,
    drop_stale_receipt,
    publish_editions,
    stale_receipt_reason,
    tree_paths,
)
from pipeline.runtime import write_json
from tests.publish_inputs import AREA, EDITION, hidden_entries, make_inputs, settings, tree_hashes

#: Functions a publish calls to change the filesystem, patched to inject faults (by name).
OPERATIONS: dict[str, tuple[object, str]] = {
    "open": (os, "open"),
    "write": (os, "write"),
    "fsync": (os, "fsync"),
    "mkdir": (os, "mkdir"),
    "rename": (os, "rename"),
    "exchange": (atomic, "exchange"),
    "unlink": (os, "unlink"),
    "rmdir": (os, "rmdir"),
    "rmtree": (shutil, "rmtree"),
}
#: The ones that can fail with "no space left on device".
SPACE_OPERATIONS = ("open", "write", "fsync", "mkdir", "rename", "exchange")


@contextmanager
def intercepted(
    operations: tuple[str, ...], before: Callable[[str, int, tuple], None]
) -> Iterator[list[tuple[int, str, tuple]]]:
    """Call ``before(operation, index, args)`` ahead of each call of ``operations`` (index
    counts every intercepted call from 0, in the order made); yield the log of the calls that
    succeeded as (index, operation, args). A call that fails on its own (``mkdir`` of a folder
    that exists) is not a moment a fault can strike, so it is left out of the log."""
    log: list[tuple[int, str, tuple]] = []
    attempts = [0]
    originals = {name: getattr(*OPERATIONS[name]) for name in operations}

    def wrap(name: str, original: Callable) -> Callable:
        def call(*args, **kwargs):
            index = attempts[0]
            attempts[0] += 1
            before(name, index, args)
            result = original(*args, **kwargs)
            log.append((index, name, args))
            return result

        return call

    for name in operations:
        setattr(OPERATIONS[name][0], OPERATIONS[name][1], wrap(name, originals[name]))
    try:
        yield log
    finally:
        for name in operations:
            setattr(OPERATIONS[name][0], OPERATIONS[name][1], originals[name])


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> SimpleNamespace:
    """An old and a new edition of the same area, each published once on its own."""
    base = tmp_path_factory.mktemp("editions")
    config = settings()
    old = make_inputs(base / "old-inputs", "old", config)
    new = make_inputs(base / "new-inputs", "new", config)
    publish_editions(**old, root=base / "old")
    publish_editions(**new, root=base / "new")
    return SimpleNamespace(
        new=new,
        old_root=base / "old",
        old=trees(base / "old"),
        new_trees=trees(base / "new"),
    )


def trees(root: Path) -> dict[str, dict[str, str] | None]:
    return {c: tree_hashes(path) for c, path in tree_paths(root, AREA, EDITION).items()}


def with_old_edition(editions: SimpleNamespace, root: Path) -> Path:
    """``root`` with a copy of the previously published edition."""
    shutil.copytree(editions.old_root / "reports", root / "reports", symlinks=True)
    return root


def leftovers(root: Path) -> list[str]:
    return [
        name
        for target in tree_paths(root, AREA, EDITION).values()
        for name in hidden_entries(target.parent)
    ]


def assert_each_tree_old_or_new(editions, root: Path, context: str) -> dict[str, str]:
    """Each tree is byte-identical to the old or to the new edition; say which."""
    state = trees(root)
    which = {}
    for c in CIRCULATIONS:
        if state[c] == editions.old[c]:
            which[c] = "old"
        elif state[c] == editions.new_trees[c]:
            which[c] = "new"
        else:
            raise AssertionError(f"{context}: the {c} tree is neither edition: {state[c]}")
    return which


def assert_next_publish_succeeds(editions, root: Path, context: str) -> None:
    publish_editions(**editions.new, root=root)
    assert trees(root) == editions.new_trees, context
    assert leftovers(root) == [], f"{context}: {leftovers(root)}"


def swapped(log: list[tuple[str, tuple]], root: Path) -> bool:
    """Whether any tree was already put in place when the fault struck."""
    targets = {str(p) for p in tree_paths(root, AREA, EDITION).values()}
    return any(
        name == "exchange" or (name == "rename" and str(args[1]) in targets)
        for _, name, args in log
    )


# ---- what a publish writes -------------------------------------------------------------------


def test_publish_writes_both_trees_with_manifests_of_every_file_and_zip_entry(editions):
    root = editions.old_root
    public, internal = (tree_paths(root, AREA, EDITION)[c] for c in ("public", "internal"))
    assert internal == root / "reports" / INTERNAL_FOLDER / AREA / EDITION
    manifest = json.loads((public / "MANIFEST.json").read_text(encoding="utf-8"))
    files = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    assert set(manifest["outputs"]) == files - {"MANIFEST.json"}
    zip_name = f"{AREA}-{EDITION}-sna.zip"
    with zipfile.ZipFile(public / zip_name) as archive:
        assert set(manifest["zip_entries"][zip_name]) == set(archive.namelist())
    inside = {p.name for p in internal.rglob("*") if p.is_file()}
    assert inside == {
        "MANIFEST-internal.json",
        "index-internal.html",
        f"{AREA}-{EDITION}-internal.zip",
        "technical-internal.html",
        "technical-internal.pdf",
        "wards-internal.csv",
        "trend-internal.csv",
        "measures-key_metric-internal.csv",
        "measures-trend-internal.csv",
    }
    assert not any("internal" in name or "technical" in name for name in files)


# ---- disk full -------------------------------------------------------------------------------


def test_disk_full_at_every_write_point_keeps_the_previous_edition(editions, tmp_path):
    root = with_old_edition(editions, tmp_path / "count")
    with intercepted(SPACE_OPERATIONS, lambda *_: None) as log:
        publish_editions(**editions.new, root=root)
    calls = [name for _, name, _ in log]
    assert calls.count("write") == 16 and calls.count("exchange") == 2  # 16 files, 2 trees
    for index, operation, _ in log:
        root = with_old_edition(editions, tmp_path / f"case-{index}")
        context = f"ENOSPC on call {index} ({operation})"

        fired = []

        def full(name, at, args, index=index, fired=fired):
            if at == index and not fired:  # once: the clean-up after it must run
                fired.append(name)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        with intercepted(SPACE_OPERATIONS, full) as done, pytest.raises(PublishError) as error:
            publish_editions(**editions.new, root=root)
        assert error.value.__cause__.errno == errno.ENOSPC, context
        assert "No space left on device" in str(error.value)
        which = assert_each_tree_old_or_new(editions, root, context)
        if not swapped(done, root):
            assert which == {"public": "old", "internal": "old"}, context
            assert str(error.value).endswith(
                "Nothing was replaced: the previous edition is as it was."
            )
        else:  # the message says which tree is new
            new = [c for c in which if which[c] == "new"]
            assert new and all(
                tree_paths(root, AREA, EDITION)[c].relative_to(root).as_posix() in str(error.value)
                for c in new
            ), (context, str(error.value))
        assert leftovers(root) == [], f"{context}: {leftovers(root)}"
        assert_next_publish_succeeds(editions, root, context)


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({result.stderr.strip()}); the injected ENOSPC test "
            "above proves the guarantee at every write"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_real_full_disk_keeps_the_previous_edition(editions, tmp_path):
    with small_tmpfs(tmp_path / "disk", "1m") as disk:
        root = with_old_edition(editions, disk)
        ballast = disk / "ballast"
        free = shutil.disk_usage(disk).free
        ballast.write_bytes(b"\0" * (free - 40_000))  # less room than a new edition needs
        with pytest.raises(PublishError) as error:
            publish_editions(**editions.new, root=root)
        assert error.value.__cause__.errno == errno.ENOSPC
        assert f"could not publish reports/{AREA}/{EDITION}: No space left on device" in str(
            error.value
        )
        assert trees(root) == editions.old
        assert leftovers(root) == []
        ballast.unlink()
        assert_next_publish_succeeds(editions, root, "after freeing space")


# ---- stray files and folders ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind",
    [
        (".2024-25.staging", "file"),  # the fixed names earlier versions used
        (".2024-25.staging", "folder"),
        (".2024-25.previous", "file"),
        (".2024-25.previous", "folder"),
        (".2024-25.staging-abcdef", "folder"),  # the names this version uses
        (".2024-25.previous-abcdef", "file"),
    ],
)
def test_a_stray_file_or_folder_never_blocks_publishing(editions, tmp_path, name, kind):
    root = with_old_edition(editions, tmp_path)
    for target in tree_paths(root, AREA, EDITION).values():
        stray = target.parent / name
        if kind == "file":
            stray.write_text("stray", encoding="utf-8")
        else:
            (stray / "data").mkdir(parents=True)
            (stray / "data" / "victims.csv").write_text("stray", encoding="utf-8")
    assert_next_publish_succeeds(editions, root, f"stray {kind} {name}")


def test_a_stray_file_where_the_edition_goes_is_replaced(editions, tmp_path):
    root = tmp_path
    for target in tree_paths(root, AREA, EDITION).values():
        target.parent.mkdir(parents=True)
        target.write_text("not an edition", encoding="utf-8")
    assert_next_publish_succeeds(editions, root, "a file at the edition path")


# ---- kill -9 ---------------------------------------------------------------------------------


def _publish_in_child(editions, root: Path, before, exchange_fails: bool = False) -> int:
    """Fork a process that publishes (with ``before`` intercepting every operation); return
    its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            if exchange_fails:

                def no_exchange(*_):
                    raise OSError(errno.EINVAL, "RENAME_EXCHANGE not supported here")

                atomic.exchange = no_exchange
            with intercepted(tuple(OPERATIONS), before):
                publish_editions(**editions.new, root=root)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def kill_moments(log: list[tuple[int, str, tuple]], attempts: int) -> list[int]:
    """Where to kill: before every call from the last file write on (the swaps and the
    deletions around them), before every fourth call while the trees are still being built
    (each leaves the same state: old trees, a half-built hidden staging folder), right at
    the start, and after the end."""
    last_write = max(index for index, name, _ in log if name == "write")
    building = [index for index, _, _ in log if index < last_write]
    swapping = [index for index, _, _ in log if index >= last_write]
    return sorted({0, *building[::4], *swapping, attempts})


def _kill_self_at(index: int):
    def before(name, at, args):
        if at == index:
            os.kill(os.getpid(), signal.SIGKILL)

    return before


def test_kill_9_at_every_step_of_a_publish(editions, tmp_path):
    root = with_old_edition(editions, tmp_path / "count")
    attempts = []
    with intercepted(tuple(OPERATIONS), lambda name, at, args: attempts.append(at)) as log:
        publish_editions(**editions.new, root=root)
    total = len(attempts)
    moments = kill_moments(log, total)
    assert len(log) > 100 and len(moments) > 40
    seen = set()
    for index in moments:
        root = with_old_edition(editions, tmp_path / f"kill-{index}")
        status = _publish_in_child(editions, root, _kill_self_at(index))
        context = f"kill -9 before call {index} of {total}"
        if index < total:
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, context
        else:
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, context
        which = assert_each_tree_old_or_new(editions, root, context)
        seen.add(tuple(sorted(which.items())))
        if index == 0:
            assert which == {"public": "old", "internal": "old"}
        assert_next_publish_succeeds(editions, root, context)
    # The kills landed before, between and after the two swaps.
    assert {
        (("internal", "old"), ("public", "old")),
        (("internal", "new"), ("public", "old")),
        (("internal", "new"), ("public", "new")),
    } <= seen


def test_kill_9_from_outside_at_random_moments(editions, tmp_path):
    def slow(name, at, args):
        if name == "write":
            time.sleep(0.002)

    start = time.monotonic()
    status = _publish_in_child(editions, with_old_edition(editions, tmp_path / "timed"), slow)
    duration = time.monotonic() - start
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    moments = random.Random(20250701).sample(range(1, 100), 12)
    for moment in moments:
        root = with_old_edition(editions, tmp_path / f"at-{moment}")
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                with intercepted(tuple(OPERATIONS), slow):
                    publish_editions(**editions.new, root=root)
                code = 0
            finally:
                os._exit(code)
        time.sleep(duration * moment / 100)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        context = f"kill -9 at {moment}% of a publish"
        assert_each_tree_old_or_new(editions, root, context)
        assert_next_publish_succeeds(editions, root, context)


# ---- a filesystem that cannot exchange two paths -------------------------------------------


def test_without_rename_exchange_a_kill_leaves_the_old_edition_recoverable(
    editions, tmp_path, monkeypatch
):
    """The fallback's one window: between its two renames the edition path is missing and the
    complete old edition sits at a hidden .previous-* path; the next publish restores it
    before anything else."""

    def no_exchange(*_):
        raise OSError(errno.EINVAL, "RENAME_EXCHANGE not supported here")

    with monkeypatch.context() as patch:
        patch.setattr(atomic, "exchange", no_exchange)
        root = with_old_edition(editions, tmp_path / "count")
        attempts = []
        with intercepted(tuple(OPERATIONS), lambda name, at, args: attempts.append(at)) as log:
            publish_editions(**editions.new, root=root)
    assert trees(root) == editions.new_trees and leftovers(root) == []
    missing_seen = False
    for index in kill_moments(log, len(attempts)):
        root = with_old_edition(editions, tmp_path / f"fallback-{index}")
        _publish_in_child(editions, root, _kill_self_at(index), exchange_fails=True)
        context = f"fallback, kill -9 before call {index} of {len(log)}"
        state = trees(root)
        for circulation, target in tree_paths(root, AREA, EDITION).items():
            if state[circulation] is None:
                missing_seen = True
                previous = [n for n in hidden_entries(target.parent) if ".previous-" in n]
                assert len(previous) == 1, context
                assert tree_hashes(target.parent / previous[0]) == editions.old[circulation]
                assert any("restored" in note for note in atomic.recover_leftovers(target))
        assert_each_tree_old_or_new(editions, root, context)
        assert_next_publish_succeeds(editions, root, context)
    assert missing_seen, "no kill landed in the fallback's window: the test proves nothing"


# ---- the receipt: what the workflow knows was published ------------------------------------


def test_a_receipt_is_dropped_when_a_tree_is_missing_or_its_manifest_changed(editions, tmp_path):
    root = with_old_edition(editions, tmp_path)
    record = publish_editions(**editions.new, root=root)
    receipt = tmp_path / "receipt.json"
    write_json(record, receipt)
    assert stale_receipt_reason(receipt, root) is None
    assert drop_stale_receipt(receipt, root) is None and receipt.exists()
    # A file edited with its manifest left alone is for make verify to name, not a re-publish.
    (tree_paths(root, AREA, EDITION)["public"] / "resident.html").write_text("defaced")
    assert stale_receipt_reason(receipt, root) is None
    internal = tree_paths(root, AREA, EDITION)["internal"]
    manifest = internal / "MANIFEST-internal.json"
    original = manifest.read_bytes()
    manifest.write_bytes(original.replace(b'"internal"', b'"public"', 1))
    message = drop_stale_receipt(receipt, root)
    assert message == (
        f"reports/internal/{AREA}/{EDITION}/MANIFEST-internal.json has changed since it was "
        "published: the edition will be published again."
    )
    assert not receipt.exists()
    manifest.write_bytes(original)
    write_json(record, receipt)
    shutil.rmtree(root / "reports")
    assert stale_receipt_reason(receipt, root) == f"reports/{AREA}/{EDITION} is missing"
    receipt.write_text("{not json", encoding="utf-8")
    assert "unreadable" in stale_receipt_reason(receipt, root)


def test_the_publish_step_writes_the_receipt_and_a_failure_is_one_clear_message(
    editions, tmp_path, capsys
):
    from pipeline.runtime import logged_step
    from pipeline.steps import publish_step

    root = with_old_edition(editions, tmp_path / "repo")
    receipt = tmp_path / "processed" / "receipt.json"
    publish_step(**editions.new, receipt=str(receipt), root=str(root))
    record = json.loads(receipt.read_text(encoding="utf-8"))
    assert stale_receipt_reason(receipt, root) is None
    assert set(record["trees"]) == {
        f"reports/{AREA}/{EDITION}",
        f"reports/internal/{AREA}/{EDITION}",
    }
    # A full disk: exit status 1 and one message, no traceback, nothing replaced.
    before = trees(root)

    def full(name, at, args):
        if name == "write":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    other = make_inputs(tmp_path / "third", "third", editions.new["settings"])
    with intercepted(("write",), full), pytest.raises(SystemExit) as stop:
        with logged_step(tmp_path / "publish.log", "publish_edition"):
            publish_step(**other, receipt=str(receipt), root=str(root))
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        f"publish_edition: could not publish reports/{AREA}/{EDITION}: No space left on device. "
        "Nothing was replaced: the previous edition is as it was." in err
    )
    assert trees(root) == before and leftovers(root) == []
