"""The full picture a client reads when it (re)connects; events then keep it current."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from server.permissions import MeetingAction, Permission, may
from server.services import Context, agenda, operation
from server.services.live import access, floor, rollcall, votes
from storage.models import AgendaItemClock, Announcement, Conclusion

# Enough recent announcements to catch up after a reconnect, not the whole day's history.
RECENT_ANNOUNCEMENTS = 5


async def _clocks(ctx: Context, meeting_id: int) -> dict[int, dict[str, Any]]:
    rows = (
        await ctx.db.exec(select(AgendaItemClock).where(AgendaItemClock.meeting_id == meeting_id))
    ).all()
    used: dict[int, dict[str, Any]] = {}
    for clock in rows:
        entry = used.setdefault(clock.item_id, {"seconds": 0.0, "running_since": None})
        if clock.ended_at is None:
            entry["running_since"] = clock.started_at.isoformat()
        else:
            entry["seconds"] += (clock.ended_at - clock.started_at).total_seconds()
    return used


@operation("live.snapshot", Permission.AUTHENTICATED)
async def snapshot(ctx: Context, meeting_id: int) -> dict[str, Any]:
    view = await access.load(ctx, meeting_id, MeetingAction.READ)
    meeting = view.meeting
    live = await access.state_of(ctx, meeting_id)
    scheduled, planned_end = agenda.schedule(meeting, await agenda.items_of(ctx, meeting_id))
    clocks = await _clocks(ctx, meeting_id)
    runner = may(view.roles, MeetingAction.READ_CONCLUSIONS)
    # The whole board only for those who see it; everyone else's quorum is counted.
    attendees = await rollcall.board(ctx, meeting_id) if runner else None
    current_vote = await votes.open_vote(ctx, meeting_id)
    last_closed = (
        await ctx.db.exec(
            select(votes.Vote)
            .where(votes.Vote.meeting_id == meeting_id, votes.Vote.status == votes.CLOSED)
            .order_by(col(votes.Vote.id).desc())
        )
    ).first()
    notes = (
        await ctx.db.exec(
            select(Announcement)
            .where(Announcement.meeting_id == meeting_id)
            .order_by(col(Announcement.id).desc())
            .limit(RECENT_ANNOUNCEMENTS)
        )
    ).all()
    out: dict[str, Any] = {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "status": meeting.status,
            "starts_at": meeting.starts_at.isoformat(),
            "planned_end": planned_end.isoformat(),
            "chair_id": meeting.chair_id,
        },
        "my_roles": sorted(r.value for r in view.roles),
        "version": live.version,
        "stage": {
            "current_item_id": live.current_item_id,
            "item_started_at": live.item_started_at.isoformat() if live.item_started_at else None,
            "document_id": live.document_id,
            "page": live.page,
            "presenter_id": live.presenter_id,
            "pointer": live.pointer,
        },
        "agenda": [
            {
                "id": e.item.id,
                "number": e.number,
                "title": e.item.title,
                "parent_id": e.item.parent_id,
                "presenter_id": e.item.presenter_id,
                "presenter_name": e.item.presenter_name,
                "planned_minutes": e.item.duration_minutes,
                "planned_start": e.planned_start.isoformat() if e.planned_start else None,
                "used": clocks.get(e.item.id or 0, {"seconds": 0.0, "running_since": None}),
            }
            for e in scheduled
            if e.planned_start is not None
        ],
        "quorum": rollcall.quorum_payload(await rollcall.quorum(ctx, meeting_id, attendees)),
        "floor": {"queue": await floor.payload(ctx, await floor.queue(ctx, meeting_id))},
        "vote": None,
        "last_vote": votes.summary(last_closed, sum((last_closed.results or {}).values()))
        if last_closed
        else None,
        "announcements": [{"id": n.id, "text": n.text, "at": n.at.isoformat()} for n in notes],
    }
    if current_vote is not None:
        out["vote"] = votes.summary(current_vote, await votes.cast_count(ctx, current_vote))
        out["vote"]["my_ballot"] = await votes.my_ballot(ctx, view, current_vote)
    if attendees is not None:
        out["attendees"] = [a.__dict__ for a in attendees]
        rows = (
            await ctx.db.exec(select(Conclusion).where(Conclusion.meeting_id == meeting_id))
        ).all()
        out["conclusions"] = {str(c.item_id): c.text for c in rows}
        out["speeches"] = await floor.payload(ctx, await floor.history(ctx, meeting_id))
    return out
