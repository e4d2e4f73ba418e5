"""The one place that answers "may this user do this (to this object)?".

Permissions are a declared vocabulary; each service operation names the one it needs
(see `server.services.operation`). Roles grant permissions; object rules refine them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.errors import not_allowed, not_logged_in
from storage.models import Role


class Permission(StrEnum):
    AUTHENTICATED = "authenticated"  # any logged-in account
    UNIT_READ = "unit.read"
    UNIT_MANAGE = "unit.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    MEETING_CREATE = "meeting.create"


_ANYONE = {Permission.AUTHENTICATED, Permission.UNIT_READ}
_ORGANISER = {Permission.USER_READ, Permission.MEETING_CREATE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The administrator runs accounts and the organisation, not meetings.
    Role.ADMIN: frozenset(set(Permission) - {Permission.MEETING_CREATE}),
    # Organisers pick invitees, so they read the directory.
    Role.SECRETARY: frozenset(_ANYONE | _ORGANISER),
    Role.CHAIR: frozenset(_ANYONE | _ORGANISER),
    Role.DELEGATE: frozenset(_ANYONE),
    Role.SITE: frozenset(_ANYONE),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: always taken from the server-side session, never from a payload."""

    user_id: int
    username: str
    unit_id: int
    roles: frozenset[str]
    session_id: int | None = None

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles


def permissions_of(actor: Actor) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in Role:
        if role.value in actor.roles:
            granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def allowed(actor: Actor | None, permission: Permission) -> bool:
    return actor is not None and permission in permissions_of(actor)


def require(actor: Actor | None, permission: Permission) -> Actor:
    """Return the actor if allowed; raise the matching domain error otherwise."""
    if actor is None:
        raise not_logged_in()
    if permission not in permissions_of(actor):
        raise not_allowed(permission.value)
    return actor


class MeetingRole(StrEnum):
    """What a user is to one meeting; computed per request from the database."""

    ORGANISER = "organiser"  # a secretary preparing it
    CHAIR = "chair"
    INVITEE = "invitee"
    SUBSTITUTE = "substitute"  # sent by an invitee (ủy quyền); has the invitee's access
    OBSERVER = "observer"  # any account, for an open meeting
    PRESENTER = "presenter"  # presents the current agenda item (live meetings only)


class MeetingAction(StrEnum):
    READ = "meeting.read"
    EDIT = "meeting.edit"  # details, agenda, invitees, publish, postpone, cancel, archive
    ANSWER = "meeting.answer"  # attend / decline / send a substitute
    ATTENDANCE = "meeting.attendance"  # the attendance board and reminders
    RUN = "meeting.run"  # start and end
    JOIN = "meeting.join"  # open the live meeting room
    CHAIR = "meeting.chair"  # walk the agenda, give the floor, run votes, announce
    PRESENT = "meeting.present"  # show a document page to every screen (chair or presenter)
    ROLL_CALL = "meeting.roll_call"  # mark who is in the hall or absent
    SPEAK = "meeting.speak"  # register to speak
    VOTE = "meeting.vote"  # cast a ballot (eligibility is checked per vote)
    CONCLUDE = "meeting.conclude"  # type the conclusions
    CONFERENCE = "meeting.conference"  # send one's camera and microphone, receive the others
    MEDIA_CONTROL = "meeting.media_control"  # mute a site, spotlight it, end its connection
    READ_CONCLUSIONS = "meeting.read_conclusions"


_PARTICIPANTS = frozenset({MeetingRole.INVITEE, MeetingRole.SUBSTITUTE})
_RUNNERS = frozenset({MeetingRole.ORGANISER, MeetingRole.CHAIR})

MEETING_RULES: dict[MeetingAction, frozenset[MeetingRole]] = {
    MeetingAction.READ: frozenset(MeetingRole),
    MeetingAction.EDIT: frozenset({MeetingRole.ORGANISER}),
    MeetingAction.ANSWER: frozenset({MeetingRole.INVITEE}),
    MeetingAction.ATTENDANCE: frozenset({MeetingRole.ORGANISER, MeetingRole.CHAIR}),
    MeetingAction.RUN: _RUNNERS,
    MeetingAction.JOIN: frozenset(MeetingRole) - {MeetingRole.OBSERVER},
    MeetingAction.CHAIR: frozenset({MeetingRole.CHAIR}),
    MeetingAction.PRESENT: frozenset({MeetingRole.CHAIR, MeetingRole.PRESENTER}),
    MeetingAction.ROLL_CALL: frozenset({MeetingRole.ORGANISER}),
    MeetingAction.SPEAK: _PARTICIPANTS,
    MeetingAction.VOTE: _PARTICIPANTS | {MeetingRole.CHAIR},
    MeetingAction.CONCLUDE: frozenset({MeetingRole.ORGANISER}),
    MeetingAction.CONFERENCE: frozenset(MeetingRole) - {MeetingRole.OBSERVER},
    MeetingAction.MEDIA_CONTROL: frozenset({MeetingRole.CHAIR}),
    MeetingAction.READ_CONCLUSIONS: _RUNNERS,
}


def may(roles: frozenset[MeetingRole], action: MeetingAction) -> bool:
    return bool(roles & MEETING_RULES[action])


class DocumentAction(StrEnum):
    READ = "document.read"
    READ_SECRET = "document.read_secret"  # a secret document: participants only
    MANAGE = "document.manage"  # upload, new version, edit, withdraw, revoke, open opinions
    UPLOAD_OWN_ITEM = "document.upload_own_item"  # a presenter, for the item they present
    COMMENT = "document.comment"  # during an opinion round
    OVERSEE = "document.oversee"  # read receipts and everyone's comments


_INSIDERS = frozenset(MeetingRole) - {MeetingRole.OBSERVER}

DOCUMENT_RULES: dict[DocumentAction, frozenset[MeetingRole]] = {
    DocumentAction.READ: frozenset(MeetingRole),
    DocumentAction.READ_SECRET: _INSIDERS,
    DocumentAction.MANAGE: frozenset({MeetingRole.ORGANISER}),
    DocumentAction.UPLOAD_OWN_ITEM: frozenset({MeetingRole.ORGANISER, MeetingRole.PRESENTER}),
    DocumentAction.COMMENT: _PARTICIPANTS,
    DocumentAction.OVERSEE: _RUNNERS,
}


def may_document(roles: frozenset[MeetingRole], action: DocumentAction) -> bool:
    return bool(roles & DOCUMENT_RULES[action])
