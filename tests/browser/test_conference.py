"""The video conference in the browser: the hall display (the chair) and two commune kiosks,
each in its own browser profile with Chromium's fake camera and microphone, on one real server
whose relay listens on 127.0.0.1. The hall sees both communes and each commune the hall; the
chair gives the floor to one commune and the other commune's screen shows it; a kiosk's page
reload rejoins by itself; the chair ends a site's connection and it stays ended until the
site reconnects."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from media import aiortc_seams
from server.config import Settings
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_binary
from tests.browser.test_live_room import open_room as open_page
from tests.browser.test_live_room import prepare_meeting
from tests.browser.test_meetings_flow import tid
from tests.realtime.live_client import MeetingClient

HD = {"width": 1920, "height": 1080}
# ECABINET_BROWSER_CONSOLE=1 prints the pages' console (the conference logs its steps there).
CONSOLE = os.environ.get("ECABINET_BROWSER_CONSOLE") == "1"
# Chromium offers no loopback ICE candidates without the first flag; the second lets the
# kiosks play the hall's sound after a reload with nobody clicking (a kiosk is set up so).
CONFERENCE_FLAGS = [
    *CHROMIUM_FLAGS,
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def settings(settings: Settings) -> Iterator[Settings]:
    # The relay's ICE on loopback only (aioice alone skips 127.0.0.1).
    yield dataclasses.replace(settings, media_hosts=("127.0.0.1",))
    aiortc_seams.restrict_host_addresses(None)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=chromium_binary(), args=CONFERENCE_FLAGS, headless=True
        )
        yield launched
        await launched.close()


VIDEO_STATE = """(sel) => {
    const v = document.querySelector(sel);
    if (!v) return 'no element';
    const track = v.srcObject && v.srcObject.getVideoTracks()[0];
    const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : {};
    return JSON.stringify({
        width: v.videoWidth, time: v.currentTime, ready: v.readyState, paused: v.paused,
        frames: q.totalVideoFrames,
        track: track ? {state: track.readyState, muted: track.muted} : null,
    });
}"""


async def video_plays(page: Page, selector: str, within_ms: float = 20_000) -> None:
    """The <video> at `selector` has a picture and its time moves on (frames keep coming)."""
    await expect(page.locator(selector)).to_have_count(1, timeout=within_ms)
    try:
        await _advancing(page, selector, within_ms)
    except PlaywrightTimeoutError:
        state = await page.evaluate(VIDEO_STATE, selector)
        raise AssertionError(f"{selector} does not play: {state}") from None


async def _advancing(page: Page, selector: str, within_ms: float) -> None:
    await page.wait_for_function(
        """(sel) => {
            const v = document.querySelector(sel);
            if (!v || !v.videoWidth) return false;
            const seen = (window.__seen ||= new Map());
            const key = sel + '|' + (v.srcObject && v.srcObject.id);
            const before = seen.get(key);
            seen.set(key, v.currentTime);
            return before !== undefined && v.currentTime > before;
        }""",
        arg=selector,
        polling=400,
        timeout=within_ms,
    )


async def open_room(context: BrowserContext, username: str, path: str) -> Page:
    page = await open_page(context, username, path)
    if CONSOLE:
        page.on("console", lambda m: print(time.strftime("%H:%M:%S"), f"[{username}] {m.text}"))
    return page


async def user_ids(login_as) -> dict[str, int]:
    secretary = await login_as("thuky")
    _, users = await secretary.get("/api/users")
    return {u["username"]: u["id"] for u in users["users"]}


# login_as comes before new_context: the browsers are closed before the API clients, whose
# close() also stops the server (otherwise it waits for the browsers' open connections).
async def test_hall_communes_and_official_see_each_other_floor_reload_end(
    login_as, new_context, screenshots
) -> None:
    meeting_id, document_id = await prepare_meeting(login_as)
    ids = await user_ids(login_as)
    vinh_hanh_id, an_hoa_id = f"s{ids['xa-vinh-hanh']}", f"s{ids['xa-an-hoa']}"
    hall_id = f"h{ids['chutich']}"

    hall = await open_room(
        await new_context(viewport=HD), "chutich", f"/meetings/{meeting_id}/hall"
    )
    await expect(hall.locator(tid("hall"))).to_have_attribute("data-status", "published")
    # the hall joins before the start: its camera is checked while the communes wait
    await expect(hall.locator(tid("conf-status"))).to_have_attribute("data-status", "live")
    await video_plays(hall, f"{tid('hall-camera')} video")

    kiosk_path = f"/kiosk/{meeting_id}"
    vinh_hanh = await open_room(await new_context(viewport=HD), "xa-vinh-hanh", kiosk_path)
    an_hoa = await open_room(await new_context(viewport=HD), "xa-an-hoa", kiosk_path)
    for kiosk in (vinh_hanh, an_hoa):
        waiting = kiosk.locator(tid("kiosk-waiting"))
        await expect(waiting).to_be_visible()
        await expect(waiting).to_contain_text("Cuộc họp chưa bắt đầu")
        await expect(kiosk.locator(tid("kiosk-start-time"))).to_contain_text("Bắt đầu lúc")
        await expect(kiosk.locator(tid("conf-status"))).to_have_count(0)  # not joined yet
    await screenshots(an_hoa, "72-kiosk-waiting")

    # --- the chair starts: both kiosks join by themselves --------------------------------------
    await hall.click(tid("room-start"))
    for kiosk in (vinh_hanh, an_hoa):
        await expect(kiosk.locator(tid("conf-status"))).to_have_attribute("data-status", "live")
        await expect(kiosk.locator(tid("kiosk-hall"))).to_have_attribute(
            "data-publisher-id", hall_id
        )
        await video_plays(kiosk, f"{tid('kiosk-hall')} > video")
        await video_plays(kiosk, f"{tid('kiosk-self')} video")
        # a commune sees the hall, not the other commune
        await expect(kiosk.locator(tid("kiosk-floor"))).to_have_count(0)
        await expect(kiosk.locator(tid("kiosk-mic"))).to_have_attribute("data-muted", "true")

    # the hall: two commune tiles with live video, named by commune, microphones closed
    tiles = hall.locator(f"{tid('hall-tile')}[data-place=site]")
    await expect(tiles).to_have_count(2)
    await expect(tiles.nth(0)).to_contain_text("Xã An Hòa")  # Vietnamese order
    await expect(tiles.nth(1)).to_contain_text("Xã Vĩnh Hanh")
    for publisher in (vinh_hanh_id, an_hoa_id):
        tile = f"{tid('hall-tile')}[data-publisher-id='{publisher}']"
        await video_plays(hall, f"{tile} video")
        await expect(hall.locator(tile)).to_have_attribute("data-muted", "true")

    # --- the chair presents a page (for the kiosk's picture) --------------------------------
    presenter = await MeetingClient(await login_as("chutich"), meeting_id).connect()
    try:
        await presenter.ok("page", {"document_id": document_id, "page": 2})
    finally:
        await presenter.close()

    # --- the floor: Vĩnh Hanh asks, the chair gives it from the site's tile -----------------
    await vinh_hanh.click(tid("floor-request"))
    await expect(vinh_hanh.locator(tid("floor-mine"))).to_have_attribute("data-position", "1")
    await hall.click(f"{tid('hall-tile')}[data-publisher-id='{vinh_hanh_id}']")
    console = hall.locator(tid("site-console"))
    await expect(console).to_have_attribute("data-publisher-id", vinh_hanh_id)
    await screenshots(hall, "73-hall-site-console")
    await console.locator(tid("site-floor")).click()
    # the other commune's screen shows the speaker, live; the hall shows it large
    floor = f"{tid('kiosk-floor')}[data-publisher-id='{vinh_hanh_id}']"
    await expect(an_hoa.locator(floor)).to_have_attribute("data-floor", "true")
    await video_plays(an_hoa, f"{floor} video")
    await expect(an_hoa.locator(tid("room-speaker-name"))).to_have_text("Điểm cầu xã Vĩnh Hanh")
    await expect(hall.locator(tid("hall-main"))).to_have_attribute(
        "data-publisher-id", vinh_hanh_id
    )
    await video_plays(hall, f"{tid('hall-main')} video")
    # the speaker's microphone opened (the relay forwards its sound now)
    await expect(vinh_hanh.locator(tid("kiosk-mic"))).to_have_attribute("data-muted", "false")
    await expect(
        hall.locator(f"{tid('hall-tile')}[data-publisher-id='{vinh_hanh_id}']")
    ).to_have_attribute("data-muted", "false")
    await expect(an_hoa.locator(f"{tid('remote-audio')} audio")).to_have_count(2)
    await expect(an_hoa.locator(tid("kiosk-floor"))).to_have_count(1)

    # --- link figures: the chair's console measures every site ------------------------------
    await hall.click(tid("hall-tab-stats"))
    rows = hall.locator(tid("stats-row"))
    await expect(rows).to_have_count(2)
    for publisher in (vinh_hanh_id, an_hoa_id):
        await expect(
            hall.locator(f"{tid('stats-row')}[data-publisher-id='{publisher}']")
        ).to_have_attribute("data-quality", "good", timeout=20_000)
    await expect(
        hall.locator(f"{tid('hall-tile')}[data-publisher-id='{an_hoa_id}']")
    ).to_have_attribute("data-quality", "good")
    await screenshots(hall, "74-hall-links")
    await hall.click(tid("hall-tab-floor"))
    await screenshots(hall, "70-hall")
    await expect(an_hoa.locator(tid("room-page"))).to_have_attribute("data-rendered", "true")
    await screenshots(an_hoa, "71-kiosk")

    # --- the floor ends; a commune's page reload rejoins by itself ---------------------------
    await hall.click(tid("floor-end"))
    await expect(an_hoa.locator(tid("kiosk-floor"))).to_have_count(0)
    await an_hoa.reload()
    await expect(an_hoa.locator(tid("conf-status"))).to_have_attribute("data-status", "live")
    await video_plays(an_hoa, f"{tid('kiosk-hall')} > video")
    an_hoa_tile = f"{tid('hall-tile')}[data-publisher-id='{an_hoa_id}']"
    await expect(hall.locator(an_hoa_tile)).to_have_count(1)
    await video_plays(hall, f"{an_hoa_tile} video")

    # --- the chair ends a site's connection: it stays ended until the site reconnects ---------
    await hall.click(an_hoa_tile)
    await hall.locator(tid("site-console")).locator(tid("site-end")).click()
    await hall.click(tid("site-end-ok"))
    await expect(hall.locator(an_hoa_tile)).to_have_count(0)
    await expect(an_hoa.locator(tid("conf-ended"))).to_be_visible()
    await hall.wait_for_timeout(3000)  # longer than the kiosk's own recovery takes
    await expect(hall.locator(an_hoa_tile)).to_have_count(0)
    await an_hoa.click(tid("conf-reconnect"))
    await expect(hall.locator(an_hoa_tile)).to_have_count(1)
    await video_plays(hall, f"{an_hoa_tile} video")

    # --- an official on a laptop: sees the hall, camera off until turned on -------------------
    official = await open_room(
        await new_context(viewport={"width": 1366, "height": 768}),
        "tp.noivu",
        f"/meetings/{meeting_id}/room",
    )
    panel = official.locator(tid("conf-panel"))
    await expect(panel).to_have_attribute("data-mode", "person")
    await expect(official.locator(tid("conf-status"))).to_have_attribute("data-status", "live")
    await video_plays(official, f"{tid('room-hall-video')} > video")
    camera = official.locator(tid("camera-toggle"))
    await expect(camera).to_have_attribute("data-on", "false")
    official_tile = f"{tid('hall-tile')}[data-publisher-id='p{ids['tp.noivu']}']"
    await expect(hall.locator(official_tile)).to_have_count(1)  # on air with the microphone only
    await camera.click()
    await expect(camera).to_have_attribute("data-on", "true")
    await video_plays(official, f"{tid('room-self')} video")
    await video_plays(hall, f"{official_tile} video")
    await screenshots(official, "75-official-conference")

    # --- the official stops sending without leaving, and sends again ---------------------------
    sending = official.locator(tid("sending-toggle"))
    await sending.click()
    await expect(sending).to_have_attribute("data-on", "false")
    await expect(hall.locator(official_tile)).to_have_count(0)  # off the air at once
    await video_plays(official, f"{tid('room-hall-video')} > video")  # still receiving
    await expect(official.locator(tid("conf-ended"))).to_have_count(0)  # not the chair's end
    await sending.click()
    await expect(sending).to_have_attribute("data-on", "true")
    await expect(hall.locator(official_tile)).to_have_count(1)
