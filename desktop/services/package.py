"""The signed submission package, and its verification (which needs no workspace).

One ZIP: the signed PDF report, the JSON report (the input format), the calculated results with
provenance, every evidence file, ``manifest.json`` (SHA-256 of every member, versions, time, data hash)
and ``manifest.p7s`` (a detached CMS signature over the manifest).  Written atomically: a cancelled or
failed build leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from desktop import __version__
from desktop.domain.findings import Finding, Severity
from desktop.exports.files import atomic_path
from desktop.exports.pdf_report import write_pdf
from desktop.interchange import result_json
from desktop.services import outputs, store
from desktop.signing.core import Signer, SigningError, certificate_problems, sign_detached, verify_detached
from desktop.signing.pades import sign_pdf, validate_pdf
from desktop.storage.db import StorageError
from desktop.storage.workspace import Workspace

FORMAT = "carbondesk.package"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.p7s"
MAX_MEMBER = 512 * 1024 * 1024  # refuse zip bombs while verifying


@dataclass(frozen=True)
class Preflight:
    """What stands between the year and a clean package: errors, and warnings nobody has justified."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @classmethod
    def of(cls, findings: tuple[Finding, ...] | list[Finding]) -> Preflight:
        ordered = sorted(findings, key=lambda f: f.sort_key())
        return cls(
            tuple(f for f in ordered if f.severity is Severity.ERROR),
            tuple(f for f in ordered if f.severity is Severity.WARNING and f.acknowledged is None),
        )

    @property
    def clean(self) -> bool:
        return not self.errors and not self.warnings

    def months_with_errors(self) -> list[dict[str, Any]]:
        counts: dict[tuple[str, int], int] = {}
        for f in self.errors:
            if f.ref.unit is not None and f.ref.month is not None:
                counts[(f.ref.unit, f.ref.month)] = counts.get((f.ref.unit, f.ref.month), 0) + 1
        return [{"unit": u, "month": m, "errors": n} for (u, m), n in sorted(counts.items())]

    def where(self) -> str:
        months = [f"{m['unit']} {m['month']:02d}" for m in self.months_with_errors()]
        whole_year = sum(1 for f in self.errors if f.ref.month is None)
        parts = months[:8] + ([f"… +{len(months) - 8}"] if len(months) > 8 else [])
        if whole_year:
            parts.append(f"{whole_year} × year")
        return ", ".join(parts)

    def manifest(self) -> dict[str, Any]:
        status = "errors" if self.errors else "warnings" if self.warnings else "clean"
        return {
            "status": status,
            "errors": len(self.errors),
            "unjustified_warnings": len(self.warnings),
            "months_with_errors": self.months_with_errors(),
            "year_errors": sorted({f.code for f in self.errors if f.ref.month is None}),
        }


