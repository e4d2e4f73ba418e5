"""Run CPU-heavy document work in a small pool of warm worker processes, each under hard limits.

pypdf and PDFium parse hostile bytes: a crafted file can take gigabytes of memory or loop for
minutes. So that work never runs in the server process: each worker sets RLIMIT_AS (memory) once
at start, re-arms RLIMIT_CPU before every task, and the parent kills it when a task outlives its
wall-clock budget. A killed or crashed worker is replaced; the task that caused it fails with a
typed `LimitExceeded`.

Workers are forked from a "forkserver" that has the PDF libraries imported already, so a
replacement is ready in milliseconds and is never a fork of the (threaded) server process.
Workers stay warm between tasks: a round trip costs well under a millisecond, which is what lets
a 100-page ingest stay within 0.3 s. The event loop only awaits; the blocking pipe reads happen
on a small thread pool of the pool's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import math
import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

from storage.pdf.errors import Busy, DocumentError, LimitExceeded, WorkerFailed

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
MiB = 1024 * 1024
# A worker that cannot start is retried this often: quick to recover, no busy loop.
RESPAWN_PAUSE = 1.0

# The modules every worker needs; imported once in the forkserver, so forks start warm.
DEFAULT_PRELOAD = (
    "storage.pdf.inspect",
    "storage.pdf.watermark",
    "storage.pdf.pack",
    "storage.pdf.sniff",
)


@dataclass(frozen=True)
class WorkerLimits:
    # One worker per core of the reference machine (2 cores): bounds concurrent CPU work.
    workers: int = 2
    # pypdf + PDFium on a dense 2 000-page file peak near 150 MB; a bomb goes far past 1 GiB.
    memory_bytes: int = 1024 * MiB
    # Inspecting 2 000 pages takes ~3 s of CPU; 20x that is clearly a pathological file.
    cpu_seconds: int = 60
    # Twice the CPU budget: two busy workers share two cores with the server.
    wall_seconds: float = 120.0
    # Recycle a worker now and then: bounds any slow leak in the native libraries.
    tasks_per_worker: int = 500
    # Callers waiting for a free worker beyond this are told "busy" (a meeting's worth of uploads).
    max_waiting: int = 64
    # Starting a worker (fork + warm-up) takes ~0.2 s; 30 s means the machine is in trouble.
    start_seconds: float = 30.0
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    # "module:function" run once in each new worker, e.g. to build a font subset.
    warm_up: tuple[str, ...] = ("storage.pdf.fonts:vietnamese_font_path",)


# ---------------------------------------------------------------- the worker process side


def _worker_main(conn: Connection, limits: WorkerLimits) -> None:
    # Ctrl-C belongs to the server, which then closes the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    for name in limits.preload:
        importlib.import_module(name)
    for spec in limits.warm_up:
        _resolve(spec)()
    conn.send(("ready", os.getpid()))
    _serve(conn, limits.cpu_seconds)


def _serve(conn: Connection, cpu_seconds: int) -> None:
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone
            return
        if task is None:
            return
        _arm_cpu_limit(cpu_seconds)
        fn, args, kwargs = task
        try:
            reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError:
            # The heap may be left fragmented or half-built: report, then make way for a fresh one.
            conn.send(("fatal", LimitExceeded("document_too_complex")))
            return
        except DocumentError as exc:
            reply = ("error", exc)
        except Exception as exc:
            reply = ("error", WorkerFailed(f"{exc!r}\n{traceback.format_exc()}"))
        conn.send(reply)


def _arm_cpu_limit(seconds: int) -> None:
    """RLIMIT_CPU counts the process's whole life, so each task gets "spent so far + budget"."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _resolve(spec: str) -> Callable[[], object]:
    module, _, name = spec.partition(":")
    fn: Callable[[], object] = getattr(importlib.import_module(module), name)
    return fn


# ---------------------------------------------------------------- the server side


