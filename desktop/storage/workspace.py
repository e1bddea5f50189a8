"""A workspace: one database (a SQLite file, or a PostgreSQL URL for a group) and its evidence folder.

Opening a workspace creates it, migrates an older one after an automatic backup, or refuses one
written by a newer CarbonDesk.  All writes go through ``unit_of_work``: one transaction, serialised
against other app instances, with every change appended to the hash-chained audit log in the same
transaction.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop.filenames import check_output_name, long_path
from desktop.leftovers import MARK, abandoned, work_prefix
from desktop.storage import db
from desktop.storage.errors import StorageError, environment_error
from desktop.storage.models import AuditCheckpoint, AuditRecord, User, WorkspaceInfo, new_id

GENESIS = "0" * 64
_AUDIT_COLUMNS = (
    "id",
    "workspace_id",
    "at",
    "os_user",
    "app_user",
    "action",
    "target",
    "field",
    "old_value",
    "new_value",
    "reason",
    "prev_hash",
    "hash",
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) or no login name
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


CHECKPOINT_FORMAT = "carbondesk.audit-checkpoint"


def checkpoint_digest(payload: str) -> str:
    """What the next checkpoint names as its predecessor: removing one in the middle breaks the link."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    canonical = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def entry_fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "workspace_id": record.workspace_id,
        "at": record.at.isoformat(timespec="microseconds"),
        "os_user": record.os_user,
        "app_user": record.app_user,
        "action": record.action,
        "target": record.target,
        "field": record.field,
        "old": record.old_value,
        "new": record.new_value,
        "reason": record.reason,
    }


@dataclass
class UnitOfWork:
    """The session of one transaction, and who is making the change.

    Audit entries are chained as they are made and written in one bulk insert just before the commit
    (``write_audit``), in the same transaction as the changes they describe.
    """

    session: Session
    workspace_id: str
    app_user: str
    os_user: str
    _info: WorkspaceInfo | None = None
    _pending: list[dict[str, Any]] = field(default_factory=list)

    def audit(
        self,
        action: str,
        target: str,
        field: str = "",
        old: str | None = None,
        new: str | None = None,
        reason: str = "",
    ) -> None:
        if self._info is None:
            # Lock the chain head for this transaction (PostgreSQL: row lock; SQLite: BEGIN IMMEDIATE).
            self._info = self.session.execute(select(WorkspaceInfo).with_for_update()).scalar_one()
        record = AuditRecord(
            id=new_id(),
            workspace_id=self.workspace_id,
            at=utcnow(),
            os_user=self.os_user,
            app_user=self.app_user,
            action=action,
            target=target,
            field=field,
            old_value=old,
            new_value=new,
            reason=reason,
            prev_hash=self._info.audit_head or GENESIS,
            hash="",
        )
        record.hash = entry_hash(record.prev_hash, entry_fields(record))
        self._pending.append({c: getattr(record, c) for c in _AUDIT_COLUMNS})
        self._info.audit_head = record.hash
        self._info.audit_count = (self._info.audit_count or 0) + 1

    def checkpoint(self, event: str, sign: Callable[[bytes], tuple[bytes, str]] | None = None) -> AuditCheckpoint:
        """Record where the chain stands after this transaction's entries, signed by ``sign`` when given.

        Call it last in the transaction: ``sign(payload) -> (detached signature, signer's SHA-256)``.  The
        checkpoint commits with the change it covers, or not at all.
        """
        if self._info is None:
            self._info = self.session.execute(select(WorkspaceInfo).with_for_update()).scalar_one()
        last = self.session.execute(
            select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
        ).scalar_one_or_none()
        made_at = utcnow()
        fields = {
            "format": CHECKPOINT_FORMAT,
            "version": 1,
            "workspace": self._info.id,
            "number": (last.seq if last else 0) + 1,
            "entries": int(self._info.audit_count or 0),
            "head_sha256": self._info.audit_head or GENESIS,
            "at": made_at.isoformat(timespec="microseconds"),
            "event": event,
            "previous_sha256": checkpoint_digest(last.payload) if last else "",
        }
        payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        signature, signer = sign(payload.encode("utf-8")) if sign is not None else (None, "")
        record = AuditCheckpoint(
            seq=fields["number"],
            workspace_id=self.workspace_id,
            made_at=made_at,
            entries=fields["entries"],
            head=fields["head_sha256"],
            event=event[:200],
            payload=payload,
            signature=signature,
            signer_sha256=signer,
        )
        self.session.add(record)
        return record

    def write_audit(self) -> None:
        if self._pending:
            self.session.execute(insert(AuditRecord), self._pending)
            self._pending = []


