"""Fan-out of one publisher track to many subscribers, without decoding.

A `Forwarder` (Galène's "up track") receives each encoded frame once, synchronously on the
event loop, and offers it to every attached `DownTrack`. A `DownTrack` is what a subscriber's
RTCRtpSender (or the recorder) reads: a bounded queue, so a subscriber that falls behind
loses its own frames and never holds up the fan-out loop or the other subscribers.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media.frames import AUDIO_TIME_BASE, VIDEO_TIME_BASE, EncodedFrame, Kind, clock_rate
from media.interfaces import RelayCounters
from media.keyframes import KeyframeRequester

# The hall, the chair, ~100 communes in a province and a recorder, with headroom; past this
# one process cannot keep up anyway (docs/media.md, benchmark), so refuse instead of degrading all.
MAX_SUBSCRIBERS_PER_TRACK = 150
# 2 s of video at 15 fps: a viewer further behind than that is better served by a fresh
# keyframe than by stale frames.
VIDEO_QUEUE_FRAMES = 30
# 0.5 s of 20 ms Opus frames: older speech is useless in a conversation; drop the oldest.
AUDIO_QUEUE_FRAMES = 25
# Three resynchronisations within 30 s means the viewer cannot take this video at all: give
# it audio only (and say so) rather than spending a keyframe on it every few seconds.
RESYNC_LIMIT = 3
RESYNC_WINDOW = 30.0
# A track that sent nothing for 2 s (the longest keyframe wait we expect) is not flowing:
# its subscriber has nothing to acknowledge, so its silence says nothing about liveness.
FLOW_PAUSE = 2.0
# Direct sending: bytes the kernel could not take yet for one subscriber (asyncio keeps
# them); 256 KB is ~4 s of a 500 kbps video, after which the viewer is resynchronised.
DIRECT_BACKLOG_BYTES = 256 * 1024


class PacketSender(Protocol):
    """Sends a frame's RTP payloads straight onto a subscriber's stream (aiortc_seams)."""

    def ready(self) -> bool: ...

    def backlog(self) -> int: ...

    def send(self, payloads: Sequence[tuple[bytes, bool]], timestamp: int) -> bool: ...


class Forwarder:
    """One publisher track: receives encoded frames and fans them out."""

    def __init__(
        self,
        publisher_id: str,
        kind: Kind,
        codec: str,
        keyframes: KeyframeRequester | None,
        counters: RelayCounters | None = None,
    ) -> None:
        self.publisher_id = publisher_id
        self.kind: Kind = kind
        self.counters = counters if counters is not None else RelayCounters()
        self.codec = codec
        self.keyframes = keyframes  # None for audio
        self.muted = False
        self._downtracks: set[DownTrack] = set()
        self._fanout: tuple[DownTrack, ...] = ()  # snapshot: detaching inside the loop is safe
        self.frames = 0
        self.bytes = 0
        self.last_arrival: float | None = None
        self.ssrc: int | None = None  # the publisher's media SSRC, to address PLIs
        self.audio_level: int | None = None  # -dBov of the latest packet, 127 = silence
        self.closed = False

    @property
    def downtracks(self) -> frozenset[DownTrack]:
        return frozenset(self._downtracks)

    def push(self, frame: EncodedFrame) -> None:
        self.frames += 1
        self.counters.frames_received += 1

        self.bytes += len(frame.data)
        self.last_arrival = frame.arrival
        self.ssrc = frame.ssrc
        if frame.audio_level is not None:
            self.audio_level = frame.audio_level
        if frame.keyframe and self.keyframes is not None:
            self.keyframes.keyframe_seen()
        if frame.discontinuity and not frame.keyframe:
            self._lost_picture()
        if self.muted or not self._fanout:
            return
        now = time.monotonic()  # one clock read per frame, not one per viewer
        for downtrack in self._fanout:
            downtrack.offer(self, frame, now)

    def _lost_picture(self) -> None:
        """A frame was lost upstream: viewers freeze until a keyframe rather than show garbage."""
        for downtrack in self._fanout:
            downtrack.wait_for_keyframe()
        self.request_keyframe()

    def attach(self, downtrack: DownTrack) -> None:
        if len(self._downtracks) >= MAX_SUBSCRIBERS_PER_TRACK:
            raise OverflowError(f"{self.publisher_id} {self.kind}: subscriber limit reached")
        self._downtracks.add(downtrack)
        self._fanout = tuple(self._downtracks)

    def detach(self, downtrack: DownTrack) -> None:
        self._downtracks.discard(downtrack)
        self._fanout = tuple(self._downtracks)

    def request_keyframe(self) -> None:

        if self.keyframes is not None and not self.closed:
            self.keyframes.request()

    def close(self) -> None:
        """The publisher's track ended: every down track goes idle (no frames, not ended)."""
        self.closed = True
        if self.keyframes is not None:
            self.keyframes.close()
        for downtrack in list(self._downtracks):
            downtrack.switch(None)


