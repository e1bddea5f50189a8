"""The signer's key: made as ECDSA P-256 (quick, so the window never waits on it), an RSA key of an older
signer or a CA's .p12 still loads, and a key that is not its certificate's is refused, said why."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from desktop.signing.core import (
    Signer,
    SigningError,
    create_self_signed,
    load_signer,
    save_signer,
    sign_detached,
    verify_detached,
)


def test_a_new_signer_is_p256_and_signs_what_it_verifies(tmp_path: Path) -> None:
    signer = create_self_signed(name="王碳", organisation="示范电厂", uscc="91110000101623741K")
    assert isinstance(signer.key, ec.EllipticCurvePrivateKey) and signer.key.curve.name == "secp256r1"
    save_signer(signer, tmp_path, b"a long passphrase")
    again = load_signer(tmp_path, b"a long passphrase")
    verified = verify_detached(b"manifest", sign_detached(b"manifest", again))
    assert verified.certificate == signer.certificate


def test_an_rsa_signer_of_an_earlier_version_still_loads(tmp_path: Path) -> None:
    made = create_self_signed(name="x")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(made.certificate.subject)
        .issuer_name(made.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(made.certificate.not_valid_before_utc)
        .not_valid_after(made.certificate.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    save_signer(Signer(key, cert), tmp_path, b"old passphrase")
    loaded = load_signer(tmp_path, b"old passphrase")
    assert isinstance(loaded.key, rsa.RSAPrivateKey)
    assert verify_detached(b"m", sign_detached(b"m", loaded)).certificate == cert


def test_a_key_that_is_not_the_certificates_is_refused(tmp_path: Path) -> None:
    save_signer(create_self_signed(name="a"), tmp_path, b"pass phrase")
    other = create_self_signed(name="b")
    (tmp_path / "signer-key.pem").write_bytes(
        other.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pass phrase"),
        )
    )
    with pytest.raises(SigningError) as info:
        load_signer(tmp_path, b"pass phrase")
    assert info.value.code == "SIG-E004"
    with pytest.raises(SigningError) as info:
        load_signer(tmp_path, b"wrong phrase")
    assert info.value.code == "SIG-E001"
