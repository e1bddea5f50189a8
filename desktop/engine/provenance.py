"""Figures that know where they come from.

Every number the engine produces is a ``Figure``: its value and unit, the formula that made it, the
figures it was made from, and, for a parameter, the pack entry (with its source, confidence and any
user override).  The UI, the PDF and the Excel only render figures; they never recompute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from desktop.engine.params import Parameter, ParameterPack

INPUT = "input"
PARAM = "param"
CONST = "const"


class Figure(NamedTuple):
    """Immutable; a NamedTuple because a year of a large group makes hundreds of thousands of them."""

    name: str
    value: Decimal | None
    unit: str
    formula: str
    expression: str = ""
    inputs: tuple[Figure, ...] = ()
    source: str = ""  # field path of an input, pack label of a parameter
    parameter: Parameter | None = None

    @property
    def known(self) -> bool:
        return self.value is not None

    def walk(self) -> Iterator[Figure]:
        yield self
        for child in self.inputs:
            yield from child.walk()

    def parameters(self) -> list[Figure]:
        """The parameter figures this one depends on, each once."""
        seen: dict[str, Figure] = {}
        for node in self.walk():
            if node.formula == PARAM and node.parameter is not None:
                seen.setdefault(node.parameter.key, node)
        return list(seen.values())


def input_figure(name: str, value: Decimal | None, unit: str, path: str) -> Figure:
    return Figure(name, value, unit, INPUT, source=path)


def param_figure(pack: ParameterPack, key: str, name: str | None = None) -> Figure:
    param = pack.get(key)
    value = param.value if isinstance(param.value, Decimal) else None
    return Figure(name or key, value, param.unit, PARAM, key, source=pack.label, parameter=param)


def const_figure(name: str, value: Decimal, unit: str, why: str) -> Figure:
    return Figure(name, value, unit, CONST, why)


def derive(
    name: str,
    unit: str,
    formula: str,
    expression: str,
    inputs: tuple[Figure, ...],
    compute: Callable[..., Decimal | None],
) -> Figure:
    """A figure computed from others; unknown when any input is unknown (data still being entered)."""
    values = [f.value for f in inputs]
    value = None if any(v is None for v in values) else compute(*values)
    return Figure(name, value, unit, formula, expression, inputs)


def total(name: str, unit: str, parts: tuple[Figure, ...], formula: str = "F6") -> Figure:
    """Sum of known parts; unknown only when every part is unknown.

    A year with a month still missing sums what is known; the missing month is a finding, not a crash.
    """
    known = [p.value for p in parts if p.value is not None]
    value = sum(known, Decimal(0)) if known else None
    return Figure(name, value, unit, formula, "Σ " + name, parts)


def explain(figure: Figure, lang: str = "en", *, depth: int = 3, indent: str = "") -> list[str]:
    """Readable lines: the figure, its formula and its inputs down to ``depth`` levels."""
    lines = [f"{indent}{figure.name} = {_fmt(figure.value)} {figure.unit}".rstrip() + _origin(figure, lang)]
    if depth > 0 and figure.formula not in (INPUT, PARAM, CONST):
        for child in figure.inputs:
            lines.extend(explain(child, lang, depth=depth - 1, indent=indent + "    "))
    return lines


def _origin(figure: Figure, lang: str) -> str:
    if figure.formula == INPUT:
        return f"  [{'输入' if lang == 'zh' else 'input'} {figure.source}]"
    if figure.formula == PARAM and figure.parameter is not None:
        p = figure.parameter
        text = f"  [{'参数' if lang == 'zh' else 'parameter'} {p.key}, {figure.source}, {p.confidence}: {p.source}"
        if p.override_reason:
            label = "用户修改" if lang == "zh" else "overridden"
            text += f"; {label} ({p.original_value} → {p.value}): {p.override_reason}"
        return text + "]"
    if figure.formula == CONST:
        return f"  [{figure.expression}]"
    return f"  [{figure.formula}: {figure.expression}]"


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:f}"


def parameter_dict(p: Parameter) -> dict[str, Any]:
    """A parameter as the JSON results show it: key, confidence, source (note, override)."""
    return {
        "key": p.key,
        "confidence": p.confidence,
        "source": p.source,
        **({"note": p.note} if p.note else {}),
        **(
            {"override_reason": p.override_reason, "original_value": _plain(p.original_value)}
            if p.override_reason
            else {}
        ),
    }


def to_dict(
    figure: Figure,
    *,
    depth: int = 99,
    numbers: Callable[[Figure, bool], dict[str, Any]] | None = None,
    top: bool = True,
) -> dict[str, Any]:
    """JSON-ready provenance; numbers as strings so that no precision is lost.

    ``numbers(figure, top)`` may give the value fields instead (e.g. rounded to a display precision, with
    the exact value beside it at the top level); by default the exact value.
    """
    shown = (
        numbers(figure, top)
        if numbers is not None
        else {"value": None if figure.value is None else f"{figure.value:f}"}
    )
    out: dict[str, Any] = {"name": figure.name, **shown, "unit": figure.unit, "formula": figure.formula}
    if figure.expression:
        out["expression"] = figure.expression
    if figure.source:
        out["source"] = figure.source
    if figure.parameter is not None:
        out["parameter"] = parameter_dict(figure.parameter)
    if figure.inputs and depth > 0:
        out["inputs"] = [to_dict(c, depth=depth - 1, numbers=numbers, top=False) for c in figure.inputs]
    return out


def _plain(value: Any) -> Any:
    return f"{value:f}" if isinstance(value, Decimal) else value
