"""Notifications are pushed live to the invitee's open connections, and to nobody else."""

from __future__ import annotations

import asyncio

from tests.api.meeting_helpers import published
from tests.realtime.test_live_auth import _connect, _cookie


async def test_invitation_is_pushed_live_to_the_invitee_only(login_as) -> None:
    official = await login_as("tp.noivu")
    outsider = await login_as("tp.tuphap")
    received: asyncio.Queue = asyncio.Queue()
    leaked: list = []
    invitee_socket = await _connect(official, _cookie(official))
    outsider_socket = await _connect(outsider, _cookie(outsider))
    invitee_socket.on("notification", received.put_nowait, namespace="/live")
    outsider_socket.on("notification", leaked.append, namespace="/live")
    try:
        secretary = await login_as("thuky")
        meeting = await published(secretary, ["tp.noivu"], title="Họp giao ban tuần")
        note = await asyncio.wait_for(received.get(), timeout=5)
        assert note["kind"] == "meeting.invited"
        assert note["meeting_id"] == meeting["id"]
        assert "Họp giao ban tuần" in note["title"]
        _, stored = await official.get("/api/notifications")
        assert stored["notifications"][0]["id"] == note["id"]
        await asyncio.sleep(0.2)
        assert leaked == []
    finally:
        await invitee_socket.disconnect()
        await outsider_socket.disconnect()


async def test_answers_refresh_the_organisers_board_live(login_as) -> None:
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu"])
    heard: asyncio.Queue = asyncio.Queue()
    socket = await _connect(secretary, _cookie(secretary))
    socket.on("invitation.answered", heard.put_nowait, namespace="/live")
    try:
        official = await login_as("tp.noivu")
        await official.post(f"/api/meetings/{meeting['id']}/answer", json={"answer": "attending"})
        assert (await asyncio.wait_for(heard.get(), timeout=5)) == {"meeting_id": meeting["id"]}
    finally:
        await socket.disconnect()
