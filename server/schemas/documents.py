"""Wire shapes of meeting documents."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from server.schemas import Strict
from storage.models import Confidentiality


class DocumentPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    agenda_item_id: int | None = None
    confidentiality: Confidentiality | None = None
    access_until: AwareDatetime | None = None


class DocumentOut(BaseModel):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    title: str
    confidentiality: str
    version: int
    pages: int
    size: int
    file_name: str
    uploaded_at: datetime | None
    changed_since_read: bool
    read_at: datetime | None
    can_download: bool
    access_until: datetime | None
    revoked: bool
    withdrawn: bool


class DocumentList(BaseModel):
    documents: list[DocumentOut]


class VersionOut(BaseModel):
    number: int
    pages: int
    size: int
    file_name: str
    source_kind: str
    uploaded_at: datetime
    uploaded_by_name: str


class DocumentEnvelope(BaseModel):
    document: DocumentOut
    versions: list[VersionOut] = []


class ReaderOut(BaseModel):
    user_id: int
    full_name: str
    unit_name: str
    first_opened_at: datetime | None = None
    last_opened_at: datetime | None = None
    version: int | None = None


class Readers(BaseModel):
    readers: list[ReaderOut]
    not_read: list[ReaderOut]


class NoteIn(Strict):
    page: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=5000)


class NoteText(Strict):
    text: str = Field(min_length=1, max_length=5000)


class NoteOut(BaseModel):
    id: int
    page: int
    text: str
    updated_at: datetime


class NoteList(BaseModel):
    notes: list[NoteOut]


class NoteEnvelope(BaseModel):
    note: NoteOut


class RoundIn(Strict):
    deadline: AwareDatetime


class RoundOut(BaseModel):
    deadline: datetime
    open: bool


class CommentIn(Strict):
    page: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=5000)


class CommentOut(BaseModel):
    id: int
    page: int
    text: str
    user_name: str
    unit_name: str
    created_at: datetime
    mine: bool


class UnitAnswer(BaseModel):
    unit_id: int
    unit_name: str
    answered: bool


class Comments(BaseModel):
    round: RoundOut | None
    comments: list[CommentOut]
    units: list[UnitAnswer]


class CommentEnvelope(BaseModel):
    comment: CommentOut


class SearchHit(BaseModel):
    meeting_id: int
    meeting_title: str
    document_id: int
    document_title: str
    page: int
    snippet: str


class SearchResults(BaseModel):
    results: list[SearchHit]
