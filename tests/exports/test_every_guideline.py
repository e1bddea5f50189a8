"""Issue 14: everything power has works for every guideline -- demo workspace, rules, rows of every kind,
the PDF, the Excel workbooks and their re-import, the JSON input and its schema, the signed package.

Each guideline's demo year goes through the same doors a user uses; nothing here names a guideline's
field, so a new guideline is checked the day it is added.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import date
from decimal import Decimal

import jsonschema
import pytest
from openpyxl import load_workbook

from desktop.domain.findings import Severity
from desktop.interchange.report_json import dumps_exact, parse_report, report_document
from desktop.interchange.schema import input_schema
from desktop.services import audit_check, outputs, package, store
from desktop.services.demo import create_demo_workspace, demo_document
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import GUIDELINES, forms_by_guideline, guideline
from desktop.signing.core import create_self_signed

TODAY = date(2026, 2, 20)
ALL = sorted(GUIDELINES)


@pytest.fixture(scope="module", params=ALL)
def demo(request, tmp_path_factory: pytest.TempPathFactory):
    gid = request.param
    root = tmp_path_factory.mktemp(gid)
    ws = create_demo_workspace(root / "demo.sqlite", today=TODAY, guideline_id=gid)
    entity = store.list_entities(ws=ws)[0]
    year = int(demo_document(gid)["data_year"])
    yield gid, ws, entity, year, root
    ws.close()


def test_the_demo_year_calculates_and_every_rule_runs(demo) -> None:
    gid, ws, entity, year, _ = demo
    assert entity.guideline == gid
    ev = store.compute_year(ws=ws, entity_id=entity.id, year=year, today=TODAY)
    assert not [f for f in ev.findings if f.code == "RUL-E001"], "a rule crashed"
    assert ev.result.totals["e_total_t"].value and ev.result.totals["e_total_t"].value > 0
    assert all(f.code in ev.guideline.messages for f in ev.findings), "every finding has its message"
    # every row kind the form declares holds rows somewhere in the demo year, stored and read back
    kinds = {kind for unit in ev.report.units for m in unit.months for kind, rows in m.rows.items() if rows}
    assert kinds == {k.id for k in ev.guideline.form.row_kinds}
    assert audit_check.verify_audit(ws=ws).ok


def test_rows_of_every_kind_are_saved_removed_and_audited(demo) -> None:
    gid, ws, entity, year, _ = demo
    form = guideline(gid).form
    kind = form.row_kinds[-1]
    # a month still in draft (the demo leaves December open)
    unit = next(
        u
        for u in store.get_entity(ws=ws, entity_id=entity.id).units
        if store.get_month(ws=ws, unit_id=u.id, year=year, month=12)
        and store.get_month(ws=ws, unit_id=u.id, year=year, month=12).rows_of(kind.id)
    )
    before = store.get_month(ws=ws, unit_id=unit.id, year=year, month=12)
    rows = before.rows_of(kind.id)
    number = next(s for s in form.fields(kind.scope) if s.type == "decimal")
    path = f"{kind.id}[0].{number.id}"
    outcome = store.save_month(
        ws=ws, unit_id=unit.id, year=year, month=12, changes={path: Decimal("123.4")}, validate=False
    )
    assert outcome.month.get(path) == Decimal("123.4")
    store.save_month(ws=ws, unit_id=unit.id, year=year, month=12, changes={}, remove_rows={kind.id: [0]})
    after = store.get_month(ws=ws, unit_id=unit.id, year=year, month=12)
    assert len(after.rows_of(kind.id)) == len(rows) - 1
    restore = {f"{kind.id}[{len(rows) - 1}].{k}": v for k, v in rows[0].items()}
    store.save_month(ws=ws, unit_id=unit.id, year=year, month=12, changes=restore, validate=False)
    assert audit_check.verify_audit(ws=ws).ok  # the audit replay knows every row kind


def test_the_pdf_report(demo) -> None:
    gid, ws, entity, year, root = demo
    target = outputs.export_pdf(ws=ws, entity_id=entity.id, year=year, target=root / "report.pdf", today=TODAY)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    form = guideline(gid).form
    assert form.sector_zh in text and form.unit_zh in text
    for unit in entity.units:
        assert unit.code in text


def test_the_workbook_reads_back_unchanged_and_a_typed_change_is_found(demo) -> None:
    gid, ws, entity, year, root = demo
    target = outputs.export_workbook(ws=ws, entity_id=entity.id, year=year, target=root / "year.xlsx", today=TODAY)
    assert outputs.preview_workbook(ws=ws, entity_id=entity.id, year=year, path=target).changes == ()
    form = guideline(gid).form
    kind = form.row_kinds[-1]
    wb = load_workbook(target)
    changed = None
    for sheet in wb.worksheets[1:]:
        for row in range(2, sheet.max_row + 1):
            key = str(sheet.cell(row, sheet.max_column).value or "")
            if key.startswith(f"{kind.scope}:") and isinstance(sheet.cell(row, 14).value, int | float):
                sheet.cell(row, 14).value = 777.5  # December: still a draft
                changed = key
                break
        if changed:
            break
    assert changed, f"no {kind.id} row in the workbook"
    wb.save(root / "typed.xlsx")
    preview = outputs.preview_workbook(ws=ws, entity_id=entity.id, year=year, path=root / "typed.xlsx")
    assert [(m, c.new) for _u, m, c in preview.changes] == [(12, Decimal("777.5"))]


def test_the_monthly_deposit_sheet_reads_back(demo) -> None:
    gid, ws, entity, year, root = demo
    pdf, xlsx = outputs.export_month(
        ws=ws,
        entity_id=entity.id,
        year=year,
        month=12,
        target_pdf=root / "m12.pdf",
        target_xlsx=root / "m12.xlsx",
        today=TODAY,
    )
    assert pdf.stat().st_size > 0
    assert outputs.preview_workbook(ws=ws, entity_id=entity.id, year=year, path=xlsx).changes == ()
    # every row kind present in December is on the sheet, under its own heading
    labels = [str(c.value) for c in load_workbook(xlsx).worksheets[0]["A"] if c.value]
    december = store.load_report(ws=ws, entity_id=entity.id, year=year)
    form = guideline(gid).form
    for kind in form.row_kinds:
        if any(u.month(12) and u.month(12).rows_of(kind.id) for u in december.units):
            assert any(label.startswith(f"{kind.label_zh}：") for label in labels), kind.id


def test_the_json_input_round_trips_and_matches_its_schema(demo) -> None:
    gid, ws, entity, year, _ = demo
    report = store.load_report(ws=ws, entity_id=entity.id, year=year)
    document = json.loads(dumps_exact(report_document(report)))
    jsonschema.validate(document, input_schema(guideline(gid).form))
    again = parse_report(dumps_exact(report_document(report)), forms_by_guideline())
    first, second = (evaluate(report=r, today=TODAY).result.totals for r in (report, again))
    assert {k: v.value for k, v in first.items()} == {k: v.value for k, v in second.items()}


def test_the_signed_package_verifies(demo) -> None:
    gid, ws, entity, year, root = demo
    signer = create_self_signed(name="测试", organisation=entity.name, uscc=entity.uscc)
    path = package.build_package(
        ws=ws,
        entity_id=entity.id,
        year=year,
        target=root / "pkg" / "package.zip",
        signer=signer,
        today=TODAY,
        allow_errors=True,
    )
    verdict = package.verify_package(path, trusted=(signer.certificate,))
    assert verdict.ok, [c for c in verdict.checks if not c[1]]
    results = json.loads(zipfile.ZipFile(path).read("results.json"))
    assert results["guideline"] == gid


def test_errors_of_the_demo_are_the_ones_it_announces(demo) -> None:
    """A demo year shows what a carbon officer meets; it never fails on a missing pack or a broken view."""
    _gid, ws, entity, year, _ = demo
    ev = store.compute_year(ws=ws, entity_id=entity.id, year=year, today=TODAY)
    assert not [f for f in ev.findings if f.code.startswith("GEN-") and f.severity is Severity.ERROR]
