"""PAdES signatures on the PDF report (pyHanko), so PDF readers show it as signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from desktop.signing.core import Signer, SigningError

FIELD = "CarbonDeskSignature"


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def sign_pdf(source: Path, target: Path, signer: Signer, *, reason: str, location: str = "") -> Path:
    key_der = signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pdf_signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in signer.chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        reason=reason,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    with source.open("rb") as inf, target.open("wb") as out:
        writer = IncrementalPdfFileWriter(inf, strict=False)
        signers.sign_pdf(writer, meta, signer=pdf_signer, output=out)
    return target


@dataclass(frozen=True)
class PdfSignatureCheck:
    intact: bool
    valid: bool
    trusted: bool
    signer_fingerprint: str
    covers_whole_file: bool


def validate_pdf(path: Path, trusted: tuple[x509.Certificate, ...]) -> PdfSignatureCheck:
    """The PDF's signature: intact and valid cryptographically; trusted when its certificate is known."""
    with path.open("rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            embedded = reader.embedded_signatures
        except Exception as exc:
            raise SigningError("SIG-E020", detail=str(exc)) from exc
        if not embedded:
            raise SigningError("SIG-E021")
        signature = embedded[0]
        context = (
            ValidationContext(trust_roots=[_asn1_cert(c) for c in trusted], allow_fetching=False)
            if trusted
            else ValidationContext(allow_fetching=False)
        )
        status = validate_pdf_signature(signature, signer_validation_context=context)
        cert = x509.load_der_x509_certificate(status.signing_cert.dump())
        coverage = str(status.coverage).endswith("ENTIRE_FILE")
        return PdfSignatureCheck(
            bool(status.intact),
            bool(status.valid),
            bool(status.trusted),
            cert.fingerprint(hashes.SHA256()).hex(),
            coverage,
        )
