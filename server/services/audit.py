"""The audit log: written in the same transaction as the change it describes."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from server.permissions import Permission
from server.services import Context, operation
from storage.models import AuditEntry


def record(
    ctx: Context,
    object_type: str,
    object_id: int | str | None,
    details: dict[str, Any] | None = None,
    *,
    action: str | None = None,
    actor_id: int | None = None,
) -> None:
    """Add an audit entry for the current operation; it commits (or not) with the change."""
    if actor_id is None and ctx.actor is not None:
        actor_id = ctx.actor.user_id
    ctx.db.add(
        AuditEntry(
            actor_id=actor_id,
            action=action or ctx.operation,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            ip=ctx.ip,
            details=details or {},
        )
    )


@operation("audit.list", Permission.AUDIT_READ)
async def list_entries(
    ctx: Context, object_type: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(min(limit, 1000))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return list((await ctx.db.exec(query)).all())
