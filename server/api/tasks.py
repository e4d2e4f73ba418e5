"""Follow-up tasks over HTTP."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlmodel import col, select

from server.api.base import context, int_param, out, parse, path_id
from server.api.documents import content_disposition, receive_file
from server.errors import NotFound
from server.schemas.tasks import TaskCreate, TaskEnvelope, TaskList, TaskOut, TaskPatch
from server.services import Context, tasks, users
from server.services.documents.files import Served, pdf_name
from server.timezone import local
from storage.models import FollowUpTask, Meeting
from storage.types import utcnow


def today() -> date:
    return local(utcnow()).date()


async def _out(ctx: Context, rows: list[FollowUpTask]) -> list[TaskOut]:
    people = await users.directory(ctx, {t.assignee_user_id or 0 for t in rows})
    titles = {
        m.id: m.title
        for m in (
            await ctx.db.exec(
                select(Meeting).where(col(Meeting.id).in_({t.meeting_id for t in rows}))
            )
        ).all()
    }
    units = await users.unit_names(ctx)
    now = today()
    return [
        TaskOut(
            id=t.id or 0,
            meeting_id=t.meeting_id,
            meeting_title=titles.get(t.meeting_id, ""),
            agenda_item_id=t.agenda_item_id,
            title=t.title,
            detail=t.detail,
            assignee_unit_id=t.assignee_unit_id,
            assignee_user_id=t.assignee_user_id,
            assignee_name=(
                people[t.assignee_user_id].full_name
                if t.assignee_user_id in people
                else units.get(t.assignee_unit_id or 0, "")
            ),
            due_on=t.due_on,
            status=t.status,
            overdue=t.status != "done" and t.due_on < now,
            result_note=t.result_note,
            result_name=t.result_name,
            updated_at=t.updated_at,
        )
        for t in rows
    ]


async def list_tasks(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        rows = await tasks.list_visible(
            ctx,
            meeting_id=int_param(request, "meeting_id", query=True),
            overdue_on=today() if request.query.get("overdue") == "1" else None,
        )
        body = TaskList(tasks=await _out(ctx, rows))
    return out(body)


async def create_task(request: web.Request) -> web.Response:
    body = await parse(request, TaskCreate)
    async with context(request) as ctx:
        task = await tasks.create(ctx, path_id(request), tasks.TaskIn(**body.model_dump()))
        envelope = TaskEnvelope(task=(await _out(ctx, [task]))[0])
    return out(envelope, status=201)


async def read_task(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        task = await tasks.read(ctx, path_id(request))
        envelope = TaskEnvelope(task=(await _out(ctx, [task]))[0])
    return out(envelope)


async def update_task(request: web.Request) -> web.Response:
    body = await parse(request, TaskPatch)
    async with context(request) as ctx:
        task = await tasks.update(ctx, path_id(request), **body.model_dump(exclude_unset=True))
        envelope = TaskEnvelope(task=(await _out(ctx, [task]))[0])
    return out(envelope)


async def attach_result(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await tasks.read(ctx, path_id(request))  # only who may see the task sends a file
        ingested, name, _fields = await receive_file(request, ctx)
        task = await tasks.attach_result(ctx, path_id(request), ingested.pdf.sha256, name)
        envelope = TaskEnvelope(task=(await _out(ctx, [task]))[0])
    return out(envelope)


async def download_result(request: web.Request) -> web.StreamResponse:
    async with context(request) as ctx:
        task = await tasks.read(ctx, path_id(request))
        if task.result_sha256 is None or ctx.documents is None:
            raise NotFound(
                "task_result_missing",
                vi="Nhiệm vụ chưa có kết quả đính kèm.",
                en="The task has no attached result.",
            )
        path = ctx.documents.store.local_path(task.result_sha256)
    if path is None:
        raise NotFound(
            "task_result_missing", vi="Tệp kết quả không còn trong kho.", en="The file is missing."
        )
    # The store keeps the PDF (an Office file was converted on upload): name it so.
    served = Served(
        path,
        pdf_name(task.result_name or f"ket-qua-{task.id}.pdf"),
        attachment=True,
        per_viewer=False,
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/pdf",
            "Cache-Control": "private, no-store",
            "Content-Disposition": content_disposition(served),
        },
    )
