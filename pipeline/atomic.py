"""Replace a published folder in one rename, so the path readers use always holds either the
complete old folder or the complete new one.

How: the new folder is built in a fresh hidden sibling (:func:`new_staging_dir`, created with
``mkdtemp`` so no stray file or folder at a fixed name can block it or be clobbered), every
file and folder in it is fsynced, then :func:`replace_directory` swaps it with the old one
with ``renameat2(RENAME_EXCHANGE)`` (one atomic step; Linux 3.15+, glibc 2.28+) and deletes
the old one, which the swap left at the staging path (:func:`swap_in`, then :func:`discard`).

Where the filesystem cannot exchange (``EINVAL``/``ENOSYS``/``ENOTSUP``), the fallback moves
the old folder to a hidden ``.<name>.previous-*`` sibling, then the new one into place: between
those two renames the path is missing (the old folder is complete beside it), and
:func:`recover_leftovers`, which every publish calls first, puts it back if a crash struck in
that window.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: errno values meaning "this filesystem or kernel cannot exchange two paths".
_NO_EXCHANGE = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP})


def staging_prefix(target: Path) -> str:
    return f".{target.name}.staging"


def previous_prefix(target: Path) -> str:
    return f".{target.name}.previous"


def exchange(first: str | Path, second: str | Path) -> None:
    """Swap two existing paths atomically (``renameat2`` with ``RENAME_EXCHANGE``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available in this C library")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def write_durably(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a new file and fsync it before returning (a crash after this call
    never leaves the file short). Every published byte goes through here."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_directory(path: str | Path) -> None:
    """fsync a directory, so the names created or renamed in it are on disk."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_tree(root: str | Path) -> None:
    """fsync every folder under ``root`` (deepest first) and ``root`` itself. Files are
    fsynced as they are written (:func:`write_durably`)."""
    folders = [Path(d) for d, _, _ in os.walk(root)]
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        fsync_directory(folder)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def recover_leftovers(target: str | Path) -> list[str]:
    """Tidy what an interrupted publish of ``target`` left beside it; say what was done.

    Hidden staging folders (a half-built edition, or the old one after a swap) are deleted.
    A hidden previous folder is the complete old edition kept by the fallback: it is put back
    if ``target`` is missing, and deleted otherwise. Stray files at those names are deleted
    too.
    """
    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        return []
    done = []
    names = sorted(os.listdir(parent))
    for name in names:
        if name.startswith(staging_prefix(target)):
            _remove(parent / name)
            done.append(f"removed {parent / name}")
    for name in names:
        if not name.startswith(previous_prefix(target)):
            continue
        previous = parent / name
        if not os.path.lexists(target) and previous.is_dir() and not previous.is_symlink():
            os.rename(previous, target)
            fsync_directory(parent)
            done.append(f"restored {target} from {previous}")
        else:
            _remove(previous)
            done.append(f"removed {previous}")
    return done


def new_staging_dir(target: str | Path) -> Path:
    """A fresh, empty hidden folder beside ``target`` to build its replacement in."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target) + "-"))


def swap_in(staging: str | Path, target: str | Path) -> Path | None:
    """Put the complete folder ``staging`` at ``target`` in one rename. Returns where the
    folder that was at ``target`` now is (to :func:`discard`), or None if there was none.
    ``staging`` must be a sibling of ``target`` (same filesystem)."""
    staging, target = Path(staging), Path(target)
    fsync_tree(staging)
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    try:
        exchange(staging, target)
    except OSError as error:
        if error.errno not in _NO_EXCHANGE:
            raise
        return _swap_without_exchange(staging, target)
    return staging  # the old edition, now at the staging path


def _swap_without_exchange(staging: Path, target: Path) -> Path:
    """Two renames: old -> hidden previous, new -> target. Between them ``target`` is
    missing; :func:`recover_leftovers` puts the previous one back after a crash there."""
    previous = Path(tempfile.mkdtemp(dir=target.parent, prefix=previous_prefix(target) + "-"))
    os.rmdir(previous)  # reserve a unique name, then let the old edition take it
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(previous, target)
        raise
    return previous


def discard(old: Path | None, target: str | Path) -> None:
    """After :func:`swap_in`: make the new name durable, then delete the old folder."""
    fsync_directory(Path(target).parent)
    if old is not None:
        _remove(old)


def replace_directory(staging: str | Path, target: str | Path) -> None:
    """:func:`swap_in`, then :func:`discard` what was at ``target`` before."""
    discard(swap_in(staging, target), target)
