"""One error hierarchy for the whole server, translated at the edge (JSON or socket.io acks).

Every error carries its message in Vietnamese and English; the edge picks the reader's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400

    def __init__(
        self,
        code: str,
        *,
        vi: str,
        en: str,
        status: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.messages = {"vi": vi, "en": en}
        if status is not None:
            self.status = status
        self.details = details
        self.headers = headers or {}

    def message(self, lang: str) -> str:
        return self.messages.get(lang, self.messages["vi"])

    def as_json(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message(lang)}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class BadRequest(DomainError):
    status = 400


class Unauthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class Throttled(DomainError):
    status = 429


def not_logged_in() -> Unauthenticated:
    return Unauthenticated(
        "not_authenticated",
        vi="Bạn chưa đăng nhập hoặc phiên đã hết hạn. Hãy đăng nhập lại.",
        en="You are not logged in or your session has expired. Please log in again.",
    )


def not_allowed(permission: str) -> Forbidden:
    return Forbidden(
        "forbidden",
        vi="Bạn không có quyền thực hiện thao tác này.",
        en="You do not have permission to do this.",
        details={"permission": permission},
    )
