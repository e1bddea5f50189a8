"""Parameter packs: every default, factor, benchmark and rule switch of a guideline for one data year.

Nothing numeric of the regulation is a literal in the engine: it reads a pack.  Each value carries
its unit, its confidence mark and its source, so that every figure computed from it can say where it
came from.  A user may override a value (the reason is recorded and travels with the figure) or import
a newer pack.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.domain.periods import DepositRule

CONFIDENCE = ("C2", "C1", "U", "missing", "user")
ParamValue = Decimal | str | bool | None


class PackError(ValueError):
    """A pack file that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the parameter pack:\n{listing}")


class MissingParameter(LookupError):
    """The pack has no confirmed value for a parameter the calculation needs."""

    def __init__(self, key: str, pack: ParameterPack) -> None:
        super().__init__(f"parameter {key} has no value in pack {pack.label}")
        self.key = key
        self.pack_label = pack.label


@dataclass(frozen=True)
class Parameter:
    key: str
    value: ParamValue
    unit: str
    confidence: str
    source: str
    note: str = ""
    override_reason: str | None = None
    overridden_by: str = ""
    original_value: ParamValue = None
    # The pack does not vouch for this value: until the user overrides it (entering the official value
    # with a reason) or justifies it, a finding asks for confirmation.
    confirm: bool = False
    label_zh: str = ""  # what the parameter is called (the guideline's labels.toml), for messages and pages
    label_en: str = ""

    def name(self, lang: str) -> str:
        return (self.label_zh if lang == "zh" else self.label_en) or self.key

    @property
    def needs_confirmation(self) -> bool:
        return self.confirm and self.override_reason is None

    @property
    def is_missing(self) -> bool:
        return self.value is None

    @property
    def decimal(self) -> Decimal:
        if not isinstance(self.value, Decimal):
            raise TypeError(f"parameter {self.key} is not a number: {self.value!r}")
        return self.value


@dataclass(frozen=True)
class ParameterPack:
    guideline: str
    data_year: int
    version: str
    title_zh: str
    title_en: str
    released: date | None
    parameters: Mapping[str, Parameter]

    @property
    def label(self) -> str:
        return f"{self.guideline}/{self.data_year}@{self.version}"

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def with_labels(self, labels: Mapping[str, tuple[str, str]]) -> ParameterPack:
        """The same pack, each parameter carrying its name in both languages."""
        params = {
            k: replace(p, label_zh=labels[k][0], label_en=labels[k][1]) if k in labels else p
            for k, p in self.parameters.items()
        }
        return replace(self, parameters=params)

    def get(self, key: str) -> Parameter:
        try:
            return self.parameters[key]
        except KeyError:
            raise KeyError(f"pack {self.label} has no parameter '{key}'") from None

    def number(self, key: str) -> Decimal:
        param = self.get(key)
        if param.is_missing:
            raise MissingParameter(key, self)
        return param.decimal

    def switch(self, key: str) -> Any:
        param = self.get(key)
        if param.is_missing:
            raise MissingParameter(key, self)
        return param.value

    def deposit_rule(self) -> DepositRule:
        """When the year's monthly deposits are due (``deadline.*``; a sector's first months may be due later)."""

        def day(key: str) -> date | None:
            param = self.parameters.get(key)
            text = str(param.value) if param is not None and param.value is not None else ""
            try:
                return (
                    date.fromisoformat(text + "-01") if len(text) == 7 else date.fromisoformat(text) if text else None
                )
            except ValueError:
                return None

        return DepositRule(
            int(self.number("deadline.deposit_days")), day("deadline.monthly_from"), day("deadline.backfill_due")
        )

    def with_overrides(self, overrides: Iterable[Any]) -> ParameterPack:
        """A new pack with user values; each override needs ``key``, ``value``, ``reason`` (and ``by``)."""
        params = dict(self.parameters)
        problems: list[str] = []
        for ov in overrides:
            current = params.get(ov.key)
            if current is None:
                problems.append(f"override of unknown parameter '{ov.key}'")
                continue
            if not str(ov.reason or "").strip():
                problems.append(f"override of '{ov.key}' has no reason")
                continue
            value = _coerce_like(current, ov.value, problems)
            params[ov.key] = replace(
                current,
                value=value,
                confidence="user",
                override_reason=str(ov.reason).strip(),
                overridden_by=getattr(ov, "by", "") or "",
                original_value=current.value,
            )
        if problems:
            raise PackError(self.label, problems)
        return replace(self, parameters=params)


