"""Upgrades: a database made by the first release (revision 0001) and used through every later
one is migrated one revision at a time to the newest, on SQLite and PostgreSQL. Rows are
written with plain SQL at the revision that made their table (as that release's server would
have), every step must leave every earlier row as it was, and at the end this version of the
server logs in and reads the old meeting, its vote and its document.

A migration that changes existing data on purpose says so in CHANGED below."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.engine import Connection

from server.app import create_app
from server.config import load_settings
from server.services import passwords
from storage.db import Database, alembic_config
from tests.conftest import TEST_ARGON2_KIB
from tests.deploy.conftest import Installation

PASSWORD = "mat-khau-cu-2026"
TS = object()  # a timestamp literal in the dialect's own spelling
# (revision, table) -> columns whose values a migration rewrites on purpose
CHANGED: dict[tuple[str, str], set[str]] = {}


def rows_for(password_hash: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Rows as each revision's server wrote them, keyed by the revision that made the table."""
    return {
        "0001": [
            ("unit", dict(id=1, name="Ủy ban nhân dân huyện Châu Thành", kind="host",
                          code="ubnd-chau-thanh", parent_id=None, disabled=False, created_at=TS)),
            ("unit", dict(id=2, name="Xã Vĩnh Hanh", kind="commune", code="xa-vinh-hanh",
                          parent_id=1, disabled=False, created_at=TS)),
            ("app_user", dict(id=1, username="quantri", full_name="Lê Quốc Bảo", unit_id=1,
                              roles=["admin", "secretary"], email="quantri@example.vn",
                              title="Quản trị hệ thống", password_hash=password_hash,
                              disabled=False, created_at=TS)),
            ("app_user", dict(id=2, username="chutich", full_name="Trần Văn Minh", unit_id=1,
                              roles=["chair"], email=None, title="Chủ tịch",
                              password_hash=password_hash, disabled=False, created_at=TS)),
            ("app_user", dict(id=3, username="xa-vinh-hanh", full_name="Điểm cầu xã Vĩnh Hanh",
                              unit_id=2, roles=["site"], email=None, title=None,
                              password_hash=password_hash, disabled=False, created_at=TS)),
            ("user_session", dict(id=1, token_hash="a" * 64, csrf_token="c" * 43, user_id=1,
                                  created_at=TS, last_seen_at=TS, expires_at=TS,
                                  revoked_at=None, ip="10.0.0.5", user_agent="Firefox")),
            ("audit_log", dict(id=1, at=TS, actor_id=1, action="user.create",
                               object_type="user", object_id="2", ip="10.0.0.5",
                               details={"username": "chutich"})),
            ("login_failure", dict(id=1, username="chutich", ip="10.0.0.9", at=TS)),
        ],
        "0002": [
            ("meeting", dict(id=1, uid="m1@ecabinet", title="Họp thường kỳ tháng 1",
                             kind="regular", access="restricted", online=True,
                             location="Hội trường", description="Nội dung", starts_at=TS,
                             ends_at=TS, status="published", host_unit_id=1, chair_id=2,
                             created_by=1, sequence=1, status_reason=None, created_at=TS,
                             updated_at=TS)),
            ("meeting_organiser", dict(meeting_id=1, user_id=1)),
            ("agenda_item", dict(id=1, meeting_id=1, parent_id=None, position=0,
                                 title="Báo cáo kinh tế - xã hội", presenter_id=1,
                                 presenter_name="", duration_minutes=30, summary="",
                                 withdrawn=False)),
            ("invitation", dict(id=1, meeting_id=1, user_id=3, kind="site", unit_id=2,
                                responsible_id=None, via_unit_id=None, voting=True,
                                answer="attending", reason=None, substitute_id=None,
                                attendees=["Ông A", "Bà B"], answered_at=TS,
                                reminded_at=None, created_at=TS)),
            ("notification", dict(id=1, user_id=3, meeting_id=1, kind="meeting.invited",
                                  title="Giấy mời họp", body="", created_at=TS,
                                  read_at=None)),
            ("email_outbox", dict(id=1, to_address="a@example.vn", to_name="A",
                                  subject="Giấy mời", body="...", calendar="BEGIN:VCALENDAR",
                                  calendar_method="REQUEST", status="sent", attempts=1,
                                  last_error=None, next_attempt_at=TS, created_at=TS,
                                  sent_at=TS)),
        ],
        "0003": [
            ("meeting_live", dict(meeting_id=1, current_item_id=1, item_started_at=TS,
                                  presenter_id=1, document_id=None, page=None, pointer=None,
                                  quorum_members="more_than_half", quorum_min_sites=0,
                                  version=7)),
            ("vote", dict(id=1, meeting_id=1, item_id=1, question="Thông qua báo cáo?",
                          options=["Đồng ý", "Không đồng ý"], secret=False,
                          allow_change=False, sites_vote=True, status="closed",
                          deadline=None, opened_by=2, opened_at=TS, closed_at=TS,
                          eligible=2, results={"Đồng ý": 2, "Không đồng ý": 0})),
            ("ballot", dict(id=1, vote_id=1, voter_key="user:2", cast_by=2, choice="Đồng ý",
                            cast_at=TS)),
            ("ballot", dict(id=2, vote_id=1, voter_key="unit:2", cast_by=3, choice="Đồng ý",
                            cast_at=TS)),
            ("vote_participation", dict(vote_id=1, voter_key="user:2")),
            ("vote_tally", dict(vote_id=1, choice="Đồng ý", count=2)),
            ("announcement", dict(id=1, meeting_id=1, text="Tắt micro", by=1, at=TS)),
            ("presence", dict(id=1, meeting_id=1, user_id=3, connection="sid-1",
                              joined_at=TS, left_at=TS)),
            ("roll_call", dict(meeting_id=1, user_id=3, status="present", reason=None,
                               marked_by=1, marked_at=TS)),
            ("conclusion", dict(meeting_id=1, item_id=1, text="Thống nhất.", updated_by=1,
                                updated_at=TS)),
            ("agenda_item_clock", dict(id=1, meeting_id=1, item_id=1, started_at=TS,
                                       ended_at=TS)),
        ],
        "0004": [
            ("document", dict(id=1, meeting_id=1, agenda_item_id=1, title="Báo cáo",
                              confidentiality="normal", access_until=None, revoked_at=None,
                              withdrawn_at=None, version=1, position=0, created_by=1,
                              created_at=TS)),
            ("document_version", dict(id=1, document_id=1, number=1, sha256="b" * 64,
                                      size=1234, pages=3, source_sha256=None,
                                      source_kind="pdf", file_name="Báo cáo.pdf",
                                      uploaded_by=1, uploaded_at=TS)),
            ("document_page", dict(version_id=1, page=1, text="Trang một",
                                   folded="trang mot")),
            ("note", dict(id=1, user_id=1, document_id=1, page=1, text="Ghi chú",
                          created_at=TS, updated_at=TS)),
            ("read_receipt", dict(document_id=1, user_id=2, version=1, first_opened_at=TS,
                                  last_opened_at=TS)),
        ],
    }  # fmt: skip


