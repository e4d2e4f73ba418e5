"""Every touch of aiortc (and aioice) internals, in one place, checked at start-up.

Verified against aiortc 1.16.0 / aioice 0.13.0 (see docs/media.md for file and line numbers).
aiortc's public API decodes every received frame and encodes every sent one; a relay must do
neither. The seams used here:

* Receive: `RTCRtpReceiver._handle_rtp_packet` reassembles RTP packets in
  `self.__jitter_buffer.add(packet)` and hands each complete frame to the decoder thread with
  `self.__decoder_queue.put((codec, encoded_frame))`. Per receiver, we replace that queue by
  one that passes the frame straight to the relay on the event loop (no decoder, no thread
  hop), and the jitter buffer by one that releases a frame at its last packet instead of at
  the next frame's first (aiortc's buffer holds video one frame interval and audio four
  packets, 80 ms, per hop).
  The issue's other seam -- a pass-through decoder returned by a patched
  `aiortc.rtcrtpreceiver.get_decoder` -- would be process-wide (every peer connection in the
  process, including a test's own clients, would stop decoding) and keeps two thread hops
  per frame; the per-receiver queue is both narrower and cheaper.
* Send: `RTCRtpSender._next_encoded_frame` calls `self.__encoder.pack(data)` when a track
  yields an `av.Packet` (the path `MediaPlayer(decode=False)` uses): it only re-packetises.
  That is public behaviour, but checked here too because the relay depends on it.
* Keyframe requests: `RTCRtpSender._handle_rtcp_packet` calls `self._send_keyframe()` on PLI
  or FIR; we shadow that method per sender instance. Upstream, `RTCRtpReceiver._send_rtcp_pli`
  sends a PLI for a media SSRC.
* REMB: the receiver's `self.__remote_bitrate_estimator.add(...)` result is sent as RTCP at
  once; we wrap the estimator per receiver to report at most twice a second.
* Negotiated codec of a transceiver: `RTCRtpTransceiver._codecs[0]`.
* aioice gathers host candidates from `aioice.ice.get_host_addresses`, which skips
  127.0.0.1; `restrict_host_addresses` replaces it (process-wide: aioice reads no option).
"""

from __future__ import annotations

import inspect
import queue
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import aioice.ice
import aiortc
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rate import RemoteBitrateEstimator
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.rtp import RtpPacket
from aiortc.utils import uint32_gt

from media.frames import EncodedFrame, Kind, is_keyframe

VERIFIED_AIORTC_VERSION = "1.16.0"
VERIFIED_AIOICE_VERSION = "0.13.0"

# aiortc's own video capacity: 512 packets hold a few keyframes at our bitrates, and it must
# be a power of two (JitterBuffer asserts it).
VIDEO_BUFFER_PACKETS = 512

# How long a video frame with a lost packet may hold up the frames behind it while NACK asks
# for a retransmission: one or two round trips on a 3G or satellite link. aiortc waits until
# 512 packets (seconds of video) pile up; past this the picture restarts at a keyframe.
MAX_HOLD_TICKS = 90_000 * 300 // 1000  # 300 ms in the 90 kHz video clock

# REMB (receiver bandwidth estimate) at most twice a second per publisher: aiortc sends one
# for most video packets when arrival times jitter (a busy server), each an SRTCP packet; an
# encoder adapts over about a second, so 2/s still reacts promptly to a congested uplink.
REMB_MIN_INTERVAL = 0.5

FrameSink = Callable[[EncodedFrame], None]


class SeamError(RuntimeError):
    """aiortc no longer looks like the version the relay was verified against."""


class _Frame(JitterFrame):
    """A reassembled frame plus what the relay needs from its RTP packets."""

    def __init__(self, data: bytes, timestamp: int, ssrc: int, clean_start: bool) -> None:
        super().__init__(data, timestamp)
        self.ssrc = ssrc
        self.clean_start = clean_start  # the frame's first packet starts the picture
        self.audio_level: int | None = None
        self.discontinuity = False  # frames before this one were given up as lost


def _starts_picture(packet: RtpPacket) -> bool:
    # VP8 payload descriptor (RFC 7741 §4.2): S=1 and PID=0 on the first packet of a frame.
    # For other codecs the first byte is not a VP8 descriptor and the check is not used.
    return bool(packet.payload) and packet.payload[0] & 0x17 == 0x10


def _join(packets: Sequence[RtpPacket]) -> bytes:
    return b"".join(p._data for p in packets)  # type: ignore[attr-defined]


