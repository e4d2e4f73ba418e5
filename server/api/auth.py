"""Login, logout, the current session, one's own password."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from server import keys
from server.api.base import USER_SESSION, context, out, parse
from server.api.serialize import user_out
from server.errors import DomainError, not_logged_in
from server.schemas import LoginIn, PasswordChangeIn, SessionOut
from server.services import auth, users

COOKIE = "ecabinet_session"


def policy(app: web.Application) -> auth.LoginPolicy:
    s = app[keys.SETTINGS]
    return auth.LoginPolicy(
        max_failures=s.login_max_failures,
        window=timedelta(seconds=s.login_window_seconds),
        session_lifetime=timedelta(hours=s.session_hours),
    )


async def login(request: web.Request) -> web.Response:
    body = await parse(request, LoginIn)
    logins = request.app[keys.METRICS].logins
    async with context(request) as ctx:
        try:
            new = await auth.login(ctx, body.username, body.password, policy(request.app))
        except DomainError as exc:
            logins.labels(exc.code).inc()
            raise
        logins.labels("ok").inc()
        names = await users.unit_names(ctx)
    response = out(SessionOut(user=user_out(new.user, names), csrf_token=new.csrf_token))
    settings = request.app[keys.SETTINGS]
    response.set_cookie(
        COOKIE,
        new.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


async def current_session(request: web.Request) -> web.Response:
    session = request.get(USER_SESSION)
    async with context(request) as ctx:
        if ctx.actor is None or session is None:
            raise not_logged_in()
        user = await users.get(ctx, ctx.actor.user_id)
        names = await users.unit_names(ctx)
    return out(SessionOut(user=user_out(user, names), csrf_token=session.csrf_token))


def _logged_out() -> web.Response:
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


async def logout(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await auth.logout(ctx)
    return _logged_out()


async def logout_all(request: web.Request) -> web.Response:
    async with context(request) as ctx:
        await auth.logout_everywhere(ctx)
    return _logged_out()


async def change_password(request: web.Request) -> web.Response:
    body = await parse(request, PasswordChangeIn)
    async with context(request) as ctx:
        await auth.change_password(ctx, body.current_password, body.new_password)
    return web.Response(status=204)
