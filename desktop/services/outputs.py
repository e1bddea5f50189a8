"""Outputs of a data year: the JSON export, the PDF report (and, later, the workbook)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

from desktop import __version__
from desktop.domain.stored import EvidenceInfo
from desktop.exports.files import atomic_path
from desktop.exports.pdf_report import ReportDocument, write_pdf
from desktop.interchange import report_json
from desktop.services import store
from desktop.services.evaluation import Evaluation
from desktop.storage.workspace import Workspace


def json_export(evaluation: Evaluation) -> bytes:
    """The year in CarbonDesk's JSON input format: ``carbondesk calc`` reads it back unchanged."""
    return (report_json.dumps_exact(report_json.report_document(evaluation.report)) + "\n").encode("utf-8")


def evidence_of_year(*, ws: Workspace, year: int, unit_codes: set[str]) -> tuple[EvidenceInfo, ...]:
    return tuple(
        e for e in store.list_evidence(ws=ws) if any(y == year and u in unit_codes for u, y, _m, _p in e.links)
    )


def data_hash(json_bytes: bytes, evidence: tuple[EvidenceInfo, ...]) -> str:
    """SHA-256 of the report's data: the JSON export and the evidence index (name, hash, links)."""
    index = [{"file": e.file_name, "sha256": e.sha256, "links": [list(link) for link in e.links]} for e in evidence]
    digest = hashlib.sha256(json_bytes)
    digest.update(json.dumps(index, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def report_document(
    *, ws: Workspace, entity_id: str, year: int, today: date | None = None
) -> tuple[ReportDocument, bytes]:
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today)
    codes = {u.unit_id for u in evaluation.report.units}
    evidence = evidence_of_year(ws=ws, year=year, unit_codes=codes)
    exported = json_export(evaluation)
    doc = ReportDocument(
        report=evaluation.report,
        result=evaluation.result,
        findings=evaluation.findings,
        messages=evaluation.guideline.messages,
        figures=evaluation.guideline.figures,
        form=evaluation.guideline.form,
        pack=evaluation.pack,
        evidence=evidence,
        data_sha256=data_hash(exported, evidence),
        generated_at=datetime.now(),
        app_version=__version__,
    )
    return doc, exported


def export_pdf(*, ws: Workspace, entity_id: str, year: int, target: Path, today: date | None = None) -> Path:
    doc, _ = report_document(ws=ws, entity_id=entity_id, year=year, today=today)
    with atomic_path(target) as tmp:
        write_pdf(doc, tmp)
    return Path(target)
