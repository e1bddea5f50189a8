"""The signed submission package, and its verification (which needs no workspace).

One ZIP: the signed PDF report, the JSON report (the input format), the calculated results with
provenance, every evidence file, ``manifest.json`` (SHA-256 of every member, versions, time, data hash)
and ``manifest.p7s`` (a detached CMS signature over the manifest).  Written atomically: a cancelled or
failed build leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import logging
import re
import shutil
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from desktop import __version__
from desktop.exports.files import atomic_path
from desktop.filenames import check_output_name
from desktop.leftovers import MARK, abandoned, work_prefix
from desktop.services import audit_check, evidence_files, outputs, pdf_process, store
from desktop.services.preflight import Preflight
from desktop.signing.core import (
    FAILED,
    TRUSTED,
    UNESTABLISHED,
    Identity,
    Signer,
    SigningError,
    establish_signer,
    sign_detached,
    verify_detached,
)
from desktop.storage.errors import StorageError
from desktop.storage.workspace import Workspace

log = logging.getLogger(__name__)

FORMAT = "carbondesk.package"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.p7s"
MAX_MEMBER = 512 * 1024 * 1024  # refuse zip bombs while verifying


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
    check_output_name(target)  # before the work, not after it
    helper = pdf_process.take()  # loads its libraries while the year is read and checked
    try:
        return _build(ws, entity_id, year, Path(target), signer, today, step, allow_errors, helper)
    finally:
        if helper is not None:
            helper.close()


def _build(
    ws: Workspace,
    entity_id: str,
    year: int,
    target: Path,
    signer: Signer,
    today: date | None,
    step: Callable[[int, int], None],
    allow_errors: bool,
    helper: pdf_process.PdfHelper | None,
) -> Path:
    bad = [c for c in evidence_files.verify_evidence(ws=ws) if c.status in ("missing", "changed")]
    if bad:
        raise StorageError("STO-E009", what=bad[0].evidence.file_name, detail=bad[0].status)
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today)  # once, for every file
    doc, json_bytes = outputs.document_of(ws=ws, evaluation=evaluation)
    step(1, 5)
    checks = Preflight.of(evaluation.findings)
    if checks.errors and not allow_errors:
        raise StorageError("STO-E019", count=len(checks.errors), where=checks.where())
    # working files beside the target, under our mark: a killed build's are swept by the next build
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_work_dirs(target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=work_prefix(target.name)) as tmp:
        plain, signed, xlsx = Path(tmp) / "report.pdf", Path(tmp) / "signed.pdf", Path(tmp) / "report.xlsx"
        job = pdf_process.job_for(doc, plain, signed, signer, f"{year} 年度温室气体排放报告 / emission report {year}")
        if helper is not None:  # the PDF in the helper while this process writes the workbook
            try:
                helper.send(job)
            except pdf_process.HelperLost as lost:
                log.warning("the PDF helper was lost (%s): the PDF is made here", lost)
                helper = None
        try:
            outputs.write_workbook_of(evaluation, xlsx, outputs.closed_months(ws=ws, entity_id=entity_id, year=year))
            xlsx_bytes = xlsx.read_bytes()
            step(2, 5)
            # results.json: made here unless the helper, done with the PDF first, has gone on to it
            results = None if helper is not None and helper.results_to_helper() else pdf_process.encode_results(doc)
            made = None
            if helper is not None:
                try:
                    made = helper.answer(waiting=lambda: step(2, 5))  # step raises when the user cancels
                except pdf_process.HelperLost as lost:
                    log.warning("the PDF helper was lost (%s): the PDF is made here", lost)
        except BaseException:
            if helper is not None:  # ended before its working folder is removed (Windows keeps open files)
                helper.close()
            raise
        if made is None:
            pdf_process.render_and_sign(job)
        if results is None:  # the helper's, unless it was lost on the way
            results = made.results if made is not None and made.results is not None else None
            results = results if results is not None else pdf_process.encode_results(doc)
        pdf_bytes = signed.read_bytes()
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
            name = f"evidence/{e.sha256[:12]}-{safe_member_name(e.file_name)}"
            members[name] = evidence_files.evidence_path(ws, e.sha256, e.file_name).read_bytes()
        evidence_index.append(
            {"file": e.file_name, "sha256": e.sha256, "kind": e.kind, "path": name, "links": [list(x) for x in e.links]}
        )
    entity = evaluation.report.entity
    if ws.read_only:  # a copy on a read-only volume (a verifier's disc): the manifest alone anchors the log
        number, (entries, head) = None, audit_check.audit_head(ws=ws)
    else:
        number, entries, head = store.record_checkpoint(ws=ws, event=f"package {year} {target.name}", signer=signer)
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
        # the workspace's audit chain as it stood, also recorded as a signed checkpoint in the workspace:
        # a later rewrite of that history no longer matches
        "audit": {"checkpoint": number, "entries": entries, "head_sha256": head},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    signature = sign_detached(manifest_bytes, signer)
    step(4, 5)
    # deflated at level 1: a third larger than the default level 6 for the JSON files, in a third of the time
    # (200 units: results.json 11 MB -> 1.5 MB in 32 ms, against 1.1 MB in 94 ms); scans are stored as they are
    with (
        atomic_path(target) as tmp_zip,
        zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z,
    ):
        for path, data in sorted(members.items()):
            z.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED if _compresses(data) else zipfile.ZIP_STORED)
            step(4, 5)
        z.writestr(MANIFEST, manifest_bytes)
        z.writestr(SIGNATURE, signature)
    step(5, 5)
    return Path(target)


# ---------------------------------------------------------------------------------------------- verify

MAX_MANIFEST = 16 * 1024 * 1024
MAX_SIGNATURE = 1024 * 1024
MAX_PDF = 200 * 1024 * 1024  # the signed PDF is validated from a file; bigger is not a report
MAX_MEMBERS = 100_000
MAX_TOTAL = 4 * 1024 * 1024 * 1024
CHUNK = 1024 * 1024


SAMPLE = 64 * 1024


def _compresses(data: bytes) -> bool:
    """Whether deflating is worth its time: not for what is compressed already (the signed PDF, the
    workbook, scans as JPEG or PNG), judged on a sample."""
    sample = data[:SAMPLE]
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)


def _sweep_stale_work_dirs(target: Path) -> None:
    for folder in target.parent.glob(f".{glob.escape(target.name)}.{MARK}*"):
        try:
            if folder.is_dir() and abandoned(folder):
                shutil.rmtree(folder)
        except OSError:
            continue


def audit_anchor(path: Path) -> tuple[int, str, str]:
    """The audit head a package's manifest signed: (entries, head hash, package name).  The package must
    verify as intact first (its manifest signature holds); otherwise it anchors nothing."""
    verdict = verify_package(path)
    if not verdict.intact or "audit" not in verdict.manifest:
        raise SigningError("SIG-E042", what=path.name)
    audit = verdict.manifest["audit"]
    return int(audit["entries"]), str(audit["head_sha256"]), path.name


def unsafe_name(name: str) -> str | None:
    """Why a member name could hurt when unpacked (None: a plain relative name)."""
    if not name or len(name) > 255:
        return "length"
    if unicodedata.normalize("NFC", name) != name:
        return "not NFC"
    if "\\" in name:
        return "backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute"
    if any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        return "control character"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "'..' or empty segment"
    return None


def safe_member_name(file_name: str) -> str:
    """An evidence file's name made safe for a package member (the manifest keeps the original name)."""
    name = unicodedata.normalize("NFC", file_name)
    name = re.sub(r"[\\/:\x00-\x1f\x7f]", "_", name).lstrip(".") or "file"
    return name[:180]


