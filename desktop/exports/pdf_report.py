"""The annual emission report as a PDF (reportlab platypus), Chinese text in an embedded TrueType font.

It renders what the engine computed; it computes nothing.  Every page carries the entity and data year
in its header and "page x of y" in its footer; the cover carries a QR code with the SHA-256 of the
report's data (the JSON report and the evidence index), which the signed package's manifest repeats.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics import shapes
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop import paths
from desktop.domain.findings import Severity, render
from desktop.domain.numbers import format_decimal, round_reported
from desktop.engine.provenance import Figure
from desktop.engine.results import ReportHeading, ReportSection, ReportTable
from desktop.exports.document import ReportDocument
from desktop.exports.words import CONFIDENCE_WORDS, lab_data, path_words, place_text
from desktop.formspec.types import EVIDENCE

MONO = "WenQuanYiMicroHeiMono"
FONT = "CarbonDeskCJK"
_registered: list[str] = []
_registering = threading.Lock()  # the window may load the font ahead on a thread of its own


def register_font() -> str:
    with _registering:
        return _register_font()


def _register_font() -> str:
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


CELL_SIZE, CELL_LEADING, CELL_PADDING = 7.5, 9.5, 6  # the cell style's font size and leading; Table's padding


def _table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: dict[str, ParagraphStyle],
    numeric: Iterable[int] = (),
) -> Table:
    numeric = set(numeric)

    def cell(text: str, column: int) -> Any:
        # A cell's text is drawn as lines, broken here to its column's width with each character measured once
        # (a 50-unit report has tens of thousands of cells: a Paragraph per cell, which measures every
        # character of every cell again, cost most of the report's time)
        room = widths[column] - 2 * CELL_PADDING if column < len(widths) else 0
        if room <= 0:
            return Paragraph(_escape(text), styles["cellr" if column in numeric else "cell"])
        return "\n".join(wrap_cell_text(text, room))

    body = [
        [
            c if not isinstance(c, str) else Paragraph(_header_text(c), styles["head"]) if i == 0 else cell(c, j)
            for j, c in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # Table sets its font before each cell, Paragraph or not
                ("FONTSIZE", (0, 1), (-1, -1), CELL_SIZE),
                ("LEADING", (0, 1), (-1, -1), CELL_LEADING),
                *[("ALIGN", (j, 1), (j, -1), "RIGHT") for j in sorted(numeric)],
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


_WIDTHS: dict[str, float] = {}  # each character's width in a cell (the cell font at its size), measured once
_TOKENS = re.compile(
    r"\s+|[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+"
)
_NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)%")  # punctuation kept at the end of the line before


def _width(text: str) -> float:
    total = 0.0
    for ch in text:
        w = _WIDTHS.get(ch)
        if w is None:
            w = _WIDTHS[ch] = pdfmetrics.stringWidth(ch, register_font(), CELL_SIZE)
        total += w
    return total


def wrap_cell_text(text: str, room: float) -> list[str]:
    """A cell's text as lines no wider than ``room`` points: broken between Chinese characters and at the
    spaces between other words; a word wider than the column is broken between its letters; closing
    punctuation never starts a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKENS.findall(paragraph):
            if token.isspace():
                if line:
                    line, used = line + " ", used + _width(" ")
                continue
            width = _width(token)
            if used + width <= room or (line and token in _NO_LINE_START):
                line, used = line + token, used + width
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, used = "", 0.0
            if width <= room:
                line, used = token, width
                continue
            for ch in token:  # a word longer than the column: broken between its letters
                w = _width(ch)
                if used + w > room and line:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = line + ch, used + w
        lines.append(line.rstrip())
    return lines


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
    sector = ""  # the guideline's sector, top right (发电设施)

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
        self.drawRightString(width - 18 * mm, height - 12 * mm, f"全国碳排放权交易市场 · {self.sector}")
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
        Paragraph(doc.form.title_en, s["subtitle"]),
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
        [f"{doc.form.unit_zh}数 / {doc.form.unit_en}s", str(len(doc.report.units))],
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


