"""Use-cases on a workspace: entities, units, monthly values and their lifecycle, overrides, the year.

Evidence files are in ``evidence_files``, whole-year imports in ``importer``, the audit check in
``audit_check``; they build on the helpers here (the current month version, a new version, writing
changes with their audit entries).

Every function is keyword-only, runs as one transaction and returns plain domain records.  Writes
to a month that is not a draft are refused here, whoever calls.  Every change is audited (who, when,
field, old value, new value, reason) in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.domain import uscc as uscc_check
from desktop.domain.batch import without_cycle_collection
from desktop.domain.findings import Acknowledgement, Finding, Severity
from desktop.domain.paths import MonthPath
from desktop.domain.periods import (
    DATA_YEAR_MIN,
    PeriodStatus,
    PeriodTransitionError,
    PeriodVersion,
    data_year_max,
)
from desktop.domain.records import (
    EvidenceRef,
    MonthRecord,
    ParameterOverride,
    ReportInput,
    Row,
    UnitRecord,
    Value,
)
from desktop.domain.stored import (
    EntitySummary,
    FieldChange,
    SaveOutcome,
    StoredMonth,
    UnitSummary,
)
from desktop.formspec import FieldSpec, FormSpec
from desktop.formspec.model import fault_text
from desktop.formspec.types import NUMBER_FAULT, Refused, value_type
from desktop.services.evaluation import Evaluation, evaluate
from desktop.services.guidelines import DEFAULT_GUIDELINE, guideline
from desktop.storage import codec, queries
from desktop.storage.errors import StorageError
from desktop.storage.models import (
    AcknowledgementRecord,
    Entity,
    EntityYear,
    Evidence,
    EvidenceLink,
    MonthRowRecord,
    MonthVersion,
    OverrideRecord,
    Unit,
    UnitYear,
)
from desktop.storage.queries import Session
from desktop.storage.workspace import (
    UnitOfWork,
    Workspace,
    utcnow,
)

if TYPE_CHECKING:  # signing loads cryptography: only when a checkpoint is signed or checked
    from desktop.signing.core import Signer

_STATUS_WORDS = {"draft": ("草稿", "a draft"), "submitted": ("已提交", "submitted"), "locked": ("已锁定", "locked")}


# ------------------------------------------------------------------------------------------- values


def _check_value(form: FormSpec, spec: FieldSpec, value: Value) -> Value:
    """The store accepts values of the field's type only (``value_type``); text in a number field is refused
    with the field named."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # an emptied cell clears the value
    kind = value_type(spec)
    try:
        return kind.check(spec, value, form)
    except Refused as exc:
        if exc.reason == NUMBER_FAULT:
            fault = exc.params["fault"]
            raise StorageError(
                "STO-E018",
                label_zh=spec.label_zh,
                label_en=spec.label_en,
                reason_zh=fault_text(spec, fault, "zh"),
                reason_en=fault_text(spec, fault, "en"),
            ) from None
        zh, en = kind.expected()
        raise StorageError(
            "STO-E011", label_zh=spec.label_zh, label_en=spec.label_en, expected_zh=zh, expected_en=en, value=str(value)
        ) from None


def _spec_for_path(form: FormSpec, path: str) -> tuple[FieldSpec, MonthPath]:
    where = MonthPath.parse(path)
    try:
        if where is None or where.field is None:
            raise KeyError(path)
        scope = "month" if where.rows is None else form.row_kind(where.rows).scope
        return form.field(scope, where.field), where
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
    out: dict[str, list[tuple[Evidence, str]]] = {}
    for mv_id, path, evidence in queries.links_with_evidence(session, month_version_ids):
        out.setdefault(mv_id, []).append((evidence, path))
    return out


