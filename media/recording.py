"""Recording by muxing the forwarded encoded packets into WebM (PyAV), never transcoding.

A recorder is a subscriber without a network: one video slot and one audio slot that the
control plane points like any subscriber's (e.g. at the floor holder), so a floor switch
switches the recording too, starting the new video at a keyframe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

import av
from av.container import OutputContainer
from av.stream import Stream

from media.forwarding import DownTrack
from media.frames import vp8_size
from media.peer import Downstream, Slot

logger = logging.getLogger(__name__)

# WebM carries VP8 and Opus and plays in every browser without a plug-in.
VIDEO_CODEC = "video/vp8"
AUDIO_CODEC = "audio/opus"
# Audio that arrives before the first video keyframe cannot be written (the WebM header
# needs the picture size); 5 s of 20 ms frames bounds what we hold meanwhile.
MAX_EARLY_AUDIO = 250


class RecordingSink(Downstream):
    """Writes what its two slots receive into one WebM file."""

    def __init__(self, recorder_id: str, path: str | Path, video: bool = True) -> None:
        super().__init__(recorder_id)
        self.path = Path(path)
        self._epoch = time.monotonic()  # audio and video timestamps count from here
        self._container: OutputContainer | None = None
        self._streams: dict[str, Stream] = {}
        self._early_audio: list[av.Packet[Any]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.packets_written = 0
        self._video = video
        if video:
            self._add(
                Slot("video", VIDEO_CODEC, DownTrack("video", VIDEO_CODEC, epoch=self._epoch))
            )
        self._add(Slot("audio", AUDIO_CODEC, DownTrack("audio", AUDIO_CODEC, epoch=self._epoch)))

    def _add(self, slot: Slot) -> None:
        self.slots.append(slot)
        self._tasks.append(asyncio.ensure_future(self._drain(slot.track)))

    async def _drain(self, track: DownTrack) -> None:
        with contextlib.suppress(Exception):  # MediaStreamError when stopped
            while True:
                self._write(track.kind, await track.recv())

    def _write(self, kind: str, packet: av.Packet[Any]) -> None:
        if self._container is None:
            if kind == "audio" and self._video:
                if len(self._early_audio) < MAX_EARLY_AUDIO:
                    self._early_audio.append(packet)
                return
            self._open(packet if kind == "video" else None)
        packet.stream = self._streams[kind]
        assert self._container is not None
        try:
            self._container.mux(packet)
            self.packets_written += 1
        except av.FFmpegError as exc:  # e.g. non-monotonic timestamps after a glitch
            logger.warning("recording %s: dropped a %s packet: %s", self.path, kind, exc)

    def _open(self, keyframe: av.Packet[Any] | None) -> None:
        container = av.open(str(self.path), "w", format="webm")
        if keyframe is not None:
            width, height = vp8_size(bytes(keyframe)) or (640, 480)
            video = container.add_stream("libvpx", rate=30)
            video.width, video.height = width, height
            self._streams["video"] = video
        audio = container.add_stream("libopus", rate=48000)
        audio.layout = "stereo"
        self._streams["audio"] = audio
        self._container = container
        early, self._early_audio = self._early_audio, []
        start = (keyframe.pts or 0) if keyframe is not None else 0
        for packet in early:  # only audio from the picture's start on, to keep sync simple
            if (packet.pts or 0) * 90_000 // 48_000 >= start:
                self._write("audio", packet)

    async def close(self) -> None:
        await super().close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._container is not None:
            self._container.close()
            self._container = None
