"""One value type per kind of form field: how a value of that kind is read from typed text (the grid, a
paste), from a JSON document and from a spreadsheet cell, checked before it is stored, shown to a person
and written to a cell.  Every reader and writer asks the field's type (``value_type(spec)``), so a
field's rules -- its kind, range, precision and significant digits, stated once in the form -- hold the
same everywhere.

A value that cannot be the field's raises ``Refused`` with a reason (``NOT_NUMBER``, ``RANGE`` ...) and
its words in both languages; each channel turns the reason into its own message (a grid tooltip, an
``XLS-E005`` cell problem, an ``INP-E002`` input problem, an ``STO-E011`` storage error).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from desktop.domain.numbers import NUM_EXPONENT, NumberFormatError, format_decimal, parse_decimal, round_reported
from desktop.domain.paths import MonthPath
from desktop.domain.records import EvidenceRef
from desktop.domain.typed_text import parse_bool_text, parse_date_text
from desktop.formspec.model import FieldSpec, FormSpec, fault_text

Value = Decimal | bool | date | str | None

# Why a value was refused
NOT_NUMBER = "not_number"
EXPONENT = "exponent"  # 1e5: written out instead, so that what is typed is what is stored
NUMBER_FAULT = "number_fault"  # not finite, too many significant digits, too large (the form's bounds)
NOT_WHOLE = "not_whole"
RANGE = "range"
NOT_BOOL = "not_bool"
NOT_DATE = "not_date"
NOT_OPTION = "not_option"
NOT_TEXT = "not_text"
UNREADABLE_TEXT = "unreadable_text"  # a lone surrogate: no file or database can hold it
MISSING = "missing"  # a part a value must have (an evidence reference's file or hash)
NOT_HASH = "not_hash"
NOT_PLACE = "not_place"  # a path that names no place of the form's months
RECORD_ORDER = "record_order"  # a lab report's dates that do not run in order

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class Refused(ValueError):
    """A value that cannot be the field's, and why (``reason``), in both languages."""

    def __init__(self, reason: str, zh: str, en: str, **params: Any) -> None:
        super().__init__(en)
        self.reason, self.zh, self.en, self.params = reason, zh, en, params

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _shown(raw: Any) -> str:
    return str(raw)[:40]


