"""Page-follow benchmark: N viewers in one meeting, the chair changes page, how long until
every viewer has it, and what it costs the server.

    .venv/bin/python scripts/bench/live.py --quick      # N = 50, 200; 20 changes
    .venv/bin/python scripts/bench/live.py              # N = 50, 200, 500; 100 changes
    .venv/bin/python scripts/bench/live.py --sizes 500 --configs sqlite --changes 200

Configurations (columns of the table): one server process on SQLite (the embedded default),
one on PostgreSQL, and two processes on PostgreSQL sharing rooms through Redis with the viewers
split across both (the chair on the first). Each configuration gets fresh servers, a fresh data
directory and a fresh PostgreSQL database; every process is stopped at the end.

Per configuration: the admin imports max(N) delegates by CSV (`POST /api/users/import`), each
logs in once (one session each). Per N: the secretary creates and publishes a meeting inviting
N of them and uploads a PDF; viewer processes connect N python-socketio AsyncClients
(websocket) to `/meeting`; then the chair joins, starts the meeting and sends `page` every
--interval ms (paced: latency, not queueing), then --burst changes back to back, each sent when
the previous one is acknowledged (throughput). Latency = a viewer's receive time
(perf_counter_ns in its `page.changed` handler) minus the time the chair's `page` call was sent;
one clock (CLOCK_MONOTONIC) for all processes.

"all have it" is, per change, the latest viewer's latency; "per delivery" is every viewer's.
Server CPU is utime + stime of the server process(es) from /proc over the run, divided by the
deliveries; the load generator's (chair + viewer processes) likewise. Figures: docs/benchmarks.md.

--baseline REF adds, beside each configuration, the same configuration served by the server as
it was at git revision REF (exported with `git archive`, run with the same venv): before and
after in one run, on the same machine state.

Evidence and experiments: --profile DIR (py-spy on the servers; live_profile.py summarises),
--gc-log (the servers' garbage collections, matched against slow changes), --gc-threshold
(gc.set_threshold before start-up; both through live_patch.py, in the bench's servers only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Run as a script: this directory holds media.py, which must not shadow the media package.
ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts/bench"
]

import multiprocessing as mp  # noqa: E402

from scripts.bench.live_clients import (  # noqa: E402
    NAMESPACE,
    Http,
    connect,
    create_meeting,
    decode,
    import_viewers,
    login_all,
    new_client,
    upload_slides,
    viewer_names,
    viewer_process,
)
from scripts.bench.live_servers import (  # noqa: E402
    CONFIGS,
    Config,
    Deployment,
    cpu_seconds,
    export_tree,
    machine_busy,
    redis_pid,
    runqueue_wait,
)

PAGES = 40  # the presented deck: the chair walks through it, page after page
GOAL_MS = 100.0  # the issue: p99 <= 100 ms at 500 viewers in one process


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p99 of 100 changes is the second worst)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Phase:
    """One run of page changes (paced or burst) and what it cost."""

    changes: int = 0
    expected: int = 0
    delivered: int = 0
    seconds: float = math.nan  # first send -> last delivery
    last_ms: list[float] = field(default_factory=list)  # per change: the latest viewer
    first_ms: list[float] = field(default_factory=list)  # per change: the earliest viewer
    each_ms: list[float] = field(default_factory=list)  # per delivery
    ack_ms: list[float] = field(default_factory=list)  # chair's `page` round trip
    server_cpu: float = math.nan  # seconds
    redis_cpu: float = math.nan
    loadgen_cpu: float = math.nan
    other_cpu: float = math.nan  # the rest of the machine
    wall: float = math.nan  # seconds the CPU window lasted
    server_waited: float = math.nan  # seconds ready to run but without a CPU (schedstat)
    gc: list[tuple[int, int, float]] = field(default_factory=list)  # (at ns, generation, ms)
    slow_with_gc: int = 0  # changes over GOAL_MS during which a collection of ≥ 10 ms ran
    slow: int = 0  # changes over GOAL_MS
    loadgen_waited: float = math.nan

    def us_per_delivery(self, cpu: float) -> float:
        return cpu / self.delivered * 1e6 if self.delivered else math.nan

    def core_pct(self, cpu: float) -> float:
        return cpu / self.wall * 100 if self.wall else math.nan


@dataclass
class Result:
    config: Config
    viewers: int
    connected: int = 0
    join_seconds: float = math.nan
    join_server_cpu: float = math.nan
    join_retries: int = 0  # connection attempts refused or failed, then retried
    leave_seconds: float = math.nan  # until the server was idle again after they all left
    dropped: int = 0  # viewers whose connection closed during the run
    paced: Phase = field(default_factory=Phase)
    burst: Phase = field(default_factory=Phase)
    error: str = ""


class Viewers:
    """The viewer processes of one N: spawned, connected, asked, closed."""

    def __init__(self, clients: list[tuple[str, str]], meeting_id: int, procs: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        shares = [clients[i::procs] for i in range(procs)]
        for share in shares:
            if not share:
                continue
            mine, theirs = ctx.Pipe()
            process = ctx.Process(
                target=viewer_process, args=(share, meeting_id, theirs), daemon=True
            )
            process.start()
            theirs.close()
            self.pipes.append(mine)
            self.processes.append(process)

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    async def _recv(self, conn: Connection, timeout: float) -> Any:  # noqa: ASYNC109
        if not await asyncio.to_thread(conn.poll, timeout):
            raise TimeoutError("a viewer process did not answer")
        return conn.recv()

    async def ask(self, *command: Any, timeout: float = 60) -> list[Any]:  # noqa: ASYNC109
        for conn in self.pipes:
            conn.send(command)
        return [await self._recv(conn, timeout) for conn in self.pipes]

    async def ready(self, timeout: float) -> tuple[int, list[str], int, float]:  # noqa: ASYNC109
        """(viewers connected, errors of those that never could, failed attempts retried,
        seconds the slowest process took to connect its share)."""
        answers = [await self._recv(conn, timeout) for conn in self.pipes]
        return (
            sum(a[1] for a in answers),
            [e for a in answers for e in a[2]],
            sum(a[3] for a in answers),
            max(a[4] for a in answers),
        )

    async def count(self) -> int:
        return sum(await self.ask("count", timeout=10))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ask("close", timeout=30)
        for process in self.processes:
            await asyncio.to_thread(process.join, 5)
            if process.is_alive():
                process.terminate()
                await asyncio.to_thread(process.join, 5)


class Meter:
    """CPU seconds of the server(s), Redis, the load generator and the machine, over a window."""

    def __init__(self, deployment: Deployment, viewers: Viewers, redis: int | None) -> None:
        self.deployment, self.viewers, self.redis = deployment, viewers, redis

    def read(self) -> tuple[float, ...]:
        pids = [os.getpid(), *self.viewers.pids()]
        loadgen = sum(cpu_seconds(p) for p in pids)
        redis = cpu_seconds(self.redis) if self.redis else 0.0
        busy, _ = machine_busy()
        return (
            time.perf_counter(),
            self.deployment.cpu(),
            redis,
            loadgen,
            busy,
            self.deployment.waited(),
            sum(runqueue_wait(p) for p in pids),
        )

    def into(self, phase: Phase, before: tuple[float, ...], after: tuple[float, ...]) -> None:
        d = [b - a for a, b in zip(before, after, strict=True)]
        phase.wall, phase.server_cpu, phase.loadgen_cpu = d[0], d[1], d[3]
        phase.redis_cpu = d[2] if self.deployment.config.processes > 1 else math.nan
        phase.other_cpu = d[4] - d[1] - d[2] - d[3]
        phase.server_waited, phase.loadgen_waited = d[5], d[6]


class Chair:
    def __init__(self, base: str, cookie: str, meeting_id: int, document_id: int) -> None:
        self.base, self.cookie, self.meeting_id, self.document_id = (
            base,
            cookie,
            meeting_id,
            document_id,
        )
        self.sio = new_client()
        self.page_no = 0

    async def connect(self) -> None:
        await connect(self.sio, self.base, self.cookie, self.meeting_id)
        await self.ok("meeting.start")

    async def ok(self, event: str, data: Any = None) -> dict[str, Any]:
        answer = await self.sio.call(event, data or {}, namespace=NAMESPACE, timeout=30)
        if not answer.get("ok"):
            raise RuntimeError(f"chair {event}: {answer}")
        return dict(answer)

    async def change(self, sends: dict[int, int], acks: list[float]) -> None:
        self.page_no = self.page_no % PAGES + 1
        sent = time.perf_counter_ns()
        answer = await self.ok("page", {"document_id": self.document_id, "page": self.page_no})
        acks.append((time.perf_counter_ns() - sent) / 1e6)
        sends[int(answer["value"])] = sent  # `present` answers the new live version

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


async def wait_delivered(viewers: Viewers, expected: int, stall: float = 5.0) -> int:
    """Until every expected delivery arrived, or nothing more arrived for `stall` seconds."""
    last, since = -1, time.perf_counter()
    while True:
        got = await viewers.count()
        if got >= expected:
            return got
        if got != last:
            last, since = got, time.perf_counter()
        elif time.perf_counter() - since > stall:
            return got
        await asyncio.sleep(0.02)


async def run_phase(
    deployment: Deployment,
    chair: Chair,
    viewers: Viewers,
    meter: Meter,
    n: int,
    changes: int,
    interval: float,
) -> Phase:
    """`changes` page changes, one every `interval` seconds (0: back to back)."""
    phase = Phase(changes=changes, expected=n * changes)
    await viewers.ask("reset")
    sends: dict[int, int] = {}
    before = meter.read()
    start = time.perf_counter()
    for i in range(changes):
        if interval:
            await asyncio.sleep(max(0.0, start + i * interval - time.perf_counter()))
        await chair.change(sends, phase.ack_ms)
    phase.delivered = await wait_delivered(viewers, phase.expected)
    meter.into(phase, before, meter.read())
    received: dict[int, list[int]] = defaultdict(list)
    for answers in await viewers.ask("collect"):
        for version, at in decode(answers):
            received[version].append(at)
    first = min(sends.values())
    last_at = first
    for version, sent in sends.items():
        times = received.get(version, [])
        phase.each_ms += [(t - sent) / 1e6 for t in times]
        if len(times) == n:  # a change someone missed has no "all have it" time
            phase.last_ms.append((max(times) - sent) / 1e6)
            phase.first_ms.append((min(times) - sent) / 1e6)
        if times:
            last_at = max(last_at, *times)
    phase.seconds = (last_at - first) / 1e9
    if deployment.gc_log:
        phase.gc = [c for c in await collections(deployment) if first <= c[0] <= last_at]
    for version, sent in sends.items():
        times = received.get(version, [])
        if times and (max(times) - sent) / 1e6 > GOAL_MS:
            phase.slow += 1
            end = max(times)
            phase.slow_with_gc += any(sent <= c[0] <= end and c[2] >= 10 for c in phase.gc)
    return phase


async def collections(deployment: Deployment) -> list[tuple[int, int, float]]:
    out = []
    for server in deployment.servers:
        path = deployment.workdir / f"gc-{server.name}.log"
        text = await asyncio.to_thread(path.read_text) if path.exists() else ""
        for line in text.splitlines():
            at, generation, ms = line.split()[:3]
            out.append((int(at), int(generation), float(ms)))
    return out


@contextlib.asynccontextmanager
async def profiling(
    deployment: Deployment, into: Path | None, n: int, phase: str, attach: bool = True
) -> AsyncIterator[None]:
    """py-spy (pip install py-spy into the venv) samples the server(s) during a phase:
    collapsed stacks in `into`/<config>-<N>-<phase>-<server>.txt (flamegraph.pl / speedscope)."""
    if into is None:
        yield
        return
    spies = []
    for server in deployment.servers:
        name = (
            f"{deployment.config.database}{deployment.config.processes}-{n}-{phase}-{server.name}"
        )
        spies.append(
            await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("py-spy")),
                *("record", "--pid", str(server.pid), "--rate", "200", "--format", "raw"),
                *("--nonblocking", "--output", str(into / f"{name}.txt")),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
    if attach:
        await asyncio.sleep(1.0)  # py-spy attaches before the phase starts
    try:
        yield
    finally:
        for spy in spies:
            with contextlib.suppress(ProcessLookupError):
                spy.send_signal(signal.SIGINT)
        for spy in spies:
            try:
                await asyncio.wait_for(spy.wait(), 20)
            except TimeoutError:
                spy.kill()
                await spy.wait()


async def run_size(
    deployment: Deployment,
    logins: dict[str, Any],
    viewer_logins: list[Any],
    n: int,
    args: argparse.Namespace,
    last: bool,
) -> Result:
    result = Result(deployment.config, n)
    secretary, chair_login = logins["thuky"], logins["chutich"]
    users = (await secretary.call("GET", "/api/users"))["users"]
    ids = {u["username"]: u["id"] for u in users}
    mine = viewer_logins[:n]
    mid = await create_meeting(secretary, ids["chutich"], [ids[v.username] for v in mine])
    document_id = await upload_slides(secretary, mid, PAGES)
    chair = Chair(deployment.servers[0].base, chair_login.cookie, mid, document_id)
    await deployment.settle()
    cpu0 = deployment.cpu()
    viewers = Viewers([(v.base, v.cookie) for v in mine], mid, args.procs)
    try:
        async with profiling(deployment, args.profile, n, "join", attach=False):
            ready = await viewers.ready(timeout=600)
            result.join_server_cpu = deployment.cpu() - cpu0
        result.connected, errors, result.join_retries, result.join_seconds = ready
        if result.connected < n:
            result.error = f"{n - result.connected} viewers could not connect: {errors}"
            return result
        # The chair comes in once everyone sits: as a runner it would be sent the whole roll-call
        # board on every join (see docs/benchmarks.md), which is not what is measured here.
        await chair.connect()
        meter = Meter(deployment, viewers, redis_pid() if deployment.config.processes > 1 else None)
        await deployment.settle()  # the last joins' roll-call broadcasts drain
        await run_phase(deployment, chair, viewers, meter, n, 5, 0.1)  # warm-up, not reported
        async with profiling(deployment, args.profile, n, "paced"):
            result.paced = await run_phase(
                deployment, chair, viewers, meter, n, args.changes, args.interval / 1e3
            )
        async with profiling(deployment, args.profile, n, "burst"):
            result.burst = await run_phase(deployment, chair, viewers, meter, n, args.burst, 0)
        result.dropped = sum(await viewers.ask("dropped"))
    finally:
        await viewers.close()
        await chair.close()
        if not last:  # the next N starts on an idle server; after the last, servers just stop
            result.leave_seconds = await deployment.settle()
    return result


async def run_config(config: Config, args: argparse.Namespace, sizes: list[int]) -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix=f"ecabinet-bench-live-{config.database}-"))
    deployment = Deployment(config, workdir, gc_log=args.gc_log, gc_threshold=args.gc_threshold)
    http = Http()
    results: list[Result] = []
    try:
        print(
            f"[{config.key}] starting {config.processes} server process(es) in {workdir}",
            flush=True,
        )
        await deployment.start()
        bases = [s.base for s in deployment.servers]
        admin = await http.login(bases[0], "quantri")
        t = time.perf_counter()
        await import_viewers(admin, max(sizes))
        logins = {name: await http.login(bases[0], name) for name in ("thuky", "chutich")}
        viewer_logins = await login_all(http, bases, viewer_names(max(sizes)))
        print(
            f"[{config.key}] imported and logged in {max(sizes)} viewers "
            f"in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        for n in sizes:
            try:
                last = n == sizes[-1]
                result = await run_size(deployment, logins, viewer_logins, n, args, last)
            except Exception as exc:  # report it in the table and go on with the next
                result = Result(config, n, error=f"{type(exc).__name__}: {exc}")
            results.append(result)
            print(f"[{config.key}] N={n}: {summary(result)}", flush=True)
    finally:
        await http.close()
        await deployment.stop()
        if args.keep or any(r.error for r in results) or len(results) < len(sizes):
            print(f"[{config.key}] server logs kept in {workdir}", flush=True)
        else:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
    return results


def summary(r: Result) -> str:
    if r.error:
        return f"ERROR {r.error}"
    p = r.paced
    return (
        f"joined in {r.join_seconds:.1f} s; paced all-have-it p50 {pct(p.last_ms, 50):.1f} "
        f"p99 {pct(p.last_ms, 99):.1f} ms; per delivery p50 {pct(p.each_ms, 50):.1f} "
        f"p99 {pct(p.each_ms, 99):.1f} ms; server {_per_delivery(p, p.server_cpu)} µs/delivery; "
        f"burst {_rate(r.burst.delivered, r.burst, 0)} deliveries/s"
    )


def fmt(value: float, digits: int = 1) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pair(values: list[float]) -> str:
    return f"{fmt(pct(values, 50))} / {fmt(pct(values, 99))}"


def _per_delivery(phase: Phase, cpu: float) -> str:
    return fmt(phase.us_per_delivery(cpu), 0)


def _rate(count: float, phase: Phase, digits: int = 1) -> str:
    return fmt(count / phase.seconds if phase.seconds else math.nan, digits)


def _per_change(phase: Phase, cpu: float) -> str:
    return fmt(cpu / phase.changes * 1e3 if phase.changes else math.nan)


def _gc(phase: Phase) -> str:
    if not phase.gc:
        return "—"
    gen2 = sum(1 for c in phase.gc if c[1] == 2)
    return f"{gen2}, {sum(c[2] for c in phase.gc):.0f}, {max(c[2] for c in phase.gc):.0f}"


def _slow(phase: Phase) -> str:
    return f"{phase.slow}" + (f" ({phase.slow_with_gc})" if phase.gc else "")


def _missed(r: Result) -> str:
    return str(r.paced.expected - r.paced.delivered + r.burst.expected - r.burst.delivered)


ROWS: list[tuple[str, Any]] = [
    ("viewers connected (failed attempts, retried)", lambda r: f"{r.connected} ({r.join_retries})"),
    (
        "join all viewers: s (server CPU s)",
        lambda r: f"{fmt(r.join_seconds)} ({fmt(r.join_server_cpu)})",
    ),
    ("all leave: s until the server is idle", lambda r: fmt(r.leave_seconds)),
    ("paced · all have it p50 / p99 ms", lambda r: _pair(r.paced.last_ms)),
    ("paced · per delivery p50 / p99 ms", lambda r: _pair(r.paced.each_ms)),
    ("paced · worst change ms", lambda r: fmt(max(r.paced.last_ms, default=math.nan))),
    ("paced · changes over 100 ms (of them with a GC ≥ 10 ms)", lambda r: _slow(r.paced)),
    ("paced · server GC: gen-2 runs, total ms, longest ms", lambda r: _gc(r.paced)),
    ("paced · chair's ack p50 / p99 ms", lambda r: _pair(r.paced.ack_ms)),
    ("paced · server CPU ms per change", lambda r: _per_change(r.paced, r.paced.server_cpu)),
    ("paced · server CPU µs/delivery", lambda r: _per_delivery(r.paced, r.paced.server_cpu)),
    ("paced · server CPU % of a core", lambda r: fmt(r.paced.core_pct(r.paced.server_cpu), 0)),
    (
        "paced · server waited for a CPU, ms per change",
        lambda r: _per_change(r.paced, r.paced.server_waited),
    ),
    ("paced · Redis CPU ms per change", lambda r: _per_change(r.paced, r.paced.redis_cpu)),
    ("paced · load generator µs/delivery", lambda r: _per_delivery(r.paced, r.paced.loadgen_cpu)),
    ("paced · load generator % of a core", lambda r: fmt(r.paced.core_pct(r.paced.loadgen_cpu), 0)),
    (
        "paced · load generator waited for a CPU, ms per change",
        lambda r: _per_change(r.paced, r.paced.loadgen_waited),
    ),
    ("paced · rest of machine % of a core", lambda r: fmt(r.paced.core_pct(r.paced.other_cpu), 0)),
    ("burst · changes/s", lambda r: _rate(r.burst.changes, r.burst)),
    ("burst · deliveries/s", lambda r: _rate(r.burst.delivered, r.burst, 0)),
    ("burst · all have it p50 / p99 ms", lambda r: _pair(r.burst.last_ms)),
    ("burst · server CPU µs/delivery", lambda r: _per_delivery(r.burst, r.burst.server_cpu)),
    ("burst · server CPU % of a core", lambda r: fmt(r.burst.core_pct(r.burst.server_cpu), 0)),
    (
        "burst · server waited for a CPU, ms per change",
        lambda r: _per_change(r.burst, r.burst.server_waited),
    ),
    ("burst · load generator µs/delivery", lambda r: _per_delivery(r.burst, r.burst.loadgen_cpu)),
    ("missed deliveries (paced + burst); viewers dropped", lambda r: f"{_missed(r)}; {r.dropped}"),
]


def table(results: list[Result], sizes: list[int], configs: list[Config]) -> str:
    by = {(r.config.key, r.viewers): r for r in results}
    lines = [
        "| N | measure | " + " | ".join(c.key for c in configs) + " |",
        "|---|---|" + "---|" * len(configs),
    ]
    logged = any(r.paced.gc for r in results)  # --gc-log
    for n in sizes:
        for title, get in ROWS:
            if "GC:" in title and not logged:
                continue
            cells = []
            for c in configs:
                r = by.get((c.key, n))
                if r is None:
                    cells.append("")
                elif r.error:
                    cells.append("error" if get is not ROWS[0][1] else f"error: {r.error[:60]}")
                else:
                    cells.append(get(r))
            lines.append(f"| {n} | {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(results: list[Result]) -> str:
    one = [r for r in results if r.viewers == 500 and r.config.processes == 1 and not r.error]
    one = [r for r in one if r.config.tree == ROOT]  # the server of this tree, not a baseline
    if not one:
        return "goal (p99 ≤ 100 ms at 500 viewers, one process): not measured in this run"
    parts = []
    for r in one:
        p99 = pct(r.paced.last_ms, 99)
        met = "met" if p99 <= GOAL_MS else "NOT met"
        parts.append(f"{r.config.key}: all-have-it p99 {p99:.1f} ms → {met}")
    return "goal (p99 ≤ 100 ms at 500 viewers, one process): " + "; ".join(parts)


def dump(r: Result) -> dict[str, Any]:
    """Raw figures per change, for a closer look (--dump)."""
    out: dict[str, Any] = {"config": r.config.key, "viewers": r.viewers, "error": r.error}
    out |= {k: getattr(r, k) for k in ("connected", "join_seconds", "join_server_cpu", "dropped")}
    for name, phase in (("paced", r.paced), ("burst", r.burst)):
        out[name] = {k: v for k, v in dataclasses.asdict(phase).items() if k != "each_ms"} | {
            "each_p": {q: pct(phase.each_ms, q) for q in (50, 90, 99, 99.9, 100)}
        }
    return out


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


async def main(args: argparse.Namespace) -> int:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    sizes = args.sizes or ([50, 200] if args.quick else [50, 200, 500])
    configs = [CONFIGS[k] for k in args.configs]
    if args.gc_threshold:
        configs = [dataclasses.replace(c, key=f"{c.key} · gc {args.gc_threshold}") for c in configs]
    baseline_dir = None
    if args.baseline:
        baseline_dir = Path(tempfile.mkdtemp(prefix="ecabinet-bench-live-baseline-"))
        tree = export_tree(args.baseline, baseline_dir)
        configs = [
            variant
            for c in configs
            for variant in (dataclasses.replace(c, key=f"{c.key} · {args.baseline}", tree=tree), c)
        ]
    print(f"machine before: {uptime()} ({os.cpu_count()} cores)", flush=True)
    started = time.perf_counter()
    results: list[Result] = []
    try:
        async with asyncio.timeout(args.timeout):
            for config in configs:
                results += await run_config(config, args, sizes)
    except TimeoutError:
        print(f"stopped after the --timeout of {args.timeout} s", flush=True)
    finally:
        if baseline_dir is not None:
            shutil.rmtree(baseline_dir, ignore_errors=True)
    print(f"machine after:  {uptime()}; took {time.perf_counter() - started:.0f} s\n", flush=True)
    print(
        f"{args.changes} paced changes every {args.interval:.0f} ms, then {args.burst} "
        f"back to back; viewers in {args.procs} process(es)\n",
        flush=True,
    )
    print(table(results, sizes, configs))
    if args.dump:
        args.dump.write_text(json.dumps([dump(r) for r in results], indent=1))
    print("\n" + verdict(results))
    return 0 if results and not any(r.error for r in results) else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="N = 50, 200 and 20 changes")
    ap.add_argument("--sizes", type=int, nargs="+", help="numbers of viewers (default 50 200 500)")
    ap.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    ap.add_argument("--changes", type=int, help="paced page changes (default 100; quick 20)")
    ap.add_argument("--burst", type=int, help="back-to-back page changes (default 100; quick 20)")
    ap.add_argument("--interval", type=float, default=200.0, help="ms between paced changes")
    ap.add_argument("--procs", type=int, default=2, help="viewer processes (default 2)")
    ap.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure the server as it was at this git revision, beside each configuration",
    )
    ap.add_argument(
        "--gc-threshold",
        default="",
        metavar="A,B,C",
        help="experiment: the servers call gc.set_threshold(A, B, C) before start-up",
    )
    ap.add_argument(
        "--gc-log",
        action="store_true",
        help="note the servers' garbage collections; their time shows per phase",
    )
    ap.add_argument("--profile", type=Path, help="sample the server(s) with py-spy into this dir")
    ap.add_argument("--keep", action="store_true", help="keep data dirs and server logs")
    ap.add_argument("--dump", type=Path, help="write per-change figures as JSON to this file")
    ap.add_argument("--timeout", type=float, help="stop everything after this many seconds")
    args = ap.parse_args(argv)
    args.changes = args.changes or (20 if args.quick else 100)
    args.burst = args.burst or (20 if args.quick else 100)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    args.timeout = args.timeout or (240.0 if args.quick else 1800.0)
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
