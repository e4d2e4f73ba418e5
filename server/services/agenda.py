"""The agenda: ordered items, nestable one level, each with a planned duration.

Planned start times are derived (meeting start + the durations before it), never stored, so a
reorder or a withdrawn item can never leave them stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, func, select

from server.errors import Invalid, NotFound
from server.permissions import MeetingAction, Permission
from server.schemas.meetings import AgendaItemIn, AgendaItemPatch, AgendaOrderIn
from server.services import Context, audit, meeting_access, operation
from server.services.notify import Message
from storage.models import AgendaItem, Meeting, MeetingStatus

EDITABLE = (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ScheduledItem:
    item: AgendaItem
    number: str
    planned_start: datetime | None


async def items_of(ctx: Context, meeting_id: int) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list((await ctx.db.exec(query.order_by(col(AgendaItem.position)))).all())


def schedule(meeting: Meeting, items: list[AgendaItem]) -> tuple[list[ScheduledItem], datetime]:
    """Items in agenda order with numbers and planned starts; and the planned end."""
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    clock = meeting.starts_at
    out: list[ScheduledItem] = []
    top_number = 0
    for top in children.get(None, []):
        top_number += top.withdrawn is False
        out.append(
            ScheduledItem(
                top, "" if top.withdrawn else str(top_number), None if top.withdrawn else clock
            )
        )
        clock += timedelta(minutes=0 if top.withdrawn else top.duration_minutes)
        sub_number = 0
        for sub in children.get(top.id, []):
            live = not (sub.withdrawn or top.withdrawn)
            sub_number += live
            number = f"{top_number}.{sub_number}" if live else ""
            out.append(ScheduledItem(sub, number, clock if live else None))
            clock += timedelta(minutes=sub.duration_minutes if live else 0)
    return out, max(clock, meeting.ends_at if not items else clock)


def as_text(scheduled: list[ScheduledItem]) -> str:
    lines = []
    for entry in scheduled:
        if entry.planned_start is None:
            continue
        indent = "   " if entry.item.parent_id else ""
        who = f" — {entry.item.presenter_name}" if entry.item.presenter_name else ""
        lines.append(
            f"{indent}{entry.number}. {entry.item.title}{who} ({entry.item.duration_minutes} phút)"
        )
    return "\n".join(lines)


def item_not_found(item_id: int) -> NotFound:
    return NotFound(
        "agenda_item_not_found",
        vi=f"Không tìm thấy mục chương trình số {item_id} trong cuộc họp này.",
        en=f"Agenda item {item_id} is not part of this meeting.",
    )


async def _item(ctx: Context, meeting_id: int, item_id: int) -> AgendaItem:
    item = await ctx.db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise item_not_found(item_id)
    return item


async def _presenter_name(ctx: Context, presenter_id: int | None, given: str) -> str:
    if given or presenter_id is None:
        return given
    from server.services import users

    person = await users.get(ctx, presenter_id)
    return person.full_name


async def _after_change(
    ctx: Context, meeting: Meeting, what: str, change: str, item: str = ""
) -> None:
    """Once published, invitees hear about agenda changes."""
    if meeting.status == MeetingStatus.DRAFT.value:
        return
    from server.services import invitations

    await invitations.tell_everyone(
        ctx,
        meeting,
        Message(
            "meeting.agenda_changed",
            f"Thay đổi chương trình: {meeting.title}",
            f"Chương trình cuộc họp đã thay đổi: {what}.",
            params={"meeting": meeting.title, "change": change, "item": item},
        ),
    )


@operation("agenda.add", Permission.AUTHENTICATED)
async def add_item(ctx: Context, meeting_id: int, data: AgendaItemIn) -> ScheduledItem:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *EDITABLE)
    if data.parent_id is not None:
        parent = await _item(ctx, meeting_id, data.parent_id)
        if parent.parent_id is not None:
            raise Invalid(
                "agenda_too_deep",
                vi="Chương trình chỉ lồng được một cấp: không thể thêm mục con vào một mục con.",
                en="Agenda items nest one level only: a sub-item cannot have sub-items.",
            )
    last = (
        await ctx.db.exec(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
        )
    ).one()
    item = AgendaItem(
        meeting_id=meeting_id,
        parent_id=data.parent_id,
        position=(last or 0) + 1,
        title=data.title,
        presenter_id=data.presenter_id,
        presenter_name=await _presenter_name(ctx, data.presenter_id, data.presenter_name),
        duration_minutes=data.duration_minutes,
        summary=data.summary,
    )
    ctx.db.add(item)
    await ctx.db.flush()
    audit.record(
        ctx, "agenda_item", item.id, {"meeting_id": meeting_id, **data.model_dump(mode="json")}
    )
    await _after_change(ctx, view.meeting, f"thêm mục “{item.title}”", "added", item.title)
    return await _scheduled(ctx, view.meeting, item.id or 0)


@operation("agenda.update", Permission.AUTHENTICATED)
async def update_item(
    ctx: Context, meeting_id: int, item_id: int, patch: AgendaItemPatch
) -> ScheduledItem:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *EDITABLE)
    item = await _item(ctx, meeting_id, item_id)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    for field, value in changes.items():
        if value is not None or field == "presenter_id":
            setattr(item, field, value)
    if "presenter_id" in changes and "presenter_name" not in changes:
        item.presenter_name = await _presenter_name(ctx, item.presenter_id, "")
    ctx.db.add(item)
    audit.record(ctx, "agenda_item", item_id, changes)
    what = f"rút mục “{item.title}”" if patch.withdrawn else f"sửa mục “{item.title}”"
    change = "withdrawn" if patch.withdrawn else "edited"
    await _after_change(ctx, view.meeting, what, change, item.title)
    return await _scheduled(ctx, view.meeting, item_id)


@operation("agenda.reorder", Permission.AUTHENTICATED)
async def reorder(ctx: Context, meeting_id: int, order: AgendaOrderIn) -> list[ScheduledItem]:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(view.meeting, *EDITABLE)
    items = {i.id or 0: i for i in await items_of(ctx, meeting_id)}
    listed = [e.id for e in order.items] + [c for e in order.items for c in e.children]
    if sorted(listed) != sorted(items) or len(set(listed)) != len(listed):
        raise Invalid(
            "agenda_order_incomplete",
            vi="Thứ tự mới phải liệt kê mỗi mục của chương trình đúng một lần.",
            en="The new order must list every agenda item exactly once.",
        )
    position = 0
    for entry in order.items:
        for item_id, parent in [(entry.id, None), *((c, entry.id) for c in entry.children)]:
            position += 1
            items[item_id].position, items[item_id].parent_id = position, parent
            ctx.db.add(items[item_id])
    audit.record(
        ctx, "meeting", meeting_id, {"agenda_order": order.model_dump(mode="json")["items"]}
    )
    await _after_change(ctx, view.meeting, "thay đổi thứ tự các mục", "reordered")

    return schedule(view.meeting, await items_of(ctx, meeting_id))[0]


@operation("agenda.read", Permission.AUTHENTICATED)
async def read(ctx: Context, meeting_id: int) -> tuple[list[ScheduledItem], datetime]:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    return schedule(view.meeting, await items_of(ctx, meeting_id))


async def _scheduled(ctx: Context, meeting: Meeting, item_id: int) -> ScheduledItem:
    await ctx.db.flush()
    entries, _ = schedule(meeting, await items_of(ctx, meeting.id or 0))
    return next(e for e in entries if e.item.id == item_id)
