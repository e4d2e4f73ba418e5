"""media/_receive.c against the Python receive path it replicates (aiortc_seams._LeanReceive).

The compiled InboundStream claims to do, per packet, what the lean path does with aiortc's
objects: StreamStatistics, NackGenerator, the _VideoBuffer/_AudioBuffer jitter buffers and the
TimestampMapper. These tests feed the same packets to both (the real compiled module, no mocks)
and compare everything the relay acts on: frames, NACK lists, PLIs and the receiver-report
statistics. The one documented difference: the C code releases every frame a packet
completes, the Python buffer at most one per packet.
"""

from __future__ import annotations

import gc
import itertools
import random
import struct
import tracemalloc
import weakref
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import pylibsrtp
import pytest
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RTCRtpReceiver, StreamStatistics
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from media import _receive, aiortc_seams
from media.aiortc_seams import MAX_HOLD_TICKS, VIDEO_BUFFER_PACKETS
from media.frames import EncodedFrame
from tests.media.test_lean_receive import MEDIA_SSRC, Recorded, video_receiver

VP8_PT, OPUS_PT = 96, 111
AUDIO_SSRC, OTHER_SSRC = 3333, 4444
LEVEL_ID = 3  # the negotiated id of the audio-level header extension (RFC 6464)
RTP_HEADER = struct.Struct("!BBHII")

# (timestamp, data, payloads, keyframe, discontinuity, audio_level), as media/_receive.pyi
Frame = tuple[int, bytes, tuple[tuple[bytes, bool], ...], bool, bool, int | None]

T = TypeVar("T")

# Statistics that must be identical; fraction_lost is compared separately (reading it starts
# a new interval) and jitter approximately (it depends on wall-clock arrival times).
COUNTERS = ("base_seq", "max_seq", "cycles", "packets_received", "packets_expected", "packets_lost")


class Packet(NamedTuple):
    """What a stream's packet carries that the receive path reads."""

    seq: int
    timestamp: int
    marker: bool
    payload: bytes

    def rtp(self) -> RtpPacket:
        """A fresh aiortc packet (the Python path stores and annotates the ones it gets)."""
        return RtpPacket(
            VP8_PT, int(self.marker), self.seq, self.timestamp, MEDIA_SSRC, self.payload
        )


def frame_of(frame: EncodedFrame) -> Frame:
    """An EncodedFrame from the Python path, as the C path reports frames."""
    return (
        frame.timestamp,
        frame.data,
        frame.payloads,
        frame.keyframe,
        frame.discontinuity,
        frame.audio_level,
    )


def new_video_stream(owner: Any) -> _receive.InboundStream:
    """An InboundStream configured as aiortc_seams._CompiledStream configures one for VP8."""
    return _receive.InboundStream(
        owner, MEDIA_SSRC, 90_000, True, VP8_PT, MAX_HOLD_TICKS, 0, VIDEO_BUFFER_PACKETS
    )


def new_audio_stream(owner: Any) -> _receive.InboundStream:
    """An InboundStream configured as aiortc_seams._CompiledStream configures one for Opus."""
    return _receive.InboundStream(owner, AUDIO_SSRC, 48_000, False, OPUS_PT, 0, LEVEL_ID, 1)


def assert_same_statistics(python: StreamStatistics, compiled: Any, where: str) -> None:
    """Receiver-report statistics: counters identical, jitter close (wall-clock arrivals)."""
    assert {name: getattr(compiled, name) for name in COUNTERS} == {
        name: getattr(python, name) for name in COUNTERS
    }, where
    assert compiled.fraction_lost == python.fraction_lost, where  # both start a new interval
    assert compiled.jitter == pytest.approx(python.jitter, rel=0.05, abs=300), where


# ---- VP8 ---------------------------------------------------------------------------------


def vp8_descriptor(rng: random.Random, start: bool, picture_id: int) -> bytes:
    """A VP8 payload descriptor (RFC 7741 §4.2), with a random choice of optional fields."""
    first = 0x10 if start else 0x00  # S
    if rng.random() < 0.2:
        first |= 0x20  # N: non-reference frame
    if start and rng.random() < 0.03:
        first |= 0x01  # a partition index other than 0: not a clean picture start
    if rng.random() < 0.3:
        return bytes([first])
    extended, fields = 0, b""
    if rng.random() < 0.7:  # I: picture ID, 7 or 15 bits
        extended |= 0x80
        fields += (
            struct.pack("!H", 0x8000 | picture_id)
            if rng.random() < 0.7
            else bytes([picture_id & 0x7F])
        )
    if rng.random() < 0.3:  # L: TL0PICIDX
        extended |= 0x40
        fields += bytes([rng.randrange(256)])
    if rng.random() < 0.3:  # T and/or K: one byte for both
        extended |= rng.choice((0x20, 0x10, 0x30))
        fields += bytes([rng.randrange(256)])
    return bytes([first | 0x80, extended]) + fields


