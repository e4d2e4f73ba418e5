"""Checks a presented document before every screen is told to show it.

Until meetings have documents, a page of any positive document number can be presented;
the documents service replaces `check_presentable` with a real check of the meeting's
materials (it must belong to the meeting, be readable, and have that page).
"""

from __future__ import annotations

from server.services import Context


async def check_presentable(ctx: Context, meeting_id: int, document_id: int, page: int) -> None:
    return None
