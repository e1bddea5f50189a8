"""What the store hands out: plain immutable records, never ORM instances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.domain.findings import Finding
from desktop.domain.periods import PeriodStatus
from desktop.domain.records import EvidenceRef, Value


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
    fuels: tuple[Mapping[str, Value], ...]
    evidence: tuple[EvidenceRef, ...]
    updated_at: datetime

    @property
    def writable(self) -> bool:
        return self.status is PeriodStatus.DRAFT

    def get(self, path: str) -> Value:
        """A value by path: ``generation_mwh`` or ``fuels[0].ncv``."""
        if path.startswith("fuels["):
            index, _, field = path[6:].partition("].")
            i = int(index)
            return self.fuels[i].get(field) if i < len(self.fuels) else None
        return self.values.get(path)


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