def vp8_frame(
    rng: random.Random, seq: int, timestamp: int, keyframe: bool, picture_id: int
) -> list[Packet]:
    """One VP8 frame in 1-6 packets, the last with the marker; now and then a padding-only
    packet in the middle or a packet with a descriptor and no VP8 data at the end."""
    tag = rng.randrange(256) & 0xFE | (0 if keyframe else 1)  # RFC 6386 §9.1: inverse key bit
    count = rng.randint(1, 6)
    data = bytes([tag]) + rng.randbytes(rng.randint(count, 30 * count))
    cuts = [0, *sorted(rng.sample(range(1, len(data)), count - 1)), len(data)]
    pieces = [data[a:b] for a, b in itertools.pairwise(cuts)]
    if rng.random() < 0.05:
        pieces.append(b"")
    payloads = [vp8_descriptor(rng, i == 0, picture_id) + piece for i, piece in enumerate(pieces)]
    if rng.random() < 0.04:
        payloads.insert(rng.randint(1, len(payloads)), b"")
    return [
        Packet((seq + i) & 0xFFFF, timestamp, i == len(payloads) - 1, payload)
        for i, payload in enumerate(payloads)
    ]


def vp8_stream(
    rng: random.Random,
    frames: int,
    seq: int,
    timestamp: int,
    jump_at: int | None = None,
) -> list[list[Packet]]:
    """Frames (lists of packets) of a VP8 stream: a keyframe every 30 frames, padding-only
    packets now and then (bandwidth probing), and at frame `jump_at` a jump of 3000 sequence
    numbers and 10 s (a publisher that stalled, or a huge loss)."""
    stream: list[list[Packet]] = []
    picture_id = rng.randrange(1 << 15)
    for index in range(frames):
        if index == jump_at:
            seq, timestamp = (seq + 3000) & 0xFFFF, (timestamp + 900_000) & 0xFFFFFFFF
        frame = vp8_frame(rng, seq, timestamp, index % 30 == 0, picture_id)
        stream.append(frame)
        seq = (seq + len(frame)) & 0xFFFF
        if rng.random() < 0.03:  # padding after the frame, with its timestamp
            stream.append([Packet(seq, timestamp, False, b"")])
            seq = (seq + 1) & 0xFFFF
        timestamp = (timestamp + rng.choice((2970, 3000, 3000, 3030))) & 0xFFFFFFFF
        picture_id = (picture_id + 1) & 0x7FFF
    return stream


def perturb(rng: random.Random, packets: list[T]) -> list[T]:
    """The network's doing: losses, late arrivals (as a retransmission would be), now and then
    one so late that the buffer has moved on 100 packets (MAX_MISORDER), reordering within a
    few packets, duplicates."""
    arrivals: list[tuple[float, T]] = []
    for position, packet in enumerate(packets):
        draw = rng.random()
        if draw < 0.01:
            continue  # lost for good
        delay = 0.0
        if draw < 0.013:
            delay = rng.uniform(40, 150)  # very late
        elif draw < 0.05:
            delay = rng.uniform(5, 40)  # late, as a retransmitted packet is
        elif draw < 0.15:
            delay = rng.uniform(0, 3)  # reordered within a small window
        arrivals.append((position + delay, packet))
        if rng.random() < 0.02:
            arrivals.append((position + rng.uniform(0.5, 10), packet))  # duplicated
    return [packet for _, packet in sorted(arrivals, key=lambda arrival: arrival[0])]


@dataclass
class VideoBothWays:
    """One VP8 stream received by the Python lean path and by an InboundStream side by side.

    Python: `_LeanReceive` (compiled=False) on a receiver with `_VideoBuffer`, NACK and PLI
    recorded. C: `InboundStream.add_packet(statistics=True)`, as _CompiledStream calls it.
    `drain`: after each packet, also take from the Python buffer the further frames that
    packet completed (the documented release-all difference), using the buffer's own
    `_remove_frame` and the receiver's timestamp mapper; then both must agree packet by packet.
    Each NACK and PLI is recorded with the index of the packet that caused it.
    """

    drain: bool
    python: list[Frame] = field(default_factory=list)
    compiled: list[Frame] = field(default_factory=list)
    python_nacks: list[tuple[int, list[int]]] = field(default_factory=list)
    compiled_nacks: list[tuple[int, list[int]]] = field(default_factory=list)
    python_plis: list[int] = field(default_factory=list)
    compiled_plis: list[int] = field(default_factory=list)
    fed: int = 0
    most_at_once: int = 0  # the most frames one packet released in C

    def __post_init__(self) -> None:
        self.receiver, self.lean, self.encoded = video_receiver()
        self.rtcp = Recorded(self.receiver)
        self.inbound = new_video_stream(self)

    @property
    def statistics(self) -> StreamStatistics:
        return self.receiver._RTCRtpReceiver__remote_streams[MEDIA_SSRC]  # type: ignore[attr-defined]

    def feed(self, packet: Packet) -> None:
        nacks, plis = len(self.rtcp.nacks), len(self.rtcp.plis)
        self.lean(packet.rtp())
        if self.drain:
            self._drain()
        self.python_nacks += [(self.fed, lost) for _, lost in self.rtcp.nacks[nacks:]]
        self.python_plis += [self.fed] * (len(self.rtcp.plis) - plis)
        self.python += [frame_of(f) for f in self.encoded[len(self.python) :]]

        result = self.inbound.add_packet(*packet, -1, True)
        if result is not None:
            owner, stream, nack, pli, frames = result
            assert owner is self and stream is self.inbound
            assert nack or pli or frames, "a result with nothing to do"
            if nack:
                self.compiled_nacks.append((self.fed, stream.missing()))
            if pli:
                self.compiled_plis.append(self.fed)
            self.compiled += frames or []
            self.most_at_once = max(self.most_at_once, len(frames or []))
        self.fed += 1

    def _drain(self) -> None:
        buffer = self.receiver._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        mapper = self.receiver._RTCRtpReceiver__timestamp_mapper  # type: ignore[attr-defined]
        while buffer._origin is not None and (frame := buffer._remove_frame(0)) is not None:
            if buffer._gave_up:  # as _VideoBuffer.add marks the frame after a give-up
                frame.discontinuity, buffer._gave_up = True, False
            frame.timestamp = mapper.map(frame.timestamp)
            self.encoded.append(aiortc_seams._encoded("video", "video/vp8", frame))

    def assert_rtcp_agrees(self) -> None:
        assert self.compiled_nacks == self.python_nacks
        assert self.compiled_plis == self.python_plis


