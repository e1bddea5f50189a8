"""Rules every guideline shares: the form's own checks, the USCC, deadlines and evidence.

They read field definitions from the guideline's form and deadline parameters from its pack
(``deadline.*``), so a new guideline gets them by declaring its form and pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from desktop.domain import uscc
from desktop.domain.findings import FieldRef, Finding, Message
from desktop.domain.periods import annual_report_due, month_end, month_tracked
from desktop.domain.records import MonthRecord, ReportInput
from desktop.formspec import FieldSpec, FormSpec
from desktop.formspec.model import fault_text
from desktop.rules.base import RuleContext, finding, per_unit

USCC_SHAPE = "GEN-E001"
USCC_CHECK = "GEN-W001"
USCC_NORMALISED = "GEN-I001"
MONTH_ABSENT_FROM_REPORT = "GEN-E010"
MONTH_NOT_ENTERED = "GEN-W010"
DEPOSIT_LATE = "DEP-W001"
DEPOSIT_OVERDUE = "DEP-W002"
DEPOSIT_DUE_SOON = "DEP-I001"
ANNUAL_REPORT_DUE_SOON = "DEP-I002"
PACK_OF_ANOTHER_YEAR = "GEN-W020"
STORED_NUMBER_INVALID = "GEN-E020"

MESSAGES: Mapping[str, Message] = {
    STORED_NUMBER_INVALID: Message(
        "“{label_zh}”保存的数值{reason_zh}，计算时按未填写处理：请重新填写",
        '"{label_en}": the stored number {reason_en}; it is treated as not entered: enter it again',
    ),
    PACK_OF_ANOTHER_YEAR: Message(
        "{year} 年度尚无参数包，暂用 {pack_year} 年度参数包（{pack_zh}）计算；主管部门发布新参数后请导入新参数包",
        "no parameter pack for data year {year} yet: calculated with the {pack_year} pack ({pack_en}); "
        "import the new pack when the authorities publish its values",
    ),
    USCC_SHAPE: Message(
        "统一社会信用代码 “{uscc}” 格式不正确：应为18位，只含数字和大写字母（不含 I、O、S、V、Z）",
        'unified social credit code "{uscc}" is malformed: 18 characters, digits and capitals without I, O, S, V, Z',
    ),
    USCC_CHECK: Message(
        "统一社会信用代码 “{uscc}” 校验位应为 “{expected}”；若营业执照确实如此，请填写说明后通过",
        'unified social credit code "{uscc}": check character should be "{expected}"; '
        "if the licence really reads so, pass this with a justification",
    ),
    USCC_NORMALISED: Message(
        "统一社会信用代码已规范化为 “{uscc}”（去除空格、转为大写）",
        'unified social credit code normalised to "{uscc}" (spaces removed, upper case)',
    ),
    MONTH_ABSENT_FROM_REPORT: Message(
        "{unit} 缺少 {month} 月数据，年度报告不完整",
        "{unit} has no data for month {month}: the annual report is incomplete",
    ),
    MONTH_NOT_ENTERED: Message(
        "{unit} 的 {month} 月已结束，尚未录入数据（存证截止 {due}）",
        "{unit}: month {month} has ended and has no data yet (deposit due {due})",
    ),
    DEPOSIT_LATE: Message(
        "{month} 月存证于 {deposited}，晚于截止日 {due}（逾期 {days} 天）",
        "month {month} was deposited on {deposited}, after the due date {due} ({days} days late)",
    ),
    DEPOSIT_OVERDUE: Message(
        "{month} 月存证已逾期：截止日 {due}，已过 {days} 天",
        "month {month} deposit is overdue: due {due}, {days} days ago",
    ),
    DEPOSIT_DUE_SOON: Message(
        "{month} 月存证将于 {due} 截止（还剩 {days} 天）",
        "month {month} deposit is due on {due} ({days} days left)",
    ),
    ANNUAL_REPORT_DUE_SOON: Message(
        "{year} 年度排放报告将于 {due} 截止（还剩 {days} 天）",
        "the {year} annual emission report is due on {due} ({days} days left)",
    ),
}


def _labels(spec: FieldSpec) -> dict[str, str]:
    return {"label_zh": spec.label_zh, "label_en": spec.label_en}


def _check_fields(
    ctx: RuleContext, scope: str, values: Mapping[str, Any], ref: FieldRef, unit: Mapping[str, Any] | None = None
) -> list[Finding]:
    out: list[Finding] = []
    for spec in ctx.form.fields(scope):
        value = values.get(spec.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if ctx.form.is_required(spec, values, unit):
                at = replace(ref, field=spec.id)
                out.append(finding(ctx.form.missing_code, at, spec.clause, **_labels(spec)))
            continue
        if spec.range_code and isinstance(value, Decimal) and not spec.in_range(value):
            at = replace(ref, field=spec.id)
            out.append(
                finding(
                    spec.range_code,
                    at,
                    spec.clause,
                    value=value,
                    min="—" if spec.min is None else spec.min,
                    max="—" if spec.max is None else spec.max,
                    unit=ctx.form.unit_of(spec, values),
                    **_labels(spec),
                )
            )
    return out


@per_unit
def form_fields(ctx: RuleContext) -> list[Finding]:
    """Required fields (also those required only in some cases) and hard ranges, as the form declares."""
    out = _check_fields(ctx, "entity", ctx.report.entity, FieldRef(scope="entity"))
    out += _check_fields(ctx, "year", ctx.report.year, FieldRef(scope="year"))
    for unit in ctx.report.units:
        uid = unit.unit_id
        out += _check_fields(ctx, "unit", unit.values, FieldRef(unit=uid, scope="unit"))
        out += _check_fields(ctx, "unit_year", unit.year, FieldRef(unit=uid, scope="unit_year"), unit.values)
        for record in unit.months:
            out += _check_fields(
                ctx, "month", record.values, FieldRef(unit=uid, month=record.month, scope="month"), unit.values
            )
            for kind in ctx.form.row_kinds:
                for i, row in enumerate(record.rows_of(kind.id)):
                    at = FieldRef(unit=uid, month=record.month, row=i, scope=kind.scope, rows=kind.id)
                    out += _check_fields(ctx, kind.scope, row.values, at, unit.values)
    return out


def uscc_code(ctx: RuleContext) -> list[Finding]:
    raw = ctx.report.entity.get("uscc")
    if not isinstance(raw, str) or not raw.strip():
        return []  # missing is reported by form_fields
    spec = ctx.form.field("entity", "uscc") if any(s.id == "uscc" for s in ctx.form.fields("entity")) else None
    clause = spec.clause if spec else "GB 32100-2015"
    ref = FieldRef(field="uscc", scope="entity")
    result = uscc.check(raw)
    out: list[Finding] = []
    if result.status is uscc.UsccStatus.BAD_SHAPE:
        return [finding(USCC_SHAPE, ref, clause, uscc=raw)]
    if result.changed_by_normalising:
        out.append(finding(USCC_NORMALISED, ref, clause, uscc=result.normalized))
    if result.status is uscc.UsccStatus.BAD_CHECK:
        out.append(finding(USCC_CHECK, ref, clause, uscc=result.normalized, expected=result.expected_check))
    return out


@per_unit
def months_present(ctx: RuleContext) -> list[Finding]:
    """A finished year needs twelve months; in the running year, ended months should be there."""
    year = ctx.report.data_year
    out: list[Finding] = []
    for unit in ctx.report.units:
        have = {m.month for m in unit.months}
        for month in range(1, 13):
            if month in have or month_end(year, month) >= ctx.today:
                continue
            ref = FieldRef(unit=unit.unit_id, month=month, scope="month")
            if ctx.today > date(year, 12, 31):
                out.append(finding(MONTH_ABSENT_FROM_REPORT, ref, unit=unit.unit_id, month=month))
            elif tracked(ctx, unit, month):  # a month not kept here is not expected here yet
                due = ctx.pack.deposit_rule().due(year, month)
                out.append(finding(MONTH_NOT_ENTERED, ref, unit=unit.unit_id, month=month, due=due.isoformat()))
    return out


def tracked(ctx: RuleContext, unit: Any, month: int) -> bool:
    """The month's deposit is owed through this workspace (see ``month_tracked``)."""
    start, retired = ctx.report.entity.get("reporting_from"), unit.get("retired_on")
    return month_tracked(
        ctx.report.data_year,
        month,
        reporting_from=start if isinstance(start, date) else None,
        retired_on=retired if isinstance(retired, date) else None,
    )


