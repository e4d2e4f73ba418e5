"""Wire shapes of follow-up tasks."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from server.schemas import Strict


class TaskCreate(Strict):
    title: str = Field(min_length=1, max_length=500)
    detail: str = Field(default="", max_length=5000)
    due_on: date
    agenda_item_id: int | None = None
    assignee_unit_id: int | None = None
    assignee_user_id: int | None = None


class TaskPatch(Strict):
    status: str | None = Field(default=None, pattern="^(open|in_progress|done)$")
    result_note: str | None = Field(default=None, max_length=5000)
    due_on: date | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)


class TaskOut(BaseModel):
    id: int
    meeting_id: int
    meeting_title: str

    agenda_item_id: int | None
    title: str
    detail: str
    assignee_unit_id: int | None
    assignee_user_id: int | None
    assignee_name: str
    due_on: date
    status: str
    overdue: bool
    result_note: str
    result_name: str | None
    updated_at: datetime


class TaskList(BaseModel):
    tasks: list[TaskOut]


class TaskEnvelope(BaseModel):
    task: TaskOut
