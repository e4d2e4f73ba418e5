"""The relay's lean receive path (aiortc_seams._LeanReceive): what aiortc's per-packet
coroutine did that matters to a relay still happens — statistics for receiver reports,
NACK, RTX unwrap, reassembly, PLI — without the coroutine."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from aiortc.codecs.vpx import vp8_depayload
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from media import aiortc_seams
from media.frames import EncodedFrame
from media.router import Relay
from media.synthetic import Clip
from tests.media.clients import Camera, Events, Screen, until
from tests.media.conftest import ROOM
from tests.media.test_relay import camera, is_run_of, screen

MEDIA_SSRC, RTX_SSRC = 1111, 2222


class Recorded:
    """A receiver's RTCP sends, recorded instead of sent."""

    def __init__(self, receiver: RTCRtpReceiver) -> None:
        self.nacks: list[tuple[int, list[int]]] = []
        self.plis: list[int] = []

        async def nack(media_ssrc: int, lost: list[int]) -> None:
            self.nacks.append((media_ssrc, lost))

        async def pli(media_ssrc: int) -> None:
            self.plis.append(media_ssrc)

        receiver._send_rtcp_nack = nack  # type: ignore[method-assign]
        receiver._send_rtcp_pli = pli  # type: ignore[method-assign]


def video_receiver() -> tuple[RTCRtpReceiver, aiortc_seams._LeanReceive, list[EncodedFrame]]:
    """A receiver as `receive()` leaves it (VP8 + RTX negotiated), with the relay's parts."""
    receiver = RTCRtpReceiver("video", aiortc_seams._ClosedTransport())  # type: ignore[arg-type]
    codecs = receiver._RTCRtpReceiver__codecs  # type: ignore[attr-defined]
    codecs[96] = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    codecs[97] = RTCRtpCodecParameters(
        mimeType="video/rtx", clockRate=90000, payloadType=97, parameters={"apt": 96}
    )
    receiver._RTCRtpReceiver__rtx_ssrc[RTX_SSRC] = MEDIA_SSRC  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__jitter_buffer = aiortc_seams._VideoBuffer()  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__timestamp_mapper = aiortc_seams._TimestampMapper()  # type: ignore[attr-defined]

    receiver._RTCRtpReceiver__nack_generator = aiortc_seams._NackGenerator()  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__remote_bitrate_estimator = None  # type: ignore[attr-defined]
    frames: list[EncodedFrame] = []
    return receiver, aiortc_seams._LeanReceive(receiver, "video", frames.append), frames


def vp8(seq: int, timestamp: int, body: bytes, start: bool, marker: bool) -> RtpPacket:
    descriptor = b"\x10" if start else b"\x00"
    return RtpPacket(96, int(marker), seq, timestamp, MEDIA_SSRC, descriptor + body)


def test_a_gap_is_nacked_and_filled_by_an_rtx_packet() -> None:
    receiver, lean, frames = video_receiver()
    sent = Recorded(receiver)
    keyframe = b"\x50\x04\x00\x9d\x01\x2a"  # VP8 keyframe header (P bit 0)
    lean(vp8(100, 9000, keyframe, start=True, marker=True))
    assert [f.timestamp for f in frames] == [0]  # aiortc's timestamp mapper: starts at 0
    assert frames[0].keyframe and frames[0].payloads == ((b"\x10" + keyframe, True),)

    lean(vp8(101, 12000, b"\x01AB", start=True, marker=False))
    lean(vp8(103, 12000, b"EF", start=False, marker=True))  # 102 lost on the way
    assert sent.nacks == [(MEDIA_SSRC, [102])]
    assert len(frames) == 1  # the frame waits for its missing packet

    original = vp8(102, 12000, b"CD", start=False, marker=False)
    rtx = RtpPacket(97, 0, 5000, 12000, RTX_SSRC, struct.pack("!H", 102) + original.payload)
    lean(rtx)
    assert [f.data for f in frames[1:]] == [b"\x01ABCDEF"]
    assert frames[1].timestamp == 3000 and not frames[1].keyframe

    # Statistics for receiver reports, per SSRC, as aiortc keeps them (RTX its own stream).
    streams = receiver._RTCRtpReceiver__remote_streams  # type: ignore[attr-defined]
    assert streams[MEDIA_SSRC].packets_received == 3 and streams[MEDIA_SSRC].packets_lost == 1
    assert streams[RTX_SSRC].packets_received == 1
    assert lean.packets == 4 and not sent.plis
    sources = {s.source for s in receiver.getSynchronizationSources()}
    assert sources == {MEDIA_SSRC, RTX_SSRC}


def test_unknown_payload_types_and_a_disabled_receiver_are_ignored() -> None:
    receiver, lean, frames = video_receiver()
    lean(RtpPacket(100, 1, 1, 0, MEDIA_SSRC, b"\x10\x00"))
    receiver._enabled = False
    lean(vp8(2, 0, b"\x00", start=True, marker=True))
    assert frames == [] and receiver._RTCRtpReceiver__remote_streams == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("80e0 1234 00000001 0000abcd") + b"payload",
        # two CSRCs, a one-byte header extension (id 1: audio level), padding of 3
        bytes.fromhex("b2 6f 0001 00000960 00000457 00000001 00000002 bede0001 10ff0000")
        + b"opus"
        + b"\x00\x00\x03",
        bytes.fromhex("90 60 0002 00000000 00000457 bede0002 22000001 31020000") + b"x",
        bytes.fromhex("40 60 0002 00000000 00000457"),  # version 1
        bytes.fromhex("80 60 00"),  # too short
        bytes.fromhex("90 60 0002 00000000 00000457 bede0005 22000001"),  # truncated extension
        bytes.fromhex("a0 60 0002 00000000 00000457") + b"\x00",  # padding length 0
    ],
)
def test_the_lean_rtp_parser_agrees_with_aiortcs(data: bytes) -> None:
    extensions = HeaderExtensionsMap()
    extensions._HeaderExtensionsMap__ids.audio_level = 1  # type: ignore[attr-defined]
    extensions._HeaderExtensionsMap__ids.abs_send_time = 2  # type: ignore[attr-defined]
    try:
        expected: RtpPacket | None = RtpPacket.parse(data, extensions)
    except ValueError:
        expected = None
    parsed = aiortc_seams._parse_rtp(data)
    if expected is None:
        assert parsed is None
        return
    assert parsed is not None
    packet, profile, value = parsed
    if value is not None:
        packet.extensions = extensions.get(profile, value)

    def fields(p: RtpPacket) -> dict[str, Any]:
        return {k: v for k, v in vars(p).items() if k != "extensions"} | vars(p.extensions)

    assert fields(packet) == fields(expected)


