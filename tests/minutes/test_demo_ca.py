"""The demo PKI: made once, reused on every start, private, and usable for PAdES."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from storage.minutes import DemoPki, create_demo_pki
from tests.minutes import samples


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_creating_again_reuses_every_file(tmp_path: Path) -> None:
    first = create_demo_pki(tmp_path, samples.UNIT, samples.CHAIR, samples.SECRETARY)
    before = files_of(tmp_path)
    again = create_demo_pki(tmp_path, samples.UNIT, samples.CHAIR, samples.SECRETARY)
    assert again == first
    assert files_of(tmp_path) == before


def test_a_new_chair_gets_a_new_certificate_under_the_same_ca(tmp_path: Path) -> None:
    first = create_demo_pki(tmp_path, samples.UNIT, samples.CHAIR, samples.SECRETARY)
    ca_before = first.ca_cert_path.read_bytes()
    secretary_before = first.secretary_p12_path.read_bytes()
    second = create_demo_pki(tmp_path, samples.UNIT, "Phạm Thị Hồng", samples.SECRETARY)
    assert second.ca_cert_path.read_bytes() == ca_before
    assert second.secretary_p12_path.read_bytes() == secretary_before
    assert second.chair_password != first.chair_password
    _, cert, _ = pkcs12.load_key_and_certificates(
        second.chair_p12_path.read_bytes(), second.chair_password.encode()
    )
    assert cert is not None
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Phạm Thị Hồng"


def test_keys_and_passwords_are_private(pki: DemoPki) -> None:
    for path in pki.folder.iterdir():
        if path.name != ".lock":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert pki.chair_password not in repr(pki)


def test_signer_certificates_chain_to_the_ca_and_may_sign(pki: DemoPki) -> None:
    ca = x509.load_pem_x509_certificate(pki.ca_cert_path.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for path, password, name in (
        (pki.chair_p12_path, pki.chair_password, samples.CHAIR),
        (pki.secretary_p12_path, pki.secretary_password, samples.SECRETARY),
    ):
        _, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())
        assert cert is not None and cert.issuer == ca.subject
        cert.verify_directly_issued_by(ca)
        assert [c.subject for c in chain] == [ca.subject]
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment
        names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        assert names[0].value == name
