"""After the meeting, in the browser: the chair ends a meeting that ran (a commune spoke, an open
and a secret vote, a conclusion); the secretary edits the drafted minutes (biên bản), sees the
server refuse bad content, saves and previews the PDF; the chair signs with the certificate
password (a wrong one and a second signature are refused, clearly), downloads the signed PDF
(its pages rendered with pdftoppm), and checks it on the signature page: valid, and a copy with
one changed byte is not. An official downloads it from the meeting; a correction is a new
version. Then tasks: the secretary assigns one from a conclusion, the unit's head reports it
done with a result file, the archive lists the meeting."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Page, Route, expect
from pypdf import PdfReader

from tests.api.meeting_helpers import ids, published
from tests.browser.test_meetings_flow import log_in, no_sideways_scroll, tid
from tests.documents.samples import text_pdf
from tests.realtime.live_client import MeetingClient

ITEMS = ("Dự thảo Kế hoạch chuyển đổi số năm 2027", "Báo cáo tiến độ cải cách hành chính")
CONCLUSION = "Thống nhất thông qua Kế hoạch; giao Phòng VH-TT hoàn thiện."
OPENING = "Chủ tọa tuyên bố lý do, giới thiệu thành phần tham dự và chương trình cuộc họp."
EDITED_CONCLUSION = (
    "Thống nhất thông qua Kế hoạch chuyển đổi số năm 2027. Giao Phòng Văn hóa và Thông tin "
    "hoàn thiện, trình ban hành trước ngày 15/12/2026."
)
ABSENCE = "Mất kết nối đường truyền"
TASK = "Hoàn thiện Kế hoạch chuyển đổi số năm 2027, trình UBND huyện ban hành"


def due() -> str:
    """A due date two weeks ahead (not overdue)."""
    return (date.today() + timedelta(days=14)).isoformat()


async def ran_meeting(login_as: Any) -> int:
    """A meeting that ran through the live socket, still in progress (the chair ends it)."""
    secretary = await login_as("thuky")
    meeting = await published(secretary, ["tp.noivu", "tp.vanhoa"], ["xa-vinh-hanh", "xa-tan-phu"])
    mid = meeting["id"]
    items = []
    for title in ITEMS:
        status, body = await secretary.post(
            f"/api/meetings/{mid}/agenda", json={"title": title, "duration_minutes": 30}
        )
        assert status == 201, body
        items.append(body["item"]["id"])
    chair = await MeetingClient(await login_as("chutich"), mid).connect()
    sec = await MeetingClient(secretary, mid).connect()
    site = await MeetingClient(await login_as("xa-vinh-hanh"), mid).connect()
    a = await MeetingClient(await login_as("tp.noivu"), mid).connect()
    b = await MeetingClient(await login_as("tp.vanhoa"), mid).connect()
    try:
        await chair.ok("meeting.start")
        await chair.ok("agenda.go", {"item_id": items[0]})
        request = await site.ok(
            "floor.request", {"topic": "Kinh phí đường truyền", "position": "question"}
        )
        await chair.ok("floor.give", {"request_id": request["id"]})
        await chair.ok("floor.end")
        vote = await chair.ok("vote.open", {"question": "Thông qua Kế hoạch?"})
        await a.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        await b.ok("vote.cast", {"vote_id": vote["id"], "choice": "Đồng ý"})
        await chair.ok("vote.close", {"vote_id": vote["id"]})
        secret = await chair.ok(
            "vote.open", {"question": "Bầu tổ trưởng tổ công tác", "secret": True}
        )
        await a.ok("vote.cast", {"vote_id": secret["id"], "choice": "Đồng ý"})
        await b.ok("vote.cast", {"vote_id": secret["id"], "choice": "Không đồng ý"})
        await chair.ok("vote.close", {"vote_id": secret["id"]})
        await sec.ok("conclusion.save", {"item_id": items[0], "text": CONCLUSION})
        await chair.ok("agenda.go", {"item_id": items[1]})
        await sec.ok(
            "conclusion.save",
            {"item_id": items[1], "text": "Ghi nhận báo cáo; các phòng tiếp tục thực hiện."},
        )
    finally:
        for client in (chair, sec, site, a, b):
            await client.close()
    return mid


def pdf_text(data: bytes) -> str:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def render_pages(pdf: Path, prefix: Path) -> list[Path]:
    """Every page as a PNG at 60 dpi (prefix-1.png, prefix-2.png, …), to look at."""
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


async def end_in_ui(chair: Page, mid: int) -> None:
    await chair.goto(f"/meetings/{mid}")
    head = chair.locator(tid("meeting-head"))
    await expect(head).to_have_attribute("data-status", "in_progress")
    await chair.click(tid("meeting-end"))
    await chair.locator(tid("end-dialog")).locator(tid("confirm-ok")).click()
    await expect(head).to_have_attribute("data-status", "ended")


async def sign(page: Page, password: str) -> None:
    await page.click(tid("minutes-sign"))
    dialog = page.locator(tid("sign-dialog"))
    await dialog.locator(tid("sign-password")).fill(password)
    await dialog.locator(tid("sign-submit")).click()


async def verify_file(page: Page, path: Path) -> None:
    await page.set_input_files(tid("verify-file"), str(path))
    await expect(page.locator(tid("verify-file-name"))).to_have_text(path.name)


# login_as comes before new_context: the browsers are closed before the API clients, whose
# close() also stops the server (otherwise it waits for the browsers' open connections).
async def test_end_edit_preview_sign_download_verify(
    login_as, new_context, screenshots, artifacts, demo_pki
) -> None:
    mid = await ran_meeting(login_as)

    # --- the chair ends the meeting from the meeting page --------------------------------
    chair = await log_in(await new_context(), "chutich")
    await end_in_ui(chair, mid)
    await expect(chair.locator(tid("tab-minutes"))).to_be_visible()
    await expect(chair.locator(tid("tab-notice"))).to_be_visible()

    # --- the secretary edits the drafted minutes ----------------------------------------
    secretary = await log_in(await new_context(), "thuky")
    await secretary.goto(f"/meetings/{mid}")
    await secretary.click(tid("tab-minutes"))
    panel = secretary.locator(tid("minutes-panel"))
    await expect(panel).to_have_attribute("data-kind", "minutes")
    await expect(panel.locator(tid("minutes-status"))).to_have_attribute("data-status", "draft")
    await expect(panel.locator(tid("minutes-chair"))).to_contain_text("Trần Văn Minh")
    first = panel.locator(tid("minutes-item")).first
    await expect(first.locator(tid("item-conclusion"))).to_have_value(CONCLUSION)
    await expect(first.locator(tid("speech"))).to_contain_text("Kinh phí đường truyền")
    votes = first.locator(tid("minutes-vote"))
    await expect(votes).to_have_count(2)
    await expect(votes.nth(0).locator(tid("vote-counts"))).to_contain_text("Phạm Văn Đức")
    await expect(votes.nth(1)).to_have_attribute("data-secret", "true")
    await expect(votes.nth(1).locator(tid("vote-counts"))).not_to_contain_text("Phạm Văn Đức")

    await panel.locator(tid("minutes-number")).fill("15")
    await panel.locator(tid("minutes-opening")).fill(OPENING)
    absent = panel.locator(f"{tid('attendee-row')}[data-presence=absent]")
    await expect(absent).to_have_count(1)
    await absent.locator(tid("attendee-reason")).fill(ABSENCE)
    await first.locator(tid("item-conclusion")).fill(EDITED_CONCLUSION)
    await first.locator(tid("speech-summary")).fill("Đề nghị bố trí kinh phí đường truyền cho xã.")
    await votes.nth(0).locator(tid("vote-result")).fill("Thông qua (2/3 đại biểu tán thành)")
    await first.locator(tid("assignment-add")).click()
    assignment = first.locator(tid("assignment")).first
    await assignment.locator(tid("assignment-task")).fill(TASK)
    await assignment.locator(tid("assignment-units")).fill(
        "Phòng Văn hóa và Thông tin\nPhòng Tài chính - Kế hoạch"
    )
    await assignment.locator(tid("assignment-due")).fill(due())
    status = panel.locator(tid("minutes-save-status"))
    await expect(status).to_have_attribute("data-status", "dirty")

    # bad content: the server's 422 message is shown, nothing is lost
    async def spoil(route: Route) -> None:
        if route.request.method == "PUT":
            await route.continue_(post_data=json.dumps({"content": {"heading": "x"}}))
        else:
            await route.continue_()

    await secretary.route(f"**/api/meetings/{mid}/minutes/minutes", spoil)
    await panel.locator(tid("minutes-save")).click()
    error = panel.locator(tid("minutes-save-error"))
    await expect(error).to_have_attribute("data-code", "minutes_invalid")
    await expect(error).to_contain_text("Minutes.heading")
    await expect(status).to_have_attribute("data-status", "error")
    await secretary.unroute(f"**/api/meetings/{mid}/minutes/minutes")
    await panel.locator(tid("minutes-save")).click()
    await expect(status).to_have_attribute("data-status", "saved")
    await expect(error).to_have_count(0)
    await no_sideways_scroll(secretary, "minutes editor")
    await screenshots(secretary, "81-bien-ban-editor")

    await panel.locator(tid("minutes-preview-button")).click()
    preview = panel.locator(tid("minutes-preview"))
    await expect(preview).to_have_attribute("data-state", "ready", timeout=20_000)
    pages = preview.locator(tid("minutes-preview-page"))
    await expect(pages.first).to_have_attribute("data-rendered", "true")
    assert await pages.count() >= 1
    await pages.first.scroll_into_view_if_needed()
    await screenshots(secretary, "82-bien-ban-preview")
    await expect(panel.locator(tid("minutes-sign"))).to_have_count(0)  # the secretary does not sign

    # --- the chair signs: wrong password, then the right one; a second signature is refused
    await chair.click(tid("tab-minutes"))
    chair_panel = chair.locator(tid("minutes-panel"))
    await expect(chair_panel.locator(tid("minutes-opening"))).to_have_value(OPENING)
    await expect(chair_panel.locator(tid("minutes-opening"))).to_have_attribute("readonly", "")
    stale = await chair.context.new_page()  # a second tab, opened before signing
    await stale.goto(f"/meetings/{mid}?tab=minutes")
    await expect(stale.locator(tid("minutes-status"))).to_have_attribute("data-status", "draft")

    await sign(chair, "sai-mat-khau")
    sign_error = chair.locator(tid("sign-error"))
    await expect(sign_error).to_have_attribute("data-code", "certificate_wrong_password")
    await expect(sign_error).to_contain_text("Sai mật khẩu chứng thư số")
    await screenshots(chair, "83-bien-ban-sign-wrong-password")
    await chair.locator(tid("sign-password")).fill(demo_pki.chair_password)
    await chair.locator(tid("sign-submit")).click()
    await expect(chair.locator(tid("sign-dialog"))).to_have_count(0, timeout=20_000)
    await expect(chair_panel.locator(tid("minutes-status"))).to_have_attribute(
        "data-status", "signed"
    )
    await expect(chair_panel.locator(tid("minutes-signer"))).to_have_text("Trần Văn Minh")
    await expect(chair_panel.locator(tid("minutes-signed-at"))).to_contain_text("ngày")
    await expect(chair_panel.locator(tid("minutes-sign"))).to_have_count(0)
    await expect(
        chair_panel.locator(f"{tid('minutes-version-row')}[data-status=signed]")
    ).to_have_count(1)
    await screenshots(chair, "84-bien-ban-signed")

    await sign(stale, demo_pki.chair_password)
    await expect(stale.locator(tid("sign-error"))).to_have_attribute("data-code", "minutes_signed")
    await expect(stale.locator(tid("sign-error"))).to_contain_text("đã được ký")
    await stale.close()

    async with chair.expect_download() as info:
        await chair_panel.locator(tid("minutes-download")).click()
    download = await info.value
    assert download.suggested_filename == "bien-ban-v1.pdf"
    folder = artifacts / "minutes"
    folder.mkdir(parents=True, exist_ok=True)
    signed = folder / "bien-ban-v1.pdf"
    await download.save_as(signed)
    data = signed.read_bytes()
    text = pdf_text(data)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        "tuyên bố lý do",
        "Mất kết nối",
        "Thống nhất thông qua Kế hoạch chuyển đổi số",
        "Trần Văn Minh",
    ):
        assert phrase in text, phrase
    rendered = render_pages(signed, artifacts / "screenshots" / "80-bien-ban")
    assert rendered, "pdftoppm made no pages"

    # --- anyone checks the downloaded file; a changed byte is caught ---------------------
    await chair.click(tid("nav-verify"))
    await expect(chair.locator(tid("page-title"))).to_have_text("Kiểm tra chữ ký số")
    await verify_file(chair, signed)
    result = chair.locator(tid("verify-result"))
    await expect(result).to_have_attribute("data-valid", "true", timeout=20_000)
    await expect(result.locator(tid("verify-title"))).to_have_text("Chữ ký hợp lệ")
    await expect(result.locator(tid("verify-signer"))).to_contain_text("Trần Văn Minh")
    await expect(result.locator(tid("verify-signed-at"))).to_contain_text("ngày")
    await screenshots(chair, "85-verify-valid")

    tampered = bytearray(data)
    at = tampered.index(b"Tr", len(tampered) // 3)
    tampered[at] ^= 0x01
    changed = folder / "bien-ban-v1-sua-1-byte.pdf"
    changed.write_bytes(bytes(tampered))
    await verify_file(chair, changed)
    await expect(result).to_have_attribute("data-valid", "false", timeout=20_000)
    await expect(result.locator(tid("verify-title"))).to_have_text("Chữ ký không hợp lệ")
    assert (await result.locator(tid("verify-message")).inner_text()).strip()
    await screenshots(chair, "86-verify-invalid")

    # --- an official downloads the signed minutes from the meeting page -------------------
    official = await log_in(await new_context(), "tp.noivu")
    await official.goto(f"/meetings/{mid}")
    await official.click(tid("tab-minutes"))
    row = official.locator(tid("signed-row"))
    await expect(row).to_have_count(1)
    await expect(row).to_have_attribute("data-kind", "minutes")
    await expect(official.locator(tid("tab-notice"))).to_have_count(0)
    async with official.expect_download() as info:
        await row.locator(tid("signed-download")).click()
    assert (await (await info.value).path()).read_bytes() == data
    await screenshots(official, "87-official-signed-minutes")

    # --- a correction is a new version, a draft again ---------------------------------------
    await secretary.reload()
    await expect(panel.locator(tid("minutes-status"))).to_have_attribute("data-status", "signed")
    await expect(panel.locator(tid("minutes-opening"))).to_have_attribute("readonly", "")
    await panel.locator(tid("minutes-new-version")).click()
    await secretary.locator(tid("new-version-dialog")).locator(tid("confirm-ok")).click()
    await expect(panel.locator(tid("minutes-version"))).to_have_text("Phiên bản 2")
    await expect(panel.locator(tid("minutes-status"))).to_have_attribute("data-status", "draft")
    await expect(panel.locator(tid("minutes-opening"))).to_have_value(OPENING)


async def test_notice_tasks_and_archive(login_as, new_context, screenshots, demo_pki) -> None:
    mid = await ran_meeting(login_as)
    secretary_api = await login_as("thuky")
    status, body = await secretary_api.post(f"/api/meetings/{mid}/end")
    assert status == 200, body

    # --- the conclusion notice: recipients edited, signed by the chair ----------------------
    secretary = await log_in(await new_context(), "thuky")
    await secretary.goto(f"/meetings/{mid}?tab=notice")
    panel = secretary.locator(tid("minutes-panel"))
    await expect(panel).to_have_attribute("data-kind", "notice")
    recipients = panel.locator(tid("notice-recipients"))
    await expect(recipients).to_have_value("Lưu: VT")
    await recipients.fill("Như trên;\nPhòng Văn hóa và Thông tin;\nLưu: VT, VP.")
    await panel.locator(tid("minutes-save")).click()
    await expect(panel.locator(tid("minutes-save-status"))).to_have_attribute(
        "data-status", "saved"
    )
    await screenshots(secretary, "88-notice-editor")
    chair = await log_in(await new_context(), "chutich")
    await chair.goto(f"/meetings/{mid}?tab=notice")
    await sign(chair, demo_pki.chair_password)
    chair_panel = chair.locator(tid("minutes-panel"))
    await expect(chair_panel.locator(tid("minutes-status"))).to_have_attribute(
        "data-status", "signed", timeout=20_000
    )
    async with chair.expect_download() as info:
        await chair_panel.locator(tid("minutes-download")).click()
    notice = await (await info.value).path()
    assert "Phòng Văn hóa và Thông tin" in pdf_text(notice.read_bytes())

    # --- giao việc from a conclusion -------------------------------------------------------
    await secretary.click(tid("tab-tasks"))
    tasks = secretary.locator(tid("meeting-tasks"))
    await expect(tasks.locator(tid("tasks-empty"))).to_be_visible()
    conclusions = tasks.locator(tid("conclusion-row"))
    await expect(conclusions).to_have_count(2)
    await conclusions.first.locator(tid("conclusion-assign")).click()
    dialog = secretary.locator(tid("task-dialog"))
    await expect(dialog.locator(tid("task-title"))).to_have_value(
        "Thống nhất thông qua Kế hoạch; giao Phòng VH-TT hoàn thiện."
    )
    await expect(dialog.locator(tid("task-item"))).not_to_have_value("")
    await dialog.locator(tid("task-title")).fill(TASK)
    await dialog.locator(tid("task-create-submit")).click()
    await expect(dialog.locator(tid("task-missing"))).to_contain_text("hạn hoàn thành")
    await dialog.locator(tid("task-due")).fill(due())
    unit = (await ids(secretary_api, "units"))["p-van-hoa-thong-tin"]
    await dialog.locator(tid("task-unit")).select_option(str(unit))
    await screenshots(secretary, "89-task-assign")
    await dialog.locator(tid("task-create-submit")).click()
    await expect(dialog).to_have_count(0)
    row = tasks.locator(tid("task-row"))
    await expect(row).to_have_count(1)
    await expect(row.locator(tid("task-assignee"))).to_have_text("Phòng Văn hóa và Thông tin")
    await expect(row).to_have_attribute("data-status", "open")

    # --- the unit's head reports it done, with a result file --------------------------------
    head = await log_in(await new_context(), "tp.vanhoa")
    await head.click(tid("nav-tasks"))
    mine = head.locator(tid("tasks-group-unit")).locator(tid("task-row"))
    await expect(mine).to_have_count(1)
    await expect(mine.locator(tid("task-row-title"))).to_have_text(TASK)
    await mine.locator(tid("task-status")).select_option("in_progress")
    await expect(mine).to_have_attribute("data-status", "in_progress")
    await mine.locator(tid("task-note")).fill("Đã hoàn thiện dự thảo, trình UBND huyện ngày 10/12.")
    await mine.locator(tid("task-note-save")).click()
    await expect(mine.locator(tid("task-note-saved"))).to_be_visible()
    await mine.locator(tid("task-result-file")).set_input_files(
        files=[
            {
                "name": "Kết quả thực hiện.pdf",
                "mimeType": "application/pdf",
                "buffer": text_pdf(["Báo cáo kết quả thực hiện Kế hoạch chuyển đổi số"]),
            }
        ]
    )
    await expect(mine.locator(tid("task-result-download"))).to_have_text("Kết quả thực hiện.pdf")
    await mine.locator(tid("task-status")).select_option("done")
    await expect(mine).to_have_attribute("data-status", "done")
    await no_sideways_scroll(head, "tasks page")
    await screenshots(head, "90-tasks-page")

    await secretary.click(tid("tasks-refresh"))
    await expect(row).to_have_attribute("data-status", "done")
    await expect(row.locator(tid("task-result-download"))).to_be_visible()
    await secretary.click(tid("nav-tasks"))
    await secretary.click(tid("tasks-overdue"))
    await expect(secretary).to_have_url(re.compile(r"/tasks\?overdue=1$"))
    await expect(secretary.locator(tid("tasks-empty"))).to_be_visible()

    # --- the archive lists the meeting; its documents are searchable -----------------------
    await secretary.click(tid("nav-archive"))
    await expect(secretary.locator(tid("page-title"))).to_have_text("Lưu trữ")
    await secretary.fill(tid("archive-search"), "cai cach hanh chinh")
    found = secretary.locator(tid("archive-list")).locator(tid("meeting-row"))
    await expect(found).to_have_count(1)
    await expect(found).to_have_attribute("data-meeting-id", str(mid))
    await secretary.fill(tid("archive-search"), "không có cuộc họp nào như thế")
    await expect(secretary.locator(tid("archive-empty"))).to_be_visible()
    await secretary.fill(tid("archive-search"), "")
    await screenshots(secretary, "91-archive")
