"""Declarative data-item definitions of a guideline (forms/*.toml) and their loader."""

from __future__ import annotations

from desktop.formspec.loader import FormSpecError, load_form, parse_form
from desktop.formspec.model import SCOPES, EnumOption, EnumSpec, EvidenceKind, FieldSpec, FormSpec

__all__ = [
    "SCOPES",
    "EnumOption",
    "EnumSpec",
    "EvidenceKind",
    "FieldSpec",
    "FormSpec",
    "FormSpecError",
    "load_form",
    "parse_form",
]
