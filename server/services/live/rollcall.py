"""Who is here: connections (join/leave), the secretary's roll-call marks, and the quorum."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select, update

from server.permissions import MeetingAction, Permission
from server.services import Context, audit, invitations, operation
from server.services.live import access
from server.services.live.events import emit_to_all, emit_to_runners
from storage.models import Answer, Invitation, InviteeKind, MeetingLive, Presence, RollCall, User
from storage.types import utcnow

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


async def quorum(ctx: Context, meeting_id: int, attendees: list[Attendee] | None = None) -> Quorum:
    attendees = attendees if attendees is not None else await board(ctx, meeting_id)
    live = await access.state_of(ctx, meeting_id)
    members = [a for a in attendees if a.kind == InviteeKind.PERSON.value and a.voting]
    present = sum(a.status in {"present_hall", "present_online"} for a in members)
    sites = [a for a in attendees if a.kind == InviteeKind.SITE.value]
    connected = sum(a.status == "present_online" for a in sites)
    rule = QUORUM_RULES.get(live.quorum_members, QUORUM_RULES["more_than_half"])
    reached = rule(present, len(members)) and connected >= live.quorum_min_sites
    return Quorum(
        live.quorum_members,
        len(members),
        present,
        len(sites),
        connected,
        live.quorum_min_sites,
        reached,
    )


async def announce_presence(ctx: Context, meeting_id: int) -> None:
    attendees = await board(ctx, meeting_id)
    emit_to_all(
        ctx, meeting_id, "quorum.changed", quorum_payload(await quorum(ctx, meeting_id, attendees))
    )
    emit_to_runners(
        ctx, meeting_id, "rollcall.changed", {"attendees": [a.__dict__ for a in attendees]}
    )


def quorum_payload(q: Quorum) -> dict[str, object]:
    return dict(q.__dict__)


@operation("live.join", Permission.AUTHENTICATED)
async def join(ctx: Context, meeting_id: int, connection: str) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.JOIN)
    access.require_live(view)
    ctx.db.add(Presence(meeting_id=meeting_id, user_id=ctx.user.user_id, connection=connection))
    audit.record(ctx, "meeting", meeting_id, {"connection": connection})
    await ctx.db.flush()
    await announce_presence(ctx, meeting_id)


async def leave(ctx: Context, connection: str) -> int | None:
    """Record that a connection closed (no permission: the server itself calls this)."""
    row = (
        await ctx.db.exec(
            select(Presence).where(
                Presence.connection == connection, col(Presence.left_at).is_(None)
            )
        )
    ).first()
    if row is None:
        return None
    row.left_at = utcnow()
    ctx.db.add(row)
    await ctx.db.flush()
    await announce_presence(ctx, row.meeting_id)
    await ctx.db.commit()
    await ctx.flush_events()
    return row.meeting_id


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
    await ctx.db.flush()
    await announce_presence(ctx, meeting_id)


@operation("live.quorum_rule", Permission.AUTHENTICATED)
async def set_rule(ctx: Context, meeting_id: int, members: str, min_sites: int) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.RUN)
    access.require_live(view)
    live: MeetingLive = await access.state_of(ctx, meeting_id)
    live.quorum_members, live.quorum_min_sites = members, min_sites
    live.version += 1
    ctx.db.add(live)
    audit.record(ctx, "meeting", meeting_id, {"quorum": members, "min_sites": min_sites})
    await ctx.db.flush()
    await announce_presence(ctx, meeting_id)
