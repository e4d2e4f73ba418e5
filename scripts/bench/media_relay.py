"""The relay under test, in its own process, behind a tiny HTTP signalling API.

Two implementations of the same API: `forward` is media.router.Relay (encoded forwarding);
`mediarelay` is aiortc's MediaRelay (decode once, encode per subscriber), the baseline.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
from multiprocessing.connection import Connection
from typing import Any

from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy

from media import aiortc_seams
from media.config import RelaySettings
from media.frames import Kind
from media.router import Relay

ROOM = "bench"


class Forward:
    def __init__(self, direct_send: bool, compiled: bool) -> None:
        # Liveness off: counting viewers do send receiver reports, but a saturated run
        # must measure, not tear sites down.
        settings = RelaySettings(
            host_addresses=("127.0.0.1",),
            peer_timeout=3600,
            direct_send=direct_send,
            compiled_send=compiled,
            compiled_receive=compiled,
        )
        self.relay = Relay(settings)

    async def start(self) -> None:
        await self.relay.create_room(ROOM)

    async def publish(self, pid: str, sdp: str) -> str:
        return await self.relay.publish(ROOM, pid, sdp)

    async def subscribe(
        self, sid: str, wishes: list[tuple[str, Kind]]
    ) -> tuple[str, dict[str, str]]:
        await self.relay.subscribe(ROOM, sid)
        for pid, kind in wishes:
            await self.relay.set_forwarding(ROOM, sid, pid, kind, True)
        offer = await self.relay.negotiate(ROOM, sid)
        slots = {s.mid or "": f"{s.publisher_id}/{s.kind}" for s in self.relay.slots(ROOM, sid)}
        return offer, slots

    async def answer(self, sid: str, sdp: str) -> None:
        await self.relay.apply_answer(ROOM, sid, sdp)

    async def unsubscribe(self, sid: str) -> None:
        await self.relay.unsubscribe(ROOM, sid)

    async def switch(self, subscribers: list[str], old: str, new: str) -> None:
        for sid in subscribers:
            for kind in ("video", "audio"):
                await self.relay.set_forwarding(ROOM, sid, old, kind, False)
                await self.relay.set_forwarding(ROOM, sid, new, kind, True)

    def tracks(self) -> dict[str, list[str]]:
        return {p: list(k) for p, k in self.relay.tracks(ROOM).items()}

    async def close(self) -> None:
        await self.relay.close()


def _pc() -> RTCPeerConnection:
    config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    return RTCPeerConnection(config)


class Baseline:
    """aiortc's MediaRelay: what the relay replaces."""

    def __init__(self) -> None:
        self.relay = MediaRelay()
        self.tracks_by: dict[tuple[str, str], MediaStreamTrack] = {}
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.senders: dict[tuple[str, str, str], RTCRtpSender] = {}  # (sub, pub, kind)

    async def start(self) -> None:
        pass

    async def publish(self, pid: str, sdp: str) -> str:
        pc = _pc()
        self.pcs[pid] = pc

        @pc.on("track")
        def track(t: MediaStreamTrack) -> None:
            self.tracks_by[(pid, t.kind)] = t

        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return str(pc.localDescription.sdp)

    async def subscribe(
        self, sid: str, wishes: list[tuple[str, Kind]]
    ) -> tuple[str, dict[str, str]]:
        pc = _pc()
        self.pcs[sid] = pc
        for pid, kind in wishes:
            proxy = self.relay.subscribe(self.tracks_by[(pid, kind)], buffered=False)
            self.senders[(sid, pid, kind)] = pc.addTrack(proxy)
        await pc.setLocalDescription(await pc.createOffer())
        mids = {id(t.sender): t.mid or "" for t in pc.getTransceivers()}
        slots = {mids[id(s)]: f"{p}/{k}" for (v, p, k), s in self.senders.items() if v == sid}
        return str(pc.localDescription.sdp), slots

    async def answer(self, sid: str, sdp: str) -> None:
        await self.pcs[sid].setRemoteDescription(RTCSessionDescription(sdp, "answer"))

    async def unsubscribe(self, sid: str) -> None:
        pc = self.pcs.pop(sid)
        await pc.close()

    async def switch(self, subscribers: list[str], old: str, new: str) -> None:
        for sid in subscribers:
            for kind in ("video", "audio"):
                sender = self.senders.pop((sid, old, kind), None)
                if sender is None:
                    continue
                # Not stopping the old proxy: RTCRtpSender's loop, waiting in its recv(),
                # would end on MediaStreamError and the m-line would go dark for good.
                sender.replaceTrack(
                    self.relay.subscribe(self.tracks_by[(new, kind)], buffered=False)
                )
                self.senders[(sid, new, kind)] = sender

    def tracks(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for pid, kind in self.tracks_by:
            out.setdefault(pid, []).append(kind)
        return out

    async def close(self) -> None:
        for pc in self.pcs.values():
            await pc.close()


def _app(backend: Forward | Baseline) -> web.Application:
    async def body(request: web.Request) -> dict[str, Any]:
        return dict(await request.json()) if request.can_read_body else {}

    async def publish(request: web.Request) -> web.Response:
        b = await body(request)
        return web.json_response({"sdp": await backend.publish(b["id"], b["sdp"])})

    async def subscribe(request: web.Request) -> web.Response:
        b = await body(request)
        wishes = [(p, k) for p, k in b["wishes"]]
        sdp, slots = await backend.subscribe(b["id"], wishes)
        return web.json_response({"sdp": sdp, "slots": slots})

    async def answer(request: web.Request) -> web.Response:
        b = await body(request)
        await backend.answer(b["id"], b["sdp"])
        return web.json_response({})

    async def unsubscribe(request: web.Request) -> web.Response:
        await backend.unsubscribe((await body(request))["id"])
        return web.json_response({})

    async def switch(request: web.Request) -> web.Response:
        b = await body(request)
        await backend.switch(b["subscribers"], b["old"], b["new"])
        return web.json_response({})

    async def tracks(request: web.Request) -> web.Response:
        return web.json_response({"tracks": backend.tracks()})

    app = web.Application(client_max_size=1024 * 1024)  # SDP for 200 m-lines fits
    for path, handler in [
        ("/publish", publish),
        ("/subscribe", subscribe),
        ("/answer", answer),
        ("/unsubscribe", unsubscribe),
        ("/switch", switch),
        ("/tracks", tracks),
    ]:
        app.router.add_post(path, handler)
    return app


# What each mode runs (see media.py --help): the send path.
MODES = {
    "forward": "direct",  # what `python -m server` runs: media/_receive.c, media/_fastpath.c
    "forward-python": "direct-python",  # the same, with Python doing the C modules' work
    "forward-aiortc": "aiortc",  # av.Packet through aiortc's RTCRtpSender
    "mediarelay": "mediarelay",  # the baseline: decode once, encode per viewer
}


def _backend(mode: str) -> Forward | Baseline:
    backend = MODES[mode]
    if backend == "mediarelay":
        return Baseline()
    return Forward(direct_send=backend != "aiortc", compiled=backend == "direct")


async def _serve(mode: str, conn: Connection) -> None:
    profile_path = os.environ.get("BENCH_PROFILE")  # a path: write the relay's cProfile there
    profile = cProfile.Profile() if profile_path else None
    if profile is not None:
        profile.enable()
    aiortc_seams.restrict_host_addresses(["127.0.0.1"])
    backend = _backend(mode)
    await backend.start()
    runner = web.AppRunner(_app(backend), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    conn.send(port)
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
    await backend.close()
    await runner.cleanup()
    if profile is not None:  # before answering: the benchmark ends this process right after
        profile.disable()
        profile.dump_stats(profile_path)
    conn.send("stopped")


def main(mode: str, conn: Connection) -> None:
    asyncio.run(_serve(mode, conn))
