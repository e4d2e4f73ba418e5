"""The relay with real aiortc peers on 127.0.0.1: forwarding, joins, mute, floor, failures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from media import aiortc_seams, forwarding
from media.frames import EncodedFrame, Kind, is_keyframe
from media.interfaces import MediaError
from media.router import Relay
from media.synthetic import Clip, save_clip
from tests.media.clients import Camera, Events, Screen, speak, until
from tests.media.conftest import ROOM

REPO = Path(__file__).resolve().parents[2]


async def camera(
    relay: Relay, peers: list[Camera | Screen], clip: Clip, publisher_id: str
) -> Camera:
    site = Camera(clip)
    peers.append(site)
    await site.publish(relay, ROOM, publisher_id)
    return site


async def screen(
    relay: Relay,
    events: Events,
    peers: list[Camera | Screen],
    subscriber_id: str,
    *wishes: tuple[str, Kind],
) -> Screen:
    view = Screen()
    peers.append(view)
    events.screens[subscriber_id] = view
    await relay.subscribe(ROOM, subscriber_id)
    for publisher_id, kind in wishes:
        await relay.set_forwarding(ROOM, subscriber_id, publisher_id, kind, True)
    return view


def is_run_of(received: list[bytes], sent: list[bytes]) -> bool:
    """`received` is a contiguous stretch of `sent`: nothing altered, dropped or reordered."""
    if not received or received[0] not in sent:
        return False
    start = sent.index(received[0])
    return sent[start : start + len(received)] == received


BOTH_SEND_PATHS = pytest.mark.parametrize(
    "relay",
    [
        {"direct_send": True},
        {"direct_send": True, "compiled_send": False, "compiled_receive": False},
        {"direct_send": False},
    ],
    ids=["direct", "direct-python", "aiortc"],
    indirect=True,
)


@BOTH_SEND_PATHS
async def test_publisher_reaches_two_subscribers_with_frames_unchanged(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip, other_clip: Clip
) -> None:
    site = await camera(relay, peers, clip, "commune-1")
    other = await camera(relay, peers, other_clip, "commune-2")
    # The hall receives both communes (two m-lines of each kind), the chair one of them.
    wishes = [(p, k) for p in ("commune-1", "commune-2") for k in ("video", "audio")]
    hall = await screen(relay, events, peers, "hall", *wishes)  # type: ignore[arg-type]
    chair = await screen(
        relay, events, peers, "chair", ("commune-1", "video"), ("commune-1", "audio")
    )

    def received(view: Screen, publisher_id: str, kind: Kind) -> list[bytes]:
        if view is chair:
            return [f.data for f in chair.frames[kind]]
        slots = relay.slots(ROOM, "hall")  # which m-line shows whom, as the hall's UI is told
        mid = next(s.mid for s in slots if (s.publisher_id, s.kind) == (publisher_id, kind))
        return [f.data for f in hall.by_mid[mid or ""]]

    await until(
        lambda: all(
            len(received(view, p, k)) >= 20
            for view, p in ((hall, "commune-1"), (hall, "commune-2"), (chair, "commune-1"))
            for k in ("video", "audio")
        ),
        what="20 audio and video frames of every forwarded track",
    )

    audio_sent = set(clip.audio) | set(other_clip.audio)
    for view, publisher, sent in ((hall, site, site.sent), (hall, other, other.sent)):
        video = received(view, "commune-1" if publisher is site else "commune-2", "video")
        assert is_keyframe("video/vp8", video[0])
        assert is_run_of(video, sent)
    assert is_run_of(received(chair, "commune-1", "video"), site.sent)
    for view in (hall, chair):
        assert all(f.data in audio_sent for f in view.frames["audio"])
    # The packets came off the socket straight into the relay (aiortc_seams' direct receive).
    publisher = relay._room(ROOM).publishers["commune-1"]
    dtls = publisher.pc.getTransceivers()[0].receiver.transport
    assert aiortc_seams.packets_received_directly(dtls) >= 40  # 20 frames of each kind
    # ... and were handled by media/_receive.c, or the lean receive path in Python, not by
    # aiortc's per-packet coroutine.
    for transceiver in publisher.pc.getTransceivers():
        receiver = transceiver.receiver
        if relay.settings.compiled_receive:
            assert aiortc_seams.packets_handled_compiled(receiver) >= 20
            assert aiortc_seams.packets_handled_lean(receiver) <= 1  # a stream's first packet
        else:
            assert aiortc_seams.packets_handled_compiled(receiver) == 0
            assert aiortc_seams.packets_handled_lean(receiver) >= 20

    # Direct sending protected and sent them in media/_fastpath.c, unless told not to.
    counters = relay.counters()
    if relay.settings.direct_send and relay.settings.compiled_send:
        assert counters.packets_compiled == counters.packets_forwarded > 0
    else:
        assert counters.packets_compiled == 0


async def test_a_build_without_a_compiler_relays_in_python(
    relay: Relay,
    events: Events,
    peers: list[Camera | Screen],
    clip: Clip,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without media/_fastpath.c and media/_receive.c (no C compiler at install, simulated:
    the modules did not import), pylibsrtp and Python do their work, frames unchanged."""
    monkeypatch.setattr(aiortc_seams, "_fastpath", None)
    monkeypatch.setattr(aiortc_seams, "_receive", None)
    site = await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    await until(lambda: len(hall.frames["video"]) >= 10, what="video at the hall")
    assert is_run_of([f.data for f in hall.frames["video"]], site.sent)
    counters = relay.counters()
    assert counters.packets_forwarded > 0 and counters.frames_received > 0
    assert counters.packets_compiled == counters.packets_received_compiled == 0


