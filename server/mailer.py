"""Sends the e-mail outbox over SMTP (aiosmtplib), retrying with back-off; nothing is lost.

Rows are claimed with a conditional UPDATE, so several server processes never send one twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib
from sqlmodel import col, select, update

from server.config import Settings
from server.events import Event, EventBus
from storage.db import Database
from storage.models import OutgoingEmail
from storage.types import utcnow

log = logging.getLogger("ecabinet.mailer")

# A mail server that is down for a day should not lose invitations: 8 tries over ~4 hours.
MAX_ATTEMPTS = 8
# Without a wake-up event (another process queued it), look again this often.
POLL_SECONDS = 30
BATCH = 50


def build_message(row: OutgoingEmail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr(("eCabinet", sender))
    msg["To"] = formataddr((row.to_name, row.to_address))
    msg["Subject"] = row.subject
    msg.set_content(row.body)
    if row.calendar:
        method = row.calendar_method or "REQUEST"
        # Outlook and Thunderbird want the invitation both inline and as a file.
        msg.add_alternative(row.calendar, subtype="calendar", params={"method": method})
        msg.add_attachment(
            row.calendar.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    return msg


class Mailer:
    def __init__(self, settings: Settings, database: Database, bus: EventBus) -> None:
        self.settings = settings
        self.database = database
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

        bus.subscribe("email.queued", self._on_queued)

    async def _on_queued(self, _event: Event) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mailer")

    async def stop(self) -> None:
        self._stopping = True  # in case the cancel is lost (Python 3.11's wait_for can drop one)
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                while await self.send_due() == BATCH and not self._stopping:
                    pass
            except Exception:
                log.exception("mailer round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            self._wake.clear()

    async def send_due(self) -> int:
        """Send what is due now; returns how many rows were tried."""
        async with self.database.session() as db:
            due = (
                await db.exec(
                    select(OutgoingEmail.id)
                    .where(
                        OutgoingEmail.status == "pending", OutgoingEmail.next_attempt_at <= utcnow()
                    )
                    .order_by(col(OutgoingEmail.id))
                    .limit(BATCH)
                )
            ).all()
        for row_id in due:
            await self._send_one(row_id or 0)
        return len(due)

    async def _claim(self, row_id: int) -> OutgoingEmail | None:
        async with self.database.session() as db:
            claimed = await db.exec(
                update(OutgoingEmail)
                .where(col(OutgoingEmail.id) == row_id, col(OutgoingEmail.status) == "pending")
                .values(status="sending")
            )
            await db.commit()
            if not claimed.rowcount:
                return None  # another process took it
            return await db.get(OutgoingEmail, row_id)

    async def _send_one(self, row_id: int) -> None:
        row = await self._claim(row_id)
        if row is None:
            return
        s = self.settings
        error: str | None = None
        try:
            await aiosmtplib.send(
                build_message(row, s.smtp_from),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password or None,
                start_tls=s.smtp_starttls,
                timeout=30,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            error = str(exc)[:1000]
        await self._settle(row, error)

    async def _settle(self, row: OutgoingEmail, error: str | None) -> None:
        async with self.database.session() as db:
            row = await db.get(OutgoingEmail, row.id) or row
            row.attempts += 1
            if error is None:
                row.status, row.sent_at = "sent", utcnow()
            else:
                row.last_error = error
                row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
                row.next_attempt_at = utcnow() + timedelta(minutes=2**row.attempts)
                log.warning(
                    "e-mail not sent",
                    extra={"to": row.to_address, "error": error, "attempt": row.attempts},
                )
            db.add(row)
            await db.commit()
