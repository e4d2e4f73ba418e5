"""E-mail with .ics invitations through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlmodel import select, update

from server import keys
from server.config import Settings
from storage.db import Database
from storage.models import OutgoingEmail
from tests.api.meeting_helpers import published
from tests.conftest import Api


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    async def wait_for(self, count: int) -> list[Message]:
        # aiosmtpd delivers on its own thread and loop, so poll rather than await an Event.
        async with asyncio.timeout(10):
            while len(self.messages) < count:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        return self.messages

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int, Controller]]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port, controller
    if controller._thread is not None:  # still running (a test may stop it)
        controller.stop()


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int, Controller]) -> Settings:
    return dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_from="thuky@chauthanh.angiang.gov.vn",
        public_url="https://ecabinet.chauthanh.gov.vn",
    )


def calendar_of(message: Message) -> Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def body_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


async def test_invitation_update_and_cancel_reach_the_mailbox(login_as, inbox) -> None:
    box, _, _ = inbox
    secretary: Api = await login_as("thuky")
    await secretary.post("/api/meetings", json={})  # a bad request sends nothing
    meeting = await published(secretary, ["tp.noivu"], ["xa-vinh-hanh"])
    mid = meeting["id"]
    await secretary.post(
        f"/api/meetings/{mid}/agenda", json={"title": "Khai mạc", "duration_minutes": 10}
    )
    # chair + official + site + the site's responsible person get the invitation, then the
    # agenda change
    await box.wait_for(8)

    official = box.to("tp.noivu@chauthanh.angiang.gov.vn")[0]
    assert "Giấy mời họp" in str(
        email.header.make_header(email.header.decode_header(official["Subject"]))
    )
    invite = calendar_of(official)
    assert invite["METHOD"] == "REQUEST"
    event = invite.walk("VEVENT")[0]
    assert event["SEQUENCE"] == 0
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert start.astimezone(ZoneInfo("UTC")).isoformat().startswith(meeting["starts_at"][:16])
    assert invite.walk("VTIMEZONE"), "the zone travels with the invitation"
    assert "Hội trường UBND huyện" in body_of(official)
    assert "https://ecabinet.chauthanh.gov.vn/meetings/" in body_of(official)
    uid = str(event["UID"])

    box.messages.clear()
    status, _ = await secretary.post(
        f"/api/meetings/{mid}/postpone",
        json={
            "starts_at": "2030-01-02T08:00:00+07:00",
            "ends_at": "2030-01-02T11:00:00+07:00",
            "reason": "Trùng lịch họp tỉnh",
        },
    )
    assert status == 200
    await box.wait_for(4)
    moved = calendar_of(box.to("tp.noivu@")[0]).walk("VEVENT")[0]
    assert (str(moved["UID"]), moved["SEQUENCE"]) == (uid, 1)
    assert moved.decoded("DTSTART").hour == 8

    box.messages.clear()
    await secretary.post(f"/api/meetings/{mid}/cancel", json={"reason": "Bão số 9"})
    await box.wait_for(4)
    cancel = calendar_of(box.to("tp.noivu@")[0])
    assert cancel["METHOD"] == "CANCEL"
    event = cancel.walk("VEVENT")[0]
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (uid, 2, "CANCELLED")
    assert "Bão số 9" in body_of(box.to("tp.noivu@")[0])


async def test_confidential_meeting_mail_has_no_agenda(login_as, inbox) -> None:
    box, _, _ = inbox
    secretary: Api = await login_as("thuky")
    meeting = await published(secretary, [], ["xa-vinh-hanh"], access="confidential")
    await secretary.post(
        f"/api/meetings/{meeting['id']}/agenda",
        json={"title": "Phương án nhân sự", "duration_minutes": 30},
    )
    await box.wait_for(3)
    for message in box.messages:
        parts = [
            p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()
        ]
        text = "\n".join(parts)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        for secret in ("Phương án nhân sự", meeting["title"], "Hội trường"):
            assert secret not in text and secret not in subject
        assert f"/meetings/{meeting['id']}" in text  # only a link into the system


async def _outbox(settings: Settings) -> list[OutgoingEmail]:
    database = Database(settings.resolved_database_url)
    try:
        async with database.session() as db:
            return list((await db.exec(select(OutgoingEmail))).all())
    finally:
        await database.close()


async def test_mail_server_down_keeps_the_mail_and_retries(
    login_as, settings, inbox, server
) -> None:
    box, port, controller = inbox
    controller.stop()  # the district's mail server is down
    secretary: Api = await login_as("thuky")
    await published(secretary, ["tp.noivu"])
    for _ in range(100):
        rows = await _outbox(settings)
        if rows and all(r.attempts >= 1 for r in rows):
            break
        await asyncio.sleep(0.05)
    assert {r.status for r in rows} == {"pending"} and all(r.last_error for r in rows)
    assert len(rows) == 2  # the chair and the official

    restarted = Controller(box, hostname="127.0.0.1", port=port)
    restarted.start()
    try:
        database = Database(settings.resolved_database_url)
        async with database.session() as db:
            await db.exec(update(OutgoingEmail).values(next_attempt_at=datetime.now(UTC)))
            await db.commit()
        await database.close()
        sent = await server.app[keys.MAILER].send_due()  # the retry the back-off would make
        assert sent == 2
        await box.wait_for(2)
        assert {r.status for r in await _outbox(settings)} == {"sent"}
    finally:
        restarted.stop()
