"""Issue 13: a workspace written by each release (tests/fixtures/workspaces/<version>/, made by
tests/fixtures/make_workspace.py and committed) opens in this one: migrated when older (with a backup
first), its audit trail and signed checkpoints intact, its values as they were written, its evidence
in place, and calculated (to the same figures while the year's parameter pack is unchanged)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import text

from desktop.services import audit_check, evidence_files, store
from desktop.storage import db
from desktop.storage.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces"
RELEASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "workspace.sqlite").exists())


def test_there_is_a_fixture_of_the_current_release() -> None:
    from desktop import __version__

    assert __version__ in RELEASES, "run tests/fixtures/make_workspace.py for this release and commit the folder"


@pytest.mark.parametrize("release", RELEASES)
def test_a_workspace_of_an_earlier_release_opens_and_holds_what_it_held(release: str, tmp_path: Path) -> None:
    source = FIXTURES / release
    expected = json.loads((source / "expected.json").read_text(encoding="utf-8"))
    committed = hashlib.sha256((source / "workspace.sqlite").read_bytes()).hexdigest()
    shutil.copytree(source, tmp_path / release)
    path = tmp_path / release / "workspace.sqlite"
    with sqlite3.connect(source / "workspace.sqlite") as raw:  # read only: what the release kept
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        old_rows = (
            sorted(raw.execute("SELECT id, month_version_id, position, values_json FROM fuel_rows"))
            if "fuel_rows" in tables
            else None
        )
        columns = {r[1] for r in raw.execute("PRAGMA table_info(evidence)")}
    old_lab = None
    if "lab_name" in columns:  # the release kept a lab report's metadata in columns: give the copy some to carry
        old_lab = {"lab_name": "某检测中心", "report_no": "R-2025-01", "report_date": "2025-02-07"}
        with sqlite3.connect(path) as copy:
            copy.execute("UPDATE evidence SET lab_name = ?, report_no = ?, report_date = ?", tuple(old_lab.values()))
    with Workspace.open(path, create=False) as ws:
        if old_rows is not None:  # schema 0005: every fuel row became a month row of kind "fuels", unchanged
            with ws.read() as session:
                now = sorted(
                    session.execute(
                        text("SELECT id, month_version_id, position, values_json FROM month_rows WHERE kind = 'fuels'")
                    ).all()
                )
            assert [tuple(r) for r in now] == old_rows and old_rows
        if expected["schema"] != db.head_revision():
            assert ws.migrated_from == expected["schema"] and ws.backup_before_migration.exists()
        assert db.current_revision(ws.engine) == db.head_revision()
        signer = x509.load_pem_x509_certificate((source / "signer-cert.pem").read_bytes())
        audit = audit_check.verify_audit(ws=ws, trusted=(signer,))
        assert audit.ok, audit.problems
        assert audit.entries >= expected["audit_entries"]  # opening may register this user
        assert len(audit.checkpoints) == expected["checkpoints"]
        assert all(c.trusted for c in audit.checkpoints if c.signer is not None)
        assert {c.status for c in evidence_files.verify_evidence(ws=ws)} == {"ok"}
        assert [e.file_name for e in evidence_files.list_evidence(ws=ws)] == expected["evidence"]
        if old_lab is not None:  # schema 0005: the lab report's seven columns became its lab record, unchanged
            for info in evidence_files.list_evidence(ws=ws):
                assert {k: str(v) for k, v in info.lab.items()} == old_lab
        entity = next(e for e in store.list_entities(ws=ws) if e.uscc == expected["uscc"])
        unit = next(u for u in store.get_entity(ws=ws, entity_id=entity.id).units if u.code == expected["unit"])
        year = expected["data_year"]
        for month, values in expected["values"].items():
            stored = store.get_month(ws=ws, unit_id=unit.id, year=year, month=int(month))
            assert stored.status.value == expected["month_status"][month]
            assert {k: str(v) for k, v in stored.values.items()} == values
        evaluation = store.compute_year(ws=ws, entity_id=entity.id, year=year, today=date(2026, 11, 23))
        totals = {k: str(v.value) for k, v in evaluation.result.totals.items()}
        if evaluation.pack.label == expected["pack"]:
            assert totals == expected["totals"]
        else:  # a newer pack for the year: the figures may move, the calculation must still hold
            assert float(totals["e_total_t"]) > 0
    # the committed fixture itself is never opened or changed (a copy is)
    assert hashlib.sha256((source / "workspace.sqlite").read_bytes()).hexdigest() == committed
