"""Synthetic sites for the media benchmark, each group in its own process.

A site publishes the pre-encoded clip (video + Opus) and views what the policy gives it. It
sends the way the relay forwards (a Forwarder, a DownTrack and a DirectSender per track:
media/_fastpath.c, no aiortc packetising loop), so that at K = 100 the generators leave the
relay CPU to run on.
Viewers only count frames (through the relay's own receive seam: no decoding), except one
probe viewer per process, which decodes and reads the frame index drawn in each picture
to measure end-to-end latency against the hall camera's send log.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcrtpreceiver import RemoteStreamTrack

from media import aiortc_seams
from media.forwarding import DownTrack, Forwarder
from media.frames import EncodedFrame, Kind, is_keyframe
from media.keyframes import KeyframeRequester
from media.synthetic import Clip, ClipTrack, load_clip, read_index

HALL = "hall"
FLOOR = "c0"
NEXT_FLOOR = "c1"
# Connections set up at once per process: more only queues up ICE/DTLS handshakes.
SETUP_CONCURRENCY = 8
# Send and receive logs for latency: 15 fps for 10 minutes, more than any run.
LOG_LIMIT = 10_000


def start_index(site_id: str) -> int:
    """Different sites start their clip at different points, so a switch shows as a jump."""
    return {HALL: 0, FLOOR: 30, NEXT_FLOOR: 80}.get(site_id, 120)


class Api:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = url

    async def call(self, path: str, **body: Any) -> dict[str, Any]:
        async with self._session.post(self._url + path, json=body) as response:
            response.raise_for_status()
            return dict(await response.json())


def new_pc() -> RTCPeerConnection:
    # MAX_BUNDLE as browsers do: aiortc's default (balanced) strands the second m-line of
    # a kind on a transport it then drops (docs/media.md).
    config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    return RTCPeerConnection(config)


class Camera:
    def __init__(self, site_id: str, clip: Clip, log: bool) -> None:
        self.site_id = site_id
        self.pc = new_pc()
        self.video = ClipTrack(clip, "video", start_index(site_id))
        self.audio = ClipTrack(clip, "audio", start_index(site_id))
        self.sends: collections.deque[tuple[float, int]] = collections.deque(maxlen=LOG_LIMIT)
        self._pumps: list[asyncio.Task[None]] = []
        self._outputs: list[tuple[ClipTrack, Forwarder]] = []
        for track in (self.video, self.audio):
            kind: Kind = track.kind  # type: ignore[assignment]
            codec = "video/vp8" if kind == "video" else "audio/opus"
            keyframes = KeyframeRequester(self._keyframe) if kind == "video" else None
            forwarder = Forwarder(site_id, kind, codec, keyframes)
            output = DownTrack(kind, codec)
            transceiver = self.pc.addTransceiver(output, direction="sendonly")
            output.send_directly(aiortc_seams.DirectSender(transceiver))
            output.switch(forwarder)
            if kind == "video":
                aiortc_seams.hook_sender_keyframe(transceiver.sender, self.video.keyframe)
            self._outputs.append((track, forwarder))
        if log:
            self._log_sends()

    async def _keyframe(self) -> None:
        self.video.keyframe()

    async def _pump(self, track: ClipTrack, forwarder: Forwarder) -> None:
        """Replay the clip in real time into the forwarder, packetised once per frame."""
        video = track.kind == "video"
        encoder = Vp8Encoder() if video else OpusEncoder()
        codec = forwarder.codec
        while True:
            packet = await track.recv()
            payloads, timestamp = encoder.pack(packet)
            data = bytes(packet)
            last = len(payloads) - 1
            frame = EncodedFrame(
                kind=forwarder.kind,
                codec=codec,
                data=data,
                timestamp=timestamp,
                keyframe=is_keyframe(codec, data),
                ssrc=0,
                arrival=time.monotonic(),
                payloads=tuple((p, i == last) for i, p in enumerate(payloads)),
            )
            forwarder.push(frame)

    def _log_sends(self) -> None:
        recv = self.video.recv

        async def logged() -> Any:
            packet = await recv()
            self.sends.append((time.time(), (packet.pts or 0) // 6000 % self.video.length))
            return packet

        self.video.recv = logged  # type: ignore[method-assign]

    async def publish(self, api: Api) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        reply = await api.call("/publish", id=self.site_id, sdp=self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
        self._pumps = [asyncio.create_task(self._pump(t, f)) for t, f in self._outputs]

    async def close(self) -> None:
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        await self.pc.close()


@dataclass
class Counter:
    kind: Kind
    frames: int = 0
    bytes: int = 0


@dataclass
class Screen:
    """A viewer that counts what arrives per m-line; `decode` m-lines are decoded too."""

    viewer_id: str
    decode: bool = False
    pc: RTCPeerConnection = field(default_factory=new_pc)
    counters: dict[str, Counter] = field(default_factory=dict)
    # (wall time, frame index, mid) of every decoded picture
    pictures: collections.deque[tuple[float, int, str]] = field(
        default_factory=lambda: collections.deque(maxlen=LOG_LIMIT)
    )
    connected_at: float | None = None
    pictured: asyncio.Event = field(default_factory=asyncio.Event)  # a picture was decoded
    slots: dict[str, str] = field(default_factory=dict)  # mid -> "publisher/kind"

    def __post_init__(self) -> None:
        self.pc.on("track", self._track)

        @self.pc.on("connectionstatechange")
        def state() -> None:
            if self.pc.connectionState == "connected" and self.connected_at is None:
                self.connected_at = time.monotonic()

    def _track(self, track: RemoteStreamTrack) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        kind: Kind = "audio" if track.kind == "audio" else "video"
        mid = transceiver.mid or "?"
        counter = self.counters.setdefault(mid, Counter(kind))
        decoder = av.CodecContext.create("vp8", "r") if self.decode and kind == "video" else None

        def sink(frame: EncodedFrame) -> None:
            counter.frames += 1
            counter.bytes += len(frame.data)
            if decoder is not None:
                try:
                    for picture in decoder.decode(av.Packet(frame.data)):
                        self.pictures.append((time.time(), read_index(picture), mid))
                        self.pictured.set()
                except av.FFmpegError:
                    pass  # a frame before the first keyframe

        aiortc_seams.install_receiver_sink(transceiver.receiver, kind, sink)

    async def subscribe(self, api: Api, wishes: list[tuple[str, Kind]]) -> None:
        reply = await api.call("/subscribe", id=self.viewer_id, wishes=wishes)
        self.slots = reply["slots"]
        await self.pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await api.call("/answer", id=self.viewer_id, sdp=self.pc.localDescription.sdp)

    def hall_pictures(self) -> list[tuple[float, int]]:
        hall = {m for m, s in self.slots.items() if s == f"{HALL}/video"}
        return [(t, i) for t, i, m in self.pictures if m in hall]

    def snapshot(self) -> dict[str, tuple[str, int, int]]:
        return {mid: (c.kind, c.frames, c.bytes) for mid, c in self.counters.items()}


def wishes_for(site_id: str) -> list[tuple[str, Kind]]:
    """The policy of the issue: communes see the hall and the floor holder."""
    wishes: list[tuple[str, Kind]] = [(HALL, "video"), (HALL, "audio")]
    if site_id != FLOOR:
        wishes += [(FLOOR, "video"), (FLOOR, "audio")]
    return wishes


async def _bounded(coros: list[Any]) -> None:
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(coro: Any) -> None:
        async with gate:
            await coro

    await asyncio.gather(*(one(c) for c in coros))


async def _wait_publishers(api: Api, count: int) -> None:
    while True:
        tracks = (await api.call("/tracks"))["tracks"]
        if sum(len(kinds) == 2 for kinds in tracks.values()) >= count:
            return
        await asyncio.sleep(0.2)


@dataclass
class Group:
    """One process's share of the sites, plus its probe viewer."""

    api: Api
    cameras: list[Camera]
    screens: list[Screen]
    probe: Screen | None
    clip_length: int

    async def late_join(self) -> dict[str, float]:
        viewer = Screen("late-joiner", decode=True)
        start = time.monotonic()
        try:
            await viewer.subscribe(self.api, [(HALL, "video")])
            await asyncio.wait_for(viewer.pictured.wait(), timeout=20)
        except TimeoutError:  # a saturated run: no figure rather than no run
            return {"join_ms": math.nan, "after_connect_ms": math.nan}
        finally:
            first = time.monotonic()
            await self.api.call("/unsubscribe", id=viewer.viewer_id)
            await viewer.pc.close()
        connected = viewer.connected_at or start
        return {"join_ms": (first - start) * 1000, "after_connect_ms": (first - connected) * 1000}

    async def floor_switch(self, subscribers: list[str]) -> dict[str, float]:
        assert self.probe is not None
        floor_mid = next(m for m, s in self.probe.slots.items() if s == f"{FLOOR}/video")
        seen = len(self.probe.pictures)
        start = time.monotonic()
        await self.api.call("/switch", subscribers=subscribers, old=FLOOR, new=NEXT_FLOOR)
        jump = start_index(NEXT_FLOOR) - start_index(FLOOR)
        last = self._last_floor_index(floor_mid, seen)
        while True:
            for _, index, mid in list(self.probe.pictures)[seen:]:
                # The new floor's pictures run `jump` frames ahead of the old one's (modulo
                # the clip's length); a few frames of slack for what passed meanwhile.
                ahead = (index - last - jump) % self.clip_length
                if mid == floor_mid and min(ahead, self.clip_length - ahead) < 20:
                    return {"switch_ms": (time.monotonic() - start) * 1000}
            if time.monotonic() - start > 20:
                return {"switch_ms": math.nan}
            await asyncio.sleep(0.005)

    def _last_floor_index(self, mid: str, before: int) -> int:
        assert self.probe is not None
        floor = [i for _, i, m in list(self.probe.pictures)[:before] if m == mid]
        return floor[-1] if floor else 0

    async def close(self) -> None:
        for camera in self.cameras:
            await camera.close()
        for screen in self.screens + ([self.probe] if self.probe else []):
            await screen.pc.close()