def lossy_vp8_packets(seed: int) -> list[Packet]:
    """450 VP8 frames as they arrive: starting 200 sequence numbers before the 65535 -> 0
    wrap and 150 frames before the 2**32 timestamp wrap, with the jump at frame 300,
    perturbed; then 12 frames that arrive intact (they flush what is still held)."""
    rng = random.Random(seed)
    frames = vp8_stream(rng, 462, seq=65535 - 200, timestamp=2**32 - 150 * 3000, jump_at=300)
    lossy = perturb(rng, [packet for frame in frames[:-12] for packet in frame])
    return lossy + [packet for frame in frames[-12:] for packet in frame]


def run_both(packets: list[Packet]) -> VideoBothWays:
    """`packets` through both paths (Python drained after each packet); all must agree."""
    both = VideoBothWays(drain=True)
    for packet in packets:
        both.feed(packet)
        assert both.compiled == both.python
    both.assert_rtcp_agrees()
    assert_same_statistics(both.statistics, both.inbound, "at the end")
    return both


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_video_agrees_with_the_python_path_packet_by_packet(seed: int) -> None:
    """With the release-all difference taken out (Python buffer drained after each packet),
    the C stream releases the same frames (timestamp, data, payloads, keyframe,
    discontinuity) at the same packets, sends the same NACK lists and PLIs at the same
    packets, and keeps identical statistics, read every 100 packets."""
    packets = lossy_vp8_packets(seed)
    both = VideoBothWays(drain=True)
    for index, packet in enumerate(packets):
        both.feed(packet)
        assert both.compiled == both.python, f"frames differ after packet {index}: {packet}"
        if index % 100 == 99:
            assert_same_statistics(both.statistics, both.inbound, f"after packet {index}")
    both.assert_rtcp_agrees()
    assert_same_statistics(both.statistics, both.inbound, "at the end")
    # The stream exercised what it is meant to: frames completed together, give-ups, PLIs,
    # NACKs, keyframes, wraps.
    assert both.most_at_once >= 3
    assert any(frame[4] for frame in both.compiled), "no frame was given up"
    assert both.compiled_plis and len(both.compiled_nacks) > 10
    assert sum(frame[3] for frame in both.compiled) >= 5
    assert both.inbound.cycles == 1 << 16
    # Timestamps unwrapped across 2**32, and never thrown 2**32 ahead by a stale frame (one a
    # reset buffer releases maps behind its predecessor, once): the stream's span, no more.
    timestamps = [frame[0] for frame in both.compiled]
    steps_back = sum(b <= a for a, b in itertools.pairwise(timestamps))
    assert 150 * 3000 < timestamps[-1] < 2**31 and steps_back <= 3, (timestamps[-1], steps_back)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_video_agrees_with_the_unmodified_python_path(seed: int) -> None:
    """The Python lean path as it is (at most one frame per packet): what it released is
    always a prefix of what the C stream released, and once clean frames have flushed both,
    the two lists are the same. NACK lists and PLIs are identical packet by packet."""
    packets = lossy_vp8_packets(seed)
    both = VideoBothWays(drain=False)
    lagged = 0  # packets after which Python had released fewer frames than C
    for index, packet in enumerate(packets):
        both.feed(packet)
        assert both.python == both.compiled[: len(both.python)], f"after packet {index}"
        lagged += len(both.python) < len(both.compiled)
        if index % 100 == 99:
            assert_same_statistics(both.statistics, both.inbound, f"after packet {index}")
    assert both.python == both.compiled
    assert lagged > 10  # the comparison was not the packet-by-packet one in disguise
    both.assert_rtcp_agrees()
    assert_same_statistics(both.statistics, both.inbound, "at the end")


@pytest.mark.parametrize(
    "truncated",
    [b"\x90", b"\x90\x80", b"\x90\x80\x81", b"\x90\x60\x81", b"\x90\xc0\x05"],
)
def test_a_truncated_vp8_descriptor_is_dropped_as_in_python(truncated: bytes) -> None:
    """A packet whose payload descriptor is cut short is counted (statistics, NACK) but not
    buffered, as aiortc drops what it cannot depayload: its frame never completes and is
    given up once it has held the next frames back MAX_HOLD_TICKS; then a keyframe arrives."""
    keyframe = b"\x10\x50\x01\x02"
    packets = [
        Packet(65534, 0, True, keyframe),
        Packet(65535, 3000, False, b"\x10\x51\x01"),
        Packet(0, 3000, False, truncated),
        Packet(1, 3000, True, b"\x00\x02"),
        *(Packet(1 + i, 3000 + 3000 * i, True, b"\x10\x51\x09") for i in range(1, 12)),
        Packet(13, 39_000, True, keyframe),
    ]
    both = run_both(packets)
    released = [
        (frame[0], frame[3], frame[4]) for frame in both.compiled
    ]  # keyframe, discontinuity
    # Frames 3000-30000 given up at 33000 (MAX_HOLD_TICKS is 27000); 33000 says so.
    assert released == [
        (0, True, False),
        (33000, False, True),
        (36000, False, False),
        (39000, True, False),
    ]
    assert both.inbound.packets_received == len(packets) and both.compiled_nacks == []


