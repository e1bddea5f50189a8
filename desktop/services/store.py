"""Use-cases on a workspace: entities, units, monthly values, their lifecycle, evidence and the audit.

Every function is keyword-only, runs as one transaction and returns plain domain records.  Writes
to a month that is not a draft are refused here, whoever calls.  Every change is audited (who, when,
field, old value, new value, reason) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desktop.domain import uscc as uscc_check
from desktop.domain.findings import Acknowledgement, Finding, Severity
from desktop.domain.periods import (
    DATA_YEAR_MIN,
    PeriodStatus,
    PeriodTransitionError,
    PeriodVersion,
    data_year_max,
)
from desktop.domain.records import EvidenceRef, FuelRow, MonthRecord, ParameterOverride, ReportInput, UnitRecord, Value
from desktop.domain.stored import (
    AuditCheck,
    EntitySummary,
    EvidenceCheck,
    EvidenceInfo,
    FieldChange,
    ImportOutcome,
    SaveOutcome,
    StoredMonth,
    UnitSummary,
)
from desktop.formspec import FieldSpec, FormSpec
from desktop.formspec.model import fault_text
from desktop.interchange.problems import InputError
from desktop.services.evaluation import Evaluation, evaluate, override_problems
from desktop.services.guidelines import DEFAULT_GUIDELINE, guideline
from desktop.storage import codec
from desktop.storage.errors import StorageError
from desktop.storage.models import (
    AcknowledgementRecord,
    AuditRecord,
    Entity,
    EntityYear,
    Evidence,
    EvidenceLink,
    FuelRowRecord,
    MonthVersion,
    OverrideRecord,
    Unit,
    WorkspaceInfo,
)
from desktop.storage.workspace import (
    GENESIS,
    UnitOfWork,
    Workspace,
    copy_file_atomically,
    entry_fields,
    entry_hash,
    utcnow,
)

if TYPE_CHECKING:  # signing loads cryptography: only when a checkpoint is signed or checked
    from cryptography import x509

    from desktop.signing.core import Signer

_FUEL_PATH = re.compile(r"^fuels\[(\d+)\]\.([a-z][a-z0-9_]*)$")
LAB_FIELDS = (
    "lab_name",
    "lab_accreditation_no",
    "report_no",
    "sample_received_date",
    "test_date",
    "report_date",
    "qr_present",
)
_STATUS_WORDS = {"draft": ("草稿", "a draft"), "submitted": ("已提交", "submitted"), "locked": ("已锁定", "locked")}


# ------------------------------------------------------------------------------------------- values


def _expected(spec: FieldSpec) -> tuple[str, str]:
    return {
        "decimal": ("数值", "a number"),
        "integer": ("整数", "a whole number"),
        "bool": ("是/否", "yes or no"),
        "date": ("日期", "a date"),
        "enum": ("可选值之一", "one of the listed options"),
    }.get(spec.type, ("文字", "text"))


def _check_value(form: FormSpec, spec: FieldSpec, value: Value) -> Value:
    """The store accepts typed values only; text in a number field is refused with the field named."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # an emptied cell clears the value
    kind = spec.type
    if kind in ("decimal", "integer"):
        ok = isinstance(value, Decimal) and value.is_finite()
        ok = ok and (kind == "decimal" or value == value.to_integral_value())
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, date)
    elif kind == "enum":
        ok = isinstance(value, str) and value in form.enums[spec.enum or ""].ids
    else:
        ok = isinstance(value, str)
    if not ok:
        zh, en = _expected(spec)
        raise StorageError(
            "STO-E011", label_zh=spec.label_zh, label_en=spec.label_en, expected_zh=zh, expected_en=en, value=str(value)
        )
    fault = spec.number_fault(value) if isinstance(value, Decimal) else None
    if fault is not None:
        raise StorageError(
            "STO-E018",
            label_zh=spec.label_zh,
            label_en=spec.label_en,
            reason_zh=fault_text(spec, fault, "zh"),
            reason_en=fault_text(spec, fault, "en"),
        )
    return value


def _spec_for_path(form: FormSpec, path: str) -> tuple[FieldSpec, int | None, str]:
    match = _FUEL_PATH.match(path)
    scope, index, field = ("fuel", int(match.group(1)), match.group(2)) if match else ("month", None, path)
    try:
        return form.field(scope, field), index, field
    except KeyError:
        raise StorageError("STO-E012", path=path) from None


# --------------------------------------------------------------------------------------- conversion


def _entity_summary(entity: Entity) -> EntitySummary:
    units = tuple(UnitSummary(u.id, u.entity_id, u.code, codec.loads(u.values_json)) for u in entity.units)
    return EntitySummary(
        entity.id,
        entity.workspace_id,
        entity.guideline,
        entity.uscc,
        entity.name,
        codec.loads(entity.values_json),
        units,
    )


def _links(session: Session, month_version_ids: Sequence[str]) -> dict[str, list[tuple[Evidence, str]]]:
    if not month_version_ids:
        return {}
    rows = session.execute(
        select(EvidenceLink.month_version_id, EvidenceLink.field_path, Evidence)
        .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
        .where(EvidenceLink.month_version_id.in_(month_version_ids))
    ).all()
    out: dict[str, list[tuple[Evidence, str]]] = {}
    for mv_id, path, evidence in rows:
        out.setdefault(mv_id, []).append((evidence, path))
    return out


def _evidence_refs(links: Iterable[tuple[Evidence, str]]) -> tuple[EvidenceRef, ...]:
    by_evidence: dict[str, tuple[Evidence, list[str]]] = {}
    for evidence, path in links:
        by_evidence.setdefault(evidence.id, (evidence, []))[1].append(path)
    return tuple(
        EvidenceRef(ev.kind, ev.file_name, ev.sha256, tuple(sorted(paths)))
        for ev, paths in sorted(by_evidence.values(), key=lambda item: item[0].file_name)
    )


def _stored(mv: MonthVersion, unit_code: str, links: Iterable[tuple[Evidence, str]]) -> StoredMonth:
    return StoredMonth(
        id=mv.id,
        unit_id=mv.unit_id,
        unit_code=unit_code,
        data_year=mv.data_year,
        month=mv.month,
        version=mv.version,
        status=PeriodStatus(mv.status),
        amendment_reason=mv.amendment_reason,
        deposited_on=mv.deposited_on,
        values=codec.loads(mv.values_json),
        fuels=tuple(codec.loads(f.values_json) for f in mv.fuels),
        evidence=_evidence_refs(links),
        updated_at=mv.updated_at,
    )


