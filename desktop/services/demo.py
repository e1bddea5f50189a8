"""Demo workspaces: a guideline's demo year (its ``demo_document``) imported, real scan files attached,
the deposited months locked -- so that every screen and report has something to show."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from desktop.domain.findings import Severity
from desktop.interchange.report_json import dumps_exact, parse_report
from desktop.services import evidence_files, importer, store
from desktop.services.guidelines import DEFAULT_GUIDELINE, forms_by_guideline, guideline
from desktop.storage.workspace import Workspace


def demo_document(guideline_id: str = DEFAULT_GUIDELINE) -> dict:
    """The guideline's demo year in the JSON input shape (plain values, Decimals for numbers)."""
    return guideline(guideline_id).demo()


def demo_year(guideline_id: str = DEFAULT_GUIDELINE) -> int:
    return int(demo_document(guideline_id)["data_year"])


def _scan_pdf(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned ledger or lab report."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def create_demo_workspace(
    path: Path | str, *, today: date | None = None, guideline_id: str = DEFAULT_GUIDELINE
) -> Workspace:
    """The demo plant as a workspace: its year imported, real scan files attached, deposited months locked.

    Returns the open ``Workspace``.  An existing demo workspace is opened as it is.
    """
    path = Path(path)
    fresh = not path.exists()
    ws = Workspace.open(path, app_user="王碳（演示）", name="演示工作区 / Demo workspace")
    if not fresh and store.list_entities(ws=ws):
        return ws
    doc = demo_document(guideline_id)
    year = int(doc["data_year"])
    evidence_plan = {(u["id"], m["month"]): m.pop("evidence") for u in doc["units"] for m in u["months"]}
    deposits = {(u["id"], m["month"]): m.pop("deposited_on") for u in doc["units"] for m in u["months"]}
    report = parse_report(dumps_exact(doc), forms_by_guideline(), source="demo")
    outcome = importer.import_report(ws=ws, report=report, reason="演示数据 / demo data")
    units = {u.code: u.id for u in store.get_entity(ws=ws, entity_id=outcome.entity_id).units}
    with tempfile.TemporaryDirectory() as tmp:
        for (unit_code, month), refs in evidence_plan.items():
            for ref in refs:
                scan = Path(tmp) / ref["file"]
                scan.write_bytes(_scan_pdf(f"{ref['kind']} {unit_code} {year}-{month:02d}"))
                evidence_files.attach_evidence(
                    ws=ws,
                    file=scan,
                    kind=ref["kind"],
                    links=[(units[unit_code], year, month, p) for p in ref["proves"]],
                )
    evaluation = store.compute_year(ws=ws, entity_id=outcome.entity_id, year=year, today=today)
    blocked = {(f.ref.unit, f.ref.month) for f in evaluation.findings if f.severity is Severity.ERROR}
    for (unit_code, month), deposited in deposits.items():
        # Months deposited on the platform are locked; the months with errors stay open to be fixed.
        if (unit_code, month) in blocked or month == 12:
            continue
        store.submit_month(ws=ws, unit_id=units[unit_code], year=year, month=month, today=today)
        store.lock_month(
            ws=ws, unit_id=units[unit_code], year=year, month=month, deposited_on=date.fromisoformat(deposited)
        )
    return ws
