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
  once; we drop the estimator (default) or wrap it to report at most twice a second.
* Direct sending (`DirectSender`): the sender's RTCP sender-report counters
  (`__packet_count`, `__octet_count`, `__ntp_timestamp`, `__rtp_timestamp`), its NACK path
  (`self._retransmit(seq)`), the DTLS transport's `_state` and `_tx_srtp` session, and
  aioice's nominated pair (`_connection._nominated[1]`, `protocol.transport`, `remote_addr`).
* Direct receiving (`install_direct_receive`): aioice hands every datagram to
  `Connection.data_received`, which queues it for the DTLS transport's reader task
  (`RTCDtlsTransport._recv_next`: one Task wake-up, four awaits and a STUN parse attempt per
  packet). For SRTP packets we shadow `data_received` (and, once connected, the nominated
  pair's `StunProtocol.datagram_received`) per instance and call what `_recv_next` would:
  `_rx_srtp.unprotect` then `_handle_rtp_data` (or `unprotect_rtcp` then
  `_handle_rtcp_data`), at once, unless the reader task still has datagrams queued (asyncio
  Queue's `_queue` deque), whose order is kept. DTLS and STUN keep aiortc's path.
  `NackGenerator.truncate` scans every missing sequence number on every packet; ours
  returns at once when nothing is missing.
* Compiled receive (`_CompiledStream`, media/_receive.c): a VP8 or Opus stream's object in
  the receiver's `__remote_streams` is a `media._receive.InboundStream` with the fields
  aiortc's receiver reports and getStats read (StreamStatistics'), and the receiver's
  `_handle_rtp_packet` is shadowed per instance so that packets aiortc's reader delivers
  reach the same state. The audio-level header extension id comes from the DTLS
  transport's `HeaderExtensionsMap.__ids`.
* Lean receive (`_LeanReceive`): for receivers with our sink, the direct path does not call
  `RTCDtlsTransport._handle_rtp_data` (RTP parse with every header extension, then the
  `RTCRtpReceiver._handle_rtp_packet` coroutine) but parses the header itself, routes with
  aiortc's `RtpRouter.route_rtp` and does, synchronously and in aiortc's order, what that
  coroutine does that matters to a relay: receiver-report statistics, RTX unwrap, NACK, the
  (throttled) REMB estimator, the jitter buffer and PLI on its flag, the timestamp mapper.
  Dropped: a datetime per packet for `getSynchronizationSources` (refreshed every
  `ACTIVE_SSRC_EVERY` packets instead), debug logging, the decoder-error check (no decoder
  runs). The replaced functions are fingerprinted: any change to them refuses to start.
* Negotiated codec of a transceiver: `RTCRtpTransceiver._codecs[0]`.
* aioice gathers host candidates from `aioice.ice.get_host_addresses`, which skips
  127.0.0.1; `restrict_host_addresses` replaces it (process-wide: aioice reads no option).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import inspect
import logging
import queue
import socket
import struct
import time
import types
from collections.abc import Callable, Coroutine, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import aioice
import aioice.ice
import aiortc
import pylibsrtp
import pylibsrtp._binding
from aiortc import clock
from aiortc.codecs import depayload, is_rtx
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder, VpxPayloadDescriptor, vp8_depayload
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rate import RemoteBitrateEstimator
from aiortc.rtcdtlstransport import RTCDtlsTransport, RtpRouter
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcicetransport import RTCIceTransport
from aiortc.rtcrtpreceiver import NackGenerator, RTCRtpReceiver, StreamStatistics
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTP_HISTORY_SIZE,
    HeaderExtensions,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtpPacket,
    is_rtcp,
    pack_remb_fci,
    unwrap_rtx,
)
from aiortc.utils import random16, uint32_gt

from media.frames import EncodedFrame, Kind, is_keyframe
from media.interfaces import RelayCounters

try:  # compiled by `pip install -e .` (setup.py); without a C compiler, Python does their work
    from media import _fastpath, _receive
except ImportError:  # pragma: no cover - the test machine has gcc
    _fastpath = _receive = None  # type: ignore[assignment]

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

# Lean receive: `getSynchronizationSources()` lists SSRCs seen in the last 10 s; aiortc stamps
# a datetime on every packet, we on every 64th (1.3 s of audio, ~4 s of the thinnest video).
ACTIVE_SSRC_EVERY = 64

FrameSink = Callable[[EncodedFrame], None]

log = logging.getLogger(__name__)


class SeamError(RuntimeError):
    """aiortc no longer looks like the version the relay was verified against."""


class _Frame(JitterFrame):
    """A reassembled frame plus what the relay needs from its RTP packets."""

    def __init__(
        self, packets: Sequence[RtpPacket], timestamp: int, ssrc: int, clean_start: bool
    ) -> None:
        super().__init__(_join(packets), timestamp)
        self.payloads = tuple((p.payload, bool(p.marker)) for p in packets)
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
    frame interval (67 ms at 15 fps) per hop. aiortc's loss handling (NACK, PLI on overflow)
    is kept; on top, a frame still missing a packet after MAX_HOLD_TICKS is given up.
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
        head = self._packet_at(0)  # a held frame's first packet; rarely the one that is lost
        if head is None:
            head = next(filter(None, map(self._packet_at, range(1, self._capacity))), None)
        if head is None or not MAX_HOLD_TICKS < (newest.timestamp - head.timestamp) % 2**32 < 2**31:
            return False
        for count in range(self._capacity):
            packet = self._packet_at(count)
            if packet is not None and packet.timestamp == newest.timestamp:
                self.remove(count)
                self._gave_up = True
                return True
        return False

    def _packet_at(self, count: int) -> RtpPacket | None:
        assert self._origin is not None
        return self._packets[(self._origin + count) % self._capacity]

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        while (complete := self._complete_frame()) is not None:
            count, packets = complete
            self.remove(count)
            if any(p.payload for p in packets):
                return self._frame(packets)
            # Padding only (a sender probing bandwidth without RTX): it keeps the sequence
            # contiguous, and is dropped here.
        return None

    def _complete_frame(self) -> tuple[int, list[RtpPacket]] | None:
        """(packets to remove, the frame's packets) for the oldest frame, once complete."""
        packets: list[RtpPacket] = []
        for count in range(self._capacity):
            packet = self._packet_at(count)
            if packet is None:
                return None
            if packets and packet.timestamp != packets[0].timestamp:
                return count, packets  # the next frame started: the previous one is whole
            packets.append(packet)
            if packet.marker:
                return count + 1, packets
        return None

    @staticmethod
    def _frame(packets: list[RtpPacket]) -> _Frame:
        first = packets[0]
        whole = [p for p in packets if p.payload]
        return _Frame(whole, first.timestamp, first.ssrc, _starts_picture(whole[0]))


