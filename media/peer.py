"""The relay's two kinds of peer connection: one up from each publisher, one down to each
subscriber. Neither decodes: up connections hand encoded frames to forwarders, down
connections send what their `DownTrack`s yield.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.exceptions import InvalidAccessError, OperationError
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from aiortc.stats import RTCRemoteInboundRtpStreamStats

from media import aiortc_seams
from media.config import RelaySettings
from media.forwarding import DownTrack, Forwarder
from media.frames import Kind
from media.interfaces import MediaError, RelayCounters
from media.keyframes import KeyframeRequester

GoneCallback = Callable[[str], None]


def new_peer_connection(settings: RelaySettings) -> RTCPeerConnection:
    """A peer connection with only the configured ICE servers, never aiortc's default STUN."""
    servers = [
        RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
        for s in settings.ice_servers
    ]
    # MAX_BUNDLE: one transport per peer, so adding a track later needs no new ICE/DTLS.
    config = RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    return RTCPeerConnection(configuration=config)


def _watch_state(pc: RTCPeerConnection, peer_id: str, on_gone: GoneCallback) -> None:
    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState in ("failed", "closed"):
            on_gone(peer_id)


class PublisherPeer:
    """A publisher's up connection: one audio and one video track at most."""

    def __init__(
        self,
        publisher_id: str,
        pc: RTCPeerConnection,
        on_track: Callable[[Forwarder], None],
        on_gone: GoneCallback,
        estimate_bandwidth: bool = False,
        counters: RelayCounters | None = None,
        compiled_receive: bool = True,
    ) -> None:
        self.peer_id = publisher_id
        self.counters = counters if counters is not None else RelayCounters()
        self._estimate_bandwidth = estimate_bandwidth
        self._compiled_receive = compiled_receive
        self.pc = pc
        self.forwarders: dict[Kind, Forwarder] = {}
        self.created = time.monotonic()
        self._on_track = on_track
        self._pending: list[tuple[RTCRtpTransceiver, Forwarder]] = []
        pc.on("track", self._track)
        _watch_state(pc, publisher_id, on_gone)

    async def accept(self, offer_sdp: str) -> str:
        """Apply the publisher's offer and return the relay's answer."""
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
            if not self._pending:
                raise MediaError("no-media", "the offer sends no audio or video")
            await self.pc.setLocalDescription(await self.pc.createAnswer())
        except (ValueError, TypeError, InvalidAccessError, OperationError) as exc:
            raise MediaError("bad-offer", str(exc)) from exc
        # Forwarders become visible only now, with their codec known: a subscriber slot for
        # them must offer that codec.
        for transceiver, forwarder in self._pending:
            forwarder.codec = aiortc_seams.negotiated_codec(transceiver) or forwarder.codec
            self.forwarders[forwarder.kind] = forwarder
            self._on_track(forwarder)
        self._pending.clear()
        return self.pc.localDescription.sdp

    def _track(self, track: RemoteStreamTrack) -> None:
        kind: Kind = "audio" if track.kind == "audio" else "video"
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        if any(f.kind == kind for _, f in self._pending):
            # A second track of a kind is neither relayed nor decoded.
            aiortc_seams.install_receiver_sink(
                transceiver.receiver, kind, lambda frame: None, compiled=self._compiled_receive
            )
            return
        keyframes = None
        if kind == "video":
            keyframes = KeyframeRequester(lambda: self._send_pli(kind))
        forwarder = Forwarder(self.peer_id, kind, "", keyframes, self.counters)
        aiortc_seams.install_receiver_sink(
            transceiver.receiver,
            kind,
            forwarder.push,
            self._estimate_bandwidth,
            compiled=self._compiled_receive,
            counters=self.counters,
        )

        self._pending.append((transceiver, forwarder))

    async def _send_pli(self, kind: Kind) -> None:
        forwarder = self.forwarders.get(kind)

        if forwarder is None or forwarder.ssrc is None:
            return  # no frame yet: the publisher's first frame is a keyframe anyway
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == kind and transceiver.receiver.track is not None:
                self.counters.keyframe_requests_upstream += 1
                await aiortc_seams.send_pli(transceiver.receiver, forwarder.ssrc)
                return

    def last_activity(self) -> float:
        arrivals = [f.last_arrival for f in self.forwarders.values() if f.last_arrival]
        return max([self.created, *arrivals])

    async def close(self) -> None:
        for forwarder in self.forwarders.values():
            forwarder.close()
        await self.pc.close()


@dataclass
class Slot:
    """One negotiated send-only m-line of a subscriber and what it currently shows."""

    kind: Kind
    codec: str
    track: DownTrack
    sender: RTCRtpSender | None = None
    mid: str | None = None
    assigned: str | None = None  # publisher this slot is kept for, even while it is away


@dataclass
class Downstream:
    """What subscribers and recorders have in common: slots the router can point."""

    peer_id: str
    slots: list[Slot] = field(default_factory=list)
    on_failing: Callable[[DownTrack], None] | None = None

    def free_slot(self, kind: Kind, codec: str) -> Slot | None:
        return next(
            (s for s in self.slots if s.kind == kind and s.codec == codec and s.assigned is None),
            None,
        )

    def can_add(self) -> bool:
        return False

    def add_slot(self, kind: Kind, codec: str) -> Slot:
        raise MediaError("no-slot", f"{self.peer_id} cannot take another {kind} track")

    async def close(self) -> None:
        for slot in self.slots:
            slot.track.stop()


