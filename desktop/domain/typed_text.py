"""Dates and yes/no as people type them, one rule for the grid, paste, the workbook and JSON imports."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# 2025-02-04, 2025/2/4, 2025.2.4, 2025 年 2 月 4 日 (日 optional), 20250204
_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

DATE_EXAMPLE = "2025-02-04"

TRUE_WORDS = ("是", "y", "yes", "true", "1", "有", "√", "✓")
FALSE_WORDS = ("否", "n", "no", "false", "0", "无", "×")


def parse_date_text(text: str) -> date:
    """A calendar date from what a user typed; ``ValueError`` when it is none (or not a real day)."""
    cleaned = unicodedata.normalize("NFKC", text).strip()  # full-width digits and separators too
    match = _SEPARATED.match(cleaned) or _COMPACT.match(cleaned)
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)  # raises ValueError for 2025-02-30


def parse_bool_text(text: str) -> bool:
    """Yes or no in either language; ``ValueError`` otherwise."""
    lowered = unicodedata.normalize("NFKC", text).strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"not yes or no: {text!r}")
