"""Minutes engine benchmark: layout, signing, verification, and how long each stalls the loop.

    .venv/bin/python scripts/bench/minutes.py            # 5 runs each, median
    .venv/bin/python scripts/bench/minutes.py --runs 11

Inputs: the test scenario's minutes (14 invited, 3 items, 2 votes: 4 pages), the same with 30
agenda items (~20 pages), its conclusion notice. "loop stall" is the longest gap a 5 ms ticker
on the event loop saw while `storage.minutes.aio` ran the work in a thread. Not part of the
test suite; figures go to docs/minutes.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts/bench"
]

from storage.minutes import (  # noqa: E402
    AgendaItem,
    Minutes,
    Pkcs12Signer,
    aio,
    create_demo_pki,
    is_signed,
    render_minutes,
    render_notice,
    sign_pdf,
    verify_pdf,
)
from tests.minutes import samples  # noqa: E402


def long_minutes() -> Minutes:
    base = samples.minutes()
    items = [
        dataclasses.replace(base.items[i % len(base.items)], title=f"Nội dung {i + 1}")
        for i in range(30)
    ]
    extra = [AgendaItem("Các vấn đề khác", conclusion="Thống nhất. " * 60)]
    return dataclasses.replace(base, items=items + extra)


def timed(runs: int, call: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def stall(call: Callable[[], Awaitable[Any]]) -> float:
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await call()
    done.set()
    await task
    return max(gaps) - 0.005


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        pki = create_demo_pki(Path(folder), samples.UNIT, samples.CHAIR, samples.SECRETARY)
        signer = Pkcs12Signer(pki.chair_p12_path, pki.chair_password)
        minutes, long, notice = samples.minutes(), long_minutes(), samples.notice()
        pdf, long_pdf = render_minutes(minutes), render_minutes(long)

        def sign(data: bytes) -> bytes:
            return sign_pdf(data, signer, reason="Ký", location="Châu Thành", signer_name="A")

        signed = sign(pdf)
        rows = [
            ("render minutes (4 pages)", lambda: render_minutes(minutes)),
            ("render minutes (30 items)", lambda: render_minutes(long)),
            ("render notice (2 pages)", lambda: render_notice(notice)),
            ("sign minutes", lambda: sign(pdf)),
            ("sign minutes (30 items)", lambda: sign(long_pdf)),
            ("verify signed minutes", lambda: verify_pdf(signed, pki.trust_roots)),
            ("is_signed", lambda: is_signed(signed)),
        ]
        print(f"{'operation':32} {'median':>9}")
        for name, call in rows:
            print(f"{name:32} {timed(runs, call) * 1000:8.0f} ms")
        stalls = {
            "render minutes": lambda: aio.render_minutes(minutes),
            "sign minutes": lambda: aio.sign_pdf(
                pdf, signer, reason="Ký", location="Châu Thành", signer_name="A"
            ),
            "verify": lambda: aio.verify_pdf(signed, pki.trust_roots),
        }
        print(f"\n{'via aio (thread)':32} {'loop stall':>11}")
        for name, call in stalls.items():
            worst = max(asyncio.run(stall(call)) for _ in range(runs))
            print(f"{name:32} {worst * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
