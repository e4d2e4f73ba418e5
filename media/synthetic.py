"""Synthetic sites: a pre-encoded clip replayed in real time, for tests and the benchmark.

Encoding once and replaying packets keeps the load generator's CPU far below the relay's.
Each picture carries its frame index as a row of black/white blocks, which survives VP8 at
low bitrates and can be read back by a decoding viewer to measure end-to-end latency.
A real camera's encoder answers a keyframe request at once; the clip does the same by
switching to an all-intra encoding of the same pictures for one frame.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from aiortc.mediastreams import MediaStreamTrack

from media.frames import AUDIO_TIME_BASE, VIDEO_TIME_BASE, Kind

INDEX_BITS = 12  # frame index modulo 4096: 4.5 min at 15 fps, longer than any latency
BLOCK = 16  # pixels per bit block: big enough to survive VP8 quantisation at 300 kbps
OPUS_FRAME = 960  # 20 ms at 48 kHz


@dataclass(frozen=True)
class Clip:
    fps: int
    width: int
    height: int
    video: list[bytes]  # normal stream: keyframe first, then deltas
    intra: list[bytes]  # the same pictures, each encoded as a keyframe
    audio: list[bytes]  # 20 ms Opus packets


def _picture(index: int, width: int, height: int, noise: int = 0) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    y, u, v = frame.planes
    stride = y.line_size
    luma = bytearray(stride * height)
    ramp = bytes((k * 2) & 0xFF for k in range(width + height + 128))  # period 128
    shift = (index * 4) % 128
    for row in range(height):  # a diagonal ramp that pans, so deltas are not empty
        start = row * stride
        luma[start : start + width] = ramp[row + shift : row + shift + width]
    grain = random.Random(index)
    for row in range(height - noise, height):  # changing detail, to spend a camera's bitrate
        luma[row * stride : row * stride + width] = grain.randbytes(width)
    for bit in range(INDEX_BITS):  # the frame index, one block per bit, top row
        value = 255 if (index >> bit) & 1 else 0
        x = bit * BLOCK
        for row in range(BLOCK):
            luma[row * stride + x : row * stride + x + BLOCK] = bytes([value]) * BLOCK
    y.update(bytes(luma))
    u.update(bytes([128]) * u.buffer_size)
    v.update(bytes([128]) * v.buffer_size)
    return frame


def read_index(frame: av.VideoFrame) -> int:
    """The frame index drawn by `_picture`, read back from a decoded frame."""
    plane = frame.planes[0]
    stride = plane.line_size
    data = bytes(plane)
    index = 0
    for bit in range(INDEX_BITS):
        center = (BLOCK // 2) * stride + bit * BLOCK + BLOCK // 2
        if data[center] > 128:
            index |= 1 << bit
    return index


def _video_encoder(width: int, height: int, fps: int, bitrate: int, intra: bool) -> Any:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.time_base = fractions.Fraction(1, fps)
    codec.framerate = fractions.Fraction(fps, 1)
    codec.bit_rate = bitrate
    codec.gop_size = 1 if intra else 100_000  # one keyframe at the start, like a live camera
    codec.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
        "error-resilient": "default",
    }
    return codec


def _encode_video(
    frames: int, width: int, height: int, fps: int, bitrate: int, intra: bool, noise: int
) -> list[bytes]:
    codec = _video_encoder(width, height, fps, bitrate, intra)
    packets: list[bytes] = []
    for index in range(frames):
        picture = _picture(index, width, height, noise)
        picture.pts = index
        packets += [bytes(p) for p in codec.encode(picture)]
    packets += [bytes(p) for p in codec.encode(None)]
    return packets


def _encode_audio(seconds: float) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate = 48_000
    codec.layout = "mono"
    codec.format = "s16"
    codec.bit_rate = 32_000
    packets: list[bytes] = []
    count = int(seconds * 50)
    for n in range(count):  # a 440 Hz tone
        frame = av.AudioFrame(format="s16", layout="mono", samples=OPUS_FRAME)
        samples = bytearray()
        for i in range(OPUS_FRAME):
            value = int(8000 * math.sin(2 * math.pi * 440 * (n * OPUS_FRAME + i) / 48_000))
            samples += value.to_bytes(2, "little", signed=True)
        frame.planes[0].update(bytes(samples))
        frame.sample_rate = 48_000
        frame.pts = n * OPUS_FRAME
        packets += [bytes(p) for p in codec.encode(frame)]
    return packets[:count]


def make_clip(
    seconds: float = 4.0,
    width: int = 320,
    height: int = 240,
    fps: int = 15,
    bitrate: int = 300_000,
    noise: int = 0,
) -> Clip:
    """Encode a clip; `noise` rows of changing grain at the bottom make it cost `bitrate`."""
    frames = int(seconds * fps)
    return Clip(
        fps,
        width,
        height,
        video=_encode_video(frames, width, height, fps, bitrate, False, noise),
        intra=_encode_video(frames, width, height, fps, bitrate, True, noise),
        audio=_encode_audio(seconds),
    )


def save_clip(clip: Clip, path: Path) -> None:
    """A tiny length-prefixed container: not worth a demuxer for three packet lists."""
    with path.open("wb") as out:
        out.write(
            b"CLIP"
            + bytes([clip.fps])
            + clip.width.to_bytes(2, "big")
            + clip.height.to_bytes(2, "big")
        )
        for packets in (clip.video, clip.intra, clip.audio):
            out.write(len(packets).to_bytes(4, "big"))
            for packet in packets:
                out.write(len(packet).to_bytes(4, "big") + packet)


def load_clip(path: Path) -> Clip:
    data = path.read_bytes()
    if data[:4] != b"CLIP":
        raise ValueError(f"{path} is not a clip")
    fps, width, height = data[4], int.from_bytes(data[5:7], "big"), int.from_bytes(data[7:9], "big")
    pos = 9
    lists: list[list[bytes]] = []
    for _ in range(3):
        count = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        packets = []
        for _ in range(count):
            size = int.from_bytes(data[pos : pos + 4], "big")
            packets.append(data[pos + 4 : pos + 4 + size])
            pos += 4 + size
        lists.append(packets)
    return Clip(fps, width, height, *lists)


class ClipTrack(MediaStreamTrack):
    """Replays a clip's audio or video packets in real time, looping, as `av.Packet`s.

    `sent_at[i % len]` is the wall-clock send time of the latest frame with index i, for
    latency measurements; `keyframe()` makes the next video frame an intra frame.
    """

    def __init__(self, clip: Clip, kind: Kind, start_index: int = 0) -> None:
        super().__init__()
        self.kind = kind
        self._clip = clip
        self._index = start_index
        self._period = 1 / clip.fps if kind == "video" else OPUS_FRAME / 48_000
        self._start: float | None = None
        self._force_keyframe = False
        self.sent_at: dict[int, float] = {}
        self.sent = 0

    def keyframe(self) -> None:
        self._force_keyframe = True

    @property
    def length(self) -> int:
        return len(self._clip.video if self.kind == "video" else self._clip.audio)

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.sent * self._period
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        position = self._index % self.length
        if self.kind == "audio":
            packet = av.Packet(self._clip.audio[position])
            packet.pts = self._index * OPUS_FRAME
            packet.time_base = AUDIO_TIME_BASE
        else:
            source = self._clip.video
            if self._force_keyframe or (position == 0 and self._index > 0):
                source = self._clip.intra  # looping restarts the picture: needs a keyframe too
                self._force_keyframe = False
            packet = av.Packet(source[position])
            packet.pts = self._index * (90_000 // self._clip.fps)
            packet.time_base = VIDEO_TIME_BASE
        self.sent_at[position] = time.time()
        self._index += 1
        self.sent += 1
        return packet