def _parameters(doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str) -> list[Any]:
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
        Paragraph(heading, s["h1"]),
        _table(rows, [50 * mm, 18 * mm, 20 * mm, 18 * mm, 68 * mm], s, numeric=(1,)),
        Paragraph(
            f"参数包：{doc.pack.title_zh}（版本 {doc.pack.version}）。可信度：官方原文＝见到官方文本；可靠转载＝可靠的转载或"
            "两个来源；未确认＝尚未证实，请以主管部门发布为准；用户填写＝用户按通知录入并说明理由。",
            s["small"],
        ),
    ]


def _section(section: ReportSection, heading: str, s: dict[str, ParagraphStyle]) -> list[Any]:
    """A section the guideline wrote as text tables, notes and sub-headings."""
    story: list[Any] = [Paragraph(heading, s["h1"])]
    for part in section.parts:
        if isinstance(part, ReportTable):
            story.append(_table(part.rows, [w * mm for w in part.widths_mm], s, numeric=part.numeric))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(part, ReportHeading):
            story.append(Paragraph(_escape(part.text), s["h2"]))
        else:
            story.append(Paragraph(_escape(part.text), s["small"]))
    return story


def _charts(doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str) -> list[Any]:
    """Each unit's months as bars of the figure the guideline's chart declares (its emissions)."""
    story: list[Any] = [Paragraph(heading, s["h1"])]
    bars = doc.words.chart.bars
    info = doc.figures[bars]
    for unit in doc.result.units:
        values = {m.month: m.figures[bars].value for m in unit.months if bars in m.figures}
        caption = f"{doc.form.unit_zh} {unit.unit_id} 月度{info.label_zh} {info.unit}"
        story.append(KeepTogether([MonthBars(caption, [values.get(m) for m in range(1, 13)])]))
    return story


def axis_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round values for a value axis covering ``low``..``high`` (and zero): steps of 1, 2, 2.5 or 5 times a
    power of ten, at most ``most`` intervals."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if span <= 0:
        return [0.0, 1.0]
    magnitude = 10.0 ** math.floor(math.log10(span / most))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10, 20) if span / (m * magnitude) <= most)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


class MonthBars(Flowable):
    """Twelve months as bars with a value axis, drawn straight onto the page: one chart per unit, and a
    50-unit report has fifty (reportlab's chart widgets cost a third of such a report's time)."""

    WIDTH, HEIGHT = 170 * mm, 55 * mm
    X, Y, PLOT_W, PLOT_H = 18 * mm, 8 * mm, 145 * mm, 40 * mm
    FILL, EDGE, AXIS = colors.HexColor("#7fa7d9"), colors.HexColor("#4f77a8"), colors.HexColor("#333333")

    def __init__(self, caption: str, values: Sequence[Decimal | None]) -> None:
        super().__init__()
        self.caption = caption
        self.values = [float(v) if v is not None else None for v in values]
        self.width, self.height = self.WIDTH, self.HEIGHT

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        shown = [v for v in self.values if v is not None]
        ticks = axis_ticks(min(shown, default=0.0), max(shown, default=0.0))
        bottom, top = ticks[0], ticks[-1]
        scale = self.PLOT_H / (top - bottom)

        def y_of(value: float) -> float:
            return self.Y + (value - bottom) * scale

        step = ticks[1] - ticks[0]
        places = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
        c.saveState()
        c.setFont(FONT, 8)
        c.setFillColor(colors.black)
        c.drawString(self.X, 50 * mm, self.caption)
        c.setFont(FONT, 7)
        c.setStrokeColor(self.AXIS)
        c.setLineWidth(0.5)
        for tick in ticks:
            y = y_of(tick)
            c.line(self.X - 3, y, self.X, y)
            c.drawRightString(self.X - 5, y - 2.5, format_decimal(Decimal(f"{tick:.{places}f}")))
        c.line(self.X, self.Y, self.X, self.Y + self.PLOT_H)
        slot = self.PLOT_W / len(self.values)
        zero = y_of(0.0)
        c.setFillColor(self.FILL)
        c.setStrokeColor(self.EDGE)
        for i, value in enumerate(self.values):
            if value:
                c.rect(self.X + slot * (i + 1 / 6), min(zero, y_of(value)), slot * 2 / 3, abs(y_of(value) - zero), 1, 1)
        c.setStrokeColor(self.AXIS)
        c.setFillColor(colors.black)
        c.line(self.X, zero, self.X + self.PLOT_W, zero)
        for i in range(len(self.values)):
            c.drawCentredString(self.X + slot * (i + 0.5), self.Y - 9, f"{i + 1}月")
        c.restoreState()


