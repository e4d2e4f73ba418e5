"""Tables. One class per thing the users talk about; see docs/ for the vocabulary."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class UnitKind(StrEnum):
    """What a unit is in the organisation tree. The tree has any depth."""

    HOST = "host"  # the unit that chairs: a district or province People's Committee
    COMMUNE = "commune"  # xã / thị trấn
    WARD = "ward"  # phường
    DEPARTMENT = "department"  # phòng ban / sở
    OTHER = "other"


class Role(StrEnum):
    """Global roles. A commune site is a conference room, never a person."""

    ADMIN = "admin"
    SECRETARY = "secretary"
    CHAIR = "chair"
    DELEGATE = "delegate"
    SITE = "site"


def _when() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    code: str = Field(max_length=60, unique=True, index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    disabled: bool = False
    created_at: datetime = _when()


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    full_name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = _when()


class UserSession(SQLModel, table=True):
    """A login on one device. Only the token's hash is stored, so a leaked table logs no one in."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str = Field(max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = _when()
    last_seen_at: datetime = _when()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept to slow down guessing; shared by every server process."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60)
    ip: str | None = Field(default=None, max_length=64)
    at: datetime = _when()


class AuditEntry(SQLModel, table=True):
    """Who did what to which object, when and from where. Written in the change's transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=80)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=40)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MeetingKind(StrEnum):
    REGULAR = "regular"  # họp thường kỳ
    THEMATIC = "thematic"  # họp chuyên đề
    URGENT = "urgent"  # họp đột xuất


class MeetingAccess(StrEnum):
    """Who may see a meeting beyond its invitees."""

    OPEN = "open"  # every account sees it in the calendar (read-only)
    RESTRICTED = "restricted"  # invitees, substitutes, organisers and the chair
    CONFIDENTIAL = "confidential"  # as restricted, and e-mails carry no agenda or summary


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=80, unique=True)  # stable iCalendar UID
    title: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    access: str = Field(max_length=20)
    online: bool = True
    location: str = Field(default="", max_length=300)  # the hall where it is chaired
    description: str = Field(default="", max_length=5000)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default=MeetingStatus.DRAFT.value, max_length=20, index=True)
    host_unit_id: int = Field(foreign_key="unit.id", index=True)
    chair_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_by: int = Field(foreign_key="app_user.id")
    # iCalendar SEQUENCE: raised with every change invitees' calendars must take.
    sequence: int = 0
    status_reason: str | None = Field(default=None, max_length=1000)  # why postponed/cancelled
    created_at: datetime = _when()
    updated_at: datetime = _when()


class MeetingOrganiser(SQLModel, table=True):
    """The secretaries who prepare a meeting; they alone change it."""

    __tablename__ = "meeting_organiser"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)


class InviteeKind(StrEnum):
    PERSON = "person"
    SITE = "site"  # a commune's conference room


class Answer(StrEnum):
    PENDING = "pending"
    ATTENDING = "attending"
    DECLINED = "declined"
    DELEGATED = "delegated"  # sends a substitute (ủy quyền)


class Invitation(SQLModel, table=True):
    """One invitee of a meeting: a person, or a commune site (one row per conference room)."""

    __table_args__ = (Index("uq_invitation_meeting_user", "meeting_id", "user_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=10)
    unit_id: int = Field(foreign_key="unit.id")
    responsible_id: int | None = Field(default=None, foreign_key="app_user.id")
    via_unit_id: int | None = Field(default=None, foreign_key="unit.id")  # invited as a department
    voting: bool = True
    answer: str = Field(default=Answer.PENDING.value, max_length=12)
    reason: str | None = Field(default=None, max_length=1000)
    substitute_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    attendees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _when()


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    position: int = 0
    title: str = Field(max_length=500)
    presenter_id: int | None = Field(default=None, foreign_key="app_user.id")
    presenter_name: str = Field(default="", max_length=200)
    duration_minutes: int = 0
    summary: str = Field(default="", max_length=5000)
    withdrawn: bool = False


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)  # Vietnamese, as in the e-mail
    body: str = Field(default="", max_length=5000)
    # The facts title and body were worded from (meeting title, ISO times, ...), so that the
    # web client words the notification in the reader's language; see server/services/notify.py.
    params: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    created_at: datetime = _when()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutgoingEmail(SQLModel, table=True):
    """The e-mail outbox: written with the change, sent (and retried) by the mailer."""

    __tablename__ = "email_outbox"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=300)
    body: str
    calendar: str | None = None  # an .ics attachment
    calendar_method: str | None = Field(default=None, max_length=10)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime = _when()
    created_at: datetime = _when()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- The live meeting (issue: roll-call, page-follow, floor, votes, conclusions) ------------


class MeetingLive(SQLModel, table=True):
    """What every screen of a running meeting shows. One row per meeting; survives restarts."""

    __tablename__ = "meeting_live"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    current_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    item_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    presenter_id: int | None = Field(default=None, foreign_key="app_user.id")
    document_id: int | None = None  # the presented document (documents are checked by the service)
    page: int | None = None
    pointer: dict[str, float] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    quorum_members: str = Field(default="more_than_half", max_length=20)
    quorum_min_sites: int = 0
    # Raised on every change, so a client can tell a stale snapshot from a newer event.
    version: int = 0


class AgendaItemClock(SQLModel, table=True):
    """When each agenda item was actually discussed (time used against its plan)."""

    __tablename__ = "agenda_item_clock"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id")
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Presence(SQLModel, table=True):
    """One connection of a person or commune site to the meeting room: join and leave times."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    connection: str = Field(max_length=64, index=True)
    joined_at: datetime = _when()
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RollCall(SQLModel, table=True):
    """The secretary's roll-call mark for an invitee (in the hall, absent with a reason)."""

    __tablename__ = "roll_call"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    status: str = Field(max_length=20)  # present_hall / absent
    reason: str | None = Field(default=None, max_length=500)
    marked_by: int = Field(foreign_key="app_user.id")
    marked_at: datetime = _when()


