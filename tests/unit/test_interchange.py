"""The JSON input: every bad input gets a clear, placed message in both languages; the schema matches."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from desktop import paths
from desktop.interchange.problems import InputError
from desktop.interchange.report_json import dumps_exact, loads, parse_report, read_report
from desktop.interchange.result_json import places_of
from desktop.interchange.schema import input_schema
from desktop.services import demo
from desktop.services.guidelines import GUIDELINES, forms_by_guideline, guideline
from tests.helpers import clean_document, dumps, example_files, example_to_input, load_example

FORMS = forms_by_guideline()


def problems_of(text: str) -> list:
    with pytest.raises(InputError) as info:
        parse_report(text, FORMS, source="t.json")
    for lang in ("zh", "en"):
        rendered = info.value.render(lang)
        assert "{" not in rendered and "Traceback" not in rendered
    return list(info.value.problems)


def doc_with(change) -> str:
    doc = clean_document()
    change(doc)
    return dumps(doc)


def test_malformed_json_names_line_and_column() -> None:
    [p] = problems_of('{"guideline": "power_generation",\n "data_year": 2022,,}')
    assert p.code == "INP-E001" and p.params["line"] == 2


def test_quoted_number_is_refused_with_the_value_to_write() -> None:
    text = doc_with(lambda d: d["units"][0]["months"][0].update(generation_mwh="339,512.9"))
    [p] = problems_of(text)
    assert p.code == "INP-E003" and p.path == "units[0].months[0].generation_mwh"
    assert p.params["suggestion"] == "339512.9"
    assert "339512.9" in p.render("zh") and "339512.9" in p.render("en")


def test_unknown_field_with_a_hint() -> None:
    text = doc_with(lambda d: d["units"][0]["months"][0].update(generation_mhw=1))
    [p] = problems_of(text)
    assert p.code == "INP-E004" and p.params["hint_name"] == "generation_mwh"
    assert "generation_mwh" in p.render("en")


def test_every_problem_at_once() -> None:
    def change(d):
        d["units"][0]["months"][0]["heat_ratio"] = True
        d["units"][0]["months"][1]["fuels"][0]["fuel"] = "peat"
        d["units"][0]["months"][2]["fuels"][0]["report_date"] = "2022-13-40"
        d["units"][0]["months"][3]["month"] = 13
        d["units"][0]["category"] = "nuclear"
        d["data_year"] = "2022"

    codes = [(p.code, p.path) for p in problems_of(doc_with(change))]
    assert ("INP-E002", "units[0].months[0].heat_ratio") in codes
    assert ("INP-E005", "units[0].months[1].fuels[0].fuel") in codes
    assert ("INP-E006", "units[0].months[2].fuels[0].report_date") in codes
    assert ("INP-E008", "units[0].months[3].month") in codes
    assert ("INP-E005", "units[0].category") in codes
    assert ("INP-E002", "data_year") in codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"guideline": "power_generation", "data_year": NaN, "entity": {}}', "INP-E013"),
        ('{"guideline": "power_generation", "data_year": 2021, "data_year": 2022, "entity": {}}', "INP-E011"),
        ('{"guideline": "cement", "data_year": 2022, "entity": {}}', "INP-E010"),
        ('{"data_year": 2022, "entity": {}}', "INP-E009"),
        ("[1, 2]", "INP-E002"),
        ('{"guideline": "power_generation", "data_year": 2022}', "INP-E009"),
        ('{"guideline": "power_generation", "data_year": 2022.5, "entity": {}}', "INP-E002"),
        ('{"guideline": "power_generation", "data_year": 2022, "entity": {}, "units": {}}', "INP-E002"),
    ],
)
def test_structural_problems(text: str, code: str) -> None:
    assert code in {p.code for p in problems_of(text)}


def test_duplicate_months_and_units() -> None:
    def change(d):
        d["units"][0]["months"][1]["month"] = 1
        d["units"].append(copy.deepcopy(d["units"][0]))

    codes = {(p.code, p.path) for p in problems_of(doc_with(change))}
    assert ("INP-E007", "units[0].months[1].month") in codes
    assert ("INP-E007", "units[1].id") in codes


def test_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "report.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError) as info:
        read_report(binary, FORMS)
    assert info.value.problems[0].code == "INP-E012"
    with pytest.raises(InputError) as info:
        read_report(tmp_path / "absent.json", FORMS)
    assert info.value.problems[0].code == "INP-E012"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + dumps(clean_document()).encode())
    assert read_report(path, FORMS).data_year == 2022


def test_exact_writer_round_trips() -> None:
    doc = demo.demo_document()
    text = dumps_exact(doc)
    again = loads(text)
    assert dumps_exact(again) == text
    assert (
        parse_report(text, FORMS).units[0].months[0].fuels[0].get("consumption")
        == doc["units"][0]["months"][0]["fuels"][0]["consumption"]
    )


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_committed_schema_is_the_generated_one(gid: str) -> None:
    committed = json.loads((paths.schemas_dir() / f"{gid}.input.schema.json").read_text(encoding="utf-8"))
    assert committed == input_schema(guideline(gid).form), (
        f"run: carbondesk schema --guideline {gid} > resources/schemas/{gid}.input.schema.json"
    )


def _plain(doc):
    return json.loads(dumps(doc))


def test_schema_accepts_what_the_reader_accepts() -> None:
    schema = input_schema(guideline("power_generation").form)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    docs = [clean_document(), demo.demo_document()] + [example_to_input(load_example(p)) for p in example_files()]
    for doc in docs:
        errors = list(validator.iter_errors(_plain(doc)))
        assert not errors, errors[0].message
        parse_report(dumps(doc), FORMS)


def test_schema_refuses_what_the_reader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(input_schema(guideline("power_generation").form))
    for change in (
        lambda d: d["units"][0]["months"][0].update(generation_mwh="1,234.5"),
        lambda d: d["units"][0]["months"][0].update(generation_mhw=1),
        lambda d: d["units"][0]["months"][0]["fuels"][0].update(fuel="peat"),
        lambda d: d["units"][0]["months"][0].update(month=13),
    ):
        doc = clean_document()
        change(doc)
        assert list(validator.iter_errors(_plain(doc)))
        with pytest.raises(InputError):
            parse_report(dumps(doc), FORMS)


def test_results_json_is_versioned_rounded_and_matches_its_schema(tmp_path) -> None:
    """Issue 11: results.json names its format and version, follows a published schema, and carries no
    28-digit decimals (display precision, plus the exact value where it matters, 12 decimals at most)."""
    import re
    from datetime import date
    from decimal import Decimal

    from desktop.interchange import result_json
    from desktop.interchange.schema import result_schema
    from desktop.services import store
    from desktop.services.demo import create_demo_workspace

    committed = json.loads((paths.schemas_dir() / "results.schema.json").read_text(encoding="utf-8"))
    assert committed == result_schema(), "run: carbondesk schema --results > resources/schemas/results.schema.json"
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 2, 20))
    ev = store.compute_year(ws=ws, entity_id=store.list_entities(ws=ws)[0].id, year=2025)
    ws.close()
    g = ev.guideline
    doc = result_json.result_document(
        report=ev.report,
        result=ev.result,
        findings=ev.findings,
        messages=g.messages,
        figures=g.figures,
        form=g.form,
    )
    text = json.dumps(doc, ensure_ascii=False)
    jsonschema.Draft202012Validator.check_schema(committed)
    errors = list(jsonschema.Draft202012Validator(committed).iter_errors(json.loads(text)))
    assert not errors, errors[0].message
    assert doc["format"] == "carbondesk.results" and doc["version"] == 3
    assert not re.search(r"\d\.\d{13,}", text)
    total = doc["totals"]["e_total_t"]
    assert "." not in total["value"]  # tCO2 shown whole
    assert Decimal(total["exact"]) != Decimal(total["value"])
    assert abs(Decimal(total["exact"]) - ev.result.totals["e_total_t"].value) < Decimal("1e-12")

    # provenance by reference: every tree is rebuilt from the nodes, shared parts written once
    def rebuilt(number: int) -> tuple:
        node = doc["nodes"][number]
        kind = doc["kinds"][node["kind"]]
        if "parameter" in node:
            assert node["parameter"] in doc["parameters"]
        return (kind["name"], kind["formula"], tuple(rebuilt(i) for i in node.get("inputs", [])))

    def tree(figure) -> tuple:
        return (figure.name, figure.formula, tuple(tree(c) for c in figure.inputs))

    for name, figure in ev.result.totals.items():
        assert rebuilt(doc["totals"][name]["node"]) == tree(figure), name
    for unit, written_unit in zip(ev.result.units, doc["units"], strict=True):
        for month, written_month in zip(unit.months, written_unit["months"], strict=True):
            for name, figure in month.figures.items():  # a month's figure is its node: tree and value
                node = doc["nodes"][written_month["figures"][name]]
                assert rebuilt(written_month["figures"][name]) == tree(figure), name
                if figure.value is not None:  # at the figure's declared places
                    places = places_of(ev.guideline.figures, ev.guideline.form)(figure)
                    assert places is not None and Decimal(node["value"]) == round(figure.value, places), name
                    assert len(node["value"].partition(".")[2]) == places, (name, node["value"])
                assert doc["kinds"][node["kind"]]["unit"] == figure.unit
    written = [*ev.result.totals.values()]
    for unit in ev.result.units:
        written += [*unit.annual.values()]
        for month in unit.months:
            written += [*month.figures.values(), *(f for r in month.rows for f in r.figures.values())]
    occurrences = sum(1 for f in written for _ in f.walk())  # what copying every tree would write
    assert len(doc["nodes"]) * 10 < occurrences, (len(doc["nodes"]), occurrences)


def test_results_text_is_json_dumps_own_for_any_unit_name() -> None:
    """results.json's figure nodes are written as text as they are made, quoted by the json module's own
    function: a unit named with quotes, backslashes, control characters or Chinese reads back and writes
    again byte for byte."""
    from datetime import date

    from desktop.interchange import result_json
    from desktop.services.evaluation import evaluate

    document = demo.demo_document()
    names = ['1#"引号"', "2#\\反斜杠\\", "G1\t\u2028\x7f机组"]
    for unit, name in zip(document["units"], names, strict=False):
        unit["id"] = name
    report = parse_report(dumps_exact(document), forms_by_guideline())
    ev = evaluate(report=report, today=date(2026, 11, 23))
    g = ev.guideline
    text = result_json.result_text(
        report=ev.report, result=ev.result, findings=ev.findings, messages=g.messages, figures=g.figures, form=g.form
    )
    doc = json.loads(text)
    assert text == json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    sources = {n.get("source", "") for n in doc["nodes"]}
    assert all(any(name in s for s in sources) for name in names)  # the names are in the nodes, intact
