"""Minutes and conclusion notices over HTTP: draft, edit, preview, sign, download, verify."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api.base import context, lang_of, out, parse, path_id
from server.errors import BadRequest, DomainError
from server.schemas.minutes import (
    MinutesContent,
    MinutesEnvelope,
    MinutesList,
    MinutesOut,
    SignIn,
    VerificationOut,
)
from server.services import Context, users
from server.services.minutes import records
from storage.models import MinutesRecord

# A signed biên bản is a few hundred kB; 50 MB covers one with scanned annexes.
MAX_VERIFY_BYTES = 50 * 1024 * 1024


async def _out(ctx: Context, rows: list[MinutesRecord]) -> list[MinutesOut]:
    people = await users.directory(ctx, {r.signed_by or 0 for r in rows})
    return [
        MinutesOut(
            id=r.id or 0,
            meeting_id=r.meeting_id,
            kind=r.kind,
            version=r.version,
            status=r.status,
            content=r.content,
            signed_at=r.signed_at,
            updated_at=r.updated_at,
            signed_by_name=people[r.signed_by].full_name if r.signed_by in people else None,
        )
        for r in rows
    ]


def _kind(request: web.Request) -> str:
    return request.match_info["kind"]


def _pdf(body: bytes, name: str) -> web.Response:
    return web.Response(
        body=body,
        headers={
            "Content-Type": "application/pdf",
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="{name}"',
        },
    )


async def list_minutes(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        body = MinutesList(
            records=await _out(ctx, await records.list_records(ctx, path_id(request)))
        )
    return out(body)


async def current(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        record = await records.draft(ctx, path_id(request), _kind(request))
        body = MinutesEnvelope(minutes=(await _out(ctx, [record]))[0])
    return out(body)


async def save(request: web.Request) -> web.Response:
    payload = await parse(request, MinutesContent)
    async with context(request) as ctx:
        record = await records.save(ctx, path_id(request), _kind(request), payload.content)
        body = MinutesEnvelope(minutes=(await _out(ctx, [record]))[0])
    return out(body)


async def new_version(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        record = await records.new_version(ctx, path_id(request), _kind(request))
        body = MinutesEnvelope(minutes=(await _out(ctx, [record]))[0])
    return out(body, status=201)


async def preview(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        pdf = await records.preview(ctx, path_id(request), _kind(request))
    return _pdf(pdf, f"du-thao-{_kind(request)}.pdf")


async def sign(request: web.Request) -> web.Response:
    payload = await parse(request, SignIn)
    async with context(request) as ctx:
        record = await records.sign(
            ctx, path_id(request), _kind(request), payload.password, request.app[keys.SIGNING]
        )
        body = MinutesEnvelope(minutes=(await _out(ctx, [record]))[0])
    return out(body)


async def signed_file(request: web.Request) -> web.StreamResponse:
    async with context(request) as ctx:
        record, path = await records.signed_file(ctx, path_id(request))
    name = (
        f"{'bien-ban' if record.kind == 'minutes' else 'thong-bao-ket-luan'}-v{record.version}.pdf"
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


async def verify(request: web.Request) -> web.Response:
    """Anyone logged in uploads a PDF (raw body) and learns whether its signature holds."""
    async with context(request) as ctx:
        if ctx.actor is None:
            from server.errors import not_logged_in

            raise not_logged_in()
    data = bytearray()
    async for chunk in request.content.iter_chunked(1 << 16):
        data += chunk
        if len(data) > MAX_VERIFY_BYTES:
            raise DomainError(
                "too_large", vi="Tệp quá lớn để kiểm tra.", en="The file is too large.", status=413
            )
    if not data:
        raise BadRequest(
            "file_missing", vi="Hãy gửi tệp PDF cần kiểm tra.", en="Send the PDF to check."
        )
    result = await records.verify(bytes(data), request.app[keys.SIGNING])
    lang = lang_of(request)
    return out(
        VerificationOut(
            valid=result.valid,
            intact=result.intact,
            trusted=result.trusted,
            code=result.code,
            message=result.message_vi if lang == "vi" else result.message_en,
            signer_name=result.signer_name,
            signer_unit=result.signer_unit,
            signed_at=result.signed_at,
            reason=result.reason,
            signatures=result.signatures,
        )
    )
