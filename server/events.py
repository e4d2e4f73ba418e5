"""Domain events: services append them, the operation publishes them after its commit.

The realtime layer subscribes and turns them into socket.io emits; nothing that matters exists
only as an event — a client can always re-read the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("ecabinet.events")


@dataclass(frozen=True)
class Event:
    name: str  # noun.verb, e.g. "session.revoked"
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._prefixed: list[tuple[str, Handler]] = []

    def subscribe(self, name: str, handler: Handler) -> None:
        self._handlers.setdefault(name, []).append(handler)

    def subscribe_prefix(self, prefix: str, handler: Handler) -> None:
        """Hear every event whose name starts with `prefix` (e.g. "live.")."""
        self._prefixed.append((prefix, handler))

    async def publish(self, event: Event) -> None:
        handlers = self._handlers.get(event.name, [])
        handlers = handlers + [h for p, h in self._prefixed if event.name.startswith(p)]
        for handler in handlers:
            try:
                await handler(event)
            except Exception:
                # A failing listener must not undo or hide a committed change.
                log.exception("event handler failed", extra={"event": event.name})
