"""Annual-report tables the industry guidelines share: fuels per unit and month, allocation and compliance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from desktop.domain.numbers import format_decimal, round_reported
from desktop.domain.records import ReportInput
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure
from desktop.engine.results import ReportHeading, ReportNote, ReportResult, ReportSection, ReportTable, UnitResult
from desktop.formspec import FormSpec

SOURCE_WORDS = {"measured": "实测 measured", "default": "缺省 default", "default_cc": "缺省 default"}


def fmt(figure: Figure | Decimal | None, places: int) -> str:
    value = figure.value if isinstance(figure, Figure) else figure
    return "—" if value is None else format_decimal(round_reported(value, places))


def option_label(form: FormSpec, enum: str, option: Any) -> str:
    found = form.enums[enum].option(str(option)) if option is not None else None
    return found.label_zh if found else str(option or "—")


def fuel_activity(report: ReportInput, result: ReportResult, form: FormSpec, units: list[UnitResult]) -> ReportSection:
    """Every fuel row of every month: consumption, NCV and carbon used, how they were obtained, emissions."""
    parts: list[Any] = []
    for unit in units:
        rows = [
            (
                "月 Month",
                "燃料 Fuel",
                "消耗量 Consumption",
                "低位发热量 NCV",
                "含碳量 C_ar",
                "获取方式 How obtained",
                "排放 tCO2",
            )
        ]
        for month in unit.months:
            for row in month.rows:
                if row.rows != "fuels":
                    continue
                consumption = row.figures["consumption"]
                rows.append(
                    (
                        str(month.month),
                        option_label(form, "fuel", row.kind),
                        f"{fmt(consumption, 2)} {consumption.unit}",
                        f"{fmt(row.figures['ncv'], 3)} ({SOURCE_WORDS.get(str(row.tags.get('ncv_source')), '—')})",
                        fmt(row.figures["c_ar"], 6),
                        SOURCE_WORDS.get(str(row.tags.get("carbon_source")), "—"),
                        fmt(row.figures["e_t"], 1),
                    )
                )
        if len(rows) > 1:
            parts += [
                ReportHeading(f"{form.unit_zh} {unit.unit_id}"),
                ReportTable(tuple(rows), (14, 26, 30, 34, 22, 26, 22), (2, 3, 4, 6)),
            ]
    parts.append(
        ReportNote(
            "数据来源：燃料消耗量取自盖章燃料台账；低位发热量与元素碳取自 CMA/CNAS 检测报告；未实测时采用参数包缺省值。"
            " Sources: stamped fuel ledgers; accredited lab reports; pack defaults where not measured."
        )
    )
    return ReportSection("燃料活动数据 Fuel activity data", tuple(parts))


def allocation_section(
    result: ReportResult,
    units: list[UnitResult],
    pack: ParameterPack,
    parameter_label: Callable[[str], str],
    product_zh: str,
) -> ReportSection:
    """Allocation per allocated unit (rule, coefficient, pre-allocation) and the enterprise's compliance."""
    rows = [
        (
            "单元 Unit",
            "规则 Rule",
            f"强度 t/t {product_zh}",
            "α",
            "配额 Allocation",
            "预分配 Pre-alloc.",
            "应清缴 Obligation",
            "盈缺 Balance",
        )
    ]
    rule_words: Mapping[str, str] = {
        "intensity_coefficient_U": "强度系数法 [U]",
    }
    for unit in units:
        a = unit.annual
        rule = str(unit.tags.get("allocation_rule") or "—")
        words = rule_words.get(rule) or (
            "例外：配额=核查排放" if "exception" in rule else "配额=核查排放" if rule.startswith("verified") else rule
        )
        rows.append(
            (
                unit.unit_id,
                words,
                fmt(a.get("intensity_t_per_t"), 4),
                fmt(a.get("coefficient_alpha"), 4),
                fmt(a.get("allocation_t"), 0),
                fmt(a.get("pre_allocation_t"), 0),
                fmt(a.get("obligation_t"), 0),
                fmt(a.get("balance_t"), 0),
            )
        )
    t = result.totals
    summary = [
        ("项目 Item", "tCO2(e)"),
        ("配额 Allowances allocated", fmt(t.get("allocation_t"), 0)),
        ("应清缴配额 Compliance obligation", fmt(t.get("obligation_t"), 0)),
        ("CCER 抵销上限 CCER cap", fmt(t.get("ccer_cap_t"), 0)),
        ("实际使用 CCER CCER used", fmt(t.get("ccer_used_t"), 0)),
        ("配额盈缺 Surplus (+) / shortfall (−)", fmt(t.get("balance_t"), 0)),
    ]
    parts: list[Any] = [
        ReportTable(tuple(rows), (18, 34, 22, 16, 24, 22, 24, 20), tuple(range(2, 8))),
        ReportTable(tuple(summary), (90, 50), (1,)),
        ReportNote(
            "2025 年度强度系数法（α = clamp(斜率 × (B − I)/B, ±上限)）及其参数未经官方确认 [U]；平衡值须按配额通知录入。"
            " The 2025 coefficient rule and its parameters are unconfirmed [U]; enter the balance value from the notice."
        ),
    ]
    if result.missing_parameters:
        parts.append(
            ReportNote(
                "注：以下参数缺少官方数值，相关数值无法计算 / missing official values: "
                + "、".join(parameter_label(k) for k in result.missing_parameters)
            )
        )
    return ReportSection("配额与履约 Allocation and compliance", tuple(parts))
