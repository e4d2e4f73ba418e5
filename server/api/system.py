"""Health, metrics, the OpenAPI document and the audit log."""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.api.base import context, int_param, out
from server.schemas import AuditList, AuditOut, Health
from server.services import audit


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[keys.DATABASE].ping()
    except Exception:
        return out(Health(status="degraded", database="unreachable"), status=503)
    return out(Health(status="ok", database="ok"))


async def metrics(request: web.Request) -> web.Response:
    body, content_type = request.app[keys.METRICS].render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type
    return response


async def openapi(request: web.Request) -> web.Response:
    from server.api.openapi import document

    return web.json_response(document())


async def list_audit(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        entries = await audit.list_entries(
            ctx,
            object_type=request.query.get("object_type"),
            limit=int_param(request, "limit", query=True) or 100,
        )
    return out(
        AuditList(entries=[AuditOut.model_validate(e, from_attributes=True) for e in entries])
    )
