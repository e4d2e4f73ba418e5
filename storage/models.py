"""Tables. One class per thing the users talk about; see docs/ for the vocabulary."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class UnitKind(StrEnum):
    """What a unit is in the organisation tree. The tree has any depth."""

    HOST = "host"  # the unit that chairs: a district or province People's Committee
    COMMUNE = "commune"  # xã / thị trấn
    WARD = "ward"  # phường
    DEPARTMENT = "department"  # phòng ban / sở
    OTHER = "other"


class Role(StrEnum):
    """Global roles. A commune site is a conference room, never a person."""

    ADMIN = "admin"
    SECRETARY = "secretary"
    CHAIR = "chair"
    DELEGATE = "delegate"
    SITE = "site"


def _when() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    code: str = Field(max_length=60, unique=True, index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    disabled: bool = False
    created_at: datetime = _when()


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    full_name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = _when()


class UserSession(SQLModel, table=True):
    """A login on one device. Only the token's hash is stored, so a leaked table logs no one in."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str = Field(max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = _when()
    last_seen_at: datetime = _when()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept to slow down guessing; shared by every server process."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60)
    ip: str | None = Field(default=None, max_length=64)
    at: datetime = _when()


class AuditEntry(SQLModel, table=True):
    """Who did what to which object, when and from where. Written in the change's transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=80)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=40)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
