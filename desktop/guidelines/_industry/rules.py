"""Checks the 2024 industry guidelines share: fuel lab reports, untested months, pack gaps, compliance.

Each guideline calls ``shared_rules(prefix)`` with its message-code prefix (CEM, ALU) and gets the rules
and their messages; thresholds come from its pack (``lab.*``, ``compliance.*``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from desktop.domain.findings import FieldRef, Finding, Message
from desktop.domain.periods import month_end
from desktop.guidelines._industry.common import DEFAULT_CC, num
from desktop.rules.base import RuleContext, finding, per_unit

CL_CARBON = "核算指南·元素碳含量"
CL_LAB = "核算指南·燃料检测与报告"
CL_PLAUS = "CarbonDesk 合理性检查"
CL_ALLOC = "配额分配方案"
CL_COMPLIANCE = "碳排放权交易管理办法（试行）·配额清缴"

FUELS = "fuels"
Rule = Callable[[RuleContext], list[Finding]]


def shared_messages(p: str) -> dict[str, Message]:
    return {
        f"{p}-E003": Message(
            "已勾选“元素碳已实测”，但未填写收到基元素碳或空干基碳与水分：本月按缺省值计算",
            "carbon is marked as measured but neither the as-received carbon nor the air-dried carbon and "
            "moistures are entered: the month is calculated with the default",
        ),
        f"{p}-E007": Message(
            "收到基全水分 M_ar = {m_ar}% 小于空干基水分 M_ad = {m_ad}%，不可能",
            "total moisture M_ar = {m_ar}% is below air-dried moisture M_ad = {m_ad}%: impossible",
        ),
        f"{p}-E009": Message(
            "检测报告日期顺序错误：应为 样品接收 ≤ 检测 ≤ 报告（{received} / {tested} / {reported}）",
            "lab report dates out of order: need received ≤ tested ≤ reported ({received} / {tested} / {reported})",
        ),
        f"{p}-W011": Message(
            "检测报告日期 {reported} 早于所检月份开始，不可能是该月样品",
            "lab report dated {reported}, before the month began: it cannot test this month's fuel",
        ),
        f"{p}-W012": Message(
            "检测报告日期 {reported} 距月末已 {days} 天（参照发电行业要求：月末后 {limit} 天内出具）",
            "lab report dated {reported}, {days} days after month end (by analogy with the power sector: within "
            "{limit} days)",
        ),
        f"{p}-E012": Message(
            "检测报告日期 {reported} 晚于本月存证日期 {deposited}：存证时报告尚不存在",
            "lab report dated {reported}, after this month was deposited on {deposited}: the report did not exist yet",
        ),
        f"{p}-W015": Message(
            "{month} 月{fuel_zh}元素碳未实测，采用高缺省值计算",
            "month {month}: {fuel_en} carbon not measured; the high default is used",
        ),
        f"{p}-W016": Message(
            "{month} 月“{name}”为自定义燃料（低位发热量缺省值 {ncv}、单位热值含碳量 {cc}、碳氧化率 {of}）：核查时需提供参数来源",
            'month {month}: "{name}" is a custom fuel (default NCV {ncv}, carbon per heat {cc}, oxidation {of}): '
            "the verifier will ask for the source of these values",
        ),
        f"{p}-E014": Message(
            "实际使用 CCER {used} tCO2 超过抵销上限 {cap} tCO2（应清缴配额量的 {percent}%）",
            "CCER used {used} tCO2 exceeds the offset cap {cap} tCO2 ({percent} % of the obligation)",
        ),
        f"{p}-W030": Message(
            "参数包“{pack_zh}”中缺少“{name_zh}”的官方值，无法计算{what_zh}；请填入主管部门公布的数值并注明来源",
            'the pack "{pack_en}" has no official value for "{name_en}", so {what_en} cannot be calculated; '
            "enter the published value with its source",
        ),
        f"{p}-W031": Message(
            "参数“{name_zh}” = {value} {unit} 未经官方确认：请确认，或按主管部门公布值修改并注明来源",
            'parameter "{name_en}" = {value} {unit} is not confirmed: confirm it, or enter the official value with '
            "its source",
        ),
        f"{p}-I001": Message(
            "计算使用了 {count} 个未经证实（U）的参数：{names_zh}",
            "the calculation used {count} unconfirmed (U) parameters: {names_en}",
        ),
        f"{p}-I002": Message(
            "参数“{name_zh}”已由用户修改：{original} → {value}，理由：{reason}",
            'parameter "{name_en}" overridden by the user: {original} → {value}; reason: {reason}',
        ),
        f"{p}-W050": Message(
            "{month} 月“{label_zh}”较上月变化 {change}%（超过 {limit}%），请在“说明”中写明原因",
            'month {month}: "{label_en}" changed {change} % from the previous month (more than {limit} %); '
            "explain it in the note",
        ),
    }


def _row_ref(uid: str, month: int, index: int, field: str, rows: str = FUELS) -> FieldRef:
    return FieldRef(uid, month, index, field, "fuel" if rows == FUELS else "", rows)


def shared_rules(p: str, *, month_change_fields: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The shared rules, their findings coded ``<p>-...``."""

    @per_unit
    def measured_values(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        for unit in ctx.report.units:
            for record in unit.months:
                for i, row in enumerate(record.rows_of(FUELS)):
                    if row.get("carbon_measured") is not True or num(row.get("c_ar_pct")) is not None:
                        continue
                    if any(num(row.get(k)) is None for k in ("c_ad_pct", "m_ad_pct", "m_ar_pct")):
                        out.append(
                            finding(f"{p}-E003", _row_ref(unit.unit_id, record.month, i, "carbon_measured"), CL_CARBON)
                        )
        return out

    @per_unit
    def custom_fuels(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        for unit in ctx.report.units:
            for record in unit.months:
                for i, row in enumerate(record.rows_of(FUELS)):
                    if ctx.form.option_attr("fuel", row.values, "fuel.custom") is not True:
                        continue
                    out.append(
                        finding(
                            f"{p}-W016",
                            _row_ref(unit.unit_id, record.month, i, "custom_source"),
                            CL_CARBON,
                            month=record.month,
                            name=str(row.get("custom_name") or "—"),
                            ncv=row.get("custom_ncv") or "—",
                            cc=row.get("custom_cc") or "—",
                            of=row.get("custom_oxidation") or "—",
                        )
                    )
        return out

    @per_unit
    def moisture_order(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        for unit in ctx.report.units:
            for record in unit.months:
                for i, row in enumerate(record.rows_of(FUELS)):
                    m_ar, m_ad = num(row.get("m_ar_pct")), num(row.get("m_ad_pct"))
                    if m_ar is not None and m_ad is not None and m_ar < m_ad:
                        ref = _row_ref(unit.unit_id, record.month, i, "m_ar_pct")
                        out.append(finding(f"{p}-E007", ref, CL_CARBON, m_ar=m_ar, m_ad=m_ad))
        return out

    @per_unit
    def lab_dates(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        lag = int(ctx.pack.number("lab.report_within_days"))
        year = ctx.report.data_year
        for unit in ctx.report.units:
            for record in unit.months:
                for i, row in enumerate(record.rows_of(FUELS)):
                    received, tested, reported = (
                        row.get(k) for k in ("sample_received_date", "test_date", "report_date")
                    )
                    ref = _row_ref(unit.unit_id, record.month, i, "report_date")
                    chain = [d for d in (received, tested, reported) if isinstance(d, date)]
                    if any(a > b for a, b in pairwise(chain)):
                        out.append(
                            finding(
                                f"{p}-E009",
                                ref,
                                CL_LAB,
                                received=_iso(received),
                                tested=_iso(tested),
                                reported=_iso(reported),
                            )
                        )
                    if not isinstance(reported, date):
                        continue
                    end = month_end(year, record.month)
                    if reported < end.replace(day=1):
                        out.append(finding(f"{p}-W011", ref, CL_LAB, reported=reported.isoformat()))
                    elif reported > end + timedelta(days=lag):
                        out.append(
                            finding(
                                f"{p}-W012",
                                ref,
                                CL_LAB,
                                reported=reported.isoformat(),
                                days=(reported - end).days,
                                limit=lag,
                            )
                        )
                    if record.deposited_on is not None and reported > record.deposited_on:
                        out.append(
                            finding(
                                f"{p}-E012",
                                ref,
                                CL_LAB,
                                reported=reported.isoformat(),
                                deposited=record.deposited_on.isoformat(),
                            )
                        )
        return out

    @per_unit
    def unmeasured_months(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        for unit in ctx.result.units:
            for month in unit.months:
                for row in month.rows:
                    if row.rows != FUELS or row.tags.get("carbon_source") != DEFAULT_CC:
                        continue
                    if ctx.form.option_attr("fuel", {"fuel": row.kind}, "fuel.monthly_carbon_test") is not True:
                        continue
                    option = ctx.form.enums[ctx.form.field("fuel", "fuel").enum or ""].option(row.kind)
                    out.append(
                        finding(
                            f"{p}-W015",
                            _row_ref(unit.unit_id, month.month, row.index, "carbon_measured"),
                            CL_CARBON,
                            month=month.month,
                            fuel_zh=option.label_zh if option else row.kind,
                            fuel_en=option.label_en if option else row.kind,
                        )
                    )
        return out

    def compliance(ctx: RuleContext) -> list[Finding]:
        totals = ctx.result.totals
        used = totals["ccer_used_t"].value if "ccer_used_t" in totals else None
        cap = totals["ccer_cap_t"].value if "ccer_cap_t" in totals else None
        if used is None or cap is None or used <= cap:
            return []
        share = ctx.pack.number("compliance.ccer_cap_share")
        ref = FieldRef(field="ccer_used_t", scope="year")
        return [
            finding(f"{p}-E014", ref, CL_COMPLIANCE, used=round(used), cap=round(cap), percent=round(share * 100, 1))
        ]

    def pack_gaps(ctx: RuleContext) -> list[Finding]:
        out: list[Finding] = []
        for key in ctx.result.missing_parameters:
            param = ctx.pack.parameters.get(key)
            allocation = key.startswith("allocation")
            out.append(
                finding(
                    f"{p}-W030",
                    FieldRef(field=f"parameter:{key}"),
                    CL_ALLOC,
                    pack=ctx.pack.label,
                    pack_zh=ctx.pack.title_zh,
                    pack_en=ctx.pack.title_en,
                    key=key,
                    name_zh=param.name("zh") if param else key,
                    name_en=param.name("en") if param else key,
                    what_zh="配额" if allocation else "排放量",
                    what_en="the allocation" if allocation else "emissions",
                )
            )
        used = {k: ctx.pack.parameters[k] for k in ctx.result.used_parameters if k in ctx.pack.parameters}
        for key, param in sorted(used.items()):
            if param.needs_confirmation and not param.is_missing:
                out.append(
                    finding(
                        f"{p}-W031",
                        FieldRef(field=f"parameter:{key}"),
                        CL_ALLOC,
                        key=key,
                        name_zh=param.name("zh"),
                        name_en=param.name("en"),
                        value=param.value,
                        unit=param.unit,
                        note=param.note or param.confidence,
                    )
                )
        unconfirmed = sorted(k for k, v in used.items() if v.confidence == "U")
        if unconfirmed:
            out.append(
                finding(
                    f"{p}-I001",
                    FieldRef(),
                    "",
                    count=len(unconfirmed),
                    keys=", ".join(unconfirmed),
                    names_zh="、".join(used[k].name("zh") for k in unconfirmed),
                    names_en="; ".join(used[k].name("en") for k in unconfirmed),
                )
            )
        for key, param in sorted(used.items()):
            if param.override_reason:
                out.append(
                    finding(
                        f"{p}-I002",
                        FieldRef(field=f"parameter:{key}"),
                        "",
                        key=key,
                        name_zh=param.name("zh"),
                        name_en=param.name("en"),
                        original=param.original_value if param.original_value is not None else "—",
                        value=param.value,
                        reason=param.override_reason,
                    )
                )
        return out

    @per_unit
    def month_on_month(ctx: RuleContext) -> list[Finding]:
        """A month's key quantities moving by more than the pack's share need a note (fraud signal)."""
        limit = ctx.pack.number("checks.month_change_max")
        out: list[Finding] = []
        for unit in ctx.report.units:
            previous: Mapping[str, Any] | None = None
            for record in sorted(unit.months, key=lambda m: m.month):
                if previous is not None and not str(record.get("note") or "").strip():
                    for field_id in month_change_fields:
                        before, now = num(previous.get(field_id)), num(record.get(field_id))
                        if before is None or now is None or before == 0:
                            continue
                        change = abs(now - before) / before
                        if change > limit:
                            spec = ctx.form.field("month", field_id)
                            out.append(
                                finding(
                                    f"{p}-W050",
                                    FieldRef(unit.unit_id, record.month, None, field_id, "month"),
                                    CL_PLAUS,
                                    month=record.month,
                                    label_zh=spec.label_zh,
                                    label_en=spec.label_en,
                                    change=round(change * 100),
                                    limit=round(limit * 100),
                                )
                            )
                previous = record.values
        return out

    return (
        measured_values,
        custom_fuels,
        moisture_order,
        lab_dates,
        unmeasured_months,
        compliance,
        pack_gaps,
        month_on_month,
    )


def range_finding(
    ctx: RuleContext, code: str, ref: FieldRef, value: Decimal | None, low_key: str, high_key: str, **extra: Any
) -> list[Finding]:
    """A warning when ``value`` lies outside the pack's [low, high] (a plausibility heuristic)."""
    if value is None:
        return []
    low, high = ctx.pack.number(low_key), ctx.pack.number(high_key)
    if low <= value <= high:
        return []
    return [finding(code, ref, CL_PLAUS, value=round(value, 4), min=low, max=high, **extra)]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else "—"
