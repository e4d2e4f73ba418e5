"""Per-peer link figures for the chair's console: bitrate, fps, loss, round-trip time.

Rates are measured between two `stats()` calls from the relay's own counters (what was
really forwarded); loss, jitter and RTT come from aiortc's public getStats(), i.e. from the
RTCP reports the sites send.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from aiortc.stats import RTCInboundRtpStreamStats, RTCRemoteInboundRtpStreamStats

from media.forwarding import DownTrack, Forwarder
from media.interfaces import PeerStats, TrackStats
from media.peer import Downstream, PublisherPeer, SubscriberPeer


@dataclass
class _Mark:
    at: float
    frames: int
    bytes: int


_marks: weakref.WeakKeyDictionary[object, _Mark] = weakref.WeakKeyDictionary()


def _rates(counter: object, frames: int, nbytes: int) -> tuple[float, float]:
    """(bits per second, frames per second) since the previous call for `counter`."""
    now = time.monotonic()
    mark = _marks.get(counter)
    _marks[counter] = _Mark(now, frames, nbytes)
    if mark is None or now <= mark.at:
        return 0.0, 0.0
    span = now - mark.at
    return (nbytes - mark.bytes) * 8 / span, (frames - mark.frames) / span


async def peer_stats(peer: PublisherPeer | Downstream, muted: bool) -> PeerStats:
    if isinstance(peer, PublisherPeer):
        return await _publisher(peer, muted)
    if isinstance(peer, SubscriberPeer):
        return await _subscriber(peer)
    tracks = [_down(slot.track) for slot in peer.slots]
    return PeerStats(peer.peer_id, "recorder", "recording", tracks)


async def _publisher(peer: PublisherPeer, muted: bool) -> PeerStats:
    inbound: dict[str, RTCInboundRtpStreamStats] = {}
    for transceiver in peer.pc.getTransceivers():
        report = await transceiver.receiver.getStats()
        for item in report.values():
            if isinstance(item, RTCInboundRtpStreamStats):
                inbound[item.kind] = item
    tracks = []
    for kind, forwarder in peer.forwarders.items():
        bitrate, fps = _rates(forwarder, forwarder.frames, forwarder.bytes)
        rtp = inbound.get(kind)
        tracks.append(
            TrackStats(
                kind,
                forwarder.publisher_id,
                bitrate,
                fps,
                packets_lost=rtp.packetsLost if rtp else None,
                jitter=float(rtp.jitter) if rtp else None,
            )
        )
    level = _level(peer.forwarders.get("audio"))
    return PeerStats(peer.peer_id, "publisher", peer.pc.connectionState, tracks, muted, level)


def _level(forwarder: Forwarder | None) -> int | None:
    return forwarder.audio_level if forwarder is not None else None


def _down(track: DownTrack, remote: RTCRemoteInboundRtpStreamStats | None = None) -> TrackStats:
    bitrate, fps = _rates(track, track.frames_sent, track.bytes_sent)
    source = track.source
    return TrackStats(
        track.kind,
        source.publisher_id if source is not None else None,
        bitrate,
        fps,
        packets_lost=remote.packetsLost if remote else None,
        fraction_lost=remote.fractionLost / 256 if remote else None,
        rtt_s=remote.roundTripTime if remote else None,
        dropped=track.dropped,
        resyncs=track.resyncs,
    )


async def _subscriber(peer: SubscriberPeer) -> PeerStats:
    tracks = []
    for slot in peer.slots:
        remote = None
        if slot.sender is not None:
            report = await slot.sender.getStats()
            remote = next(
                (s for s in report.values() if isinstance(s, RTCRemoteInboundRtpStreamStats)),
                None,
            )
        tracks.append(_down(slot.track, remote))
    return PeerStats(peer.peer_id, "subscriber", peer.pc.connectionState, tracks)