async def test_direct_send_stops_when_the_viewers_socket_closes_before_dtls_knows(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip
) -> None:
    # aioice closes a pair whose consent expired before DTLS hears of it; the socket's
    # number may then be reused, and the compiled path must not write to it any more.
    await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    chair = await screen(relay, events, peers, "chair", ("commune-1", "video"))
    await until(lambda: len(hall.frames["video"]) >= 5, what="the hall's first frames")
    slot = relay._room(ROOM).downstreams["hall"].slots[0]
    sender = slot.track.packet_sender
    assert sender is not None and sender.ready()
    dtls = slot.sender.transport if slot.sender is not None else None
    assert dtls is not None and dtls.state == "connected"
    dtls.transport._connection._nominated[1].protocol.transport.close()

    assert not sender.ready()
    assert not sender.send([(b"\x10x", True)], 0)
    compiled = relay.counters().packets_compiled
    seen = len(chair.frames["video"])
    await until(lambda: len(chair.frames["video"]) >= seen + 5, what="the chair's next frames")
    assert relay.counters().packets_compiled > compiled  # the others still get theirs


async def test_late_joiner_starts_at_a_keyframe_it_asked_for(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip
) -> None:
    site = await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    await until(lambda: len(hall.frames["video"]) >= 20, what="the stream to be past its keyframe")
    requests_before = site.keyframe_requests

    late = await screen(relay, events, peers, "late", ("commune-1", "video"))
    await until(lambda: len(late.frames["video"]) >= 5, what="the late joiner's first frames")

    assert site.keyframe_requests > requests_before  # the join asked the camera for one
    first = late.frames["video"][0]
    assert is_keyframe("video/vp8", first.data)
    assert is_run_of([f.data for f in late.frames["video"]], site.sent)


async def test_mute_stops_audio_forwarding_and_unmute_resumes_it(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip
) -> None:
    await camera(relay, peers, clip, "commune-1")
    hall = await screen(
        relay, events, peers, "hall", ("commune-1", "video"), ("commune-1", "audio")
    )
    await until(lambda: len(hall.frames["audio"]) >= 10, what="audio before muting")

    relay.set_muted(ROOM, "commune-1", True)
    await asyncio.sleep(0.3)  # what was already in flight lands
    audio, video = len(hall.frames["audio"]), len(hall.frames["video"])
    await asyncio.sleep(1.0)
    assert len(hall.frames["audio"]) == audio
    assert len(hall.frames["video"]) > video  # video goes on
    assert next(p for p in await relay.stats(ROOM) if p.peer_id == "commune-1").muted

    relay.set_muted(ROOM, "commune-1", False)
    await until(lambda: len(hall.frames["audio"]) > audio + 10, what="audio after unmuting")


