"""Opening a workspace database: pragmas, locking, schema version checks and migrations."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from desktop.storage.errors import environment_error

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def read_only_location(path: Path) -> bool:
    """A workspace file that exists where it cannot be written: a read-only volume, folder or file."""
    if not path.exists():
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def _read_only_connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A read-only connection: through an escaped URI (never a path glued into one).

    In a folder that cannot be written SQLite cannot make the WAL's shared-memory file, so the file is
    opened immutable (nobody can change it there either); otherwise read-only with the usual locking.
    """
    folder_writable = os.access(path.parent, os.W_OK)
    uri = path.resolve().as_uri() + ("?mode=ro" if folder_writable else "?mode=ro&immutable=1")
    return sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False)


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, *, read_only: bool = False) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, future=True)
    if read_only:
        path = sqlite_path(url)
        engine = create_engine("sqlite://", creator=lambda: _read_only_connect(path, busy_timeout_ms), future=True)

        @event.listens_for(engine, "begin")
        def _begin_read(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")  # a write in it is refused by SQLite: "readonly database"

        return engine
    # isolation_level=None hands transaction control to us, so that every write transaction starts
    # with BEGIN IMMEDIATE: a second app instance waits (busy_timeout) instead of deadlocking later.
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "isolation_level": None, "check_same_thread": False},
        future=True,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cur.execute("PRAGMA synchronous=FULL")  # a committed change survives a power cut
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def busy_as_storage_error() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        mapped = environment_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config  # noqa: PLC0415 - Alembic loads only for a migration: 0.2 s at start-up

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE)


@cache
def _revision_graph() -> dict[str, str | None]:
    """revision -> the revision it follows, read from the migration files (a test checks it against Alembic)."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision:
            graph[revision.group(1)] = down.group(1) if down else None
    return graph


def head_revision() -> str:
    graph = _revision_graph()
    followed = {down for down in graph.values() if down}
    heads = [rev for rev in graph if rev not in followed]
    return heads[0] if len(heads) == 1 else ""


def known_revisions() -> set[str]:
    return set(_revision_graph())


def current_revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command  # noqa: PLC0415 - see alembic_config

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def schema_state(engine: Engine) -> str:
    """'empty', 'current', 'older' (needs a migration) or 'newer' (written by a newer app)."""
    current = current_revision(engine)
    if current is None:
        return "empty" if not has_tables(engine) else "foreign"
    if current == head_revision():
        return "current"
    if current in known_revisions():
        return "older"
    return "newer"
