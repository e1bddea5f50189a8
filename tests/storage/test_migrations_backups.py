"""Schema migrations, version refusal, backups and restores, and two app instances on one workspace."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from desktop.services import audit_check, store
from desktop.storage import db
from desktop.storage.errors import StorageError
from desktop.storage.models import Base
from desktop.storage.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def test_migrations_build_exactly_the_models(workspace_url: str, tmp_path: Path) -> None:
    with Workspace.open(workspace_url, evidence_dir=tmp_path / "ev") as ws:
        with ws.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], diff
        assert db.current_revision(ws.engine) == db.head_revision()


def _first_schema_workspace(path: Path) -> None:
    """A workspace as the first release (schema 0001) wrote it, with a locked month."""
    engine = db.make_engine(db.sqlite_url(path))
    db.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO workspace_info VALUES ('w1', 'old', '2025-01-01 00:00:00', :g, 0)"), {"g": "0" * 64}
        )
        conn.execute(
            text(
                "INSERT INTO entities VALUES ('e1', 'w1', 'power_generation', '91110000101623741K', "
                "'老电厂', '{}', '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text("INSERT INTO units VALUES ('u1', 'w1', 'e1', '1#', 0, '{\"id\": \"1#\"}', '2025-01-01 00:00:00')")
        )
        conn.execute(
            text(
                "INSERT INTO month_versions VALUES ('m1', 'w1', 'u1', 2024, 1, 1, 'locked', NULL, "
                "'2024-02-20', '{\"generation_mwh\": {\"$d\": \"1234.5\"}}', '2025-01-01 00:00:00', "
                "'2025-02-01 08:00:00')"
            )
        )
    engine.dispose()


def test_an_older_schema_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _first_schema_workspace(path)
    with Workspace.open(path) as ws:
        assert ws.migrated_from == "0001"
        assert ws.backup_before_migration is not None and ws.backup_before_migration.exists()
        with ws.engine.connect() as conn:
            row = conn.execute(text("SELECT status_changed_at, values_json FROM month_versions")).one()
        assert str(row[0]).startswith("2025-02-01 08:00")  # backfilled by the migration
        month = store.get_month(ws=ws, unit_id="u1", year=2024, month=1)
        assert month.values["generation_mwh"] == Decimal("1234.5") and not month.writable
    backup = sqlite3.connect(ws.backup_before_migration)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    backup.close()


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Workspace.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError) as info:
        Workspace.open(path)
    assert info.value.code == "STO-E001" and info.value.params["revision"] == "9999_from_the_future"
    assert path.read_bytes() == before


def test_files_that_are_not_workspaces(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("hello", encoding="utf-8")
    with pytest.raises(StorageError) as info:
        Workspace.open(text_file)
    assert info.value.code == "STO-E003"
    foreign = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError) as info:
        Workspace.open(foreign)
    assert info.value.code == "STO-E003"


def _seed(ws: Workspace) -> str:
    entity = store.create_entity(ws=ws, name="示范电厂", uscc="91110000101623741K")
    unit = store.create_unit(ws=ws, entity_id=entity.id, values={"id": "1#", "category": "coal_gt300"})
    store.save_month(
        ws=ws, unit_id=unit.id, year=2022, month=1, changes={"generation_mwh": Decimal(100)}, validate=False
    )
    return unit.id


def test_backup_and_restore(sqlite_ws: Workspace, tmp_path: Path) -> None:
    unit_id = _seed(sqlite_ws)
    backup = sqlite_ws.backup(tmp_path / "backup.sqlite")
    store.save_month(
        ws=sqlite_ws, unit_id=unit_id, year=2022, month=1, changes={"generation_mwh": Decimal(999)}, validate=False
    )
    safety = sqlite_ws.restore(backup)
    assert safety.exists()
    assert store.get_month(ws=sqlite_ws, unit_id=unit_id, year=2022, month=1).values["generation_mwh"] == 100
    assert audit_check.verify_audit(ws=sqlite_ws).ok
    with Workspace.open(safety) as before_restore:  # nothing committed is lost: the pre-restore state is kept
        assert store.get_month(ws=before_restore, unit_id=unit_id, year=2022, month=1).values["generation_mwh"] == 999


def test_restore_refuses_bad_backups(sqlite_ws: Workspace, tmp_path: Path) -> None:
    _seed(sqlite_ws)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    for bad in (junk, tmp_path / "absent.sqlite"):
        with pytest.raises(StorageError) as info:
            sqlite_ws.restore(bad)
        assert info.value.code in ("STO-E014", "STO-E003")
    assert audit_check.verify_audit(ws=sqlite_ws).ok


def test_backup_is_consistent_while_another_process_writes(sqlite_ws: Workspace, tmp_path: Path) -> None:
    unit_id = _seed(sqlite_ws)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        from decimal import Decimal
        from desktop.services import store
        from desktop.storage.workspace import Workspace
        ws = Workspace.open({str(sqlite_ws.path)!r}, app_user="writer")
        for i in range(60):
            store.save_month(ws=ws, unit_id={unit_id!r}, year=2022, month=1 + i % 12,
                             changes={{"generation_mwh": Decimal(i)}}, validate=False)
        """),
        ],
        cwd=REPO,
    )
    backups = [sqlite_ws.backup(tmp_path / f"b{i}.sqlite") for i in range(5)]
    assert writer.wait(timeout=120) == 0
    for backup in backups:
        conn = sqlite3.connect(backup)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        with Workspace.open(backup) as copy:
            assert audit_check.verify_audit(ws=copy).ok


