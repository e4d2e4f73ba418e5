"""The socket.io server: the `/live` namespace (per-user events such as notifications) and the
`/meeting` namespace (one room per meeting), plus the bridge from domain events to rooms.

A connection is accepted only with a live session cookie, read on the server; the client never
says who it is. When a session is revoked its connections are closed. With a Redis URL set,
several server processes share rooms through socket.io's AsyncRedisManager. Fan-out goes
through our own client manager (socketio_seams: no asyncio Task per recipient).

Joins and leaves are announced per meeting at most once per ANNOUNCE_SECONDS (the first at
once): a storm of 500 joins costs a few boards, not 500 boards sent to 500 screens each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
from aiohttp import web

from server.api.auth import COOKIE
from server.config import Settings
from server.events import Event, EventBus
from server.metrics import Metrics
from server.ops import turn
from server.permissions import Actor
from server.realtime import socketio_seams
from server.realtime.conference import ConferenceDirector
from server.realtime.meeting_room import (
    INTERNAL_ERROR,
    MEETING_NAMESPACE,
    NOT_LOGGED_IN,
    MeetingNamespace,
    refuse,
)
from server.realtime.rooms import (
    meeting_room,
    person_room,
    runners_room,
    session_room,
    user_room,
)
from server.services import Context, auth, notifications
from server.services.live import floor, rollcall, votes
from server.services.live.events import ALL, LIVE_PREFIX, PRESENCE_CHANGED, RUNNERS
from storage.db import Database

log = logging.getLogger("ecabinet.live")

LIVE_NAMESPACE = "/live"
NAMESPACES = (LIVE_NAMESPACE, MEETING_NAMESPACE)
# How often time-outs (a speaker's time, a vote's deadline) are looked for; a second is what
# a chair perceives as "on time".
SWEEP_SECONDS = 1.0
# Joins and leaves of one meeting announced together: a roll-call that follows within half a
# second reads as live, and a join storm costs two boards a second, not one per join.
ANNOUNCE_SECONDS = 0.5


class Coalescer:
    """Runs `work(key)` when poked: at once when idle, then at most once per `interval` while
    pokes keep coming (the last poke is always followed by a run). Runs for one key never
    overlap, so what they announce is never older than what was announced before."""

    def __init__(self, interval: float, work: Callable[[int], Awaitable[None]]) -> None:
        self.interval = interval
        self._work = work
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        self._wake: dict[int, asyncio.Event] = {}
        self._closed = False

    def poke(self, key: int, *, at_once: bool = False) -> None:
        if self._closed:
            return
        self._dirty.add(key)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"announce-{key}")
        elif at_once and key in self._wake:
            self._wake[key].set()  # skip the rest of the wait

    async def _run(self, key: int) -> None:
        try:
            while key in self._dirty:
                self._dirty.discard(key)
                wake = self._wake[key] = asyncio.Event()
                try:
                    await self._work(key)
                except Exception:
                    log.exception("announcing presence failed", extra={"meeting_id": key})
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval):
                        await wake.wait()
        finally:
            self._tasks.pop(key, None)
            self._wake.pop(key, None)

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class LiveNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: LiveHub) -> None:
        super().__init__(LIVE_NAMESPACE)
        self.hub = hub

    async def on_connect(self, sid: str, environ: dict[str, Any], auth_data: Any = None) -> None:
        try:
            actor = await self.hub.authenticate(environ)
        except Exception as exc:  # a refusal, not a client left waiting for its timeout
            log.exception("live connection failed", extra={"sid": sid})
            raise refuse(INTERNAL_ERROR) from exc
        if actor is None:
            raise refuse(NOT_LOGGED_IN)
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

    def __init__(
        self, settings: Settings, database: Callable[[], Database], metrics: Metrics, bus: EventBus
    ) -> None:
        self.database = database  # resolved late: the database opens in its own cleanup_ctx
        self.metrics = metrics
        self.bus = bus
        self.instance = settings.instance_name
        manager = socketio_seams.client_manager(settings.redis_url, settings.redis_channel)
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            client_manager=manager,
            logger=False,
            engineio_logger=False,
            cors_allowed_origins=list(settings.trusted_origins) or None,
        )
        self.conference = ConferenceDirector(self.sio)
        self.ice_servers: list[dict[str, Any]] = list(settings.ice_servers)
        self._settings = settings
        self.sio.register_namespace(LiveNamespace(self))
        self.sio.register_namespace(MeetingNamespace(self))
        self._sweeper: asyncio.Task[None] | None = None
        self.presence = Coalescer(ANNOUNCE_SECONDS, self._announce_presence)
        bus.subscribe(PRESENCE_CHANGED, self._on_presence)
        bus.subscribe("session.revoked", self._on_session_revoked)
        bus.subscribe("notification.created", self._on_notification)
        bus.subscribe("invitation.answered", self._on_answered)
        bus.subscribe_prefix(LIVE_PREFIX, self._on_live_event)
        bus.subscribe("floor.changed", self._on_floor)
        bus.subscribe("floor.time_up", self._on_time_up)

    def ice_servers_for(self, user_id: int) -> list[dict[str, Any]]:
        """STUN/TURN servers for one user's browser, with a TURN credential of their own."""
        return turn.ice_servers(self._settings, str(user_id))

    def attach(self, app: web.Application) -> None:
        self.sio.attach(app, socketio_path="socket.io")

    @contextlib.asynccontextmanager
    async def context(self, actor: Actor | None, lang: str = "vi") -> AsyncIterator[Context]:
        async with self.database().session() as db:
            yield Context(db=db, actor=actor, lang=lang, bus=self.bus)

    async def authenticate(self, environ: dict[str, Any]) -> Actor | None:
        request: web.Request | None = environ.get("aiohttp.request")
        token = request.cookies.get(COOKIE) if request is not None else None
        if not token:
            return None
        async with self.context(None) as ctx:
            found = await auth.resolve_session(ctx, token)
        if found is None:
            return None
        user_session, user = found
        return auth.actor_of(user, user_session.id)

    async def start(self) -> None:
        async with self.context(None) as ctx:
            closed = await rollcall.close_stale(ctx, self.instance)
        if closed:
            log.info("closed connections left from before a restart", extra={"count": closed})
        self._sweeper = asyncio.create_task(self._sweep(), name="live-sweeper")

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                async with self.context(None) as ctx:
                    await floor.tell_time_up(ctx)
                async with self.context(None) as ctx:
                    await votes.close_overdue(ctx)
            except Exception:
                log.exception("live sweep failed")

    async def _on_session_revoked(self, event: Event) -> None:
        room = session_room(int(event.data["session_id"]))
        for namespace in NAMESPACES:
            for sid, _eio_sid in list(self.sio.manager.get_participants(namespace, room)):
                await self.sio.disconnect(sid, namespace=namespace)

    async def _on_notification(self, event: Event) -> None:
        async with self.context(None) as ctx:
            body = await notifications.payload(ctx, int(event.data["notification_id"]))
        if body is not None:
            room = user_room(int(event.data["user_id"]))
            await self.sio.emit("notification", body, room=room, namespace=LIVE_NAMESPACE)

    async def _on_answered(self, event: Event) -> None:
        for user_id in event.data["user_ids"]:
            await self.sio.emit(
                "invitation.answered",
                {"meeting_id": event.data["meeting_id"]},
                room=user_room(int(user_id)),
                namespace=LIVE_NAMESPACE,
            )

    async def _on_floor(self, event: Event) -> None:
        await self.conference.floor_changed(
            int(event.data["meeting_id"]), event.data["speaker_user_id"]
        )

    async def _on_time_up(self, event: Event) -> None:
        await self.conference.time_up(
            int(event.data["meeting_id"]), int(event.data["speaker_user_id"])
        )

    async def _on_presence(self, event: Event) -> None:
        self.presence.poke(int(event.data["meeting_id"]), at_once=bool(event.data.get("at_once")))

    async def _announce_presence(self, meeting_id: int) -> None:
        async with self.context(None) as ctx:
            await rollcall.announce_presence(ctx, meeting_id)
            await ctx.flush_events()

    async def _on_live_event(self, event: Event) -> None:
        meeting_id = int(event.data["meeting_id"])
        audience = str(event.data["audience"])
        if audience == ALL:
            room = meeting_room(meeting_id)
        elif audience == RUNNERS:
            room = runners_room(meeting_id)
        else:
            room = person_room(meeting_id, int(audience.split(":", 1)[1]))
        name = event.name.removeprefix(LIVE_PREFIX)
        await self.sio.emit(name, event.data["payload"], room=room, namespace=MEETING_NAMESPACE)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.presence.close()
        await self.sio.shutdown()
