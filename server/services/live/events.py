"""Naming of the live events services emit; the realtime bridge routes them to rooms."""

from __future__ import annotations

from typing import Any

from server.services import Context

ALL = "all"  # everyone in the meeting room
RUNNERS = "runners"  # the chair and the organisers
LIVE_PREFIX = "live."
# Not a wire event: someone joined or left, or the roll-call or its rule changed. The realtime
# layer turns a burst of them into one `quorum.changed` and one `rollcall.changed` per meeting
# (rollcall.announce_presence), so N joins do not cost N whole boards sent to N screens.
PRESENCE_CHANGED = "presence.changed"


def emit_to_all(ctx: Context, meeting_id: int, name: str, payload: dict[str, Any]) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=ALL, payload=payload)


def emit_to_runners(ctx: Context, meeting_id: int, name: str, payload: dict[str, Any]) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=RUNNERS, payload=payload)


def emit_to_user(
    ctx: Context, meeting_id: int, user_id: int, name: str, payload: dict[str, Any]
) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=f"user:{user_id}", payload=payload)


def presence_changed(ctx: Context, meeting_id: int, *, at_once: bool = False) -> None:
    """Ask for the meeting's quorum and roll-call to be announced: soon, together with other
    joins and leaves, or `at_once` (a secretary's mark, a new rule: someone waits to see it)."""
    ctx.emit(PRESENCE_CHANGED, meeting_id=meeting_id, at_once=at_once)
