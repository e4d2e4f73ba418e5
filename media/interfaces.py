"""The small interface the control plane (server/) drives the media plane through.

media/ knows rooms, publishers, subscribers and tracks; what they mean (a meeting, the hall,
a commune site, the floor) is the caller's business. Identifiers are the caller's strings.
Policy stays outside: the caller says which subscriber receives which publisher's audio or
video (`set_forwarding`); the relay only executes it and reports what happens (`MediaEvents`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from media.frames import Kind

PeerRole = Literal["publisher", "subscriber", "recorder"]


class MediaError(Exception):
    """A refused media operation. `code` is stable, for the caller to translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TrackStats:
    """One direction of one track, since the previous `stats()` call."""

    kind: Kind
    publisher_id: str | None  # whose media this is (None: an idle subscriber slot)
    bitrate_bps: float
    fps: float  # frames (video) or packets (audio) per second
    packets_lost: int | None = None  # cumulative, as the receiving side reported it
    fraction_lost: float | None = None  # 0..1, latest receiver report
    rtt_s: float | None = None  # round trip, from receiver reports (subscriber side only)
    jitter: float | None = None  # RTP units, publisher side
    dropped: int = 0  # frames the relay dropped for this subscriber (queue full, waiting)
    resyncs: int = 0  # times this subscriber was restarted at a keyframe


@dataclass(frozen=True)
class PeerStats:
    peer_id: str
    role: PeerRole
    state: str  # RTCPeerConnection.connectionState, or "recording"
    tracks: list[TrackStats] = field(default_factory=list)
    muted: bool = False
    audio_level: int | None = None  # -dBov, 127 silence, 0 loudest (publishers only)


@dataclass
class RelayCounters:
    """The relay's totals over every room since it started, for monitoring (`/metrics`).

    The totals are plain ints the forwarding path adds to as it goes (one integer add per
    frame forwarded; nothing is computed at read time but the gauges), so reading them is
    cheap and synchronous. `MediaBackend.counters()` returns a copy with the gauges filled in.
    """

    # totals, only ever increasing (Prometheus computes rates from them)
    frames_received: int = 0  # encoded frames from publishers (relayed tracks)
    packets_received_compiled: int = 0  # publishers' RTP packets handled by media/_receive.c
    frames_forwarded: int = 0  # encoded frames sent to subscribers and recorders

    packets_forwarded: int = 0  # their RTP packets (the publishers' packetisation)
    packets_compiled: int = 0  # of those, protected and sent by media/_fastpath.c

    keyframe_requests_upstream: int = 0  # PLIs sent to publishers, after coalescing
    keyframe_requests_from_viewers: int = 0  # PLI/FIR received from subscribers
    frames_dropped: int = 0  # frames not sent to a subscriber (full queue, waiting for a key)
    resyncs: int = 0  # a subscriber's video restarted at a keyframe after falling behind
    downgrades: int = 0  # a subscriber's video detached: audio only (`downgraded`)
    upgrades: int = 0  # a downgraded video given back after the subscriber kept up
    # gauges, at the time of reading
    rooms: int = 0
    publishers: int = 0  # publisher connections (a site's camera, a shared screen)
    published_tracks: int = 0  # their audio and video tracks
    subscribers: int = 0  # subscriber connections and recorders
    forwarded_streams: int = 0  # subscriber m-lines currently fed by a publisher's track


@dataclass(frozen=True)
class SlotInfo:
    """Which publisher a subscriber's m-line (mid) currently shows, for the client's UI."""

    mid: str | None
    kind: Kind
    publisher_id: str | None


