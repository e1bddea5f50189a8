"""Power generation units (发电设施): emissions, production figures, allocation and compliance.

Formulas (domain reference, section 4–6):

- F1  E = E_fuel + E_elec
- F2  E_fuel = Σ FC × C_ar × OF × 44/12
- F3  C_ar = NCV × CC                          (default carbon per unit heat)
- F4  C_ar = C_ad/100 × (100 − M_ar)/(100 − M_ad)   (coal, measured)
- F5  E_elec = AD_elec × EF_grid
- F6  annual = Σ months; a month's coal carbon stands on its own month

The engine never raises on incomplete data: a figure whose inputs are not all known is unknown
(``value is None``) and the rules report what is missing.  Every number of the regulation comes from
the parameter pack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from desktop.domain.findings import FieldRef
from desktop.domain.records import MonthRecord, ReportInput, Row, UnitRecord
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import (
    Figure,
    const_figure,
    derive,
    input_figure,
    param_figure,
    total,
)
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

GUIDELINE = "power_generation"

# Carbon-content sources, in the words of the worked examples.
MEASURED = "measured"
MEAN_OF_MEASURED = "mean_of_measured"
DEFAULT_CC = "default_cc"

RULE_DEFAULT_ONLY = "default_only"
RULE_MEAN_IF_MEASURED = "mean_if_3_measured_else_default"

BASIS_SUPPLY = "supply"
BASIS_GENERATION = "generation"

# Working precision of every calculation (34 significant digits, IEEE decimal128); rounding to reported
# places happens only at the edge.
PRECISION = 34

_ONE = Decimal(1)
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)
_C_TO_CO2 = const_figure("44/12", Decimal(44) / Decimal(12), "tCO2/tC", "molar mass ratio CO2/C")

FORMULAS: Mapping[str, tuple[str, str]] = {
    "F1": ("E = E_燃料 + E_电", "E = E_fuel + E_elec"),
    "F2": ("E_燃料 = FC × C_ar × OF × 44/12", "E_fuel = FC × C_ar × OF × 44/12"),
    "F3": ("C_ar = NCV × CC", "C_ar = NCV × CC"),
    "F4": ("C_ar = C_ad/100 × (100 − M_ar)/(100 − M_ad)", "C_ar = C_ad/100 × (100 − M_ar)/(100 − M_ad)"),
    "F5": ("E_电 = AD_电 × EF_电网", "E_elec = AD_elec × EF_grid"),
    "F6": ("年度值 = Σ 月度值", "annual = Σ monthly values"),
    "M1": ("C_ar = 实测月份 C_ar 的算术平均", "C_ar = arithmetic mean of the measured months' C_ar"),
    "Q1": ("燃料热量 = FC × NCV", "heat input = FC × NCV"),
    "X1": ("多计排放 = E_燃料 − FC × NCV × CC_参考 × OF × 44/12", "extra = E_fuel − FC × NCV × CC_ref × OF × 44/12"),
    "A1": ("年供热比 = Σ(月供热比 × 月燃料热量)/Σ 燃料热量", "heat ratio = Σ(month ratio × heat input)/Σ heat input"),
    "A2": ("负荷系数 = Σ发电量/(装机容量 × Σ运行小时)", "load factor = Σ generation/(MW × Σ hours)"),
    "A3": ("供电排放强度 = E × (1 − 供热比)/供电量", "supply intensity = E × (1 − heat ratio)/supply"),
    "A4": ("供热排放强度 = E × 供热比/供热量", "heat intensity = E × heat ratio/heat supplied"),
    "A5": (
        "供电煤耗 = Σ燃料热量/29.3076 × (1 − 供热比)/供电量 × 1000",
        "supply coal rate = Σ heat input/29.3076 × (1 − heat ratio)/supply × 1000",
    ),
    "M2": ("厂用电率 = 1 − 供电量/发电量", "auxiliary rate = 1 − supply/generation"),
    "M3": ("发电热耗 = 燃料热量/发电量", "heat rate = heat input/generation"),
    "M4": ("发电排放强度 = E/发电量", "emission per generation = E/generation"),
    "C1": ("冷却方式修正系数", "cooling correction F_cool"),
    "C2": ("供热量修正系数 = 1 − k × 供热比", "heat correction F_heat = 1 − k × heat ratio"),
    "C3": ("负荷（出力）系数修正系数（分段）", "load correction F_load (piecewise)"),
    "AL1": (
        "配额 = 供电量 × 基准值 × F_冷却 × F_供热 × F_负荷 + 供热量 × 供热基准值",
        "A = supply × B_e × F_cool × F_heat × F_load + heat × B_h",
    ),
    "AL2": (
        "配额 = 发电量 × 基准值 × F_冷却 × F_负荷 + 供热量 × 供热基准值",
        "A = generation × B_e × F_cool × F_load + heat × B_h",
    ),
    "CP1": ("履约义务（含燃气机组豁免）", "obligation (gas units: at most their allocation)"),
    "CP2": ("履约义务上限 = 配额 + 缺口上限比例 × 排放量", "obligation cap = allocation + cap fraction × emissions"),
    "CP3": ("CCER 抵销上限 = 5% × 应清缴配额量", "CCER cap = 5 % × obligation"),
    "CP4": ("配额盈缺 = 配额 − 履约义务", "balance = allocation − obligation"),
    "CP5": (
        "履约口径排放量 = 化石燃料燃烧排放（+ 购入电力排放，按年度方案）",
        "emissions under compliance = fuel emissions (+ purchased electricity, per the year's plan)",
    ),
    "CP6": (
        "清缴后盈缺 = 配额 + CCER + 结转配额 + 预支配额 − 应清缴配额量",
        "position after surrender = allocation + CCER + banked + borrowed − obligation",
    ),
    "AL4": ("配额的电量部分 = 配额 − 供热量 × 供热基准值", "electricity part = A − heat × B_h"),
    "AL3": (
        "月度配额份额 = 配额的电量部分 × 当月电量/全年电量 + 当月供热量 × 供热基准值",
        "month's share = electricity part × month output/annual output + month heat × B_h",
    ),
    "CP7": ("可结转上限 = 基数 + 系数 × 净卖出量", "banking cap = base + factor × net sales"),
    "A6": (
        "供热煤耗 = Σ燃料热量/29.3076 × 供热比/供热量 × 1000",
        "heat coal rate = Σ heat input/29.3076 × heat ratio/heat supplied × 1000",
    ),
    "A7": ("加权平均低位发热量 = Σ(FC × NCV)/ΣFC", "weighted NCV = Σ(FC × NCV)/Σ FC"),
    "A8": ("加权平均收到基元素碳 = Σ(FC × C_ar)/ΣFC", "weighted carbon content = Σ(FC × C_ar)/Σ FC"),
}

CHART = ChartSpec(
    bars="e_total_t",
    line="supply_intensity_t_per_mwh",
    line_when="supply_mwh",
    reference="allocation_t",
    reference_parameter="benchmark.electricity",
    share="allocation_share_t",
)

UNIT_FUEL_TO_FUEL = {"coal": "coal", "natural_gas": "natural_gas", "oil": "fuel_oil"}


def _main_fuel(unit: Mapping[str, Any], form: FormSpec) -> str | None:
    """The fuel row a unit shows before anything is typed: its declared fuel, else by its category."""
    main = UNIT_FUEL_TO_FUEL.get(str(unit.get("fuel_type") or ""))
    if main is None:
        category = form.enums["unit_category"].option(str(unit.get("category")))
        main = "natural_gas" if category is not None and category.attrs.get("family") == "gas" else "coal"
    return main


GRID = GridSpec(
    month_figures=(
        "e_fuel_t",
        "e_elec_t",
        "e_total_t",
        "extra_vs_measured_t",
        "aux_rate",
        "heat_rate_gj_per_mwh",
        "emission_per_generation_t_per_mwh",
        "supply_intensity_t_per_mwh",
        "supply_coal_rate_gce_per_kwh",
        "heat_coal_rate_kgce_per_gj",
        "supply_energy_rate_gce_per_kwh",
        "allocation_share_t",
    ),
    row_figures=(
        RowFigure("c_ar", 6, "收到基含碳量（采用值）", "carbon content used", "tC/{consumption_unit}"),
        RowFigure("e_fuel_t", 0, "燃烧排放", "combustion emissions", "tCO2"),
    ),
    source_tag="carbon_source",
    source_figure="c_ar",
    source_fields=("c_ad_pct", "m_ad_pct", "m_ar_pct", "ncv"),
    source_words={
        MEASURED: ("实测", "measured"),
        MEAN_OF_MEASURED: ("实测均值", "mean of measured"),
        DEFAULT_CC: ("缺省值", "default"),
    },
    row_annual={"consumption": "consumption:{key}"},
    default_rows=_main_fuel,
)

WORKBOOK = WorkbookView(
    unit_computed=("e_fuel_t", "e_elec_t", "e_total_t", "supply_intensity_t_per_mwh", "supply_coal_rate_gce_per_kwh"),
    month_computed=("e_fuel_t", "e_elec_t", "e_total_t"),
    summary=("e_total_t", "allocation_t", "obligation_t"),
    compliance=("balance_t", "ccer_used_t", "ccer_cap_t", "banked_in_t", "borrowed_t", "position_t"),
)

REPORT_VIEW = ReportView(
    unit_heading=("category", "capacity_mw"),
    row_figures=("c_ar", "e_fuel_t"),
    row_tag="carbon_source",
    month_figures=("e_elec_t", "e_total_t"),
    expected_annual=("allocation_t",),
    explained=("e_total_t", "allocation_t", "obligation_t", "balance_t"),
)

FIGURES: Mapping[str, FigureInfo] = {
    # intermediates of a provenance tree (named so a reader sees words, not the engine's names)
    "cc": FigureInfo("单位热值含碳量", "Carbon per unit of heat", "tC/GJ", 6),
    "CC_measured_mean": FigureInfo("实测月份单位热值含碳量平均值", "Mean measured carbon per unit of heat", "tC/GJ", 6),
    "FC×ncv": FigureInfo("燃料消耗量 × 低位发热量", "Consumption × NCV", "GJ", 1),
    "Σ FC×ncv": FigureInfo("Σ 燃料消耗量 × 低位发热量", "Σ consumption × NCV", "GJ", 1),
    "FC×c_ar": FigureInfo("燃料消耗量 × 收到基含碳量", "Consumption × carbon content", "tC", 3),
    "Σ FC×c_ar": FigureInfo("Σ 燃料消耗量 × 收到基含碳量", "Σ consumption × carbon content", "tC", 3),
    "ratio×Q": FigureInfo("供热比 × 燃料热量", "Heat ratio × heat input", "GJ", 1),
    "Σ ratio×Q": FigureInfo("Σ 供热比 × 燃料热量", "Σ heat ratio × heat input", "GJ", 1),
    "ΣFC": FigureInfo("燃料消耗量合计", "Total consumption", "", 2),
    "allocation_electricity_part_t": FigureInfo("配额的电量部分", "Allocation, electricity part", "tCO2", 0),
    "c_ar": FigureInfo("收到基元素碳含量", "Carbon content, as received", "tC/t", 6),
    "heat_input_gj": FigureInfo("燃料热量", "Fuel heat input", "GJ", 1),
    "e_fuel_t": FigureInfo("化石燃料燃烧排放", "Fuel combustion emissions", "tCO2", 0),
    "e_elec_t": FigureInfo("购入电力排放", "Purchased electricity emissions", "tCO2", 0),
    "e_total_t": FigureInfo("机组排放量", "Unit emissions", "tCO2", 0),
    "extra_vs_measured_t": FigureInfo("未实测多计排放", "Extra tCO2 from unmeasured carbon", "tCO2", 0),
    "aux_rate": FigureInfo("厂用电率", "Auxiliary rate", "—", 4),
    "heat_rate_gj_per_mwh": FigureInfo("发电热耗", "Heat rate", "GJ/MWh", 3),
    "emission_per_generation_t_per_mwh": FigureInfo("发电排放强度", "Emissions per generation", "tCO2/MWh", 4),
    "generation_mwh": FigureInfo("发电量", "Generation", "MWh", 1),
    "purchased_electricity_mwh": FigureInfo("购入使用电量", "Purchased electricity", "MWh", 1),
    "supply_mwh": FigureInfo("供电量", "Power supplied", "MWh", 1),
    "heat_supply_gj": FigureInfo("供热量", "Heat supplied", "GJ", 1),
    "operating_hours": FigureInfo("运行小时数", "Operating hours", "h", 1),
    "heat_ratio": FigureInfo("供热比", "Heat-supply ratio", "—", 4),
    "load_factor": FigureInfo("负荷（出力）系数", "Load factor", "—", 4),
    "supply_intensity_t_per_mwh": FigureInfo("供电碳排放强度", "Supply emission intensity", "tCO2/MWh", 4),
    "heat_intensity_t_per_gj": FigureInfo("供热碳排放强度", "Heat emission intensity", "tCO2/GJ", 4),
    "supply_coal_rate_gce_per_kwh": FigureInfo("供电煤耗", "Supply coal consumption rate", "gce/kWh", 2),
    "heat_coal_rate_kgce_per_gj": FigureInfo("供热煤耗", "Heat supply coal consumption rate", "kgce/GJ", 2),
    # Gas units burn no coal: the same ratios, as standard coal equivalent of the gas.
    "supply_energy_rate_gce_per_kwh": FigureInfo(
        "供电能耗（天然气折标准煤）", "Supply energy rate (gas as standard coal equivalent)", "gce/kWh", 2
    ),
    "heat_energy_rate_kgce_per_gj": FigureInfo(
        "供热能耗（天然气折标准煤）", "Heat supply energy rate (gas as standard coal equivalent)", "kgce/GJ", 2
    ),
    "ncv_weighted": FigureInfo("加权平均低位发热量", "Weighted net calorific value", "GJ/unit", 3),
    "c_ar_weighted": FigureInfo("加权平均收到基元素碳含量", "Weighted carbon content, as received", "tC/t", 6),
    "e_compliance_t": FigureInfo("履约口径排放量", "Emissions under compliance", "tCO2", 0),
    "f_cool": FigureInfo("冷却方式修正系数", "Cooling correction", "—", 4),
    "f_heat": FigureInfo("供热量修正系数", "Heat correction", "—", 6),
    "f_load": FigureInfo("负荷系数修正系数", "Load correction", "—", 6),
    "allocation_t": FigureInfo("配额量", "Allowances allocated", "tCO2", 0),
    "allocation_share_t": FigureInfo("当月配额（按产出分摊）", "Month's share of allowances", "tCO2", 0),
    "obligation_t": FigureInfo("应清缴配额量", "Compliance obligation", "tCO2", 0),
    "ccer_cap_t": FigureInfo("CCER 抵销上限", "CCER offset cap", "tCO2", 0),
    "balance_t": FigureInfo("配额盈缺", "Allowance surplus (+) / shortfall (−)", "tCO2", 0),
    "ccer_used_t": FigureInfo("实际使用 CCER 抵销量", "CCER offsets used", "tCO2", 0),
    "banked_in_t": FigureInfo("使用以前年度结转配额", "Banked allowances used", "tCO2", 0),
    "borrowed_t": FigureInfo("预支配额", "Allowances borrowed", "tCO2", 0),
    "position_t": FigureInfo("清缴后盈缺", "Position after surrender (+ surplus / − shortfall)", "tCO2", 0),
    "banking_cap_t": FigureInfo("可结转配额上限", "Banking cap", "tCO2", 0),
}

# Why a unit has no allocation (tag ``not_allocated``), in the words findings and reports use.
NOT_ALLOCATED_CATEGORY = "category"
NOT_ALLOCATED_COMMISSIONED = "commissioned_in_year"


def _family(form: FormSpec, enum: str, option: Any) -> str | None:
    found = form.enums[enum].option(str(option)) if option is not None else None
    return None if found is None else found.attrs.get("family")


def _num(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _safe_div(a: Decimal, b: Decimal) -> Decimal | None:
    return None if b == 0 else a / b


def _mul(a: Decimal, b: Decimal) -> Decimal:
    return a * b


def _aux_rate(supply: Figure, generation: Figure) -> Figure:
    return derive(
        "aux_rate", "—", "M2", FORMULAS["M2"][1], (supply, generation), lambda s, g: None if g == 0 else _ONE - s / g
    )


class _UnitCalc:
    """Working state of one unit's year."""

    def __init__(self, unit: UnitRecord, report: ReportInput, pack: ParameterPack, form: FormSpec) -> None:
        self.unit = unit
        self.report = report
        self.pack = pack
        self.form = form
        self.uid = unit.unit_id
        self.category = str(unit.get("category") or "")
        category = form.enums["unit_category"].option(self.category)
        self.family = (category.attrs.get("family") if category else None) or "other"
        self.conventional = bool(category.attrs.get("conventional")) if category else False
        self.missing: set[str] = set()
        self.used: set[str] = set()
        self.not_allocated = self.not_allocated_reason()

    # -- parameters --------------------------------------------------------------------------

    def param(self, key: str, name: str | None = None) -> Figure:
        figure = param_figure(self.pack, key, name)
        self.used.add(key)
        if figure.value is None:
            self.missing.add(key)
        return figure

    def path(self, month: int, field: str, fuel: int | None = None) -> str:
        return FieldRef(self.uid, month, fuel, field).path

    def field(self, record: MonthRecord, field: str, unit: str) -> Figure:
        return input_figure(field, _num(record.get(field)), unit, self.path(record.month, field))

    # -- month, pass 1: everything that does not depend on other months ----------------------

    def fuel_inputs(self, record: MonthRecord, index: int, row: Row) -> dict[str, Any]:
        fuel = row.get("fuel")
        family = _family(self.form, "fuel", fuel)
        cons_unit = self.form.option_attr("fuel", row.values, "fuel.consumption_unit") or ""
        ncv_unit = self.form.option_attr("fuel", row.values, "fuel.ncv_unit") or ""
        fc = input_figure(
            "FC", _num(row.get("consumption")), str(cons_unit), self.path(record.month, "consumption", index)
        )
        ncv_value = _num(row.get("ncv"))
        if ncv_value is None and family in ("gas", "oil"):
            ncv = self.param(f"default_ncv.{fuel}", "NCV")
        else:
            ncv = input_figure("NCV", ncv_value, str(ncv_unit), self.path(record.month, "ncv", index))
        heat = derive("heat_input_gj", "GJ", "Q1", "FC × NCV", (fc, ncv), lambda a, b: a * b)
        measured: Figure | None = None
        if family == "coal" and row.get("carbon_measured") is True:
            c_ad = input_figure("C_ad", _num(row.get("c_ad_pct")), "%", self.path(record.month, "c_ad_pct", index))
            m_ar = input_figure("M_ar", _num(row.get("m_ar_pct")), "%", self.path(record.month, "m_ar_pct", index))
            m_ad = input_figure("M_ad", _num(row.get("m_ad_pct")), "%", self.path(record.month, "m_ad_pct", index))
            measured = derive(
                "c_ar",
                "tC/t",
                "F4",
                FORMULAS["F4"][1],
                (c_ad, m_ar, m_ad),
                lambda c, mar, mad: None if mad == _HUNDRED else c / _HUNDRED * (_HUNDRED - mar) / (_HUNDRED - mad),
            )
        return {"fuel": fuel, "family": family, "fc": fc, "ncv": ncv, "heat": heat, "measured": measured}

    # -- carbon content choice ---------------------------------------------------------------

    def choose_carbon(self, rows: list[dict[str, Any]]) -> None:
        """Pick C_ar per fuel row: measured, mean of measured months, or the default (per the pack)."""
        rule = self.pack.switch("missing_carbon_rule")
        minimum = int(self.pack.number("min_measured_months_for_mean"))
        measured_by_fuel: dict[Any, list[Figure]] = {}
        for row in rows:
            if row["measured"] is not None and row["measured"].value is not None:
                measured_by_fuel.setdefault(row["fuel"], []).append(row["measured"])
        for row in rows:
            family = row["family"]
            if family == "coal":
                if row["measured"] is not None and row["measured"].value is not None:
                    row["c_ar"], row["source"] = row["measured"], MEASURED
                    continue
                same_fuel = measured_by_fuel.get(row["fuel"], [])
                if rule == RULE_MEAN_IF_MEASURED and len(same_fuel) >= minimum:
                    mean = derive(
                        "c_ar",
                        "tC/t",
                        "M1",
                        FORMULAS["M1"][1],
                        tuple(same_fuel),
                        lambda *vals: sum(vals, _ZERO) / Decimal(len(vals)),
                    )
                    row["c_ar"], row["source"] = mean, MEAN_OF_MEASURED
                    continue
                cc = self.param("default_cc.coal", "CC")
            elif family in ("gas", "oil"):
                cc = self.param(f"default_cc.{row['fuel']}", "CC")
            else:
                row["c_ar"] = Figure("c_ar", None, "", "F3", "unknown fuel")
                row["source"] = None
                continue
            row["c_ar"] = derive("c_ar", "tC/unit", "F3", FORMULAS["F3"][1], (row["ncv"], cc), lambda a, b: a * b)
            row["source"] = DEFAULT_CC

    def extra_vs_measured(self, row: dict[str, Any], mean_measured_cc: Figure | None, oxid: Figure) -> Figure | None:
        """What an unmeasured coal month costs against a measured-like estimate of its carbon."""
        if row["family"] != "coal" or row["source"] == MEASURED:
            return None
        ref_cc = mean_measured_cc if mean_measured_cc is not None else self.param("reference_cc.coal", "CC_ref")
        return derive(
            "extra_vs_measured_t",
            "tCO2",
            "X1",
            FORMULAS["X1"][1],
            (row["e_fuel"], row["fc"], row["ncv"], ref_cc, oxid, _C_TO_CO2),
            lambda e, fc, ncv, cc, of, k: e - fc * ncv * cc * of * k,
        )

    # -- the whole year ----------------------------------------------------------------------

    def run(self) -> UnitResult:
        records = sorted(self.unit.months, key=lambda m: m.month)
        rows: list[dict[str, Any]] = []
        for record in records:
            for index, fuel_row in enumerate(record.fuels):
                row = self.fuel_inputs(record, index, fuel_row)
                row["month"], row["index"] = record.month, index
                rows.append(row)
        self.choose_carbon(rows)

        # Mean measured carbon per unit heat, per fuel: the measured-like estimate for unmeasured months.
        mean_cc: dict[Any, Figure] = {}
        for fuel in {r["fuel"] for r in rows if r["family"] == "coal"}:
            ccs = [
                derive("cc", "tC/GJ", "F3", "C_ar / NCV", (r["measured"], r["ncv"]), _safe_div)
                for r in rows
                if r["fuel"] == fuel and r["source"] == MEASURED
            ]
            ccs = [c for c in ccs if c.value is not None]
            if ccs:
                mean_cc[fuel] = derive(
                    "CC_measured_mean",
                    "tC/GJ",
                    "M1",
                    "mean of measured C_ar/NCV",
                    tuple(ccs),
                    lambda *v: sum(v, _ZERO) / Decimal(len(v)),
                )

        grid = self.param("grid_ef", "EF_grid")
        month_results: list[MonthResult] = []
        rows_by_month: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            rows_by_month.setdefault(row["month"], []).append(row)
        for record in records:
            fuel_results: list[RowResult] = []
            for row in rows_by_month.get(record.month, []):
                family = row["family"]
                oxid = self.param(f"oxidation.{family}", "OF") if family in ("coal", "gas", "oil") else None
                if oxid is None:
                    e_fuel = Figure("e_fuel_t", None, "tCO2", "F2", "unknown fuel")
                else:
                    e_fuel = derive(
                        "e_fuel_t",
                        "tCO2",
                        "F2",
                        FORMULAS["F2"][1],
                        (row["fc"], row["c_ar"], oxid, _C_TO_CO2),
                        lambda fc, c, of, k: fc * c * of * k,
                    )
                row["e_fuel"] = e_fuel
                figures: dict[str, Figure] = {
                    "consumption": row["fc"],
                    "ncv": row["ncv"],
                    "c_ar": row["c_ar"],
                    "heat_input_gj": row["heat"],
                    "e_fuel_t": e_fuel,
                }
                if oxid is not None:
                    extra = self.extra_vs_measured(row, mean_cc.get(row["fuel"]), oxid)
                    if extra is not None:
                        figures["extra_vs_measured_t"] = extra
                fuel_results.append(
                    RowResult(
                        index=row["index"],
                        kind=str(row["fuel"]),
                        figures=figures,
                        tags={"carbon_source": row["source"], "family": family},
                    )
                )
            month_results.append(self.month_figures(record, tuple(fuel_results), grid))

        annual = self.annual(month_results)
        month_results = self.allocation_shares(month_results, annual)
        measured_months = {r["month"] for r in rows if r["family"] == "coal" and r["source"] == MEASURED}
        coal_months = sorted({r["month"] for r in rows if r["family"] == "coal"})
        not_measured = tuple(
            m
            for m in coal_months
            if any(r["source"] != MEASURED for r in rows_by_month.get(m, []) if r["family"] == "coal")
        )
        return UnitResult(
            unit_id=self.uid,
            months=tuple(month_results),
            annual=annual,
            tags={
                "category": self.category,
                "family": self.family,
                "not_allocated": self.not_allocated,
                "months_not_measured": not_measured,
                "months_measured": tuple(sorted(measured_months)),
            },
            missing_parameters=tuple(sorted(self.missing)),
            used_parameters=tuple(sorted(self.used)),
        )

    def month_figures(self, record: MonthRecord, fuels: tuple[RowResult, ...], grid: Figure) -> MonthResult:
        e_fuel = total("e_fuel_t", "tCO2", tuple(r.figures["e_fuel_t"] for r in fuels), "F2")
        if not fuels:
            e_fuel = Figure("e_fuel_t", _ZERO, "tCO2", "F2", "no fuel rows")
        elec = self.field(record, "purchased_electricity_mwh", "MWh")
        e_elec = derive("e_elec_t", "tCO2", "F5", FORMULAS["F5"][1], (elec, grid), lambda a, b: a * b)
        e_total = derive("e_total_t", "tCO2", "F1", FORMULAS["F1"][1], (e_fuel, e_elec), lambda a, b: a + b)
        heat = total("heat_input_gj", "GJ", tuple(r.figures["heat_input_gj"] for r in fuels), "Q1")
        gen = self.field(record, "generation_mwh", "MWh")
        supply = self.field(record, "supply_mwh", "MWh")
        figures: dict[str, Figure] = {
            "e_fuel_t": e_fuel,
            "e_elec_t": e_elec,
            "e_total_t": e_total,
            "heat_input_gj": heat,
            "generation_mwh": gen,
            "supply_mwh": supply,
            "heat_supply_gj": self.field(record, "heat_supply_gj", "GJ"),
            "heat_ratio": self.field(record, "heat_ratio", "—"),
            "operating_hours": self.field(record, "operating_hours", "h"),
            "load_factor": self.field(record, "load_factor", "—"),
            "purchased_electricity_mwh": elec,
            "aux_rate": _aux_rate(supply, gen),
            "heat_rate_gj_per_mwh": derive(
                "heat_rate_gj_per_mwh", "GJ/MWh", "M3", FORMULAS["M3"][1], (heat, gen), _safe_div
            ),
            "emission_per_generation_t_per_mwh": derive(
                "emission_per_generation_t_per_mwh", "tCO2/MWh", "M4", FORMULAS["M4"][1], (e_total, gen), _safe_div
            ),
        }
        figures.update(self.coal_rates(heat, figures["heat_ratio"], supply, figures["heat_supply_gj"]))
        figures["supply_intensity_t_per_mwh"] = derive(
            "supply_intensity_t_per_mwh",
            "tCO2/MWh",
            "A3",
            FORMULAS["A3"][1],
            (e_total, figures["heat_ratio"], supply),
            lambda e, hr, s: None if s == 0 else e * (_ONE - hr) / s,
        )
        extras = tuple(r.figures["extra_vs_measured_t"] for r in fuels if "extra_vs_measured_t" in r.figures)
        if extras:
            figures["extra_vs_measured_t"] = total("extra_vs_measured_t", "tCO2", extras, "X1")
        return MonthResult(self.uid, record.month, figures, fuels)

    def coal_rates(self, heat: Figure, ratio: Figure, supply: Figure, heat_supplied: Figure) -> dict[str, Figure]:
        """Supply and heat consumption rates in standard coal equivalent (gas units: of their gas)."""
        tce = self.param("standard_coal_gj_per_tce", "GJ/tce")
        gas = self.family == "gas"
        supply_key = "supply_energy_rate_gce_per_kwh" if gas else "supply_coal_rate_gce_per_kwh"
        heat_key = "heat_energy_rate_kgce_per_gj" if gas else "heat_coal_rate_kgce_per_gj"
        return {
            supply_key: derive(
                supply_key,
                "gce/kWh",
                "A5",
                FORMULAS["A5"][1],
                (heat, tce, ratio, supply),
                lambda q, k, hr, s: None if s == 0 else q / k * (_ONE - hr) / s * _THOUSAND,
            ),
            heat_key: derive(
                heat_key,
                "kgce/GJ",
                "A6",
                FORMULAS["A6"][1],
                (heat, tce, ratio, heat_supplied),
                lambda q, k, hr, h: None if h == 0 else q / k * hr / h * _THOUSAND,
            ),
        }

    def annual(self, months: list[MonthResult]) -> dict[str, Figure]:
        def sum_of(name: str, unit: str, formula: str = "F6") -> Figure:
            return total(name, unit, tuple(m.figures[name] for m in months), formula)

        a: dict[str, Figure] = {}
        for name, unit in (
            ("e_fuel_t", "tCO2"),
            ("e_elec_t", "tCO2"),
            ("e_total_t", "tCO2"),
            ("generation_mwh", "MWh"),
            ("supply_mwh", "MWh"),
            ("heat_supply_gj", "GJ"),
            ("heat_input_gj", "GJ"),
            ("operating_hours", "h"),
            ("purchased_electricity_mwh", "MWh"),
        ):
            a[name] = sum_of(name, unit)
        extras = tuple(m.figures["extra_vs_measured_t"] for m in months if "extra_vs_measured_t" in m.figures)
        if extras:
            a["extra_vs_measured_t"] = total("extra_vs_measured_t", "tCO2", extras, "X1")
        by_fuel: dict[str, list[Figure]] = {}
        for m in months:
            for row in m.rows:
                by_fuel.setdefault(row.kind, []).append(row.figures["consumption"])
        for fuel, parts in by_fuel.items():
            a[f"consumption:{fuel}"] = total(f"consumption:{fuel}", parts[0].unit, tuple(parts))

        weighted = tuple(
            derive(
                "ratio×Q",
                "GJ",
                "A1",
                "heat ratio × heat input",
                (m.figures["heat_ratio"], m.figures["heat_input_gj"]),
                lambda r, q: r * q,
            )
            for m in months
        )
        a["heat_ratio"] = derive(
            "heat_ratio",
            "—",
            "A1",
            FORMULAS["A1"][1],
            (total("Σ ratio×Q", "GJ", weighted), a["heat_input_gj"]),
            lambda w, q: _ZERO if q == 0 else w / q,
        )
        capacity = input_figure(
            "MW", _num(self.unit.get("capacity_mw")), "MW", FieldRef(self.uid, field="capacity_mw", scope="unit").path
        )
        a["load_factor"] = derive(
            "load_factor",
            "—",
            "A2",
            FORMULAS["A2"][1],
            (a["generation_mwh"], capacity, a["operating_hours"]),
            lambda g, mw, h: None if mw * h == 0 else g / (mw * h),
        )
        a["supply_intensity_t_per_mwh"] = derive(
            "supply_intensity_t_per_mwh",
            "tCO2/MWh",
            "A3",
            FORMULAS["A3"][1],
            (a["e_total_t"], a["heat_ratio"], a["supply_mwh"]),
            lambda e, hr, s: None if s == 0 else e * (_ONE - hr) / s,
        )
        a["heat_intensity_t_per_gj"] = derive(
            "heat_intensity_t_per_gj",
            "tCO2/GJ",
            "A4",
            FORMULAS["A4"][1],
            (a["e_total_t"], a["heat_ratio"], a["heat_supply_gj"]),
            lambda e, hr, h: None if h == 0 else e * hr / h,
        )
        a.update(self.coal_rates(a["heat_input_gj"], a["heat_ratio"], a["supply_mwh"], a["heat_supply_gj"]))
        a["aux_rate"] = _aux_rate(a["supply_mwh"], a["generation_mwh"])
        a.update(self.weighted_quality(months))
        a["e_compliance_t"] = self.compliance_emissions(a)
        a.update(self.allocation(a))
        return a

    def weighted_quality(self, months: list[MonthResult]) -> dict[str, Figure]:
        """Annual NCV and carbon content of the unit's main fuel family, weighted by consumption."""
        family = "gas" if self.family == "gas" else "coal"
        rows = [r for m in months for r in m.rows if r.tags.get("family") == family]
        if not rows:
            return {}
        fc = total("ΣFC", rows[0].figures["consumption"].unit, tuple(r.figures["consumption"] for r in rows))
        out: dict[str, Figure] = {}
        for key, part, formula, unit in (
            ("ncv_weighted", "ncv", "A7", rows[0].figures["ncv"].unit or "GJ/unit"),
            ("c_ar_weighted", "c_ar", "A8", "tC/t" if family == "coal" else "tC/unit"),
        ):
            products = tuple(
                derive(f"FC×{part}", unit, formula, f"FC × {part}", (r.figures["consumption"], r.figures[part]), _mul)
                for r in rows
            )
            out[key] = derive(
                key,
                unit,
                formula,
                FORMULAS[formula][1],
                (total(f"Σ FC×{part}", unit, products), fc),
                _safe_div,
            )
        return out

    def compliance_emissions(self, a: Mapping[str, Figure]) -> Figure:
        """Emissions the unit surrenders allowances for: with or without purchased electricity (pack)."""
        self.used.add("compliance.includes_indirect")
        scope = param_figure(self.pack, "compliance.includes_indirect", "scope")
        if self.pack.switch("compliance.includes_indirect") is True:
            part, why = a["e_total_t"], "fuel + purchased electricity (the year's plan covers indirect emissions)"
        else:
            part, why = a["e_fuel_t"], "fuel (direct) emissions only (the year's plan excludes indirect emissions)"
        return Figure("e_compliance_t", part.value, "tCO2", "CP5", why, (part, scope))

    def not_allocated_reason(self) -> str | None:
        if self.family not in ("coal", "gas"):
            return NOT_ALLOCATED_CATEGORY  # pure biomass, heat-only boilers
        commissioned = self.unit.get("commissioning_date")
        if (
            isinstance(commissioned, date)
            and commissioned.year == self.report.data_year
            and self.pack.switch("allocation.excludes_commissioned_in_year") is True
        ):
            self.used.add("allocation.excludes_commissioned_in_year")
            return NOT_ALLOCATED_COMMISSIONED
        return None

    # -- allocation --------------------------------------------------------------------------

    def allocation(self, a: Mapping[str, Figure]) -> dict[str, Figure]:
        out: dict[str, Figure] = {}
        if self.not_allocated is not None:
            return out
        basis = self.pack.switch("allocation.basis")
        if self.family == "coal" and self.unit.get("cooling") == "air":
            factor = self.param("f_cool.air_coal", "F_cool,air")
            f_cool = Figure("f_cool", factor.value, "—", "C1", "air-cooled coal unit", (factor,))
        else:
            f_cool = Figure("f_cool", _ONE, "—", "C1", "water-cooled or gas unit: no cooling correction")
        out["f_cool"] = f_cool
        if basis == BASIS_SUPPLY:
            slope = self.param(f"f_heat.{self.family}_slope", "k")
            out["f_heat"] = derive(
                "f_heat", "—", "C2", FORMULAS["C2"][1], (slope, a["heat_ratio"]), lambda k, hr: _ONE - k * hr
            )
        else:
            out["f_heat"] = Figure("f_heat", _ONE, "—", "C2", "generation basis: no heat correction")
        out["f_load"] = self.load_correction(a["load_factor"])

        bench_e = self.param(f"benchmark.electricity.{self.category}", "B_e")
        if a["heat_supply_gj"].value == 0:
            # No heat supplied: the heat term is zero whatever the heat benchmark (which may be unpublished).
            bench_h = const_figure("B_h", _ZERO, "tCO2/GJ", "no heat supplied: heat term is zero")
        else:
            bench_h = self.param(f"benchmark.heat.{self.family}", "B_h")
        if basis == BASIS_SUPPLY:
            out["allocation_t"] = derive(
                "allocation_t",
                "tCO2",
                "AL1",
                FORMULAS["AL1"][1],
                (a["supply_mwh"], bench_e, out["f_cool"], out["f_heat"], out["f_load"], a["heat_supply_gj"], bench_h),
                lambda s, be, fc, fh, fl, h, bh: s * be * fc * fh * fl + h * bh,
            )
        elif basis == BASIS_GENERATION:
            out["allocation_t"] = derive(
                "allocation_t",
                "tCO2",
                "AL2",
                FORMULAS["AL2"][1],
                (a["generation_mwh"], bench_e, out["f_cool"], out["f_load"], a["heat_supply_gj"], bench_h),
                lambda g, be, fc, fl, h, bh: g * be * fc * fl + h * bh,
            )
        else:
            out["allocation_t"] = Figure("allocation_t", None, "tCO2", "AL?", f"unknown allocation basis {basis!r}")

        if self.family == "gas" and self.pack.switch("compliance.gas_exempt_gap") is True:
            out["obligation_t"] = derive(
                "obligation_t",
                "tCO2",
                "CP1",
                "min(E, A): gas units surrender at most their allocation",
                (a["e_compliance_t"], out["allocation_t"]),
                min,
            )
        else:
            out["obligation_t"] = Figure(
                "obligation_t",
                a["e_compliance_t"].value,
                "tCO2",
                "CP1",
                "emissions under compliance (before the entity's gap cap)",
                (a["e_compliance_t"],),
            )
        return out

    def allocation_shares(self, months: list[MonthResult], annual: Mapping[str, Figure]) -> list[MonthResult]:
        """Each month's share of the allocation (its output at the year's benchmark and factors).

        The shares sum to the annual allocation; they let a chart show the allowance surplus or
        shortfall building up through the year.
        """
        if "allocation_t" not in annual:
            return months
        basis = self.pack.switch("allocation.basis")
        output = "supply_mwh" if basis == BASIS_SUPPLY else "generation_mwh"
        total_output, total_heat = annual[output], annual["heat_supply_gj"]
        electricity_part = derive(
            "allocation_electricity_part_t",
            "tCO2",
            "AL4",
            "A − heat × B_h",
            (annual["allocation_t"], total_heat, *[f for f in annual["allocation_t"].inputs if f.name == "B_h"]),
            lambda al, h, bh: al - h * bh,
        )
        out = []
        for m in months:
            share = derive(
                "allocation_share_t",
                "tCO2",
                "AL3",
                f"annual electricity part × month {output} / annual {output} + month heat × B_h",
                (
                    electricity_part,
                    m.figures[output],
                    total_output,
                    m.figures["heat_supply_gj"],
                    *[f for f in annual["allocation_t"].inputs if f.name == "B_h"],
                ),
                lambda part, mo, to, mh, bh: (part * mo / to if to else _ZERO) + mh * bh,
            )
            out.append(MonthResult(m.unit_id, m.month, {**m.figures, "allocation_share_t": share}, m.rows))
        return out

    def load_correction(self, load_factor: Figure) -> Figure:
        if not (self.family == "coal" and self.conventional):
            return Figure("f_load", _ONE, "—", "C3", "not a conventional coal unit: no load correction")
        if self.unit.get("chp") is True:
            self.used.add("f_load.applies_to_chp")
            if self.pack.switch("f_load.applies_to_chp") is not True:
                switch = param_figure(self.pack, "f_load.applies_to_chp", "F_load for CHP")
                return Figure(
                    "f_load", _ONE, "—", "C3", "CHP unit: the year's plan applies no load correction", (switch,)
                )
        keys = (
            "full",
            "band1_floor",
            "band1_slope",
            "band2_floor",
            "band2_base",
            "band2_slope",
            "low_base",
            "low_intercept",
            "low_slope",
        )
        params = tuple(self.param(f"f_load.{k}", k) for k in keys)

        def piecewise(
            f: Decimal,
            full: Decimal,
            b1f: Decimal,
            b1s: Decimal,
            b2f: Decimal,
            b2b: Decimal,
            b2s: Decimal,
            lb: Decimal,
            li: Decimal,
            ls: Decimal,
        ) -> Decimal:
            if f >= full:
                return _ONE
            if f >= b1f:
                return _ONE + b1s * (full - f) * _HUNDRED
            if f >= b2f:
                return b2b + b2s * (b1f - f) * _HUNDRED
            return lb ** (li - ls * f)

        return derive("f_load", "—", "C3", FORMULAS["C3"][1], (load_factor, *params), piecewise)