# A commune receives 2-3 videos, the hall every site: ~100 communes + hall + screen share,
# with headroom. Each slot is an m-line in every renegotiation, so SDP size grows with it.
MAX_SLOTS_PER_SUBSCRIBER = 2 * 128
# The largest SDP a subscriber's answer can legitimately be: the signalling layer's cap.
# Measured for the hall of a province (203 m-lines: 101 sites' audio and video + a screen):
# Chromium answers with 104 kB (~515 bytes per m-line, candidates once), aiortc with 225 kB
# (~1.1 kB: candidates and ssrc lines in every m-line); the relay's offer is 225 kB. 1.5 kB
# per slot covers both with a third to spare; 8 kB for the session lines, the BUNDLE group
# and the candidates. 392 kB in all, under engine.io's 1 MB message limit.
SDP_BYTES_PER_SLOT = 1536
SDP_SESSION_BYTES = 8 * 1024
MAX_SDP_BYTES = SDP_SESSION_BYTES + MAX_SLOTS_PER_SUBSCRIBER * SDP_BYTES_PER_SLOT


class SubscriberPeer(Downstream):
    """A subscriber's down connection. The relay offers; the subscriber answers."""

    def __init__(
        self,
        subscriber_id: str,
        pc: RTCPeerConnection,
        on_failing: Callable[[DownTrack], None],
        on_gone: GoneCallback,
        direct_send: bool = True,
        counters: RelayCounters | None = None,
        compiled_send: bool = True,
    ) -> None:
        super().__init__(subscriber_id, [], on_failing)
        self.pc = pc
        self.counters = counters if counters is not None else RelayCounters()
        self.direct_send = direct_send
        self.compiled_send = compiled_send
        self.needs_negotiation = False
        self.negotiation_announced = False  # negotiation_needed was emitted, not yet acted on
        self.offer_pending = False
        self._lock = asyncio.Lock()
        _watch_state(pc, subscriber_id, on_gone)

    def can_add(self) -> bool:
        return len(self.slots) < MAX_SLOTS_PER_SUBSCRIBER

    def add_slot(self, kind: Kind, codec: str) -> Slot:
        if not self.can_add():
            raise MediaError("too-many-tracks", f"{self.peer_id}: {len(self.slots)} tracks")
        track = DownTrack(kind, codec, on_failing=self.on_failing)
        track.counters = self.counters
        transceiver = self.pc.addTransceiver(track, direction="sendonly")
        # Offer only the publisher's codec, so the subscriber cannot pick one we do not carry.
        transceiver.setCodecPreferences(_capabilities(kind, codec, rtx=not self.direct_send))
        if self.direct_send:
            sender = aiortc_seams.DirectSender(transceiver, self.counters, self.compiled_send)
            track.send_directly(sender)

        slot = Slot(kind, codec, track, transceiver.sender)
        aiortc_seams.hook_sender_keyframe(transceiver.sender, lambda: self._viewer_keyframe(slot))
        self.slots.append(slot)
        self.needs_negotiation = True
        return slot

    def _viewer_keyframe(self, slot: Slot) -> None:
        """The subscriber asked for a keyframe (PLI/FIR): its picture broke or it started."""
        self.counters.keyframe_requests_from_viewers += 1
        _upstream_keyframe(slot)

    async def negotiate(self) -> str:
        """Create the next offer (every slot so far) and return its SDP."""
        async with self._lock:
            if self.offer_pending:
                # The announcement stays to be acted on: apply_answer announces again.
                self.negotiation_announced = False
                raise MediaError("offer-pending", "answer the previous offer first")

            self.needs_negotiation = False
            self.negotiation_announced = False
            await self.pc.setLocalDescription(await self.pc.createOffer())
            self.offer_pending = True
            mids = {id(t.sender): t.mid for t in self.pc.getTransceivers()}
            for slot in self.slots:
                slot.mid = mids.get(id(slot.sender))
            return self.pc.localDescription.sdp

    async def apply_answer(self, answer_sdp: str) -> None:
        async with self._lock:
            if not self.offer_pending:
                raise MediaError("no-offer", "no offer is waiting for an answer")
            try:
                await self.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))
            except (ValueError, TypeError, InvalidAccessError, OperationError) as exc:
                raise MediaError("bad-answer", str(exc)) from exc
            self.offer_pending = False

    async def report_age(self) -> float | None:
        """Seconds the subscriber has gone without acknowledging media we keep sending it.

        None while nothing flows to it (nothing to acknowledge: ICE consent decides then).
        """
        starts = [s.track.flowing_since for s in self.slots if s.track.flowing_since]
        if not starts:
            return None
        age = time.monotonic() - min(starts)
        for slot in self.slots:
            if slot.sender is None:
                continue
            for item in (await slot.sender.getStats()).values():
                if isinstance(item, RTCRemoteInboundRtpStreamStats):
                    age = min(age, time.time() - item.timestamp.timestamp())
        return age

    async def close(self) -> None:
        await super().close()
        await self.pc.close()


def _capabilities(kind: Kind, codec: str, rtx: bool) -> list[RTCRtpCodecCapability]:
    codecs = RTCRtpSender.getCapabilities(kind).codecs
    chosen = [c for c in codecs if c.mimeType.lower() == codec]
    if not chosen:
        raise MediaError("codec", f"no {codec} in aiortc")
    if not rtx:  # direct sending retransmits on the media SSRC (RFC 4585 NACK, no RTX)
        return chosen
    return chosen + [c for c in codecs if c.mimeType.lower() == "video/rtx"]


def _upstream_keyframe(slot: Slot) -> None:
    source = slot.track.source
    if source is not None:
        source.request_keyframe()
