"""The floor: requests to speak (đăng ký phát biểu), the chair's queue, timed speeches."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, func, select, update

from server.errors import Conflict, Invalid, NotFound
from server.permissions import MeetingAction, MeetingRole, Permission
from server.services import Context, audit, operation, users
from server.services.live import access
from server.services.live.events import emit_to_all, emit_to_runners
from storage.models import InviteeKind, SpeechRequest
from storage.types import utcnow

WAITING, SPEAKING, DONE, WITHDRAWN = "waiting", "speaking", "done", "withdrawn"


async def queue(ctx: Context, meeting_id: int) -> list[SpeechRequest]:
    """Waiting and speaking requests: the speaker first, then the queue in the chair's order."""
    rows = (
        await ctx.db.exec(
            select(SpeechRequest)
            .where(
                SpeechRequest.meeting_id == meeting_id,
                col(SpeechRequest.status).in_([WAITING, SPEAKING]),
            )
            .order_by(col(SpeechRequest.rank), col(SpeechRequest.id))
        )
    ).all()
    return sorted(rows, key=lambda r: r.status != SPEAKING)


async def history(ctx: Context, meeting_id: int) -> list[SpeechRequest]:
    rows = await ctx.db.exec(
        select(SpeechRequest)
        .where(SpeechRequest.meeting_id == meeting_id, SpeechRequest.status == DONE)
        .order_by(col(SpeechRequest.started_at))
    )
    return list(rows.all())


async def payload(ctx: Context, rows: list[SpeechRequest]) -> list[dict[str, object]]:
    people = await users.directory(ctx, {r.user_id for r in rows})
    names = await users.unit_names(ctx)
    return [
        {
            "id": r.id,
            "user_id": r.user_id,
            "name": people[r.user_id].full_name if r.user_id in people else "?",
            "unit_name": names.get(r.unit_id, ""),
            "is_site": r.is_site,
            "topic": r.topic,
            "position": r.position,
            "status": r.status,
            "requested_at": r.requested_at.isoformat(),
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "ends_at": r.ends_at.isoformat() if r.ends_at else None,
            "item_id": r.item_id,
        }
        for r in rows
    ]


async def _announce(ctx: Context, meeting_id: int) -> None:
    emit_to_all(
        ctx, meeting_id, "floor.queue", {"queue": await payload(ctx, await queue(ctx, meeting_id))}
    )


async def _request(ctx: Context, meeting_id: int, request_id: int) -> SpeechRequest:
    row = await ctx.db.get(SpeechRequest, request_id)
    if row is None or row.meeting_id != meeting_id:
        raise NotFound(
            "speech_request_not_found",
            vi="Không tìm thấy lượt đăng ký phát biểu này.",
            en="No such request to speak.",
        )
    return row


@operation("live.request_floor", Permission.AUTHENTICATED)
async def request(ctx: Context, meeting_id: int, topic: str, position: str) -> SpeechRequest:
    view = await access.load(ctx, meeting_id, MeetingAction.SPEAK)
    access.require_live(view)
    mine = [r for r in await queue(ctx, meeting_id) if r.user_id == ctx.user.user_id]
    if mine:
        raise Conflict(
            "already_in_queue",
            vi="Bạn đã đăng ký phát biểu; hãy chờ đến lượt.",
            en="You are already in the queue to speak.",
        )
    last = (
        await ctx.db.exec(
            select(func.max(SpeechRequest.rank)).where(SpeechRequest.meeting_id == meeting_id)
        )
    ).one()
    live = await access.state_of(ctx, meeting_id)
    is_site = view.invitation is not None and view.invitation.kind == InviteeKind.SITE.value
    row = SpeechRequest(
        meeting_id=meeting_id,
        item_id=live.current_item_id,
        user_id=ctx.user.user_id,
        unit_id=ctx.user.unit_id,
        is_site=is_site,
        topic=topic,
        position=position,
        rank=(last or 0) + 1,
    )
    ctx.db.add(row)
    await ctx.db.flush()
    audit.record(ctx, "speech_request", row.id, {"meeting_id": meeting_id, "topic": topic})
    await _announce(ctx, meeting_id)
    return row


@operation("live.withdraw_request", Permission.AUTHENTICATED)
async def withdraw(ctx: Context, meeting_id: int, request_id: int) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.READ)
    row = await _request(ctx, meeting_id, request_id)
    if row.user_id != ctx.user.user_id and MeetingRole.CHAIR not in view.roles:
        raise access.meeting_access.refusal(MeetingAction.CHAIR, view.roles)
    if row.status != WAITING:
        raise Conflict(
            "not_waiting",
            vi="Lượt này không còn trong hàng chờ.",
            en="This request is no longer waiting.",
        )
    row.status = WITHDRAWN
    ctx.db.add(row)
    audit.record(ctx, "speech_request", request_id)
    await ctx.db.flush()
    await _announce(ctx, meeting_id)


