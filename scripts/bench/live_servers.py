"""The servers under test for scripts/bench/live.py: real `python -m server` processes on
127.0.0.1 with a fresh data directory (SQLite) or a fresh PostgreSQL database, optionally two
of them sharing rooms through Redis; and CPU time read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import redis.asyncio as aioredis

from scripts.bench import live_patch

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
PG_ADMIN_DSN = os.environ.get(
    "ECABINET_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ECABINET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "bench-live-2026"  # the demo accounts' password and the imported viewers'


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads (10 ms resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def runqueue_wait(pid: int) -> float:
    """Seconds the process's threads were ready to run but waited for a CPU (schedstat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_pid() -> int | None:
    """The local redis-server, to report its CPU beside ours (read-only look at /proc)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    return int(entry.name)
    return None


@dataclass(frozen=True)
class Config:
    key: str  # column title
    database: str  # sqlite / postgres
    processes: int  # 1, or 2 sharing rooms through Redis
    tree: Path = ROOT  # the server's source tree: this one, or a --baseline export


CONFIGS = {
    "sqlite": Config("1 proc · SQLite", "sqlite", 1),
    "pg": Config("1 proc · PostgreSQL", "postgres", 1),
    "pg2": Config("2 procs · PG + Redis", "postgres", 2),
}


@dataclass
class Server:
    name: str
    base: str
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Deployment:
    """One configuration's server processes, started fresh and stopped at the end."""

    config: Config
    workdir: Path
    gc_log: bool = False  # note the servers' garbage collections in workdir/gc-<name>.log
    gc_threshold: str = ""  # experiment: gc.set_threshold(a, b, c) before start-up ("a,b,c")
    servers: list[Server] = field(default_factory=list)
    db_name: str = ""
    channel: str = ""

    def cpu(self) -> float:
        return sum(cpu_seconds(s.pid) for s in self.servers)

    def waited(self) -> float:
        return sum(runqueue_wait(s.pid) for s in self.servers)

    async def settle(self, limit: float = 120.0) -> float:
        """Wait until the servers are idle (under 10 % of a core for half a second), e.g. while
        they record the departures of the last run's viewers. Returns the seconds waited."""
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            before = self.cpu()
            await asyncio.sleep(0.5)
            if self.cpu() - before < 0.05:
                break
        return time.perf_counter() - start

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECABINET_")}
        env.update(
            {
                "ECABINET_HOST": "127.0.0.1",
                "ECABINET_DATA_DIR": str(self.workdir / "data"),
                "ECABINET_SEED_DEMO": "1",
                "ECABINET_SEED_DEMO_MEETING": "0",
                "ECABINET_PASSWORD_MEMORY_KIB": "1024",
                "ECABINET_DEMO_PASSWORD": PASSWORD,
            }
        )
        if self.config.database == "postgres":
            base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            env["ECABINET_DATABASE_URL"] = f"{base}/{self.db_name}"
        if self.config.processes > 1:
            env["ECABINET_REDIS_URL"] = REDIS_URL
            env["ECABINET_REDIS_CHANNEL"] = self.channel
        return env

    async def start(self) -> None:
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        tag = f"{os.getpid()}_{int(time.time())}"
        if self.config.database == "postgres":
            self.db_name = f"ecabinet_bench_live_{tag}"
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
            try:
                await conn.execute(f'CREATE DATABASE "{self.db_name}"')
            finally:
                await conn.close()
        if self.config.processes > 1:
            self.channel = f"ecabinet-bench-live-{tag}"
            client = aioredis.from_url(REDIS_URL)
            try:
                await client.ping()
            finally:
                await client.aclose()
        env = self.env()
        for i in range(self.config.processes):  # one after the other: the first migrates, seeds
            name = "ab"[i]
            port = free_port()
            log = self.workdir / f"server-{name}.log"
            with log.open("wb") as out:  # a file, not a pipe: nobody has to drain it
                command = ["-m", "server"]
                extra = {}
                if self.gc_log or self.gc_threshold:
                    patch = ROOT / "scripts/bench/live_patch.py"
                    command = ["-c", live_patch.COMMAND, str(patch)]
                    extra["LIVE_BENCH_GC_THRESHOLD"] = self.gc_threshold
                if self.gc_log:
                    extra["LIVE_BENCH_GC_LOG"] = str(self.workdir / f"gc-{name}.log")
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    *command,
                    cwd=self.config.tree,
                    env={**env, **extra, "ECABINET_PORT": str(port), "ECABINET_INSTANCE": name},
                    stdout=out,
                    stderr=out,
                )
            server = Server(name, f"http://127.0.0.1:{port}", process, log)
            self.servers.append(server)
            await _wait_healthy(server)

    async def stop(self) -> None:
        for server in self.servers:
            if server.process.returncode is None:
                server.process.terminate()
        for server in self.servers:
            try:
                await asyncio.wait_for(server.process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    server.process.kill()
                await server.process.wait()
        if self.db_name:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
                try:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                finally:
                    await conn.close()


def export_tree(ref: str, into: Path) -> Path:
    """The server as it was at `ref` (`git archive`, nothing in this checkout changes), for the
    baseline columns: same venv, same machine, same run."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "server", "storage", "media"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


async def _wait_healthy(server: Server) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if server.process.returncode is not None:
                raise RuntimeError(f"server {server.name} exited: {server.log.read_text()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{server.base}/healthz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.base} did not become healthy")
