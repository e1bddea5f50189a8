"""The user's own trust store: certificates of signers (or their CAs) whose packages the user accepts.

One PEM file per certificate, named by its SHA-256 fingerprint, in ``<data dir>/trust``; managed from
the command line (``carbondesk trust add|list|remove``) and from Settings.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from desktop.signing.core import Identity
from desktop.signing.errors import SigningError


class TrustStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def certificates(self) -> tuple[x509.Certificate, ...]:
        if not self.folder.is_dir():
            return ()
        out = []
        for path in sorted(self.folder.glob("*.pem")):
            try:
                out.extend(x509.load_pem_x509_certificates(path.read_bytes()))
            except (OSError, ValueError):
                continue  # an unreadable file trusts nobody
        return tuple(out)

    def identities(self) -> list[Identity]:
        return [Identity.of(c) for c in self.certificates()]

    def add(self, file: Path) -> list[Identity]:
        """Every certificate in a PEM or DER file; returns who is now trusted."""
        try:
            data = file.read_bytes()
            certs = (
                x509.load_pem_x509_certificates(data)
                if b"-----BEGIN" in data
                else [x509.load_der_x509_certificate(data)]
            )
        except (OSError, ValueError) as exc:
            raise SigningError("SIG-E040", what=str(file), detail=str(exc)) from exc
        self.folder.mkdir(parents=True, exist_ok=True)
        for cert in certs:
            fingerprint = cert.fingerprint(hashes.SHA256()).hex()
            target = self.folder / f"{fingerprint}.pem"
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            tmp.replace(target)
        return [Identity.of(c) for c in certs]

    def remove(self, fingerprint: str) -> Identity:
        """By fingerprint, or an unambiguous prefix of at least 8 hex digits."""
        wanted = fingerprint.lower().replace(":", "")
        matches = [c for c in self.certificates() if c.fingerprint(hashes.SHA256()).hex().startswith(wanted)]
        if len(wanted) < 8 or len(matches) != 1:
            raise SigningError("SIG-E041", what=fingerprint)
        identity = Identity.of(matches[0])
        (self.folder / f"{identity.fingerprint}.pem").unlink(missing_ok=True)
        return identity
