"""Relay settings: what a deployment chooses. The control plane builds one and passes it in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IceServer:
    """A STUN or TURN server handed to every peer connection (e.g. the district's coturn)."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class RelaySettings:
    # Empty by default, on purpose: aiortc falls back to a public Google STUN server when
    # given None, and government networks (and this machine) reach no such server.
    ice_servers: tuple[IceServer, ...] = ()
    # ICE host candidates only on these addresses (None: every interface but 127.0.0.1, as
    # aioice does). Process-wide, see media.aiortc_seams.restrict_host_addresses.
    host_addresses: tuple[str, ...] | None = None
    # A publisher that sent nothing, or a subscriber that acknowledged nothing (RTCP receiver
    # reports, ~1/s), for this long is gone: weak links lose a few seconds of packets, while
    # 10 s of silence from a live browser (it sends audio even when quiet) means the site went
    # away; the hall sees its tile go within a human glance. ICE consent (aioice) would take 30 s.
    peer_timeout: float = 10.0
    # How often liveness and the active speaker are evaluated; 0.5 s is below what people
    # notice as a lag in speaker highlighting and costs nothing per tick.
    tick: float = 0.5
    # Active speaker: the loudest unmuted publisher louder than this (-dBov; 127 is silence,
    # 0 loudest) -- roughly the level of speech at a conference microphone.
    speech_level: int = 50
    # Send each forwarded frame's original RTP payloads (new header, SRTP, sendto) rather than
    # give aiortc's RTCRtpSender an av.Packet to re-packetise: same behaviour, a fraction of
    # the CPU per packet (docs/media.md, benchmark). False: the plain aiortc path.
    direct_send: bool = True
    # Direct sending protects and sends each frame's packets with media/_fastpath.c (SRTP and
    # one sendmmsg per frame, ~3x less CPU than Python per packet) when it was compiled at
    # install. False: Python does the same steps (for comparison and diagnosis).
    compiled_send: bool = True
    # Receive publishers' VP8 and Opus packets with media/_receive.c (unprotect, receiver
    # statistics, NACK, reassembly: Python is called once per frame, not once per packet)
    # when it was compiled at install. False: Python does the same steps.
    compiled_receive: bool = True

    # Delay-based bandwidth estimation of each publisher's uplink, reported as REMB. aiortc's
    # estimator costs ~100 us per video packet (12 % of the relay at 25 sites); without it a
    # browser adapts on loss (RTCP receiver reports) within the cap the client sets on its
    # sender (RTCRtpSender.setParameters maxBitrate, e.g. 500 kbps at 360p).
    bandwidth_estimation: bool = False
