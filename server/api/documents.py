"""Meeting documents over HTTP: multipart uploads streamed to disk, PDFs served with Range
and ETag, notes, opinions, search."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, web

from server.api.base import context, out, parse, path_id
from server.api.document_views import comment_out, document_out, version_out
from server.errors import BadRequest, DomainError, Invalid
from server.schemas.documents import (
    CommentEnvelope,
    CommentIn,
    Comments,
    DocumentEnvelope,
    DocumentList,
    DocumentPatch,
    NoteEnvelope,
    NoteIn,
    NoteList,
    NoteOut,
    NoteText,
    ReaderOut,
    Readers,
    RoundIn,
    RoundOut,
    SearchHit,
    SearchResults,
    UnitAnswer,
)
from server.services import Context, users
from server.services.documents import (
    files,
    library,
    notes,
    opinions,
    opinions_export,
    search,
    upload,
)
from server.services.documents.files import Served
from storage.documents import chunks_from
from storage.models import Confidentiality
from storage.pdf import DocumentError
from storage.pdf.ingest import Ingested, ingest

FIELDS = ("title", "agenda_item_id", "confidentiality", "access_until")


def document_error(exc: DocumentError) -> DomainError:
    return DomainError(exc.code, vi=exc.vi, en=exc.en, status=exc.status, details=exc.details)


def _meta(fields: dict[str, str], file_name: str) -> upload.NewDocument:
    try:
        confidentiality = Confidentiality(fields.get("confidentiality") or "normal")
        item = int(fields["agenda_item_id"]) if fields.get("agenda_item_id") else None
        until = (
            datetime.fromisoformat(fields["access_until"]) if fields.get("access_until") else None
        )
    except ValueError as exc:
        raise Invalid(
            "invalid_input",
            vi="Thông tin tài liệu không hợp lệ (mức mật, mục chương trình, hạn xem).",
            en="Invalid document details (confidentiality, agenda item, access deadline).",
        ) from exc
    if until is not None and until.tzinfo is None:
        raise Invalid(
            "invalid_input",
            vi="Hạn xem phải có múi giờ.",
            en="The access deadline needs a time zone.",
        )
    title = (fields.get("title") or file_name.rsplit(".", 1)[0] or "Tài liệu").strip()[:300]
    return upload.NewDocument(title, item, confidentiality, until)


async def receive_file(request: web.Request, ctx: Context) -> tuple[Ingested, str, dict[str, str]]:
    """Read the multipart body: small text fields, and the file streamed into the store."""
    if not request.content_type.startswith("multipart/"):
        raise BadRequest(
            "unsupported_media_type",
            vi="Hãy gửi tệp bằng multipart/form-data.",
            en="Send the file as multipart/form-data.",
            status=415,
        )
    reader = await request.multipart()
    fields: dict[str, str] = {}
    ingested: Ingested | None = None
    name = ""
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file" and ingested is None:
            # Browsers send the name in UTF-8; some clients percent-encode it (RFC 7578 §4.2).
            name = unquote(part.filename or "") or "tai-lieu"
            assert ctx.documents is not None
            try:
                ingested = await ingest(
                    ctx.documents.store,
                    ctx.documents.engine,
                    chunks_from(part.read_chunk),
                    max_bytes=ctx.documents.max_upload_bytes,
                )
            except DocumentError as exc:
                raise document_error(exc) from exc
        elif part.name in FIELDS:
            fields[part.name] = (await part.text())[:1000]
    if ingested is None:
        raise Invalid("file_missing", vi="Chưa chọn tệp để tải lên.", en="No file was sent.")
    return ingested, name, fields


async def _forget(ctx: Context, ingested: Ingested) -> None:
    """The rows were refused: the blobs this upload added go too (nothing half-made remains)."""
    assert ctx.documents is not None
    for blob in ingested.created:
        await ctx.documents.store.delete(blob.sha256)


async def create_document(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    async with context(request) as ctx:
        await upload.may_upload(ctx, meeting_id, None, early=True)  # before reading any byte
        ingested, name, fields = await receive_file(request, ctx)
        try:
            document = await upload.create(ctx, meeting_id, _meta(fields, name), ingested, name)
        except BaseException:
            await _forget(ctx, ingested)
            raise
        envelope = await _envelope(ctx, document.id or 0)
    return out(envelope, status=201)


async def add_version(request: web.Request) -> web.Response:
    document_id = path_id(request)
    async with context(request) as ctx:
        view, _ = await library.read(ctx, document_id)
        await upload.may_upload(ctx, view.document.meeting_id, view.document.agenda_item_id)
        ingested, name, _fields = await receive_file(request, ctx)
        try:
            await upload.new_version(ctx, document_id, ingested, name)
        except BaseException:
            await _forget(ctx, ingested)
            raise
        envelope = await _envelope(ctx, document_id)
    return out(envelope)


async def _envelope(ctx: Context, document_id: int) -> DocumentEnvelope:
    view, versions = await library.read(ctx, document_id)
    listed = next(
        x
        for x in await library.list_for_meeting(ctx, view.document.meeting_id)
        if x.document.id == document_id
    )
    people = await users.directory(ctx, {v.uploaded_by for v in versions})
    return DocumentEnvelope(
        document=document_out(listed), versions=[version_out(v, people) for v in versions]
    )


async def list_documents(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        listed = await library.list_for_meeting(ctx, path_id(request))
    return out(DocumentList(documents=[document_out(x) for x in listed]))


async def read_document(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def update_document(request: web.Request) -> web.Response:
    body = await parse(request, DocumentPatch)
    async with context(request) as ctx:
        await library.update(ctx, path_id(request), body)
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def withdraw_document(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await library.withdraw(ctx, path_id(request))
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


async def revoke_document(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await library.revoke(ctx, path_id(request))
        envelope = await _envelope(ctx, path_id(request))
    return out(envelope)


def content_disposition(served: Served) -> str:
    """RFC 6266/5987: an ASCII fallback, and the Vietnamese name in UTF-8."""
    kind = "attachment" if served.attachment else "inline"
    fallback = (
        served.file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(served.file_name)}"


def _send(served: Served) -> web.FileResponse:
    # FileResponse streams from disk (sendfile), answers Range and If-None-Match itself; its
    # ETag comes from the file's size and time, stable because stored files never change.
    response = web.FileResponse(
        served.path,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": content_disposition(served),
            "Cache-Control": "private, no-store"
            if served.per_viewer
            else "private, max-age=0, must-revalidate",
            "X-Content-Type-Options": "nosniff",
        },
    )
    return response


async def view_file(request: web.Request) -> web.StreamResponse:
    version = request.query.get("version")
    async with context(request) as ctx:
        served = await files.view_file(
            ctx, path_id(request), int(version) if version and version.isdigit() else None
        )
    return _send(served)


async def download_file(request: web.Request) -> web.StreamResponse:
    async with context(request) as ctx:
        served = await files.download(ctx, path_id(request))
    return _send(served)


async def meeting_pack(request: web.Request) -> web.StreamResponse:
    async with context(request) as ctx:
        served = await files.pack(ctx, path_id(request))
    return _send(served)


async def readers(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        read, pending = await library.readers(ctx, path_id(request))
        people = await users.directory(
            ctx, {r.user_id for r in read} | {p.user_id for p in pending}
        )

    def ref(user_id: int) -> dict[str, object]:
        person = people.get(user_id)
        return {
            "user_id": user_id,
            "full_name": person.full_name if person else "?",
            "unit_name": person.unit_name if person else "",
        }

    return out(
        Readers(
            readers=[
                ReaderOut(
                    **ref(r.user_id),
                    first_opened_at=r.first_opened_at,
                    last_opened_at=r.last_opened_at,
                    version=r.version,
                )
                for r in read
            ],
            not_read=[ReaderOut(**ref(p.user_id)) for p in pending],
        )
    )


async def list_notes(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        rows = await notes.list_notes(ctx, path_id(request))
    return out(NoteList(notes=[NoteOut.model_validate(n, from_attributes=True) for n in rows]))


async def create_note(request: web.Request) -> web.Response:
    body = await parse(request, NoteIn)
    async with context(request) as ctx:
        note = await notes.create(ctx, path_id(request), body.page, body.text)
    return out(NoteEnvelope(note=NoteOut.model_validate(note, from_attributes=True)), status=201)


async def update_note(request: web.Request) -> web.Response:
    body = await parse(request, NoteText)
    async with context(request) as ctx:
        note = await notes.update(ctx, path_id(request), body.text)
    return out(NoteEnvelope(note=NoteOut.model_validate(note, from_attributes=True)))


async def delete_note(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await notes.delete(ctx, path_id(request))
    return web.Response(status=204)


async def open_round(request: web.Request) -> web.Response:
    body = await parse(request, RoundIn)
    async with context(request) as ctx:
        row = await opinions.open_round(ctx, path_id(request), body.deadline)
    return out(RoundOut(deadline=row.deadline, open=True))


async def close_round(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await opinions.close_round(ctx, path_id(request))
    return web.Response(status=204)


async def _comments(ctx: Context, document_id: int) -> Comments:
    found = await opinions.read(ctx, document_id)
    people = await users.directory(ctx, {c.user_id for c in found.comments})
    names = await users.unit_names(ctx)
    return Comments(
        round=RoundOut(deadline=found.round.deadline, open=opinions.is_open(found.round))
        if found.round
        else None,
        comments=[comment_out(c, people, names, ctx.user.user_id) for c in found.comments],
        units=[
            UnitAnswer(unit_id=u, unit_name=names.get(u, ""), answered=a) for u, a in found.units
        ],
    )


async def list_comments(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        body = await _comments(ctx, path_id(request))
    return out(body)


async def add_comment(request: web.Request) -> web.Response:
    body = await parse(request, CommentIn)
    async with context(request) as ctx:
        row = await opinions.comment(ctx, path_id(request), body.page, body.text)
        people = await users.directory(ctx, {row.user_id})
        names = await users.unit_names(ctx)
    return out(CommentEnvelope(comment=comment_out(row, people, names, row.user_id)), status=201)


async def _export(request: web.Request, kind: str) -> web.Response:
    async with context(request) as ctx:
        export = await opinions_export.collect(ctx, path_id(request))
    body = opinions_export.as_csv(export) if kind == "csv" else await opinions_export.as_pdf(export)
    name = f"Gop-y-tai-lieu-{path_id(request)}.{kind}"
    return web.Response(
        body=body,
        headers={
            "Content-Type": "text/csv; charset=utf-8" if kind == "csv" else "application/pdf",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


async def comments_csv(request: web.Request) -> web.Response:
    return await _export(request, "csv")


async def comments_pdf(request: web.Request) -> web.Response:
    return await _export(request, "pdf")


async def search_documents(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        hits = await search.search(ctx, request.query.get("q", ""))
    return out(
        SearchResults(
            results=[
                SearchHit(
                    meeting_id=h.meeting.id or 0,
                    meeting_title=h.meeting.title,
                    document_id=h.document.id or 0,
                    document_title=h.document.title,
                    page=h.page,
                    snippet=h.snippet,
                )
                for h in hits
            ]
        )
    )