class _VideoBuffer(JitterBuffer):
    """aiortc's jitter buffer, but a frame is released at its marker packet.

    aiortc releases a frame only when the next frame's first packet arrives, which costs one
    frame interval (67 ms at 15 fps) per hop. Loss handling (NACK, PLI on overflow) is
    unchanged because `add` is the parent's.
    """

    def __init__(self) -> None:
        super().__init__(capacity=VIDEO_BUFFER_PACKETS, is_video=True)
        self._gave_up = False

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli_flag, frame = super().add(packet)
        if frame is None and self._skip_stalled(packet):
            frame = self._remove_frame(packet.sequence_number)
        if isinstance(frame, _Frame) and self._gave_up:
            frame.discontinuity, self._gave_up = True, False
        return pli_flag, frame

    def _skip_stalled(self, newest: RtpPacket) -> bool:
        """Give up a frame that waited MAX_HOLD_TICKS for a lost packet, and what it held up.

        The frames behind it are deltas that depend on it, useless until the next keyframe
        (which the forwarder requests): dropping them all keeps the latency from growing.
        """
        assert self._origin is not None
        slots = [(self._origin + n) % self._capacity for n in range(self._capacity)]
        head = next((self._packets[s] for s in slots if self._packets[s] is not None), None)
        if head is None or not MAX_HOLD_TICKS < (newest.timestamp - head.timestamp) % 2**32 < 2**31:
            return False
        for count, slot in enumerate(slots):
            packet = self._packets[slot]
            if packet is not None and packet.timestamp == newest.timestamp:
                self.remove(count)
                self._gave_up = True
                return True
        return False

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        assert self._origin is not None
        packets: list[RtpPacket] = []
        for count in range(self._capacity):
            packet = self._packets[(self._origin + count) % self._capacity]
            if packet is None:
                return None
            if packets and packet.timestamp != packets[0].timestamp:
                self.remove(count)  # the next frame started: release the previous one
                return self._frame(packets)
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return self._frame(packets)
        return None

    @staticmethod
    def _frame(packets: list[RtpPacket]) -> _Frame:
        first = packets[0]
        return _Frame(_join(packets), first.timestamp, first.ssrc, _starts_picture(first))


class _AudioBuffer(JitterBuffer):
    """Every audio RTP packet is a whole frame: release it at once, drop late ones.

    aiortc's audio buffer prefetches four packets (80 ms) before releasing any; the
    subscriber's own jitter buffer absorbs jitter, so the relay need not add its own.
    """

    def __init__(self) -> None:
        super().__init__(capacity=16)
        self._last_timestamp: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        last = self._last_timestamp
        if last is not None and not uint32_gt(packet.timestamp, last):
            return False, None  # late or duplicate: the subscriber already got its successor
        self._last_timestamp = packet.timestamp
        frame = _Frame(_join([packet]), packet.timestamp, packet.ssrc, clean_start=True)
        level = packet.extensions.audio_level
        frame.audio_level = level[1] if level is not None else None
        return False, frame


class _ThrottledEstimator:
    """aiortc's RemoteBitrateEstimator, estimating on every packet but reporting less often."""

    def __init__(self, estimator: RemoteBitrateEstimator) -> None:
        self._estimator = estimator
        self._last_report = -REMB_MIN_INTERVAL

    def add(
        self, arrival_time_ms: int, abs_send_time: int, payload_size: int, ssrc: int
    ) -> tuple[int, list[int]] | None:
        remb = self._estimator.add(
            arrival_time_ms=arrival_time_ms,
            abs_send_time=abs_send_time,
            payload_size=payload_size,
            ssrc=ssrc,
        )
        now = time.monotonic()
        if remb is None or now - self._last_report < REMB_MIN_INTERVAL:
            return None
        self._last_report = now
        return remb


class _SinkQueue(queue.Queue[Any]):
    """Stands in for the receiver's decoder queue: frames go to the relay, not a decoder.

    `put` runs on the event loop inside `_handle_rtp_packet`. The stop sentinel (None) still
    reaches the idle decoder thread so that it exits and ends the track as aiortc intends.
    """

    def __init__(self, kind: Kind, sink: FrameSink) -> None:
        super().__init__()
        self._kind: Kind = kind
        self._sink = sink

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(None, block, timeout)
            return
        codec, frame = item
        self._sink(_encoded(self._kind, codec.mimeType.lower(), frame))


def _encoded(kind: Kind, codec: str, frame: JitterFrame) -> EncodedFrame:
    assert isinstance(frame, _Frame)
    keyframe = is_keyframe(codec, frame.data)
    if codec == "video/vp8":
        keyframe = keyframe and frame.clean_start
    return EncodedFrame(
        kind=kind,
        codec=codec,
        data=frame.data,
        timestamp=frame.timestamp,
        keyframe=keyframe,
        ssrc=frame.ssrc,
        arrival=time.monotonic(),
        audio_level=frame.audio_level,
        discontinuity=frame.discontinuity,
    )


