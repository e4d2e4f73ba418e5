"""Meetings: create, edit, publish, postpone, cancel, run, archive; "my meetings" and search.

Lifecycle: draft → published → in_progress → ended → archived; draft/published → cancelled.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from server.errors import Invalid
from server.permissions import MeetingAction, MeetingRole, Permission
from server.schemas.meetings import MeetingIn, MeetingPatch, PostponeIn
from server.services import Context, audit, invitations, meeting_access, operation, units, users
from server.services.live import floor, stage
from server.services.live.events import emit_to_all
from server.services.meeting_access import MeetingView
from server.services.notify import Message
from server.text import fold
from server.timezone import show
from storage.models import Invitation, Meeting, MeetingOrganiser, MeetingStatus, Role
from storage.types import utcnow

S = MeetingStatus
# What invitees are told about when it changes after publishing, in their words.
NOTIFIED_FIELDS = {
    "title": "Tên cuộc họp",
    "starts_at": "Thời gian bắt đầu",
    "ends_at": "Thời gian kết thúc",
    "location": "Địa điểm",
    "online": "Hình thức trực tuyến",
    "chair_id": "Người chủ trì",
}
# Changes that calendar programs must take (a new SEQUENCE and an .ics REQUEST).
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "location"}


@dataclass(frozen=True)
class Listing:
    meeting: Meeting
    roles: frozenset[MeetingRole]
    answer: str | None
    host_unit_name: str


async def _check_chair(ctx: Context, chair_id: int | None) -> None:
    if chair_id is None:
        return
    person = await users.get(ctx, chair_id)
    if person.disabled or Role.SITE.value in person.roles:
        raise Invalid(
            "bad_chair",
            vi="Người chủ trì phải là một người dùng đang hoạt động.",
            en="The chair must be an active person, not a site account.",
        )


async def _set_organisers(ctx: Context, meeting_id: int, ids: list[int]) -> None:
    people = [await users.get(ctx, i) for i in ids]
    for person in people:
        if not ({Role.SECRETARY.value, Role.CHAIR.value} & set(person.roles)):
            raise Invalid(
                "bad_organiser",
                vi=f"{person.full_name} không có vai trò thư ký.",
                en=f"{person.full_name} is not a secretary.",
            )
    current = (
        await ctx.db.exec(select(MeetingOrganiser).where(MeetingOrganiser.meeting_id == meeting_id))
    ).all()
    keep = set(ids) | {ctx.user.user_id}  # nobody removes themselves by accident
    for row in current:
        if row.user_id not in keep:
            await ctx.db.delete(row)
    for user_id in keep - {r.user_id for r in current}:
        ctx.db.add(MeetingOrganiser(meeting_id=meeting_id, user_id=user_id))


@operation("meeting.create", Permission.MEETING_CREATE)
async def create(ctx: Context, data: MeetingIn) -> Meeting:
    host_unit = data.host_unit_id or ctx.user.unit_id
    await units.get(ctx, host_unit)
    await _check_chair(ctx, data.chair_id)
    meeting = Meeting(
        uid=secrets.token_hex(16),
        title=data.title,
        kind=data.kind.value,
        access=data.access.value,
        online=data.online,
        location=data.location,
        description=data.description,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        host_unit_id=host_unit,
        chair_id=data.chair_id,
        created_by=ctx.user.user_id,
    )
    ctx.db.add(meeting)
    await ctx.db.flush()
    await _set_organisers(ctx, meeting.id or 0, data.organiser_ids)
    audit.record(ctx, "meeting", meeting.id, data.model_dump(mode="json"))
    return meeting


def _changes(meeting: Meeting, patch: MeetingPatch) -> dict[str, tuple[object, object]]:
    changed = {}
    for field, value in patch.model_dump(exclude_unset=True, exclude={"organiser_ids"}).items():
        if value is None and field != "chair_id":
            continue
        old = getattr(meeting, field)
        new = value.value if hasattr(value, "value") else value
        if old != new:
            changed[field] = (old, new)
    return changed


def _describe(changes: dict[str, tuple[object, object]]) -> str:
    parts = []
    for field, (old, new) in changes.items():
        if field not in NOTIFIED_FIELDS:
            continue
        if isinstance(old, datetime) and isinstance(new, datetime):
            old, new = show(old), show(new)
        if field == "chair_id":
            parts.append(f"{NOTIFIED_FIELDS[field]} thay đổi")
        else:
            parts.append(f"{NOTIFIED_FIELDS[field]}: {old or '—'} → {new or '—'}")
    return "; ".join(parts)


@operation("meeting.update", Permission.AUTHENTICATED)
async def update(ctx: Context, meeting_id: int, patch: MeetingPatch) -> Meeting:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting = view.meeting
    meeting_access.require_status(meeting, S.DRAFT, S.PUBLISHED)
    changes = _changes(meeting, patch)
    if "chair_id" in changes:
        await _check_chair(ctx, patch.chair_id)
    for field, (_old, new) in changes.items():
        setattr(meeting, field, new)
    if meeting.ends_at <= meeting.starts_at:
        raise Invalid(
            "bad_time_range",
            vi="Giờ kết thúc phải sau giờ bắt đầu.",
            en="The meeting must end after it starts.",
        )
    if patch.organiser_ids is not None:
        await _set_organisers(ctx, meeting_id, patch.organiser_ids)
    meeting.updated_at = utcnow()
    calendar = bool(CALENDAR_FIELDS & set(changes))
    if meeting.status == S.PUBLISHED.value and calendar:
        meeting.sequence += 1
    ctx.db.add(meeting)
    audit.record(ctx, "meeting", meeting_id, {k: [str(o), str(n)] for k, (o, n) in changes.items()})
    described = _describe(changes)
    if meeting.status == S.PUBLISHED.value and described:
        await invitations.tell_everyone(
            ctx,
            meeting,
            Message(
                "meeting.updated",
                f"Thay đổi cuộc họp: {meeting.title}",
                f"Thay đổi: {described}.",
                calendar_method="REQUEST" if calendar else None,
                params=invitations.meeting_params(
                    meeting, fields=",".join(f for f in changes if f in NOTIFIED_FIELDS)
                ),
            ),
        )
    return meeting


async def _transition(
    ctx: Context,
    meeting_id: int,
    action: MeetingAction,
    allowed: tuple[MeetingStatus, ...],
    target: MeetingStatus,
    reason: str | None = None,
) -> MeetingView:
    view = await meeting_access.load(ctx, meeting_id, action)
    meeting_access.require_status(view.meeting, *allowed)
    meeting = view.meeting
    audit.record(
        ctx, "meeting", meeting_id, {"from": meeting.status, "to": target.value, "reason": reason}
    )
    meeting.status = target.value
    meeting.updated_at = utcnow()
    meeting.status_reason = reason  # a postponement's reason no longer applies once it starts

    ctx.db.add(meeting)
    return view


@operation("meeting.publish", Permission.AUTHENTICATED)
async def publish(ctx: Context, meeting_id: int) -> Meeting:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    problems = []
    if view.meeting.chair_id is None:
        problems.append(("chưa có người chủ trì", "it has no chair"))
    if not await invitations.all_of(ctx, meeting_id):
        problems.append(("chưa mời ai", "nobody is invited"))
    if view.meeting.status == S.DRAFT.value and problems:
        raise Invalid(
            "meeting_incomplete",
            vi=f"Chưa thể phát hành: {', '.join(p[0] for p in problems)}.",
            en=f"Cannot publish yet: {', '.join(p[1] for p in problems)}.",
        )
    view = await _transition(ctx, meeting_id, MeetingAction.EDIT, (S.DRAFT,), S.PUBLISHED)
    await invitations.tell_everyone(ctx, view.meeting, invitations.invited_message(view.meeting))
    return view.meeting


@operation("meeting.postpone", Permission.AUTHENTICATED)
async def postpone(ctx: Context, meeting_id: int, data: PostponeIn) -> Meeting:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, S.PUBLISHED)
    meeting = view.meeting
    old = meeting.starts_at
    meeting.starts_at, meeting.ends_at = data.starts_at, data.ends_at
    meeting.status_reason = data.reason
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    ctx.db.add(meeting)
    audit.record(
        ctx,
        "meeting",
        meeting_id,
        {
            "postponed_from": old.isoformat(),
            "to": data.starts_at.isoformat(),
            "reason": data.reason,
        },
    )
    await invitations.tell_everyone(
        ctx,
        meeting,
        Message(
            "meeting.postponed",
            f"Hoãn cuộc họp: {meeting.title}",
            f"Cuộc họp dời từ {show(old)} sang {show(meeting.starts_at)}. Lý do: {data.reason}",
            calendar_method="REQUEST",
            params=invitations.meeting_params(
                meeting, previous_start=old.isoformat(), reason=data.reason
            ),
        ),
    )
    return meeting


@operation("meeting.cancel", Permission.AUTHENTICATED)
async def cancel(ctx: Context, meeting_id: int, reason: str) -> Meeting:
    view = await _transition(
        ctx, meeting_id, MeetingAction.EDIT, (S.DRAFT, S.PUBLISHED), S.CANCELLED, reason
    )
    meeting = view.meeting
    meeting.sequence += 1
    if (await meeting_access.roles_in(ctx, meeting))[0]:  # published before: tell people
        await invitations.tell_everyone(
            ctx,
            meeting,
            Message(
                "meeting.cancelled",
                f"Hủy cuộc họp: {meeting.title}",
                f"Cuộc họp lúc {show(meeting.starts_at)} đã bị hủy. Lý do: {reason}",
                calendar_method="CANCEL",
                params=invitations.meeting_params(meeting, reason=reason),
            ),
        )
    return meeting


def _status_event(ctx: Context, meeting: Meeting) -> None:
    emit_to_all(ctx, meeting.id or 0, "meeting.status", {"status": meeting.status})


@operation("meeting.start", Permission.AUTHENTICATED)
async def start(ctx: Context, meeting_id: int) -> Meeting:
    view = await _transition(ctx, meeting_id, MeetingAction.RUN, (S.PUBLISHED,), S.IN_PROGRESS)
    _status_event(ctx, view.meeting)
    return view.meeting


@operation("meeting.end", Permission.AUTHENTICATED)
async def end(ctx: Context, meeting_id: int) -> Meeting:
    view = await _transition(ctx, meeting_id, MeetingAction.RUN, (S.IN_PROGRESS,), S.ENDED)
    await stage.stop_clock_on_end(ctx, meeting_id)
    await floor.finish_on_end(ctx, meeting_id)
    _status_event(ctx, view.meeting)
    return view.meeting


@operation("meeting.archive", Permission.AUTHENTICATED)
async def archive(ctx: Context, meeting_id: int) -> Meeting:
    return (await _transition(ctx, meeting_id, MeetingAction.EDIT, (S.ENDED,), S.ARCHIVED)).meeting


@operation("meeting.read", Permission.AUTHENTICATED)
async def read(ctx: Context, meeting_id: int) -> MeetingView:
    return await meeting_access.load(ctx, meeting_id, MeetingAction.READ)


async def organisers_of(ctx: Context, meeting_id: int) -> list[int]:
    rows = await ctx.db.exec(
        select(MeetingOrganiser.user_id).where(MeetingOrganiser.meeting_id == meeting_id)
    )
    return sorted(rows.all())


@operation("meeting.list", Permission.AUTHENTICATED)
async def list_mine(
    ctx: Context,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    q: str | None = None,
    unit_id: int | None = None,
    limit: int = 500,
) -> list[Listing]:
    """Meetings the actor may see, optionally within [start, end), by title, or by unit."""
    ids = await meeting_access.visible_meeting_ids(ctx)
    if not ids:
        return []
    query = select(Meeting).where(col(Meeting.id).in_(ids)).order_by(col(Meeting.starts_at))
    if start is not None:
        query = query.where(Meeting.ends_at > start)
    if end is not None:
        query = query.where(Meeting.starts_at < end)
    found = list((await ctx.db.exec(query)).all())
    if q:
        needle = fold(q)
        found = [m for m in found if needle in fold(m.title)]
    if unit_id is not None:
        found = await _involving_unit(ctx, found, unit_id)
    return await _listings(ctx, found[:limit])


async def _involving_unit(ctx: Context, meetings: list[Meeting], unit_id: int) -> list[Meeting]:
    invited = set(
        (
            await ctx.db.exec(select(Invitation.meeting_id).where(Invitation.unit_id == unit_id))
        ).all()
    )
    return [m for m in meetings if m.host_unit_id == unit_id or m.id in invited]


async def _listings(ctx: Context, meetings: list[Meeting]) -> list[Listing]:
    names = await users.unit_names(ctx)
    out = []
    for meeting in meetings:
        roles, own = await meeting_access.roles_in(ctx, meeting)
        out.append(
            Listing(
                meeting, roles, own.answer if own else None, names.get(meeting.host_unit_id, "")
            )
        )
    return out
