"""The relay's counters for monitoring, and a downgraded viewer getting its video back, with
real aiortc peers on 127.0.0.1."""

from __future__ import annotations

import pytest

from media import aiortc_seams, forwarding, router
from media.router import Relay
from media.synthetic import Clip
from tests.media.clients import Camera, Events, Screen, until
from tests.media.conftest import ROOM
from tests.media.test_relay import BOTH_SEND_PATHS, camera, screen


@BOTH_SEND_PATHS
async def test_counters_follow_what_is_forwarded(
    relay: Relay, events: Events, peers: list[Camera | Screen], clip: Clip
) -> None:
    start = relay.counters()
    assert (start.publishers, start.subscribers, start.frames_forwarded) == (0, 0, 0)
    assert start.rooms == 1

    await camera(relay, peers, clip, "commune-1")
    hall = await screen(
        relay, events, peers, "hall", ("commune-1", "video"), ("commune-1", "audio")
    )
    await until(lambda: len(hall.frames["video"]) >= 10, what="frames at the hall")
    first = relay.counters()
    assert (first.publishers, first.published_tracks) == (1, 2)
    assert (first.subscribers, first.forwarded_streams) == (1, 2)
    assert first.frames_forwarded >= 10
    assert first.packets_forwarded >= first.frames_forwarded  # a frame is one packet or more
    assert first.frames_received >= first.frames_forwarded  # one viewer: each frame once at most
    # media/_receive.c took the camera's packets, unless the relay was told to use Python.
    if relay.settings.compiled_receive:
        assert first.packets_received_compiled >= first.frames_received
    else:
        assert first.packets_received_compiled == 0
    assert first.keyframe_requests_upstream >= 1  # the hall started at a keyframe it asked for

    # The hall's screen asks for a keyframe (a browser does when its picture breaks).
    video = next(t for t in hall.pc.getTransceivers() if t.kind == "video")
    await aiortc_seams.send_pli(video.receiver, hall.frames["video"][-1].ssrc)
    await until(
        lambda: (
            relay.counters().keyframe_requests_from_viewers > first.keyframe_requests_from_viewers
        ),
        what="the viewer's keyframe request to be counted",
    )
    count = len(hall.frames["video"])
    await until(lambda: len(hall.frames["video"]) > count + 5, what="more frames")
    later = relay.counters()
    assert later.frames_forwarded > first.frames_forwarded
    assert later.packets_forwarded > first.packets_forwarded
    assert later.frames_received > first.frames_received

    await relay.unpublish(ROOM, "commune-1")
    gone = relay.counters()
    assert (gone.publishers, gone.published_tracks, gone.forwarded_streams) == (0, 0, 0)
    assert gone.subscribers == 1
    assert gone.frames_forwarded >= later.frames_forwarded  # totals never go back


async def test_a_downgraded_viewer_gets_the_video_back_once_it_keeps_up(
    relay: Relay,
    events: Events,
    peers: list[Camera | Screen],
    clip: Clip,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forwarding, "VIDEO_QUEUE_FRAMES", 5)
    monkeypatch.setattr(router, "UPGRADE_AFTER", 1.0)  # instead of 30 s
    await camera(relay, peers, clip, "commune-1")
    slow = await screen(
        relay, events, peers, "slow", ("commune-1", "video"), ("commune-1", "audio")
    )
    await until(lambda: len(slow.frames["video"]) >= 10, what="video at the slow viewer")

    video = next(t for t in relay.down_tracks(ROOM, "slow") if t.kind == "video")
    sender = video.packet_sender
    assert sender is not None  # the direct path (default)
    backlog = forwarding.DIRECT_BACKLOG_BYTES + 1
    sender.backlog = lambda: backlog  # type: ignore[method-assign]  # the kernel stops taking them
    await until(lambda: events.count("downgraded") == 1, what="the downgrade")
    assert video.source is None
    downgraded = relay.counters()
    assert downgraded.downgrades == 1 and downgraded.upgrades == 0
    assert downgraded.resyncs >= forwarding.RESYNC_LIMIT - 1
    assert downgraded.frames_dropped > 0

    del sender.backlog  # the viewer keeps up again (its audio never stopped)
    await until(lambda: events.count("upgraded") == 1, what="the upgrade")
    assert ("upgraded", "slow", "commune-1") in events.log
    assert relay.counters().upgrades == 1
    assert [s.publisher_id for s in relay.slots(ROOM, "slow") if s.kind == "video"] == ["commune-1"]
    count = len(slow.frames["video"])
    await until(lambda: len(slow.frames["video"]) > count + 5, what="the video again")

    # Downgraded again: the next wait is twice as long.
    sender.backlog = lambda: backlog  # type: ignore[method-assign]
    await until(lambda: events.count("downgraded") == 2, what="the second downgrade")
    assert relay._rooms[ROOM].downgrades[("slow", "commune-1")].wait == 2.0


async def test_the_control_plane_withdrawing_a_downgraded_video_cancels_its_upgrade(
    relay: Relay,
    events: Events,
    peers: list[Camera | Screen],
    clip: Clip,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forwarding, "VIDEO_QUEUE_FRAMES", 5)
    await camera(relay, peers, clip, "commune-1")
    slow = await screen(relay, events, peers, "slow", ("commune-1", "video"))
    await until(lambda: len(slow.frames["video"]) >= 10, what="video at the slow viewer")
    video = next(t for t in relay.down_tracks(ROOM, "slow") if t.kind == "video")
    sender = video.packet_sender
    assert sender is not None
    backlog = forwarding.DIRECT_BACKLOG_BYTES + 1
    sender.backlog = lambda: backlog  # type: ignore[method-assign]
    await until(lambda: events.count("downgraded") == 1, what="the downgrade")
    del sender.backlog

    # The floor moved on: the control plane no longer wants this video for "slow".
    await relay.set_forwarding(ROOM, "slow", "commune-1", "video", False)
    state = relay._rooms[ROOM]
    assert not state.downgrades
    relay._check_upgrades(state)  # what the next tick does
    assert events.count("upgraded") == 0
    assert [s.publisher_id for s in relay.slots(ROOM, "slow") if s.kind == "video"] == [None]