def install_receiver_sink(receiver: RTCRtpReceiver, kind: Kind, sink: FrameSink) -> None:
    """Make `receiver` hand its encoded frames to `sink` instead of decoding them.

    Must run before `receiver.receive()` starts the decoder thread, i.e. from the peer
    connection's "track" event.
    """
    if getattr(receiver, "_RTCRtpReceiver__started", True):
        raise SeamError("receiver already started: install the sink from the 'track' event")
    receiver._RTCRtpReceiver__decoder_queue = _SinkQueue(kind, sink)  # type: ignore[attr-defined]
    buffer = _AudioBuffer() if kind == "audio" else _VideoBuffer()
    receiver._RTCRtpReceiver__jitter_buffer = buffer  # type: ignore[attr-defined]
    estimator = receiver._RTCRtpReceiver__remote_bitrate_estimator  # type: ignore[attr-defined]
    if isinstance(estimator, RemoteBitrateEstimator):
        throttled = _ThrottledEstimator(estimator)
        receiver._RTCRtpReceiver__remote_bitrate_estimator = throttled  # type: ignore[attr-defined]


def hook_sender_keyframe(sender: RTCRtpSender, on_request: Callable[[], None]) -> None:
    """Call `on_request` when the remote peer sends PLI or FIR to this sender."""
    sender._send_keyframe = on_request  # type: ignore[method-assign]


def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> Coroutine[Any, Any, None]:
    """Ask the publisher behind `receiver` for a keyframe (RTCP PLI, RFC 4585 §6.3.1)."""
    return receiver._send_rtcp_pli(media_ssrc)


def negotiated_codec(transceiver: RTCRtpTransceiver) -> str | None:
    """Lower-case MIME type of the codec this transceiver negotiated, once negotiated."""
    codecs = transceiver._codecs
    return codecs[0].mimeType.lower() if codecs else None


_ORIGINAL_GET_HOST_ADDRESSES = aioice.ice.get_host_addresses


def restrict_host_addresses(addresses: Sequence[str] | None) -> None:
    """Offer ICE host candidates only on `addresses` (None: aioice's own choice).

    Process-wide, because aioice reads no per-connection option. Lets tests and benchmarks
    stay on 127.0.0.1, and a server with several interfaces choose the one sites can reach.
    """
    if addresses is None:
        aioice.ice.get_host_addresses = _ORIGINAL_GET_HOST_ADDRESSES
        return
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses


class _ClosedTransport:
    state = "new"


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise SeamError(
            f"aiortc {aiortc.__version__} changed: {what}. The relay was verified against "
            f"aiortc {VERIFIED_AIORTC_VERSION}; re-verify media/aiortc_seams.py before upgrading."
        )


def _source_has(function: Callable[..., Any], *snippets: str) -> bool:
    source = inspect.getsource(function)
    return all(s in source for s in snippets)


def check_seams() -> None:
    """Raise SeamError, naming the broken seam, if aiortc no longer matches this module."""
    _require(aiortc.__version__ == VERIFIED_AIORTC_VERSION, "version differs")
    _require(
        _source_has(
            RTCRtpReceiver._handle_rtp_packet,
            "self.__jitter_buffer.add(packet)",
            "self.__decoder_queue.put((codec, encoded_frame))",
            "packet._data = depayload(",
            "self.__remote_bitrate_estimator.add(",
        ),
        "RTCRtpReceiver._handle_rtp_packet no longer feeds the jitter buffer and decoder queue",
    )
    receiver = RTCRtpReceiver("video", _ClosedTransport())  # type: ignore[arg-type]
    for name, kind in (
        ("_RTCRtpReceiver__decoder_queue", queue.Queue),
        ("_RTCRtpReceiver__jitter_buffer", JitterBuffer),
        ("_RTCRtpReceiver__remote_bitrate_estimator", RemoteBitrateEstimator),
        ("_RTCRtpReceiver__started", bool),
    ):
        _require(isinstance(getattr(receiver, name, None), kind), f"receiver has no {name}")
    _require(
        _source_has(JitterBuffer.add, "self._remove_frame(packet.sequence_number)"),
        "JitterBuffer.add no longer delegates to _remove_frame",
    )
    _require(
        list(inspect.signature(RTCRtpReceiver._send_rtcp_pli).parameters) == ["self", "media_ssrc"],
        "RTCRtpReceiver._send_rtcp_pli(media_ssrc) is gone",
    )
    _require(
        _source_has(RTCRtpSender._handle_rtcp_packet, "self._send_keyframe()"),
        "RTCRtpSender no longer calls _send_keyframe on PLI/FIR",
    )
    _require(
        _source_has(RTCRtpSender._next_encoded_frame, "self.__encoder.pack(data)"),
        "RTCRtpSender no longer re-packetises av.Packet without encoding",
    )
    for encoder in (Vp8Encoder, H264Encoder, OpusEncoder):
        _require(callable(getattr(encoder, "pack", None)), f"{encoder.__name__}.pack is gone")
    _require(
        "_codecs" in inspect.getsource(RTCRtpTransceiver.__init__),
        "RTCRtpTransceiver._codecs is gone",
    )
    _require(
        list(inspect.signature(_ORIGINAL_GET_HOST_ADDRESSES).parameters) == ["use_ipv4", "use_ipv6"]
        and "get_host_addresses(" in inspect.getsource(aioice.ice.Connection.gather_candidates),
        "aioice.ice.get_host_addresses is no longer how host candidates are found",
    )
