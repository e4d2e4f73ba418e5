"""Wire shapes of meetings, invitations, the agenda and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from server.schemas import Strict
from storage.models import Answer, MeetingAccess, MeetingKind


def _check_range(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at (the meeting must end after it starts)")


class MeetingIn(Strict):
    title: str = Field(min_length=1, max_length=300)
    kind: MeetingKind = MeetingKind.REGULAR
    access: MeetingAccess = MeetingAccess.RESTRICTED
    online: bool = True
    location: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=5000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    host_unit_id: int | None = None  # defaults to the organiser's unit
    chair_id: int | None = None
    organiser_ids: list[int] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _range(self) -> MeetingIn:
        _check_range(self.starts_at, self.ends_at)
        return self


class MeetingPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: MeetingKind | None = None
    access: MeetingAccess | None = None
    online: bool | None = None
    location: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    chair_id: int | None = None
    organiser_ids: list[int] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _range(self) -> MeetingPatch:
        _check_range(self.starts_at, self.ends_at)
        return self


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class PostponeIn(Strict):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _range(self) -> PostponeIn:
        _check_range(self.starts_at, self.ends_at)
        return self


class SiteInvite(Strict):
    unit_id: int
    responsible_id: int | None = None


class InviteIn(Strict):
    """People one by one, departments as a whole, and commune sites (conference rooms)."""

    user_ids: list[int] = Field(default_factory=list, max_length=500)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    sites: list[SiteInvite] = Field(default_factory=list, max_length=500)
    sites_vote: bool = False  # do commune sites vote (one vote per commune)?


class AnswerIn(Strict):
    answer: Answer
    reason: str | None = Field(default=None, max_length=1000)
    substitute_id: int | None = None
    attendees: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _complete(self) -> AnswerIn:
        if self.answer == Answer.PENDING:
            raise ValueError("answer must be attending, declined or delegated")
        if self.answer == Answer.DECLINED and not (self.reason or "").strip():
            raise ValueError("a reason is required to decline")
        if self.answer == Answer.DELEGATED and self.substitute_id is None:
            raise ValueError("substitute_id is required to send a substitute")
        return self


class AgendaItemIn(Strict):
    title: str = Field(min_length=1, max_length=500)
    parent_id: int | None = None
    presenter_id: int | None = None
    presenter_name: str = Field(default="", max_length=200)
    duration_minutes: int = Field(default=0, ge=0, le=1440)
    summary: str = Field(default="", max_length=5000)


class AgendaItemPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    presenter_id: int | None = None
    presenter_name: str | None = Field(default=None, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=0, le=1440)
    summary: str | None = Field(default=None, max_length=5000)
    withdrawn: bool | None = None


class AgendaOrderIn(Strict):
    """The full new order: top-level item ids, each with its children's ids in order."""

    items: list[AgendaOrderEntry] = Field(max_length=200)


class AgendaOrderEntry(Strict):
    id: int
    children: list[int] = Field(default_factory=list, max_length=100)


AgendaOrderIn.model_rebuild()


class PersonRef(BaseModel):
    id: int
    full_name: str
    unit_name: str = ""
    title: str | None = None


class PeopleList(BaseModel):
    people: list[PersonRef]


class AgendaItemOut(BaseModel):
    id: int
    parent_id: int | None
    position: int
    number: str  # "2" or "2.1"
    title: str
    presenter_id: int | None
    presenter_name: str
    duration_minutes: int
    summary: str
    withdrawn: bool
    planned_start: datetime | None  # None for withdrawn items


class InvitationOut(BaseModel):
    id: int
    user: PersonRef
    kind: str
    unit_id: int
    unit_name: str
    responsible: PersonRef | None
    via_unit_id: int | None
    voting: bool
    answer: str
    reason: str | None
    substitute: PersonRef | None
    attendees: list[str]
    answered_at: datetime | None
    reminded_at: datetime | None


class MeetingOut(BaseModel):
    id: int
    title: str
    kind: str
    access: str
    online: bool
    location: str
    description: str
    starts_at: datetime
    ends_at: datetime
    planned_end: datetime  # from the agenda's durations
    status: str
    status_reason: str | None
    host_unit_id: int
    host_unit_name: str
    chair: PersonRef | None
    organisers: list[PersonRef]
    my_roles: list[str]
    my_invitation: InvitationOut | None
    sequence: int


class MeetingSummary(BaseModel):
    id: int
    title: str
    kind: str
    access: str
    online: bool
    location: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_reason: str | None

    host_unit_name: str
    my_roles: list[str]
    my_answer: str | None


class MeetingList(BaseModel):
    meetings: list[MeetingSummary]


class MeetingEnvelope(BaseModel):
    meeting: MeetingOut


class Agenda(BaseModel):
    items: list[AgendaItemOut]
    planned_end: datetime


class AgendaItemEnvelope(BaseModel):
    item: AgendaItemOut


class Conflict(BaseModel):
    user_id: int
    full_name: str
    meeting_id: int
    meeting_title: str
    starts_at: datetime


class InviteResult(BaseModel):
    added: list[InvitationOut]
    already_invited: list[int]  # user ids
    double_booked: list[Conflict]  # a warning, not a refusal


class AttendanceSummary(BaseModel):
    total: int
    pending: int
    attending: int
    declined: int
    delegated: int


class AttendanceBoard(BaseModel):
    people: list[InvitationOut]
    sites: list[InvitationOut]
    people_summary: AttendanceSummary
    sites_summary: AttendanceSummary


class InvitationList(BaseModel):
    invitations: list[InvitationOut]


class InvitationEnvelope(BaseModel):
    invitation: InvitationOut


class ReminderResult(BaseModel):
    reminded: int


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str  # Vietnamese
    body: str
    params: dict[str, str] = {}  # what the client words title and body from, in any language

    meeting_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    notifications: list[NotificationOut]
    unread: int


class Count(BaseModel):
    count: int


class Details(BaseModel):
    details: dict[str, Any]


class ArchiveHit(BaseModel):
    meeting: MeetingSummary
    matched: list[str]  # where the words were found: title, minutes, documents


class ArchiveList(BaseModel):
    meetings: list[ArchiveHit]