def test_an_overflow_drops_whole_frames_as_in_python() -> None:
    """A burst loss just over the buffer's 512 packets while a frame is held: aiortc's
    smart_remove drops the oldest packets and the rest of the frame they end in, never half
    a frame; the frame behind them is released, and the packet that overflowed the buffer
    asks for a keyframe (PLI)."""
    packets = [
        Packet(99, 0, True, b"\x10\x50key"),
        # Frame 3000 lost its first packet (100): it holds back the frames behind it.
        Packet(101, 3000, False, b"\x00a"),
        Packet(102, 3000, True, b"\x00b"),
        *(
            Packet(seq, 6000, seq == 106, b"\x10\x51" if seq == 103 else b"\x00c")
            for seq in range(103, 107)
        ),
        *(
            Packet(seq, 9000, seq == 109, b"\x10\x51" if seq == 107 else b"\x00d")
            for seq in range(107, 110)
        ),
        # 516 after the oldest slot (100): 5 packets too many, the 5th in the middle of 6000.
        Packet(616, 12_000, True, b"\x10\x51e"),
    ]
    both = run_both(packets)
    assert [frame[0] for frame in both.compiled] == [0, 9000]
    assert both.compiled[1][1] == b"\x51dd" and both.compiled_plis == [len(packets) - 1]


def test_late_packets_are_dropped_and_very_late_ones_reset_the_buffer() -> None:
    """aiortc's MAX_MISORDER: a packet up to 99 behind the buffer's oldest slot is too late
    (its frame was released) and dropped; 100 or more behind is taken for a restarted
    sender: the buffer starts again there, with a PLI."""
    packets = [Packet(1000 + i, 3000 * i, True, b"\x10\x51" + bytes([i])) for i in range(10)]
    packets.append(Packet(1010 - 99, 500_000, True, b"\x10\x51late"))
    packets.append(Packet(1010 - 100, 600_000, True, b"\x10\x51restart"))
    both = run_both(packets)
    assert [frame[1] for frame in both.compiled[10:]] == [b"\x51restart"]
    assert both.compiled_plis == [11]


def test_a_too_late_packet_can_still_give_up_a_stalled_frame() -> None:
    """_VideoBuffer.add looks for a stalled frame after every packet that released nothing,
    too-late ones included, timed by that packet's timestamp. With timestamps that go back
    against sequence numbers (a misbehaving sender) this shows: the held frame is given up
    on the late packet, and the frame with its timestamp released."""
    packets = [
        Packet(10, 0, True, b"\x10\x50k"),  # released: the oldest slot is 11
        Packet(20, 40_000, True, b"\x10\x51x"),  # held behind 11-19
        Packet(15, 1000, False, b"\x10\x51h"),  # older timestamp: now the held head
        Packet(9, 40_000, True, b"\x10\x51l"),  # too late, 39000 after the head
    ]
    both = run_both(packets)
    assert [(frame[0], frame[1], frame[4]) for frame in both.compiled] == [
        (0, b"\x50k", False),
        (40_000, b"\x51x", True),
    ]


def hostile_packets(rng: random.Random, count: int) -> list[Packet]:
    """Packets no well-behaved sender sends: sequence numbers that jump back and forth
    (sometimes by half the space, sometimes just past the buffer), timestamps that go back,
    random markers, truncated or bare payload descriptors, empty payloads."""
    seq, timestamp = rng.randrange(1 << 16), rng.randrange(1 << 32)
    packets = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.6:
            seq += 1
        elif draw < 0.8:
            seq += rng.randint(-120, 120)
        elif draw < 0.83:
            seq += rng.randint(-40_000, 40_000)
        elif draw < 0.86:
            seq += rng.randint(400, 700)
        draw = rng.random()
        if draw < 0.3:
            timestamp += 3000
        elif draw < 0.4:
            timestamp += rng.randint(-60_000, 60_000)
        elif draw < 0.42:
            timestamp = rng.randrange(1 << 32)
        draw = rng.random()
        if draw < 0.1:
            payload = b""
        elif draw < 0.2:
            payload = rng.choice((b"\x90", b"\x90\x80", b"\x90\x80\x81", b"\x90\x60"))
        else:
            payload = vp8_descriptor(rng, rng.random() < 0.4, rng.randrange(1 << 15))
            payload += rng.randbytes(rng.randint(0, 5))
        seq, timestamp = seq & 0xFFFF, timestamp & 0xFFFFFFFF
        packets.append(Packet(seq, timestamp, rng.random() < 0.4, payload))
    return packets


@pytest.mark.parametrize("seed", range(8))
def test_video_agrees_on_hostile_input(seed: int) -> None:
    """What a broken or malicious publisher may send still gets the same frames, NACKs,
    PLIs and statistics from both paths, packet by packet."""
    both = run_both(hostile_packets(random.Random(seed), 400))
    assert both.compiled_plis and both.compiled_nacks


