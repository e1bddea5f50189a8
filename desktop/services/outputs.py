"""Outputs of a data year: the JSON export, the PDF report (and, later, the workbook)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.domain.periods import PeriodStatus
from desktop.domain.records import ReportInput, UnitRecord
from desktop.domain.stored import EvidenceInfo, FieldChange
from desktop.exports.document import ReportDocument
from desktop.exports.files import atomic_path
from desktop.exports.workbook import read_workbook, write_month_workbook, write_workbook
from desktop.interchange import report_json
from desktop.services import evidence_files, importer, store
from desktop.services.evaluation import Evaluation
from desktop.services.guidelines import guideline
from desktop.storage.workspace import Workspace


def json_export(evaluation: Evaluation) -> bytes:
    """The year in CarbonDesk's JSON input format: ``carbondesk calc`` reads it back unchanged."""
    return (report_json.dumps_exact(report_json.report_document(evaluation.report)) + "\n").encode("utf-8")


def evidence_of_year(*, ws: Workspace, year: int, unit_codes: set[str]) -> tuple[EvidenceInfo, ...]:
    return tuple(
        e for e in evidence_files.list_evidence(ws=ws) if any(y == year and u in unit_codes for u, y, _m, _p in e.links)
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
    return document_of(ws=ws, evaluation=evaluation)


def document_of(*, ws: Workspace, evaluation: Evaluation) -> tuple[ReportDocument, bytes]:
    """The report of a year already calculated (a package calculates once for all its files)."""
    codes = {u.unit_id for u in evaluation.report.units}
    evidence = evidence_of_year(ws=ws, year=evaluation.report.data_year, unit_codes=codes)
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
        words=evaluation.guideline,
    )
    return doc, exported


def export_pdf(*, ws: Workspace, entity_id: str, year: int, target: Path, today: date | None = None) -> Path:
    from desktop.exports.pdf_report import write_pdf  # noqa: PLC0415 - reportlab, where a PDF is made

    doc, _ = report_document(ws=ws, entity_id=entity_id, year=year, today=today)
    with atomic_path(target) as tmp:
        write_pdf(doc, tmp)
    return Path(target)


@dataclass(frozen=True)
class ImportPreview:
    report: ReportInput
    changes: tuple[tuple[str, int, FieldChange], ...]  # (unit code, month, change): what an import applies
    refused: tuple[tuple[str, int, FieldChange], ...] = ()  # changes to submitted or deposited months


def change_label(form: Any, path: str, lang: str) -> str:
    """A workbook change's item in words: ``generation_mwh`` → 发电量, ``coal.m_ar_pct`` → 燃煤 · 收到基水分
    (an item of any of the month's tables: a fuel, a raw material)."""
    item, _, field_id = path.rpartition(".")
    try:
        if not item:
            return form.field("month", field_id).label(lang)
        for kind in form.row_kinds:
            option = form.enums[form.field(kind.scope, kind.key).enum or ""].option(item)
            if option is not None:
                return f"{option.label(lang)} · {form.field(kind.scope, field_id).label(lang)}"
        return path
    except KeyError:
        return path


def closed_months(*, ws: Workspace, entity_id: str, year: int) -> frozenset[tuple[str, int]]:
    """(unit code, month) of the months that are submitted or deposited: not to be changed by an import."""
    statuses = store.month_statuses(ws=ws, entity_id=entity_id, year=year)
    return frozenset(key for key, status in statuses.items() if status is not PeriodStatus.DRAFT)


def _closed(stored: Mapping[tuple[str, int], Any]) -> frozenset[tuple[str, int]]:
    return frozenset((m.unit_code, m.month) for m in stored.values() if not m.writable)


def write_workbook_of(evaluation: Evaluation, target: Path, closed: frozenset[tuple[str, int]] = frozenset()) -> Path:
    g = evaluation.guideline
    return write_workbook(
        target,
        report=evaluation.report,
        result=evaluation.result,
        findings=evaluation.findings,
        messages=g.messages,
        figures=g.figures,
        form=g.form,
        pack=evaluation.pack,
        view=g.workbook,
        default_row=g.grid.default_rows,
        closed=closed,
        parameter_label=lambda key: g.parameter_label(key, "zh"),
    )


