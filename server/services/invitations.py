"""Inviting people, departments and commune sites; answers, substitutes, the attendance board."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from server.errors import Invalid, NotFound
from server.permissions import MeetingAction, Permission
from server.schemas.meetings import AnswerIn, InviteIn
from server.services import Context, agenda, audit, meeting_access, notify, operation
from server.services.notify import Message
from server.timezone import show
from storage.models import (
    Answer,
    Invitation,
    InviteeKind,
    Meeting,
    MeetingOrganiser,
    MeetingStatus,
    Role,
    Unit,
    User,
)
from storage.types import utcnow

OPEN_FOR_INVITES = (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS)
# Answers are taken until the meeting ends; afterwards the record is history.
OPEN_FOR_ANSWERS = (MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Booking:
    user_id: int
    full_name: str
    meeting: Meeting


async def all_of(ctx: Context, meeting_id: int) -> list[Invitation]:
    query = select(Invitation).where(Invitation.meeting_id == meeting_id)
    return list((await ctx.db.exec(query.order_by(col(Invitation.id)))).all())


async def recipients(ctx: Context, meeting: Meeting) -> set[int]:
    """Everyone who should hear about the meeting, but the person acting."""
    ids = {meeting.chair_id} if meeting.chair_id else set()
    for inv in await all_of(ctx, meeting.id or 0):
        ids.add(inv.user_id)
        if inv.responsible_id:
            ids.add(inv.responsible_id)
        if inv.substitute_id and inv.answer == Answer.DELEGATED.value:
            ids.add(inv.substitute_id)
    ids.discard(ctx.user.user_id)
    return {i for i in ids if i is not None}


async def tell_everyone(ctx: Context, meeting: Meeting, message: Message) -> int:
    scheduled, _ = agenda.schedule(meeting, await agenda.items_of(ctx, meeting.id or 0))
    return await notify.send(
        ctx, meeting, await recipients(ctx, meeting), message, agenda.as_text(scheduled)
    )


def invited_message(meeting: Meeting) -> Message:
    return Message(
        "meeting.invited",
        f"Giấy mời họp: {meeting.title}",
        f"Kính mời tham dự “{meeting.title}” lúc {show(meeting.starts_at)}"
        f"{' tại ' + meeting.location if meeting.location else ''}.",
        calendar_method="REQUEST",
        params=meeting_params(meeting, location=meeting.location or ""),
    )


def meeting_params(meeting: Meeting, **more: str) -> dict[str, str]:
    """The facts most notifications are worded from (notify.Message.params)."""
    return {"meeting": meeting.title, "starts_at": meeting.starts_at.isoformat(), **more}


async def _people(ctx: Context, ids: list[int]) -> list[User]:
    found = (await ctx.db.exec(select(User).where(col(User.id).in_(ids)))).all() if ids else []
    missing = sorted(set(ids) - {u.id for u in found})
    if missing:
        raise NotFound(
            "user_not_found",
            vi=f"Không tìm thấy người dùng: {', '.join(map(str, missing))}.",
            en=f"No such users: {', '.join(map(str, missing))}.",
        )
    return list(found)


async def _units(ctx: Context, ids: list[int]) -> dict[int, Unit]:
    found = (
        {u.id: u for u in (await ctx.db.exec(select(Unit).where(col(Unit.id).in_(ids)))).all()}
        if ids
        else {}
    )
    missing = sorted(set(ids) - set(found))
    if missing:
        raise NotFound(
            "unit_not_found",
            vi=f"Không tìm thấy đơn vị: {', '.join(map(str, missing))}.",
            en=f"No such units: {', '.join(map(str, missing))}.",
        )
    return {k: v for k, v in found.items() if k is not None}


def _refuse_sites_as_people(people: list[User]) -> None:
    sites = [u.username for u in people if Role.SITE.value in u.roles]
    if sites:
        raise Invalid(
            "site_invited_as_person",
            vi=f"Tài khoản điểm cầu ({', '.join(sites)}) được mời theo điểm cầu xã, "
            "không mời như một người.",
            en=f"Site accounts ({', '.join(sites)}) are invited as commune sites, not as people.",
        )


async def _site_account(ctx: Context, unit: Unit) -> User:
    members = (
        await ctx.db.exec(
            select(User).where(User.unit_id == unit.id, col(User.disabled).is_(False))
        )
    ).all()
    site = next((u for u in members if Role.SITE.value in u.roles), None)
    if site is None:
        raise Invalid(
            "unit_has_no_site",
            vi=f"“{unit.name}” chưa có tài khoản điểm cầu; "
            "hãy tạo tài khoản có vai trò “điểm cầu xã”.",
            en=f"“{unit.name}” has no site account; create one with the “site” role first.",
        )
    return site


async def _default_responsible(ctx: Context, unit: Unit) -> int | None:
    """The commune's leader: its chairperson (Chủ tịch) if one is recorded."""
    members = (await ctx.db.exec(select(User).where(User.unit_id == unit.id))).all()
    leader = next((u for u in members if (u.title or "").startswith("Chủ tịch")), None)
    return leader.id if leader else None


