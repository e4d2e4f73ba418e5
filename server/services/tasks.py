"""Follow-up tasks (giao việc): conclusions turned into work with a due date.

Visible only to their assignees (the official, or the people of the assigned unit), the
meeting's organisers and its chair. Reminders go out before the due date; overdue tasks are
listed for the secretary and the chair. `today` is a parameter so the clock is controllable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, or_, select

from server.errors import Invalid, NotFound
from server.permissions import MeetingAction, MeetingRole, Permission
from server.services import Context, audit, meeting_access, notify, operation, units, users
from server.services.notify import Message
from storage.models import FollowUpTask, Meeting, MeetingOrganiser, MeetingStatus
from storage.types import utcnow

# A reminder this many days ahead leaves a working week to finish.
REMIND_DAYS_BEFORE = 3
STATUSES = ("open", "in_progress", "done")


@dataclass(frozen=True)
class TaskIn:
    title: str
    detail: str
    due_on: date
    agenda_item_id: int | None = None
    assignee_unit_id: int | None = None
    assignee_user_id: int | None = None


def task_not_found(task_id: int) -> NotFound:
    return NotFound("task_not_found", vi="Không tìm thấy nhiệm vụ này.", en="No such task.")


async def _runners(ctx: Context, meeting: Meeting) -> set[int]:
    organisers = (
        await ctx.db.exec(
            select(MeetingOrganiser.user_id).where(MeetingOrganiser.meeting_id == meeting.id)
        )
    ).all()
    return {*organisers, *([meeting.chair_id] if meeting.chair_id else [])}


def _assigned_to(task: FollowUpTask, user_id: int, unit_id: int) -> bool:
    return task.assignee_user_id == user_id or (
        task.assignee_user_id is None and task.assignee_unit_id == unit_id
    )


async def _load(ctx: Context, task_id: int) -> tuple[FollowUpTask, Meeting, bool]:
    """The task, its meeting, and whether the actor runs the meeting (else: is an assignee)."""
    task = await ctx.db.get(FollowUpTask, task_id)
    if task is None:
        raise task_not_found(task_id)
    meeting = await ctx.db.get(Meeting, task.meeting_id)
    assert meeting is not None
    runner = ctx.user.user_id in await _runners(ctx, meeting)
    if not runner and not _assigned_to(task, ctx.user.user_id, ctx.user.unit_id):
        raise task_not_found(task_id)
    return task, meeting, runner


async def _assignees(ctx: Context, task: FollowUpTask) -> set[int]:
    if task.assignee_user_id:
        return {task.assignee_user_id}
    return {u.id or 0 for u in await users.members(ctx, task.assignee_unit_id or 0)}


@operation("task.create", Permission.AUTHENTICATED)
async def create(ctx: Context, meeting_id: int, data: TaskIn) -> FollowUpTask:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.EDIT)
    meeting_access.require_status(
        view.meeting, MeetingStatus.IN_PROGRESS, MeetingStatus.ENDED, MeetingStatus.ARCHIVED
    )
    if (data.assignee_unit_id is None) == (data.assignee_user_id is None):
        raise Invalid(
            "task_assignee",
            vi="Giao cho một đơn vị hoặc một người (chọn một).",
            en="Assign the task to one unit or one official (exactly one).",
        )
    if data.assignee_unit_id is not None:
        await units.get(ctx, data.assignee_unit_id)
    if data.assignee_user_id is not None:
        await users.get(ctx, data.assignee_user_id)
    task = FollowUpTask(
        meeting_id=meeting_id,
        agenda_item_id=data.agenda_item_id,
        title=data.title,
        detail=data.detail,
        due_on=data.due_on,
        assignee_unit_id=data.assignee_unit_id,
        assignee_user_id=data.assignee_user_id,
        created_by=ctx.user.user_id,
    )
    ctx.db.add(task)
    await ctx.db.flush()
    audit.record(
        ctx,
        "task",
        task.id,
        {"meeting_id": meeting_id, "title": data.title, "due_on": data.due_on.isoformat()},
    )
    await notify.send(
        ctx,
        view.meeting,
        await _assignees(ctx, task),
        Message(
            "task.assigned",
            f"Nhiệm vụ mới: {data.title}",
            f"Hạn hoàn thành: {data.due_on:%d/%m/%Y}. "
            f"Theo kết luận cuộc họp “{view.meeting.title}”.",
            params={
                "task": data.title,
                "due_on": data.due_on.isoformat(),
                "meeting": view.meeting.title,
            },
        ),
    )
    return task


@operation("task.list", Permission.AUTHENTICATED)
async def list_visible(
    ctx: Context, *, meeting_id: int | None = None, overdue_on: date | None = None
) -> list[FollowUpTask]:
    """Tasks assigned to me or my unit, and those of meetings I organise or chair."""
    organised = (
        await ctx.db.exec(
            select(MeetingOrganiser.meeting_id).where(MeetingOrganiser.user_id == ctx.user.user_id)
        )
    ).all()
    chaired = (
        await ctx.db.exec(select(Meeting.id).where(Meeting.chair_id == ctx.user.user_id))
    ).all()
    runs = {*organised, *chaired}
    query = select(FollowUpTask).where(
        or_(
            col(FollowUpTask.meeting_id).in_(runs or {0}),
            FollowUpTask.assignee_user_id == ctx.user.user_id,
            (col(FollowUpTask.assignee_unit_id) == ctx.user.unit_id)
            & col(FollowUpTask.assignee_user_id).is_(None),
        )
    )
    if meeting_id is not None:
        query = query.where(FollowUpTask.meeting_id == meeting_id)
    if overdue_on is not None:
        query = query.where(FollowUpTask.due_on < overdue_on, FollowUpTask.status != "done")
    return list(
        (await ctx.db.exec(query.order_by(col(FollowUpTask.due_on), col(FollowUpTask.id)))).all()
    )


@operation("task.read", Permission.AUTHENTICATED)
async def read(ctx: Context, task_id: int) -> FollowUpTask:
    return (await _load(ctx, task_id))[0]


@operation("task.update", Permission.AUTHENTICATED)
async def update(
    ctx: Context,
    task_id: int,
    *,
    status: str | None = None,
    result_note: str | None = None,
    due_on: date | None = None,
    title: str | None = None,
) -> FollowUpTask:
    """Assignees report progress; organisers and the chair may also move the due date or rename."""
    task, _meeting, runner = await _load(ctx, task_id)
    if (due_on is not None or title is not None) and not runner:
        raise meeting_access.refusal(MeetingAction.EDIT, frozenset({MeetingRole.INVITEE}))
    if status is not None:
        if status not in STATUSES:
            raise Invalid("task_status", vi="Trạng thái không hợp lệ.", en="Invalid status.")
        task.status = status
    if result_note is not None:
        task.result_note = result_note
    if due_on is not None:
        task.due_on = due_on
    if title is not None:
        task.title = title
    task.updated_at = utcnow()
    ctx.db.add(task)
    audit.record(
        ctx, "task", task_id, {"status": status, "due_on": due_on.isoformat() if due_on else None}
    )
    return task


@operation("task.attach_result", Permission.AUTHENTICATED)
async def attach_result(ctx: Context, task_id: int, sha256: str, name: str) -> FollowUpTask:
    task, _meeting, _runner = await _load(ctx, task_id)
    task.result_sha256, task.result_name, task.updated_at = sha256, name[:255], utcnow()
    ctx.db.add(task)
    audit.record(ctx, "task", task_id, {"result": sha256})
    return task


async def send_reminders(ctx: Context, today: date) -> tuple[int, int]:
    """Remind assignees of tasks due soon, and tell organisers and chairs of overdue ones — each
    once a day. Returns (reminded, overdue)."""
    open_tasks = (
        await ctx.db.exec(
            select(FollowUpTask).where(
                FollowUpTask.status != "done",
                col(FollowUpTask.due_on) <= today + timedelta(days=REMIND_DAYS_BEFORE),
            )
        )
    ).all()
    reminded = overdue = 0
    for task in open_tasks:
        if task.reminded_on == today:
            continue
        meeting = await ctx.db.get(Meeting, task.meeting_id)
        assert meeting is not None
        late = task.due_on < today
        targets = (
            await _runners(ctx, meeting) | await _assignees(ctx, task)
            if late
            else await _assignees(ctx, task)
        )
        what = "đã quá hạn" if late else f"đến hạn ngày {task.due_on:%d/%m/%Y}"
        await notify.send(
            ctx,
            meeting,
            targets,
            Message(
                "task.overdue" if late else "task.reminder",
                f"Nhiệm vụ {what}: {task.title}",
                f"Nhiệm vụ “{task.title}” {what}. Theo kết luận cuộc họp “{meeting.title}”.",
                params={
                    "task": task.title,
                    "due_on": task.due_on.isoformat(),
                    "meeting": meeting.title,
                },
            ),
        )
        task.reminded_on = today
        ctx.db.add(task)
        overdue += late
        reminded += not late
    await ctx.db.commit()
    await ctx.flush_events()
    return reminded, overdue
