"""Validation rules of the power-generation guideline (domain reference, sections 8–9).

Hard errors block submission; plausibility ranges and fraud signals are warnings that pass only with
a written justification.  Every threshold comes from the parameter pack (``checks.*``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from statistics import mean, pstdev
from typing import Any

from desktop.domain.findings import FieldRef, Finding, Message
from desktop.domain.periods import hours_in_month, month_end
from desktop.domain.records import MonthRecord, Row, UnitRecord
from desktop.engine.results import MonthResult
from desktop.guidelines.power_generation.calculation import MEASURED, NOT_ALLOCATED_COMMISSIONED
from desktop.rules import common
from desktop.rules.base import PerUnitPart, RecentGroups, RuleContext, finding, per_unit

CL_F2 = "核算指南·燃料燃烧排放 (F2)"
CL_F4 = "核算指南·元素碳含量 (F4)"
CL_LAB = "核算指南·煤质检测与报告"
CL_PROD = "核算指南·生产数据"
CL_PLAUS = "CarbonDesk 合理性检查"
CL_ALLOC = "配额分配方案"
CL_LAB_2022 = "2022年4月核查通知·检测报告（月末后40日内出具；同一样品 C、NCV、H、S、水分）"
CL_COMPLIANCE = "碳排放权交易管理办法（试行）·配额清缴"

MESSAGES: Mapping[str, Message] = {
    # form-driven (declared in forms/power_generation.toml)
    "PWR-E001": Message("必填项“{label_zh}”未填写", 'required value "{label_en}" is missing'),
    "PWR-E002": Message(
        "“{label_zh}” = {value} {unit} 超出允许范围 [{min}, {max}]（不能为负）",
        '"{label_en}" = {value} {unit} is outside [{min}, {max}] (no negative quantities)',
    ),
    "PWR-E004": Message("负荷（出力）系数 {value} 应在 0–1 之间", "load factor {value} must be between 0 and 1"),
    "PWR-E005": Message("供热比 {value} 应在 0–1 之间", "heat-supply ratio {value} must be between 0 and 1"),
    "PWR-E008": Message(
        "“{label_zh}” = {value}% 不可能（应小于 100%）", '"{label_en}" = {value}% is impossible (must be below 100 %)'
    ),
    "PWR-E020": Message(
        "{month} 月的 {fields_zh} 缺少“{kind_zh}”扫描件：实测值必须有盖章检测报告",
        "month {month}: {fields_en} lack a scan of the {kind_en}; a measured value needs its sealed report",
    ),
    "PWR-W020": Message(
        "{month} 月的 {fields_zh} 缺少支撑材料“{kind_zh}”",
        "month {month}: {fields_en} lack supporting evidence ({kind_en})",
    ),
    # hard errors
    "PWR-E003": Message(
        "供电量 {supply} MWh 大于发电量 {generation} MWh",
        "power supplied {supply} MWh exceeds generation {generation} MWh",
    ),
    "PWR-E006": Message(
        "运行小时数 {hours} h 超过当月小时数 {limit} h", "operating hours {hours} h exceed the {limit} h of the month"
    ),
    "PWR-E007": Message(
        "收到基全水分 M_ar = {m_ar}% 小于空干基水分 M_ad = {m_ad}%，不可能",
        "total moisture M_ar = {m_ar}% is below air-dried moisture M_ad = {m_ad}%: impossible",
    ),
    "PWR-E009": Message(
        "检测报告日期顺序错误：应为 样品接收 ≤ 检测 ≤ 报告（{received} / {tested} / {reported}）",
        "lab report dates out of order: need received ≤ tested ≤ reported ({received} / {tested} / {reported})",
    ),
    "PWR-E010": Message(
        "年度申报的“{label_zh}” {declared} 不等于各月合计 {summed}",
        'declared annual "{label_en}" {declared} does not equal the sum of months {summed}',
    ),
    # plausibility and fraud signals
    "PWR-W001": Message(
        "燃煤收到基低位发热量 {value} GJ/t 超出常见范围 {min}–{max}",
        "coal NCV {value} GJ/t is outside the usual {min}–{max}",
    ),
    "PWR-W002": Message(
        "燃煤收到基元素碳 {value} tC/t 超出常见范围 {min}–{max}",
        "coal carbon content {value} tC/t is outside the usual {min}–{max}",
    ),
    "PWR-W003": Message(
        "实测单位热值含碳量 {value} tC/GJ 超出常见范围 {min}–{max}",
        "measured carbon per unit heat {value} tC/GJ is outside the usual {min}–{max}",
    ),
    "PWR-W004": Message(
        "厂用电率 {value} 超出常见范围 {min}–{max}", "auxiliary rate {value} is outside the usual {min}–{max}"
    ),
    "PWR-W005": Message(
        "供电煤耗 {value} gce/kWh 超出常见范围 {min}–{max}",
        "supply coal consumption rate {value} gce/kWh is outside the usual {min}–{max}",
    ),
    "PWR-W006": Message(
        "发电热耗 {value} GJ/MWh 超出常见范围 {min}–{max}", "heat rate {value} GJ/MWh is outside the usual {min}–{max}"
    ),
    "PWR-W007": Message(
        "发电排放强度 {value} tCO2/MWh 超出常见范围 {min}–{max}",
        "emissions per generation {value} tCO2/MWh are outside the usual {min}–{max}",
    ),
    "PWR-W008": Message(
        "空干基氢 {value}% 超出常见范围 {min}–{max}%", "hydrogen H_ad {value}% is outside the usual {min}–{max}%"
    ),
    "PWR-W009": Message(
        "“{label_zh}” 较上月变化 {change}%（{previous} → {value}），超过 {limit}% 且无说明",
        '"{label_en}" changed {change}% from last month ({previous} → {value}), above {limit}% with no note',
    ),
    "PWR-E011": Message(
        "检测报告日期 {reported} 距月末已 {days} 天：元素碳检测报告须在月末后 {limit} 天内出具",
        "lab report dated {reported}, {days} days after month end: the element-carbon report must be issued "
        "within {limit} days",
    ),
    "PWR-E012": Message(
        "检测报告日期 {reported} 晚于本月存证日期 {deposited}：存证时报告尚不存在",
        "lab report dated {reported}, after this month was deposited on {deposited}: the report did not exist yet",
    ),
    "PWR-E013": Message(
        "预支配额 {borrowed} tCO2，但 {year} 年度方案不允许预支",
        "{borrowed} tCO2 borrowed, but the {year} plan allows no borrowing",
    ),
    "PWR-E014": Message(
        "实际使用 CCER {used} tCO2 超过抵销上限 {cap} tCO2（应清缴配额量的 {percent}%）",
        "CCER used {used} tCO2 exceeds the offset cap {cap} tCO2 ({percent} % of the obligation)",
    ),
    "PWR-W011": Message(
        "检测报告日期 {reported} 早于所检月份开始，不可能是该月样品",
        "lab report dated {reported}, before the month began: it cannot test this month's coal",
    ),
    "PWR-W012": Message(
        "{lab} 于同一天 {reported} 出具了 {count} 份月度报告（{months} 月）：疑似一次检测充当多月",
        "{lab} issued {count} monthly reports on the same day {reported} (months {months}): "
        "one test passed off as several months?",
    ),
    "PWR-W013": Message("检测报告缺少 {missing_zh}", "lab report lacks {missing_en}"),
    "PWR-W018": Message(
        "检测报告编号 {report_no} 同时用于 {places_zh}：一份报告不能证明多个月份或机组",
        "report number {report_no} is used for {places_en}: one report cannot prove several months or units",
    ),
    "PWR-W019": Message(
        "同一份扫描件（{file}，SHA-256 {short}…）同时用于 {places_zh}",
        "the same scan ({file}, SHA-256 {short}…) is attached to {places_en}",
    ),
    "PWR-W021": Message(
        "{month} 月采用实测月份平均值，但未说明未检测原因（该缓解政策针对疫情导致的缺失月份）",
        "month {month} takes the mean of measured months but states no reason why it was not tested "
        "(the relief was for months lost to the epidemic)",
    ),
    "PWR-W022": Message(
        "低位发热量 {ncv} GJ/t 与同一样品的 C、H、S、水分按门捷列夫公式推算的 {estimate} GJ/t 相差 {diff}%（超过 {band}%）",
        "NCV {ncv} GJ/t differs by {diff} % from {estimate} GJ/t estimated by Mendeleev's formula from C, H, S and "
        "moisture of the same sample (more than {band} %)",
    ),
    "PWR-W031": Message(
        "参数“{name_zh}” = {value} {unit} 未经官方确认：请确认，或按主管部门公布值修改并注明来源",
        'parameter "{name_en}" = {value} {unit} is not confirmed: confirm it, or enter the official value with '
        "its source",
    ),
    "PWR-W032": Message(
        "清缴后盈余 {surplus} tCO2 超过可结转上限 {cap} tCO2：超出部分 {excess} tCO2 不能结转",
        "the surplus after surrender, {surplus} tCO2, exceeds the banking cap {cap} tCO2: {excess} tCO2 cannot be "
        "carried forward",
    ),
    "PWR-W040": Message(
        "机组装机容量 {capacity} MW 按 {threshold} MW 界限应属“{expected_zh}”，但登记为“{category_zh}”",
        'rated capacity {capacity} MW belongs to "{expected_en}" by the {threshold} MW threshold, but the unit is '
        'registered as "{category_en}"',
    ),
    "PWR-I003": Message(
        "机组 {unit} 于 {date} 投产，当年照常核算和报告，但不参与 {year} 年度配额分配和清缴",
        "unit {unit} was commissioned on {date}: it is accounted and reported, but gets no allocation for {year} "
        "and surrenders none",
    ),
    "PWR-I004": Message(
        "{year} 年度配额须于 {deadline} 前清缴（应清缴 {obligation} tCO2）",
        "allowances for {year} must be surrendered by {deadline} (obligation {obligation} tCO2)",
    ),
    "PWR-W014": Message(
        "实测元素碳数据过于稳定：{detail_zh}", "measured carbon data are implausibly stable: {detail_en}"
    ),
    "PWR-W015": Message(
        "{month} 月燃煤元素碳未实测，采用{source_zh}，比实测水平约多计 {extra} tCO2",
        "month {month}: coal carbon not measured; {source_en} used, about {extra} tCO2 more than a measured month",
    ),
    "PWR-W016": Message("供热数据不一致：{detail_zh}", "heat data inconsistent: {detail_en}"),
    "PWR-W017": Message(
        "填报负荷系数 {reported} 与 发电量/(装机×小时) = {computed} 相差超过 {limit}",
        "reported load factor {reported} differs from generation/(MW × hours) = {computed} by more than {limit}",
    ),
    "PWR-W030": Message(
        "参数包“{pack_zh}”中缺少“{name_zh}”的官方值，无法计算{what_zh}；请在设置中填入主管部门公布的数值并注明来源",
        'the pack "{pack_en}" has no official value for "{name_en}", so {what_en} cannot be calculated; '
        "enter the published value in the settings with its source",
    ),
    "PWR-I001": Message(
        "计算使用了 {count} 个未经证实（U）的参数：{names_zh}",
        "the calculation used {count} unconfirmed (U) parameters: {names_en}",
    ),
    "PWR-I002": Message(
        "参数“{name_zh}”已由用户修改：{original} → {value}，理由：{reason}",
        'parameter "{name_en}" overridden by the user: {original} → {value}; reason: {reason}',
    ),
}


def _family(ctx: RuleContext, row: Row) -> str | None:
    return ctx.form.option_attr("fuel", row.values, "fuel.family")


def _unit_family(ctx: RuleContext, unit: UnitRecord) -> str:
    option = ctx.form.enums["unit_category"].option(str(unit.get("category")))
    return str(option.attrs.get("family")) if option else "other"


def _months(ctx: RuleContext) -> Iterator[tuple[UnitRecord, MonthRecord, MonthResult | None]]:
    for unit in ctx.report.units:
        result = ctx.result.unit(unit.unit_id)
        for record in unit.months:
            yield unit, record, result.month(record.month) if result else None


def _num(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _ref(unit: UnitRecord, month: int | None = None, field: str | None = None, fuel: int | None = None) -> FieldRef:
    scope = "fuel" if fuel is not None else "month" if month is not None else "unit"
    return FieldRef(unit.unit_id, month, fuel, field, scope)


def _range_check(
    ctx: RuleContext, code: str, value: Decimal | None, key: str, ref: FieldRef, clause: str = CL_PLAUS
) -> list[Finding]:
    if value is None:
        return []
    low, high = ctx.pack.number(f"checks.{key}_min"), ctx.pack.number(f"checks.{key}_max")
    if low <= value <= high:
        return []
    return [finding(code, ref, clause, value=round(value, 4), min=low, max=high)]


# ---------------------------------------------------------------------------- hard errors


@per_unit
def production_consistency(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, record, _ in _months(ctx):
        gen, supply = _num(record.get("generation_mwh")), _num(record.get("supply_mwh"))
        if gen is not None and supply is not None and supply > gen:
            out.append(
                finding("PWR-E003", _ref(unit, record.month, "supply_mwh"), CL_PROD, supply=supply, generation=gen)
            )
        hours = _num(record.get("operating_hours"))
        limit = hours_in_month(ctx.report.data_year, record.month)
        if hours is not None and hours > limit:
            out.append(
                finding("PWR-E006", _ref(unit, record.month, "operating_hours"), CL_PROD, hours=hours, limit=limit)
            )
    return out


@per_unit
def moisture_order(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, record, _ in _months(ctx):
        for i, row in enumerate(record.fuels):
            m_ar, m_ad = _num(row.get("m_ar_pct")), _num(row.get("m_ad_pct"))
            if m_ar is not None and m_ad is not None and m_ar < m_ad:
                out.append(finding("PWR-E007", _ref(unit, record.month, "m_ar_pct", i), CL_F4, m_ar=m_ar, m_ad=m_ad))
    return out


@per_unit
def lab_dates(ctx: RuleContext) -> list[Finding]:
    """Receipt ≤ test ≤ report; the report neither before the month nor absurdly late after it."""
    out: list[Finding] = []
    lag_limit = int(ctx.pack.number("lab.report_within_days"))
    year = ctx.report.data_year
    for unit, record, _ in _months(ctx):
        for i, row in enumerate(record.fuels):
            received, tested, reported = (row.get(k) for k in ("sample_received_date", "test_date", "report_date"))
            chain = [d for d in (received, tested, reported) if isinstance(d, date)]
            if any(a > b for a, b in pairwise(chain)):
                out.append(
                    finding(
                        "PWR-E009",
                        _ref(unit, record.month, "report_date", i),
                        CL_LAB,
                        received=_iso(received),
                        tested=_iso(tested),
                        reported=_iso(reported),
                    )
                )
            if isinstance(reported, date):
                end = month_end(year, record.month)
                if reported < end.replace(day=1):
                    out.append(
                        finding(
                            "PWR-W011",
                            _ref(unit, record.month, "report_date", i),
                            CL_LAB,
                            reported=reported.isoformat(),
                        )
                    )
                elif reported > end + timedelta(days=lag_limit):
                    out.append(
                        finding(
                            "PWR-E011",
                            _ref(unit, record.month, "report_date", i),
                            CL_LAB_2022,
                            reported=reported.isoformat(),
                            days=(reported - end).days,
                            limit=lag_limit,
                        )
                    )
                if record.deposited_on is not None and reported > record.deposited_on:
                    out.append(
                        finding(
                            "PWR-E012",
                            _ref(unit, record.month, "report_date", i),
                            CL_LAB_2022,
                            reported=reported.isoformat(),
                            deposited=record.deposited_on.isoformat(),
                        )
                    )
    return out


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else "—"


@per_unit
def annual_sums(ctx: RuleContext) -> list[Finding]:
    """Declared annual figures (as typed into an annual report) must equal the sum of the months."""
    out: list[Finding] = []
    tolerance = ctx.pack.number("checks.annual_sum_tolerance")
    for unit in ctx.report.units:
        for key, declared in unit.declared_annual.items():
            summed = sum((v for m in unit.months if (v := _num(m.get(key))) is not None), Decimal(0))
            if abs(declared - summed) > tolerance:
                spec = ctx.form.field("month", key)
                out.append(
                    finding(
                        "PWR-E010",
                        _ref(unit, None, key),
                        spec.clause,
                        declared=declared,
                        summed=summed,
                        label_zh=spec.label_zh,
                        label_en=spec.label_en,
                    )
                )
    return out


# ---------------------------------------------------------------------------- plausibility


@per_unit
def coal_quality(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, record, result in _months(ctx):
        for i, row in enumerate(record.fuels):
            if _family(ctx, row) != "coal":
                continue
            ncv = _num(row.get("ncv"))
            out += _range_check(ctx, "PWR-W001", ncv, "coal_ncv", _ref(unit, record.month, "ncv", i))
            out += _range_check(
                ctx, "PWR-W008", _num(row.get("h_ad_pct")), "h_ad", _ref(unit, record.month, "h_ad_pct", i)
            )
            fuel_result = next((r for r in result.rows if r.index == i), None) if result else None
            if fuel_result is None or fuel_result.tags.get("carbon_source") != MEASURED:
                continue
            c_ar = fuel_result.figures["c_ar"].value
            out += _range_check(ctx, "PWR-W002", c_ar, "coal_c_ar", _ref(unit, record.month, "c_ad_pct", i), CL_F4)
            if c_ar is not None and ncv:
                out += _range_check(
                    ctx, "PWR-W003", c_ar / ncv, "coal_cc", _ref(unit, record.month, "c_ad_pct", i), CL_F4
                )
    return out


@per_unit
def operating_ratios(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, record, result in _months(ctx):
        if result is None:
            continue
        family = _unit_family(ctx, unit)
        f = result.figures
        if family in ("coal", "gas"):
            out += _range_check(
                ctx,
                "PWR-W004",
                f["aux_rate"].value,
                f"aux_rate_{family}",
                _ref(unit, record.month, "supply_mwh"),
                CL_PLAUS,
            )
            out += _range_check(
                ctx,
                "PWR-W007",
                f["emission_per_generation_t_per_mwh"].value,
                f"emission_per_generation_{family}",
                _ref(unit, record.month, "generation_mwh"),
            )
        if family == "coal":
            out += _range_check(
                ctx,
                "PWR-W005",
                f["supply_coal_rate_gce_per_kwh"].value,
                "coal_rate",
                _ref(unit, record.month, "supply_mwh"),
            )
            out += _range_check(
                ctx,
                "PWR-W006",
                f["heat_rate_gj_per_mwh"].value,
                "heat_rate_coal",
                _ref(unit, record.month, "generation_mwh"),
            )
    return out


@per_unit
def heat_consistency(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit, record, _ in _months(ctx):
        heat, ratio = _num(record.get("heat_supply_gj")), _num(record.get("heat_ratio"))
        ref = _ref(unit, record.month, "heat_ratio")
        if heat is None or ratio is None:
            continue
        if heat > 0 and ratio == 0:
            out.append(
                finding(
                    "PWR-W016",
                    ref,
                    CL_PROD,
                    detail_zh=f"供热量 {heat} GJ 但供热比为 0",
                    detail_en=f"heat supplied {heat} GJ but heat ratio 0",
                )
            )
        elif heat == 0 and ratio > 0:
            out.append(
                finding(
                    "PWR-W016",
                    ref,
                    CL_PROD,
                    detail_zh=f"供热比 {ratio} 但供热量为 0",
                    detail_en=f"heat ratio {ratio} but no heat supplied",
                )
            )
        elif heat > 0 and unit.get("chp") is False:
            out.append(
                finding(
                    "PWR-W016",
                    ref,
                    CL_PROD,
                    detail_zh="机组登记为不供热，但本月有供热量",
                    detail_en="the unit is registered as not supplying heat, but supplied heat this month",
                )
            )
    return out


@per_unit
def load_factor_consistency(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    tolerance = ctx.pack.number("checks.load_factor_tolerance")
    for unit, record, _ in _months(ctx):
        gen, hours, lf = (_num(record.get(k)) for k in ("generation_mwh", "operating_hours", "load_factor"))
        mw = _num(unit.get("capacity_mw"))
        if None in (gen, hours, lf, mw) or not hours or not mw:
            continue
        computed = gen / (mw * hours)  # type: ignore[operator]
        if abs(computed - lf) > tolerance:  # type: ignore[operator]
            out.append(
                finding(
                    "PWR-W017",
                    _ref(unit, record.month, "load_factor"),
                    CL_ALLOC,
                    reported=lf,
                    computed=round(computed, 4),
                    limit=tolerance,
                )
            )
    return out


_JUMP_FIELDS_MONTH = ("purchased_electricity_mwh", "generation_mwh", "supply_mwh", "heat_supply_gj", "operating_hours")
_JUMP_FIELDS_FUEL = ("consumption", "ncv", "c_ad_pct")


@per_unit
def month_on_month(ctx: RuleContext) -> list[Finding]:
    """A jump above the pack's limit from the previous month needs a note."""
    limit = ctx.pack.number("checks.month_jump_max")
    out: list[Finding] = []
    for unit in ctx.report.units:
        by_month = {m.month: m for m in unit.months}
        for record in unit.months:
            previous = by_month.get(record.month - 1)
            note = record.get("note")
            if previous is None or (isinstance(note, str) and note.strip()):
                continue
            pairs: list[tuple[str, Any, Any, int | None]] = [
                (k, previous.get(k), record.get(k), None) for k in _JUMP_FIELDS_MONTH
            ]
            for i, row in enumerate(record.fuels):
                same = next((p for p in previous.fuels if p.get("fuel") == row.get("fuel")), None)
                if same is not None:
                    pairs += [(k, same.get(k), row.get(k), i) for k in _JUMP_FIELDS_FUEL]
            for key, before, now, fuel in pairs:
                if not (isinstance(before, Decimal) and isinstance(now, Decimal)) or before == 0:
                    continue
                change = abs(now - before) / abs(before)
                if change > limit:
                    spec = ctx.form.field("fuel" if fuel is not None else "month", key)
                    out.append(
                        finding(
                            "PWR-W009",
                            _ref(unit, record.month, key, fuel),
                            spec.clause,
                            change=round(change * 100, 1),
                            previous=before,
                            value=now,
                            limit=round(limit * 100),
                            label_zh=spec.label_zh,
                            label_en=spec.label_en,
                        )
                    )
    return out


