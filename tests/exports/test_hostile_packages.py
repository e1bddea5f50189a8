"""Issue 11: packages an attacker makes.  A signature that cannot be borrowed, a package that cannot hurt.

Forged signers (a fresh key under a copied name, another plant's credit code), hostile member names
signed with the genuine key, zip bombs and lying ZIP headers, a broken signature that must stop the
check at once; the verdicts, exit codes and messages in both languages; memory under 200 MiB.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import struct
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from desktop.cli.main import main as cli_main
from desktop.services import audit_check, package, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import Identity, create_self_signed, save_signer, sign_detached
from desktop.signing.trust import TrustStore

USCC = "91110000101623741K"


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    ws = create_demo_workspace(root / "demo.sqlite", today=date(2026, 11, 23))
    entity_id = store.list_entities(ws=ws)[0].id
    signer = create_self_signed(name="王碳", organisation="华能示范电厂", uscc=USCC)

    def build(by, name: str) -> Path:
        return package.build_package(
            ws=ws,
            entity_id=entity_id,
            year=2025,
            target=root / name,
            signer=by,
            today=date(2026, 11, 23),
            allow_errors=True,
        )

    path = build(signer, "genuine.zip")
    yield {"root": root, "signer": signer, "path": path, "build": build, "ws": ws, "entity_id": entity_id}
    ws.close()


def write_cert(signer, path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization

    path.write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    return path


def resign(source: Path, target: Path, signer, change) -> Path:
    """Change members, rewrite the manifest to match, and sign it with ``signer`` (an insider's package)."""
    with zipfile.ZipFile(source) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.p7s")
    change(members, manifest)
    manifest["files"] = [
        {"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in sorted(members.items())
    ]
    data = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
        z.writestr("manifest.json", data)
        z.writestr("manifest.p7s", sign_detached(data, signer))
    return target


def codes(verdict) -> set[str]:
    return {c.code for c in verdict.checks}


def test_the_genuine_package_three_ways(genuine, tmp_path: Path) -> None:
    path, signer = genuine["path"], genuine["signer"]
    trusted = package.verify_package(path, trusted=(signer.certificate,))
    assert trusted.status == "trusted" and trusted.ok, [c for c in trusted.checks if c.passed is False]
    assert trusted.signer == Identity.of(signer.certificate) and trusted.signer.uscc == USCC
    unknown = package.verify_package(path)
    assert unknown.intact and unknown.status == "unestablished" and "SIG-E030" in codes(unknown)
    in_store = TrustStore(tmp_path / "trust")
    in_store.add(write_cert(signer, tmp_path / "genuine.pem"))
    assert package.verify_package(path, store_anchors=in_store.certificates()).status == "trusted"


def test_a_fresh_key_under_a_copied_name_is_a_forgery(genuine, tmp_path: Path) -> None:
    """The critical finding: the name of the trusted certificate, copied onto a new self-signed one."""
    forger = create_self_signed(name="王碳", organisation="华能示范电厂", uscc=USCC)
    forged = genuine["build"](forger, "forged.zip")
    verdict = package.verify_package(forged, trusted=(genuine["signer"].certificate,))
    assert verdict.status == "failed" and "SIG-E031" in codes(verdict)
    # through the trust store as well (the user did not name a certificate this time)
    store_ = TrustStore(tmp_path / "trust")
    store_.add(write_cert(genuine["signer"], tmp_path / "g.pem"))
    assert package.verify_package(forged, store_anchors=store_.certificates()).status == "failed"
    # and openssl agrees
    with zipfile.ZipFile(forged) as z:
        (tmp_path / "m.json").write_bytes(z.read("manifest.json"))
        (tmp_path / "m.p7s").write_bytes(z.read("manifest.p7s"))
    if subprocess.run(["which", "openssl"], capture_output=True, check=False).returncode == 0:
        result = subprocess.run(
            ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "m.p7s"),
             "-content", str(tmp_path / "m.json"), "-CAfile", str(tmp_path / "g.pem"), "-purpose", "any",
             "-out", os.devnull],
            capture_output=True, check=False,
        )  # fmt: skip
        assert result.returncode != 0


def test_a_certificate_of_another_plant_fails_on_the_credit_code(genuine) -> None:
    other = create_self_signed(name="王碳", organisation="另一家电厂", uscc="91310000MA1FL8XQ4L")
    path = genuine["build"](other, "other-plant.zip")
    verdict = package.verify_package(path, trusted=(other.certificate,))  # even when that signer is trusted
    assert verdict.status == "failed" and "SIG-E035" in codes(verdict)


