"""Domain services. They know the database and the rules, never HTTP or socket.io.

Each user action is one `@operation`: it names its permission beside it, runs inside one
transaction, and commits (with its audit entries) only if it finishes.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from server.config import Settings

if TYPE_CHECKING:
    from server.services.documents.resources import DocumentResources
from server.events import Event, EventBus
from server.permissions import Actor, Permission, require

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Context:
    """One request's view of the world: the database session, who acts, from where."""

    db: AsyncSession
    actor: Actor | None
    ip: str | None = None
    user_agent: str | None = None
    lang: str = "vi"
    operation: str = ""
    bus: EventBus | None = None
    settings: Settings | None = None
    documents: DocumentResources | None = None  # the store and PDF engine, where needed
    pending: list[Event] = field(default_factory=list)

    def emit(self, name: str, **data: Any) -> None:
        """Queue an event; it is published only if the operation commits."""
        self.pending.append(Event(name, data))

    async def flush_events(self) -> None:
        events, self.pending = self.pending, []
        if self.bus is not None:
            for event in events:
                await self.bus.publish(event)

    @property
    def user(self) -> Actor:
        """The acting user; operations that reach this already passed `require`."""
        assert self.actor is not None
        return self.actor


Operation = Callable[Concatenate[Context, P], Awaitable[R]]


def operation(
    name: str, permission: Permission | None
) -> Callable[[Operation[P, R]], Operation[P, R]]:
    """Declare a user action: its name (used in the audit log) and the permission it needs.

    `permission=None` is for the few actions open to anonymous callers (logging in).
    """

    def wrap(fn: Operation[P, R]) -> Operation[P, R]:
        @functools.wraps(fn)
        async def run(ctx: Context, *args: P.args, **kwargs: P.kwargs) -> R:
            if permission is not None:
                require(ctx.actor, permission)
            ctx.operation = name
            try:
                result = await fn(ctx, *args, **kwargs)
                await ctx.db.commit()
            except BaseException:
                ctx.pending.clear()
                await ctx.db.rollback()
                raise
            await ctx.flush_events()
            return result

        run.operation_name = name  # type: ignore[attr-defined]
        run.permission = permission  # type: ignore[attr-defined]
        return run

    return wrap
