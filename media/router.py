"""The relay: rooms of publishers and subscribers, and which track goes where.

`Relay` implements `media.interfaces.MediaBackend`. It keeps, per room, the forwarding the
control plane asked for as (subscriber, publisher, kind) wishes, and makes the slots of each
subscriber match them whenever a wish, a publisher or a subscriber changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass, field

from media import aiortc_seams
from media.config import RelaySettings
from media.forwarding import DownTrack, Forwarder
from media.frames import Kind
from media.interfaces import (
    MediaError,
    MediaEvents,
    NoEvents,
    PeerRole,
    PeerStats,
    RelayCounters,
    SlotInfo,
)
from media.peer import Downstream, PublisherPeer, Slot, SubscriberPeer, new_peer_connection
from media.recording import RecordingSink
from media.stats import peer_stats

logger = logging.getLogger(__name__)

Wish = tuple[str, Kind]  # (publisher, kind) a subscriber should receive

# A viewer downgraded to audio only gets the video back once it has gone this long without a
# dropped frame (any of its tracks, audio included): the RESYNC_WINDOW of forwarding.py, i.e.
# as long as it took to decide it could not keep up. Each new downgrade of the same video
# doubles the wait, up to UPGRADE_AFTER_MAX, so a viewer that truly cannot take it is not
# resynchronised three times every 30 s all meeting long.
UPGRADE_AFTER = 30.0
UPGRADE_AFTER_MAX = 300.0


@dataclass
class Downgrade:
    """A video taken from a subscriber that could not keep up, to be given back later."""

    wait: float  # how long the subscriber must keep up first
    clean_since: float  # monotonic time since which none of its frames was dropped
    dropped: int  # its drop count then


@dataclass
class Room:
    name: str
    publishers: dict[str, PublisherPeer] = field(default_factory=dict)
    downstreams: dict[str, Downstream] = field(default_factory=dict)
    wishes: dict[str, set[Wish]] = field(default_factory=dict)  # by subscriber
    muted: set[str] = field(default_factory=set)
    speaker: str | None = None
    ticker: asyncio.Task[None] | None = None
    downgrades: dict[tuple[str, str], Downgrade] = field(default_factory=dict)  # (sub, pub)
    waits: dict[tuple[str, str], float] = field(default_factory=dict)  # last wait, to double

    def forwarder(self, publisher_id: str, kind: Kind) -> Forwarder | None:
        peer = self.publishers.get(publisher_id)
        return peer.forwarders.get(kind) if peer is not None else None


class Relay:
    """Selective forwarding of encoded media between the peers of each room."""

    def __init__(
        self, settings: RelaySettings | None = None, events: MediaEvents | None = None
    ) -> None:
        aiortc_seams.check_seams()
        self.settings = settings or RelaySettings()
        missing = aiortc_seams.compiled_modules_missing()
        if missing:
            logger.warning(
                "media: %s not built (no C compiler at install?): the relay does their work "
                "in Python, at ~40 %% more CPU per site (docs/media.md)",
                " and ".join(missing),
            )

        self.events: MediaEvents = events or NoEvents()
        if self.settings.host_addresses is not None:
            aiortc_seams.restrict_host_addresses(self.settings.host_addresses)
        self._rooms: dict[str, Room] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._counters = RelayCounters()  # totals; every peer and down track adds to it

    # rooms ---------------------------------------------------------------------------------

    async def create_room(self, room: str) -> None:
        if room in self._rooms:
            return
        state = Room(room)
        state.ticker = asyncio.ensure_future(self._tick(state))
        self._rooms[room] = state

    async def close_room(self, room: str) -> None:
        state = self._rooms.pop(room, None)
        if state is None:
            return
        if state.ticker is not None:
            state.ticker.cancel()
            await asyncio.gather(state.ticker, return_exceptions=True)
        peers: list[PublisherPeer | Downstream] = [
            *state.publishers.values(),
            *state.downstreams.values(),
        ]
        state.publishers.clear()
        state.downstreams.clear()
        await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)

    async def close(self) -> None:
        for room in list(self._rooms):
            await self.close_room(room)
        # Clean-ups under way finish rather than being cancelled: a cancelled
        # RTCPeerConnection.close() leaves aiortc's own pending close() failing.
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _room(self, room: str) -> Room:
        try:
            return self._rooms[room]
        except KeyError:
            raise MediaError("no-room", f"no room {room!r}") from None

    # publishers ----------------------------------------------------------------------------

    async def publish(self, room: str, publisher_id: str, offer_sdp: str) -> str:
        state = self._room(room)
        old = state.publishers.pop(publisher_id, None)
        if old is not None:
            await self._drop_publisher(state, old)
        peer = PublisherPeer(
            publisher_id,
            new_peer_connection(self.settings),
            on_track=lambda f: self._track_added(state, f),
            on_gone=lambda _: self._gone(state, peer, "publisher"),
            estimate_bandwidth=self.settings.bandwidth_estimation,
            counters=self._counters,
            compiled_receive=self.settings.compiled_receive,
        )
        state.publishers[publisher_id] = peer
        try:
            return await peer.accept(offer_sdp)
        except Exception:
            state.publishers.pop(publisher_id, None)
            await peer.close()
            raise

    def _track_added(self, state: Room, forwarder: Forwarder) -> None:
        forwarder.muted = forwarder.kind == "audio" and forwarder.publisher_id in state.muted
        self._apply(state)
        self.events.track_added(state.name, forwarder.publisher_id, forwarder.kind)

    async def unpublish(self, room: str, publisher_id: str) -> None:
        state = self._room(room)
        peer = state.publishers.pop(publisher_id, None)
        if peer is not None:
            await self._drop_publisher(state, peer)

    async def _drop_publisher(self, state: Room, peer: PublisherPeer) -> None:
        await peer.close()  # closes the forwarders: their down tracks go idle
        for kind in peer.forwarders:
            self.events.track_removed(state.name, peer.peer_id, kind)
        self._apply(state)

    # subscribers ---------------------------------------------------------------------------

    async def subscribe(self, room: str, subscriber_id: str) -> None:
        state = self._room(room)
        old = state.downstreams.pop(subscriber_id, None)
        if old is not None:  # a reconnecting viewer keeps its forwarding
            await old.close()
        peer = SubscriberPeer(
            subscriber_id,
            new_peer_connection(self.settings),
            on_failing=lambda track: self._failing(state, subscriber_id, track),
            on_gone=lambda _: self._gone(state, peer, "subscriber"),
            direct_send=self.settings.direct_send,
            counters=self._counters,
            compiled_send=self.settings.compiled_send,
        )

        state.downstreams[subscriber_id] = peer
        self._apply(state, [peer])

    def _subscriber(self, state: Room, subscriber_id: str) -> SubscriberPeer:
        peer = state.downstreams.get(subscriber_id)
        if not isinstance(peer, SubscriberPeer):
            raise MediaError("no-subscriber", f"no subscriber {subscriber_id!r}")
        return peer

    async def negotiate(self, room: str, subscriber_id: str) -> str:
        return await self._subscriber(self._room(room), subscriber_id).negotiate()

    async def apply_answer(self, room: str, subscriber_id: str, answer_sdp: str) -> None:
        state = self._room(room)
        peer = self._subscriber(state, subscriber_id)
        await peer.apply_answer(answer_sdp)
        self._announce_negotiation(state, peer)  # slots were added while the offer was out

    async def unsubscribe(self, room: str, subscriber_id: str) -> None:
        await self._drop_downstream(self._room(room), subscriber_id)

    async def _drop_downstream(self, state: Room, peer_id: str) -> None:
        state.wishes.pop(peer_id, None)
        for key in [k for k in state.downgrades if k[0] == peer_id]:
            del state.downgrades[key]
        for key in [k for k in state.waits if k[0] == peer_id]:
            del state.waits[key]
        peer = state.downstreams.pop(peer_id, None)
        if peer is not None:
            await peer.close()

    # forwarding ----------------------------------------------------------------------------

    async def set_forwarding(
        self, room: str, subscriber_id: str, publisher_id: str, kind: Kind, on: bool
    ) -> None:
        state = self._room(room)
        if subscriber_id not in state.downstreams:
            raise MediaError("no-subscriber", f"no subscriber {subscriber_id!r}")
        wishes = state.wishes.setdefault(subscriber_id, set())
        if kind == "video":  # the control plane decides anew: no pending upgrade
            state.downgrades.pop((subscriber_id, publisher_id), None)
        if on:
            wishes.add((publisher_id, kind))
        else:
            wishes.discard((publisher_id, kind))
        self._apply(state, [state.downstreams[subscriber_id]])

    def down_tracks(self, room: str, subscriber_id: str) -> list[DownTrack]:
        """The subscriber's down tracks, for diagnostics and tests."""
        peer = self._room(room).downstreams.get(subscriber_id)
        return [s.track for s in peer.slots] if peer is not None else []

    def slots(self, room: str, subscriber_id: str) -> list[SlotInfo]:
        peer = self._room(room).downstreams.get(subscriber_id)
        if peer is None:
            raise MediaError("no-subscriber", f"no subscriber {subscriber_id!r}")
        return _slot_infos(peer)

    def _apply(self, state: Room, peers: list[Downstream] | None = None) -> None:
        """Point subscribers' slots (default: all) at what the wishes say. Idempotent."""
        for peer in peers if peers is not None else list(state.downstreams.values()):
            before = _slot_infos(peer)
            self._apply_downstream(state, peer)
            after = _slot_infos(peer)
            if after != before:
                self.events.slots_changed(state.name, peer.peer_id, after)
            if isinstance(peer, SubscriberPeer) and not peer.offer_pending:
                self._announce_negotiation(state, peer)

    def _announce_negotiation(self, state: Room, peer: SubscriberPeer) -> None:
        if peer.needs_negotiation and not peer.negotiation_announced:
            peer.negotiation_announced = True
            self.events.negotiation_needed(state.name, peer.peer_id)

    def _apply_downstream(self, state: Room, peer: Downstream) -> None:
        wanted = state.wishes.get(peer.peer_id, set())
        for slot in peer.slots:  # release slots nobody wants any more
            if slot.assigned is not None and (slot.assigned, slot.kind) not in wanted:
                slot.assigned = None
                slot.track.switch(None)
        for publisher_id, kind in sorted(wanted):
            forwarder = state.forwarder(publisher_id, kind)
            target = self._slot_for(peer, publisher_id, kind, forwarder)
            if target is not None:
                live = forwarder if forwarder is not None and not forwarder.closed else None
                target.track.switch(live)

    @staticmethod
    def _slot_for(
        peer: Downstream, publisher_id: str, kind: Kind, forwarder: Forwarder | None
    ) -> Slot | None:
        """The slot kept for this publisher, else a free or new one (None: none to be had)."""
        kept = next((s for s in peer.slots if s.assigned == publisher_id and s.kind == kind), None)
        if kept is not None and (forwarder is None or kept.codec == forwarder.codec):
            return kept
        if kept is not None:  # the publisher came back with another codec
            kept.assigned = None
            kept.track.switch(None)
        if forwarder is None:
            return None  # not publishing (yet): wait for its track
        slot = peer.free_slot(kind, forwarder.codec)
        if slot is None and peer.can_add():
            slot = peer.add_slot(kind, forwarder.codec)
        if slot is not None:  # else a recorder already records someone: wait for a free slot
            slot.assigned = publisher_id
        return slot

    def _failing(self, state: Room, subscriber_id: str, track: DownTrack) -> None:
        source = track.source
        if source is None:
            return
        state.wishes.get(subscriber_id, set()).discard((source.publisher_id, track.kind))
        # The switch happens after this callback returns: we are inside the fan-out loop.
        asyncio.get_running_loop().call_soon(self._apply, state)
        track.switch(None)
        key = (subscriber_id, source.publisher_id)
        wait = min(state.waits.get(key, UPGRADE_AFTER / 2) * 2, UPGRADE_AFTER_MAX)
        state.waits[key] = wait
        peer = state.downstreams.get(subscriber_id)
        dropped = _dropped(peer) if peer is not None else 0
        state.downgrades[key] = Downgrade(wait, time.monotonic(), dropped)
        self._counters.downgrades += 1
        self.events.downgraded(state.name, subscriber_id, source.publisher_id)

    def _check_upgrades(self, state: Room) -> None:
        """Give a downgraded video back to a subscriber that has kept up since (tick)."""
        now = time.monotonic()
        for key, down in list(state.downgrades.items()):
            subscriber_id, publisher_id = key
            peer = state.downstreams.get(subscriber_id)
            if peer is None:
                del state.downgrades[key]
                continue
            dropped = _dropped(peer)
            if dropped != down.dropped:  # still losing frames: start counting again
                down.dropped, down.clean_since = dropped, now
                continue
            if now - down.clean_since < down.wait:
                continue
            del state.downgrades[key]
            state.wishes.setdefault(subscriber_id, set()).add((publisher_id, "video"))
            self._apply(state, [peer])
            self._counters.upgrades += 1
            self.events.upgraded(state.name, subscriber_id, publisher_id)

    # control -------------------------------------------------------------------------------

    def set_muted(self, room: str, publisher_id: str, muted: bool) -> None:
        state = self._room(room)
        if muted:
            state.muted.add(publisher_id)
        else:
            state.muted.discard(publisher_id)
        forwarder = state.forwarder(publisher_id, "audio")
        if forwarder is not None:
            forwarder.muted = muted

    def request_keyframe(self, room: str, publisher_id: str) -> None:
        forwarder = self._room(room).forwarder(publisher_id, "video")
        if forwarder is not None:
            forwarder.request_keyframe()

    async def start_recording(
        self, room: str, recorder_id: str, path: str, video: bool = True
    ) -> None:
        state = self._room(room)
        if recorder_id in state.downstreams:
            raise MediaError("exists", f"{recorder_id!r} already exists")
        sink = RecordingSink(recorder_id, path, video)
        for slot in sink.slots:
            slot.track.counters = self._counters
        state.downstreams[recorder_id] = sink
        self._apply(state, [sink])

    async def stop_recording(self, room: str, recorder_id: str) -> None:
        await self._drop_downstream(self._room(room), recorder_id)

    # observation ---------------------------------------------------------------------------

    async def stats(self, room: str) -> list[PeerStats]:
        state = self._room(room)
        peers: list[PublisherPeer | Downstream] = [
            *state.publishers.values(),
            *state.downstreams.values(),
        ]
        return [await peer_stats(p, p.peer_id in state.muted) for p in peers]

    def tracks(self, room: str) -> dict[str, list[Kind]]:
        """Which publishers are on air with which kinds (a snapshot for late comers)."""
        state = self._room(room)
        return {pid: sorted(peer.forwarders) for pid, peer in state.publishers.items()}

    def audio_levels(self, room: str) -> dict[str, int]:
        state = self._room(room)
        levels = {}
        for publisher_id in state.publishers:
            forwarder = state.forwarder(publisher_id, "audio")
            if forwarder is not None and not forwarder.muted and forwarder.audio_level is not None:
                levels[publisher_id] = forwarder.audio_level
        return levels

    def counters(self) -> RelayCounters:
        """Totals since start and gauges now, over every room (a copy; no awaits, no I/O)."""
        rooms = list(self._rooms.values())
        publishers = [p for r in rooms for p in r.publishers.values()]
        downstreams = [d for r in rooms for d in r.downstreams.values()]
        return dataclasses.replace(
            self._counters,
            rooms=len(rooms),
            publishers=len(publishers),
            published_tracks=sum(len(p.forwarders) for p in publishers),
            subscribers=len(downstreams),
            forwarded_streams=sum(
                1 for d in downstreams for s in d.slots if s.track.source is not None
            ),
        )

    async def _tick(self, state: Room) -> None:
        while True:
            await asyncio.sleep(self.settings.tick)
            try:
                await self._check_liveness(state)
                self._check_speaker(state)
                self._check_upgrades(state)
            except Exception:  # one bad tick must not end liveness checks for the room
                logger.exception("room %s: liveness check failed", state.name)

    async def _check_liveness(self, state: Room) -> None:
        now = time.monotonic()
        timeout = self.settings.peer_timeout
        for peer in list(state.publishers.values()):
            if now - peer.last_activity() > timeout:
                logger.info("room %s: publisher %s went silent", state.name, peer.peer_id)
                self._gone(state, peer, "publisher")
        for down in list(state.downstreams.values()):
            if isinstance(down, SubscriberPeer):
                age = await down.report_age()
                if age is not None and age > timeout:
                    logger.info("room %s: subscriber %s went silent", state.name, down.peer_id)
                    self._gone(state, down, "subscriber")

    def _check_speaker(self, state: Room) -> None:
        levels = self.audio_levels(state.name)
        loud = {p: lvl for p, lvl in levels.items() if lvl <= self.settings.speech_level}
        speaker = min(loud, key=lambda p: loud[p]) if loud else None
        if speaker is not None and speaker != state.speaker:
            state.speaker = speaker
            self.events.active_speaker(state.name, speaker)

    def _gone(self, state: Room, peer: PublisherPeer | Downstream, role: PeerRole) -> None:
        """Clean up in a task of its own: the ticker, which may notice first, can be cancelled."""
        task = asyncio.ensure_future(self._remove_gone(state, peer, role))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _remove_gone(
        self, state: Room, peer: PublisherPeer | Downstream, role: PeerRole
    ) -> None:
        """Clean up `peer` unless it was already removed or replaced by a reconnection."""
        if isinstance(peer, PublisherPeer):
            if state.publishers.get(peer.peer_id) is not peer:
                return
            del state.publishers[peer.peer_id]
            await self._drop_publisher(state, peer)
        else:
            if state.downstreams.get(peer.peer_id) is not peer:
                return
            await self._drop_downstream(state, peer.peer_id)
        self.events.peer_gone(state.name, peer.peer_id, role)


def _dropped(peer: Downstream) -> int:
    return sum(slot.track.dropped for slot in peer.slots)


def _slot_infos(peer: Downstream) -> list[SlotInfo]:
    return [
        SlotInfo(s.mid, s.kind, s.track.source.publisher_id if s.track.source else None)
        for s in peer.slots
    ]