class Workspace:
    """An open workspace. Create with ``Workspace.open``; close with ``close``."""

    def __init__(self, url: str, engine: Engine, info_id: str, evidence_dir: Path, app_user: str) -> None:
        self.url = url
        self.engine = engine
        self.id = info_id
        self.evidence_dir = evidence_dir
        self.app_user = app_user
        self.os_user = os_user()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.migrated_from: str | None = None
        self.backup_before_migration: Path | None = None
        self.read_only = False  # a file where it cannot be written: read, calculated, exported, never changed

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url_or_path: str | Path,
        *,
        app_user: str = "",
        name: str = "",
        evidence_dir: Path | None = None,
        create: bool = True,
        busy_timeout_ms: int = db.BUSY_TIMEOUT_MS,
    ) -> Workspace:
        url = str(url_or_path) if "://" in str(url_or_path) else db.sqlite_url(url_or_path)
        read_only = False
        if db.is_sqlite(url):
            path = db.sqlite_path(url)
            if not path.exists() and not create:
                raise StorageError("STO-E008", what=str(path))
            read_only = db.read_only_location(path)  # opened to read: every write is refused plainly
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            _check_sqlite_file(path)
            evidence_dir = evidence_dir or path.with_name(path.stem + ".evidence")
        elif evidence_dir is None:
            raise ValueError("a PostgreSQL workspace needs an evidence folder")
        engine = db.make_engine(url, busy_timeout_ms, read_only=read_only)
        try:
            with db.busy_as_storage_error():
                state = db.schema_state(engine)
                migrated_from = None
                backup = None
                if state == "newer":
                    raise StorageError("STO-E001", revision=db.current_revision(engine), head=db.head_revision())
                if state == "foreign":
                    raise StorageError("STO-E003", what=url)
                if read_only and state != "current":  # an upgrade (or a first schema) would have to write
                    raise StorageError("STO-E022", what=str(db.sqlite_path(url)))
                if state == "older":
                    migrated_from = db.current_revision(engine)
                    if db.is_sqlite(url):
                        backup = _sqlite_backup(engine, _auto_backup_path(db.sqlite_path(url), "before-migration"))
                    db.upgrade(engine)
                elif state == "empty":
                    db.upgrade(engine)
                info_id = _ensure_info(engine, name or "CarbonDesk")
        except BaseException:
            engine.dispose()
            raise
        workspace = cls(url, engine, info_id, Path(evidence_dir), app_user or os_user())
        workspace.migrated_from = migrated_from
        workspace.backup_before_migration = backup
        workspace.read_only = read_only
        if not read_only:
            workspace.evidence_dir.mkdir(parents=True, exist_ok=True)
            workspace._register_user()
        return workspace

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_sqlite(self) -> bool:
        return db.is_sqlite(self.url)

    @property
    def path(self) -> Path:
        return db.sqlite_path(self.url)

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        with db.busy_as_storage_error(), self._sessions() as session:
            yield session

    @contextmanager
    def unit_of_work(self, attempts: int = 3) -> Iterator[UnitOfWork]:
        """One transaction; retried at the start only, when another instance holds the write lock."""
        self.refuse_if_read_only()
        for attempt in range(attempts):
            session = self._sessions()
            try:
                session.begin()
                session.connection()  # BEGIN IMMEDIATE happens here on SQLite
                break
            except OperationalError as exc:
                session.close()
                if attempt == attempts - 1 or "locked" not in str(exc).lower():
                    with db.busy_as_storage_error():
                        raise
                time.sleep(0.2 * (attempt + 1))
        try:
            with db.busy_as_storage_error():
                uow = UnitOfWork(session, self.id, self.app_user, self.os_user)
                yield uow
                uow.write_audit()
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _register_user(self) -> None:
        with self.read() as session:
            exists = session.execute(
                select(User.id).where(User.name == self.app_user, User.os_user == self.os_user)
            ).first()
        if exists is None:
            with self.unit_of_work() as uow:
                uow.session.add(
                    User(workspace_id=self.id, name=self.app_user, os_user=self.os_user, created_at=utcnow())
                )
                uow.audit("user.register", f"users:{self.app_user}", new=json.dumps(self.os_user))

    # -- backups ------------------------------------------------------------------------------

    def backup(self, destination: Path) -> Path:
        """A consistent copy while the app keeps working (SQLite online backup API), written atomically."""
        if not self.is_sqlite:
            raise StorageError("STO-E016")
        return _sqlite_backup(self.engine, destination)

    def refuse_if_read_only(self) -> None:
        """Before anything is written (a backup beside it, a transaction): the plain refusal."""
        if self.read_only:
            raise StorageError("STO-E022", what=str(self.path))

    def auto_backup(self, reason: str) -> Path | None:
        if not self.is_sqlite:
            return None
        self.refuse_if_read_only()
        return _sqlite_backup(self.engine, _auto_backup_path(self.path, reason))

    def restore(self, source: Path) -> Path:
        """Replace the workspace's content with a backup; the current content is backed up first.

        The backup is copied *into* the live database through SQLite's backup API, so other open
        connections see either the old or the new content, never a torn file.
        """
        if not self.is_sqlite:
            raise StorageError("STO-E016")
        self.refuse_if_read_only()
        check_backup_file(source)
        safety = self.auto_backup("before-restore")
        src = sqlite3.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True)  # a URI, not a glued path
        try:
            raw = self.engine.raw_connection()
            try:
                src.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()
        except sqlite3.OperationalError as exc:
            if safety is not None:  # nothing was done: no backup left behind for it
                safety.unlink(missing_ok=True)
            raise environment_error(exc, str(self.path)) or StorageError("STO-E002") from exc
        finally:
            src.close()
        self.engine.dispose()
        with self.read() as session:
            self.id = session.execute(select(WorkspaceInfo.id)).scalar_one()
        assert safety is not None
        return safety


