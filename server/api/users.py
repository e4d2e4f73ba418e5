"""People and commune-site accounts."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api.base import context, int_param, out, parse, path_id
from server.api.serialize import user_out
from server.errors import BadRequest, DomainError
from server.schemas import (
    CreatedUser,
    ImportedUser,
    ImportResult,
    NewPassword,
    UserEnvelope,
    UserIn,
    UserList,
    UserPatch,
)
from server.services import user_import, users


async def list_users(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        found = await users.list_users(
            ctx,
            unit_id=int_param(request, "unit_id", query=True),
            q=request.query.get("q"),
            role=request.query.get("role"),
        )
        names = await users.unit_names(ctx)
    return out(UserList(users=[user_out(u, names) for u in found]))


async def read_user(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        user = await users.read_user(ctx, path_id(request))
        names = await users.unit_names(ctx)
    return out(UserEnvelope(user=user_out(user, names)))


async def create_user(request: web.Request) -> web.Response:
    body = await parse(request, UserIn)
    async with context(request) as ctx:
        user, password = await users.create_user(ctx, body)
        names = await users.unit_names(ctx)
    return out(CreatedUser(user=user_out(user, names), password=password), status=201)


async def update_user(request: web.Request) -> web.Response:
    body = await parse(request, UserPatch)
    async with context(request) as ctx:
        user = await users.update_user(ctx, path_id(request), body)
        names = await users.unit_names(ctx)
    return out(UserEnvelope(user=user_out(user, names)))


async def reset_password(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        password = await users.reset_password(ctx, path_id(request))
    return out(NewPassword(password=password))


async def _read_csv(request: web.Request) -> bytes:
    if request.content_type not in {"text/csv", "application/octet-stream"}:
        raise BadRequest(
            "unsupported_media_type",
            vi="Hãy gửi tệp CSV (Content-Type: text/csv).",
            en="Send a CSV file (Content-Type: text/csv).",
            status=415,
        )
    limit = request.app[keys.SETTINGS].max_csv_bytes
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            raise DomainError(
                "too_large",
                vi=f"Tệp quá lớn (tối đa {limit // 1_000_000} MB).",
                en=f"The file is too large (at most {limit // 1_000_000} MB).",
                status=413,
            )
    return bytes(data)


async def import_users(request: web.Request) -> web.Response:
    raw = await _read_csv(request)
    async with context(request) as ctx:
        created = await user_import.import_users(ctx, raw)
    return out(
        ImportResult(
            created=len(created),
            users=[ImportedUser(username=u.username, password=p) for u, p in created],
        )
    )
