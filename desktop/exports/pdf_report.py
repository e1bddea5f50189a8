"""The annual emission report as a PDF (reportlab platypus), Chinese text in an embedded TrueType font.

It renders what the engine computed; it computes nothing.  Every page carries the entity and data year
in its header and "page x of y" in its footer; the cover carries a QR code with the SHA-256 of the
report's data (the JSON report and the evidence index), which the signed package's manifest repeats.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics import shapes
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop import paths
from desktop.domain.findings import Finding, Message, Severity, render
from desktop.domain.numbers import format_decimal, round_reported
from desktop.domain.records import ReportInput
from desktop.domain.stored import EvidenceInfo
from desktop.engine.params import ParameterPack
from desktop.engine.provenance import Figure
from desktop.engine.results import FigureInfo, ReportResult
from desktop.exports.words import CONFIDENCE_WORDS, lab_data, path_words, place_text
from desktop.formspec import FormSpec

MONO = "WenQuanYiMicroHeiMono"
FONT = "CarbonDeskCJK"
_registered: list[str] = []


def register_font() -> str:
    if not _registered:
        font = TTFont(FONT, str(paths.resources_dir() / "fonts" / "wqy-microhei.ttc"), subfontIndex=0)
        pdfmetrics.registerFont(font)
        # the same file's monospaced face, for hashes (embedded like the other)
        pdfmetrics.registerFont(TTFont(MONO, str(paths.resources_dir() / "fonts" / "wqy-microhei.ttc"), subfontIndex=1))
        # Drawings (charts, the QR code) start from reportlab's default Helvetica, which would be listed in
        # the PDF without being embedded; every font in our PDFs must be embedded.
        shapes.STATE_DEFAULTS["fontName"] = FONT
        _registered.append(FONT)
    return FONT


@dataclass(frozen=True)
class ReportDocument:
    """Everything the PDF shows, already computed."""

    report: ReportInput
    result: ReportResult
    findings: tuple[Finding, ...]
    messages: Mapping[str, Message]
    figures: Mapping[str, FigureInfo]
    form: FormSpec
    pack: ParameterPack
    evidence: tuple[EvidenceInfo, ...]
    data_sha256: str
    generated_at: datetime
    app_version: str
    words: Any = None  # the guideline: parameter names, word values and units in words

    def parameter_label(self, key: str) -> str:
        return self.words.parameter_label(key, "zh") if self.words is not None else key


def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle("base", fontName=font, bulletFontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=1, spaceAfter=6 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=18, alignment=1),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontSize=14,
            leading=20,
            spaceBefore=4 * mm,
            spaceAfter=2 * mm,
            textColor=colors.HexColor("#1f3b5a"),
            keepWithNext=1,  # a heading never ends a page without what it heads
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11, leading=16, spaceBefore=3 * mm, spaceAfter=1.5 * mm, keepWithNext=1
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        # headers wrap between words (a CJK wrap would split "MWh" or "obtained" in two)
        "head": ParagraphStyle("head", parent=base, fontSize=7.5, leading=9.5, wordWrap=None),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=6, leading=8, wordWrap=None),
        "cellr": ParagraphStyle("cellr", parent=base, fontSize=7.5, leading=9.5, alignment=2),
    }


def _num(figure: Figure | Decimal | None, places: int) -> str:
    value = figure.value if isinstance(figure, Figure) else figure
    return "—" if value is None else format_decimal(round_reported(value, places))


def _table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: dict[str, ParagraphStyle],
    numeric: Iterable[int] = (),
) -> Table:
    numeric = set(numeric)
    body = [
        [
            c
            if not isinstance(c, str)
            else Paragraph(_header_text(c), styles["head"])
            if i == 0
            else Paragraph(_escape(c), styles["cellr" if j in numeric else "cell"])
            for j, c in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # Table sets its font before each cell, Paragraph or not
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _header_text(text: str) -> str:
    """A column header: the Chinese words, then the English on a line of its own (never broken mid-word)."""
    match = re.search(r"[A-Za-z(]", text)
    if match is None or match.start() == 0:
        return _escape(text)
    zh, en = text[: match.start()].strip(), text[match.start() :].strip()
    return f"{_escape(zh)}<br/>{_escape(en)}" if zh else _escape(en)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NumberedCanvas(Canvas):
    """Two passes over the pages so that each footer can say "page x of y"."""

    header = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = A4
        self.setFont(FONT, 8)
        self.setFillColor(colors.HexColor("#555555"))
        self.drawString(18 * mm, height - 12 * mm, self.header)
        self.drawRightString(width - 18 * mm, height - 12 * mm, "全国碳排放权交易市场 · 发电设施")
        self.setStrokeColor(colors.HexColor("#9aa7b4"))
        self.line(18 * mm, height - 14 * mm, width - 18 * mm, height - 14 * mm)
        self.drawCentredString(
            width / 2, 10 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页  ·  Page {self._pageNumber} of {total}"
        )


def _cover(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    entity = doc.report.entity
    story: list[Any] = [
        Spacer(1, 28 * mm),
        Paragraph("企业温室气体排放报告", s["title"]),
        Paragraph("Greenhouse gas emission report — power generation facilities", s["subtitle"]),
        Spacer(1, 4 * mm),
        Paragraph(f"{doc.report.data_year} 年度 · data year {doc.report.data_year}", s["subtitle"]),
        Spacer(1, 16 * mm),
    ]
    rows = [
        ["项目 / Item", "内容 / Value"],
        ["重点排放单位 / Entity", str(entity.get("name") or "—")],
        ["统一社会信用代码 / USCC", str(entity.get("uscc") or "—")],
        ["地址 / Address", str(entity.get("address") or "—")],
        ["行业代码 / Industry", str(entity.get("industry") or "—")],
        ["联系人 / Contact", f"{entity.get('contact_person') or '—'}  {entity.get('contact_phone') or ''}"],
        ["机组数 / Units", str(len(doc.report.units))],
        ["参数包 / Parameter pack", f"{doc.pack.title_zh}（版本 {doc.pack.version}）"],
        ["生成时间 / Generated", f"{doc.generated_at:%Y-%m-%d %H:%M} · CarbonDesk {doc.app_version}"],
        ["数据摘要 SHA-256 / Data hash", doc.data_sha256],
    ]
    story.append(_table(rows, [60 * mm, 110 * mm], s))
    qr = QrCodeWidget(f"carbondesk:data-sha256:{doc.data_sha256}")
    bounds = qr.getBounds()
    size = 34 * mm
    drawing = Drawing(
        size, size, transform=[size / (bounds[2] - bounds[0]), 0, 0, size / (bounds[3] - bounds[1]), 0, 0]
    )
    drawing.initialFontName = FONT
    drawing.add(qr)
    story += [
        Spacer(1, 10 * mm),
        drawing,
        Paragraph(
            "二维码内容为本报告数据的 SHA-256 摘要，与签名提交包清单一致。"
            " The QR code holds the SHA-256 of this report's data, as listed in the signed package.",
            s["small"],
        ),
        PageBreak(),
    ]
    return story


def _unit_label(doc: ReportDocument, unit_id: str) -> tuple[str, Any]:
    record = doc.report.unit(unit_id)
    category = doc.form.enums["unit_category"].option(str(record.get("category"))) if record else None
    return (category.label_zh if category else "—"), record


def _emissions(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    rows = [["机组 Unit", "类别 Category", "化石燃料燃烧 Fuel tCO2", "购入电力 Electricity tCO2", "合计 Total tCO2"]]
    for unit in doc.result.units:
        label, _ = _unit_label(doc, unit.unit_id)
        rows.append(
            [
                unit.unit_id,
                label,
                _num(unit.annual.get("e_fuel_t"), 0),
                _num(unit.annual.get("e_elec_t"), 0),
                _num(unit.annual.get("e_total_t"), 0),
            ]
        )
    t = doc.result.totals
    rows.append(["合计 Total", "", _num(t.get("e_fuel_t"), 0), _num(t.get("e_elec_t"), 0), _num(t.get("e_total_t"), 0)])
    return [
        Paragraph("一、排放量汇总 Emissions by unit and source", s["h1"]),
        _table(rows, [22 * mm, 58 * mm, 32 * mm, 30 * mm, 32 * mm], s, numeric=(2, 3, 4)),
        Paragraph(
            "排放量按核算指南公式 F1–F6 计算，报告值为四舍五入后的整吨。"
            " Emissions per formulas F1–F6 of the guideline; reported tonnes rounded half-up.",
            s["small"],
        ),
    ]


def _activity(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    story = [Paragraph("二、活动数据 Activity data", s["h1"])]
    for unit in doc.result.units:
        record = doc.report.unit(unit.unit_id)
        rows = [
            [
                "月 Month",
                "燃料 Fuel",
                "消耗量 Consumption",
                "低位发热量 NCV (GJ/t, GJ/10⁴Nm³)",
                "含碳量 C_ar (tC/t, tC/10⁴Nm³)",
                "获取方式 How obtained",
                "购入电量 MWh",
            ]
        ]
        for month in unit.months:
            stored = record.month(month.month) if record else None
            for row in month.rows or ():
                option = doc.form.enums["fuel"].option(row.kind)
                source = {
                    "measured": "实测 measured",
                    "mean_of_measured": "实测均值 mean",
                    "default_cc": "缺省值 default",
                }.get(str(row.tags.get("carbon_source")), "—")
                rows.append(
                    [
                        str(month.month),
                        option.label_zh if option else row.kind,
                        f"{_num(row.figures.get('consumption'), 2)} {row.figures['consumption'].unit}",
                        _num(row.figures.get("ncv"), 3),
                        _num(row.figures.get("c_ar"), 6),
                        source,
                        _num(stored.get("purchased_electricity_mwh") if stored else None, 1),
                    ]
                )
        story += [
            Paragraph(f"机组 {unit.unit_id}", s["h2"]),
            _table(rows, [14 * mm, 20 * mm, 34 * mm, 24 * mm, 24 * mm, 30 * mm, 24 * mm], s, numeric=(2, 3, 4, 6)),
        ]
    story.append(
        Paragraph(
            "数据来源：燃料消耗量取自盖章燃料台账，低位发热量与元素碳取自 CMA/CNAS 检测报告，购入电量取自结算单。"
            " Sources: stamped fuel ledgers; accredited lab reports; electricity bills.",
            s["small"],
        )
    )
    return story


def _parameters(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    rows = [["参数 Parameter", "数值 Value", "单位 Unit", "可信度 Confidence", "来源 Source"]]
    for key in doc.result.used_parameters:
        p = doc.pack.get(key)
        if doc.words is not None:
            value, unit = doc.words.parameter_value(p.value, "zh"), doc.words.parameter_unit(p.unit, "zh")
        else:
            value = "—" if p.value is None else (f"{p.value:f}" if isinstance(p.value, Decimal) else str(p.value))
            unit = p.unit
        stated = doc.words.parameter_source(p.source, "zh") if doc.words is not None else p.source
        source = stated + (f"（用户修改：{p.override_reason}）" if p.override_reason else "")
        confidence = CONFIDENCE_WORDS.get(p.confidence, (p.confidence,))[0]
        rows.append([doc.parameter_label(key), value, unit, confidence, source])
    return [
        Paragraph("三、排放因子与参数 Factors and parameters", s["h1"]),
        _table(rows, [50 * mm, 18 * mm, 20 * mm, 18 * mm, 68 * mm], s, numeric=(1,)),
        Paragraph(
            f"参数包：{doc.pack.title_zh}（版本 {doc.pack.version}）。可信度：官方原文＝见到官方文本；可靠转载＝可靠的转载或"
            "两个来源；未确认＝尚未证实，请以主管部门发布为准；用户填写＝用户按通知录入并说明理由。",
            s["small"],
        ),
    ]


def _supplementary(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    rows = [
        [
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
        ]
    ]
    for unit in doc.result.units:
        label, record = _unit_label(doc, unit.unit_id)
        a = unit.annual
        fuel = doc.form.enums["unit_fuel"].option(str(record.get("fuel_type"))) if record else None
        cooling = doc.form.enums["cooling"].option(str(record.get("cooling"))) if record else None
        short_cooling = {"water": "水冷", "air": "空冷"}.get(cooling.id, cooling.label_zh) if cooling else "—"
        rows.append(
            [
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
            ]
        )
    operation = [
        [
            "机组",
            "运行小时 h",
            "负荷系数",
            "厂用电率",
            "加权低位发热量 GJ/t(10⁴Nm³)",
            "加权收到基元素碳 tC/t",
            "供电煤耗 gce/kWh",
            "供热煤耗 kgce/GJ",
        ]
    ]
    for unit in doc.result.units:
        a = unit.annual
        operation.append(
            [
                unit.unit_id,
                _num(a.get("operating_hours"), 1),
                _num(a.get("load_factor"), 4),
                _num(a.get("aux_rate"), 4),
                _num(a.get("ncv_weighted"), 3),
                _num(a.get("c_ar_weighted"), 6) if unit.tags.get("family") != "gas" else "—",
                _num(a.get("supply_coal_rate_gce_per_kwh") or a.get("supply_energy_rate_gce_per_kwh"), 2),
                _num(a.get("heat_coal_rate_kgce_per_gj") or a.get("heat_energy_rate_kgce_per_gj"), 2),
            ]
        )
    return [
        Paragraph("四、机组补充数据表 Supplementary data per unit", s["h1"]),
        _table(
            rows,
            [
                10 * mm,
                24 * mm,
                10 * mm,
                12 * mm,
                10 * mm,
                17 * mm,
                17 * mm,
                16 * mm,
                14 * mm,
                15 * mm,
                15 * mm,
                14 * mm,
            ],
            s,
            numeric=range(5, 12),
        ),
        Spacer(1, 3 * mm),
        _table(
            operation, [14 * mm, 20 * mm, 18 * mm, 18 * mm, 30 * mm, 28 * mm, 24 * mm, 24 * mm], s, numeric=range(1, 8)
        ),
        Paragraph("注：燃气机组的煤耗为天然气折标准煤 / gas units: their gas as standard coal equivalent", s["small"]),
    ]


def _compliance(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    rows = [["机组 Unit", "F_冷却", "F_供热", "F_负荷", "配额 Allocation tCO2", "应清缴 Obligation tCO2"]]
    for unit in doc.result.units:
        a = unit.annual
        if "allocation_t" not in a:
            rows.append([unit.unit_id, "—", "—", "—", "不参与分配 not allocated", "—"])
            continue
        rows.append(
            [
                unit.unit_id,
                _num(a.get("f_cool"), 4),
                _num(a.get("f_heat"), 6),
                _num(a.get("f_load"), 6),
                _num(a.get("allocation_t"), 0),
                _num(a.get("obligation_t"), 0),
            ]
        )
    t = doc.result.totals
    summary = [
        ["项目 Item", "tCO2"],
        ["核查排放量 Verified emissions", _num(t.get("e_total_t"), 0)],
        ["履约口径排放量 Emissions under compliance", _num(t.get("e_compliance_t"), 0)],
        ["配额 Allowances allocated", _num(t.get("allocation_t"), 0)],
        ["应清缴配额 Compliance obligation", _num(t.get("obligation_t"), 0)],
        ["CCER 抵销上限 CCER cap (5 % of the obligation)", _num(t.get("ccer_cap_t"), 0)],
        ["配额盈缺 Surplus (+) / shortfall (−)", _num(t.get("balance_t"), 0)],
        ["实际使用 CCER CCER used", _num(t.get("ccer_used_t"), 0)],
        ["使用结转配额 Banked allowances used", _num(t.get("banked_in_t"), 0)],
        ["预支配额 Allowances borrowed", _num(t.get("borrowed_t"), 0)],
        ["清缴后盈缺 Position after surrender", _num(t.get("position_t"), 0)],
    ]
    if "banking_cap_t" in t:
        summary.append(["可结转上限 Banking cap", _num(t.get("banking_cap_t"), 0)])
    deadline = doc.pack.get("compliance.deadline").value if "compliance.deadline" in doc.pack.parameters else None
    notes = _obligation_notes(doc)
    story = [
        Paragraph("五、配额与履约 Allocation and compliance", s["h1"]),
        _table(rows, [24 * mm, 20 * mm, 22 * mm, 22 * mm, 42 * mm, 40 * mm], s, numeric=range(1, 6)),
        Spacer(1, 3 * mm),
        _table(summary, [90 * mm, 50 * mm], s, numeric=(1,)),
    ]
    if isinstance(deadline, str):
        story.append(Paragraph(f"清缴截止日期 Surrender deadline: {deadline}", s["small"]))
    story += [Paragraph(note, s["small"]) for note in notes]
    if doc.result.missing_parameters:
        story.append(
            Paragraph(
                "注：以下参数缺少官方数值，相关配额无法计算 / missing official values: "
                + "、".join(doc.parameter_label(k) for k in doc.result.missing_parameters),
                s["small"],
            )
        )
    return story


def _obligation_notes(doc: ReportDocument) -> list[str]:
    """Why the obligation differs from verified emissions: scope, gas exemption, gap cap, new units."""
    t, notes = doc.result.totals, []
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

    if any(exempted(u) for u in doc.result.units):
        notes.append("注：燃气机组应清缴量不超过其配额 / gas units surrender at most their allocation")
    if t["obligation_t"].formula == "CP2" and obligation < scoped:
        notes.append("注：配额缺口上限（20%）生效 / the gap cap applies")
    if any(u.tags.get("not_allocated") for u in doc.result.units):
        notes.append("注：不参与分配的机组（含当年新投产机组）不清缴 / units outside allocation surrender nothing")
    return notes


def _charts(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [Paragraph("六、月度排放 Monthly emissions", s["h1"])]
    for unit in doc.result.units:
        values = {m.month: m.figures["e_total_t"].value for m in unit.months}
        data = [float(values.get(m) or 0) for m in range(1, 13)]
        drawing = Drawing(170 * mm, 55 * mm)
        drawing.initialFontName = FONT
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 18 * mm, 8 * mm, 145 * mm, 40 * mm
        chart.data = [data]
        chart.bars[0].fillColor = colors.HexColor("#7fa7d9")
        chart.categoryAxis.categoryNames = [f"{m}月" for m in range(1, 13)]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labelTextFormat = lambda v: format_decimal(Decimal(int(v)))
        drawing.add(chart)
        drawing.add(String(18 * mm, 50 * mm, f"机组 {unit.unit_id} 月度排放量 tCO2", fontName=FONT, fontSize=8))
        story.append(KeepTogether([drawing]))
    return story


def _findings(doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str = "七、校验结果 Findings") -> list[Any]:
    rows = [["级别", "代码", "位置", "说明 Message", "书面说明 Justification"]]
    names = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
    for f in doc.findings:
        rows.append(
            [
                names[f.severity],
                f.code,
                place_text(f, doc.form, "zh", doc.parameter_label),
                render(f, doc.messages, "zh"),
                f"{f.acknowledged.justification}（{f.acknowledged.by}）" if f.acknowledged else "",
            ]
        )
    if len(rows) == 1:
        rows.append(["—", "—", "—", "无 none", ""])
    return [Paragraph(heading, s["h1"]), _table(rows, [12 * mm, 18 * mm, 40 * mm, 68 * mm, 36 * mm], s)]


def _evidence(
    doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str = "八、支撑材料索引 Evidence index"
) -> list[Any]:
    rows: list[list[Any]] = [
        ["文件 File", "SHA-256", "类型 Kind", "检测机构 / 报告编号 Lab / report no.", "日期 Dates", "证明 Proves"]
    ]
    for e in doc.evidence:
        kind = doc.form.evidence_kinds.get(e.kind)
        lab = lab_data(e, doc.report)
        dates = " / ".join(
            str(lab[k]) for k in ("sample_received_date", "test_date", "report_date") if lab.get(k) is not None
        )
        proves = [f"{u} · {m}月 · {path_words(doc.form, doc.report, u, m, p)}" for u, _y, m, p in e.links[:3]]
        where = "；".join(proves) + (f" 等 {len(e.links)} 项" if len(e.links) > 3 else "")
        full = e.sha256
        rows.append(
            [
                e.file_name,
                # the whole hash in two lines of 32, monospaced, so a file can be matched by eye
                Paragraph("<br/>".join(full[i : i + 32] for i in range(0, len(full), 32)), s["mono"]),
                kind.label_zh if kind else e.kind,
                f"{lab.get('lab_name') or ''} {lab.get('report_no') or ''}".strip() or "—",
                dates or "—",
                where,
            ]
        )
    if len(rows) == 1:
        rows.append(["—", "", "", "", "", ""])
    return [
        Paragraph(heading, s["h1"]),
        _table(rows, [30 * mm, 46 * mm, 22 * mm, 27 * mm, 20 * mm, 29 * mm], s),
    ]


def _declaration(doc: ReportDocument, s: dict[str, ParagraphStyle]) -> list[Any]:
    name = doc.report.entity.get("name") or ""
    text = (
        f"本单位（{name}）郑重声明：本报告所填报的 {doc.report.data_year} 年度温室气体排放数据及支撑材料真实、准确、完整，"
        "如有虚报、瞒报，愿承担相应法律责任。"
    )
    english = (
        "We declare that the greenhouse gas data and supporting evidence of this report are true, accurate "
        "and complete, and accept legal responsibility for any false or concealed information."
    )
    box = Table(
        [
            [
                Paragraph("法定代表人（签字）<br/>Legal representative (signature)", s["base"]),
                Paragraph("单位盖章<br/>Company seal", s["base"]),
            ],
            [Spacer(1, 36 * mm), Spacer(1, 36 * mm)],
            [Paragraph("日期 Date：", s["base"]), Paragraph("日期 Date：", s["base"])],
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BOX", (0, 0), (0, -1), 0.6, colors.black),
                ("BOX", (1, 0), (1, -1), 0.6, colors.black),
            ]
        )
    )
    return [
        PageBreak(),
        Paragraph("九、声明 Declaration", s["h1"]),
        Paragraph(text, s["base"]),
        Paragraph(english, s["small"]),
        Spacer(1, 12 * mm),
        box,
    ]


def build_story(doc: ReportDocument) -> list[Any]:
    s = _styles()
    story: list[Any] = []
    for part in (
        _cover,
        _emissions,
        _activity,
        _parameters,
        _supplementary,
        _compliance,
        _charts,
        _findings,
        _evidence,
        _declaration,
    ):
        story += part(doc, s)
    return story


def _build(story: list[Any], target: Path, *, header: str, title: str, subject: str, creator: str) -> None:
    """A4 pages with the header and "page x of y"; every font embedded."""

    class Numbered(_NumberedCanvas):
        pass

    Numbered.header = header
    buffer = io.BytesIO()  # built in memory, written in one go: a full disk leaves no open handle behind
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="CarbonDesk",
        subject=subject,
        creator=creator,
        initialFontName=FONT,  # else reportlab starts every page in Helvetica, listed but not embedded
    )
    template.build(story, canvasmaker=Numbered)
    Path(target).write_bytes(buffer.getvalue())


def write_pdf(doc: ReportDocument, target: Path) -> Path:
    """Write the report to ``target`` (the caller makes the write atomic)."""
    register_font()
    entity = doc.report.entity

    _build(
        build_story(doc),
        target,
        header=f"{entity.get('name', '')}  ·  {doc.report.data_year} 年度温室气体排放报告",
        title=f"{entity.get('name', '')} {doc.report.data_year} 温室气体排放报告",
        subject=f"data-sha256:{doc.data_sha256}",
        creator=f"CarbonDesk {doc.app_version}",
    )
    return target


def write_month_pdf(doc: ReportDocument, month: int, target: Path) -> Path:
    """The monthly deposit sheet: one month of every unit, its figures and its evidence index."""
    register_font()
    s = _styles()
    entity = doc.report.entity
    story: list[Any] = [
        Paragraph(f"月度信息化存证表 · {doc.report.data_year} 年 {month} 月", s["h1"]),
        Paragraph(
            f"Monthly deposit sheet · {doc.report.data_year}-{month:02d} · {entity.get('name', '')} "
            f"({entity.get('uscc', '')})",
            s["small"],
        ),
        Spacer(1, 3 * mm),
    ]
    units = list(doc.report.units)
    header = ["数据项 Item", "单位 Unit", *[u.unit_id for u in units]]
    rows: list[list[str]] = [header]
    for spec in doc.form.fields("month"):
        values = []
        for unit in units:
            record = unit.month(month)
            value = record.get(spec.id) if record else None
            values.append(
                "—" if value is None else (format_decimal(value) if isinstance(value, Decimal) else str(value))
            )
        rows.append([spec.label_zh, doc.form.unit_of(spec), *values])
    kinds = sorted({str(f.get("fuel")) for u in units if u.month(month) for f in u.month(month).fuels})
    for kind in kinds:
        option = doc.form.enums["fuel"].option(kind)
        rows.append([f"燃料：{option.label_zh if option else kind}", "", *["" for _ in units]])
        for spec in doc.form.fields("fuel"):
            if spec.id == "fuel":
                continue
            values = []
            for unit in units:
                record = unit.month(month)
                row = next((f for f in record.fuels if f.get("fuel") == kind), None) if record else None
                value = row.get(spec.id) if row else None
                shown = (
                    format_decimal(value)
                    if isinstance(value, Decimal)
                    else (("是" if value else "否") if isinstance(value, bool) else str(value))
                )
                values.append("—" if value is None else shown)
            rows.append([spec.label_zh, doc.form.unit_of(spec, {"fuel": kind}), *values])
    for name, places in (("e_fuel_t", 0), ("e_elec_t", 0), ("e_total_t", 0)):
        info = doc.figures.get(name)
        values = []
        for unit in units:
            result = doc.result.unit(unit.unit_id)
            m = result.month(month) if result else None
            values.append(_num(m.figures.get(name) if m else None, places))
        rows.append([f"{info.label_zh if info else name}（计算）", "tCO2", *values])
    width = (170 - 60) / max(1, len(units))
    story.append(_table(rows, [42 * mm, 18 * mm, *[width * mm for _ in units]], s, numeric=range(2, 2 + len(units))))
    month_evidence = tuple(
        e for e in doc.evidence if any(y == doc.report.data_year and m == month for _u, y, m, _p in e.links)
    )
    # the monthly sheet numbers its own sections: data (the table above), then findings, then evidence
    findings = tuple(f for f in doc.findings if f.ref.month == month)
    story += _findings(ReportDocument(**{**doc.__dict__, "findings": findings}), s, "一、校验结果 Findings")
    story += _evidence(
        ReportDocument(**{**doc.__dict__, "evidence": month_evidence}), s, "二、支撑材料索引 Evidence index"
    )

    _build(
        story,
        target,
        header=f"{entity.get('name', '')}  ·  {doc.report.data_year} 年 {month} 月存证表",
        title=f"{entity.get('name', '')} {doc.report.data_year}-{month:02d} 月度存证表",
        subject=f"data-sha256:{doc.data_sha256}",
        creator=f"CarbonDesk {doc.app_version}",
    )
    return target
