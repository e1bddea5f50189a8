"""The power guideline's sections of the annual report, as text tables (the report renders them).

Emissions by unit and source, activity data, the supplementary data per unit (补充数据表) and allocation
and compliance: what the power guideline and the allocation plans ask for.  The report adds the
sections every guideline has (parameters, monthly chart, findings, evidence, declaration).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from desktop.domain.numbers import format_decimal, round_reported
from desktop.domain.records import ReportInput
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure
from desktop.engine.results import ReportHeading, ReportNote, ReportResult, ReportSection, ReportTable
from desktop.formspec import FormSpec
from desktop.guidelines.power_generation.calculation import GRID


def _num(figure: Figure | Decimal | None, places: int) -> str:
    value = figure.value if isinstance(figure, Figure) else figure
    return "—" if value is None else format_decimal(round_reported(value, places))


def _category(report: ReportInput, form: FormSpec, unit_id: str) -> tuple[str, Any]:
    record = report.unit(unit_id)
    category = form.enums["unit_category"].option(str(record.get("category"))) if record else None
    return (category.label_zh if category else "—"), record


def report_sections(
    report: ReportInput,
    result: ReportResult,
    form: FormSpec,
    pack: ParameterPack,
    parameter_label: Callable[[str], str],
) -> tuple[ReportSection, ...]:
    return (
        _emissions(report, result, form),
        _activity(report, result, form),
        ReportSection(generic="parameters"),
        _supplementary(report, result, form),
        _compliance(result, pack, parameter_label),
    )


def _emissions(report: ReportInput, result: ReportResult, form: FormSpec) -> ReportSection:
    rows = [("机组 Unit", "类别 Category", "化石燃料燃烧 Fuel tCO2", "购入电力 Electricity tCO2", "合计 Total tCO2")]
    for unit in result.units:
        label, _ = _category(report, form, unit.unit_id)
        a = unit.annual
        rows.append(
            (unit.unit_id, label, _num(a.get("e_fuel_t"), 0), _num(a.get("e_elec_t"), 0), _num(a.get("e_total_t"), 0))
        )
    t = result.totals
    rows.append(("合计 Total", "", _num(t.get("e_fuel_t"), 0), _num(t.get("e_elec_t"), 0), _num(t.get("e_total_t"), 0)))
    return ReportSection(
        "排放量汇总 Emissions by unit and source",
        (
            ReportTable(tuple(rows), (22, 58, 32, 30, 32), (2, 3, 4)),
            ReportNote(
                "排放量按核算指南公式 F1–F6 计算，报告值为四舍五入后的整吨。"
                " Emissions per formulas F1–F6 of the guideline; reported tonnes rounded half-up."
            ),
        ),
    )


def _activity(report: ReportInput, result: ReportResult, form: FormSpec) -> ReportSection:
    parts: list[Any] = []
    for unit in result.units:
        record = report.unit(unit.unit_id)
        rows = [
            (
                "月 Month",
                "燃料 Fuel",
                "消耗量 Consumption",
                "低位发热量 NCV (GJ/t, GJ/10⁴Nm³)",
                "含碳量 C_ar (tC/t, tC/10⁴Nm³)",
                "获取方式 How obtained",
                "购入电量 MWh",
            )
        ]
        for month in unit.months:
            stored = record.month(month.month) if record else None
            for row in month.rows or ():
                option = form.enums["fuel"].option(row.kind)
                rows.append(
                    (
                        str(month.month),
                        option.label_zh if option else row.kind,
                        f"{_num(row.figures.get('consumption'), 2)} {row.figures['consumption'].unit}",
                        _num(row.figures.get("ncv"), 3),
                        _num(row.figures.get("c_ar"), 6),
                        " ".join(GRID.source_words.get(str(row.tags.get(GRID.source_tag)), ("—",))),
                        _num(stored.get("purchased_electricity_mwh") if stored else None, 1),  # type: ignore[arg-type]
                    )
                )
        parts += [
            ReportHeading(f"机组 {unit.unit_id}"),
            ReportTable(tuple(rows), (14, 20, 34, 24, 24, 30, 24), (2, 3, 4, 6)),
        ]
    parts.append(
        ReportNote(
            "数据来源：燃料消耗量取自盖章燃料台账，低位发热量与元素碳取自 CMA/CNAS 检测报告，购入电量取自结算单。"
            " Sources: stamped fuel ledgers; accredited lab reports; electricity bills."
        )
    )
    return ReportSection("活动数据 Activity data", tuple(parts))


def _supplementary(report: ReportInput, result: ReportResult, form: FormSpec) -> ReportSection:
    rows = [
        (
            "机组",
            "类别",
            "MW",
            "燃料",
            "冷却",
            "发电量 MWh",
            "供电量 MWh",
            "供热量 GJ",
            "供热比",
            "供电强度 t/MWh",
            "供热强度 t/GJ",
            "供电煤耗 g/kWh",
        )
    ]
    for unit in result.units:
        label, record = _category(report, form, unit.unit_id)
        a = unit.annual
        fuel = form.enums["unit_fuel"].option(str(record.get("fuel_type"))) if record else None
        cooling = form.enums["cooling"].option(str(record.get("cooling"))) if record else None
        short_cooling = {"water": "水冷", "air": "空冷"}.get(cooling.id, cooling.label_zh) if cooling else "—"
        rows.append(
            (
                unit.unit_id,
                label,
                str(record.get("capacity_mw") if record else "—"),
                fuel.label_zh if fuel else "—",
                short_cooling,
                _num(a.get("generation_mwh"), 0),
                _num(a.get("supply_mwh"), 0),
                _num(a.get("heat_supply_gj"), 0),
                _num(a.get("heat_ratio"), 4),
                _num(a.get("supply_intensity_t_per_mwh"), 4),
                _num(a.get("heat_intensity_t_per_gj"), 4),
                _num(a.get("supply_coal_rate_gce_per_kwh"), 2),
            )
        )
    operation = [
        (
            "机组",
            "运行小时 h",
            "负荷系数",
            "厂用电率",
            "加权低位发热量 GJ/t(10⁴Nm³)",
            "加权收到基元素碳 tC/t",
            "供电煤耗 gce/kWh",
            "供热煤耗 kgce/GJ",
        )
    ]
    for unit in result.units:
        a = unit.annual
        operation.append(
            (
                unit.unit_id,
                _num(a.get("operating_hours"), 1),
                _num(a.get("load_factor"), 4),
                _num(a.get("aux_rate"), 4),
                _num(a.get("ncv_weighted"), 3),
                _num(a.get("c_ar_weighted"), 6) if unit.tags.get("family") != "gas" else "—",
                _num(a.get("supply_coal_rate_gce_per_kwh") or a.get("supply_energy_rate_gce_per_kwh"), 2),
                _num(a.get("heat_coal_rate_kgce_per_gj") or a.get("heat_energy_rate_kgce_per_gj"), 2),
            )
        )
    return ReportSection(
        "机组补充数据表 Supplementary data per unit",
        (
            ReportTable(tuple(rows), (10, 24, 10, 12, 10, 17, 17, 16, 14, 15, 15, 14), tuple(range(5, 12))),
            ReportTable(tuple(operation), (14, 20, 18, 18, 30, 28, 24, 24), tuple(range(1, 8))),
            ReportNote("注：燃气机组的煤耗为天然气折标准煤 / gas units: their gas as standard coal equivalent"),
        ),
    )


def _compliance(result: ReportResult, pack: ParameterPack, parameter_label: Callable[[str], str]) -> ReportSection:
    rows = [("机组 Unit", "F_冷却", "F_供热", "F_负荷", "配额 Allocation tCO2", "应清缴 Obligation tCO2")]
    for unit in result.units:
        a = unit.annual
        if "allocation_t" not in a:
            rows.append((unit.unit_id, "—", "—", "—", "不参与分配 not allocated", "—"))
            continue
        rows.append(
            (
                unit.unit_id,
                _num(a.get("f_cool"), 4),
                _num(a.get("f_heat"), 6),
                _num(a.get("f_load"), 6),
                _num(a.get("allocation_t"), 0),
                _num(a.get("obligation_t"), 0),
            )
        )
    t = result.totals
    summary = [
        ("项目 Item", "tCO2"),
        ("核查排放量 Verified emissions", _num(t.get("e_total_t"), 0)),
        ("履约口径排放量 Emissions under compliance", _num(t.get("e_compliance_t"), 0)),
        ("配额 Allowances allocated", _num(t.get("allocation_t"), 0)),
        ("应清缴配额 Compliance obligation", _num(t.get("obligation_t"), 0)),
        ("CCER 抵销上限 CCER cap (5 % of the obligation)", _num(t.get("ccer_cap_t"), 0)),
        ("配额盈缺 Surplus (+) / shortfall (−)", _num(t.get("balance_t"), 0)),
        ("实际使用 CCER CCER used", _num(t.get("ccer_used_t"), 0)),
        ("使用结转配额 Banked allowances used", _num(t.get("banked_in_t"), 0)),
        ("预支配额 Allowances borrowed", _num(t.get("borrowed_t"), 0)),
        ("清缴后盈缺 Position after surrender", _num(t.get("position_t"), 0)),
    ]
    if "banking_cap_t" in t:
        summary.append(("可结转上限 Banking cap", _num(t.get("banking_cap_t"), 0)))
    deadline = pack.get("compliance.deadline").value if "compliance.deadline" in pack.parameters else None
    parts: list[Any] = [
        ReportTable(tuple(rows), (24, 20, 22, 22, 42, 40), tuple(range(1, 6))),
        ReportTable(tuple(summary), (90, 50), (1,)),
    ]
    if isinstance(deadline, str):
        parts.append(ReportNote(f"清缴截止日期 Surrender deadline: {deadline}"))
    parts += [ReportNote(note) for note in obligation_notes(result)]
    if result.missing_parameters:
        parts.append(
            ReportNote(
                "注：以下参数缺少官方数值，相关配额无法计算 / missing official values: "
                + "、".join(parameter_label(k) for k in result.missing_parameters)
            )
        )
    return ReportSection("配额与履约 Allocation and compliance", tuple(parts))


def obligation_notes(result: ReportResult) -> list[str]:
    """Why the obligation differs from verified emissions: scope, gas exemption, gap cap, new units."""
    t, notes = result.totals, []
    total, scoped, obligation = (
        (t[k].value if k in t else None) for k in ("e_total_t", "e_compliance_t", "obligation_t")
    )
    if None in (total, scoped, obligation) or obligation == total:
        return notes
    if scoped != total:
        notes.append(
            "注：本年度方案仅对直接排放（化石燃料燃烧）清缴，购入电力排放只报告不清缴 / "
            "the year's plan surrenders direct emissions only; purchased electricity is reported, not surrendered"
        )

    def exempted(u: Any) -> bool:
        owed, scope = u.annual.get("obligation_t"), u.annual.get("e_compliance_t")
        return bool(owed and scope and owed.value is not None and scope.value is not None and owed.value < scope.value)

    if any(exempted(u) for u in result.units):
        notes.append("注：燃气机组应清缴量不超过其配额 / gas units surrender at most their allocation")
    if t["obligation_t"].formula == "CP2" and obligation < scoped:  # type: ignore[operator]
        notes.append("注：配额缺口上限（20%）生效 / the gap cap applies")
    if any(u.tags.get("not_allocated") for u in result.units):
        notes.append("注：不参与分配的机组（含当年新投产机组）不清缴 / units outside allocation surrender nothing")
    return notes
