"""socket.io room names, in one place."""

from __future__ import annotations


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def runners_room(meeting_id: int) -> str:
    """The chair and the organisers of a meeting."""
    return f"meeting:{meeting_id}:runners"


def person_room(meeting_id: int, user_id: int) -> str:
    return f"meeting:{meeting_id}:user:{user_id}"
