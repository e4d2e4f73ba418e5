"""Private notes anchored to a page: visible only to their author, on all their devices."""

from __future__ import annotations

from sqlmodel import col, select

from server.errors import Invalid, NotFound
from server.permissions import DocumentAction, Permission
from server.services import Context, operation
from server.services.documents import access
from storage.models import Note
from storage.types import utcnow


def _check_page(page: int, pages: int) -> None:
    if not 1 <= page <= max(pages, 1):
        raise Invalid(
            "bad_page", vi=f"Trang phải từ 1 đến {pages}.", en=f"The page must be 1 to {pages}."
        )


async def _pages(ctx: Context, view: access.DocumentView) -> int:
    from server.services.documents.library import current_version

    version = await current_version(ctx, view.document)
    return version.pages if version else 0


@operation("note.list", Permission.AUTHENTICATED)
async def list_notes(ctx: Context, document_id: int) -> list[Note]:
    await access.load(ctx, document_id, DocumentAction.READ)
    query = select(Note).where(Note.document_id == document_id, Note.user_id == ctx.user.user_id)
    return list((await ctx.db.exec(query.order_by(col(Note.page), col(Note.id)))).all())


@operation("note.create", Permission.AUTHENTICATED)
async def create(ctx: Context, document_id: int, page: int, text: str) -> Note:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    _check_page(page, await _pages(ctx, view))
    note = Note(user_id=ctx.user.user_id, document_id=document_id, page=page, text=text)
    ctx.db.add(note)
    await ctx.db.flush()
    return note


async def _own(ctx: Context, note_id: int) -> Note:
    note = await ctx.db.get(Note, note_id)
    if note is None or note.user_id != ctx.user.user_id:
        raise NotFound("note_not_found", vi="Không tìm thấy ghi chú.", en="No such note.")
    await access.load(ctx, note.document_id, DocumentAction.READ)
    return note


@operation("note.update", Permission.AUTHENTICATED)
async def update(ctx: Context, note_id: int, text: str) -> Note:
    note = await _own(ctx, note_id)
    note.text, note.updated_at = text, utcnow()
    ctx.db.add(note)
    return note


@operation("note.delete", Permission.AUTHENTICATED)
async def delete(ctx: Context, note_id: int) -> None:
    await ctx.db.delete(await _own(ctx, note_id))
