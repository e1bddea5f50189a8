"""Fuel combustion and the 2024–2025 industrial allocation, shared by the cement and aluminium guidelines.

Fuel combustion (cement CF2–CF4, aluminium AF2):

- E = FC × C_ar × OF × 44/12
- C_ar measured: C_ar% / 100, or C_ad/100 × (100 − M_ar)/(100 − M_ad)
- C_ar not measured: NCV × CC_default; NCV measured or the pack's default

Allocation, per allocated unit (clinker line, electrolysis process), plan of Nov 2025:

- rule ``verified_emissions`` (2024): A = E
- rule ``intensity_coefficient`` (2025, [U]): exceptions A = E; else X = (B − I)/B,
  α = clamp(slope × X, −cap, +cap), A = E × (1 + α); pre-allocation = share × prior-year verified,
  true-up = A − pre-allocation
- obligation = E; balance = A − obligation; CCER cap = share × obligation

Every number of a rule comes from the parameter pack; pack keys are ``fuel.ncv_default.<fuel>``,
``fuel.cc_default.<fuel>``, ``fuel.oxidation.<fuel>`` and ``allocation.*``, ``compliance.*``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop.domain.findings import FieldRef
from desktop.domain.records import Row, UnitRecord
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure, const_figure, derive, input_figure, param_figure, total
from desktop.engine.results import FigureInfo, RowResult
from desktop.formspec import FormSpec

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)
C_TO_CO2 = const_figure("44/12", Decimal(44) / Decimal(12), "tCO2/tC", "molar mass ratio CO2/C")

# where a value came from, in the words of the worked examples
MEASURED = "measured"
DEFAULT = "default"
DEFAULT_CC = "default_cc"

RULE_VERIFIED = "verified_emissions"
RULE_COEFFICIENT = "intensity_coefficient"

FUEL_FORMULAS: Mapping[str, tuple[str, str]] = {
    "F2": ("E_燃料 = FC × C_ar × OF × 44/12", "E_fuel = FC × C_ar × OF × 44/12"),
    "F3": ("C_ar = NCV × CC_缺省", "C_ar = NCV × CC_default"),
    "F4": ("C_ar = C_ad/100 × (100 − M_ar)/(100 − M_ad)", "C_ar = C_ad/100 × (100 − M_ar)/(100 − M_ad)"),
    "F4a": ("C_ar = 收到基元素碳含量/100", "C_ar = C_ar%/100"),
    "Q1": ("燃料热量 = FC × NCV", "heat input = FC × NCV"),
    "F6": ("年度值 = Σ 月度值", "annual = Σ monthly values"),
}

ALLOCATION_FORMULAS: Mapping[str, tuple[str, str]] = {
    "AL0": ("配额 = 经核查排放量", "A = verified emissions"),
    "AL1": ("偏离度 X = (平衡值 − 强度)/平衡值", "X = (B − I)/B"),
    "AL2": ("碳排放强度系数 α = 斜率 × X，限于 ±上限", "α = clamp(slope × X, ±cap)"),
    "AL3": ("配额 = 排放量 × (1 + α)", "A = E × (1 + α)"),
    "AL4": ("预分配 = 比例 × 上年经核查排放量", "pre-allocation = share × prior-year verified emissions"),
    "AL5": ("核定（补发/收回） = 配额 − 预分配", "true-up = A − pre-allocation"),
    "CP1": ("应清缴配额量 = 经核查排放量", "obligation = verified emissions"),
    "CP3": ("CCER 抵销上限 = 比例 × 应清缴配额量", "CCER cap = share × obligation"),
    "CP4": ("配额盈缺 = 配额 − 应清缴配额量", "balance = allocation − obligation"),
    "I1": ("排放强度 = 排放量/产量", "intensity = emissions/output"),
}

# The allocation and compliance figures every industry guideline computes through ``allocate``, named once
ALLOCATION_FIGURES: Mapping[str, FigureInfo] = {
    "deviation_x": FigureInfo("偏离度", "Deviation X", "—", 6, *ALLOCATION_FORMULAS["AL1"]),
    "coefficient_alpha": FigureInfo("碳排放强度系数", "Intensity coefficient α", "—", 6, *ALLOCATION_FORMULAS["AL2"]),
    "allocation_t": FigureInfo("配额", "Allocation", "t", 0, *ALLOCATION_FORMULAS["AL3"]),
    "pre_allocation_t": FigureInfo("预分配配额", "Pre-allocation", "t", 0, *ALLOCATION_FORMULAS["AL4"]),
    "true_up_t": FigureInfo("核定调整量", "True-up", "t", 0, *ALLOCATION_FORMULAS["AL5"]),
    "obligation_t": FigureInfo("应清缴配额量", "Allowances to surrender", "t", 0, *ALLOCATION_FORMULAS["CP1"]),
    "balance_t": FigureInfo("配额盈缺", "Surplus (+) or shortfall (−)", "t", 0, *ALLOCATION_FORMULAS["CP4"]),
    "ccer_cap_t": FigureInfo("CCER 抵销上限", "CCER offset cap", "t", 0, *ALLOCATION_FORMULAS["CP3"]),
    "ccer_used_t": FigureInfo("使用 CCER 抵销量", "CCER offsets used", "t", 0),
}


def num(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def safe_div(a: Decimal, b: Decimal) -> Decimal | None:
    return None if b == 0 else a / b


@dataclass
class Params:
    """The pack as one unit's calculation sees it: every key it used, and those without a value."""

    pack: ParameterPack
    used: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)

    def __call__(self, key: str, name: str | None = None) -> Figure:
        self.used.add(key)
        if key not in self.pack.parameters:
            self.missing.add(key)
            return Figure(name or key, None, "", "param", key)
        figure = param_figure(self.pack, key, name)
        if figure.value is None:
            self.missing.add(key)
        return figure

    def switch(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        param = self.pack.parameters.get(key)
        return default if param is None or param.value is None else param.value

    def has(self, key: str) -> bool:
        return key in self.pack.parameters


def unit_path(uid: str, month: int, field_id: str, rows: str | None = None, index: int | None = None) -> str:
    """Where an input figure came from, as the report's one path type writes it."""
    if rows is None:
        return FieldRef(uid, month, None, field_id).path
    return FieldRef(uid, month, index, field_id, rows=rows).path


def fuel_row(form: FormSpec, params: Params, uid: str, month: int, rows: str, index: int, row: Row) -> RowResult:
    """One fuel row of a month: heat, carbon content used (and where it came from), emissions."""
    fuel = str(row.get("fuel") or "")
    scope = form.row_kind(rows).scope
    cons_unit = str(form.option_attr(scope, row.values, "fuel.consumption_unit") or "")
    ncv_unit = str(form.option_attr(scope, row.values, "fuel.ncv_unit") or "")

    def at(field_id: str) -> str:
        return unit_path(uid, month, field_id, rows, index)

    fc = input_figure("FC", num(row.get("consumption")), cons_unit, at("consumption"))
    # a fuel the pack does not list carries its own defaults, entered with their source (custom_*)
    custom = form.option_attr(scope, row.values, "fuel.custom") is True
    if num(row.get("ncv")) is not None:
        ncv, ncv_source = input_figure("NCV", num(row.get("ncv")), ncv_unit, at("ncv")), MEASURED
    elif custom:
        ncv, ncv_source = input_figure("NCV", num(row.get("custom_ncv")), ncv_unit, at("custom_ncv")), DEFAULT
    else:
        ncv, ncv_source = params(f"fuel.ncv_default.{fuel}", "NCV"), DEFAULT
    heat = derive("heat_gj", "GJ", "Q1", "FC × NCV", (fc, ncv), lambda a, b: a * b)
    c_ar: Figure | None = None
    if row.get("carbon_measured") is True:
        if num(row.get("c_ar_pct")) is not None:
            c_pct = input_figure("C_ar%", num(row.get("c_ar_pct")), "%", at("c_ar_pct"))
            c_ar = derive("c_ar", f"tC/{cons_unit}", "F4a", "C_ar%/100", (c_pct,), lambda c: c / HUNDRED)
        else:
            c_ad = input_figure("C_ad", num(row.get("c_ad_pct")), "%", at("c_ad_pct"))
            m_ar = input_figure("M_ar", num(row.get("m_ar_pct")), "%", at("m_ar_pct"))
            m_ad = input_figure("M_ad", num(row.get("m_ad_pct")), "%", at("m_ad_pct"))
            c_ar = derive(
                "c_ar",
                f"tC/{cons_unit}",
                "F4",
                FUEL_FORMULAS["F4"][1],
                (c_ad, m_ar, m_ad),
                lambda c, mar, mad: None if mad == HUNDRED else c / HUNDRED * (HUNDRED - mar) / (HUNDRED - mad),
            )
    source = MEASURED
    if c_ar is None or c_ar.value is None:
        # not measured (or the measured values are incomplete, which the rules report): the default
        cc = (
            input_figure("CC", num(row.get("custom_cc")), "tC/GJ", at("custom_cc"))
            if custom
            else params(f"fuel.cc_default.{fuel}", "CC")
        )
        c_ar = derive("c_ar", f"tC/{cons_unit}", "F3", FUEL_FORMULAS["F3"][1], (ncv, cc), lambda a, b: a * b)
        source = DEFAULT_CC
    oxid = (
        input_figure("OF", num(row.get("custom_oxidation")), "—", at("custom_oxidation"))
        if custom
        else params(f"fuel.oxidation.{fuel}", "OF")
    )
    e = derive(
        "e_t",
        "tCO2",
        "F2",
        FUEL_FORMULAS["F2"][1],
        (fc, c_ar, oxid, C_TO_CO2),
        lambda a, c, o, k: a * c * o * k,
    )
    return RowResult(
        index,
        fuel,
        {"consumption": fc, "ncv": ncv, "c_ar": c_ar, "heat_gj": heat, "e_t": e},
        {"ncv_source": ncv_source, "carbon_source": source},
        rows,
    )


def month_sum(name: str, unit: str, parts: tuple[Figure, ...]) -> Figure:
    """A month's sum over its rows: zero when it has none (a month without fuel burnt none)."""
    if not parts:
        return Figure(name, ZERO, unit, "F6", "Σ " + name)
    return total(name, unit, parts)


def intensity(name: str, unit: str, emissions: Figure, output: Figure) -> Figure:
    return derive(name, unit, "I1", ALLOCATION_FORMULAS["I1"][1], (emissions, output), safe_div)


@dataclass(frozen=True)
class Allocation:
    figures: Mapping[str, Figure]
    rule: str | None  # the rule applied, in the words of the worked examples


def allocate(
    params: Params,
    unit: UnitRecord,
    emissions: Figure,
    output: Figure,
    intensity_figure: Figure,
    *,
    exception: bool,
    year: int,
) -> Allocation:
    """Allocation, obligation and balance of one allocated unit (per the pack's rule for the data year)."""
    rule = params.switch("allocation.rule")
    out: dict[str, Figure] = {
        "emissions_covered_t": emissions,
        "product_t": output,
        "intensity_t_per_t": intensity_figure,
    }
    label: str | None = None
    alloc: Figure
    if rule == RULE_VERIFIED:
        alloc = derive("allocation_t", "t", "AL0", ALLOCATION_FORMULAS["AL0"][1], (emissions,), lambda e: e)
        label = f"verified_emissions_{year}"
    elif rule == RULE_COEFFICIENT:
        if exception:
            alloc = derive("allocation_t", "t", "AL0", ALLOCATION_FORMULAS["AL0"][1], (emissions,), lambda e: e)
            label = f"verified_emissions_exception_{year}"
        else:
            entered = num(unit.year.get("balance_value_t_per_t"))
            if entered is not None:
                b = input_figure("B", entered, "t/t", _unit_year_path(unit, "balance_value_t_per_t"))
            else:
                b = params("allocation.balance_value", "B")
            x = derive("deviation_x", "—", "AL1", ALLOCATION_FORMULAS["AL1"][1], (b, intensity_figure), _deviation)
            slope, cap = params("allocation.coef_slope", "slope"), params("allocation.coef_cap", "cap")
            alpha = derive(
                "coefficient_alpha",
                "—",
                "AL2",
                ALLOCATION_FORMULAS["AL2"][1],
                (slope, x, cap),
                lambda s, xv, c: max(-c, min(c, s * xv)),
            )
            alloc = derive(
                "allocation_t",
                "t",
                "AL3",
                ALLOCATION_FORMULAS["AL3"][1],
                (emissions, alpha),
                lambda e, a: e * (ONE + a),
            )
            out.update({"balance_value_t_per_t": b, "deviation_x": x, "coefficient_alpha": alpha})
            label = "intensity_coefficient_U"
        prior = num(unit.year.get("prior_year_verified_t"))
        if prior is not None:
            share = params("allocation.pre_allocation_share", "share")
            prior_fig = input_figure("E_prior", prior, "t", _unit_year_path(unit, "prior_year_verified_t"))
            pre = derive(
                "pre_allocation_t", "t", "AL4", ALLOCATION_FORMULAS["AL4"][1], (share, prior_fig), lambda s, p: s * p
            )
            out["pre_allocation_t"] = pre
            out["true_up_t"] = derive(
                "true_up_t", "t", "AL5", ALLOCATION_FORMULAS["AL5"][1], (alloc, pre), lambda a, p: a - p
            )
    else:
        alloc = Figure("allocation_t", None, "t", "AL0", "no allocation rule in the pack")
    out["allocation_t"] = alloc
    obligation = derive("obligation_t", "t", "CP1", ALLOCATION_FORMULAS["CP1"][1], (emissions,), lambda e: e)
    out["obligation_t"] = obligation
    out["balance_t"] = derive(
        "balance_t", "t", "CP4", ALLOCATION_FORMULAS["CP4"][1], (alloc, obligation), lambda a, o: a - o
    )
    ccer = params("compliance.ccer_cap_share", "CCER share")
    out["ccer_cap_t"] = derive(
        "ccer_cap_t", "t", "CP3", ALLOCATION_FORMULAS["CP3"][1], (ccer, obligation), lambda s, o: s * o
    )
    return Allocation(out, label)


def _unit_year_path(unit: UnitRecord, field_id: str) -> str:
    return FieldRef(unit.unit_id, field=field_id, scope="unit_year").path


def _deviation(b: Decimal, i: Decimal) -> Decimal | None:
    return None if b == 0 else (b - i) / b


def sum_known_all(name: str, unit: str, parts: tuple[Figure, ...], formula: str = "F6") -> Figure:
    """A sum that is known only when every part is (the enterprise's allocation: not determinable when one
    unit's is not)."""
    if any(p.value is None for p in parts):
        return Figure(name, None, unit, formula, "Σ " + name, parts)
    return total(name, unit, parts, formula)


Compute = Callable[..., Decimal | None]