@per_unit
def lab_report_signals(ctx: RuleContext) -> list[Finding]:
    """Fraud signals of the 2021–2022 cases in a unit's reports: missing QR/certificate, copied data."""
    out: list[Finding] = []
    min_months = int(ctx.pack.number("checks.stable_c_ar_min_months"))
    cv_min = ctx.pack.number("checks.stable_c_ar_cv_min")
    for unit in ctx.report.units:
        samples: dict[tuple, list[int]] = {}
        c_ars: list[Decimal] = []
        result = ctx.result.unit(unit.unit_id)
        for record in unit.months:
            for i, row in enumerate(record.fuels):
                if _family(ctx, row) != "coal" or row.get("carbon_measured") is not True:
                    continue
                missing_zh, missing_en = [], []
                if row.get("qr_present") is not True:
                    missing_zh.append("防伪二维码")
                    missing_en.append("a QR verification code")
                if not row.get("lab_accreditation_no"):
                    missing_zh.append("CMA/CNAS 证书编号")
                    missing_en.append("a CMA/CNAS certificate number")
                if missing_zh:
                    out.append(
                        finding(
                            "PWR-W013",
                            _ref(unit, record.month, "qr_present", i),
                            CL_LAB,
                            missing_zh="、".join(missing_zh),
                            missing_en=" and ".join(missing_en),
                        )
                    )
                key = tuple(row.get(k) for k in ("c_ad_pct", "m_ad_pct", "m_ar_pct", "ncv"))
                if all(isinstance(v, Decimal) for v in key):
                    samples.setdefault(key, []).append(record.month)
                month_result = result.month(record.month) if result else None
                fuel_result = next((r for r in month_result.rows if r.index == i), None) if month_result else None
                if fuel_result is not None and fuel_result.figures["c_ar"].value is not None:
                    c_ars.append(fuel_result.figures["c_ar"].value)
        for months in samples.values():
            if len(months) > 1:
                listing = ", ".join(str(m) for m in months)
                out.append(
                    finding(
                        "PWR-W014",
                        _ref(unit, months[-1], "c_ad_pct"),
                        CL_LAB,
                        detail_zh=f"{listing} 月的 C_ad、M_ad、M_ar、NCV 完全相同",
                        detail_en=f"months {listing} report identical C_ad, M_ad, M_ar and NCV",
                    )
                )
        if len(c_ars) >= min_months:
            avg = mean(c_ars)
            cv = pstdev(c_ars) / avg if avg else Decimal(0)
            if cv < cv_min:
                out.append(
                    finding(
                        "PWR-W014",
                        _ref(unit),
                        CL_LAB,
                        detail_zh=f"{len(c_ars)} 个实测月 C_ar 变异系数仅 {cv:.4f}（低于 {cv_min}）",
                        detail_en=f"{len(c_ars)} measured months vary by a coefficient of {cv:.4f} (below {cv_min})",
                    )
                )
    return out


