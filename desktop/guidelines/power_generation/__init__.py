"""Power generation (发电设施): the calculation, the rules and the vocabulary of 环办气候规〔2022〕485号
and its later notices.  Form: forms/power_generation.toml; packs: resources/packs/power_generation/."""

from __future__ import annotations

from desktop.guidelines.power_generation.calculation import (
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
from desktop.guidelines.power_generation.demo import demo_document
from desktop.guidelines.power_generation.report_sections import report_sections
from desktop.guidelines.power_generation.rules import MESSAGES, RULES

ID = GUIDELINE
FORM = "power_generation.toml"
ORDER = 1  # the market's first sector (2021): the default guideline
WIZARD_UNIT_FIELDS = ("category", "capacity_mw", "cooling", "chp")  # asked for each unit when a workspace is made

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
