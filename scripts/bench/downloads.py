"""Concurrent downloads of a meeting's agenda pack over loopback.

    .venv/bin/python scripts/bench/downloads.py [--clients 200] [--mb 20]

Starts a real eCabinet server (SQLite, a fresh data dir), uploads 20 materials of ~1 MB each
(incompressible content), then has N clients download the ~20 MB agenda pack at once, each
with its own login: aggregate MB/s and time to first byte (p50/p99). In the same run, the
same file through a bare aiohttp FileResponse server (no session, no permission checks) is the
baseline: the difference is what eCabinet's checks cost.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import resource
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from pypdf import PdfWriter
from pypdf.generic import ContentStream, NameObject

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def heavy_pdf(megabytes: float, seed: int) -> bytes:
    """One page whose content stream carries `megabytes` of random bytes in a PDF comment."""
    rng = random.Random(seed)
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    noise = "".join(rng.choice("0123456789abcdef") for _ in range(int(megabytes * 1_000_000)))
    stream = ContentStream(None, writer)
    stream.set_data(f"% {noise}\nBT /F1 12 Tf 72 720 Td (Tai lieu {seed}) Tj ET\n".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def wait_healthy(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"{base}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{base} did not start")


async def login(base: str, username: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.post(
        f"{base}/api/auth/login", json={"username": username, "password": PASSWORD}
    ) as r:
        assert r.status == 200, await r.text()
        session.headers["X-CSRF-Token"] = (await r.json())["csrf_token"]
    return session


async def prepare(base: str, megabytes: float) -> int:
    secretary = await login(base, "thuky")
    try:
        async with secretary.get(f"{base}/api/meetings") as r:
            meeting = (await r.json())["meetings"][0]["id"]
        for n in range(20):
            form = aiohttp.FormData()
            form.add_field("file", heavy_pdf(megabytes / 20, n), filename=f"tai-lieu-{n}.pdf")
            async with secretary.post(f"{base}/api/meetings/{meeting}/documents", data=form) as r:
                assert r.status == 201, await r.text()
        return int(meeting)
    finally:
        await secretary.close()


async def fetch(session: aiohttp.ClientSession, url: str) -> tuple[float, int, float]:
    started = time.perf_counter()
    async with session.get(url) as r:
        assert r.status == 200, r.status
        first = None
        size = 0
        async for chunk in r.content.iter_chunked(1 << 20):
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
    return first or 0.0, size, time.perf_counter() - started


async def storm(sessions: list[aiohttp.ClientSession], url: str) -> dict[str, float]:
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    results = await asyncio.gather(*(fetch(s, url) for s in sessions))
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    ttfb = sorted(r[0] for r in results)
    total = sum(r[1] for r in results)
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "MB/s": total / wall / 1e6,
        "ttfb_p50_ms": statistics.median(ttfb) * 1000,
        "ttfb_p99_ms": ttfb[max(0, int(len(ttfb) * 0.99) - 1)] * 1000,
        "wall_s": wall,
        "size_MB": results[0][1] / 1e6,
        "client_cpu_%": 100 * client_cpu / wall,
    }


def baseline_server(path: Path, port: int) -> None:
    async def handler(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/pack.pdf", handler)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def main(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    port, base_port = free_port(), free_port()
    env = {
        **os.environ,
        "ECABINET_DATA_DIR": str(data),
        "ECABINET_PORT": str(port),
        "ECABINET_DEMO_PASSWORD": PASSWORD,
        "ECABINET_LOG_LEVEL": "WARNING",
        "ECABINET_PASSWORD_MEMORY_KIB": "1024",
    }
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    baseline = None
    try:
        await wait_healthy(base)
        meeting = await prepare(base, args.mb)
        people = ["tp.noivu", "tp.vanhoa", "tp.taichinh", "xa-vinh-hanh", "thuky", "chutich"]
        sessions = [await login(base, people[i % len(people)]) for i in range(args.clients)]
        url = f"{base}/api/meetings/{meeting}/pack"
        await fetch(sessions[0], url)  # build the pack once (cached afterwards)
        ours = await storm(sessions, url)
        pack = next((data / "derived").rglob("pack.pdf"))
        baseline = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-baseline", str(pack), str(base_port)
        )
        await wait_healthy_plain(f"http://127.0.0.1:{base_port}/pack.pdf")
        plain = await storm(sessions, f"http://127.0.0.1:{base_port}/pack.pdf")
        for s in sessions:
            await s.close()
        print(
            f"\n{args.clients} concurrent downloads of the agenda pack ({ours['size_MB']:.1f} MB), "
            f"loopback, load {os.getloadavg()[0]:.1f}\n"
        )
        print(f"{'':28}{'eCabinet /pack':>16}{'bare FileResponse':>20}")
        for key in ("MB/s", "ttfb_p50_ms", "ttfb_p99_ms", "wall_s", "client_cpu_%"):
            print(f"{key:28}{ours[key]:>16.1f}{plain[key]:>20.1f}")
    finally:
        for process in (server, baseline):
            if process is not None and process.returncode is None:
                process.terminate()
                await process.wait()


async def wait_healthy_plain(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.head(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument(
        "--serve-baseline", nargs=2, metavar=("FILE", "PORT"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    if arguments.serve_baseline:
        baseline_server(Path(arguments.serve_baseline[0]), int(arguments.serve_baseline[1]))
    else:
        asyncio.run(main(arguments))