@pytest.mark.parametrize(
    ("profile", "value", "level"),
    [
        (0xBEDE, bytes.fromhex("10 85 00 00"), 5),  # id 1, one byte: VAD set, level 5
        (0x1000, bytes.fromhex("01 01 85 00"), 5),  # the same, two-byte header
        (0xBEDE, bytes.fromhex("13 85 00 00"), None),  # element of 4 bytes in 3: truncated
        (0xBEDE, bytes.fromhex("11 85 05 00"), None),  # a 2-byte audio level: aiortc's unpack fails
        (0x1000, bytes.fromhex("01 09 85 00"), None),  # two-byte header, truncated
    ],
)
def test_malformed_header_extensions_drop_the_packet_instead_of_raising(
    profile: int, value: bytes, level: int | None
) -> None:
    """What the direct path decodes for a receiver that reads extensions: where aiortc's
    decoder raises (a hostile or broken sender), the packet is dropped, not an exception
    out of the socket's callback for every such packet."""
    extensions = HeaderExtensionsMap()
    extensions._HeaderExtensionsMap__ids.audio_level = 1  # type: ignore[attr-defined]
    decoded = aiortc_seams._header_extensions(extensions, profile, value)
    if level is None:
        assert decoded is None
    else:
        assert decoded is not None and decoded.audio_level == (True, level)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x10abc",  # no extension
        b"\x90\x80\x05abc",  # 7-bit picture ID
        b"\x90\x80\x81\x23abc",  # 15-bit picture ID (what aiortc and browsers send)
        b"\x90\xf0\x81\x23\x07\x45abc",  # picture ID, TL0PICIDX, TID/KEYIDX
        b"\x90\x10\x45",  # K only, no data after the descriptor
        b"\x90",  # truncated: no extension byte
        b"\x90\x80",  # truncated picture ID
        b"\x90\x80\x81",  # truncated long picture ID
        b"\x90\x60\x81",  # truncated T/K
    ],
)
def test_the_lean_vp8_depayloader_agrees_with_aiortcs(payload: bytes) -> None:
    try:
        expected: bytes | None = vp8_depayload(payload)
    except ValueError:
        expected = None
    try:
        lean: bytes | None = aiortc_seams._vp8_depayload(payload)
    except ValueError:
        lean = None
    assert lean == expected


async def test_a_packet_lost_on_the_way_in_is_recovered_over_loopback(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip
) -> None:
    """A real publisher: the relay NACKs the lost packet, the camera resends it over RTX,
    viewers get every frame unchanged, and the receiver reports count the loss."""
    site = await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    await until(lambda: len(hall.frames["video"]) >= 5, what="video at the hall")

    publisher = relay._room(ROOM).publishers["commune-1"]
    receiver = next(t.receiver for t in publisher.pc.getTransceivers() if t.kind == "video")
    ssrc = publisher.forwarders["video"].ssrc
    hook = receiver.transport.transport._connection.data_received
    assert isinstance(hook, aiortc_seams._DirectReceive)
    nacks: list[list[int]] = []
    send_nack = receiver._send_rtcp_nack

    async def nack(media_ssrc: int, lost: list[int]) -> None:
        nacks.append(lost)
        await send_nack(media_ssrc, lost)

    receiver._send_rtcp_nack = nack  # type: ignore[method-assign]
    dropped: list[int] = []
    handle = hook._srtp_packet

    def lossy(data: bytes) -> bool:
        # SRTP leaves the RTP header in clear: drop one packet of the camera's video.
        if not dropped and len(data) > 12 and int.from_bytes(data[8:12], "big") == ssrc:
            dropped.append(int.from_bytes(data[2:4], "big"))
            return True
        return handle(data)

    hook._srtp_packet = lossy  # type: ignore[method-assign]
    lean_before = aiortc_seams.packets_handled_lean(receiver)
    before = len(hall.frames["video"])
    await until(lambda: len(hall.frames["video"]) >= before + 15, what="video after the loss")

    assert dropped and any(dropped[0] in lost for lost in nacks)
    streams = receiver._RTCRtpReceiver__remote_streams
    assert len(streams) == 2  # the media SSRC and, since the resend, the RTX one
    assert aiortc_seams.packets_handled_lean(receiver) > lean_before  # the RTX stream
    assert aiortc_seams.packets_handled_compiled(receiver) > 15  # the media stream

    assert is_run_of([f.data for f in hall.frames["video"]], site.sent)  # nothing lost
    # What the receiver reports say (aiortc's getStats keeps one inbound entry per receiver,
    # so read the statistics behind the reports).
    assert streams[ssrc].packets_lost >= 1 and streams[ssrc].packets_received > 0
