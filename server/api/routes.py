"""Every HTTP route, declared in one place. The OpenAPI document is generated from this table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import BaseModel

from server import schemas as s
from server.api import auth, system, units, users

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | str | None = None  # a model, or a media type for raw bodies
    response: type[BaseModel] | None = None
    status: int = 200
    csrf: bool = True  # state-changing routes need the X-CSRF-Token header
    query: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=(401, 403))


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/healthz",
        system.healthz,
        "Liveness and database check",
        "system",
        response=s.Health,
        errors=(503,),
    ),
    Route("GET", "/metrics", system.metrics, "Prometheus metrics", "system", errors=()),
    Route("GET", "/api/openapi.json", system.openapi, "This document", "system", errors=()),
    Route(
        "POST",
        "/api/auth/login",
        auth.login,
        "Log in with username and password",
        "auth",
        body=s.LoginIn,
        response=s.SessionOut,
        csrf=False,
        errors=(401, 422, 429),
    ),
    Route(
        "GET",
        "/api/auth/session",
        auth.current_session,
        "The current session",
        "auth",
        response=s.SessionOut,
        errors=(401,),
    ),
    Route("POST", "/api/auth/logout", auth.logout, "End this session", "auth", status=204),
    Route(
        "POST",
        "/api/auth/logout-all",
        auth.logout_all,
        "End every session of mine",
        "auth",
        status=204,
    ),
    Route(
        "POST",
        "/api/me/password",
        auth.change_password,
        "Change my password",
        "auth",
        body=s.PasswordChangeIn,
        status=204,
        errors=(401, 422),
    ),
    Route(
        "GET",
        "/api/units",
        units.list_units,
        "The organisation tree (flat list)",
        "units",
        response=s.UnitList,
    ),
    Route(
        "POST",
        "/api/units",
        units.create_unit,
        "Create a unit",
        "units",
        body=s.UnitIn,
        response=s.UnitEnvelope,
        status=201,
        errors=(401, 403, 404, 409, 422),
    ),
    Route(
        "PATCH",
        "/api/units/{id}",
        units.update_unit,
        "Edit or disable a unit",
        "units",
        body=s.UnitPatch,
        response=s.UnitEnvelope,
        errors=(401, 403, 404, 409, 422),
    ),
    Route(
        "GET",
        "/api/users",
        users.list_users,
        "List users",
        "users",
        response=s.UserList,
        query=("unit_id", "q", "role"),
    ),
    Route(
        "POST",
        "/api/users",
        users.create_user,
        "Create a user (password generated)",
        "users",
        body=s.UserIn,
        response=s.CreatedUser,
        status=201,
        errors=(401, 403, 404, 409, 422),
    ),
    Route(
        "POST",
        "/api/users/import",
        users.import_users,
        "Import users from CSV",
        "users",
        body="text/csv",
        response=s.ImportResult,
        errors=(401, 403, 413, 415, 422),
    ),
    Route(
        "GET",
        "/api/users/{id}",
        users.read_user,
        "One user",
        "users",
        response=s.UserEnvelope,
        errors=(401, 403, 404),
    ),
    Route(
        "PATCH",
        "/api/users/{id}",
        users.update_user,
        "Edit or disable a user",
        "users",
        body=s.UserPatch,
        response=s.UserEnvelope,
        errors=(401, 403, 404, 409, 422),
    ),
    Route(
        "POST",
        "/api/users/{id}/reset-password",
        users.reset_password,
        "Give a user a new generated password",
        "users",
        response=s.NewPassword,
        errors=(401, 403, 404),
    ),
    Route(
        "GET",
        "/api/audit",
        system.list_audit,
        "The audit log, newest first",
        "system",
        response=s.AuditList,
        query=("object_type", "limit"),
    ),
)


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)


def route_of(request: web.Request) -> Route | None:
    """The declared route a request matched, if any."""
    info = request.match_info.route
    resource = info.resource
    if resource is None:
        return None
    return _BY_KEY.get((info.method, resource.canonical))


_BY_KEY = {(r.method, r.path): r for r in ROUTES}
