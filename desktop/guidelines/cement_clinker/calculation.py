"""Cement clinker production (水泥熟料生产): emissions per clinker line and month, the enterprise's direct
emissions, intensities, allocation and compliance.

Formulas (shared/domain/cement-clinker.md §3; almost all [U], every number from the parameter pack):

- CF1  E_line = E_fuel + E_proc
- CF2  E_fuel = Σ FC × C_ar × OF × 44/12  (C_ar measured, else NCV × CC_default; see ``_industry``)
- CF5  E_proc = max(0, Q × EF_clinker(type) − Σ AD_m × D_m)   (floor per line and month, per the pack)
- OX1  oxide method (2013): E_carb = (Q + Q_kd + Q_bpd) × [(CaO − CaO_nc)/100 × 44/56 + (MgO − MgO_nc)/100 × 44/40]
- OX2  E_nonfuel = Q_raw_meal × FR0/100 × 44/12  (FR0 measured, else 0.1 % / 0.3 % with gangue or high-C fly ash)
- CF6  E_enterprise = Σ lines + Σ other facilities' fuel
- CF7  intensity = E_line / Q
- R1   carbide-slag rate = Σ carbide slag / (Σ carbide slag + Σ limestone)   ([U] definition)

The engine never raises on incomplete data: a figure whose inputs are not all known is unknown and the
rules report what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from typing import Any

from desktop.domain.records import MonthRecord, ReportInput, UnitRecord
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure, const_figure, derive, input_figure
from desktop.engine.results import (
    ChartSpec,
    FigureInfo,
    GridSpec,
    MonthResult,
    ReportResult,
    ReportView,
    RowFigure,
    RowResult,
    UnitResult,
    WorkbookView,
    calculate_year,
)
from desktop.formspec import FormSpec
from desktop.guidelines._industry.common import (
    ALLOCATION_FIGURES,
    ALLOCATION_FORMULAS,
    C_TO_CO2,
    DEFAULT,
    DEFAULT_CC,
    FUEL_FORMULAS,
    HUNDRED,
    MEASURED,
    THOUSAND,
    ZERO,
    Params,
    allocate,
    fuel_row,
    intensity,
    month_sum,
    num,
    safe_div,
    sum_known_all,
    unit_path,
)

GUIDELINE = "cement_clinker"
PRECISION = 34

FUELS = "fuels"
MATERIALS = "alt_raw_materials"
CARBIDE_SLAG = "carbide_slag"
CUSTOM = "custom"
PACK = "pack"

DEFAULT_EF = "default_ef"
OXIDE = "oxide_2013"

_CO2_CAO = const_figure("44/56", Decimal(44) / Decimal(56), "tCO2/tCaO", "molar mass ratio CO2/CaO")
_CO2_MGO = const_figure("44/40", Decimal(44) / Decimal(40), "tCO2/tMgO", "molar mass ratio CO2/MgO")

FORMULAS: Mapping[str, tuple[str, str]] = {
    **FUEL_FORMULAS,
    **ALLOCATION_FORMULAS,
    "CF1": ("E_生产线 = E_燃料 + E_过程", "E_line = E_fuel + E_process"),
    "CF5g": ("过程排放（扣减前） = 熟料产量 × EF_熟料", "gross process = Q × EF_clinker"),
    "CF5d": ("扣减量 = Σ 替代原料消耗量 × 扣减系数", "deduction = Σ AD × D"),
    "CF5": ("E_过程 = max(0, 熟料产量 × EF_熟料 − Σ AD × D)", "E_process = max(0, Q × EF_clinker − Σ AD × D)"),
    "CF5n": ("E_过程 = 熟料产量 × EF_熟料 − Σ AD × D", "E_process = Q × EF_clinker − Σ AD × D"),
    "CF5y": ("年过程排放 = max(0, Σ 月度净值)", "annual process = max(0, Σ monthly net)"),
    "OX0": (
        "EF_计算 = (CaO − CaO_nc)/100 × 44/56 + (MgO − MgO_nc)/100 × 44/40",
        "EF_calc = (CaO − CaO_nc)/100 × 44/56 + (MgO − MgO_nc)/100 × 44/40",
    ),
    "OX1": ("E_碳酸盐 = (熟料 + 窑头粉尘 + 旁路粉尘) × EF_计算", "E_carbonate = (Q + Q_kd + Q_bpd) × EF_calc"),
    "OX2": ("E_非燃料碳 = 生料量 × FR0/100 × 44/12", "E_nonfuel = Q_raw_meal × FR0/100 × 44/12"),
    "OX3": ("E_过程 = E_碳酸盐 + E_非燃料碳", "E_process = E_carbonate + E_nonfuel"),
    "CF6": ("企业直接排放 = Σ 生产线排放 + Σ 其他设施燃料燃烧排放", "E_enterprise = Σ lines + Σ other facilities"),
    "CF7": ("排放强度 = 排放量/熟料产量", "intensity = emissions/clinker"),
    "H1": ("吨熟料燃料热耗 = Σ 燃料热量/熟料产量", "heat per t clinker = Σ heat/clinker"),
    "EL1": ("吨熟料电耗 = 耗电量 × 1000/熟料产量", "kWh per t clinker = MWh × 1000/clinker"),
    "R1": (
        "电石渣替代率 = Σ电石渣/(Σ电石渣 + Σ石灰石)",
        "carbide-slag rate = Σ carbide slag/(Σ carbide slag + Σ limestone)",
    ),
    "SH1": ("月度配额份额 = 配额 × 当月排放/全年排放", "month's share = allocation × month emissions/annual emissions"),
}

CHART = ChartSpec(
    bars="e_total_t",
    line="intensity_total_t_per_t",
    line_when="clinker_t",
    reference="allocation_t",
    reference_parameter="allocation.balance_value",
    share="allocation_share_t",
)


def _default_rows(unit: Mapping[str, Any], form: Any) -> str | None:
    """Every unit shows a coal row before anything is typed: kilns burn coal, and so do dryers."""
    return None if not unit.get("unit_kind") else "coal"


GRID = GridSpec(
    month_figures=(
        "e_fuel_t",
        "e_process_gross_t",
        "deduction_t",
        "e_process_t",
        "e_total_t",
        "intensity_total_t_per_t",
        "heat_gj_per_t",
        "allocation_share_t",
    ),
    row_figures=(
        RowFigure("c_ar", 6, "收到基含碳量（采用值）", "carbon content used", "tC/{consumption_unit}"),
        RowFigure("e_t", 0, "燃烧排放", "combustion emissions", "tCO2"),
    ),
    source_tag="carbon_source",
    source_figure="c_ar",
    source_fields=("c_ar_pct", "c_ad_pct", "m_ad_pct", "m_ar_pct", "ncv"),
    source_words={MEASURED: ("实测", "measured"), DEFAULT_CC: ("缺省值", "default")},
    row_annual={"consumption": "consumption:{key}"},
    default_rows=_default_rows,
)

WORKBOOK = WorkbookView(
    unit_computed=("e_fuel_t", "e_process_t", "e_total_t", "intensity_total_t_per_t", "heat_gj_per_t"),
    month_computed=("e_fuel_t", "e_process_t", "e_total_t"),
    summary=("e_total_t", "allocation_t", "obligation_t"),
    compliance=("e_direct_total_t", "balance_t", "ccer_used_t", "ccer_cap_t"),
)

REPORT_VIEW = ReportView(
    unit_heading=("unit_kind", "clinker_type"),
    row_figures=("c_ar", "e_t"),
    row_tag="carbon_source",
    month_figures=("e_process_t", "e_total_t"),
    expected_annual=("allocation_t",),
    explained=("e_direct_total_t", "allocation_t", "obligation_t", "balance_t"),
)

_T = "tCO2"
FIGURES: Mapping[str, FigureInfo] = {
    # rows
    "consumption": FigureInfo("燃料消耗量", "Fuel consumption", "", 2),
    "ncv": FigureInfo("低位发热量（采用值）", "Net calorific value used", "GJ/unit", 3),
    "c_ar": FigureInfo("收到基含碳量（采用值）", "Carbon content used", "tC/unit", 6, *FUEL_FORMULAS["F4"]),
    "heat_gj": FigureInfo("燃料热量", "Heat input", "GJ", 1, *FUEL_FORMULAS["Q1"]),
    "e_t": FigureInfo("燃烧排放", "Combustion emissions", _T, 3, *FUEL_FORMULAS["F2"]),
    "consumption_t": FigureInfo("替代原料消耗量", "Raw material consumed", "t", 1),
    "coefficient": FigureInfo("扣减系数", "Deduction coefficient", "tCO2/t", 3),
    # months and years of a unit
    "clinker_t": FigureInfo("熟料产量", "Clinker output", "t", 1),
    "limestone_t": FigureInfo("石灰石消耗量", "Limestone consumed", "t", 1),
    "carbide_slag_t": FigureInfo("电石渣消耗量", "Carbide slag consumed", "t", 1),
    "electricity_mwh": FigureInfo("生产线耗电量", "Line electricity", "MWh", 1),
    "fuel_heat_gj": FigureInfo("燃料热量", "Fuel heat input", "GJ", 1, *FUEL_FORMULAS["Q1"]),
    "e_fuel_t": FigureInfo("化石燃料燃烧排放", "Fuel combustion emissions", _T, 0, *FUEL_FORMULAS["F2"]),
    "e_process_gross_t": FigureInfo(
        "过程排放（扣减前）", "Process emissions before deductions", _T, 0, *FORMULAS["CF5g"]
    ),
    "deduction_t": FigureInfo("替代原料扣减量", "Deduction of alternative raw materials", _T, 0, *FORMULAS["CF5d"]),
    "e_process_t": FigureInfo("熟料生产过程排放", "Clinker process emissions", _T, 0, *FORMULAS["CF5"]),
    "ef_calc_t_per_t": FigureInfo(
        "熟料排放因子（氧化物法计算值）", "Clinker factor (oxide method)", "tCO2/t", 6, *FORMULAS["OX0"]
    ),
    "e_carbonate_t": FigureInfo("碳酸盐分解排放", "Carbonate decomposition", _T, 0, *FORMULAS["OX1"]),
    "e_nonfuel_t": FigureInfo("生料非燃料碳排放", "Non-fuel carbon of the raw meal", _T, 0, *FORMULAS["OX2"]),
    "e_total_t": FigureInfo("排放量", "Emissions", _T, 0, *FORMULAS["CF1"]),
    "intensity_total_t_per_t": FigureInfo("吨熟料排放", "Emissions per t clinker", "tCO2/t", 4, *FORMULAS["CF7"]),
    "intensity_process_t_per_t": FigureInfo("吨熟料过程排放", "Process emissions per t clinker", "tCO2/t", 4),
    "intensity_fuel_t_per_t": FigureInfo("吨熟料燃料排放", "Fuel emissions per t clinker", "tCO2/t", 4),
    "heat_gj_per_t": FigureInfo("吨熟料燃料热耗", "Fuel heat per t clinker", "GJ/t", 3, *FORMULAS["H1"]),
    "electricity_kwh_per_t": FigureInfo("吨熟料电耗", "Electricity per t clinker", "kWh/t", 2, *FORMULAS["EL1"]),
    "carbide_slag_rate": FigureInfo("电石渣替代率", "Carbide-slag rate", "—", 4, *FORMULAS["R1"]),
    "allocation_share_t": FigureInfo("月度配额份额", "Month's share of the allocation", "t", 0, *FORMULAS["SH1"]),
    # allocation
    "emissions_covered_t": FigureInfo("纳入配额管理的排放量", "Emissions covered", _T, 0),
    "product_t": FigureInfo("熟料产量", "Clinker output", "t", 1),
    "intensity_t_per_t": FigureInfo("吨熟料排放", "Emissions per t clinker", "tCO2/t", 6),
    "balance_value_t_per_t": FigureInfo("行业平衡值", "Sector balance value", "tCO2/t", 4),
    **ALLOCATION_FIGURES,  # allocation and compliance, as every industry guideline names them
    # enterprise
    "lines_e_fuel_t": FigureInfo("生产线燃料燃烧排放", "Lines: fuel combustion", _T, 0),
    "lines_e_process_t": FigureInfo("生产线过程排放", "Lines: process emissions", _T, 0),
    "lines_e_total_t": FigureInfo("生产线排放合计", "Lines: total", _T, 0),
    "other_facilities_e_t": FigureInfo("其他设施排放", "Other facilities", _T, 0),
    "e_direct_total_t": FigureInfo("企业直接排放", "Enterprise direct emissions", _T, 0, *FORMULAS["CF6"]),
    "intensity_lines_t_per_t": FigureInfo("生产线吨熟料排放", "Lines: emissions per t clinker", "tCO2/t", 4),
}


def is_line(form: FormSpec, unit: UnitRecord) -> bool:
    return form.option_attr("unit", unit.values, "unit_kind.clinker") is True


def calculate(
    report: ReportInput, pack: ParameterPack, form: FormSpec, progress: Callable[[int, int], None] | None = None
) -> ReportResult:
    """Emissions, intensities, allocation and compliance of one enterprise's data year."""
    return calculate_year(report, pack, form, progress, calculate_unit, aggregate)


