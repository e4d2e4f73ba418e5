"""Encoded frames as the relay sees them, and the few bitstream facts it needs.

The relay never decodes a picture: it only has to know whether a frame is a keyframe (to
start or resynchronise a viewer) and, for recording, the picture size carried in a keyframe.
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from typing import Literal

Kind = Literal["audio", "video"]

# RTP clock rates fixed by the payload formats we relay (RFC 7587 for Opus, RFC 7741 for VP8,
# RFC 6184 for H.264): timestamps of forwarded frames stay in these units end to end.
AUDIO_CLOCK = 48_000
VIDEO_CLOCK = 90_000
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_CLOCK)
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)


def clock_rate(kind: Kind) -> int:
    return AUDIO_CLOCK if kind == "audio" else VIDEO_CLOCK


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One reassembled frame from a publisher, exactly as its encoder produced it."""

    kind: Kind
    codec: str  # lower-case MIME type, e.g. "video/vp8"
    data: bytes
    timestamp: int  # RTP units of `clock_rate(kind)`, starting near 0 for each receiver
    keyframe: bool  # always True for audio: every audio frame decodes on its own
    ssrc: int  # the publisher's media SSRC, needed to address a PLI upstream
    arrival: float  # time.monotonic() when the frame was complete
    audio_level: int | None = None  # -dBov from the RTP audio-level extension, 0 = loudest
    discontinuity: bool = False  # earlier frames were lost: deltas cannot be decoded
    # The frame's RTP payloads as received (payload descriptor included) and marker bits,
    # for forwarding without re-packetising.
    payloads: tuple[tuple[bytes, bool], ...] = ()


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether `data` (one whole encoded frame) can be decoded without earlier frames."""
    if codec == "video/vp8":
        # RFC 6386 §9.1: bit 0 of the first byte is the inverse key-frame flag.
        return len(data) > 0 and data[0] & 0x01 == 0
    if codec == "video/h264":
        return _h264_has_idr(data)
    return True


def _h264_has_idr(data: bytes) -> bool:
    # aiortc's depayloader emits Annex B (start-code separated) NAL units; NAL type 5 is IDR.
    pos = data.find(b"\x00\x00\x01")
    while pos != -1 and pos + 3 < len(data):
        if data[pos + 3] & 0x1F == 5:
            return True
        pos = data.find(b"\x00\x00\x01", pos + 3)
    return False


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe header (RFC 6386 §9.1), or None for deltas."""
    if len(data) < 10 or not is_keyframe("video/vp8", data) or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return width, height
