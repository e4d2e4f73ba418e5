"""`python -m server.ops.migrate [--check]`: bring the database to this version's schema.

The server does the same on every start; this command lets an upgrade be done (or checked)
with the service stopped: `--check` only says where the database stands, and exits 1 when
it is behind (2: the database is from a newer version).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from server.config import load_settings
from server.ops.database import Target
from storage.db import Database, alembic_config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def known(revision: str) -> bool:
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        return False
    return True


async def current(url: str) -> str | None:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await database.close()


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def upgrade(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.ops.migrate",
        description="Migrate the database (ECABINET_DATABASE_URL / DATA_DIR) to this version.",
    )
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if behind")
    args = parser.parse_args(argv)
    settings = load_settings()
    url = settings.resolved_database_url
    where = Target.parse(url).describe()
    before, newest = asyncio.run(current(url)), head()
    print(f"{where}: revision {before or 'none (empty)'}; this version's newest: {newest}")
    if before and not known(before):
        print(f"revision {before} is newer than this version of eCabinet: install that version")
        return 2
    if before == newest:
        print("up to date")
        return 0
    if args.check:
        return 1
    asyncio.run(upgrade(url))
    print(f"migrated {before or 'none'} -> {asyncio.run(current(url))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