# ---- Opus --------------------------------------------------------------------------------


def audio_receiver() -> tuple[RTCRtpReceiver, aiortc_seams._LeanReceive, list[EncodedFrame]]:
    """An audio receiver as `receive()` leaves it (Opus negotiated), with the relay's parts."""
    receiver = RTCRtpReceiver("audio", aiortc_seams._ClosedTransport())  # type: ignore[arg-type]
    codecs = receiver._RTCRtpReceiver__codecs  # type: ignore[attr-defined]
    codecs[OPUS_PT] = RTCRtpCodecParameters(
        mimeType="audio/opus", clockRate=48_000, channels=2, payloadType=OPUS_PT
    )
    receiver._RTCRtpReceiver__jitter_buffer = aiortc_seams._AudioBuffer()  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__timestamp_mapper = aiortc_seams._TimestampMapper()  # type: ignore[attr-defined]

    frames: list[EncodedFrame] = []
    return receiver, aiortc_seams._LeanReceive(receiver, "audio", frames.append), frames


def rtp_bytes(
    packet: Packet,
    payload_type: int,
    ssrc: int,
    csrcs: tuple[int, ...] = (),
    extension: tuple[int, bytes] | None = None,
    padding: int = 0,
) -> bytes:
    """An RTP packet (RFC 3550): CSRCs, a header extension (profile, elements) and padding."""
    first = 0x80 | len(csrcs) | (0x10 if extension else 0) | (0x20 if padding else 0)
    second = payload_type | (0x80 if packet.marker else 0)
    data = RTP_HEADER.pack(first, second, packet.seq, packet.timestamp, ssrc)
    data += b"".join(struct.pack("!I", csrc) for csrc in csrcs)
    if extension:
        profile, elements = extension
        elements += bytes(-len(elements) % 4)
        data += struct.pack("!HH", profile, len(elements) // 4) + elements
    data += packet.payload
    if padding:
        data += bytes(padding - 1) + bytes([padding])
    return data


def header_extension(rng: random.Random, level: int | None) -> tuple[int, bytes]:
    """RFC 8285 header extensions, one-byte (0xBEDE) or two-byte (0x1000) at random: a few
    other elements, padding bytes between them and, unless `level` is None, the audio level
    (RFC 6464: V bit and -dBov)."""
    two_byte = rng.random() < 0.5
    ids = (1, 2, 4, 14, 200) if two_byte else (1, 2, 4, 14)
    shortest = 0 if two_byte else 1
    elements = [
        (rng.choice(ids), rng.randbytes(rng.randint(shortest, 4))) for _ in range(rng.randint(0, 3))
    ]
    if level is not None:
        elements.insert(rng.randint(0, len(elements)), (LEVEL_ID, bytes([level])))
    value = b""
    for element_id, data in elements:
        value += bytes(rng.choice((0, 0, 1, 2)))  # padding between elements
        if two_byte:
            value += bytes([element_id, len(data)]) + data
        else:
            value += bytes([element_id << 4 | len(data) - 1]) + data
    return (0x1000 if two_byte else 0xBEDE), value


def opus_packets(rng: random.Random, count: int) -> list[bytes]:
    """Plain Opus RTP packets across the sequence and timestamp wraps, most with an audio
    level, some with CSRCs, some empty (no payload, or all padding), some repeating the
    previous timestamp under a new sequence number."""
    seq, timestamp = 65535 - 40, 2**32 - 960 * 80
    packets = []
    for _ in range(count):
        draw = rng.random()
        payload = b"" if draw < 0.06 else rng.randbytes(rng.randint(1, 80))
        level = rng.randrange(256) if rng.random() < 0.85 else None
        packets.append(
            rtp_bytes(
                Packet(seq, timestamp, rng.random() < 0.05, payload),
                OPUS_PT,
                AUDIO_SSRC,
                csrcs=tuple(rng.randrange(2**32) for _ in range(rng.choice((0, 0, 0, 1, 2)))),
                extension=header_extension(rng, level) if level is not None or draw < 0.5 else None,
                padding=rng.randint(1, 8) if draw < 0.03 or rng.random() < 0.05 else 0,
            )
        )
        seq = (seq + 1) & 0xFFFF
        if rng.random() > 0.03:  # else the next packet repeats this timestamp
            timestamp = (timestamp + 960) & 0xFFFFFFFF
    return packets


def srtp_session(direction: int) -> pylibsrtp.Session:
    """A session keyed as aiortc_seams._check_fastpath keys its own."""
    return pylibsrtp.Session(pylibsrtp.Policy(key=bytes(range(30)), ssrc_type=direction))


def relay_session() -> pylibsrtp.Session:
    return srtp_session(pylibsrtp.Policy.SSRC_ANY_INBOUND)


def publisher_session() -> pylibsrtp.Session:
    return srtp_session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)


def receive(session: pylibsrtp.Session, data: bytes, streams: dict[int, Any]) -> Any:
    """media._receive.receive on `session`, as aiortc_seams._DirectReceive._rtp calls it."""
    functions = aiortc_seams._srtp_functions
    return _receive.receive(functions.context(session), functions.unprotect, data, streams)