class _Gone(Exception):
    """The worker died or was killed during the task."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _Worker:
    """One worker process and the parent's end of its pipe. Methods here block: run off-loop."""

    def __init__(self, ctx: ForkServerContext, limits: WorkerLimits) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(
            target=_worker_main, args=(child, limits), daemon=True, name="ecabinet-pdf-worker"
        )
        self.process.start()
        child.close()
        self.tasks = 0
        if not self.conn.poll(limits.start_seconds):
            self.stop()
            raise WorkerFailed("a PDF worker did not start in time")
        try:
            self.conn.recv()
        except EOFError:
            self.stop()
            raise WorkerFailed(f"a PDF worker died at start ({self.process.exitcode})") from None

    def call(self, task: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        """Send a task, wait for its reply. Only this thread touches the pipe until it returns."""
        try:
            self.conn.send(task)
            if not self.conn.poll(timeout):
                raise _Gone(f"over the {timeout:g} s wall-clock limit")
            reply: tuple[str, Any] = self.conn.recv()
            return reply
        except (EOFError, OSError):
            self.process.join(1)
            raise _Gone(_describe_exit(self.process.exitcode)) from None
        except _Gone:
            self.terminate()
            self.process.join()
            raise
        finally:
            if not self.process.is_alive():
                self.conn.close()

    def terminate(self) -> None:
        """SIGKILL. Safe from any thread, even while `call` waits on the pipe: the wait then
        sees end-of-file. Workers are the forkserver's children: it reaps them, not us."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)  # a worker between tasks exits at once
        self.terminate()
        self.process.join()
        self.conn.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        return "over the CPU-time limit" if name == "SIGXCPU" else f"killed by {name}"
    return f"exited with status {code}"


class WorkerPool:
    """A fixed number of warm worker processes; `run` sends one task to a free one.

    Use as `async with WorkerPool(limits) as pool: info = await pool.run(fn, *args)`.
    `fn` and its arguments must be picklable (module-level functions, plain data, paths).
    """

    def __init__(self, limits: WorkerLimits | None = None) -> None:
        self.limits = limits or WorkerLimits()
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(list(self.limits.preload))
        # One thread per worker (its blocking pipe read) plus one for spawning replacements.
        self._threads = ThreadPoolExecutor(self.limits.workers + 1, thread_name_prefix="pdf-pool")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._waiting = 0
        self._spawning: set[asyncio.Task[None]] = set()
        self._busy: set[_Worker] = set()
        self._closed = False

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn(retry=False) for _ in range(self.limits.workers)))

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        worker = await self._acquire()
        try:
            status, value = await self._call(worker, (fn, args, kwargs))
        except _Gone as gone:
            log.warning("PDF worker stopped: %s (task %s)", gone.why, _name(fn))
            self._replace(worker)
            raise LimitExceeded("document_too_complex", reason=gone.why) from None
        except BaseException:
            self._replace(worker)  # cancelled mid-task (already killed), or a broken pipe
            raise
        self._release(worker, fatal=status == "fatal")
        if status == "ok":
            result: R = value
            return result
        raise value

    async def close(self) -> None:
        self._closed = True
        # Spawns in flight finish (a fraction of a second) and stop their worker themselves.
        await asyncio.gather(*self._spawning, return_exceptions=True)
        for worker in list(self._busy):
            worker.terminate()  # their callers get LimitExceeded
        workers = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop) for w in workers))
        self._threads.shutdown(wait=False)

    # -- internals

    async def _acquire(self) -> _Worker:
        if self._closed:
            raise RuntimeError("the PDF worker pool is closed")
        if self._idle.empty() and self._waiting >= self.limits.max_waiting:
            raise Busy("document_busy")
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        self._busy.add(worker)
        return worker

    async def _call(self, worker: _Worker, task: tuple[Any, ...]) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, worker.call, task, self.limits.wall_seconds)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            worker.terminate()  # the blocked read returns; no orphan keeps burning CPU
            future.add_done_callback(lambda f: f.exception())
            raise

    def _release(self, worker: _Worker, *, fatal: bool) -> None:
        self._busy.discard(worker)
        worker.tasks += 1
        if fatal or worker.tasks >= self.limits.tasks_per_worker or self._closed:
            self._retire(worker)
        else:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        worker.terminate()
        self._respawn()

    def _retire(self, worker: _Worker) -> None:
        if self._closed:  # the thread pool may be gone
            worker.terminate()
            return
        self._threads.submit(worker.stop)
        self._respawn()

    def _respawn(self) -> None:
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    async def _spawn(self, *, retry: bool = True) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                worker = await loop.run_in_executor(self._threads, _Worker, self._ctx, self.limits)
                break
            except WorkerFailed:
                if self._closed or not retry:
                    raise
                log.exception("could not start a PDF worker; retrying")
                await asyncio.sleep(RESPAWN_PAUSE)
        if self._closed:
            await loop.run_in_executor(self._threads, worker.stop)
            return
        self._idle.put_nowait(worker)


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
