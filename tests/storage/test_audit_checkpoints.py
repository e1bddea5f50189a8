"""Issue 12, part 5: signed checkpoints of the audit chain at each submit, lock, reopen, amend and package.

Someone who has the workspace file rewrites a locked month and recomputes every hash: the chain alone
passes, the signed checkpoints do not.  Removing checkpoints, re-signing them with another key and
editing their signatures are each found; the checkpoint commits with its change or not at all.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, text

from desktop.cli.main import main as cli_main
from desktop.services import audit_check, checkpoints, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed, save_signer, sign_detached
from desktop.storage.errors import StorageError
from desktop.storage.models import AuditCheckpoint, AuditRecord, MonthVersion
from desktop.storage.workspace import GENESIS, Workspace, checkpoint_digest
from tests.helpers import rechain

TODAY = date(2026, 11, 23)
SIGNER = create_self_signed(name="王碳", organisation="华能示范电厂", uscc="91110000101623741K")
FORGER = create_self_signed(name="王碳", organisation="华能示范电厂", uscc="91110000101623741K")  # same name


@pytest.fixture
def ws(tmp_path: Path):
    workspace = create_demo_workspace(tmp_path / "demo.sqlite", today=TODAY)
    yield workspace
    workspace.close()


def draft_month(ws: Workspace) -> tuple[str, int]:
    """A draft month of the demo that can be submitted (its 12th months are left open without errors)."""
    entity = store.list_entities(ws=ws)[0]
    for unit in store.get_entity(ws=ws, entity_id=entity.id).units:
        month = store.get_month(ws=ws, unit_id=unit.id, year=2025, month=12)
        if month is not None and month.status.value == "draft":
            try:
                store.submit_month(ws=ws, unit_id=unit.id, year=2025, month=12, today=TODAY, signer=SIGNER)
            except StorageError:  # a month with errors: try the next unit
                continue
            return unit.id, 12
    raise AssertionError("the demo has no 12th month that can be submitted")


def rewrite_locked_month(ws: Workspace, field: str = "supply_mwh") -> None:
    """Change a locked month's value in the data and in the audit entry that created it; rebuild the chain."""
    with ws.engine.begin() as conn:
        locked = (
            conn.execute(select(MonthVersion.id).where(MonthVersion.status == "locked").order_by(MonthVersion.month))
            .scalars()
            .first()
        )
        target = f"month_versions:{locked}"
        record = conn.execute(  # the entry that last set the field, so that the replay agrees with the data
            select(AuditRecord)
            .where(AuditRecord.target == target, AuditRecord.field == f"values.{field}")
            .order_by(AuditRecord.seq.desc())
        ).first()
        conn.execute(text("UPDATE audit_log SET new_value = :v WHERE seq = :s"), {"v": '{"$d": "1"}', "s": record.seq})
        values = json.loads(
            conn.execute(select(MonthVersion.values_json).where(MonthVersion.id == locked)).scalar_one()
        )
        values[field] = {"$d": "1"}
        conn.execute(
            text("UPDATE month_versions SET values_json = :v WHERE id = :i"), {"v": json.dumps(values), "i": locked}
        )
        rechain(conn)


def own(signer) -> tuple:
    return (signer.certificate,)


def test_every_status_change_records_a_checkpoint_signed_when_a_signer_is_at_hand(ws) -> None:
    demo_checkpoints = len(audit_check.verify_audit(ws=ws).checkpoints)
    assert demo_checkpoints > 0  # the demo submits and locks months: unsigned checkpoints
    unit_id, month = draft_month(ws)  # submitted with the signer
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    store.amend_month(ws=ws, unit_id=unit_id, year=2025, month=month, reason="化验单更正", signer=SIGNER)
    check = audit_check.verify_audit(ws=ws, trusted=own(SIGNER))
    assert check.ok, check.problems
    new = check.checkpoints[demo_checkpoints:]
    assert [s.event.split()[0] for s in new] == ["submit", "lock", "amend"]
    assert all(s.signer is not None and s.signer.fingerprint == SIGNER.fingerprint and s.trusted for s in new)
    assert all(s.signer is None and s.trusted is None for s in check.checkpoints[:demo_checkpoints])
    # each names where the chain stood right after its change
    assert new[-1].entries == check.entries
    assert new[0].entries < new[1].entries < new[2].entries


def test_a_rewritten_history_fails_against_the_signed_checkpoints_without_any_package(ws) -> None:
    unit_id, month = draft_month(ws)
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    assert audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).ok
    rewrite_locked_month(ws)
    problems = audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).problems
    assert any("history rewritten" in p and "checkpoint" in p for p in problems), problems
    assert not any("content does not match its hash" in p or "chain broken" in p for p in problems)  # chain is fine


