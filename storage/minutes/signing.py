"""PAdES signatures on minutes and notices (pyHanko): sign, tell whether signed, verify.

Signing makes a PAdES-B-B signature (ETSI.CAdES.detached, SHA-256) that is also a
certification signature allowing no changes: "signed minutes are final" holds in the PDF itself,
and any later revision (a second signature, an edited page) makes verification fail. There is
no network here, so no timestamp authority (B-T) and no revocation data (B-LT); see
docs/minutes.md.

All three functions are blocking (hashing, RSA, PDF parsing): call them through
`storage.minutes.aio` from the event loop.
"""

from __future__ import annotations

import io
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.stamp.static import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from storage.minutes.appearance import stamp_pdf
from storage.minutes.credentials import Credentials, Pkcs12Signer, load_credentials
from storage.minutes.errors import AlreadySigned, PdfInvalid
from storage.minutes.fields import SIGNATURE_FIELD
from storage.minutes.fonts import FontFamily
from storage.minutes.verification import Verification, verify_pdf
from storage.minutes.wording import VIETNAM

log = logging.getLogger(__name__)

__all__ = ["Verification", "is_signed", "sign_pdf", "verify_pdf"]


def sign_pdf(
    pdf: bytes,
    signer: Pkcs12Signer,
    *,
    reason: str,
    location: str,
    signer_name: str,
    fonts: FontFamily | None = None,
) -> bytes:
    """`pdf` signed by the holder of `signer`'s certificate; the input is never changed.

    The signature goes into the layout's empty field (visible, over the signature space) or,
    in a PDF without one, into a new invisible field. Raises a `CredentialError` (file missing
    or damaged, wrong password, certificate expired / not yet valid / not for signing),
    `PdfInvalid`, or `AlreadySigned`."""
    moment = datetime.now(UTC)
    credentials = load_credentials(signer, moment)
    reader = _reader(pdf)
    if _signatures(reader):
        raise AlreadySigned()
    box = _empty_field_box(reader)
    meta = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
        certify=True,
        docmdp_permissions=sig_fields.MDPPerm.NO_CHANGES,
    )
    with tempfile.TemporaryDirectory(prefix="ecabinet-sign-") as scratch:
        style = None
        if box is not None:
            style = _stamp_style(Path(scratch), box, credentials, signer_name, moment, fonts)
        pdf_signer = PdfSigner(meta, signer=_pyhanko_signer(credentials), stamp_style=style)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = pdf_signer.sign_pdf(writer)
    signed: bytes = out.getvalue()
    return signed


def is_signed(pdf: bytes) -> bool:
    """Whether `pdf` carries any signature: signed minutes are final, a correction is a new
    version. Raises `PdfInvalid` for bytes that are not a readable PDF."""
    return bool(_signatures(_reader(pdf)))


# --- helpers ------------------------------------------------------------------------------------


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.startswith(b"%PDF-"):
        raise PdfInvalid(problem="thiếu phần đầu %PDF / no %PDF header")
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PyHankoPdfError, ValueError, KeyError, IndexError) as e:
        raise PdfInvalid(problem=str(e)[:200]) from None


def _signatures(reader: PdfFileReader) -> list:
    try:
        return list(reader.embedded_signatures)
    except (PyHankoPdfError, ValueError, KeyError) as e:
        raise PdfInvalid(problem=str(e)[:200]) from None


def _empty_field_box(reader: PdfFileReader) -> tuple[float, float, float, float] | None:
    """The rectangle of the layout's empty signature field, if the PDF has one."""
    for _name, _value, ref in sig_fields.enumerate_sig_fields(
        reader, filled_status=False, with_name=SIGNATURE_FIELD
    ):
        rect = ref.get_object().get("/Rect")
        if rect is not None and len(rect) == 4:
            x1, y1, x2, y2 = (float(v) for v in rect)
            if x2 - x1 > 10 and y2 - y1 > 10:
                return x1, y1, x2, y2
    return None


def _stamp_style(
    scratch: Path,
    box: tuple[float, float, float, float],
    credentials: Credentials,
    signer_name: str,
    moment: datetime,
    fonts: FontFamily | None,
) -> StaticStampStyle:
    x1, y1, x2, y2 = box
    drawing = stamp_pdf(
        x2 - x1,
        y2 - y1,
        signer_name=signer_name,
        unit=credentials.organisation,
        signed_at=moment.astimezone(VIETNAM),
        fonts=fonts,
    )
    # pyHanko imports a background page from a file name only.
    path = scratch / "stamp.pdf"
    path.write_bytes(drawing)
    return StaticStampStyle(
        background=ImportedPdfPage(str(path)), border_width=0, background_opacity=1.0
    )


def _pyhanko_signer(credentials: Credentials) -> SimpleSigner:
    """pyca objects → the asn1crypto ones pyHanko signs with."""
    der_key = credentials.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert = _asn1(credentials.cert)
    chain = [_asn1(c) for c in credentials.chain]
    return SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]),
    )


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
