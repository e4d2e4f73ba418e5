"""Serving document bytes: the PDF to read (watermarked per viewer when secret), the
download, and the agenda pack. Every request is checked again; nothing is trusted from
the page that asked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from server.errors import Forbidden, NotFound
from server.permissions import DocumentAction, MeetingAction, Permission
from server.services import Context, audit, meeting_access, operation, users
from server.services.documents import access, library
from server.services.documents.resources import DocumentResources
from server.timezone import local
from storage.models import AgendaItem, Confidentiality, Document, DocumentVersion
from storage.pdf import PackDocument, PackSection, Stamp, pack_key
from storage.types import utcnow


@dataclass(frozen=True)
class Served:
    path: Path
    file_name: str  # shown to the user (Content-Disposition), never used as a path
    attachment: bool
    per_viewer: bool  # a watermarked copy: private, never cached by a proxy


def _resources(ctx: Context) -> DocumentResources:
    assert ctx.documents is not None, "document resources are set by the HTTP edge"
    return ctx.documents


async def _stamp(ctx: Context, meeting_title: str) -> Stamp:
    person = (await users.directory(ctx, {ctx.user.user_id}))[ctx.user.user_id]
    return Stamp(
        viewer=person.full_name,
        unit=person.unit_name,
        meeting=meeting_title,
        issued_at=f"{local(utcnow()):%d/%m/%Y %H:%M}",
    )


async def _pdf_for(
    ctx: Context, view: access.DocumentView, version: DocumentVersion
) -> tuple[Path, bool]:
    res = _resources(ctx)
    source = res.store.local_path(version.sha256)
    if source is None:
        raise NotFound(
            "document_missing",
            vi="Tệp của tài liệu không còn trong kho.",
            en="The file is missing.",
        )
    if not view.secret:
        return source, False
    stamp = await _stamp(ctx, view.meeting.meeting.title)
    copy = await res.derived.get_or_create(
        version.sha256,
        f"u{ctx.user.user_id}",
        lambda target: res.engine.watermark(source, target, stamp),
    )
    return copy, True


async def _version(ctx: Context, document: Document, number: int | None) -> DocumentVersion:
    wanted = number or document.version
    found = (
        await ctx.db.exec(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id, DocumentVersion.number == wanted
            )
        )
    ).first()
    if found is None:
        raise NotFound("version_not_found", vi="Không có phiên bản này.", en="No such version.")
    return found


def pdf_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.pdf"


@operation("document.view", Permission.AUTHENTICATED)
async def view_file(ctx: Context, document_id: int, version: int | None = None) -> Served:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    row = await _version(ctx, view.document, version)
    path, per_viewer = await _pdf_for(ctx, view, row)
    await library.mark_read(ctx, view)
    return Served(path, pdf_name(row.file_name), attachment=False, per_viewer=per_viewer)


@operation("document.download", Permission.AUTHENTICATED)
async def download(ctx: Context, document_id: int) -> Served:
    view = await access.load(ctx, document_id, DocumentAction.READ)
    if not view.can_download:
        raise Forbidden(
            "download_not_allowed",
            vi="Tài liệu hạn chế chỉ được đọc trên màn hình, không tải về.",
            en="A restricted document can be read on screen only, not downloaded.",
        )
    row = await _version(ctx, view.document, None)
    path, per_viewer = await _pdf_for(ctx, view, row)
    await library.mark_read(ctx, view)
    if view.secret:  # a secret document taken home is worth an audit row; other reads are not
        audit.record(ctx, "document", document_id, {"version": row.number})
    return Served(path, pdf_name(row.file_name), attachment=True, per_viewer=per_viewer)


@dataclass(frozen=True)
class _PackRows:
    """What a meeting's pack is made of, for every viewer (each sees a part of it)."""

    items: list[AgendaItem]
    documents: list[Document]
    current: dict[int, DocumentVersion]


