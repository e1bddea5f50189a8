"""A figure's provenance in the user's language: names, formulas, data items and parameters as the user
knows them, values at their declared precision.

The engine's provenance (``desktop.engine.provenance``) keeps exact values and internal names for the
JSON results; this is what a person reads in the window.
"""

from __future__ import annotations

from decimal import Decimal

from desktop.domain.findings import FieldRef
from desktop.domain.numbers import format_decimal
from desktop.engine.provenance import CONST, INPUT, PARAM, Figure
from desktop.services.guidelines import Guideline

_DEFAULT_PLACES = 6  # a figure without declared places (an intermediate): enough to check by hand

# Constants of the formulas, in words (the engine names them for its JSON results)
CONSTANTS = {
    "44/12": ("CO2 与 C 的分子量之比", "molar mass ratio CO2/C"),
    "44/56": ("CO2 与 CaO 的分子量之比", "molar mass ratio CO2/CaO"),
    "44/40": ("CO2 与 MgO 的分子量之比", "molar mass ratio CO2/MgO"),
    "B_h": ("无供热，供热项为零", "no heat supplied: the heat term is zero"),
}

CONFIDENCE = {
    "C1": ("官方原文", "official text"),
    "C2": ("可靠转载", "reliable reprint"),
    "U": ("未确认", "unconfirmed"),
    "missing": ("缺失", "missing"),
    "user": ("用户填写", "entered by the user"),
}


def pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def figure_value(figure: Figure, guideline: Guideline, places: int | None = None) -> str:
    if figure.value is None:
        return "—"
    value = figure.value
    if not isinstance(value, Decimal) or not value.is_finite():
        return str(value)
    if places is None:
        info = guideline.figures.get(figure.name)
        places = info.places if info is not None else None
    if places is None:
        exponent = value.normalize().as_tuple().exponent
        places = min(_DEFAULT_PLACES, max(0, -exponent)) if isinstance(exponent, int) else _DEFAULT_PLACES
    return format_decimal(value, places)


def figure_name(figure: Figure, guideline: Guideline, lang: str) -> tuple[str, int | None]:
    """The name a user knows, and the places to show it with."""
    if figure.formula == PARAM:
        return guideline.parameter_label(figure.expression or figure.name, lang), None
    if figure.formula == INPUT:
        ref = FieldRef.parse(figure.source or "")
        form = guideline.form
        where_in_month = ref.month_path if ref is not None else None
        spec = None
        if ref is not None and where_in_month is not None and where_in_month.field is not None:
            try:
                scope = "month" if where_in_month.rows is None else form.row_kind(where_in_month.rows).scope
                spec = form.field(scope, where_in_month.field)
            except KeyError:
                spec = None
            if spec is not None:
                month = int(ref.month or 0)
                where = pick(lang, f"{ref.unit} · {month}月", f"{ref.unit} · month {month}")
                return (
                    f"{spec.label(lang)}（{where}）" if lang == "zh" else f"{spec.label(lang)} ({where})",
                    spec.places,
                )
    if ":" in figure.name:  # a row's total over the year, "consumption:coal"
        return figure_label(figure.name, guideline, lang), 2
    info = guideline.figures.get(figure.name)
    if info is not None:
        return info.label(lang), info.places
    return figure.name, None


def figure_label(name: str, guideline: Guideline, lang: str) -> str:
    """A figure's name in words; ``measure:key`` (a row's total, "consumption:coal") as "Coal · consumed"."""
    base, _, key = name.partition(":")
    info = guideline.figures.get(base)
    if not key:
        return info.label(lang) if info is not None else name
    form = guideline.form
    for kind in form.row_kinds:
        enum = form.field(kind.scope, kind.key).enum
        option = form.enums[enum].option(key) if enum else None
        if option is None:
            continue
        measure = info.label(lang) if info is not None else None
        if measure is None:
            spec = next((s for s in form.fields(kind.scope) if s.id == base), None)
            measure = spec.label(lang) if spec is not None else pick(lang, "消耗量", "consumed")
        return f"{option.label(lang)} · {measure}"
    return name


def formula_text(figure: Figure, guideline: Guideline, lang: str) -> str:
    """The formula a figure comes from, in words of the user's language (for a table column or a tooltip)."""
    if figure.formula == INPUT:
        return pick(lang, "填报数据", "entered")
    if figure.formula == PARAM:
        return pick(lang, "参数", "parameter")
    return origin(figure, guideline, lang, {}).strip()[1:-1]


def origin(figure: Figure, guideline: Guideline, lang: str, pack_titles: dict[str, str]) -> str:
    if figure.formula == INPUT:
        return pick(lang, "  [填报数据]", "  [entered]")
    if figure.formula == PARAM and figure.parameter is not None:
        p = figure.parameter
        pack = pack_titles.get(figure.source, figure.source)
        zh, en = CONFIDENCE.get(p.confidence, (p.confidence, p.confidence))
        source = guideline.parameter_source(p.source, lang)
        text = pick(lang, f"  [参数 · {pack} · {zh}：{source}", f"  [parameter · {pack} · {en}: {source}")
        if p.override_reason:
            text += pick(
                lang,
                f"；用户修改（{p.original_value} → {p.value}）：",
                f"; overridden ({p.original_value} → {p.value}): ",
            )
            text += p.override_reason
        return text + "]"
    if figure.formula == CONST:
        words = CONSTANTS.get(figure.name)
        return f"  [{words[0 if lang == 'zh' else 1] if words else figure.expression}]"
    if figure.expression.startswith("Σ "):  # a sum over months or fuel rows: of what, by its name
        summed = Figure(figure.expression[2:].strip(), None, "", figure.formula)
        return f"  [{figure.formula}: Σ {figure_name(summed, guideline, lang)[0]}]"
    formula = guideline.formulas.get(figure.formula)
    text = formula[0 if lang == "zh" else 1] if formula else figure.expression
    return f"  [{figure.formula}: {text}]"


def explain_figure(
    figure: Figure,
    guideline: Guideline,
    lang: str,
    *,
    depth: int = 3,
    pack_titles: dict[str, str] | None = None,
    indent: str = "",
) -> list[str]:
    """Readable lines: the figure, its formula and its inputs down to ``depth`` levels."""
    titles = pack_titles or {}
    name, places = figure_name(figure, guideline, lang)
    value = figure_value(figure, guideline, places)
    line = f"{indent}{name} = {value} {figure.unit}".rstrip() + origin(figure, guideline, lang, titles)
    lines = [line]
    if depth > 0 and figure.formula not in (INPUT, PARAM, CONST):
        for child in figure.inputs:
            lines.extend(
                explain_figure(child, guideline, lang, depth=depth - 1, pack_titles=titles, indent=indent + "    ")
            )
    return lines