def _reports_by_lab_and_day(ctx: RuleContext, unit: UnitRecord) -> list[tuple[tuple[str, date], int, int]]:
    out = []
    for record in unit.months:
        for i, row in enumerate(record.fuels):
            if _family(ctx, row) != "coal" or row.get("carbon_measured") is not True:
                continue
            lab, reported = row.get("lab_name"), row.get("report_date")
            if isinstance(lab, str) and lab.strip() and isinstance(reported, date):
                out.append(((lab.strip(), reported), record.month, i))
    return out


_unit_reports_by_lab_and_day = PerUnitPart(_reports_by_lab_and_day)


def lab_reports_on_one_day(ctx: RuleContext) -> list[Finding]:
    """Across the entity: one lab issuing reports for many different months on one day."""
    out: list[Finding] = []
    max_same_day = int(ctx.pack.number("checks.same_day_reports_max"))
    same_day: dict[tuple[str, date], list[tuple[UnitRecord, int, int]]] = {}
    for unit in ctx.report.units:
        for key, month, i in _unit_reports_by_lab_and_day(ctx, unit):
            same_day.setdefault(key, []).append((unit, month, i))
    for (lab, reported), items in same_day.items():
        months = sorted({m for _, m, _ in items})
        if len(months) > max_same_day:
            listing = ", ".join(str(m) for m in months)
            for unit, month, i in items:
                out.append(
                    finding(
                        "PWR-W012",
                        _ref(unit, month, "report_date", i),
                        CL_LAB,
                        lab=lab,
                        reported=reported.isoformat(),
                        count=len(months),
                        months=listing,
                    )
                )
    return out