def _evidence_refs(links: Iterable[tuple[Evidence, str]]) -> tuple[EvidenceRef, ...]:
    by_evidence: dict[str, tuple[Evidence, list[str]]] = {}
    for evidence, path in links:
        by_evidence.setdefault(evidence.id, (evidence, []))[1].append(path)
    return tuple(
        EvidenceRef(ev.kind, ev.file_name, ev.sha256, tuple(sorted(paths)))
        for ev, paths in sorted(by_evidence.values(), key=lambda item: (item[0].file_name, item[0].sha256))
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
        rows=_stored_rows((r.kind, r.values_json) for r in mv.rows),
        evidence=_evidence_refs(links),
        updated_at=mv.updated_at,
    )


def _stored_rows(rows: Iterable[tuple[str, str]]) -> dict[str, tuple[Mapping[str, Value], ...]]:
    """(kind, values JSON) in position order -> the month's tables by kind."""
    out: dict[str, list[Mapping[str, Value]]] = {}
    for kind, values_json in rows:
        out.setdefault(kind, []).append(codec.loads(values_json))
    return {kind: tuple(rows) for kind, rows in out.items()}


def _snapshot_rows(mv: MonthVersion) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for record in mv.rows:
        out.setdefault(record.kind, []).append(json.loads(record.values_json))
    return out


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
            "rows": _snapshot_rows(mv),  # schema 0001-0004 recorded "fuels": [...] instead
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
        if queries.uscc_taken(uow.session, check.normalized):
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
    return queries.entity_year(session, entity_id, year)


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


def _set_unit_year_values(
    uow: UnitOfWork, ws: Workspace, unit: Unit, year: int, changes: Mapping[str, Value], reason: str
) -> list[FieldChange]:
    form = guideline(unit.entity.guideline).form
    row = queries.unit_year(uow.session, unit.id, year)
    if row is None:
        row = UnitYear(workspace_id=ws.id, unit_id=unit.id, data_year=year, values_json="{}", created_at=utcnow())
        uow.session.add(row)
    values = codec.loads(row.values_json)
    out = _apply_values(
        uow, form, "unit_year", f"unit_years:{unit.id}:{year}", values, changes, "unit_year.set", reason
    )
    row.values_json = codec.dumps(values)
    return out


def set_unit_year_values(
    *, ws: Workspace, unit_id: str, year: int, changes: Mapping[str, Value], reason: str = ""
) -> tuple[FieldChange, ...]:
    """A unit's items of one data year (its prior-year verified emissions, ...), audited."""
    with ws.unit_of_work() as uow:
        unit = _get(uow.session, Unit, unit_id, "unit")
        return tuple(_set_unit_year_values(uow, ws, unit, year, changes, reason))


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
        if queries.unit_code_taken(uow.session, entity_id, code):
            raise StorageError("STO-E013", what="unit", value=code)
        position = queries.unit_count(uow.session, entity_id)
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
        entities = queries.entities_with_units(session)
        return tuple(_entity_summary(e) for e in entities)


def get_entity(*, ws: Workspace, entity_id: str) -> EntitySummary:
    with ws.read() as session:
        return _entity_summary(_get(session, Entity, entity_id, "entity"))


# ------------------------------------------------------------------------------------------- months


def _current(session: Session, unit_id: str, year: int, month: int) -> MonthVersion | None:
    return queries.current_month(session, unit_id, year, month)


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
        mv.rows = [
            MonthRowRecord(workspace_id=uow.workspace_id, kind=r.kind, position=r.position, values_json=r.values_json)
            for r in copy_from.rows
        ]
    uow.session.add(mv)
    uow.session.flush()
    if copy_from is not None:  # the evidence keeps proving the same values in the new version
        for link in queries.links_of(uow.session, copy_from.id):
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