def test_re_signing_the_checkpoints_with_another_key_is_found(ws) -> None:
    """The forger rewrites, then re-signs every checkpoint with a fresh key under the same name."""
    unit_id, month = draft_month(ws)
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    rewrite_locked_month(ws)
    with ws.engine.begin() as conn:
        heads = [h for (h,) in conn.execute(select(AuditRecord.hash).order_by(AuditRecord.seq))]
        previous = ""
        for row in conn.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all():
            fields = json.loads(row.payload)
            fields["head_sha256"] = heads[row.entries - 1] if row.entries else GENESIS
            fields["previous_sha256"] = previous
            payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            previous = checkpoint_digest(payload)
            conn.execute(
                text(
                    "UPDATE audit_checkpoints SET payload = :p, head = :h, signature = :s, signer_sha256 = :f WHERE seq = :n"
                ),
                {
                    "p": payload,
                    "h": fields["head_sha256"],
                    "s": sign_detached(payload.encode("utf-8"), FORGER),
                    "f": FORGER.fingerprint,
                    "n": row.seq,
                },
            )
    problems = audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).problems
    assert any("not a signer you trust" in p for p in problems), problems
    # without a trusted certificate the check cannot tell: it says who signed (the CLI says it was not checked)
    check = audit_check.verify_audit(ws=ws)
    assert check.ok and {s.signer.fingerprint for s in check.checkpoints} == {FORGER.fingerprint}


def test_removing_or_editing_checkpoints_is_found(ws) -> None:
    unit_id, month = draft_month(ws)
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    store.amend_month(ws=ws, unit_id=unit_id, year=2025, month=month, reason="更正", signer=SIGNER)
    count = len(audit_check.verify_audit(ws=ws).checkpoints)
    # one out of the middle
    with ws.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints WHERE seq = :n"), {"n": count - 1})
    problems = audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).problems
    assert any("numbering broken" in p for p in problems) and any("does not follow" in p for p in problems), problems


def test_removing_the_newest_checkpoints_leaves_status_changes_uncovered(ws) -> None:
    unit_id, month = draft_month(ws)
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    count = len(audit_check.verify_audit(ws=ws).checkpoints)
    with ws.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints WHERE seq = :n"), {"n": count})
    problems = audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).problems
    assert any("status changed after the last checkpoint" in p for p in problems), problems


def test_an_edited_signature_or_payload_does_not_hold(ws) -> None:
    unit_id, month = draft_month(ws)
    store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    with ws.engine.begin() as conn:
        row = conn.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc())).first()
        payload = row.payload.replace('"lock ', '"lick ')
        conn.execute(text("UPDATE audit_checkpoints SET payload = :p WHERE seq = :n"), {"p": payload, "n": row.seq})
    problems = audit_check.verify_audit(ws=ws, trusted=own(SIGNER)).problems
    assert any("signature does not hold" in p for p in problems), problems


def test_a_checkpoint_commits_with_its_change_or_not_at_all(ws, monkeypatch) -> None:
    unit_id, month = draft_month(ws)
    before = audit_check.verify_audit(ws=ws)

    def broken(_signer):
        def sign(_payload: bytes):
            raise OSError("the key file went away")

        return sign

    monkeypatch.setattr(checkpoints, "signing_with", broken)
    with pytest.raises(OSError):
        store.lock_month(ws=ws, unit_id=unit_id, year=2025, month=month, deposited_on=TODAY, signer=SIGNER)
    after = audit_check.verify_audit(ws=ws)
    assert store.get_month(ws=ws, unit_id=unit_id, year=2025, month=month).status.value == "submitted"
    assert (after.entries, len(after.checkpoints)) == (before.entries, len(before.checkpoints)) and after.ok


def test_a_workspace_from_before_checkpoints_verifies_and_starts_them_at_the_next_change(ws) -> None:
    with ws.engine.begin() as conn:  # as an upgraded 0003 workspace: a history with no checkpoint
        conn.execute(text("DELETE FROM audit_checkpoints"))
    check = audit_check.verify_audit(ws=ws)
    assert check.ok and check.checkpoints == ()
    draft_month(ws)
    check = audit_check.verify_audit(ws=ws, trusted=own(SIGNER))
    assert check.ok and len(check.checkpoints) == 1, check.problems


def test_the_command_line_signs_month_changes_and_reports_the_checkpoints(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PASS", "correct horse")
    folder = tmp_path / "signer"
    save_signer(SIGNER, folder, b"correct horse")
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=TODAY)
    unit = store.get_entity(ws=ws, entity_id=store.list_entities(ws=ws)[0].id).units[0]
    ws.close()
    base = ["--lang", "en", "--workspace", str(tmp_path / "demo.sqlite")]
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(
        [*base, "month", "amend", unit.code, "3", "--year", "2025", "--reason", "lab correction"], out=out, err=err
    )
    assert code == 0, err.getvalue()
    assert "recorded unsigned" in out.getvalue()
    out = io.StringIO()
    signed = [
        *base,
        "month",
        "submit",
        unit.code,
        "3",
        "--year",
        "2025",
        "--today",
        TODAY.isoformat(),
        "--signer",
        str(folder),
        "--passphrase-env",
        "PASS",
    ]
    code = cli_main(signed, out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert "signed by" in out.getvalue() and "王碳" in out.getvalue()
    out = io.StringIO()
    assert cli_main([*base, "audit", "verify"], out=out, err=err) == 0
    assert "Audit checkpoints:" in out.getvalue() and "1 signed by" in out.getvalue()
    assert "who signed was not checked" in out.getvalue()  # no signer or trust store in this data dir
    # with the signer's certificate in the trust store, who signed is checked (and holds)
    (tmp_path / "cert.pem").write_bytes(SIGNER.certificate.public_bytes(serialization.Encoding.PEM))
    assert cli_main([*base, "trust", "add", str(tmp_path / "cert.pem")], out=io.StringIO(), err=err) == 0
    out = io.StringIO()
    assert cli_main([*base, "audit", "verify"], out=out, err=err) == 0
    assert "who signed was not checked" not in out.getvalue()