def literal(value: Any, dialect: str) -> str:
    if value is TS:
        return "'2030-01-05 08:00:00.000000'" if dialect == "sqlite" else "'2030-01-05 08:00:00+00'"
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + value.replace("'", "''") + "'"


def insert(conn: Connection, table: str, row: dict[str, Any]) -> None:
    dialect = conn.dialect.name
    columns = ", ".join(f'"{c}"' for c in row)
    values = ", ".join(literal(v, dialect) for v in row.values())
    conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'))
    if dialect == "postgresql" and "id" in row:  # as the app's own inserts would have moved it
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        conn.execute(text(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table}"))'))


def snapshot(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    meta = MetaData()
    meta.reflect(conn)
    out = {}
    for name in inspect(conn).get_table_names():
        if name == "alembic_version":
            continue
        table = meta.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        out[name] = [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]
    return out


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_upgrade_from_the_first_schema_with_data(
    new_installation: Callable[[str], Awaitable[Installation]], tmp_path: Path
) -> None:
    installation = await new_installation("upgrade")
    url = installation.resolved_url
    installation.data_dir.mkdir(parents=True, exist_ok=True)
    chain = revisions()
    assert chain[0] == "0001" and len(chain) >= 4
    passwords.configure(TEST_ARGON2_KIB)
    rows = rows_for(await passwords.hash_password(PASSWORD))
    database = Database(url)
    seeded: dict[str, int] = {}
    try:
        for revision in chain:
            async with database.engine.begin() as conn:
                before = await conn.run_sync(snapshot)
                await conn.run_sync(lambda c, r=revision: command.upgrade(alembic_config(c), r))
            async with database.engine.begin() as conn:
                after = await conn.run_sync(snapshot)
                for table, old in before.items():
                    assert table in after, f"{revision} dropped {table}"
                    changed = CHANGED.get((revision, table), set())
                    kept = [
                        {c: row[c] for c in old_row if c not in changed}
                        for row, old_row in zip(after[table], old, strict=False)
                    ]
                    assert len(after[table]) == len(old), f"{revision} changed {table}'s rows"
                    assert kept == [
                        {c: v for c, v in r.items() if c not in changed} for r in old
                    ], f"{revision} changed rows of {table}"
                for table, row in rows.get(revision, []):
                    await conn.run_sync(lambda c, t=table, r=row: insert(c, t, r))
                    seeded[table] = seeded.get(table, 0) + 1
        assert set(seeded) >= {"unit", "meeting", "vote", "document_version"}
    finally:
        await database.close()

    # --- this version of the server reads what the first releases wrote --------------------
    settings = load_settings(
        database_url=url,
        data_dir=installation.data_dir,
        seed_demo=False,
        media=False,
        password_memory_kib=TEST_ARGON2_KIB,
        log_json=False,
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        resp = await client.post(
            "/api/auth/login", json={"username": "quantri", "password": PASSWORD}
        )
        assert resp.status == 200, await resp.text()
        headers = {"X-CSRF-Token": (await resp.json())["csrf_token"]}
        resp = await client.get("/api/meetings/1", headers=headers)
        assert resp.status == 200, await resp.text()
        assert (await resp.json())["meeting"]["title"] == "Họp thường kỳ tháng 1"
        resp = await client.get("/api/meetings/1/votes", headers=headers)
        votes = (await resp.json())["votes"]
        assert votes[0]["results"] == {"Đồng ý": 2, "Không đồng ý": 0}
        resp = await client.get("/api/documents/1", headers=headers)
        assert resp.status == 200, await resp.text()
        resp = await client.get("/api/units", headers=headers)
        assert {u["code"] for u in (await resp.json())["units"]} == {
            "ubnd-chau-thanh",
            "xa-vinh-hanh",
        }
