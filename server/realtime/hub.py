"""The socket.io server and its `/live` namespace (per-user events such as notifications).

A connection is accepted only with a live session cookie, read on the server; the client never
says who it is. When a session is revoked its connections are closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import socketio
from aiohttp import web

from server.api.auth import COOKIE
from server.events import Event, EventBus
from server.metrics import Metrics
from server.permissions import Actor
from server.services import Context, auth, notifications
from storage.db import Database

log = logging.getLogger("ecabinet.live")

LIVE_NAMESPACE = "/live"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


class LiveNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: LiveHub) -> None:
        super().__init__(LIVE_NAMESPACE)
        self.hub = hub

    async def on_connect(self, sid: str, environ: dict[str, Any], auth_data: Any = None) -> None:
        actor = await self.hub.authenticate(environ)
        if actor is None:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "not_authenticated", "message": "Bạn chưa đăng nhập."}
            )
        await self.save_session(sid, {"actor": actor})
        await self.enter_room(sid, user_room(actor.user_id))
        if actor.session_id is not None:
            await self.enter_room(sid, session_room(actor.session_id))
        self.hub.metrics.live_clients.inc()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.hub.metrics.live_clients.dec()

    async def on_whoami(self, sid: str, _data: Any = None) -> dict[str, Any]:
        actor: Actor = (await self.get_session(sid))["actor"]
        return {"ok": True, "user_id": actor.user_id, "username": actor.username}


class LiveHub:
    """Owns the socket.io server; attached to the aiohttp app by `attach`."""

    def __init__(self, database: Callable[[], Database], metrics: Metrics, bus: EventBus) -> None:
        self.database = database  # resolved late: the database opens in its own cleanup_ctx
        self.metrics = metrics
        self.sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
        self.live = LiveNamespace(self)
        self.sio.register_namespace(self.live)
        bus.subscribe("session.revoked", self._on_session_revoked)
        bus.subscribe("notification.created", self._on_notification)

    def attach(self, app: web.Application) -> None:
        self.sio.attach(app, socketio_path="socket.io")

    async def authenticate(self, environ: dict[str, Any]) -> Actor | None:
        request: web.Request | None = environ.get("aiohttp.request")
        token = request.cookies.get(COOKIE) if request is not None else None
        if not token:
            return None
        async with self.database().session() as db:
            found = await auth.resolve_session(Context(db=db, actor=None), token)
        if found is None:
            return None
        user_session, user = found
        return auth.actor_of(user, user_session.id)

    async def _on_session_revoked(self, event: Event) -> None:
        room = session_room(int(event.data["session_id"]))
        for sid, _eio_sid in list(self.sio.manager.get_participants(LIVE_NAMESPACE, room)):
            await self.sio.disconnect(sid, namespace=LIVE_NAMESPACE)

    async def _on_notification(self, event: Event) -> None:
        async with self.database().session() as db:
            body = await notifications.payload(
                Context(db=db, actor=None), int(event.data["notification_id"])
            )
        if body is not None:
            room = user_room(int(event.data["user_id"]))
            await self.sio.emit("notification", body, room=room, namespace=LIVE_NAMESPACE)

    async def close(self) -> None:
        await self.sio.shutdown()