@dataclass(frozen=True)
class Check:
    code: str  # a message of desktop.signing.errors.MESSAGES
    passed: bool | None  # None: a note, neither pass nor fail
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verdict:
    """Integrity (every check passed) and, separately, whether the signer is established."""

    checks: list[Check] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    trust: str = UNESTABLISHED
    signer: Identity | None = None

    @property
    def intact(self) -> bool:
        return bool(self.checks) and all(c.passed is not False for c in self.checks)

    @property
    def status(self) -> str:
        if not self.intact or self.trust == FAILED:
            return FAILED
        return self.trust

    @property
    def ok(self) -> bool:
        """Intact and signed by someone the user trusts."""
        return self.status == TRUSTED

    def add(self, code: str, passed: bool | None, **params: Any) -> bool:
        self.checks.append(Check(code, passed, params))
        return passed is not False


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int, sink: Any = None) -> tuple[str, int, bytes | None]:
    """Stream a member: SHA-256 and byte count, refusing more than ``limit`` bytes whatever its header says.

    Returns (sha256, size, data) -- data only when no ``sink`` takes the bytes; size ``limit + 1`` = too big.
    """
    digest = hashlib.sha256()
    size = 0
    kept = bytearray() if sink is None else None
    with archive.open(name) as member:
        while True:
            chunk = member.read(min(CHUNK, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                return "", limit + 1, None
            digest.update(chunk)
            if sink is not None:
                sink(chunk)
            else:
                kept += chunk  # type: ignore[operator]
    return digest.hexdigest(), size, None if kept is None else bytes(kept)


def verify_package(
    path: Path,
    *,
    trusted: tuple[x509.Certificate, ...] = (),
    store_anchors: tuple[x509.Certificate, ...] = (),
    now: dt.datetime | None = None,
) -> Verdict:
    """Check a package as an auditor would, without trusting anything in it before its signature holds.

    ``trusted``: certificates the user named for this check (a signer, or its CA); ``store_anchors``: the
    user's trust store.  Member names, sizes and hashes come from the signed manifest, never from the ZIP's
    headers; every member is streamed with a running byte count, so memory stays small whatever it holds.
    """
    with _quiet_libraries():
        return _verify(path, trusted, store_anchors, now or dt.datetime.now(dt.UTC))


def _verify(
    path: Path, trusted: tuple[x509.Certificate, ...], store_anchors: tuple[x509.Certificate, ...], now: dt.datetime
) -> Verdict:
    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError) as exc:
        verdict.add("VER-E001", False, detail=str(exc)[:200])
        return verdict
    with archive:
        if len(infos) > MAX_MEMBERS:
            verdict.add("VER-E002", False, count=len(infos))
            return verdict
        names = [i.filename for i in infos]
        for name in names:
            why = unsafe_name(name)
            if why is not None:
                verdict.add("VER-E003", False, name=name[:120], why=why)
        if len(set(names)) != len(names):
            verdict.add("VER-E004", False)
        if not verdict.intact and verdict.checks:
            return verdict  # a package that could hurt is read no further
        present = set(names)
        if MANIFEST not in present or SIGNATURE not in present:
            verdict.add("VER-E005", False)
            return verdict
        try:
            manifest_bytes = _read_capped(archive, MANIFEST, MAX_MANIFEST)[2]
            signature = _read_capped(archive, SIGNATURE, MAX_SIGNATURE)[2]
        except (zipfile.BadZipFile, OSError, ValueError, zlib.error, NotImplementedError, EOFError) as exc:
            verdict.add("VER-E006", False, detail=str(exc)[:200])
            return verdict
        if manifest_bytes is None or signature is None:
            verdict.add("VER-E007", False, name=MANIFEST if manifest_bytes is None else SIGNATURE)
            return verdict
        try:
            verified = verify_detached(manifest_bytes, signature)
        except SigningError as exc:
            verdict.add("VER-E010", False, reason_code=exc.code, **exc.params)
            return verdict  # nothing signed can be believed: stop here
        verdict.add("VER-I010", True)
        verdict.signer = Identity.of(verified.certificate)
        try:
            manifest = json.loads(manifest_bytes)
            files = {str(f["path"]): f for f in manifest["files"]}
            sizes = {name: int(entry["size"]) for name, entry in files.items()}
        except (ValueError, KeyError, TypeError) as exc:
            verdict.add("VER-E011", False, detail=str(exc)[:200])
            return verdict
        verdict.manifest = manifest
        verdict.add("VER-I011" if manifest.get("format") == FORMAT else "VER-E012", manifest.get("format") == FORMAT)
        for name in files:
            why = unsafe_name(name)
            if why is not None or name in (MANIFEST, SIGNATURE):
                verdict.add("VER-E003", False, name=name[:120], why=why or "reserved name")
        if any(size < 0 or size > MAX_MEMBER for size in sizes.values()) or sum(sizes.values()) > MAX_TOTAL:
            verdict.add("VER-E013", False)
        if not verdict.intact:
            return verdict
        listed = set(files) | {MANIFEST, SIGNATURE}
        extra, missing = sorted(present - listed), sorted(listed - present)
        verdict.add(
            "VER-I012" if not extra and not missing else "VER-E014",
            not extra and not missing,
            extra=", ".join(extra[:5]) or "—",
            missing=", ".join(missing[:5]) or "—",
        )
        report_digest = hashlib.sha256()
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "report.pdf"
            for name, entry in sorted(files.items()):
                if name not in present:
                    continue
                limit = min(sizes[name], MAX_PDF if name == "report.pdf" else MAX_MEMBER)
                try:
                    if name == "report.pdf":
                        with pdf.open("wb") as out:
                            sha, size, _ = _read_capped(archive, name, limit, out.write)
                    elif name == "report.json":
                        sha, size, _ = _read_capped(archive, name, limit, report_digest.update)
                    else:
                        sha, size, _ = _read_capped(archive, name, limit, lambda _chunk: None)
                except (zipfile.BadZipFile, OSError, ValueError, zlib.error, NotImplementedError, EOFError) as exc:
                    verdict.add("VER-E015", False, name=name, detail=str(exc)[:200])
                    continue
                good = sha == entry.get("sha256") and size == sizes[name]
                verdict.add("VER-I013" if good else "VER-E016", good, name=name, sha256=sha or "—")
            _signer_checks(verdict, verified, manifest, trusted, store_anchors, now)
            if "report.pdf" in present and pdf.exists():
                _pdf_check(verdict, pdf, verified, trusted or store_anchors)
        if "report.json" in present:
            index = [
                {"file": e["file"], "sha256": e["sha256"], "links": e["links"]} for e in manifest.get("evidence", [])
            ]
            report_digest.update(json.dumps(index, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            good = report_digest.hexdigest() == manifest.get("data_sha256")
            verdict.add("VER-I014" if good else "VER-E017", good, sha256=str(manifest.get("data_sha256", "")))
    return verdict


def _signer_checks(
    verdict: Verdict,
    verified: Any,
    manifest: dict[str, Any],
    trusted: tuple[x509.Certificate, ...],
    store_anchors: tuple[x509.Certificate, ...],
    now: dt.datetime,
) -> None:
    certificate = verified.certificate
    identity = Identity.of(certificate)
    named = str(manifest.get("signer", {}).get("certificate_sha256", ""))
    verdict.add(
        "VER-I015" if named == identity.fingerprint else "VER-E018",
        named == identity.fingerprint,
        manifest_fingerprint=named or "—",
        fingerprint=identity.fingerprint,
    )
    when = verified.signing_time or now
    result = establish_signer(certificate, verified.others, trusted or store_anchors, when, explicit=bool(trusted))
    verdict.trust = result.status
    verdict.add(result.code, None if result.status == UNESTABLISHED else result.status == TRUSTED, detail=result.detail)
    package_uscc = str(manifest.get("entity", {}).get("uscc") or "").upper()
    if identity.uscc is None:
        verdict.add("SIG-E036", None)
    elif package_uscc and identity.uscc != package_uscc:
        verdict.trust = FAILED
        verdict.add("SIG-E035", False, package=package_uscc, certificate=identity.uscc)
    else:
        verdict.add("VER-I016", True, uscc=identity.uscc)


def _pdf_check(verdict: Verdict, pdf: Path, verified: Any, anchors: tuple[x509.Certificate, ...]) -> None:
    from desktop.signing.pades import validate_pdf  # noqa: PLC0415 - pyHanko, loaded where it is needed

    try:
        check = validate_pdf(pdf, anchors or (verified.certificate,))
    except SigningError as exc:
        verdict.add("VER-E020", False, reason_code=exc.code, **exc.params)
        return
    except Exception as exc:  # a malformed PDF: a failed check with its reason, never a traceback
        verdict.add("VER-E020", False, reason_code="SIG-E020", detail=f"{type(exc).__name__}: {exc}"[:200])
        return
    fingerprint = verified.certificate.fingerprint(hashes.SHA256()).hex()
    reasons = []
    if not check.intact:
        reasons.append("VER-R001")
    if not check.valid:
        reasons.append("VER-R002")
    if not check.covers_whole_file:
        reasons.append("VER-R003")
    if check.signer_fingerprint != fingerprint:
        reasons.append("VER-R004")
    if verdict.trust == TRUSTED and not check.trusted:  # pyHanko's own trust verdict must agree
        reasons.append("VER-R005")
        verdict.trust = FAILED
    verdict.add(
        "VER-I020" if not reasons else "VER-E021",
        not reasons,
        reasons=reasons,
        pdf_fingerprint=check.signer_fingerprint,
        fingerprint=fingerprint,
    )


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """pyHanko and its helpers log (and sometimes print tracebacks) about hostile input: keep it out of the
    user's console; the verdict says what failed."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator", "asn1crypto", "fontTools")]
    saved = [(lg, lg.level, lg.propagate, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.disabled = True
    try:
        yield
    finally:
        for lg, level, propagate, disabled in saved:
            lg.setLevel(level)
            lg.propagate = propagate
            lg.disabled = disabled