PLACES_SHOWN = 8  # a finding said alike in many places lists this many of them, then their number


def _findings(doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str = "七、校验结果 Findings") -> list[Any]:
    """One row per finding -- findings that say the same thing (code, message, justification) share a row
    that lists their places (a group's year can repeat one warning hundreds of times; the workbook and
    results.json keep every finding on its own)."""
    rows = [["级别", "代码", "位置", "说明 Message", "书面说明 Justification"]]
    names = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
    alike: dict[tuple[str, str, str, str], list[str]] = {}
    for f in doc.findings:
        justification = f"{f.acknowledged.justification}（{f.acknowledged.by}）" if f.acknowledged else ""
        key = (names[f.severity], f.code, render(f, doc.messages, "zh"), justification)
        alike.setdefault(key, []).append(place_text(f, doc.form, "zh", doc.parameter_label))
    grouped = False
    for (severity, code, message, justification), places in alike.items():
        shown = "；".join(places[:PLACES_SHOWN])
        if len(places) > PLACES_SHOWN:
            shown += f" 等共 {len(places)} 处"
            grouped = True
        rows.append([severity, code, shown, message, justification])
    if len(rows) == 1:
        rows.append(["—", "—", "—", "无 none", ""])
    story: list[Any] = [Paragraph(heading, s["h1"]), _table(rows, [12 * mm, 18 * mm, 40 * mm, 68 * mm, 36 * mm], s)]
    if grouped:
        story.append(
            Paragraph(
                f"注：相同的校验结果合并为一行；全部 {len(doc.findings)} 条逐条列于 Excel 工作簿与 results.json。"
                f" / Findings alike share a row; all {len(doc.findings)} are listed one by one in the workbook "
                "and results.json.",
                s["small"],
            )
        )
    return story


