"""What is on the stage: the current agenda item, the presented page and pointer,
announcements, and the conclusions the secretary types."""

from __future__ import annotations

from sqlmodel import col, select

from server.errors import NotFound
from server.permissions import MeetingAction, Permission
from server.services import Context, audit, operation
from server.services.live import access, presentable
from server.services.live.events import emit_to_all, emit_to_runners
from storage.models import AgendaItem, AgendaItemClock, Announcement, Conclusion, MeetingStatus
from storage.types import utcnow


async def _item(ctx: Context, meeting_id: int, item_id: int) -> AgendaItem:
    item = await ctx.db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id or item.withdrawn:
        raise NotFound(
            "agenda_item_not_found",
            vi="Không có mục này trong chương trình.",
            en="No such agenda item in this meeting.",
        )
    return item


async def _stop_clock(ctx: Context, meeting_id: int) -> None:
    running = (
        await ctx.db.exec(
            select(AgendaItemClock).where(
                AgendaItemClock.meeting_id == meeting_id, col(AgendaItemClock.ended_at).is_(None)
            )
        )
    ).all()
    for clock in running:
        clock.ended_at = utcnow()
        ctx.db.add(clock)


@operation("live.go_to_item", Permission.AUTHENTICATED)
async def go_to_item(ctx: Context, meeting_id: int, item_id: int) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view, running=True)
    item = await _item(ctx, meeting_id, item_id)
    await _stop_clock(ctx, meeting_id)
    now = utcnow()
    ctx.db.add(AgendaItemClock(meeting_id=meeting_id, item_id=item_id, started_at=now))
    live = await access.state_of(ctx, meeting_id)
    live.current_item_id, live.item_started_at = item_id, now
    live.version += 1
    ctx.db.add(live)
    audit.record(ctx, "meeting", meeting_id, {"current_item_id": item_id})
    emit_to_all(
        ctx,
        meeting_id,
        "agenda.current",
        {
            "item_id": item_id,
            "title": item.title,
            "started_at": now.isoformat(),
            "planned_minutes": item.duration_minutes,
            "presenter_id": item.presenter_id,
            "version": live.version,
        },
    )


async def stop_clock_on_end(ctx: Context, meeting_id: int) -> None:
    """When the meeting ends, the running item's clock stops too."""
    await _stop_clock(ctx, meeting_id)


@operation("live.present", Permission.AUTHENTICATED)
async def present(ctx: Context, meeting_id: int, document_id: int, page: int) -> int:
    """Show a page on every following screen. Only a few bytes cross the network."""
    view = await access.load(ctx, meeting_id, MeetingAction.PRESENT)
    access.require_live(view)
    await presentable.check_presentable(ctx, meeting_id, document_id, page)
    live = await access.state_of(ctx, meeting_id)
    live.presenter_id, live.document_id, live.page, live.pointer = (
        ctx.user.user_id,
        document_id,
        page,
        None,
    )
    live.version += 1
    ctx.db.add(live)
    emit_to_all(
        ctx,
        meeting_id,
        "page.changed",
        {
            "document_id": document_id,
            "page": page,
            "presenter_id": ctx.user.user_id,
            "version": live.version,
        },
    )
    return live.version


@operation("live.pointer", Permission.AUTHENTICATED)
async def point(ctx: Context, meeting_id: int, x: float, y: float) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.PRESENT)
    access.require_live(view)
    live = await access.state_of(ctx, meeting_id)
    live.pointer = {"x": x, "y": y}
    ctx.db.add(live)
    emit_to_all(
        ctx,
        meeting_id,
        "pointer.moved",
        {"x": x, "y": y, "page": live.page, "document_id": live.document_id},
    )


@operation("live.announce", Permission.AUTHENTICATED)
async def announce(ctx: Context, meeting_id: int, text: str) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view)
    note = Announcement(meeting_id=meeting_id, text=text, by=ctx.user.user_id)
    ctx.db.add(note)
    await ctx.db.flush()
    audit.record(ctx, "meeting", meeting_id, {"announcement": text})
    emit_to_all(
        ctx, meeting_id, "announcement", {"id": note.id, "text": text, "at": note.at.isoformat()}
    )


@operation("live.conclude", Permission.AUTHENTICATED)
async def conclude(ctx: Context, meeting_id: int, item_id: int, text: str) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.CONCLUDE)
    # The secretary may finish typing after the chair closes the meeting.
    if view.meeting.status not in {MeetingStatus.IN_PROGRESS.value, MeetingStatus.ENDED.value}:
        access.require_live(view, running=True)
    await _item(ctx, meeting_id, item_id)
    row = await ctx.db.get(Conclusion, (meeting_id, item_id))
    if row is None:
        row = Conclusion(meeting_id=meeting_id, item_id=item_id, updated_by=ctx.user.user_id)
    row.text, row.updated_by, row.updated_at = text, ctx.user.user_id, utcnow()
    ctx.db.add(row)
    audit.record(ctx, "conclusion", f"{meeting_id}/{item_id}", {"length": len(text)})
    emit_to_runners(ctx, meeting_id, "conclusion.saved", {"item_id": item_id, "text": text})


@operation("live.conclusions", Permission.AUTHENTICATED)
async def conclusions(ctx: Context, meeting_id: int) -> list[Conclusion]:
    await access.load(ctx, meeting_id, MeetingAction.READ_CONCLUSIONS)
    return list(
        (await ctx.db.exec(select(Conclusion).where(Conclusion.meeting_id == meeting_id))).all()
    )
