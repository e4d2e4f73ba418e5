"""Errors a document upload can end in, each with its message in Vietnamese and English.

The HTTP edge turns a `DocumentError` into a 4xx JSON error in one place
(`DomainError(e.code, vi=e.vi, en=e.en, status=e.status, details=e.details)`);
anything else raised by this package is a bug or an infrastructure failure (5xx).
"""

from __future__ import annotations

from typing import Any, Literal

Code = Literal[
    "document_too_large",
    "document_upload_incomplete",
    "document_unsupported_type",
    "document_not_pdf",
    "document_corrupt",
    "document_encrypted",
    "document_no_pages",
    "document_too_many_pages",
    "document_bomb",
    "document_too_complex",
    "document_conversion_failed",
    "document_conversion_timeout",
    "document_busy",
]

# code -> (status, Vietnamese, English); {placeholders} come from `details`.
MESSAGES: dict[Code, tuple[int, str, str]] = {
    "document_too_large": (
        413,
        "Tệp vượt quá dung lượng cho phép ({limit_mb} MB).",
        "The file is larger than the allowed {limit_mb} MB.",
    ),
    "document_upload_incomplete": (
        400,
        "Tệp tải lên bị gián đoạn giữa chừng. Hãy tải lại.",
        "The upload was cut off before the end. Please upload it again.",
    ),
    "document_unsupported_type": (
        422,
        "Loại tệp không được hỗ trợ. Chỉ nhận PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, ODT.",
        "This kind of file is not supported. Accepted: PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, ODT.",
    ),
    "document_not_pdf": (
        422,
        "Tệp không phải là PDF (dù có đuôi .pdf).",
        "The file is not a PDF, whatever its name says.",
    ),
    "document_corrupt": (
        422,
        "Tệp PDF bị hỏng hoặc không đầy đủ (có thể tải lên bị cắt ngang).",
        "The PDF is damaged or incomplete (it may have been cut off).",
    ),
    "document_encrypted": (
        422,
        "Tệp PDF có mật khẩu hoặc bị khoá bảo vệ. Hãy gỡ bảo vệ rồi tải lên lại.",
        "The PDF is password-protected or encrypted. Remove the protection and upload it again.",
    ),
    "document_no_pages": (
        422,
        "Tệp PDF không có trang nào.",
        "The PDF has no pages.",
    ),
    "document_too_many_pages": (
        422,
        "Tệp PDF có {pages} trang, vượt giới hạn {limit} trang.",
        "The PDF has {pages} pages; the limit is {limit}.",
    ),
    "document_bomb": (
        422,
        "Tệp PDF chứa dữ liệu nén bất thường (quá lớn khi giải nén) nên bị từ chối.",
        "The PDF holds abnormal compressed data (far too large once decompressed) and is refused.",
    ),
    "document_too_complex": (
        422,
        "Tệp quá phức tạp để xử lý trong giới hạn thời gian và bộ nhớ.",
        "The file is too complex to process within the time and memory limits.",
    ),
    "document_conversion_failed": (
        422,
        "Không chuyển được tệp văn phòng sang PDF. Hãy kiểm tra tệp hoặc tự xuất ra PDF.",
        "The office file could not be converted to PDF. Check it, or export it to PDF yourself.",
    ),
    "document_conversion_timeout": (
        422,
        "Chuyển đổi sang PDF mất quá {seconds} giây nên đã bị dừng.",
        "Converting to PDF took longer than {seconds} seconds and was stopped.",
    ),
    "document_busy": (
        503,
        "Máy chủ đang bận xử lý nhiều tài liệu. Hãy thử lại sau ít phút.",
        "The server is busy processing documents. Please try again in a few minutes.",
    ),
}


class DocumentError(Exception):
    """A refusal the user can act on: the upload changes nothing and the reason is shown."""

    def __init__(self, code: Code, **details: Any) -> None:
        status, vi, en = MESSAGES[code]
        self.code: Code = code
        self.status = status
        self.details = details
        self.vi = vi.format(**details)
        self.en = en.format(**details)
        super().__init__(f"{code}: {self.en}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses the worker-process pipe by pickling; keyword details need an explicit recipe.
        return (_rebuild, (type(self), self.code, self.details))


def _rebuild(cls: type[DocumentError], code: Code, details: dict[str, Any]) -> DocumentError:
    return cls(code, **details)


class UploadRejected(DocumentError):
    """The bytes never became a stored file: too large, cut off, or of a refused kind."""


class PdfRejected(DocumentError):
    """The file is not a PDF we will store and serve; `code` says why."""


class ConversionFailed(DocumentError):
    """LibreOffice could not turn the office file into a PDF (or took too long)."""


class LimitExceeded(DocumentError):
    """The work ran out of CPU time, memory or wall-clock time and its process was stopped."""


class Busy(DocumentError):
    """Too much document work is already queued; the caller should retry later."""


class WorkerFailed(Exception):
    """A worker process died for a reason other than its limits: a bug, not bad input."""
