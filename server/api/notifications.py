"""The notification centre: one's own notifications only."""

from __future__ import annotations

from aiohttp import web

from server.api.base import context, out, path_id
from server.schemas.meetings import Count, NotificationList, NotificationOut
from server.services import notifications


async def list_notifications(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        rows, unread = await notifications.list_mine(
            ctx, unread_only=request.query.get("unread") == "1"
        )
    return out(
        NotificationList(
            notifications=[NotificationOut.model_validate(n, from_attributes=True) for n in rows],
            unread=unread,
        )
    )


async def mark_read(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await notifications.mark_read(ctx, path_id(request))
    return web.Response(status=204)


async def mark_all_read(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        count = await notifications.mark_all_read(ctx)
    return out(Count(count=count))