def calculate(
    report: ReportInput, pack: ParameterPack, form: FormSpec, progress: Callable[[int, int], None] | None = None
) -> ReportResult:
    """Emissions, production figures, allocation and compliance of one entity's data year.

    ``progress(done, total)`` is called after each unit; it may raise to cancel (long group years).
    """
    return calculate_year(report, pack, form, progress, calculate_unit, aggregate)


def calculate_unit(unit: UnitRecord, report: ReportInput, pack: ParameterPack, form: FormSpec) -> UnitResult:
    """One unit's year: it depends on that unit's records, the pack and the form only (so a save
    recalculates the units it touched and nothing else)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _UnitCalc(unit, report, pack, form).run()


def aggregate(units: tuple[UnitResult, ...], report: ReportInput, pack: ParameterPack, form: FormSpec) -> ReportResult:
    """The entity's totals and compliance from its units' results."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        totals = _entity_totals(units, pack, report)
    missing = tuple(sorted({k for u in units for k in u.missing_parameters}))
    used = {k for u in units for k in u.used_parameters}
    used |= {f.parameter.key for fig in totals.values() for f in fig.inputs if f.parameter is not None}
    return ReportResult(GUIDELINE, report.data_year, pack.label, units, totals, missing, tuple(sorted(used)))


def _entity_totals(units: tuple[UnitResult, ...], pack: ParameterPack, report: ReportInput) -> dict[str, Figure]:
    """Compliance is settled per entity: the gap cap applies to its emissions under compliance, the CCER
    cap to its obligation; offsets used and allowances carried between years settle the position."""

    def sum_of(name: str, unit: str, only_allocated: bool = False) -> Figure:
        parts = tuple(
            u.annual[name] for u in units if name in u.annual and (not only_allocated or "allocation_t" in u.annual)
        )
        return total(name, unit, parts)

    t: dict[str, Figure] = {
        name: sum_of(name, unit)
        for name, unit in (
            ("e_fuel_t", "tCO2"),
            ("e_elec_t", "tCO2"),
            ("e_total_t", "tCO2"),
            ("e_compliance_t", "tCO2"),
            ("generation_mwh", "MWh"),
            ("supply_mwh", "MWh"),
            ("heat_supply_gj", "GJ"),
            ("extra_vs_measured_t", "tCO2"),
        )
    }
    allocated = [u for u in units if "allocation_t" in u.annual]
    if not allocated:
        return t
    verified = sum_of("e_compliance_t", "tCO2", only_allocated=True)
    allocation = total("allocation_t", "tCO2", tuple(u.annual["allocation_t"] for u in allocated))
    if any(u.annual["allocation_t"].value is None for u in allocated):
        allocation = Figure(
            "allocation_t",
            None,
            "tCO2",
            "F6",
            "a unit's allocation is unknown",
            tuple(u.annual["allocation_t"] for u in allocated),
        )
    pre_cap = total("obligation_t", "tCO2", tuple(u.annual["obligation_t"] for u in allocated))
    t["allocation_t"] = allocation
    if pack.switch("compliance.gap_cap_enabled") is True:
        fraction = param_figure(pack, "compliance.gap_cap_fraction", "cap fraction")
        t["obligation_t"] = derive(
            "obligation_t",
            "tCO2",
            "CP2",
            "min(Σ obligations, A + cap × E)",
            (pre_cap, allocation, fraction, verified),
            lambda o, al, k, e: min(o, al + k * e),
        )
    else:
        t["obligation_t"] = pre_cap
    ccer = param_figure(pack, "compliance.ccer_cap_fraction", "CCER fraction")
    t["ccer_cap_t"] = derive(
        "ccer_cap_t", "tCO2", "CP3", FORMULAS["CP3"][1], (ccer, t["obligation_t"]), lambda k, o: k * o
    )
    t["balance_t"] = derive(
        "balance_t", "tCO2", "CP4", FORMULAS["CP4"][1], (allocation, t["obligation_t"]), lambda al, o: al - o
    )
    # What the entity actually surrenders besides this year's allocation (entered for the year).
    carried = []
    for key in ("ccer_used_t", "banked_in_t", "borrowed_t"):
        value = _num(report.year.get(key))
        t[key] = input_figure(key, value if value is not None else _ZERO, "tCO2", f"year.{key}")
        carried.append(t[key])
    t["position_t"] = derive(
        "position_t",
        "tCO2",
        "CP6",
        FORMULAS["CP6"][1],
        (allocation, *carried, t["obligation_t"]),
        lambda al, c, b, r, o: al + c + b + r - o,
    )
    net_sales = _num(report.year.get("net_sales_t"))
    if pack.switch("compliance.banking_cap_enabled") is True and net_sales is not None:
        t["banking_cap_t"] = derive(
            "banking_cap_t",
            "tCO2",
            "CP7",
            FORMULAS["CP7"][1],
            (
                param_figure(pack, "compliance.banking_cap_base_t", "base"),
                param_figure(pack, "compliance.banking_cap_sales_factor", "factor"),
                input_figure("net_sales_t", net_sales, "tCO2", "year.net_sales_t"),
            ),
            lambda base, k, sales: base + k * sales,
        )
    return t
