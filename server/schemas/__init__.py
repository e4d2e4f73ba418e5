"""Wire shapes of the HTTP API (pydantic). They also generate /api/openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storage.models import Role, UnitKind

USERNAME = r"^[a-z0-9][a-z0-9._-]{1,58}[a-z0-9]$"
UNIT_CODE = r"^[a-z0-9][a-z0-9._-]{0,58}[a-z0-9]$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class UnitIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    code: str = Field(pattern=UNIT_CODE)
    parent_id: int | None = None


class UnitPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    code: str | None = Field(default=None, pattern=UNIT_CODE)
    parent_id: int | None = None
    disabled: bool | None = None


class UnitOut(BaseModel):
    id: int
    name: str
    kind: str
    code: str
    parent_id: int | None
    disabled: bool


def _roles(value: list[Role]) -> list[Role]:
    if Role.SITE in value and len(set(value)) > 1:
        raise ValueError("a commune site account (site) stands for a room and has no other role")
    return sorted(set(value))


class UserIn(Strict):
    username: str = Field(pattern=USERNAME)
    full_name: str = Field(min_length=1, max_length=200)
    unit_id: int
    roles: list[Role] = Field(min_length=1)
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    title: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=200)

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("roles")
    @classmethod
    def _check_roles(cls, v: list[Role]) -> list[Role]:
        return _roles(v)


class UserPatch(Strict):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_id: int | None = None
    roles: list[Role] | None = Field(default=None, min_length=1)
    email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    title: str | None = Field(default=None, max_length=200)
    disabled: bool | None = None

    @field_validator("roles")
    @classmethod
    def _check_roles(cls, v: list[Role] | None) -> list[Role] | None:
        return None if v is None else _roles(v)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    unit_id: int
    unit_name: str
    roles: list[str]
    email: str | None
    title: str | None
    disabled: bool


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


class UnitList(BaseModel):
    units: list[UnitOut]


class UnitEnvelope(BaseModel):
    unit: UnitOut


class UserList(BaseModel):
    users: list[UserOut]


class UserEnvelope(BaseModel):
    user: UserOut


class CreatedUser(BaseModel):
    user: UserOut
    password: str


class NewPassword(BaseModel):
    password: str


class ImportedUser(BaseModel):
    username: str
    password: str | None  # only when generated; None when the file set it


class ImportResult(BaseModel):
    created: int
    users: list[ImportedUser]


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str | None
    ip: str | None
    details: dict[str, Any]


class AuditList(BaseModel):
    entries: list[AuditOut]


class Health(BaseModel):
    status: str
    database: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody
