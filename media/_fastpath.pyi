"""Types of media/_fastpath.c (the relay's SRTP + sendmmsg fast path)."""

from collections.abc import Sequence

def sockaddr(host: str, port: int) -> bytes: ...
def send_frame(
    fd: int,
    addr: bytes,
    ctx: int,
    protect: int,
    payload_type: int,
    ssrc: int,
    seq: int,
    timestamp: int,
    payloads: Sequence[tuple[bytes, bool]],
    history: list[bytes | None],
) -> tuple[int, int, int, list[bytes] | None]: ...