class MediaEvents(Protocol):
    """Callbacks from the relay to the control plane. Called on the event loop; must not block."""

    def track_added(self, room: str, publisher_id: str, kind: Kind) -> None: ...

    def track_removed(self, room: str, publisher_id: str, kind: Kind) -> None: ...

    def peer_gone(self, room: str, peer_id: str, role: PeerRole) -> None:
        """A connection failed, closed or went silent; the relay already cleaned it up."""

    def negotiation_needed(self, room: str, subscriber_id: str) -> None:
        """Call `negotiate` and send the offer to the subscriber (tracks were added)."""

    def slots_changed(self, room: str, subscriber_id: str, slots: list[SlotInfo]) -> None:
        """The subscriber's m-lines now show other publishers (tell its UI)."""

    def downgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        """The subscriber could not keep up with this video and now gets its audio only."""

    def upgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        """A downgraded subscriber kept up (no drops) long enough: it gets the video again."""

    def active_speaker(self, room: str, publisher_id: str | None) -> None: ...


class NoEvents:
    """A `MediaEvents` that ignores everything (default, and a base for partial listeners)."""

    def track_added(self, room: str, publisher_id: str, kind: Kind) -> None:
        pass

    def track_removed(self, room: str, publisher_id: str, kind: Kind) -> None:
        pass

    def peer_gone(self, room: str, peer_id: str, role: PeerRole) -> None:
        pass

    def negotiation_needed(self, room: str, subscriber_id: str) -> None:
        pass

    def slots_changed(self, room: str, subscriber_id: str, slots: list[SlotInfo]) -> None:
        pass

    def downgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        pass

    def upgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        pass

    def active_speaker(self, room: str, publisher_id: str | None) -> None:
        pass


class MediaBackend(Protocol):
    """What server/ calls. One implementation: `media.router.Relay`."""

    async def create_room(self, room: str) -> None: ...

    async def close_room(self, room: str) -> None:
        """Close every connection and recording of the room."""

    async def publish(self, room: str, publisher_id: str, offer_sdp: str) -> str:
        """Accept a publisher's offer (send-only audio and/or video); return the answer.

        Publishing again under the same id replaces the previous connection (a kiosk that
        reconnects); subscribers keep their slots and get the new media at its next keyframe.
        """

    async def unpublish(self, room: str, publisher_id: str) -> None: ...

    async def subscribe(self, room: str, subscriber_id: str) -> None:
        """Register a subscriber; media flows once forwarding is set and negotiated.

        Subscribing again under the same id replaces the connection and keeps its forwarding.
        """

    async def negotiate(self, room: str, subscriber_id: str) -> str:
        """The relay's next offer for this subscriber (after `negotiation_needed`)."""

    async def apply_answer(self, room: str, subscriber_id: str, answer_sdp: str) -> None: ...

    async def unsubscribe(self, room: str, subscriber_id: str) -> None: ...

    async def set_forwarding(
        self, room: str, subscriber_id: str, publisher_id: str, kind: Kind, on: bool
    ) -> None:
        """Start or stop forwarding one publisher's audio or video to one subscriber.

        Remembered while the publisher is away: it resumes when the publisher comes back.
        Stopping one video and starting another (a floor switch) reuses the m-line, so no
        renegotiation is needed and the new video starts at a keyframe requested at once.
        """

    def slots(self, room: str, subscriber_id: str) -> list[SlotInfo]: ...

    def set_muted(self, room: str, publisher_id: str, muted: bool) -> None:
        """Stop (or resume) forwarding a publisher's audio to everyone."""

    def request_keyframe(self, room: str, publisher_id: str) -> None: ...

    async def start_recording(
        self, room: str, recorder_id: str, path: str, video: bool = True
    ) -> None:
        """Record into a WebM file; point it with `set_forwarding(room, recorder_id, ...)`."""

    async def stop_recording(self, room: str, recorder_id: str) -> None: ...

    async def stats(self, room: str) -> list[PeerStats]: ...

    def tracks(self, room: str) -> dict[str, list[Kind]]:
        """Publishers on air and their kinds: the snapshot a (re)joining client starts from."""

    def audio_levels(self, room: str) -> dict[str, int]:
        """Latest audio level per unmuted publisher (-dBov, 127 silence, 0 loudest)."""

    def counters(self) -> RelayCounters:
        """Totals and gauges over every room (a copy): cheap, synchronous, no side effects."""
