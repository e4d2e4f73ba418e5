"""Reading one's own notifications. Nobody reads another person's."""

from __future__ import annotations

from sqlmodel import col, func, select, update

from server.errors import NotFound
from server.permissions import Permission
from server.services import Context, operation
from storage.models import Notification
from storage.types import utcnow

# The centre shows recent history; older notifications stay in the database.
PAGE = 100


@operation("notification.list", Permission.AUTHENTICATED)
async def list_mine(ctx: Context, unread_only: bool = False) -> tuple[list[Notification], int]:
    mine = Notification.user_id == ctx.user.user_id
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = (await ctx.db.exec(query.order_by(col(Notification.id).desc()).limit(PAGE))).all()
    unread = (
        await ctx.db.exec(
            select(func.count())
            .select_from(Notification)
            .where(mine, col(Notification.read_at).is_(None))
        )
    ).one()
    return list(rows), int(unread)


@operation("notification.read", Permission.AUTHENTICATED)
async def mark_read(ctx: Context, notification_id: int) -> None:
    note = await ctx.db.get(Notification, notification_id)
    if note is None or note.user_id != ctx.user.user_id:
        raise NotFound(
            "notification_not_found", vi="Không tìm thấy thông báo.", en="No such notification."
        )
    if note.read_at is None:
        note.read_at = utcnow()
        ctx.db.add(note)


@operation("notification.read_all", Permission.AUTHENTICATED)
async def mark_all_read(ctx: Context) -> int:
    result = await ctx.db.exec(
        update(Notification)
        .where(col(Notification.user_id) == ctx.user.user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)


async def payload(ctx: Context, notification_id: int) -> dict[str, object] | None:
    note = await ctx.db.get(Notification, notification_id)
    if note is None:
        return None
    return {
        "id": note.id,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "meeting_id": note.meeting_id,
        "created_at": note.created_at.isoformat(),
        "read_at": None,
    }
