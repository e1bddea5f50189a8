"""The cement guideline's sections of the annual report, as text tables (the report renders them).

Emissions by line and source (facility and enterprise level), production and process data per line,
fuels, and allocation and compliance.  The report adds the sections every guideline has (parameters,
monthly chart, findings, evidence, declaration).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.domain.records import ReportInput
from desktop.engine.params import ParameterPack
from desktop.engine.results import ReportHeading, ReportNote, ReportResult, ReportSection, ReportTable
from desktop.formspec import FormSpec
from desktop.guidelines._industry.report import allocation_section, fmt, fuel_activity, option_label


def report_sections(
    report: ReportInput,
    result: ReportResult,
    form: FormSpec,
    pack: ParameterPack,
    parameter_label: Callable[[str], str],
) -> tuple[ReportSection, ...]:
    lines = [u for u in result.units if u.tags.get("kind") == "clinker_line"]
    return (
        _emissions(report, result, form),
        _production(report, result, form, lines),
        fuel_activity(report, result, form, list(result.units)),
        ReportSection(generic="parameters"),
        allocation_section(result, lines, pack, parameter_label, "熟料"),
    )


def _emissions(report: ReportInput, result: ReportResult, form: FormSpec) -> ReportSection:
    rows = [("单元 Unit", "类型 Kind", "燃料燃烧 Fuel", "过程 Process", "合计 Total tCO2", "熟料 Clinker t", "tCO2/t")]
    for unit in result.units:
        record = report.unit(unit.unit_id)
        a = unit.annual
        rows.append(
            (
                unit.unit_id,
                option_label(form, "unit_kind", record.get("unit_kind") if record else None),
                fmt(a.get("e_fuel_t"), 0),
                fmt(a.get("e_process_t"), 0),
                fmt(a.get("e_total_t"), 0),
                fmt(a.get("clinker_t"), 1),
                fmt(a.get("intensity_total_t_per_t"), 4),
            )
        )
    t = result.totals
    rows.append(
        (
            "企业合计 Enterprise",
            "",
            fmt(_sum(t, "lines_e_fuel_t", "other_facilities_e_t"), 0),
            fmt(t.get("lines_e_process_t"), 0),
            fmt(t.get("e_direct_total_t"), 0),
            fmt(t.get("clinker_t"), 1),
            fmt(t.get("intensity_lines_t_per_t"), 4),
        )
    )
    return ReportSection(
        "排放量汇总 Emissions by line and source",
        (
            ReportTable(tuple(rows), (30, 44, 24, 24, 26, 26, 16), (2, 3, 4, 5, 6)),
            ReportNote(
                "仅核算直接排放（化石燃料燃烧与熟料生产过程）；外购电力、热力仅作辅助报告。企业直接排放 = Σ 生产线 + 其他设施。"
                " Direct emissions only (fuel and clinker process); purchased electricity and heat are auxiliary items."
            ),
        ),
    )


def _sum(totals: Any, *names: str) -> Any:
    values = [totals[n].value for n in names if n in totals and totals[n].value is not None]
    return sum(values) if values else None


def _production(report: ReportInput, result: ReportResult, form: FormSpec, lines: list[Any]) -> ReportSection:
    parts: list[Any] = []
    for unit in lines:
        record = report.unit(unit.unit_id)
        rows = [
            (
                "月 Month",
                "熟料 t",
                "石灰石 t",
                "扣减前过程 tCO2",
                "扣减 tCO2",
                "过程排放 tCO2",
                "燃料 tCO2",
                "合计 tCO2",
            )
        ]
        for month in unit.months:
            f = month.figures
            rows.append(
                (
                    str(month.month),
                    fmt(f.get("clinker_t"), 1),
                    fmt(f.get("limestone_t"), 1),
                    fmt(f.get("e_process_gross_t") or f.get("e_carbonate_t"), 0),
                    fmt(f.get("deduction_t"), 0),
                    fmt(f.get("e_process_t"), 0),
                    fmt(f.get("e_fuel_t"), 0),
                    fmt(f.get("e_total_t"), 0),
                )
            )
        a = unit.annual
        rows.append(
            (
                "全年",
                fmt(a.get("clinker_t"), 1),
                fmt(a.get("limestone_t"), 1),
                fmt(a.get("e_process_gross_t") or a.get("e_carbonate_t"), 0),
                fmt(a.get("deduction_t"), 0),
                fmt(a.get("e_process_t"), 0),
                fmt(a.get("e_fuel_t"), 0),
                fmt(a.get("e_total_t"), 0),
            )
        )
        kind = option_label(form, "clinker_type", record.get("clinker_type") if record else None)
        method = option_label(form, "process_method", record.get("process_method") if record else None)
        parts += [
            ReportHeading(f"{form.unit_zh} {unit.unit_id} · {kind} · {method}"),
            ReportTable(tuple(rows), (16, 24, 24, 26, 20, 24, 22, 24), tuple(range(1, 8))),
        ]
        materials = [
            (option_label(form, "material", key.split(":", 1)[1]), fmt(fig, 1))
            for key, fig in sorted(a.items())
            if key.startswith("consumption_t:")
        ]
        if materials:
            parts.append(ReportTable((("替代原料 Raw material", "全年消耗 t"), *materials), (90, 50), (1,)))
        parts.append(
            ReportNote(
                f"吨熟料排放 {fmt(a.get('intensity_total_t_per_t'), 4)} tCO2/t；吨熟料燃料热耗 {fmt(a.get('heat_gj_per_t'), 3)} GJ/t；"
                f"吨熟料电耗 {fmt(a.get('electricity_kwh_per_t'), 2)} kWh/t（辅助报告项）；电石渣替代率 "
                f"{fmt(a.get('carbide_slag_rate'), 4)}；未实测元素碳月份 {', '.join(map(str, unit.tags.get('months_default_carbon') or ())) or '无'}。"
            )
        )
    return ReportSection("熟料生产与过程排放 Clinker production and process emissions", tuple(parts))
