"""Aluminium smelting (铝冶炼, electrolysis): the calculation, the rules and the vocabulary of
CETS—AG—04.01—V01—2024 and the 2024–2025 allocation plan.  Form: forms/aluminium_smelting.toml; packs:
resources/packs/aluminium_smelting/.  Most of its numbers are [U] (shared/domain/aluminium-smelting.md)."""

from __future__ import annotations

from desktop.guidelines.aluminium_smelting.calculation import (
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
from desktop.guidelines.aluminium_smelting.demo import demo_document
from desktop.guidelines.aluminium_smelting.report_sections import report_sections
from desktop.guidelines.aluminium_smelting.rules import MESSAGES, RULES

ID = GUIDELINE
FORM = "aluminium_smelting.toml"
ORDER = 3  # in the market since 2024 data
WIZARD_UNIT_FIELDS = (
    "unit_kind",
    "cell_type",
    "current_ka",
    "cells",
)  # asked for each potline when a workspace is made

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
