"""The archive: past meetings, found by title, date, unit, and the text of their minutes and
documents — only those the reader may see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from server.permissions import Permission
from server.services import Context, meetings, operation
from server.services.documents import search as document_search
from storage.models import MeetingStatus, MinutesRecord
from storage.pdf.text import fold

PAST = {MeetingStatus.ENDED.value, MeetingStatus.ARCHIVED.value}


@dataclass(frozen=True)
class Found:
    listing: meetings.Listing
    matched: list[str]  # "title", "minutes", "documents"


@operation("archive.search", Permission.AUTHENTICATED)
async def search(
    ctx: Context, q: str | None, start: datetime | None, end: datetime | None, unit_id: int | None
) -> list[Found]:
    listings = [
        x
        for x in await meetings.list_mine(ctx, start=start, end=end, unit_id=unit_id)
        if x.meeting.status in PAST
    ]
    if not q:
        return [Found(x, []) for x in listings]
    needle = fold(q)
    by_id = {x.meeting.id: x for x in listings}
    matched: dict[int, list[str]] = {}
    for meeting_id, listing in by_id.items():
        if needle in fold(listing.meeting.title):
            matched.setdefault(meeting_id or 0, []).append("title")
    records = (
        await ctx.db.exec(
            select(MinutesRecord).where(col(MinutesRecord.meeting_id).in_(list(by_id)))
        )
    ).all()
    for record in records:
        if needle in fold(
            json.dumps(record.content, ensure_ascii=False)
        ) and "minutes" not in matched.get(record.meeting_id, []):
            matched.setdefault(record.meeting_id, []).append("minutes")
    if len(needle) >= 2:
        for hit in await document_search.search(ctx, q):
            if hit.meeting.id in by_id and "documents" not in matched.get(hit.meeting.id or 0, []):
                matched.setdefault(hit.meeting.id or 0, []).append("documents")
    return [Found(by_id[mid], what) for mid, what in matched.items()]