def export_workbook(*, ws: Workspace, entity_id: str, year: int, target: Path, today: date | None = None) -> Path:
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today)
    closed = closed_months(ws=ws, entity_id=entity_id, year=year)
    with atomic_path(target) as tmp:
        write_workbook_of(evaluation, tmp, closed)
    return Path(target)


def preview_workbook(*, ws: Workspace, entity_id: str, year: int, path: Path) -> ImportPreview:
    """What importing a filled workbook would change, field by field; nothing is written."""
    current, stored = store.year_data(ws=ws, entity_id=entity_id, year=year)  # one read: values and statuses
    g = guideline(current.guideline)
    incoming = read_workbook(path, template=current, form=g.form)
    changes: list[tuple[str, int, FieldChange]] = []
    for unit in incoming.units:
        before = current.unit(unit.unit_id)
        for month in unit.months:
            old = before.month(month.month) if before else None
            old_values = dict(old.values) if old else {}
            for key in sorted(set(old_values) | set(month.values)):
                if old_values.get(key) != month.values.get(key):
                    changes.append(
                        (unit.unit_id, month.month, FieldChange(key, old_values.get(key), month.values.get(key)))
                    )
            for kind in g.form.row_kinds:
                old_rows = {str(r.get(kind.key)): dict(r.values) for r in (old.rows_of(kind.id) if old else ())}
                for row in month.rows_of(kind.id):
                    item = str(row.get(kind.key))
                    was = old_rows.get(item, {})
                    for key in sorted(set(was) | set(row.values)):
                        if was.get(key) != row.values.get(key):
                            change = FieldChange(f"{item}.{key}", was.get(key), row.values.get(key))
                            changes.append((unit.unit_id, month.month, change))
    closed = _closed(stored)
    refused = tuple(c for c in changes if (c[0], c[1]) in closed)
    changes = [c for c in changes if (c[0], c[1]) not in closed]
    changed = {(u, m) for u, m, _ in changes}
    only_changed = tuple(
        UnitRecord(u.values, tuple(m for m in u.months if (u.unit_id, m.month) in changed), u.declared_annual, u.year)
        for u in incoming.units
    )
    report = ReportInput(
        incoming.guideline,
        incoming.data_year,
        incoming.entity,
        only_changed,
        incoming.overrides,
        incoming.acknowledgements,
    )
    return ImportPreview(report, tuple(changes), refused)


def apply_workbook(*, ws: Workspace, preview: ImportPreview, source: str) -> int:
    """Apply a previewed workbook: one transaction, refused whole if a month is locked."""
    importer.import_report(ws=ws, report=preview.report, reason=f"Excel import {source}")
    return len(preview.changes)


def export_month(
    *,
    ws: Workspace,
    entity_id: str,
    year: int,
    month: int,
    target_pdf: Path,
    target_xlsx: Path,
    today: date | None = None,
) -> tuple[Path, Path]:
    """The monthly deposit sheet, as PDF and as workbook, with the month's evidence index."""
    from desktop.exports.pdf_report import write_month_pdf  # noqa: PLC0415 - see export_pdf

    doc, _ = report_document(ws=ws, entity_id=entity_id, year=year, today=today)
    month_evidence = tuple(e for e in doc.evidence if any(y == year and m == month for _u, y, m, _p in e.links))
    with atomic_path(target_pdf) as tmp:
        write_month_pdf(doc, month, tmp)
    with atomic_path(target_xlsx) as tmp:
        write_month_workbook(
            tmp,
            report=doc.report,
            result=doc.result,
            month=month,
            form=doc.form,
            evidence=month_evidence,
            figures=doc.figures,
            view=doc.words.workbook,
        )
    return Path(target_pdf), Path(target_xlsx)