def _evidence(
    doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str = "八、支撑材料索引 Evidence index"
) -> list[Any]:
    rows: list[list[Any]] = [
        ["文件 File", "SHA-256", "类型 Kind", "检测机构 / 报告编号 Lab / report no.", "日期 Dates", "证明 Proves"]
    ]
    for e in doc.evidence:
        kind = doc.form.evidence_kinds.get(e.kind)
        who, dates = EVIDENCE.show_record(e.kind, lab_data(e, doc.report, doc.form), doc.form, "zh")
        proves = [f"{u} · {m}月 · {path_words(doc.form, doc.report, u, m, p)}" for u, _y, m, p in e.links[:3]]
        where = "；".join(proves) + (f" 等 {len(e.links)} 项" if len(e.links) > 3 else "")
        full = e.sha256
        rows.append(
            [
                e.file_name,
                # the whole hash in two lines of 32, monospaced, so a file can be matched by eye
                Paragraph("<br/>".join(full[i : i + 32] for i in range(0, len(full), 32)), s["mono"]),
                kind.label_zh if kind else e.kind,
                who or "—",
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


def _declaration(doc: ReportDocument, s: dict[str, ParagraphStyle], heading: str) -> list[Any]:
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
        Paragraph(heading, s["h1"]),
        Paragraph(text, s["base"]),
        Paragraph(english, s["small"]),
        Spacer(1, 12 * mm),
        box,
    ]


NUMERALS = "一二三四五六七八九十"


def build_story(doc: ReportDocument) -> list[Any]:
    """The cover, the guideline's sections (with the parameters where it places them), then what every
    report has: the monthly chart, the findings, the evidence index and the declaration -- numbered in order."""
    s = _styles()
    story: list[Any] = _cover(doc, s)
    number = iter(NUMERALS)

    def heading(title: str) -> str:
        return f"{next(number)}、{title}"

    sections = doc.words.report_sections(doc.report, doc.result, doc.form, doc.pack, doc.parameter_label)
    for section in sections:
        if section.generic == "parameters":
            story += _parameters(doc, s, heading("排放因子与参数 Factors and parameters"))
        else:
            story += _section(section, heading(section.title), s)
    story += _charts(doc, s, heading("月度排放 Monthly emissions"))
    story += _findings(doc, s, heading("校验结果 Findings"))
    story += _evidence(doc, s, heading("支撑材料索引 Evidence index"))
    story += _declaration(doc, s, heading("声明 Declaration"))
    return _headings_kept_with_content(story, s["h1"])


def _headings_kept_with_content(story: list[Any], h1: ParagraphStyle) -> list[Any]:
    """A section's heading never ends a page: with a block that cannot split after it (a chart), the two
    go together; before anything else, with less than a few lines' room left, it starts the next page
    (keepWithNext cannot hold a heading to a table taller than the page)."""
    out: list[Any] = []
    items = list(story)
    i = 0
    while i < len(items):
        flowable = items[i]
        if isinstance(flowable, Paragraph) and flowable.style is h1:
            if out:
                out.append(CondPageBreak(45 * mm))
            following = items[i + 1] if i + 1 < len(items) else None
            if isinstance(following, KeepTogether):
                out.append(KeepTogether([flowable, following]))
                i += 2
                continue
        out.append(flowable)
        i += 1
    return out


def _build(story: list[Any], target: Path, *, header: str, sector: str, title: str, subject: str, creator: str) -> None:
    """A4 pages with the header and "page x of y"; every font embedded."""

    class Numbered(_NumberedCanvas):
        pass

    Numbered.header = header
    Numbered.sector = sector
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
        sector=doc.form.sector_zh,
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
    for kind in doc.form.row_kinds:
        enum = doc.form.enums[doc.form.field(kind.scope, kind.key).enum or ""]
        present = {str(r.get(kind.key)) for u in units if u.month(month) for r in u.month(month).rows_of(kind.id)}
        for item in [o.id for o in enum.options if o.id in present]:
            option = enum.option(item)
            rows.append([f"{kind.label_zh}：{option.label_zh if option else item}", "", *["" for _ in units]])
            for spec in doc.form.fields(kind.scope):
                if spec.id == kind.key:
                    continue
                values = []
                for unit in units:
                    record = unit.month(month)
                    found = (
                        next((r for r in record.rows_of(kind.id) if r.get(kind.key) == item), None) if record else None
                    )
                    value = found.get(spec.id) if found else None
                    shown = (
                        format_decimal(value)
                        if isinstance(value, Decimal)
                        else (("是" if value else "否") if isinstance(value, bool) else str(value))
                    )
                    values.append("—" if value is None else shown)
                rows.append([spec.label_zh, doc.form.unit_of(spec, {kind.key: item}), *values])
    for name in doc.words.workbook.month_computed:  # the month's computed figures, as on the deposit workbook
        places = doc.figures[name].places
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
        sector=doc.form.sector_zh,
        title=f"{entity.get('name', '')} {doc.report.data_year}-{month:02d} 月度存证表",
        subject=f"data-sha256:{doc.data_sha256}",
        creator=f"CarbonDesk {doc.app_version}",
    )
    return target