class _AudioBuffer(JitterBuffer):
    """Every audio RTP packet is a whole frame: release it at once, drop late ones.

    aiortc's audio buffer prefetches four packets (80 ms) before releasing any; the
    subscriber's own jitter buffer absorbs jitter, so the relay need not add its own.
    """

    def __init__(self) -> None:
        super().__init__(capacity=16)
        self._last_timestamp: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if not packet.payload:
            return False, None  # padding
        last = self._last_timestamp
        if last is not None and not uint32_gt(packet.timestamp, last):
            return False, None  # late or duplicate: the subscriber already got its successor
        self._last_timestamp = packet.timestamp
        frame = _Frame([packet], packet.timestamp, packet.ssrc, clean_start=True)
        level = packet.extensions.audio_level
        frame.audio_level = level[1] if level is not None else None
        return False, frame


class _TimestampMapper:
    """aiortc's TimestampMapper (a stream's first frame at 0, wraps unfolded), except that
    only a step forward across 2**32 counts as a wrap. aiortc takes any step back for one,
    so a single stale frame (one a reset jitter buffer still released) moved every later
    timestamp 2**32 ticks (13 hours of video) ahead; here it maps behind, once."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._unwrapped = 0
        self._origin = 0

    def map(self, timestamp: int) -> int:
        if self._last is None:
            self._last = self._unwrapped = self._origin = timestamp
            return 0
        step = (timestamp - self._last + 2**31) % 2**32 - 2**31  # signed, modulo 2**32
        unwrapped = self._unwrapped + step
        if step > 0:
            self._last, self._unwrapped = timestamp, unwrapped
        return unwrapped - self._origin


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
        payloads=frame.payloads,
    )


def install_receiver_sink(
    receiver: RTCRtpReceiver,
    kind: Kind,
    sink: FrameSink,
    estimate_bandwidth: bool = True,
    compiled: bool = True,
    counters: RelayCounters | None = None,
) -> None:
    """Make `receiver` hand its encoded frames to `sink` instead of decoding them.

    Must run before `receiver.receive()` starts the decoder thread, i.e. from the peer
    connection's "track" event. `compiled`: VP8 and Opus streams are received by
    media/_receive.c when it was built (and no bandwidth estimator needs every packet).
    """
    if getattr(receiver, "_RTCRtpReceiver__started", True):
        raise SeamError("receiver already started: install the sink from the 'track' event")
    receiver._RTCRtpReceiver__decoder_queue = _SinkQueue(kind, sink)  # type: ignore[attr-defined]
    buffer = _AudioBuffer() if kind == "audio" else _VideoBuffer()
    receiver._RTCRtpReceiver__jitter_buffer = buffer  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__timestamp_mapper = _TimestampMapper()  # type: ignore[attr-defined]
    estimator = receiver._RTCRtpReceiver__remote_bitrate_estimator  # type: ignore[attr-defined]
    if isinstance(estimator, RemoteBitrateEstimator):
        # None: aiortc skips estimation (and REMB) altogether.
        replacement = _ThrottledEstimator(estimator) if estimate_bandwidth else None
        receiver._RTCRtpReceiver__remote_bitrate_estimator = replacement  # type: ignore[attr-defined]
    if isinstance(getattr(receiver, "_RTCRtpReceiver__nack_generator", None), NackGenerator):
        receiver._RTCRtpReceiver__nack_generator = _NackGenerator()  # type: ignore[attr-defined]
    lean = _LeanReceive(receiver, kind, sink, compiled, counters)
    setattr(receiver, _LEAN_ATTR, lean)

    async def handle_rtp_packet(packet: RtpPacket, arrival_time_ms: int) -> None:
        lean(packet)  # aiortc's reader too: a stream's packets all reach the same state

    receiver._handle_rtp_packet = handle_rtp_packet  # type: ignore[method-assign]
    install_direct_receive(receiver.transport)


class _NackGenerator(NackGenerator):
    """aiortc's, without scanning the (nearly always empty) missing set on every packet."""

    def truncate(self) -> None:
        if self.missing:
            super().truncate()


def install_direct_receive(dtls: RTCDtlsTransport) -> None:
    """Handle SRTP packets arriving on `dtls` as they come off the socket (see module doc).

    Idempotent: the transceivers of one connection share its transport.
    """
    connection = dtls.transport._connection
    if not isinstance(getattr(connection, "data_received", None), _DirectReceive):
        connection.data_received = _DirectReceive(dtls, connection)  # type: ignore[method-assign]


def packets_received_directly(dtls: RTCDtlsTransport) -> int:
    """SRTP packets of `dtls` handled by the direct path (0 if it is not installed)."""
    hook = getattr(dtls.transport._connection, "data_received", None)
    return hook.packets if isinstance(hook, _DirectReceive) else 0


def packets_handled_lean(receiver: RTCRtpReceiver) -> int:
    """RTP packets of `receiver` handled by `_LeanReceive` in Python (not aiortc's coroutine)."""
    lean = getattr(receiver, _LEAN_ATTR, None)
    return lean.packets if isinstance(lean, _LeanReceive) else 0


def packets_handled_compiled(receiver: RTCRtpReceiver) -> int:
    """RTP packets of `receiver` handled by media/_receive.c."""
    lean = getattr(receiver, _LEAN_ATTR, None)
    if not isinstance(lean, _LeanReceive):
        return 0
    return sum(stream.inbound.packets for stream in lean.compiled.values())


_LEAN_ATTR = "_relay_lean_receive"
_RECEIVER = "_RTCRtpReceiver__"  # prefix of RTCRtpReceiver's private attributes


