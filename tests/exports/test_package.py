"""The signed package: standard tools accept it; any change to it makes `verify` fail."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from desktop.cli.main import main as cli_main
from desktop.services import package, preflight, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import SigningError, create_self_signed, import_pkcs12, load_signer, save_signer
from desktop.signing.pades import validate_pdf
from desktop.storage.errors import StorageError


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pkg")
    ws = create_demo_workspace(root / "demo.sqlite", today=date(2026, 11, 23))
    signer = create_self_signed(name="王碳", organisation="华能示范电厂", uscc="91110000101623741K")
    entity_id = store.list_entities(ws=ws)[0].id
    path = package.build_package(
        ws=ws,
        entity_id=entity_id,
        year=2025,
        target=root / "out" / "package.zip",
        signer=signer,
        today=date(2026, 11, 23),
        allow_errors=True,  # the demo year keeps errors on purpose
    )
    yield path, signer, ws, entity_id
    ws.close()


def test_the_package_verifies(built) -> None:
    path, signer, _, _ = built
    verdict = package.verify_package(path, trusted=(signer.certificate,))
    assert verdict.ok, [c for c in verdict.checks if not c[1]]
    names = zipfile.ZipFile(path).namelist()
    assert {"report.pdf", "report.xlsx", "report.json", "results.json", "manifest.json", "manifest.p7s"} <= set(names)
    assert sum(n.startswith("evidence/") for n in names) == 143
    assert [p.name for p in path.parent.iterdir()] == ["package.zip"]


def test_no_package_silently_over_errors(built, tmp_path: Path) -> None:
    """Issue 9: the year's errors refuse the package unless chosen explicitly; the manifest then lists them."""
    path, signer, ws, entity_id = built
    checks = preflight.preflight(ws=ws, entity_id=entity_id, year=2025, today=date(2026, 11, 23))
    assert checks.errors, "the demo year has errors"
    target = tmp_path / "refused.zip"
    with pytest.raises(StorageError) as refused:
        package.build_package(
            ws=ws, entity_id=entity_id, year=2025, target=target, signer=signer, today=date(2026, 11, 23)
        )
    assert refused.value.code == "STO-E019" and not target.exists()
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    stated = manifest["checks"]
    assert stated["status"] == "errors" and stated["errors"] == len(checks.errors)
    assert stated["unjustified_warnings"] == len(checks.warnings)
    expected = {(f.ref.unit, f.ref.month) for f in checks.errors if f.ref.month is not None}
    assert {(m["unit"], m["month"]) for m in stated["months_with_errors"]} == expected
    assert sum(m["errors"] for m in stated["months_with_errors"]) + sum(
        1 for f in checks.errors if f.ref.month is None
    ) == len(checks.errors)


