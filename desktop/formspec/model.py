"""What a form file declares, as immutable objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

# "year": the entity's items of one data year as a whole (e.g. offsets used at compliance); "unit_year": a
# unit's items of one data year (its prior-year verified emissions, the balance value that applies to it).
# The scopes of a month's rows (fuels, raw materials, products, ...) are declared by each form's [[row_kinds]].
BASE_SCOPES = ("entity", "year", "unit", "unit_year", "month")

# A ``required_when`` condition on a field of the unit a month or row belongs to: "unit:unit_kind.produces".
OUTER_UNIT = "unit:"

# Every number field: at most this many significant digits (what a float-based spreadsheet keeps exactly)
# and a magnitude below this bound, unless the form declares its own ("digits", "max_magnitude").
DEFAULT_DIGITS = 15
DEFAULT_MAX_MAGNITUDE = Decimal("1e12")

# Why a number cannot be the value of a field (``FieldSpec.number_fault``); messages where they are shown.
FAULT_NOT_FINITE = "not_finite"
FAULT_DIGITS = "digits"
FAULT_MAGNITUDE = "magnitude"


def fault_text(spec: FieldSpec, fault: str, lang: str) -> str:
    """The reason a number is refused, in the user's language."""
    bound = (
        f"{spec.max_magnitude:,f}"
        if spec.max_magnitude == spec.max_magnitude.to_integral_value()
        else str(spec.max_magnitude)
    )
    texts = {
        FAULT_NOT_FINITE: ("不是有限数值", "is not a finite number"),
        FAULT_DIGITS: (
            f"有效数字超过 {spec.digits} 位，无法精确保存",
            f"has more than {spec.digits} significant digits and cannot be kept exactly",
        ),
        FAULT_MAGNITUDE: (f"绝对值应小于 {bound}", f"must be smaller than {bound} in magnitude"),
    }
    zh, en = texts.get(fault, (fault, fault))
    return zh if lang == "zh" else en


FIELD_TYPES = ("decimal", "integer", "text", "bool", "date", "enum", "uscc")


@dataclass(frozen=True)
class EnumOption:
    id: str
    label_zh: str
    label_en: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class EnumSpec:
    id: str
    label_zh: str
    label_en: str
    options: tuple[EnumOption, ...]

    def option(self, option_id: str) -> EnumOption | None:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)


