"""The workspace schema (SQLAlchemy 2). Changes to it go through an Alembic migration.

Every record has a UUID and the id of the workspace it was entered in, so a plant laptop's data can
later be merged into the head office's workspace without clashes.  The values of a guideline's data
items are stored as self-describing JSON (see ``codec``), keyed by the form's field ids: a new guideline
or a new data item needs no schema change, and exact decimals survive.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class WorkspaceInfo(Base):
    """One row: who this workspace is, and the head of the audit chain."""

    __tablename__ = "workspace_info"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    audit_count: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))
    os_user: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("name", "os_user", name="uq_users_name_os"),)


class Entity(Base):
    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    guideline: Mapped[str] = mapped_column(String(50))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    units: Mapped[list[Unit]] = relationship(back_populates="entity", order_by="Unit.position")


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    code: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    entity: Mapped[Entity] = relationship(back_populates="units")

    __table_args__ = (UniqueConstraint("entity_id", "code", name="uq_units_entity_code"),)


class EntityYear(Base):
    """The entity's items of one data year as a whole (the form's "year" scope), since schema 0003."""

    __tablename__ = "entity_years"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    data_year: Mapped[int] = mapped_column(Integer)
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("entity_id", "data_year", name="uq_entity_years"),)


class MonthVersion(Base):
    """One version of a unit's month; amending a locked month adds version n+1 and keeps n readable."""

    __tablename__ = "month_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    data_year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    amendment_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    deposited_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # since schema 0002

    rows: Mapped[list[MonthRowRecord]] = relationship(
        back_populates="month_version",
        order_by="(MonthRowRecord.kind, MonthRowRecord.position)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("unit_id", "data_year", "month", "version", name="uq_month_versions"),
        Index("ix_month_versions_unit_year", "unit_id", "data_year"),
    )


class MonthRowRecord(Base):
    """A row of one of a month's tables (since schema 0005): ``kind`` is the form's row kind (fuels, raw
    materials, carbonates ...), ``position`` its place in that table.  Schema 0001–0004 had fuel rows only."""

    __tablename__ = "month_rows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    month_version_id: Mapped[str] = mapped_column(ForeignKey("month_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)
    values_json: Mapped[str] = mapped_column(Text, default="{}")

    month_version: Mapped[MonthVersion] = relationship(back_populates="rows")

    __table_args__ = (Index("ix_month_rows_month", "month_version_id"),)


class UnitYear(Base):
    """A unit's items of one data year (the form's "unit_year" scope), since schema 0005."""

    __tablename__ = "unit_years"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    data_year: Mapped[int] = mapped_column(Integer)
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("unit_id", "data_year", name="uq_unit_years"),)


class Evidence(Base):
    """A scan or PDF copied into the workspace under its SHA-256, with the lab report's metadata."""

    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    file_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    stored: Mapped[bool] = mapped_column(Boolean, default=True)
    # what the lab report says of itself (laboratory, accreditation, report no., dates, QR code), as asked when
    # it was attached, keyed by the form's lab fields; schema 0001-0004 kept seven fixed columns instead
    lab_json: Mapped[str] = mapped_column(Text, default="{}")
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(100), default="")


class EvidenceLink(Base):
    __tablename__ = "evidence_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"))
    month_version_id: Mapped[str] = mapped_column(ForeignKey("month_versions.id", ondelete="CASCADE"))
    field_path: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("evidence_id", "month_version_id", "field_path", name="uq_evidence_links"),
        Index("ix_evidence_links_month", "month_version_id"),
    )


class AcknowledgementRecord(Base):
    __tablename__ = "acknowledgements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    data_year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(200))
    justification: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("entity_id", "data_year", "code", "path", name="uq_acknowledgements"),)


class OverrideRecord(Base):
    __tablename__ = "parameter_overrides"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(String(36))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    data_year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(100))
    value_json: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("entity_id", "data_year", "key", name="uq_parameter_overrides"),)


class AuditRecord(Base):
    """Append-only, hash-chained: hash = SHA-256(previous hash + canonical JSON of this entry)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), default=new_id, unique=True)
    workspace_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime)
    os_user: Mapped[str] = mapped_column(String(100))
    app_user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(100))  # "<table>:<uuid>"
    field: Mapped[str] = mapped_column(String(200), default="")
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_target", "target"),)  # since schema 0002: a record's history


class AuditCheckpoint(Base):
    """Where the audit chain stood at a submit, lock, amend or package (since schema 0004).

    ``payload`` is the canonical JSON that was signed (workspace, number, entries, head hash, time, event,
    hash of the previous checkpoint's payload); ``signature`` a detached CMS signature over it by the
    signer's key, or none when no signer was at hand.  Someone who has the file can rewrite the chain and
    recompute every hash, but cannot sign a checkpoint with the signer's key.
    """

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    workspace_id: Mapped[str] = mapped_column(String(36))
    made_at: Mapped[datetime] = mapped_column(DateTime)
    entries: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    signer_sha256: Mapped[str] = mapped_column(String(64), default="")