@per_unit
def deadlines(ctx: RuleContext) -> list[Finding]:
    """Deposit due dates (month end + N days) and the annual report date.

    Overdue and due-soon reminders apply to the running cycle only (until the annual report date):
    for an older year, a missing deposit date says nothing, but a recorded late deposit still does.
    """
    year = ctx.report.data_year
    rule = ctx.pack.deposit_rule()
    remind = int(ctx.pack.number("deadline.reminder_days"))
    report_due = annual_report_due(
        year, int(ctx.pack.number("deadline.annual_report_month")), int(ctx.pack.number("deadline.annual_report_day"))
    )
    current_cycle = ctx.today <= report_due
    out: list[Finding] = []
    for unit in ctx.report.units:
        for record in unit.months:
            due = rule.due(year, record.month)
            ref = FieldRef(unit=unit.unit_id, month=record.month, field="deposited_on", scope="month")
            if record.deposited_on is not None:
                if record.deposited_on > due:
                    out.append(
                        finding(
                            DEPOSIT_LATE,
                            ref,
                            month=record.month,
                            due=due.isoformat(),
                            deposited=record.deposited_on.isoformat(),
                            days=(record.deposited_on - due).days,
                        )
                    )
            elif not tracked(ctx, unit, record.month):
                continue
            elif current_cycle and ctx.today > due:
                out.append(
                    finding(DEPOSIT_OVERDUE, ref, month=record.month, due=due.isoformat(), days=(ctx.today - due).days)
                )
            elif current_cycle and month_end(year, record.month) < ctx.today <= due <= ctx.today + timedelta(
                days=remind
            ):
                out.append(
                    finding(DEPOSIT_DUE_SOON, ref, month=record.month, due=due.isoformat(), days=(due - ctx.today).days)
                )
    if ctx.today <= report_due <= ctx.today + timedelta(days=remind):
        out.append(
            finding(
                ANNUAL_REPORT_DUE_SOON,
                FieldRef(),
                year=year,
                due=report_due.isoformat(),
                days=(report_due - ctx.today).days,
            )
        )
    return out


