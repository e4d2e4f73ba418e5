"""The server's edge: HTTPS served by this process, or a reverse proxy in front of it.

- TLS here: `ECABINET_TLS_CERT` / `ECABINET_TLS_KEY` (PEM); `ECABINET_HTTP_REDIRECT_PORT`
  also answers plain HTTP there with a permanent redirect to https.
- Behind a proxy (nginx terminating TLS): `ECABINET_TRUSTED_PROXIES` lists the proxies'
  addresses or networks. Only requests *from them* have their X-Forwarded-For / -Proto / -Host
  believed; the request is then seen with the browser's address, scheme and host (access log,
  login throttling, the same-origin check of the login form, socket.io's origin check). From
  anyone else those headers are dropped.
- Over HTTPS (either way) answers carry Strict-Transport-Security (`ECABINET_HSTS_SECONDS`)
  and every cookie is marked Secure.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import ssl
from collections.abc import AsyncIterator, Sequence
from functools import partial

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from multidict import CIMultiDict

from server.config import Settings

log = logging.getLogger("ecabinet.edge")

HTTPS = web.RequestKey("https", bool)  # the browser's connection is HTTPS
FORWARDED = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def server_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for `web.run_app`, or None when no certificate is configured."""
    if not settings.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.tls_cert, settings.tls_key or None)
    return context


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def install(app: web.Application, settings: Settings) -> None:
    """Add the edge middleware (first, so everything after sees the browser's view), the
    HTTPS headers, and the redirect listener when configured. Call from create_app."""
    app.middlewares.insert(0, middleware(parse_networks(settings.trusted_proxies)))
    app.on_response_prepare.append(partial(https_headers, settings.hsts_seconds))
    if settings.tls_cert and settings.http_redirect_port:
        app.cleanup_ctx.append(partial(redirect_listener, settings))


def middleware(trusted: tuple[Network, ...]) -> Middleware:
    @web.middleware
    async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(_as_seen_by_the_browser(request, trusted))

    return edge


def _is_trusted(address: str | None, trusted: tuple[Network, ...]) -> bool:
    if not address or not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def _as_seen_by_the_browser(request: web.Request, trusted: tuple[Network, ...]) -> web.Request:
    headers = request.headers
    forwarded = any(h in headers for h in FORWARDED)
    if not forwarded and not request.secure:
        request[HTTPS] = False
        return request  # plain HTTP, nobody in between: nothing to change
    clean = CIMultiDict((k, v) for k, v in headers.items() if k not in FORWARDED)
    changes: dict[str, str] = {}
    scheme = request.scheme
    if forwarded and _is_trusted(request.remote, trusted):
        proto = _last(headers.get("X-Forwarded-Proto"))
        if proto in {"http", "https"}:
            scheme = changes["scheme"] = proto
        client = _client(headers.getall("X-Forwarded-For", []), trusted)
        if client:
            changes["remote"] = client
        host = _first(headers.get("X-Forwarded-Host"))
        if host:
            changes["host"] = clean["Host"] = host  # socket.io compares Origin with Host
    # socket.io (engine.io) reads the scheme from this header, not from the connection.
    clean["X-Forwarded-Proto"] = scheme
    request[HTTPS] = scheme == "https"  # copied into the clone's state
    return request.clone(headers=clean, **changes)  # type: ignore[arg-type]


def _client(values: list[str], trusted: tuple[Network, ...]) -> str | None:
    """The nearest address that is not one of our proxies, reading right to left."""
    hops = [h.strip() for v in values for h in v.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop if _is_address(hop) else None
    return hops[0] if hops else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _first(value: str | None) -> str | None:
    return value.split(",")[0].strip() or None if value else None


def _last(value: str | None) -> str | None:
    return value.split(",")[-1].strip().lower() or None if value else None


async def https_headers(
    hsts_seconds: int, request: web.Request, response: web.StreamResponse
) -> None:
    if not request.get(HTTPS):
        return
    if hsts_seconds > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}")
    # The cookies are already headers when this signal runs (aiohttp 3.14): mark those.
    cookies = response.headers.getall("Set-Cookie", [])
    if cookies:
        del response.headers["Set-Cookie"]
        for cookie in cookies:
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            response.headers.add("Set-Cookie", cookie if "secure" in flags else f"{cookie}; Secure")


# ---------------------------------------------------------------------------- HTTP -> HTTPS


def redirect_app(settings: Settings) -> web.Application:
    """Answers every plain-HTTP request with a permanent redirect to the HTTPS address."""
    public = settings.public_url.rstrip("/") if settings.public_url.startswith("https://") else ""
    port = "" if settings.port == 443 else f":{settings.port}"

    async def redirect(request: web.Request) -> web.StreamResponse:
        base = public or f"https://{request.url.raw_host or settings.host}{port}"
        raise web.HTTPPermanentRedirect(f"{base}{request.rel_url}")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app


async def redirect_listener(settings: Settings, _app: web.Application) -> AsyncIterator[None]:
    runner = web.AppRunner(redirect_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.http_redirect_port)
    await site.start()
    log.info(
        "redirecting http to https",
        extra={"port": settings.http_redirect_port, "to": settings.port},
    )
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await runner.cleanup()
