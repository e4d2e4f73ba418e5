"""Wire shapes of the minutes and the conclusion notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server.schemas import Strict


class MinutesContent(Strict):
    content: dict[str, Any]


class SignIn(Strict):
    password: str = Field(min_length=1, max_length=200)  # the certificate's (PKCS#12) password


class MinutesOut(BaseModel):
    id: int
    meeting_id: int
    kind: str
    version: int
    status: str
    content: dict[str, Any]
    signed_at: datetime | None
    signed_by_name: str | None
    updated_at: datetime


class MinutesEnvelope(BaseModel):
    minutes: MinutesOut


class MinutesList(BaseModel):
    records: list[MinutesOut]


class VerificationOut(BaseModel):
    valid: bool
    intact: bool
    trusted: bool
    code: str
    message: str
    signer_name: str
    signer_unit: str
    signed_at: datetime | None
    reason: str
    signatures: int