PLACES_LISTED = 6  # a report or scan used in more places names this many, then their number


def _places(items: list[tuple[UnitRecord, int]]) -> tuple[str, str]:
    """'1# 3月、2# 4月' / '1# month 3, 2# month 4'; beyond ``PLACES_LISTED`` places, their number.

    Each place has a finding of its own, so the findings list them all; a message listing every one would
    grow with the square of the group (one scan in 200 units' months: 200 findings of 200 places each,
    16 MB of results.json)."""
    distinct = sorted({(u.unit_id, m) for u, m in items}, key=lambda p: (p[0], p[1]))
    shown = distinct[:PLACES_LISTED]
    zh = "、".join(f"{u} {m}月" for u, m in shown)
    en = ", ".join(f"{u} month {m}" for u, m in shown)
    if len(distinct) > len(shown):
        zh += f" 等共 {len(distinct)} 处"
        en += f" and {len(distinct) - len(shown)} more ({len(distinct)} in all)"
    return zh, en


def _reports_and_scans(
    ctx: RuleContext, unit: UnitRecord
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, str, str]]]:
    numbers: list[tuple[str, int, int]] = []
    scans: list[tuple[str, int, str, str]] = []
    for record in unit.months:
        for i, row in enumerate(record.fuels):
            number = row.get("report_no")
            if isinstance(number, str) and number.strip() and row.get("carbon_measured") is True:
                numbers.append((number.strip().upper(), record.month, i))
        for ref in record.evidence:
            scans.append((ref.sha256, record.month, ref.kind, ref.file_name))
    return numbers, scans


