"""Refusals of the minutes engine, each with its message in Vietnamese and English.

Same shape as `storage.pdf.errors.DocumentError`, so the HTTP edge turns one into a 4xx JSON
error in one line: `DomainError(e.code, vi=e.vi, en=e.en, status=e.status, details=e.details)`.
Anything else raised here is a bug or an infrastructure failure (5xx).
"""

from __future__ import annotations

from typing import Any, Literal

Code = Literal[
    "minutes_invalid",
    "certificate_file_missing",
    "certificate_file_invalid",
    "certificate_wrong_password",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_not_for_signing",
    "pdf_invalid",
    "pdf_already_signed",
]

# code -> (status, Vietnamese, English); {placeholders} come from `details`.
MESSAGES: dict[Code, tuple[int, str, str]] = {
    "minutes_invalid": (
        422,
        "Dữ liệu biên bản không hợp lệ ({path}): {vi}.",
        "The minutes data is invalid ({path}): {en}.",
    ),
    "certificate_file_missing": (
        500,
        "Không tìm thấy tệp chứng thư số của người ký ({file}). Hãy báo quản trị hệ thống.",
        "The signer's certificate file ({file}) was not found. Tell the administrator.",
    ),
    "certificate_file_invalid": (
        500,
        "Tệp chứng thư số ({file}) không phải tệp PKCS#12 (.p12/.pfx) hợp lệ.",
        "The certificate file ({file}) is not a valid PKCS#12 (.p12/.pfx) file.",
    ),
    "certificate_wrong_password": (
        422,
        "Sai mật khẩu chứng thư số. Tài liệu chưa được ký.",
        "Wrong certificate password. The document was not signed.",
    ),
    "certificate_expired": (
        422,
        "Chứng thư số của {subject} đã hết hạn từ {not_after}. Tài liệu chưa được ký.",
        "{subject}'s certificate expired on {not_after}. The document was not signed.",
    ),
    "certificate_not_yet_valid": (
        422,
        "Chứng thư số của {subject} chỉ có hiệu lực từ {not_before}. Tài liệu chưa được ký.",
        "{subject}'s certificate is valid only from {not_before}. The document was not signed.",
    ),
    "certificate_not_for_signing": (
        422,
        "Chứng thư số của {subject} không được cấp để ký văn bản. Tài liệu chưa được ký.",
        "{subject}'s certificate is not issued for signing documents. Nothing was signed.",
    ),
    "pdf_invalid": (
        422,
        "Tệp không phải là PDF đọc được: {problem}",
        "The file is not a readable PDF: {problem}",
    ),
    "pdf_already_signed": (
        409,
        "Văn bản đã được ký số và không thể sửa hay ký lại. Muốn đính chính, hãy tạo phiên bản "
        "mới rồi ký lại.",
        "The document is already signed and cannot be changed or signed again. To correct it, "
        "make a new version and sign that.",
    ),
}


class MinutesError(Exception):
    """A refusal the user can act on: nothing was signed or stored, and the reason is shown.

    Each subclass is one `code`; `except CertificateExpired` and `e.code == "certificate_expired"`
    say the same thing.
    """

    code: Code

    def __init__(self, **details: Any) -> None:
        status, vi, en = MESSAGES[self.code]
        self.status = status
        self.details = details
        self.vi = vi.format(**details)
        self.en = en.format(**details)
        super().__init__(f"{self.code}: {self.en}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses a process pipe by pickling; keyword details need an explicit recipe.
        return (_rebuild, (type(self), self.details))


def _rebuild(cls: type[MinutesError], details: dict[str, Any]) -> MinutesError:
    return cls(**details)


class InvalidMinutes(MinutesError):
    """The draft (usually JSON from the browser) does not describe valid minutes."""

    code = "minutes_invalid"


class CredentialError(MinutesError):
    """The signer's PKCS#12 file cannot be used; nothing was signed."""


class CertificateFileMissing(CredentialError):
    code = "certificate_file_missing"


class CertificateFileInvalid(CredentialError):
    code = "certificate_file_invalid"


class WrongPassword(CredentialError):
    code = "certificate_wrong_password"


class CertificateExpired(CredentialError):
    code = "certificate_expired"


class CertificateNotYetValid(CredentialError):
    code = "certificate_not_yet_valid"


class CertificateNotForSigning(CredentialError):
    code = "certificate_not_for_signing"


class PdfInvalid(MinutesError):
    code = "pdf_invalid"


class AlreadySigned(MinutesError):
    """Signed minutes are final: corrections are a new version, signed again."""

    code = "pdf_already_signed"
