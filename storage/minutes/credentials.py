"""The signer's PKCS#12 file, opened and checked before anything is signed.

Every refusal is a typed `CredentialError` with a message a chair can act on; they are checked
here rather than left to pyHanko so that a wrong password or an expired certificate is told
apart from a damaged file, and so that nothing is written when any of them fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from storage.minutes.errors import (
    CertificateExpired,
    CertificateFileInvalid,
    CertificateFileMissing,
    CertificateNotForSigning,
    CertificateNotYetValid,
    WrongPassword,
)
from storage.minutes.wording import short_date


@dataclass(frozen=True)
class Pkcs12Signer:
    """Where the unit's signing certificate is: a .p12/.pfx file and its password."""

    path: Path
    password: str = field(repr=False)


@dataclass(frozen=True)
class Credentials:
    key: PrivateKeyTypes
    cert: x509.Certificate
    chain: list[x509.Certificate]  # the CA certificates that came in the file

    @property
    def subject_name(self) -> str:
        return common_name(self.cert.subject)

    @property
    def organisation(self) -> str:
        return _attribute(self.cert.subject, NameOID.ORGANIZATION_NAME)


def load_credentials(signer: Pkcs12Signer, now: datetime | None = None) -> Credentials:
    """The key and certificates of `signer`, refused unless usable for signing at `now`."""
    data = _read(signer.path)
    key, cert, chain = _open(data, signer)
    check_usable(cert, now or datetime.now(UTC))
    return Credentials(key=key, cert=cert, chain=chain)


def check_usable(cert: x509.Certificate, now: datetime) -> None:
    subject = common_name(cert.subject)
    if now < cert.not_valid_before_utc:
        raise CertificateNotYetValid(
            subject=subject, not_before=short_date(cert.not_valid_before_utc.date())
        )
    if now > cert.not_valid_after_utc:
        raise CertificateExpired(
            subject=subject, not_after=short_date(cert.not_valid_after_utc.date())
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction stated
    if not (usage.digital_signature or usage.content_commitment):
        raise CertificateNotForSigning(subject=subject)


def common_name(name: x509.Name) -> str:
    return _attribute(name, NameOID.COMMON_NAME) or name.rfc4514_string()


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        # The name only: the server's directory layout is nobody's business in a message.
        raise CertificateFileMissing(file=path.name) from None
    except IsADirectoryError:
        raise CertificateFileInvalid(file=path.name) from None


def _open(
    data: bytes, signer: Pkcs12Signer
) -> tuple[PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    if not _is_pkcs12(data):
        raise CertificateFileInvalid(file=signer.path.name)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            data, signer.password.encode() if signer.password else None
        )
    except ValueError:
        # The structure parsed above, so what failed is the decryption: the password.
        raise WrongPassword() from None
    if key is None or cert is None:
        raise CertificateFileInvalid(file=signer.path.name)
    return key, cert, list(chain)


def _is_pkcs12(data: bytes) -> bool:
    """Whether `data` is a PKCS#12 structure at all, before any password is tried."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        # asn1crypto parses lazily: reading the fields is the check.
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native == "data"
    except (ValueError, TypeError, KeyError):
        return False
