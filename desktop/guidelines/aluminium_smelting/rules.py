"""Checks of the aluminium smelting guideline (shared/domain/aluminium-smelting.md §6, §8).

Hard errors block submission; plausibility ranges and manipulation signals are warnings that pass only
with a written justification.  Every threshold comes from the pack (``checks.*``): CarbonDesk heuristics,
never presented as regulation.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator, Mapping
from decimal import Decimal

from desktop.domain.findings import FieldRef, Finding, Message
from desktop.domain.records import UnitRecord
from desktop.engine.results import MonthResult, UnitResult
from desktop.guidelines._industry.common import num
from desktop.guidelines._industry.rules import CL_PLAUS, range_finding, shared_messages, shared_rules
from desktop.guidelines.aluminium_smelting.calculation import FUELS, is_potline
from desktop.rules import common
from desktop.rules.base import RuleContext, finding, per_unit

P = "ALU"
CL_ANODE = "核算指南·阳极消耗排放"
CL_AE = "核算指南·阳极效应排放"
CL_PROD = "核算指南·生产数据"

MESSAGES: Mapping[str, Message] = {
    **shared_messages(P),
    "ALU-E001": Message("必填项“{label_zh}”未填写", 'required value "{label_en}" is missing'),
    "ALU-E002": Message(
        "“{label_zh}” = {value} {unit} 超出允许范围 [{min}, {max}]",
        '"{label_en}" = {value} {unit} is outside [{min}, {max}]',
    ),
    "ALU-E020": Message(
        "{month} 月的 {fields_zh} 缺少“{kind_zh}”扫描件：实测值必须有检测报告",
        "month {month}: {fields_en} lack a scan of the {kind_en}; a measured value needs its report",
    ),
    "ALU-W020": Message(
        "{month} 月的 {fields_zh} 缺少支撑材料“{kind_zh}”",
        "month {month}: {fields_en} lack supporting evidence ({kind_en})",
    ),
    "ALU-E030": Message(
        "阳极硫分与灰分合计 {total}% 不可能（应小于 100%）", "anode sulphur and ash add up to {total} %: impossible"
    ),
    "ALU-W040": Message(
        "{month} 月铝液产量 {output} t 与法拉第定律估算（电流 {current} kA × {cells} 槽 × {days} 天）相比电流效率为 {efficiency}%（常见 {min}–{max}%）",
        "month {month}: output {output} t means a current efficiency of {efficiency} % by Faraday's law "
        "({current} kA × {cells} cells × {days} days; usual {min}–{max} %)",
    ),
    "ALU-W041": Message(
        "{month} 月吨铝阳极净耗 {value} t/t 超出常见范围 {min}–{max}",
        "month {month}: net anode consumption {value} t/t is outside the usual {min}–{max}",
    ),
    "ALU-W042": Message(
        "{month} 月吨铝阳极净耗较上月变化 {change}%（超过 {limit}%）",
        "month {month}: net anode consumption per t changed {change} % from the previous month (more than {limit} %)",
    ),
    "ALU-W043": Message(
        "{month} 月阳极{what_zh} {value}% 超出常见范围 {min}–{max}",
        "month {month}: anode {what_en} {value} % is outside the usual {min}–{max}",
    ),
    "ALU-W044": Message(
        "全年各月阳极硫分、灰分均恰为缺省值 {s}% / {ash}%：请提供检测报告原件",
        "anode sulphur and ash equal the defaults {s} % / {ash} % in every month: keep the original test reports at hand",
    ),
    "ALU-W045": Message(
        "{month} 月阳极消耗排放因子 {value} tCO2/t 超出常见范围 {min}–{max}",
        "month {month}: anode emission factor {value} tCO2/t is outside the usual {min}–{max}",
    ),
    "ALU-W046": Message(
        "{month} 月阳极效应分钟数 {value} min/(槽·日) 超出常见范围 {min}–{max}",
        "month {month}: anode-effect minutes {value} per cell-day are outside the usual {min}–{max}",
    ),
    "ALU-W047": Message(
        "{month} 月阳极效应系数 {value} 次/(槽·日) 高于 {max}",
        "month {month}: anode-effect frequency {value} per cell-day is above {max}",
    ),
    "ALU-W048": Message(
        "全年阳极效应分钟数均为零：请保存槽控机导出记录备查",
        "no anode-effect minutes all year: keep the pot-control system export for the verifier",
    ),
    "ALU-W049": Message(
        "{month} 月只填写了阳极效应系数或持续时间之一：本月按缺省 PFC 排放因子计算",
        "month {month}: only one of the anode-effect frequency and duration is entered: the default PFC factors apply",
    ),
    "ALU-W055": Message(
        "吨铝 PFC 排放 {value} tCO2e/t 超出常见范围 {min}–{max}",
        "PFC per t aluminium {value} tCO2e/t is outside the usual {min}–{max}",
    ),
    "ALU-W051": Message(
        "吨铝排放 {value} tCO2e/t 超出常见范围 {min}–{max}",
        "emissions per t aluminium {value} tCO2e/t are outside the usual {min}–{max}",
    ),
    "ALU-W052": Message(
        "吨铝交流电耗 {value} kWh/t 超出常见范围 {min}–{max}",
        "AC electricity per t {value} kWh/t is outside the usual {min}–{max}",
    ),
    "ALU-W053": Message(
        "{month} 月天然气低位发热量 {value} 超出常见范围 {min}–{max} GJ/10⁴Nm³",
        "month {month}: natural gas NCV {value} is outside the usual {min}–{max} GJ/10⁴Nm³",
    ),
    "ALU-W054": Message(
        "“{name}”为自定义碳酸盐（因子 {factor}）：核查时需提供因子来源",
        'custom carbonate "{name}" (factor {factor}): the verifier will ask for its source',
    ),
    "ALU-I010": Message(
        "{months} 月未检测阳极硫分、灰分，采用缺省值（缺省值可能低于高硫阳极的实际值）",
        "months {months}: anode sulphur and ash not tested; the defaults are used (they may be below real high-sulphur anodes)",
    ),
}


def _potlines(ctx: RuleContext) -> Iterator[tuple[UnitRecord, UnitResult]]:
    for unit in ctx.report.units:
        result = ctx.result.unit(unit.unit_id)
        if result is not None and is_potline(ctx.form, unit):
            yield unit, result


def _fig(month: MonthResult | None, name: str) -> Decimal | None:
    if month is None or name not in month.figures:
        return None
    return month.figures[name].value


def _mref(unit: UnitRecord, month: int, field: str) -> FieldRef:
    return FieldRef(unit.unit_id, month, None, field, "month")


@per_unit
def anode_values(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, _ in _potlines(ctx):
        for record in unit.months:
            s, a = num(record.get("anode_s_pct")), num(record.get("anode_ash_pct"))
            if s is not None and a is not None and s + a >= 100:
                out.append(finding("ALU-E030", _mref(unit, record.month, "anode_ash_pct"), CL_ANODE, total=s + a))
            for value, what, key in ((s, ("硫分", "sulphur"), "anode_s"), (a, ("灰分", "ash"), "anode_ash")):
                if record.get("anode_tested") is True:
                    ref = _mref(unit, record.month, f"{key}_pct")
                    out += range_finding(
                        ctx,
                        "ALU-W043",
                        ref,
                        value,
                        f"checks.{key}_min",
                        f"checks.{key}_max",
                        month=record.month,
                        what_zh=what[0],
                        what_en=what[1],
                    )
        tested = [r for r in unit.months if r.get("anode_tested") is True]
        s_default, a_default = ctx.pack.number("anode.s_default_pct"), ctx.pack.number("anode.ash_default_pct")
        if len(tested) >= 3 and all(
            num(r.get("anode_s_pct")) == s_default and num(r.get("anode_ash_pct")) == a_default for r in tested
        ):
            out.append(
                finding(
                    "ALU-W044", FieldRef(unit.unit_id, None, None, None, "unit"), CL_ANODE, s=s_default, ash=a_default
                )
            )
    return out


@per_unit
def production(ctx: RuleContext) -> list[Finding]:
    """Faraday: output ≈ efficiency × 0.3356 kg/(kA·h) × I × 24 × days × cells."""
    out: list[Finding] = []
    k = ctx.pack.number("checks.faraday_kg_per_ka_h")
    low, high = ctx.pack.number("checks.current_efficiency_min"), ctx.pack.number("checks.current_efficiency_max")
    for unit, _ in _potlines(ctx):
        current = num(unit.get("current_ka"))
        for record in unit.months:
            output = num(record.get("al_liquid_t"))
            cells = num(record.get("cells_operating")) or num(unit.get("cells"))
            if output is None or current is None or not cells or not current:
                continue
            days = monthrange(ctx.report.data_year, record.month)[1]
            theoretical = k * current * 24 * days * cells / 1000
            efficiency = output / theoretical
            if not low <= efficiency <= high:
                out.append(
                    finding(
                        "ALU-W040",
                        _mref(unit, record.month, "al_liquid_t"),
                        CL_PROD,
                        month=record.month,
                        output=output,
                        current=current,
                        cells=cells,
                        days=days,
                        efficiency=round(efficiency * 100, 1),
                        min=round(low * 100),
                        max=round(high * 100),
                    )
                )
    return out


@per_unit
def anode_consumption(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    change_limit = ctx.pack.number("checks.nc_change_max")
    for unit, result in _potlines(ctx):
        previous: Decimal | None = None
        for record in sorted(unit.months, key=lambda r: r.month):
            month = result.month(record.month)
            nc = _fig(month, "nc_t_per_t") if num(record.get("net_anode_t")) is not None else None
            ref = _mref(unit, record.month, "net_anode_t")
            out += range_finding(ctx, "ALU-W041", ref, nc, "checks.nc_min", "checks.nc_max", month=record.month)
            if nc is not None and previous and abs(nc - previous) / previous > change_limit:
                out.append(
                    finding(
                        "ALU-W042",
                        ref,
                        CL_ANODE,
                        month=record.month,
                        change=round(abs(nc - previous) / previous * 100, 1),
                        limit=round(change_limit * 100),
                    )
                )
            previous = nc if nc is not None else previous
            out += range_finding(
                ctx,
                "ALU-W045",
                _mref(unit, record.month, "anode_s_pct"),
                _fig(month, "ef_anode_t_per_t"),
                "checks.ef_anode_min",
                "checks.ef_anode_max",
                month=record.month,
            )
        months = result.tags.get("months_default_anode_params") or ()
        untested = [m for m in months if (r := unit.month(m)) is not None and r.get("anode_tested") is not True]
        if untested:
            out.append(
                finding(
                    "ALU-I010",
                    FieldRef(unit.unit_id, None, None, None, "unit"),
                    CL_ANODE,
                    months=", ".join(map(str, untested)),
                )
            )
    return out


@per_unit
def anode_effects(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    max_freq = ctx.pack.number("checks.ae_frequency_max")
    for unit, result in _potlines(ctx):
        aems: list[Decimal] = []
        for record in unit.months:
            freq, duration = num(record.get("ae_frequency_per_cell_day")), num(record.get("ae_duration_min"))
            if (freq is None) != (duration is None):
                out.append(finding("ALU-W049", _mref(unit, record.month, "ae_duration_min"), CL_AE, month=record.month))
            if freq is not None and freq > max_freq:
                out.append(
                    finding(
                        "ALU-W047",
                        _mref(unit, record.month, "ae_frequency_per_cell_day"),
                        CL_AE,
                        month=record.month,
                        value=freq,
                        max=max_freq,
                    )
                )
            aem = _fig(result.month(record.month), "aem_min_per_cell_day")
            if aem is not None:
                aems.append(aem)
                if aem > 0:
                    out += range_finding(
                        ctx,
                        "ALU-W046",
                        _mref(unit, record.month, "ae_duration_min"),
                        aem,
                        "checks.aem_min",
                        "checks.aem_max",
                        month=record.month,
                    )
        if len(aems) == len(unit.months) and aems and all(a == 0 for a in aems):
            out.append(finding("ALU-W048", FieldRef(unit.unit_id, None, None, None, "unit"), CL_AE))
    return out


@per_unit
def annual_ranges(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, result in _potlines(ctx):
        ref = FieldRef(unit.unit_id, None, None, None, "unit")
        a = result.annual
        out += range_finding(
            ctx,
            "ALU-W055",
            ref,
            a["intensity_pfc_t_per_t"].value,
            "checks.pfc_intensity_min",
            "checks.pfc_intensity_max",
        )
        out += range_finding(
            ctx, "ALU-W051", ref, a["intensity_total_t_per_t"].value, "checks.intensity_min", "checks.intensity_max"
        )
        out += range_finding(
            ctx, "ALU-W052", ref, a["ac_kwh_per_t"].value, "checks.ac_kwh_per_t_min", "checks.ac_kwh_per_t_max"
        )
    return out


@per_unit
def gas_and_carbonates(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit in ctx.report.units:
        for record in unit.months:
            for i, row in enumerate(record.rows_of(FUELS)):
                if ctx.form.option_attr("fuel", row.values, "fuel.family") == "gas":
                    ref = FieldRef(unit.unit_id, record.month, i, "ncv", "fuel", FUELS)
                    out += range_finding(
                        ctx,
                        "ALU-W053",
                        ref,
                        num(row.get("ncv")),
                        "checks.gas_ncv_min",
                        "checks.gas_ncv_max",
                        month=record.month,
                    )
            for i, row in enumerate(record.rows_of("carbonates")):
                if row.get("material") == "custom":
                    ref = FieldRef(unit.unit_id, record.month, i, "custom_factor", "carbonate", "carbonates")
                    out.append(
                        finding(
                            "ALU-W054",
                            ref,
                            CL_PLAUS,
                            name=str(row.get("custom_name") or "—"),
                            factor=row.get("custom_factor") or "—",
                        )
                    )
    return out


RULES = (
    *common.RULES,
    *shared_rules(P, month_change_fields=("al_liquid_t", "ac_electricity_mwh")),
    anode_values,
    production,
    anode_consumption,
    anode_effects,
    annual_ranges,
    gas_and_carbonates,
)
