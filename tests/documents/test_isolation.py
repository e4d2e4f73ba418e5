"""The worker pool: limits turn runaway work into a typed error, and the pool heals itself."""

from __future__ import annotations

import asyncio
import time

import pytest

from storage.pdf import Busy, LimitExceeded, WorkerFailed, WorkerLimits, WorkerPool
from tests.documents import tasks
from tests.documents.conftest import TEST_PRELOAD

MiB = 1024 * 1024


def limits(**overrides: float) -> WorkerLimits:
    base: dict[str, float] = {"workers": 1, "cpu_seconds": 1, "wall_seconds": 5}
    return WorkerLimits(preload=TEST_PRELOAD, warm_up=(), **(base | overrides))  # type: ignore[arg-type]


RUNAWAYS = [
    # (task, args, wall-clock limit, what the parent reports); RLIMIT_CPU counts whole seconds,
    # so the spinning task gets a wall-clock limit it cannot reach first.
    (tasks.hog_memory, (3000,), 5.0, "document_too_complex"),  # 3 GB against a 1 GiB RLIMIT_AS
    (tasks.spin, (), 8.0, "over the CPU-time limit"),
    (tasks.sleep, (60,), 1.0, "wall-clock limit"),
    (tasks.crash, (), 1.5, "killed by SIGSEGV"),
]


@pytest.mark.parametrize(
    ("task", "args", "wall", "reason"), RUNAWAYS, ids=["memory", "cpu", "wall-clock", "crash"]
)
async def test_runaway_task_fails_typed_and_the_pool_recovers(
    task: object, args: tuple[object, ...], wall: float, reason: str
) -> None:
    async with WorkerPool(limits(wall_seconds=wall)) as pool:
        before = await pool.run(tasks.pid)
        started = time.monotonic()
        with pytest.raises(LimitExceeded) as caught:
            await pool.run(task, *args)  # type: ignore[arg-type]
        assert time.monotonic() - started < wall + 1
        assert caught.value.code == "document_too_complex"
        assert reason in str(caught.value.details.get("reason", caught.value.code))
        after = await pool.run(tasks.pid)  # a fresh worker took the dead one's place
        assert after != before
        assert await pool.run(tasks.echo, "còn sống") == "còn sống"


async def test_a_bug_in_a_task_is_reported_and_the_worker_kept() -> None:
    async with WorkerPool(limits()) as pool:
        before = await pool.run(tasks.pid)
        with pytest.raises(WorkerFailed, match="a bug in a task"):
            await pool.run(tasks.fail)
        assert await pool.run(tasks.pid) == before


async def test_cancelling_a_caller_kills_its_work() -> None:
    async with WorkerPool(limits()) as pool:
        before = await pool.run(tasks.pid)
        call = asyncio.create_task(pool.run(tasks.sleep, 60))
        await asyncio.sleep(0.2)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert await pool.run(tasks.pid) != before


async def test_too_many_waiting_callers_are_told_busy() -> None:
    async with WorkerPool(limits(max_waiting=1)) as pool:
        running = asyncio.create_task(pool.run(tasks.sleep, 0.5))
        waiting = asyncio.create_task(pool.run(tasks.echo, 1))
        await asyncio.sleep(0.1)
        with pytest.raises(Busy) as caught:
            await pool.run(tasks.echo, 2)
        assert caught.value.status == 503
        assert await waiting == 1
        await running


async def test_workers_run_in_parallel() -> None:
    async with WorkerPool(limits(workers=2)) as pool:
        started = time.monotonic()
        await asyncio.gather(pool.run(tasks.sleep, 0.5), pool.run(tasks.sleep, 0.5))
        assert time.monotonic() - started < 0.9
