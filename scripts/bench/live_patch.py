"""Experiments, not fixes: `live.py --patched` / `--gc-log` start the servers through this
module. With LIVE_BENCH_FANOUT=1 it changes two library internals on the fan-out path in that
process only, to measure what the changes proposed in docs/benchmarks.md would save; with
LIVE_BENCH_GC_LOG=<file> it notes every garbage collection (generation, ms, when); with
LIVE_BENCH_GC_FREEZE=1 it calls gc.freeze() after start-up. The repository's server is
untouched.

1. socketio's AsyncManager.emit makes one asyncio Task per recipient and waits for them all;
   here the identical packet is queued to each recipient directly (queueing never blocks: the
   engine.io send queue is unbounded), without a Task each.
2. engineio's AsyncSocket.poll waits for each outgoing packet with asyncio.wait_for, which on
   Python 3.11 wraps queue.get() in another Task plus a timer; here asyncio.timeout (3.11+).

    python -c "import scripts.bench.live_patch as p; p.serve()"     # instead of -m server
"""

from __future__ import annotations

import asyncio
import gc
import os
import runpy
import time
from typing import Any

from engineio import async_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from socketio import async_manager
from socketio import packet as sio_packet

_original_emit = async_manager.AsyncManager.emit


async def emit(
    self: Any,
    event: str,
    data: Any,
    namespace: str,
    room: Any = None,
    skip_sid: Any = None,
    callback: Any = None,
    to: Any = None,
    **kwargs: Any,
) -> None:
    if callback:
        return await _original_emit(self, event, data, namespace, room, skip_sid, callback, to)
    room = to or room
    if namespace not in self.rooms:
        return None
    if isinstance(data, tuple):
        data = list(data)
    elif data is not None:
        data = [data]
    else:
        data = []
    if not isinstance(skip_sid, list):
        skip_sid = [skip_sid]
    encoded = self.server.packet_class(
        sio_packet.EVENT, namespace=namespace, data=[event, *data]
    ).encode()
    packets = [
        eio_packet.Packet(eio_packet.MESSAGE, p)
        for p in (encoded if isinstance(encoded, list) else [encoded])
    ]
    for sid, eio_sid in list(self.get_participants(namespace, room)):
        if sid not in skip_sid:
            for p in packets:
                await self.server._send_eio_packet(eio_sid, p)
    return None


async def poll(self: Any) -> list[Any]:
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


def apply() -> None:
    async_manager.AsyncManager.emit = emit  # type: ignore[method-assign]
    async_socket.AsyncSocket.poll = poll  # type: ignore[method-assign]


def log_collections(path: str) -> None:
    """One line per collection: perf_counter_ns at its start, generation, wall ms, CPU ms,
    objects collected, and after a full collection the objects it had to look at."""
    out = open(path, "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
    started = [0, 0]

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter_ns(), time.thread_time_ns()]
            return
        wall = (time.perf_counter_ns() - started[0]) / 1e6
        cpu = (time.thread_time_ns() - started[1]) / 1e6
        heap = len(gc.get_objects(generation=2)) if info["generation"] == 2 else 0
        out.write(
            f"{started[0]} {info['generation']} {wall:.3f} {cpu:.3f} {info['collected']} {heap}\n"
        )

    gc.callbacks.append(note)


def freeze_after_start() -> None:
    """gc.freeze() once the app has started: what was imported and built at start-up (modules,
    SQLAlchemy and pydantic metadata) is never traversed again by full collections."""
    from server import app as server_app

    create_app = server_app.create_app

    def create(*args: Any, **kwargs: Any) -> Any:
        application = create_app(*args, **kwargs)

        async def freeze(_app: Any) -> None:
            gc.collect()
            gc.freeze()

        application.on_startup.append(freeze)
        return application

    server_app.create_app = create


def serve() -> None:
    if os.environ.get("LIVE_BENCH_FANOUT") == "1":
        apply()
    if os.environ.get("LIVE_BENCH_GC_FREEZE") == "1":
        freeze_after_start()
    if os.environ.get("LIVE_BENCH_GC_LOG"):
        log_collections(os.environ["LIVE_BENCH_GC_LOG"])
    runpy.run_module("server", run_name="__main__", alter_sys=True)