def _month_paths(ctx: RuleContext, record: MonthRecord) -> list[tuple[str, FieldSpec, FieldRef | None]]:
    """Every entered value of a month that the form says needs evidence, with its path in the month (and,
    for a value of a row, the row's place)."""
    out: list[tuple[str, FieldSpec, FieldRef | None]] = []
    for spec in ctx.form.fields("month"):
        if spec.evidence and record.get(spec.id) is not None:
            out.append((spec.id, spec, None))
    for kind in ctx.form.row_kinds:
        for i, row in enumerate(record.rows_of(kind.id)):
            for spec in ctx.form.fields(kind.scope):
                value = row.get(spec.id)
                if spec.evidence and value is not None and value is not False:
                    at = FieldRef(row=i, scope=kind.scope, rows=kind.id)
                    out.append((f"{kind.id}[{i}].{spec.id}", spec, at))
    return out


@per_unit
def evidence(ctx: RuleContext) -> list[Finding]:
    """Values whose evidence kind has no attached scan that covers them; one finding per month and kind."""
    out: list[Finding] = []
    for unit in ctx.report.units:
        for record in unit.months:
            covered_by_kind: dict[str, set[str]] = {}
            for ev in record.evidence:
                covered_by_kind.setdefault(ev.kind, set()).update(ev.proves)
            lacking: dict[tuple[str, bool], list[tuple[str, FieldSpec, FieldRef | None]]] = {}
            for path, spec, row in _month_paths(ctx, record):
                covered = covered_by_kind.get(str(spec.evidence), set())
                # a scan proves a field path, or a whole row such as "fuels[0]"
                if path not in covered and path.split(".", 1)[0] not in covered:
                    lacking.setdefault((str(spec.evidence), spec.evidence_blocking), []).append((path, spec, row))
            for (kind_id, blocking), items in lacking.items():
                kind = ctx.form.evidence_kinds[kind_id]
                code = ctx.form.evidence_blocking_code if blocking else ctx.form.evidence_code
                _, first_spec, row = items[0]
                ref = replace(
                    row or FieldRef(scope="month"), unit=unit.unit_id, month=record.month, field=first_spec.id
                )
                out.append(
                    finding(
                        code,
                        ref,
                        first_spec.clause,
                        month=record.month,
                        count=len(items),
                        kind_zh=kind.label_zh,
                        kind_en=kind.label_en,
                        fields_zh="、".join(dict.fromkeys(s.label_zh for _, s, _ in items)),
                        fields_en=", ".join(dict.fromkeys(s.label_en for _, s, _ in items)),
                    )
                )
    return out


