"""The output folder: what ``--out`` may be, and how a finished build replaces the previous one.

**What the tool touches.**  ``--out`` is replaced only when it is empty, missing, or an earlier
build of this tool - known by the marker file :data:`MARKER` every build writes.  It refuses the
home folder, the current folder, a filesystem root, a folder that contains or is inside a source
folder, and any non-empty folder without the marker.  Beside ``--out`` it creates only names it
owns: ``.NAME.tmp-PID`` (the build being written, marked too), ``.NAME.previous-PID`` (fallback
only, see below) and ``.NAME.lock`` (removed when the build ends).

**Never neither.**  The new build is written into ``.NAME.tmp-PID``, then exchanged with ``--out``
in one ``renameat2(RENAME_EXCHANGE)`` system call: at every instant ``--out`` is either the old
build or the new one.  The old build, now in the staging name, is then removed.  Where the
filesystem cannot exchange atomically, two renames are used (``--out`` to ``.NAME.previous-PID``,
staging to ``--out``); a crash between them is repaired by the next run, which renames the
previous build back.  Leftovers of dead runs (marked staging folders whose process is gone) are
removed by the next run.  A lock (``flock`` on ``.NAME.lock``) keeps two builds out of one folder:
the second one stops with a message instead of racing the first.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import functools
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from mmed_ift import __version__
from mmed_ift.errors import BuildError

MARKER = ".mmed_ift-build"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|previous)-(?P<pid>\d+)$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def is_build(folder: Path) -> bool:
    """A folder this tool wrote (it carries the marker)."""
    return (folder / MARKER).is_file() and not (folder / MARKER).is_symlink()


def write_marker(folder: Path) -> None:
    (folder / MARKER).write_text(json.dumps({"tool": "mmed_ift", "version": __version__}) + "\n", encoding="utf-8")


def check_out_dir(out_dir: Path, source_dirs: Sequence[Path]) -> None:
    """Refuse an output folder the tool must not replace (see the module docstring)."""
    if Path(os.path.abspath(out_dir)).is_symlink():
        raise BuildError(f"--out {out_dir} is a symbolic link; give the folder itself")
    out = out_dir.resolve()
    if out == Path(out.anchor):
        raise BuildError(f"--out {out_dir} is a filesystem root; choose a folder of its own")
    if out == Path.home().resolve():
        raise BuildError(f"--out {out_dir} is your home folder; choose a folder of its own, e.g. {out / 'builds'}")
    if out == Path.cwd().resolve():
        raise BuildError(f"--out {out_dir} is the current folder; choose a sub-folder, e.g. {out_dir / 'mmed_ift_out'}")
    for source in source_dirs:
        source = source.resolve()
        if out == source or out in source.parents or source in out.parents:
            raise BuildError(f"--out {out_dir} overlaps the source folder {source}; write the build elsewhere")
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not is_build(out):
        raise BuildError(
            f"--out {out_dir} is a non-empty folder that no mmed_ift build wrote (no {MARKER} in it); "
            "it is left untouched - choose an empty or new folder"
        )


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``out_dir`` for the whole build; the file is removed at the end.

    A lock file that another run removed between our open and our lock is not the lock any more
    (a third run may have made a new one), so the lock is taken again on the current file.
    """
    lock_path = out_dir.with_name(f".{out_dir.name}.lock")
    while True:
        handle: IO[str] = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise BuildError(
                f"another build is writing {out_dir} (pid {holder}); wait for it to finish or choose another --out"
            ) from None
        try:
            current = os.stat(lock_path)
        except FileNotFoundError:
            current = None
        if current is not None and current.st_ino == os.fstat(handle.fileno()).st_ino:
            break
        handle.close()
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        handle.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(out_dir: Path) -> None:
    """Repair what a killed run left beside ``out_dir`` (call with the lock held)."""
    for entry in sorted(out_dir.parent.iterdir()):
        found = _LEFTOVER.match(entry.name)
        if not found or found["name"] != out_dir.name or not entry.is_dir() or entry.is_symlink():
            continue
        if int(found["pid"]) == os.getpid() or _alive(int(found["pid"])):
            continue  # still being written by a live process
        if not is_build(entry):
            if not any(entry.iterdir()):
                entry.rmdir()  # killed between creating the staging folder and marking it
            continue  # not ours: left alone
        if found["kind"] == "previous" and not out_dir.exists():
            entry.rename(out_dir)  # a crash between the two fallback renames: put the old build back
        else:
            shutil.rmtree(entry)


def new_staging(out_dir: Path) -> Path:
    staging = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    if staging.exists():
        if not is_build(staging):
            raise BuildError(f"{staging} exists and is not an mmed_ift staging folder; move it or choose another --out")
        shutil.rmtree(staging)
    staging.mkdir()
    write_marker(staging)
    return staging


@functools.cache
def _renameat2() -> Any:
    """libc's ``renameat2``, or None where the C library has none (looked up once)."""
    name = ctypes.util.find_library("c")
    return None if name is None else getattr(ctypes.CDLL(name, use_errno=True), "renameat2", None)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` (an earlier build, or nothing) with ``staging``; see the module docstring."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now the old build
        return
    previous = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
    out_dir.rename(previous)
    staging.rename(out_dir)
    shutil.rmtree(previous)
