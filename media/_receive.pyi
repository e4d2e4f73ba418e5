"""Types of media/_receive.c (the relay's compiled receive path)."""

from typing import Any

# (timestamp, data, payloads, keyframe, discontinuity, audio_level)
Frame = tuple[int, bytes, tuple[tuple[bytes, bool], ...], bool, bool, int | None]
# (owner, stream, nack, pli, frames)
Result = tuple[Any, InboundStream, bool, bool, list[Frame] | None]

class InboundStream:
    owner: Any
    ssrc: int
    payload_type: int
    base_seq: int | None
    max_seq: int | None
    cycles: int
    packets_received: int
    packets_expected: int
    packets_lost: int
    fraction_lost: int
    jitter: int
    packets: int
    def __init__(
        self,
        owner: Any,
        ssrc: int,
        clock_rate: int,
        video: bool,
        payload_type: int,
        hold_ticks: int,
        audio_level_id: int,
        capacity: int,
    ) -> None: ...
    def add_packet(
        self,
        sequence_number: int,
        timestamp: int,
        marker: bool,
        payload: bytes,
        audio_level: int,
        statistics: bool,
    ) -> Result | None: ...
    def missing(self) -> list[int]: ...

def receive(
    ctx: int, unprotect_fn: int, data: bytes, streams: dict[int, InboundStream]
) -> Result | bytes | None: ...
