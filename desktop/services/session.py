"""What a window shows of one entity's data year, computed in one go off the GUI thread.

``year_snapshot`` loads the stored months, calculates and validates the year, and derives every
month's deposit state and due date.  Screens render a snapshot; they never compute.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from desktop.domain.findings import Finding, Severity
from desktop.domain.periods import (
    DepositState,
    annual_report_due,
    deposit_state,
    month_end,
    month_tracked,
)
from desktop.domain.stored import EntitySummary, StoredMonth
from desktop.services import store
from desktop.services.evaluation import Evaluation, evaluate, reevaluate
from desktop.storage.workspace import Workspace


@dataclass(frozen=True)
class MonthState:
    unit_id: str
    unit_code: str
    month: int
    due: date
    state: DepositState
    stored: StoredMonth | None
    errors: int
    warnings: int  # not yet justified

    @property
    def writable(self) -> bool:
        return self.stored is None or self.stored.writable


@dataclass(frozen=True)
class Reminder:
    kind: str  # "deposit_late", "deposit_due", "annual_report"
    due: date
    days: int
    unit_code: str = ""
    month: int = 0


@dataclass(frozen=True)
class YearSnapshot:
    entity: EntitySummary
    year: int
    today: date
    months: Mapping[tuple[str, int], MonthState]  # (unit id, month)
    evaluation: Evaluation
    annual_report_due: date
    stored: Mapping[tuple[str, int], StoredMonth] = field(default_factory=dict)  # (unit id, month), as read

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.evaluation.findings

    def month_state(self, unit_id: str, month: int) -> MonthState:
        return self.months[(unit_id, month)]

    def reminders(self) -> list[Reminder]:
        days = int(self.evaluation.pack.number("deadline.reminder_days"))
        out: list[Reminder] = []
        for state in sorted(self.months.values(), key=lambda s: (s.due, s.unit_code)):
            if state.state is DepositState.LATE:
                out.append(
                    Reminder("deposit_late", state.due, (self.today - state.due).days, state.unit_code, state.month)
                )
            elif state.state not in (DepositState.DEPOSITED, DepositState.NOT_TRACKED) and month_end(
                self.year, state.month
            ) < self.today <= state.due <= self.today + timedelta(days=days):
                out.append(
                    Reminder("deposit_due", state.due, (state.due - self.today).days, state.unit_code, state.month)
                )
        # the annual report's date closes every list of deadlines of the running cycle (and shows alone
        # in its last month)
        soon = self.annual_report_due <= self.today + timedelta(days=max(days, 30))
        if self.today <= self.annual_report_due and (out or soon):
            out.append(Reminder("annual_report", self.annual_report_due, (self.annual_report_due - self.today).days))
        return out


def year_snapshot(
    *,
    ws: Workspace,
    entity_id: str,
    year: int,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    previous: YearSnapshot | None = None,
    changed: Collection[str] = (),
) -> YearSnapshot:
    """The year as the window shows it.  Given the ``previous`` snapshot and the ids of the units ``changed``
    since (by saves of their months), only those units are read and recalculated (``reevaluate``); the
    result is the same as a full snapshot's."""
    today = today or date.today()
    entity = store.get_entity(ws=ws, entity_id=entity_id)
    same_year = previous is not None and previous.year == year and previous.entity.id == entity_id
    if same_year and previous is not None and [u.id for u in previous.entity.units] == [u.id for u in entity.units]:
        fresh, fresh_stored = store.year_data(ws=ws, entity_id=entity_id, year=year, only=set(changed))
        by_code = {u.unit_id: u for u in fresh.units}
        codes = {u.id: u.code for u in entity.units}
        report = replace(
            fresh,
            units=tuple(by_code.get(u.unit_id) or u for u in previous.evaluation.report.units),
        )
        stored = {k: v for k, v in previous.stored.items() if k[0] not in set(changed)}
        stored.update(fresh_stored)
        evaluation = reevaluate(
            previous=previous.evaluation, report=report, changed={codes[u] for u in changed}, today=today
        )
    else:
        report, stored = store.year_data(ws=ws, entity_id=entity_id, year=year)
        evaluation = evaluate(report=report, today=today, progress=progress)
    pack = evaluation.pack
    rule = pack.deposit_rule()
    counts: dict[tuple[str, int], list[int]] = {}
    for f in evaluation.findings:
        if f.ref.unit is not None and f.ref.month is not None:
            c = counts.setdefault((f.ref.unit, f.ref.month), [0, 0])
            if f.severity is Severity.ERROR:
                c[0] += 1
            elif f.severity is Severity.WARNING and f.acknowledged is None:
                c[1] += 1
    report_due = annual_report_due(
        year, int(pack.number("deadline.annual_report_month")), int(pack.number("deadline.annual_report_day"))
    )
    reporting_from = entity.values.get("reporting_from")
    months: dict[tuple[str, int], MonthState] = {}
    dues = {month: rule.due(year, month) for month in range(1, 13)}  # the same for every unit
    current_cycle = today <= report_due
    for unit in entity.units:
        retired_on = unit.values.get("retired_on")
        for month in range(1, 13):
            record = stored.get((unit.id, month))
            due = dues[month]
            errors, warnings = counts.get((unit.code, month), (0, 0))
            has_values = record is not None and (bool(record.values) or any(record.rows.values()))
            deposited = record.deposited_on if record is not None and record.status.value == "locked" else None
            state = deposit_state(
                has_values=has_values,
                has_errors=errors > 0,
                deposited_on=deposited,
                due=due,
                today=today,
                tracked=month_tracked(
                    year,
                    month,
                    reporting_from=reporting_from if isinstance(reporting_from, date) else None,
                    retired_on=retired_on if isinstance(retired_on, date) else None,
                ),
                current_cycle=current_cycle,
            )
            months[(unit.id, month)] = MonthState(unit.id, unit.code, month, due, state, record, errors, warnings)
    return YearSnapshot(entity, year, today, months, evaluation, report_due, stored)