def test_openssl_accepts_the_manifest_signature(built, tmp_path: Path) -> None:
    if not shutil.which("openssl"):
        if os.environ.get("CI") == "true":
            pytest.fail("openssl missing in CI")
        pytest.skip("openssl not installed")
    path, signer, _, _ = built
    with zipfile.ZipFile(path) as z:
        (tmp_path / "manifest.json").write_bytes(z.read("manifest.json"))
        (tmp_path / "manifest.p7s").write_bytes(z.read("manifest.p7s"))
    (tmp_path / "cert.pem").write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    command = [
        "openssl",
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(tmp_path / "manifest.p7s"),
        "-content",
        str(tmp_path / "manifest.json"),
        "-CAfile",
        str(tmp_path / "cert.pem"),
        "-purpose",
        "any",
        "-out",
        str(tmp_path / "content.out"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    (tmp_path / "manifest.json").write_bytes(b" " + (tmp_path / "manifest.json").read_bytes())
    assert subprocess.run(command, capture_output=True, check=False).returncode != 0


def test_pyhanko_accepts_the_pdf_signature(built, tmp_path: Path) -> None:
    path, signer, _, _ = built
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(zipfile.ZipFile(path).read("report.pdf"))
    check = validate_pdf(pdf, (signer.certificate,))
    assert check.intact and check.valid and check.trusted and check.covers_whole_file


def _rewrite(path: Path, target: Path, change) -> None:
    with zipfile.ZipFile(path) as src:
        members = {n: src.read(n) for n in src.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    target.write_bytes(buffer.getvalue())


def test_any_single_byte_flipped_in_any_member_fails(built, tmp_path: Path) -> None:
    path, signer, _, _ = built
    rng = random.Random(20261123)
    names = zipfile.ZipFile(path).namelist()
    chosen = ["report.pdf", "report.xlsx", "report.json", "results.json", "manifest.json", "manifest.p7s"]
    chosen += rng.sample([n for n in names if n.startswith("evidence/")], 10)
    for i in range(40):
        name = chosen[i % len(chosen)]

        def flip(members, name=name):
            data = bytearray(members[name])
            position = rng.randrange(len(data))
            data[position] ^= 1 << rng.randrange(8)
            members[name] = bytes(data)

        mutated = tmp_path / f"m{i}.zip"
        _rewrite(path, mutated, flip)
        verdict = package.verify_package(mutated, trusted=(signer.certificate,))
        assert verdict.status == "failed", f"a flipped byte in {name} went unnoticed"


def test_added_removed_or_raw_corrupted_members_fail(built, tmp_path: Path) -> None:
    path, _, _, _ = built
    cases = {
        "added": lambda m: m.__setitem__("evidence/extra.pdf", b"%PDF-1.4 slipped in"),
        "removed": lambda m: m.pop(next(n for n in m if n.startswith("evidence/"))),
        "report removed": lambda m: m.pop("report.pdf"),
        "signature removed": lambda m: m.pop("manifest.p7s"),
    }
    for label, change in cases.items():
        mutated = tmp_path / f"{label}.zip"
        _rewrite(path, mutated, change)
        assert package.verify_package(mutated).status == "failed", label
    raw = bytearray(path.read_bytes())
    rng = random.Random(7)
    infos = zipfile.ZipFile(path).infolist()
    for i in range(10):  # a byte flipped inside a member's stored (compressed) data, in the ZIP file itself
        info = infos[rng.randrange(len(infos))]
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        damaged = bytearray(raw)
        damaged[start + rng.randrange(max(1, info.compress_size))] ^= 0xFF
        target = tmp_path / f"raw{i}.zip"
        target.write_bytes(bytes(damaged))
        assert package.verify_package(target).status == "failed"
    garbage = tmp_path / "not.zip"
    garbage.write_bytes(b"hello")
    assert package.verify_package(garbage).status == "failed"


def test_a_foreign_signer_is_not_trusted(built) -> None:
    path, _, _, _ = built
    stranger = create_self_signed(name="someone else")
    verdict = package.verify_package(path, trusted=(stranger.certificate,))
    assert verdict.status == "failed"  # the user named who must have signed: anyone else fails


def test_signer_storage_and_pkcs12(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    signer = create_self_signed(name="CA-issued")
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer", signer.key, signer.certificate, None, BestAvailableEncryption(b"p12pass")
    )
    imported = import_pkcs12(p12, b"p12pass")
    assert imported.fingerprint == signer.fingerprint
    with pytest.raises(SigningError) as info:
        import_pkcs12(p12, b"wrong")
    assert info.value.code == "SIG-E002"
    save_signer(imported, tmp_path / "s", b"secret")
    assert b"ENCRYPTED PRIVATE KEY" in (tmp_path / "s" / "signer-key.pem").read_bytes()
    assert load_signer(tmp_path / "s", b"secret").fingerprint == signer.fingerprint
    with pytest.raises(SigningError) as info:
        load_signer(tmp_path / "s", b"nope")
    assert info.value.code == "SIG-E001"


def test_cli_signer_package_and_verify(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, ws, _ = built
    monkeypatch.setenv("CD_PASS", "s3cret")
    out, err = io.StringIO(), io.StringIO()
    signer_dir = tmp_path / "signer"
    assert (
        cli_main(
            [
                "--lang",
                "en",
                "signer",
                "create",
                "--name",
                "王碳",
                "--passphrase-env",
                "CD_PASS",
                "--signer",
                str(signer_dir),
            ],
            out=out,
            err=err,
        )
        == 0
    )
    target = tmp_path / "p.zip"
    assert (
        cli_main(
            [
                "--lang",
                "en",
                "--workspace",
                str(ws.path),
                "package",
                str(target),
                "--signer",
                str(signer_dir),
                "--passphrase-env",
                "CD_PASS",
                "--today",
                "2026-11-23",
                "--allow-errors",
            ],
            out=out,
            err=err,
        )
        == 0
    ), err.getvalue()
    out = io.StringIO()
    assert (
        cli_main(
            ["--lang", "zh", "verify", str(target), "--trust", str(signer_dir / "signer-cert.pem")], out=out, err=err
        )
        == 0
    )
    assert "提交包完整" in out.getvalue()
    monkeypatch.setenv("CD_PASS", "wrong")
    err = io.StringIO()
    assert (
        cli_main(
            [
                "--lang",
                "en",
                "--workspace",
                str(ws.path),
                "package",
                str(tmp_path / "q.zip"),
                "--signer",
                str(signer_dir),
                "--passphrase-env",
                "CD_PASS",
            ],
            out=out,
            err=err,
        )
        == 2
    )
    assert "passphrase" in err.getvalue() and not (tmp_path / "q.zip").exists()
