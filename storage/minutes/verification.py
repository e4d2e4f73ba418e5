"""Is this downloaded PDF the one the chair signed? pyHanko's validation, told in plain words.

`verify_pdf` never raises on bad input: whatever the bytes, it answers with a `Verification`
whose `code` and messages say what is wrong (no signature, changed after signing, damaged,
signed by someone outside the trusted CAs, certificate expired).
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from storage.minutes.wording import VIETNAM, nfc

log = logging.getLogger(__name__)

Code = Literal[
    "valid",
    "unreadable",
    "no_signature",
    "tampered",
    "modified_after_signing",
    "untrusted",
    "certificate_expired",
    "certificate_revoked",
]

# What pyHanko reports for a certificate used outside its validity period.
EXPIRED = (
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
)

# Certificates for signing documents carry one or both; Vietnamese CAs issue both.
SIGNING_USAGE = KeyUsageConstraints(
    key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
)


@dataclass(frozen=True)
class Verification:
    valid: bool  # intact, trusted, and nothing added after signing
    intact: bool  # the signed bytes are exactly those that were signed
    code: Code
    message_vi: str
    message_en: str
    signer_name: str = ""  # from the certificate, not from what the PDF claims
    signer_unit: str = ""
    signed_at: datetime | None = None  # as the signer's computer reported it (no TSA)
    reason: str = ""
    location: str = ""
    trusted: bool = False
    signatures: int = 0


TrustRoot = Path | bytes | x509.Certificate


def verify_pdf(
    pdf: bytes, trust_roots: Sequence[TrustRoot], at: datetime | None = None
) -> Verification:
    """Check every signature of `pdf` against `trust_roots` (the CA certificates to trust), as
    of `at` (default now: without a timestamp authority, a certificate that has expired since
    makes an old signature unconfirmable, as the message says)."""
    roots = [_asn1_root(r) for r in trust_roots]
    try:
        signatures = list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception as e:  # untrusted bytes can fail anywhere in the parser
        log.info("verify: unreadable PDF: %r", e)
        return _unreadable()
    if not signatures:
        # A damaged signature field hides the signature from the parser; the signed byte
        # range left in the file still shows that one was there.
        return _answer("tampered" if b"/ByteRange" in pdf else "no_signature", False)
    results = [_check(sig, roots, at) for sig in signatures]
    # The first failure explains the document; otherwise the last (the final) signature does.
    failed = [r for r in results if not r.valid]
    result = failed[0] if failed else results[-1]
    return _with_count(result, len(signatures))


def _check(
    sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], at: datetime | None
) -> Verification:
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=at)
    try:
        status = validate_pdf_signature(sig, context, key_usage_settings=SIGNING_USAGE)
    except Exception as e:  # a damaged signature dictionary or CMS blob
        log.info("verify: signature could not be validated: %r", e)
        return _unreadable(intact=False)
    code = _code(status)
    return _answer(
        code,
        status.intact,
        signer_name=_cert_attr(status, "common_name"),
        signer_unit=_cert_attr(status, "organization_name"),
        signed_at=status.signer_reported_dt,
        reason=_text(sig, "/Reason"),
        location=_text(sig, "/Location"),
        trusted=status.trusted,
    )


def _code(status: PdfSignatureStatus) -> Code:
    if not status.intact or not status.valid:
        return "tampered"
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or status.docmdp_ok is False:
        return "modified_after_signing"
    if status.revoked:
        return "certificate_revoked"
    indication = status.trust_problem_indic
    if indication in EXPIRED:
        return "certificate_expired"
    if not status.bottom_line:
        return "untrusted"
    return "valid"


MESSAGES: dict[Code, tuple[str, str]] = {
    "valid": (
        "Chữ ký số hợp lệ: văn bản do {name} ký{when}, không bị thay đổi sau khi ký.",
        "Valid signature: signed by {name}{when_en}; not changed since it was signed.",
    ),
    "unreadable": (
        "Không đọc được tệp: không phải PDF hoặc tệp đã bị hỏng, sửa đổi.",
        "The file cannot be read: it is not a PDF, or it is damaged or altered.",
    ),
    "no_signature": (
        "Văn bản không có chữ ký số.",
        "The document carries no digital signature.",
    ),
    "tampered": (
        "Chữ ký số KHÔNG hợp lệ: nội dung văn bản đã bị thay đổi sau khi ký.",
        "INVALID signature: the document's content was changed after it was signed.",
    ),
    "modified_after_signing": (
        "Chữ ký số KHÔNG hợp lệ: văn bản đã bị bổ sung hoặc sửa đổi sau khi ký "
        "(văn bản đã ký là bản cuối cùng, không được sửa).",
        "INVALID signature: content was added or changed after signing "
        "(a signed document is final).",
    ),
    "untrusted": (
        "Chữ ký số KHÔNG được công nhận: chứng thư số của {name} không do tổ chức chứng thực "
        "tin cậy cấp.",
        "Signature NOT recognised: {name}'s certificate was not issued by a trusted authority.",
    ),
    "certificate_expired": (
        "Chữ ký số KHÔNG còn được xác thực: chứng thư số của {name} đã hết hạn.",
        "Signature can NOT be confirmed: {name}'s certificate has expired.",
    ),
    "certificate_revoked": (
        "Chữ ký số KHÔNG hợp lệ: chứng thư số của {name} đã bị thu hồi.",
        "INVALID signature: {name}'s certificate has been revoked.",
    ),
}


def _answer(
    code: Code,
    intact: bool,
    *,
    signer_name: str = "",
    signer_unit: str = "",
    signed_at: datetime | None = None,
    reason: str = "",
    location: str = "",
    trusted: bool = False,
) -> Verification:
    vi, en = MESSAGES[code]
    when = when_en = ""
    if signed_at is not None:
        local = signed_at.astimezone(VIETNAM)
        when = f" lúc {local:%H:%M} ngày {local:%d/%m/%Y}"
        when_en = f" at {local:%H:%M on %d %b %Y} (UTC+7)"
    return Verification(
        valid=code == "valid",
        intact=intact,
        code=code,
        message_vi=vi.format(name=signer_name or "người ký", when=when),
        message_en=en.format(name=signer_name or "the signer", when_en=when_en),
        signer_name=signer_name,
        signer_unit=signer_unit,
        signed_at=signed_at,
        reason=reason,
        location=location,
        trusted=trusted,
    )


def _unreadable(intact: bool = False) -> Verification:
    return _answer("unreadable", intact)


def _with_count(result: Verification, count: int) -> Verification:
    return dataclasses.replace(result, signatures=count)


def _cert_attr(status: PdfSignatureStatus, attribute: str) -> str:
    value = status.signing_cert.subject.native.get(attribute, "")
    return nfc(str(value))


def _text(sig: EmbeddedPdfSignature, key: str) -> str:
    value = sig.sig_object.get(key)
    return nfc(str(value)) if value is not None else ""


def _asn1_root(root: TrustRoot) -> asn1_x509.Certificate:
    if isinstance(root, x509.Certificate):
        data = root.public_bytes(serialization.Encoding.DER)
    else:
        data = root.read_bytes() if isinstance(root, Path) else root
        if data.lstrip().startswith(b"-----"):
            data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)
