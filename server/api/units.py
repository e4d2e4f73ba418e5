"""The organisation tree."""

from __future__ import annotations

from aiohttp import web

from server.api.base import context, out, parse, path_id
from server.api.serialize import unit_out
from server.schemas import UnitEnvelope, UnitIn, UnitList, UnitPatch
from server.services import units


async def list_units(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        found = await units.list_units(ctx)
    return out(UnitList(units=[unit_out(u) for u in found]))


async def create_unit(request: web.Request) -> web.Response:
    body = await parse(request, UnitIn)
    async with context(request) as ctx:
        unit = await units.create_unit(ctx, body)
    return out(UnitEnvelope(unit=unit_out(unit)), status=201)


async def update_unit(request: web.Request) -> web.Response:
    body = await parse(request, UnitPatch)
    async with context(request) as ctx:
        unit = await units.update_unit(ctx, path_id(request), body)
    return out(UnitEnvelope(unit=unit_out(unit)))