def _snapshot(mv: MonthVersion) -> str:
    """The whole content of a month version, as recorded in the audit log when it is created."""
    return json.dumps(
        {
            "unit_id": mv.unit_id,
            "data_year": mv.data_year,
            "month": mv.month,
            "version": mv.version,
            "status": mv.status,
            "values": json.loads(mv.values_json),
            "fuels": [json.loads(f.values_json) for f in mv.fuels],
            "deposited_on": mv.deposited_on.isoformat() if mv.deposited_on else None,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


# ---------------------------------------------------------------------------------- entity and units


def _get(session: Session, model: type, id_: str, what: str) -> Any:
    found = session.get(model, id_)
    if found is None:
        raise StorageError("STO-E008", what=f"{what} {id_}")
    return found


def create_entity(
    *,
    ws: Workspace,
    name: str,
    uscc: str,
    values: Mapping[str, Value] | None = None,
    guideline_id: str = DEFAULT_GUIDELINE,
) -> EntitySummary:
    form = guideline(guideline_id).form
    check = uscc_check.check(uscc)
    if check.status is uscc_check.UsccStatus.BAD_SHAPE:
        raise StorageError("STO-E017", uscc=uscc)
    all_values = {**(values or {}), "name": name, "uscc": check.normalized}
    for key, value in all_values.items():
        _check_value(form, _field(form, "entity", key), value)
    with ws.unit_of_work() as uow:
        if uow.session.execute(select(Entity.id).where(Entity.uscc == check.normalized)).first():
            raise StorageError("STO-E013", what="USCC", value=check.normalized)
        entity = Entity(
            workspace_id=ws.id,
            guideline=guideline_id,
            uscc=check.normalized,
            name=name,
            values_json=codec.dumps(all_values),
            created_at=utcnow(),
        )
        uow.session.add(entity)
        uow.session.flush()
        uow.audit("entity.create", f"entities:{entity.id}", new=entity.values_json)
        return _entity_summary(entity)


def _field(form: FormSpec, scope: str, key: str) -> FieldSpec:
    try:
        return form.field(scope, key)
    except KeyError:
        raise StorageError("STO-E012", path=f"{scope}.{key}") from None


def _apply_values(
    uow: UnitOfWork,
    form: FormSpec,
    scope: str,
    target: str,
    current: dict[str, Value],
    changes: Mapping[str, Value],
    action: str,
    reason: str,
) -> list[FieldChange]:
    out: list[FieldChange] = []
    for key, raw in changes.items():
        value = _check_value(form, _field(form, scope, key), raw)
        old = current.get(key)
        if old == value and type(old) is type(value):
            continue
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        uow.audit(action, target, f"values.{key}", codec.dump_value(old), codec.dump_value(value), reason)
        out.append(FieldChange(key, old, value))
    return out


def edit_entity(*, ws: Workspace, entity_id: str, changes: Mapping[str, Value], reason: str = "") -> EntitySummary:
    with ws.unit_of_work() as uow:
        entity = _get(uow.session, Entity, entity_id, "entity")
        form = guideline(entity.guideline).form
        values = codec.loads(entity.values_json)
        if "uscc" in changes:
            check = uscc_check.check(str(changes["uscc"]))
            if check.status is uscc_check.UsccStatus.BAD_SHAPE:
                raise StorageError("STO-E017", uscc=changes["uscc"])
            changes = {**changes, "uscc": check.normalized}
        _apply_values(uow, form, "entity", f"entities:{entity.id}", values, changes, "entity.set", reason)
        entity.values_json = codec.dumps(values)
        entity.name = str(values.get("name", entity.name))
        entity.uscc = str(values.get("uscc", entity.uscc))
        return _entity_summary(entity)


MIN_DATA_YEAR = DATA_YEAR_MIN


def _entity_year(session: Session, entity_id: str, year: int) -> EntityYear | None:
    return session.execute(
        select(EntityYear).where(EntityYear.entity_id == entity_id, EntityYear.data_year == year)
    ).scalar_one_or_none()


def _set_year_values(
    uow: UnitOfWork, ws: Workspace, entity: Entity, year: int, changes: Mapping[str, Value], reason: str
) -> list[FieldChange]:
    form = guideline(entity.guideline).form
    row = _entity_year(uow.session, entity.id, year)
    if row is None:
        row = EntityYear(workspace_id=ws.id, entity_id=entity.id, data_year=year, values_json="{}", created_at=utcnow())
        uow.session.add(row)
    values = codec.loads(row.values_json)
    target = f"entity_years:{entity.id}:{year}"
    out = _apply_values(uow, form, "year", target, values, changes, "year.set", reason)
    row.values_json = codec.dumps(values)
    return out


def set_year_values(
    *, ws: Workspace, entity_id: str, year: int, changes: Mapping[str, Value], reason: str = ""
) -> tuple[FieldChange, ...]:
    """The entity's items of one data year as a whole (offsets used, allowances carried), audited."""
    with ws.unit_of_work() as uow:
        entity = _get(uow.session, Entity, entity_id, "entity")
        return tuple(_set_year_values(uow, ws, entity, year, changes, reason))


def create_unit(*, ws: Workspace, entity_id: str, values: Mapping[str, Value]) -> UnitSummary:
    with ws.unit_of_work() as uow:
        entity = _get(uow.session, Entity, entity_id, "entity")
        form = guideline(entity.guideline).form
        for key, value in values.items():
            _check_value(form, _field(form, "unit", key), value)
        code = str(values.get("id") or "").strip()
        if not code:
            spec = form.field("unit", "id")
            raise StorageError(
                "STO-E011",
                label_zh=spec.label_zh,
                label_en=spec.label_en,
                expected_zh="文字",
                expected_en="text",
                value="",
            )
        if uow.session.execute(select(Unit.id).where(Unit.entity_id == entity_id, Unit.code == code)).first():
            raise StorageError("STO-E013", what="unit", value=code)
        position = uow.session.execute(select(func.count(Unit.id)).where(Unit.entity_id == entity_id)).scalar_one()
        unit = Unit(
            workspace_id=ws.id,
            entity_id=entity_id,
            code=code,
            position=position,
            values_json=codec.dumps(values),
            created_at=utcnow(),
        )
        uow.session.add(unit)
        uow.session.flush()
        uow.audit("unit.create", f"units:{unit.id}", new=unit.values_json)
        return UnitSummary(unit.id, entity_id, code, codec.loads(unit.values_json))


def edit_unit(*, ws: Workspace, unit_id: str, changes: Mapping[str, Value], reason: str = "") -> UnitSummary:
    with ws.unit_of_work() as uow:
        unit = _get(uow.session, Unit, unit_id, "unit")
        form = guideline(unit.entity.guideline).form
        values = codec.loads(unit.values_json)
        _apply_values(uow, form, "unit", f"units:{unit.id}", values, changes, "unit.set", reason)
        unit.values_json = codec.dumps(values)
        unit.code = str(values.get("id", unit.code))
        return UnitSummary(unit.id, unit.entity_id, unit.code, values)


def list_entities(*, ws: Workspace) -> tuple[EntitySummary, ...]:
    with ws.read() as session:
        entities = session.execute(select(Entity).options(selectinload(Entity.units)).order_by(Entity.name)).scalars()
        return tuple(_entity_summary(e) for e in entities)


def get_entity(*, ws: Workspace, entity_id: str) -> EntitySummary:
    with ws.read() as session:
        return _entity_summary(_get(session, Entity, entity_id, "entity"))


# ------------------------------------------------------------------------------------------- months


def _current(session: Session, unit_id: str, year: int, month: int) -> MonthVersion | None:
    return session.execute(
        select(MonthVersion)
        .where(MonthVersion.unit_id == unit_id, MonthVersion.data_year == year, MonthVersion.month == month)
        .order_by(MonthVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _new_version(
    uow: UnitOfWork,
    unit: Unit,
    year: int,
    month: int,
    version: int = 1,
    copy_from: MonthVersion | None = None,
    reason: str | None = None,
) -> MonthVersion:
    now = utcnow()
    mv = MonthVersion(
        workspace_id=uow.workspace_id,
        unit_id=unit.id,
        data_year=year,
        month=month,
        version=version,
        status="draft",
        amendment_reason=reason,
        values_json=copy_from.values_json if copy_from else "{}",
        created_at=now,
        updated_at=now,
    )
    if copy_from is not None:
        mv.fuels = [
            FuelRowRecord(workspace_id=uow.workspace_id, position=f.position, values_json=f.values_json)
            for f in copy_from.fuels
        ]
    uow.session.add(mv)
    uow.session.flush()
    if copy_from is not None:  # the evidence keeps proving the same values in the new version
        for link in uow.session.execute(
            select(EvidenceLink).where(EvidenceLink.month_version_id == copy_from.id)
        ).scalars():
            uow.session.add(
                EvidenceLink(
                    workspace_id=uow.workspace_id,
                    evidence_id=link.evidence_id,
                    month_version_id=mv.id,
                    field_path=link.field_path,
                )
            )
    uow.audit("month.create", f"month_versions:{mv.id}", new=_snapshot(mv), reason=reason or "")
    return mv


def _refuse_unless_draft(mv: MonthVersion, unit: Unit) -> None:
    if mv.status != PeriodStatus.DRAFT.value:
        zh, en = _STATUS_WORDS[mv.status]
        raise StorageError(
            "STO-E004",
            unit=unit.code,
            year=mv.data_year,
            month=mv.month,
            version=mv.version,
            status_zh=zh,
            status_en=en,
            advice_zh="如需更正，请先“退回草稿”并说明原因。"
            if mv.status == PeriodStatus.SUBMITTED.value
            else "如需更正，请“修订”该月并说明原因。",
            advice_en="To correct it, take it back to draft with a reason."
            if mv.status == PeriodStatus.SUBMITTED.value
            else "To correct it, amend the month with a reason.",
        )


def _renumber_fuel_links(uow: UnitOfWork, mv: MonthVersion, removed: list[int]) -> None:
    """Evidence of a removed fuel row goes with it; the rows after it keep theirs under their new index."""
    links = uow.session.execute(select(EvidenceLink).where(EvidenceLink.month_version_id == mv.id)).scalars().all()
    gone = set(removed)
    moves: list[tuple[int, EvidenceLink, str]] = []
    for link in links:
        match = re.match(r"fuels\[(\d+)\](.*)$", link.field_path)
        if match is None:
            continue
        index = int(match.group(1))
        if index in gone:
            uow.session.delete(link)
        elif shift := sum(1 for r in gone if r < index):
            moves.append((index, link, f"fuels[{index - shift}]{match.group(2)}"))
    uow.session.flush()  # the removed rows' links first, so no renumbered path meets one of them
    for _index, link, path in sorted(moves, key=lambda m: m[0]):  # lowest first: each new path is free
        link.field_path = path
        uow.session.flush()


def _write_changes(
    uow: UnitOfWork,
    form: FormSpec,
    mv: MonthVersion,
    changes: Mapping[str, Value],
    remove_fuel_rows: Iterable[int] = (),
    reason: str = "",
) -> list[FieldChange]:
    values = codec.loads(mv.values_json)
    fuels = [codec.loads(f.values_json) for f in mv.fuels]
    target = f"month_versions:{mv.id}"
    out: list[FieldChange] = []
    for path, raw in changes.items():
        spec, index, field = _spec_for_path(form, path)
        value = _check_value(form, spec, raw)
        if index is None:
            old = values.get(field)
        else:
            if index > len(fuels):
                raise StorageError("STO-E012", path=path)
            if index == len(fuels):
                fuels.append({})
            old = fuels[index].get(field)
        if old == value and type(old) is type(value):
            continue
        holder = values if index is None else fuels[index]
        if value is None:
            holder.pop(field, None)
        else:
            holder[field] = value
        uow.audit(
            "month.set",
            target,
            path if index is not None else f"values.{field}",
            codec.dump_value(old),
            codec.dump_value(value),
            reason,
        )
        out.append(FieldChange(path, old, value))
    # A fuel row emptied of every value (the undo of typing into a new fuel's row) goes with its last value:
    # a hidden empty row would block submission with nothing on screen to fix.
    existing = len(mv.fuels)
    while len(fuels) > existing and not fuels[-1]:
        fuels.pop()  # a new row that got nothing (only empty values) is never created
    emptied = {i for i, f in enumerate(fuels) if not f}
    removed = sorted({i for i in remove_fuel_rows if 0 <= i < len(fuels)} | emptied, reverse=True)
    if removed:
        before = [dict(f) for f in fuels]
        for index in removed:
            fuels.pop(index)
        uow.audit(
            "month.set",
            target,
            "fuels",
            json.dumps([json.loads(codec.dumps(f)) for f in before]),
            json.dumps([json.loads(codec.dumps(f)) for f in fuels]),
            reason,
        )
        out.append(FieldChange("fuels", before, fuels))
        _renumber_fuel_links(uow, mv, removed)
    if not out:
        return out
    mv.values_json = codec.dumps(values)
    for position, fuel_values in enumerate(fuels):
        if position < len(mv.fuels):
            mv.fuels[position].values_json = codec.dumps(fuel_values)
        else:
            mv.fuels.append(
                FuelRowRecord(workspace_id=uow.workspace_id, position=position, values_json=codec.dumps(fuel_values))
            )
    del mv.fuels[len(fuels) :]
    mv.updated_at = utcnow()
    return out


def save_month(
    *,
    ws: Workspace,
    unit_id: str,
    year: int,
    month: int,
    changes: Mapping[str, Value],
    remove_fuel_rows: Iterable[int] = (),
    reason: str = "",
    today: date | None = None,
    validate: bool = True,
) -> SaveOutcome:
    """Save some values of a month (partial saves are fine); the month's findings come back."""
    with ws.unit_of_work() as uow:
        unit = _get(uow.session, Unit, unit_id, "unit")
        form = guideline(unit.entity.guideline).form
        mv = _current(uow.session, unit_id, year, month) or _new_version(uow, unit, year, month)
        _refuse_unless_draft(mv, unit)
        applied = _write_changes(uow, form, mv, changes, remove_fuel_rows, reason)
        uow.session.flush()
        stored = _stored(mv, unit.code, _links(uow.session, [mv.id]).get(mv.id, []))
        entity_id = unit.entity_id
    findings = _month_findings(ws, entity_id, unit.code, year, month, today) if validate else ()
    return SaveOutcome(stored, tuple(applied), findings)


def _month_findings(
    ws: Workspace, entity_id: str, unit_code: str, year: int, month: int, today: date | None
) -> tuple[Finding, ...]:
    ev = compute_year(ws=ws, entity_id=entity_id, year=year, today=today)
    return tuple(f for f in ev.findings if f.ref.unit == unit_code and f.ref.month == month)


def get_month(*, ws: Workspace, unit_id: str, year: int, month: int, version: int | None = None) -> StoredMonth | None:
    with ws.read() as session:
        unit = _get(session, Unit, unit_id, "unit")
        query = select(MonthVersion).where(
            MonthVersion.unit_id == unit_id, MonthVersion.data_year == year, MonthVersion.month == month
        )
        if version is None:
            mv = session.execute(query.order_by(MonthVersion.version.desc()).limit(1)).scalar_one_or_none()
        else:
            mv = session.execute(query.where(MonthVersion.version == version)).scalar_one_or_none()
        if mv is None:
            return None
        return _stored(mv, unit.code, _links(session, [mv.id]).get(mv.id, []))


def stored_months(*, ws: Workspace, entity_id: str, year: int) -> dict[tuple[str, int], StoredMonth]:
    """The latest version of every stored month of the entity's year, by (unit id, month)."""
    return year_data(ws=ws, entity_id=entity_id, year=year)[1]


def month_history(*, ws: Workspace, unit_id: str, year: int, month: int) -> tuple[StoredMonth, ...]:
    with ws.read() as session:
        unit = _get(session, Unit, unit_id, "unit")
        versions = (
            session.execute(
                select(MonthVersion)
                .where(MonthVersion.unit_id == unit_id, MonthVersion.data_year == year, MonthVersion.month == month)
                .order_by(MonthVersion.version)
            )
            .scalars()
            .all()
        )
        links = _links(session, [v.id for v in versions])
        return tuple(_stored(v, unit.code, links.get(v.id, [])) for v in versions)


def _transition(
    uow: UnitOfWork, unit: Unit, mv: MonthVersion, new: PeriodVersion, action: str, reason: str = ""
) -> None:
    if new.status.value != mv.status:
        uow.audit(
            "month.status",
            f"month_versions:{mv.id}",
            "status",
            json.dumps(mv.status),
            json.dumps(new.status.value),
            reason,
        )
        mv.status = new.status.value
        mv.updated_at = mv.status_changed_at = utcnow()


def _checkpoint(uow: UnitOfWork, action: str, unit: Unit, mv: MonthVersion, signer: Signer | None) -> None:
    """The chain's head after a status change, signed when a signer is at hand (see services.checkpoints)."""
    from desktop.services import checkpoints  # noqa: PLC0415 - loads cryptography

    event = f"{action} {unit.code} {mv.data_year}-{mv.month:02d} v{mv.version}"
    uow.checkpoint(event, checkpoints.signing_with(signer))


def record_checkpoint(*, ws: Workspace, event: str, signer: Signer | None) -> tuple[int, int, str]:
    """A checkpoint outside a status change (a package built): (its number, entries, head hash)."""
    from desktop.services import checkpoints  # noqa: PLC0415 - loads cryptography

    with ws.unit_of_work() as uow:
        record = uow.checkpoint(event, checkpoints.signing_with(signer))
        return record.seq, record.entries, record.head


def _existing_month(uow: UnitOfWork, unit_id: str, year: int, month: int) -> tuple[Unit, MonthVersion]:
    """The unit and the current version of a month that must already exist."""
    unit = _get(uow.session, Unit, unit_id, "unit")
    mv = _current(uow.session, unit_id, year, month)
    if mv is None:
        raise StorageError("STO-E008", what=f"{unit.code} {year}-{month:02d}")
    return unit, mv


def _period(mv: MonthVersion) -> PeriodVersion:
    return PeriodVersion(PeriodStatus(mv.status), mv.version, mv.amendment_reason)


def _transition_error(exc: PeriodTransitionError, action_zh: str, action_en: str) -> StorageError:
    zh, en = _STATUS_WORDS[exc.current.value]
    return StorageError("STO-E006", status_zh=zh, status_en=en, action_zh=action_zh, action_en=action_en)


def submit_month(
    *, ws: Workspace, unit_id: str, year: int, month: int, today: date | None = None, signer: Signer | None = None
) -> StoredMonth:
    """Refused while the month has errors.  Records a checkpoint of the audit chain, signed by ``signer``."""
    with ws.read() as session:
        unit = _get(session, Unit, unit_id, "unit")
        code, entity_id = unit.code, unit.entity_id
    findings = _month_findings(ws, entity_id, code, year, month, today)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    with ws.unit_of_work() as uow:
        unit, mv = _existing_month(uow, unit_id, year, month)
        try:
            new = _period(mv).submit(has_errors=bool(errors))
        except PeriodTransitionError as exc:
            if exc.code == "PER-E002":
                raise StorageError(
                    "STO-E005",
                    unit=code,
                    year=year,
                    month=month,
                    count=len(errors),
                    codes=", ".join(sorted({f.code for f in errors})),
                ) from exc
            raise _transition_error(exc, "提交", "submitted") from exc
        _transition(uow, unit, mv, new, "submit")
        _checkpoint(uow, "submit", unit, mv, signer)
        return _stored(mv, code, _links(uow.session, [mv.id]).get(mv.id, []))


def reopen_month(
    *, ws: Workspace, unit_id: str, year: int, month: int, reason: str, signer: Signer | None = None
) -> StoredMonth:
    """A submitted month not yet deposited goes back to draft, with the reason in the audit trail."""
    if not reason.strip():
        raise StorageError("STO-E020")
    with ws.unit_of_work() as uow:
        unit, mv = _existing_month(uow, unit_id, year, month)
        try:
            new = _period(mv).reopen()
        except PeriodTransitionError as exc:
            raise _transition_error(exc, "退回草稿", "reopened") from exc
        _transition(uow, unit, mv, new, "reopen", reason.strip())
        _checkpoint(uow, "reopen", unit, mv, signer)
        return _stored(mv, unit.code, _links(uow.session, [mv.id]).get(mv.id, []))


def lock_month(
    *, ws: Workspace, unit_id: str, year: int, month: int, deposited_on: date, signer: Signer | None = None
) -> StoredMonth:
    """After the deposit on the national platform: the month can no longer change except by amendment."""
    with ws.unit_of_work() as uow:
        unit, mv = _existing_month(uow, unit_id, year, month)
        try:
            new = _period(mv).lock()
        except PeriodTransitionError as exc:
            raise _transition_error(exc, "锁定", "locked") from exc
        uow.audit(
            "month.set",
            f"month_versions:{mv.id}",
            "deposited_on",
            codec.dump_value(mv.deposited_on),
            codec.dump_value(deposited_on),
        )
        mv.deposited_on = deposited_on
        _transition(uow, unit, mv, new, "lock")
        _checkpoint(uow, "lock", unit, mv, signer)
        return _stored(mv, unit.code, _links(uow.session, [mv.id]).get(mv.id, []))


def amend_month(
    *, ws: Workspace, unit_id: str, year: int, month: int, reason: str, signer: Signer | None = None
) -> StoredMonth:
    """A locked month is corrected only by a new draft version with a reason; the old one stays readable."""
    if not reason.strip():
        raise StorageError("STO-E010")
    ws.auto_backup("before-amendment")
    with ws.unit_of_work() as uow:
        unit, mv = _existing_month(uow, unit_id, year, month)
        try:
            _period(mv).amend(reason=reason)
        except PeriodTransitionError as exc:
            raise _transition_error(exc, "修订", "amended") from exc
        new = _new_version(uow, unit, year, month, mv.version + 1, copy_from=mv, reason=reason.strip())
        _checkpoint(uow, "amend", unit, new, signer)
        return _stored(new, unit.code, _links(uow.session, [new.id]).get(new.id, []))


def compare_versions(
    *, ws: Workspace, unit_id: str, year: int, month: int, old: int, new: int
) -> tuple[FieldChange, ...]:
    a = get_month(ws=ws, unit_id=unit_id, year=year, month=month, version=old)
    b = get_month(ws=ws, unit_id=unit_id, year=year, month=month, version=new)
    if a is None or b is None:
        raise StorageError("STO-E008", what=f"version {old if a is None else new}")
    out: list[FieldChange] = []
    for key in sorted(set(a.values) | set(b.values)):
        if a.values.get(key) != b.values.get(key):
            out.append(FieldChange(key, a.values.get(key), b.values.get(key)))
    for i in range(max(len(a.fuels), len(b.fuels))):
        fa = a.fuels[i] if i < len(a.fuels) else {}
        fb = b.fuels[i] if i < len(b.fuels) else {}
        for key in sorted(set(fa) | set(fb)):
            if fa.get(key) != fb.get(key):
                out.append(FieldChange(f"fuels[{i}].{key}", fa.get(key), fb.get(key)))
    if a.deposited_on != b.deposited_on:
        out.append(FieldChange("deposited_on", a.deposited_on, b.deposited_on))
    return tuple(out)


# ------------------------------------------------------------------------------- the year from storage


CHUNK = 400  # rows fetched at a time: other threads (the GUI) get the interpreter lock in between


def _chunked(session: Session, statement: Any) -> Iterator[Any]:
    """Rows in chunks, so that a long read never holds the interpreter lock for long."""
    result = session.execute(statement, execution_options={"yield_per": CHUNK})
    for partition in result.partitions(CHUNK):
        yield from partition


def year_data(*, ws: Workspace, entity_id: str, year: int) -> tuple[ReportInput, dict[tuple[str, int], StoredMonth]]:
    """One read of an entity's year: the report the engine takes, and every month as stored.

    Plain column queries read in chunks (no ORM objects): a 200-unit group's year loads quickly and
    without stalling the window.
    """
    with ws.read() as session:
        entity = session.execute(
            select(Entity).where(Entity.id == entity_id).options(selectinload(Entity.units))
        ).scalar_one_or_none()
        if entity is None:
            raise StorageError("STO-E008", what=f"entity {entity_id}")
        codes = {u.id: u.code for u in entity.units}
        mv = MonthVersion.__table__.c
        latest: dict[tuple[str, int], Any] = {}
        if codes:
            for row in _chunked(
                session,
                select(
                    mv.id,
                    mv.unit_id,
                    mv.month,
                    mv.version,
                    mv.status,
                    mv.amendment_reason,
                    mv.deposited_on,
                    mv.values_json,
                    mv.updated_at,
                ).where(mv.unit_id.in_(list(codes)), mv.data_year == year),
            ):
                key = (row.unit_id, row.month)
                if key not in latest or row.version > latest[key].version:
                    latest[key] = row
        wanted = {row.id for row in latest.values()}
        fuels: dict[str, list[tuple[int, str]]] = {}
        links: dict[str, dict[str, tuple[str, str, str, list[str]]]] = {}
        if wanted:
            fr = FuelRowRecord.__table__.c
            in_year = select(mv.id).where(mv.unit_id.in_(list(codes)), mv.data_year == year)
            for row in _chunked(
                session,
                select(fr.month_version_id, fr.position, fr.values_json).where(fr.month_version_id.in_(in_year)),
            ):
                if row.month_version_id in wanted:
                    fuels.setdefault(row.month_version_id, []).append((row.position, row.values_json))
            el, ev = EvidenceLink.__table__.c, Evidence.__table__.c
            for row in _chunked(
                session,
                select(el.month_version_id, el.field_path, ev.id, ev.kind, ev.file_name, ev.sha256)
                .join(Evidence.__table__, ev.id == el.evidence_id)
                .where(el.month_version_id.in_(in_year)),
            ):
                if row.month_version_id in wanted:
                    entry = links.setdefault(row.month_version_id, {}).setdefault(
                        row.id, (row.kind, row.file_name, row.sha256, [])
                    )
                    entry[3].append(row.field_path)
        stored: dict[tuple[str, int], StoredMonth] = {}
        records: dict[str, list[MonthRecord]] = {uid: [] for uid in codes}
        for (uid, month), row in sorted(latest.items(), key=lambda item: item[0][1]):
            fuel_values = tuple(codec.loads(v) for _, v in sorted(fuels.get(row.id, [])))
            refs = tuple(
                EvidenceRef(kind, name, sha, tuple(sorted(paths)))
                for kind, name, sha, paths in sorted(links.get(row.id, {}).values(), key=lambda e: e[1])
            )
            values = codec.loads(row.values_json)
            stored[(uid, month)] = StoredMonth(
                id=row.id,
                unit_id=uid,
                unit_code=codes[uid],
                data_year=year,
                month=month,
                version=row.version,
                status=PeriodStatus(row.status),
                amendment_reason=row.amendment_reason,
                deposited_on=row.deposited_on,
                values=values,
                fuels=fuel_values,
                evidence=refs,
                updated_at=row.updated_at,
            )
            records[uid].append(
                MonthRecord(
                    month=month,
                    values=values,
                    fuels=tuple(FuelRow(f) for f in fuel_values),
                    evidence=refs,
                    deposited_on=row.deposited_on,
                )
            )
        units = tuple(UnitRecord(values=codec.loads(u.values_json), months=tuple(records[u.id])) for u in entity.units)
        overrides = tuple(
            ParameterOverride(o.key, codec.load_value(o.value_json), o.reason, o.by)
            for o in session.execute(
                select(OverrideRecord)
                .where(OverrideRecord.entity_id == entity_id, OverrideRecord.data_year == year)
                .order_by(OverrideRecord.key)
            ).scalars()
        )
        acks = tuple(
            Acknowledgement(a.code, a.path, a.justification, a.by)
            for a in session.execute(
                select(AcknowledgementRecord).where(
                    AcknowledgementRecord.entity_id == entity_id, AcknowledgementRecord.data_year == year
                )
            ).scalars()
        )
        year_row = _entity_year(session, entity_id, year)
        year_values = codec.loads(year_row.values_json) if year_row is not None else {}
        report = ReportInput(
            entity.guideline, year, codec.loads(entity.values_json), units, overrides, acks, year_values
        )
        return report, stored


def load_report(*, ws: Workspace, entity_id: str, year: int) -> ReportInput:
    """The entity's data year as the engine takes it: the latest version of every month."""
    return year_data(ws=ws, entity_id=entity_id, year=year)[0]


def years_with_data(*, ws: Workspace, entity_id: str) -> tuple[int, ...]:
    """The data years of the entity: those with months stored, and those added (or with year items)."""
    with ws.read() as session:
        months = session.execute(
            select(MonthVersion.data_year)
            .join(Unit, Unit.id == MonthVersion.unit_id)
            .where(Unit.entity_id == entity_id)
            .distinct()
        ).scalars()
        added = session.execute(select(EntityYear.data_year).where(EntityYear.entity_id == entity_id)).scalars()
        return tuple(sorted({*months, *added}))


def add_data_year(*, ws: Workspace, entity_id: str, year: int) -> None:
    """A data year to enter (the running year before any month is typed; a past year to catch up), audited."""
    if not DATA_YEAR_MIN <= year <= data_year_max():
        raise StorageError("STO-E021", year=year, low=DATA_YEAR_MIN, high=data_year_max())
    with ws.unit_of_work() as uow:
        entity = _get(uow.session, Entity, entity_id, "entity")
        if _entity_year(uow.session, entity.id, year) is not None:
            return
        uow.session.add(
            EntityYear(workspace_id=ws.id, entity_id=entity.id, data_year=year, values_json="{}", created_at=utcnow())
        )
        uow.audit("year.create", f"entity_years:{entity.id}:{year}", "data_year", None, json.dumps(year))


def compute_year(*, ws: Workspace, entity_id: str, year: int, today: date | None = None) -> Evaluation:
    return evaluate(report=load_report(ws=ws, entity_id=entity_id, year=year), today=today)


# ----------------------------------------------------------------------- acknowledgements and overrides


def _ack_record(session: Session, entity_id: str, year: int, code: str, path: str) -> AcknowledgementRecord | None:
    return session.execute(
        select(AcknowledgementRecord).where(
            AcknowledgementRecord.entity_id == entity_id,
            AcknowledgementRecord.data_year == year,
            AcknowledgementRecord.code == code,
            AcknowledgementRecord.path == path,
        )
    ).scalar_one_or_none()


def _override_record(session: Session, entity_id: str, year: int, key: str) -> OverrideRecord | None:
    return session.execute(
        select(OverrideRecord).where(
            OverrideRecord.entity_id == entity_id, OverrideRecord.data_year == year, OverrideRecord.key == key
        )
    ).scalar_one_or_none()


def acknowledge(*, ws: Workspace, entity_id: str, year: int, code: str, path: str, justification: str) -> None:
    if not justification.strip():
        raise StorageError("STO-E010")
    with ws.unit_of_work() as uow:
        _get(uow.session, Entity, entity_id, "entity")
        existing = _ack_record(uow.session, entity_id, year, code, path)
        old = existing.justification if existing else None
        if existing is None:
            existing = AcknowledgementRecord(
                workspace_id=ws.id,
                entity_id=entity_id,
                data_year=year,
                code=code,
                path=path,
                justification="",
                by="",
                at=utcnow(),
            )
            uow.session.add(existing)
        existing.justification, existing.by, existing.at = justification.strip(), ws.app_user, utcnow()
        uow.audit(
            "ack.set",
            f"acknowledgements:{entity_id}:{year}",
            f"{code}@{path}",
            codec.dump_value(old),
            codec.dump_value(existing.justification),
        )


def withdraw_acknowledgement(*, ws: Workspace, entity_id: str, year: int, code: str, path: str) -> None:
    with ws.unit_of_work() as uow:
        existing = _ack_record(uow.session, entity_id, year, code, path)
        if existing is not None:
            uow.audit(
                "ack.set",
                f"acknowledgements:{entity_id}:{year}",
                f"{code}@{path}",
                codec.dump_value(existing.justification),
                codec.dump_value(None),
            )
            uow.session.delete(existing)


def set_override(*, ws: Workspace, entity_id: str, year: int, key: str, value: Any, reason: str) -> None:
    """Replace a parameter-pack value for one entity and year; checked against the pack before it is kept."""
    entity_guideline = get_entity(ws=ws, entity_id=entity_id).guideline
    guideline(entity_guideline).pack(year).with_overrides([ParameterOverride(key, value, reason)])
    with ws.unit_of_work() as uow:
        existing = _override_record(uow.session, entity_id, year, key)
        old = existing.value_json if existing else None
        if existing is None:
            existing = OverrideRecord(
                workspace_id=ws.id,
                entity_id=entity_id,
                data_year=year,
                key=key,
                value_json="",
                reason="",
                by="",
                at=utcnow(),
            )
            uow.session.add(existing)
        existing.value_json, existing.reason = codec.dump_value(value), reason.strip()
        existing.by, existing.at = ws.app_user, utcnow()
        uow.audit(
            "override.set", f"parameter_overrides:{entity_id}:{year}", key, old, existing.value_json, reason.strip()
        )


def clear_override(*, ws: Workspace, entity_id: str, year: int, key: str, reason: str = "") -> None:
    with ws.unit_of_work() as uow:
        existing = _override_record(uow.session, entity_id, year, key)
        if existing is not None:
            uow.audit("override.set", f"parameter_overrides:{entity_id}:{year}", key, existing.value_json, None, reason)
            uow.session.delete(existing)


# ------------------------------------------------------------------------------------------ evidence


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def evidence_path(ws: Workspace, sha256: str, file_name: str = "") -> Path:
    """Where a stored file lives: under its SHA-256, with the extension of its name (.pdf, .jpg, ...), so
    that it opens with the right program.  A file stored without one (before 0.1.1) is renamed the first
    time it is asked for; where that cannot be done (a read-only workspace) its old name is used."""
    folder = ws.evidence_dir / sha256[:2]
    suffix = _SUFFIX.search(file_name)
    named = folder / (sha256 + (suffix.group(0).lower() if suffix else ""))
    legacy = folder / sha256
    if named != legacy and not named.exists() and legacy.exists():
        try:
            os.replace(legacy, named)
        except OSError:
            return legacy
    return named


def evidence_file(*, ws: Workspace, sha256: str) -> Path:
    """The stored file of one piece of evidence, to open it (the window's list knows only its hash)."""
    with ws.read() as session:
        name = session.execute(select(Evidence.file_name).where(Evidence.sha256 == sha256)).scalar_one_or_none()
    if name is None:
        raise StorageError("STO-E008", what=sha256[:12])
    return evidence_path(ws, sha256, name)


def _sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _evidence_info(session: Session, ev: Evidence) -> EvidenceInfo:
    rows = session.execute(
        select(Unit.code, MonthVersion.data_year, MonthVersion.month, EvidenceLink.field_path)
        .join(MonthVersion, MonthVersion.id == EvidenceLink.month_version_id)
        .join(Unit, Unit.id == MonthVersion.unit_id)
        .where(EvidenceLink.evidence_id == ev.id)
        .order_by(MonthVersion.data_year, MonthVersion.month)
    ).all()
    lab = {k: getattr(ev, k) for k in LAB_FIELDS if getattr(ev, k) is not None}
    return EvidenceInfo(
        ev.id,
        ev.sha256,
        ev.kind,
        ev.file_name,
        ev.size,
        ev.stored,
        lab,
        tuple(dict.fromkeys((r[0], r[1], r[2], r[3]) for r in rows)),
    )


def attach_evidence(
    *,
    ws: Workspace,
    file: Path,
    kind: str,
    links: Sequence[tuple[str, int, int, str]],
    lab: Mapping[str, Value] | None = None,
) -> EvidenceInfo:
    """Copy a scan into the workspace under its SHA-256 and link it to the values it proves.

    ``links`` are (unit id, data year, month, field path).  Lab-report metadata is stored with the file
    and, where the linked fuel row has none yet, filled into its lab fields.  Refused for months that
    are not drafts.
    """
    file = Path(file)
    try:
        sha, size = _sha256_of(file)
    except OSError as exc:
        raise StorageError("STO-E009", what=str(file), detail=exc.strerror or str(exc)) from exc
    with ws.read() as session:  # the same content stored before keeps the name it was stored under
        known = session.execute(select(Evidence.file_name).where(Evidence.sha256 == sha)).scalar_one_or_none()
    target = evidence_path(ws, sha, known or file.name)
    if not target.exists():
        copy_file_atomically(file, target)  # before the transaction: a rollback leaves at most an orphan copy
    lab = dict(lab or {})
    with ws.unit_of_work() as uow:
        evidence = uow.session.execute(select(Evidence).where(Evidence.sha256 == sha)).scalar_one_or_none()
        if evidence is None:
            evidence = Evidence(
                workspace_id=ws.id,
                sha256=sha,
                kind=kind,
                file_name=file.name,
                size=size,
                stored=True,
                added_at=utcnow(),
                added_by=ws.app_user,
            )
            uow.session.add(evidence)
            uow.audit("evidence.attach", f"evidence:{sha}", new=json.dumps({"kind": kind, "file": file.name}))
        evidence.stored = True
        for key in LAB_FIELDS:
            if key in lab:
                setattr(evidence, key, lab[key])
        uow.session.flush()
        for unit_id, year, month, path in links:
            unit = _get(uow.session, Unit, unit_id, "unit")
            form = guideline(unit.entity.guideline).form
            mv = _current(uow.session, unit_id, year, month) or _new_version(uow, unit, year, month)
            _refuse_unless_draft(mv, unit)
            uow.session.add(
                EvidenceLink(workspace_id=ws.id, evidence_id=evidence.id, month_version_id=mv.id, field_path=path)
            )
            uow.audit("evidence.link", f"month_versions:{mv.id}", path, None, json.dumps(sha))
            row = re.match(r"^fuels\[(\d+)\]", path)
            if row and lab:
                index = int(row.group(1))
                fuels = [codec.loads(f.values_json) for f in mv.fuels]
                current = fuels[index] if index < len(fuels) else {}
                fill = {f"fuels[{index}].{k}": v for k, v in lab.items() if k in LAB_FIELDS and current.get(k) is None}
                _write_changes(uow, form, mv, fill, reason="lab report metadata")
        uow.session.flush()
        return _evidence_info(uow.session, evidence)


def list_evidence(*, ws: Workspace) -> tuple[EvidenceInfo, ...]:
    with ws.read() as session:
        return tuple(
            _evidence_info(session, e) for e in session.execute(select(Evidence).order_by(Evidence.added_at)).scalars()
        )


def verify_evidence(*, ws: Workspace) -> tuple[EvidenceCheck, ...]:
    """Every stored file must still be there with the hash it was stored under."""
    out: list[EvidenceCheck] = []
    for info in list_evidence(ws=ws):
        if not info.stored:
            out.append(EvidenceCheck(info, "not_stored"))
            continue
        path = evidence_path(ws, info.sha256, info.file_name)
        if not path.is_file():
            out.append(EvidenceCheck(info, "missing"))
            continue
        out.append(EvidenceCheck(info, "ok" if _sha256_of(path)[0] == info.sha256 else "changed"))
    return tuple(out)


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
        evidence_by_sha = {e.sha256: e for e in s.execute(select(Evidence)).scalars()}
        entity = s.execute(select(Entity).where(Entity.uscc == uscc.normalized)).scalar_one_or_none()
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
        units_by_code = {u.code: u for u in s.execute(select(Unit).where(Unit.entity_id == entity.id)).scalars()}
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
                same = (
                    codec.loads(mv.values_json) == dict(month.values)
                    and [codec.loads(f.values_json) for f in mv.fuels] == [dict(f.values) for f in month.fuels]
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
            for month in record.months:
                if (record.unit_id, month.month) in unchanged:
                    continue  # closed, and given exactly as stored
                mv = _current(s, unit.id, report.data_year, month.month) or _new_version(
                    uow, unit, report.data_year, month.month
                )
                stored = _stored(mv, unit.code, [])
                wanted: dict[str, Value] = {k: month.values.get(k) for k in set(stored.values) | set(month.values)}
                for i in range(max(len(stored.fuels), len(month.fuels))):
                    row = month.fuels[i].values if i < len(month.fuels) else {}
                    if i < len(month.fuels):
                        keys = set(row) | (set(stored.fuels[i]) if i < len(stored.fuels) else set())
                        wanted.update({f"fuels[{i}].{k}": row.get(k) for k in keys})
                extra_rows = range(len(month.fuels), len(stored.fuels))
                changes += len(_write_changes(uow, form, mv, wanted, extra_rows, reason))
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
    existing = {
        (link.evidence_id, link.field_path)
        for link in s.execute(select(EvidenceLink).where(EvidenceLink.month_version_id == mv.id)).scalars()
    }
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


# --------------------------------------------------------------------------------------------- audit


def audit_head(*, ws: Workspace) -> tuple[int, str]:
    """(entries, hash of the last) of the audit chain as it stands."""
    with ws.read() as session:
        info = session.execute(select(WorkspaceInfo)).scalar_one()
        return int(info.audit_count), str(info.audit_head)


def verify_audit(
    *,
    ws: Workspace,
    anchors: Iterable[tuple[int, str, str]] = (),
    trusted: Sequence[x509.Certificate] = (),
) -> AuditCheck:
    """The chain must be intact, and replaying it must give exactly the data in the tables.

    The second part catches an edit made outside the app to the data itself (not only to the log).
    ``anchors``: (entries, head hash, where from) recorded in signed packages -- someone who has the file can
    rewrite the chain and recompute every hash, but cannot re-sign a package: an anchor that no longer
    matches the entry it names shows that the history before it was rewritten.  The same holds for the
    signed checkpoints kept in the workspace (``services.checkpoints``); ``trusted``: the certificates
    whose signatures on them count.
    """
    from desktop.services import checkpoints  # noqa: PLC0415 - loads cryptography

    problems: list[str] = []
    heads: list[str] = []
    status_entries: list[int] = []
    wanted = {int(n): (h, where) for n, h, where in anchors}
    with ws.read() as session:
        info = session.execute(select(WorkspaceInfo)).scalar_one()
        prev = GENESIS
        count = 0
        state: dict[str, dict[str, Any]] = {}
        for record in session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars():
            count += 1
            if record.prev_hash != prev:
                problems.append(f"audit entry {record.seq}: chain broken (an entry before it was removed or changed)")
            if entry_hash(record.prev_hash, entry_fields(record)) != record.hash:
                problems.append(f"audit entry {record.seq}: content does not match its hash (edited outside the app)")
            prev = record.hash
            heads.append(record.hash)
            if record.action in checkpoints.STATUS_ACTIONS or (
                record.action == "month.create" and json.loads(record.new_value or "{}").get("version", 1) > 1
            ):
                status_entries.append(count)
            if (
                record.action == "month.set"
                and record.field != "deposited_on"  # set when the month is locked
                and state.get(record.target, {}).get("status") == "locked"
            ):
                problems.append(
                    f"audit entry {record.seq}: changes a locked month (locked months change only by amendment)"
                )
            if count in wanted and wanted[count][0] != record.hash:
                problems.append(
                    f"audit entry {count}: differs from the head signed in {wanted[count][1]} (history rewritten)"
                )
            _replay(state, record)
        for n, (_h, where) in wanted.items():
            if n > count:
                problems.append(f"{where} anchors {n} audit entries, the log has {count}: entries were removed")
        if info.audit_head != prev or info.audit_count != count:
            problems.append(
                f"audit log ends at entry {count} but the workspace recorded {info.audit_count}: entries were removed"
            )
        problems += _compare_replay(session, state)
        found, states = checkpoints.check(
            session, workspace_id=info.id, heads=heads, status_entries=status_entries, trusted=trusted
        )
        problems += found
    return AuditCheck(count, tuple(problems), states)


def _replay(state: dict[str, dict[str, Any]], record: AuditRecord) -> None:
    target = record.target
    if record.action in ("entity.create", "unit.create"):
        state[target] = {"values": json.loads(record.new_value or "{}")}
    elif record.action == "month.create":
        snap = json.loads(record.new_value or "{}")
        state[target] = {
            "values": snap.get("values", {}),
            "fuels": snap.get("fuels", []),
            "status": snap.get("status"),
            "deposited_on": snap.get("deposited_on"),
        }
    elif record.action == "year.create":
        state.setdefault(target, {"values": {}})
    elif record.action == "year.set" and target not in state:
        state[target] = {"values": {}}
        _replay(state, record)
    elif record.action in ("entity.set", "unit.set", "month.set", "year.set") and target in state:
        st = state[target]
        new = json.loads(record.new_value) if record.new_value is not None else None
        field = record.field
        if field.startswith("values."):
            key = field[7:]
            if new is None:
                st["values"].pop(key, None)
            else:
                st["values"][key] = new
        elif field == "fuels":
            st["fuels"] = new or []
        elif field == "deposited_on":
            st["deposited_on"] = new.get("$date") if isinstance(new, dict) else new
        else:
            match = _FUEL_PATH.match(field)
            if match:
                index, key = int(match.group(1)), match.group(2)
                while len(st["fuels"]) <= index:
                    st["fuels"].append({})
                if new is None:
                    st["fuels"][index].pop(key, None)
                else:
                    st["fuels"][index][key] = new
    elif record.action == "month.status" and target in state:
        state[target]["status"] = json.loads(record.new_value or "null")
    elif record.action in ("override.set", "ack.set"):
        bucket = state.setdefault(target, {})
        bucket[record.field] = record.new_value


def _compare_replay(session: Session, state: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for entity in session.execute(select(Entity)).scalars():
        if state.get(f"entities:{entity.id}", {}).get("values") != json.loads(entity.values_json):
            problems.append(f"entity {entity.uscc}: values differ from the audit trail (edited outside the app)")
    for unit in session.execute(select(Unit)).scalars():
        if state.get(f"units:{unit.id}", {}).get("values") != json.loads(unit.values_json):
            problems.append(f"unit {unit.code}: values differ from the audit trail (edited outside the app)")
    codes = dict(session.execute(select(Unit.id, Unit.code)).all())
    for mv in session.execute(select(MonthVersion).options(selectinload(MonthVersion.fuels))).scalars():
        st = state.get(f"month_versions:{mv.id}")
        where = f"unit {codes.get(mv.unit_id, mv.unit_id[:8])} {mv.data_year}-{mv.month:02d} v{mv.version}"
        if st is None:
            problems.append(f"{where}: not in the audit trail (inserted outside the app)")
            continue
        fuels = [json.loads(f.values_json) for f in mv.fuels]
        deposited = mv.deposited_on.isoformat() if mv.deposited_on else None
        if st["values"] != json.loads(mv.values_json) or st["fuels"] != fuels:
            problems.append(f"{where}: values differ from the audit trail (edited outside the app)")
        if st["status"] != mv.status:
            problems.append(f"{where}: status {mv.status} differs from the audit trail ({st['status']})")
        if st.get("deposited_on") != deposited:
            problems.append(f"{where}: deposit date differs from the audit trail")
    for row in session.execute(select(EntityYear)).scalars():
        recorded = state.get(f"entity_years:{row.entity_id}:{row.data_year}", {}).get("values", {})
        if recorded != json.loads(row.values_json):
            problems.append(f"year {row.data_year}: year items differ from the audit trail (edited outside the app)")
    for ov in session.execute(select(OverrideRecord)).scalars():
        if state.get(f"parameter_overrides:{ov.entity_id}:{ov.data_year}", {}).get(ov.key) != ov.value_json:
            problems.append(f"parameter override {ov.key}: differs from the audit trail")
    for ack in session.execute(select(AcknowledgementRecord)).scalars():
        recorded = state.get(f"acknowledgements:{ack.entity_id}:{ack.data_year}", {}).get(f"{ack.code}@{ack.path}")
        if recorded != codec.dump_value(ack.justification):
            problems.append(f"acknowledgement {ack.code}@{ack.path}: differs from the audit trail")
    return problems
