"""Checks of the cement clinker guideline (shared/domain/cement-clinker.md §6, §8).

Hard errors block submission; plausibility ranges and manipulation signals are warnings that pass only
with a written justification.  Every threshold comes from the pack (``checks.*``); they are CarbonDesk
heuristics, never presented as regulation.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator, Mapping
from decimal import Decimal

from desktop.domain.findings import FieldRef, Finding, Message
from desktop.domain.records import MonthRecord, UnitRecord
from desktop.engine.results import UnitResult
from desktop.guidelines._industry.common import num
from desktop.guidelines._industry.rules import CL_PLAUS, range_finding, shared_messages, shared_rules
from desktop.guidelines.cement_clinker.calculation import CARBIDE_SLAG, FUELS, MATERIALS, OXIDE, is_line
from desktop.rules import common
from desktop.rules.base import RuleContext, finding, per_unit

P = "CEM"
CL_PROC = "核算指南·熟料生产过程排放"
CL_PROD = "核算指南·生产数据"
CL_ALLOC_EXC = "配额分配方案·水泥熟料生产线例外情形"
CL_CARBIDE = "配额分配方案·电石渣替代率"

MESSAGES: Mapping[str, Message] = {
    **shared_messages(P),
    "CEM-E001": Message("必填项“{label_zh}”未填写", 'required value "{label_en}" is missing'),
    "CEM-E002": Message(
        "“{label_zh}” = {value} {unit} 超出允许范围 [{min}, {max}]",
        '"{label_en}" = {value} {unit} is outside [{min}, {max}]',
    ),
    "CEM-E020": Message(
        "{month} 月的 {fields_zh} 缺少“{kind_zh}”扫描件：实测值必须有盖章检测报告",
        "month {month}: {fields_en} lack a scan of the {kind_en}; a measured value needs its sealed report",
    ),
    "CEM-W020": Message(
        "{month} 月的 {fields_zh} 缺少支撑材料“{kind_zh}”",
        "month {month}: {fields_en} lack supporting evidence ({kind_en})",
    ),
    "CEM-E030": Message(
        "生产线未选择熟料品种，无法取熟料排放因子",
        "the line has no clinker type, so its clinker emission factor cannot be chosen",
    ),
    "CEM-W040": Message(
        "吨熟料过程排放 {value} tCO2/t 高于该品种缺省排放因子 {ef}",
        "process emissions per t clinker {value} tCO2/t exceed the type's default factor {ef}",
    ),
    "CEM-W041": Message(
        "吨熟料过程排放 {value} tCO2/t 比缺省因子 {ef} 低 {margin} 以上，而该线不是电石渣生产线：请核对替代原料扣减",
        "process emissions per t clinker {value} tCO2/t are more than {margin} below the default factor {ef} on a "
        "line without carbide slag: check the raw-material deductions",
    ),
    "CEM-W042": Message(
        "吨熟料燃料热耗 {value} GJ/t 超出常见范围 {min}–{max}",
        "fuel heat per t clinker {value} GJ/t is outside the usual {min}–{max}",
    ),
    "CEM-W043": Message(
        "吨熟料排放 {value} tCO2/t 超出常见范围 {min}–{max}",
        "emissions per t clinker {value} tCO2/t are outside the usual {min}–{max}",
    ),
    "CEM-W044": Message(
        "燃煤收到基低位发热量 {value} GJ/t 超出常见范围 {min}–{max}",
        "coal NCV {value} GJ/t is outside the usual {min}–{max}",
    ),
    "CEM-W045": Message(
        "燃煤单位热值含碳量 {value} tC/GJ 超出常见范围 {min}–{max}（C_ar/NCV）",
        "coal carbon per unit heat {value} tC/GJ is outside the usual {min}–{max} (C_ar/NCV)",
    ),
    "CEM-W046": Message(
        "{month} 月熟料产量 {clinker} t 超过设计产能 {capacity} t/d × {days} 天 × {margin}",
        "month {month}: clinker output {clinker} t exceeds the design {capacity} t/d × {days} days × {margin}",
    ),
    "CEM-W047": Message(
        "{month} 月有燃料消耗但熟料产量为零（或相反）",
        "month {month}: fuel burnt but no clinker produced (or the reverse)",
    ),
    "CEM-W048": Message(
        "{month} 月“{material_zh}”消耗量占熟料产量 {share}%（常见上限 {limit}%）",
        "month {month}: {material_en} is {share} % of the clinker output (usual at most {limit} %)",
    ),
    "CEM-W049": Message(
        "{month} 月“{material_zh}”的扣减量占过程排放（扣减前）{share}%（超过 {limit}%）：请提供进厂与消耗凭证",
        "month {month}: the deduction for {material_en} is {share} % of gross process emissions (more than "
        "{limit} %): keep the delivery and consumption records at hand",
    ),
    "CEM-W051": Message(
        "电石渣替代率 {rate}% 接近配额例外门槛 {threshold}%：门槛附近的数值需有完整的进厂与消耗证据",
        "carbide-slag rate {rate} % is close to the {threshold} % exception threshold: values near it need full "
        "delivery and consumption evidence",
    ),
    "CEM-W052": Message(
        "吨熟料电耗 {value} kWh/t 超出常见范围 {min}–{max}",
        "electricity per t clinker {value} kWh/t is outside the usual {min}–{max}",
    ),
    "CEM-W053": Message(
        "生料非燃料碳之外，氧化物法过程排放 {oxide} t 与缺省因子法 {default} t 相差 {diff}%（超过 {limit}%）",
        "the oxide method gives {oxide} t of process emissions against {default} t by the default factor: "
        "{diff} % apart (more than {limit} %)",
    ),
    "CEM-W054": Message(
        "“{name}”为自定义替代原料（系数 {coefficient}）：核查时需提供系数来源",
        'custom raw material "{name}" (coefficient {coefficient}): the verifier will ask for its source',
    ),
    "CEM-I010": Message(
        "该生产线属于 {year} 年度配额例外情形（{reason_zh}）：配额 = 经核查排放量",
        "the line is a {year} allocation exception ({reason_en}): allocation = verified emissions",
    ),
    "CEM-I011": Message(
        "{months} 月过程排放扣减后为负，按零计",
        "months {months}: process emissions after deductions were negative and count as zero",
    ),
}


def _lines(ctx: RuleContext) -> Iterator[tuple[UnitRecord, UnitResult]]:
    for unit in ctx.report.units:
        result = ctx.result.unit(unit.unit_id)
        if result is not None and is_line(ctx.form, unit):
            yield unit, result


def _value(result: UnitResult, name: str) -> Decimal | None:
    figure = result.annual.get(name)
    return None if figure is None else figure.value


def _unit_ref(unit: UnitRecord, field: str | None = None) -> FieldRef:
    return FieldRef(unit.unit_id, None, None, field, "unit")


@per_unit
def clinker_type(ctx: RuleContext) -> list[Finding]:
    return [
        finding("CEM-E030", _unit_ref(unit, "clinker_type"), CL_PROC)
        for unit, _ in _lines(ctx)
        if unit.get("process_method") != OXIDE and not unit.get("clinker_type")
    ]


@per_unit
def process_intensity(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    margin = ctx.pack.number("checks.process_ef_margin")
    for unit, result in _lines(ctx):
        if unit.get("process_method") == OXIDE:
            continue
        value = _value(result, "intensity_process_t_per_t")
        key = f"clinker_ef.{unit.get('clinker_type')}"
        ef = ctx.pack.parameters[key].value if key in ctx.pack.parameters else None
        if value is None or not isinstance(ef, Decimal):
            continue
        ref = _unit_ref(unit, "clinker_type")
        carbide = (_value(result, "carbide_slag_t") or 0) > 0
        if value > ef:
            out.append(finding("CEM-W040", ref, CL_PROC, value=round(value, 4), ef=ef))
        elif value < ef - margin and not carbide:
            out.append(finding("CEM-W041", ref, CL_PROC, value=round(value, 4), ef=ef, margin=margin))
    return out


@per_unit
def line_ranges(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, result in _lines(ctx):
        white = unit.get("clinker_type") == "white_portland"
        carbide = (_value(result, "carbide_slag_t") or 0) > 0
        ref = _unit_ref(unit)
        suffix = "_white" if white else ""
        out += range_finding(
            ctx,
            "CEM-W042",
            ref,
            _value(result, "heat_gj_per_t"),
            f"checks.heat_gj_per_t{suffix}_min",
            f"checks.heat_gj_per_t{suffix}_max",
        )
        if not white:
            band = "_carbide" if carbide else ""
            out += range_finding(
                ctx,
                "CEM-W043",
                ref,
                _value(result, "intensity_total_t_per_t"),
                f"checks.intensity{band}_min",
                f"checks.intensity{band}_max",
            )
        out += range_finding(
            ctx,
            "CEM-W052",
            ref,
            _value(result, "electricity_kwh_per_t"),
            "checks.electricity_kwh_per_t_min",
            "checks.electricity_kwh_per_t_max",
        )
    return out


@per_unit
def coal_quality(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit in ctx.report.units:
        result = ctx.result.unit(unit.unit_id)
        if result is None:
            continue
        for month in result.months:
            for row in month.rows:
                if row.rows != FUELS or ctx.form.option_attr("fuel", {"fuel": row.kind}, "fuel.family") != "coal":
                    continue
                ref = FieldRef(unit.unit_id, month.month, row.index, "ncv", "fuel", FUELS)
                ncv = row.figures["ncv"].value if row.tags.get("ncv_source") == "measured" else None
                out += range_finding(ctx, "CEM-W044", ref, ncv, "checks.coal_ncv_min", "checks.coal_ncv_max")
                c_ar = row.figures["c_ar"].value
                if row.tags.get("carbon_source") == "measured" and ncv and c_ar is not None:
                    cc_ref = FieldRef(unit.unit_id, month.month, row.index, "c_ad_pct", "fuel", FUELS)
                    out += range_finding(
                        ctx, "CEM-W045", cc_ref, c_ar / ncv, "checks.coal_cc_min", "checks.coal_cc_max"
                    )
    return out


@per_unit
def monthly_output(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    margin = ctx.pack.number("checks.capacity_margin")
    year = ctx.report.data_year
    for unit, _ in _lines(ctx):
        capacity = num(unit.get("capacity_t_per_day"))
        for record in unit.months:
            clinker = num(record.get("clinker_t"))
            days = monthrange(year, record.month)[1]
            ref = FieldRef(unit.unit_id, record.month, None, "clinker_t", "month")
            if clinker is not None and capacity is not None and clinker > capacity * days * margin:
                out.append(
                    finding(
                        "CEM-W046",
                        ref,
                        CL_PROD,
                        month=record.month,
                        clinker=clinker,
                        capacity=capacity,
                        days=days,
                        margin=margin,
                    )
                )
            burnt = any((num(r.get("consumption")) or 0) > 0 for r in record.rows_of(FUELS))
            if clinker is not None and (clinker > 0) != burnt:
                out.append(finding("CEM-W047", ref, CL_PROD, month=record.month))
    return out


def _material_words(ctx: RuleContext, material: str) -> tuple[str, str]:
    option = ctx.form.enums["material"].option(material)
    return (option.label_zh, option.label_en) if option else (material, material)


@per_unit
def deductions(ctx: RuleContext) -> list[Finding]:
    """Deduction materials in unusual amounts: the cheapest lever on the 2024 method (shared/domain §8)."""
    out: list[Finding] = []
    share_limits = {
        "steel_slag": ctx.pack.number("checks.steel_slag_share_max"),
        "coal_fly_ash": ctx.pack.number("checks.coal_fly_ash_share_max"),
    }
    deduction_limit = ctx.pack.number("checks.deduction_share_max")
    for unit, result in _lines(ctx):
        for record, month in _paired(unit, result):
            clinker = num(record.get("clinker_t"))
            gross = month.figures.get("e_process_gross_t") if month else None
            for i, row in enumerate(record.rows_of(MATERIALS)):
                material = str(row.get("material") or "")
                used = num(row.get("consumption_t"))
                zh, en = _material_words(ctx, material)
                ref = FieldRef(unit.unit_id, record.month, i, "consumption_t", "raw_material", MATERIALS)
                limit = share_limits.get(material)
                if limit is not None and used is not None and clinker and used / clinker > limit:
                    out.append(
                        finding(
                            "CEM-W048",
                            ref,
                            CL_PROC,
                            month=record.month,
                            material_zh=zh,
                            material_en=en,
                            share=round(used / clinker * 100, 1),
                            limit=round(limit * 100),
                        )
                    )
                row_result = (
                    next((r for r in month.rows if r.rows == MATERIALS and r.index == i), None) if month else None
                )
                ded = row_result.figures["deduction_t"].value if row_result else None
                if (
                    material != CARBIDE_SLAG
                    and ded is not None
                    and gross is not None
                    and gross.value
                    and ded / gross.value > deduction_limit
                ):
                    out.append(
                        finding(
                            "CEM-W049",
                            ref,
                            CL_PROC,
                            month=record.month,
                            material_zh=zh,
                            material_en=en,
                            share=round(ded / gross.value * 100, 1),
                            limit=round(deduction_limit * 100),
                        )
                    )
                if material == "custom":
                    out.append(
                        finding(
                            "CEM-W054",
                            ref,
                            CL_PROC,
                            name=str(row.get("custom_name") or "—"),
                            coefficient=row.get("custom_coefficient") or "—",
                        )
                    )
    return out


def _paired(unit: UnitRecord, result: UnitResult) -> Iterator[tuple[MonthRecord, object]]:
    for record in unit.months:
        yield record, result.month(record.month)


@per_unit
def allocation_notes(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    band = ctx.pack.number("checks.carbide_rate_band")
    threshold = ctx.pack.number("allocation.carbide_slag_exception_rate")
    coefficient_rule = ctx.pack.switch("allocation.rule") == "intensity_coefficient"
    for unit, result in _lines(ctx):
        rate = _value(result, "carbide_slag_rate")
        if rate is not None and rate > 0 and abs(rate - threshold) <= band:
            out.append(
                finding(
                    "CEM-W051",
                    _unit_ref(unit),
                    CL_CARBIDE,
                    rate=round(rate * 100, 2),
                    threshold=round(threshold * 100, 1),
                )
            )
        if coefficient_rule and result.tags.get("allocation_exception"):
            reasons = []
            if result.tags.get("carbide_slag_exception"):
                reasons.append(("电石渣替代率超过门槛", "carbide-slag rate above the threshold"))
            if unit.get("white_clinker_only") is True:
                reasons.append(("仅生产白色硅酸盐水泥熟料", "white Portland clinker only"))
            if unit.get("gypsum_sulfuric_acid_coproduct") is True:
                reasons.append(("石膏制硫酸联产", "gypsum-to-sulphuric-acid co-product"))
            out.append(
                finding(
                    "CEM-I010",
                    _unit_ref(unit),
                    CL_ALLOC_EXC,
                    year=ctx.report.data_year,
                    reason_zh="；".join(r[0] for r in reasons),
                    reason_en="; ".join(r[1] for r in reasons),
                )
            )
        floored = result.tags.get("months_process_floored") or ()
        if floored:
            out.append(finding("CEM-I011", _unit_ref(unit), CL_PROC, months=", ".join(str(m) for m in floored)))
    return out


@per_unit
def oxide_cross_check(ctx: RuleContext) -> list[Finding]:
    """On a default-factor line whose oxide data are entered too, the two methods should agree within 5 %."""
    out: list[Finding] = []
    limit = ctx.pack.number("checks.oxide_vs_default_max")
    for unit, result in _lines(ctx):
        if unit.get("process_method") == OXIDE:
            continue
        oxide_total = Decimal(0)
        default_total = Decimal(0)
        seen = False
        for record in unit.months:
            values = [num(record.get(k)) for k in ("clinker_t", "cao_pct", "mgo_pct", "cao_nc_pct", "mgo_nc_pct")]
            month = result.month(record.month)
            if any(v is None for v in values) or month is None or month.figures["e_process_t"].value is None:
                continue
            q, cao, mgo, cao_nc, mgo_nc = values  # type: ignore[misc]
            dust = (num(record.get("kiln_dust_t")) or 0) + (num(record.get("bypass_dust_t")) or 0)
            oxide_total += (q + dust) * (
                (cao - cao_nc) / 100 * Decimal(44) / 56 + (mgo - mgo_nc) / 100 * Decimal(44) / 40
            )
            default_total += month.figures["e_process_t"].value
            seen = True
        if seen and default_total and abs(oxide_total - default_total) / default_total > limit:
            out.append(
                finding(
                    "CEM-W053",
                    _unit_ref(unit),
                    CL_PLAUS,
                    oxide=round(oxide_total),
                    default=round(default_total),
                    diff=round(abs(oxide_total - default_total) / default_total * 100, 1),
                    limit=round(limit * 100),
                )
            )
    return out


RULES = (
    *common.RULES,
    *shared_rules(P, month_change_fields=("clinker_t", "limestone_t", "electricity_mwh")),
    clinker_type,
    process_intensity,
    line_ranges,
    coal_quality,
    monthly_output,
    deductions,
    allocation_notes,
    oxide_cross_check,
)
