"""The workspace's queries, named by what they find: the one place that composes SQL.

The services ask for "the current version of a month", "the links of these month versions", "a year's
rows in chunks" and write through the ORM objects these return; they never build a statement.  Keeping
the SQL here keeps it portable (SQLite and PostgreSQL run the same suite) and reviewable in one file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desktop.storage.models import (
    AcknowledgementRecord,
    AuditCheckpoint,
    AuditRecord,
    Entity,
    EntityYear,
    Evidence,
    EvidenceLink,
    MonthRowRecord,
    MonthVersion,
    OverrideRecord,
    Unit,
    UnitYear,
    WorkspaceInfo,
)

CHUNK = 400  # rows fetched at a time: other threads (the GUI) get the interpreter lock in between


def chunked(session: Session, statement: Any) -> Iterator[Any]:
    """Rows in chunks, so that a long read never holds the interpreter lock for long."""
    result = session.execute(statement, execution_options={"yield_per": CHUNK})
    for partition in result.partitions(CHUNK):
        yield from partition


# ------------------------------------------------------------------------------------ entities and units


def entity_with_units(session: Session, entity_id: str) -> Entity | None:
    return session.execute(
        select(Entity).where(Entity.id == entity_id).options(selectinload(Entity.units))
    ).scalar_one_or_none()


def entities_with_units(session: Session) -> Sequence[Entity]:
    return session.execute(select(Entity).options(selectinload(Entity.units)).order_by(Entity.name)).scalars().all()


def all_entities(session: Session) -> Sequence[Entity]:
    return session.execute(select(Entity)).scalars().all()


def uscc_taken(session: Session, uscc: str) -> bool:
    return session.execute(select(Entity.id).where(Entity.uscc == uscc)).first() is not None


def unit_code_taken(session: Session, entity_id: str, code: str) -> bool:
    return session.execute(select(Unit.id).where(Unit.entity_id == entity_id, Unit.code == code)).first() is not None


def unit_count(session: Session, entity_id: str) -> int:
    return int(session.execute(select(func.count(Unit.id)).where(Unit.entity_id == entity_id)).scalar_one())


def all_units(session: Session) -> Sequence[Unit]:
    return session.execute(select(Unit)).scalars().all()


def unit_codes(session: Session) -> dict[str, str]:
    return {str(uid): str(code) for uid, code in session.execute(select(Unit.id, Unit.code)).all()}


# ------------------------------------------------------------------------------------- years of an entity


def entity_year(session: Session, entity_id: str, year: int) -> EntityYear | None:
    return session.execute(
        select(EntityYear).where(EntityYear.entity_id == entity_id, EntityYear.data_year == year)
    ).scalar_one_or_none()


def all_entity_years(session: Session) -> Sequence[EntityYear]:
    return session.execute(select(EntityYear)).scalars().all()


def unit_year(session: Session, unit_id: str, year: int) -> UnitYear | None:
    return session.execute(
        select(UnitYear).where(UnitYear.unit_id == unit_id, UnitYear.data_year == year)
    ).scalar_one_or_none()


def unit_years(session: Session, unit_ids: Sequence[str], year: int) -> Sequence[UnitYear]:
    return (
        session.execute(select(UnitYear).where(UnitYear.unit_id.in_(list(unit_ids)), UnitYear.data_year == year))
        .scalars()
        .all()
    )


def all_unit_years(session: Session) -> Sequence[UnitYear]:
    return session.execute(select(UnitYear)).scalars().all()


def data_years(session: Session, entity_id: str) -> set[int]:
    """The years with months stored, and those added to the entity (or with year items)."""
    months = session.execute(
        select(MonthVersion.data_year)
        .join(Unit, Unit.id == MonthVersion.unit_id)
        .where(Unit.entity_id == entity_id)
        .distinct()
    ).scalars()
    added = session.execute(select(EntityYear.data_year).where(EntityYear.entity_id == entity_id)).scalars()
    return {*months, *added}


# ------------------------------------------------------------------------------------------------ months


def _month(unit_id: str, year: int, month: int) -> Any:
    return select(MonthVersion).where(
        MonthVersion.unit_id == unit_id, MonthVersion.data_year == year, MonthVersion.month == month
    )


def current_month(session: Session, unit_id: str, year: int, month: int) -> MonthVersion | None:
    """The latest version of a unit's month (the one shown and edited)."""
    return session.execute(
        _month(unit_id, year, month).order_by(MonthVersion.version.desc()).limit(1)
    ).scalar_one_or_none()


