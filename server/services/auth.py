"""Logging in and out: argon2 passwords, server-side revocable sessions, login throttling."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, func, select, update

from server.errors import Throttled, Unauthenticated
from server.permissions import Actor, Permission
from server.services import Context, audit, operation, passwords
from storage.models import LoginFailure, User, UserSession
from storage.types import utcnow

log = logging.getLogger("ecabinet.auth")

# Refresh last_seen at most this often: a write per request would be wasted I/O.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# One address may fail this many times the per-user limit before it is slowed down too:
# a commune hall's NAT puts many honest officials behind one address.
IP_FAILURE_FACTOR = 4


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window: timedelta
    session_lifetime: timedelta


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    user: User
    session: UserSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User, session_id: int | None = None) -> Actor:
    assert user.id is not None
    return Actor(
        user_id=user.id,
        username=user.username,
        unit_id=user.unit_id,
        roles=frozenset(user.roles),
        session_id=session_id,
    )


async def _recent_failures(
    ctx: Context, policy: LoginPolicy, **match: str | None
) -> list[datetime]:
    since = utcnow() - policy.window
    query = select(LoginFailure.at).where(LoginFailure.at >= since)
    for column, value in match.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return list((await ctx.db.exec(query.order_by(col(LoginFailure.at)))).all())


def _wait_seconds(failures: list[datetime], limit: int, window: timedelta) -> int:
    """Each failure past the limit doubles the wait (5 s, 10 s, 20 s … up to the window)."""
    if len(failures) < limit:
        return 0
    delay = min(5 * 2 ** (len(failures) - limit), window.total_seconds())
    ready_at = failures[-1] + timedelta(seconds=delay)
    return max(0, int((ready_at - utcnow()).total_seconds() + 0.999))


async def _check_throttle(ctx: Context, username: str, policy: LoginPolicy) -> None:
    by_user = await _recent_failures(ctx, policy, username=username)
    by_ip = await _recent_failures(ctx, policy, ip=ctx.ip)
    wait = max(
        _wait_seconds(by_user, policy.max_failures, policy.window),
        _wait_seconds(by_ip, policy.max_failures * IP_FAILURE_FACTOR, policy.window),
    )
    if wait:
        log.warning("login throttled", extra={"username": username, "ip": ctx.ip, "wait": wait})
        raise Throttled(
            "login_throttled",
            vi=f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {wait} giây.",
            en=f"Too many failed logins. Try again in {wait} seconds.",
            details={"retry_after": wait},
            headers={"Retry-After": str(wait)},
        )


async def _fail(ctx: Context, username: str) -> Unauthenticated:
    ctx.db.add(LoginFailure(username=username, ip=ctx.ip))
    audit.record(ctx, "user", None, {"username": username}, action="auth.login_failed")
    await ctx.db.commit()
    log.warning("login failed", extra={"username": username, "ip": ctx.ip})
    return Unauthenticated(
        "bad_credentials",
        vi="Tên đăng nhập hoặc mật khẩu không đúng.",
        en="Wrong username or password.",
    )


@operation("auth.login", None)
async def login(ctx: Context, username: str, password: str, policy: LoginPolicy) -> NewSession:
    username = username.strip().lower()
    await _check_throttle(ctx, username, policy)
    user = (await ctx.db.exec(select(User).where(User.username == username))).first()
    if user is None:
        await passwords.burn_time(password)
        raise await _fail(ctx, username)
    if not await passwords.verify_password(user.password_hash, password) or user.disabled:
        raise await _fail(ctx, username)
    await ctx.db.exec(delete(LoginFailure).where(col(LoginFailure.username) == username))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session = UserSession(
        token_hash=token_hash(token),
        csrf_token=csrf,
        user_id=user.id,  # type: ignore[arg-type]
        expires_at=now + policy.session_lifetime,
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300] or None,
    )
    ctx.db.add(session)
    audit.record(ctx, "user", user.id, actor_id=user.id)
    return NewSession(token=token, csrf_token=csrf, user=user, session=session)


async def resolve_session(ctx: Context, token: str) -> tuple[UserSession, User] | None:
    """The live session and user behind a cookie token, or None. Touches last_seen lazily."""
    now = utcnow()
    row = (
        await ctx.db.exec(
            select(UserSession, User)
            .join(User, col(User.id) == UserSession.user_id)
            .where(UserSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        return None
    session, user = row
    if session.revoked_at is not None or session.expires_at <= now or user.disabled:
        return None
    if now - session.last_seen_at > LAST_SEEN_RESOLUTION:
        session.last_seen_at = now
        ctx.db.add(session)
        await ctx.db.commit()
    return session, user


@operation("auth.logout", Permission.AUTHENTICATED)
async def logout(ctx: Context) -> None:
    """End this device's session (its live connections close too)."""
    session_id = ctx.user.session_id
    await ctx.db.exec(
        update(UserSession).where(col(UserSession.id) == session_id).values(revoked_at=utcnow())
    )
    ctx.emit("session.revoked", session_id=session_id)
    audit.record(ctx, "session", session_id)


async def revoke_all(ctx: Context, user_id: int, keep: int | None = None) -> list[int]:
    """Revoke every live session of a user but `keep` (inside the caller's operation)."""
    live = (
        await ctx.db.exec(
            select(UserSession.id).where(
                UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
            )
        )
    ).all()
    ids = [i for i in live if i is not None and i != keep]
    for session_id in ids:
        ctx.emit("session.revoked", session_id=session_id)
    if ids:
        await ctx.db.exec(
            update(UserSession).where(col(UserSession.id).in_(ids)).values(revoked_at=utcnow())
        )
    return ids


@operation("auth.logout_all", Permission.AUTHENTICATED)
async def logout_everywhere(ctx: Context) -> int:
    ids = await revoke_all(ctx, ctx.user.user_id)
    audit.record(ctx, "user", ctx.user.user_id, {"sessions": len(ids)})
    return len(ids)


@operation("auth.change_password", Permission.AUTHENTICATED)
async def change_password(ctx: Context, current: str, new: str) -> int:
    """Change one's own password; every other session of the user ends."""
    user = await ctx.db.get(User, ctx.user.user_id)
    assert user is not None
    if not await passwords.verify_password(user.password_hash, current):
        raise Unauthenticated(
            "bad_current_password",
            vi="Mật khẩu hiện tại không đúng.",
            en="The current password is wrong.",
        )
    passwords.check_strength(new)
    user.password_hash = await passwords.hash_password(new)
    ctx.db.add(user)
    ended = await revoke_all(ctx, ctx.user.user_id, keep=ctx.user.session_id)
    audit.record(ctx, "user", user.id, {"ended_sessions": len(ended)})
    return len(ended)


async def count_live_sessions(ctx: Context, user_id: int) -> int:
    query = select(func.count()).where(
        UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
    )
    return int((await ctx.db.exec(query)).one())
