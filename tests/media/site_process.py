"""A commune site in its own process, so a test can make it vanish with SIGKILL.

Line-based JSON over stdin/stdout: it prints {"offer": sdp} for its camera and reads
{"answer": sdp}; then, for its screen, reads {"offer": sdp} and prints {"answer": sdp}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from aiortc import RTCSessionDescription

from media import aiortc_seams
from media.synthetic import load_clip
from tests.media.clients import Camera, Screen


async def main(clip_path: str) -> None:
    aiortc_seams.restrict_host_addresses(["127.0.0.1"])
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def say(message: dict[str, str]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    camera = Camera(load_clip(Path(clip_path)))
    screen = Screen()
    await camera.pc.setLocalDescription(await camera.pc.createOffer())
    say({"offer": camera.pc.localDescription.sdp})
    while line := await reader.readline():
        message = json.loads(line)
        if "answer" in message:
            await camera.pc.setRemoteDescription(RTCSessionDescription(message["answer"], "answer"))
        else:
            say({"answer": await screen.answer(message["offer"])})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
