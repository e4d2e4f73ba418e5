"""Opinion collection (lấy ý kiến): a document open for comments until a deadline; the
secretary sees everything, per unit, and who has not answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from server.errors import Conflict, Invalid
from server.permissions import DocumentAction, MeetingRole, Permission
from server.services import Context, audit, invitations, operation
from server.services.documents import access, notes
from storage.models import Comment, InviteeKind, OpinionRound
from storage.types import utcnow


@dataclass(frozen=True)
class Opinions:
    round: OpinionRound | None
    comments: list[Comment]
    # (unit id, answered) for every invited unit, when the reader oversees the round
    units: list[tuple[int, bool]]


def is_open(round_: OpinionRound | None) -> bool:
    return round_ is not None and round_.closed_at is None and round_.deadline > utcnow()


@operation("opinion.open", Permission.AUTHENTICATED)
async def open_round(ctx: Context, document_id: int, deadline: datetime) -> OpinionRound:
    await access.load(ctx, document_id, DocumentAction.MANAGE)
    if deadline <= utcnow():
        raise Invalid(
            "deadline_past",
            vi="Hạn góp ý phải ở tương lai.",
            en="The deadline must be in the future.",
        )
    current = await ctx.db.get(OpinionRound, document_id)
    if current is None:
        current = OpinionRound(
            document_id=document_id, opened_by=ctx.user.user_id, deadline=deadline
        )
    current.deadline, current.closed_at = deadline, None
    ctx.db.add(current)
    audit.record(ctx, "document", document_id, {"opinions_until": deadline.isoformat()})
    return current


@operation("opinion.close", Permission.AUTHENTICATED)
async def close_round(ctx: Context, document_id: int) -> None:
    await access.load(ctx, document_id, DocumentAction.MANAGE)
    current = await ctx.db.get(OpinionRound, document_id)
    if not is_open(current):
        raise Conflict(
            "no_open_round",
            vi="Tài liệu này không đang lấy ý kiến.",
            en="This document is not open for comments.",
        )
    assert current is not None
    current.closed_at = utcnow()
    ctx.db.add(current)
    audit.record(ctx, "document", document_id)


@operation("opinion.comment", Permission.AUTHENTICATED)
async def comment(ctx: Context, document_id: int, page: int, text: str) -> Comment:
    view = await access.load(ctx, document_id, DocumentAction.COMMENT)
    if not is_open(await ctx.db.get(OpinionRound, document_id)):
        raise Conflict(
            "no_open_round",
            vi="Tài liệu không mở góp ý hoặc đã hết hạn góp ý.",
            en="The document is not open for comments, or the deadline has passed.",
        )
    notes._check_page(page, await notes._pages(ctx, view))
    row = Comment(
        document_id=document_id,
        user_id=ctx.user.user_id,
        unit_id=ctx.user.unit_id,
        page=page,
        text=text,
    )
    ctx.db.add(row)
    await ctx.db.flush()
    audit.record(ctx, "comment", row.id, {"document_id": document_id, "page": page})
    return row


@operation("opinion.read", Permission.AUTHENTICATED)
async def read(ctx: Context, document_id: int) -> Opinions:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    oversee = bool(view.roles & {MeetingRole.ORGANISER, MeetingRole.CHAIR})
    query = select(Comment).where(Comment.document_id == document_id)
    if not oversee:
        query = query.where(Comment.user_id == ctx.user.user_id)
    rows = list((await ctx.db.exec(query.order_by(col(Comment.page), col(Comment.id)))).all())
    units: list[tuple[int, bool]] = []
    if oversee:
        answered = {c.unit_id for c in rows}
        invited = sorted(
            {
                i.unit_id
                for i in await invitations.all_of(ctx, view.document.meeting_id)
                if i.kind in {InviteeKind.PERSON.value, InviteeKind.SITE.value}
            }
        )
        units = [(unit_id, unit_id in answered) for unit_id in invited]
    return Opinions(await ctx.db.get(OpinionRound, document_id), rows, units)