def test_two_instances_write_safely(sqlite_ws: Workspace) -> None:
    unit_id = _seed(sqlite_ws)
    script = textwrap.dedent(f"""
        import sys
        from decimal import Decimal
        from desktop.services import store
        from desktop.storage.workspace import Workspace
        ws = Workspace.open({str(sqlite_ws.path)!r}, app_user=sys.argv[1])
        for i in range(40):
            store.save_month(ws=ws, unit_id={unit_id!r}, year=2023, month=int(sys.argv[2]),
                             changes={{f"fuels[0].consumption": Decimal(i)}}, validate=False)
        """)
    procs = [subprocess.Popen([sys.executable, "-c", script, f"user{n}", str(n)], cwd=REPO) for n in (1, 2)]
    for n in (3, 4):
        for i in range(20):
            store.save_month(
                ws=sqlite_ws,
                unit_id=unit_id,
                year=2023,
                month=n,
                changes={"fuels[0].consumption": Decimal(i)},
                validate=False,
            )
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    for month, last in ((1, 39), (2, 39), (3, 19), (4, 19)):
        assert (
            store.get_month(ws=sqlite_ws, unit_id=unit_id, year=2023, month=month).get("fuels[0].consumption") == last
        )
    assert audit_check.verify_audit(ws=sqlite_ws).ok


def test_a_held_write_lock_gives_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    with Workspace.open(path, busy_timeout_ms=200) as ws:
        unit_id = _seed(ws)
        blocker = sqlite3.connect(path, timeout=0.1)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(StorageError) as info:
                store.save_month(ws=ws, unit_id=unit_id, year=2022, month=2, changes={"note": "x"}, validate=False)
            assert info.value.code == "STO-E002"
        finally:
            blocker.rollback()
            blocker.close()
        store.save_month(ws=ws, unit_id=unit_id, year=2022, month=2, changes={"note": "x"}, validate=False)
        assert store.get_month(ws=ws, unit_id=unit_id, year=2022, month=2).values["note"] == "x"


def test_the_quick_revision_reader_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    assert db.head_revision() == script.get_current_head()
    assert db.known_revisions() == {r.revision for r in script.walk_revisions()}
