"""Atomic file writing: a temporary file beside the target, then a rename; a failure leaves nothing."""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.filenames import check_output_name, long_path
from desktop.leftovers import MARK, abandoned, work_prefix


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sweep_stale_parts(target: Path) -> None:
    """Remove what a killed earlier write of this very file left beside it (our mark only, writer gone)."""
    for part in target.parent.glob(f".{glob.escape(target.name)}.{MARK}*.part"):
        try:
            if abandoned(part):
                part.unlink()
        except OSError:
            continue  # in use, or already gone: left alone


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; it becomes ``target`` only if the block succeeds.

    The file gets the user's usual permissions (a colleague can read it where the user's files are
    readable); it is flushed to disk through a handle opened for writing (Windows refuses a flush on a
    read-only one).
    """
    check_output_name(target)  # CON.pdf, "report." -- refused before anything is written
    target = long_path(Path(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_parts(target)
    fd, tmp_name = tempfile.mkstemp(prefix=work_prefix(target.name), suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with tmp.open("r+b") as handle:
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)