def pack_year(ctx: RuleContext) -> list[Finding]:
    if ctx.pack.data_year == ctx.report.data_year:
        return []
    return [
        finding(
            PACK_OF_ANOTHER_YEAR,
            FieldRef(),
            "",
            year=ctx.report.data_year,
            pack_year=ctx.pack.data_year,
            pack=ctx.pack.label,
            pack_zh=ctx.pack.title_zh,
            pack_en=ctx.pack.title_en,
        )
    ]


def stored_number_faults(report: ReportInput, form: FormSpec) -> tuple[ReportInput, list[Finding]]:
    """A report without numbers no field can hold (stored by an older version or edited outside the app).

    Such a value is treated as not entered, and an error finding marks its cell, so that every view,
    report and export keeps working and the user can fix it.
    """
    found: list[Finding] = []

    def clean(scope: str, values: Mapping[str, Any], ref: FieldRef) -> Mapping[str, Any]:
        bad = {}
        for spec in form.fields(scope):
            value = values.get(spec.id)
            fault = spec.number_fault(value) if isinstance(value, Decimal) else None
            if fault is not None:
                bad[spec.id] = fault
                at = replace(ref, field=spec.id)
                found.append(
                    finding(
                        STORED_NUMBER_INVALID,
                        at,
                        spec.clause,
                        reason_zh=fault_text(spec, fault, "zh"),
                        reason_en=fault_text(spec, fault, "en"),
                        **_labels(spec),
                    )
                )
        return values if not bad else {k: v for k, v in values.items() if k not in bad}

    entity = clean("entity", report.entity, FieldRef(scope="entity"))
    year = clean("year", report.year, FieldRef(scope="year"))
    units = []
    for unit in report.units:
        uid = unit.unit_id
        months = []
        for m in unit.months:
            rows = {
                kind.id: tuple(
                    replace(
                        row,
                        values=clean(kind.scope, row.values, FieldRef(uid, m.month, i, None, kind.scope, kind.id)),
                    )
                    for i, row in enumerate(m.rows_of(kind.id))
                )
                for kind in form.row_kinds
            }
            months.append(
                replace(m, values=clean("month", m.values, FieldRef(uid, m.month, None, None, "month")), rows=rows)
            )
        units.append(
            replace(
                unit,
                values=clean("unit", unit.values, FieldRef(uid, None, None, None, "unit")),
                year=clean("unit_year", unit.year, FieldRef(uid, None, None, None, "unit_year")),
                months=tuple(months),
            )
        )
    if not found:
        return report, []
    return replace(report, entity=entity, year=year, units=tuple(units)), found


RULES = (form_fields, uscc_code, months_present, deadlines, evidence, pack_year)
