"""Declarative data-item definitions of a guideline (forms/*.toml) and their loader."""

from __future__ import annotations

from desktop.formspec.loader import FormSpecError, load_form, parse_form
from desktop.formspec.model import BASE_SCOPES, EnumOption, EnumSpec, EvidenceKind, FieldSpec, FormSpec, RowKind

__all__ = [
    "BASE_SCOPES",
    "EnumOption",
    "EnumSpec",
    "EvidenceKind",
    "FieldSpec",
    "FormSpec",
    "FormSpecError",
    "RowKind",
    "load_form",
    "parse_form",
]