class DownTrack(MediaStreamTrack):
    """A subscriber's view of one forwarded track, re-pointable to another publisher.

    `recv()` yields `av.Packet`s, which aiortc's RTCRtpSender re-packetises without encoding.
    Timestamps are rewritten so they keep increasing across a switch of publisher.
    """

    # The relay's totals for /metrics: the relay points each down track at its own.
    counters = RelayCounters()  # a down track made on its own counts into this one

    def __init__(
        self,
        kind: Kind,
        codec: str,
        on_failing: Callable[[DownTrack], None] | None = None,
        epoch: float | None = None,
    ) -> None:
        super().__init__()
        self.kind: Kind = kind
        self.codec = codec
        self._on_failing = on_failing
        self._epoch = epoch  # monotonic time of timestamp 0 (recording); None: first frame is 0
        self._limit = AUDIO_QUEUE_FRAMES if kind == "audio" else VIDEO_QUEUE_FRAMES
        self._direct: PacketSender | None = None
        self._queue: collections.deque[tuple[int, EncodedFrame]] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._source: Forwarder | None = None
        self._reading = False
        self._need_keyframe = kind == "video"
        self._resyncs: collections.deque[float] = collections.deque()
        # timestamp rewriting
        self._rebase_source: Forwarder | None = None  # the publisher and SSRC the offset is for
        self._rebase_ssrc = -1
        self._offset = 0
        self._last_out: int | None = None
        self._last_arrival = 0.0
        # counters for stats
        self.frames_sent = 0
        self.bytes_sent = 0
        self.dropped = 0
        self.resyncs = 0
        self.first_frame_at: float | None = None  # monotonic time of the first frame sent
        self._last_sent_at: float | None = None
        self._flow_start: float | None = None  # first frame sent since the last switch

    @property
    def source(self) -> Forwarder | None:
        return self._source

    @property
    def flowing_since(self) -> float | None:
        """Since when media has been sent without a pause (None: not flowing now)."""
        if self._last_sent_at is None or time.monotonic() - self._last_sent_at > FLOW_PAUSE:
            return None
        return self._flow_start

    def switch(self, source: Forwarder | None) -> None:
        """Forward `source` from now on (None: idle). Video waits for a keyframe."""
        if source is self._source:
            return
        if source is not None and source.kind != self.kind:
            raise ValueError(f"cannot forward {source.kind} on a {self.kind} track")
        if self._source is not None:
            self._source.detach(self)
        self._queue.clear()
        self._need_keyframe = self.kind == "video"
        self._flow_start = None
        self._source = source
        if source is not None:
            source.attach(self)
            if self._reading:
                source.request_keyframe()

    @property
    def packet_sender(self) -> PacketSender | None:
        return self._direct

    def send_directly(self, sender: PacketSender) -> None:
        """Send frames' original RTP payloads through `sender` instead of queueing them for
        aiortc's RTCRtpSender (which re-packetises): same rules, a fraction of the CPU."""
        self._direct = sender

    def wait_for_keyframe(self) -> None:
        """Forward nothing until the next keyframe (the publisher lost a frame)."""
        if self.kind == "video":
            self._need_keyframe = True

    def offer(self, source: Forwarder, frame: EncodedFrame, now: float | None = None) -> None:
        """Called by the forwarder for every frame (`now`: its time.monotonic()); must never
        block."""
        direct = self._direct
        if not self._reading and not self._start_direct(source):
            return  # nobody reads yet (transport not up): start at a keyframe once it does
        if (
            direct.backlog() > DIRECT_BACKLOG_BYTES
            if direct is not None
            else len(self._queue) >= self._limit
        ):
            if direct is not None and self.kind == "audio":
                self.dropped += 1  # the kernel is behind: skip these 20 ms
                self.counters.frames_dropped += 1
                return
            self._overflow(source)
            if self._source is not source:
                return  # downgraded by the overflow
        if self._need_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                self.counters.frames_dropped += 1
                return
            self._need_keyframe = False
        timestamp = self._rebase(source, frame)
        if direct is not None:
            if direct.send(frame.payloads, timestamp):
                self._count_sent(frame, time.monotonic() if now is None else now)
            return
        self._queue.append((timestamp, frame))
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _start_direct(self, source: Forwarder) -> bool:
        """Direct sending starts when the subscriber's transport is up, at a keyframe."""
        if self._direct is None or not self._direct.ready():
            return False
        self._reading = True
        source.request_keyframe()
        return True

    def _overflow(self, source: Forwarder) -> None:
        if self.kind == "audio":
            self._queue.popleft()
            self.dropped += 1
            self.counters.frames_dropped += 1
            return
        self.dropped += len(self._queue)
        self.counters.frames_dropped += len(self._queue)
        self._queue.clear()
        self._need_keyframe = True
        self.resyncs += 1
        self.counters.resyncs += 1
        now = time.monotonic()
        self._resyncs.append(now)
        while self._resyncs and now - self._resyncs[0] > RESYNC_WINDOW:
            self._resyncs.popleft()
        if len(self._resyncs) >= RESYNC_LIMIT and self._on_failing is not None:
            self._resyncs.clear()
            self._on_failing(self)
        else:
            source.request_keyframe()

    def _rebase(self, source: Forwarder, frame: EncodedFrame) -> int:
        if source is not self._rebase_source or frame.ssrc != self._rebase_ssrc:
            rate = clock_rate(self.kind)
            if self._last_out is None:
                start = 0 if self._epoch is None else int((frame.arrival - self._epoch) * rate)
            else:
                gap = int((frame.arrival - self._last_arrival) * rate)
                start = self._last_out + max(1, gap)
            self._offset = start - frame.timestamp
            self._rebase_source, self._rebase_ssrc = source, frame.ssrc
        out = frame.timestamp + self._offset
        if self._last_out is not None and out <= self._last_out:
            out = self._last_out + 1  # never step back, or the receiver drops the frame
        self._last_out = out
        self._last_arrival = frame.arrival
        return out

    async def recv(self) -> av.Packet[Any]:
        if not self._reading:
            self._reading = True
            if self._source is not None:
                self._source.request_keyframe()
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        timestamp, frame = self._queue.popleft()
        self._count_sent(frame, time.monotonic())
        packet = av.Packet(frame.data)
        packet.pts = timestamp
        packet.dts = timestamp
        packet.time_base = AUDIO_TIME_BASE if self.kind == "audio" else VIDEO_TIME_BASE
        if frame.keyframe and self.kind == "video":
            packet.is_keyframe = True
        return packet

    def _count_sent(self, frame: EncodedFrame, now: float) -> None:
        self.frames_sent += 1
        self.bytes_sent += len(frame.data)
        counters = self.counters
        counters.frames_forwarded += 1
        counters.packets_forwarded += len(frame.payloads)
        if self._flow_start is None:
            self._flow_start = now
            if self.first_frame_at is None:
                self.first_frame_at = now
        self._last_sent_at = now

    def stop(self) -> None:
        self.switch(None)
        super().stop()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
