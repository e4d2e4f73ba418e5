"""The python-socketio / python-engineio internals the live fan-out relies on are still there
(checked at start-up too), and the server really fans out through them."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from engineio import async_socket
from socketio import async_manager

from server import keys
from server.app import create_app
from server.config import Settings
from server.realtime import socketio_seams
from server.realtime.rooms import meeting_room
from server.realtime.socketio_seams import FanoutManager, SeamError, check_seams
from tests.api.meeting_helpers import published
from tests.realtime.live_client import MeetingClient


def test_seams_match_the_installed_libraries() -> None:
    check_seams()


def _version(distribution: str) -> str:
    return (
        "9.9.9" if distribution == "python-engineio" else socketio_seams.VERIFIED_SOCKETIO_VERSION
    )


async def _emit_with_a_task_each(self: Any, *args: Any, **kwargs: Any) -> None:
    return None


async def _poll_without_wait_for(self: Any) -> list[Any]:
    return [await self.queue.get()]


@pytest.mark.parametrize(
    ("target", "name", "value", "message"),
    [
        (socketio_seams.metadata, "version", _version, "python-engineio 9.9.9 installed"),
        (async_manager.AsyncManager, "emit", _emit_with_a_task_each, "AsyncManager.emit"),
        (socketio_seams, "_ORIGINAL_POLL", _poll_without_wait_for, "AsyncSocket.poll"),
    ],
)
def test_changed_libraries_are_refused_with_the_seam_named(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    target: object,
    name: str,
    value: object,
    message: str,
) -> None:
    monkeypatch.setattr(target, name, value)
    with pytest.raises(SeamError, match=message):
        check_seams()
    with pytest.raises(SeamError):
        create_app(settings)  # the server refuses to start


def test_the_redis_manager_delivers_locally_through_ours() -> None:
    mro = socketio_seams.FanoutRedisManager.__mro__
    assert mro.index(FanoutManager) < mro.index(async_manager.AsyncManager)


async def test_the_server_fans_out_without_a_task_per_recipient(
    server: TestServer, login_as: Any
) -> None:
    hub = server.app[keys.LIVE]
    assert type(hub.sio.manager) is FanoutManager
    assert socketio_seams.installed()
    if sys.version_info < (3, 12):  # 3.12's wait_for needs no help
        assert async_socket.AsyncSocket.poll is socketio_seams._poll

    meeting = await published(await login_as("thuky"), ["tp.noivu", "tp.vanhoa"])
    room = meeting_room(meeting["id"])
    one = await MeetingClient(await login_as("tp.noivu"), meeting["id"]).connect()
    two = await MeetingClient(await login_as("tp.vanhoa"), meeting["id"]).connect()
    try:
        # everyone in the room, then everyone but one (skip_sid), each got the same packet
        await hub.sio.emit("test.hello", {"n": 1}, room=room, namespace="/meeting")
        skipped = one.sio.get_sid("/meeting")
        await hub.sio.emit(
            "test.hello", {"n": 2}, room=room, namespace="/meeting", skip_sid=skipped
        )
        await hub.sio.emit("test.hello", {"n": 3}, room=room, namespace="/meeting")
        assert [await two.next("test.hello") for _ in range(3)] == [{"n": 1}, {"n": 2}, {"n": 3}]
        assert [await one.next("test.hello") for _ in range(2)] == [{"n": 1}, {"n": 3}]
        assert one.drain("test.hello") == []
    finally:
        await one.close()
        await two.close()
