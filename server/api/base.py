"""Helpers every handler uses: the request's context, its parsed body, JSON out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from server import keys
from server.errors import BadRequest, DomainError, Invalid
from server.permissions import Actor
from server.services import Context
from server.validation import describe
from storage.models import UserSession

M = TypeVar("M", bound=BaseModel)

# Set by the session middleware from the cookie; never from anything the client says.
ACTOR = web.RequestKey("actor", Actor)
USER_SESSION = web.RequestKey("user_session", UserSession)


def lang_of(request: web.Request) -> str:
    explicit = request.headers.get("Accept-Language", "").strip().lower()
    return "en" if explicit.startswith("en") else "vi"


def client_ip(request: web.Request) -> str | None:
    return request.remote


@asynccontextmanager
async def context(request: web.Request) -> AsyncIterator[Context]:
    """A service context bound to this request: fresh DB session, actor from the session."""
    async with request.app[keys.DATABASE].session() as db:
        yield Context(
            db=db,
            actor=request.get(ACTOR),
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent"),
            lang=lang_of(request),
            bus=request.app[keys.EVENTS],
            settings=request.app[keys.SETTINGS],
            documents=request.app.get(keys.DOCUMENTS),
        )


def actor(request: web.Request) -> Actor | None:
    return request.get(ACTOR)


async def parse(request: web.Request, model: type[M]) -> M:
    """Read and validate the JSON body; every failure is a 4xx with a readable message."""
    if request.content_type != "application/json":
        raise BadRequest(
            "unsupported_media_type",
            vi="Nội dung gửi lên phải là JSON (Content-Type: application/json).",
            en="The request body must be JSON (Content-Type: application/json).",
            status=415,
        )
    try:
        raw: Any = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "bad_json",
            vi="Nội dung gửi lên không phải JSON hợp lệ.",
            en="The request body is not valid JSON.",
        ) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid_input(exc, lang_of(request)) from exc


def invalid_input(exc: ValidationError, lang: str) -> DomainError:
    fields = describe(exc, lang)
    vi = "; ".join(f"{f['field'] or 'nội dung'}: {f['problem']}" for f in describe(exc, "vi"))
    en = "; ".join(f"{f['field'] or 'body'}: {f['problem']}" for f in describe(exc, "en"))
    return Invalid(
        "invalid_input",
        vi=f"Dữ liệu không hợp lệ — {vi}.",
        en=f"Invalid data — {en}.",
        details={"fields": fields},
    )


def int_param(request: web.Request, name: str, *, query: bool = False) -> int | None:
    raw = request.query.get(name) if query else request.match_info.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise BadRequest(
            "bad_parameter",
            vi=f"Tham số “{name}” phải là số nguyên.",
            en=f"The parameter “{name}” must be an integer.",
        ) from exc


def path_id(request: web.Request, name: str = "id") -> int:
    value = int_param(request, name)
    assert value is not None  # the route pattern guarantees presence
    return value


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def out(model: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(model.model_dump(mode="json"), status=status, dumps=dumps)
