"""HTTPS without a proxy (the server holds the certificate), and the rules for proxy headers:
believed only from ECABINET_TRUSTED_PROXIES, then the app sees the browser's address, scheme
and host; over HTTPS answers carry HSTS and cookies are Secure."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from server.app import create_app
from server.config import Settings
from tests.conftest import DEMO_PASSWORD
from tests.deploy.pki import make_pki
from tests.deploy.support import free_port, running, server_env

LOGIN = {"username": "thuky", "password": DEMO_PASSWORD}


async def test_the_server_serves_https_itself_and_redirects_http(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "tls")
    port, plain = free_port(), free_port()
    env = server_env(
        tmp_path / "var",
        port,
        tls_cert=str(pki.cert),
        tls_key=str(pki.key),
        http_redirect_port=str(plain),
    )
    base = f"https://localhost:{port}"
    context = pki.client_context()
    async with running(env, tmp_path / "server.log", base=base, ssl=context) as server:
        connector = aiohttp.TCPConnector(ssl=context)
        async with aiohttp.ClientSession(connector=connector) as http:
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
                assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
            # plain HTTP is only a permanent redirect to the same place over HTTPS
            async with http.get(
                f"http://localhost:{plain}/meetings/7?tab=documents", allow_redirects=False
            ) as r:
                assert r.status == 308
                assert r.headers["Location"] == f"{base}/meetings/7?tab=documents"
            async with http.post(
                f"{base}/api/auth/login", json=LOGIN, headers={"Origin": base}
            ) as r:
                assert r.status == 200, await r.text()
                flags = r.headers["Set-Cookie"].split("; ")
                assert "Secure" in flags and "HttpOnly" in flags
                csrf = (await r.json())["csrf_token"]
            cookie = http.cookie_jar.filter_cookies(URL(base))["ecabinet_session"].value
            async with http.get(f"{base}/api/meetings", headers={"X-CSRF-Token": csrf}) as r:
                assert r.status == 200
            # the live room over wss, from a page of this origin (socket.io checks Origin)
            sio = socketio.AsyncClient(reconnection=False, http_session=http)
            await sio.connect(
                base,
                headers={"Cookie": f"ecabinet_session={cookie}", "Origin": base},
                namespaces=["/live"],
                transports=["websocket"],
                wait_timeout=10,
            )
            who = await sio.call("whoami", {}, namespace="/live", timeout=10)
            assert who["username"] == "thuky"
            await sio.disconnect()
        assert "Traceback" not in server.tail()


def _settings(tmp_path: Path, settings: Settings, **changes: object) -> Settings:
    from dataclasses import replace

    return replace(settings, data_dir=tmp_path / "var", media=False, **changes)


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "ecabinet.sqlite3")
    return f"sqlite+aiosqlite:///{tmp_path / 'ecabinet.sqlite3'}"


FROM_PROXY = {
    "X-Forwarded-For": "203.0.113.7, 10.1.2.3",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "ecabinet.chauthanh.gov.vn",
    "Origin": "https://ecabinet.chauthanh.gov.vn",
}


@pytest.mark.parametrize("trusted", [("127.0.0.1", "10.0.0.0/8"), ()])
async def test_proxy_headers_are_believed_only_from_trusted_proxies(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture, trusted: tuple
) -> None:
    app = create_app(_settings(tmp_path, settings, trusted_proxies=trusted))
    caplog.set_level(logging.INFO, logger="ecabinet.access")
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        resp = await client.post("/api/auth/login", json=LOGIN, headers=FROM_PROXY)
        logged = [r for r in caplog.records if getattr(r, "path", "") == "/api/auth/login"]
        if trusted:
            # the browser's https page on the public name, seen through nginx
            assert resp.status == 200, await resp.text()
            assert "Secure" in resp.headers["Set-Cookie"]
            assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
            assert logged[-1].ip == "203.0.113.7"  # the nearest address that is not a proxy
        else:
            # anyone may send these headers: they change nothing, and a login form from
            # another origin is refused
            assert resp.status == 403, await resp.text()
            assert "Strict-Transport-Security" not in resp.headers
            assert logged[-1].ip == "127.0.0.1"
        plain = await client.post("/api/auth/login", json=LOGIN)
        assert plain.status == 200
        assert "Secure" not in plain.headers["Set-Cookie"]  # plain http on loopback stays usable
        assert "Strict-Transport-Security" not in plain.headers
