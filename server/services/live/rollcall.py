"""Who is here: connections (join/leave), the secretary's roll-call marks, and the quorum."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select, update

from server.permissions import MeetingAction, MeetingRole, Permission
from server.services import Context, audit, invitations, operation
from server.services.live import access
from server.services.live.events import emit_to_all, emit_to_runners, presence_changed
from storage.models import Answer, Invitation, InviteeKind, MeetingLive, Presence, RollCall, User
from storage.types import utcnow

log = logging.getLogger("ecabinet.rollcall")

T = TypeVar("T")

# SQLite answers "database is locked" when a write waited past busy_timeout, or at once when a
# transaction that read first cannot start writing (WAL: someone else committed meanwhile). A
# join or leave that fails so would leave the roll-call wrong, so it is tried again.
LOCKED_ATTEMPTS = 6

QUORUM_RULES = {
    "more_than_half": lambda present, total: present * 2 > total,
    "two_thirds": lambda present, total: present * 3 >= total * 2,
    "none": lambda present, total: True,
}


@dataclass
class Attendee:
    invitation_id: int
    user_id: int
    name: str
    kind: str  # person / site
    unit_id: int
    voting: bool
    status: str  # present_hall / present_online / absent / not_yet
    reason: str | None = None
    substitute_id: int | None = None
    sitting: list[str] = field(default_factory=list)  # a site's people in the room


@dataclass
class Quorum:
    rule: str
    members_total: int
    members_present: int
    sites_total: int
    sites_connected: int
    min_sites: int
    reached: bool


async def connected_users(ctx: Context, meeting_id: int) -> set[int]:
    rows = await ctx.db.exec(
        select(Presence.user_id).where(
            Presence.meeting_id == meeting_id, col(Presence.left_at).is_(None)
        )
    )
    return set(rows.all())


def _status(
    inv: Invitation, online: set[int], marks: dict[int, RollCall]
) -> tuple[str, str | None]:
    people = [inv.user_id] + (
        [inv.substitute_id] if inv.substitute_id and inv.answer == Answer.DELEGATED.value else []
    )
    if any(p in online for p in people):
        return "present_online", None
    mark = next((marks[p] for p in people if p in marks), None)
    if mark is not None and mark.status == "present_hall":
        return "present_hall", None
    if mark is not None and mark.status == "absent":
        return "absent", mark.reason
    if inv.answer == Answer.DECLINED.value:
        return "absent", inv.reason
    return "not_yet", None


async def board(ctx: Context, meeting_id: int) -> list[Attendee]:
    online = await connected_users(ctx, meeting_id)
    marks = {
        m.user_id: m
        for m in (
            await ctx.db.exec(select(RollCall).where(RollCall.meeting_id == meeting_id))
        ).all()
    }
    rows = await invitations.all_of(ctx, meeting_id)
    names = {
        u.id: u.full_name
        for u in (
            await ctx.db.exec(select(User).where(col(User.id).in_([r.user_id for r in rows])))
        ).all()
    }
    out = []
    for inv in rows:
        status, reason = _status(inv, online, marks)
        out.append(
            Attendee(
                inv.id or 0,
                inv.user_id,
                names.get(inv.user_id, "?"),
                inv.kind,
                inv.unit_id,
                inv.voting,
                status,
                reason,
                inv.substitute_id,
                list(inv.attendees),
            )
        )
    return out


async def _counts(ctx: Context, meeting_id: int) -> tuple[int, int, int, int]:
    """(members, members present, sites, sites connected) in one counting query: the same
    statuses as `_status`, without loading the board."""

    def online(user: Any) -> ColumnElement[bool]:
        return exists().where(
            col(Presence.meeting_id) == meeting_id,
            col(Presence.user_id) == user,
            col(Presence.left_at).is_(None),
        )

    def marked(user: Any, status: str | None = None) -> ColumnElement[bool]:
        found = exists().where(
            col(RollCall.meeting_id) == meeting_id, col(RollCall.user_id) == user
        )
        return found.where(col(RollCall.status) == status) if status else found

    user, substitute = col(Invitation.user_id), col(Invitation.substitute_id)
    delegated = and_(substitute.is_not(None), col(Invitation.answer) == Answer.DELEGATED.value)
    connected = or_(online(user), and_(delegated, online(substitute)))
    in_hall = or_(
        marked(user, "present_hall"),
        and_(delegated, not_(marked(user)), marked(substitute, "present_hall")),
    )
    member = and_(
        col(Invitation.kind) == InviteeKind.PERSON.value, col(Invitation.voting).is_(True)
    )
    site = col(Invitation.kind) == InviteeKind.SITE.value

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = (
        await ctx.db.exec(
            select(
                count(member),
                count(and_(member, or_(connected, in_hall))),
                count(site),
                count(and_(site, connected)),
            ).where(col(Invitation.meeting_id) == meeting_id)
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def quorum(ctx: Context, meeting_id: int, attendees: list[Attendee] | None = None) -> Quorum:
    """From the board when there is one at hand; otherwise counted by the database."""
    if attendees is not None:
        members = [a for a in attendees if a.kind == InviteeKind.PERSON.value and a.voting]
        sites = [a for a in attendees if a.kind == InviteeKind.SITE.value]
        counts = (
            len(members),
            sum(a.status in {"present_hall", "present_online"} for a in members),
            len(sites),
            sum(a.status == "present_online" for a in sites),
        )
    else:
        counts = await _counts(ctx, meeting_id)
    members_total, present, sites_total, connected = counts
    # Read, never created here: an announcement only reads (the defaults are the model's).
    live = await ctx.db.get(MeetingLive, meeting_id) or MeetingLive(meeting_id=meeting_id)
    rule = QUORUM_RULES.get(live.quorum_members, QUORUM_RULES["more_than_half"])
    reached = rule(present, members_total) and connected >= live.quorum_min_sites
    return Quorum(
        live.quorum_members,
        members_total,
        present,
        sites_total,
        connected,
        live.quorum_min_sites,
        reached,
    )


async def announce_presence(ctx: Context, meeting_id: int) -> None:
    """Everyone's quorum and the runners' board, as they are now (reads only). Joins, leaves
    and marks ask for it with `presence_changed`; the realtime layer decides when it runs."""
    attendees = await board(ctx, meeting_id)
    emit_to_all(
        ctx, meeting_id, "quorum.changed", quorum_payload(await quorum(ctx, meeting_id, attendees))
    )
    emit_to_runners(
        ctx, meeting_id, "rollcall.changed", {"attendees": [a.__dict__ for a in attendees]}
    )


def _locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig)


async def _when_locked_retry(what: str, attempt: Callable[[], Awaitable[T]]) -> T:
    for n in range(LOCKED_ATTEMPTS):
        try:
            return await attempt()
        except OperationalError as exc:
            if not _locked(exc) or n == LOCKED_ATTEMPTS - 1:
                raise
            log.warning("database locked, trying again", extra={"what": what, "attempt": n + 1})
        await asyncio.sleep(0.05 * 2**n * (0.5 + random.random()))  # jitter
    raise AssertionError("unreachable")


def quorum_payload(q: Quorum) -> dict[str, object]:
    return dict(q.__dict__)


@operation("live.join", Permission.AUTHENTICATED)
async def _join(ctx: Context, meeting_id: int, connection: str) -> frozenset[MeetingRole]:
    view = await access.load(ctx, meeting_id, MeetingAction.JOIN)
    access.require_live(view)
    # End the reading transaction: the write below is a short one of its own (on SQLite it
    # then waits for the write lock instead of failing because someone wrote since the read).
    await ctx.db.commit()
    ctx.db.add(Presence(meeting_id=meeting_id, user_id=ctx.user.user_id, connection=connection))
    audit.record(ctx, "meeting", meeting_id, {"connection": connection})
    presence_changed(ctx, meeting_id)
    return view.roles


async def join(ctx: Context, meeting_id: int, connection: str) -> frozenset[MeetingRole]:
    """Record a connection to the meeting room; the joiner's roles in the meeting."""
    return await _when_locked_retry("join", lambda: _join(ctx, meeting_id, connection))


