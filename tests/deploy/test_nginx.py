"""The shipped nginx site in front of the app, over HTTPS with a locally made CA: Debian's
chromium (trusting that CA only) logs in, opens the live meeting room (socket.io WebSocket
through nginx) and joins the video conference — signalling through nginx, media over UDP
straight to the app's relay, as in production."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import async_playwright, expect

from server.config import ROOT
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_binary
from tests.conftest import DEMO_PASSWORD
from tests.deploy.conftest import debian_program
from tests.deploy.pki import Pki, make_pki
from tests.deploy.support import (
    free_port,
    join_conference,
    prepare_meeting,
    running,
    server_env,
)

SITE = ROOT / "deploy" / "nginx" / "ecabinet.conf"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def site_for_test(folder: Path, app: int, http: int, https: int, pki: Pki) -> str:
    """The shipped site with this machine's ports, names, certificate and log paths. Each
    replacement must apply: if the shipped file changes shape, this test says so."""
    text = SITE.read_text()
    replacements = [
        (r"listen 80;", f"listen 127.0.0.1:{http};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        (r"\n\s*listen \[::\]:(80|443)[^;]*;", ""),
        (r"server_name [^;]+;", "server_name localhost;"),
        (r"server 127\.0\.0\.1:8080;", f"server 127.0.0.1:{app};"),
        (r"ssl_certificate /etc/ecabinet/tls/fullchain\.pem;", f"ssl_certificate {pki.cert};"),
        (r"ssl_certificate_key [^;]+;", f"ssl_certificate_key {pki.key};"),
        (r"/var/log/nginx/", f"{folder}/"),
        (r"root /var/www/html;", f"root {folder};"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        assert count, f"deploy/nginx/ecabinet.conf no longer has {pattern!r}"
    return text


def main_config(folder: Path, site: Path) -> str:
    temp = {t: folder / t for t in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;" if os.geteuid() == 0 else ""  # workers read the temp dirs made here
    return f"""
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""


@contextlib.asynccontextmanager
async def nginx(folder: Path, site: str, port: int) -> AsyncIterator[None]:
    binary = debian_program("nginx", "nginx")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ecabinet.conf").write_text(site)
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, folder / "ecabinet.conf"))
    check = await asyncio.create_subprocess_exec(
        binary, "-t", "-c", str(conf), "-p", str(folder), stderr=asyncio.subprocess.PIPE
    )
    _, err = await check.communicate()
    assert check.returncode == 0, err.decode()
    with (folder / "stderr.log").open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            binary, "-c", str(conf), "-p", str(folder), stdout=out, stderr=out
        )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            assert process.returncode is None, (folder / "error.log").read_text()
            await asyncio.sleep(0.1)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGQUIT)  # graceful: finish the open connections
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_browser_through_nginx_over_https(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "tls", ("localhost", "127.0.0.1"))
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    base = f"https://localhost:{https_port}"
    env = server_env(
        tmp_path / "var",
        app_port,
        trusted_proxies="127.0.0.1",
        public_url=base,
        media="1",
        media_hosts="127.0.0.1",
    )
    site = site_for_test(tmp_path / "nginx", app_port, http_port, https_port, pki)
    context = pki.client_context()
    async with (
        running(env, tmp_path / "app.log") as app,
        nginx(tmp_path / "nginx", site, https_port),
    ):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
            async with http.get(
                f"http://localhost:{http_port}/meetings?x=1", allow_redirects=False
            ) as r:
                assert r.status == 301
                assert r.headers["Location"] == "https://localhost/meetings?x=1"
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
                # the app knows the browser came over HTTPS (X-Forwarded-Proto from nginx)
                assert r.headers["Strict-Transport-Security"].startswith("max-age=")
            async with http.get(f"{base}/metrics") as r:
                assert r.status == 403  # for the monitoring on the server, not the internet
        meeting_id = await prepare_meeting(base, context, scan=True)

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_binary(),
                headless=True,
                # trust this test's server key only: no certificate error is ignored otherwise
                args=[*CHROMIUM_FLAGS, f"--ignore-certificate-errors-spki-list={pki.spki_sha256}"],
            )
            try:
                browser_context = await browser.new_context(
                    base_url=base, locale="vi-VN", ignore_https_errors=False
                )
                browser_context.set_default_timeout(15_000)
                page = await browser_context.new_page()
                await page.goto("/login")
                await page.fill("#username", "chutich")
                await page.fill("#password", DEMO_PASSWORD)
                await page.click("[data-testid=login-submit]")
                await expect(page.locator("[data-testid=current-user]")).to_be_visible()
                cookies = {c["name"]: c for c in await browser_context.cookies()}
                assert cookies["ecabinet_session"]["secure"] is True
                await page.goto(f"/meetings/{meeting_id}/room")
                assert page.url.startswith(f"{base}/meetings/")
                # the live room's socket.io WebSocket went through nginx
                await expect(page.locator("[data-testid=room-connection]")).to_have_attribute(
                    "data-status", "connected"
                )
                result = await join_conference(page, meeting_id)
                assert result["state"] == "connected", result
                assert result["bytesSent"] > 0, result
                # media did not go through nginx: straight to the relay's UDP port
                assert result["remote"]["address"] == "127.0.0.1", result
                assert result["remote"]["protocol"] == "udp", result
            finally:
                await browser.close()
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{app_port}/metrics") as r,
            ):
                metrics = await r.text()  # the app itself, as the server's monitoring sees it
            assert "ecabinet_conference_publishers" in metrics
            assert "ecabinet_live_clients" in metrics
        access = (tmp_path / "nginx" / "ecabinet.access.log").read_text()
        assert "GET /socket.io/?EIO=4&transport=websocket" in access
        assert " 101 " in access  # the WebSocket upgrade passed through
        assert "Traceback" not in app.tail()