class _LeanReceive:
    """`RTCRtpReceiver._handle_rtp_packet` for a relayed track, synchronous and lean.

    Same steps in the same order as aiortc 1.16.0 (fingerprinted in `check_seams`), on the
    receiver's own state, so aiortc's path (still used for packets that arrive while its
    reader queue drains) and this one can take turns: receiver-report statistics, RTX
    unwrap, NACK, the REMB estimator if kept, the jitter buffer, PLI on its flag, the
    timestamp mapper. Not done: a datetime per packet (see ACTIVE_SSRC_EVERY), debug
    logging, the decoder-error check (frames never reach a decoder). RTCP goes out through
    the receiver's own coroutines, run with `run_now` (they complete synchronously).
    """

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        kind: Kind,
        sink: FrameSink,
        compiled: bool = False,
        counters: RelayCounters | None = None,
    ) -> None:
        self._receiver = receiver
        self._counters = counters if counters is not None else RelayCounters()
        self._kind: Kind = kind
        self._sink = sink
        state = {
            name: getattr(receiver, _RECEIVER + name)
            for name in (
                "codecs",
                "remote_streams",
                "rtx_ssrc",
                "active_ssrc",
                "nack_generator",
                "jitter_buffer",
                "remote_bitrate_estimator",
                "timestamp_mapper",
            )
        }
        self._codecs: dict[int, Any] = state["codecs"]  # filled in place by receive()
        self._streams: dict[int, StreamStatistics] = state["remote_streams"]
        self._rtx_ssrc: dict[int, int] = state["rtx_ssrc"]
        self._active_ssrc: dict[int, Any] = state["active_ssrc"]
        self._nack: NackGenerator | None = state["nack_generator"]
        self._buffer: JitterBuffer = state["jitter_buffer"]
        self._estimator: Any = state["remote_bitrate_estimator"]
        self._mapper: Any = state["timestamp_mapper"]
        self._codec_kinds: dict[int, str] = {}  # payload type -> _RTX, _VP8 or _OTHER
        self._stamp_in = 0  # packets until __active_ssrc is stamped again
        self.packets = 0
        # Header extensions are parsed only if read: the audio level, abs-send-time for REMB.
        self.wants_extensions = kind == "audio" or self._estimator is not None
        # Streams received by media/_receive.c, by SSRC: every VP8 or Opus stream, unless a
        # bandwidth estimator must see each packet's arrival in Python.
        self._can_compile = compiled and _receive is not None and self._estimator is None
        self.compiled: dict[int, _CompiledStream] = {}

    def __call__(self, packet: RtpPacket) -> None:
        receiver = self._receiver
        if not receiver._enabled:
            return
        ssrc = packet.ssrc
        compiled = self.compiled.get(ssrc)
        if compiled is not None:  # aiortc's reader had it, or it is of another payload type
            compiled.add(packet, statistics=True)
            return
        self.packets += 1
        estimator = self._estimator
        if estimator is not None and packet.extensions.abs_send_time is not None:
            self._estimate(packet, estimator)
        self._stamp_in -= 1
        if self._stamp_in < 0 or ssrc not in self._active_ssrc:
            self._active_ssrc[ssrc] = clock.current_datetime()
            self._stamp_in = ACTIVE_SSRC_EVERY
        codec = self._codecs.get(packet.payload_type)
        if codec is None:
            return
        kind = self._codec_kinds.get(packet.payload_type)
        if kind is None:
            kind = self._codec_kinds[packet.payload_type] = _codec_kind(codec)
        stream = self._streams.get(ssrc)
        if stream is None:
            if self._can_compile and self._compile(packet, codec, kind):
                return
            stream = self._streams[ssrc] = StreamStatistics(codec.clockRate)
        stream.add(packet)
        if kind is _RTX:
            original_ssrc = self._rtx_ssrc.get(ssrc)
            apt = codec.parameters.get("apt")
            if (
                original_ssrc is None
                or len(packet.payload) < 2
                or not isinstance(apt, int)
                or apt not in self._codecs
            ):
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=original_ssrc)
            compiled = self.compiled.get(original_ssrc)
            if compiled is not None:
                compiled.add(packet, statistics=False)  # counted on the RTX stream above
                return
            codec = self._codecs[apt]
            kind = _codec_kind(codec)
        nack = self._nack
        if nack is not None and nack.add(packet):
            run_now(receiver._send_rtcp_nack(packet.ssrc, sorted(nack.missing)))
        payload = packet.payload
        try:
            if not payload:
                packet._data = b""  # type: ignore[attr-defined]
            elif kind is _VP8:
                packet._data = _vp8_depayload(payload)  # type: ignore[attr-defined]
            else:
                packet._data = depayload(codec, payload)  # type: ignore[attr-defined]
        except ValueError:
            return
        pli_flag, frame = self._buffer.add(packet)
        if pli_flag:
            run_now(receiver._send_rtcp_pli(packet.ssrc))
        if frame is not None:
            frame.timestamp = self._mapper.map(frame.timestamp)
            self._sink(_encoded(self._kind, codec.mimeType.lower(), frame))

    def _compile(self, packet: RtpPacket, codec: Any, kind: str) -> bool:
        """Hand the stream `packet` starts to media/_receive.c, if it is VP8 or Opus."""
        if kind is not _VP8 and codec.name.lower() != "opus":
            return False
        hook = getattr(self._receiver.transport.transport._connection, "data_received", None)
        if not isinstance(hook, _DirectReceive):
            return False
        stream = _CompiledStream(self, packet, codec, hook.audio_level_id())
        self.compiled[packet.ssrc] = stream
        # aiortc's receiver reports and getStats read it as the stream's StreamStatistics.
        self._streams[packet.ssrc] = stream.inbound  # type: ignore[assignment]
        hook.inbound[packet.ssrc] = stream.inbound
        stream.add(packet, statistics=True)
        return True

    def deliver(
        self, stream: _CompiledStream, nack: bool, pli: bool, frames: list[_receive.Frame] | None
    ) -> None:
        """What media/_receive.c left to Python for one packet: RTCP to send, frames."""
        receiver = self._receiver
        ssrc = stream.ssrc
        handled = stream.inbound.packets  # counted in C; added up here, once per result
        self._counters.packets_received_compiled += handled - stream.counted
        stream.counted = handled
        if nack:
            run_now(receiver._send_rtcp_nack(ssrc, stream.inbound.missing()))
        if pli:
            run_now(receiver._send_rtcp_pli(ssrc))
        if frames is None or not receiver._enabled:
            return
        self._stamp_in -= 1
        if self._stamp_in < 0:
            self._active_ssrc[ssrc] = clock.current_datetime()
            self._stamp_in = ACTIVE_SSRC_EVERY
        kind, codec, sink = self._kind, stream.codec, self._sink
        for timestamp, data, payloads, keyframe, discontinuity, level in frames:
            sink(
                EncodedFrame(
                    kind,
                    codec,
                    data,
                    timestamp,
                    keyframe,
                    ssrc,
                    time.monotonic(),
                    level,
                    discontinuity,
                    payloads,
                )
            )

    def _estimate(self, packet: RtpPacket, estimator: Any) -> None:
        receiver = self._receiver
        remb = estimator.add(
            abs_send_time=packet.extensions.abs_send_time,
            arrival_time_ms=clock.current_ms(),
            payload_size=len(packet.payload) + packet.padding_size,
            ssrc=packet.ssrc,
        )
        rtcp_ssrc = getattr(receiver, _RECEIVER + "rtcp_ssrc")
        if rtcp_ssrc is not None and remb is not None:
            report = RtcpPsfbPacket(
                fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0, fci=pack_remb_fci(*remb)
            )
            run_now(receiver._send_rtcp(report))


