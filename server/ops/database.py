"""What the commands need to know about the configured database, without starting the app.

The commands are synchronous programs; PostgreSQL is reached with asyncpg under `asyncio.run`
(never call these from a running event loop: use `asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

# A column named `sha256` or `..._sha256` names a blob in the document store: the backup checks
# that every such value has its file in the archive.
BLOB_COLUMN = re.compile(r"(.*_)?sha256")
VERSION_TABLE = "alembic_version"


class OpsError(Exception):
    """A refusal or failure explained to the person at the terminal (exit status 2)."""


@dataclass(frozen=True)
class Target:
    """The configured database: an SQLite file, or a PostgreSQL database reached by libpq."""

    url: URL

    @classmethod
    def parse(cls, url: str) -> Target:
        return cls(make_url(url))

    @property
    def kind(self) -> str:
        backend = self.url.get_backend_name()
        if backend == "sqlite":
            return "sqlite"
        if backend in {"postgresql", "postgres"}:
            return "postgresql"
        raise OpsError(f"unsupported database {backend!r}: SQLite or PostgreSQL only")

    @property
    def sqlite_path(self) -> Path:
        if self.kind != "sqlite" or not self.url.database or self.url.database == ":memory:":
            raise OpsError("not an SQLite database file")
        return Path(self.url.database)

    def libpq_env(self) -> dict[str, str]:
        """PG* variables for pg_dump/pg_restore: the password never shows in `ps`."""
        url, query = self.url, dict(self.url.query)
        env = {"PGDATABASE": url.database or "", "PGCONNECT_TIMEOUT": "10"}
        host = url.host or _first(query.get("host"))
        if host:
            env["PGHOST"] = host
        if url.port:
            env["PGPORT"] = str(url.port)
        if url.username:
            env["PGUSER"] = url.username
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        ssl = _first(query.get("sslmode")) or _first(query.get("ssl"))
        if ssl:
            env["PGSSLMODE"] = {"true": "require", "false": "disable"}.get(ssl, ssl)
        return env

    @property
    def asyncpg_dsn(self) -> str:
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {self.sqlite_path}"
        return f"PostgreSQL {self.url.render_as_string(hide_password=True)}"


def _first(value: str | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a refusal saying how to install it."""
    found = shutil.which(name)
    if not found:
        raise OpsError(f"{name} is missing: apt-get install postgresql-client")
    return found


def tool_env(target: Target) -> dict[str, str]:
    return {**os.environ, **target.libpq_env()}


# ---------------------------------------------------------------------------- SQLite


def sqlite_connect(path: Path, *, readonly: bool = True) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def sqlite_filled_tables(path: Path) -> tuple[list[str], list[str]]:
    """(every table, the tables holding rows), leaving out alembic's bookkeeping."""
    if not path.exists():
        return [], []
    with closing(sqlite_connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        filled = [
            t
            for t in tables
            if t != VERSION_TABLE
            and conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0]
        ]
    return sorted(tables), sorted(filled)


def sqlite_revision_and_blobs(conn: sqlite3.Connection) -> tuple[str | None, set[str]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    revision = None
    if VERSION_TABLE in tables:
        row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        revision = row[0] if row else None
    digests: set[str] = set()
    for table in tables:
        for column in conn.execute(f'PRAGMA table_info("{table}")'):
            name = column[1]
            if BLOB_COLUMN.fullmatch(name):
                query = f'SELECT DISTINCT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL'
                digests.update(r[0] for r in conn.execute(query))
    return revision, digests


# ---------------------------------------------------------------------------- PostgreSQL


async def pg_connect(target: Target) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(target.asyncpg_dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise OpsError(f"cannot reach {target.describe()}: {exc}") from exc


async def pg_revision_and_blobs(conn: asyncpg.Connection) -> tuple[str | None, set[str]]:
    """Inside the caller's transaction (the backup's snapshot)."""
    columns = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public'"
    )
    tables = {c["table_name"] for c in columns}
    revision = None
    if VERSION_TABLE in tables:
        revision = await conn.fetchval(f"SELECT version_num FROM {VERSION_TABLE}")
    digests: set[str] = set()
    for column in columns:
        name, table = column["column_name"], column["table_name"]
        if BLOB_COLUMN.fullmatch(name):
            rows = await conn.fetch(
                f'SELECT DISTINCT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL'
            )
            digests.update(r[0] for r in rows)
    return revision, digests


async def _pg_filled_tables(target: Target) -> tuple[list[str], list[str]]:
    conn = await pg_connect(target)
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        filled = [
            t
            for t in tables
            if t != VERSION_TABLE and await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{t}")')
        ]
    finally:
        await conn.close()
    return tables, filled


async def _pg_clear(target: Target) -> None:
    """Drop everything in the public schema (the tables of an earlier start or installation)."""
    conn = await pg_connect(target)
    try:
        async with conn.transaction():
            await conn.execute("DROP SCHEMA public CASCADE")
            await conn.execute("CREATE SCHEMA public")
    finally:
        await conn.close()


# ---------------------------------------------------------------------------- both


def filled_tables(target: Target) -> tuple[list[str], list[str]]:
    """(every table, the tables holding rows) of the configured database."""
    if target.kind == "sqlite":
        return sqlite_filled_tables(target.sqlite_path)
    return asyncio.run(_pg_filled_tables(target))


def clear(target: Target) -> None:
    """Remove the database's contents: the SQLite file, or PostgreSQL's public schema."""
    if target.kind == "sqlite":
        path = target.sqlite_path
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        asyncio.run(_pg_clear(target))
