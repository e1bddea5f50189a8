"""Issue 14 (part 3, first step): a month's tables of rows are declared by the form ([[row_kinds]]), and
the JSON reader, writer and schema take every kind the form declares -- fuels are one kind among others."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.formspec import FormSpecError, parse_form
from desktop.interchange.report_json import dumps_exact, parse_report, report_document
from desktop.interchange.schema import input_schema

FORM = """
[form]
id = "kiln_test"
title_zh = "测试"
title_en = "Test"
missing_code = "KLN-E001"
evidence_code = "KLN-W001"
evidence_blocking_code = "KLN-E002"

[[row_kinds]]
id = "fuels"
scope = "fuel"
key = "fuel"
label_zh = "燃料"
label_en = "Fuels"

[[row_kinds]]
id = "raw_materials"
scope = "raw_material"
key = "material"
label_zh = "替代原料"
label_en = "Alternative raw materials"

[enums.fuel]
label_zh = "燃料"
label_en = "Fuel"
[[enums.fuel.options]]
id = "coal"
label_zh = "煤"
label_en = "Coal"

[enums.material]
label_zh = "原料"
label_en = "Material"
[[enums.material.options]]
id = "steel_slag"
label_zh = "钢渣"
label_en = "Steel slag"

[[entity]]
id = "name"
label_zh = "名称"
label_en = "Name"
type = "text"

[[unit]]
id = "id"
label_zh = "编号"
label_en = "No."
type = "text"

[[month]]
id = "clinker_t"
label_zh = "熟料产量"
label_en = "Clinker"
type = "decimal"
unit = "t"

[[fuel]]
id = "fuel"
label_zh = "燃料"
label_en = "Fuel"
type = "enum"
enum = "fuel"

[[fuel]]
id = "consumption"
label_zh = "消耗量"
label_en = "Consumption"
type = "decimal"

[[raw_material]]
id = "material"
label_zh = "原料"
label_en = "Material"
type = "enum"
enum = "material"

[[raw_material]]
id = "consumption_t"
label_zh = "消耗量"
label_en = "Consumption"
type = "decimal"
unit = "t"
min = 0
range_code = "KLN-E003"
"""

REPORT = """{
 "format": "carbondesk.report", "version": 1, "guideline": "kiln_test", "data_year": 2025,
 "entity": {"name": "水泥厂"},
 "units": [{"id": "1#", "months": [{"month": 1, "clinker_t": 1239.3,
   "fuels": [{"fuel": "coal", "consumption": 169.1}],
   "raw_materials": [{"material": "steel_slag", "consumption_t": 55.2}]}]}]
}"""


def test_a_form_declares_its_row_kinds_and_the_reader_takes_each() -> None:
    form = parse_form(FORM, source="kiln.toml")
    assert [(k.id, k.scope, k.key) for k in form.row_kinds] == [
        ("fuels", "fuel", "fuel"),
        ("raw_materials", "raw_material", "material"),
    ]
    report = parse_report(REPORT, {"kiln_test": form}, source="r.json")
    month = report.units[0].months[0]
    assert month.fuels[0].get("consumption") == Decimal("169.1")
    assert month.rows_of("raw_materials")[0].values == {"material": "steel_slag", "consumption_t": Decimal("55.2")}
    # written back and read again: the same rows of both kinds
    again = parse_report(dumps_exact(report_document(report)), {"kiln_test": form}, source="again.json")
    assert again.units[0].months[0].rows == month.rows
    month_schema = input_schema(form)["properties"]["units"]["items"]["properties"]["months"]["items"]
    rows_schema = month_schema["properties"]["raw_materials"]["items"]
    assert rows_schema["required"] == ["material"] and "consumption_t" in rows_schema["properties"]
    assert month_schema["properties"]["fuels"]["items"]["required"] == ["fuel"]


def test_a_row_of_an_undeclared_kind_or_with_a_bad_value_is_refused_with_its_place() -> None:
    form = parse_form(FORM, source="kiln.toml")
    bad = REPORT.replace('"consumption_t": 55.2', '"consumption_t": "很多"').replace(
        '"raw_materials"', '"products": [], "raw_materials"'
    )
    with pytest.raises(Exception) as info:
        parse_report(bad, {"kiln_test": form}, source="bad.json")
    text = info.value.render("en")
    assert "units[0].months[0].products" in text
    assert "raw_materials[0].consumption_t" in text


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ('key = "material"', 'key = "grade"'),  # the key is not a field of the rows
        ('scope = "raw_material"', 'scope = "month"'),  # a base scope cannot hold rows
        ('id = "raw_materials"', 'id = "fuels"'),  # declared twice
    ],
)
def test_a_row_kind_that_cannot_work_is_refused(change: str, problem: str) -> None:
    broken = FORM.replace(change, problem, 1)
    with pytest.raises(FormSpecError) as info:
        parse_form(broken, source="broken.toml")
    assert any("row kind" in p or "row_kinds" in p or "unknown top-level key" in p for p in info.value.problems), (
        info.value.problems
    )
