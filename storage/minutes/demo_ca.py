"""A local certification authority and PKCS#12 signing certificates for the demo and tests.

A real unit signs with a certificate from a licensed CA (in Vietnam: Ban Cơ yếu Chính phủ for
state bodies) kept on a token or in a PKCS#12 file. The demo has none, so it makes its own CA
and one certificate each for the chair and the secretary. Verifying then needs that CA as the
trust root: `verify_pdf(pdf, [pki.ca_cert_path])`.

`create_demo_pki` is idempotent: run on every start, it reuses the files it made before and
only issues again what is missing, expired or issued to someone else. Nothing here is for
production: the CA key sits next to the certificates, protected only by a password kept in
`demo-pki.json` beside it (both readable by the server's user alone).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

STATE = "demo-pki.json"
CA_CERT, CA_KEY = "ca.pem", "ca-key.pem"
CHAIR_P12, SECRETARY_P12 = "chair.p12", "secretary.p12"
# RSA 2048 with SHA-256: what Vietnamese CAs issue for document signing today.
KEY_BITS = 2048
CA_YEARS, SIGNER_YEARS = 10, 2


@dataclass(frozen=True)
class DemoPki:
    folder: Path
    ca_cert_path: Path
    chair_p12_path: Path
    chair_password: str = field(repr=False)
    secretary_p12_path: Path
    secretary_password: str = field(repr=False)

    @property
    def trust_roots(self) -> list[Path]:
        return [self.ca_cert_path]


@dataclass(frozen=True)
class CertificateAuthority:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def create_demo_pki(
    folder: Path,
    unit_name: str,
    chair_name: str,
    secretary_name: str = "Thư ký cuộc họp",
    *,
    chair_title: str = "Chủ tịch",
    secretary_title: str = "Thư ký",
) -> DemoPki:
    """The demo CA and the chair's and secretary's PKCS#12 files in `folder`, made once."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _locked(folder):
        state = _read_state(folder)
        ca = _ensure_ca(folder, state, unit_name)
        chair = _ensure_signer(folder, state, ca, "chair", CHAIR_P12, chair_name, chair_title)
        secretary = _ensure_signer(
            folder, state, ca, "secretary", SECRETARY_P12, secretary_name, secretary_title
        )
        _write(folder / STATE, json.dumps(state, ensure_ascii=False, indent=2).encode())
    return DemoPki(
        folder=folder,
        ca_cert_path=folder / CA_CERT,
        chair_p12_path=folder / CHAIR_P12,
        chair_password=chair,
        secretary_p12_path=folder / SECRETARY_P12,
        secretary_password=secretary,
    )


def load_ca(pki: DemoPki) -> CertificateAuthority:
    """The demo CA with its key, to issue more certificates (tests: an expired one)."""
    state = _read_state(pki.folder)
    return _load_ca(pki.folder, state["ca"]["password"])


def issue_p12(
    ca: CertificateAuthority,
    path: Path,
    common_name: str,
    password: str,
    *,
    unit_name: str = "",
    title: str = "",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Path:
    """A signing certificate for `common_name` as a PKCS#12 file; dates default to now..+2 years.
    Give past dates for an expired certificate, future ones for one not valid yet."""
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    end = not_after or start + timedelta(days=365 * SIGNER_YEARS)
    key = _new_key()
    cert = (
        _builder(_signer_name(common_name, unit_name, title), ca.cert.subject, key, start, end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_usage(), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=common_name.encode(),
        key=key,
        cert=cert,
        cas=[ca.cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
    _write(path, data)
    return path


# --- the CA -------------------------------------------------------------------------------------


def _ensure_ca(folder: Path, state: dict, unit_name: str) -> CertificateAuthority:
    saved = state.get("ca")
    if saved and (folder / CA_CERT).exists() and (folder / CA_KEY).exists():
        with contextlib.suppress(ValueError):
            ca = _load_ca(folder, saved["password"])
            if ca.cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=30):
                return ca
    # A new CA: every certificate it signed before is orphaned and must be issued again.
    password = secrets.token_urlsafe(18)
    ca = _new_ca(unit_name)
    key_pem = ca.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )
    _write(folder / CA_KEY, key_pem)
    _write(folder / CA_CERT, ca.cert.public_bytes(serialization.Encoding.PEM))
    state.clear()
    state["ca"] = {"password": password, "unit": unit_name}
    return ca


def _new_ca(unit_name: str) -> CertificateAuthority:
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"eCabinet Demo CA - {unit_name}"),
        ]
    )
    start = datetime.now(UTC) - timedelta(minutes=5)
    cert = (
        _builder(name, name, key, start, start + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(cert, key)


def _load_ca(folder: Path, password: str) -> CertificateAuthority:
    cert = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
    key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), password.encode())
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the demo CA key is not RSA")
    return CertificateAuthority(cert, key)


# --- the signers --------------------------------------------------------------------------------


def _ensure_signer(
    folder: Path,
    state: dict,
    ca: CertificateAuthority,
    role: str,
    file_name: str,
    name: str,
    title: str,
) -> str:
    """The role's password, after issuing its certificate again if it cannot be reused."""
    saved = state.get(role)
    path = folder / file_name
    if saved and saved.get("name") == name and _usable(path, saved["password"], ca):
        return str(saved["password"])
    password = secrets.token_urlsafe(12)
    issue_p12(ca, path, name, password, unit_name=state["ca"]["unit"], title=title)
    state[role] = {"name": name, "password": password}
    return password


def _usable(path: Path, password: str, ca: CertificateAuthority) -> bool:
    """Readable with its password, issued by this CA, valid for at least another 30 days."""
    try:
        _, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())
    except (OSError, ValueError):
        return False
    return (
        cert is not None
        and cert.issuer == ca.cert.subject
        and cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=30)
    )


def _signer_name(common_name: str, unit_name: str, title: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if unit_name:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_name))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _signing_usage() -> x509.KeyUsage:
    # Non-repudiation (content commitment) is what PAdES validators look for on a signer.
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


# --- shared -------------------------------------------------------------------------------------


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: rsa.RSAPrivateKey,
    start: datetime,
    end: datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _read_state(folder: Path) -> dict:
    try:
        state = json.loads((folder / STATE).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    # Two server processes starting together must not make two CAs.
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, data: bytes) -> None:
    """Atomically, readable by this user only (keys and passwords)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
