"""Cement clinker production (水泥熟料生产): the calculation, the rules and the vocabulary of
CETS—AG—02.01—V01—2024 and the 2024–2025 allocation plan.  Form: forms/cement_clinker.toml; packs:
resources/packs/cement_clinker/.  Most of its numbers are [U] (shared/domain/cement-clinker.md)."""

from __future__ import annotations

from desktop.guidelines.cement_clinker.calculation import (
    CHART,
    FIGURES,
    FORMULAS,
    GRID,
    GUIDELINE,
    REPORT_VIEW,
    WORKBOOK,
    aggregate,
    calculate,
    calculate_unit,
)
from desktop.guidelines.cement_clinker.demo import demo_document
from desktop.guidelines.cement_clinker.report_sections import report_sections
from desktop.guidelines.cement_clinker.rules import MESSAGES, RULES

ID = GUIDELINE
FORM = "cement_clinker.toml"
ORDER = 2  # in the market since 2024 data
WIZARD_UNIT_FIELDS = ("unit_kind", "clinker_type", "capacity_t_per_day")  # asked for each line when a workspace is made

__all__ = [
    "CHART",
    "FIGURES",
    "FORM",
    "FORMULAS",
    "GRID",
    "ID",
    "MESSAGES",
    "ORDER",
    "REPORT_VIEW",
    "RULES",
    "WIZARD_UNIT_FIELDS",
    "WORKBOOK",
    "aggregate",
    "calculate",
    "calculate_unit",
    "demo_document",
    "report_sections",
]
