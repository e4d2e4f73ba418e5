"""The `/meeting` namespace: one socket.io room per meeting.

A client connects with `auth={"meeting_id": N}` and the session cookie. Every event it sends
is one service operation, checked on the server against the meeting, the role and its state;
the answer is an ack `{"ok": true, ...}` or `{"ok": false, "error": {"code", "message"}}`.
What changed reaches everyone as events from the bridge (see docs/protocol.md).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import socketio
from pydantic import BaseModel, ValidationError

from media.interfaces import MediaError
from server.errors import BadRequest, DomainError
from server.permissions import Actor, MeetingAction, may
from server.realtime import media_signalling as media
from server.realtime.media_signalling import MEDIA, needed_action, seat_for
from server.realtime.rooms import meeting_room, person_room, runners_room, session_room
from server.schemas import live as wire
from server.services import Context, meetings
from server.services.live import floor, rollcall, snapshot, stage, votes
from server.validation import describe

if TYPE_CHECKING:
    from server.realtime.hub import LiveHub

log = logging.getLogger("ecabinet.meeting_room")

MEETING_NAMESPACE = "/meeting"


Call = Callable[[Context, int, Any], Awaitable[Any]]


def _empty(fn: Callable[[Context, int], Awaitable[Any]]) -> tuple[None, Call]:
    return None, lambda ctx, mid, _body: fn(ctx, mid)


# event name -> (payload schema, operation). One line each: the whole vocabulary at a glance.
HANDLERS: dict[str, tuple[type[BaseModel] | None, Call]] = {
    "snapshot": _empty(snapshot.snapshot),
    "meeting.start": _empty(meetings.start),
    "meeting.end": _empty(meetings.end),
    "agenda.go": (wire.ItemIn, lambda c, m, b: stage.go_to_item(c, m, b.item_id)),
    "page": (wire.PageIn, lambda c, m, b: stage.present(c, m, b.document_id, b.page)),
    "pointer": (wire.PointerIn, lambda c, m, b: stage.point(c, m, b.x, b.y)),
    "announce": (wire.AnnounceIn, lambda c, m, b: stage.announce(c, m, b.text)),
    "conclusion.save": (wire.ConclusionIn, lambda c, m, b: stage.conclude(c, m, b.item_id, b.text)),
    "rollcall.mark": (
        wire.RollCallIn,
        lambda c, m, b: rollcall.mark(c, m, b.user_id, b.status, b.reason),
    ),
    "quorum.rule": (wire.QuorumIn, lambda c, m, b: rollcall.set_rule(c, m, b.members, b.min_sites)),
    "floor.request": (
        wire.FloorRequestIn,
        lambda c, m, b: floor.request(c, m, b.topic, b.position),
    ),
    "floor.withdraw": (wire.RequestIdIn, lambda c, m, b: floor.withdraw(c, m, b.request_id)),
    "floor.reorder": (wire.ReorderIn, lambda c, m, b: floor.reorder(c, m, b.request_ids)),
    "floor.give": (wire.GiveFloorIn, lambda c, m, b: floor.give(c, m, b.request_id, b.seconds)),
    "floor.end": _empty(floor.end),
    "vote.open": (wire.VoteOpenIn, lambda c, m, b: votes.open_(c, m, b)),
    "vote.cast": (wire.VoteCastIn, lambda c, m, b: votes.cast(c, m, b.vote_id, b.choice)),
    "vote.close": (wire.VoteIdIn, lambda c, m, b: votes.close(c, m, b.vote_id)),
}


def _result(value: Any) -> dict[str, Any]:
    """What an ack carries besides ok: ids of what was made; snapshots whole."""
    if isinstance(value, dict):
        return value
    if hasattr(value, "id"):
        return {"id": value.id}
    if isinstance(value, int):
        return {"value": value}
    return {}


NOT_LOGGED_IN = {"code": "not_authenticated", "message": "Bạn chưa đăng nhập / not logged in."}
INTERNAL_ERROR = {
    "code": "internal_error",
    "message": "Lỗi hệ thống, vui lòng thử lại / a server error, please try again.",
}


def refuse(error: dict[str, Any]) -> socketio.exceptions.ConnectionRefusedError:
    """The client's connect_error handler receives {"message", "data": {"code", "message"}}."""
    return socketio.exceptions.ConnectionRefusedError(error["message"], error)


class MeetingNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: LiveHub) -> None:
        super().__init__(MEETING_NAMESPACE)
        self.hub = hub

    def _refuse(self, error: DomainError, lang: str) -> socketio.exceptions.ConnectionRefusedError:
        return refuse(error.as_json(lang)["error"])

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        lang = (
            "en" if str(environ.get("HTTP_ACCEPT_LANGUAGE", "")).lower().startswith("en") else "vi"
        )
        try:
            await self._connect(sid, environ, auth, lang)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as exc:  # a refusal the client sees, not a wait for its timeout
            log.exception("joining a meeting failed", extra={"sid": sid})
            raise refuse(INTERNAL_ERROR) from exc

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any, lang: str) -> None:
        actor = await self.hub.authenticate(environ)
        if actor is None:
            raise refuse(NOT_LOGGED_IN)
        try:
            body = wire.JoinIn.model_validate(auth or {})
        except ValidationError as exc:
            raise self._refuse(
                BadRequest(
                    "bad_join", vi="Thiếu số cuộc họp (meeting_id).", en="meeting_id is missing."
                ),
                lang,
            ) from exc
        connection = f"{self.hub.instance}/{sid}"
        try:
            async with self.hub.context(actor, lang) as ctx:
                roles = await rollcall.join(ctx, body.meeting_id, connection)
        except DomainError as exc:
            raise self._refuse(exc, lang) from exc
        try:
            await self.save_session(
                sid,
                {
                    "actor": actor,
                    "meeting_id": body.meeting_id,
                    "lang": lang,
                    "connection": connection,
                },
            )
            await self.enter_room(sid, meeting_room(body.meeting_id))
            await self.enter_room(sid, person_room(body.meeting_id, actor.user_id))
            if actor.session_id is not None:
                await self.enter_room(sid, session_room(actor.session_id))
            if may(roles, MeetingAction.READ_CONCLUSIONS):
                await self.enter_room(sid, runners_room(body.meeting_id))
        except BaseException:
            # Refused after all (on_disconnect will not run): the presence must not stay open.
            async with self.hub.context(actor, lang) as ctx:
                await rollcall.leave(ctx, connection)
            raise
        self.hub.metrics.live_clients.inc()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.hub.metrics.live_clients.dec()
        session = await self.get_session(sid)
        try:
            await self.hub.conference.leave(session["meeting_id"], sid, session["actor"].user_id)
        finally:
            try:
                async with self.hub.context(session["actor"], session["lang"]) as ctx:
                    await rollcall.leave(ctx, session["connection"])
            except Exception:
                log.exception(
                    "recording a departure failed", extra={"connection": session["connection"]}
                )

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in MEDIA:
            return await self._media(args[0], event, args[1] if len(args) > 1 else None)
        if event not in HANDLERS:
            return await super().trigger_event(event, *args)
        sid, data = args[0], (args[1] if len(args) > 1 else None)
        return await self._handle(sid, event, data)

    async def _media(self, sid: str, event: str, data: Any) -> dict[str, Any]:
        session = await self.get_session(sid)
        lang: str = session["lang"]
        schema, _action, handler = MEDIA[event]
        self.hub.metrics.live_events.labels(event).inc()
        try:
            body = schema.model_validate(data or {}) if schema else None
            async with self.hub.context(session["actor"], lang) as ctx:
                seat = await seat_for(ctx, session["meeting_id"], needed_action(event, body))
            call = media.Call(
                session["meeting_id"],
                sid,
                seat,
                self.hub.conference,
                self.hub.ice_servers_for(seat.user_id),
            )
            return {"ok": True, **await handler(call, body)}
        except ValidationError as exc:
            fields = describe(exc, lang)
            return {
                "ok": False,
                "error": {
                    "code": "invalid_input",
                    "message": "; ".join(f"{f['field']}: {f['problem']}" for f in fields),
                },
            }
        except DomainError as exc:
            return {"ok": False, **exc.as_json(lang)}
        except MediaError as exc:
            return {"ok": False, "error": {"code": exc.code, "message": str(exc)}}

    async def _handle(self, sid: str, event: str, data: Any) -> dict[str, Any]:
        session = await self.get_session(sid)
        actor: Actor = session["actor"]
        lang: str = session["lang"]
        schema, call = HANDLERS[event]
        self.hub.metrics.live_events.labels(event).inc()
        try:
            body = schema.model_validate(data or {}) if schema else None
        except ValidationError as exc:
            fields = describe(exc, lang)
            return {
                "ok": False,
                "error": {
                    "code": "invalid_input",
                    "message": "; ".join(f"{f['field']}: {f['problem']}" for f in fields),
                    "details": {"fields": fields},
                },
            }
        try:
            async with self.hub.context(actor, lang) as ctx:
                result = await call(ctx, session["meeting_id"], body)
        except DomainError as exc:
            return {"ok": False, **exc.as_json(lang)}
        except Exception:
            log.exception("live event failed", extra={"event": event, "sid": sid})
            return {"ok": False, "error": {"code": "internal_error", "message": "Lỗi hệ thống."}}
        return {"ok": True, **_result(result)}
