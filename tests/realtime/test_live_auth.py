"""socket.io connections authenticate from the HTTP session, and close when it is revoked."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from tests.conftest import Api


def _cookie(api: Api) -> str:
    jar = api.client.session.cookie_jar.filter_cookies(api.client.make_url("/"))
    return f"ecabinet_session={jar['ecabinet_session'].value}"


async def _connect(api: Api, cookie: str | None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Cookie": cookie} if cookie else {}
    await client.connect(
        str(api.client.make_url("/")),
        headers=headers,
        namespaces=["/live"],
        transports=["websocket"],
        wait_timeout=20,
    )
    return client


async def test_session_cookie_authenticates_the_socket(login_as) -> None:
    api = await login_as("xa-vinh-hanh")
    client = await _connect(api, _cookie(api))
    try:
        answer = await client.call("whoami", namespace="/live", timeout=5)
        assert answer == {"ok": True, "user_id": api.user["id"], "username": "xa-vinh-hanh"}
    finally:
        await client.disconnect()


@pytest.mark.parametrize("cookie", [None, "ecabinet_session=forged-token"])
async def test_no_or_forged_session_is_refused(anon: Api, cookie: str | None) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _connect(anon, cookie)


async def test_logout_closes_live_connections(login_as) -> None:
    api = await login_as("thuky")
    client = await _connect(api, _cookie(api))
    closed = asyncio.Event()
    client.on("disconnect", lambda *a: closed.set(), namespace="/live")
    status, _ = await api.post("/api/auth/logout")
    assert status == 204
    await asyncio.wait_for(closed.wait(), timeout=5)
    await client.disconnect()


async def test_live_clients_metric(login_as) -> None:
    api = await login_as("thuky")
    client = await _connect(api, _cookie(api))
    try:
        text = await (await api.client.get("/metrics")).text()
        assert "ecabinet_live_clients 1.0" in text
    finally:
        await client.disconnect()
