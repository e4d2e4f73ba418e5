"""TURN credentials that expire: the TURN REST API scheme coturn implements (use-auth-secret).

    username   = "<unix time it expires>:<who>"
    credential = base64(HMAC-SHA1(shared secret, username))

coturn recomputes the credential from the username with the same secret, and refuses it once
the time has passed: a credential copied out of a browser is worthless a day later, and no
user list is kept in coturn. Each browser gets its own when it joins the conference
(`media.join`); the relay (aiortc) gets one for itself, renewed before it runs out.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol

from media.config import IceServer, RelaySettings
from server.config import Settings

log = logging.getLogger("ecabinet.turn")

RELAY_USER = "ecabinet-relay"


def credentials(
    secret: str, user: str, ttl_seconds: int, now: float | None = None
) -> tuple[str, str]:
    """(username, credential) valid for `ttl_seconds` from `now`."""
    expires = int(now if now is not None else time.time()) + ttl_seconds
    username = f"{expires}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def enabled(settings: Settings) -> bool:
    return bool(settings.turn_secret and settings.turn_urls)


def ice_servers(settings: Settings, user: str, now: float | None = None) -> list[dict[str, Any]]:
    """What one browser is handed: the static ICE servers (e.g. STUN) and, with TURN
    configured, the TURN URLs with a credential of its own."""
    servers = [dict(s) for s in settings.ice_servers]
    if enabled(settings):
        username, credential = credentials(
            settings.turn_secret, user, settings.turn_ttl_hours * 3600, now
        )
        servers.append(
            {"urls": list(settings.turn_urls), "username": username, "credential": credential}
        )
    return servers


def relay_ice_servers(settings: Settings, now: float | None = None) -> tuple[IceServer, ...]:
    """The same for the relay's own peer connections (aiortc takes one TURN server)."""
    return tuple(
        IceServer(
            urls=tuple(s["urls"] if isinstance(s["urls"], list) else [s["urls"]]),
            username=s.get("username"),
            credential=s.get("credential"),
        )
        for s in ice_servers(settings, RELAY_USER, now)
    )


class HasRelaySettings(Protocol):
    settings: RelaySettings


@contextlib.asynccontextmanager
async def relay_credentials(relay: HasRelaySettings, settings: Settings) -> AsyncIterator[None]:
    """Renew the relay's TURN credential at half its lifetime (new peer connections take the
    new one; running ones keep their allocation). A no-op without TURN."""
    if not enabled(settings):
        yield
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(settings.turn_ttl_hours * 3600 / 2)
            relay.settings = dataclasses.replace(
                relay.settings, ice_servers=relay_ice_servers(settings)
            )
            log.info("renewed the relay's TURN credential")

    relay.settings = dataclasses.replace(relay.settings, ice_servers=relay_ice_servers(settings))
    task = asyncio.create_task(renew(), name="turn-credentials")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
