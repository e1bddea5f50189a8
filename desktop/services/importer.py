"""A whole data year into a workspace (JSON report or demo), all or nothing, audited."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.domain import uscc as uscc_check
from desktop.domain.paths import MonthPath
from desktop.domain.records import EvidenceRef, ReportInput, Value
from desktop.domain.stored import (
    ImportOutcome,
)
from desktop.interchange.problems import InputError
from desktop.services.evaluation import override_problems
from desktop.services.guidelines import guideline
from desktop.services.store import (
    _ack_record,
    _apply_values,
    _current,
    _new_version,
    _override_record,
    _set_unit_year_values,
    _set_year_values,
    _stored,
    _write_changes,
)
from desktop.storage import codec, queries
from desktop.storage.errors import StorageError
from desktop.storage.models import (
    AcknowledgementRecord,
    Entity,
    Evidence,
    EvidenceLink,
    MonthVersion,
    OverrideRecord,
    Unit,
)
from desktop.storage.workspace import (
    UnitOfWork,
    Workspace,
    utcnow,
)

if TYPE_CHECKING:  # signing loads cryptography: only when a checkpoint is signed or checked
    pass


# -------------------------------------------------------------------------------------------- import


def import_report(*, ws: Workspace, report: ReportInput, reason: str = "import") -> ImportOutcome:
    """A whole data year into the workspace, all or nothing; refused if any target month is not a draft."""
    g = guideline(report.guideline)
    form = g.form
    if not str(report.entity.get("uscc") or "").strip():
        raise StorageError("STO-E024")
    uscc = uscc_check.check(str(report.entity.get("uscc") or ""))
    if uscc.status is uscc_check.UsccStatus.BAD_SHAPE:
        raise StorageError("STO-E017", uscc=report.entity.get("uscc"))
    problems = override_problems(report)  # whatever the source: an unusable override is never stored
    if problems:
        raise InputError(problems, reason)
    changes = 0
    with ws.unit_of_work() as uow, uow.session.no_autoflush:
        s = uow.session
        evidence_by_sha = {e.sha256: e for e in queries.all_evidence(s)}
        entity = queries.entity_by_uscc(s, uscc.normalized)
        entity_values = {**report.entity, "uscc": uscc.normalized}
        if entity is None:
            entity = Entity(
                workspace_id=ws.id,
                guideline=report.guideline,
                uscc=uscc.normalized,
                name=str(report.entity.get("name") or uscc.normalized),
                values_json=codec.dumps(entity_values),
                created_at=utcnow(),
            )
            s.add(entity)
            s.flush()
            uow.audit("entity.create", f"entities:{entity.id}", new=entity.values_json, reason=reason)
        else:
            values = codec.loads(entity.values_json)
            changes += len(
                _apply_values(uow, form, "entity", f"entities:{entity.id}", values, entity_values, "entity.set", reason)
            )
            entity.values_json, entity.name = codec.dumps(values), str(values.get("name", entity.name))
        units_by_code = {u.code: u for u in queries.units_of(s, entity.id)}
        # Check every target month first: nothing is written if one of them is closed and would change.
        # A closed month given exactly as stored (a whole year re-imported) is left as it is.
        closed = []
        unchanged: set[tuple[str, int]] = set()
        for record in report.units:
            unit = units_by_code.get(record.unit_id)
            if unit is None:
                continue
            for month in record.months:
                mv = _current(s, unit.id, report.data_year, month.month)
                if mv is None or mv.status == "draft":
                    continue
                stored_rows = {
                    k: [dict(r) for r in rows] for k, rows in _stored(mv, unit.code, []).rows.items() if rows
                }
                given_rows = {k: [dict(r.values) for r in rows] for k, rows in month.rows.items() if rows}
                same = (
                    codec.loads(mv.values_json) == dict(month.values)
                    and stored_rows == given_rows
                    and (month.deposited_on is None or month.deposited_on == mv.deposited_on)
                )
                if same:
                    unchanged.add((record.unit_id, month.month))
                else:
                    closed.append(f"{record.unit_id} {report.data_year}-{month.month:02d}")
        if closed:
            raise StorageError("STO-E015", months=", ".join(closed))
        months = 0
        for position, record in enumerate(report.units):
            unit = units_by_code.get(record.unit_id)
            if unit is None:
                unit = Unit(
                    workspace_id=ws.id,
                    entity_id=entity.id,
                    code=record.unit_id,
                    position=position,
                    values_json=codec.dumps(record.values),
                    created_at=utcnow(),
                )
                s.add(unit)
                s.flush()
                uow.audit("unit.create", f"units:{unit.id}", new=unit.values_json, reason=reason)
            else:
                values = codec.loads(unit.values_json)
                changes += len(
                    _apply_values(
                        uow, form, "unit", f"units:{unit.id}", values, dict(record.values), "unit.set", reason
                    )
                )
                unit.values_json = codec.dumps(values)
            if record.year:
                changes += len(_set_unit_year_values(uow, ws, unit, report.data_year, dict(record.year), reason))
            for month in record.months:
                if (record.unit_id, month.month) in unchanged:
                    continue  # closed, and given exactly as stored
                mv = _current(s, unit.id, report.data_year, month.month) or _new_version(
                    uow, unit, report.data_year, month.month
                )
                stored = _stored(mv, unit.code, [])
                wanted: dict[str, Value] = {k: month.values.get(k) for k in set(stored.values) | set(month.values)}
                extra_rows: dict[str, range] = {}
                for kind in form.row_kinds:
                    given, kept = month.rows_of(kind.id), stored.rows_of(kind.id)
                    for i, row in enumerate(given):
                        keys = set(row.values) | (set(kept[i]) if i < len(kept) else set())
                        wanted.update({str(MonthPath.of_row(kind.id, i, k)): row.get(k) for k in keys})
                    extra_rows[kind.id] = range(len(given), len(kept))
                changes += len(_write_changes(uow, form, mv, wanted, reason, remove_rows=extra_rows))
                if month.deposited_on != mv.deposited_on:
                    uow.audit(
                        "month.set",
                        f"month_versions:{mv.id}",
                        "deposited_on",
                        codec.dump_value(mv.deposited_on),
                        codec.dump_value(month.deposited_on),
                        reason,
                    )
                    mv.deposited_on = month.deposited_on
                _import_evidence(uow, mv, month.evidence, evidence_by_sha)
                months += 1
        for ov in report.overrides:
            existing = _override_record(s, entity.id, report.data_year, ov.key)
            value_json = codec.dump_value(ov.value)
            if existing is None or existing.value_json != value_json or existing.reason != ov.reason:
                uow.audit(
                    "override.set",
                    f"parameter_overrides:{entity.id}:{report.data_year}",
                    ov.key,
                    existing.value_json if existing else None,
                    value_json,
                    ov.reason,
                )
                if existing is None:
                    existing = OverrideRecord(
                        workspace_id=ws.id,
                        entity_id=entity.id,
                        data_year=report.data_year,
                        key=ov.key,
                        value_json="",
                        reason="",
                        by="",
                        at=utcnow(),
                    )
                    s.add(existing)
                existing.value_json, existing.reason, existing.by, existing.at = (
                    value_json,
                    ov.reason,
                    ov.by or ws.app_user,
                    utcnow(),
                )
        if report.year:
            changes += len(_set_year_values(uow, ws, entity, report.data_year, report.year, reason))
        for ack in report.acknowledgements:
            existing = _ack_record(s, entity.id, report.data_year, ack.code, ack.path)
            if existing is None or existing.justification != ack.justification:
                uow.audit(
                    "ack.set",
                    f"acknowledgements:{entity.id}:{report.data_year}",
                    f"{ack.code}@{ack.path}",
                    codec.dump_value(existing.justification if existing else None),
                    codec.dump_value(ack.justification),
                    reason,
                )
                if existing is None:
                    existing = AcknowledgementRecord(
                        workspace_id=ws.id,
                        entity_id=entity.id,
                        data_year=report.data_year,
                        code=ack.code,
                        path=ack.path,
                        justification="",
                        by="",
                        at=utcnow(),
                    )
                    s.add(existing)
                existing.justification, existing.by, existing.at = ack.justification, ack.by or ws.app_user, utcnow()
        return ImportOutcome(entity.id, len(report.units), months, changes)


def _import_evidence(
    uow: UnitOfWork, mv: MonthVersion, refs: Sequence[EvidenceRef], evidence_by_sha: dict[str, Evidence]
) -> None:
    """Evidence named in an imported file is recorded by hash; its file can be attached later."""
    if not refs:
        return
    s = uow.session
    existing = {(link.evidence_id, link.field_path) for link in queries.links_of(s, mv.id)}
    for ref in refs:
        evidence = evidence_by_sha.get(ref.sha256)
        if evidence is None:
            evidence = Evidence(
                workspace_id=uow.workspace_id,
                sha256=ref.sha256,
                kind=ref.kind,
                file_name=ref.file_name,
                size=0,
                stored=False,
                added_at=utcnow(),
                added_by=uow.app_user,
            )
            s.add(evidence)
            s.flush()
            evidence_by_sha[ref.sha256] = evidence
            uow.audit(
                "evidence.attach",
                f"evidence:{ref.sha256}",
                new=json.dumps({"kind": ref.kind, "file": ref.file_name, "stored": False}),
            )
        for path in ref.proves:
            if (evidence.id, path) not in existing:
                s.add(
                    EvidenceLink(
                        workspace_id=uow.workspace_id, evidence_id=evidence.id, month_version_id=mv.id, field_path=path
                    )
                )
                existing.add((evidence.id, path))
                uow.audit("evidence.link", f"month_versions:{mv.id}", path, None, json.dumps(ref.sha256))