_unit_reports_and_scans = PerUnitPart(_reports_and_scans)


def evidence_reuse(ctx: RuleContext) -> list[Finding]:
    """One lab report (by its number, or its scan's SHA-256) used for two months or two units."""
    out: list[Finding] = []
    by_number: dict[str, list[tuple[UnitRecord, int, int]]] = {}
    by_scan: dict[str, list[tuple[UnitRecord, int, str, str]]] = {}
    for unit in ctx.report.units:
        numbers, scans = _unit_reports_and_scans(ctx, unit)
        for number, month, i in numbers:
            by_number.setdefault(number, []).append((unit, month, i))
        for sha, month, kind, name in scans:
            by_scan.setdefault(sha, []).append((unit, month, kind, name))
    _reuse_groups.start()
    for number, items in by_number.items():
        if len({(u.unit_id, m) for u, m, _ in items}) < 2:
            continue
        key = ("number", number, tuple((u.unit_id, m, i) for u, m, i in items))
        out += _reuse_groups.get(key, lambda number=number, items=items: _number_reused(number, items))
    for sha, items in by_scan.items():
        months = {(u.unit_id, m) for u, m, _, _ in items}
        lab = any(kind == "lab_report" for _, _, kind, _ in items)
        # A plant-wide production ledger may back every unit of one month; a scan for two months never,
        # and a lab report never for two units.
        if len({m for _, m in months}) < 2 and not (lab and len(months) >= 2):
            continue
        key = ("scan", sha, items[0][3], tuple(sorted(months)))
        out += _reuse_groups.get(key, lambda sha=sha, items=items, months=months: _scan_reused(sha, items, months))
    return out


