"""The first draft of the minutes, from what the meeting recorded: attendance, agenda,
documents, speeches, votes (names only for open votes) and the conclusions typed live."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import col, select

from server.services import Context, agenda, invitations, users
from server.services.live import floor, rollcall, votes
from server.services.users import Person as Directory
from server.timezone import local
from storage.minutes import (
    AgendaItem,
    Attendee,
    Heading,
    Minutes,
    Person,
    Presence,
    Speech,
    Vote,
    VoteOption,
)
from storage.models import (
    AuditEntry,
    Ballot,
    Conclusion,
    Document,
    Meeting,
    MeetingOrganiser,
    Unit,
    UnitKind,
)
from storage.models import (
    Presence as PresenceRow,
)

POSITIONS = {"for": "Tán thành", "against": "Không tán thành", "question": "Đặt câu hỏi"}
PLACE_PREFIXES = ("thành phố ", "thị xã ", "huyện ", "tỉnh ", "quận ", "phường ", "xã ")


async def issuing_unit(ctx: Context, meeting: Meeting) -> Unit:
    """The People's Committee that issues the minutes: the host unit, or the nearest above."""
    unit = await ctx.db.get(Unit, meeting.host_unit_id)
    assert unit is not None
    current: Unit | None = unit
    while current is not None and current.kind != UnitKind.HOST.value:
        current = await ctx.db.get(Unit, current.parent_id) if current.parent_id else None
    return current or unit


def place_name(unit_name: str) -> str:
    """ "Ủy ban nhân dân huyện Châu Thành" -> "Châu Thành" (the địa danh of the date line)."""
    lowered = unit_name.lower()
    for prefix in PLACE_PREFIXES:
        at = lowered.find(prefix)
        if at >= 0:
            return unit_name[at + len(prefix) :].strip()
    return unit_name


def person(entry: Directory | None) -> Person:
    return Person(entry.full_name, entry.title or "", entry.unit_name) if entry else Person("")


async def _actual_times(ctx: Context, meeting: Meeting) -> tuple[datetime, datetime | None]:
    rows = (
        await ctx.db.exec(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "meeting",
                AuditEntry.object_id == str(meeting.id),
                col(AuditEntry.action).in_(["meeting.start", "meeting.end"]),
            )
            .order_by(col(AuditEntry.id))
        )
    ).all()
    started = next((r.at for r in rows if r.action == "meeting.start"), meeting.starts_at)
    ended = next((r.at for r in reversed(rows) if r.action == "meeting.end"), None)
    return started, ended


async def _attendees(
    ctx: Context, meeting: Meeting, people: dict[int, Directory]
) -> list[Attendee]:
    out = []
    unit_names = await users.unit_names(ctx)
    by_id = {i.id: i for i in await invitations.all_of(ctx, meeting.id or 0)}
    # Who joined at any time during the meeting (the board shows who is connected now).
    joined = set(
        (
            await ctx.db.exec(
                select(PresenceRow.user_id).where(PresenceRow.meeting_id == meeting.id)
            )
        ).all()
    )
    for entry in await rollcall.board(ctx, meeting.id or 0):
        inv = by_id.get(entry.invitation_id)
        who = people.get(entry.user_id)
        took_part = {entry.user_id, (inv.substitute_id if inv else None) or 0} & joined
        status = "present_online" if took_part and entry.status == "not_yet" else entry.status
        if entry.status == "absent" and took_part:
            status = "present_online"
        presence = {"present_hall": Presence.HALL, "present_online": Presence.ONLINE}.get(
            status, Presence.ABSENT
        )
        # The layout writes "không rõ lý do" itself when no reason was given.
        reason = (entry.reason or "") if presence is Presence.ABSENT else ""
        if entry.kind == "site":
            sitting = ", ".join(entry.sitting)
            out.append(
                Attendee(
                    name=f"Điểm cầu {unit_names.get(entry.unit_id, '')}",
                    unit=sitting,
                    presence=presence,
                    site=unit_names.get(entry.unit_id, ""),
                    absence_reason=reason,
                )
            )
            continue
        if inv is not None and inv.substitute_id and presence is not Presence.ABSENT:
            deputy = people.get(inv.substitute_id)
            out.append(
                Attendee(
                    name=deputy.full_name if deputy else "?",
                    title=(deputy.title or "") if deputy else "",
                    unit=deputy.unit_name if deputy else "",
                    presence=presence,
                    substitute_for=person(who).described,
                )
            )
            continue
        out.append(
            Attendee(
                name=who.full_name if who else "?",
                title=(who.title or "") if who else "",
                unit=who.unit_name if who else "",
                presence=presence,
                absence_reason=reason,
            )
        )
    return out


