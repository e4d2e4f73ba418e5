"""Documents in the browser: the secretary uploads a DOCX and a PDF (several files at once, a
progress bar each), opens the PDF for comments; an official reads the PDF in the PDF.js viewer,
jumps to page 3, writes a private note and a comment, searches; the restricted document offers
no download; the secretary sees who has read it and the consolidated comments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.browser.test_meetings_flow import log_in, no_sideways_scroll, tid
from tests.documents.samples import docx, text_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Họp chuyên đề về kế hoạch phát triển kinh tế – xã hội năm 2027"
REPORT = [
    f"Trang {n}. Báo cáo tình hình kinh tế – xã hội năm 2026 và kế hoạch năm 2027, phần {n}."
    for n in range(1, 6)
]
DRAFT = [
    "DỰ THẢO NGHỊ QUYẾT",
    "Về kế hoạch đầu tư công trung hạn của huyện Châu Thành giai đoạn 2026–2030.",
    "Điều 1. Thông qua danh mục dự án.",
]
PDF_NAME = "Báo cáo tình hình kinh tế - xã hội.pdf"
DOCX_NAME = "Dự thảo Nghị quyết đầu tư công.docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOTE = "Số liệu trang 3 cần đối chiếu với Chi cục Thống kê."
COMMENT = "Đề nghị bổ sung chỉ tiêu về chuyển đổi số ở trang 3."


async def prepare_meeting(login_as: Any) -> int:
    secretary = await login_as("thuky")
    _, users = await secretary.get("/api/users")
    people = {u["username"]: u["id"] for u in users["users"]}
    _, units = await secretary.get("/api/units")
    codes = {u["code"]: u["id"] for u in units["units"]}
    start = (datetime.now(VN) + timedelta(days=2)).replace(hour=8, minute=0, second=0)
    status, body = await secretary.post(
        "/api/meetings",
        json={
            "title": TITLE,
            "kind": "thematic",
            "access": "restricted",
            "online": True,
            "location": "Hội trường UBND huyện",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "chair_id": people["chutich"],
        },
    )
    assert status == 201, body
    meeting_id = body["meeting"]["id"]
    for title in ("Tình hình kinh tế – xã hội năm 2026", "Kế hoạch đầu tư công 2026–2030"):
        status, body = await secretary.post(
            f"/api/meetings/{meeting_id}/agenda", json={"title": title, "duration_minutes": 45}
        )
        assert status == 201, body
    status, body = await secretary.post(
        f"/api/meetings/{meeting_id}/invitations",
        json={"user_ids": [people["tp.noivu"]], "sites": [{"unit_id": codes["xa-vinh-hanh"]}]},
    )
    assert status == 200, body
    status, body = await secretary.post(f"/api/meetings/{meeting_id}/publish")
    assert status == 200, body
    return meeting_id


# login_as comes before new_context: the browsers are closed before the API clients, whose
# close() also stops the server (otherwise it waits for the browsers' open connections).
async def test_upload_read_note_comment_search(login_as, new_context, screenshots) -> None:
    meeting_id = await prepare_meeting(login_as)
    meeting_path = f"/meetings/{meeting_id}"

    # --- the secretary uploads two files at once ----------------------------------------------
    secretary = await log_in(await new_context(), "thuky")
    await secretary.goto(f"{meeting_path}?tab=documents")
    await expect(secretary.locator(tid("documents-empty"))).to_be_visible()
    await secretary.locator(tid("upload-files")).set_input_files(
        [
            {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": text_pdf(REPORT)},
            {"name": DOCX_NAME, "mimeType": DOCX_TYPE, "buffer": docx(DRAFT)},
        ]
    )
    rows = secretary.locator(tid("upload-row"))
    await expect(rows).to_have_count(2)
    pdf_row = rows.filter(has_text=PDF_NAME)
    docx_row = rows.filter(has_text=DOCX_NAME)
    await expect(pdf_row.locator(tid("upload-title"))).to_have_value(
        "Báo cáo tình hình kinh tế - xã hội"
    )
    await pdf_row.locator(tid("upload-item")).select_option(
        label="1. Tình hình kinh tế – xã hội năm 2026"
    )
    await docx_row.locator(tid("upload-title")).fill("Dự thảo Nghị quyết về đầu tư công")
    await docx_row.locator(tid("upload-item")).select_option(
        label="2. Kế hoạch đầu tư công 2026–2030"
    )
    await docx_row.locator(tid("upload-confidentiality")).select_option("restricted")
    await expect(secretary.locator(tid("upload-submit"))).to_have_text("Tải lên 2 tệp")
    await screenshots(secretary, "60-documents-upload-chosen")
    await secretary.click(tid("upload-submit"))
    # the DOCX is converted by LibreOffice on the server: give it time
    for row in (pdf_row, docx_row):
        await expect(row).to_have_attribute("data-state", "done", timeout=90_000)
        await expect(row.locator(tid("upload-progress"))).to_have_count(0)
    listed = secretary.locator(tid("document-row"))
    await expect(listed).to_have_count(2)
    report = listed.filter(has_text="Báo cáo tình hình kinh tế")
    draft = listed.filter(has_text="Dự thảo Nghị quyết")
    await expect(report).to_have_attribute("data-confidentiality", "normal")
    await expect(draft).to_have_attribute("data-confidentiality", "restricted")
    await expect(report.locator(tid("document-download"))).to_have_count(1)
    await expect(draft.locator(tid("document-download"))).to_have_count(0)
    await expect(report.locator(tid("doc-version"))).to_have_text("Phiên bản 1")
    await expect(secretary.locator(tid("documents-pack"))).to_be_visible()
    groups = secretary.locator(tid("document-group"))
    await expect(groups).to_have_count(2)
    await expect(groups.nth(0)).to_contain_text("1. Tình hình kinh tế – xã hội năm 2026")
    await screenshots(secretary, "61-documents-uploaded")

    # the report is opened for comments (lấy ý kiến) until a week from now
    await secretary.click(tid("tab-opinions"))
    card = secretary.locator(tid("opinion-document")).filter(has_text="Báo cáo tình hình")
    await expect(card.locator(tid("round-form"))).to_be_visible()
    await card.locator(tid("round-open")).click()
    await expect(card).to_have_attribute("data-round", "open")
    await expect(card.locator(tid("round-status"))).to_contain_text("Đang lấy ý kiến đến")

    # --- an official reads the PDF ---------------------------------------------------------------
    official = await log_in(await new_context(), "tp.noivu")
    await official.goto(f"{meeting_path}?tab=documents")
    row = official.locator(tid("document-row")).filter(has_text="Báo cáo tình hình kinh tế")
    await expect(row.locator(tid("doc-unread"))).to_be_visible()
    restricted = official.locator(tid("document-row")).filter(has_text="Dự thảo Nghị quyết")
    await expect(restricted.locator(tid("document-download"))).to_have_count(0)
    await expect(official.locator(tid("upload-panel"))).to_have_count(0)
    await row.locator(tid("document-open")).click()
    await expect(official).to_have_url(re.compile(r"/documents/\d+$"))
    viewer = official.locator(tid("viewer-page"))
    await expect(viewer).to_have_attribute("data-rendered", "true")
    await expect(official.locator(tid("viewer-page-count"))).to_have_text("/ 5")
    await expect(official.locator(tid("viewer-thumb"))).to_have_count(5)
    await expect(official.locator(tid("viewer-download"))).to_be_visible()
    # jump to page 3
    await official.fill(tid("viewer-page-input"), "3")
    await official.press(tid("viewer-page-input"), "Enter")
    await expect(viewer).to_have_attribute("data-page", "3")
    await expect(viewer).to_have_attribute("data-rendered", "true")
    await expect(official).to_have_url(re.compile(r"\?page=3$"))
    await expect(official.locator(f"{tid('viewer-thumb')}[aria-current=page]")).to_have_attribute(
        "data-page", "3"
    )
    # zoom in and back to fit width
    await official.click(tid("viewer-zoom-in"))
    await expect(official.locator(tid("viewer-fit"))).to_have_attribute("aria-pressed", "false")
    await official.click(tid("viewer-fit"))
    await expect(official.locator(tid("viewer-fit"))).to_have_attribute("aria-pressed", "true")

    # a private note on page 3
    notes = official.locator(tid("notes-panel"))
    await notes.locator(tid("note-text-input")).fill(NOTE)
    await notes.locator(tid("note-add")).click()
    note = notes.locator(tid("note"))
    await expect(note).to_have_count(1)
    await expect(note).to_have_attribute("data-page", "3")
    await expect(note.locator(tid("note-text"))).to_have_text(NOTE)
    await note.locator(tid("note-edit")).click()
    await note.locator(tid("note-edit-text")).fill(NOTE + " (đã kiểm tra)")
    await note.locator(tid("note-save")).click()
    await expect(note.locator(tid("note-text"))).to_have_text(NOTE + " (đã kiểm tra)")

    # a comment on page 3 in the opinion round
    await official.click(tid("side-comments"))
    comments = official.locator(tid("comments-panel"))
    await expect(comments.locator(tid("round-status"))).to_have_attribute("data-open", "true")
    await comments.locator(tid("comment-text")).fill(COMMENT)
    await comments.locator(tid("comment-submit")).click()
    await expect(comments.locator(tid("comment-sent"))).to_be_visible()
    await expect(comments.locator(tid("comment"))).to_have_attribute("data-page", "3")
    await screenshots(official, "62-viewer-comment")

    # search inside the document, without diacritics
    await official.fill(tid("viewer-search-input"), "ke hoach nam 2027")
    await official.click(tid("viewer-search"))
    hits = official.locator(tid("viewer-hit"))
    await expect(hits).to_have_count(5)
    await hits.nth(4).click()
    await expect(viewer).to_have_attribute("data-page", "5")
    await official.click(tid("side-notes"))
    await expect(official.locator(tid("notes-other-pages"))).to_contain_text("3")
    await screenshots(official, "63-viewer-search")

    # the restricted document: read on screen, no download
    await official.click(tid("viewer-back"))
    await restricted.locator(tid("document-open")).click()
    await expect(official.locator(tid("viewer-page"))).to_have_attribute("data-rendered", "true")
    await expect(official.locator(tid("viewer-no-download"))).to_be_visible()
    await expect(official.locator(tid("viewer-download"))).to_have_count(0)
    await expect(official.locator(tid("doc-confidentiality"))).to_have_text("Hạn chế")
    await screenshots(official, "64-viewer-restricted")

    # the search box in the header: meeting, document, page and snippet; opens the viewer
    await official.fill(tid("header-search"), "nam 2027, phan 4")
    await official.click(tid("header-search-submit"))
    result = official.locator(tid("search-result")).first
    await expect(result).to_contain_text(TITLE)
    await expect(result).to_contain_text("Trang 4")
    await screenshots(official, "65-search")
    await result.locator(tid("search-result-link")).click()
    await expect(official.locator(tid("viewer-page"))).to_have_attribute("data-page", "4")

    # on a tablet the viewer opens fitted to the width, with no sideways scrolling
    await official.set_viewport_size({"width": 800, "height": 1280})
    await official.reload()
    await expect(official.locator(tid("viewer-page"))).to_have_attribute("data-rendered", "true")
    await expect(official.locator(tid("viewer-fit"))).to_have_attribute("aria-pressed", "true")
    await no_sideways_scroll(official, "viewer on a tablet")
    await screenshots(official, "66-viewer-tablet")

    # --- the secretary: read receipts and the consolidated comments -----------------------------
    await secretary.click(tid("tab-documents"))
    await report.locator(tid("document-readers")).click()
    dialog = secretary.locator(tid("readers-dialog"))
    await expect(dialog.locator(tid("reader"))).to_contain_text("Phạm Văn Đức")
    await screenshots(secretary, "67-readers")
    await secretary.keyboard.press("Escape")
    await secretary.click(tid("tab-opinions"))
    await expect(card.locator(tid("opinion-comment"))).to_contain_text(COMMENT)
    await expect(card.locator(tid("opinion-answered"))).to_contain_text("1/")
    await expect(card.locator(tid("opinion-csv"))).to_be_visible()
    await screenshots(secretary, "68-opinions")