_reuse_groups = RecentGroups()  # the findings of each reused report or scan, kept while its group is unchanged


def _number_reused(number: str, items: list[tuple[UnitRecord, int, int]]) -> list[Finding]:
    zh, en = _places([(u, m) for u, m, _ in items])
    return [
        finding("PWR-W018", _ref(unit, month, "report_no", i), CL_LAB, report_no=number, places_zh=zh, places_en=en)
        for unit, month, i in items
    ]


def _scan_reused(
    sha: str, items: list[tuple[UnitRecord, int, str, str]], months: set[tuple[str, int]]
) -> list[Finding]:
    zh, en = _places([(u, m) for u, m, _, _ in items])
    return [
        finding(
            "PWR-W019",
            FieldRef(unit_id, month, None, "evidence", "month"),
            CL_LAB,
            file=items[0][3],
            short=sha[:12],
            places_zh=zh,
            places_en=en,
        )
        for unit_id, month in sorted(months)
    ]


@per_unit
def ncv_consistency(ctx: RuleContext) -> list[Finding]:
    """NCV against Mendeleev's formula from C, H, S and moisture of the same sample (a wide band).

    Q_net,ar [kJ/kg] = 339·C + 1030·H − 109·(O − S) − 25·(9·H + M_ar), elements as received (%);
    oxygen is not on a carbon lab report, so the pack's typical value stands in for it.
    """
    out: list[Finding] = []
    band = ctx.pack.number("checks.ncv_consistency_band")
    o_ad = ctx.pack.number("checks.mendeleev_o_ad_pct")
    for unit, record, _ in _months(ctx):
        for i, row in enumerate(record.fuels):
            if _family(ctx, row) != "coal" or row.get("carbon_measured") is not True:
                continue
            values = [_num(row.get(k)) for k in ("ncv", "c_ad_pct", "h_ad_pct", "m_ad_pct", "m_ar_pct")]
            if any(v is None for v in values):
                continue
            ncv, c_ad, h_ad, m_ad, m_ar = values  # type: ignore[misc]
            s_ad = _num(row.get("s_t_ad_pct")) or Decimal(0)
            if ncv <= 0 or m_ad >= 100 or m_ar >= 100:
                continue
            k = (100 - m_ar) / (100 - m_ad)
            c, h, s_ar, o = c_ad * k, h_ad * k, s_ad * k, o_ad * k
            estimate = (339 * c + 1030 * h - 109 * (o - s_ar) - 25 * (9 * h + m_ar)) / 1000
            diff = abs(ncv - estimate) / ncv
            if diff > band:
                out.append(
                    finding(
                        "PWR-W022",
                        _ref(unit, record.month, "ncv", i),
                        CL_LAB_2022,
                        ncv=ncv,
                        estimate=round(estimate, 2),
                        diff=round(diff * 100, 1),
                        band=round(band * 100),
                    )
                )
    return out