def _renumber_row_links(uow: UnitOfWork, mv: MonthVersion, kind: str, removed: list[int]) -> None:
    """Evidence of a removed row goes with it; the rows after it in its table keep theirs under their new index."""
    links = queries.links_of(uow.session, mv.id)
    gone = set(removed)
    moves: list[tuple[int, EvidenceLink, str]] = []
    for link in links:
        where = MonthPath.parse(link.field_path)
        if where is None or where.rows != kind or where.row is None:
            continue
        if where.row in gone:
            uow.session.delete(link)
        elif shift := sum(1 for r in gone if r < where.row):
            moves.append((where.row, link, str(where.moved(where.row - shift))))
    uow.session.flush()  # the removed rows' links first, so no renumbered path meets one of them
    for _index, link, path in sorted(moves, key=lambda m: m[0]):  # lowest first: each new path is free
        link.field_path = path
        uow.session.flush()


def _row_tables(form: FormSpec, mv: MonthVersion) -> dict[str, list[dict[str, Value]]]:
    """The month's rows by kind (every kind the form declares, and any other kind stored)."""
    tables: dict[str, list[dict[str, Value]]] = {kind.id: [] for kind in form.row_kinds}
    for record in mv.rows:
        tables.setdefault(record.kind, []).append(codec.loads(record.values_json))
    return tables


def _write_changes(
    uow: UnitOfWork,
    form: FormSpec,
    mv: MonthVersion,
    changes: Mapping[str, Value],
    reason: str = "",
    remove_rows: Mapping[str, Iterable[int]] | None = None,
) -> list[FieldChange]:
    values = codec.loads(mv.values_json)
    tables = _row_tables(form, mv)
    existing = {kind: len(rows) for kind, rows in tables.items()}
    target = f"month_versions:{mv.id}"
    out: list[FieldChange] = []
    for path, raw in changes.items():
        spec, where = _spec_for_path(form, path)
        value = _check_value(form, spec, raw)
        field = str(where.field)
        if where.rows is None:
            holder = values
        else:
            rows = tables[where.rows]
            index = int(where.row or 0)
            if index > len(rows):
                raise StorageError("STO-E012", path=path)
            if index == len(rows):
                rows.append({})
            holder = rows[index]
        old = holder.get(field)
        if old == value and type(old) is type(value):
            continue
        if value is None:
            holder.pop(field, None)
        else:
            holder[field] = value
        uow.audit(
            "month.set",
            target,
            path if where.rows is not None else f"values.{field}",
            codec.dump_value(old),
            codec.dump_value(value),
            reason,
        )
        out.append(FieldChange(path, old, value))
    # A row emptied of every value (the undo of typing into a new fuel's row) goes with its last value:
    # a hidden empty row would block submission with nothing on screen to fix.
    asked = {kind: set(indices) for kind, indices in (remove_rows or {}).items()}
    for kind, rows in tables.items():
        while len(rows) > existing.get(kind, 0) and not rows[-1]:
            rows.pop()  # a new row that got nothing (only empty values) is never created
        emptied = {i for i, r in enumerate(rows) if not r}
        removed = sorted({i for i in asked.get(kind, ()) if 0 <= i < len(rows)} | emptied, reverse=True)
        if not removed:
            continue
        before = [dict(r) for r in rows]
        for index in removed:
            rows.pop(index)
        uow.audit(
            "month.set",
            target,
            kind,
            json.dumps([json.loads(codec.dumps(r)) for r in before]),
            json.dumps([json.loads(codec.dumps(r)) for r in rows]),
            reason,
        )
        out.append(FieldChange(kind, before, list(rows)))
        _renumber_row_links(uow, mv, kind, removed)
    if not out:
        return out
    mv.values_json = codec.dumps(values)
    by_kind: dict[str, list[MonthRowRecord]] = {}
    for record in mv.rows:
        by_kind.setdefault(record.kind, []).append(record)
    for kind, rows in tables.items():
        records = by_kind.get(kind, [])
        for position, row_values in enumerate(rows):
            if position < len(records):
                records[position].values_json = codec.dumps(row_values)
            else:
                mv.rows.append(
                    MonthRowRecord(
                        workspace_id=uow.workspace_id, kind=kind, position=position, values_json=codec.dumps(row_values)
                    )
                )
        for record in records[len(rows) :]:
            mv.rows.remove(record)
    mv.updated_at = utcnow()
    return out


