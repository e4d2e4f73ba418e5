"""Who someone is in the conference (the hall, a commune room, an official elsewhere) and
whether they may do a media action. The relay itself is driven by realtime/conference.py."""

from __future__ import annotations

from dataclasses import dataclass

from server.permissions import MeetingAction, MeetingRole, Permission
from server.services import Context, operation, users
from server.services.conference_policy import Place
from server.services.live import access
from storage.models import InviteeKind


@dataclass(frozen=True)
class Seat:
    user_id: int
    place: Place
    name: str
    unit_name: str


def place_of(roles: frozenset[MeetingRole], site: bool) -> Place:
    if site:
        return "site"
    if roles & {MeetingRole.CHAIR, MeetingRole.ORGANISER}:
        return "hall"
    return "person"


@operation("conference.seat", Permission.AUTHENTICATED)
async def seat(ctx: Context, meeting_id: int, action: MeetingAction) -> Seat:
    """Check `action` (CONFERENCE, PRESENT for a screen, MEDIA_CONTROL) and place the user."""
    view = await access.load(ctx, meeting_id, action)
    access.require_live(view)
    site = view.invitation is not None and view.invitation.kind == InviteeKind.SITE.value
    person = (await users.directory(ctx, {ctx.user.user_id}))[ctx.user.user_id]
    return Seat(ctx.user.user_id, place_of(view.roles, site), person.full_name, person.unit_name)
