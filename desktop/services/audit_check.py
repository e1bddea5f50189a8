"""The audit trail checked: the chain, its replay against the data, the signed checkpoints and the
packages that anchored it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.domain.paths import MonthPath
from desktop.domain.stored import (
    AuditCheck,
)
from desktop.storage import codec, queries
from desktop.storage.models import (
    AuditRecord,
)
from desktop.storage.queries import Session
from desktop.storage.workspace import (
    GENESIS,
    Workspace,
    entry_fields,
    entry_hash,
)

if TYPE_CHECKING:  # signing loads cryptography: only when a checkpoint is signed or checked
    from cryptography import x509


# --------------------------------------------------------------------------------------------- audit


def audit_head(*, ws: Workspace) -> tuple[int, str]:
    """(entries, hash of the last) of the audit chain as it stands."""
    with ws.read() as session:
        info = queries.workspace_info(session)
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
        info = queries.workspace_info(session)
        prev = GENESIS
        count = 0
        state: dict[str, dict[str, Any]] = {}
        for record in queries.audit_entries(session):
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
        rows = snap["rows"] if "rows" in snap else {"fuels": snap.get("fuels", [])}  # 0001-0004: fuels only
        state[target] = {
            "values": snap.get("values", {}),
            "rows": {kind: list(table) for kind, table in rows.items()},
            "status": snap.get("status"),
            "deposited_on": snap.get("deposited_on"),
        }
    elif record.action == "year.create":
        state.setdefault(target, {"values": {}})
    elif (record.action == "year.set" and target not in state) or (
        record.action == "unit_year.set" and target not in state
    ):
        state[target] = {"values": {}}
        _replay(state, record)
    elif record.action in ("entity.set", "unit.set", "month.set", "year.set", "unit_year.set") and target in state:
        st = state[target]
        new = json.loads(record.new_value) if record.new_value is not None else None
        field = record.field
        if field.startswith("values."):
            key = field[7:]
            if new is None:
                st["values"].pop(key, None)
            else:
                st["values"][key] = new
        elif field == "deposited_on":
            st["deposited_on"] = new.get("$date") if isinstance(new, dict) else new
        elif (where := MonthPath.parse(field)) is not None and "rows" in st:
            if where.rows is None:  # a whole table replaced (rows removed): the field is the row kind
                st["rows"][field] = new or []
            elif where.field is not None and where.row is not None:
                table = st["rows"].setdefault(where.rows, [])
                while len(table) <= where.row:
                    table.append({})
                if new is None:
                    table[where.row].pop(where.field, None)
                else:
                    table[where.row][where.field] = new
    elif record.action == "month.status" and target in state:
        state[target]["status"] = json.loads(record.new_value or "null")
    elif record.action in ("override.set", "ack.set"):
        bucket = state.setdefault(target, {})
        bucket[record.field] = record.new_value


def _compare_replay(session: Session, state: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for entity in queries.all_entities(session):
        if state.get(f"entities:{entity.id}", {}).get("values") != json.loads(entity.values_json):
            problems.append(f"entity {entity.uscc}: values differ from the audit trail (edited outside the app)")
    for unit in queries.all_units(session):
        if state.get(f"units:{unit.id}", {}).get("values") != json.loads(unit.values_json):
            problems.append(f"unit {unit.code}: values differ from the audit trail (edited outside the app)")
    codes = queries.unit_codes(session)
    for mv in queries.all_months_with_rows(session):
        st = state.get(f"month_versions:{mv.id}")
        where = f"unit {codes.get(mv.unit_id, mv.unit_id[:8])} {mv.data_year}-{mv.month:02d} v{mv.version}"
        if st is None:
            problems.append(f"{where}: not in the audit trail (inserted outside the app)")
            continue
        rows: dict[str, list[Any]] = {}
        for record in mv.rows:
            rows.setdefault(record.kind, []).append(json.loads(record.values_json))
        replayed = {kind: table for kind, table in st["rows"].items() if table}
        deposited = mv.deposited_on.isoformat() if mv.deposited_on else None
        if st["values"] != json.loads(mv.values_json) or replayed != rows:
            problems.append(f"{where}: values differ from the audit trail (edited outside the app)")
        if st["status"] != mv.status:
            problems.append(f"{where}: status {mv.status} differs from the audit trail ({st['status']})")
        if st.get("deposited_on") != deposited:
            problems.append(f"{where}: deposit date differs from the audit trail")
    for row in queries.all_entity_years(session):
        recorded = state.get(f"entity_years:{row.entity_id}:{row.data_year}", {}).get("values", {})
        if recorded != json.loads(row.values_json):
            problems.append(f"year {row.data_year}: year items differ from the audit trail (edited outside the app)")
    for unit_year in queries.all_unit_years(session):
        recorded = state.get(f"unit_years:{unit_year.unit_id}:{unit_year.data_year}", {}).get("values", {})
        if recorded != json.loads(unit_year.values_json):
            code = codes.get(unit_year.unit_id, unit_year.unit_id[:8])
            problems.append(f"unit {code} {unit_year.data_year}: year items differ from the audit trail")
    for ov in queries.all_overrides(session):
        if state.get(f"parameter_overrides:{ov.entity_id}:{ov.data_year}", {}).get(ov.key) != ov.value_json:
            problems.append(f"parameter override {ov.key}: differs from the audit trail")
    for ack in queries.all_acknowledgements(session):
        recorded = state.get(f"acknowledgements:{ack.entity_id}:{ack.data_year}", {}).get(f"{ack.code}@{ack.path}")
        if recorded != codec.dump_value(ack.justification):
            problems.append(f"acknowledgement {ack.code}@{ack.path}: differs from the audit trail")
    return problems