class _CompiledStream:
    """One publisher stream received by media/_receive.c, and who acts on its results."""

    def __init__(self, lean: _LeanReceive, packet: RtpPacket, codec: Any, level_id: int) -> None:
        video = codec.name == "VP8"
        self.lean = lean
        self.ssrc = packet.ssrc
        self.counted = 0  # of inbound.packets, already added to the relay's counters
        self.codec = codec.mimeType.lower()
        self.inbound = _receive.InboundStream(
            owner=self,
            ssrc=packet.ssrc,
            clock_rate=codec.clockRate,
            video=video,
            payload_type=packet.payload_type,
            hold_ticks=MAX_HOLD_TICKS if video else 0,
            audio_level_id=0 if video else level_id,
            capacity=VIDEO_BUFFER_PACKETS if video else 1,
        )

    def add(self, packet: RtpPacket, statistics: bool) -> None:
        """A packet of this stream that reached Python (see InboundStream.add_packet)."""
        if packet.payload_type != self.inbound.payload_type:
            return  # a second payload type on one SSRC: not something browsers send
        level = packet.extensions.audio_level
        result = self.inbound.add_packet(
            packet.sequence_number,
            packet.timestamp,
            bool(packet.marker),
            packet.payload,
            level[1] if level is not None else -1,
            statistics,
        )
        if result is not None:
            self.deliver(result)

    def deliver(self, result: _receive.Result) -> None:
        self.lean.deliver(self, result[2], result[3], result[4])


_RTX, _VP8, _OTHER = "rtx", "vp8", "other"


def _codec_kind(codec: Any) -> str:
    """What the lean path must know of a codec (aiortc's is_rtx and depayload tests)."""
    if is_rtx(codec):
        return _RTX
    return _VP8 if codec.name == "VP8" else _OTHER


def _vp8_depayload(payload: bytes) -> bytes:
    """aiortc's `vp8_depayload` without building a `VpxPayloadDescriptor`: the VP8 data after
    the payload descriptor (RFC 7741 §4.2), ValueError where aiortc raises one."""
    pos = 1
    if payload[0] & 0x80:  # X: extended control bits
        try:
            extended = payload[1]
            pos = 2
            if extended & 0x80:  # I: picture ID, 7 or 15 bits
                pos += 2 if payload[2] & 0x80 else 1
        except IndexError:
            raise ValueError("VPX descriptor is truncated") from None
        if extended & 0x40:  # L: TL0PICIDX
            pos += 1
        if extended & 0x30:  # T or K: one byte for both
            pos += 1
        if len(payload) < pos:
            raise ValueError("VPX descriptor is truncated")
    return payload[pos:]


_RTP_EXTENSION_HEADER = struct.Struct("!HH")


def _parse_rtp(data: bytes) -> tuple[RtpPacket, int, bytes | None] | None:
    """`RtpPacket.parse` minus the header extensions, returned raw (profile, value) so that
    they are decoded only for receivers that read them. None where aiortc raises."""
    if len(data) < 12:
        return None
    first, m_pt, sequence_number, timestamp, ssrc = _RTP_HEADER.unpack_from(data)
    if first >> 6 != 2:
        return None
    cc = first & 0x0F
    pos = 12 + 4 * cc
    if len(data) < pos:
        return None
    packet = RtpPacket(m_pt & 0x7F, m_pt >> 7, sequence_number, timestamp, ssrc)
    if cc:
        packet.csrc = list(struct.unpack_from(f"!{cc}L", data, 12))
    profile, extension = 0, None
    if first & 0x10:
        if len(data) < pos + 4:
            return None
        profile, length = _RTP_EXTENSION_HEADER.unpack_from(data, pos)
        pos += 4
        if len(data) < pos + 4 * length:
            return None
        extension = data[pos : pos + 4 * length]
        pos += 4 * length
    if first & 0x20:
        padding = data[-1]
        if not padding or padding > len(data) - pos:
            return None
        packet.padding_size = padding
        packet.payload = data[pos:-padding]
    else:
        packet.payload = data[pos:]
    return packet, profile, extension


def _header_extensions(
    extensions_map: HeaderExtensionsMap, profile: int, value: bytes
) -> HeaderExtensions | None:
    """The packet's header extensions as aiortc decodes them; None where aiortc's parser
    fails (ValueError: truncated; struct.error: e.g. a 2-byte audio level), so that a
    malformed packet is dropped rather than raising out of the socket's callback."""
    try:
        return extensions_map.get(profile, value)
    except (ValueError, struct.error):
        return None


