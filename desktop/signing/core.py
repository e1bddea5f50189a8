"""Signatures: the signer's key and certificate, detached CMS over a manifest, PAdES on the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms as asn1_cms
from asn1crypto import tsp as _asn1_tsp  # noqa: F401 - see below
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

from desktop.signing.errors import MESSAGES, SigningError, message

__all__ = ["MESSAGES", "Signer", "SigningError", "message"]

# asn1crypto names CMS attributes through a reverse map built once, the first time an attribute is made;
# ``asn1crypto.tsp`` adds ``signing_certificate_v2`` (which PAdES signatures carry) to the names when it is
# imported.  Imported here, before any CMS over a manifest is made, so that a PDF signed later in the same
# run (pyHanko imports it only then) still finds that name.


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


# ------------------------------------------------------------------------------------------ signers


def create_self_signed(*, name: str, organisation: str = "", uscc: str = "", days: int = 3 * 365) -> Signer:
    """A signing certificate made in the app, for plants whose CA certificate has not arrived yet.

    Its key is ECDSA on P-256 (as strong as RSA-3072, accepted by OpenSSL, pdfsig and PAdES readers): made
    in well under a millisecond, where an RSA key held the interpreter -- and the window -- for a visible
    moment."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if uscc:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc))
    subject = x509.Name(attributes)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        # an end-entity certificate: it signs documents, never other certificates
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Signer(key, certificate)


def import_pkcs12(data: bytes, password: bytes | None) -> Signer:
    """A .p12/.pfx as issued by a CA: the key, its certificate and the issuing chain."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningError("SIG-E002", detail=str(exc)) from exc
    if key is None or certificate is None:
        raise SigningError("SIG-E002", detail="the file holds no private key and certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError("SIG-E002", detail=f"unsupported key type {type(key).__name__}")
    return Signer(key, certificate, tuple(chain or ()))


def save_signer(signer: Signer, folder: Path, passphrase: bytes) -> Path:
    """The key is stored only encrypted with the passphrase; the certificates in the clear."""
    if not passphrase:
        raise SigningError("SIG-E003")
    folder.mkdir(parents=True, exist_ok=True)
    key_pem = signer.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(passphrase)
    )
    write_private(folder / "signer-key.pem", key_pem)
    (folder / "signer-cert.pem").write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in signer.chain)
    (folder / "signer-chain.pem").write_bytes(chain)
    return folder


def write_private(path: Path, data: bytes) -> None:
    """A file only its owner can read: created 0600 (POSIX), then the owner alone on the ACL (Windows)."""
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if os.name == "nt":  # pragma: no cover - Windows: no inherited access, the user alone (no admin right needed)
        user = os.environ.get("USERNAME", "")
        if user:
            subprocess.run(
                ["icacls", str(path), "/inheritance:r", "/grant:r", f"{user}:F"],
                capture_output=True,
                check=False,
            )


def certificate_uscc(certificate: x509.Certificate) -> str | None:
    """The unified social credit code a certificate carries (subject serialNumber or organizationIdentifier)."""
    for oid in (NameOID.SERIAL_NUMBER, NameOID.ORGANIZATION_IDENTIFIER):
        for attribute in certificate.subject.get_attributes_for_oid(oid):
            value = str(attribute.value).strip().upper()
            for prefix in ("USCC", "NTRCN-", "CN-"):  # organizationIdentifier may carry a scheme prefix
                value = value.removeprefix(prefix)
            if len(value) == 18:
                return value
    return None


@dataclass(frozen=True)
class Identity:
    name: str
    organisation: str
    uscc: str | None
    fingerprint: str

    @classmethod
    def of(cls, certificate: x509.Certificate) -> Identity:
        def first(oid: x509.ObjectIdentifier) -> str:
            found = certificate.subject.get_attributes_for_oid(oid)
            return str(found[0].value) if found else ""

        return cls(
            first(NameOID.COMMON_NAME),
            first(NameOID.ORGANIZATION_NAME),
            certificate_uscc(certificate),
            certificate.fingerprint(hashes.SHA256()).hex(),
        )


def load_signer(folder: Path, passphrase: bytes) -> Signer:
    try:
        key_pem = (folder / "signer-key.pem").read_bytes()
        certificate = x509.load_pem_x509_certificate((folder / "signer-cert.pem").read_bytes())
        chain_path = folder / "signer-chain.pem"
        has_chain = chain_path.exists() and chain_path.stat().st_size > 0
        chain = tuple(x509.load_pem_x509_certificates(chain_path.read_bytes())) if has_chain else ()
    except (OSError, ValueError) as exc:
        raise SigningError("SIG-E004", what=str(folder), detail=str(exc)) from exc
    try:
        # An RSA key's full consistency check (its primes) holds the interpreter for ~80 ms, the window with
        # it; the key is the app's own file, and it must match its certificate, which is checked instead.
        key = serialization.load_pem_private_key(key_pem, passphrase, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError) as exc:
        raise SigningError("SIG-E001") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError("SIG-E004", what=str(folder), detail=f"unsupported key type {type(key).__name__}")
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():  # type: ignore[union-attr]
        raise SigningError("SIG-E004", what=str(folder), detail="the key is not the certificate's")
    return Signer(key, certificate, chain)


# ------------------------------------------------------------------------------------- detached CMS


def sign_detached(data: bytes, signer: Signer) -> bytes:
    """A detached CMS (PKCS #7) signature in DER, as ``openssl cms -verify`` expects."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(signer.certificate, signer.key, hashes.SHA256())
    for cert in signer.chain:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


@dataclass(frozen=True)
class VerifiedSignature:
    certificate: x509.Certificate
    signing_time: dt.datetime | None
    others: tuple[x509.Certificate, ...] = ()  # the rest of the certificates in the signature (its chain)


def verify_detached(data: bytes, signature: bytes) -> VerifiedSignature:
    """Check a detached CMS signature over ``data``: the digest, the signature, the signer's certificate.

    Raises ``SigningError`` with the reason when anything does not hold -- a signature changed anywhere
    (its certificate, its attributes) is a broken signature, never an unexpected error.
    """
    try:
        return _verify_detached(data, signature)
    except SigningError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
        raise SigningError("SIG-E010", detail=f"the signature cannot be read: {exc}") from exc


def _verify_detached(data: bytes, signature: bytes) -> VerifiedSignature:
    try:
        info = asn1_cms.ContentInfo.load(signature)
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        certificates = [c.chosen for c in signed["certificates"]]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SigningError("SIG-E010", detail=f"not a CMS signature: {exc}") from exc
    sid = signer_info["sid"]
    serial = sid.chosen["serial_number"].native if sid.name == "issuer_and_serial_number" else None
    cert_obj = next((c for c in certificates if c.serial_number == serial), certificates[0] if certificates else None)
    if cert_obj is None:
        raise SigningError("SIG-E010", detail="the signature carries no certificate")
    certificate = x509.load_der_x509_certificate(cert_obj.dump())
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if algorithm not in ("sha256", "sha384", "sha512"):
        raise SigningError("SIG-E010", detail=f"digest {algorithm} not accepted")
    digest = hashlib.new(algorithm, data).digest()
    attrs = signer_info["signed_attrs"]
    values = {a["type"].native: a["values"][0].native for a in attrs}
    if values.get("message_digest") != digest:
        raise SigningError("SIG-E011")
    to_verify = attrs.untag().dump(force=True)  # signed over the attributes as a DER SET OF
    hash_algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm]
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signer_info["signature"].native, to_verify, padding.PKCS1v15(), hash_algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signer_info["signature"].native, to_verify, ec.ECDSA(hash_algorithm))
        else:
            raise SigningError("SIG-E010", detail="unsupported key type")
    except InvalidSignature as exc:
        raise SigningError("SIG-E012") from exc
    signing_time = values.get("signing_time")
    others = tuple(x509.load_der_x509_certificate(c.dump()) for c in certificates if c is not cert_obj)
    return VerifiedSignature(certificate, signing_time if isinstance(signing_time, dt.datetime) else None, others)


