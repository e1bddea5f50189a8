"""Issue 14 part 2: one value type per kind of form field, used by every reader and writer.

The same value reaches the same verdict through the grid (typed text), a JSON document, a workbook
cell and the store; a field's rules come from its form only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from desktop.exports.workbook import _Reader
from desktop.formspec.types import NOT_NUMBER, NUMBER_FAULT, RANGE, Refused, value_type
from desktop.interchange.report_json import _Reader as JsonReader
from desktop.services.guidelines import GUIDELINES, guideline
from desktop.services.store import _check_value
from desktop.storage.errors import StorageError


def number_field(form, *, whole: bool = False):
    for scope in form.scopes:
        for spec in form.fields(scope):
            if spec.type == ("integer" if whole else "decimal") and spec.min is not None:
                return spec
    raise AssertionError("no such field")


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_a_number_means_the_same_in_every_channel(gid: str) -> None:
    form = guideline(gid).form
    spec = number_field(form)
    kind = value_type(spec)
    # accepted alike
    assert kind.from_text(spec, " 1,234.50 ", form) == Decimal("1234.50")
    assert kind.from_json(spec, Decimal("1234.50"), form) == Decimal("1234.50")
    assert kind.from_cell(spec, 1234.5, form) == Decimal("1234.5")
    assert kind.from_cell(spec, "1234.50", form) == Decimal("1234.50")
    assert _check_value(form, spec, Decimal("1234.50")) == Decimal("1234.50")
    # sixteen significant digits: no channel can keep them exactly, every channel refuses them
    too_many = "1234567890.123456"
    for attempt in (
        lambda: kind.from_text(spec, too_many, form),
        lambda: kind.from_json(spec, Decimal(too_many), form),
        lambda: kind.from_cell(spec, too_many, form),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.reason == NUMBER_FAULT
    with pytest.raises(StorageError) as stored:
        _check_value(form, spec, Decimal(too_many))
    assert stored.value.code == "STO-E018"
    # text where a number belongs
    with pytest.raises(Refused) as refused:
        kind.from_json(spec, "12", form)
    assert refused.value.reason == NOT_NUMBER and refused.value.params["suggestion"] == "12"
    with pytest.raises(StorageError):
        _check_value(form, spec, "12")
    # the grid refuses a value outside the hard range at once; imports keep it for the rules to report
    below = spec.min - 1
    with pytest.raises(Refused) as refused:
        kind.from_text(spec, str(below), form, within_range=True)
    assert refused.value.reason == RANGE
    assert kind.from_text(spec, str(below), form) == below


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_choices_dates_and_yes_no_read_alike(gid: str) -> None:
    form = guideline(gid).form
    kind_spec = form.field(form.row_kinds[0].scope, form.row_kinds[0].key)
    choice = value_type(kind_spec)
    option = form.enums[kind_spec.enum].options[0]
    assert choice.from_text(kind_spec, option.label_zh, form) == option.id  # typed or pasted by its label
    assert choice.from_cell(kind_spec, option.label_en, form) == option.id
    assert choice.from_json(kind_spec, option.id, form) == option.id  # JSON names the id
    with pytest.raises(Refused):
        choice.from_json(kind_spec, option.label_zh, form)
    assert choice.to_cell(kind_spec, option.id, form) == option.label_zh
    date_spec = next(s for scope in form.scopes for s in form.fields(scope) if s.type == "date")
    when = value_type(date_spec)
    assert when.from_text(date_spec, "2025年2月4日", form) == date(2025, 2, 4)
    assert when.from_cell(date_spec, datetime(2025, 2, 4), form) == date(2025, 2, 4)
    assert when.from_json(date_spec, "2025-02-04", form) == date(2025, 2, 4)
    with pytest.raises(Refused):
        when.from_text(date_spec, "2025-02-30", form)
    bool_spec = next(s for scope in form.scopes for s in form.fields(scope) if s.type == "bool")
    yes_no = value_type(bool_spec)
    assert yes_no.from_text(bool_spec, "是", form) is True and yes_no.from_cell(bool_spec, "否", form) is False
    assert yes_no.show(bool_spec, True, form, "en") == "yes"


def test_the_readers_name_the_problem_in_their_own_words() -> None:
    form = guideline("power_generation").form
    spec = number_field(form)
    cells = _Reader(form)
    assert cells.value("1#", "C5", spec, "abc") is None
    assert cells.value("1#", "C6", spec, "=A1*2") is None
    assert [p.code for p in cells.problems] == ["XLS-E005", "XLS-E004"]
    doc = JsonReader(form)
    assert doc.value(spec, "12", "units[0].months[0].x") is None
    assert doc.value(spec, True, "units[0].months[0].y") is None
    assert [p.code for p in doc.problems] == ["INP-E003", "INP-E002"]
