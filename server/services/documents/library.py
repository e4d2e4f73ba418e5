"""The meeting's materials: listing, details and versions, edits, withdrawal, revocation,
and read receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from server.errors import Invalid
from server.permissions import DocumentAction, MeetingAction, Permission
from server.schemas.documents import DocumentPatch
from server.services import Context, audit, invitations, meeting_access, operation
from server.services.documents import access
from server.services.live.events import emit_to_all
from storage.models import (
    AgendaItem,
    Confidentiality,
    Document,
    DocumentVersion,
    Invitation,
    ReadReceipt,
)
from storage.types import utcnow

RECEIPT_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Listed:
    document: Document
    version: DocumentVersion | None
    receipt: ReadReceipt | None
    can_download: bool


async def current_version(ctx: Context, document: Document) -> DocumentVersion | None:
    query = select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == document.version
    )
    return (await ctx.db.exec(query)).first()


async def current_versions(ctx: Context, document_ids: list[int]) -> dict[int, DocumentVersion]:
    """The current version of each document, in one query."""
    rows = await ctx.db.exec(
        select(DocumentVersion)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(col(Document.id).in_(document_ids), col(Document.version) == DocumentVersion.number)
    )
    return {v.document_id: v for v in rows.all()}


async def versions(ctx: Context, document_id: int) -> list[DocumentVersion]:

    query = select(DocumentVersion).where(DocumentVersion.document_id == document_id)
    return list((await ctx.db.exec(query.order_by(col(DocumentVersion.number)))).all())


@operation("document.list", Permission.AUTHENTICATED)
async def list_for_meeting(ctx: Context, meeting_id: int) -> list[Listed]:
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    rows = (
        await ctx.db.exec(
            select(Document)
            .where(Document.meeting_id == meeting_id)
            .order_by(col(Document.position), col(Document.id))
        )
    ).all()
    receipts = {
        r.document_id: r
        for r in (
            await ctx.db.exec(select(ReadReceipt).where(ReadReceipt.user_id == ctx.user.user_id))
        ).all()
    }
    current = await current_versions(ctx, [d.id or 0 for d in rows])
    out = []
    for document in rows:
        if not access.visible_to(view, document):
            continue
        out.append(
            Listed(
                document,
                current.get(document.id or 0),
                receipts.get(document.id or 0),
                document.confidentiality != Confidentiality.RESTRICTED.value,
            )
        )
    return out


@operation("document.read", Permission.AUTHENTICATED)
async def read(ctx: Context, document_id: int) -> tuple[access.DocumentView, list[DocumentVersion]]:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    return view, await versions(ctx, document_id)


async def check_item(ctx: Context, meeting_id: int, item_id: int | None) -> None:
    if item_id is None:
        return
    item = await ctx.db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise Invalid(
            "agenda_item_not_found",
            vi="Mục chương trình không thuộc cuộc họp này.",
            en="That agenda item is not part of this meeting.",
        )


def check_access_until(confidentiality: str, until: datetime | None) -> None:
    if until is not None and confidentiality != Confidentiality.SECRET.value:
        raise Invalid(
            "access_until_for_secret_only",
            vi="Chỉ tài liệu mật mới đặt hạn xem.",
            en="Only secret documents have an access deadline.",
        )


def changed(ctx: Context, document: Document, what: str) -> None:
    """Everyone in the live meeting room refreshes its list of materials."""
    emit_to_all(
        ctx, document.meeting_id, "documents.changed", {"document_id": document.id, "what": what}
    )


@operation("document.update", Permission.AUTHENTICATED)
async def update(ctx: Context, document_id: int, patch: DocumentPatch) -> Document:
    view = await access.load(ctx, document_id, DocumentAction.MANAGE)
    document = view.document
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "agenda_item_id" in changes:
        await check_item(ctx, document.meeting_id, patch.agenda_item_id)
        document.agenda_item_id = patch.agenda_item_id
    if patch.title is not None:
        document.title = patch.title
    if patch.confidentiality is not None:
        document.confidentiality = patch.confidentiality.value
    if "access_until" in changes:
        document.access_until = patch.access_until
    check_access_until(document.confidentiality, document.access_until)
    ctx.db.add(document)
    audit.record(ctx, "document", document_id, changes)
    changed(ctx, document, "updated")
    return document


@operation("document.withdraw", Permission.AUTHENTICATED)
async def withdraw(ctx: Context, document_id: int) -> Document:
    view = await access.load(ctx, document_id, DocumentAction.MANAGE)
    view.document.withdrawn_at = utcnow()
    ctx.db.add(view.document)
    audit.record(ctx, "document", document_id)
    changed(ctx, view.document, "withdrawn")
    return view.document


@operation("document.revoke", Permission.AUTHENTICATED)
async def revoke(ctx: Context, document_id: int) -> Document:
    """End everyone's access to a secret document at once (its organisers keep theirs)."""
    view = await access.load(ctx, document_id, DocumentAction.MANAGE)
    if not view.secret:
        raise Invalid(
            "revoke_secret_only",
            vi="Chỉ thu hồi được tài liệu mật.",
            en="Only secret documents can be revoked.",
        )
    view.document.revoked_at = utcnow()
    ctx.db.add(view.document)
    if ctx.documents is not None:  # every watermarked copy goes at once
        for version in await versions(ctx, document_id):
            await ctx.documents.derived.invalidate(version.sha256)

    audit.record(ctx, "document", document_id)
    changed(ctx, view.document, "revoked")
    return view.document


async def mark_read(ctx: Context, view: access.DocumentView) -> None:
    """Called when the file is served to its reader: the read receipt."""
    receipt = await ctx.db.get(ReadReceipt, (view.document.id, ctx.user.user_id))
    now = utcnow()
    fresh = receipt is not None and receipt.version == view.document.version
    if fresh and now - receipt.last_opened_at < RECEIPT_RESOLUTION:  # type: ignore[union-attr]
        return  # PDF.js asks for a document in many ranges: one write a minute is enough
    if receipt is None:
        receipt = ReadReceipt(
            document_id=view.document.id or 0,
            user_id=ctx.user.user_id,
            version=view.document.version,
            first_opened_at=now,
        )
    receipt.version, receipt.last_opened_at = view.document.version, now
    ctx.db.add(receipt)


@operation("document.readers", Permission.AUTHENTICATED)
async def readers(ctx: Context, document_id: int) -> tuple[list[ReadReceipt], list[Invitation]]:
    """Who has opened the document, and which invitees have not."""
    await access.load(ctx, document_id, DocumentAction.OVERSEE)
    document = await ctx.db.get(Document, document_id)
    assert document is not None
    read = list(
        (await ctx.db.exec(select(ReadReceipt).where(ReadReceipt.document_id == document_id))).all()
    )
    readers_ids = {r.user_id for r in read}
    pending = [
        i
        for i in await invitations.all_of(ctx, document.meeting_id)
        if i.user_id not in readers_ids and (i.substitute_id or 0) not in readers_ids
    ]
    return read, pending