def _coerce_like(current: Parameter, value: Any, problems: list[str]) -> ParamValue:
    template = current.value if current.value is not None else current.original_value
    if isinstance(template, bool):
        if not isinstance(value, bool):
            problems.append(f"override of '{current.key}' must be true or false")
        return value
    if isinstance(template, str):
        if not isinstance(value, str):
            problems.append(f"override of '{current.key}' must be text")
        return value
    # numeric, or a missing value (benchmarks not found are numbers)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        problems.append(f"override of '{current.key}' must be a number")
        return None
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        problems.append(f"override of '{current.key}' is not a number: {value!r}")
        return None
    if not number.is_finite():
        problems.append(f"override of '{current.key}' is not a finite number")
    return number


def _flatten(table: Mapping[str, Any], prefix: str, out: dict[str, Mapping[str, Any]]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and "confidence" in value:
            out[full] = value
        elif isinstance(value, Mapping):
            _flatten(value, full, out)
        else:
            out[full] = {"__bad__": value}


MAX_PACK_BYTES = 2 * 1024 * 1024  # a pack is a few kilobytes; anything far larger is not one
MAX_PACK_DEPTH = 16
MAX_EXPONENT = 30  # |value| between 1e-30 and 1e30: a parameter beyond is a typo, and would blow up sums


def _nesting_too_deep(text: str) -> bool:
    depth = 0
    for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]', text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_PACK_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def parse_pack(text: str, *, source: str = "<pack>") -> ParameterPack:
    """A pack from TOML; size, nesting and number magnitudes are checked before anything is used."""
    if len(text) > MAX_PACK_BYTES:
        raise PackError(source, [f"larger than {MAX_PACK_BYTES // 1024 // 1024} MB: not a parameter pack"])
    if _nesting_too_deep(text):
        raise PackError(source, [f"nested deeper than {MAX_PACK_DEPTH} levels: not a parameter pack"])
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(source, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    head = data.get("pack")
    if not isinstance(head, Mapping):
        raise PackError(source, ["[pack] table is missing"])
    for key in ("guideline", "data_year", "version"):
        if key not in head:
            problems.append(f"[pack]: '{key}' is missing")
    year = head.get("data_year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append("[pack]: 'data_year' must be a whole number")
    flat: dict[str, Mapping[str, Any]] = {}
    _flatten(data.get("params") or {}, "", flat)
    if not flat:
        problems.append("the pack declares no [params]")
    params: dict[str, Parameter] = {}
    for key, entry in flat.items():
        where = f"[params.{key}]"
        if "__bad__" in entry:
            problems.append(f"{where}: must be a table with value, unit, confidence and source")
            continue
        unknown = set(entry) - {"value", "unit", "confidence", "source", "note", "confirm"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        confidence = entry.get("confidence")
        if confidence not in CONFIDENCE:
            problems.append(f"{where}: confidence '{confidence}' is not one of {', '.join(CONFIDENCE)}")
        if not str(entry.get("source", "")).strip():
            problems.append(f"{where}: a source is required")
        value = entry.get("value")
        if value is None and confidence != "missing":
            problems.append(f"{where}: no value, so confidence must be 'missing'")
        if value is not None and confidence == "missing":
            problems.append(f"{where}: has a value but is marked 'missing'")
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if value is not None and not isinstance(value, Decimal | str | bool):
            problems.append(f"{where}: value must be a number, text or true/false")
        if isinstance(value, Decimal) and (
            not value.is_finite() or (value != 0 and abs(value.adjusted()) > MAX_EXPONENT)
        ):
            problems.append(f"{where}: the number {value} is outside 1e-{MAX_EXPONENT}…1e{MAX_EXPONENT}")
        confirm = entry.get("confirm", False)
        if not isinstance(confirm, bool):
            problems.append(f"{where}: confirm must be true or false")
        params[key] = Parameter(
            key=key,
            value=value,
            unit=str(entry.get("unit", "")),
            confidence=str(confidence),
            source=str(entry.get("source", "")),
            note=str(entry.get("note", "")),
            confirm=confirm is True,
        )
    if problems:
        raise PackError(source, problems)
    released = head.get("released")
    return ParameterPack(
        guideline=str(head["guideline"]),
        data_year=int(year),  # type: ignore[arg-type]
        version=str(head["version"]),
        title_zh=str(head.get("title_zh", "")),
        title_en=str(head.get("title_en", "")),
        released=released if isinstance(released, date) else None,
        parameters=params,
    )


def load_pack(path: str | Path) -> ParameterPack:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(str(path), [f"cannot read the file: {exc}"]) from exc
    return parse_pack(text, source=str(path))
