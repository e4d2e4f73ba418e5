"""Deployment tests: the server as systemd runs it (a child process configured by ECABINET_*),
behind Debian's nginx and next to Debian's coturn, backed up and restored with the scripts an
IT officer runs. Debian packages come from scripts/lib/setup.sh (setup_deploy); a missing one
fails the test instead of skipping it."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_PG, _pg_reachable
from tests.deploy.support import create_pg, drop_pg, free_port


def debian_program(name: str, package: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if not found:
        pytest.fail(f"{name} is missing: scripts/test installs it (apt-get install {package})")
    return found


@dataclass
class Installation:
    """One eCabinet installation: a data directory and a database (SQLite in it, or PostgreSQL)."""

    data_dir: Path
    database_url: str
    port: int

    @property
    def resolved_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'ecabinet.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def new_installation(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[str], Awaitable[Installation]]]:
    """Make empty installations of the parametrised database kind (PostgreSQL: a new database
    per installation, as `createdb` makes it)."""
    kind = request.param
    if kind == "postgresql" and not await _pg_reachable():
        if REQUIRE_PG:
            pytest.fail("ECABINET_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable")
        pytest.skip("PostgreSQL is not reachable")
    made: list[str] = []

    async def make(name: str) -> Installation:
        url = ""
        if kind == "postgresql":
            dbname = f"ecabinet_deploy_{os.getpid()}_{name}"
            url = await create_pg(dbname)
            made.append(dbname)
        return Installation(tmp_path / name, url, free_port())

    yield make
    await asyncio.gather(*(drop_pg(dbname) for dbname in made))
