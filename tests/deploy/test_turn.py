"""TURN: Debian's coturn with the shipped configuration (on loopback), credentials made by the
server per user (TURN REST API), and a browser that may use nothing but TURN
(`iceTransportPolicy: "relay"`): it joins the conference, so every packet it sends goes
through coturn. The relay (aiortc) takes its own credential from the same secret."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import random
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from server.config import ROOT, load_settings
from server.ops import turn
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_binary
from tests.conftest import DEMO_PASSWORD
from tests.deploy.conftest import debian_program
from tests.deploy.support import free_port, join_conference, prepare_meeting, running, server_env

CONF = ROOT / "deploy" / "coturn" / "turnserver.conf"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_credentials_are_the_turn_rest_api_scheme() -> None:
    username, credential = turn.credentials("s3cr3t", "42", 3600, now=1_800_000_000)
    assert username == "1800003600:42"
    expected = hmac.new(b"s3cr3t", b"1800003600:42", hashlib.sha1).digest()
    assert base64.b64decode(credential) == expected
    settings = load_settings(
        ice_servers=({"urls": "stun:stun.chauthanh.gov.vn:3478"},),
        turn_secret="s3cr3t",
        turn_urls=("turn:turn.example:3478?transport=udp", "turns:turn.example:5349"),
        turn_ttl_hours=2,
    )
    stun, relay = turn.ice_servers(settings, "7", now=1_800_000_000)
    assert stun == {"urls": "stun:stun.chauthanh.gov.vn:3478"}
    assert relay["username"] == "1800007200:7" and relay["urls"][1] == "turns:turn.example:5349"
    assert turn.ice_servers(load_settings(), "7") == []  # nothing configured, nothing handed out


def coturn_for_test(folder: Path, port: int, relay_ports: range, secret: str) -> str:
    """The shipped configuration on loopback, without TLS, logging to a file."""
    text = CONF.read_text()
    replacements = [
        (r"@LISTEN_IP@", "127.0.0.1"),
        (r"@MEDIA_IP@", "127.0.0.1"),
        (r"@REALM@", "localhost"),
        (r"@TURN_SECRET@", secret),
        (r"(?m)^listening-port=3478$", f"listening-port={port}"),
        (r"(?m)^min-port=\d+$", f"min-port={relay_ports.start}"),
        (r"(?m)^max-port=\d+$", f"max-port={relay_ports.stop - 1}"),
        (r"(?m)^(tls-listening-port|cert|pkey)=.*$", ""),
        (r"(?m)^syslog$", f"log-file={folder}/turn.log"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        assert count, f"deploy/coturn/turnserver.conf no longer has {pattern!r}"
    # loopback is this test's network: the relay listens on 127.0.0.1 too
    extra = ["no-tls", "verbose", "allow-loopback-peers"]
    extra += [f"userdb={folder}/turndb", f"pidfile={folder}/turn.pid"]
    return text + "\n".join(extra) + "\n"


@contextlib.asynccontextmanager
async def coturn(folder: Path, conf: str, port: int) -> AsyncIterator[Path]:
    binary = debian_program("turnserver", "coturn")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "turnserver.conf"
    path.write_text(conf)
    with (folder / "stdout.log").open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            binary, "-c", str(path), stdout=out, stderr=out
        )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            assert process.returncode is None, (folder / "stdout.log").read_text()
            await asyncio.sleep(0.1)
        yield folder / "turn.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_conference_with_relay_only_ice_through_coturn(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(24)
    turn_port = free_port()
    first = random.randrange(20000, 40000, 100)
    relay_ports = range(first, first + 100)
    app_port = free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = server_env(
        tmp_path / "var",
        app_port,
        media="1",
        media_hosts="127.0.0.1",
        turn_secret=secret,
        turn_urls=f"turn:127.0.0.1:{turn_port}?transport=udp",
    )
    conf = coturn_for_test(tmp_path / "coturn", turn_port, relay_ports, secret)
    async with (
        coturn(tmp_path / "coturn", conf, turn_port) as turn_log,
        running(env, tmp_path / "app.log") as app,
    ):
        meeting_id = await prepare_meeting(base, True, scan=False)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
            )
            try:
                context = await browser.new_context(base_url=base)
                login = await context.request.post(
                    "/api/auth/login", data={"username": "chutich", "password": DEMO_PASSWORD}
                )
                assert login.ok, await login.text()
                page = await context.new_page()
                await page.goto("/")
                started = time.time()
                result = await join_conference(page, meeting_id, policy="relay")
            finally:
                await browser.close()
        assert "Traceback" not in app.tail()
    # the server handed this browser a TURN credential of its own, valid for a day
    (server,) = result["iceServers"]
    assert server["urls"] == [f"turn:127.0.0.1:{turn_port}?transport=udp"]
    expires, user = server["username"].split(":")
    assert abs(int(expires) - (started + 24 * 3600)) < 120 and user.isdigit()
    # relay-only: the browser's end of the selected pair is a TURN allocation on coturn
    assert result["state"] == "connected", result
    assert result["local"]["candidateType"] == "relay", result
    assert result["local"]["port"] in relay_ports, result
    assert result["bytesSent"] > 10_000, result
    log = turn_log.read_text(errors="replace")
    assert f"user <{server['username']}>" in log, log[-3000:]
    # ... and the relay (aiortc) authenticated with its own credential from the same secret
    assert ":ecabinet-relay>" in log, log[-3000:]