def preflight(*, ws: Workspace, entity_id: str, year: int, today: date | None = None) -> Preflight:
    """The checks shown before a package is built (the same findings the package will state)."""
    return Preflight.of(store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today).findings)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_package(
    *,
    ws: Workspace,
    entity_id: str,
    year: int,
    target: Path,
    signer: Signer,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    allow_errors: bool = False,
) -> Path:
    """Refused while the year has errors unless ``allow_errors`` (a deliberate choice, stated in the manifest)."""
    step = progress or (lambda done, total: None)
    bad = [c for c in store.verify_evidence(ws=ws) if c.status in ("missing", "changed")]
    if bad:
        raise StorageError("STO-E009", what=bad[0].evidence.file_name, detail=bad[0].status)
    doc, json_bytes = outputs.report_document(ws=ws, entity_id=entity_id, year=year, today=today)
    step(1, 5)
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today)
    checks = Preflight.of(evaluation.findings)
    if checks.errors and not allow_errors:
        raise StorageError("STO-E019", count=len(checks.errors), where=checks.where())
    results = json.dumps(
        result_json.result_document(
            report=evaluation.report,
            result=evaluation.result,
            findings=evaluation.findings,
            messages=evaluation.guideline.messages,
        ),
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        plain, signed, xlsx = Path(tmp) / "report.pdf", Path(tmp) / "signed.pdf", Path(tmp) / "report.xlsx"
        write_pdf(doc, plain)
        step(2, 5)
        sign_pdf(plain, signed, signer, reason=f"{year} 年度温室气体排放报告 / emission report {year}")
        pdf_bytes = signed.read_bytes()
        outputs.write_workbook_of(evaluation, xlsx)
        xlsx_bytes = xlsx.read_bytes()
    step(3, 5)
    members: dict[str, bytes] = {
        "report.pdf": pdf_bytes,
        "report.xlsx": xlsx_bytes,
        "report.json": json_bytes,
        "results.json": results,
    }
    evidence_index = []
    for e in doc.evidence:
        name = None
        if e.stored:  # recorded by an import without its file: listed in the report, not in the package
            name = f"evidence/{e.sha256[:12]}-{e.file_name}"
            members[name] = store.evidence_path(ws, e.sha256).read_bytes()
        evidence_index.append(
            {"file": e.file_name, "sha256": e.sha256, "kind": e.kind, "path": name, "links": [list(x) for x in e.links]}
        )
    entity = evaluation.report.entity
    manifest = {
        "format": FORMAT,
        "version": 1,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "parameter_pack": evaluation.pack.label,
        "guideline": evaluation.report.guideline,
        "data_year": year,
        "entity": {"name": entity.get("name"), "uscc": entity.get("uscc")},
        "data_sha256": doc.data_sha256,
        "signer": {"subject": signer.subject, "certificate_sha256": signer.fingerprint},
        "files": [{"path": path, "sha256": _sha(data), "size": len(data)} for path, data in sorted(members.items())],
        "evidence": evidence_index,
        "checks": checks.manifest(),
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    signature = sign_detached(manifest_bytes, signer)
    step(4, 5)
    with atomic_path(target) as tmp_zip, zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, data in sorted(members.items()):
            z.writestr(path, data)
            step(4, 5)
        z.writestr(MANIFEST, manifest_bytes)
        z.writestr(SIGNATURE, signature)
    step(5, 5)
    return Path(target)


# ---------------------------------------------------------------------------------------------- verify


@dataclass
class Verdict:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (what, passed, detail)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(passed for _, passed, _ in self.checks)

    def add(self, what: str, passed: bool, detail: str = "") -> None:
        self.checks.append((what, passed, detail))


def verify_package(
    path: Path, *, trusted: tuple[x509.Certificate, ...] = (), now: dt.datetime | None = None
) -> Verdict:
    """Every hash, the manifest's CMS signature and certificate, the PDF signature, members = manifest."""
    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        verdict.add("zip", False, f"not a readable ZIP: {exc}")
        return verdict
    with archive:
        infos = {i.filename: i for i in archive.infolist()}
        if len(infos) != len(archive.infolist()):
            verdict.add("members", False, "a member name appears twice")
        if any(i.file_size > MAX_MEMBER for i in infos.values()):
            verdict.add("members", False, "a member is larger than allowed")
            return verdict
        try:
            manifest_bytes = archive.read(MANIFEST)
            signature = archive.read(SIGNATURE)
        except KeyError as exc:
            verdict.add("manifest", False, f"missing {exc}")
            return verdict
        except (zipfile.BadZipFile, OSError, ValueError, zlib.error) as exc:
            verdict.add("manifest", False, f"unreadable: {exc}")
            return verdict
        try:
            verified = verify_detached(manifest_bytes, signature)
            verdict.add("manifest signature (CMS)", True, verified.certificate.subject.rfc4514_string())
        except SigningError as exc:
            verdict.add("manifest signature (CMS)", False, exc.code)
            verified = None
        try:
            manifest = json.loads(manifest_bytes)
            files = {f["path"]: f for f in manifest["files"]}
            verdict.manifest = manifest
        except (ValueError, KeyError, TypeError) as exc:
            verdict.add("manifest", False, f"not a CarbonDesk manifest: {exc}")
            return verdict
        verdict.add("manifest format", manifest.get("format") == FORMAT, str(manifest.get("format")))
        listed = set(files) | {MANIFEST, SIGNATURE}
        extra, missing = set(infos) - listed, listed - set(infos)
        verdict.add(
            "members match the manifest",
            not extra and not missing,
            "; ".join([*(f"extra {n}" for n in sorted(extra)), *(f"missing {n}" for n in sorted(missing))]),
        )
        contents: dict[str, bytes] = {}
        for name, entry in sorted(files.items()):
            if name not in infos:
                continue
            try:
                data = archive.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, zlib.error) as exc:  # a corrupted member fails its CRC
                verdict.add(f"hash {name}", False, f"unreadable: {exc}")
                continue
            contents[name] = data
            verdict.add(
                f"hash {name}",
                _sha(data) == entry.get("sha256") and len(data) == entry.get("size"),
                entry.get("sha256", "")[:16],
            )
        if verified is not None:
            manifest_signer = manifest.get("signer", {}).get("certificate_sha256")
            fingerprint = verified.certificate.fingerprint(hashes.SHA256()).hex()
            verdict.add(
                "signer named in the manifest",
                manifest_signer == fingerprint,
                verified.certificate.subject.rfc4514_string(),
            )
            problems = certificate_problems(verified.certificate, now or dt.datetime.now(dt.UTC), trusted)
            verdict.add(
                "signer certificate",
                not problems,
                ", ".join(problems)
                or ("trusted" if trusted else "valid; self-declared (pass --trust CERT to pin the signer)"),
            )
        if "report.pdf" in contents:
            with tempfile.TemporaryDirectory() as tmp:
                pdf = Path(tmp) / "report.pdf"
                pdf.write_bytes(contents["report.pdf"])
                try:
                    check = validate_pdf(pdf, trusted or ((verified.certificate,) if verified else ()))
                    same = (
                        verified is not None
                        and check.signer_fingerprint == verified.certificate.fingerprint(hashes.SHA256()).hex()
                    )
                    verdict.add(
                        "PDF signature (PAdES)",
                        check.intact and check.valid and check.covers_whole_file and same,
                        f"intact={check.intact} valid={check.valid} whole file={check.covers_whole_file}",
                    )
                except SigningError as exc:
                    verdict.add("PDF signature (PAdES)", False, exc.code)
        if "report.json" in contents:
            index = [
                {"file": e["file"], "sha256": e["sha256"], "links": e["links"]} for e in manifest.get("evidence", [])
            ]
            digest = hashlib.sha256(contents["report.json"])
            digest.update(json.dumps(index, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            verdict.add(
                "data hash (QR code on the report)",
                digest.hexdigest() == manifest.get("data_sha256"),
                str(manifest.get("data_sha256", ""))[:16],
            )
    return verdict
