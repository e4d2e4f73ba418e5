"""Two server processes on PostgreSQL + Redis behave as one: a page change made on one reaches
a viewer connected to the other, and a vote cast on each is counted once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
import redis.asyncio as aioredis
from yarl import URL

from server.config import ROOT
from tests.api.test_email import free_port
from tests.conftest import DEMO_PASSWORD, PG_ADMIN_DSN, REQUIRE_PG, pg_url, run_blocking
from tests.documents.samples import text_pdf
from tests.realtime.live_client import MeetingClient

REDIS_URL = os.environ.get("ECABINET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DB_NAME = f"ecabinet_two_processes_{os.getpid()}"

pytestmark = pytest.mark.postgres


async def _reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        await conn.close()
        client = aioredis.from_url(REDIS_URL)
        await client.ping()
        await client.aclose()
    except (OSError, asyncpg.PostgresError, aioredis.ConnectionError):
        return False
    return True


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class Remote:
    """A person's browser against one of the processes: own cookies, CSRF header."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def login(self, username: str) -> Remote:
        async with self.session.post(
            f"{self.base}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        ) as r:
            assert r.status == 200, await r.text()
            self.csrf = (await r.json())["csrf_token"]
        return self

    async def call(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        async with self.session.request(
            method, f"{self.base}{path}", json=json, headers={"X-CSRF-Token": self.csrf}
        ) as r:
            return r.status, await r.json()

    def cookie(self) -> str:
        value = self.session.cookie_jar.filter_cookies(URL(self.base))["ecabinet_session"].value
        return f"ecabinet_session={value}"

    async def join(self, meeting_id: int) -> MeetingClient:
        return await MeetingClient(
            None, meeting_id, base_url=self.base, cookie=self.cookie()
        ).connect()


async def _wait_healthy(base: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            if process.returncode is not None:
                raise AssertionError(f"server exited: {log.read_text()}")
            try:
                async with session.get(f"{base}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy")


@pytest.fixture
def two_servers_env() -> Iterator[dict[str, str]]:
    if not run_blocking(_reachable()):
        if REQUIRE_PG:
            pytest.fail("PostgreSQL and Redis are required for the two-process test")
        pytest.skip("PostgreSQL or Redis not reachable")
    yield {
        **os.environ,
        "ECABINET_DATABASE_URL": pg_url(DB_NAME),
        "ECABINET_REDIS_URL": REDIS_URL,
        "ECABINET_REDIS_CHANNEL": f"ecabinet-test-{os.getpid()}",
        "ECABINET_SEED_DEMO_MEETING": "0",
        "ECABINET_PASSWORD_MEMORY_KIB": "1024",
        "ECABINET_DEMO_PASSWORD": DEMO_PASSWORD,
        "ECABINET_HOST": "127.0.0.1",
    }
    run_blocking(_drop(DB_NAME))


@pytest.fixture
async def processes(two_servers_env: dict[str, str], tmp_path: Path) -> AsyncIterator[list[str]]:
    started: list[asyncio.subprocess.Process] = []
    bases = []
    try:
        for name in ("a", "b"):  # one after the other: the first migrates and seeds
            port = free_port()
            env = {**two_servers_env, "ECABINET_PORT": str(port), "ECABINET_INSTANCE": name}
            log = tmp_path / f"server-{name}.log"
            with log.open("wb") as out:  # a file, not a pipe: nobody has to drain it
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "server", cwd=ROOT, env=env, stdout=out, stderr=out
                )
            started.append(process)
            bases.append(f"http://127.0.0.1:{port}")
            await _wait_healthy(bases[-1], process, log)
        yield bases
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()


async def test_page_and_votes_across_two_processes(processes: list[str]) -> None:
    a, b = processes
    people: dict[str, Remote] = {}
    try:
        secretary = people["thuky"] = await Remote(a).login("thuky")
        _, users = await secretary.call("GET", "/api/users")
        ids = {u["username"]: u["id"] for u in users["users"]}
        status, created = await secretary.call(
            "POST",
            "/api/meetings",
            json={
                "title": "Họp hai tiến trình",
                "starts_at": "2030-01-01T08:00:00+07:00",
                "ends_at": "2030-01-01T11:00:00+07:00",
                "chair_id": ids["chutich"],
            },
        )
        assert status == 201
        mid = created["meeting"]["id"]
        await secretary.call(
            "POST",
            f"/api/meetings/{mid}/invitations",
            json={"user_ids": [ids["tp.noivu"], ids["tp.vanhoa"]]},
        )
        assert (await secretary.call("POST", f"/api/meetings/{mid}/publish"))[0] == 200
        form = aiohttp.FormData()
        form.add_field("file", text_pdf([f"Trang {n}" for n in range(1, 6)]), filename="slides.pdf")
        async with secretary.session.post(
            f"{a}/api/meetings/{mid}/documents", data=form, headers={"X-CSRF-Token": secretary.csrf}
        ) as r:
            assert r.status == 201, await r.text()
            doc = (await r.json())["document"]["id"]

        chair = await (await Remote(a).login("chutich")).join(mid)
        viewer = await (await Remote(b).login("tp.noivu")).join(mid)
        other_a = await (await Remote(a).login("tp.vanhoa")).join(mid)
        other_b = await (await Remote(b).login("tp.vanhoa")).join(mid)
        await chair.ok("meeting.start")
        await chair.ok("page", {"document_id": doc, "page": 4})
        changed = await viewer.until("page.changed", lambda p: p["page"] == 4)
        assert changed["document_id"] == doc

        vote = await chair.ok("vote.open", {"question": "Thông qua?"})
        await viewer.until("vote.opened", lambda v: v["id"] == vote["id"])
        await viewer.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        # The same official on both processes at the same moment: one ballot.
        both = await asyncio.gather(
            other_a.call("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"}),
            other_b.call("vote.cast", {"vote_id": vote["id"], "choice": "Không đồng ý"}),
        )
        assert sorted(r["ok"] for r in both) == [False, True]
        await chair.ok("vote.close", {"vote_id": vote["id"]})
        closed = await viewer.until("vote.closed", lambda v: v["id"] == vote["id"])
        assert sum(closed["results"].values()) == 2
        for client in (chair, viewer, other_a, other_b):
            await client.close()
    finally:
        for remote in people.values():
            await remote.session.close()
