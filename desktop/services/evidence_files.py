"""Evidence files: stored under their SHA-256 beside the workspace, linked to the values they prove."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.paths import MonthPath
from desktop.domain.records import EvidenceRef, Value
from desktop.domain.stored import (
    EvidenceCheck,
    EvidenceInfo,
)
from desktop.formspec.types import EVIDENCE, Refused
from desktop.services.guidelines import guideline
from desktop.services.store import _current, _get, _new_version, _refuse_unless_draft, _write_changes
from desktop.storage import codec, queries
from desktop.storage.errors import StorageError
from desktop.storage.models import (
    Evidence,
    EvidenceLink,
    Unit,
)
from desktop.storage.queries import Session
from desktop.storage.workspace import (
    Workspace,
    copy_file_atomically,
    utcnow,
)

if TYPE_CHECKING:  # signing loads cryptography: only when a checkpoint is signed or checked
    pass


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
        name = queries.evidence_name(session, sha256)
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


def _evidence_info(
    session: Session, ev: Evidence, rows: Sequence[tuple[str, int, int, str]] | None = None
) -> EvidenceInfo:
    """``rows``: the scan's links when already read (a list of every scan reads them in one query)."""
    rows = queries.links_of_evidence(session, ev.id) if rows is None else rows
    lab = codec.loads(ev.lab_json or "{}")
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

    ``links`` are (unit id, data year, month, field path).  The kind, the places and what a lab report
    says of itself (``lab``, the kind's record as the form declares it) are checked by the evidence type
    first: a wrong one refuses the whole attachment (``STO-E025``).  The record is stored with the file
    and, where the linked row declares those fields and has none yet, filled into it.  Refused for
    months that are not drafts.
    """
    file = Path(file)
    try:
        sha, size = _sha256_of(file)
    except OSError as exc:
        raise StorageError("STO-E009", what=str(file), detail=exc.strerror or str(exc)) from exc
    with ws.read() as session:  # the same content stored before keeps the name it was stored under
        known = queries.evidence_name(session, sha)
        forms = {
            unit_id: guideline(_get(session, Unit, unit_id, "unit").entity.guideline).form for unit_id, *_ in links
        }
    record: dict[str, Value] = {}
    for form in {id(f): f for f in forms.values()}.values():  # each guideline the linked units report under
        places = tuple(p for u, _y, _m, p in links if forms[u] is form)
        try:
            EVIDENCE.check(EvidenceRef(kind, file.name, sha, places), form)
            record = EVIDENCE.check_record(kind, lab or {}, form)
        except Refused as exc:
            raise StorageError("STO-E025", file=file.name, reason_zh=exc.zh, reason_en=exc.en) from None
    target = evidence_path(ws, sha, known or file.name)
    if not target.exists():
        copy_file_atomically(file, target)  # before the transaction: a rollback leaves at most an orphan copy
    with ws.unit_of_work() as uow:
        evidence = queries.evidence_by_hash(uow.session, sha)
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
        recorded = codec.loads(evidence.lab_json or "{}")
        recorded.update(record)
        evidence.lab_json = codec.dumps(recorded)
        uow.session.flush()
        for unit_id, year, month, path in links:
            unit = _get(uow.session, Unit, unit_id, "unit")
            form = forms[unit_id]
            mv = _current(uow.session, unit_id, year, month) or _new_version(uow, unit, year, month)
            _refuse_unless_draft(mv, unit)
            uow.session.add(
                EvidenceLink(workspace_id=ws.id, evidence_id=evidence.id, month_version_id=mv.id, field_path=path)
            )
            uow.audit("evidence.link", f"month_versions:{mv.id}", path, None, json.dumps(sha))
            where = MonthPath.parse(path)
            if where is not None and where.rows is not None and where.row is not None and record:
                # the report's record goes into the fields of that row that the form declares for them
                declared = {s.id for s in form.fields(form.row_kind(where.rows).scope)}
                rows = [codec.loads(r.values_json) for r in mv.rows if r.kind == where.rows]
                current = rows[where.row] if where.row < len(rows) else {}
                fill = {
                    str(MonthPath.of_row(where.rows, where.row, k)): v
                    for k, v in record.items()
                    if k in declared and current.get(k) is None
                }
                _write_changes(uow, form, mv, fill, reason="lab report metadata")
        uow.session.flush()
        return _evidence_info(uow.session, evidence)


def list_evidence(*, ws: Workspace) -> tuple[EvidenceInfo, ...]:
    with ws.read() as session:
        links = queries.links_of_all_evidence(session)
        return tuple(_evidence_info(session, e, links.get(e.id, ())) for e in queries.all_evidence(session))


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