def save_month(
    *,
    ws: Workspace,
    unit_id: str,
    year: int,
    month: int,
    changes: Mapping[str, Value],
    remove_rows: Mapping[str, Iterable[int]] | None = None,
    reason: str = "",
    today: date | None = None,
    validate: bool = True,
) -> SaveOutcome:
    """Save some values of a month (partial saves are fine); the month's findings come back.

    ``remove_rows``: rows to remove by row kind ({"fuels": [0]}); the rows after them move up.
    """
    with ws.unit_of_work() as uow:
        unit = _get(uow.session, Unit, unit_id, "unit")
        form = guideline(unit.entity.guideline).form
        mv = _current(uow.session, unit_id, year, month) or _new_version(uow, unit, year, month)
        _refuse_unless_draft(mv, unit)
        applied = _write_changes(uow, form, mv, changes, reason, remove_rows)
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
        if version is None:
            mv = queries.current_month(session, unit_id, year, month)
        else:
            mv = queries.month_version(session, unit_id, year, month, version)
        if mv is None:
            return None
        return _stored(mv, unit.code, _links(session, [mv.id]).get(mv.id, []))


def stored_months(*, ws: Workspace, entity_id: str, year: int) -> dict[tuple[str, int], StoredMonth]:
    """The latest version of every stored month of the entity's year, by (unit id, month)."""
    return year_data(ws=ws, entity_id=entity_id, year=year)[1]


def month_statuses(*, ws: Workspace, entity_id: str, year: int) -> dict[tuple[str, int], PeriodStatus]:
    """The status of the latest version of every stored month of the year, by (unit code, month): the
    light read of what is open and what is closed (no values, rows or scans)."""
    with ws.read() as session:
        entity = queries.entity_with_units(session, entity_id)
        if entity is None:
            raise StorageError("STO-E008", what=f"entity {entity_id}")
        codes = {u.id: u.code for u in entity.units}
        latest: dict[tuple[str, int], tuple[int, str]] = {}
        for unit_id, month, version, status in queries.year_month_statuses(session, list(codes), year) if codes else ():
            key = (codes[unit_id], month)
            if key not in latest or version > latest[key][0]:
                latest[key] = (version, status)
        return {key: PeriodStatus(status) for key, (_version, status) in latest.items()}


def month_history(*, ws: Workspace, unit_id: str, year: int, month: int) -> tuple[StoredMonth, ...]:
    with ws.read() as session:
        unit = _get(session, Unit, unit_id, "unit")
        versions = queries.month_versions(session, unit_id, year, month)
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
    for kind in sorted(set(a.rows) | set(b.rows)):
        rows_a, rows_b = a.rows_of(kind), b.rows_of(kind)
        for i in range(max(len(rows_a), len(rows_b))):
            fa = rows_a[i] if i < len(rows_a) else {}
            fb = rows_b[i] if i < len(rows_b) else {}
            for key in sorted(set(fa) | set(fb)):
                if fa.get(key) != fb.get(key):
                    out.append(FieldChange(str(MonthPath.of_row(kind, i, key)), fa.get(key), fb.get(key)))
    if a.deposited_on != b.deposited_on:
        out.append(FieldChange("deposited_on", a.deposited_on, b.deposited_on))
    return tuple(out)


# ------------------------------------------------------------------------------- the year from storage


def _by_file_name(ref: EvidenceRef) -> tuple[str, str]:
    return ref.file_name, ref.sha256