@pytest.mark.parametrize(
    "name",
    ["../../evil.txt", "/etc/cron.d/x", "C:/Windows/x.dll", "evidence\\..\\x.pdf", "evidence/./x.pdf", "a\x01b"],
)
def test_hostile_member_names_fail_even_when_signed_with_the_genuine_key(genuine, tmp_path: Path, name: str) -> None:
    def add(members, _manifest):
        members[name] = b"payload"

    target = resign(genuine["path"], tmp_path / "names.zip", genuine["signer"], add)
    verdict = package.verify_package(target, trusted=(genuine["signer"].certificate,))
    assert verdict.status == "failed" and "VER-E003" in codes(verdict)
    assert not any(c.code == "VER-I013" for c in verdict.checks)  # nothing read from a package that could hurt


def test_a_name_not_in_nfc_fails(genuine, tmp_path: Path) -> None:
    def add(members, _manifest):
        members["evidence/Cafe\u0301.pdf"] = b"x"  # decomposed é

    target = resign(genuine["path"], tmp_path / "nfc.zip", genuine["signer"], add)
    assert "VER-E003" in codes(package.verify_package(target))


def test_a_broken_manifest_signature_stops_the_check(genuine, tmp_path: Path) -> None:
    with zipfile.ZipFile(genuine["path"]) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["manifest.json"] = members["manifest.json"].replace(b'"data_year": 2025', b'"data_year": 2024')
    target = tmp_path / "broken.zip"
    with zipfile.ZipFile(target, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    verdict = package.verify_package(target, trusted=(genuine["signer"].certificate,))
    assert verdict.status == "failed" and verdict.checks[-1].code == "VER-E010"
    assert not any(c.code in ("VER-I013", "VER-E016") for c in verdict.checks)


def _understate_size(path: Path, member: str, new_size: int) -> None:
    """Patch the uncompressed size of ``member`` in both the local header and the central directory."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, new_size)
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        if position < 0:
            break
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]).decode("utf-8") == member:
            struct.pack_into("<I", data, position + 24, new_size)
        position += 4
    path.write_bytes(bytes(data))


def test_a_zip_header_that_understates_a_member_is_caught(genuine, tmp_path: Path) -> None:
    target = tmp_path / "understated.zip"
    target.write_bytes(genuine["path"].read_bytes())
    _understate_size(target, "report.xlsx", 100)
    verdict = package.verify_package(target, trusted=(genuine["signer"].certificate,))
    assert verdict.status == "failed"


BOMB = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from desktop.services import package

def high_water():  # VmHWM: this program's peak (ru_maxrss would include the forked parent before exec)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0

base = high_water()
verdict = package.verify_package(Path(sys.argv[1]))
print(verdict.status, high_water(), base, [c.code for c in verdict.checks if c.passed is False])
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory through /proc")
def test_zip_bombs_are_read_no_further_than_the_manifest_allows(genuine, tmp_path: Path) -> None:
    """A 1.5 GB member of zeros listed as 5 bytes: read no further, memory stays small."""
    target = tmp_path / "bomb.zip"

    def bomb(members, manifest):
        members["evidence/zeros.bin"] = b"small"

    resign(genuine["path"], target, genuine["signer"], bomb)
    # swap the small member for 1.5 GB of zeros (compressed to ~1.5 MB), keeping the manifest's 5 bytes
    with zipfile.ZipFile(target) as z:
        members = {n: z.read(n) for n in z.namelist() if n != "evidence/zeros.bin"}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        with z.open("evidence/zeros.bin", "w", force_zip64=True) as member:
            block = bytes(16 * 1024 * 1024)
            for _ in range(96):
                member.write(block)
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "TEMP", "TMP")}
    run = subprocess.run(
        [sys.executable, "-c", BOMB, str(target), "x", str(Path(__file__).resolve().parents[2])],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=clean,  # a verifier's own process, not pytest's
    )
    assert run.returncode == 0, run.stderr[-2000:]
    status, peak_mib, base_mib = run.stdout.split()[:3]
    assert status == "failed"
    assert int(peak_mib) < 200, f"verify's process peaked at {peak_mib} MiB (after imports {base_mib} MiB)"

    # a member at the size limit, listed with its true size and hash: streamed through, never held
    big = 32 * 16 * 1024 * 1024  # 512 MiB of zeros
    digest = hashlib.sha256()
    for _ in range(32):
        digest.update(bytes(16 * 1024 * 1024))
    honest = tmp_path / "honest-big.zip"

    def listed(members, manifest):
        members["evidence/zeros.bin"] = b""

    resign(genuine["path"], honest, genuine["signer"], listed)
    with zipfile.ZipFile(honest) as z:
        members = {n: z.read(n) for n in z.namelist() if n not in ("manifest.json", "manifest.p7s")}
        manifest = json.loads(z.read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == "evidence/zeros.bin":
            entry["sha256"], entry["size"] = digest.hexdigest(), big
    data = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with zipfile.ZipFile(honest, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            if name != "evidence/zeros.bin":
                z.writestr(name, content)
        with z.open("evidence/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(32):
                member.write(bytes(16 * 1024 * 1024))
        z.writestr("manifest.json", data)
        z.writestr("manifest.p7s", sign_detached(data, genuine["signer"]))
    run = subprocess.run(
        [sys.executable, "-c", BOMB, str(honest), "x", str(Path(__file__).resolve().parents[2])],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=clean,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    status, peak_mib, _ = run.stdout.split()[:3]
    assert status == "unestablished", run.stdout  # intact; no trust anchor given
    assert int(peak_mib) < 200, f"verify's process peaked at {peak_mib} MiB on a 512 MiB member"


def test_verify_speaks_the_users_language_with_reasons_and_exit_codes(genuine, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(tmp_path / "data"))
    cert = write_cert(genuine["signer"], tmp_path / "genuine.pem")
    forger = create_self_signed(name="王碳", organisation="华能示范电厂", uscc=USCC)
    forged = genuine["build"](forger, "forged-cli.zip")
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["--lang", "zh", "verify", str(genuine["path"]), "--trust", str(cert)], out=out, err=err) == 0
    text = out.getvalue()
    assert "结论：提交包完整，签名者已确认" in text and genuine["signer"].fingerprint in text and USCC in text
    assert "SIG-" not in text and "VER-" not in text
    out = io.StringIO()
    assert cli_main(["--lang", "zh", "verify", str(genuine["path"])], out=out, err=err) == 4
    assert "--trust" in out.getvalue()
    out = io.StringIO()
    assert cli_main(["--lang", "zh", "verify", str(forged), "--trust", str(cert)], out=out, err=err) == 1
    assert "冒用" in out.getvalue() and forger.fingerprint in out.getvalue()
    assert err.getvalue() == "" and "Traceback" not in out.getvalue()
    # the trust store, from the command line
    out = io.StringIO()
    assert cli_main(["--lang", "en", "trust", "add", str(cert)], out=out, err=err) == 0
    assert cli_main(["--lang", "en", "verify", str(genuine["path"])], out=io.StringIO(), err=err) == 0
    out = io.StringIO()
    assert cli_main(["--lang", "en", "trust", "list"], out=out, err=err) == 0 and "王碳" in out.getvalue()
    fingerprint = genuine["signer"].fingerprint
    assert cli_main(["--lang", "en", "trust", "remove", fingerprint[:12]], out=io.StringIO(), err=err) == 0
    assert cli_main(["--lang", "en", "verify", str(genuine["path"])], out=io.StringIO(), err=err) == 4


def test_signer_files_and_certificate_kind(tmp_path: Path) -> None:
    from cryptography import x509

    signer = create_self_signed(name="王碳", uscc=USCC)
    constraints = signer.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    usage = signer.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert constraints.ca is False and usage.digital_signature and not usage.key_cert_sign
    save_signer(signer, tmp_path / "s", b"passphrase")
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "s" / "signer-key.pem").stat().st_mode) == 0o600


def test_pdfsig_accepts_the_genuine_pdf_and_rejects_a_changed_one(genuine, tmp_path: Path) -> None:
    import shutil

    if not shutil.which("pdfsig"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdfsig (poppler-utils) missing in CI")
        pytest.skip("pdfsig not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(zipfile.ZipFile(genuine["path"]).read("report.pdf"))
    run = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in run.stdout and "Total document signed" in run.stdout
    data = bytearray(pdf.read_bytes())
    position = data.find(b"/Producer")
    data[position + 1] ^= 0x20  # one letter's case, inside the signed range
    pdf.write_bytes(bytes(data))
    run = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" not in run.stdout


def test_a_rewritten_audit_history_no_longer_matches_the_signed_package(genuine, tmp_path: Path) -> None:
    """Issue 12: someone with the file rewrites a locked month and recomputes the whole chain; the head the
    package signed no longer matches, and `audit verify --package` says so.  A log entry that changes a
    locked month is refused by the replay as well."""
    import shutil as sh

    from sqlalchemy import select, text

    from desktop.storage.models import AuditRecord, MonthVersion
    from desktop.storage.workspace import Workspace
    from tests.helpers import rechain

    source = genuine["root"] / "demo.sqlite"
    copy = tmp_path / "copy.sqlite"
    sh.copy(source, copy)
    for suffix in ("-wal", "-shm"):
        if Path(str(source) + suffix).exists():
            sh.copy(str(source) + suffix, str(copy) + suffix)
    if (genuine["root"] / "demo.evidence").exists():
        sh.copytree(genuine["root"] / "demo.evidence", tmp_path / "copy.evidence")
    # the genuine package anchors the log as it stood
    out, err = io.StringIO(), io.StringIO()
    args = ["--lang", "en", "--workspace", str(copy), "audit", "verify", "--package", str(genuine["path"])]
    assert cli_main(args, out=out, err=err) == 0, out.getvalue() + err.getvalue()
    # a forger rewrites a locked month's value in the data and in its audit entry, then rebuilds every hash
    with Workspace.open(copy, app_user="forger") as ws, ws.engine.begin() as conn:
        locked = conn.execute(select(MonthVersion.id).where(MonthVersion.status == "locked")).scalars().first()
        record = conn.execute(
            select(AuditRecord).where(AuditRecord.target == f"month_versions:{locked}").order_by(AuditRecord.seq)
        ).first()
        snapshot = json.loads(record.new_value)
        snapshot["values"]["supply_mwh"] = {"$d": "1"}
        forged = json.dumps(snapshot, sort_keys=True)
        conn.execute(text("UPDATE audit_log SET new_value = :v WHERE seq = :s"), {"v": forged, "s": record.seq})
        values = json.loads(
            conn.execute(select(MonthVersion.values_json).where(MonthVersion.id == locked)).scalar_one()
        )
        values["supply_mwh"] = {"$d": "1"}
        conn.execute(
            text("UPDATE month_versions SET values_json = :v WHERE id = :i"), {"v": json.dumps(values), "i": locked}
        )
        rechain(conn)
    out = io.StringIO()
    assert cli_main(["--lang", "en", "--workspace", str(copy), "audit", "verify"], out=out, err=err) in (0, 1)
    out = io.StringIO()
    assert cli_main(args, out=out, err=err) == 1
    assert "history rewritten" in out.getvalue()


def test_the_replay_refuses_an_entry_that_changes_a_locked_month(tmp_path: Path) -> None:
    from sqlalchemy import select

    from desktop.storage.models import MonthVersion

    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23))
    with ws.read() as session:
        locked = session.execute(select(MonthVersion.id).where(MonthVersion.status == "locked")).scalars().first()
    assert audit_check.verify_audit(ws=ws).ok
    with ws.unit_of_work() as uow:  # a chain-consistent entry, as a forger with the file could append
        uow.audit("month.set", f"month_versions:{locked}", "values.note", None, '"changed later"', "forged")
    problems = audit_check.verify_audit(ws=ws).problems
    assert any("changes a locked month" in p for p in problems), problems
    ws.close()


def test_a_killed_builds_working_folder_is_swept_and_nothing_else(genuine, tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    stale = tmp_path / ".p.zip.carbondesk-killed"  # what a killed build leaves: the unsigned PDF and workbook
    stale.mkdir()
    (stale / "report.pdf").write_bytes(b"%PDF unsigned")
    mine = tmp_path / "my-folder"  # the user's own
    mine.mkdir()
    old = time.time() - 3600
    for p in (stale, mine):
        os.utime(p, (old, old))
    genuine["build"](genuine["signer"], "unused.zip")  # the fixture's builder writes beside its own root
    package.build_package(
        ws=genuine["ws"],
        entity_id=genuine["entity_id"],
        year=2025,
        target=target,
        signer=genuine["signer"],
        today=date(2026, 11, 23),
        allow_errors=True,
    )
    assert not stale.exists() and mine.exists() and target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-folder", "p.zip"]
