"""Adding materials: a new document, or a new version of one (which supersedes the old).

The bytes are received, validated and stored before these run (storage.pdf.ingest); these
write the rows in one transaction. Who may upload is checked before the first byte is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import func, select

from server.errors import Invalid
from server.permissions import DocumentAction, MeetingAction, MeetingRole, Permission, may_document
from server.services import Context, audit, meeting_access, operation
from server.services.documents import access, library
from server.text import fold
from storage.models import (
    AgendaItem,
    Confidentiality,
    Document,
    DocumentPage,
    DocumentVersion,
    MeetingStatus,
)
from storage.pdf.ingest import Ingested

# Materials can be added until the meeting is archived.
OPEN = (
    MeetingStatus.DRAFT,
    MeetingStatus.PUBLISHED,
    MeetingStatus.IN_PROGRESS,
    MeetingStatus.ENDED,
)


@dataclass(frozen=True)
class NewDocument:
    title: str
    agenda_item_id: int | None
    confidentiality: Confidentiality
    access_until: datetime | None


async def _presents_an_item(ctx: Context, meeting_id: int, item_id: int | None = None) -> bool:
    query = select(AgendaItem.id).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.presenter_id == ctx.user.user_id
    )
    if item_id is not None:
        query = query.where(AgendaItem.id == item_id)
    return (await ctx.db.exec(query)).first() is not None


async def may_upload(
    ctx: Context, meeting_id: int, item_id: int | None, *, early: bool = False
) -> None:
    """Organisers upload anywhere; a presenter only to the items they present.

    `early` is the check made before the first byte is read, when the item is not known yet:
    presenting any item of the meeting is enough to be allowed to send the file.
    """
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    meeting_access.require_status(view.meeting, *OPEN)
    roles = set(view.roles)
    if (item_id is not None or early) and await _presents_an_item(ctx, meeting_id, item_id):
        roles.add(MeetingRole.PRESENTER)
    if not may_document(frozenset(roles), DocumentAction.UPLOAD_OWN_ITEM):
        raise access.refusal(DocumentAction.UPLOAD_OWN_ITEM)


def _rows(
    document_id: int,
    number: int,
    ingested: Ingested,
    file_name: str,
    user_id: int,
) -> tuple[DocumentVersion, list[DocumentPage]]:
    version = DocumentVersion(
        document_id=document_id,
        number=number,
        sha256=ingested.pdf.sha256,
        size=ingested.pdf.size,
        pages=ingested.info.pages,
        file_name=file_name[:255] or "tai-lieu.pdf",
        source_sha256=ingested.original.sha256 if ingested.kind.needs_conversion else None,
        source_kind=ingested.kind.value,
        uploaded_by=user_id,
    )
    pages = [
        DocumentPage(version_id=0, page=i, text=text, folded=fold(text))
        for i, text in enumerate(ingested.info.texts, start=1)
    ]
    return version, pages


async def _store_version(
    ctx: Context, document: Document, ingested: Ingested, file_name: str
) -> DocumentVersion:
    document.version += 1
    version, pages = _rows(
        document.id or 0, document.version, ingested, file_name, ctx.user.user_id
    )
    ctx.db.add(version)
    await ctx.db.flush()
    for page in pages:
        page.version_id = version.id or 0
        ctx.db.add(page)
    ctx.db.add(document)
    return version


@operation("document.create", Permission.AUTHENTICATED)
async def create(
    ctx: Context, meeting_id: int, meta: NewDocument, ingested: Ingested, file_name: str
) -> Document:
    await may_upload(ctx, meeting_id, meta.agenda_item_id)
    await library.check_item(ctx, meeting_id, meta.agenda_item_id)
    library.check_access_until(meta.confidentiality.value, meta.access_until)
    last = (
        await ctx.db.exec(
            select(func.max(Document.position)).where(Document.meeting_id == meeting_id)
        )
    ).one()
    document = Document(
        meeting_id=meeting_id,
        agenda_item_id=meta.agenda_item_id,
        title=meta.title,
        confidentiality=meta.confidentiality.value,
        access_until=meta.access_until,
        position=(last or 0) + 1,
        created_by=ctx.user.user_id,
    )
    ctx.db.add(document)
    await ctx.db.flush()
    version = await _store_version(ctx, document, ingested, file_name)
    audit.record(
        ctx,
        "document",
        document.id,
        {
            "meeting_id": meeting_id,
            "title": meta.title,
            "confidentiality": meta.confidentiality.value,
            "sha256": version.sha256,
            "pages": version.pages,
            "kind": version.source_kind,
        },
    )
    library.changed(ctx, document, "added")
    return document


@operation("document.new_version", Permission.AUTHENTICATED)
async def new_version(
    ctx: Context, document_id: int, ingested: Ingested, file_name: str
) -> Document:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    await may_upload(ctx, view.document.meeting_id, view.document.agenda_item_id)
    if view.document.withdrawn_at is not None:
        raise Invalid(
            "document_withdrawn",
            vi="Tài liệu đã bị rút; không thể thêm phiên bản.",
            en="The document was withdrawn; it takes no new versions.",
        )
    version = await _store_version(ctx, view.document, ingested, file_name)
    audit.record(
        ctx, "document", document_id, {"version": version.number, "sha256": version.sha256}
    )
    library.changed(ctx, view.document, "new_version")
    return view.document