async def _setup(spec: dict[str, Any], api: Api) -> Group:
    clip = load_clip(Path(spec["clip"]))
    site_ids: list[str] = spec["sites"]
    cameras = [Camera(s, clip, log=s == HALL) for s in site_ids]
    await _bounded([c.publish(api) for c in cameras])
    await _wait_publishers(api, spec["publishers"])
    screens = [Screen(s) for s in site_ids]
    # Every commune's video, and every commune's audio -- or, as a meeting runs (communes
    # muted until given the floor: server/services/conference_policy.py), the floor holder's.
    hall_wishes: list[tuple[str, Kind]] = [
        (c, k)
        for c in spec["communes"]
        for k in ("video", "audio")
        if k == "video" or not spec.get("communes_muted") or c == FLOOR
    ]

    await _bounded(
        [
            s.subscribe(api, hall_wishes if s.viewer_id == HALL else wishes_for(s.viewer_id))
            for s in screens
        ]
    )
    probe = None
    if spec["probe"]:
        probe = Screen(spec["probe"], decode=True)
        await probe.subscribe(api, [(HALL, "video"), (FLOOR, "video")])
    return Group(api, cameras, screens, probe, len(clip.video))


async def _serve(spec: dict[str, Any], conn: Connection) -> None:
    aiortc_seams.restrict_host_addresses(["127.0.0.1"])
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session:
        group = await _setup(spec, Api(session, spec["url"]))
        conn.send(("ready", None))
        while True:
            command, arg = await loop.run_in_executor(None, conn.recv)
            if command == "snapshot":  # counters, and when they were read (CLOCK_MONOTONIC)
                conn.send(({s.viewer_id: s.snapshot() for s in group.screens}, time.monotonic()))
            elif command == "logs":
                sends = [list(c.sends) for c in group.cameras if c.sends]
                pictures = group.probe.hall_pictures() if group.probe else []
                conn.send((sends[0] if sends else [], pictures))
            elif command == "late_join":
                conn.send((await group.late_join(), None))
            elif command == "floor_switch":
                conn.send((await group.floor_switch(arg), None))
            elif command == "stop":
                await group.close()
                conn.send(("stopped", None))
                return


def main(spec: dict[str, Any], conn: Connection) -> None:
    """Process entry: set up the sites in `spec`, then answer the orchestrator's commands."""
    asyncio.run(_serve(spec, conn))