def month_version(session: Session, unit_id: str, year: int, month: int, version: int) -> MonthVersion | None:
    return session.execute(_month(unit_id, year, month).where(MonthVersion.version == version)).scalar_one_or_none()


def month_versions(session: Session, unit_id: str, year: int, month: int) -> Sequence[MonthVersion]:
    return session.execute(_month(unit_id, year, month).order_by(MonthVersion.version)).scalars().all()


def all_months_with_rows(session: Session) -> Sequence[MonthVersion]:
    return session.execute(select(MonthVersion).options(selectinload(MonthVersion.rows))).scalars().all()


def year_month_rows(session: Session, unit_ids: Sequence[str], year: int) -> Iterator[Any]:
    """Every version of the units' months of a year, as plain rows (no ORM objects), in chunks."""
    mv = MonthVersion.__table__.c
    return chunked(
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
        ).where(mv.unit_id.in_(list(unit_ids)), mv.data_year == year),
    )


def year_month_statuses(session: Session, unit_ids: Sequence[str], year: int) -> Sequence[Any]:
    """(unit id, month, version, status) of every version of the units' months of a year."""
    mv = MonthVersion.__table__.c
    return session.execute(
        select(mv.unit_id, mv.month, mv.version, mv.status).where(mv.unit_id.in_(list(unit_ids)), mv.data_year == year)
    ).all()


def _versions_of_year(unit_ids: Sequence[str], year: int) -> Any:
    mv = MonthVersion.__table__.c
    return select(mv.id).where(mv.unit_id.in_(list(unit_ids)), mv.data_year == year)


def year_table_rows(session: Session, unit_ids: Sequence[str], year: int) -> Iterator[Any]:
    """The rows of the months' tables (fuels, raw materials ...) of a year: version id, kind, position, values."""
    fr = MonthRowRecord.__table__.c
    return chunked(
        session,
        select(fr.month_version_id, fr.kind, fr.position, fr.values_json).where(
            fr.month_version_id.in_(_versions_of_year(unit_ids, year))
        ),
    )


PATHS_JOINED_BY = "\x1f"  # the unit separator: never in a place's path (``MonthPath``)


def year_evidence_links(session: Session, unit_ids: Sequence[str], year: int) -> Iterator[Any]:
    """The scans of a year's months, one row per scan and month (the database gathers its links): version id,
    evidence id, kind, file name, hash, and the places it proves joined by ``PATHS_JOINED_BY``."""
    el, ev = EvidenceLink.__table__.c, Evidence.__table__.c
    return chunked(
        session,
        select(
            el.month_version_id,
            ev.id,
            ev.kind,
            ev.file_name,
            ev.sha256,
            func.aggregate_strings(el.field_path, PATHS_JOINED_BY),
        )
        .join(Evidence.__table__, ev.id == el.evidence_id)
        .where(el.month_version_id.in_(_versions_of_year(unit_ids, year)))
        .group_by(el.month_version_id, ev.id, ev.kind, ev.file_name, ev.sha256),
    )


# -------------------------------------------------------------------------------------------- evidence


def links_with_evidence(session: Session, month_version_ids: Sequence[str]) -> Sequence[Any]:
    """(month version id, path, Evidence) of the given versions."""
    if not month_version_ids:
        return []
    return session.execute(
        select(EvidenceLink.month_version_id, EvidenceLink.field_path, Evidence)
        .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
        .where(EvidenceLink.month_version_id.in_(list(month_version_ids)))
    ).all()


def units_of(session: Session, entity_id: str) -> Sequence[Unit]:
    return session.execute(select(Unit).where(Unit.entity_id == entity_id)).scalars().all()


def entity_by_uscc(session: Session, uscc: str) -> Entity | None:
    return session.execute(select(Entity).where(Entity.uscc == uscc)).scalar_one_or_none()


