"""Dates and yes/no as people type them (issue 9): one rule for cells, paste, workbook and JSON imports."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.typed_text import parse_bool_text, parse_date_text


@pytest.mark.parametrize(
    "typed",
    ["2025-02-04", "2025/2/4", "2025.2.4", "2025年2月4日", "2025年2月4", "20250204", " 2025-2-04 ", "２０２５／２／４"],
)
def test_the_ways_people_write_a_date(typed: str) -> None:
    assert parse_date_text(typed) == date(2025, 2, 4)


@pytest.mark.parametrize("typed", ["2025-02-30", "2025/13/1", "25/2/4", "2025-02", "4.2.2025", "2025204", "", "abc"])
def test_what_is_not_a_date(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_date_text(typed)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_every_day_reads_back_in_every_form(day: date) -> None:
    forms = (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d") if day.year >= 1000 else day.isoformat(),
    )
    assert {parse_date_text(f) for f in forms} == {day}


def test_yes_and_no_in_both_languages() -> None:
    assert all(parse_bool_text(t) for t in ("是", "有", "Yes", "TRUE", "1", "√", "y"))
    assert not any(parse_bool_text(t) for t in ("否", "无", "No", "false", "0", "×", "N"))
    with pytest.raises(ValueError):
        parse_bool_text("maybe")


def test_dates_typed_in_the_grid_paste_and_workbook_read_alike(tmp_path) -> None:
    """The same text in a cell (parse_input), a workbook cell and a JSON report gives the same date."""
    from desktop.services.guidelines import guideline
    from desktop.ui.models import parse_input

    form = guideline("power_generation").form
    spec = form.field("fuel", "report_date")
    assert parse_input(spec, "2025年2月4日", form) == date(2025, 2, 4)
    assert parse_input(spec, "20250204", form) == date(2025, 2, 4)
