"""The aluminium guideline's sections of the annual report, as text tables (the report renders them).

Emissions by process and source (with CF4 and C2F6 in tonnes), the electrolysis data per potline and
month, fuels, carbonates, and allocation and compliance.  The report adds the sections every guideline
has (parameters, monthly chart, findings, evidence, declaration).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.domain.records import ReportInput
from desktop.engine.params import ParameterPack
from desktop.engine.results import ReportHeading, ReportNote, ReportResult, ReportSection, ReportTable
from desktop.formspec import FormSpec
from desktop.guidelines._industry.report import allocation_section, fmt, fuel_activity, option_label

SOURCE = {"measured": "实测", "default": "缺省", "anode_effect_minutes": "效应分钟"}


def report_sections(
    report: ReportInput,
    result: ReportResult,
    form: FormSpec,
    pack: ParameterPack,
    parameter_label: Callable[[str], str],
) -> tuple[ReportSection, ...]:
    potlines = [u for u in result.units if u.tags.get("kind") == "potline"]
    return (
        _emissions(report, result, form),
        _electrolysis(result, form, potlines),
        fuel_activity(report, result, form, list(result.units)),
        _carbonates(result, form),
        ReportSection(generic="parameters"),
        allocation_section(result, potlines, pack, parameter_label, "铝液"),
    )


def _emissions(report: ReportInput, result: ReportResult, form: FormSpec) -> ReportSection:
    rows = [("单元 Unit", "燃料 Fuel", "阳极 Anode", "PFC tCO2e", "碳酸盐 Carbonates", "合计 Total", "CF4 t", "C2F6 t")]
    for unit in result.units:
        a = unit.annual
        rows.append(
            (
                unit.unit_id,
                fmt(a.get("e_fuel_t"), 0),
                fmt(a.get("e_anode_t"), 0),
                fmt(a.get("e_pfc_t"), 0),
                fmt(a.get("e_carbonate_t"), 0),
                fmt(a.get("e_total_t"), 0),
                fmt(a.get("cf4_t"), 3),
                fmt(a.get("c2f6_t"), 4),
            )
        )
    t = result.totals
    rows.append(
        (
            "企业 Enterprise",
            fmt(_add(t, "processes_e_fuel_t", "other_facilities_e_t"), 0),
            fmt(t.get("processes_e_anode_t"), 0),
            fmt(t.get("processes_e_pfc_t"), 0),
            fmt(t.get("e_carbonate_t"), 0),
            fmt(t.get("e_direct_total_t"), 0),
            fmt(t.get("cf4_t"), 3),
            fmt(t.get("c2f6_t"), 4),
        )
    )
    return ReportSection(
        "排放量汇总 Emissions by unit, source and gas",
        (
            ReportTable(tuple(rows), (30, 22, 24, 22, 22, 26, 18, 18), tuple(range(1, 8))),
            ReportNote(
                f"CO2 排放 {fmt(t.get('e_co2_t'), 0)} t；CF4、C2F6 按参数包 GWP 折算为 CO2e。仅核算直接排放；交流电耗为辅助报告项。"
                " CO2e with the pack's GWPs; direct emissions only; AC electricity is an auxiliary item."
            ),
        ),
    )


def _add(totals: Any, *names: str) -> Any:
    values = [totals[n].value for n in names if n in totals and totals[n].value is not None]
    return sum(values) if values else None


def _electrolysis(result: ReportResult, form: FormSpec, potlines: list[Any]) -> ReportSection:
    parts: list[Any] = []
    for unit in potlines:
        rows = [("月", "铝液 t", "NC t/t", "S %", "灰分 %", "来源", "EF阳极", "AEM", "PFC 来源", "合计 tCO2e")]
        sources = unit.tags.get("month_sources") or {}
        for month in unit.months:
            f = month.figures
            src = sources.get(month.month, {})
            anode = src.get("anode_sources", {})
            rows.append(
                (
                    str(month.month),
                    fmt(f.get("al_liquid_t"), 1),
                    fmt(f.get("nc_t_per_t"), 4),
                    fmt(f.get("anode_s_pct"), 2),
                    fmt(f.get("anode_ash_pct"), 2),
                    "/".join(SOURCE.get(anode.get(k, ""), "—") for k in ("nc", "s", "ash")),
                    fmt(f.get("ef_anode_t_per_t"), 4),
                    fmt(f.get("aem_min_per_cell_day"), 4),
                    SOURCE.get(src.get("pfc_source", ""), "—"),
                    fmt(f.get("e_total_t"), 0),
                )
            )
        a = unit.annual
        parts += [
            ReportHeading(f"{form.unit_zh} {unit.unit_id}"),
            ReportTable(tuple(rows), (10, 22, 16, 13, 14, 24, 17, 16, 20, 24), (1, 2, 3, 4, 6, 7, 9)),
            ReportNote(
                f"吨铝排放 {fmt(a.get('intensity_total_t_per_t'), 4)} tCO2e/t（阳极 {fmt(a.get('intensity_anode_t_per_t'), 4)}，"
                f"PFC {fmt(a.get('intensity_pfc_t_per_t'), 4)}）；产量加权吨铝阳极净耗 {fmt(a.get('nc_weighted_t_per_t'), 4)} t/t；"
                f"吨铝交流电耗 {fmt(a.get('ac_kwh_per_t'), 0)} kWh/t（辅助报告项）。"
            ),
        ]
    return ReportSection("铝电解工序 Electrolysis processes", tuple(parts))


def _carbonates(result: ReportResult, form: FormSpec) -> ReportSection:
    rows = [("碳酸盐 Carbonate", "消耗量 t", "排放 tCO2")]
    for unit in result.units:
        for key, fig in sorted(unit.annual.items()):
            if key.startswith("consumption_t:"):
                material = key.split(":", 1)[1]
                emitted = unit.annual.get(f"e_carbonate_t:{material}")
                rows.append(
                    (f"{unit.unit_id} · {option_label(form, 'material', material)}", fmt(fig, 2), fmt(emitted, 1))
                )
    if len(rows) == 1:
        rows.append(("—", "—", "—"))
    return ReportSection(
        "碳酸盐分解（企业层级）Carbonates (enterprise level)",
        (
            ReportTable(tuple(rows), (80, 40, 40), (1, 2)),
            ReportNote("排放 = 消耗量 × 排放因子 × 纯度。 E = AD × EF × purity."),
        ),
    )
