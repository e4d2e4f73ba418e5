"""What one forwarded RTP packet costs the relay, call by call (a floor for scripts/bench/media.py).

    .venv/bin/python scripts/bench/media_packet.py

Each forwarded packet gets a 12-byte RTP header, SRTP protection (per viewer: each has its
own keys) and a sendto() on loopback. Timed alone, in this process, with user and kernel
CPU side by side. Not part of the test suite; figures go to docs/media.md.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pylibsrtp import Policy, Session

# Run as a script: this directory holds media.py, which must not shadow the media package.
ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts/bench"
]

from media import aiortc_seams  # noqa: E402

PACKETS = 50_000
PAYLOAD = os.urandom(1100)  # a full video packet's payload
HEADER = struct.Struct("!BBHII")


def _header(i: int) -> bytes:
    return HEADER.pack(0x80, 96, i & 0xFFFF, i * 3000, 1234) + PAYLOAD


def _measure(label: str, step: Callable[[int], object], drain: Callable[[], None]) -> None:
    start_wall, start = time.perf_counter(), os.times()
    for i in range(PACKETS):
        step(i)
        if i % 256 == 0:
            drain()
    wall, end = time.perf_counter() - start_wall, os.times()
    user = (end.user - start.user) * 1e6 / PACKETS
    kernel = (end.system - start.system) * 1e6 / PACKETS
    print(f"| {label} | {wall * 1e6 / PACKETS:.2f} | {user:.2f} | {kernel:.2f} |")


def main() -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.setblocking(False)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setblocking(False)
    address = receiver.getsockname()

    def drain() -> None:
        try:
            while True:
                receiver.recv(2048)
        except BlockingIOError:
            pass

    def session() -> Session:
        return Session(Policy(key=os.urandom(30), ssrc_type=Policy.SSRC_ANY_OUTBOUND))

    protected = session().protect(_header(0))
    srtp, both = session(), session()
    print(f"{PACKETS} packets of {len(PAYLOAD)} bytes, microseconds per packet:\n")
    print("| step | wall µs | user µs | kernel µs |\n|---|---|---|---|")
    _measure("RTP header + payload", _header, drain)
    _measure("SRTP protect (pylibsrtp)", lambda i: srtp.protect(_header(i)), drain)
    _measure("sendto on loopback", lambda i: sender.sendto(protected, address), drain)
    _measure(
        "all three (one forwarded packet)",
        lambda i: sender.sendto(both.protect(_header(i)), address),
        drain,
    )
    _measure_compiled(sender, address, session(), drain)


def _measure_compiled(
    sender: socket.socket, address: tuple[str, int], srtp: Session, drain: Callable[[], None]
) -> None:
    """The relay's compiled path (media/_fastpath.c): the same three steps, one call per frame."""
    fastpath = aiortc_seams._fastpath
    if fastpath is None:
        print("| compiled path | not built (no C compiler at install) | | |")
        return
    functions = aiortc_seams._srtp_functions
    fd, addr, context = sender.fileno(), fastpath.sockaddr(*address), functions.context(srtp)
    history: list[bytes | None] = [None] * 128
    for per_call in (1, 4):
        frame = [(PAYLOAD, False)] * (per_call - 1) + [(PAYLOAD, True)]

        def step(i: int, frame: list[tuple[bytes, bool]] = frame, n: int = per_call) -> None:
            if i % n == 0:
                fastpath.send_frame(
                    fd, addr, context, functions.protect, 96, 1234, i & 0xFFFF, i, frame, history
                )

        _measure(f"all three, compiled, {per_call} packet(s) per call", step, drain)


if __name__ == "__main__":
    main()
