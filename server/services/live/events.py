"""Naming of the live events services emit; the realtime bridge routes them to rooms."""

from __future__ import annotations

from typing import Any

from server.services import Context

ALL = "all"  # everyone in the meeting room
RUNNERS = "runners"  # the chair and the organisers
LIVE_PREFIX = "live."


def emit_to_all(ctx: Context, meeting_id: int, name: str, payload: dict[str, Any]) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=ALL, payload=payload)


def emit_to_runners(ctx: Context, meeting_id: int, name: str, payload: dict[str, Any]) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=RUNNERS, payload=payload)


def emit_to_user(
    ctx: Context, meeting_id: int, user_id: int, name: str, payload: dict[str, Any]
) -> None:
    ctx.emit(LIVE_PREFIX + name, meeting_id=meeting_id, audience=f"user:{user_id}", payload=payload)