class _DirectReceive:
    """Stands in for `aioice.Connection.data_received` (and the pair's datagram_received)."""

    def __init__(self, dtls: RTCDtlsTransport, connection: aioice.Connection) -> None:
        self._dtls = dtls
        self._router: RtpRouter = dtls._rtp_router
        self._extensions_map = dtls._rtp_header_extensions_map
        self._connection = connection
        self._queued = connection._queue
        self._shortcut_protocol: Any = None
        self._srtp: pylibsrtp.Session | None = None  # the session _context is for
        self._context = 0
        # The reader task's backlog (asyncio.Queue's deque): read directly, as a packet test
        # it is a plain truth test, not a method call.
        self._waiting: collections.deque[Any] = connection._queue._queue  # type: ignore[attr-defined]

        self.packets = 0  # handled here rather than by aiortc's reader task
        self.rtcp_packets = 0
        self.inbound: dict[int, Any] = {}  # SSRC -> media._receive.InboundStream

    def audio_level_id(self) -> int:
        """The header extension id negotiated for audio levels (RFC 6464), 0 if none."""
        ids = getattr(self._extensions_map, "_HeaderExtensionsMap__ids", None)
        return getattr(ids, "audio_level", None) or 0

    def __call__(self, data: bytes, component: int) -> None:
        if not self._srtp_packet(data):
            self._queued.put_nowait((data, component))
            return
        self._shortcut_pair()

    def _srtp_packet(self, data: bytes) -> bool:
        """Handle `data` if it is an SRTP or SRTCP packet of a connected transport; False
        otherwise (aiortc's reader task then handles it)."""
        srtp = self._dtls._rx_srtp
        if srtp is None or len(data) < 12 or not 127 < data[0] < 192:
            return False
        if self._waiting:
            return False  # aiortc's reader has packets to handle first: keep their order
        if is_rtcp(data):
            self._rtcp(srtp, data)
            return True
        self.packets += 1
        if _receive is None:  # no compiler at install: pylibsrtp, then the Python path
            try:
                plain = srtp.unprotect(data)
            except pylibsrtp.Error:
                plain = None
        else:
            if srtp is not self._srtp:
                self._srtp, self._context = srtp, _srtp_functions.context(srtp)
            result = _receive.receive(self._context, _srtp_functions.unprotect, data, self.inbound)
            if isinstance(result, tuple):
                result[0].deliver(result)  # a stream's frames, NACK or PLI
                return True
            plain = result
        if plain is None:
            return True  # handled, or dropped as aiortc drops what it cannot unprotect

        # What RTCDtlsTransport._handle_rtp_data does, the extensions parsed only if read.
        parsed = _parse_rtp(plain)
        if parsed is None:
            return True  # aiortc drops what it cannot parse
        packet, profile, extension = parsed
        receiver = self._router.route_rtp(packet)
        if receiver is None:
            return True
        lean: _LeanReceive | None = getattr(receiver, _LEAN_ATTR, None)
        if extension is not None and (lean is None or lean.wants_extensions):
            extensions = _header_extensions(self._extensions_map, profile, extension)
            if extensions is None:
                return True  # aiortc drops what it cannot parse
            packet.extensions = extensions
        if lean is None:
            run_now(receiver._handle_rtp_packet(packet, arrival_time_ms=clock.current_ms()))
            return True
        try:
            lean(packet)
        except Exception:
            log.exception("media: packet handler failed")
        return True

    def _rtcp(self, srtp: pylibsrtp.Session, data: bytes) -> None:
        """What RTCDtlsTransport._recv_next does with SRTCP, without its queue and Task."""
        try:
            plain = srtp.unprotect_rtcp(data)
        except pylibsrtp.Error:
            return
        self.rtcp_packets += 1
        run_now(self._dtls._handle_rtcp_data(plain))

    def _shortcut_pair(self) -> None:
        """Skip aioice's STUN parse attempt too, on the pair that carries the media."""
        pair = self._connection._nominated.get(1)
        protocol = pair.protocol if pair is not None else None
        if protocol is None or protocol is self._shortcut_protocol:
            return
        original = protocol.datagram_received

        def datagram_received(data: bytes | str, addr: tuple[Any, ...]) -> None:
            if not (isinstance(data, bytes) and self._srtp_packet(data)):
                original(data, addr)

        protocol.datagram_received = datagram_received  # type: ignore[method-assign]
        self._shortcut_protocol = protocol


def run_now(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run `coroutine` up to its first real suspension now; a Task finishes the rest.

    aiortc's per-packet handlers are coroutines that almost never suspend (their sends are
    synchronous underneath), so a Task per packet would be pure overhead.
    """
    try:
        pending = coroutine.send(None)
    except StopIteration:
        return
    except Exception:
        log.exception("media: packet handler failed")
        return
    task = asyncio.ensure_future(_resume(coroutine, pending))
    _suspended.add(task)  # the loop keeps only a weak reference to a task
    task.add_done_callback(_suspended.discard)


_suspended: set[asyncio.Future[None]] = set()


async def _resume(coroutine: Coroutine[Any, Any, None], pending: Any) -> None:
    try:
        await _continue(coroutine, pending)
    except Exception:
        log.exception("media: packet handler failed")


@types.coroutine
def _continue(coroutine: Coroutine[Any, Any, None], pending: Any) -> Generator[Any, Any, None]:
    """Hand the future `coroutine` is waiting on to the Task, and drive it from there on."""
    value = pending
    while True:
        try:
            sent = yield value
        except BaseException as exc:  # cancellation too must reach the coroutine
            try:
                value = coroutine.throw(exc)
            except StopIteration:
                return
        else:
            try:
                value = coroutine.send(sent)
            except StopIteration:
                return


def hook_sender_keyframe(sender: RTCRtpSender, on_request: Callable[[], None]) -> None:
    """Call `on_request` when the remote peer sends PLI or FIR to this sender."""
    sender._send_keyframe = on_request  # type: ignore[method-assign]


def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> Coroutine[Any, Any, None]:
    """Ask the publisher behind `receiver` for a keyframe (RTCP PLI, RFC 4585 §6.3.1)."""
    return receiver._send_rtcp_pli(media_ssrc)


_DTLS_CONNECTED = DtlsState.CONNECTED


class _SrtpFunctions:
    """libsrtp's protect/unprotect and a session's srtp_t, as addresses for the C modules.

    They come from pylibsrtp's cffi module, so the compiled modules call the very libsrtp
    (and sessions) aiortc uses; checked end to end by `_check_fastpath` and
    `_check_compiled_receive` at start-up.
    """

    def __init__(self) -> None:
        ffi, lib = pylibsrtp._binding.ffi, pylibsrtp._binding.lib
        self._ffi = ffi
        self.protect = int(ffi.cast("uintptr_t", ffi.addressof(lib, "srtp_protect")))
        self.unprotect = int(ffi.cast("uintptr_t", ffi.addressof(lib, "srtp_unprotect")))

    def context(self, session: pylibsrtp.Session) -> int:
        """The session's srtp_t; valid while `session` is alive (the caller keeps it)."""
        return int(self._ffi.cast("uintptr_t", session._srtp[0]))