def _check_sqlite_file(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise StorageError("STO-E003", what=str(path))


def _ensure_info(engine: Engine, name: str) -> str:
    sessions = sessionmaker(engine)
    with sessions() as session, session.begin():
        info = session.execute(select(WorkspaceInfo)).scalar_one_or_none()
        if info is None:
            info = WorkspaceInfo(id=new_id(), name=name, created_at=utcnow(), audit_head=GENESIS, audit_count=0)
            session.add(info)
        return info.id


def _auto_backup_path(db_path: Path, reason: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return db_path.parent / "backups" / f"{db_path.stem}-{stamp}-{reason}.sqlite"


def _remove_stale_parts(folder: Path) -> None:
    """Half-written copies left by a backup that was killed (power cut, task manager): ours only, never
    another program's ``*.part`` (a browser's download in the same folder), and only when their writer is gone."""
    # the part and SQLite's files beside it (-journal; -wal and -shm while the copy is still in WAL mode)
    for leftover in folder.glob(f"*{MARK}*.part*"):
        try:
            if abandoned(leftover):
                leftover.unlink()
        except OSError:
            pass


def _sqlite_backup(engine: Engine, destination: Path) -> Path:
    check_output_name(destination)
    destination = long_path(Path(destination))
    destination.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(destination.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=work_prefix(destination.name), suffix=".part", dir=destination.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
                target.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
            finally:
                target.close()
        finally:
            raw.close()
        with tmp.open("r+b") as handle:  # Windows refuses to flush a handle opened read-only
            os.fsync(handle.fileno())
        os.replace(tmp, destination)
    except sqlite3.Error as exc:  # SQLite's own words for a full disk or a folder it may not write
        _remove_part(tmp)
        raise environment_error(exc, str(destination)) or StorageError("STO-E023", what=str(destination)) from exc
    except BaseException:
        _remove_part(tmp)
        raise
    return destination


def _remove_part(tmp: Path) -> None:
    """A failed copy and SQLite's files beside it."""
    for path in (tmp, *(tmp.with_name(tmp.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        path.unlink(missing_ok=True)


def check_backup_file(path: Path) -> None:
    """A backup must be an intact CarbonDesk database this app can read."""
    path = Path(path)
    if not path.is_file():
        raise StorageError("STO-E014", what=str(path), detail="no such file")
    _check_sqlite_file(path)
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)  # #, ?, % and spaces escaped
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError("STO-E014", what=str(path), detail=str(exc)) from exc
    if ok != "ok":
        raise StorageError("STO-E014", what=str(path), detail=ok)
    if revision is None or "workspace_info" not in tables:
        raise StorageError("STO-E014", what=str(path), detail="not a CarbonDesk workspace")
    if revision[0] not in db.known_revisions():
        raise StorageError("STO-E001", revision=revision[0], head=db.head_revision())


def copy_file_atomically(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=work_prefix(destination.name), suffix=".part", dir=destination.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, destination)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