def year_data(
    *, ws: Workspace, entity_id: str, year: int, only: Collection[str] | None = None, with_stored: bool = True
) -> tuple[ReportInput, dict[tuple[str, int], StoredMonth]]:
    """One read of an entity's year: the report the engine takes, and every month as stored (with its
    version, status and dates; ``with_stored=False``: the report only, the months left empty).

    ``only``: the ids of the units to read (the ones a save touched); the report then holds those units.
    Plain column queries read in chunks (no ORM objects): a 200-unit group's year loads quickly and
    without stalling the window.
    """
    with ws.read() as session, without_cycle_collection():
        entity = queries.entity_with_units(session, entity_id)
        if entity is None:
            raise StorageError("STO-E008", what=f"entity {entity_id}")
        codes = {u.id: u.code for u in entity.units if only is None or u.id in only}
        latest: dict[tuple[str, int], Any] = {}
        if codes:
            for row in queries.year_month_rows(session, list(codes), year):
                key = (row.unit_id, row.month)
                if key not in latest or row.version > latest[key].version:
                    latest[key] = row
        wanted = {row.id for row in latest.values()}
        month_rows: dict[str, list[tuple[str, int, str]]] = {}
        links: dict[str, list[EvidenceRef]] = {}
        if wanted:
            for row in queries.year_table_rows(session, list(codes), year):
                if row.month_version_id in wanted:
                    month_rows.setdefault(row.month_version_id, []).append((row.kind, row.position, row.values_json))
            for version_id, _evidence_id, kind, name, sha, paths in queries.year_evidence_links(
                session, list(codes), year
            ):
                if version_id in wanted:
                    ref = EvidenceRef(kind, name, sha, tuple(sorted(paths.split(queries.PATHS_JOINED_BY))))
                    scans = links.get(version_id)
                    if scans is None:
                        links[version_id] = [ref]
                    else:
                        scans.append(ref)
        stored: dict[tuple[str, int], StoredMonth] = {}
        records: dict[str, list[MonthRecord]] = {uid: [] for uid in codes}
        for (uid, month), row in sorted(latest.items(), key=lambda item: item[0][1]):
            tables = _stored_rows((kind, v) for kind, _, v in sorted(month_rows.get(row.id, [])))
            refs = tuple(sorted(links.get(row.id, ()), key=_by_file_name))
            values = codec.loads(row.values_json)
            if with_stored:
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
                    rows=tables,
                    evidence=refs,
                    updated_at=row.updated_at,
                )
            records[uid].append(
                MonthRecord(
                    month=month,
                    values=values,
                    rows={kind: tuple(Row(r) for r in rows) for kind, rows in tables.items()},
                    evidence=refs,
                    deposited_on=row.deposited_on,
                )
            )
        unit_years = {r.unit_id: codec.loads(r.values_json) for r in queries.unit_years(session, list(codes), year)}
        units = tuple(
            UnitRecord(values=codec.loads(u.values_json), months=tuple(records[u.id]), year=unit_years.get(u.id, {}))
            for u in entity.units
            if u.id in codes
        )
        overrides = tuple(
            ParameterOverride(o.key, codec.load_value(o.value_json), o.reason, o.by)
            for o in queries.overrides(session, entity_id, year)
        )
        acks = tuple(
            Acknowledgement(a.code, a.path, a.justification, a.by)
            for a in queries.acknowledgements(session, entity_id, year)
        )
        year_row = _entity_year(session, entity_id, year)
        year_values = codec.loads(year_row.values_json) if year_row is not None else {}
        report = ReportInput(
            entity.guideline, year, codec.loads(entity.values_json), units, overrides, acks, year_values
        )
        return report, stored


def load_report(*, ws: Workspace, entity_id: str, year: int) -> ReportInput:
    """The entity's data year as the engine takes it: the latest version of every month."""
    return year_data(ws=ws, entity_id=entity_id, year=year, with_stored=False)[0]


def years_with_data(*, ws: Workspace, entity_id: str) -> tuple[int, ...]:
    """The data years of the entity: those with months stored, and those added (or with year items)."""
    with ws.read() as session:
        return tuple(sorted(queries.data_years(session, entity_id)))


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
    return queries.acknowledgement(session, entity_id, year, code, path)


def _override_record(session: Session, entity_id: str, year: int, key: str) -> OverrideRecord | None:
    return queries.override(session, entity_id, year, key)


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
