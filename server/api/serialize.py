"""Rows to wire shapes."""

from __future__ import annotations

from server.schemas import UnitOut, UserOut
from storage.models import Unit, User


def unit_out(unit: Unit) -> UnitOut:
    return UnitOut.model_validate(unit, from_attributes=True)


def user_out(user: User, unit_names: dict[int, str]) -> UserOut:
    return UserOut(
        id=user.id or 0,
        username=user.username,
        full_name=user.full_name,
        unit_id=user.unit_id,
        unit_name=unit_names.get(user.unit_id, ""),
        roles=list(user.roles),
        email=user.email,
        title=user.title,
        disabled=user.disabled,
    )