def calculate_unit(unit: UnitRecord, report: ReportInput, pack: ParameterPack, form: FormSpec) -> UnitResult:
    """One unit's year, from that unit's records, the pack and the form only."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _Unit(unit, report, pack, form).run()


def aggregate(units: tuple[UnitResult, ...], report: ReportInput, pack: ParameterPack, form: FormSpec) -> ReportResult:
    """The enterprise's totals, allocation and compliance from its units' results."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        totals = _enterprise(units, report, form)
    missing = tuple(sorted({k for u in units for k in u.missing_parameters}))
    used = tuple(sorted({k for u in units for k in u.used_parameters}))
    return ReportResult(GUIDELINE, report.data_year, pack.label, units, totals, missing, used)


class _Unit:
    def __init__(self, unit: UnitRecord, report: ReportInput, pack: ParameterPack, form: FormSpec) -> None:
        self.unit, self.report, self.form = unit, report, form
        self.uid = unit.unit_id
        self.params = Params(pack)
        self.line = is_line(form, unit)
        self.method = str(unit.get("process_method") or DEFAULT_EF)
        self.type = str(unit.get("clinker_type") or "")

    def field(self, record: MonthRecord, field_id: str, unit: str) -> Figure:
        return input_figure(field_id, num(record.get(field_id)), unit, unit_path(self.uid, record.month, field_id))

    def material_row(self, record: MonthRecord, index: int, row: Any) -> RowResult:
        material = str(row.get("material") or "")

        def at(field_id: str) -> str:
            return unit_path(self.uid, record.month, field_id, MATERIALS, index)

        ad = input_figure("AD", num(row.get("consumption_t")), "t", at("consumption_t"))
        if material == CUSTOM:
            d = input_figure("D", num(row.get("custom_coefficient")), "tCO2/t", at("custom_coefficient"))
            source = CUSTOM
        else:
            d, source = self.params(f"deduction.{material}", "D"), PACK
        ded = derive("deduction_t", "tCO2", "CF5d", "AD × D", (ad, d), lambda a, b: a * b)
        return RowResult(
            index,
            material,
            {"consumption_t": ad, "coefficient": d, "deduction_t": ded},
            {"coefficient_source": source},
            MATERIALS,
        )

    def month(self, record: MonthRecord) -> tuple[MonthResult, dict[str, Any]]:
        fuel_rows = tuple(
            fuel_row(self.form, self.params, self.uid, record.month, FUELS, i, row)
            for i, row in enumerate(record.rows_of(FUELS))
        )
        e_fuel = month_sum("e_fuel_t", "tCO2", tuple(r.figures["e_t"] for r in fuel_rows))
        heat = month_sum("fuel_heat_gj", "GJ", tuple(r.figures["heat_gj"] for r in fuel_rows))
        figures: dict[str, Figure] = {"e_fuel_t": e_fuel, "fuel_heat_gj": heat}
        facts: dict[str, Any] = {
            "default_carbon": any(
                r.tags.get("carbon_source") == DEFAULT_CC
                and self.form.option_attr("fuel", {"fuel": r.kind}, "fuel.monthly_carbon_test") is True
                for r in fuel_rows
            ),
            "floored": False,
        }
        rows: tuple[RowResult, ...] = fuel_rows
        if not self.line:
            figures["e_total_t"] = derive("e_total_t", "tCO2", "CF1", "E_fuel", (e_fuel,), lambda e: e)
            return MonthResult(self.uid, record.month, figures, rows), facts
        q = self.field(record, "clinker_t", "t")
        limestone = self.field(record, "limestone_t", "t")
        material_rows = tuple(self.material_row(record, i, r) for i, r in enumerate(record.rows_of(MATERIALS)))
        rows = fuel_rows + material_rows
        carbide = month_sum(
            "carbide_slag_t",
            "t",
            tuple(r.figures["consumption_t"] for r in material_rows if r.kind == CARBIDE_SLAG),
        )
        figures.update({"clinker_t": q, "limestone_t": limestone, "carbide_slag_t": carbide})
        figures["electricity_mwh"] = self.field(record, "electricity_mwh", "MWh")
        if self.method == OXIDE:
            figures.update(self.oxide(record, q))
        else:
            ef = self.params(f"clinker_ef.{self.type}", "EF_clinker")
            gross = derive("e_process_gross_t", "tCO2", "CF5g", "Q × EF", (q, ef), lambda a, b: a * b)
            ded = month_sum("deduction_t", "tCO2", tuple(r.figures["deduction_t"] for r in material_rows))
            floor = self.params.switch("process_floor", "line_month")
            if floor == "line_month":
                proc = derive(
                    "e_process_t", "tCO2", "CF5", FORMULAS["CF5"][1], (gross, ded), lambda g, d: max(ZERO, g - d)
                )
            else:
                proc = derive("e_process_t", "tCO2", "CF5n", FORMULAS["CF5n"][1], (gross, ded), lambda g, d: g - d)
            facts["floored"] = gross.value is not None and ded.value is not None and gross.value - ded.value < 0
            figures.update({"e_process_gross_t": gross, "deduction_t": ded, "e_process_t": proc})
        figures["e_total_t"] = derive(
            "e_total_t", "tCO2", "CF1", FORMULAS["CF1"][1], (e_fuel, figures["e_process_t"]), lambda a, b: a + b
        )
        figures["intensity_total_t_per_t"] = intensity("intensity_total_t_per_t", "tCO2/t", figures["e_total_t"], q)
        figures["heat_gj_per_t"] = derive("heat_gj_per_t", "GJ/t", "H1", FORMULAS["H1"][1], (heat, q), safe_div)
        return MonthResult(self.uid, record.month, figures, rows), facts

    def oxide(self, record: MonthRecord, q: Figure) -> dict[str, Figure]:
        cao, mgo = self.field(record, "cao_pct", "%"), self.field(record, "mgo_pct", "%")
        cao_nc, mgo_nc = self.field(record, "cao_nc_pct", "%"), self.field(record, "mgo_nc_pct", "%")
        ef = derive(
            "ef_calc_t_per_t",
            "tCO2/t",
            "OX0",
            FORMULAS["OX0"][1],
            (cao, cao_nc, mgo, mgo_nc, _CO2_CAO, _CO2_MGO),
            lambda c, cn, m, mn, kc, km: (c - cn) / HUNDRED * kc + (m - mn) / HUNDRED * km,
        )
        kd = self.zero_if_absent(record, "kiln_dust_t")
        bpd = self.zero_if_absent(record, "bypass_dust_t")
        carb = derive(
            "e_carbonate_t", "tCO2", "OX1", FORMULAS["OX1"][1], (q, kd, bpd, ef), lambda a, b, c, e: (a + b + c) * e
        )
        raw = self.field(record, "raw_meal_t", "t")
        if num(record.get("nonfuel_carbon_pct")) is not None:
            fr0 = self.field(record, "nonfuel_carbon_pct", "%")
        else:
            high = self.unit.get("gangue_or_high_c_flyash") is True
            fr0 = self.params("nonfuel_carbon.high_pct" if high else "nonfuel_carbon.low_pct", "FR0")
        nonfuel = derive(
            "e_nonfuel_t", "tCO2", "OX2", FORMULAS["OX2"][1], (raw, fr0, C_TO_CO2), lambda r, f, k: r * f / HUNDRED * k
        )
        proc = derive("e_process_t", "tCO2", "OX3", FORMULAS["OX3"][1], (carb, nonfuel), lambda a, b: a + b)
        return {"ef_calc_t_per_t": ef, "e_carbonate_t": carb, "e_nonfuel_t": nonfuel, "e_process_t": proc}

    def zero_if_absent(self, record: MonthRecord, field_id: str) -> Figure:
        """Dusts leaving the system: none recorded means none (they only add to the output)."""
        value = num(record.get(field_id))
        return input_figure(
            field_id, ZERO if value is None else value, "t", unit_path(self.uid, record.month, field_id)
        )

    def run(self) -> UnitResult:
        months: list[MonthResult] = []
        default_carbon: list[int] = []
        floored: list[int] = []
        for record in self.unit.months:
            result, facts = self.month(record)
            months.append(result)
            if facts["default_carbon"]:
                default_carbon.append(record.month)
            if facts["floored"]:
                floored.append(record.month)

        def year_sum(name: str, unit: str) -> Figure:
            return month_sum(name, unit, tuple(m.figures[name] for m in months if name in m.figures))

        annual: dict[str, Figure] = {
            "e_fuel_t": year_sum("e_fuel_t", "tCO2"),
            "fuel_heat_gj": year_sum("fuel_heat_gj", "GJ"),
            "e_total_t": year_sum("e_total_t", "tCO2"),
        }
        for row_kind in (FUELS, MATERIALS):
            keys = sorted({r.kind for m in months for r in m.rows if r.rows == row_kind})
            measure = "consumption" if row_kind == FUELS else "consumption_t"
            for key in keys:
                annual[f"{measure}:{key}"] = month_sum(
                    f"{measure}:{key}",
                    "",
                    tuple(r.figures[measure] for m in months for r in m.rows if r.rows == row_kind and r.kind == key),
                )
        tags: dict[str, Any] = {
            "kind": "clinker_line" if self.line else "other_facility",
            "months_default_carbon": tuple(default_carbon),
        }
        if self.line:
            self.line_annual(months, annual, year_sum, floored, tags)
        return UnitResult(
            self.uid,
            tuple(months),
            annual,
            tags,
            tuple(sorted(self.params.missing)),
            tuple(sorted(self.params.used)),
        )

    def line_annual(
        self,
        months: list[MonthResult],
        annual: dict[str, Figure],
        year_sum: Callable[[str, str], Figure],
        floored: list[int],
        tags: dict[str, Any],
    ) -> None:
        for name, unit in (
            ("clinker_t", "t"),
            ("limestone_t", "t"),
            ("carbide_slag_t", "t"),
            ("electricity_mwh", "MWh"),
            ("e_process_t", "tCO2"),
        ):
            annual[name] = year_sum(name, unit)
        if self.method == OXIDE:
            annual["e_carbonate_t"] = year_sum("e_carbonate_t", "tCO2")
            annual["e_nonfuel_t"] = year_sum("e_nonfuel_t", "tCO2")
        else:
            annual["e_process_gross_t"] = year_sum("e_process_gross_t", "tCO2")
            annual["deduction_t"] = year_sum("deduction_t", "tCO2")
            if self.params.switch("process_floor", "line_month") == "line_year":
                net = annual["e_process_t"]
                annual["e_process_t"] = derive(
                    "e_process_t", "tCO2", "CF5y", FORMULAS["CF5y"][1], (net,), lambda v: max(ZERO, v)
                )
                annual["e_total_t"] = derive(
                    "e_total_t",
                    "tCO2",
                    "CF1",
                    FORMULAS["CF1"][1],
                    (annual["e_fuel_t"], annual["e_process_t"]),
                    lambda a, b: a + b,
                )
                floored = [] if net.value is None or net.value >= 0 else [0]
        q = annual["clinker_t"]
        for name, part in (
            ("intensity_total_t_per_t", "e_total_t"),
            ("intensity_process_t_per_t", "e_process_t"),
            ("intensity_fuel_t_per_t", "e_fuel_t"),
        ):
            annual[name] = intensity(name, "tCO2/t", annual[part], q)
        annual["heat_gj_per_t"] = derive(
            "heat_gj_per_t", "GJ/t", "H1", FORMULAS["H1"][1], (annual["fuel_heat_gj"], q), safe_div
        )
        annual["electricity_kwh_per_t"] = derive(
            "electricity_kwh_per_t",
            "kWh/t",
            "EL1",
            FORMULAS["EL1"][1],
            (annual["electricity_mwh"], q),
            lambda e, c: None if c == 0 else e * THOUSAND / c,
        )
        annual["carbide_slag_rate"] = derive(
            "carbide_slag_rate",
            "—",
            "R1",
            FORMULAS["R1"][1],
            (annual["carbide_slag_t"], annual["limestone_t"]),
            lambda c, lime: ZERO if c + lime == 0 else c / (c + lime),
        )
        threshold = self.params("allocation.carbide_slag_exception_rate", "threshold")
        rate = annual["carbide_slag_rate"].value
        carbide_exception = rate is not None and threshold.value is not None and rate > threshold.value
        exception = (
            carbide_exception
            or self.unit.get("white_clinker_only") is True
            or self.unit.get("gypsum_sulfuric_acid_coproduct") is True
        )
        alloc = allocate(
            self.params,
            self.unit,
            annual["e_total_t"],
            q,
            annual["intensity_total_t_per_t"],
            exception=exception,
            year=self.report.data_year,
        )
        annual.update(alloc.figures)
        tags.update(
            {
                "months_process_floored": tuple(floored),
                "allocation_exception": exception,
                "carbide_slag_exception": carbide_exception,
                "allocation_rule": alloc.rule,
            }
        )
        share_of = annual["allocation_t"]
        for i, month in enumerate(months):
            share = derive(
                "allocation_share_t",
                "t",
                "SH1",
                FORMULAS["SH1"][1],
                (share_of, month.figures["e_total_t"], annual["e_total_t"]),
                lambda a, e, total: None if total == 0 else a * e / total,
            )
            months[i] = MonthResult(
                month.unit_id, month.month, {**month.figures, "allocation_share_t": share}, month.rows
            )


