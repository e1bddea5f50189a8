"""Problems found while reading an input file: a place, a code and parameters, rendered per language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.domain.findings import Message

MESSAGES: Mapping[str, Message] = {
    "INP-E001": Message(
        "不是有效的 JSON：第 {line} 行第 {column} 列，{detail}",
        "not valid JSON: line {line}, column {column}: {detail}",
    ),
    "INP-E002": Message("应为{expected}，实际是{got}", "expected {expected}, got {got}"),
    "INP-E003": Message(
        "数值不能写成带引号的文字 “{text}”；请写成 {suggestion}（不加引号、不加千位分隔符）",
        'a number must not be quoted text "{text}"; write {suggestion} (no quotes, no thousands separators)',
    ),
    "INP-E004": Message("未知字段 “{name}”{hint}", 'unknown field "{name}"{hint}'),
    "INP-E005": Message("“{value}” 不是可选值之一：{options}", '"{value}" is not one of: {options}'),
    "INP-E006": Message("日期 “{value}” 无效，应写成 YYYY-MM-DD", 'date "{value}" is not valid; write YYYY-MM-DD'),
    "INP-E007": Message("{what} “{value}” 重复出现", '{what} "{value}" appears more than once'),
    "INP-E008": Message("月份 {value} 不在 1–12 之间", "month {value} is not between 1 and 12"),
    "INP-E009": Message("缺少必需的键 “{name}”", 'required key "{name}" is missing'),
    "INP-E010": Message(
        "不支持的核算指南 “{value}”，可用：{options}", 'unsupported guideline "{value}"; available: {options}'
    ),
    "INP-E011": Message("键 “{name}” 在同一对象中出现两次", 'key "{name}" appears twice in the same object'),
    "INP-E012": Message("无法读取文件：{detail}", "cannot read the file: {detail}"),
    "INP-E013": Message("“{text}” 不是有限数值", '"{text}" is not a finite number'),
    "INP-E014": Message(
        "数据年度 {value} 没有参数包（可用：{options}）",
        "no parameter pack for data year {value} (available: {options})",
    ),
    "INP-E015": Message("{detail}", "{detail}"),
    "INP-E016": Message("数值{zh}", "the number {en}"),
    "INP-E017": Message("嵌套超过 {limit} 层，不是报告文件", "nested deeper than {limit} levels: not a report"),
    "INP-E018": Message("数据年度 {value} 不在 {low}–{high} 之间", "data year {value} is not between {low} and {high}"),
    "INP-E019": Message("编号（id）不能为空", "the no. (id) must not be empty"),
    "INP-E020": Message("参数包中没有参数 “{value}”", 'the parameter pack has no parameter "{value}"'),
    "INP-E021": Message("修改参数必须写明原因", "an override needs a written reason"),
    "INP-E022": Message("文字中含有无效字符（孤立的代理项）", "the text holds an invalid character (a lone surrogate)"),
    "INP-E023": Message("{zh}", "{en}"),
}

_KINDS_ZH = {
    "number": "数值",
    "whole number": "整数",
    "text": "文字",
    "true/false": "true/false",
    "date": "日期",
    "object": "对象",
    "list": "列表",
    "nothing": "空值(null)",
}


@dataclass(frozen=True)
class InputProblem:
    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        message = MESSAGES[self.code]
        params = dict(self.params)
        if lang == "zh":
            params = {k: _KINDS_ZH.get(v, v) if k in ("expected", "got") else v for k, v in params.items()}
            params["hint"] = f"（是否应为 “{params['hint_name']}”？）" if params.get("hint_name") else ""
        else:
            params["hint"] = f' (did you mean "{params["hint_name"]}"?)' if params.get("hint_name") else ""
        text = message.text(lang).format(**params)
        where = self.path or ("（文件）" if lang == "zh" else "(file)")
        return f"{where}: {text}"


class InputError(ValueError):
    """The input cannot be used; every problem found is listed, not just the first."""

    def __init__(self, problems: list[InputProblem], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__("\n".join(p.render("en") for p in problems))

    def render(self, lang: str) -> str:
        head = (
            f"{self.source}：发现 {len(self.problems)} 处问题，未做任何计算："
            if lang == "zh"
            else f"{self.source}: {len(self.problems)} problem(s) found; nothing was calculated:"
        )
        return "\n".join([head, *(f"  - {p.render(lang)}" for p in self.problems)])