class SpeechRequest(SQLModel, table=True):
    """A request for the floor (đăng ký phát biểu), and the speech itself once granted."""

    __tablename__ = "speech_request"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    user_id: int = Field(foreign_key="app_user.id")
    unit_id: int = Field(foreign_key="unit.id")
    is_site: bool = False
    topic: str = Field(default="", max_length=300)
    position: str = Field(default="", max_length=10)  # for / against / question / ""
    # waiting / speaking / done / withdrawn
    status: str = Field(default="waiting", max_length=10, index=True)
    rank: int = 0  # queue order; the chair may reorder
    requested_at: datetime = _when()
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when time is up
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    time_up_told: bool = False  # the chair has been told the time is up


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    question: str = Field(max_length=500)
    options: list[str] = Field(sa_column=Column(JSON, nullable=False))
    secret: bool = False
    allow_change: bool = False
    sites_vote: bool = False
    status: str = Field(default="open", max_length=10)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opened_by: int = Field(foreign_key="app_user.id")
    opened_at: datetime = _when()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    eligible: int = 0  # how many could vote when it opened
    results: dict[str, int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Ballot(SQLModel, table=True):
    """An open vote's ballot: who chose what. Secret votes never write one."""

    __table_args__ = (Index("uq_ballot_vote_voter", "vote_id", "voter_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    voter_key: str = Field(max_length=40)  # user:<member id> or site:<unit id>
    cast_by: int = Field(foreign_key="app_user.id")  # the member, their substitute, or the site
    choice: str = Field(max_length=100)
    cast_at: datetime = _when()


class VoteParticipation(SQLModel, table=True):
    """That someone took part in a secret vote — and nothing about what they chose."""

    __tablename__ = "vote_participation"

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    voter_key: str = Field(max_length=40, primary_key=True)


class VoteTally(SQLModel, table=True):
    """A secret vote's running count per option: the only place its choices exist."""

    __tablename__ = "vote_tally"

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    choice: str = Field(max_length=100, primary_key=True)
    count: int = 0


class Conclusion(SQLModel, table=True):
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    text: str = Field(default="", max_length=20000)
    updated_by: int = Field(foreign_key="app_user.id")
    updated_at: datetime = _when()


class Announcement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = Field(max_length=500)
    by: int = Field(foreign_key="app_user.id")
    at: datetime = _when()


# --- Meeting documents (materials, versions, notes, opinions, read receipts) -----------------


class Confidentiality(StrEnum):
    NORMAL = "normal"  # thường: read in the browser and download
    RESTRICTED = "restricted"  # hạn chế: read in the browser only
    SECRET = "secret"  # mật: watermarked per viewer; access can end or be revoked


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    title: str = Field(max_length=300)
    confidentiality: str = Field(default=Confidentiality.NORMAL.value, max_length=12)
    access_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 0  # the current version's number
    position: int = 0
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _when()


class DocumentVersion(SQLModel, table=True):
    __tablename__ = "document_version"
    __table_args__ = (Index("uq_document_version", "document_id", "number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    sha256: str = Field(max_length=64)  # the PDF in the document store
    size: int
    pages: int
    source_sha256: str | None = Field(default=None, max_length=64)  # the uploaded Office file
    source_kind: str = Field(default="pdf", max_length=10)
    file_name: str = Field(max_length=255)  # as uploaded: shown, never used as a path
    uploaded_by: int = Field(foreign_key="app_user.id")
    uploaded_at: datetime = _when()


class DocumentPage(SQLModel, table=True):
    """One page's extracted text, folded for diacritics-insensitive search."""

    __tablename__ = "document_page"

    version_id: int = Field(foreign_key="document_version.id", primary_key=True)
    page: int = Field(primary_key=True)
    text: str = ""
    folded: str = ""


class ReadReceipt(SQLModel, table=True):
    __tablename__ = "read_receipt"

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    version: int
    first_opened_at: datetime = _when()
    last_opened_at: datetime = _when()


class Note(SQLModel, table=True):
    """A private note anchored to a page; only its author ever sees it."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    page: int
    text: str = Field(max_length=5000)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class OpinionRound(SQLModel, table=True):
    """Lấy ý kiến: a document open for comments until a deadline."""

    __tablename__ = "opinion_round"

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    opened_by: int = Field(foreign_key="app_user.id")
    opened_at: datetime = _when()
    deadline: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="app_user.id")
    unit_id: int = Field(foreign_key="unit.id")
    page: int
    text: str = Field(max_length=5000)
    created_at: datetime = _when()


# --- After the meeting: minutes, the conclusion notice, follow-up tasks ----------------------


class MinutesRecord(SQLModel, table=True):
    """One version of the minutes (biên bản) or the conclusion notice (thông báo kết luận).

    A draft is edited as JSON; signing renders the PDF and signs it (PAdES). Signed versions
    are final: a correction is a new version, signed again.
    """

    __tablename__ = "minutes_record"
    __table_args__ = (Index("uq_minutes_version", "meeting_id", "kind", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=10)  # minutes / notice
    version: int = 1
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=10)  # draft / signed
    signed_sha256: str | None = Field(default=None, max_length=64)  # the signed PDF in the store
    signed_by: int | None = Field(default=None, foreign_key="app_user.id")
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _when()
    updated_at: datetime = _when()


class FollowUpTask(SQLModel, table=True):
    """Giao việc: a conclusion turned into work for a unit or an official, with a due date."""

    __tablename__ = "follow_up_task"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    title: str = Field(max_length=500)
    detail: str = Field(default="", max_length=5000)
    assignee_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    assignee_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    due_on: date
    status: str = Field(default="open", max_length=12)  # open / in_progress / done
    result_note: str = Field(default="", max_length=5000)
    result_sha256: str | None = Field(default=None, max_length=64)
    result_name: str | None = Field(default=None, max_length=255)
    reminded_on: date | None = None  # the last reminder, so each is sent once
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _when()
    updated_at: datetime = _when()
