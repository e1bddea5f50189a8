"""Issue 12: what the machine refuses (read-only, full disk, a file held by another program, a missing
path) is said plainly, with its own exit code -- never "another window is writing", never exit 3."""

from __future__ import annotations

import errno
import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from desktop.cli.main import ENVIRONMENT_EXIT
from desktop.cli.main import main as cli_main
from desktop.storage.errors import environment_error
from desktop.storage.workspace import Workspace


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OperationalError("INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")), "STO-E022"),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")), "STO-E007"),
        (OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked")), "STO-E002"),
        (OSError(errno.ENOSPC, "No space left on device"), "STO-E007"),
        (OSError(errno.EROFS, "Read-only file system"), "STO-E022"),
        (PermissionError(errno.EACCES, "Permission denied", "report.xlsx"), "STO-E023"),
        (FileNotFoundError(errno.ENOENT, "No such file", "in.xlsx"), "STO-E008"),
    ],
)
def test_each_refusal_has_its_own_message(error: BaseException, code: str) -> None:
    mapped = environment_error(error, "w.sqlite")
    assert mapped is not None and mapped.code == code
    assert ENVIRONMENT_EXIT.get(code, 2) != 3


def test_a_missing_file_on_the_command_line_is_named_not_an_internal_error(tmp_path: Path) -> None:
    from datetime import date

    from desktop.services.demo import create_demo_workspace

    ws = tmp_path / "w.sqlite"
    create_demo_workspace(ws, today=date(2026, 11, 23)).close()
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(
        ["--lang", "en", "--workspace", str(ws), "import-xlsx", str(tmp_path / "nope.xlsx")], out=out, err=err
    )
    assert code not in (0, 3) and "nope.xlsx" in err.getvalue()


def test_a_read_only_workspace_refuses_a_write_plainly(tmp_path: Path) -> None:
    """SQLite's query_only mode stands in for a read-only file (the tests run as root, who may write anything)."""
    from sqlalchemy import event

    from desktop.services import store

    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, app_user="t")

    @event.listens_for(ws.engine, "connect")
    def read_only(conn, _record) -> None:
        conn.execute("PRAGMA query_only = 1")

    ws.engine.dispose()  # new connections are read-only
    with pytest.raises(Exception) as info:
        store.create_entity(ws=ws, name="x", uscc="91110000101623741K")
    mapped = getattr(info.value, "code", None)
    assert mapped == "STO-E022", info.value
    ws.close()