@dataclass(frozen=True)
class EvidenceKind:
    """A kind of scan the form asks for.  A scan of a kind with a ``record`` (a lab report) carries what it
    says of itself: the fields ``record`` names, typed and labelled by those fields of ``record_scope``;
    ``record_required`` must be given when it is attached and ``record_in_order`` (its dates) run in order.
    ``whole_row``: a scan of this kind proves the whole row it is attached to (the lab report of a fuel
    row), not only the value it was attached from."""

    id: str
    label_zh: str
    label_en: str
    record: tuple[str, ...] = ()
    record_scope: str | None = None
    record_required: tuple[str, ...] = ()
    record_in_order: tuple[str, ...] = ()
    whole_row: bool = False

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class RowKind:
    """A table of rows in each month: its JSON key and path prefix ``id``, its fields ``[[scope]]``, and
    ``key``, the field that says what a row is (the fuel, the material) -- one row per key and month."""

    id: str
    scope: str
    key: str
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class FieldSpec:
    id: str
    scope: str
    label_zh: str
    label_en: str
    type: str
    required: bool = False
    required_when: Mapping[str, Any] = field(default_factory=dict)
    # The rows or units the field concerns at all (a coal test does not concern a gas row, a clinker output
    # not the quarry's vehicles): elsewhere the grid shows it as not applicable and it is never asked for.
    applies_when: Mapping[str, Any] = field(default_factory=dict)
    unit: str | None = None
    unit_from: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    max_exclusive: bool = False
    range_code: str | None = None
    enum: str | None = None
    help_zh: str = ""
    help_en: str = ""
    clause: str = ""
    evidence: str | None = None
    evidence_blocking: bool = False  # a value lacking its evidence is an error, not a warning
    group: str = ""
    places: int | None = None
    digits: int = DEFAULT_DIGITS
    max_magnitude: Decimal = DEFAULT_MAX_MAGNITUDE

    def number_fault(self, value: Decimal) -> str | None:
        """Why ``value`` can never be this field's value (checked before it is stored, shown or used)."""
        if not value.is_finite():
            return FAULT_NOT_FINITE
        # the exponent first: a huge exponent is refused without ever expanding the number
        if value.adjusted() >= self.max_magnitude.adjusted() + 1 or abs(value) >= self.max_magnitude:
            return FAULT_MAGNITUDE
        if len(value.normalize().as_tuple().digits) > self.digits:
            return FAULT_DIGITS
        return None

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def help(self, lang: str) -> str:
        return self.help_zh if lang == "zh" else self.help_en

    def in_range(self, value: Decimal) -> bool:
        if self.min is not None and value < self.min:
            return False
        if self.max is not None:
            return value < self.max if self.max_exclusive else value <= self.max
        return True


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: str
    title_zh: str
    title_en: str
    guideline_zh: str
    guideline_en: str
    missing_code: str
    evidence_code: str
    evidence_blocking_code: str
    evidence_kinds: Mapping[str, EvidenceKind]
    groups: Mapping[str, tuple[str, str]]
    enums: Mapping[str, EnumSpec]
    scopes: Mapping[str, tuple[FieldSpec, ...]]
    clauses: Mapping[str, str] = field(default_factory=dict)  # clause as published (zh) -> English
    row_kinds: tuple[RowKind, ...] = ()
    sector_zh: str = ""  # the sector in a few words, for page headers (发电设施)
    sector_en: str = ""
    unit_zh: str = "单元"  # what the guideline's units are called (机组, 熟料生产线, 电解系列)
    unit_en: str = "unit"

    def unit_word(self, lang: str) -> str:
        return self.unit_zh if lang == "zh" else self.unit_en

    def row_kind(self, kind_id: str) -> RowKind:
        for kind in self.row_kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(kind_id)

    def clause_text(self, clause: str, lang: str) -> str:
        """A cited clause in the user's language (the published Chinese text in Chinese)."""
        if lang == "zh" or not clause:
            return clause
        return self.clauses.get(clause, clause)

    def fields(self, scope: str) -> tuple[FieldSpec, ...]:
        return self.scopes.get(scope, ())

    def field(self, scope: str, field_id: str) -> FieldSpec:
        for spec in self.fields(scope):
            if spec.id == field_id:
                return spec
        raise KeyError(f"{scope}.{field_id}")

    @cached_property
    def month_places(self) -> tuple[frozenset[str], Mapping[str, frozenset[str]]]:
        """The places of a month: its fields' ids, and each row kind's fields' ids by the kind's id."""
        return (
            frozenset(s.id for s in self.fields("month")),
            {k.id: frozenset(s.id for s in self.fields(k.scope)) for k in self.row_kinds},
        )

    def record_specs(self, kind: str) -> tuple[FieldSpec, ...]:
        """The fields a scan of ``kind`` records of itself (none for a kind without a record)."""
        ek = self.evidence_kinds.get(kind)
        if ek is None or ek.record_scope is None:
            return ()
        return tuple(self.field(ek.record_scope, f) for f in ek.record)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def option_attr(self, scope: str, row: Mapping[str, Any], ref: str) -> Any:
        """Resolve "field.attribute" against a row: the attribute of the chosen enum option."""
        field_id, _, attr = ref.partition(".")
        chosen = row.get(field_id)
        spec = self.field(scope, field_id)
        if spec.enum is None or chosen is None:
            return None
        option = self.enums[spec.enum].option(str(chosen))
        return None if option is None else option.attrs.get(attr)

    def resolve(self, scope: str, row: Mapping[str, Any], ref: str, unit: Mapping[str, Any] | None = None) -> Any:
        """The value a condition names: a field of ``row``, an attribute of its chosen option, or (prefixed
        ``unit:``) a field or option attribute of the unit the row belongs to."""
        if ref.startswith(OUTER_UNIT):
            return self.resolve("unit", unit or {}, ref[len(OUTER_UNIT) :])
        return self.option_attr(scope, row, ref) if "." in ref else row.get(ref)

    def is_required(self, spec: FieldSpec, row: Mapping[str, Any], unit: Mapping[str, Any] | None = None) -> bool:
        if not self.applies(spec, row, unit):
            return False
        if spec.required:
            return True
        if not spec.required_when:
            return False
        return all(self.resolve(spec.scope, row, ref, unit) == want for ref, want in spec.required_when.items())

    def applies(self, spec: FieldSpec, row: Mapping[str, Any], unit: Mapping[str, Any] | None = None) -> bool:
        """Whether the field concerns this row (of this unit) at all (its ``applies_when``)."""
        return all(self.resolve(spec.scope, row, ref, unit) == want for ref, want in spec.applies_when.items())

    def unit_of(self, spec: FieldSpec, row: Mapping[str, Any] | None = None) -> str:
        if spec.unit_from:
            found = self.option_attr(spec.scope, row or {}, spec.unit_from)
            if found:
                return str(found)
            field_id, _, attr = spec.unit_from.partition(".")
            enum = self.enums[self.field(spec.scope, field_id).enum or ""]
            units = sorted({str(o.attrs.get(attr)) for o in enum.options if o.attrs.get(attr)})
            return " | ".join(units)
        return spec.unit or ""
