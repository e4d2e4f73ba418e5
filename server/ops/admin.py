"""`python -m server.ops.admin`: the first administrator of a new installation (no demo data).

Creates the host unit (the district or province People's Committee) and one administrator,
only while the database has no unit at all; everything else (departments, communes, officials,
CSV import) is then done in the web client by that administrator. The password is asked for
twice, or read from --password-file (first line).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from sqlmodel import func, select

from server.config import load_settings
from server.services import passwords
from storage.db import Database
from storage.models import AuditEntry, Role, Unit, UnitKind, User


class Refused(Exception):
    pass


async def create_first_admin(
    url: str, unit_name: str, unit_code: str, username: str, full_name: str, password: str
) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise Refused(f"the password needs at least {passwords.MIN_LENGTH} characters")
    database = Database(url)
    try:
        await database.migrate()
        async with database.session() as db:
            if (await db.exec(select(func.count()).select_from(Unit))).one():
                raise Refused(
                    "this installation already has units: log in as an administrator and add "
                    "people in the web client (Quản trị → Người dùng)"
                )
            unit = Unit(name=unit_name, code=unit_code, kind=UnitKind.HOST.value)
            db.add(unit)
            await db.flush()
            user = User(
                username=username,
                full_name=full_name,
                unit_id=unit.id or 0,
                roles=[Role.ADMIN.value],
                password_hash=await passwords.hash_password(password),
            )
            db.add(user)
            await db.flush()
            db.add(
                AuditEntry(
                    action="install.first_admin",
                    object_type="user",
                    object_id=str(user.id),
                    details={"username": username, "unit": unit_code},
                )
            )
            await db.commit()
    finally:
        await database.close()


def _password(path: Path | None) -> str:
    if path is not None:
        lines = path.read_text().splitlines()
        return lines[0] if lines else ""
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise Refused("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ecabinet create-admin",
        description="Create the host unit and the first administrator of an empty installation.",
    )
    parser.add_argument("--unit-name", required=True, help="e.g. 'Ủy ban nhân dân huyện X'")
    parser.add_argument("--unit-code", required=True, help="short code, e.g. ubnd-huyen-x")
    parser.add_argument("--username", default="quantri")
    parser.add_argument("--full-name", required=True)
    parser.add_argument("--password-file", type=Path)
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.password_memory_kib:
        passwords.configure(settings.password_memory_kib)
    try:
        password = _password(args.password_file)
        asyncio.run(
            create_first_admin(
                settings.resolved_database_url,
                args.unit_name,
                args.unit_code,
                args.username,
                args.full_name,
                password,
            )
        )
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.unit_name} ({args.unit_code}) and the administrator {args.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