@operation("live.reorder_floor", Permission.AUTHENTICATED)
async def reorder(ctx: Context, meeting_id: int, request_ids: list[int]) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view)
    waiting = {r.id or 0: r for r in await queue(ctx, meeting_id) if r.status == WAITING}
    if sorted(request_ids) != sorted(waiting):
        raise Invalid(
            "queue_changed",
            vi="Hàng chờ vừa thay đổi; hãy xem lại và sắp xếp lại.",
            en="The queue has just changed; look again and reorder.",
        )
    for rank, request_id in enumerate(request_ids, start=1):
        waiting[request_id].rank = rank
        ctx.db.add(waiting[request_id])
    audit.record(ctx, "meeting", meeting_id, {"floor_order": request_ids})
    await ctx.db.flush()
    await _announce(ctx, meeting_id)


async def _finish_current(ctx: Context, meeting_id: int) -> SpeechRequest | None:
    current = next((r for r in await queue(ctx, meeting_id) if r.status == SPEAKING), None)
    if current is not None:
        current.status, current.ended_at = DONE, utcnow()
        ctx.db.add(current)
    return current


@operation("live.give_floor", Permission.AUTHENTICATED)
async def give(ctx: Context, meeting_id: int, request_id: int, seconds: int) -> SpeechRequest:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view, running=True)
    row = await _request(ctx, meeting_id, request_id)
    if row.status != WAITING:
        raise Conflict(
            "not_waiting",
            vi="Lượt này không còn trong hàng chờ.",
            en="This request is no longer waiting.",
        )
    previous = await _finish_current(ctx, meeting_id)
    now = utcnow()
    row.status, row.started_at, row.ends_at = SPEAKING, now, now + timedelta(seconds=seconds)
    ctx.db.add(row)
    audit.record(ctx, "speech_request", request_id, {"seconds": seconds})
    await ctx.db.flush()
    speaker = (await payload(ctx, [row]))[0]
    # The media plane listens for floor.changed: it opens this site's microphone.
    ctx.emit(
        "floor.changed",
        meeting_id=meeting_id,
        speaker_user_id=row.user_id,
        previous_user_id=previous.user_id if previous else None,
    )
    emit_to_all(ctx, meeting_id, "floor.granted", {"speaker": speaker})
    await _announce(ctx, meeting_id)
    return row


@operation("live.end_floor", Permission.AUTHENTICATED)
async def end(ctx: Context, meeting_id: int) -> None:
    view = await access.load(ctx, meeting_id, MeetingAction.CHAIR)
    access.require_live(view)
    previous = await _finish_current(ctx, meeting_id)
    if previous is None:
        raise Conflict(
            "nobody_speaking", vi="Hiện không có ai đang phát biểu.", en="Nobody has the floor."
        )
    audit.record(ctx, "speech_request", previous.id)
    await ctx.db.flush()
    ctx.emit(
        "floor.changed",
        meeting_id=meeting_id,
        speaker_user_id=None,
        previous_user_id=previous.user_id,
    )
    emit_to_all(ctx, meeting_id, "floor.ended", {"request_id": previous.id})
    await _announce(ctx, meeting_id)


async def finish_on_end(ctx: Context, meeting_id: int) -> None:
    """The meeting ended: whoever spoke is done, and nobody is left waiting."""
    for row in await queue(ctx, meeting_id):
        row.status = DONE if row.status == SPEAKING else WITHDRAWN
        row.ended_at = utcnow()
        ctx.db.add(row)


async def tell_time_up(ctx: Context) -> list[int]:
    """Tell the chair about speeches whose time ran out (each once, whichever process sees it)."""
    due = (
        await ctx.db.exec(
            select(SpeechRequest).where(
                SpeechRequest.status == SPEAKING,
                col(SpeechRequest.time_up_told).is_(False),
                col(SpeechRequest.ends_at) <= utcnow(),
            )
        )
    ).all()
    told = []
    for row in due:
        claimed = await ctx.db.exec(
            update(SpeechRequest)
            .where(col(SpeechRequest.id) == row.id, col(SpeechRequest.time_up_told).is_(False))
            .values(time_up_told=True)
        )
        if claimed.rowcount:
            told.append(row.id or 0)
            speaker = (await payload(ctx, [row]))[0]
            emit_to_runners(ctx, row.meeting_id, "floor.time_up", {"speaker": speaker})
            ctx.emit("floor.time_up", meeting_id=row.meeting_id, speaker_user_id=row.user_id)
    await ctx.db.commit()
    await ctx.flush_events()
    return told