def _enterprise(units: tuple[UnitResult, ...], report: ReportInput, form: FormSpec) -> dict[str, Figure]:
    lines = [u for u in units if u.tags.get("kind") == "clinker_line"]
    others = [u for u in units if u.tags.get("kind") != "clinker_line"]

    def over(group: list[UnitResult], name: str, unit: str, label: str | None = None) -> Figure:
        return month_sum(label or name, unit, tuple(u.annual[name] for u in group if name in u.annual))

    totals: dict[str, Figure] = {
        "clinker_t": over(lines, "clinker_t", "t"),
        "lines_e_fuel_t": over(lines, "e_fuel_t", "tCO2", "lines_e_fuel_t"),
        "lines_e_process_t": over(lines, "e_process_t", "tCO2", "lines_e_process_t"),
        "lines_e_total_t": over(lines, "e_total_t", "tCO2", "lines_e_total_t"),
        "other_facilities_e_t": over(others, "e_fuel_t", "tCO2", "other_facilities_e_t"),
        "electricity_mwh": over(lines, "electricity_mwh", "MWh"),
    }
    totals["e_direct_total_t"] = derive(
        "e_direct_total_t",
        "tCO2",
        "CF6",
        FORMULAS["CF6"][1],
        (totals["lines_e_total_t"], totals["other_facilities_e_t"]),
        lambda a, b: a + b,
    )
    totals["e_total_t"] = totals["e_direct_total_t"]
    totals["intensity_lines_t_per_t"] = intensity(
        "intensity_lines_t_per_t", "tCO2/t", totals["lines_e_total_t"], totals["clinker_t"]
    )
    for name in ("allocation_t", "obligation_t", "balance_t", "ccer_cap_t"):
        totals[name] = sum_known_all(name, "t", tuple(u.annual[name] for u in lines))
    ccer = num(report.year.get("ccer_used_t"))
    totals["ccer_used_t"] = input_figure("ccer_used_t", ccer, "t", "year.ccer_used_t")
    return totals


__all__ = [
    "CHART",
    "DEFAULT",
    "FIGURES",
    "FORMULAS",
    "GRID",
    "GUIDELINE",
    "REPORT_VIEW",
    "WORKBOOK",
    "calculate",
    "is_line",
]
