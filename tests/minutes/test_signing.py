"""PAdES signing and verification: with our API and with pyHanko's own validation."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError, load_cert_from_pemder
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from storage.minutes import (
    AlreadySigned,
    CertificateExpired,
    CertificateFileInvalid,
    CertificateFileMissing,
    CertificateNotYetValid,
    DemoPki,
    PdfInvalid,
    Pkcs12Signer,
    WrongPassword,
    create_demo_pki,
    is_signed,
    sign_pdf,
    verify_pdf,
)
from storage.minutes.demo_ca import issue_p12, load_ca
from tests.minutes import samples
from tests.minutes.conftest import text_of

REASON = "Ký biên bản cuộc họp"


def sign(pdf: bytes, signer: Pkcs12Signer) -> bytes:
    return sign_pdf(pdf, signer, reason=REASON, location="Châu Thành", signer_name=samples.CHAIR)


def test_signed_minutes_verify(signed_minutes: bytes, pki: DemoPki) -> None:
    check = verify_pdf(signed_minutes, pki.trust_roots)
    assert check.valid and check.intact and check.trusted and check.code == "valid"
    assert check.signer_name == samples.CHAIR and check.signer_unit == samples.UNIT
    assert check.reason == REASON and check.location == "Châu Thành" and check.signatures == 1
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=10)
    assert check.message_vi.startswith("Chữ ký số hợp lệ: văn bản do Nguyễn Văn An ký lúc ")
    assert check.message_en.startswith("Valid signature: signed by Nguyễn Văn An at ")


def test_pyhanko_itself_accepts_the_signature(signed_minutes: bytes, pki: DemoPki) -> None:
    (embedded,) = PdfFileReader(io.BytesIO(signed_minutes)).embedded_signatures
    root = load_cert_from_pemder(str(pki.ca_cert_path))
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    # PAdES: the CAdES subfilter, and a certification signature that allows no change.
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.docmdp_level is not None and embedded.docmdp_level.value == 1


def test_signing_keeps_the_text_and_adds_a_visible_signature(
    minutes_pdf: bytes, signed_minutes: bytes
) -> None:
    assert signed_minutes.startswith(minutes_pdf)  # an incremental update: the draft is intact
    assert text_of(signed_minutes) == text_of(minutes_pdf)
    (embedded,) = PdfFileReader(io.BytesIO(signed_minutes)).embedded_signatures
    widget = embedded.sig_field
    assert widget["/T"] == "ChuKySo" and "/AP" in widget
    assert float(widget["/Rect"][2]) - float(widget["/Rect"][0]) > 150


def changed(pdf: bytes, at: int) -> bytes:
    data = bytearray(pdf)
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    return bytes(data)


def signed_ranges(pdf: bytes) -> tuple[range, range]:
    (embedded,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    a, b, c, d = (int(v) for v in embedded.byte_range)
    return range(a, a + b), range(c, c + d)


def test_one_changed_byte_fails_and_says_the_content_changed(
    signed_minutes: bytes, pki: DemoPki
) -> None:
    # A letter in the document information ("eCabinet" → "eXabinet"): the file still parses,
    # only the signed digest no longer matches.
    at = signed_minutes.index(b"/Creator (eCabinet)") + len(b"/Creator (e")
    first, _ = signed_ranges(signed_minutes)
    assert at in first
    check = verify_pdf(changed(signed_minutes, at), pki.trust_roots)
    assert not check.valid and not check.intact and check.code == "tampered"
    assert check.message_vi == (
        "Chữ ký số KHÔNG hợp lệ: nội dung văn bản đã bị thay đổi sau khi ký."
    )
    assert "changed after it was signed" in check.message_en


def test_no_changed_byte_anywhere_in_the_signed_ranges_passes(
    signed_minutes: bytes, pki: DemoPki
) -> None:
    first, second = signed_ranges(signed_minutes)
    positions = [*first[:: max(1, len(first) // 12)], *second[:: max(1, len(second) // 6)]]
    for at in positions:
        check = verify_pdf(changed(signed_minutes, at), pki.trust_roots)
        assert not check.valid, at
        assert check.code in {"tampered", "unreadable", "modified_after_signing"}, (at, check)
        assert check.message_vi and check.message_en


def test_a_damaged_signature_field_is_reported_as_tampering(
    signed_minutes: bytes, pki: DemoPki
) -> None:
    # The field no longer parses as a signature, so the reader finds none; the file still
    # carries the signed byte range, so this is tampering, not an unsigned document.
    at = signed_minutes.rindex(b"/FT /Sig") + len(b"/FT /S")
    check = verify_pdf(changed(signed_minutes, at), pki.trust_roots)
    assert not check.valid and check.code == "tampered"


def test_content_added_after_signing_is_reported(signed_minutes: bytes, pki: DemoPki) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_minutes))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = verify_pdf(out.getvalue(), pki.trust_roots)
    assert not check.valid and check.intact and check.code == "modified_after_signing"
    assert "sau khi ký" in check.message_vi and "after signing" in check.message_en


def test_signing_twice_is_refused_and_detectable(
    minutes_pdf: bytes, signed_minutes: bytes, chair: Pkcs12Signer, pki: DemoPki
) -> None:
    assert not is_signed(minutes_pdf)
    assert is_signed(signed_minutes)
    with pytest.raises(AlreadySigned) as caught:
        sign(signed_minutes, chair)
    assert caught.value.status == 409 and "phiên bản mới" in caught.value.vi
    # pyHanko on its own also refuses to add a signature to the certified minutes.
    secretary = signers.SimpleSigner.load_pkcs12(
        str(pki.secretary_p12_path), passphrase=pki.secretary_password.encode()
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_minutes))
    with pytest.raises(SigningError):
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Lai"), signer=secretary)


def test_the_notice_signs_and_verifies(
    notice_pdf: bytes, chair: Pkcs12Signer, pki: DemoPki
) -> None:
    check = verify_pdf(sign(notice_pdf, chair), pki.trust_roots)
    assert check.valid and check.signer_name == samples.CHAIR


def test_a_pdf_without_a_field_gets_an_invisible_signature(
    chair: Pkcs12Signer, pki: DemoPki
) -> None:
    pdf = FPDF()
    pdf.add_page()
    plain = bytes(pdf.output())
    signed = sign(plain, chair)
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert [float(v) for v in embedded.sig_field.get("/Rect", [0, 0, 0, 0])] == [0, 0, 0, 0]
    assert verify_pdf(signed, pki.trust_roots).valid


def test_wrong_password_is_refused_clearly(minutes_pdf: bytes, pki: DemoPki) -> None:
    with pytest.raises(WrongPassword) as caught:
        sign(minutes_pdf, Pkcs12Signer(pki.chair_p12_path, "sai-mat-khau"))
    assert caught.value.code == "certificate_wrong_password"
    assert caught.value.vi == "Sai mật khẩu chứng thư số. Tài liệu chưa được ký."
    assert caught.value.en == "Wrong certificate password. The document was not signed."


def test_expired_certificate_is_refused_clearly(
    minutes_pdf: bytes, pki: DemoPki, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    path = issue_p12(
        load_ca(pki),
        tmp_path / "expired.p12",
        "Nguyễn Văn An",
        "pw",
        not_before=now - timedelta(days=800),
        not_after=now - timedelta(days=70),
    )
    with pytest.raises(CertificateExpired) as caught:
        sign(minutes_pdf, Pkcs12Signer(path, "pw"))
    expired_on = (now - timedelta(days=70)).strftime("%d/%m/%Y")
    assert caught.value.vi == (
        f"Chứng thư số của Nguyễn Văn An đã hết hạn từ {expired_on}. Tài liệu chưa được ký."
    )
    assert "expired" in caught.value.en


def test_certificate_not_yet_valid_is_refused(
    minutes_pdf: bytes, pki: DemoPki, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    path = issue_p12(
        load_ca(pki),
        tmp_path / "future.p12",
        "Nguyễn Văn An",
        "pw",
        not_before=now + timedelta(days=3),
        not_after=now + timedelta(days=400),
    )
    with pytest.raises(CertificateNotYetValid) as caught:
        sign(minutes_pdf, Pkcs12Signer(path, "pw"))
    assert "chỉ có hiệu lực từ" in caught.value.vi


def test_missing_or_damaged_certificate_file(minutes_pdf: bytes, tmp_path: Path) -> None:
    with pytest.raises(CertificateFileMissing) as missing:
        sign(minutes_pdf, Pkcs12Signer(tmp_path / "khong-co.p12", "pw"))
    assert "khong-co.p12" in missing.value.vi and str(tmp_path) not in missing.value.vi
    damaged = tmp_path / "hong.p12"
    damaged.write_bytes(b"not a pkcs12 file at all")
    with pytest.raises(CertificateFileInvalid):
        sign(minutes_pdf, Pkcs12Signer(damaged, "pw"))


def test_bytes_that_are_not_a_pdf_are_refused(chair: Pkcs12Signer) -> None:
    with pytest.raises(PdfInvalid):
        sign(b"<html>not a pdf</html>", chair)
    with pytest.raises(PdfInvalid):
        is_signed(b"%PDF-1.7 truncated")


def test_a_signature_from_another_ca_is_not_trusted(signed_minutes: bytes, tmp_path: Path) -> None:
    other = create_demo_pki(tmp_path, "UBND huyện Khác", "Người Khác")
    check = verify_pdf(signed_minutes, other.trust_roots)
    assert not check.valid and check.intact and check.code == "untrusted"
    assert "tổ chức chứng thực tin cậy" in check.message_vi


def test_a_certificate_expired_since_signing_is_reported(
    signed_minutes: bytes, pki: DemoPki
) -> None:
    # No timestamp authority here (PAdES-B-B): years later, the signature can't be confirmed.
    check = verify_pdf(
        signed_minutes, pki.trust_roots, at=datetime.now(UTC) + timedelta(days=3 * 365)
    )
    assert not check.valid and check.intact and check.code == "certificate_expired"
    assert "đã hết hạn" in check.message_vi


def test_unsigned_and_unreadable_files(minutes_pdf: bytes, pki: DemoPki) -> None:
    assert verify_pdf(minutes_pdf, pki.trust_roots).code == "no_signature"
    check = verify_pdf(b"\x00garbage", pki.trust_roots)
    assert check.code == "unreadable" and not check.valid
    assert check.message_en.startswith("The file cannot be read")