class FieldType:
    """The rules of one kind of field.  ``form`` gives enums their options; ``spec`` the field."""

    id = "text"

    def from_text(self, spec: FieldSpec, text: str, form: FormSpec, *, within_range: bool = False) -> Value:
        """What a person typed or pasted (``None`` for an empty cell).  ``within_range``: a value outside the
        form's hard range is refused at once (the grid), instead of becoming a finding (imports)."""
        cleaned = text.strip()
        return None if not cleaned else self.check(spec, cleaned, form)

    def from_json(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        """A value of a JSON document, of the JSON kind the schema names (numbers are never quoted)."""
        return None if raw is None else self.check(spec, raw, form)

    def from_cell(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        """A spreadsheet cell as openpyxl reads it (number, text, bool or datetime)."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, str):
            return self.from_text(spec, raw, form)
        return self.check(spec, str(raw), form)

    def check(self, spec: FieldSpec, value: Any, form: FormSpec) -> Value:
        """A value offered as this field's (already of its Python type): returned, or ``Refused``."""
        if not isinstance(value, str):
            raise Refused(NOT_TEXT, "应为文字", "must be text", value=_shown(value))
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise Refused(UNREADABLE_TEXT, "含有无法保存的字符", "holds a character no file can keep")
        return value

    def show(self, spec: FieldSpec | None, value: Any, form: FormSpec, lang: str) -> str:
        return "" if value is None else str(value)

    def to_cell(self, spec: FieldSpec, value: Any, form: FormSpec) -> Any:
        return value

    def expected(self) -> tuple[str, str]:
        """What a value of this kind is, in words (for messages)."""
        return ("文字", "text")


class NumberType(FieldType):
    """A number with the form's unit, range, places and significant digits; ``whole`` for integers."""

    def __init__(self, whole: bool = False) -> None:
        self.whole = whole
        self.id = "integer" if whole else "decimal"

    def expected(self) -> tuple[str, str]:
        return ("整数", "a whole number") if self.whole else ("数值", "a number")

    def from_text(self, spec: FieldSpec, text: str, form: FormSpec, *, within_range: bool = False) -> Value:
        cleaned = text.strip()
        if not cleaned:
            return None
        try:
            value = parse_decimal(cleaned)
        except NumberFormatError as exc:
            if exc.reason == NUM_EXPONENT:
                raise Refused(
                    EXPONENT,
                    f"“{cleaned}” 是科学计数法，请直接写出数值",
                    f'"{cleaned}" is exponent notation; write the number out',
                    value=_shown(cleaned),
                ) from exc
            raise Refused(
                NOT_NUMBER, f"“{cleaned}” 不是数值", f'"{cleaned}" is not a number', value=_shown(cleaned)
            ) from exc
        value = self.check(spec, value, form, shown=cleaned)
        if within_range and spec.range_code and not spec.in_range(value):
            low = "—" if spec.min is None else format_decimal(spec.min)
            high = "—" if spec.max is None else format_decimal(spec.max)
            raise Refused(
                RANGE, f"应在 {low} 到 {high} 之间", f"must be between {low} and {high}", value=_shown(cleaned)
            )
        return value

    def from_json(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if raw is None:
            return None
        if isinstance(raw, str):
            try:
                suggestion = f"{parse_decimal(raw):f}"
            except NumberFormatError:
                suggestion = ""
            raise Refused(
                NOT_NUMBER, "应为数值，不能加引号", "must be a number, not quoted", value=raw, suggestion=suggestion
            )
        return self.check(spec, raw, form)

    def from_cell(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool | datetime | date):
            raise Refused(NOT_NUMBER, "不是数值", "is not a number", value=_shown(raw))
        if isinstance(raw, int | float):
            # a double as Excel holds it: its shortest repr is what was typed (up to 15 significant digits)
            return self.check(spec, Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), form)
        return self.from_text(spec, str(raw), form)

    def check(self, spec: FieldSpec, value: Any, form: FormSpec, *, shown: str | None = None) -> Value:
        if isinstance(value, bool) or not isinstance(value, Decimal):
            raise Refused(NOT_NUMBER, "不是数值", "is not a number", value=_shown(value))
        fault = spec.number_fault(value)
        if fault is not None:
            head = f"“{shown}” " if shown else ""
            raise Refused(
                NUMBER_FAULT,
                head + fault_text(spec, fault, "zh"),
                head + fault_text(spec, fault, "en"),
                fault=fault,
            )
        if self.whole and value != value.to_integral_value():
            raise Refused(NOT_WHOLE, "应为整数", "must be a whole number", value=_shown(value))
        return value

    def show(self, spec: FieldSpec | None, value: Any, form: FormSpec, lang: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, Decimal):
            return str(value)
        if spec is not None and spec.number_fault(value) is not None:
            # a value stored by an older version or outside the app: shown as an error, never expanded
            return "⚠ 数值无效，请重新填写" if lang == "zh" else "⚠ invalid number, enter it again"
        places = spec.places if spec is not None else None
        return format_decimal(round_reported(value, places)) if places is not None else format_decimal(value)

    def to_cell(self, spec: FieldSpec, value: Any, form: FormSpec) -> Any:
        if not isinstance(value, Decimal):
            return value
        # Excel holds doubles; values of up to 15 significant digits come back exactly (read: repr)
        return int(value) if value == value.to_integral_value() else float(value)


class BoolType(FieldType):
    id = "bool"

    def expected(self) -> tuple[str, str]:
        return ("是/否", "yes or no")

    def from_text(self, spec: FieldSpec, text: str, form: FormSpec, *, within_range: bool = False) -> Value:
        if not text.strip():
            return None
        try:
            return parse_bool_text(text)
        except ValueError as exc:
            raise Refused(NOT_BOOL, "请填“是”或“否”", "type yes or no", value=_shown(text)) from exc

    def from_cell(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if isinstance(raw, bool):
            return raw
        return super().from_cell(spec, raw, form)

    def check(self, spec: FieldSpec, value: Any, form: FormSpec) -> Value:
        if not isinstance(value, bool):
            raise Refused(NOT_BOOL, "应为“是”或“否”", "must be yes or no", value=_shown(value))
        return value

    def show(self, spec: FieldSpec | None, value: Any, form: FormSpec, lang: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, bool):
            return str(value)
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")

    def to_cell(self, spec: FieldSpec, value: Any, form: FormSpec) -> Any:
        return None if value is None else ("是" if value else "否")


class DateType(FieldType):
    id = "date"

    def expected(self) -> tuple[str, str]:
        return ("日期", "a date")

    def from_text(self, spec: FieldSpec, text: str, form: FormSpec, *, within_range: bool = False) -> Value:
        if not text.strip():
            return None
        try:
            return parse_date_text(text)
        except ValueError as exc:
            raise Refused(
                NOT_DATE,
                f"“{text.strip()}” 不是日期（例如 2025-02-04、2025/2/4 或 2025年2月4日）",
                f'"{text.strip()}" is not a date (e.g. 2025-02-04, 2025/2/4 or 20250204)',
                value=_shown(text),
            ) from exc

    def from_json(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise Refused(
                NOT_DATE, "应为日期文字（YYYY-MM-DD）", "must be a date as text (YYYY-MM-DD)", value=_shown(raw)
            )
        return self.from_text(spec, raw, form)

    def from_cell(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        return super().from_cell(spec, raw, form)

    def check(self, spec: FieldSpec, value: Any, form: FormSpec) -> Value:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise Refused(NOT_DATE, "不是日期", "is not a date", value=_shown(value))
        return value

    def show(self, spec: FieldSpec | None, value: Any, form: FormSpec, lang: str) -> str:
        return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


class ChoiceType(FieldType):
    """One of the options of the field's enum; typed or read by its id or its label in either language."""

    id = "enum"

    def expected(self) -> tuple[str, str]:
        return ("可选值之一", "one of the listed options")

    def _options(self, spec: FieldSpec, form: FormSpec) -> Any:
        return form.enums[spec.enum or ""].options

    def from_text(self, spec: FieldSpec, text: str, form: FormSpec, *, within_range: bool = False) -> Value:
        cleaned = text.strip()
        if not cleaned:
            return None
        for option in self._options(spec, form):
            if cleaned in (option.id, option.label_zh, option.label_en):
                return option.id
        raise Refused(NOT_OPTION, "不是可选值之一", "is not one of the options", value=_shown(cleaned))

    def from_json(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        """JSON names an option by its id only."""
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise Refused(NOT_TEXT, "应为文字", "must be text", value=_shown(raw))
        return self.check(spec, raw, form)

    def check(self, spec: FieldSpec, value: Any, form: FormSpec) -> Value:
        ids = form.enums[spec.enum or ""].ids
        if not isinstance(value, str) or value not in ids:
            raise Refused(
                NOT_OPTION, "不是可选值之一", "is not one of the options", value=_shown(value), options=", ".join(ids)
            )
        return value

    def show(self, spec: FieldSpec | None, value: Any, form: FormSpec, lang: str) -> str:
        if value is None:
            return ""
        option = form.enums[spec.enum or ""].option(str(value)) if spec is not None else None
        return option.label(lang) if option else str(value)

    def to_cell(self, spec: FieldSpec, value: Any, form: FormSpec) -> Any:
        option = form.enums[spec.enum or ""].option(str(value)) if value is not None else None
        return option.label_zh if option else value


class TextType(FieldType):
    id = "text"

    def from_cell(self, spec: FieldSpec, raw: Any, form: FormSpec) -> Value:
        if isinstance(raw, str):
            return self.from_text(spec, raw, form)
        if raw is None:
            return None
        return self.check(spec, str(raw), form)  # a number typed into a text cell (a report no.)


TYPES: Mapping[str, FieldType] = {
    "decimal": NumberType(),
    "integer": NumberType(whole=True),
    "bool": BoolType(),
    "date": DateType(),
    "enum": ChoiceType(),
    "text": TextType(),
    "uscc": TextType(),  # normalised and checked by the USCC rules when it is stored
}


def value_type(spec: FieldSpec) -> FieldType:
    """The type of a field, as its form declares it."""
    return TYPES[spec.type]


class EvidenceRefType:
    """A reference to a scan: its kind (one the form declares), its file's name, its SHA-256 and the places
    of the month it proves (``MonthPath`` texts naming fields or rows the form has).  Read from a JSON
    document, offered when a scan is attached, shown in the grid, the workbook and the PDF -- here only.

    A scan of a kind with a record (a lab report) also carries what it says of itself: ``check_record``
    types those values by the record's fields of the form."""

    id = "evidence"
    KEYS = ("kind", "file", "sha256", "proves")

    def faults(self, raw: Any, form: FormSpec) -> list[tuple[str, Refused]]:
        """Every fault of a reference as a JSON object holds it, each with the key it is under
        (``""``: the object; ``proves[1]``: the second place)."""
        if not isinstance(raw, Mapping):
            return [("", Refused(NOT_TEXT, "应为对象", "must be an object", value=_shown(raw)))]
        out: list[tuple[str, Refused]] = []
        kind = raw.get("kind")
        if kind not in form.evidence_kinds:
            options = ", ".join(form.evidence_kinds)
            out.append(
                (
                    "kind",
                    Refused(
                        NOT_OPTION, "不是可选值之一", "is not one of the options", value=_shown(kind), options=options
                    ),
                )
            )
        for key in ("file", "sha256"):
            if key not in raw:
                out.append(("", Refused(MISSING, f"缺少 {key}", f"{key} is missing", name=key)))
            elif not isinstance(raw[key], str):
                out.append((key, Refused(NOT_TEXT, "应为文字", "must be text", value=_shown(raw[key]))))
        for key, check in (("file", self.check_file_name), ("sha256", self.check_hash)):
            if isinstance(raw.get(key), str):
                try:
                    check(raw[key])
                except Refused as exc:
                    out.append((key, exc))
        proves = raw.get("proves", [])
        if not isinstance(proves, list):
            out.append(("proves", Refused(NOT_TEXT, "应为列表", "must be a list", value=_shown(proves))))
        else:
            for k, item in enumerate(proves):
                try:
                    self.check_place(item, form)
                except Refused as exc:
                    out.append((f"proves[{k}]", exc))
        return out

    def from_json(self, raw: Any, form: FormSpec) -> EvidenceRef:
        """The reference a JSON object names; the first fault is raised (``faults`` gives them all)."""
        found = self.faults(raw, form)
        if found:
            raise found[0][1]
        return self.made(raw)

    @staticmethod
    def made(raw: Mapping[str, Any]) -> EvidenceRef:
        """The reference of a JSON object ``faults`` found none in."""
        return EvidenceRef(
            kind=raw["kind"], file_name=raw["file"], sha256=raw["sha256"].lower(), proves=tuple(raw.get("proves", ()))
        )

    def check(self, ref: EvidenceRef, form: FormSpec) -> EvidenceRef:
        """A reference offered as one (a scan being attached): returned normalised, or ``Refused``."""
        if ref.kind not in form.evidence_kinds:
            raise Refused(
                NOT_OPTION,
                "不是可选值之一",
                "is not one of the options",
                value=_shown(ref.kind),
                options=", ".join(form.evidence_kinds),
            )
        self.check_file_name(ref.file_name)
        self.check_hash(ref.sha256)
        for place in ref.proves:
            self.check_place(place, form)
        return EvidenceRef(ref.kind, ref.file_name, ref.sha256.lower(), tuple(ref.proves))

    @staticmethod
    def check_hash(sha: str) -> str:
        if _SHA256.fullmatch(sha) is None:
            raise Refused(
                NOT_HASH,
                "SHA-256 应为 64 位十六进制字符",
                "SHA-256 must be 64 hexadecimal characters",
                value=_shown(sha),
            )
        return sha.lower()

    @staticmethod
    def check_file_name(name: str) -> str:
        if not name.strip():
            raise Refused(MISSING, "文件名不能为空", "the file name must not be empty", name="file")
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in name):
            raise Refused(UNREADABLE_TEXT, "含有无法保存的字符", "holds a character no file can keep")
        return name

    @staticmethod
    def check_place(place: Any, form: FormSpec) -> MonthPath:
        """A place of a month the form has: a month field, a row of a row kind, or a field of such a row."""
        if not isinstance(place, str):
            raise Refused(NOT_TEXT, "应为文字", "must be text", value=_shown(place))
        where = MonthPath.parse(place)
        fields, rows = form.month_places
        if where is None:
            known = False
        elif where.rows is None:
            known = where.field in fields
        else:
            known = where.rows in rows and (where.field is None or where.field in rows[where.rows])
        if not known:
            raise Refused(
                NOT_PLACE,
                f"“{_shown(place)}” 不是本表单月度数据中的位置",
                f'"{_shown(place)}" names no place of this form\'s months',
                value=_shown(place),
            )
        return where

    def check_record(self, kind: str, record: Mapping[str, Any], form: FormSpec) -> dict[str, Value]:
        """What a scan of ``kind`` says of itself, each value checked by its field's type; a record that says
        anything names its required fields, and its dates run in order.  Keys the kind does not record are
        left out."""
        specs = {s.id: s for s in form.record_specs(kind)}
        out: dict[str, Value] = {}
        for key, spec in specs.items():
            value = record.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                out[key] = value_type(spec).check(spec, value.strip() if isinstance(value, str) else value, form)
            except Refused as exc:
                raise Refused(
                    exc.reason, f"{spec.label_zh}：{exc.zh}", f"{spec.label_en}: {exc.en}", **exc.params
                ) from None
        ek = form.evidence_kinds[kind] if specs else None
        if ek is None or not out:
            return out  # a scan attached without its record (a batch, an import): the rules ask for it later
        absent = [specs[f] for f in ek.record_required if out.get(f) is None]
        if absent:
            raise Refused(
                MISSING,
                "请填写" + "、".join(s.label_zh for s in absent),
                "give the " + ", ".join(s.label_en.lower() for s in absent),
                name=",".join(s.id for s in absent),
            )
        dated = [(specs[f], out[f]) for f in ek.record_in_order if out.get(f) is not None]
        if any(a[1] > b[1] for a, b in pairwise(dated)):
            raise Refused(
                RECORD_ORDER,
                "日期应依次为：" + " ≤ ".join(s.label_zh for s, _ in dated),
                "dates must run: " + " ≤ ".join(s.label_en.lower() for s, _ in dated),
            )
        return out

    def show(self, ref: EvidenceRef, form: FormSpec, lang: str) -> str:
        """``化验报告 · lab.pdf · 3f2a9c01…``: its kind, its file and the start of its hash."""
        kind = form.evidence_kinds.get(ref.kind)
        return f"{kind.label(lang) if kind else ref.kind} · {ref.file_name} · {ref.sha256[:8]}…"

    def show_record(self, kind: str, record: Mapping[str, Any], form: FormSpec, lang: str) -> tuple[str, str]:
        """A record in two parts: who issued the report under which number (its required fields), and its
        dates in order -- as the evidence indexes of the workbook and the PDF print them."""
        ek = form.evidence_kinds.get(kind)
        if ek is None or not ek.record:
            return "", ""
        specs = {s.id: s for s in form.record_specs(kind)}

        def shown(key: str) -> str:
            value = record.get(key)
            return "" if value is None else value_type(specs[key]).show(specs[key], value, form, lang)

        who = " ".join(t for t in (shown(k) for k in ek.record_required) if t)
        dates = " / ".join(t for t in (shown(k) for k in ek.record_in_order) if t)
        return who, dates


EVIDENCE = EvidenceRefType()
