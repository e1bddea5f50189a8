"""Names of our temporary work beside a target, and whether what a killed run left is ours to remove.

Every temporary file or folder CarbonDesk makes beside a target (an export's part, a package's work
folder, a backup's part) is named ``.<target>.carbondesk-<host>.<pid>.<random>``: our mark, the machine
and the process that writes it.  The next run of the same command removes a leftover at once when its
writer is gone (same machine, process no longer running), and otherwise only when it is older than
``STALE_SECONDS`` (another machine on a network share, or a process id taken again).  Nothing without
our mark is ever touched.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

MARK = "carbondesk-"
STALE_SECONDS = 600
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
_OWNER = re.compile(re.escape(MARK) + r"(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.")


def work_prefix(target_name: str) -> str:
    """The start of a temporary name for ``target_name``'s work, made by this process on this machine."""
    return f".{target_name}.{MARK}{_HOST}.{os.getpid()}."


def abandoned(path: Path, now: float | None = None) -> bool:
    """A leftover whose writer is gone: removable.  Our own process's work is never abandoned."""
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except OSError:
        return False
    owner = _OWNER.search(path.name)
    if owner is not None and owner["host"] == _HOST:
        pid = int(owner["pid"])
        if pid == os.getpid():
            return False
        if not _running(pid):
            return True
    return age > STALE_SECONDS


def _running(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows: ask for the process without touching it
        import ctypes  # noqa: PLC0415

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