async def _votes(
    ctx: Context, meeting_id: int, people: dict[int, Directory], unit_names: dict[int, str]
) -> dict[int | None, list[Vote]]:
    by_item: dict[int | None, list[Vote]] = defaultdict(list)
    for vote, ballots in await votes.closed_votes(ctx, meeting_id):
        names: dict[str, list[str]] = defaultdict(list)
        for ballot in ballots:
            kind, raw = ballot.voter_key.split(":", 1)
            who = (
                unit_names.get(int(raw), raw)
                if kind == "site"
                else (people[int(raw)].full_name if int(raw) in people else raw)
            )
            names[ballot.choice].append(who)
        options = [
            VoteOption(
                option,
                (vote.results or {}).get(option, 0),
                [] if vote.secret else sorted(names.get(option, [])),
            )
            for option in vote.options
        ]
        by_item[vote.item_id].append(
            Vote(vote.question, options, secret=vote.secret, eligible=vote.eligible)
        )
    return by_item


async def draft_minutes(ctx: Context, meeting: Meeting) -> Minutes:
    """Everything the meeting recorded, as a `Minutes` the secretary then edits."""
    mid = meeting.id or 0
    organisers = (
        await ctx.db.exec(
            select(MeetingOrganiser.user_id).where(MeetingOrganiser.meeting_id == mid)
        )
    ).all()
    rows = await invitations.all_of(ctx, mid)
    invited = {i.user_id for i in rows} | {i.substitute_id or 0 for i in rows}
    speeches = await floor.history(ctx, mid)
    ballots_people: set[int] = set()
    for row in (
        await ctx.db.exec(
            select(Ballot.voter_key)
            .join(votes.Vote, col(votes.Vote.id) == Ballot.vote_id)
            .where(votes.Vote.meeting_id == mid)
        )
    ).all():
        if row.startswith("user:"):
            ballots_people.add(int(row.split(":")[1]))
    people = await users.directory(
        ctx,
        {
            meeting.chair_id or 0,
            *organisers,
            *invited,
            *ballots_people,
            *(s.user_id for s in speeches),
        },
    )
    unit_names = await users.unit_names(ctx)
    issuer = await issuing_unit(ctx, meeting)
    started, ended = await _actual_times(ctx, meeting)
    scheduled, _ = agenda.schedule(meeting, await agenda.items_of(ctx, mid))
    conclusions = {
        c.item_id: c.text
        for c in (await ctx.db.exec(select(Conclusion).where(Conclusion.meeting_id == mid))).all()
    }
    documents = (
        await ctx.db.exec(
            select(Document)
            .where(Document.meeting_id == mid, col(Document.withdrawn_at).is_(None))
            .order_by(col(Document.position))
        )
    ).all()
    by_item_votes = await _votes(ctx, mid, people, unit_names)
    items = []
    for entry in (e for e in scheduled if e.planned_start is not None):
        item = entry.item
        items.append(
            AgendaItem(
                title=item.title,
                presenter=Person(item.presenter_name) if item.presenter_name else None,
                documents=[d.title for d in documents if d.agenda_item_id == item.id],
                speeches=[
                    Speech(
                        speaker=(people[s.user_id].full_name if s.user_id in people else "?"),
                        unit=unit_names.get(s.unit_id, ""),
                        at=local(s.started_at).time().replace(second=0, microsecond=0)
                        if s.started_at
                        else None,
                        topic=s.topic,
                        position=POSITIONS.get(s.position, ""),
                    )
                    for s in speeches
                    if s.item_id == item.id
                ],
                votes=by_item_votes.get(item.id, []),
                conclusion=conclusions.get(item.id or 0, ""),
            )
        )
    return Minutes(
        heading=Heading(
            unit=issuer.name,
            number="",
            symbol="BB-UBND",
            place=place_name(issuer.name),
            issued_on=local(ended or started).date(),
        ),
        title=meeting.title,
        meeting_date=local(started).date(),
        starts_at=local(started).time().replace(second=0, microsecond=0),
        ends_at=local(ended).time().replace(second=0, microsecond=0) if ended else None,
        location=meeting.location,
        chair=person(people.get(meeting.chair_id or 0)),
        secretary=person(people.get(organisers[0])) if organisers else Person(""),
        attendees=await _attendees(ctx, meeting, people),
        items=items,
    )