class AudioBothWays:
    """One Opus stream received by the Python path and by _receive.receive side by side.

    Python: what _DirectReceive._rtp does for a lean receiver (pylibsrtp unprotect,
    `_parse_rtp`, the header extensions decoded by aiortc's HeaderExtensionsMap), then
    `_LeanReceive` with `_AudioBuffer`. C: `receive()` with its own inbound session on the
    same protected bytes, so both see SRTP's replay protection too.
    """

    def __init__(self) -> None:
        self.receiver, self.lean, self.encoded = audio_receiver()
        self.extensions = HeaderExtensionsMap()
        self.extensions._HeaderExtensionsMap__ids.audio_level = LEVEL_ID  # type: ignore[attr-defined]
        self.python_srtp, self.compiled_srtp = relay_session(), relay_session()
        self.inbound = new_audio_stream(self)
        self.streams = {AUDIO_SSRC: self.inbound}
        self.compiled: list[Frame] = []

    @property
    def python(self) -> list[Frame]:
        return [frame_of(frame) for frame in self.encoded]

    @property
    def statistics(self) -> StreamStatistics:
        return self.receiver._RTCRtpReceiver__remote_streams[AUDIO_SSRC]  # type: ignore[attr-defined]

    def feed(self, protected: bytes) -> None:
        try:
            plain: bytes | None = self.python_srtp.unprotect(protected)
        except pylibsrtp.Error:
            plain = None
        parsed = aiortc_seams._parse_rtp(plain) if plain is not None else None
        if parsed is not None:
            packet, profile, value = parsed
            if value is not None:
                packet.extensions = self.extensions.get(profile, value)
            self.lean(packet)

        result = receive(self.compiled_srtp, protected, self.streams)
        if result is not None:
            assert isinstance(result, tuple), "an audio packet of the stream came back as bytes"
            owner, stream, nack, pli, frames = result
            assert (owner, stream, nack, pli) == (self, self.inbound, False, False)
            self.compiled += frames


@pytest.mark.parametrize("seed", [1, 2])
def test_audio_agrees_with_the_python_path(seed: int) -> None:
    """Opus through SRTP with one-byte and two-byte audio-level extensions, CSRCs, padding,
    late, replayed and empty packets and repeated timestamps: the C path releases the same
    frames (timestamp, data, payloads, audio level) at the same packets as _AudioBuffer,
    and keeps identical statistics."""
    rng = random.Random(seed)
    publisher = publisher_session()
    protected = [publisher.protect(packet) for packet in opus_packets(rng, 600)]
    both = AudioBothWays()
    for index, packet in enumerate(perturb(rng, protected)):
        both.feed(packet)
        assert both.compiled == both.python, f"after packet {index}"
        if index % 50 == 49:
            assert_same_statistics(both.statistics, both.inbound, f"after packet {index}")
    assert_same_statistics(both.statistics, both.inbound, "at the end")
    # The stream exercised what it is meant to.
    levels = [frame[5] for frame in both.compiled]
    assert None in levels and len(set(levels)) > 50
    assert len(both.compiled) < both.inbound.packets_received - 20  # late or empty: dropped
    assert both.compiled[-1][0] > 80 * 960  # past the 2**32 timestamp wrap, unwrapped
    assert both.inbound.cycles == 1 << 16


# ---- receive(): SRTP, routing ------------------------------------------------------------


def protect_large(session: pylibsrtp.Session, plain: bytes) -> bytes:
    """`plain` protected by libsrtp itself: pylibsrtp refuses packets over 1500 bytes."""
    ffi, lib = pylibsrtp._binding.ffi, pylibsrtp._binding.lib
    buffer = ffi.new("char[]", len(plain) + 256)
    ffi.memmove(buffer, plain, len(plain))
    length = ffi.new("int *", len(plain))
    assert lib.srtp_protect(session._srtp[0], buffer, length) == 0
    return bytes(ffi.buffer(buffer, length[0]))


def snapshot(stream: Any) -> tuple[Any, ...]:
    """What a dropped packet must leave as it was (fraction_lost is not read: it resets)."""
    return (stream.packets, *(getattr(stream, name) for name in COUNTERS), stream.missing())


class Owner:
    """Stands in for aiortc_seams._CompiledStream: whoever a stream's results are for."""

    stream: Any = None
    result: Any = None


