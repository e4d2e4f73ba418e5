"""media/_fastpath.c against pylibsrtp and the kernel: what it sends is what Python would."""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator

import pylibsrtp
import pytest

from media import aiortc_seams

fastpath = aiortc_seams._fastpath
functions = aiortc_seams._srtp_functions
KEY = os.urandom(30)
HEADER = struct.Struct("!BBHII")
PT, SSRC, TIMESTAMP = 96, 0xCAFE, 123_456


def session(direction: int = pylibsrtp.Policy.SSRC_ANY_OUTBOUND) -> pylibsrtp.Session:
    return pylibsrtp.Session(pylibsrtp.Policy(key=KEY, ssrc_type=direction))


def plain(seq: int, payload: bytes, marker: bool) -> bytes:
    return HEADER.pack(0x80, PT | 0x80 if marker else PT, seq, TIMESTAMP, SSRC) + payload


def send(
    sock: socket.socket,
    to: tuple[str, int],
    outbound: pylibsrtp.Session,
    seq: int,
    payloads: object,
    history: list[bytes | None],
) -> tuple[int, int, int, list[bytes] | None]:
    return fastpath.send_frame(
        sock.fileno(),
        fastpath.sockaddr(*to),
        functions.context(outbound),  # the caller keeps `outbound` alive meanwhile
        functions.protect,
        PT,
        SSRC,
        seq,
        TIMESTAMP,
        payloads,  # type: ignore[arg-type]
        history,
    )


@pytest.fixture
def udp() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(sender, receiver) on 127.0.0.1, as the relay's nominated ICE pair would be."""
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setblocking(False)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(2.0)
    with sender, receiver:
        yield sender, receiver


def test_the_compiled_helper_is_built() -> None:
    # scripts/test builds it (setup.py); the relay would fall back to Python without it.
    assert fastpath is not None


def test_a_frame_goes_out_protected_as_pylibsrtp_would_across_a_sequence_wrap(
    udp: tuple[socket.socket, socket.socket],
) -> None:
    sender, receiver = udp
    # 70 packets: more than one sendmmsg batch (64), crossing sequence number 65535 -> 0.
    payloads = [(os.urandom(1100), False) for _ in range(69)] + [(b"\x10last", True)]
    history: list[bytes | None] = [None] * 128
    outbound = session()

    next_seq, packets, octets, unsent = send(
        sender, receiver.getsockname(), outbound, 65_500, payloads, history
    )

    sequence = [(65_500 + i) & 0xFFFF for i in range(70)]
    expected_plain = [plain(s, p, m) for s, (p, m) in zip(sequence, payloads, strict=True)]
    reference = session()
    assert (next_seq, packets, unsent) == (34, 70, None)
    assert octets == sum(len(p) for p, _ in payloads)
    assert [receiver.recv(2048) for _ in range(70)] == [
        reference.protect(p) for p in expected_plain
    ]
    for seq, packet in zip(sequence, expected_plain, strict=True):
        assert history[seq % 128] == packet  # what a NACK will retransmit


def test_packets_the_kernel_does_not_take_come_back_protected_and_in_order() -> None:
    # A datagram socket of another family refuses an IPv4 address: every packet is returned
    # for the UDP transport to send (or report) exactly as it would its own.
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    payloads = [(b"\x10one", False), (b"two", False), (b"three", True)]
    outbound = session()  # alive while its srtp_t is in use
    with left, right:
        _, packets, _, unsent = send(left, ("127.0.0.1", 9), outbound, 7, payloads, [None] * 8)
    reference = session()
    assert packets == 3
    assert unsent == [reference.protect(plain(7 + i, p, m)) for i, (p, m) in enumerate(payloads)]


@pytest.mark.parametrize(
    ("payloads", "error"),
    [
        ([(b"x" * 2000, True)], ValueError),  # larger than any MTU
        ([("text", True)], TypeError),
        ([b"no marker"], TypeError),
        (None, TypeError),
    ],
    ids=["oversized", "not-bytes", "not-a-pair", "not-a-sequence"],
)
def test_bad_frames_are_refused(
    udp: tuple[socket.socket, socket.socket], payloads: object, error: type[Exception]
) -> None:
    sender, receiver = udp
    outbound = session()
    with pytest.raises(error):
        send(sender, receiver.getsockname(), outbound, 1, payloads, [None] * 8)
    receiver.settimeout(0.05)
    with pytest.raises(TimeoutError):
        receiver.recv(2048)  # nothing went out


@pytest.mark.parametrize(
    ("host", "port"), [("example.org", 5000), ("127.0.0.1", 70_000), ("::1", -1)]
)
def test_only_numeric_addresses_and_ports_are_taken(host: str, port: int) -> None:
    with pytest.raises(ValueError):
        fastpath.sockaddr(host, port)


def test_ipv6_address(udp: tuple[socket.socket, socket.socket]) -> None:
    assert len(fastpath.sockaddr("::1", 5000)) == 28  # sizeof(struct sockaddr_in6)
