"""Shared fixtures: a real database (SQLite, and PostgreSQL when reachable), a real server,
and HTTP clients that behave like a browser (own cookies, CSRF header)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import Settings, load_settings
from storage.db import Database
from storage.minutes import DemoPki, create_demo_pki

PG_ADMIN_DSN = os.environ.get(
    "ECABINET_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# One database per test run: two runs on one machine (a developer's and CI's) never collide.
PG_TEST_DB = f"ecabinet_test_{os.getpid()}"
REQUIRE_PG = os.environ.get("ECABINET_REQUIRE_POSTGRES") == "1"
DEMO_PASSWORD = "ecabinet2026"
# argon2's default 64 MiB per hash is for production; tests hash hundreds of passwords.
TEST_ARGON2_KIB = 1024


def pg_url(dbname: str = PG_TEST_DB) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{dbname}"


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def _recreate_pg(dbname: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        await conn.close()


def run_blocking(coro: Any) -> Any:
    """Run a coroutine to the end on its own loop, even from inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _migrate(url: str) -> None:
    database = Database(url)
    await database.migrate()
    await database.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    run_blocking(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def _drop_pg(dbname: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not run_blocking(_pg_reachable()):
        if REQUIRE_PG:
            pytest.fail(
                f"ECABINET_REQUIRE_POSTGRES=1 but PostgreSQL at {PG_ADMIN_DSN} is unreachable"
            )
        pytest.skip(
            "PostgreSQL is not reachable; set ECABINET_REQUIRE_POSTGRES=1 to make this fail"
        )
    run_blocking(_recreate_pg(PG_TEST_DB))
    run_blocking(_migrate(pg_url()))
    yield pg_url()
    run_blocking(_drop_pg(PG_TEST_DB))


async def _truncate_pg() -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{PG_TEST_DB}")
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        names = ", ".join(f'"{t["tablename"]}"' for t in tables)
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "ecabinet.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
    else:
        url = request.getfixturevalue("pg_template")
        await _truncate_pg()
        yield url


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    """One local CA and chair certificate for the whole run (RSA keys take a while to make)."""
    return create_demo_pki(
        tmp_path_factory.mktemp("pki"),
        "Ủy ban nhân dân huyện Châu Thành",
        "Trần Văn Minh",
        "Nguyễn Thị Thu Hà",
        chair_title="Chủ tịch UBND huyện",
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path, demo_pki: DemoPki) -> Settings:
    return load_settings(
        signing_p12=demo_pki.chair_p12_path,
        trust_roots=tuple(demo_pki.trust_roots),
        database_url=database_url,
        data_dir=tmp_path / "var",
        demo_password=DEMO_PASSWORD,
        password_memory_kib=TEST_ARGON2_KIB,
        seed_demo_meeting=False,  # tests build the meetings they need
        log_json=False,
    )


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[TestServer]:
    """The real app on a real port, seeded with the demo district."""
    app: web.Application = create_app(settings)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


class Api:
    """An HTTP client with its own cookies that sends the CSRF token like the web client does."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf: str | None = None
        self.user: dict[str, Any] | None = None

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        resp = await self.client.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        body = await resp.json()
        assert resp.status == 200, body
        self.csrf, self.user = body["csrf_token"], body["user"]
        return body

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        merged.update(headers or {})
        return merged

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        resp = await self.client.request(
            method, path, json=json, data=data, headers=self._headers(headers)
        )
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, **kw)


@pytest.fixture
async def new_api(server: TestServer) -> AsyncIterator[Callable[[], Awaitable[Api]]]:
    """Make any number of independent clients (one per person) against the one server."""
    clients: list[TestClient] = []

    async def make() -> Api:
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return Api(client)

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
def login_as(new_api: Callable[[], Awaitable[Api]]) -> Callable[[str], Awaitable[Api]]:
    async def login(username: str) -> Api:
        api = await new_api()
        await api.login(username)
        return api

    return login


@pytest.fixture
async def anon(new_api: Callable[[], Awaitable[Api]]) -> Api:
    return await new_api()


@pytest.fixture
async def admin(login_as: Callable[[str], Awaitable[Api]]) -> Api:
    return await login_as("quantri")


def error_code(body: Any) -> str:
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return str(body["error"]["code"])


@pytest.fixture(scope="session")
def artifacts() -> Iterator[Path]:
    path = Path(
        os.environ.get("ECABINET_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
    )
    path.mkdir(parents=True, exist_ok=True)
    yield path
