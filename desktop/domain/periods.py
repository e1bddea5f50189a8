"""Calendar rules of the monthly deposit and the state machine of a reporting period."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

DATA_YEAR_MIN = 2013  # the first pilot markets; nothing earlier was ever accounted


def data_year_max(today: date | None = None) -> int:
    """The latest data year that can be entered: the running year's next (plans made ahead)."""
    return (today or date.today()).year + 1


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def hours_in_month(year: int, month: int) -> Decimal:
    return Decimal(calendar.monthrange(year, month)[1] * 24)


def deposit_due(year: int, month: int, days_after_month_end: int) -> date:
    """Due date of a monthly deposit: month end plus N natural days."""
    return month_end(year, month) + timedelta(days=days_after_month_end)


@dataclass(frozen=True)
class DepositRule:
    """When a month's deposit is due: month end + ``days``; in a sector that began monthly deposits in
    ``monthly_from`` (cement and aluminium: July 2025), the earlier months are due at ``backfill_due``."""

    days: int
    monthly_from: date | None = None
    backfill_due: date | None = None

    def due(self, year: int, month: int) -> date:
        if self.monthly_from is not None and self.backfill_due is not None and date(year, month, 1) < self.monthly_from:
            return self.backfill_due
        return deposit_due(year, month, self.days)


def annual_report_due(data_year: int, month: int, day: int) -> date:
    """The annual report for data year Y is due in the following year."""
    return date(data_year + 1, month, day)


class DepositState(Enum):
    """What the navigator shows beside a month."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    DEPOSITED = "deposited"
    LATE = "late"
    NOT_TRACKED = "not_tracked"  # before the workspace's first month, or after the unit's retirement


def month_tracked(year: int, month: int, *, reporting_from: date | None, retired_on: date | None) -> bool:
    """Whether a deposit of this month is owed through this workspace.

    Months before the first month kept here (``reporting_from``, any day of it) and months starting after
    the unit's retirement are not: they are never shown overdue.  The annual report still needs them.
    """
    first = date(year, month, 1)
    if reporting_from is not None and first < date(reporting_from.year, reporting_from.month, 1):
        return False
    return not (retired_on is not None and first > retired_on)


def deposit_state(
    *,
    has_values: bool,
    has_errors: bool,
    deposited_on: date | None,
    due: date,
    today: date,
    tracked: bool = True,
    current_cycle: bool = True,
) -> DepositState:
    """``current_cycle``: the year's annual report is not yet due (an older year's months are history)."""
    if deposited_on is not None:
        return DepositState.DEPOSITED
    if not tracked and not has_values:
        return DepositState.NOT_TRACKED
    if tracked and current_cycle and today > due:
        return DepositState.LATE
    if not has_values:
        return DepositState.NOT_STARTED
    return DepositState.IN_PROGRESS if has_errors else DepositState.READY


class PeriodStatus(Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LOCKED = "locked"


class PeriodTransitionError(ValueError):
    def __init__(self, code: str, current: PeriodStatus, action: str) -> None:
        super().__init__(f"{code}: cannot {action} a {current.value} period")
        self.code = code
        self.current = current
        self.action = action


@dataclass(frozen=True)
class PeriodVersion:
    """One version of a month: amending a locked month makes version n+1 in draft."""

    status: PeriodStatus = PeriodStatus.DRAFT
    version: int = 1
    amendment_reason: str | None = None

    @property
    def writable(self) -> bool:
        return self.status is PeriodStatus.DRAFT

    def submit(self, *, has_errors: bool) -> PeriodVersion:
        if self.status is not PeriodStatus.DRAFT:
            raise PeriodTransitionError("PER-E001", self.status, "submit")
        if has_errors:
            raise PeriodTransitionError("PER-E002", self.status, "submit with errors")
        return PeriodVersion(PeriodStatus.SUBMITTED, self.version, self.amendment_reason)

    def reopen(self) -> PeriodVersion:
        """Take a submitted (not yet locked) month back to draft."""
        if self.status is not PeriodStatus.SUBMITTED:
            raise PeriodTransitionError("PER-E003", self.status, "reopen")
        return PeriodVersion(PeriodStatus.DRAFT, self.version, self.amendment_reason)

    def lock(self) -> PeriodVersion:
        if self.status is not PeriodStatus.SUBMITTED:
            raise PeriodTransitionError("PER-E004", self.status, "lock")
        return PeriodVersion(PeriodStatus.LOCKED, self.version, self.amendment_reason)

    def amend(self, *, reason: str) -> PeriodVersion:
        if self.status is not PeriodStatus.LOCKED:
            raise PeriodTransitionError("PER-E005", self.status, "amend")
        if not reason.strip():
            raise PeriodTransitionError("PER-E006", self.status, "amend without a reason")
        return PeriodVersion(PeriodStatus.DRAFT, self.version + 1, reason.strip())
