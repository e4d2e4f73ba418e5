"""Meetings, their agenda, invitations and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web

from server.api.base import context, int_param, out, parse, path_id
from server.api.meeting_views import (
    agenda_out,
    invitation_out,
    meeting_out,
    summary_out,
)
from server.errors import BadRequest
from server.schemas.meetings import (
    Agenda,
    AgendaItemEnvelope,
    AgendaItemIn,
    AgendaItemPatch,
    AgendaOrderIn,
    AnswerIn,
    ArchiveHit,
    ArchiveList,
    AttendanceBoard,
    AttendanceSummary,
    Conflict,
    InvitationEnvelope,
    InvitationOut,
    InviteIn,
    InviteResult,
    MeetingEnvelope,
    MeetingIn,
    MeetingList,
    MeetingPatch,
    PeopleList,
    PersonRef,
    PostponeIn,
    ReasonIn,
    ReminderResult,
)
from server.services import Context, agenda, invitations, meetings, users
from server.services import archive as archive_service


async def _envelope(ctx: Context, meeting_id: int) -> MeetingEnvelope:
    view = await meetings.read(ctx, meeting_id)
    return MeetingEnvelope(meeting=await meeting_out(ctx, view))


def _time(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(
            "bad_parameter",
            vi=f"“{name}” phải là thời điểm ISO 8601.",
            en=f"“{name}” must be an ISO 8601 time.",
        ) from exc
    if moment.tzinfo is None:
        raise BadRequest(
            "bad_parameter",
            vi=f"“{name}” phải có múi giờ (ví dụ +07:00).",
            en=f"“{name}” must include a time zone (e.g. +07:00).",
        )
    return moment


async def list_meetings(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        found = await meetings.list_mine(
            ctx,
            start=_time(request, "from"),
            end=_time(request, "to"),
            q=request.query.get("q"),
            unit_id=int_param(request, "unit_id", query=True),
            # A year of a busy district's meetings fits; the calendar asks by date range.
            limit=min(int_param(request, "limit", query=True) or 500, 2000),
        )
    return out(MeetingList(meetings=[summary_out(m) for m in found]))


async def create_meeting(request: web.Request) -> web.Response:
    body = await parse(request, MeetingIn)
    async with context(request) as ctx:
        meeting = await meetings.create(ctx, body)
        envelope = await _envelope(ctx, meeting.id or 0)
    return out(envelope, status=201)


async def read_meeting(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def update_meeting(request: web.Request) -> web.Response:
    body = await parse(request, MeetingPatch)
    async with context(request) as ctx:
        await meetings.update(ctx, path_id(request), body)
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


def _transition(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        async with context(request) as ctx:
            await getattr(meetings, name)(ctx, path_id(request))
            envelope = await _envelope(ctx, path_id(request))
        return out(envelope)

    handler.__name__ = f"{name}_meeting"
    return handler


publish_meeting = _transition("publish")
start_meeting = _transition("start")
end_meeting = _transition("end")
archive_meeting = _transition("archive")


async def cancel_meeting(request: web.Request) -> web.Response:
    body = await parse(request, ReasonIn)
    async with context(request) as ctx:
        await meetings.cancel(ctx, path_id(request), body.reason)
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def postpone_meeting(request: web.Request) -> web.Response:
    body = await parse(request, PostponeIn)
    async with context(request) as ctx:
        await meetings.postpone(ctx, path_id(request), body)
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def read_agenda(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        scheduled, planned_end = await agenda.read(ctx, path_id(request))
    return out(Agenda(items=[agenda_out(e) for e in scheduled], planned_end=planned_end))


async def add_agenda_item(request: web.Request) -> web.Response:
    body = await parse(request, AgendaItemIn)
    async with context(request) as ctx:
        entry = await agenda.add_item(ctx, path_id(request), body)
    return out(AgendaItemEnvelope(item=agenda_out(entry)), status=201)


async def update_agenda_item(request: web.Request) -> web.Response:
    body = await parse(request, AgendaItemPatch)
    async with context(request) as ctx:
        entry = await agenda.update_item(ctx, path_id(request), path_id(request, "item_id"), body)
    return out(AgendaItemEnvelope(item=agenda_out(entry)))


async def reorder_agenda(request: web.Request) -> web.Response:
    body = await parse(request, AgendaOrderIn)
    async with context(request) as ctx:
        await agenda.reorder(ctx, path_id(request), body)
        scheduled, planned_end = await agenda.read(ctx, path_id(request))
    return out(Agenda(items=[agenda_out(e) for e in scheduled], planned_end=planned_end))


async def invite(request: web.Request) -> web.Response:
    body = await parse(request, InviteIn)
    async with context(request) as ctx:
        added, skipped, clashes = await invitations.invite(ctx, path_id(request), body)
        people = await users.directory(
            ctx, {i.user_id for i in added} | {i.responsible_id or 0 for i in added}
        )
        names = await users.unit_names(ctx)
    return out(
        InviteResult(
            added=[invitation_out(i, people, names) for i in added],
            already_invited=skipped,
            double_booked=[
                Conflict(
                    user_id=b.user_id,
                    full_name=b.full_name,
                    meeting_id=b.meeting.id or 0,
                    meeting_title=b.meeting.title,
                    starts_at=b.meeting.starts_at,
                )
                for b in clashes
            ],
        )
    )


async def uninvite(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await invitations.uninvite(ctx, path_id(request), path_id(request, "invitation_id"))
    return web.Response(status=204)


async def answer(request: web.Request) -> web.Response:
    body = await parse(request, AnswerIn)
    async with context(request) as ctx:
        inv = await invitations.answer(ctx, path_id(request), body)
        people = await users.directory(
            ctx, {inv.user_id, inv.responsible_id or 0, inv.substitute_id or 0}
        )
        names = await users.unit_names(ctx)
    return out(InvitationEnvelope(invitation=invitation_out(inv, people, names)))


def _summary(rows: list[InvitationOut]) -> AttendanceSummary:
    count = {
        a: sum(1 for r in rows if r.answer == a)
        for a in ("pending", "attending", "declined", "delegated")
    }
    return AttendanceSummary(total=len(rows), **count)


async def attendance(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        rows = await invitations.board(ctx, path_id(request))
        ids = (
            {i.user_id for i in rows}
            | {i.responsible_id or 0 for i in rows}
            | {i.substitute_id or 0 for i in rows}
        )
        people = await users.directory(ctx, ids)
        names = await users.unit_names(ctx)
    views = [invitation_out(i, people, names) for i in rows]
    people_rows = [v for v in views if v.kind == "person"]
    site_rows = sorted((v for v in views if v.kind == "site"), key=lambda v: v.unit_name)
    return out(
        AttendanceBoard(
            people=people_rows,
            sites=site_rows,
            people_summary=_summary(people_rows),
            sites_summary=_summary(site_rows),
        )
    )


async def remind(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        count = await invitations.remind(ctx, path_id(request))
    return out(ReminderResult(reminded=count))


async def substitutes(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        found = await invitations.substitute_candidates(ctx, path_id(request))
        people = await users.directory(ctx, {u.id or 0 for u in found})
    return out(
        PeopleList(
            people=[
                PersonRef(id=p.id, full_name=p.full_name, unit_name=p.unit_name, title=p.title)
                for p in people.values()
            ]
        )
    )


async def archive(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        found = await archive_service.search(
            ctx,
            request.query.get("q"),
            _time(request, "from"),
            _time(request, "to"),
            int_param(request, "unit_id", query=True),
        )
    return out(
        ArchiveList(
            meetings=[ArchiveHit(meeting=summary_out(f.listing), matched=f.matched) for f in found]
        )
    )
