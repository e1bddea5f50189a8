"""Problems with a workbook, in zh and en; no spreadsheet library needed to name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    cell: str
    code: str
    detail: str = ""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "XLS-E001": ("不是可读取的 Excel 工作簿（.xlsx）", "not a readable Excel workbook (.xlsx)"),
        "XLS-E002": ("文件过大", "the file is too large"),
        "XLS-E003": ("缺少工作表", "sheet is missing"),
        "XLS-E004": ("输入单元格含公式，请填写数值", "an input cell holds a formula; type the value"),
        "XLS-E005": ("不是数值", "not a number"),
        "XLS-E006": ("合并单元格会打乱行列对应，请取消合并", "merged cells break the layout; unmerge them"),
        "XLS-E007": ("多出的行（不属于模板）", "extra row that is not part of the template"),
        "XLS-E008": ("不是可选值之一", "not one of the options"),
        "XLS-E009": ("日期无效", "not a valid date"),
        "XLS-E010": ("请填“是”或“否”", "type 是 or 否 (yes/no)"),
        "XLS-E011": ("行数过多", "too many rows"),
        "XLS-E012": (
            "这是旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入",
            "this is an old Excel 97-2003 workbook (.xls): save it as an Excel workbook (.xlsx) in Excel or WPS, "
            "then import that",
        ),
        "XLS-E013": (
            "这是旧版月度存证表（没有行标识），无法读回：请重新导出月度存证表或年度工作簿，填写后导入",
            "this monthly deposit sheet is from an older version (no row keys) and cannot be read back: export the "
            "monthly sheet or the yearly workbook again, fill it in and import that",
        ),
        "XLS-E015": (
            "行标识与本行不符（数据项名称或燃料不同；表格是否被排序或改动了结构？）",
            "the row's key does not fit the row (another item or fuel: was the sheet sorted or restructured?)",
        ),
        "XLS-E016": ("该行的标识与另一行重复", "this row's key repeats another row's"),
        "XLS-E017": ("数值超出该数据项允许的范围或精度", "the number is beyond what this item can hold"),
        "XLS-E014": (
            "这是另一数据年度的月度存证表，不能导入本年度",
            "this monthly deposit sheet is of another data year and cannot be imported into this one",
        ),
    }

    def render(self, lang: str) -> str:
        zh, en = self.MESSAGES[self.code]
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {zh if lang == 'zh' else en}{' — ' + self.detail if self.detail else ''}"


class WorkbookError(ValueError):
    def __init__(self, problems: list[CellProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render("en") for p in problems))

    def render(self, lang: str) -> str:
        head = (
            f"工作簿有 {len(self.problems)} 处问题，未导入任何数据："
            if lang == "zh"
            else f"{len(self.problems)} problem(s) in the workbook; nothing was imported:"
        )
        return "\n".join([head, *(f"  - {p.render(lang)}" for p in self.problems[:50])])
