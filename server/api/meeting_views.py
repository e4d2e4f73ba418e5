"""Meeting rows to wire shapes (names resolved in bulk, never per row)."""

from __future__ import annotations

from server.schemas.meetings import (
    AgendaItemOut,
    InvitationOut,
    MeetingOut,
    MeetingSummary,
    PersonRef,
)
from server.services import Context, agenda, meetings, users
from server.services.agenda import ScheduledItem
from server.services.meeting_access import MeetingView
from server.services.meetings import Listing
from server.services.users import Person
from storage.models import Invitation


def person_ref(person: Person | None) -> PersonRef | None:
    if person is None:
        return None
    return PersonRef(
        id=person.id, full_name=person.full_name, unit_name=person.unit_name, title=person.title
    )


def invitation_out(
    inv: Invitation, people: dict[int, Person], unit_names: dict[int, str]
) -> InvitationOut:
    user = person_ref(people.get(inv.user_id)) or PersonRef(id=inv.user_id, full_name="?")
    return InvitationOut(
        id=inv.id or 0,
        user=user,
        kind=inv.kind,
        unit_id=inv.unit_id,
        unit_name=unit_names.get(inv.unit_id, ""),
        responsible=person_ref(people.get(inv.responsible_id or 0)),
        via_unit_id=inv.via_unit_id,
        voting=inv.voting,
        answer=inv.answer,
        reason=inv.reason,
        substitute=person_ref(people.get(inv.substitute_id or 0)),
        attendees=list(inv.attendees),
        answered_at=inv.answered_at,
        reminded_at=inv.reminded_at,
    )


def agenda_out(entry: ScheduledItem) -> AgendaItemOut:
    item = entry.item
    return AgendaItemOut(
        id=item.id or 0,
        parent_id=item.parent_id,
        position=item.position,
        number=entry.number,
        title=item.title,
        presenter_id=item.presenter_id,
        presenter_name=item.presenter_name,
        duration_minutes=item.duration_minutes,
        summary=item.summary,
        withdrawn=item.withdrawn,
        planned_start=entry.planned_start,
    )


async def meeting_out(ctx: Context, view: MeetingView) -> MeetingOut:
    meeting = view.meeting
    organiser_ids = await meetings.organisers_of(ctx, meeting.id or 0)
    own = view.invitation
    people = await users.directory(
        ctx,
        {
            meeting.chair_id or 0,
            *organiser_ids,
            *([own.user_id, own.responsible_id or 0, own.substitute_id or 0] if own else []),
        },
    )
    names = await users.unit_names(ctx)
    _, planned_end = agenda.schedule(meeting, await agenda.items_of(ctx, meeting.id or 0))
    return MeetingOut(
        id=meeting.id or 0,
        title=meeting.title,
        kind=meeting.kind,
        access=meeting.access,
        online=meeting.online,
        location=meeting.location,
        description=meeting.description,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        planned_end=planned_end,
        status=meeting.status,
        status_reason=meeting.status_reason,
        host_unit_id=meeting.host_unit_id,
        host_unit_name=names.get(meeting.host_unit_id, ""),
        chair=person_ref(people.get(meeting.chair_id or 0)),
        organisers=[p for p in (person_ref(people.get(i)) for i in organiser_ids) if p],
        my_roles=sorted(r.value for r in view.roles),
        my_invitation=invitation_out(own, people, names) if own else None,
        sequence=meeting.sequence,
    )


def summary_out(listing: Listing) -> MeetingSummary:
    m = listing.meeting
    return MeetingSummary(
        id=m.id or 0,
        title=m.title,
        kind=m.kind,
        access=m.access,
        online=m.online,
        location=m.location,
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        status=m.status,
        status_reason=m.status_reason,
        host_unit_name=listing.host_unit_name,
        my_roles=sorted(r.value for r in listing.roles),
        my_answer=listing.answer,
    )