_srtp_functions = _SrtpFunctions()


def compiled_modules_missing() -> list[str]:
    """The relay's compiled modules that could not be imported (built by `pip install -e .`)."""
    return [
        name
        for name, module in (("media/_fastpath.c", _fastpath), ("media/_receive.c", _receive))
        if module is None
    ]


@dataclass(frozen=True, slots=True)
class _Route:
    """Where a connected subscriber's packets go, looked up once."""

    transport: Any  # the nominated pair's UDP transport
    addr: tuple[str, int]
    srtp: pylibsrtp.Session  # referenced here so `context` stays valid
    dtls: RTCDtlsTransport
    fd: int  # the transport's socket, for the compiled path
    sockaddr: bytes  # addr as a struct sockaddr
    context: int  # srtp's srtp_t


class DirectSender:
    """Sends forwarded RTP payloads on an RTCRtpSender's stream without its encode loop.

    aiortc's sender turns every frame into new RtpPacket objects, header extensions and four
    coroutine layers per packet (~50 us here). This writes the 12-byte RTP header itself,
    protects it with the DTLS transport's SRTP session and hands it to the nominated ICE
    pair's UDP socket, synchronously: in media/_fastpath.c (one call and one sendmmsg per
    frame) when it is built, through the UDP transport's sendto otherwise, and always
    through the transport once it holds packets the kernel could not take (order is kept).
    The RTCRtpSender stays in charge of RTCP: its sender reports read the counters updated
    here, and its NACK handling is pointed at
    this sender's own history.
    """

    def __init__(
        self,
        transceiver: RTCRtpTransceiver,
        counters: RelayCounters | None = None,
        compiled: bool = True,
    ) -> None:
        self._transceiver = transceiver
        self._counters = counters if counters is not None else RelayCounters()
        self._sender = transceiver.sender
        self._compiled = compiled and _fastpath is not None
        # [seq % RTP_HISTORY_SIZE]: the unprotected packet, for NACK
        self._history: list[bytes | None] = [None] * RTP_HISTORY_SIZE
        self._seq = random16() % 32768  # lower half: no early wrap (as aiortc's sender)
        self._payload_type = 0
        self._cached: _Route | None = None
        self._sender._retransmit = self._retransmit  # type: ignore[method-assign]

    def _route(self) -> _Route | None:
        """(UDP transport, remote address, SRTP session, DTLS transport) once connected.

        Looked up once; afterwards the DTLS state and the UDP transport are checked (aiortc
        does no ICE restart, so the nominated pair of a live connection does not change, and
        a sender's transport is only replaced, by BUNDLE, before it starts). A closing UDP
        transport ends the route at once, even while DTLS still says connected (aioice closes
        a pair whose consent expired before DTLS hears of it): its socket's number may soon
        belong to another socket, which the compiled path must never write to.
        """
        cached = self._cached
        if cached is not None and cached.dtls._state is _DTLS_CONNECTED:
            if not cached.transport.is_closing():
                return cached
            self._cached = None
            return None
        dtls = self._sender.transport
        if dtls._state is not _DTLS_CONNECTED:
            self._cached = None
            return None
        if cached is None and self._sender._RTCRtpSender__started:  # type: ignore[attr-defined]
            pair = dtls.transport._connection._nominated.get(1)
            transport = pair.protocol.transport if pair is not None else None
            if pair is not None and transport is not None and not transport.is_closing():
                self._payload_type = self._transceiver._codecs[0].payloadType or 0
                self._cached = self._new_route(transport, pair.remote_addr, dtls)
        return self._cached

    def _new_route(self, transport: Any, addr: tuple[str, int], dtls: RTCDtlsTransport) -> _Route:
        socket = transport.get_extra_info("socket")
        compiled = self._compiled and socket is not None
        return _Route(
            transport=transport,
            addr=addr,
            srtp=dtls._tx_srtp,
            dtls=dtls,
            fd=socket.fileno() if compiled else -1,
            sockaddr=_fastpath.sockaddr(addr[0], addr[1]) if compiled else b"",
            context=_srtp_functions.context(dtls._tx_srtp) if compiled else 0,
        )

    def ready(self) -> bool:
        return self._route() is not None

    def backlog(self) -> int:
        """Bytes waiting in the UDP transport's buffer (the kernel refused them for now)."""
        route = self._route()
        return int(route.transport.get_write_buffer_size()) if route is not None else 0

    def send(self, payloads: Sequence[tuple[bytes, bool]], timestamp: int) -> bool:
        """Send one frame's payloads with the given RTP timestamp; False if not connected."""
        route = self._route()
        if route is None:
            return False
        timestamp &= 0xFFFFFFFF
        transport = route.transport
        if route.fd >= 0 and not transport.get_write_buffer_size():
            self._seq, packets, octets, unsent = _fastpath.send_frame(
                route.fd,
                route.sockaddr,
                route.context,
                _srtp_functions.protect,
                self._payload_type,
                self._sender._ssrc,
                self._seq,
                timestamp,
                payloads,
                self._history,
            )
            self._counters.packets_compiled += packets
            if unsent is not None:  # the kernel's buffer is full: the transport queues them
                for packet in unsent:
                    transport.sendto(packet, route.addr)
        else:  # no compiled helper, or packets already wait in the transport: keep order
            packets, octets = self._send_python(route, payloads, timestamp)
        sender = self._sender
        sender._RTCRtpSender__packet_count += packets  # type: ignore[attr-defined]
        sender._RTCRtpSender__octet_count += octets  # type: ignore[attr-defined]
        sender._RTCRtpSender__ntp_timestamp = _ntp_now()  # type: ignore[attr-defined]
        sender._RTCRtpSender__rtp_timestamp = timestamp  # type: ignore[attr-defined]
        return True

    def _send_python(
        self, route: _Route, payloads: Sequence[tuple[bytes, bool]], timestamp: int
    ) -> tuple[int, int]:
        """What media/_fastpath.c's send_frame does, through the transport's sendto."""
        sendto, addr, protect = route.transport.sendto, route.addr, route.srtp.protect
        pack, history = _RTP_HEADER.pack, self._history
        pt, ssrc, seq = self._payload_type, self._sender._ssrc, self._seq
        octets = 0
        for payload, marker in payloads:
            packet = pack(0x80, pt | 0x80 if marker else pt, seq, timestamp, ssrc) + payload
            history[seq % RTP_HISTORY_SIZE] = packet
            seq = (seq + 1) & 0xFFFF
            sendto(protect(packet), addr)
            octets += len(payload)
        self._seq = seq
        return len(payloads), octets

    async def _retransmit(self, sequence_number: int) -> None:
        packet = self._history[sequence_number % RTP_HISTORY_SIZE]
        route = self._route()
        if packet is None or route is None or _RTP_HEADER.unpack_from(packet)[2] != sequence_number:
            return
        route.transport.sendto(route.srtp.protect(packet), route.addr)


