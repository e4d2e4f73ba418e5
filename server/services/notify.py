"""Telling invitees: an in-app notification (pushed live) and, when SMTP is set, an e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import col, select

from server.services import Context, ics
from server.timezone import show
from storage.models import Meeting, MeetingAccess, Notification, OutgoingEmail, User


@dataclass(frozen=True)
class Message:
    """What to tell people. `title` and `body` are the Vietnamese wording (e-mails, and the
    notification as stored); `params` are the facts they were worded from, with times in ISO
    8601, so that the web client can word the notification in its reader's language
    (client-web/src/i18n.js, `notificationText.<kind>`)."""

    kind: str  # meeting.invited, meeting.updated, meeting.cancelled, meeting.reminder, ...
    title: str
    body: str
    calendar_method: str | None = None  # REQUEST / CANCEL: attach an .ics
    params: dict[str, str] = field(default_factory=dict)


def meeting_url(ctx: Context, meeting: Meeting) -> str:
    base = ctx.settings.link_base if ctx.settings else ""
    return f"{base}/meetings/{meeting.id}"


def email_body(ctx: Context, meeting: Meeting, message: Message, agenda_text: str) -> str:
    lines = [
        message.body,
        "",
        f"Cuộc họp: {meeting.title}",
        f"Thời gian: {show(meeting.starts_at)} – {show(meeting.ends_at)}",
        f"Địa điểm: {meeting.location or 'Trực tuyến'}"
        + (" (có điểm cầu trực tuyến)" if meeting.online else ""),
    ]
    if agenda_text:
        lines += ["", "Chương trình:", agenda_text]
    lines += ["", f"Xem chi tiết và trả lời: {meeting_url(ctx, meeting)}", "", "— eCabinet"]
    return "\n".join(lines)


async def send(
    ctx: Context,
    meeting: Meeting,
    user_ids: Iterable[int],
    message: Message,
    agenda_text: str = "",
) -> int:
    """Notify each user once; queue e-mails in the same transaction (sent after commit)."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    people = (await ctx.db.exec(select(User).where(col(User.id).in_(ids)))).all()
    mail = ctx.settings is not None and bool(ctx.settings.smtp_host)
    organiser = (ctx.settings.smtp_from if ctx.settings else "", "eCabinet")
    for person in people:
        if person.disabled:
            continue
        note = Notification(
            user_id=person.id or 0,
            meeting_id=meeting.id,
            kind=message.kind,
            title=message.title,
            body=message.body,
            params=message.params,
        )

        ctx.db.add(note)
        await ctx.db.flush()
        ctx.emit("notification.created", user_id=person.id, notification_id=note.id)
        if mail and person.email:
            _queue_email(ctx, meeting, message, person, organiser, agenda_text)
    if mail:
        ctx.emit("email.queued")
    return len(people)


def _confidential_email(ctx: Context, meeting: Meeting) -> tuple[str, str]:
    """A confidential meeting's e-mail says only that there is news, and where to read it."""
    return (
        "[eCabinet] Thông báo mới về một cuộc họp mật",
        "Có thông tin mới về một cuộc họp mật mà bạn được mời.\n"
        f"Hãy đăng nhập eCabinet để xem: {meeting_url(ctx, meeting)}\n\n— eCabinet",
    )


def _queue_email(
    ctx: Context,
    meeting: Meeting,
    message: Message,
    person: User,
    organiser: tuple[str, str],
    agenda_text: str,
) -> None:
    subject, body = f"[eCabinet] {message.title}", email_body(ctx, meeting, message, agenda_text)
    secret = meeting.access == MeetingAccess.CONFIDENTIAL.value
    if secret:
        subject, body = _confidential_email(ctx, meeting)
    calendar = None
    if message.calendar_method:
        calendar = ics.build(
            meeting,
            message.calendar_method,
            secret=secret,
            organiser=organiser,
            attendee=(person.email or "", person.full_name),
            description=body,
            url=meeting_url(ctx, meeting),
        )
    ctx.db.add(
        OutgoingEmail(
            to_address=person.email or "",
            to_name=person.full_name,
            subject=subject,
            body=body,
            calendar=calendar,
            calendar_method=message.calendar_method,
        )
    )