@BOTH_SEND_PATHS
async def test_floor_switch_reuses_the_slot_and_starts_the_new_video_at_once(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip, other_clip: Clip
) -> None:
    await camera(relay, peers, clip, "commune-1")
    second = await camera(relay, peers, other_clip, "commune-2")
    commune = await screen(relay, events, peers, "commune-3", ("commune-1", "video"))
    await until(lambda: len(commune.frames["video"]) >= 20, what="the first floor holder")
    negotiations = events.count("negotiation_needed")
    requests_before = second.keyframe_requests

    await relay.set_forwarding(ROOM, "commune-3", "commune-1", "video", False)
    await relay.set_forwarding(ROOM, "commune-3", "commune-2", "video", True)
    switched = len(commune.frames["video"])

    def from_second() -> list[EncodedFrame]:
        sent = set(second.sent)
        return [f for f in commune.frames["video"][switched:] if f.data in sent]

    took = await until(from_second, limit=5.0, what="the new floor holder's video")

    assert events.count("negotiation_needed") == negotiations  # same m-line, no renegotiation
    assert second.keyframe_requests > requests_before
    assert is_keyframe("video/vp8", from_second()[0].data)
    assert [s.publisher_id for s in relay.slots(ROOM, "commune-3")] == ["commune-2"]
    print(f"floor switch: first frame of the new speaker after {took * 1000:.0f} ms")


async def test_a_site_that_reconnects_is_forwarded_again_without_renegotiation(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip, other_clip: Clip
) -> None:
    await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    await until(lambda: len(hall.frames["video"]) >= 10, what="the site's first connection")
    negotiations = events.count("negotiation_needed")
    before = len(hall.frames["video"])

    again = await camera(relay, peers, other_clip, "commune-1")  # the kiosk's new connection

    def from_again() -> list[EncodedFrame]:
        sent = set(again.sent)
        return [f for f in hall.frames["video"][before:] if f.data in sent]

    await until(from_again, what="the reconnected site's video")
    assert is_keyframe("video/vp8", from_again()[0].data)
    assert events.count("negotiation_needed") == negotiations  # same m-line
    await asyncio.sleep(0.5)  # the old connection's close must not remove the new one
    assert not [e for e in events.log if e[0] == "peer_gone"]
    assert relay.tracks(ROOM) == {"commune-1": ["audio", "video"]}


@BOTH_SEND_PATHS
async def test_a_subscriber_that_stops_reading_is_downgraded_without_delaying_others(
    relay: Relay,
    events: Events,
    peers: list[Camera | Screen],
    clip: Clip,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A 5-frame queue overflows within a third of a second instead of two.
    monkeypatch.setattr(forwarding, "VIDEO_QUEUE_FRAMES", 5)
    site = await camera(relay, peers, clip, "commune-1")
    hall = await screen(relay, events, peers, "hall", ("commune-1", "video"))
    stuck = await screen(
        relay, events, peers, "stuck", ("commune-1", "video"), ("commune-1", "audio")
    )
    await until(
        lambda: len(hall.frames["video"]) >= 10 and len(stuck.frames["video"]) >= 10,
        what="both subscribers receiving",
    )

    video = next(t for t in relay.down_tracks(ROOM, "stuck") if t.kind == "video")
    if video.packet_sender is None:
        # aiortc's sender for "stuck" stops pulling video: its queue fills up.
        video.recv = asyncio.Event().wait  # type: ignore[assignment,method-assign]
    else:
        # The kernel stops taking "stuck"'s packets: they pile up in its UDP transport.
        backlog = forwarding.DIRECT_BACKLOG_BYTES + 1
        video.packet_sender.backlog = lambda: backlog  # type: ignore[method-assign]
    hall_before, sent_before = len(hall.frames["video"]), len(site.sent)
    await until(lambda: events.count("downgraded") == 1, what="the stuck subscriber's downgrade")
    sent_during = len(site.sent) - sent_before

    assert ("downgraded", "stuck", "commune-1") in events.log
    assert video.resyncs >= forwarding.RESYNC_LIMIT - 1 and video.dropped > 0
    assert video.source is None
    assert [s.publisher_id for s in relay.slots(ROOM, "stuck") if s.kind == "video"] == [None]
    # The other subscriber got every frame, in order, meanwhile (a few may still be in flight).
    assert is_run_of([f.data for f in hall.frames["video"]], site.sent)
    assert len(hall.frames["video"]) - hall_before >= sent_during - 3
    audio = len(stuck.frames["audio"])
    await until(lambda: len(stuck.frames["audio"]) > audio + 10, what="audio-only to go on")


class SiteProcess:
    """A site (camera + screen) in a child process, signalled over its stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, clip_path: Path) -> SiteProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.media.site_process",
            str(clip_path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        return cls(process)

    async def read(self) -> dict[str, str]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=30)
        return dict(json.loads(line))

    def write(self, message: dict[str, str]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    async def answer(self, offer_sdp: str) -> str:  # what Events expects of a screen
        self.write({"offer": offer_sdp})
        return (await self.read())["answer"]

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()


def decoder_threads() -> int:
    """aiortc's per-receiver threads (executor threads are pooled, not leaked)."""
    return sum(t.name.endswith("-decoder") for t in threading.enumerate())


def open_sockets() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).startswith("socket:")
    return count