@per_unit
def relief_reasons(ctx: RuleContext) -> list[Finding]:
    """Months charged the mean of measured months must say why they were not tested."""
    out: list[Finding] = []
    for unit in ctx.report.units:
        result = ctx.result.unit(unit.unit_id)
        if result is None:
            continue
        for record in unit.months:
            month = result.month(record.month)
            if month is None or not any(r.tags.get("carbon_source") == "mean_of_measured" for r in month.rows):
                continue
            reason = record.get("carbon_missing_reason")
            if not (isinstance(reason, str) and reason.strip()):
                out.append(
                    finding("PWR-W021", _ref(unit, record.month, "carbon_missing_reason"), CL_F4, month=record.month)
                )
    return out


@per_unit
def category_capacity(ctx: RuleContext) -> list[Finding]:
    """The allocation category's capacity class against the rated capacity (pack threshold)."""
    out: list[Finding] = []
    threshold = ctx.pack.number("allocation.gt300_min_capacity_mw")
    classes = {
        str(o.attrs["capacity_class"]): o
        for o in ctx.form.enums["unit_category"].options
        if "capacity_class" in o.attrs
    }
    for unit in ctx.report.units:
        option = ctx.form.enums["unit_category"].option(str(unit.get("category")))
        capacity = _num(unit.get("capacity_mw"))
        if option is None or capacity is None or "capacity_class" not in option.attrs:
            continue
        expected = classes.get("above" if capacity >= threshold else "below")
        if expected is None or expected.id == option.id:
            continue
        out.append(
            finding(
                "PWR-W040",
                _ref(unit, None, "category"),
                CL_ALLOC,
                capacity=capacity,
                threshold=threshold,
                expected_zh=expected.label_zh,
                expected_en=expected.label_en,
                category_zh=option.label_zh,
                category_en=option.label_en,
            )
        )
    return out


