"""The store's services on SQLite and PostgreSQL: months, lifecycle, amendments, evidence, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.domain.periods import PeriodStatus
from desktop.interchange.report_json import parse_report
from desktop.services import audit_check, evidence_files, importer, store
from desktop.services.guidelines import forms_by_guideline
from desktop.storage.errors import StorageError
from desktop.storage.workspace import Workspace
from tests.helpers import clean_document, dumps

TODAY = date(2026, 11, 23)


def _report():
    return parse_report(dumps(clean_document()), forms_by_guideline())


@pytest.fixture
def plant(ws: Workspace):
    entity = store.create_entity(ws=ws, name="示范电厂", uscc="91110000101623741K")
    unit = store.create_unit(
        ws=ws,
        entity_id=entity.id,
        values={"id": "1#", "category": "coal_gt300", "capacity_mw": Decimal(660), "cooling": "water", "chp": False},
    )
    return entity, unit


def test_entity_and_unit_records(ws: Workspace, plant) -> None:
    entity, unit = plant
    assert entity.uscc == "91110000101623741K" and entity.workspace_id == ws.id
    assert len(entity.id) == 36 and unit.code == "1#"
    with pytest.raises(StorageError) as info:
        store.create_entity(ws=ws, name="x", uscc="91110000101623741K")
    assert info.value.code == "STO-E013"
    with pytest.raises(StorageError) as info:
        store.create_entity(ws=ws, name="x", uscc="1234")
    assert info.value.code == "STO-E017"
    edited = store.edit_unit(ws=ws, unit_id=unit.id, changes={"cooling": "air"}, reason="改造为空冷")
    assert edited.values["cooling"] == "air"
    assert [e.units[0].values["cooling"] for e in store.list_entities(ws=ws)] == ["air"]


def test_partial_saves_and_findings(ws: Workspace, plant) -> None:
    _, unit = plant
    first = store.save_month(
        ws=ws, unit_id=unit.id, year=2022, month=1, today=TODAY, changes={"generation_mwh": Decimal("339512.9")}
    )
    assert first.month.version == 1 and first.month.status is PeriodStatus.DRAFT
    assert "PWR-E001" in {f.code for f in first.findings}  # the rest is still missing
    second = store.save_month(
        ws=ws,
        unit_id=unit.id,
        year=2022,
        month=1,
        today=TODAY,
        changes={"supply_mwh": Decimal("400000"), "fuels[0].fuel": "coal", "fuels[0].consumption": Decimal("150897.1")},
    )
    assert [c.path for c in second.changes] == ["supply_mwh", "fuels[0].fuel", "fuels[0].consumption"]
    assert "PWR-E003" in {f.code for f in second.findings}
    assert second.month.get("fuels[0].consumption") == Decimal("150897.1")
    unchanged = store.save_month(
        ws=ws, unit_id=unit.id, year=2022, month=1, today=TODAY, changes={"supply_mwh": Decimal("400000")}
    )
    assert unchanged.changes == ()
    cleared = store.save_month(ws=ws, unit_id=unit.id, year=2022, month=1, changes={"supply_mwh": None}, validate=False)
    assert cleared.month.values.get("supply_mwh") is None


def test_typed_values_only(ws: Workspace, plant) -> None:
    _, unit = plant
    for changes, code in (
        ({"generation_mwh": "1,234"}, "STO-E011"),
        ({"generation_mwh": Decimal("NaN")}, "STO-E018"),  # a number, but not a finite one
        ({"fuels[0].fuel": "peat"}, "STO-E011"),
        ({"fuels[0].carbon_measured": "yes"}, "STO-E011"),
        ({"colour": "red"}, "STO-E012"),
        ({"fuels[3].ncv": Decimal(20)}, "STO-E012"),
    ):
        with pytest.raises(StorageError) as info:
            store.save_month(ws=ws, unit_id=unit.id, year=2022, month=2, changes=changes, validate=False)
        assert info.value.code == code, changes
    assert store.get_month(ws=ws, unit_id=unit.id, year=2022, month=2) is None  # nothing half-written


def _stored(ws: Workspace, entity_id: str) -> list:
    return list(store.stored_months(ws=ws, entity_id=entity_id, year=2022).values())


def test_lifecycle_lock_and_amend(ws: Workspace) -> None:
    outcome = importer.import_report(ws=ws, report=_report())
    unit = store.get_entity(ws=ws, entity_id=outcome.entity_id).units[0]
    assert outcome.months == 12
    with pytest.raises(StorageError) as info:
        store.lock_month(ws=ws, unit_id=unit.id, year=2022, month=3, deposited_on=date(2022, 5, 1))
    assert info.value.code == "STO-E006"
    store.submit_month(ws=ws, unit_id=unit.id, year=2022, month=3, today=TODAY)
    locked = store.lock_month(ws=ws, unit_id=unit.id, year=2022, month=3, deposited_on=date(2022, 5, 1))
    assert locked.status is PeriodStatus.LOCKED and locked.deposited_on == date(2022, 5, 1)
    statuses = store.month_statuses(ws=ws, entity_id=outcome.entity_id, year=2022)  # the light read agrees
    assert statuses == {(m.unit_code, m.month): m.status for m in _stored(ws, outcome.entity_id)}
    assert statuses[(unit.code, 3)] is PeriodStatus.LOCKED and len(statuses) == 12
    # Writing to a locked month is refused at the service layer, whatever the caller.
    for attempt in (
        lambda: store.save_month(ws=ws, unit_id=unit.id, year=2022, month=3, changes={"note": "x"}),
        lambda: importer.import_report(ws=ws, report=_report()),
    ):
        with pytest.raises(StorageError) as info:
            attempt()
        assert info.value.code in ("STO-E004", "STO-E015")
    with pytest.raises(StorageError) as info:
        store.amend_month(ws=ws, unit_id=unit.id, year=2022, month=3, reason="  ")
    assert info.value.code == "STO-E010"
    amended = store.amend_month(ws=ws, unit_id=unit.id, year=2022, month=3, reason="检测报告更正")
    assert amended.version == 2 and amended.writable and amended.amendment_reason == "检测报告更正"
    statuses = store.month_statuses(ws=ws, entity_id=outcome.entity_id, year=2022)  # the latest version's
    assert statuses[(unit.code, 3)] is PeriodStatus.DRAFT
    assert statuses == {(m.unit_code, m.month): m.status for m in _stored(ws, outcome.entity_id)}
    assert amended.evidence == locked.evidence  # the scans still prove the copied values
    store.save_month(ws=ws, unit_id=unit.id, year=2022, month=3, changes={"fuels[0].c_ad_pct": Decimal("62.10")})
    old = store.get_month(ws=ws, unit_id=unit.id, year=2022, month=3, version=1)
    assert old.status is PeriodStatus.LOCKED and old.get("fuels[0].c_ad_pct") == Decimal("61.92")
    diff = store.compare_versions(ws=ws, unit_id=unit.id, year=2022, month=3, old=1, new=2)
    assert [(d.path, d.old, d.new) for d in diff] == [
        ("fuels[0].c_ad_pct", Decimal("61.92"), Decimal("62.10")),
        ("deposited_on", date(2022, 5, 1), None),
    ]
    assert [m.version for m in store.month_history(ws=ws, unit_id=unit.id, year=2022, month=3)] == [1, 2]
    # the year is computed from the latest versions
    ev = store.compute_year(ws=ws, entity_id=outcome.entity_id, year=2022, today=TODAY)
    c_ar = ev.result.units[0].month(3).rows[0].figures["c_ar"].value
    assert abs(c_ar - Decimal("0.6210") * (100 - Decimal("11.95")) / (100 - Decimal("2.04"))) < Decimal("1e-20")
    assert audit_check.verify_audit(ws=ws).ok


def test_submit_refused_while_errors_remain(ws: Workspace, plant) -> None:
    _, unit = plant
    store.save_month(ws=ws, unit_id=unit.id, year=2022, month=1, changes={"generation_mwh": Decimal(1)}, validate=False)
    with pytest.raises(StorageError) as info:
        store.submit_month(ws=ws, unit_id=unit.id, year=2022, month=1, today=TODAY)
    assert info.value.code == "STO-E005" and "PWR-E001" in info.value.params["codes"]


def test_import_round_trip_matches_the_file(ws: Workspace) -> None:
    report = _report()
    outcome = importer.import_report(ws=ws, report=report)
    again = store.load_report(ws=ws, entity_id=outcome.entity_id, year=2022)
    for a, b in zip(report.units[0].months, again.units[0].months, strict=True):
        assert dict(a.values) == dict(b.values)
        assert [dict(f.values) for f in a.fuels] == [dict(f.values) for f in b.fuels]
        assert {(e.kind, e.sha256, frozenset(e.proves)) for e in a.evidence} == {
            (e.kind, e.sha256, frozenset(e.proves)) for e in b.evidence
        }
        assert a.deposited_on == b.deposited_on
    assert {o.key for o in again.overrides} == {o.key for o in report.overrides}
    second = importer.import_report(ws=ws, report=report)
    assert second.changes == 0  # importing the same year again changes nothing


def test_acknowledgements_and_overrides(ws: Workspace) -> None:
    outcome = importer.import_report(ws=ws, report=_report())
    store.acknowledge(
        ws=ws,
        entity_id=outcome.entity_id,
        year=2022,
        code="PWR-W009",
        path="units[1#].months[6].fuels[0].consumption",
        justification="检修后满负荷",
    )
    store.set_override(
        ws=ws, entity_id=outcome.entity_id, year=2022, key="grid_ef", value=Decimal("0.5810"), reason="省级通知"
    )
    report = store.load_report(ws=ws, entity_id=outcome.entity_id, year=2022)
    assert report.acknowledgements[0].justification == "检修后满负荷"
    assert {o.key: o.value for o in report.overrides}["grid_ef"] == Decimal("0.5810")
    with pytest.raises(Exception, match="unknown parameter"):
        store.set_override(ws=ws, entity_id=outcome.entity_id, year=2022, key="nope", value=Decimal(1), reason="x")
    store.clear_override(ws=ws, entity_id=outcome.entity_id, year=2022, key="grid_ef")
    store.withdraw_acknowledgement(
        ws=ws, entity_id=outcome.entity_id, year=2022, code="PWR-W009", path="units[1#].months[6].fuels[0].consumption"
    )
    report = store.load_report(ws=ws, entity_id=outcome.entity_id, year=2022)
    assert not report.acknowledgements and "grid_ef" not in {o.key for o in report.overrides if o.reason == "省级通知"}
    assert audit_check.verify_audit(ws=ws).ok


def test_evidence_store_and_tamper_detection(ws: Workspace, plant, tmp_path: Path) -> None:
    _, unit = plant
    scan = tmp_path / "检测报告-2022-01.pdf"
    scan.write_bytes(b"%PDF-1.4 lab report for January")
    store.save_month(
        ws=ws,
        unit_id=unit.id,
        year=2022,
        month=1,
        validate=False,
        changes={"fuels[0].fuel": "coal", "fuels[0].carbon_measured": True},
    )
    info = evidence_files.attach_evidence(
        ws=ws,
        file=scan,
        kind="lab_report",
        links=[(unit.id, 2022, 1, "fuels[0]")],
        lab={"lab_name": "某检测中心", "report_no": "R-01", "report_date": date(2022, 2, 8), "qr_present": True},
    )
    assert info.stored and info.links == (("1#", 2022, 1, "fuels[0]"),)
    month = store.get_month(ws=ws, unit_id=unit.id, year=2022, month=1)
    assert month.get("fuels[0].lab_name") == "某检测中心"  # metadata asked once, filled into the row
    assert month.evidence[0].sha256 == info.sha256
    stored = evidence_files.evidence_path(ws, info.sha256, info.file_name)
    assert stored.suffix == scan.suffix.lower()  # opens with the right program
    assert stored.read_bytes() == scan.read_bytes()
    assert [c.status for c in evidence_files.verify_evidence(ws=ws)] == ["ok"]
    stored.write_bytes(b"%PDF-1.4 a different report")
    assert [c.status for c in evidence_files.verify_evidence(ws=ws)] == ["changed"]
    stored.unlink()
    assert [c.status for c in evidence_files.verify_evidence(ws=ws)] == ["missing"]
    with pytest.raises(StorageError) as err:
        evidence_files.attach_evidence(ws=ws, file=tmp_path / "absent.pdf", kind="lab_report", links=[])
    assert err.value.code == "STO-E009"


def test_audit_trail_records_who_what_and_detects_tampering(ws: Workspace, plant) -> None:
    _, unit = plant
    store.save_month(
        ws=ws,
        unit_id=unit.id,
        year=2022,
        month=1,
        changes={"generation_mwh": Decimal(100)},
        reason="首次录入",
        validate=False,
    )
    store.save_month(
        ws=ws, unit_id=unit.id, year=2022, month=1, changes={"generation_mwh": Decimal(120)}, validate=False
    )
    with ws.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT app_user, os_user, field, old_value, new_value, reason FROM audit_log "
                "WHERE field = 'values.generation_mwh' ORDER BY seq"
            )
        ).all()
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("values.generation_mwh", "null", '{"$d": "100"}'),
        ("values.generation_mwh", '{"$d": "100"}', '{"$d": "120"}'),
    ]
    assert rows[0].app_user == "测试员" and rows[0].os_user and rows[0].reason == "首次录入"
    assert audit_check.verify_audit(ws=ws).ok
    with ws.engine.begin() as conn:  # an edit made outside the app, to the data
        conn.execute(text('UPDATE month_versions SET values_json = \'{"generation_mwh": {"$d": "90"}}\''))
    assert any("differ from the audit trail" in p for p in audit_check.verify_audit(ws=ws).problems)
    with ws.engine.begin() as conn:  # ... and then to the log, to cover it up
        conn.execute(text('UPDATE audit_log SET new_value = \'{"$d": "90"}\' WHERE new_value = \'{"$d": "120"}\''))
    assert any("does not match its hash" in p for p in audit_check.verify_audit(ws=ws).problems)


def test_removing_the_last_audit_entries_is_detected(ws: Workspace, plant) -> None:
    _, unit = plant
    store.save_month(ws=ws, unit_id=unit.id, year=2022, month=1, changes={"note": "a"}, validate=False)
    with ws.engine.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_log")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    assert any("entries were removed" in p for p in audit_check.verify_audit(ws=ws).problems)


def test_fuel_rows_can_be_removed(ws: Workspace, plant) -> None:
    _, unit = plant
    store.save_month(
        ws=ws,
        unit_id=unit.id,
        year=2022,
        month=1,
        validate=False,
        changes={"fuels[0].fuel": "coal", "fuels[1].fuel": "diesel", "fuels[1].consumption": Decimal(3)},
    )
    outcome = store.save_month(
        ws=ws, unit_id=unit.id, year=2022, month=1, changes={}, remove_rows={"fuels": [0]}, validate=False
    )
    assert [f["fuel"] for f in outcome.month.fuels] == ["diesel"]
    assert audit_check.verify_audit(ws=ws).ok


def test_year_items_are_stored_audited_and_imported(ws: Workspace, plant) -> None:
    entity, _ = plant
    store.set_year_values(
        ws=ws, entity_id=entity.id, year=2022, changes={"ccer_used_t": Decimal(1200)}, reason="清缴材料"
    )
    store.set_year_values(ws=ws, entity_id=entity.id, year=2022, changes={"borrowed_t": Decimal(300)})
    report = store.load_report(ws=ws, entity_id=entity.id, year=2022)
    assert dict(report.year) == {"ccer_used_t": Decimal(1200), "borrowed_t": Decimal(300)}
    assert store.load_report(ws=ws, entity_id=entity.id, year=2023).year == {}
    assert audit_check.verify_audit(ws=ws).ok
    with pytest.raises(StorageError):  # the form's type applies
        store.set_year_values(ws=ws, entity_id=entity.id, year=2022, changes={"ccer_used_t": "很多"})
    with pytest.raises(StorageError):  # and only the form's year items exist
        store.set_year_values(ws=ws, entity_id=entity.id, year=2022, changes={"generation_mwh": Decimal(1)})
    with ws.engine.begin() as conn:  # an edit outside the app
        conn.execute(text('UPDATE entity_years SET values_json = \'{"ccer_used_t": {"$d": "9000"}}\''))
    assert any("year items differ" in p for p in audit_check.verify_audit(ws=ws).problems)


def test_import_carries_the_year_items(ws: Workspace) -> None:
    doc = clean_document()
    doc["year"] = {"ccer_used_t": Decimal(5000), "net_sales_t": Decimal(0)}
    report = parse_report(dumps(doc), forms_by_guideline())
    outcome = importer.import_report(ws=ws, report=report)
    again = store.load_report(ws=ws, entity_id=outcome.entity_id, year=2022)
    assert dict(again.year) == {"ccer_used_t": Decimal(5000), "net_sales_t": Decimal(0)}
    assert importer.import_report(ws=ws, report=report).changes == 0
    assert audit_check.verify_audit(ws=ws).ok