def test_receive_unprotects_and_hands_packets_to_their_stream() -> None:
    """receive() with real SRTP: a registered SSRC and payload type yields the stream's
    result, header (CSRCs, extension, padding) stripped as the Python parser strips it;
    an unknown SSRC, another payload type or no streams at all give the plain packet back
    for the Python path; tampered, replayed, unparseable and oversized packets give None and
    leave the stream as it was."""
    publisher, relay = publisher_session(), relay_session()
    owner = Owner()
    stream = owner.stream = new_video_stream(owner)
    streams = {MEDIA_SSRC: stream}
    keyframe = b"\x50\x01\x02\x03"
    first = rtp_bytes(
        Packet(65535, 4000, False, b"\x90\x80\x81\x23" + keyframe),
        VP8_PT,
        MEDIA_SSRC,
        csrcs=(7, 8),
        extension=(0xBEDE, b"\x10\xff"),
        padding=3,
    )
    assert receive(relay, publisher.protect(first), streams) is None  # half a frame
    second = publisher.protect(
        rtp_bytes(Packet(0, 4000, True, b"\x00\x04\x05"), VP8_PT, MEDIA_SSRC)
    )
    tampered = second[:-1] + bytes([second[-1] ^ 1])
    before = snapshot(stream)
    assert receive(relay, tampered, streams) is None
    assert snapshot(stream) == before
    whole = (
        0,
        keyframe + b"\x04\x05",
        ((b"\x90\x80\x81\x23" + keyframe, False), (b"\x00\x04\x05", True)),
        True,
        False,
        None,
    )
    assert receive(relay, second, streams) == (owner, stream, False, False, [whole])
    assert aiortc_seams._parse_rtp(first)[0].payload == b"\x90\x80\x81\x23" + keyframe  # type: ignore[index]

    before = snapshot(stream)
    assert receive(relay, second, streams) is None  # replayed
    plain = rtp_bytes(Packet(1, 7000, True, b"\x10\x51"), VP8_PT, OTHER_SSRC)
    assert receive(relay, publisher.protect(plain), streams) == plain  # unknown SSRC
    plain = rtp_bytes(Packet(1, 7000, True, b"\x10\x51"), 100, MEDIA_SSRC)
    assert receive(relay, publisher.protect(plain), streams) == plain  # another payload type
    plain = rtp_bytes(Packet(2, 7000, True, b"\x10\x51"), VP8_PT, MEDIA_SSRC)
    assert receive(relay, publisher.protect(plain), {}) == plain  # no compiled streams
    plain = rtp_bytes(Packet(3, 7000, True, b"\x10\x51"), VP8_PT, MEDIA_SSRC)
    assert receive(relay, publisher.protect(plain), {MEDIA_SSRC: owner}) == plain  # not one
    unparseable = rtp_bytes(Packet(4, 7000, True, b"\x10\x51"), VP8_PT, MEDIA_SSRC)[:-1] + b"\x00"
    unparseable = bytes([unparseable[0] | 0x20]) + unparseable[1:]  # padding of length 0
    assert aiortc_seams._parse_rtp(unparseable) is None
    assert receive(relay, publisher.protect(unparseable), streams) is None
    assert receive(relay, bytes(64), streams) is None  # not SRTP at all
    assert snapshot(stream) == before

    # Size: a fresh stream, so that the largest packet accepted is released at once.
    fresh = new_video_stream(owner)
    streams = {MEDIA_SSRC: fresh}
    untouched = snapshot(fresh)
    body = b"\x10\x51" + bytes(2049 - 12 - 2 - 10)
    oversized = protect_large(
        publisher, rtp_bytes(Packet(5, 10_000, True, body), VP8_PT, MEDIA_SSRC)
    )
    assert len(oversized) == 2049  # with SRTP's 10-byte tag
    assert receive(relay, oversized, streams) is None
    assert snapshot(fresh) == untouched
    largest = protect_large(
        publisher, rtp_bytes(Packet(6, 13_000, True, body[:-1]), VP8_PT, MEDIA_SSRC)
    )
    assert len(largest) == 2048
    result = receive(relay, largest, streams)
    assert result is not None and result[4] == [
        (0, body[1:-1], ((body[:-1], True),), False, False, None)
    ]


# ---- bad input, lifetime -----------------------------------------------------------------


BAD_CALLS: list[tuple[tuple[Any, ...], type[Exception]]] = [
    ((-1, 0, True, b"\x10\x51", -1, True), ValueError),  # sequence number out of range
    ((65536, 0, True, b"\x10\x51", -1, True), ValueError),
    ((2**40, 0, True, b"\x10\x51", -1, True), OverflowError),
    ((1, -1, True, b"\x10\x51", -1, True), ValueError),  # timestamp out of range
    ((1, 2**32, True, b"\x10\x51", -1, True), ValueError),
    ((1, 0, True, b"\x10\x51", 128, True), ValueError),  # audio level out of range
    ((1, 0, True, b"\x10\x51", 2**40, True), OverflowError),
    (("1", 0, True, b"\x10\x51", -1, True), TypeError),
    ((1, 1.5, True, b"\x10\x51", -1, True), TypeError),
    ((1, 0, True, "\x10\x51", -1, True), TypeError),  # str, not bytes
    ((1, 0, True, None, -1, True), TypeError),
    ((1, 0, True, b"\x10\x51", None, True), TypeError),
    ((1, 0, True, b"\x10\x51", -1), TypeError),  # an argument missing
]


def test_bad_arguments_raise_and_change_nothing() -> None:
    """add_packet with wrong types or out-of-range values raises before touching the stream:
    a stream given every bad call before each packet ends exactly as one that never was."""
    rng = random.Random(7)
    frames = vp8_stream(rng, 40, seq=65530, timestamp=2**32 - 9000)
    packets = perturb(rng, [packet for frame in frames for packet in frame])
    del packets[20], packets[50]  # lost: NACKs to compare too
    outcomes: set[tuple[bool, bool, bool]] = set()  # (nack, pli, frames) of the results
    clean_owner, poked_owner = Owner(), Owner()
    clean, poked = new_video_stream(clean_owner), new_video_stream(poked_owner)
    for packet in packets:
        for arguments, error in BAD_CALLS:
            before = snapshot(poked)
            with pytest.raises(error):
                poked.add_packet(*arguments)
            assert snapshot(poked) == before, arguments
        expected = clean.add_packet(*packet, -1, True)
        result = poked.add_packet(*packet, -1, True)
        if expected is None:
            assert result is None
        else:
            assert result is not None and result[0] is poked_owner and result[1] is poked
            assert result[2:] == expected[2:]
            outcomes.add((expected[2], expected[3], bool(expected[4])))
        assert snapshot(poked) == snapshot(clean)
    assert clean.fraction_lost == poked.fraction_lost
    assert {(True, False, False), (False, False, True)} <= outcomes  # NACKs and frames seen

    audio = new_audio_stream(None)
    with pytest.raises(ValueError):
        audio.add_packet(1, 0, True, b"opus", 128, True)
    assert audio.packets == 0
    assert audio.add_packet(1, 0, True, b"opus", 127, True)[4] == [  # type: ignore[index]
        (0, b"opus", ((b"opus", True),), True, False, 127)
    ]