async def double_bookings(ctx: Context, meeting: Meeting, user_ids: set[int]) -> list[Booking]:
    """Other live meetings at overlapping times that these people are already invited to."""
    if not user_ids:
        return []
    rows = (
        await ctx.db.exec(
            select(Invitation, Meeting, User)
            .join(Meeting, col(Meeting.id) == Invitation.meeting_id)
            .join(User, col(User.id) == Invitation.user_id)
            .where(col(Invitation.user_id).in_(user_ids), Meeting.id != meeting.id)
            .where(
                col(Meeting.status).in_(
                    [MeetingStatus.PUBLISHED.value, MeetingStatus.IN_PROGRESS.value]
                )
            )
            .where(Meeting.starts_at < meeting.ends_at, Meeting.ends_at > meeting.starts_at)
        )
    ).all()
    return [Booking(u.id or 0, u.full_name, m) for _inv, m, u in rows]


@operation("meeting.invite", Permission.AUTHENTICATED)
async def invite(
    ctx: Context, meeting_id: int, data: InviteIn
) -> tuple[list[Invitation], list[int], list[Booking]]:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting = view.meeting
    meeting_access.require_status(meeting, *OPEN_FOR_INVITES)
    existing = {i.user_id for i in await all_of(ctx, meeting_id)}
    people = await _people(ctx, data.user_ids)
    _refuse_sites_as_people(people)
    wanted: list[Invitation] = [
        Invitation(
            meeting_id=meeting_id,
            user_id=u.id or 0,
            kind=InviteeKind.PERSON.value,
            unit_id=u.unit_id,
        )
        for u in people
        if not u.disabled
    ]
    units = await _units(ctx, data.unit_ids + [s.unit_id for s in data.sites])
    for unit_id in data.unit_ids:  # a department as a whole: its people today
        members = (
            await ctx.db.exec(
                select(User).where(User.unit_id == unit_id, col(User.disabled).is_(False))
            )
        ).all()
        wanted += [
            Invitation(
                meeting_id=meeting_id,
                user_id=u.id or 0,
                kind=InviteeKind.PERSON.value,
                unit_id=unit_id,
                via_unit_id=unit_id,
            )
            for u in members
            if Role.SITE.value not in u.roles
        ]
    for site in data.sites:
        unit = units[site.unit_id]
        account = await _site_account(ctx, unit)
        responsible = site.responsible_id or await _default_responsible(ctx, unit)
        if site.responsible_id is not None:
            await _people(ctx, [site.responsible_id])
        wanted.append(
            Invitation(
                meeting_id=meeting_id,
                user_id=account.id or 0,
                kind=InviteeKind.SITE.value,
                unit_id=unit.id or 0,
                responsible_id=responsible,
                voting=data.sites_vote,
            )
        )
    added: list[Invitation] = []
    skipped: list[int] = []
    for inv in wanted:
        if inv.user_id in existing:
            skipped.append(inv.user_id)
            continue
        existing.add(inv.user_id)
        ctx.db.add(inv)
        added.append(inv)
    await ctx.db.flush()
    audit.record(ctx, "meeting", meeting_id, {"invited": [i.user_id for i in added]})
    if added and meeting.status != MeetingStatus.DRAFT.value:
        scheduled, _ = agenda.schedule(meeting, await agenda.items_of(ctx, meeting_id))
        targets = {i.user_id for i in added} | {i.responsible_id for i in added if i.responsible_id}
        await notify.send(
            ctx, meeting, targets, invited_message(meeting), agenda.as_text(scheduled)
        )
    clashes = await double_bookings(ctx, meeting, {i.user_id for i in added})
    return added, sorted(set(skipped)), clashes