_RTP_HEADER = struct.Struct("!BBHII")
_NTP_UNIX_OFFSET = 2_208_988_800  # seconds from 1900 (NTP's epoch) to 1970


def _ntp_now() -> int:
    """aiortc's clock.current_ntp_time() without datetime objects (a quarter of the cost);
    a float keeps ~0.5 us of the 32-bit fraction, plenty for sender reports."""
    return int((time.time() + _NTP_UNIX_OFFSET) * 4_294_967_296)


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


def _check_direct_send() -> None:
    """What DirectSender relies on: the sender's RTCP state, SRTP and the ICE pair."""
    _require(
        _source_has(RTCRtpSender._handle_rtcp_packet, "await self._retransmit(seq)"),
        "RTCRtpSender no longer answers NACK through _retransmit",
    )
    _require(
        _source_has(
            RTCRtpSender._run_rtcp,
            "ntp_timestamp=self.__ntp_timestamp",
            "rtp_timestamp=self.__rtp_timestamp",
            "packet_count=self.__packet_count",
            "octet_count=self.__octet_count",
        )
        and _source_has(RTCRtpSender.__init__, "self.__started = False", "self._ssrc ="),
        "RTCRtpSender's sender-report counters changed",
    )
    _require(
        _source_has(RTCDtlsTransport._send_rtp, "self._tx_srtp.protect(data)")
        and DtlsState.CONNECTED.name == "CONNECTED",
        "RTCDtlsTransport no longer protects RTP with _tx_srtp",
    )
    _require(
        "self._connection = gatherer._connection" in inspect.getsource(RTCIceTransport.__init__)
        and _source_has(
            aioice.ice.Connection.sendto,
            "self._nominated.get(component)",
            "active_pair.protocol.send_data(data, active_pair.remote_addr)",
        )
        and _source_has(aioice.ice.StunProtocol.send_data, "self.transport.sendto(data, addr)"),
        "aioice no longer sends through the nominated pair's UDP transport",
    )


def _check_direct_receive() -> None:
    """What install_direct_receive relies on: aioice's datagram hand-off and aiortc's SRTP."""
    _require(
        _source_has(
            aioice.ice.Connection.data_received, "self._queue.put_nowait((data, component))"
        )
        and _source_has(
            aioice.ice.StunProtocol.datagram_received,
            "self.receiver.data_received(data, self.local_candidate.component)",
        ),
        "aioice no longer hands datagrams to Connection.data_received",
    )
    _require(
        _source_has(
            RTCDtlsTransport._recv_next,
            "data = self._rx_srtp.unprotect(data)",
            "await self._handle_rtp_data(data, arrival_time_ms=arrival_time_ms)",
            "data = self._rx_srtp.unprotect_rtcp(data)",
            "await self._handle_rtcp_data(data)",
        ),
        "RTCDtlsTransport no longer unprotects RTP and RTCP and calls their handlers",
    )
    _require(
        isinstance(getattr(asyncio.Queue(), "_queue", None), collections.deque),
        "asyncio.Queue no longer keeps its items in a deque named _queue",
    )
    ids = getattr(HeaderExtensionsMap(), "_HeaderExtensionsMap__ids", None)
    _require(
        hasattr(ids, "audio_level"),
        "HeaderExtensionsMap no longer keeps negotiated ids in __ids.audio_level",
    )

    _require(
        _source_has(NackGenerator.add, "self.truncate()")
        and _source_has(RTCRtpReceiver.__init__, "self.__nack_generator = NackGenerator()"),
        "RTCRtpReceiver's NackGenerator changed",
    )


# The aiortc 1.16.0 code `_LeanReceive` and `_parse_rtp` stand in for (sha256 of the source,
# first 16 hex digits): any change to it, even one that looks harmless, must be re-verified.
_LEAN_FINGERPRINTS = {
    "RTCRtpReceiver._handle_rtp_packet": "4e54983d021a6336",
    "RTCDtlsTransport._handle_rtp_data": "5def9061cc3da1f6",
    "RtpPacket.parse": "22109861dfce7bab",
    "depayload": "8b0e13b90b62b096",
    "vp8_depayload": "6f1f7fca182206c0",
    "VpxPayloadDescriptor.parse": "79619961962f23e6",
}