async def leave(ctx: Context, connection: str) -> int | None:
    """Record that a connection closed (no permission: the server itself calls this). Tried
    again while SQLite is locked: a presence left open would show the person as still here."""

    async def once() -> int | None:
        try:
            closed = (
                await ctx.db.exec(
                    update(Presence)
                    .where(col(Presence.connection) == connection, col(Presence.left_at).is_(None))
                    .values(left_at=utcnow())
                    .returning(col(Presence.meeting_id))
                )
            ).all()
            await ctx.db.commit()
        except BaseException:
            await ctx.db.rollback()
            raise
        return int(closed[0][0]) if closed else None

    meeting_id = await _when_locked_retry("leave", once)
    if meeting_id is not None:
        presence_changed(ctx, meeting_id)
        await ctx.flush_events()
    return meeting_id


async def close_stale(ctx: Context, instance: str) -> int:
    """At start-up: connections this server instance held before it stopped are gone."""
    result = await ctx.db.exec(
        update(Presence)
        .where(col(Presence.connection).startswith(f"{instance}/"), col(Presence.left_at).is_(None))
        .values(left_at=utcnow())
    )
    await ctx.db.commit()
    return int(result.rowcount or 0)


@operation("live.roll_call", Permission.AUTHENTICATED)
async def mark(
    ctx: Context, meeting_id: int, user_id: int, status: str, reason: str | None
) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.ROLL_CALL)
    access.require_live(view)
    invited = {i.user_id for i in await invitations.all_of(ctx, meeting_id)}
    invited |= {
        i.substitute_id for i in await invitations.all_of(ctx, meeting_id) if i.substitute_id
    }
    if user_id not in invited:
        from server.errors import NotFound

        raise NotFound(
            "not_invited",
            vi="Người này không có trong danh sách mời.",
            en="This person is not invited.",
        )
    current = await ctx.db.get(RollCall, (meeting_id, user_id))
    if current is not None:
        await ctx.db.delete(current)
        await ctx.db.flush()
    if status != "clear":
        ctx.db.add(
            RollCall(
                meeting_id=meeting_id,
                user_id=user_id,
                status=status,
                reason=reason,
                marked_by=ctx.user.user_id,
            )
        )
    audit.record(
        ctx, "meeting", meeting_id, {"user_id": user_id, "status": status, "reason": reason}
    )
    presence_changed(ctx, meeting_id, at_once=True)


@operation("live.quorum_rule", Permission.AUTHENTICATED)
async def set_rule(ctx: Context, meeting_id: int, members: str, min_sites: int) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.RUN)
    access.require_live(view)
    live: MeetingLive = await access.state_of(ctx, meeting_id)
    live.quorum_members, live.quorum_min_sites = members, min_sites
    live.version += 1
    ctx.db.add(live)
    audit.record(ctx, "meeting", meeting_id, {"quorum": members, "min_sites": min_sites})
    presence_changed(ctx, meeting_id, at_once=True)