@pytest.mark.parametrize("capacity", [0, -512, 3, 100, 511, 65536])
def test_the_buffer_capacity_must_be_a_power_of_two(capacity: int) -> None:
    """As aiortc's JitterBuffer asserts: the C buffer indexes slots with capacity - 1."""
    with pytest.raises(ValueError):
        _receive.InboundStream(None, 1, 90_000, True, VP8_PT, 0, 0, capacity)


def test_other_bad_configurations_are_refused() -> None:
    """A clock rate or payload type out of range raises ValueError; initialising a stream
    twice raises RuntimeError and keeps it as it was."""
    for clock_rate, payload_type in ((0, VP8_PT), (90_000, -1), (90_000, 128)):
        with pytest.raises(ValueError):
            _receive.InboundStream(None, 1, clock_rate, True, payload_type, 0, 0, 512)
    owner = Owner()
    stream = new_video_stream(owner)
    stream.add_packet(10, 0, False, b"\x10\x51", -1, True)
    before = snapshot(stream)
    with pytest.raises(RuntimeError):
        stream.__init__(None, 2, 90_000, True, VP8_PT, 0, 0, 1024)  # type: ignore[misc]
    assert snapshot(stream) == before and stream.owner is owner and stream.ssrc == MEDIA_SSRC


def test_an_uninitialised_stream_raises_instead_of_crashing() -> None:
    """`InboundStream.__new__` without `__init__` has no buffer: its methods, and receive()
    finding it registered, raise RuntimeError; its attributes read as an empty stream's."""
    stream = _receive.InboundStream.__new__(_receive.InboundStream)
    with pytest.raises(RuntimeError):
        stream.add_packet(1, 0, True, b"\x10\x51", -1, True)
    with pytest.raises(RuntimeError):
        stream.missing()
    publisher, relay = publisher_session(), relay_session()
    plain = rtp_bytes(Packet(1, 0, True, b"\x10\x51"), VP8_PT, MEDIA_SSRC)
    with pytest.raises(RuntimeError):
        receive(relay, publisher.protect(plain), {MEDIA_SSRC: stream})
    assert (stream.base_seq, stream.max_seq, stream.packets_lost, stream.jitter) == (
        None,
        None,
        0,
        0,
    )
    assert (stream.fraction_lost, stream.packets, stream.owner) == (0, 0, None)
    del stream
    gc.collect()


def test_a_stream_and_its_owner_in_a_cycle_are_collected() -> None:
    """The owner keeps its stream and the stream its owner (and a result tuple both): the
    cycle goes through tp_traverse, so the garbage collector frees them."""

    def cycle() -> weakref.ref[Owner]:
        owner = Owner()
        owner.stream = new_video_stream(owner)
        owner.stream.add_packet(1, 0, True, b"\x10\x50", -1, True)
        owner.result = owner.stream.add_packet(3, 3000, False, b"\x10\x51", -1, True)  # NACK
        assert owner.result is not None and owner.result[0] is owner
        owner.stream.add_packet(4, 3000, True, b"\x00\x52", -1, True)  # held in the buffer
        return weakref.ref(owner)

    gc.collect()
    owner = cycle()
    gc.collect()
    assert owner() is None


def test_a_long_stream_through_srtp_leaves_memory_where_it_was() -> None:
    """A meeting is hours of packets: after a warm-up, 12 000 more lossy VP8 packets through
    receive() (SRTP, NACKs, PLIs, frames, give-ups) must leave traced memory as it was, so
    no reference taken in the C code is left behind."""
    rng = random.Random(7)
    frames = vp8_stream(rng, 5000, seq=rng.randrange(1 << 16), timestamp=rng.randrange(1 << 32))
    publisher = publisher_session()
    sent = [  # protected in order, as a publisher does; then lost, reordered, duplicated
        publisher.protect(
            RTP_HEADER.pack(0x80, VP8_PT | p.marker << 7, p.seq, p.timestamp, MEDIA_SSRC)
            + p.payload
        )
        for frame in frames
        for p in frame
    ]
    protected = perturb(rng, sent)

    owner, relay = Owner(), relay_session()
    streams = {MEDIA_SSRC: new_video_stream(owner)}
    results = 0

    def run(batch: list[bytes]) -> None:
        nonlocal results
        for data in batch:
            result = receive(relay, data, streams)
            if isinstance(result, tuple):
                results += 1
                if result[2]:
                    result[1].missing()

    warm_up, measured = protected[:4000], protected[4000:16000]
    run(warm_up)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(measured)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert results > 3000 and streams[MEDIA_SSRC].packets > 15_000
    # The buffer holds at most 512 packets either way; a leak of even one small object per
    # packet would be ~400 KB here.
    assert grown < 64 * 1024, f"{grown} bytes more after 12 000 packets"