async def _pack_rows(ctx: Context, meeting_id: int) -> _PackRows:
    """The meeting's agenda, documents and their current versions.

    When a meeting starts, hundreds of officials ask for the pack within a second, and each
    would queue the same three queries: a request that arrives while another request's read
    for the same meeting is in flight waits for that one instead. The read is never kept
    afterwards, so nothing is served that was older than a read in flight on arrival.
    """
    reads = _resources(ctx).pack_reads
    pending = reads.get(meeting_id)
    if pending is not None:
        # Shielded: a viewer who hangs up must not cancel what the others wait for.
        rows: _PackRows | None = await asyncio.shield(pending)
        if rows is not None:
            return rows
        # The reading request failed or went away: read for ourselves.
    # The read runs on this request's own session: a new connection per read could wait
    # forever behind the requests that hold the pool's connections while they wait for it.
    mine: asyncio.Future[_PackRows | None] = asyncio.get_running_loop().create_future()
    reads[meeting_id] = mine
    try:
        rows = await _read_pack_rows(ctx, meeting_id)
    except BaseException:
        mine.set_result(None)  # failed or cancelled: the waiters read for themselves
        raise
    else:
        mine.set_result(rows)
        return rows
    finally:
        if reads.get(meeting_id) is mine:
            del reads[meeting_id]


async def _read_pack_rows(ctx: Context, meeting_id: int) -> _PackRows:
    items = await ctx.db.exec(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(col(AgendaItem.position))
    )
    documents = await ctx.db.exec(
        select(Document).where(Document.meeting_id == meeting_id).order_by(col(Document.position))
    )
    versions = await ctx.db.exec(
        select(DocumentVersion)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(Document.meeting_id == meeting_id, col(Document.version) == DocumentVersion.number)
    )
    rows = _PackRows(
        list(items.all()), list(documents.all()), {v.document_id: v for v in versions.all()}
    )
    # Other requests read these objects: out of this session, so that nothing it does later
    # (a rollback expires what it holds) can change them under them.
    for row in (*rows.items, *rows.documents, *rows.current.values()):
        ctx.db.expunge(row)
    return rows


async def _sections(
    ctx: Context, meeting_id: int, view: meeting_access.MeetingView
) -> tuple[list[PackSection], bool]:
    """Agenda order: one section per item with its documents, then the meeting-wide ones."""
    res = _resources(ctx)
    rows = await _pack_rows(ctx, meeting_id)
    items = rows.items
    documents = [
        d
        for d in rows.documents
        if d.withdrawn_at is None
        and access.visible_to(view, d)
        and d.confidentiality != Confidentiality.RESTRICTED.value
    ]  # no download for those
    secret = any(d.confidentiality == Confidentiality.SECRET.value for d in documents)
    current = rows.current
    sections = []

    for number, item in enumerate([i for i in items if not i.withdrawn], start=1):
        mine = [d for d in documents if d.agenda_item_id == item.id]
        if mine:
            sections.append(PackSection(f"{number}. {item.title}", _pack_docs(res, mine, current)))
    general = [d for d in documents if d.agenda_item_id is None]
    if general:
        sections.append(PackSection("Tài liệu chung", _pack_docs(res, general, current)))
    return sections, secret


def _pack_docs(
    res: DocumentResources, documents: list[Document], current: dict[int, DocumentVersion]
) -> list[PackDocument]:
    out = []

    for document in documents:
        version = current.get(document.id or 0)
        path = res.store.local_path(version.sha256) if version else None
        if version is not None and path is not None:
            out.append(PackDocument(document.title, path, version.sha256))
    return out


@operation("meeting.pack", Permission.AUTHENTICATED)
async def pack(ctx: Context, meeting_id: int) -> Served:
    """The agenda pack; rebuilt when materials change, watermarked per viewer when secret."""
    view = await meeting_access.load(ctx, meeting_id, MeetingAction.READ)
    sections, secret = await _sections(ctx, meeting_id, view)
    if not sections:
        raise NotFound(
            "pack_empty",
            vi="Cuộc họp chưa có tài liệu để tải về.",
            en="The meeting has no downloadable materials yet.",
        )
    res = _resources(ctx)
    key = pack_key(sections)
    # The lock-free look-up first: hundreds of officials download the same pack at once.
    plain = await res.derived.get(key, "pack") or await res.derived.get_or_create(
        key, "pack", lambda target: res.engine.pack(sections, target)
    )
    served = plain
    if secret:
        stamp = await _stamp(ctx, view.meeting.title)
        served = await res.derived.get_or_create(
            key,
            f"pack-u{ctx.user.user_id}",
            lambda target: res.engine.watermark(plain, target, stamp),
        )
    if secret:  # who took a copy of secret material home is worth a row; other reads are not
        audit.record(ctx, "meeting", meeting_id, {"pack": key[:12]})
    return Served(served, f"Tai-lieu-cuoc-hop-{meeting_id}.pdf", attachment=True, per_viewer=secret)
