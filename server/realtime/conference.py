"""The meeting's video conference: socket.io signalling in front, the media relay behind.

server/ decides (who may publish, who receives whom: services/conference_policy.py); media/
executes (`MediaBackend.set_forwarding`) and reports back (`MediaEvents`). Each connection of
the `/meeting` namespace may publish its camera and microphone and subscribe once; commune
kiosks publish again after a reconnect and the relay swaps the connection in place.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import socketio

from media.interfaces import MediaBackend, MediaError, NoEvents, PeerRole, SlotInfo
from server.realtime.rooms import meeting_room, person_room
from server.services.conference_policy import (
    Kind,
    Place,
    Publisher,
    Stage,
    publisher_id,
    starts_muted,
    wanted,
)

log = logging.getLogger("ecabinet.conference")

MEETING_NAMESPACE = "/meeting"


def room_of(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def meeting_of(room: str) -> int:
    return int(room.split(":", 1)[1])


@dataclass
class Viewer:
    """One connection that receives media."""

    sid: str
    user_id: int
    place: Place
    subscriber_id: str


@dataclass
class Conference:
    meeting_id: int
    stage: Stage = field(default_factory=Stage)
    viewers: dict[str, Viewer] = field(default_factory=dict)  # by subscriber id
    names: dict[str, dict[str, Any]] = field(default_factory=dict)  # publisher id -> tile label
    forwarded: set[tuple[str, str, Kind]] = field(default_factory=set)  # (sub, pub, kind)
    muted: set[str] = field(default_factory=set)


class ConferenceDirector(NoEvents):
    """One per server process. Also the relay's `MediaEvents` listener."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self.relay: MediaBackend | None = None
        self.conferences: dict[int, Conference] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def attach(self, relay: MediaBackend) -> None:
        self.relay = relay

    def _relay(self) -> MediaBackend:
        if self.relay is None:
            raise MediaError("media_off", "the media relay is not running")
        return self.relay

    async def _conference(self, meeting_id: int) -> Conference:
        if meeting_id not in self.conferences:
            await self._relay().create_room(room_of(meeting_id))
            self.conferences[meeting_id] = Conference(meeting_id)
        return self.conferences[meeting_id]

    # --- joining, publishing, subscribing -------------------------------------------------

    async def publish(
        self,
        meeting_id: int,
        user_id: int,
        place: Place,
        label: dict[str, Any],
        offer_sdp: str,
        screen: bool = False,
    ) -> str:
        conference = await self._conference(meeting_id)
        pub = Publisher(publisher_id(user_id, place, screen), user_id, place, screen)
        answer = await self._relay().publish(room_of(meeting_id), pub.publisher_id, offer_sdp)
        conference.stage.publishers[pub.publisher_id] = pub
        conference.names[pub.publisher_id] = {**label, "place": place, "screen": screen}
        floor = conference.stage.floor_user_id == user_id
        self._mute(conference, pub.publisher_id, starts_muted(place) and not screen and not floor)
        await self.apply(conference)
        return answer

    async def subscribe(self, meeting_id: int, sid: str, user_id: int, place: Place) -> None:
        conference = await self._conference(meeting_id)
        viewer = Viewer(sid, user_id, place, f"v:{sid}")
        await self._relay().subscribe(room_of(meeting_id), viewer.subscriber_id)
        conference.viewers[viewer.subscriber_id] = viewer
        await self.apply(conference)

    async def answer(self, meeting_id: int, sid: str, answer_sdp: str) -> None:
        room = room_of(meeting_id)
        await self._relay().apply_answer(room, f"v:{sid}", answer_sdp)
        # m-lines get their mids in this exchange: the client's tiles need them now.
        self.slots_changed(room, f"v:{sid}", self._relay().slots(room, f"v:{sid}"))

    async def leave(self, meeting_id: int, sid: str, user_id: int) -> None:
        conference = self.conferences.get(meeting_id)
        if conference is None or self.relay is None:
            return
        viewer = conference.viewers.pop(f"v:{sid}", None)
        if viewer is not None:
            await self.relay.unsubscribe(room_of(meeting_id), viewer.subscriber_id)
            conference.forwarded = {f for f in conference.forwarded if f[0] != viewer.subscriber_id}

    # --- the chair's decisions ----------------------------------------------------------

    async def floor_changed(self, meeting_id: int, speaker_user_id: int | None) -> None:
        conference = self.conferences.get(meeting_id)
        if conference is None:
            return
        previous = conference.stage.floor_user_id
        conference.stage.floor_user_id = speaker_user_id
        for pub in conference.stage.publishers.values():
            if pub.screen or pub.place == "hall":
                continue
            if pub.user_id == speaker_user_id:
                self._mute(conference, pub.publisher_id, False)  # the microphone opens
            elif pub.user_id == previous:
                self._mute(conference, pub.publisher_id, True)
        await self.apply(conference)

    async def time_up(self, meeting_id: int, speaker_user_id: int) -> None:
        conference = self.conferences.get(meeting_id)
        if conference is None:
            return
        for pub in conference.stage.publishers.values():
            if pub.user_id == speaker_user_id and pub.place != "hall":
                self._mute(conference, pub.publisher_id, True)

    async def set_muted(self, meeting_id: int, publisher: str, muted: bool) -> None:
        conference = await self._conference(meeting_id)
        self._check_publisher(conference, publisher)
        self._mute(conference, publisher, muted)

    async def spotlight(self, meeting_id: int, publisher: str | None) -> None:
        conference = await self._conference(meeting_id)
        user = None
        if publisher is not None:
            user = self._check_publisher(conference, publisher).user_id
        conference.stage.spotlight_user_id = user
        await self.apply(conference)

    async def end_site(self, meeting_id: int, publisher: str) -> None:
        """The chair ends a site's connection; the site's screens are told (`media.ended`)
        and do not publish again by themselves."""
        conference = await self._conference(meeting_id)
        pub = self._check_publisher(conference, publisher)
        await self._relay().unpublish(room_of(meeting_id), publisher)
        self._forget_publisher(conference, publisher)
        await self.sio.emit(
            "media.ended",
            {"publisher_id": publisher, "by": "chair"},
            room=person_room(meeting_id, pub.user_id),
            namespace=MEETING_NAMESPACE,
        )
        await self._announce(conference)

    async def unpublish(self, meeting_id: int, user_id: int, place: Place, screen: bool) -> bool:
        """One's own camera (and microphone) or shared screen off the air, staying in the
        meeting and still receiving. False if it was not on air."""
        conference = self.conferences.get(meeting_id)
        pid = publisher_id(user_id, place, screen)
        if conference is None or pid not in conference.stage.publishers:
            return False
        await self._relay().unpublish(room_of(meeting_id), pid)
        self._forget_publisher(conference, pid)
        await self.apply(conference)  # forgets the forwarding and announces
        return True

    async def stats(self, meeting_id: int) -> list[dict[str, Any]]:
        conference = await self._conference(meeting_id)
        rows = await self._relay().stats(room_of(meeting_id))
        return [
            {
                "peer_id": s.peer_id,
                "role": s.role,
                "state": s.state,
                "muted": s.muted,
                "audio_level": s.audio_level,
                "label": conference.names.get(s.peer_id),
                "tracks": [t.__dict__ for t in s.tracks],
            }
            for s in rows
        ]

    def snapshot(self, meeting_id: int) -> dict[str, Any]:
        conference = self.conferences.get(meeting_id)
        if conference is None:
            return {"publishers": [], "floor_user_id": None, "spotlight_user_id": None}
        return {
            "publishers": self._on_air(conference),
            "floor_user_id": conference.stage.floor_user_id,
            "spotlight_user_id": conference.stage.spotlight_user_id,
        }

    # --- policy -------------------------------------------------------------------------

    async def apply(self, conference: Conference) -> None:
        """Make the relay forward exactly what the policy wants (only the differences)."""
        relay = self._relay()
        room = room_of(conference.meeting_id)
        want: set[tuple[str, str, Kind]] = set()
        for viewer in conference.viewers.values():
            for pub in conference.stage.publishers.values():
                for kind in wanted(viewer.user_id, viewer.place, pub, conference.stage):
                    want.add((viewer.subscriber_id, pub.publisher_id, kind))
        for sub, pub_id, kind in sorted(conference.forwarded - want):
            await relay.set_forwarding(room, sub, pub_id, kind, False)
        for sub, pub_id, kind in sorted(want - conference.forwarded):
            await relay.set_forwarding(room, sub, pub_id, kind, True)

        conference.forwarded = want
        await self._announce(conference)

    def _mute(self, conference: Conference, publisher: str, muted: bool) -> None:
        self._relay().set_muted(room_of(conference.meeting_id), publisher, muted)
        (conference.muted.add if muted else conference.muted.discard)(publisher)
        self._spawn(self._announce(conference))

    def _check_publisher(self, conference: Conference, publisher: str) -> Publisher:
        pub = conference.stage.publishers.get(publisher)
        if pub is None:
            raise MediaError("no_such_publisher", f"{publisher} is not on air")
        return pub

    def _forget_publisher(self, conference: Conference, publisher: str) -> None:
        conference.stage.publishers.pop(publisher, None)
        conference.names.pop(publisher, None)
        conference.muted.discard(publisher)
        conference.forwarded = {f for f in conference.forwarded if f[1] != publisher}

    def _on_air(self, conference: Conference) -> list[dict[str, Any]]:
        return [
            {
                "publisher_id": p.publisher_id,
                "user_id": p.user_id,
                "place": p.place,
                "screen": p.screen,
                "muted": p.publisher_id in conference.muted,
                **conference.names.get(p.publisher_id, {}),
            }
            for p in conference.stage.publishers.values()
        ]

    async def _announce(self, conference: Conference) -> None:
        await self.sio.emit(
            "media.publishers",
            self.snapshot(conference.meeting_id),
            room=meeting_room(conference.meeting_id),
            namespace=MEETING_NAMESPACE,
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # --- MediaEvents (called by the relay on the event loop) ----------------------------

    def negotiation_needed(self, room: str, subscriber_id: str) -> None:
        self._spawn(self._send_offer(room, subscriber_id))

    async def _send_offer(self, room: str, subscriber_id: str) -> None:
        try:
            offer = await self._relay().negotiate(room, subscriber_id)
        except MediaError:
            log.warning("negotiation failed", extra={"room": room, "subscriber": subscriber_id})
            return
        await self.sio.emit(
            "media.offer",
            {"sdp": offer},
            to=subscriber_id.removeprefix("v:"),
            namespace=MEETING_NAMESPACE,
        )

    def slots_changed(self, room: str, subscriber_id: str, slots: list[SlotInfo]) -> None:
        payload = {
            "slots": [{"mid": s.mid, "kind": s.kind, "publisher_id": s.publisher_id} for s in slots]
        }
        self._spawn(
            self.sio.emit(
                "media.slots",
                payload,
                to=subscriber_id.removeprefix("v:"),
                namespace=MEETING_NAMESPACE,
            )
        )

    def peer_gone(self, room: str, peer_id: str, role: PeerRole) -> None:
        conference = self.conferences.get(meeting_of(room))
        if conference is None:
            return
        if role == "publisher":
            self._forget_publisher(conference, peer_id)
        else:
            conference.viewers.pop(peer_id, None)
            conference.forwarded = {f for f in conference.forwarded if f[0] != peer_id}
        self._spawn(self._announce(conference))

    def downgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        self._spawn(
            self.sio.emit(
                "media.downgraded",
                {"publisher_id": publisher_id},
                to=subscriber_id.removeprefix("v:"),
                namespace=MEETING_NAMESPACE,
            )
        )

    def upgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        self._spawn(
            self.sio.emit(
                "media.upgraded",
                {"publisher_id": publisher_id},
                to=subscriber_id.removeprefix("v:"),
                namespace=MEETING_NAMESPACE,
            )
        )

    def active_speaker(self, room: str, publisher_id: str | None) -> None:
        self._spawn(
            self.sio.emit(
                "media.active_speaker",
                {"publisher_id": publisher_id},
                room=meeting_room(meeting_of(room)),
                namespace=MEETING_NAMESPACE,
            )
        )

    async def close(self) -> None:
        if self.relay is not None:
            for meeting_id in list(self.conferences):
                await self.relay.close_room(room_of(meeting_id))
        self.conferences.clear()