TRUSTED, UNESTABLISHED, FAILED = "trusted", "unestablished", "failed"


@dataclass(frozen=True)
class TrustResult:
    status: str  # TRUSTED, UNESTABLISHED or FAILED
    code: str  # message of the outcome (signing.errors.MESSAGES)
    detail: str = ""


def establish_signer(
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    anchors: tuple[x509.Certificate, ...],
    when: dt.datetime,
    *,
    explicit: bool = False,
) -> TrustResult:
    """Whether the signer is someone the user trusts: a cryptographic path from its certificate to one of
    ``anchors`` (a CA's root, or a signer's own certificate), valid at ``when`` and allowed to sign.

    A name is never enough: a certificate that copies a trusted signer's name fails.  Without anchors
    covering it the signer is not established; when the user named the anchors (``explicit``) or the
    certificate claims a trusted name, that is a failure.
    """
    import asyncio  # noqa: PLC0415

    from asn1crypto import x509 as asn1_x509  # noqa: PLC0415
    from pyhanko_certvalidator import CertificateValidator, ValidationContext  # noqa: PLC0415
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError  # noqa: PLC0415

    def der(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    if not (certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc):
        return TrustResult(FAILED, "SIG-E013")
    if not anchors:
        return TrustResult(UNESTABLISHED, "SIG-E030")
    context = ValidationContext(
        trust_roots=[der(a) for a in anchors], moment=when, allow_fetching=False, revocation_mode="soft-fail"
    )
    validator = CertificateValidator(der(certificate), [der(c) for c in chain], validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except (PathBuildingError, PathValidationError) as exc:
        # a certificate that is not a trusted one but carries a trusted one's name: an impersonation
        fingerprint = certificate.fingerprint(hashes.SHA256())
        if any(a.subject == certificate.subject and a.fingerprint(hashes.SHA256()) != fingerprint for a in anchors):
            return TrustResult(FAILED, "SIG-E031")
        if isinstance(exc, PathValidationError):
            return TrustResult(FAILED, "SIG-E033", str(exc))
        return TrustResult(FAILED, "SIG-E014") if explicit else TrustResult(UNESTABLISHED, "SIG-E032")
    except Exception as exc:  # an invalid usage or a malformed certificate: never trusted
        return TrustResult(FAILED, "SIG-E033", str(exc))
    return TrustResult(TRUSTED, "SIG-E034")