@operation("meeting.uninvite", Permission.AUTHENTICATED)
async def uninvite(ctx: Context, meeting_id: int, invitation_id: int) -> None:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *OPEN_FOR_INVITES)
    inv = await ctx.db.get(Invitation, invitation_id)
    if inv is None or inv.meeting_id != meeting_id:
        raise NotFound(
            "invitation_not_found",
            vi="Không tìm thấy lời mời này trong cuộc họp.",
            en="No such invitation in this meeting.",
        )
    await ctx.db.delete(inv)
    audit.record(ctx, "meeting", meeting_id, {"uninvited": inv.user_id})
    if view.meeting.status != MeetingStatus.DRAFT.value:
        await notify.send(
            ctx,
            view.meeting,
            [inv.user_id],
            Message(
                "meeting.uninvited",
                f"Không còn trong danh sách mời: {view.meeting.title}",
                "Bạn không còn trong danh sách mời của cuộc họp này.",
                calendar_method="CANCEL",
                params=meeting_params(view.meeting),
            ),
        )


async def _check_substitute(
    ctx: Context, inv: Invitation, substitute_id: int, meeting_id: int
) -> User:
    person = await ctx.db.get(User, substitute_id)
    if person is None or person.disabled:
        raise NotFound(
            "user_not_found", vi="Không tìm thấy người được ủy quyền.", en="No such substitute."
        )
    problem = None
    if person.id == inv.user_id:
        problem = (
            "Không thể tự ủy quyền cho chính mình.",
            "You cannot send yourself as substitute.",
        )
    elif Role.SITE.value in person.roles:
        problem = (
            "Không thể ủy quyền cho một tài khoản điểm cầu.",
            "A site account cannot be a substitute.",
        )
    elif person.unit_id != inv.unit_id:
        problem = (
            "Người được ủy quyền phải cùng đơn vị với người được mời.",
            "The substitute must belong to the invitee's unit.",
        )
    elif any(i.user_id == person.id for i in await all_of(ctx, meeting_id)):
        problem = (
            "Người này đã có giấy mời riêng cho cuộc họp.",
            "This person is already invited.",
        )
    if problem:
        raise Invalid("bad_substitute", vi=problem[0], en=problem[1])
    return person


async def _tell_runners(ctx: Context, meeting: Meeting) -> None:
    """Organisers' and the chair's open attendance boards refresh when someone answers."""
    organisers = (
        await ctx.db.exec(
            select(MeetingOrganiser.user_id).where(MeetingOrganiser.meeting_id == meeting.id)
        )
    ).all()
    runners = {*organisers, meeting.chair_id} - {None}
    ctx.emit("invitation.answered", meeting_id=meeting.id, user_ids=sorted(runners))