def links_of(session: Session, month_version_id: str) -> Sequence[EvidenceLink]:
    return (
        session.execute(select(EvidenceLink).where(EvidenceLink.month_version_id == month_version_id)).scalars().all()
    )


def evidence_by_hash(session: Session, sha256: str) -> Evidence | None:
    return session.execute(select(Evidence).where(Evidence.sha256 == sha256)).scalar_one_or_none()


def evidence_name(session: Session, sha256: str) -> str | None:
    """The file name a scan was stored under, if it is stored."""
    return session.execute(select(Evidence.file_name).where(Evidence.sha256 == sha256)).scalar_one_or_none()


def all_evidence(session: Session) -> Sequence[Evidence]:
    return session.execute(select(Evidence).order_by(Evidence.added_at)).scalars().all()


def _links() -> Any:
    # in time, then unit and place: one order, whichever query plan the database picks
    return (
        select(EvidenceLink.evidence_id, Unit.code, MonthVersion.data_year, MonthVersion.month, EvidenceLink.field_path)
        .join(MonthVersion, MonthVersion.id == EvidenceLink.month_version_id)
        .join(Unit, Unit.id == MonthVersion.unit_id)
        .order_by(MonthVersion.data_year, MonthVersion.month, Unit.code, EvidenceLink.field_path)
    )


def links_of_evidence(session: Session, evidence_id: str) -> list[tuple[str, int, int, str]]:
    """(unit code, year, month, path) of every month version a scan is linked to."""
    return [tuple(r[1:]) for r in session.execute(_links().where(EvidenceLink.evidence_id == evidence_id))]


def links_of_all_evidence(session: Session) -> dict[str, list[tuple[str, int, int, str]]]:
    """The same for every scan at once (evidence id → its links): one query, not one per scan."""
    out: dict[str, list[tuple[str, int, int, str]]] = {}
    for evidence_id, *link in session.execute(_links()):
        out.setdefault(evidence_id, []).append(tuple(link))  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------------- acknowledgements and overrides


def acknowledgement(session: Session, entity_id: str, year: int, code: str, path: str) -> AcknowledgementRecord | None:
    return session.execute(
        select(AcknowledgementRecord).where(
            AcknowledgementRecord.entity_id == entity_id,
            AcknowledgementRecord.data_year == year,
            AcknowledgementRecord.code == code,
            AcknowledgementRecord.path == path,
        )
    ).scalar_one_or_none()


def acknowledgements(session: Session, entity_id: str, year: int) -> Sequence[AcknowledgementRecord]:
    return (
        session.execute(
            select(AcknowledgementRecord).where(
                AcknowledgementRecord.entity_id == entity_id, AcknowledgementRecord.data_year == year
            )
        )
        .scalars()
        .all()
    )


def all_acknowledgements(session: Session) -> Sequence[AcknowledgementRecord]:
    return session.execute(select(AcknowledgementRecord)).scalars().all()


def override(session: Session, entity_id: str, year: int, key: str) -> OverrideRecord | None:
    return session.execute(
        select(OverrideRecord).where(
            OverrideRecord.entity_id == entity_id, OverrideRecord.data_year == year, OverrideRecord.key == key
        )
    ).scalar_one_or_none()


def overrides(session: Session, entity_id: str, year: int) -> Sequence[OverrideRecord]:
    return (
        session.execute(
            select(OverrideRecord)
            .where(OverrideRecord.entity_id == entity_id, OverrideRecord.data_year == year)
            .order_by(OverrideRecord.key)
        )
        .scalars()
        .all()
    )


def all_overrides(session: Session) -> Sequence[OverrideRecord]:
    return session.execute(select(OverrideRecord)).scalars().all()


# -------------------------------------------------------------------------------------------- audit


def workspace_info(session: Session) -> WorkspaceInfo:
    return session.execute(select(WorkspaceInfo)).scalar_one()


def audit_entries(session: Session) -> Iterator[AuditRecord]:
    return iter(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())


def checkpoints(session: Session) -> Sequence[AuditCheckpoint]:
    return session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).scalars().all()


def last_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).scalar_one_or_none()
