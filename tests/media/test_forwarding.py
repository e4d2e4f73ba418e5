"""The relay's pieces without a network: frames, reassembly, fan-out queues, keyframe requests."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from aiortc.rtp import RtpPacket

from media import aiortc_seams, forwarding, keyframes
from media.forwarding import DownTrack, Forwarder
from media.frames import EncodedFrame, is_keyframe, vp8_size
from media.keyframes import KeyframeRequester
from media.synthetic import Clip


@pytest.mark.parametrize(
    ("codec", "data", "key"),
    [
        ("video/vp8", b"\x50\x04\x00\x9d\x01\x2a", True),  # P bit 0
        ("video/vp8", b"\x51\x04\x00", False),
        ("video/vp8", b"", False),
        ("video/h264", b"\x00\x00\x00\x01\x67\x42\x00\x00\x00\x01\x65\x88", True),  # SPS, IDR
        ("video/h264", b"\x00\x00\x00\x01\x41\x9a", False),  # non-IDR slice
        ("audio/opus", b"\xfc", True),
    ],
)
def test_keyframes_are_recognised(codec: str, data: bytes, key: bool) -> None:
    assert is_keyframe(codec, data) is key


def test_vp8_picture_size_comes_from_keyframes_only(clip: Clip) -> None:
    assert vp8_size(clip.video[0]) == (320, 240)
    assert vp8_size(clip.video[1]) is None


def rtp(seq: int, timestamp: int, payload: bytes, marker: bool = False) -> RtpPacket:
    packet = RtpPacket(payload_type=97, sequence_number=seq, timestamp=timestamp, ssrc=1234)
    packet.payload = payload
    packet.marker = int(marker)
    packet._data = payload[1:]  # type: ignore[attr-defined]  # what depayload() leaves
    return packet


def test_video_reassembly_releases_a_frame_at_its_marker() -> None:
    buffer = aiortc_seams._VideoBuffer()
    assert buffer.add(rtp(10, 900, b"\x10AB")) == (False, None)
    _, frame = buffer.add(rtp(11, 900, b"\x00CD", marker=True))
    assert frame is not None and frame.data == b"ABCD" and frame.timestamp == 900
    assert isinstance(frame, aiortc_seams._Frame) and frame.clean_start
    _, frame = buffer.add(rtp(12, 3900, b"\x00EF", marker=True))  # no partition start
    assert isinstance(frame, aiortc_seams._Frame) and not frame.clean_start


def test_a_frame_stuck_on_a_lost_packet_is_given_up_after_the_hold_time() -> None:
    buffer = aiortc_seams._VideoBuffer()
    buffer.add(rtp(100, 0, b"\x10A"))  # packet 101, the end of frame 0, is lost
    tick = 6000  # 15 fps
    released = []
    for n in range(1, 8):  # frames 1.. arrive whole; frame 0 holds them up for a while
        _, frame = buffer.add(rtp(101 + n, n * tick, b"\x10F", marker=True))
        if frame is not None:
            released.append(frame)
    # Frame 0 and the deltas held up behind it are dropped once the hold time is exceeded.
    assert [f.timestamp for f in released] == [5 * tick, 6 * tick, 7 * tick]
    assert [getattr(f, "discontinuity", None) for f in released] == [True, False, False]


def test_padding_only_packets_are_dropped_without_holding_frames_up() -> None:
    buffer = aiortc_seams._VideoBuffer()
    _, frame = buffer.add(rtp(1, 0, b"\x10AB", marker=True))
    assert frame is not None
    padding = rtp(2, 0, b"")  # no marker, the previous frame's timestamp
    assert buffer.add(padding) == (False, None)
    _, frame = buffer.add(rtp(3, 3000, b"\x10CD", marker=True))
    assert frame is not None and frame.data == b"CD" and frame.timestamp == 3000
    assert aiortc_seams._AudioBuffer().add(rtp(4, 960, b"")) == (False, None)


def test_audio_packets_pass_at_once_and_late_ones_are_dropped() -> None:
    buffer = aiortc_seams._AudioBuffer()
    assert buffer.add(rtp(1, 960, b"\x00a"))[1] is not None
    assert buffer.add(rtp(3, 2880, b"\x00c"))[1] is not None
    assert buffer.add(rtp(2, 1920, b"\x00b")) == (False, None)


def frame(timestamp: int, key: bool = False, kind: str = "video", ssrc: int = 1) -> EncodedFrame:
    return EncodedFrame(
        kind="video" if kind == "video" else "audio",
        codec="video/vp8" if kind == "video" else "audio/opus",
        data=(b"\x00" if key else b"\x01") + timestamp.to_bytes(4, "big"),
        timestamp=timestamp,
        keyframe=key or kind == "audio",
        ssrc=ssrc,
        arrival=time.monotonic(),
    )


async def reading(track: DownTrack) -> DownTrack:
    """Make the track count as read from, as a started RTCRtpSender does."""
    task = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    task.cancel()
    return track


async def test_a_down_track_starts_at_a_keyframe() -> None:
    source = Forwarder("site", "video", "video/vp8", None)
    track = await reading(DownTrack("video", "video/vp8"))
    track.switch(source)
    source.push(frame(3000))
    source.push(frame(6000, key=True))
    source.push(frame(9000))
    packets = [await track.recv(), await track.recv()]
    assert [p.is_keyframe for p in packets] == [True, False]
    assert track.dropped == 1


async def test_a_frame_lost_upstream_makes_viewers_wait_for_a_keyframe() -> None:
    requests: list[int] = []
    source = Forwarder("site", "video", "video/vp8", None)
    source.request_keyframe = lambda: requests.append(1)  # type: ignore[method-assign]
    track = await reading(DownTrack("video", "video/vp8"))
    track.switch(source)
    source.push(frame(3000, key=True))
    lost = frame(9000)
    source.push(dataclasses.replace(lost, discontinuity=True))
    source.push(frame(12000))
    source.push(frame(15000, key=True))
    assert [(await track.recv()).is_keyframe for _ in range(2)] == [True, True]
    assert len(requests) == 2  # on switch, and for the lost picture


async def test_timestamps_keep_increasing_across_a_switch_of_publisher() -> None:
    first = Forwarder("a", "video", "video/vp8", None)
    second = Forwarder("b", "video", "video/vp8", None)
    track = await reading(DownTrack("video", "video/vp8"))
    track.switch(first)
    first.push(frame(900_000, key=True))
    first.push(frame(903_000))
    track.switch(second)
    second.push(frame(10, key=True, ssrc=2))  # another camera's clock, far behind
    second.push(frame(3010, ssrc=2))
    stamps = [(await track.recv()).pts or 0 for _ in range(2)]
    track.switch(first)
    first.push(frame(912_000, key=True))
    stamps += [(await track.recv()).pts or 0]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    assert stamps[1] - stamps[0] == 3000  # within one publisher, spacing is kept


async def test_a_full_audio_queue_drops_its_oldest_frames() -> None:
    source = Forwarder("site", "audio", "audio/opus", None)
    track = await reading(DownTrack("audio", "audio/opus"))
    track.switch(source)
    for i in range(forwarding.AUDIO_QUEUE_FRAMES + 5):
        source.push(frame(i * 960, kind="audio"))
    assert track.dropped == 5
    assert (await track.recv()).pts == 5 * 960  # the first kept is the 6th sent


async def test_a_video_queue_that_keeps_overflowing_gives_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forwarding, "VIDEO_QUEUE_FRAMES", 3)
    failing: list[DownTrack] = []
    requests: list[int] = []
    source = Forwarder("site", "video", "video/vp8", None)
    source.request_keyframe = lambda: requests.append(1)  # type: ignore[method-assign]
    track = await reading(DownTrack("video", "video/vp8", on_failing=failing.append))
    track.switch(source)
    for i in range(forwarding.RESYNC_LIMIT * 4):
        source.push(frame(i * 3000, key=i % 4 == 0))
    assert track.resyncs == forwarding.RESYNC_LIMIT and failing == [track]
    assert len(requests) == 1 + forwarding.RESYNC_LIMIT - 1  # on switch, then per resync


async def test_keyframe_requests_are_coalesced_rate_limited_and_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyframes, "MIN_INTERVAL", 0.2)
    monkeypatch.setattr(keyframes, "RETRY_AFTER", 0.4)
    sent: list[float] = []

    async def pli() -> None:
        sent.append(time.monotonic())

    requester = KeyframeRequester(pli)
    for _ in range(10):  # ten viewers join at once: one PLI
        requester.request()
    await asyncio.sleep(0.05)
    assert len(sent) == 1
    requester.request()  # the keyframe on its way will serve this one too
    requester.keyframe_seen()
    requester.request()  # a new loss right after the keyframe: waits for the interval
    await asyncio.sleep(0.05)
    assert len(sent) == 1
    await asyncio.sleep(0.2)
    assert len(sent) == 2 and sent[1] - sent[0] >= 0.2
    await asyncio.sleep(0.45)  # no keyframe came: the PLI was lost, ask again
    assert len(sent) == 3
    requester.keyframe_seen()
    await asyncio.sleep(0.45)
    assert len(sent) == 3
    requester.close()


async def test_a_new_request_does_not_wait_for_a_pending_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyframes, "MIN_INTERVAL", 0.1)
    monkeypatch.setattr(keyframes, "RETRY_AFTER", 5.0)
    sent: list[float] = []

    async def pli() -> None:
        sent.append(time.monotonic())

    requester = KeyframeRequester(pli)
    requester.request()  # e.g. sent before the publisher's first packet: nothing came of it
    await asyncio.sleep(0.05)
    assert len(sent) == 1
    requester.request()  # a viewer that starts reading now gets its PLI after MIN_INTERVAL
    await asyncio.sleep(0.3)
    assert len(sent) == 2
    requester.close()