async def test_a_site_that_vanishes_is_cleaned_up(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip, tmp_path: Path
) -> None:
    await camera(relay, peers, clip, "hall-camera")
    # The hall's screen already has its video m-line (showing its own camera), so the site's
    # arrival adds nothing on the test's side of the connection.
    hall = await screen(relay, events, peers, "hall", ("hall-camera", "video"))
    await until(lambda: len(hall.frames["video"]) >= 5, what="the hall's own video")
    tasks, threads, sockets = set(asyncio.all_tasks()), decoder_threads(), open_sockets()

    clip_path = tmp_path / "clip.bin"
    save_clip(clip, clip_path)
    site = await SiteProcess.start(clip_path)
    try:
        answer = await relay.publish(ROOM, "commune-1", (await site.read())["offer"])
        site.write({"answer": answer})
        events.screens["commune-1-screen"] = site  # type: ignore[assignment]
        await relay.subscribe(ROOM, "commune-1-screen")
        await relay.set_forwarding(ROOM, "commune-1-screen", "hall-camera", "video", True)
        await relay.set_forwarding(ROOM, "hall", "hall-camera", "video", False)
        await relay.set_forwarding(ROOM, "hall", "commune-1", "video", True)
        await until(lambda: relay.slots(ROOM, "hall")[0].publisher_id == "commune-1")
        shown = len(hall.frames["video"])
        await until(
            lambda: len(hall.frames["video"]) >= shown + 10, limit=30, what="the site's video"
        )
        await until(
            lambda: sum(t.frames_sent for t in relay.down_tracks(ROOM, "commune-1-screen")) > 10,
            what="video towards the site",
        )
    finally:
        await site.kill()  # no BYE, no DTLS close: the site is simply gone

    await until(lambda: events.count("peer_gone") == 2, limit=15, what="both connections gone")
    assert {e[1:] for e in events.log if e[0] == "peer_gone"} == {
        ("commune-1", "publisher"),
        ("commune-1-screen", "subscriber"),
    }
    assert {p.peer_id for p in await relay.stats(ROOM)} == {"hall-camera", "hall"}
    assert [s.publisher_id for s in relay.slots(ROOM, "hall")] == [None]  # the tile went idle
    await until(lambda: decoder_threads() == threads, what="receiver threads to end")
    await until(lambda: open_sockets() == sockets, what="the site's sockets to close")
    await until(
        lambda: set(asyncio.all_tasks()) <= tasks | {asyncio.current_task()},
        what="the site's tasks to end",
    )


async def test_the_loudest_unmuted_site_is_the_active_speaker(relay: Relay, events: Events) -> None:
    quiet = await speak(relay, ROOM, "commune-1", amplitude=0)
    loud = await speak(relay, ROOM, "commune-2", amplitude=12_000)
    try:
        await until(lambda: ("active_speaker", "commune-2") in events.log, what="a speaker")
        levels = relay.audio_levels(ROOM)
        assert levels["commune-2"] < relay.settings.speech_level < levels["commune-1"]

        relay.set_muted(ROOM, "commune-2", True)  # a muted site is nobody's speaker
        assert "commune-2" not in relay.audio_levels(ROOM)
    finally:
        await quiet.close()
        await loud.close()


@pytest.mark.parametrize(
    "sdp", ["", "garbage", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"]
)
async def test_an_offer_without_media_is_refused_and_leaves_nothing(relay: Relay, sdp: str) -> None:
    with pytest.raises(MediaError) as refused:
        await relay.publish(ROOM, "commune-1", sdp)
    assert refused.value.code in ("no-media", "bad-offer")
    assert relay.tracks(ROOM) == {}
