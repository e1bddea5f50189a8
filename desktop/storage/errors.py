"""The storage's refusals, and what the machine refused, without loading a database library.

The command line and the window catch these on every path; importing them must not cost SQLAlchemy's
start-up (a `calc` of a JSON file never opens a workspace).
"""

from __future__ import annotations

import errno
from typing import Any


class StorageError(Exception):
    """A storage problem the user must be told about; ``code`` keys a message in zh and en."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params


def environment_error(exc: BaseException, where: str = "") -> StorageError | None:
    """What the machine refused, as the user's message (None: not an environment problem).

    A read-only workspace, a full disk, a file held by another program (or no right to write it), a path
    that does not exist -- each its own message, never "another window is writing".
    """
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    code = getattr(orig, "errno", None)
    if "readonly" in text or "read-only" in text or code == errno.EROFS:
        return StorageError("STO-E022", what=where or text)
    if ("disk" in text and ("full" in text or "i/o" in text)) or code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StorageError("STO-E007", detail=str(orig))
    if "locked" in text or "busy" in text:
        return StorageError("STO-E002")
    if isinstance(orig, FileNotFoundError) or code == errno.ENOENT:
        return StorageError("STO-E008", what=getattr(orig, "filename", None) or where or text)
    if isinstance(orig, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return StorageError("STO-E023", what=getattr(orig, "filename", None) or where or text)
    return None
