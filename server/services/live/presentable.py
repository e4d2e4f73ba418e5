"""Checks a presented document before every screen is told to show it: it must be one of
this meeting's materials, readable by the presenter, and have that page."""

from __future__ import annotations

from server.errors import Invalid
from server.permissions import DocumentAction
from server.services import Context
from server.services.documents import access, library


async def check_presentable(ctx: Context, meeting_id: int, document_id: int, page: int) -> None:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    if view.document.meeting_id != meeting_id:
        raise access.document_not_found(document_id)
    version = await library.current_version(ctx, view.document)
    pages = version.pages if version else 0
    if page > pages:
        raise Invalid(
            "bad_page", vi=f"Tài liệu chỉ có {pages} trang.", en=f"The document has {pages} pages."
        )
