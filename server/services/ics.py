"""iCalendar invitations (RFC 5545 / iTIP) that calendar programs accept."""

from __future__ import annotations

from icalendar import Calendar, Event, vCalAddress, vText

from server.timezone import LOCAL
from storage.models import Meeting

PRODID = "-//eCabinet//Phong hop khong giay//VI"


def uid_of(meeting: Meeting) -> str:
    return f"{meeting.uid}@ecabinet"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def build(
    meeting: Meeting,
    method: str,
    *,
    organiser: tuple[str, str],
    attendee: tuple[str, str],
    description: str,
    url: str,
    secret: bool = False,
) -> str:
    """One VEVENT for one attendee. method is REQUEST (new or updated) or CANCEL.

    A secret meeting's event carries the time and a link only: no title, place or agenda.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid_of(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(LOCAL))
    event.add("dtend", meeting.ends_at.astimezone(LOCAL))
    event.add("summary", "Cuộc họp mật" if secret else meeting.title)
    if not secret:
        event.add("location", meeting.location or ("Trực tuyến" if meeting.online else ""))
    event.add("description", description)
    event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if meeting.access != "open":
        event.add("class", "CONFIDENTIAL" if meeting.access == "confidential" else "PRIVATE")
    event.add("organizer", _address(*organiser))
    event.add(
        "attendee",
        _address(*attendee, role="REQ-PARTICIPANT", rsvp="TRUE", partstat="NEEDS-ACTION"),
    )
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode()
