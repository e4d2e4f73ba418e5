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


_ANYONE = {Permission.AUTHENTICATED, Permission.UNIT_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # Organisers pick invitees, so they read the directory.
    Role.SECRETARY: frozenset(_ANYONE | {Permission.USER_READ}),
    Role.CHAIR: frozenset(_ANYONE | {Permission.USER_READ}),
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
    for role in actor.roles:
        if role in Role.__members__.values():
            granted |= ROLE_PERMISSIONS[Role(role)]
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
