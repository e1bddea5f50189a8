"""The data a carbon officer enters, as plain immutable records.

Records are generic on purpose: the data items of a guideline are declared in ``forms/`` and the
records carry their values by field id.  A value is a ``Decimal``, ``bool``, ``date``, ``str`` or
``None`` (not entered).  Guideline engines read the fields their form declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Union

from desktop.domain.findings import Acknowledgement

Value = Union[Decimal, bool, date, str, None]  # noqa: UP007 - a runtime alias, kept readable


@dataclass(frozen=True)
class EvidenceRef:
    """A scan or PDF that backs values of one month, named by its SHA-256."""

    kind: str
    file_name: str
    sha256: str
    # Paths within the month that the scan backs: a field ("generation_mwh", "fuels[0].c_ad_pct") or a
    # whole fuel row ("fuels[0]").
    proves: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One row of a month's table of a kind the form declares (a fuel burnt, a raw material used, ...)."""

    values: Mapping[str, Value]

    def get(self, field_id: str) -> Value:
        return self.values.get(field_id)


FUELS = "fuels"  # the row kind every guideline has: the fuels burnt


@dataclass(frozen=True)
class MonthRecord:
    month: int
    values: Mapping[str, Value]
    rows: Mapping[str, tuple[Row, ...]] = field(default_factory=dict)  # by row kind (the form's [[row_kinds]])
    evidence: tuple[EvidenceRef, ...] = ()
    deposited_on: date | None = None

    def get(self, field_id: str) -> Value:
        return self.values.get(field_id)

    def rows_of(self, kind: str) -> tuple[Row, ...]:
        return self.rows.get(kind, ())

    @property
    def fuels(self) -> tuple[Row, ...]:
        return self.rows_of(FUELS)


@dataclass(frozen=True)
class UnitRecord:
    values: Mapping[str, Value]
    months: tuple[MonthRecord, ...] = ()
    declared_annual: Mapping[str, Decimal] = field(default_factory=dict)
    year: Mapping[str, Value] = field(default_factory=dict)  # the form's "unit_year" items of this data year

    @property
    def unit_id(self) -> str:
        return str(self.values["id"])

    def get(self, field_id: str) -> Value:
        return self.values.get(field_id)

    def month(self, number: int) -> MonthRecord | None:
        return self._by_month.get(number)

    @cached_property
    def _by_month(self) -> dict[int, MonthRecord]:
        return {m.month: m for m in reversed(self.months)}  # the first of a month wins, as a scan would


@dataclass(frozen=True)
class ParameterOverride:
    """A parameter-pack value replaced by the user; the reason is kept with the figure it changes."""

    key: str
    value: Decimal | str | bool | None
    reason: str
    by: str = ""


@dataclass(frozen=True)
class ReportInput:
    """One entity, its units and one data year: what the engine and the rules take."""

    guideline: str
    data_year: int
    entity: Mapping[str, Value]
    units: tuple[UnitRecord, ...]
    overrides: tuple[ParameterOverride, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    year: Mapping[str, Value] = field(default_factory=dict)  # the form's "year" items of this data year

    def unit(self, unit_id: str) -> UnitRecord | None:
        return self._by_id.get(unit_id)

    @cached_property
    def _by_id(self) -> dict[str, UnitRecord]:
        return {u.unit_id: u for u in reversed(self.units)}
