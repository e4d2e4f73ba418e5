"""Every touch of python-socketio / python-engineio internals, in one place, checked at start-up.

Verified against python-socketio 5.18.1 / python-engineio 4.15.1. A page change reaches every
screen of a meeting through one `emit` to the meeting's room; at 500 viewers the library's own
fan-out costs more than everything else the server does (docs/benchmarks.md, "Live meeting"):

* socket.io: `AsyncManager.emit` encodes the packet once when no callback is asked for, then
  makes one asyncio Task per recipient (`asyncio.create_task(self.server._send_eio_packet(...))`)
  and waits for all of them (`asyncio.wait`). Sending only puts the packet on the recipient's
  engine.io queue (`AsyncSocket.send` → `await self.queue.put(pkt)`, an unbounded
  `asyncio.Queue`: it never waits), so the Tasks buy nothing but allocations — and at 500
  recipients they are what the garbage collector promotes and then traverses.
  `FanoutManager.emit` queues the same encoded packet to each recipient directly. With a
  callback (one packet per recipient, with its own id) the library's code runs unchanged.
  `AsyncPubSubManager._handle_emit` (Redis) delivers to this process's clients through
  `super().emit(...)`; `FanoutRedisManager` puts `FanoutManager` right after it in the MRO so
  that path is ours too.
* engine.io: each connection's writer task waits for its next packet in `AsyncSocket.poll`
  with `asyncio.wait_for(self.queue.get(), ping_interval + ping_timeout)`; on Python 3.11
  `wait_for` wraps the `get()` in another Task plus a timer, per packet and recipient. `_poll`
  is the same method with `asyncio.timeout` (which Python ≥ 3.12's `wait_for` uses by itself,
  so the class is left alone there). This one is process-wide: it replaces the method on the
  class (engine.io has no way to choose the socket class).

`check_seams` raises SeamError, naming what changed, when the installed libraries no longer look
like this; `client_manager` calls it, so a server with different versions refuses to start
until this module is re-verified (pin python-engineio beside python-socketio for that reason).
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

import socketio
from engineio import async_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from socketio import async_manager, async_pubsub_manager, async_server
from socketio import packet as sio_packet

VERIFIED_SOCKETIO_VERSION = "5.18.1"
VERIFIED_ENGINEIO_VERSION = "4.15.1"

_ORIGINAL_POLL = async_socket.AsyncSocket.poll


class SeamError(RuntimeError):
    """python-socketio / python-engineio no longer look like the versions verified here."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise SeamError(
            f"python-socketio/python-engineio changed: {what}. The live fan-out was verified "
            f"against python-socketio {VERIFIED_SOCKETIO_VERSION} and python-engineio "
            f"{VERIFIED_ENGINEIO_VERSION}; re-verify server/realtime/socketio_seams.py."
        )


def _source_has(function: Callable[..., Any], *snippets: str) -> bool:
    source = inspect.getsource(function)
    return all(s in source for s in snippets)


def _installed(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def check_seams() -> None:
    """Raise SeamError, naming the broken seam, if the libraries no longer match this module."""
    for distribution, verified in (
        ("python-socketio", VERIFIED_SOCKETIO_VERSION),
        ("python-engineio", VERIFIED_ENGINEIO_VERSION),
    ):
        installed = _installed(distribution)
        _require(installed == verified, f"{distribution} {installed} installed, not {verified}")
    _require(
        _source_has(
            async_manager.AsyncManager.emit,
            "encoded_packet = pkt.encode()",
            "eio_packet.Packet(eio_packet.MESSAGE, p)",
            "self.get_participants(namespace, room)",
            "asyncio.create_task(",
            "self.server._send_eio_packet(eio_sid, p)",
        ),
        "AsyncManager.emit no longer sends one encoded packet per recipient",
    )
    _require(
        list(inspect.signature(async_server.AsyncServer._send_eio_packet).parameters)
        == ["self", "eio_sid", "eio_pkt"]
        and _source_has(
            async_server.AsyncServer._send_eio_packet, "self.eio.send_packet(eio_sid, eio_pkt)"
        ),
        "AsyncServer._send_eio_packet(eio_sid, eio_pkt) is gone",
    )
    _require(
        _source_has(async_pubsub_manager.AsyncPubSubManager._handle_emit, "await super().emit("),
        "AsyncPubSubManager._handle_emit no longer delivers locally through super().emit",
    )
    _require(
        FanoutRedisManager.__mro__.index(async_pubsub_manager.AsyncPubSubManager)
        < FanoutRedisManager.__mro__.index(FanoutManager)
        < FanoutRedisManager.__mro__.index(async_manager.AsyncManager),
        "AsyncRedisManager is no longer an AsyncPubSubManager over AsyncManager",
    )
    _require(
        _source_has(async_socket.AsyncSocket.send, "await self.queue.put(pkt)"),
        "AsyncSocket.send no longer just queues the packet",
    )
    _require(
        _source_has(
            _ORIGINAL_POLL,
            "asyncio.wait_for(",
            "self.queue.get()",
            "self.server.ping_interval + self.server.ping_timeout",
            "raise exceptions.QueueEmpty()",
            "self.queue.put_nowait(None)",
        ),
        "AsyncSocket.poll changed",
    )


# -- socket.io: one emit, no Task per recipient ---------------------------------------------


class FanoutManager(socketio.AsyncManager):
    """socket.io's client manager, queueing an emit to each recipient without a Task each."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback:  # one packet per recipient with its own ack id: the library's way
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        room = to or room
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):  # as the library: a tuple is several arguments
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, p)
            for p in (encoded if isinstance(encoded, list) else [encoded])
        ]
        # A copy: a send may close a socket whose ping timed out, which leaves its rooms.
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid not in skip:
                for p in packets:
                    await self.server._send_eio_packet(eio_sid, p)


class FanoutRedisManager(socketio.AsyncRedisManager, FanoutManager):
    """AsyncRedisManager whose local delivery (`super().emit` in `_handle_emit`) is ours."""


# -- engine.io: the writer waits without wait_for --------------------------------------------


async def _poll(self: Any) -> list[Any]:
    """AsyncSocket.poll of python-engineio 4.15.1, waiting with asyncio.timeout."""
    try:
        async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
            packets = [await self.queue.get()]
        self.queue.task_done()
    except (TimeoutError, asyncio.CancelledError):
        raise eio_exceptions.QueueEmpty() from None
    if packets == [None]:
        return []
    while True:
        try:
            pkt = self.queue.get_nowait()
            self.queue.task_done()
            if pkt is None:
                self.queue.put_nowait(None)
                break
            packets.append(pkt)
        except asyncio.QueueEmpty:
            break
    return packets


def install() -> None:
    """Check the seams, then let engine.io's writers wait with asyncio.timeout (Python 3.11;
    3.12's wait_for does that itself). Idempotent."""
    check_seams()
    if sys.version_info < (3, 12):
        async_socket.AsyncSocket.poll = _poll


def installed() -> bool:
    return async_socket.AsyncSocket.poll is _poll or sys.version_info >= (3, 12)


def client_manager(redis_url: str | None, channel: str) -> socketio.AsyncManager:
    """The socket.io client manager of the live hub: local, or shared through Redis."""
    install()
    if redis_url:
        return FanoutRedisManager(redis_url, channel=channel)
    return FanoutManager()
