"""Recording muxes the forwarded packets into WebM: readable back, frames as forwarded."""

from __future__ import annotations

from pathlib import Path

import av

from media.router import Relay
from media.synthetic import Clip, read_index
from tests.media.clients import Camera, Screen, until
from tests.media.conftest import ROOM


async def test_recording_produces_a_playable_webm(
    relay: Relay, peers: list[Camera | Screen], clip: Clip, tmp_path: Path
) -> None:
    site = Camera(clip)
    peers.append(site)
    await site.publish(relay, ROOM, "commune-1")
    path = tmp_path / "meeting.webm"
    await relay.start_recording(ROOM, "recorder", str(path))
    await relay.set_forwarding(ROOM, "recorder", "commune-1", "video", True)
    await relay.set_forwarding(ROOM, "recorder", "commune-1", "audio", True)

    tracks = relay.down_tracks(ROOM, "recorder")

    def forwarded(kind: str) -> int:
        return sum(t.frames_sent for t in tracks if t.kind == kind)

    await until(lambda: forwarded("video") >= 30 and forwarded("audio") >= 100, what="2 s recorded")
    await relay.stop_recording(ROOM, "recorder")
    video_frames, audio_frames = forwarded("video"), forwarded("audio")

    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("vp8", 320, 240)
        pictures = list(container.decode(video=0))
    with av.open(str(path)) as container:
        sounds = list(container.decode(audio=0))
    # Every forwarded frame is in the file (a few audio frames from before the first
    # keyframe are left out on purpose) and decodes to the picture that was sent.
    assert len(pictures) == video_frames
    assert audio_frames - 25 <= len(sounds) <= audio_frames
    indexes = [read_index(p) for p in pictures]
    assert indexes == [(indexes[0] + i) % len(clip.video) for i in range(len(indexes))]
    duration = float(pictures[-1].time - pictures[0].time)
    assert abs(duration - (len(pictures) - 1) / clip.fps) < 0.5
