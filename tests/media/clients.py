"""Real aiortc peers playing the sites' side: a publishing camera and a viewing screen.

Viewers keep the encoded frames they receive (through the same receive seam the relay
uses), so tests can compare bytes with what the publisher sent, without decoding.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcrtpreceiver import RemoteStreamTrack

from media import aiortc_seams
from media.frames import EncodedFrame, Kind
from media.interfaces import NoEvents, PeerRole, SlotInfo
from media.router import Relay
from media.synthetic import Clip, ClipTrack


def client_pc() -> RTCPeerConnection:
    # No ICE servers: never aiortc's default public STUN. MAX_BUNDLE as browsers do; aiortc's
    # default (balanced) strands a second m-line of a kind on a dropped transport.
    config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    return RTCPeerConnection(config)


class Camera:
    """A site publishing a clip's video (and audio), answering keyframe requests."""

    def __init__(self, clip: Clip, audio: bool = True) -> None:
        self.pc = client_pc()
        self.video = ClipTrack(clip, "video")
        self.audio = ClipTrack(clip, "audio") if audio else None
        self.keyframe_requests = 0
        self.sent: list[bytes] = []  # video frames in the order sent
        for track in (self.video, self.audio):
            if track is not None:
                sender = self.pc.addTransceiver(track, direction="sendonly").sender
                if track is self.video:
                    aiortc_seams.hook_sender_keyframe(sender, self._keyframe)
        self._wrap_recv()

    def _wrap_recv(self) -> None:
        recv = self.video.recv

        async def logged() -> av.Packet[Any]:
            packet = await recv()
            self.sent.append(bytes(packet))
            return packet

        self.video.recv = logged  # type: ignore[method-assign]

    def _keyframe(self) -> None:
        self.keyframe_requests += 1
        self.video.keyframe()

    async def publish(self, relay: Relay, room: str, publisher_id: str) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await relay.publish(room, publisher_id, self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    async def close(self) -> None:
        await self.pc.close()


@dataclass
class Screen:
    """A site's viewer: answers the relay's offers and keeps every frame per kind."""

    pc: RTCPeerConnection = field(default_factory=client_pc)
    frames: dict[Kind, list[EncodedFrame]] = field(default_factory=lambda: defaultdict(list))
    by_mid: dict[str, list[EncodedFrame]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.pc.on("track", self._track)

    def _track(self, track: RemoteStreamTrack) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        kind: Kind = "audio" if track.kind == "audio" else "video"
        mid = transceiver.mid or ""

        def keep(frame: EncodedFrame) -> None:
            self.frames[kind].append(frame)
            self.by_mid[mid].append(frame)

        aiortc_seams.install_receiver_sink(transceiver.receiver, kind, keep)

    async def answer(self, offer_sdp: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        await self.pc.close()


class Events(NoEvents):
    """Records the relay's callbacks and plays the signalling channel for `Screen`s."""

    def __init__(self) -> None:
        self.relay: Relay | None = None
        self.screens: dict[str, Screen] = {}
        self.log: list[tuple[str, ...]] = []
        self.tasks: set[asyncio.Task[None]] = set()

    def negotiation_needed(self, room: str, subscriber_id: str) -> None:
        self.log.append(("negotiation_needed", subscriber_id))
        if subscriber_id in self.screens:
            task = asyncio.ensure_future(self._negotiate(room, subscriber_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _negotiate(self, room: str, subscriber_id: str) -> None:
        assert self.relay is not None
        offer = await self.relay.negotiate(room, subscriber_id)
        answer = await self.screens[subscriber_id].answer(offer)
        await self.relay.apply_answer(room, subscriber_id, answer)

    def peer_gone(self, room: str, peer_id: str, role: PeerRole) -> None:
        self.log.append(("peer_gone", peer_id, role))

    def downgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        self.log.append(("downgraded", subscriber_id, publisher_id))

    def upgraded(self, room: str, subscriber_id: str, publisher_id: str) -> None:
        self.log.append(("upgraded", subscriber_id, publisher_id))

    def track_added(self, room: str, publisher_id: str, kind: Kind) -> None:
        self.log.append(("track_added", publisher_id, kind))

    def slots_changed(self, room: str, subscriber_id: str, slots: list[SlotInfo]) -> None:
        self.log.append(("slots_changed", subscriber_id))

    def active_speaker(self, room: str, publisher_id: str | None) -> None:
        self.log.append(("active_speaker", publisher_id or ""))

    def count(self, name: str) -> int:
        return sum(1 for entry in self.log if entry[0] == name)


async def until(condition: object, limit: float = 30.0, what: str = "condition") -> float:
    """Wait until `condition()` is true; return how long it took. Fails after `limit` s."""
    assert callable(condition)
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > limit:
            raise AssertionError(f"timed out after {limit} s waiting for {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


class Tone(MediaStreamTrack):
    """Raw audio (a tone, or silence) that aiortc encodes itself, with the audio-level
    header extension browsers send: what active-speaker detection reads."""

    kind = "audio"

    def __init__(self, amplitude: int) -> None:
        super().__init__()
        self._amplitude = amplitude
        self._sent = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        self._start = self._start or time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._sent * 0.02 - time.monotonic()))
        samples = bytearray()
        for i in range(960):
            value = int(self._amplitude * math.sin(2 * math.pi * 440 * i / 48_000))
            samples += value.to_bytes(2, "little", signed=True)
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(bytes(samples))
        frame.sample_rate = 48_000
        frame.pts = self._sent * 960
        frame.time_base = fractions.Fraction(1, 48_000)
        self._sent += 1
        return frame


async def speak(relay: Relay, room: str, publisher_id: str, amplitude: int) -> RTCPeerConnection:
    pc = client_pc()
    pc.addTransceiver(Tone(amplitude), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = await relay.publish(room, publisher_id, pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    return pc
