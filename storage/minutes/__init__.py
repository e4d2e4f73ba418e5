"""Minutes (biên bản) and conclusion notices (thông báo kết luận): content model, PDF in the form
of a Vietnamese administrative document, PAdES signature and its verification, demo PKI.

No database and no HTTP here: the service fills a `Minutes` from the recorded meeting, keeps the
secretary's edits as `to_dict()` JSON, and calls `aio` for the blocking work. See docs/minutes.md.
"""

from storage.minutes.credentials import Pkcs12Signer
from storage.minutes.demo_ca import DemoPki, create_demo_pki
from storage.minutes.drafting import draft_notice
from storage.minutes.errors import (
    AlreadySigned,
    CertificateExpired,
    CertificateFileInvalid,
    CertificateFileMissing,
    CertificateNotForSigning,
    CertificateNotYetValid,
    CredentialError,
    InvalidMinutes,
    MinutesError,
    PdfInvalid,
    WrongPassword,
)
from storage.minutes.layout import render_minutes, render_notice
from storage.minutes.model import (
    AgendaItem,
    Assignment,
    Attendee,
    ConclusionNotice,
    Heading,
    Minutes,
    NoticeItem,
    Person,
    Presence,
    Signatory,
    Speech,
    Vote,
    VoteOption,
)
from storage.minutes.signing import is_signed, sign_pdf
from storage.minutes.verification import Verification, verify_pdf

__all__ = [
    "AgendaItem",
    "AlreadySigned",
    "Assignment",
    "Attendee",
    "CertificateExpired",
    "CertificateFileInvalid",
    "CertificateFileMissing",
    "CertificateNotForSigning",
    "CertificateNotYetValid",
    "ConclusionNotice",
    "CredentialError",
    "DemoPki",
    "Heading",
    "InvalidMinutes",
    "Minutes",
    "MinutesError",
    "NoticeItem",
    "PdfInvalid",
    "Person",
    "Pkcs12Signer",
    "Presence",
    "Signatory",
    "Speech",
    "Verification",
    "Vote",
    "VoteOption",
    "WrongPassword",
    "create_demo_pki",
    "draft_notice",
    "is_signed",
    "render_minutes",
    "render_notice",
    "sign_pdf",
    "verify_pdf",
]