def _fingerprint(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def _check_lean_receive(receiver: RTCRtpReceiver) -> None:
    """What _LeanReceive relies on: the code it replaces, unchanged, and the receiver state."""
    for function in (
        RTCRtpReceiver._handle_rtp_packet,
        RTCDtlsTransport._handle_rtp_data,
        RtpPacket.parse,
        depayload,
        vp8_depayload,
        VpxPayloadDescriptor.parse,
    ):
        name = function.__qualname__
        _require(
            _fingerprint(function) == _LEAN_FINGERPRINTS[name],
            f"{name} is not the code the lean receive path replicates",
        )
    _require(
        _source_has(
            RtpRouter.route_rtp,
            "self.ssrc_table.get(packet.ssrc)",
            "self.payload_type_table.get(packet.payload_type",
        )
        and _source_has(
            RTCDtlsTransport.__init__,
            "self._rtp_router = RtpRouter()",
            "self._rtp_header_extensions_map = rtp.HeaderExtensionsMap()",
        ),
        "RTCDtlsTransport no longer routes RTP with RtpRouter.route_rtp",
    )
    for name in ("codecs", "remote_streams", "rtx_ssrc", "active_ssrc"):
        _require(
            isinstance(getattr(receiver, _RECEIVER + name, None), dict),
            f"receiver has no {_RECEIVER}{name}",
        )
    _require(
        callable(getattr(getattr(receiver, _RECEIVER + "timestamp_mapper", None), "map", None))
        and hasattr(receiver, _RECEIVER + "rtcp_ssrc")
        and receiver._enabled is True,
        "RTCRtpReceiver's timestamp mapper, RTCP SSRC or _enabled changed",
    )
    for method, parameters in (
        (RTCRtpReceiver._send_rtcp_nack, ["self", "media_ssrc", "lost"]),
        (RTCRtpReceiver._send_rtcp, ["self", "packet"]),
    ):
        _require(
            list(inspect.signature(method).parameters) == parameters,
            f"RTCRtpReceiver.{method.__name__} changed",
        )


def _check_fastpath() -> None:
    """media._fastpath and pylibsrtp agree byte for byte: two packets sent to ourselves."""
    if _fastpath is None:
        return
    _require(pylibsrtp.__version__ == "1.0.0", "pylibsrtp is not the version verified")

    def session(direction: int) -> pylibsrtp.Session:
        return pylibsrtp.Session(pylibsrtp.Policy(key=bytes(range(30)), ssrc_type=direction))

    ours = session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    theirs = session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    inbound = session(pylibsrtp.Policy.SSRC_ANY_INBOUND)
    payloads = [(b"\x10first", False), (b"last", True)]
    plain = [
        _RTP_HEADER.pack(0x80, 96, 65535, 3000, 0x1234) + b"\x10first",
        _RTP_HEADER.pack(0x80, 96 | 0x80, 0, 3000, 0x1234) + b"last",
    ]
    history: list[bytes | None] = [None] * 4
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1.0)
        result = _fastpath.send_frame(
            sock.fileno(),
            _fastpath.sockaddr(*sock.getsockname()),
            _srtp_functions.context(ours),
            _srtp_functions.protect,
            96,
            0x1234,
            65535,
            3000,
            payloads,
            history,
        )
        received = [sock.recv(2048), sock.recv(2048)]
    unprotected = [inbound.unprotect(p) for p in received]
    _require(
        result == (1, 2, 10, None)
        and received == [theirs.protect(p) for p in plain]
        and history == [plain[1], None, None, plain[0]]
        and unprotected == plain,
        "media._fastpath does not protect and send as pylibsrtp does",
    )


def _check_compiled_receive() -> None:
    """media._receive reassembles a two-packet VP8 frame sent through real SRTP as Python
    does, and hands back what no stream of it takes."""
    if _receive is None or _fastpath is None:
        return
    key = bytes(range(30))
    sending = pylibsrtp.Session(
        pylibsrtp.Policy(key=key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    )
    receiving = pylibsrtp.Session(
        pylibsrtp.Policy(key=key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND)
    )
    stream = _receive.InboundStream(
        owner=None,
        ssrc=0x1234,
        clock_rate=90000,
        video=True,
        payload_type=96,
        hold_ticks=MAX_HOLD_TICKS,
        audio_level_id=0,
        capacity=VIDEO_BUFFER_PACKETS,
    )
    payloads = [(b"\x90\x80\x05\x10\x02", False), (b"\x00last", True)]  # keyframe, picture 5
    packets = [
        _RTP_HEADER.pack(0x80, 96 | 0x80 * marker, 65535 + i & 0xFFFF, 3000, 0x1234) + payload
        for i, (payload, marker) in enumerate(payloads)
    ]
    context, unprotect = _srtp_functions.context(receiving), _srtp_functions.unprotect
    streams = {0x1234: stream}
    first, second = (
        _receive.receive(context, unprotect, sending.protect(p), streams) for p in packets
    )
    other = _RTP_HEADER.pack(0x80, 111, 1, 960, 0x9999) + b"opus"
    _require(
        first is None
        and second
        == (None, stream, False, False, [(0, b"\x10\x02last", tuple(payloads), True, False, None)])
        and _receive.receive(context, unprotect, sending.protect(other), streams) == other
        and (stream.packets_received, stream.max_seq, stream.cycles) == (2, 0, 65536),
        "media._receive does not receive as the Python path does",
    )


def check_seams() -> None:
    """Raise SeamError, naming the broken seam, if aiortc no longer matches this module."""
    _require(aiortc.__version__ == VERIFIED_AIORTC_VERSION, "version differs")
    _require(
        aioice.__version__ == VERIFIED_AIOICE_VERSION,
        f"aioice {aioice.__version__} installed, not {VERIFIED_AIOICE_VERSION}",
    )
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
    _check_lean_receive(receiver)
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
    _check_direct_send()
    _check_direct_receive()
    _check_fastpath()
    _check_compiled_receive()

    _require(
        list(inspect.signature(_ORIGINAL_GET_HOST_ADDRESSES).parameters) == ["use_ipv4", "use_ipv6"]
        and "get_host_addresses(" in inspect.getsource(aioice.ice.Connection.gather_candidates),
        "aioice.ice.get_host_addresses is no longer how host candidates are found",
    )
