"""Full-text search over the documents a user may read, diacritics-insensitive."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from server.errors import Invalid
from server.permissions import MeetingAction, Permission
from server.services import Context, meeting_access, operation
from server.services.documents import access
from storage.models import Document, DocumentPage, DocumentVersion, Meeting
from storage.pdf.text import find_hits, fold

# Enough hits to find what one looks for; a longer list is not read.
MAX_HITS = 50


@dataclass(frozen=True)
class Hit:
    meeting: Meeting
    document: Document
    page: int
    snippet: str


def snippet(text: str, query: str) -> str:
    hits = find_hits([text], query, max_hits=1)
    return hits[0].snippet if hits else ""


@operation("document.search", Permission.AUTHENTICATED)
async def search(ctx: Context, query: str) -> list[Hit]:
    needle = " ".join(fold(query).split())
    if len(needle) < 2:
        raise Invalid(
            "query_too_short", vi="Hãy nhập ít nhất 2 ký tự.", en="Type at least 2 characters."
        )
    meeting_ids = await meeting_access.visible_meeting_ids(ctx)
    if not meeting_ids:
        return []
    rows = (
        await ctx.db.exec(
            select(DocumentPage, Document, Meeting)
            .join(DocumentVersion, col(DocumentVersion.id) == DocumentPage.version_id)
            .join(
                Document,
                (col(Document.id) == DocumentVersion.document_id)
                & (col(Document.version) == DocumentVersion.number),
            )
            .join(Meeting, col(Meeting.id) == Document.meeting_id)
            .where(
                col(Document.meeting_id).in_(meeting_ids), col(DocumentPage.folded).contains(needle)
            )
            .order_by(col(Meeting.starts_at).desc(), col(Document.id), col(DocumentPage.page))
            .limit(MAX_HITS * 4)
        )
    ).all()
    views: dict[int, meeting_access.MeetingView] = {}
    hits = []
    for page, document, meeting in rows:
        if meeting.id not in views:
            views[meeting.id or 0] = await meeting_access.load(
                ctx, meeting.id or 0, MeetingAction.READ
            )
        if access.visible_to(views[meeting.id or 0], document):
            hits.append(Hit(meeting, document, page.page, snippet(page.text, query)))
    return hits[:MAX_HITS]
