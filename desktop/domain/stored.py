"""What the store hands out: plain immutable records, never ORM instances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.domain.findings import Finding
from desktop.domain.paths import MonthPath
from desktop.domain.periods import PeriodStatus
from desktop.domain.records import FUELS, EvidenceRef, Value


@dataclass(frozen=True)
class UnitSummary:
    id: str
    entity_id: str
    code: str
    values: Mapping[str, Value]


@dataclass(frozen=True)
class EntitySummary:
    id: str
    workspace_id: str
    guideline: str
    uscc: str
    name: str
    values: Mapping[str, Value]
    units: tuple[UnitSummary, ...] = ()


@dataclass(frozen=True)
class StoredMonth:
    id: str
    unit_id: str
    unit_code: str
    data_year: int
    month: int
    version: int
    status: PeriodStatus
    amendment_reason: str | None
    deposited_on: date | None
    values: Mapping[str, Value]
    rows: Mapping[str, tuple[Mapping[str, Value], ...]]  # by row kind (the form's [[row_kinds]] ids)
    evidence: tuple[EvidenceRef, ...]
    updated_at: datetime

    @property
    def writable(self) -> bool:
        return self.status is PeriodStatus.DRAFT

    def rows_of(self, kind: str) -> tuple[Mapping[str, Value], ...]:
        return self.rows.get(kind, ())

    @property
    def fuels(self) -> tuple[Mapping[str, Value], ...]:
        return self.rows_of(FUELS)

    def get(self, path: str) -> Value:
        """A value by path: ``generation_mwh`` or ``fuels[0].ncv``."""
        where = MonthPath.parse(path)
        if where is None or where.field is None:
            return None
        if where.rows is None:
            return self.values.get(where.field)
        rows = self.rows_of(where.rows)
        return rows[where.row].get(where.field) if where.row is not None and where.row < len(rows) else None


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SaveOutcome:
    month: StoredMonth
    changes: tuple[FieldChange, ...]
    findings: tuple[Finding, ...]  # the findings of this unit and month after the save


@dataclass(frozen=True)
class EvidenceInfo:
    id: str
    sha256: str
    kind: str
    file_name: str
    size: int
    stored: bool
    lab: Mapping[str, Value]
    links: tuple[tuple[str, int, int, str], ...]  # (unit code, data year, month, field path)


@dataclass(frozen=True)
class EvidenceCheck:
    evidence: EvidenceInfo
    status: str  # ok | missing | changed | not_stored


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    problems: tuple[str, ...]
    checkpoints: tuple[Any, ...] = ()  # services.checkpoints.CheckpointState, oldest first

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportOutcome:
    entity_id: str
    units: int
    months: int
    changes: int
