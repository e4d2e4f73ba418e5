"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against the
real server with the built web client, on SQLite with the demo district."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from media import aiortc_seams
from server.config import ROOT, Settings

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # WebRTC on loopback only (the relay is told the same below), and kiosks play sound
    # after an unattended reload.
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
CLIENT_DIST = ROOT / "client-web" / "dist"


def chromium_binary() -> str:
    found = (
        os.environ.get("ECABINET_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        pytest.fail("Debian's chromium is missing: scripts/test installs it (apt install chromium)")
    return found


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    # Browser tests check the client, not the database: SQLite only (the API tests cover both).
    target = tmp_path / "ecabinet.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(settings: Settings) -> Iterator[Settings]:
    # The relay's ICE on 127.0.0.1: browser tests' media never leaves loopback.
    yield dataclasses.replace(settings, media_hosts=("127.0.0.1",))
    aiortc_seams.restrict_host_addresses(None)


@pytest.fixture
def base_url(server: TestServer) -> str:
    if not (CLIENT_DIST / "index.html").is_file():
        pytest.fail("client-web is not built: scripts/test builds it (npm run build)")
    return str(server.make_url("/")).rstrip("/")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=chromium_binary(), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture
async def new_context(
    browser: Browser, base_url: str
) -> AsyncIterator[Callable[..., Awaitable[BrowserContext]]]:
    """A fresh browser profile (own cookies and storage) per person in the test."""
    contexts: list[BrowserContext] = []

    async def make(**options: object) -> BrowserContext:
        options.setdefault("viewport", {"width": 1366, "height": 768})
        context = await browser.new_context(base_url=base_url, locale="vi-VN", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()


@pytest.fixture
def screenshots(artifacts: Path) -> Callable[[Page, str], Awaitable[Path]]:
    folder = artifacts / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    async def shoot(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