@per_unit
def commissioned_in_year(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for unit_result in ctx.result.units:
        if unit_result.tags.get("not_allocated") != NOT_ALLOCATED_COMMISSIONED:
            continue
        unit = ctx.report.unit(unit_result.unit_id)
        commissioned = unit.get("commissioning_date") if unit else None
        out.append(
            finding(
                "PWR-I003",
                FieldRef(unit_result.unit_id, None, None, "commissioning_date", "unit"),
                CL_ALLOC,
                unit=unit_result.unit_id,
                date=_iso(commissioned),
                year=ctx.report.data_year,
            )
        )
    return out


def compliance(ctx: RuleContext) -> list[Finding]:
    """Offsets and allowances carried between years against the year's plan; the surrender deadline."""
    out: list[Finding] = []
    totals = ctx.result.totals

    def value(key: str) -> Decimal | None:
        figure = totals.get(key)
        return None if figure is None else figure.value

    used, cap = value("ccer_used_t"), value("ccer_cap_t")
    if used is not None and cap is not None and used > cap:
        fraction = ctx.pack.number("compliance.ccer_cap_fraction")
        out.append(
            finding(
                "PWR-E014",
                FieldRef(field="ccer_used_t", scope="year"),
                CL_COMPLIANCE,
                used=round(used),
                cap=round(cap),
                percent=round(fraction * 100, 1),
            )
        )
    borrowed = _num(ctx.report.year.get("borrowed_t"))
    if borrowed and ctx.pack.switch("compliance.borrowing_allowed") is not True:
        out.append(
            finding(
                "PWR-E013",
                FieldRef(field="borrowed_t", scope="year"),
                CL_ALLOC,
                borrowed=borrowed,
                year=ctx.report.data_year,
            )
        )
    position, bank_cap = value("position_t"), value("banking_cap_t")
    if position is not None and bank_cap is not None and position > bank_cap:
        out.append(
            finding(
                "PWR-W032",
                FieldRef(field="net_sales_t", scope="year"),
                CL_ALLOC,
                surplus=round(position),
                cap=round(bank_cap),
                excess=round(position - bank_cap),
            )
        )
    obligation = value("obligation_t")
    deadline = ctx.pack.get("compliance.deadline").value
    if obligation is not None and isinstance(deadline, str):
        out.append(
            finding(
                "PWR-I004",
                FieldRef(scope="year"),
                CL_COMPLIANCE,
                year=ctx.report.data_year,
                deadline=deadline,
                obligation=round(obligation),
            )
        )
    return out


@per_unit
def unmeasured_months(ctx: RuleContext) -> list[Finding]:
    """Every month without a valid carbon test costs money: say how much."""
    out: list[Finding] = []
    source_zh = {"mean_of_measured": "实测月份平均值", "default_cc": "高缺省值"}
    source_en = {"mean_of_measured": "the mean of measured months", "default_cc": "the high default"}
    for unit_result in ctx.result.units:
        for month in unit_result.months:
            for row in month.rows:
                source = row.tags.get("carbon_source")
                extra = row.figures.get("extra_vs_measured_t")
                if row.tags.get("family") != "coal" or source == MEASURED or source is None:
                    continue
                amount = "—" if extra is None or extra.value is None else round(extra.value)
                out.append(
                    finding(
                        "PWR-W015",
                        FieldRef(unit_result.unit_id, month.month, row.index, "carbon_measured", "fuel"),
                        CL_F4,
                        month=month.month,
                        extra=amount,
                        source_zh=source_zh.get(source, source),
                        source_en=source_en.get(source, source),
                    )
                )
    return out


_WHAT = {
    "benchmark": ("配额", "the allocation"),
    "default": ("排放量", "emissions"),
}


def pack_gaps(ctx: RuleContext) -> list[Finding]:
    """Parameters without an official value, and the user's overrides, in plain view."""
    out: list[Finding] = []
    for key in ctx.result.missing_parameters:
        what_zh, what_en = _WHAT["benchmark" if key.startswith("benchmark") else "default"]
        out.append(
            finding(
                "PWR-W030",
                FieldRef(field=f"parameter:{key}"),
                CL_ALLOC,
                pack=ctx.pack.label,
                pack_zh=ctx.pack.title_zh,
                pack_en=ctx.pack.title_en,
                key=key,
                name_zh=ctx.pack.get(key).name("zh"),
                name_en=ctx.pack.get(key).name("en"),
                what_zh=what_zh,
                what_en=what_en,
            )
        )
    used = {key: ctx.pack.get(key) for key in ctx.result.used_parameters}
    for key, p in sorted(used.items()):
        if p.needs_confirmation:
            out.append(
                finding(
                    "PWR-W031",
                    FieldRef(field=f"parameter:{key}"),
                    CL_ALLOC,
                    key=key,
                    name_zh=p.name("zh"),
                    name_en=p.name("en"),
                    value=p.value if p.value is not None else "—",
                    unit=p.unit,
                    note=p.note or p.confidence,
                )
            )
    unconfirmed = sorted(k for k, p in used.items() if p.confidence == "U")
    if unconfirmed:
        out.append(
            finding(
                "PWR-I001",
                FieldRef(),
                "",
                count=len(unconfirmed),
                keys=", ".join(unconfirmed),
                names_zh="、".join(used[k].name("zh") for k in unconfirmed),
                names_en="; ".join(used[k].name("en") for k in unconfirmed),
            )
        )
    for key, p in sorted(used.items()):
        if p.override_reason:
            out.append(
                finding(
                    "PWR-I002",
                    FieldRef(field=f"parameter:{key}"),
                    "",
                    key=key,
                    name_zh=p.name("zh"),
                    name_en=p.name("en"),
                    original=p.original_value if p.original_value is not None else "—",
                    value=p.value,
                    reason=p.override_reason,
                )
            )
    return out


RULES = (
    *common.RULES,
    production_consistency,
    moisture_order,
    lab_dates,
    annual_sums,
    coal_quality,
    operating_ratios,
    heat_consistency,
    load_factor_consistency,
    month_on_month,
    lab_report_signals,
    lab_reports_on_one_day,
    evidence_reuse,
    ncv_consistency,
    relief_reasons,
    unmeasured_months,
    category_capacity,
    commissioned_in_year,
    compliance,
    pack_gaps,
)