@operation("meeting.answer", Permission.AUTHENTICATED)
async def answer(ctx: Context, meeting_id: int, data: AnswerIn) -> Invitation:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.ANSWER)
    meeting_access.require_status(view.meeting, *OPEN_FOR_ANSWERS)
    inv = view.invitation
    assert inv is not None  # ANSWER needs the INVITEE role, which needs an invitation
    previous_substitute = inv.substitute_id if inv.answer == Answer.DELEGATED.value else None
    substitute = None
    if data.answer == Answer.DELEGATED:
        if inv.kind == InviteeKind.SITE.value:
            raise Invalid(
                "site_cannot_delegate",
                vi="Điểm cầu xác nhận cho phòng họp; không ủy quyền.",
                en="A site confirms for its room; it does not send a substitute.",
            )
        substitute = await _check_substitute(ctx, inv, data.substitute_id or 0, meeting_id)
    inv.answer = data.answer.value
    inv.reason = data.reason if data.answer != Answer.ATTENDING else None
    inv.substitute_id = substitute.id if substitute else None
    inv.attendees = (
        [a.strip() for a in data.attendees if a.strip()]
        if inv.kind == InviteeKind.SITE.value
        else []
    )
    inv.answered_at = utcnow()
    ctx.db.add(inv)
    audit.record(
        ctx, "invitation", inv.id, {"meeting_id": meeting_id, **data.model_dump(mode="json")}
    )
    await _tell_runners(ctx, view.meeting)
    if substitute is not None and substitute.id != previous_substitute:
        await notify.send(
            ctx,
            view.meeting,
            [substitute.id or 0],
            Message(
                "meeting.substitute",
                f"Được ủy quyền dự họp: {view.meeting.title}",
                f"Bạn được ủy quyền dự “{view.meeting.title}” thay cho người được mời, "
                f"lúc {show(view.meeting.starts_at)}.",
                calendar_method="REQUEST",
                params=meeting_params(view.meeting),
            ),
        )
    return inv


@operation("meeting.substitutes", Permission.AUTHENTICATED)
async def substitute_candidates(ctx: Context, meeting_id: int) -> list[User]:
    """Who the invitee may send instead: active people of their unit not invited themselves."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.ANSWER)
    inv = view.invitation
    assert inv is not None
    invited = {i.user_id for i in await all_of(ctx, meeting_id)}
    colleagues = (
        await ctx.db.exec(
            select(User)
            .where(User.unit_id == inv.unit_id, col(User.disabled).is_(False))
            .order_by(col(User.full_name))
        )
    ).all()
    return [u for u in colleagues if u.id not in invited and Role.SITE.value not in u.roles]


@operation("meeting.attendance", Permission.AUTHENTICATED)
async def board(ctx: Context, meeting_id: int) -> list[Invitation]:
    await meeting_access.load(ctx, meeting_id, MeetingAction.ATTENDANCE)
    return await all_of(ctx, meeting_id)


@operation("meeting.remind", Permission.AUTHENTICATED)
async def remind(ctx: Context, meeting_id: int) -> int:
    """Remind everyone who has not answered yet (and a site's responsible person)."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.ATTENDANCE)
    meeting_access.require_status(view.meeting, *OPEN_FOR_ANSWERS)
    pending = [i for i in await all_of(ctx, meeting_id) if i.answer == Answer.PENDING.value]
    now = utcnow()
    for inv in pending:
        inv.reminded_at = now
        ctx.db.add(inv)
    targets = {i.user_id for i in pending} | {i.responsible_id for i in pending if i.responsible_id}
    meeting = view.meeting
    await notify.send(
        ctx,
        meeting,
        targets,
        Message(
            "meeting.reminder",
            f"Nhắc trả lời giấy mời: {meeting.title}",
            f"Xin vui lòng xác nhận tham dự “{meeting.title}” lúc {show(meeting.starts_at)}.",
            calendar_method="REQUEST",
            params=meeting_params(meeting),
        ),
    )
    audit.record(ctx, "meeting", meeting_id, {"reminded": len(pending)})
    return len(pending)
