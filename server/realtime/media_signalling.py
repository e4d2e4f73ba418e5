"""Media events of the `/meeting` namespace: join the conference, publish, answer offers, and
the chair's controls. Each checks the sender's seat on the server first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from server.permissions import MeetingAction
from server.realtime.conference import ConferenceDirector
from server.schemas import live as wire
from server.services import Context, conference

Seat = conference.Seat


@dataclass(frozen=True)
class Call:
    meeting_id: int
    sid: str
    seat: Seat
    director: ConferenceDirector
    ice_servers: list[dict[str, Any]]


Handler = Callable[[Call, Any], Awaitable[dict[str, Any]]]


async def _join(call: Call, _body: None) -> dict[str, Any]:
    await call.director.subscribe(call.meeting_id, call.sid, call.seat.user_id, call.seat.place)
    return {
        "place": call.seat.place,
        "ice_servers": call.ice_servers,
        **call.director.snapshot(call.meeting_id),
    }


async def _publish(call: Call, body: wire.PublishIn) -> dict[str, Any]:
    label = {"name": call.seat.name, "unit_name": call.seat.unit_name}
    answer = await call.director.publish(
        call.meeting_id, call.seat.user_id, call.seat.place, label, body.sdp, screen=body.screen
    )
    return {"sdp": answer}


async def _unpublish(call: Call, body: wire.UnpublishIn) -> dict[str, Any]:
    seat = call.seat
    was = await call.director.unpublish(call.meeting_id, seat.user_id, seat.place, body.screen)
    return {"unpublished": was}


async def _answer(call: Call, body: wire.SdpIn) -> dict[str, Any]:
    await call.director.answer(call.meeting_id, call.sid, body.sdp)
    return {}


async def _mute(call: Call, body: wire.MuteIn) -> dict[str, Any]:
    await call.director.set_muted(call.meeting_id, body.publisher_id, body.muted)
    return {}


async def _spotlight(call: Call, body: wire.PublisherIdIn) -> dict[str, Any]:
    await call.director.spotlight(call.meeting_id, body.publisher_id)
    return {}


async def _end(call: Call, body: wire.PublisherIdIn) -> dict[str, Any]:
    await call.director.end_site(call.meeting_id, body.publisher_id or "")
    return {}


async def _stats(call: Call, _body: None) -> dict[str, Any]:
    return {"peers": await call.director.stats(call.meeting_id)}


# event -> (payload schema, the seat it needs, handler)
MEDIA: dict[str, tuple[type[BaseModel] | None, MeetingAction, Handler]] = {
    "media.join": (None, MeetingAction.CONFERENCE, _join),
    "media.publish": (wire.PublishIn, MeetingAction.CONFERENCE, _publish),
    "media.unpublish": (wire.UnpublishIn, MeetingAction.CONFERENCE, _unpublish),
    "media.answer": (wire.SdpIn, MeetingAction.CONFERENCE, _answer),
    "media.mute": (wire.MuteIn, MeetingAction.MEDIA_CONTROL, _mute),
    "media.spotlight": (wire.PublisherIdIn, MeetingAction.MEDIA_CONTROL, _spotlight),
    "media.end": (wire.PublisherIdIn, MeetingAction.MEDIA_CONTROL, _end),
    "media.stats": (None, MeetingAction.MEDIA_CONTROL, _stats),
}


def needed_action(event: str, body: BaseModel | None) -> MeetingAction:
    """A shared screen is presenting: it needs the presenter's (or chair's) right."""
    action = MEDIA[event][1]
    if isinstance(body, wire.PublishIn) and body.screen:
        return MeetingAction.PRESENT
    return action


async def seat_for(ctx: Context, meeting_id: int, action: MeetingAction) -> Seat:
    return await conference.seat(ctx, meeting_id, action)
