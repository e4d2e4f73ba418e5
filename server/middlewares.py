"""Request pipeline: errors → access log & metrics → session → CSRF → handler."""

from __future__ import annotations

import hmac
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from server import keys
from server.api.auth import COOKIE
from server.api.base import ACTOR, USER_SESSION, dumps, lang_of
from server.api.routes import route_of
from server.errors import BadRequest, DomainError, Forbidden
from server.services import Context, auth

log = logging.getLogger("ecabinet.http")
access = logging.getLogger("ecabinet.access")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_HTTP_CODES = {
    404: ("not_found", "Không tìm thấy địa chỉ này.", "No such address."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
}


def _error_response(request: web.Request, error: DomainError) -> web.Response:
    return web.json_response(
        error.as_json(lang_of(request)), status=error.status, headers=error.headers, dumps=dumps
    )


def _from_http(exc: web.HTTPException) -> DomainError:
    code, vi, en = _HTTP_CODES.get(exc.status, ("http_error", exc.reason, exc.reason))
    return DomainError(code, vi=vi, en=en, status=exc.status)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes `{"error": {...}}`; unknown ones are logged, never shown."""
    try:
        return await handler(request)
    except DomainError as exc:
        return _error_response(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400 or not _is_api(request):
            raise
        return _error_response(request, _from_http(exc))
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return _error_response(
            request,
            DomainError(
                "internal_error",
                vi="Lỗi hệ thống. Sự cố đã được ghi lại; hãy thử lại hoặc báo quản trị viên.",
                en="Internal error. It has been logged; try again or tell the administrator.",
                status=500,
            ),
        )


def _is_api(request: web.Request) -> bool:
    return request.path.startswith(("/api/", "/healthz", "/metrics"))


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.perf_counter() - started
        route = route_of(request)
        label = route.path if route else ("static" if not _is_api(request) else "unmatched")
        metrics = request.app[keys.METRICS]
        metrics.requests.labels(request.method, label, str(status)).inc()
        metrics.latency.labels(request.method, label).observe(elapsed)
        actor = request.get(ACTOR)
        access.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "ms": round(elapsed * 1000, 1),
                "user_id": actor.user_id if actor else None,
                "ip": request.remote,
            },
        )


@web.middleware
async def session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the session cookie into an actor; refuse state changes without the CSRF token."""
    token = request.cookies.get(COOKIE)
    if token:
        async with request.app[keys.DATABASE].session() as db:
            found = await auth.resolve_session(Context(db=db, actor=None), token)
        if found is not None:
            user_session, user = found
            request[ACTOR] = auth.actor_of(user, user_session.id)
            request[USER_SESSION] = user_session
    if request.method not in SAFE_METHODS and _is_api(request):
        _check_csrf(request)
    return await handler(request)


def _check_csrf(request: web.Request) -> None:
    route = route_of(request)
    if route is not None and not route.csrf:
        _check_origin(request)
        return
    user_session = request.get(USER_SESSION)
    if user_session is None:
        return  # no session: the operation itself answers 401
    sent = request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(sent.encode(), user_session.csrf_token.encode()):
        raise Forbidden(
            "csrf_failed",
            vi="Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang.",
            en="Missing or wrong anti-forgery (CSRF) token. Reload the page.",
        )


def _check_origin(request: web.Request) -> None:
    """Routes without a session (login) accept only same-origin or trusted browsers."""
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not a browser's cross-site form post: browsers always send Origin on POST
    allowed = {f"{request.scheme}://{request.host}", *request.app[keys.SETTINGS].trusted_origins}
    if origin not in allowed:
        raise BadRequest(
            "bad_origin",
            vi="Yêu cầu đến từ một trang web khác; đã bị từ chối.",
            en="The request came from another web site and was refused.",
            status=403,
        )
