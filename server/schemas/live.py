"""Wire shapes of the live meeting (socket.io namespace /meeting, and its HTTP exports)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from media import MAX_SDP_BYTES
from server.schemas import Strict

POSITIONS = ("", "for", "against", "question")


class JoinIn(Strict):
    meeting_id: int


class PageIn(Strict):
    document_id: int = Field(ge=1)
    page: int = Field(ge=1, le=100_000)


class PointerIn(Strict):
    # Fractions of the page's width and height, so every screen size agrees.
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)


class ItemIn(Strict):
    item_id: int


class RollCallIn(Strict):
    user_id: int
    status: str = Field(pattern="^(present_hall|absent|clear)$")
    reason: str | None = Field(default=None, max_length=500)


class QuorumIn(Strict):
    members: str = Field(pattern="^(more_than_half|two_thirds|none)$")
    min_sites: int = Field(default=0, ge=0, le=1000)


class FloorRequestIn(Strict):
    topic: str = Field(default="", max_length=300)
    position: str = ""

    @field_validator("position")
    @classmethod
    def _position(cls, v: str) -> str:
        if v not in POSITIONS:
            raise ValueError("position must be for, against, question or empty")
        return v


class RequestIdIn(Strict):
    request_id: int


class GiveFloorIn(Strict):
    request_id: int
    # A commune's turn in the scenario is 3 minutes; longer speeches are the chair's choice.
    seconds: int = Field(default=180, ge=10, le=3600)


class ReorderIn(Strict):
    request_ids: list[int] = Field(max_length=500)


class VoteOpenIn(Strict):
    question: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(
        default_factory=lambda: ["Đồng ý", "Không đồng ý", "Không biểu quyết"],
        min_length=2,
        max_length=20,
    )
    secret: bool = False
    allow_change: bool = False
    sites_vote: bool = False
    deadline: AwareDatetime | None = None

    @field_validator("options")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        cleaned = [o.strip() for o in v]
        if any(not o or len(o) > 100 for o in cleaned) or len(set(cleaned)) != len(cleaned):
            raise ValueError("options must be distinct, non-empty and at most 100 characters")
        return cleaned


class VoteCastIn(Strict):
    vote_id: int
    choice: str = Field(min_length=1, max_length=100)


class VoteIdIn(Strict):
    vote_id: int


class ConclusionIn(Strict):
    item_id: int
    text: str = Field(max_length=20000)


class AnnounceIn(Strict):
    text: str = Field(min_length=1, max_length=500)


class BallotOut(BaseModel):
    voter: str  # the member's or commune's name
    cast_by: str  # who pressed the button (a substitute, a site)
    choice: str
    cast_at: datetime


class VoteOut(BaseModel):
    id: int
    item_id: int | None
    question: str
    options: list[str]
    secret: bool
    allow_change: bool
    sites_vote: bool
    status: str
    deadline: datetime | None
    opened_at: datetime
    closed_at: datetime | None
    eligible: int
    cast: int
    results: dict[str, int] | None
    ballots: list[BallotOut] | None = None  # open votes, after closing


class VoteList(BaseModel):
    votes: list[VoteOut]


class SdpIn(Strict):
    # A publisher's offer is a few kB, but the hall answers one m-line per site it receives:
    # ~100 communes' audio and video is ~200 m-lines, 104 kB from Chromium. The cap follows
    # the relay's slot limit (media.MAX_SDP_BYTES: 392 kB) and still bounds abuse.
    sdp: str = Field(min_length=10, max_length=MAX_SDP_BYTES)


class PublishIn(SdpIn):
    screen: bool = False


class UnpublishIn(Strict):
    screen: bool = False  # the shared screen; else the camera and microphone


class MuteIn(Strict):
    publisher_id: str = Field(max_length=40)
    muted: bool


class PublisherIdIn(Strict):
    publisher_id: str | None = Field(default=None, max_length=40)
