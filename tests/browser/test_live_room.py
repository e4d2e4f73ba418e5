"""The live meeting room in the browser: the chair's console, an official's room on a tablet,
the secretary's tools and two commune kiosks, each in its own browser profile, all on one real
server. The chair starts, presents page 4 (both communes follow), a commune asks to speak and
is given the floor, and a vote goes round trip."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import BrowserContext, Page, expect

from tests.api.documents_helpers import upload
from tests.browser.test_meetings_flow import log_in, no_sideways_scroll, tid
from tests.documents.samples import text_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Họp UBND huyện: tiến độ chuyển đổi số và kế hoạch năm 2027"
SLIDES = [f"Trang {n}: Kế hoạch chuyển đổi số năm 2027 — phần {n}" for n in range(1, 7)]
QUESTION = "Thông qua Kế hoạch chuyển đổi số năm 2027"


async def prepare_meeting(login_as: Any) -> tuple[int, int]:
    """The secretary sets the meeting up over HTTP; returns (meeting id, slides document id)."""
    secretary = await login_as("thuky")
    _, users = await secretary.get("/api/users")
    people = {u["username"]: u["id"] for u in users["users"]}
    _, units = await secretary.get("/api/units")
    codes = {u["code"]: u["id"] for u in units["units"]}
    start = (datetime.now(VN) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    status, body = await secretary.post(
        "/api/meetings",
        json={
            "title": TITLE,
            "kind": "regular",
            "access": "restricted",
            "online": True,
            "location": "Hội trường UBND huyện",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "chair_id": people["chutich"],
        },
    )
    assert status == 201, body
    meeting_id = body["meeting"]["id"]
    items = []
    for title, minutes in (
        ("Báo cáo tiến độ chuyển đổi số", 30),
        ("Kế hoạch chuyển đổi số năm 2027", 45),
    ):
        status, body = await secretary.post(
            f"/api/meetings/{meeting_id}/agenda",
            json={"title": title, "duration_minutes": minutes},
        )
        assert status == 201, body
        items.append(body["item"]["id"])
    status, body = await secretary.post(
        f"/api/meetings/{meeting_id}/invitations",
        json={
            "user_ids": [people["tp.noivu"]],
            "sites": [{"unit_id": codes["xa-vinh-hanh"]}, {"unit_id": codes["xa-an-hoa"]}],
            "sites_vote": True,
        },
    )
    assert status == 200, body
    status, body = await upload(
        secretary,
        meeting_id,
        text_pdf(SLIDES),
        name="Kế hoạch chuyển đổi số 2027.pdf",
        title="Kế hoạch chuyển đổi số năm 2027 (trình chiếu)",
        agenda_item_id=items[0],
    )
    assert status == 201, body
    document_id = body["document"]["id"]
    status, body = await secretary.post(f"/api/meetings/{meeting_id}/publish")
    assert status == 200, body
    return meeting_id, document_id


async def open_room(context: BrowserContext, username: str, path: str) -> Page:
    page = await log_in(context, username)
    await page.goto(path)
    return page


# login_as comes before new_context: the browsers are closed before the API clients, whose
# close() also stops the server (otherwise it waits for the browsers' open connections).
async def test_chair_presents_communes_follow_speak_and_vote(
    login_as, new_context, screenshots
) -> None:
    meeting_id, document_id = await prepare_meeting(login_as)
    room_path = f"/meetings/{meeting_id}/room"
    kiosk_path = f"/kiosk/{meeting_id}"

    chair = await open_room(await new_context(), "chutich", room_path)
    communes = {
        code: await open_room(
            await new_context(viewport={"width": 1280, "height": 800}), code, kiosk_path
        )
        for code in ("xa-vinh-hanh", "xa-an-hoa")
    }
    official = await open_room(
        await new_context(viewport={"width": 800, "height": 1280}, has_touch=True),
        "tp.noivu",
        room_path,
    )
    vinh_hanh, an_hoa = communes["xa-vinh-hanh"], communes["xa-an-hoa"]

    await expect(chair.locator(tid("room"))).to_have_attribute("data-status", "published")
    await expect(chair.locator(tid("room-connection"))).to_have_attribute(
        "data-status", "connected"
    )
    for kiosk in communes.values():
        await expect(kiosk.locator(tid("room-connection"))).to_have_attribute(
            "data-status", "connected"
        )
        await expect(kiosk.locator(tid("kiosk-video"))).to_be_visible()
    # both communes are connected: the quorum line says so, live
    await expect(chair.locator(tid("room-quorum"))).to_contain_text("2/2 điểm cầu")

    # --- the chair starts and opens the first item; its document comes to the top ----------
    await chair.click(tid("room-start"))
    await expect(chair.locator(tid("room"))).to_have_attribute("data-status", "in_progress")
    await expect(vinh_hanh.locator(tid("kiosk"))).to_have_attribute("data-status", "in_progress")
    await chair.click(tid("room-agenda-next"))
    current = chair.locator(f"{tid('room-agenda-item')}[data-current=true]")
    await expect(current).to_contain_text("Báo cáo tiến độ chuyển đổi số")
    for kiosk in communes.values():
        await expect(kiosk.locator(tid("room-current-item"))).to_contain_text(
            "Báo cáo tiến độ chuyển đổi số"
        )
    await expect(chair.locator(tid("room-item-clock"))).to_contain_text("/ 30:00")

    # --- page-follow: the chair presents the slides and goes to page 4 -------------------------
    await chair.click(f"{tid('room-document')}[data-document-id='{document_id}']")
    await expect(chair.locator(tid("room-page-label"))).to_have_attribute("data-page", "1")
    await expect(chair.locator(tid("room-page"))).to_have_attribute("data-rendered", "true")
    for _ in range(3):
        await chair.click(tid("room-next"))
    await expect(chair.locator(tid("room-page-label"))).to_have_attribute("data-page", "4")
    for kiosk in (*communes.values(), official):
        viewer = kiosk.locator(tid("room-page"))
        await expect(viewer).to_have_attribute("data-page", "4")
        await expect(viewer).to_have_attribute("data-rendered", "true")
        await expect(kiosk.locator(tid("room-page-label"))).to_contain_text("Trang 4 / 6")
    # the chair points at the page: everyone following sees the pointer
    sheet = chair.locator(f"{tid('room-page')} .pdf-sheet")
    box = await sheet.bounding_box()
    assert box
    await sheet.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.2})
    await expect(vinh_hanh.locator(tid("pdf-pointer"))).to_be_visible()

    # the official browses freely, then goes back to the presented page
    await official.click(tid("room-next"))
    await expect(official.locator(tid("room-stage"))).to_have_attribute("data-following", "false")
    await expect(official.locator(tid("room-page"))).to_have_attribute("data-page", "5")
    back = official.locator(tid("room-back-to-presenter"))
    await expect(back).to_be_visible()
    await screenshots(official, "51-official-room-browsing")
    await back.click()
    await expect(official.locator(tid("room-page"))).to_have_attribute("data-page", "4")
    await expect(back).to_have_count(0)

    # --- the floor: Vĩnh Hanh asks to speak, the chair gives the floor --------------------------
    await vinh_hanh.click(tid("floor-request"))
    await expect(vinh_hanh.locator(tid("floor-mine"))).to_have_attribute("data-position", "1")
    queued = chair.locator(tid("floor-queue-item"))
    await expect(queued).to_have_count(1)
    await expect(queued).to_contain_text("Điểm cầu xã Vĩnh Hanh")
    await an_hoa.click(tid("floor-request"))
    await expect(queued).to_have_count(2)
    await expect(an_hoa.locator(tid("floor-mine"))).to_have_attribute("data-position", "2")
    # the chair moves An Hòa first, then back: both communes see their places change live
    await queued.nth(1).locator(tid("floor-up")).click()
    await expect(an_hoa.locator(tid("floor-mine"))).to_have_attribute("data-position", "1")
    await expect(vinh_hanh.locator(tid("floor-mine"))).to_have_attribute("data-position", "2")
    await queued.nth(1).locator(tid("floor-up")).click()
    await expect(vinh_hanh.locator(tid("floor-mine"))).to_have_attribute("data-position", "1")
    await screenshots(chair, "50-chair-console-queue")
    await queued.filter(has_text="Vĩnh Hanh").locator(tid("floor-give")).click()
    for page in (chair, vinh_hanh, an_hoa, official):
        await expect(page.locator(tid("room-speaker-name"))).to_have_text("Điểm cầu xã Vĩnh Hanh")
        await expect(page.locator(tid("room-countdown"))).to_have_text(re.compile(r"0[23]:\d\d"))
    await expect(vinh_hanh.locator(tid("floor-mine"))).to_have_attribute("data-state", "speaking")
    await screenshots(vinh_hanh, "52-kiosk-speaking")

    # --- an announcement reaches every screen ---------------------------------------------
    await chair.fill(tid("announce-text"), "Đề nghị các điểm cầu tắt micro khi không phát biểu.")
    await chair.click(tid("announce-send"))
    for page in (vinh_hanh, an_hoa, official):
        await expect(page.locator(tid("room-announcement-text"))).to_contain_text("tắt micro")

    # --- a vote: the chair opens it, both communes vote, the results reach everyone ---------
    await chair.click(tid("vote-new"))
    await chair.fill(tid("vote-question-input"), QUESTION)
    await expect(chair.locator(tid("vote-options-input"))).to_have_value(
        "Đồng ý\nKhông đồng ý\nKhông biểu quyết"
    )
    await expect(chair.locator(tid("vote-sites"))).to_be_checked()
    await screenshots(chair, "53-chair-vote-form")
    await chair.click(tid("vote-open-submit"))
    await expect(chair.locator(tid("vote-question"))).to_have_text(QUESTION)
    for kiosk in communes.values():
        await expect(kiosk.locator(tid("vote-question"))).to_have_text(QUESTION)
        await expect(kiosk.locator(tid("vote-option"))).to_have_count(3)
    await screenshots(an_hoa, "54-kiosk-vote")
    await vinh_hanh.click(f"{tid('vote-option')}[data-option='Đồng ý']")
    await an_hoa.click(f"{tid('vote-option')}[data-option='Không đồng ý']")
    for kiosk in communes.values():
        await expect(kiosk.locator(tid("vote-done"))).to_contain_text("Đã bỏ phiếu")
        await expect(kiosk.locator(tid("vote-option"))).to_have_count(0)
    await expect(chair.locator(tid("vote-count"))).to_have_attribute("data-cast", "2")
    await screenshots(chair, "55-chair-vote-open")
    await chair.click(tid("vote-close"))
    for page in (chair, vinh_hanh, an_hoa, official):
        results = page.locator(tid("vote-results"))
        await expect(results).to_contain_text(QUESTION)
        await expect(
            results.locator(f"{tid('vote-result')}[data-option='Đồng ý']")
        ).to_have_attribute("data-count", "1")
        await expect(
            results.locator(f"{tid('vote-result')}[data-option='Không đồng ý']")
        ).to_have_attribute("data-count", "1")
    await screenshots(chair, "50-chair-console")
    await screenshots(official, "51-official-room")
    await no_sideways_scroll(official, "official room on a tablet")
    await screenshots(vinh_hanh, "52-kiosk")

    # --- the secretary's tools: roll-call, conclusions (autosaved) --------------------------
    secretary = await open_room(await new_context(), "thuky", room_path)
    board = secretary.locator(tid("rollcall-board"))
    await expect(
        board.locator(f"{tid('rollcall-row')}[data-kind=site][data-status=present_online]")
    ).to_have_count(2)
    official_row = board.locator(tid("rollcall-row")).filter(has_text="Phạm Văn Đức")
    await expect(official_row).to_have_attribute("data-status", "present_online")
    await secretary.click(tid("room-tab-conclusions"))
    await secretary.fill(tid("conclusion-text"), "Thống nhất báo cáo; giao Phòng Nội vụ tổng hợp.")
    await expect(secretary.locator(tid("conclusion-status"))).to_have_attribute(
        "data-status", "saved"
    )
    await screenshots(secretary, "56-secretary-conclusion")
    await secretary.click(tid("room-tab-rollcall"))
    await screenshots(secretary, "57-secretary-rollcall")
    await chair.click(tid("floor-end"))
    await expect(vinh_hanh.locator(tid("room-speaker"))).to_have_attribute("data-request-id", "")
