"""Aluminium smelting (铝冶炼, electrolysis): emissions per electrolysis process and month, the enterprise's
direct emissions (CO2, CF4, C2F6 as CO2e), intensities, allocation and compliance.

Formulas (shared/domain/aluminium-smelting.md §3; all [U], every number from the parameter pack):

- AF1  E_process = E_fuel + E_anode + E_PFC
- AF2  E_fuel = Σ FC × C_ar × OF × 44/12  (see ``_industry``)
- AF3  EF_anode = NC × (1 − S/100 − A/100) × 44/12; NC = net anode / P (else the default), S and A tested
       (else the defaults)
- AF4  E_anode = P × EF_anode
- AF6  E_PFC = P × (EF_CF4 × GWP_CF4 + EF_C2F6 × GWP_C2F6) / 1000
- AF7  EF_CF4 = slope × AEM, AEM = frequency × duration; EF_C2F6 = ratio × EF_CF4 (else the default factors)
- AF8  E_carbonate = Σ AD × EF × purity (enterprise level)
- AF9  E_enterprise = Σ processes + other facilities' fuel + carbonates
- AF10 intensity = E_process / P; AC kWh/t = AC MWh × 1000 / P
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import localcontext
from typing import Any

from desktop.domain.records import MonthRecord, ReportInput, UnitRecord
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure, derive, input_figure
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
    ONE,
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

GUIDELINE = "aluminium_smelting"
PRECISION = 34

FUELS = "fuels"
CARBONATES = "carbonates"
CUSTOM = "custom"
PFC_FROM_AEM = "anode_effect_minutes"

FORMULAS: Mapping[str, tuple[str, str]] = {
    **FUEL_FORMULAS,
    **ALLOCATION_FORMULAS,
    "AF1": ("E_工序 = E_燃料 + E_阳极 + E_PFC", "E_process = E_fuel + E_anode + E_PFC"),
    "AF3": ("EF_阳极 = NC × (1 − S/100 − A/100) × 44/12", "EF_anode = NC × (1 − S/100 − A/100) × 44/12"),
    "AF4": ("E_阳极 = 铝液产量 × EF_阳极", "E_anode = P × EF_anode"),
    "AF5": ("NC = 阳极净耗量/铝液产量", "NC = net anode consumption/P"),
    "AF6a": ("CF4 = 铝液产量 × EF_CF4/1000", "CF4 = P × EF_CF4/1000"),
    "AF6b": ("C2F6 = 铝液产量 × EF_C2F6/1000", "C2F6 = P × EF_C2F6/1000"),
    "AF6": ("E_PFC = CF4 × GWP_CF4 + C2F6 × GWP_C2F6", "E_PFC = CF4 × GWP_CF4 + C2F6 × GWP_C2F6"),
    "AF7a": ("AEM = 阳极效应系数 × 平均持续时间", "AEM = frequency × duration"),
    "AF7": ("EF_CF4 = 斜率 × AEM", "EF_CF4 = slope × AEM"),
    "AF7b": ("EF_C2F6 = 比值 × EF_CF4", "EF_C2F6 = ratio × EF_CF4"),
    "AF8": ("E_碳酸盐 = 消耗量 × EF × 纯度", "E_carbonate = AD × EF × purity"),
    "AF9": (
        "企业直接排放 = Σ 电解工序 + 其他设施燃料燃烧 + 碳酸盐分解",
        "E_enterprise = Σ processes + other facilities' fuel + carbonates",
    ),
    "CO2": ("CO2 排放 = 燃料燃烧 + 阳极消耗（+ 碳酸盐）", "CO2 = fuel + anode (+ carbonates)"),
    "AF10": ("吨铝交流电耗 = 交流电耗 × 1000/铝液产量", "AC kWh/t = AC MWh × 1000/P"),
    "NCW": ("产量加权阳极净耗 = Σ(NC × P)/ΣP", "weighted NC = Σ(NC × P)/ΣP"),
    "SH1": ("月度配额份额 = 配额 × 当月排放/全年排放", "month's share = allocation × month emissions/annual emissions"),
}

CHART = ChartSpec(
    bars="e_total_t",
    line="intensity_total_t_per_t",
    line_when="al_liquid_t",
    reference="allocation_t",
    reference_parameter="allocation.balance_value",
    share="allocation_share_t",
)


def _default_rows(unit: Mapping[str, Any], form: Any) -> str | None:
    """Potlines and casthouses burn natural gas (cell preheating, furnaces)."""
    return None if not unit.get("unit_kind") else "natural_gas"


GRID = GridSpec(
    month_figures=(
        "nc_t_per_t",
        "ef_anode_t_per_t",
        "e_anode_t",
        "aem_min_per_cell_day",
        "cf4_t",
        "c2f6_t",
        "e_pfc_t",
        "e_fuel_t",
        "e_carbonate_t",
        "e_total_t",
        "intensity_total_t_per_t",
        "ac_kwh_per_t",
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
    unit_computed=("e_anode_t", "e_pfc_t", "e_fuel_t", "e_total_t", "intensity_total_t_per_t"),
    month_computed=("e_anode_t", "e_pfc_t", "e_fuel_t", "e_total_t"),
    summary=("e_total_t", "allocation_t", "obligation_t"),
    compliance=("e_direct_total_t", "balance_t", "ccer_used_t", "ccer_cap_t"),
)

REPORT_VIEW = ReportView(
    unit_heading=("unit_kind", "cell_type", "current_ka"),
    row_figures=("c_ar", "e_t"),
    row_tag="carbon_source",
    month_figures=("e_anode_t", "e_pfc_t", "e_total_t"),
    expected_annual=("allocation_t",),
    explained=("e_direct_total_t", "allocation_t", "obligation_t", "balance_t"),
)

_E = "tCO2e"
FIGURES: Mapping[str, FigureInfo] = {
    # rows
    "consumption": FigureInfo("燃料消耗量", "Fuel consumption", "", 2),
    "ncv": FigureInfo("低位发热量（采用值）", "Net calorific value used", "GJ/unit", 3),
    "c_ar": FigureInfo("收到基含碳量（采用值）", "Carbon content used", "tC/unit", 6, *FUEL_FORMULAS["F4"]),
    "heat_gj": FigureInfo("燃料热量", "Heat input", "GJ", 1, *FUEL_FORMULAS["Q1"]),
    "e_t": FigureInfo("燃烧排放", "Combustion emissions", "tCO2", 3, *FUEL_FORMULAS["F2"]),
    "consumption_t": FigureInfo("碳酸盐消耗量", "Carbonate consumed", "t", 2),
    "purity": FigureInfo("纯度", "Purity", "%", 2),
    "carbonate_factor": FigureInfo("碳酸盐排放因子", "Carbonate factor", "tCO2/t", 4),
    "e_carbonate_t": FigureInfo("碳酸盐分解排放", "Carbonate decomposition", "tCO2", 1, *FORMULAS["AF8"]),
    # months and years of a unit
    "al_liquid_t": FigureInfo("铝液产量", "Aluminium liquid output", "t", 1),
    "net_anode_t": FigureInfo("阳极净耗量", "Net anode consumption", "t", 1),
    "nc_t_per_t": FigureInfo("吨铝阳极净耗", "Net anode consumption per t", "t/t", 6, *FORMULAS["AF5"]),
    "anode_s_pct": FigureInfo("阳极硫分（采用值）", "Anode sulphur used", "%", 2),
    "anode_ash_pct": FigureInfo("阳极灰分（采用值）", "Anode ash used", "%", 2),
    "ef_anode_t_per_t": FigureInfo("阳极消耗排放因子", "Anode emission factor", "tCO2/t", 6, *FORMULAS["AF3"]),
    "e_anode_t": FigureInfo("阳极消耗排放", "Anode emissions", "tCO2", 0, *FORMULAS["AF4"]),
    "aem_min_per_cell_day": FigureInfo(
        "阳极效应分钟数（每槽日）", "Anode-effect minutes per cell-day", "min", 5, *FORMULAS["AF7a"]
    ),
    "ef_cf4_kg_per_t": FigureInfo("CF4 排放因子", "CF4 factor", "kg/t", 6, *FORMULAS["AF7"]),
    "ef_c2f6_kg_per_t": FigureInfo("C2F6 排放因子", "C2F6 factor", "kg/t", 6, *FORMULAS["AF7b"]),
    "cf4_t": FigureInfo("CF4 排放量", "CF4 emitted", "t", 4, *FORMULAS["AF6a"]),
    "c2f6_t": FigureInfo("C2F6 排放量", "C2F6 emitted", "t", 4, *FORMULAS["AF6b"]),
    "e_pfc_t": FigureInfo("阳极效应排放（PFC）", "Anode-effect emissions (PFC)", _E, 0, *FORMULAS["AF6"]),
    "e_fuel_t": FigureInfo("化石燃料燃烧排放", "Fuel combustion emissions", "tCO2", 0, *FUEL_FORMULAS["F2"]),
    "fuel_heat_gj": FigureInfo("燃料热量", "Fuel heat input", "GJ", 1),
    "e_total_t": FigureInfo("排放量", "Emissions", _E, 0, *FORMULAS["AF1"]),
    "e_co2_t": FigureInfo("CO2 排放量", "CO2 emissions", "tCO2", 0, *FORMULAS["CO2"]),
    "ac_electricity_mwh": FigureInfo("交流电耗", "AC electricity", "MWh", 1),
    "ac_kwh_per_t": FigureInfo("吨铝交流电耗", "AC electricity per t", "kWh/t", 1, *FORMULAS["AF10"]),
    "nc_x_p": FigureInfo("阳极净耗 × 铝液产量", "Net anode per t × output", "t", 1),
    "processes_e_co2_t": FigureInfo("电解工序 CO2 排放", "Processes: CO2", "tCO2", 0),
    "nc_weighted_t_per_t": FigureInfo(
        "产量加权吨铝阳极净耗", "Output-weighted net anode consumption", "t/t", 6, *FORMULAS["NCW"]
    ),
    "intensity_total_t_per_t": FigureInfo("吨铝排放", "Emissions per t aluminium", "tCO2e/t", 4),
    "intensity_anode_t_per_t": FigureInfo("吨铝阳极排放", "Anode emissions per t", "tCO2/t", 4),
    "intensity_pfc_t_per_t": FigureInfo("吨铝 PFC 排放", "PFC per t", "tCO2e/t", 4),
    "allocation_share_t": FigureInfo("月度配额份额", "Month's share of the allocation", "t", 0, *FORMULAS["SH1"]),
    # allocation
    "emissions_covered_t": FigureInfo("纳入配额管理的排放量", "Emissions covered", _E, 0),
    "product_t": FigureInfo("铝液产量", "Aluminium liquid output", "t", 1),
    "intensity_t_per_t": FigureInfo("吨铝排放", "Emissions per t aluminium", "tCO2e/t", 6),
    "balance_value_t_per_t": FigureInfo("行业平衡值", "Sector balance value", "tCO2e/t", 4),
    **ALLOCATION_FIGURES,  # allocation and compliance, as every industry guideline names them
    # enterprise
    "processes_e_total_t": FigureInfo("电解工序排放合计", "Electrolysis processes: total", _E, 0),
    "processes_e_anode_t": FigureInfo("电解工序阳极排放", "Processes: anode", "tCO2", 0),
    "processes_e_pfc_t": FigureInfo("电解工序 PFC 排放", "Processes: PFC", _E, 0),
    "processes_e_fuel_t": FigureInfo("电解工序燃料排放", "Processes: fuel", "tCO2", 0),
    "other_facilities_e_t": FigureInfo("其他设施燃料燃烧排放", "Other facilities: fuel", "tCO2", 0),
    "e_direct_total_t": FigureInfo("企业直接排放", "Enterprise direct emissions", _E, 0, *FORMULAS["AF9"]),
    "intensity_processes_t_per_t": FigureInfo("电解工序吨铝排放", "Processes: emissions per t", "tCO2e/t", 4),
}


def is_potline(form: FormSpec, unit: UnitRecord) -> bool:
    return form.option_attr("unit", unit.values, "unit_kind.electrolysis") is True


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
        totals = _enterprise(units, report)
    missing = tuple(sorted({k for u in units for k in u.missing_parameters}))
    used = tuple(sorted({k for u in units for k in u.used_parameters}))
    return ReportResult(GUIDELINE, report.data_year, pack.label, units, totals, missing, used)


class _Unit:
    def __init__(self, unit: UnitRecord, report: ReportInput, pack: ParameterPack, form: FormSpec) -> None:
        self.unit, self.report, self.form = unit, report, form
        self.uid = unit.unit_id
        self.params = Params(pack)
        self.potline = is_potline(form, unit)

    def field(self, record: MonthRecord, field_id: str, unit: str) -> Figure:
        return input_figure(field_id, num(record.get(field_id)), unit, unit_path(self.uid, record.month, field_id))

    def carbonate_row(self, record: MonthRecord, index: int, row: Any) -> RowResult:
        material = str(row.get("material") or "")

        def at(field_id: str) -> str:
            return unit_path(self.uid, record.month, field_id, CARBONATES, index)

        ad = input_figure("AD", num(row.get("consumption_t")), "t", at("consumption_t"))
        purity_value = num(row.get("purity_pct"))
        purity = input_figure("purity", HUNDRED if purity_value is None else purity_value, "%", at("purity_pct"))
        if material == CUSTOM:
            ef = input_figure("EF", num(row.get("custom_factor")), "tCO2/t", at("custom_factor"))
        else:
            ef = self.params(f"carbonate_ef.{material}", "EF")
        e = derive(
            "e_carbonate_t", "tCO2", "AF8", FORMULAS["AF8"][1], (ad, ef, purity), lambda a, f, p: a * f * p / HUNDRED
        )
        return RowResult(
            index,
            material,
            {"consumption_t": ad, "carbonate_factor": ef, "purity": purity, "e_carbonate_t": e},
            {"purity_source": DEFAULT if purity_value is None else MEASURED},
            CARBONATES,
        )

    def month(self, record: MonthRecord) -> tuple[MonthResult, dict[str, Any]]:
        fuel_rows = tuple(
            fuel_row(self.form, self.params, self.uid, record.month, FUELS, i, row)
            for i, row in enumerate(record.rows_of(FUELS))
        )
        carbonate_rows = tuple(self.carbonate_row(record, i, r) for i, r in enumerate(record.rows_of(CARBONATES)))
        e_fuel = month_sum("e_fuel_t", "tCO2", tuple(r.figures["e_t"] for r in fuel_rows))
        figures: dict[str, Figure] = {
            "e_fuel_t": e_fuel,
            "fuel_heat_gj": month_sum("fuel_heat_gj", "GJ", tuple(r.figures["heat_gj"] for r in fuel_rows)),
            "e_carbonate_t": month_sum(
                "e_carbonate_t", "tCO2", tuple(r.figures["e_carbonate_t"] for r in carbonate_rows)
            ),
        }
        facts: dict[str, Any] = {"default_anode": False, "default_pfc": False}
        rows = fuel_rows + carbonate_rows
        if not self.potline:  # a facility's fuel and carbonates, both counted at enterprise level
            figures["e_total_t"] = derive(
                "e_total_t",
                "tCO2",
                "AF9",
                "E_fuel + E_carbonate",
                (e_fuel, figures["e_carbonate_t"]),
                lambda e, c: e + c,
            )
            return MonthResult(self.uid, record.month, figures, rows), facts
        p = self.field(record, "al_liquid_t", "t")
        sources: dict[str, str] = {}
        if num(record.get("net_anode_t")) is not None:
            net = self.field(record, "net_anode_t", "t")
            nc = derive("nc_t_per_t", "t/t", "AF5", FORMULAS["AF5"][1], (net, p), safe_div)
            sources["nc"] = MEASURED
            figures["net_anode_t"] = net
        else:
            nc = self.params("anode.nc_default", "NC")
            sources["nc"] = DEFAULT
        tested = record.get("anode_tested") is True
        s, sources["s"] = self.measured_or_default(record, tested, "anode_s_pct", "anode.s_default_pct", "S")
        a, sources["ash"] = self.measured_or_default(record, tested, "anode_ash_pct", "anode.ash_default_pct", "A")
        ef_anode = derive(
            "ef_anode_t_per_t",
            "tCO2/t",
            "AF3",
            FORMULAS["AF3"][1],
            (nc, s, a, C_TO_CO2),
            lambda n, sv, av, k: n * (ONE - sv / HUNDRED - av / HUNDRED) * k,
        )
        e_anode = derive("e_anode_t", "tCO2", "AF4", FORMULAS["AF4"][1], (p, ef_anode), lambda x, y: x * y)
        freq, duration = num(record.get("ae_frequency_per_cell_day")), num(record.get("ae_duration_min"))
        if freq is not None and duration is not None:
            aem = derive(
                "aem_min_per_cell_day",
                "min",
                "AF7a",
                FORMULAS["AF7a"][1],
                (
                    self.field(record, "ae_frequency_per_cell_day", "1/d"),
                    self.field(record, "ae_duration_min", "min"),
                ),
                lambda f, d: f * d,
            )
            ef_cf4 = derive(
                "ef_cf4_kg_per_t",
                "kg/t",
                "AF7",
                FORMULAS["AF7"][1],
                (self.params("pfc.cf4_slope", "slope"), aem),
                lambda k, m: k * m,
            )
            ef_c2f6 = derive(
                "ef_c2f6_kg_per_t",
                "kg/t",
                "AF7b",
                FORMULAS["AF7b"][1],
                (self.params("pfc.c2f6_to_cf4_ratio", "ratio"), ef_cf4),
                lambda r, e: r * e,
            )
            pfc_source = PFC_FROM_AEM
            figures["aem_min_per_cell_day"] = aem
        else:
            ef_cf4 = self.params("pfc.ef_cf4_default", "EF_CF4")
            ef_c2f6 = self.params("pfc.ef_c2f6_default", "EF_C2F6")
            pfc_source = DEFAULT
            figures["aem_min_per_cell_day"] = Figure(
                "aem_min_per_cell_day", None, "min", "AF7a", "not recorded: the default factors apply"
            )
        cf4 = derive("cf4_t", "t", "AF6a", FORMULAS["AF6a"][1], (p, ef_cf4), lambda x, e: x * e / THOUSAND)
        c2f6 = derive("c2f6_t", "t", "AF6b", FORMULAS["AF6b"][1], (p, ef_c2f6), lambda x, e: x * e / THOUSAND)
        e_pfc = derive(
            "e_pfc_t",
            "tCO2e",
            "AF6",
            FORMULAS["AF6"][1],
            (cf4, self.params("gwp.cf4", "GWP_CF4"), c2f6, self.params("gwp.c2f6", "GWP_C2F6")),
            lambda c, g, c2, g2: c * g + c2 * g2,
        )
        e_total = derive(
            "e_total_t", "tCO2e", "AF1", FORMULAS["AF1"][1], (e_fuel, e_anode, e_pfc), lambda f, an, pf: f + an + pf
        )
        figures.update(
            {
                "al_liquid_t": p,
                "nc_t_per_t": nc,
                "anode_s_pct": s,
                "anode_ash_pct": a,
                "ef_anode_t_per_t": ef_anode,
                "e_anode_t": e_anode,
                "ef_cf4_kg_per_t": ef_cf4,
                "ef_c2f6_kg_per_t": ef_c2f6,
                "cf4_t": cf4,
                "c2f6_t": c2f6,
                "e_pfc_t": e_pfc,
                "e_total_t": e_total,
                "e_co2_t": derive(
                    "e_co2_t", "tCO2", "CO2", FORMULAS["CO2"][1], (e_fuel, e_anode), lambda f, an: f + an
                ),
                "ac_electricity_mwh": self.field(record, "ac_electricity_mwh", "MWh"),
                "intensity_total_t_per_t": intensity("intensity_total_t_per_t", "tCO2e/t", e_total, p),
            }
        )
        figures["ac_kwh_per_t"] = derive(
            "ac_kwh_per_t",
            "kWh/t",
            "AF10",
            FORMULAS["AF10"][1],
            (figures["ac_electricity_mwh"], p),
            lambda e, q: None if q == 0 else e * THOUSAND / q,
        )
        facts["default_anode"] = DEFAULT in sources.values()
        facts["default_pfc"] = pfc_source == DEFAULT
        facts["sources"] = sources
        facts["pfc_source"] = pfc_source
        return MonthResult(self.uid, record.month, figures, rows), facts

    def measured_or_default(
        self, record: MonthRecord, tested: bool, field_id: str, key: str, name: str
    ) -> tuple[Figure, str]:
        if tested and num(record.get(field_id)) is not None:
            return self.field(record, field_id, "%"), MEASURED
        return self.params(key, name), DEFAULT

    def run(self) -> UnitResult:
        months: list[MonthResult] = []
        default_anode: list[int] = []
        default_pfc: list[int] = []
        month_sources: dict[int, Any] = {}
        for record in self.unit.months:
            result, facts = self.month(record)
            months.append(result)
            if facts["default_anode"]:
                default_anode.append(record.month)
            if facts["default_pfc"]:
                default_pfc.append(record.month)
            if "sources" in facts:
                month_sources[record.month] = {"anode_sources": facts["sources"], "pfc_source": facts["pfc_source"]}

        def year_sum(name: str, unit: str) -> Figure:
            return month_sum(name, unit, tuple(m.figures[name] for m in months if name in m.figures))

        annual: dict[str, Figure] = {
            "e_fuel_t": year_sum("e_fuel_t", "tCO2"),
            "fuel_heat_gj": year_sum("fuel_heat_gj", "GJ"),
            "e_carbonate_t": year_sum("e_carbonate_t", "tCO2"),
            "e_total_t": year_sum("e_total_t", "tCO2e"),
        }
        for row_kind, measure in ((FUELS, "consumption"), (CARBONATES, "consumption_t")):
            for key in sorted({r.kind for m in months for r in m.rows if r.rows == row_kind}):
                annual[f"{measure}:{key}"] = month_sum(
                    f"{measure}:{key}",
                    "",
                    tuple(r.figures[measure] for m in months for r in m.rows if r.rows == row_kind and r.kind == key),
                )
            if row_kind == CARBONATES:
                for key in sorted({r.kind for m in months for r in m.rows if r.rows == row_kind}):
                    annual[f"e_carbonate_t:{key}"] = month_sum(
                        f"e_carbonate_t:{key}",
                        "tCO2",
                        tuple(
                            r.figures["e_carbonate_t"]
                            for m in months
                            for r in m.rows
                            if r.rows == CARBONATES and r.kind == key
                        ),
                    )
        tags: dict[str, Any] = {
            "kind": "potline" if self.potline else "other_facility",
            "months_default_anode_params": tuple(default_anode),
            "months_default_pfc": tuple(default_pfc),
            "month_sources": month_sources,
        }
        if self.potline:
            self.potline_annual(months, annual, year_sum, tags)
        return UnitResult(
            self.uid, tuple(months), annual, tags, tuple(sorted(self.params.missing)), tuple(sorted(self.params.used))
        )

    def potline_annual(
        self,
        months: list[MonthResult],
        annual: dict[str, Figure],
        year_sum: Callable[[str, str], Figure],
        tags: dict[str, Any],
    ) -> None:
        for name, unit in (
            ("al_liquid_t", "t"),
            ("e_anode_t", "tCO2"),
            ("cf4_t", "t"),
            ("c2f6_t", "t"),
            ("e_pfc_t", "tCO2e"),
            ("e_co2_t", "tCO2"),
            ("ac_electricity_mwh", "MWh"),
        ):
            annual[name] = year_sum(name, unit)
        p = annual["al_liquid_t"]
        weighted = tuple(
            derive(
                "nc_x_p", "t", "NCW", "NC × P", (m.figures["nc_t_per_t"], m.figures["al_liquid_t"]), lambda n, q: n * q
            )
            for m in months
            if "nc_t_per_t" in m.figures
        )
        annual["nc_weighted_t_per_t"] = derive(
            "nc_weighted_t_per_t", "t/t", "NCW", FORMULAS["NCW"][1], (month_sum("nc_x_p", "t", weighted), p), safe_div
        )
        for name, part in (
            ("intensity_total_t_per_t", "e_total_t"),
            ("intensity_anode_t_per_t", "e_anode_t"),
            ("intensity_pfc_t_per_t", "e_pfc_t"),
        ):
            annual[name] = intensity(name, "t/t", annual[part], p)
        annual["ac_kwh_per_t"] = derive(
            "ac_kwh_per_t",
            "kWh/t",
            "AF10",
            FORMULAS["AF10"][1],
            (annual["ac_electricity_mwh"], p),
            lambda e, q: None if q == 0 else e * THOUSAND / q,
        )
        alloc = allocate(
            self.params,
            self.unit,
            annual["e_total_t"],
            p,
            annual["intensity_total_t_per_t"],
            exception=False,
            year=self.report.data_year,
        )
        annual.update(alloc.figures)
        tags["allocation_rule"] = alloc.rule
        for i, month in enumerate(months):
            share = derive(
                "allocation_share_t",
                "t",
                "SH1",
                FORMULAS["SH1"][1],
                (annual["allocation_t"], month.figures["e_total_t"], annual["e_total_t"]),
                lambda a, e, total: None if total == 0 else a * e / total,
            )
            months[i] = MonthResult(
                month.unit_id, month.month, {**month.figures, "allocation_share_t": share}, month.rows
            )


def _enterprise(units: tuple[UnitResult, ...], report: ReportInput) -> dict[str, Figure]:
    potlines = [u for u in units if u.tags.get("kind") == "potline"]
    others = [u for u in units if u.tags.get("kind") != "potline"]

    def over(group: list[UnitResult], name: str, unit: str, label: str | None = None) -> Figure:
        return month_sum(label or name, unit, tuple(u.annual[name] for u in group if name in u.annual))

    totals: dict[str, Figure] = {
        "al_liquid_t": over(potlines, "al_liquid_t", "t"),
        "processes_e_total_t": over(potlines, "e_total_t", "tCO2e", "processes_e_total_t"),
        "processes_e_anode_t": over(potlines, "e_anode_t", "tCO2", "processes_e_anode_t"),
        "processes_e_pfc_t": over(potlines, "e_pfc_t", "tCO2e", "processes_e_pfc_t"),
        "processes_e_fuel_t": over(potlines, "e_fuel_t", "tCO2", "processes_e_fuel_t"),
        "other_facilities_e_t": over(others, "e_fuel_t", "tCO2", "other_facilities_e_t"),
        "e_carbonate_t": over(list(units), "e_carbonate_t", "tCO2"),
        "cf4_t": over(potlines, "cf4_t", "t"),
        "c2f6_t": over(potlines, "c2f6_t", "t"),
        "ac_electricity_mwh": over(potlines, "ac_electricity_mwh", "MWh"),
    }
    for key in sorted({k for u in units for k in u.annual if k.startswith("e_carbonate_t:")}):
        totals[key] = over(list(units), key, "tCO2")
    totals["e_co2_t"] = derive(
        "e_co2_t",
        "tCO2",
        "CO2",
        FORMULAS["CO2"][1],
        (
            over(potlines, "e_co2_t", "tCO2", "processes_e_co2_t"),
            totals["other_facilities_e_t"],
            totals["e_carbonate_t"],
        ),
        lambda a, b, c: a + b + c,
    )
    totals["e_direct_total_t"] = derive(
        "e_direct_total_t",
        "tCO2e",
        "AF9",
        FORMULAS["AF9"][1],
        (totals["processes_e_total_t"], totals["other_facilities_e_t"], totals["e_carbonate_t"]),
        lambda a, b, c: a + b + c,
    )
    totals["e_total_t"] = totals["e_direct_total_t"]
    totals["intensity_processes_t_per_t"] = intensity(
        "intensity_processes_t_per_t", "tCO2e/t", totals["processes_e_total_t"], totals["al_liquid_t"]
    )
    for name in ("allocation_t", "obligation_t", "balance_t", "ccer_cap_t"):
        totals[name] = sum_known_all(name, "t", tuple(u.annual[name] for u in potlines))
    totals["ccer_used_t"] = input_figure("ccer_used_t", num(report.year.get("ccer_used_t")), "t", "year.ccer_used_t")
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
    "ZERO",
    "calculate",
]
